//! Synthetic System Log events. Event `i` of an org is a pure function of the org's seed, `i` and
//! its `published` time, so the log only stores a few numbers per event and renders on demand.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::catalog::{
    Agent, Location, ADMIN_ROLES, AGENTS, APPS, GROUPS, HOMES, PROXIES, SUSPICIOUS_AGENTS,
};
use super::directory::Directory;
use super::rng::{self, Rng};
use super::time::format_ms;

/// Someone who can appear as an actor: a user who is not deprovisioned.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub first_name: String,
    home: usize,
    agent: usize,
    /// The last two octets of their home address.
    home_ip: [u8; 2],
    device_id: String,
}

/// Renders the generated events of one org.
pub(crate) struct Generator {
    seed: u64,
    actors: Vec<Identity>,
    /// The first `admins` actors are administrators.
    admins: usize,
    apps: Vec<String>,
    groups: Vec<String>,
    sign_on_policy: String,
    sign_on_rules: [String; 2],
    auth_server: String,
    system_principal: String,
}

/// What kind of event index `i` is. Picked first from the event's generator so the event type
/// is cheap to compute without rendering (log filters need it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    SessionStart,
    SessionStartFailed,
    SessionEnd,
    Sso,
    AuthViaMfa,
    MfaFactor(usize),
    PolicySignOn,
    AccountLock,
    UnlockByAdmin,
    PrivilegeGrant,
    ApiTokenCreate,
    ApiTokenRevoke,
    OAuth2(usize),
    GroupAdd,
    System(usize),
    ThreatDetected,
    ReportSuspicious,
}

/// Weights per thousand.
const MIX: &[(u64, Kind)] = &[
    (230, Kind::SessionStart),
    (45, Kind::SessionStartFailed),
    (40, Kind::SessionEnd),
    (220, Kind::Sso),
    (100, Kind::AuthViaMfa),
    (25, Kind::MfaFactor(0)),
    (150, Kind::PolicySignOn),
    (8, Kind::AccountLock),
    (4, Kind::UnlockByAdmin),
    (3, Kind::PrivilegeGrant),
    (3, Kind::ApiTokenCreate),
    (2, Kind::ApiTokenRevoke),
    (80, Kind::OAuth2(0)),
    (20, Kind::GroupAdd),
    (66, Kind::System(0)),
    (3, Kind::ThreatDetected),
    (1, Kind::ReportSuspicious),
];

const MFA_EVENTS: &[(&str, &str)] = &[
    (
        "user.mfa.factor.activate",
        "Activate factor or authenticator",
    ),
    (
        "user.mfa.factor.deactivate",
        "Reset factor or authenticator",
    ),
    ("user.mfa.factor.update", "Update factor or authenticator"),
    ("user.mfa.factor.suspend", "Suspend factor or authenticator"),
    ("user.mfa.factor.reset_all", "Reset all factors for user"),
];

const OAUTH2_EVENTS: &[(&str, &str)] = &[
    (
        "app.oauth2.as.authorize.code",
        "OAuth2 authorization code request",
    ),
    (
        "app.oauth2.as.token.grant.access_token",
        "OAuth2 access token is granted",
    ),
    (
        "app.oauth2.as.token.grant.id_token",
        "OAuth2 id token is granted",
    ),
    (
        "app.oauth2.as.token.grant.refresh_token",
        "OAuth2 refresh token is granted",
    ),
];

const SYSTEM_EVENTS: &[(&str, &str)] = &[
    ("system.import.start", "Import started"),
    ("system.import.complete", "Import completed"),
    ("system.org.rate_limit.warning", "Rate limit warning"),
];

const FACTORS: &[(&str, &str)] = &[
    ("OKTA_VERIFY_PUSH", "Okta Verify"),
    ("FIDO_WEBAUTHN", "Security Key or Biometric"),
    ("OTP", "Okta Verify"),
    ("SMS_FACTOR", "Phone"),
];

