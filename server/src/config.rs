//! Server configuration: one struct. Defaults in code, then a TOML file (`--config`), then
//! `GATEHOUSE_*` environment variables, then command-line flags: each layer overrides the last.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use clap::Args;
use serde::Deserialize;

/// A secret value: Debug and Display print `***` so it never lands in a log by accident.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value itself. Call only where it is used, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Address the console listens on; port 0 picks a free port (printed at start).
    pub addr: SocketAddr,
    /// SQLite database: a path or a `sqlite:` URL. Created on first start.
    pub database_url: String,
    /// Where cargo-leptos put the compiled site (JS, WASM, CSS).
    pub site_root: PathBuf,
    /// File holding the key that encrypts API tokens at rest (created, mode 0600, if missing).
    pub secret_key_file: PathBuf,
    /// The key itself (base64 of 32 bytes); wins over `secret_key_file` when set.
    pub secret_key: Option<Secret>,
    /// Start the built-in Okta API simulator on this address, as a demo org.
    pub simulator_addr: Option<SocketAddr>,
    /// An Okta simulator already running elsewhere (`gatehouse simulate`): `*.simulator.localhost`
    /// resolves to it. Ignored when `simulator_addr` starts one here.
    pub simulator_upstream: Option<SocketAddr>,
    /// On start, add a source for the simulator's demo org if there is none.
    pub demo_source: bool,
    /// Defaults for new sources and the pollers.
    pub poll: PollDefaults,
    /// The no-events alarm's clock and webhook retries.
    pub alerting: AlertingConfig,
    /// Custom Python rules: extra import directory and the per-event time limit.
    pub rules: RulesConfig,
    /// Console sign-in: the public URL (cookie `Secure`, CSRF origin), session expiry, the
    /// `/metrics` bearer token.
    pub access: AccessConfig,
    /// Let webhook destinations reach loopback, private, link-local, CGNAT and other
    /// non-public addresses (off by default: an SSRF guard). For receivers on the same host or
    /// network, and the tests.
    pub allow_private_webhooks: bool,
    /// `tracing` filter, e.g. `info` or `gatehouse=debug`.
    pub log: String,
}

#[derive(Debug, Clone)]
pub struct PollDefaults {
    pub interval: Duration,
    pub request_timeout: Duration,
    /// Share of an org's per-minute System Log bucket one source may use (0 < share <= 1).
    pub rate_limit_share: f64,
    /// How far back the first poll of a new source reaches.
    pub backfill: Duration,
}

#[derive(Debug, Clone)]
pub struct AlertingConfig {
    /// Test only: how long one minute of the no-events alarm's threshold lasts (60 s in
    /// production; the Playwright suite uses 1 s so a 15-minute threshold elapses in 15 s).
    pub alarm_minute: Duration,
    /// The first webhook retry's delay; each next one is three times longer.
    pub webhook_retry: Duration,
}

#[derive(Debug, Clone)]
pub struct RulesConfig {
    /// A directory of helper modules custom rules may import (added to Python's `sys.path`).
    pub helpers_dir: Option<PathBuf>,
    /// How long one Python rule may take on one event before it is stopped (an error).
    pub time_limit: Duration,
}

#[derive(Debug, Clone)]
pub struct AccessConfig {
    /// The address people use to reach the console (e.g. `https://gatehouse.example.com`).
    /// Unset: `http://<addr>`, and state-changing requests must come from the origin their own
    /// `Host` header names (see `web::auth`).
    pub public_url: Option<url::Url>,
    /// A session ends after this long without a request...
    pub session_idle: Duration,
    /// ...and after this long in any case.
    pub session_absolute: Duration,
    /// When set, `/metrics` wants `Authorization: Bearer <token>`.
    pub metrics_token: Option<Secret>,
}

impl Default for AccessConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            session_idle: Duration::from_secs(12 * 3600),
            session_absolute: Duration::from_secs(7 * 24 * 3600),
            metrics_token: None,
        }
    }
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            helpers_dir: None,
            time_limit: Duration::from_secs(1),
        }
    }
}

impl Default for AlertingConfig {
    fn default() -> Self {
        Self {
            alarm_minute: Duration::from_secs(60),
            webhook_retry: Duration::from_secs(10),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:3000".parse().expect("valid default address"),
            database_url: "data/gatehouse.db".into(),
            site_root: "target/site".into(),
            secret_key_file: "data/secret.key".into(),
            secret_key: None,
            simulator_addr: None,
            simulator_upstream: None,
            demo_source: false,
            poll: PollDefaults::default(),
            alerting: AlertingConfig::default(),
            rules: RulesConfig::default(),
            access: AccessConfig::default(),
            allow_private_webhooks: false,
            log: "info".into(),
        }
    }
}

