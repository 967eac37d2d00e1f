use clap::Parser;

#[tokio::main]
async fn main() {
    match gatehouse::cli::run(gatehouse::cli::Cli::parse()).await {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("gatehouse: {err:#}");
            std::process::exit(1);
        }
    }
}