impl Kind {
    fn event_type(self) -> &'static str {
        self.names().0
    }

    /// (eventType, displayMessage, legacyEventType)
    fn names(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Kind::SessionStart => (
                "user.session.start",
                "User login to Okta",
                Some("core.user_auth.login_success"),
            ),
            Kind::SessionStartFailed => (
                "user.session.start",
                "User login to Okta",
                Some("core.user_auth.login_failed"),
            ),
            Kind::SessionEnd => (
                "user.session.end",
                "User logout from Okta",
                Some("core.user_auth.logout_success"),
            ),
            Kind::Sso => (
                "user.authentication.sso",
                "User single sign on to app",
                Some("app.auth.sso"),
            ),
            Kind::AuthViaMfa => (
                "user.authentication.auth_via_mfa",
                "Authentication of user via MFA",
                Some("core.user.factor.attempt_success"),
            ),
            Kind::MfaFactor(n) => (MFA_EVENTS[n].0, MFA_EVENTS[n].1, None),
            Kind::PolicySignOn => (
                "policy.evaluate_sign_on",
                "Evaluation of sign-on policy",
                None,
            ),
            Kind::AccountLock => (
                "user.account.lock",
                "Max sign in attempts exceeded",
                Some("core.user_auth.account_locked"),
            ),
            Kind::UnlockByAdmin => (
                "user.account.unlock_by_admin",
                "Unlock user account by admin",
                Some("core.user.admin.unlock"),
            ),
            Kind::PrivilegeGrant => (
                "user.account.privilege.grant",
                "Grant user privilege",
                Some("core.user.admin_privilege.granted"),
            ),
            Kind::ApiTokenCreate => (
                "system.api_token.create",
                "Create API token",
                Some("api.token.create"),
            ),
            Kind::ApiTokenRevoke => (
                "system.api_token.revoke",
                "Revoke API token",
                Some("api.token.revoke"),
            ),
            Kind::OAuth2(n) => (OAUTH2_EVENTS[n].0, OAUTH2_EVENTS[n].1, None),
            Kind::GroupAdd => (
                "group.user_membership.add",
                "Add user to group membership",
                Some("core.user_group_member.user_add"),
            ),
            Kind::System(n) => (SYSTEM_EVENTS[n].0, SYSTEM_EVENTS[n].1, None),
            Kind::ThreatDetected => (
                "security.threat.detected",
                "Request from suspicious actor",
                None,
            ),
            Kind::ReportSuspicious => (
                "user.account.report_suspicious_activity_by_enduser",
                "User report suspicious activity",
                None,
            ),
        }
    }
}

