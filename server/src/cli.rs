//! The `gatehouse` command line: `serve` (the default) and the tools around it.

use std::{
    io::{BufWriter, Read, Write},
    net::SocketAddr,
    sync::Arc,
};

use anyhow::{bail, Context};
use app::model::source::SIMULATOR_DOMAIN;
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

use crate::{
    config::{Config, ConfigArgs, Secret},
    engine::{AddSource, Engine},
    ingest::normalize::{normalize_stream, NormalizeContext},
    okta::OktaHttp,
    secrets::SecretBox,
    simulator::{self, OrgConfig, RunningSimulator, Simulator},
    store::Store,
    telemetry, web,
};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "A self-hosted Okta System Log console."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console (the default).
    Serve,
    /// Run the Okta API simulator on its own.
    Simulate(simulator::SimulateArgs),
    /// Normalize raw Okta events (NDJSON or a JSON array on stdin) into Okta.SystemLog rows
    /// (NDJSON on stdout). Failures go to stderr; exit code 2 when there was any.
    Normalize(NormalizeArgs),
    /// Write a source's stored rows as NDJSON on stdout, oldest first.
    Export(ExportArgs),
    /// Manage sources without the browser.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Manage the key that encrypts API tokens and webhook secrets at rest.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Benchmarks (figures on stdout).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
    /// Run the `Tests` of a directory of Panther-style Python rules (`*.yml` + `*.py`): one
    /// PASS/FAIL line per test; exit code 1 when a test fails or a rule does not load.
    TestRules(crate::detect::cli::TestRulesArgs),
    /// Run detections over Okta events (NDJSON on stdin, raw or normalized): the built-in pack
    /// and Python rules; one NDJSON line per match on stdout. Exit code 2 when a line was not
    /// an event or a rule failed on one.
    Detect(crate::detect::cli::DetectArgs),
    /// Manage console accounts. Passwords are read from standard input (never from a flag).
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Value of p_source_id in the output.
    #[arg(long, default_value_t = 0)]
    pub source_id: i64,
    /// Value of p_source_label in the output.
    #[arg(long, default_value = "cli")]
    pub source_label: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Source id (see `gatehouse sources list`).
    #[arg(long)]
    pub source: i64,
    /// Only events published at or after this RFC 3339 time.
    #[arg(long)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add a source. The API token is read from GATEHOUSE_OKTA_TOKEN or, with --token-stdin,
    /// from standard input (never from a flag, which would land in shell history).
    Add {
        #[arg(long)]
        name: String,
        /// Okta subdomain (`acme` in acme.okta.com).
        #[arg(long)]
        subdomain: String,
        /// Okta domain, e.g. okta.com (or simulator.localhost with --simulator).
        #[arg(long, default_value = "okta.com")]
        domain: String,
        /// Read the token from standard input.
        #[arg(long)]
        token_stdin: bool,
        /// Do not check the token against Okta first.
        #[arg(long)]
        skip_check: bool,
    },
    /// List sources with their state.
    List,
    /// Remove a source and all its stored data.
    Remove { id: i64 },
    /// Stop polling a source.
    Pause { id: i64 },
    /// Start polling a paused source again.
    Resume { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Re-encrypt every stored secret under a new key (one transaction), then replace the key
    /// file (or, with GATEHOUSE_SECRET_KEY, print the new key once). Refused while a server runs
    /// on the database; run it again if it was interrupted.
    Rotate,
}

/// Runs the command; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    let config = Config::load(&cli.config)?;
    telemetry::init(&config.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await.map(|()| 0),
        Command::Simulate(args) => simulator::run(args).await.map(|()| 0),
        Command::Normalize(args) => normalize(args),
        Command::Export(args) => export(config, args).await,
        Command::Sources(command) => sources(config, command).await,
        Command::Secrets(SecretsCommand::Rotate) => {
            crate::key_rotation::rotate(&config, &mut std::io::stdout().lock())
                .await
                .map(|_| 0)
        }
        Command::Bench(command) => crate::bench::run(command).await.map(|()| 0),
        Command::TestRules(args) => crate::detect::cli::test_rules(args),
        Command::Detect(args) => crate::detect::cli::detect(args),
        Command::Users(command) => users(config, command).await,
    }
}