impl Default for PollDefaults {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            rate_limit_share: 0.5,
            backfill: Duration::from_secs(24 * 3600),
        }
    }
}

/// The flags (and their environment variables) every subcommand accepts.
#[derive(Debug, Default, Clone, Args)]
pub struct ConfigArgs {
    /// TOML file with any of the keys below (snake_case).
    #[arg(long, global = true, env = "GATEHOUSE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Listen address of the console (port 0 = any free port).
    #[arg(long, global = true, env = "GATEHOUSE_ADDR")]
    pub addr: Option<SocketAddr>,
    /// SQLite database path or `sqlite:` URL.
    #[arg(long, global = true, env = "GATEHOUSE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory of the compiled site (cargo-leptos output).
    #[arg(long, global = true, env = "GATEHOUSE_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// Key file for encrypting API tokens at rest.
    #[arg(long, global = true, env = "GATEHOUSE_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// Encryption key (base64, 32 bytes); overrides the key file.
    #[arg(
        long,
        global = true,
        env = "GATEHOUSE_SECRET_KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<Secret>,
    /// Run the built-in Okta simulator on this address as a demo org (e.g. 127.0.0.1:0).
    #[arg(long, global = true, env = "GATEHOUSE_SIMULATOR")]
    pub simulator: Option<SocketAddr>,
    /// Use an Okta simulator that runs elsewhere (e.g. `gatehouse simulate`) at this address.
    #[arg(long, global = true, env = "GATEHOUSE_SIMULATOR_UPSTREAM")]
    pub simulator_upstream: Option<SocketAddr>,
    /// Add a source for the simulator's demo org on start when there is none.
    #[arg(long, global = true, env = "GATEHOUSE_DEMO_SOURCE")]
    pub demo_source: Option<bool>,
    /// Seconds between polls of one source (60-300).
    #[arg(long, global = true, env = "GATEHOUSE_POLL_INTERVAL_SECS")]
    pub poll_interval_secs: Option<u64>,
    /// Seconds before one Okta request is abandoned (must be below the poll interval).
    #[arg(long, global = true, env = "GATEHOUSE_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Share of the org's System Log rate limit one source may use, 0.05-1.0.
    #[arg(long, global = true, env = "GATEHOUSE_RATE_LIMIT_SHARE")]
    pub rate_limit_share: Option<f64>,
    /// Hours the first poll of a new source reaches back (1-2160).
    #[arg(long, global = true, env = "GATEHOUSE_BACKFILL_HOURS")]
    pub backfill_hours: Option<u64>,
    /// Test only: how long one minute of the no-events alarm's threshold lasts, in ms.
    #[arg(long, global = true, env = "GATEHOUSE_ALARM_MINUTE_MS")]
    pub alarm_minute_ms: Option<u64>,
    /// Delay before the first webhook retry, in ms (then x3 per attempt, 6 attempts in all).
    #[arg(long, global = true, env = "GATEHOUSE_WEBHOOK_RETRY_MS")]
    pub webhook_retry_ms: Option<u64>,
    /// Directory of helper modules that custom Python rules may import.
    #[arg(long, global = true, env = "GATEHOUSE_RULE_HELPERS")]
    pub rule_helpers: Option<PathBuf>,
    /// Time limit of one Python rule on one event, in ms (10-60000).
    #[arg(long, global = true, env = "GATEHOUSE_RULE_TIME_LIMIT_MS")]
    pub rule_time_limit_ms: Option<u64>,
    /// The console's public URL, e.g. https://gatehouse.example.com (default http://<addr>).
    #[arg(long, global = true, env = "GATEHOUSE_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Minutes without a request after which a console session ends (default 720 = 12 h).
    #[arg(long, global = true, env = "GATEHOUSE_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<u64>,
    /// Hours after sign-in at which a console session ends in any case (default 168 = 7 days).
    #[arg(long, global = true, env = "GATEHOUSE_SESSION_ABSOLUTE_HOURS")]
    pub session_absolute_hours: Option<u64>,
    /// Bearer token that /metrics requires (unset: /metrics is open).
    #[arg(
        long,
        global = true,
        env = "GATEHOUSE_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<Secret>,
    /// Allow webhook destinations on loopback, private or link-local addresses
    /// (`--allow-private-webhooks` alone means true).
    #[arg(
        long,
        global = true,
        env = "GATEHOUSE_ALLOW_PRIVATE_WEBHOOKS",
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub allow_private_webhooks: Option<bool>,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, global = true, env = "GATEHOUSE_LOG")]
    pub log: Option<String>,
}

