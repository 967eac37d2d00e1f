//! Okta source settings and their validation rules, written once and run on both sides
//! (the browser for instant feedback, the server because it never trusts the browser).

use serde::{Deserialize, Serialize};

/// The Okta org domains a source may use (the API host is `{subdomain}.{domain}`).
pub const OKTA_DOMAINS: [&str; 7] = [
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
    "okta-miltest.com",
    "trex-gov.com",
];

/// The domain of the built-in Okta simulator; offered only when the server runs one.
pub const SIMULATOR_DOMAIN: &str = "simulator.localhost";

/// A refused field value: what is wrong, and the corrected value when there is an obvious one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub message: String,
    pub suggestion: Option<String>,
}

impl FieldProblem {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            suggestion: None,
        }
    }
    fn suggest(message: impl Into<String>, suggestion: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            suggestion: Some(suggestion.into()),
        }
    }
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.suggestion {
            Some(s) => write!(f, "{} Did you mean \"{s}\"?", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A source's display name: 1-64 characters after trimming, no control characters.
pub fn validate_source_name(input: &str) -> Result<String, FieldProblem> {
    let name = input.trim();
    if name.is_empty() {
        return Err(FieldProblem::new("Enter a name for this source."));
    }
    if name.chars().count() > 64 {
        return Err(FieldProblem::new("Use at most 64 characters."));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldProblem::new(
            "The name cannot contain control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// The Okta org's subdomain (`acme` in `acme.okta.com`): lower-case letters, digits and hyphens.
/// Pasted URLs, admin-console hosts and full host names are refused with the obvious fix offered.
pub fn validate_subdomain(input: &str) -> Result<String, FieldProblem> {
    let raw = input.trim();
    if raw.is_empty() {
        return Err(FieldProblem::new(
            "Enter your Okta subdomain, e.g. \"acme\" for acme.okta.com.",
        ));
    }
    let lower = raw.to_ascii_lowercase();
    // A pasted URL or host: take the first label as the suggestion.
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    if host != lower || host.contains('.') {
        let first = host.split('.').next().unwrap_or(host);
        let first = first.strip_suffix("-admin").unwrap_or(first);
        return Err(match plain_subdomain(first) {
            Ok(s) => FieldProblem::suggest("Enter only the subdomain, not a URL or host name.", s),
            Err(_) => FieldProblem::new("Enter only the subdomain, not a URL or host name."),
        });
    }
    if let Some(base) = host.strip_suffix("-admin") {
        return Err(match plain_subdomain(base) {
            Ok(s) => FieldProblem::suggest(
                "\"-admin\" is the admin console's host, not the API host.",
                s,
            ),
            Err(problem) => problem,
        });
    }
    if raw != lower {
        return Err(FieldProblem::suggest(
            "Okta subdomains are lower case.",
            lower,
        ));
    }
    plain_subdomain(host)
}

fn plain_subdomain(s: &str) -> Result<String, FieldProblem> {
    if s.is_empty() || s.len() > 63 {
        return Err(FieldProblem::new("A subdomain has 1 to 63 characters."));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(FieldProblem::new(
            "Use only lower-case letters, digits and hyphens.",
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(FieldProblem::new(
            "A subdomain cannot start or end with a hyphen.",
        ));
    }
    Ok(s.to_owned())
}

/// The org domain: one of [`OKTA_DOMAINS`], or the simulator's when `simulator_available`.
pub fn validate_domain(input: &str, simulator_available: bool) -> Result<String, FieldProblem> {
    let domain = input.trim().to_ascii_lowercase();
    if OKTA_DOMAINS.contains(&domain.as_str())
        || (simulator_available && domain == SIMULATOR_DOMAIN)
    {
        Ok(domain)
    } else {
        Err(FieldProblem::new(format!(
            "Choose one of: {}.",
            OKTA_DOMAINS.join(", ")
        )))
    }
}

/// An Okta API token: non-empty, printable, no spaces (Okta's SSWS tokens are 42 characters).
pub fn validate_api_token(input: &str) -> Result<String, FieldProblem> {
    let token = input.trim();
    let token = token.strip_prefix("SSWS ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err(FieldProblem::new(
            "Paste an Okta API token (a read-only administrator's is enough).",
        ));
    }
    if token.len() > 512 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldProblem::new(
            "That does not look like an Okta API token: no spaces or special characters.",
        ));
    }
    Ok(token.to_owned())
}

/// The last four characters of a token, for "token ending in …" displays.
pub fn token_hint(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_accept_plain_names() {
        assert_eq!(validate_subdomain(" acme-2 ").unwrap(), "acme-2");
    }

    #[test]
    fn subdomains_refuse_urls_hosts_and_admin_with_a_fix() {
        for (input, fix) in [
            ("https://acme.okta.com", "acme"),
            ("https://acme.okta.com/app/UserHome", "acme"),
            ("acme.okta.com", "acme"),
            ("acme-admin", "acme"),
            ("https://acme-admin.okta.com", "acme"),
            ("ACME", "acme"),
        ] {
            let problem = validate_subdomain(input).unwrap_err();
            assert_eq!(
                problem.suggestion.as_deref(),
                Some(fix),
                "{input}: {problem}"
            );
        }
    }

    #[test]
    fn subdomains_refuse_bad_characters_without_a_guess() {
        for input in ["", "ac me", "acme_corp", "-acme", "acme-", "ac/me!"] {
            let problem = validate_subdomain(input).unwrap_err();
            assert!(!problem.message.is_empty(), "{input}");
        }
    }

    #[test]
    fn domains_are_the_known_list_plus_the_simulator_when_present() {
        assert_eq!(validate_domain("OKTA.com", false).unwrap(), "okta.com");
        assert!(validate_domain("evil.example", false).is_err());
        assert!(validate_domain(SIMULATOR_DOMAIN, false).is_err());
        assert!(validate_domain(SIMULATOR_DOMAIN, true).is_ok());
    }

    #[test]
    fn tokens_and_names() {
        assert_eq!(validate_api_token("SSWS 00abc").unwrap(), "00abc");
        assert!(validate_api_token("two words").is_err());
        assert_eq!(token_hint("00abcdef1234"), "1234");
        assert_eq!(token_hint("ab"), "ab");
        assert!(validate_source_name("  ").is_err());
        assert_eq!(validate_source_name(" Prod org ").unwrap(), "Prod org");
    }
}

/// Step 1 of the wizard: where the org is and the token to read its System Log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSetup {
    pub name: String,
    pub subdomain: String,
    pub domain: String,
    /// Sent once, never returned by the server.
    pub token: String,
}

impl SourceSetup {
    /// Every field's rules at once (both sides run this; the server never trusts the browser).
    pub fn validate(
        &self,
        simulator_available: bool,
    ) -> Result<SourceSetup, Vec<crate::model::FieldError>> {
        let mut problems = Vec::new();
        let mut check = |field: &str, result: Result<String, FieldProblem>| match result {
            Ok(value) => value,
            Err(problem) => {
                problems.push(crate::model::FieldError {
                    field: field.to_owned(),
                    problem,
                });
                String::new()
            }
        };
        let valid = SourceSetup {
            name: check("name", validate_source_name(&self.name)),
            subdomain: check("subdomain", validate_subdomain(&self.subdomain)),
            domain: check("domain", validate_domain(&self.domain, simulator_available)),
            token: check("token", validate_api_token(&self.token)),
        };
        if problems.is_empty() {
            Ok(valid)
        } else {
            Err(problems)
        }
    }
}

/// Step 2: profile enrichment, switchable at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrichmentSettings {
    pub user_profiles: bool,
    pub user_refresh_minutes: u32,
    pub device_profiles: bool,
    pub device_refresh_minutes: u32,
}

/// Refresh periods of profile syncs, in minutes.
pub const REFRESH_MINUTES_MIN: u32 = 15;
pub const REFRESH_MINUTES_MAX: u32 = 1440;
pub const REFRESH_MINUTES_DEFAULT: u32 = 60;

/// Off until chosen: profile syncs spend the org's users/devices rate-limit budget.
impl Default for EnrichmentSettings {
    fn default() -> Self {
        Self {
            user_profiles: false,
            user_refresh_minutes: REFRESH_MINUTES_DEFAULT,
            device_profiles: false,
            device_refresh_minutes: REFRESH_MINUTES_DEFAULT,
        }
    }
}

impl EnrichmentSettings {
    pub fn validate(&self) -> Result<(), Vec<crate::model::FieldError>> {
        let mut problems = Vec::new();
        for (field, minutes) in [
            ("user_refresh_minutes", self.user_refresh_minutes),
            ("device_refresh_minutes", self.device_refresh_minutes),
        ] {
            if !(REFRESH_MINUTES_MIN..=REFRESH_MINUTES_MAX).contains(&minutes) {
                problems.push(crate::model::FieldError {
                    field: field.into(),
                    problem: FieldProblem::new(format!(
                        "Choose between {REFRESH_MINUTES_MIN} and {REFRESH_MINUTES_MAX} minutes."
                    )),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Step 3: the no-events alarm (Panther: on by default, 24 hours, 15 minutes to 30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmSettings {
    pub no_events_alarm: bool,
    pub no_events_minutes: u32,
}

pub const ALARM_MINUTES_MIN: u32 = 15;
pub const ALARM_MINUTES_MAX: u32 = 30 * 24 * 60;
pub const ALARM_MINUTES_DEFAULT: u32 = 24 * 60;

impl Default for AlarmSettings {
    fn default() -> Self {
        Self {
            no_events_alarm: true,
            no_events_minutes: ALARM_MINUTES_DEFAULT,
        }
    }
}

impl AlarmSettings {
    pub fn validate(&self) -> Result<(), Vec<crate::model::FieldError>> {
        if (ALARM_MINUTES_MIN..=ALARM_MINUTES_MAX).contains(&self.no_events_minutes) {
            Ok(())
        } else {
            Err(vec![crate::model::FieldError {
                field: "no_events_minutes".into(),
                problem: FieldProblem::new("Choose between 15 minutes and 30 days."),
            }])
        }
    }
}

/// A source as listed: who it is and how it is doing. Never carries the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSummary {
    pub id: i64,
    pub name: String,
    /// `acme.okta.com`
    pub org_host: String,
    pub enabled: bool,
    /// False until the wizard's last step was finished.
    pub setup_complete: bool,
    /// pending, backfilling, healthy, degraded, failing, paused, setup
    pub state: String,
    pub reason: Option<String>,
    pub events_total: i64,
    /// RFC 3339, newest event's `published`.
    pub last_event_time: Option<String>,
    /// Last four characters of the token, for "token ending in …".
    pub token_hint: String,
}

/// Everything the source page shows and edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceDetail {
    pub summary: SourceSummary,
    pub subdomain: String,
    pub domain: String,
    pub poll_interval_secs: u32,
    pub backfill_hours: u32,
    /// The backfill window can change only until the first events were polled.
    pub backfill_editable: bool,
    pub enrichment: EnrichmentSettings,
    pub alarm: AlarmSettings,
    pub created_at: String,
}

/// What the wizard offers: the domains (with the simulator when the server runs one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardOptions {
    pub domains: Vec<String>,
    pub simulator_available: bool,
}

/// Poll interval bounds a person may choose (Okta suggests 60-300 s).
pub const POLL_INTERVAL_MIN_SECS: u32 = 60;
pub const POLL_INTERVAL_MAX_SECS: u32 = 300;
/// Backfill of a new source: 1 hour to 90 days (Okta keeps 90 days).
pub const BACKFILL_HOURS_MAX: u32 = 90 * 24;

/// `current_interval_secs` is the source's stored interval: keeping it is always accepted, since
/// the operator's configuration (`poll_interval_secs`) may set one outside the bounds a person
/// may choose (tests poll every few seconds).
pub fn validate_poll_settings(
    interval_secs: u32,
    backfill_hours: u32,
    current_interval_secs: u32,
) -> Result<(), Vec<crate::model::FieldError>> {
    let mut problems = Vec::new();
    if interval_secs != current_interval_secs
        && !(POLL_INTERVAL_MIN_SECS..=POLL_INTERVAL_MAX_SECS).contains(&interval_secs)
    {
        problems.push(crate::model::FieldError {
            field: "poll_interval_secs".into(),
            problem: FieldProblem::new("Poll every 60 to 300 seconds."),
        });
    }
    if !(1..=BACKFILL_HOURS_MAX).contains(&backfill_hours) {
        problems.push(crate::model::FieldError {
            field: "backfill_hours".into(),
            problem: FieldProblem::new(
                "Backfill 1 hour to 90 days (2160 hours): Okta keeps 90 days.",
            ),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