/// Opens the database, the key and the Okta client as `config` says, without serving.
pub async fn open_engine(
    config: Config,
    simulator: Option<SocketAddr>,
) -> anyhow::Result<Arc<Engine>> {
    let store = Store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    let secrets = SecretBox::from_config(&config)?;
    let http = OktaHttp::new(
        config.poll.request_timeout,
        simulator
            .or(config.simulator_addr)
            .or(config.simulator_upstream),
    );
    Ok(Engine::new(config, store, secrets, http))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Held until the server stops: `gatehouse secrets rotate` refuses to run beside it.
    let _lock = crate::store::ServerLock::acquire(&config)?;
    let simulator = match config.simulator_addr {
        Some(addr) => Some(start_demo_simulator(addr).await?),
        None => None,
    };
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    let demo_source = config.demo_source;
    let engine = open_engine(config, simulator.as_ref().map(|s| s.addr)).await?;
    if demo_source {
        add_demo_source(&engine).await?;
    }
    let checkpointer = engine
        .store
        .spawn_wal_checkpointer(std::time::Duration::from_secs(1));
    // Health minutes feed the 24-hour dashboard; 35 days of them are kept.
    let retention = engine.store.spawn_retention(
        std::time::Duration::from_secs(3600),
        std::time::Duration::from_secs(35 * 24 * 3600),
    );
    engine.supervisor.activate().await?;
    // Profile syncs of the sources with enrichment switched on.
    engine.enricher.activate().await?;
    // The no-events alarms' tick and the webhook delivery worker.
    let alerting = engine.spawn_alerting();
    // Also picks up sources added or removed by `gatehouse sources ...` while serving.
    let reconciler = engine
        .supervisor
        .spawn_reconciler(std::time::Duration::from_secs(5));
    let enrich_reconciler = engine
        .enricher
        .spawn_reconciler(std::time::Duration::from_secs(5));
    let router = web::router(Arc::clone(&engine), addr);
    // No admin yet: the first-run setup code, logged once.
    engine.accounts.announce_setup().await?;
    // The one line on stdout: scripts and tests read the actual address (port 0) from it.
    println!("gatehouse listening on http://{addr}");
    tracing::info!(http.addr = %addr, "console started");
    // The client address feeds the sign-in rate limit.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(crate::shutdown::signal())
    .await?;
    tracing::info!("shutting down");
    reconciler.abort();
    enrich_reconciler.abort();
    checkpointer.abort();
    retention.abort();
    engine.supervisor.shutdown().await;
    engine.enricher.shutdown().await;
    drop(alerting);
    drop(simulator);
    Ok(())
}

/// The demo org of `make run`: org `acme`, token `demo-token`, a steady trickle of events.
pub const DEMO_ORG: &str = "acme";
pub const DEMO_TOKEN: &str = "demo-token";
const DEMO_SOURCE_NAME: &str = "Demo org (simulator)";

async fn start_demo_simulator(addr: SocketAddr) -> anyhow::Result<RunningSimulator> {
    let simulator = Simulator::new(vec![OrgConfig::new(DEMO_ORG, DEMO_TOKEN)]);
    let running = simulator
        .spawn(addr)
        .await
        .with_context(|| format!("starting the Okta simulator on {addr}"))?;
    tracing::info!(simulator.addr = %running.addr, "built-in Okta simulator started (org {DEMO_ORG}.{SIMULATOR_DOMAIN})");
    Ok(running)
}

async fn add_demo_source(engine: &Engine) -> anyhow::Result<()> {
    if engine
        .store
        .sources()
        .await?
        .iter()
        .any(|s| s.name == DEMO_SOURCE_NAME)
    {
        return Ok(());
    }
    engine
        .add_source(AddSource {
            name: DEMO_SOURCE_NAME.into(),
            subdomain: DEMO_ORG.into(),
            domain: SIMULATOR_DOMAIN.into(),
            token: Secret::new(DEMO_TOKEN),
            skip_check: false,
            setup_complete: true,
        })
        .await?;
    Ok(())
}