impl Generator {
    pub fn new(seed: u64, directory: &Directory) -> Self {
        // Device-bound sign-ins name a device the person owns in the directory, when they own
        // one (so device enrichment finds it); else a device unknown to the directory.
        let mut owned: std::collections::HashMap<usize, &str> = std::collections::HashMap::new();
        for device in &directory.devices {
            for owner in &device.owners {
                owned.entry(owner.user).or_insert(device.id.as_str());
            }
        }
        let mut actors: Vec<Identity> = directory
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.status != "DEPROVISIONED")
            .map(|(i, u)| {
                let mut rng = Rng::new(seed, 0xac70, i as u64);
                Identity {
                    id: u.id.clone(),
                    login: u.profile.login.clone(),
                    display_name: u.profile.display_name.clone(),
                    first_name: u.profile.first_name.clone(),
                    home: u.home,
                    agent: u.agent,
                    home_ip: [rng.below(256) as u8, 1 + rng.below(254) as u8],
                    device_id: {
                        let random = rng.okta_id("guo");
                        owned.get(&i).map_or(random, |id| (*id).to_owned())
                    },
                }
            })
            .collect();
        if actors.is_empty() {
            // An org without users still signs in somebody: its lone admin.
            let mut rng = Rng::new(seed, 0xac70, u64::MAX);
            actors.push(Identity {
                id: rng.okta_id("00u"),
                login: "admin@example.com".into(),
                display_name: "Org Admin".into(),
                first_name: "Org".into(),
                home: 0,
                agent: 0,
                home_ip: [10, 20],
                device_id: rng.okta_id("guo"),
            });
        }
        let mut rng = Rng::new(seed, 0x0b1e, 0);
        let admins = actors.len().min(3);
        Generator {
            seed,
            admins,
            actors,
            apps: APPS.iter().map(|_| rng.okta_id("0oa")).collect(),
            groups: GROUPS.iter().map(|_| rng.okta_id("00g")).collect(),
            sign_on_policy: rng.okta_id("00p"),
            sign_on_rules: [rng.okta_id("0pr"), rng.okta_id("0pr")],
            auth_server: rng.okta_id("aus"),
            system_principal: rng.okta_id("0oa"),
        }
    }

    /// The uuid of generated event `index`.
    pub fn uuid(&self, index: u64) -> String {
        String::from_utf8_lossy(&rng::uuid(self.seed, index)).into_owned()
    }

    pub fn event_type(&self, index: u64) -> &'static str {
        self.plan(index).0.event_type()
    }

    /// A draw in [0, 1) that decides whether live event `index` is late, and how late.
    pub fn lateness(&self, index: u64) -> (f64, i64) {
        let mut rng = Rng::new(self.seed, 0x1a7e, index);
        (rng.unit(), rng.range(30_000, 600_000))
    }

    /// Jitter between an on-time event's `published` and its persistence, in ms.
    pub fn jitter(&self, index: u64, max_ms: i64) -> i64 {
        Rng::new(self.seed, 0x7177, index).range(0, max_ms.max(1))
    }

    fn plan(&self, index: u64) -> (Kind, Rng) {
        let mut rng = Rng::new(self.seed, 0xe7e7, index);
        let mut roll = rng.below(1000);
        let mut kind = Kind::SessionStart;
        for &(weight, k) in MIX {
            if roll < weight {
                kind = k;
                break;
            }
            roll -= weight;
        }
        let kind = match kind {
            Kind::MfaFactor(_) => Kind::MfaFactor(rng.index(MFA_EVENTS.len())),
            Kind::OAuth2(_) => Kind::OAuth2(rng.index(OAUTH2_EVENTS.len())),
            Kind::System(_) => Kind::System(rng.index(SYSTEM_EVENTS.len())),
            k => k,
        };
        (kind, rng)
    }

    /// Appends the JSON of generated event `index`, published at `published_ms`, to `out`.
    pub fn render(&self, index: u64, published_ms: i64, out: &mut Vec<u8>) {
        let (kind, mut rng) = self.plan(index);
        let uuid = rng::uuid(self.seed, index);
        let uuid = std::str::from_utf8(&uuid).unwrap_or_default();
        let published = format_ms(published_ms);
        // Quirks real parsers meet: `version` as a number, postal codes as numbers.
        let version = if rng.chance(0.01) {
            Version::Number
        } else {
            Version::Text
        };
        let postal_number = rng.chance(0.1);
        if let Kind::System(n) = kind {
            self.render_system(n, uuid, &published, version, &mut rng, out);
            return;
        }
        let actor = if matches!(
            kind,
            Kind::UnlockByAdmin
                | Kind::PrivilegeGrant
                | Kind::ApiTokenCreate
                | Kind::ApiTokenRevoke
                | Kind::GroupAdd
        ) {
            &self.actors[rng.index(self.admins)]
        } else {
            &self.actors[rng.index(self.actors.len())]
        };
        let scene = Scene::new(kind, actor, &mut rng, postal_number);
        let spec = self.spec(kind, actor, &scene, &mut rng);
        let event = Event {
            actor: Actor {
                id: spec.actor_override.as_ref().map_or(&actor.id, |a| &a.0),
                kind: spec.actor_override.as_ref().map_or("User", |a| a.1),
                alternate_id: spec.actor_override.as_ref().map_or(&actor.login, |a| &a.2),
                display_name: spec
                    .actor_override
                    .as_ref()
                    .map_or(&actor.display_name, |a| &a.3),
                detail_entry: None,
            },
            client: Client {
                user_agent: Some(UserAgent {
                    raw_user_agent: scene.agent.raw,
                    os: scene.agent.os,
                    browser: scene.agent.browser,
                }),
                zone: Some(scene.zone),
                device: Some(scene.agent.device),
                id: spec.client_id.as_deref(),
                ip_address: Some(&scene.ip),
                geographical_context: Some(scene.geo()),
            },
            device: spec.with_device.then(|| DeviceInfo {
                id: &actor.device_id,
                name: &scene.device_name,
                os_platform: scene.agent.platform,
                os_version: scene.device_os,
                managed: scene.device_managed,
                registered: true,
                device_integrator: None,
                disk_encryption_type: "ALL_INTERNAL_VOLUMES",
                screen_lock_type: "BIOMETRIC",
                jailbreak: false,
                secure_hardware_present: true,
            }),
            authentication_context: AuthenticationContext {
                authentication_provider: spec.credential.and_then(|c| c.0),
                credential_provider: spec.credential.and_then(|c| c.1),
                credential_type: spec.credential.and_then(|c| c.2),
                issuer: None,
                interface: None,
                authentication_step: 0,
                root_session_id: Some(&scene.root_session),
                external_session_id: Some(&scene.external_session),
            },
            display_message: spec.display,
            event_type: spec.event_type,
            outcome: Outcome {
                result: spec.result,
                reason: spec.reason.as_deref(),
            },
            published: &published,
            security_context: SecurityContext {
                as_number: Some(scene.loc.as_number),
                as_org: Some(scene.loc.as_org),
                isp: Some(scene.loc.isp),
                domain: Some(scene.loc.domain),
                is_proxy: Some(scene.loc.proxy),
            },
            severity: spec.severity,
            debug_context: DebugContext {
                debug_data: Pairs(&spec.debug),
            },
            legacy_event_type: spec.legacy,
            transaction: Transaction {
                kind: "WEB",
                id: Some(&scene.transaction_id),
                detail: Pairs(&[]),
            },
            uuid,
            version,
            request: Request {
                ip_chain: vec![IpHop {
                    ip: &scene.ip,
                    geographical_context: Some(scene.geo()),
                    version: "V4",
                    source: None,
                }],
            },
            target: spec.targets.as_deref().map(Targets),
        };
        write_json(out, &event);
    }

    fn render_system(
        &self,
        n: usize,
        uuid: &str,
        published: &str,
        version: Version,
        rng: &mut Rng,
        out: &mut Vec<u8>,
    ) {
        let (event_type, display) = SYSTEM_EVENTS[n];
        // Some system events carry the string "null" where others carry JSON null.
        let null_strings = rng.chance(0.3);
        let null_or = |s: &'static str| if null_strings { Some(s) } else { None };
        let job_id = rng.okta_id("ojb");
        let targets: Option<Vec<TargetData>> = if rng.chance(0.4) {
            None
        } else {
            let app = rng.index(APPS.len());
            Some(vec![TargetData::new(
                self.apps[app].clone(),
                "AppInstance",
                APPS[app].1,
                APPS[app].0,
            )])
        };
        let mut debug = vec![("jobId", job_id.clone())];
        if n == 2 {
            debug.push(("threshold", "60".to_string()));
            debug.push(("operationRateLimitScopeType", "ORG".to_string()));
            debug.push(("operationRateLimitSubtype", "WARNING".to_string()));
        }
        let event = Event {
            actor: Actor {
                id: &self.system_principal,
                kind: "SystemPrincipal",
                alternate_id: "system@okta.com",
                display_name: "Okta System",
                detail_entry: None,
            },
            client: Client {
                user_agent: None,
                zone: null_or("null"),
                device: None,
                id: None,
                ip_address: null_or("null"),
                geographical_context: None,
            },
            device: None,
            authentication_context: AuthenticationContext::default(),
            display_message: display,
            event_type,
            outcome: Outcome {
                result: "SUCCESS",
                reason: None,
            },
            published,
            security_context: SecurityContext::default(),
            severity: if n == 2 { "WARN" } else { "INFO" },
            debug_context: DebugContext {
                debug_data: Pairs(&debug),
            },
            legacy_event_type: None,
            transaction: Transaction {
                kind: "JOB",
                id: Some(&job_id),
                detail: Pairs(&[]),
            },
            uuid,
            version,
            request: Request {
                ip_chain: Vec::new(),
            },
            target: targets.as_deref().map(Targets),
        };
        write_json(out, &event);
    }

    /// The kind-specific parts of a user-driven event.
    fn spec(&self, kind: Kind, actor: &Identity, scene: &Scene, rng: &mut Rng) -> Spec {
        let (event_type, display, legacy) = kind.names();
        let mut spec = Spec {
            event_type,
            display,
            legacy,
            result: "SUCCESS",
            reason: None,
            severity: "INFO",
            targets: Some(Vec::new()),
            debug: scene.base_debug("/api/v1/authn"),
            credential: None,
            client_id: None,
            with_device: false,
            actor_override: None,
        };
        let other_user = |rng: &mut Rng| {
            let u = &self.actors[rng.index(self.actors.len())];
            TargetData::new(u.id.clone(), "User", &u.login, &u.display_name)
        };
        match kind {
            Kind::SessionStart => {
                spec.debug = scene.base_debug("/idp/idx/identify");
                scene.push_risk(&mut spec.debug, rng);
                spec.credential = Some((None, Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD")));
                spec.with_device = scene.agent.device != "Unknown" && rng.chance(0.35);
                if rng.chance(0.3) {
                    spec.targets = None;
                }
            }
            Kind::SessionStartFailed => {
                spec.debug = scene.base_debug("/idp/idx/challenge/answer");
                scene.push_risk(&mut spec.debug, rng);
                spec.result = "FAILURE";
                spec.severity = "WARN";
                spec.reason = Some(
                    (*rng.pick(&[
                        "INVALID_CREDENTIALS",
                        "INVALID_CREDENTIALS",
                        "INVALID_CREDENTIALS",
                        "VERIFICATION_ERROR",
                        "LOCKED_OUT",
                    ]))
                    .to_string(),
                );
                spec.credential = Some((None, Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD")));
            }
            Kind::SessionEnd => {
                spec.debug = scene.base_debug("/login/signout");
            }
            Kind::Sso => {
                let app = rng.index(APPS.len());
                let (label, name, mode) = APPS[app];
                spec.debug = scene.base_debug("/app/sso");
                spec.debug.push((
                    "initiationType",
                    (*rng.pick(&["IDP_INITIATED", "SP_INITIATED"])).to_string(),
                ));
                spec.debug.push((
                    "signOnMode",
                    if mode == "SAML_2_0" {
                        "SAML 2.0"
                    } else {
                        "OpenID Connect"
                    }
                    .to_string(),
                ));
                let mut app_target =
                    TargetData::new(self.apps[app].clone(), "AppInstance", name, label);
                app_target.detail_entry = Some(vec![("signOnModeType", mode.to_string())]);
                let app_user = TargetData::new(
                    rng.okta_id("0ua"),
                    "AppUser",
                    &actor.login,
                    &actor.display_name,
                );
                spec.targets = Some(vec![app_target, app_user]);
                spec.with_device = rng.chance(0.2);
            }
            Kind::AuthViaMfa => {
                let (factor, authenticator) = *rng.pick(FACTORS);
                spec.debug = scene.base_debug("/idp/idx/challenge/answer");
                spec.debug.push(("factor", factor.to_string()));
                spec.debug
                    .push(("factorIntent", "AUTHENTICATION".to_string()));
                spec.credential = Some((
                    None,
                    Some("OKTA_CREDENTIAL_PROVIDER"),
                    Some(if factor == "OTP" {
                        "OTP"
                    } else {
                        "OKTA_VERIFY_PUSH"
                    }),
                ));
                if rng.chance(0.06) {
                    spec.result = "FAILURE";
                    spec.severity = "WARN";
                    spec.reason = Some("INVALID_CREDENTIALS".to_string());
                }
                spec.targets = Some(vec![TargetData::new(
                    rng.okta_id("opf"),
                    "AuthenticatorEnrollment",
                    "unknown",
                    authenticator,
                )]);
                spec.with_device = rng.chance(0.5);
            }
            Kind::MfaFactor(n) => {
                let (factor, authenticator) = *rng.pick(FACTORS);
                spec.debug = scene.base_debug("/idp/myaccount/authenticators");
                spec.debug.push(("factor", factor.to_string()));
                if n == 3 {
                    spec.severity = "WARN";
                    spec.debug
                        .push(("reason", "Too many failed attempts".to_string()));
                }
                let mut t = TargetData::new(
                    rng.okta_id("opf"),
                    "AuthenticatorEnrollment",
                    "unknown",
                    authenticator,
                );
                t.detail_entry = Some(vec![("methodTypeUsed", authenticator.to_string())]);
                spec.targets = Some(vec![
                    TargetData::new(actor.id.clone(), "User", &actor.login, &actor.display_name),
                    t,
                ]);
            }
            Kind::PolicySignOn => {
                spec.debug = scene.base_debug("/idp/idx/identify");
                scene.push_risk(&mut spec.debug, rng);
                let (result, reason) = match rng.below(100) {
                    0..=84 => ("ALLOW", "Sign-on policy evaluation resulted in ALLOW"),
                    85..=94 => (
                        "CHALLENGE",
                        "Sign-on policy evaluation resulted in CHALLENGE",
                    ),
                    _ => ("DENY", "Sign-on policy evaluation resulted in DENY"),
                };
                spec.result = result;
                spec.reason = Some(reason.to_string());
                if result == "DENY" {
                    spec.severity = "WARN";
                }
                let rule = rng.index(2);
                let mut rule_target = TargetData::new(
                    self.sign_on_rules[rule].clone(),
                    "Rule",
                    "unknown",
                    ["Require MFA off network", "Catch-all Rule"][rule],
                );
                rule_target.detail_entry = Some(vec![("policyRuleFactorMode", "2FA".to_string())]);
                let mut policy = TargetData::new(
                    self.sign_on_policy.clone(),
                    "PolicyEntity",
                    "unknown",
                    "Default Policy",
                );
                policy.detail_entry = Some(vec![("policyType", "OktaSignOn".to_string())]);
                spec.targets = Some(vec![rule_target, policy]);
            }
            Kind::AccountLock => {
                spec.debug = scene.base_debug("/idp/idx/challenge/answer");
                spec.result = "FAILURE";
                spec.reason = Some("LOCKED_OUT".to_string());
                spec.severity = "WARN";
                spec.targets = None;
            }
            Kind::UnlockByAdmin => {
                spec.debug = scene.base_debug("/api/v1/users/unlock");
                spec.targets = Some(vec![other_user(rng)]);
            }
            Kind::PrivilegeGrant => {
                let role = *rng.pick(ADMIN_ROLES);
                spec.debug = scene.base_debug("/api/internal/administrators/adminroles");
                spec.debug.push(("privilegeGranted", role.to_string()));
                spec.targets = Some(vec![other_user(rng)]);
            }
            Kind::ApiTokenCreate | Kind::ApiTokenRevoke => {
                spec.debug = scene.base_debug("/api/internal/tokens");
                let name = format!(
                    "{} {}",
                    rng.pick(&["SIEM", "Terraform", "Okta Workflows", "Backup", "Audit"]),
                    rng.below(10)
                );
                spec.targets = Some(vec![TargetData::new(
                    rng.okta_id("00T"),
                    "Token",
                    "unknown",
                    &name,
                )]);
            }
            Kind::OAuth2(n) => {
                let app = APPS.len() - 1; // the OIDC app
                spec.debug = scene.base_debug(if n == 0 {
                    "/oauth2/default/v1/authorize"
                } else {
                    "/oauth2/default/v1/token"
                });
                spec.debug.push((
                    "grantType",
                    [
                        "authorization_code",
                        "authorization_code",
                        "authorization_code",
                        "refresh_token",
                    ][n]
                        .to_string(),
                ));
                spec.debug.push((
                    "grantedScopes",
                    "openid, profile, email, offline_access".to_string(),
                ));
                spec.client_id = Some(self.apps[app].clone());
                let server = TargetData::new(
                    self.auth_server.clone(),
                    "AuthorizationServer",
                    "default",
                    "default",
                );
                let client = TargetData::new(
                    self.apps[app].clone(),
                    "PublicClientApp",
                    APPS[app].1,
                    APPS[app].0,
                );
                spec.targets = Some(vec![server, client]);
                if n == 3 && rng.chance(0.02) {
                    // Refresh token reuse: a detection the console has to show.
                    spec.result = "FAILURE";
                    spec.reason = Some("invalid_grant: refresh token reuse detected".to_string());
                    spec.severity = "WARN";
                }
            }
            Kind::GroupAdd => {
                let g = 1 + rng.index(GROUPS.len() - 1);
                spec.debug = scene.base_debug("/api/v1/groups/users");
                spec.targets = Some(vec![
                    other_user(rng),
                    TargetData::new(self.groups[g].clone(), "UserGroup", "unknown", GROUPS[g]),
                ]);
            }
            Kind::ThreatDetected => {
                spec.debug = scene.base_debug("/api/v1/authn");
                spec.debug.push(("threatSuspected", "true".to_string()));
                spec.debug.push((
                    "threatDetections",
                    "{\"Password Spray\":\"ACTIVE\"}".to_string(),
                ));
                spec.result = if rng.chance(0.5) { "DENY" } else { "ALLOW" };
                spec.reason = Some("Password Spray".to_string());
                spec.severity = "WARN";
                spec.targets = None;
                spec.actor_override = Some((
                    "unknown".to_string(),
                    "User",
                    "unknown".to_string(),
                    "Unknown".to_string(),
                ));
            }
            Kind::ReportSuspicious => {
                spec.debug = scene.base_debug("/api/v1/users/report-suspicious-activity");
                spec.debug.push((
                    "suspiciousActivityEventType",
                    "system.email.new_device_notification.sent_message".to_string(),
                ));
                spec.debug
                    .push(("suspiciousActivityBrowser", scene.agent.browser.to_string()));
                spec.debug
                    .push(("suspiciousActivityOs", scene.agent.os.to_string()));
                spec.severity = "WARN";
                spec.targets = Some(vec![TargetData::new(
                    actor.id.clone(),
                    "User",
                    &actor.login,
                    &actor.display_name,
                )]);
            }
            Kind::System(_) => unreachable!("system events are rendered by render_system"),
        }
        // A kind may override a base debugData key (`threatSuspected`).
        dedup_keys(&mut spec.debug);
        spec
    }
}

fn dedup_keys(pairs: &mut Vec<(&'static str, String)>) {
    // Later values win (a kind may override a base key); the list is short.
    let mut i = pairs.len();
    while i > 0 {
        i -= 1;
        let key = pairs[i].0;
        if pairs[..i].iter().any(|(k, _)| *k == key) {
            let value = pairs.remove(i).1;
            if let Some(slot) = pairs.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
            }
        }
    }
}

fn write_json<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and every field here serializes.
    let _ = serde_json::to_writer(out, value);
}

/// Where and how a user-driven event happened.
struct Scene {
    loc: &'static Location,
    agent: &'static Agent,
    ip: String,
    zone: &'static str,
    postal_number: bool,
    root_session: String,
    external_session: String,
    transaction_id: String,
    device_name: String,
    device_os: &'static str,
    device_managed: bool,
}

impl Scene {
    fn new(kind: Kind, actor: &Identity, rng: &mut Rng, postal_number: bool) -> Scene {
        let hostile = kind == Kind::ThreatDetected;
        let (loc, ip, agent) = if hostile || rng.chance(0.02) {
            // Attacks and VPN sign-ins come from hosting networks.
            let loc = rng.pick(PROXIES);
            let agent = if hostile {
                rng.pick(SUSPICIOUS_AGENTS)
            } else {
                &AGENTS[actor.agent]
            };
            (
                loc,
                format!(
                    "{}.{}.{}.{}",
                    loc.net[0],
                    loc.net[1],
                    rng.below(256),
                    1 + rng.below(254)
                ),
                agent,
            )
        } else if rng.chance(0.1) {
            // Travelling, or a new browser.
            let loc = rng.pick(HOMES);
            (
                loc,
                format!(
                    "{}.{}.{}.{}",
                    loc.net[0],
                    loc.net[1],
                    rng.below(256),
                    1 + rng.below(254)
                ),
                rng.pick(AGENTS),
            )
        } else {
            let loc = &HOMES[actor.home];
            (
                loc,
                format!(
                    "{}.{}.{}.{}",
                    loc.net[0], loc.net[1], actor.home_ip[0], actor.home_ip[1]
                ),
                &AGENTS[actor.agent],
            )
        };
        let mut root_session = String::with_capacity(25);
        root_session.push_str("102");
        rng.push_chars(&mut root_session, rng::ALNUM, 22);
        let mut external_session = String::with_capacity(25);
        external_session.push_str("idx");
        rng.push_chars(&mut external_session, rng::ALNUM, 22);
        let kind_name = match agent.platform {
            "MACOS" => "MacBook Pro",
            "WINDOWS" => "Laptop",
            "IOS" => "iPhone",
            "ANDROID" => "Pixel",
            _ => "Computer",
        };
        Scene {
            loc,
            agent,
            ip,
            zone: if rng.chance(0.8) {
                "null"
            } else {
                "Corporate Network"
            },
            postal_number,
            root_session,
            external_session,
            transaction_id: rng.request_id(),
            device_name: format!("{}'s {kind_name}", actor.first_name),
            device_os: match agent.platform {
                "MACOS" => "14.4.1",
                "WINDOWS" => "10.0.22631.3447",
                "IOS" => "17.4.1",
                "ANDROID" => "14",
                _ => "unknown",
            },
            device_managed: rng.chance(0.7),
        }
    }

    fn geo(&self) -> Geo<'_> {
        let postal_code = self.loc.postal.map(|p| match p.parse::<u64>() {
            Ok(n) if self.postal_number => PostalCode::Number(n),
            _ => PostalCode::Text(p),
        });
        Geo {
            city: Some(self.loc.city),
            state: Some(self.loc.state),
            country: Some(self.loc.country),
            postal_code,
            geolocation: Some(LatLon {
                lat: self.loc.lat,
                lon: self.loc.lon,
            }),
        }
    }

    fn base_debug(&self, uri: &'static str) -> Vec<(&'static str, String)> {
        vec![
            ("requestId", self.transaction_id.clone()),
            ("requestUri", uri.to_string()),
            ("url", format!("{uri}?")),
            ("threatSuspected", "false".to_string()),
        ]
    }

    /// Risk and behaviour strings as Okta writes them: maps flattened into strings.
    fn push_risk(&self, debug: &mut Vec<(&'static str, String)>, rng: &mut Rng) {
        let flag = |rng: &mut Rng, p: f64| {
            if rng.chance(p) {
                "POSITIVE"
            } else {
                "NEGATIVE"
            }
        };
        let far = self.loc.proxy;
        let new_geo = flag(rng, if far { 0.9 } else { 0.08 });
        let new_device = flag(rng, 0.1);
        let new_ip = flag(rng, if far { 0.95 } else { 0.2 });
        let velocity = flag(rng, if far { 0.5 } else { 0.01 });
        let behaviors = format!(
            "{{New Geo-Location={new_geo}, New Device={new_device}, New IP={new_ip}, New State={new_geo}, New Country={new_geo}, Velocity={velocity}, New City={new_geo}}}"
        );
        let level = if far && rng.chance(0.5) {
            "HIGH"
        } else if new_device == "POSITIVE" && new_ip == "POSITIVE" {
            "MEDIUM"
        } else {
            "LOW"
        };
        let risk = if level == "LOW" {
            "{level=LOW}".to_string()
        } else {
            format!("{{reasons=Anomalous Device, New IP, level={level}}}")
        };
        let log_only = format!(
            "{{\"risk\":{{\"level\":\"{level}\"}},\"behaviors\":{{\"New Geo-Location\":\"{new_geo}\",\"New Device\":\"{new_device}\",\"New IP\":\"{new_ip}\",\"Velocity\":\"{velocity}\"}}}}"
        );
        debug.push(("behaviors", behaviors));
        debug.push(("risk", risk));
        debug.push(("logOnlySecurityData", log_only));
        debug.push((
            "dtHash",
            format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
        ));
    }
}

/// The kind-specific half of an event.
struct Spec {
    event_type: &'static str,
    display: &'static str,
    legacy: Option<&'static str>,
    result: &'static str,
    reason: Option<String>,
    severity: &'static str,
    targets: Option<Vec<TargetData>>,
    debug: Vec<(&'static str, String)>,
    /// (authenticationProvider, credentialProvider, credentialType)
    credential: Option<(
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    )>,
    client_id: Option<String>,
    with_device: bool,
    /// (id, type, alternateId, displayName) when the actor is not the user.
    actor_override: Option<(String, &'static str, String, String)>,
}

struct TargetData {
    id: String,
    kind: &'static str,
    alternate_id: String,
    display_name: String,
    detail_entry: Option<Vec<(&'static str, String)>>,
}

impl TargetData {
    fn new(id: String, kind: &'static str, alternate_id: &str, display_name: &str) -> Self {
        TargetData {
            id,
            kind,
            alternate_id: alternate_id.to_string(),
            display_name: display_name.to_string(),
            detail_entry: None,
        }
    }
}

// ---- The wire shape of a LogEvent. Field order follows Okta's. ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    actor: Actor<'a>,
    client: Client<'a>,
    device: Option<DeviceInfo<'a>>,
    authentication_context: AuthenticationContext<'a>,
    display_message: &'a str,
    event_type: &'a str,
    outcome: Outcome<'a>,
    published: &'a str,
    security_context: SecurityContext<'a>,
    severity: &'a str,
    debug_context: DebugContext<'a>,
    legacy_event_type: Option<&'a str>,
    transaction: Transaction<'a>,
    uuid: &'a str,
    version: Version,
    request: Request<'a>,
    target: Option<Targets<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Actor<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    alternate_id: &'a str,
    display_name: &'a str,
    detail_entry: Option<Pairs<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Client<'a> {
    user_agent: Option<UserAgent<'a>>,
    zone: Option<&'a str>,
    device: Option<&'a str>,
    id: Option<&'a str>,
    ip_address: Option<&'a str>,
    geographical_context: Option<Geo<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserAgent<'a> {
    raw_user_agent: &'a str,
    os: &'a str,
    browser: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Geo<'a> {
    city: Option<&'a str>,
    state: Option<&'a str>,
    country: Option<&'a str>,
    postal_code: Option<PostalCode<'a>>,
    geolocation: Option<LatLon>,
}

enum PostalCode<'a> {
    Text(&'a str),
    Number(u64),
}

impl Serialize for PostalCode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PostalCode::Text(t) => s.serialize_str(t),
            PostalCode::Number(n) => s.serialize_u64(*n),
        }
    }
}

#[derive(Serialize)]
struct LatLon {
    lat: f64,
    lon: f64,
}

/// The `device` object Okta adds for Okta Verify / FastPass sign-ins (snake_case on the wire).
#[derive(Serialize)]
struct DeviceInfo<'a> {
    id: &'a str,
    name: &'a str,
    os_platform: &'a str,
    os_version: &'a str,
    managed: bool,
    registered: bool,
    device_integrator: Option<&'a str>,
    disk_encryption_type: &'a str,
    screen_lock_type: &'a str,
    jailbreak: bool,
    secure_hardware_present: bool,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct AuthenticationContext<'a> {
    authentication_provider: Option<&'a str>,
    credential_provider: Option<&'a str>,
    credential_type: Option<&'a str>,
    issuer: Option<Issuer<'a>>,
    interface: Option<&'a str>,
    authentication_step: u32,
    root_session_id: Option<&'a str>,
    external_session_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Issuer<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Outcome<'a> {
    result: &'a str,
    reason: Option<&'a str>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct SecurityContext<'a> {
    as_number: Option<u32>,
    as_org: Option<&'a str>,
    isp: Option<&'a str>,
    domain: Option<&'a str>,
    is_proxy: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DebugContext<'a> {
    debug_data: Pairs<'a>,
}

#[derive(Serialize)]
struct Transaction<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: Option<&'a str>,
    detail: Pairs<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    ip_chain: Vec<IpHop<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IpHop<'a> {
    ip: &'a str,
    geographical_context: Option<Geo<'a>>,
    version: &'a str,
    source: Option<&'a str>,
}

