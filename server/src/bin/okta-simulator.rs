//! `okta-simulator`: the built-in Okta API simulator, standalone.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "okta-simulator",
    version,
    about = "Serve simulated Okta orgs (System Log, users, devices) over HTTP."
)]
struct Cli {
    #[command(flatten)]
    args: gatehouse::simulator::SimulateArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr; stdout carries only the "listening on" line.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    gatehouse::simulator::run(cli.args).await
}