fn normalize(args: NormalizeArgs) -> anyhow::Result<i32> {
    let ctx = NormalizeContext {
        source_id: args.source_id,
        source_label: args.source_label,
        parse_time: chrono::Utc::now(),
    };
    let stdout = std::io::stdout().lock();
    let stats = normalize_stream(
        std::io::stdin().lock(),
        BufWriter::new(stdout),
        std::io::stderr().lock(),
        &ctx,
    )?;
    eprintln!(
        "normalized {} rows, {} failures",
        stats.rows, stats.failures
    );
    Ok(if stats.failures > 0 { 2 } else { 0 })
}

async fn export(config: Config, args: ExportArgs) -> anyhow::Result<i32> {
    let store = Store::open(&config.database_url).await?;
    if store.source(args.source).await?.is_none() {
        bail!("source {} was not found", args.source);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let count = store
        .export_rows(
            args.source,
            args.since.map(|t| t.timestamp_millis()),
            |row| {
                out.write_all(row.as_bytes())?;
                out.write_all(b"\n")
            },
        )
        .await?;
    out.flush()?;
    eprintln!("exported {count} rows");
    Ok(0)
}

async fn sources(config: Config, command: SourcesCommand) -> anyhow::Result<i32> {
    let engine = open_engine(config, None).await?;
    match command {
        SourcesCommand::Add {
            name,
            subdomain,
            domain,
            token_stdin,
            skip_check,
        } => {
            let token = if token_stdin {
                let mut token = String::new();
                std::io::stdin().read_to_string(&mut token)?;
                token
            } else {
                std::env::var("GATEHOUSE_OKTA_TOKEN").context(
                    "set GATEHOUSE_OKTA_TOKEN or pass --token-stdin to give the API token",
                )?
            };
            let id = engine
                .add_source(AddSource {
                    name,
                    subdomain,
                    domain,
                    token: Secret::new(token.trim()),
                    skip_check,
                    setup_complete: true,
                })
                .await?;
            println!("added source {id}");
        }
        SourcesCommand::List => {
            println!(
                "{:>4}  {:<28} {:<36} {:<8} {:<12} {:>10}  token",
                "id", "name", "org", "enabled", "state", "events"
            );
            for source in engine.store.sources().await? {
                let status = engine.store.status(source.id).await?;
                println!(
                    "{:>4}  {:<28} {:<36} {:<8} {:<12} {:>10}  …{}",
                    source.id,
                    source.name,
                    format!("{}.{}", source.subdomain, source.domain),
                    if source.enabled { "yes" } else { "paused" },
                    status.as_ref().map_or("-", |s| s.state.as_str()),
                    status.as_ref().map_or(0, |s| s.events_total),
                    source.token_hint,
                );
            }
        }
        SourcesCommand::Remove { id } => {
            engine.remove_source(id).await?;
            println!("removed source {id}");
        }
        SourcesCommand::Pause { id } => {
            engine.set_source_enabled(id, false).await?;
            println!("paused source {id}");
        }
        SourcesCommand::Resume { id } => {
            engine.set_source_enabled(id, true).await?;
            println!("resumed source {id}");
        }
    }
    Ok(0)
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a console user; the password (at least 12 characters) is read from standard input.
    Add {
        #[arg(long)]
        username: String,
    },
    /// Set a user's password (read from standard input) and end all their sessions.
    Reset {
        #[arg(long)]
        username: String,
    },
    /// List console users.
    List,
}

async fn users(config: Config, command: UsersCommand) -> anyhow::Result<i32> {
    let store = Store::open(&config.database_url).await?;
    let accounts = crate::engine::accounts::Accounts::new(store.clone(), config.access.clone());
    let password = || -> anyhow::Result<String> {
        let mut password = String::new();
        std::io::stdin().read_to_string(&mut password)?;
        Ok(password.trim_end_matches(['\r', '\n']).to_owned())
    };
    match command {
        UsersCommand::Add { username } => {
            let id = accounts.add_user(&username, &password()?).await?;
            println!("added user {id}");
        }
        UsersCommand::Reset { username } => {
            accounts.reset_password(&username, &password()?).await?;
            println!("password set; the user's sessions have ended");
        }
        UsersCommand::List => {
            println!("{:>4}  {:<32} created", "id", "username");
            for user in store.users().await? {
                let created = chrono::DateTime::from_timestamp_millis(user.created_at)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default();
                println!("{:>4}  {:<32} {created}", user.id, user.username);
            }
        }
    }
    Ok(0)
}
