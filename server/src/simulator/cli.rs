//! Running the simulator standalone: `okta-simulator` and `gatehouse simulate`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;
use tokio::net::TcpListener;

use super::{Fault, OrgConfig, Simulator};

/// Serve simulated Okta orgs over HTTP.
#[derive(clap::Args, Debug, Clone)]
pub struct SimulateArgs {
    /// Address to listen on (port 0 picks a free port; the chosen one is printed).
    #[arg(long, default_value = "127.0.0.1:4001")]
    pub addr: SocketAddr,
    /// An org and its API token as NAME:TOKEN; repeatable. Default: acme:demo-token.
    #[arg(long = "org", value_name = "NAME:TOKEN")]
    pub orgs: Vec<String>,
    /// Live events persisted per second, per org (fractional is fine; 0 = none).
    #[arg(long, default_value_t = 1.0)]
    pub events_per_sec: f64,
    /// Events persisted before start, spread over --backlog-hours.
    #[arg(long, default_value_t = 500)]
    pub backlog: u64,
    #[arg(long, default_value_t = 24.0)]
    pub backlog_hours: f64,
    /// Share of live events published 30 s to 10 min before they are persisted.
    #[arg(long, default_value_t = 0.05)]
    pub late_fraction: f64,
    /// /api/v1/logs requests per minute (0 = no limit and no rate-limit headers).
    #[arg(long, default_value_t = 120)]
    pub logs_rate_limit: u32,
    /// /api/v1/users requests per minute (0 = off).
    #[arg(long, default_value_t = 600)]
    pub users_rate_limit: u32,
    /// /api/v1/devices requests per minute (0 = off).
    #[arg(long, default_value_t = 100)]
    pub devices_rate_limit: u32,
    /// Users per org.
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    /// Devices per org.
    #[arg(long, default_value_t = 50)]
    pub devices: usize,
    /// Orgs without Okta Devices: /api/v1/devices answers 403.
    #[arg(long)]
    pub no_devices_api: bool,
    /// Seed of the first org (the next orgs use seed+1, ...); default: derived from the name.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Events (a JSON array or NDJSON) served verbatim by the first org, persisted at start.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// A fault to queue, as JSON (e.g. {"kind":"rate_limit","count":3}); repeatable. An "org"
    /// key picks the org (default: the first).
    #[arg(long = "fault", value_name = "JSON")]
    pub faults: Vec<String>,
}

impl SimulateArgs {
    /// The orgs these flags describe.
    pub fn org_configs(&self) -> anyhow::Result<Vec<OrgConfig>> {
        let specs = if self.orgs.is_empty() {
            vec!["acme:demo-token".to_string()]
        } else {
            self.orgs.clone()
        };
        let limit = |n: u32| (n > 0).then_some(n);
        if !(self.backlog_hours.is_finite() && self.backlog_hours >= 0.0) {
            bail!("--backlog-hours must be a non-negative number");
        }
        let mut configs = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let Some((name, token)) = spec.split_once(':') else {
                bail!("--org {spec:?}: expected NAME:TOKEN");
            };
            let valid_label = !name.is_empty()
                && name.len() <= 63
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !name.starts_with('-');
            if !valid_label || token.is_empty() {
                bail!("--org {spec:?}: the name must be a DNS label and the token non-empty");
            }
            if configs
                .iter()
                .any(|c: &OrgConfig| c.name.eq_ignore_ascii_case(name))
            {
                bail!("--org {name}: given twice");
            }
            let mut config = OrgConfig::new(name, token);
            config.events_per_sec = self.events_per_sec;
            config.backlog = self.backlog;
            config.backlog_window = Duration::from_secs_f64(self.backlog_hours * 3600.0);
            config.late_fraction = self.late_fraction;
            config.logs_rate_limit = limit(self.logs_rate_limit);
            config.users_rate_limit = limit(self.users_rate_limit);
            config.devices_rate_limit = limit(self.devices_rate_limit);
            config.users = self.users;
            config.devices = self.devices;
            config.devices_enabled = !self.no_devices_api;
            if let Some(seed) = self.seed {
                config.seed = seed.wrapping_add(i as u64);
            }
            configs.push(config);
        }
        if let Some(path) = &self.events {
            configs[0].events = read_events(path)?;
        }
        Ok(configs)
    }

    /// The `--fault` flags as (org name or None for the first org, fault).
    pub fn parsed_faults(&self) -> anyhow::Result<Vec<(Option<String>, Fault)>> {
        self.faults
            .iter()
            .map(|raw| {
                let mut value: Value =
                    serde_json::from_str(raw).with_context(|| format!("--fault {raw}"))?;
                let org = value
                    .as_object_mut()
                    .and_then(|o| o.remove("org"))
                    .and_then(|o| o.as_str().map(str::to_string));
                let fault =
                    serde_json::from_value(value).with_context(|| format!("--fault {raw}"))?;
                Ok((org, fault))
            })
            .collect()
    }
}