#[derive(Clone, Copy)]
enum Version {
    Text,
    Number,
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Version::Text => s.serialize_str("0"),
            Version::Number => s.serialize_u64(0),
        }
    }
}

/// A string map kept as a list (debugData, detailEntry, transaction.detail).
struct Pairs<'a>(&'a [(&'static str, String)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct Targets<'a>(&'a [TargetData]);

impl Serialize for Targets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Target<'a> {
            id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            alternate_id: &'a str,
            display_name: &'a str,
            detail_entry: Option<Pairs<'a>>,
        }
        s.collect_seq(self.0.iter().map(|t| Target {
            id: &t.id,
            kind: t.kind,
            alternate_id: &t.alternate_id,
            display_name: &t.display_name,
            detail_entry: t.detail_entry.as_deref().map(Pairs),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::{HashMap, HashSet};

    fn generator() -> Generator {
        let directory = Directory::generate("acme", 42, 50, 0, 1_700_000_000_000);
        Generator::new(42, &directory)
    }

    #[test]
    fn events_are_deterministic_valid_json_with_the_required_fields() {
        let gen = generator();
        let mut types: HashMap<String, usize> = HashMap::new();
        let mut uuids = HashSet::new();
        let mut quirks = (0, 0, 0, 0); // number version, "null" zone, null target, numeric postal
        for i in 0..5000u64 {
            let mut a = Vec::new();
            gen.render(i, 1_700_000_000_000 + i as i64, &mut a);
            let mut b = Vec::new();
            gen.render(i, 1_700_000_000_000 + i as i64, &mut b);
            assert_eq!(a, b, "event {i} is not deterministic");
            let v: Value = serde_json::from_slice(&a).unwrap();
            for field in [
                "uuid",
                "published",
                "eventType",
                "version",
                "severity",
                "actor",
                "outcome",
            ] {
                assert!(v.get(field).is_some(), "event {i} lacks {field}: {v}");
            }
            assert_eq!(v["eventType"], gen.event_type(i));
            assert_eq!(v["uuid"], gen.uuid(i));
            assert!(uuids.insert(v["uuid"].as_str().unwrap().to_string()));
            *types
                .entry(v["eventType"].as_str().unwrap().to_string())
                .or_default() += 1;
            quirks.0 += usize::from(v["version"].is_number());
            quirks.1 += usize::from(v["client"]["zone"] == "null");
            quirks.2 += usize::from(v["target"].is_null());
            quirks.3 += usize::from(v["client"]["geographicalContext"]["postalCode"].is_number());
            if v["actor"]["type"] == "SystemPrincipal" {
                assert_eq!(v["request"]["ipChain"], serde_json::json!([]));
                assert!(v["client"]["userAgent"].is_null());
            }
        }
        for t in [
            "user.session.start",
            "user.authentication.sso",
            "policy.evaluate_sign_on",
            "system.import.start",
            "user.account.lock",
            "group.user_membership.add",
        ] {
            assert!(types.contains_key(t), "no {t} in {types:?}");
        }
        assert!(
            quirks.0 > 0 && quirks.1 > 0 && quirks.2 > 0 && quirks.3 > 0,
            "{quirks:?}"
        );
    }

    #[test]
    fn privilege_grants_name_the_role() {
        let gen = generator();
        let i = (0..100_000u64)
            .find(|&i| gen.event_type(i) == "user.account.privilege.grant")
            .unwrap();
        let mut out = Vec::new();
        gen.render(i, 0, &mut out);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert!(ADMIN_ROLES.contains(
            &v["debugContext"]["debugData"]["privilegeGranted"]
                .as_str()
                .unwrap()
        ));
        assert_eq!(v["target"][0]["type"], "User");
    }

    #[test]
    fn rendering_is_fast_enough() {
        let gen = generator();
        let mut out = Vec::with_capacity(4 << 20);
        let start = std::time::Instant::now();
        for i in 0..20_000u64 {
            gen.render(i, 1_700_000_000_000, &mut out);
        }
        let per_event = start.elapsed() / 20_000;
        // Generous: release builds take a few microseconds; this only catches accidents.
        assert!(
            per_event < std::time::Duration::from_micros(100),
            "{per_event:?} per event"
        );
    }
}