/// The file layer: the same keys as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    site_root: Option<PathBuf>,
    secret_key_file: Option<PathBuf>,
    secret_key: Option<Secret>,
    simulator: Option<SocketAddr>,
    simulator_upstream: Option<SocketAddr>,
    demo_source: Option<bool>,
    poll_interval_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    rate_limit_share: Option<f64>,
    backfill_hours: Option<u64>,
    alarm_minute_ms: Option<u64>,
    webhook_retry_ms: Option<u64>,
    rule_helpers: Option<PathBuf>,
    rule_time_limit_ms: Option<u64>,
    public_url: Option<url::Url>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    metrics_token: Option<Secret>,
    allow_private_webhooks: Option<bool>,
    log: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, then the file named by `args.config` (if any), then env/flags (already merged by clap).
    pub fn load(args: &ConfigArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let mut config = Config::default();
        config.apply(file);
        config.apply(FileConfig {
            addr: args.addr,
            database_url: args.database_url.clone(),
            site_root: args.site_root.clone(),
            secret_key_file: args.secret_key_file.clone(),
            secret_key: args.secret_key.clone(),
            simulator: args.simulator,
            simulator_upstream: args.simulator_upstream,
            demo_source: args.demo_source,
            poll_interval_secs: args.poll_interval_secs,
            request_timeout_secs: args.request_timeout_secs,
            rate_limit_share: args.rate_limit_share,
            backfill_hours: args.backfill_hours,
            alarm_minute_ms: args.alarm_minute_ms,
            webhook_retry_ms: args.webhook_retry_ms,
            rule_helpers: args.rule_helpers.clone(),
            rule_time_limit_ms: args.rule_time_limit_ms,
            public_url: args.public_url.clone(),
            session_idle_minutes: args.session_idle_minutes,
            session_absolute_hours: args.session_absolute_hours,
            metrics_token: args.metrics_token.clone(),
            allow_private_webhooks: args.allow_private_webhooks,
            log: args.log.clone(),
        });
        config.validate()?;
        Ok(config)
    }

    fn apply(&mut self, layer: FileConfig) {
        let FileConfig {
            addr,
            database_url,
            site_root,
            secret_key_file,
            secret_key,
            simulator,
            simulator_upstream,
            demo_source,
            poll_interval_secs,
            request_timeout_secs,
            rate_limit_share,
            backfill_hours,
            alarm_minute_ms,
            webhook_retry_ms,
            rule_helpers,
            rule_time_limit_ms,
            public_url,
            session_idle_minutes,
            session_absolute_hours,
            metrics_token,
            allow_private_webhooks,
            log,
        } = layer;
        set(&mut self.addr, addr);
        set(&mut self.database_url, database_url);
        set(&mut self.site_root, site_root);
        set(&mut self.secret_key_file, secret_key_file);
        if secret_key.is_some() {
            self.secret_key = secret_key;
        }
        if simulator.is_some() {
            self.simulator_addr = simulator;
        }
        if simulator_upstream.is_some() {
            self.simulator_upstream = simulator_upstream;
        }
        set(&mut self.demo_source, demo_source);
        set(
            &mut self.poll.interval,
            poll_interval_secs.map(Duration::from_secs),
        );
        set(
            &mut self.poll.request_timeout,
            request_timeout_secs.map(Duration::from_secs),
        );
        set(&mut self.poll.rate_limit_share, rate_limit_share);
        set(
            &mut self.poll.backfill,
            backfill_hours.map(|h| Duration::from_secs(h * 3600)),
        );
        set(
            &mut self.alerting.alarm_minute,
            alarm_minute_ms.map(Duration::from_millis),
        );
        set(
            &mut self.alerting.webhook_retry,
            webhook_retry_ms.map(Duration::from_millis),
        );
        if rule_helpers.is_some() {
            self.rules.helpers_dir = rule_helpers;
        }
        set(
            &mut self.rules.time_limit,
            rule_time_limit_ms.map(Duration::from_millis),
        );
        if public_url.is_some() {
            self.access.public_url = public_url;
        }
        set(
            &mut self.access.session_idle,
            session_idle_minutes.map(|m| Duration::from_secs(m * 60)),
        );
        set(
            &mut self.access.session_absolute,
            session_absolute_hours.map(|h| Duration::from_secs(h * 3600)),
        );
        if metrics_token.is_some() {
            self.access.metrics_token = metrics_token;
        }
        set(&mut self.allow_private_webhooks, allow_private_webhooks);
        set(&mut self.log, log);
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let poll = &self.poll;
        let secs = poll.interval.as_secs();
        // Below 60 s only for tests and demos: Okta suggests 60-300 s, so anything lower is allowed
        // but never above 300 (Okta: poll at least once a day; we keep it tight).
        if !(1..=300).contains(&secs) {
            return Err(ConfigError::Invalid(format!(
                "poll_interval_secs must be between 1 and 300 (60-300 recommended), got {secs}"
            )));
        }
        if poll.request_timeout >= poll.interval.max(Duration::from_secs(2))
            || poll.request_timeout.is_zero()
        {
            return Err(ConfigError::Invalid(format!(
                "request_timeout_secs ({}) must be above 0 and below the poll interval ({secs})",
                poll.request_timeout.as_secs()
            )));
        }
        if !(0.05..=1.0).contains(&poll.rate_limit_share) {
            return Err(ConfigError::Invalid(format!(
                "rate_limit_share must be between 0.05 and 1.0, got {}",
                poll.rate_limit_share
            )));
        }
        let hours = poll.backfill.as_secs() / 3600;
        if !(1..=2160).contains(&hours) {
            return Err(ConfigError::Invalid(format!(
                "backfill_hours must be between 1 and 2160 (90 days), got {hours}"
            )));
        }
        let minute = self.alerting.alarm_minute.as_millis();
        if !(10..=60_000).contains(&minute) {
            return Err(ConfigError::Invalid(format!(
                "alarm_minute_ms must be between 10 and 60000 (one real minute), got {minute}"
            )));
        }
        let retry = self.alerting.webhook_retry.as_millis();
        if !(1..=3_600_000).contains(&retry) {
            return Err(ConfigError::Invalid(format!(
                "webhook_retry_ms must be between 1 and 3600000 (one hour), got {retry}"
            )));
        }
        let limit = self.rules.time_limit.as_millis();
        if !(10..=60_000).contains(&limit) {
            return Err(ConfigError::Invalid(format!(
                "rule_time_limit_ms must be between 10 and 60000, got {limit}"
            )));
        }
        let access = &self.access;
        if let Some(url) = &access.public_url {
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(ConfigError::Invalid(format!(
                    "public_url must be an http or https URL with a host, got {url}"
                )));
            }
        }
        let idle = access.session_idle.as_secs() / 60;
        let absolute = access.session_absolute.as_secs() / 3600;
        if idle == 0 || absolute == 0 || access.session_idle > access.session_absolute {
            return Err(ConfigError::Invalid(format!(
                "session_idle_minutes ({idle}) and session_absolute_hours ({absolute}) must be above 0, the idle limit no longer than the absolute one"
            )));
        }
        if access
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().trim().len() < 16)
        {
            return Err(ConfigError::Invalid(
                "metrics_token must be at least 16 characters".into(),
            ));
        }
        Ok(())
    }

    /// The database file's path, for display (the URL minus its `sqlite:` prefix and options).
    pub fn database_path(&self) -> &Path {
        let url = self.database_url.as_str();
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Path::new(path.split('?').next().unwrap_or(path))
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gatehouse.toml");
        std::fs::write(
            &file,
            "database_url = \"file.db\"\npoll_interval_secs = 120\nalarm_minute_ms = 1000\n",
        )
        .unwrap();
        let args = ConfigArgs {
            config: Some(file),
            poll_interval_secs: Some(90),
            ..ConfigArgs::default()
        };
        let config = Config::load(&args).unwrap();
        assert_eq!(config.database_url, "file.db", "file overrides default");
        assert_eq!(
            config.poll.interval,
            Duration::from_secs(90),
            "flag overrides file"
        );
        assert_eq!(config.addr, Config::default().addr, "default kept");
        assert_eq!(config.alerting.alarm_minute, Duration::from_secs(1));
        assert_eq!(config.alerting.webhook_retry, Duration::from_secs(10));
        assert!(
            !config.allow_private_webhooks,
            "private webhooks are off by default"
        );
    }

    #[test]
    fn unknown_file_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "poll_intervall_secs = 60\n").unwrap();
        let err = Config::load(&ConfigArgs {
            config: Some(file),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("poll_intervall_secs"), "{err}");

        let err = Config::load(&ConfigArgs {
            rate_limit_share: Some(1.5),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("rate_limit_share"), "{err}");

        let err = Config::load(&ConfigArgs {
            alarm_minute_ms: Some(0),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("alarm_minute_ms"), "{err}");
    }

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("00abcdefSECRET");
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
    }

    #[test]
    fn database_path_strips_url_parts() {
        let config = Config {
            database_url: "sqlite://data/x.db?mode=rwc".into(),
            ..Config::default()
        };
        assert_eq!(config.database_path(), Path::new("data/x.db"));
    }
}