/// A JSON array of events, or one JSON value per line.
fn read_events(path: &Path) -> anyhow::Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text)
            .with_context(|| format!("parsing {} as a JSON array", path.display()));
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{} line {}: not JSON", path.display(), n + 1))
        })
        .collect()
}

/// Builds the simulator, binds, prints `okta-simulator listening on http://ADDR`, and serves
/// until Ctrl-C or SIGTERM.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let simulator = Simulator::new(args.org_configs()?);
    for (org, fault) in args.parsed_faults()? {
        let name = org.unwrap_or_else(|| simulator.org_names()[0].clone());
        let handle = simulator
            .org(&name)
            .with_context(|| format!("--fault: no org named {name}"))?;
        handle.inject_fault(fault);
    }
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    let addr = listener.local_addr()?;
    // The one line on stdout: scripts read the actual address (port 0) from it.
    println!("okta-simulator listening on http://{addr}");
    tracing::info!(
        http.addr = %addr,
        orgs = ?simulator.org_names(),
        "okta simulator started; orgs answer at http://{{org}}.{}:{}",
        super::SIMULATOR_DOMAIN,
        addr.port()
    );
    axum::serve(listener, simulator.router())
        .with_graceful_shutdown(crate::shutdown::signal())
        .await
        .context("serving")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SimulateArgs,
    }

    #[test]
    fn defaults_give_one_demo_org() {
        let cli = Cli::parse_from(["okta-simulator"]);
        let orgs = cli.args.org_configs().unwrap();
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].name, "acme");
        assert_eq!(orgs[0].tokens, vec!["demo-token"]);
        assert_eq!(orgs[0].logs_rate_limit, Some(120));
        assert_eq!(cli.args.addr.to_string(), "127.0.0.1:4001");
    }

    #[test]
    fn flags_shape_the_orgs_and_faults() {
        let cli = Cli::parse_from([
            "okta-simulator",
            "--org",
            "acme:t1",
            "--org",
            "globex:t:2",
            "--logs-rate-limit",
            "0",
            "--seed",
            "7",
            "--backlog",
            "10",
            "--fault",
            r#"{"kind":"server_error","count":2,"org":"globex"}"#,
            "--fault",
            r#"{"kind":"reset"}"#,
        ]);
        let orgs = cli.args.org_configs().unwrap();
        assert_eq!(orgs[1].name, "globex");
        assert_eq!(orgs[1].tokens, vec!["t:2"]);
        assert_eq!(orgs[0].logs_rate_limit, None);
        assert_eq!((orgs[0].seed, orgs[1].seed), (7, 8));
        let faults = cli.args.parsed_faults().unwrap();
        assert_eq!(
            faults[0],
            (
                Some("globex".into()),
                Fault::ServerError {
                    count: 2,
                    path: None
                }
            )
        );
        assert_eq!(
            faults[1],
            (
                None,
                Fault::Reset {
                    count: 1,
                    path: None
                }
            )
        );
        let bad = Cli::parse_from(["okta-simulator", "--org", "no token"]);
        assert!(bad.args.org_configs().is_err());
    }

    #[test]
    fn event_files_may_be_arrays_or_ndjson() {
        let dir = tempfile::tempdir().unwrap();
        let array = dir.path().join("a.json");
        std::fs::write(&array, r#"[{"uuid":"a"},{"uuid":"b","published":"bad"}]"#).unwrap();
        assert_eq!(read_events(&array).unwrap().len(), 2);
        let lines = dir.path().join("b.ndjson");
        std::fs::write(&lines, "{\"uuid\":\"a\"}\n\n{\"uuid\":\"b\"}\n").unwrap();
        assert_eq!(read_events(&lines).unwrap().len(), 2);
    }
}
