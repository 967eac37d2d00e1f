use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    gatehouse::cli::run(gatehouse::cli::Cli::parse()).await
}
