//! Console accounts: argon2id passwords, sessions with idle and absolute expiry, the first-run
//! setup code, and the sign-in rate limits. The HTTP side ([`crate::web::auth`]) asks
//! [`Accounts::session`] on every request; the server functions sign in and out through the
//! engine's `Console` methods, which land here.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Mutex,
    },
    time::Duration,
};

use app::model::account::{AuthFailure, SignedIn, MIN_PASSWORD_CHARS, SESSION_COOKIE};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use base64::Engine as _;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{
    config::{AccessConfig, Secret},
    store::{Store, StoreError},
};

/// Failed sign-ins counted per account and per client address within this window.
pub const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures per account within [`LIMIT_WINDOW`] before its sign-ins are refused with 429.
pub const ACCOUNT_FAILURES: usize = 5;
/// Failures per client address within [`LIMIT_WINDOW`] before it is refused with 429.
pub const ADDRESS_FAILURES: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("Wrong username or password.")]
    WrongCredentials,
    #[error("Too many failed attempts; try again in {0} minutes.")]
    RateLimited(u64),
    #[error("The console is already set up; sign in instead.")]
    AlreadySetUp,
    #[error("That setup code is not the one in the server log.")]
    WrongSetupCode,
    #[error("no user called {0}")]
    NoSuchUser(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl AccountError {
    /// The refusal a browser sees (internal failures are logged here, once, with a reference).
    pub fn into_failure(self) -> AuthFailure {
        let status = match &self {
            AccountError::Invalid(_) => 422,
            AccountError::WrongCredentials | AccountError::WrongSetupCode => 401,
            AccountError::RateLimited(_) => 429,
            AccountError::AlreadySetUp => 409,
            AccountError::NoSuchUser(_) => 404,
            AccountError::Store(_) | AccountError::Hash(_) => {
                let reference = format!("{:08x}", rand::random::<u32>());
                tracing::error!(error.reference = %reference, error.context = "accounts", "{self}");
                return AuthFailure {
                    status: 500,
                    error: app::model::AppError::Internal(reference),
                };
            }
        };
        AuthFailure::new(status, self.to_string())
    }
}

/// A new session: the cookie's token (only ever sent to the browser) and its row id.
pub struct NewSession {
    pub token: Secret,
    pub set_cookie: String,
}

pub struct Accounts {
    store: Store,
    config: AccessConfig,
    /// Set once a user exists (then never unset: users are not deleted).
    has_users: AtomicBool,
    /// The first-run setup code while there is no user (in memory only; logged once).
    setup_code: Mutex<Option<Secret>>,
    failures: Mutex<HashMap<String, Vec<i64>>>,
    /// Test only: added to the clock, so expiry tests need not wait.
    clock_offset_ms: AtomicI64,
    /// A hash to verify against for unknown usernames, so they take as long as known ones.
    decoy_hash: String,
}

impl Accounts {
    pub fn new(store: Store, config: AccessConfig) -> Self {
        let decoy_hash = hash_password("decoy password never used").unwrap_or_default();
        Self {
            store,
            config,
            has_users: AtomicBool::new(false),
            setup_code: Mutex::new(None),
            failures: Mutex::default(),
            clock_offset_ms: AtomicI64::new(0),
            decoy_hash,
        }
    }

    /// Now, in Unix milliseconds (plus the test offset).
    fn now(&self) -> i64 {
        crate::store::now_ms() + self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Test only: moves this service's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.clock_offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }

    /// Whether an admin exists (cached once true).
    pub async fn has_users(&self) -> Result<bool, StoreError> {
        if self.has_users.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let any = self.store.user_count().await? > 0;
        if any {
            self.has_users.store(true, Ordering::Relaxed);
        }
        Ok(any)
    }

    /// When no user exists yet: makes a setup code and logs it, once; the code is returned for
    /// tests. Called once at start.
    pub async fn announce_setup(&self) -> Result<Option<Secret>, StoreError> {
        if self.has_users().await? {
            return Ok(None);
        }
        let code = setup_code();
        // The one place the code is ever written: the person starting the server reads it here.
        tracing::warn!(
            "first-run setup code: {} (open /setup in the console to create the first admin)",
            code.expose()
        );
        *self.setup_code.lock().expect("setup code lock") = Some(code.clone());
        Ok(Some(code))
    }

    /// Signs in `username`, rate-limited per account and per `client_ip`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<NewSession, AccountError> {
        let username = username.trim();
        let keys = [
            format!("user:{}", username.to_lowercase()),
            format!("ip:{}", ip_key(client_ip)),
        ];
        self.check_limits(&keys)?;
        let user = self.store.user_by_name(username).await?;
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.decoy_hash.clone());
        let matches = verify_password(password.to_owned(), hash).await;
        match user {
            Some(user) if matches => {
                // The account's count starts again; the address's does not (one known account
                // must not reset guessing at all the others).
                self.clear_failures(&keys[..1]);
                tracing::info!(user.id = user.id, "console sign-in");
                self.start_session(user.id).await
            }
            _ => {
                self.record_failure(&keys);
                tracing::warn!(client.ip = %ip_key(client_ip), "console sign-in refused");
                Err(AccountError::WrongCredentials)
            }
        }
    }

    /// First-run setup: the admin, when `code` matches and no user exists yet; signs them in.
    pub async fn setup_admin(
        &self,
        code: &str,
        username: &str,
        password: &str,
        confirmation: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<NewSession, AccountError> {
        if self.has_users().await? {
            return Err(AccountError::AlreadySetUp);
        }
        let keys = [format!("setup:{}", ip_key(client_ip))];
        self.check_limits(&keys)?;
        let expected = self.setup_code.lock().expect("setup code lock").clone();
        let code_ok = expected.is_some_and(|expected| {
            digest(&normalize_code(code)) == digest(&normalize_code(expected.expose()))
        });
        if !code_ok {
            self.record_failure(&keys);
            tracing::warn!(client.ip = %ip_key(client_ip), "first-run setup refused: wrong code");
            return Err(AccountError::WrongSetupCode);
        }
        let username = validate_username(username)?;
        validate_password(password)?;
        if password != confirmation {
            return Err(AccountError::Invalid(
                "The password and its confirmation differ.".into(),
            ));
        }
        let hash = hash_password_blocking(password.to_owned()).await?;
        let id = self
            .store
            .insert_user(&username, &hash, self.now(), true)
            .await?
            .ok_or(AccountError::AlreadySetUp)?;
        self.has_users.store(true, Ordering::Relaxed);
        *self.setup_code.lock().expect("setup code lock") = None;
        tracing::info!(user.id = id, "first admin created by first-run setup");
        self.start_session(id).await
    }

    /// Adds a user (the command line).
    pub async fn add_user(&self, username: &str, password: &str) -> Result<i64, AccountError> {
        let username = validate_username(username)?;
        validate_password(password)?;
        let hash = hash_password_blocking(password.to_owned()).await?;
        let id = self
            .store
            .insert_user(&username, &hash, self.now(), false)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(m) => AccountError::Invalid(m),
                e => e.into(),
            })?
            .expect("insert without the first-user condition");
        self.has_users.store(true, Ordering::Relaxed);
        Ok(id)
    }

    /// Replaces a user's password and ends their sessions (the command line).
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), AccountError> {
        validate_password(password)?;
        let hash = hash_password_blocking(password.to_owned()).await?;
        if self
            .store
            .set_password(username.trim(), &hash, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(AccountError::NoSuchUser(username.trim().to_owned()))
        }
    }

    /// The signed-in user of a cookie token, if its session is alive; keeps it alive.
    pub async fn session(&self, token: &str) -> Result<Option<SignedIn>, StoreError> {
        let id = session_id(token);
        let Some(row) = self.store.session(&id).await? else {
            return Ok(None);
        };
        let now = self.now();
        let idle = self.config.session_idle.as_millis() as i64;
        if now - row.last_seen_at > idle || now >= row.expires_at {
            self.store.delete_session(&id).await?;
            return Ok(None);
        }
        // One write a minute at most per session, not one per request.
        if now - row.last_seen_at >= 60_000 {
            self.store.touch_session(&id, now).await?;
        }
        Ok(Some(SignedIn {
            user_id: row.user_id,
            username: row.username,
            session_id: id,
        }))
    }

    pub async fn logout(&self, session_id: &str) -> Result<String, StoreError> {
        self.store.delete_session(session_id).await?;
        Ok(self.cookie("", Some(0)))
    }

    /// Removes expired sessions (run now and then).
    pub async fn prune(&self) -> Result<u64, StoreError> {
        let now = self.now();
        self.store
            .delete_expired_sessions(now - self.config.session_idle.as_millis() as i64, now)
            .await
    }

    async fn start_session(&self, user_id: i64) -> Result<NewSession, AccountError> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = self.now();
        let expires_at = now + self.config.session_absolute.as_millis() as i64;
        self.store
            .insert_session(&session_id(&token), user_id, now, expires_at)
            .await?;
        let set_cookie = self.cookie(&token, None);
        Ok(NewSession {
            token: Secret::new(token),
            set_cookie,
        })
    }

    /// The session cookie's `Set-Cookie` value (`max_age` Some(0) removes it). A browser
    /// session cookie: the server enforces both expiries.
    fn cookie(&self, value: &str, max_age: Option<u64>) -> String {
        let secure = self
            .config
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https");
        let mut cookie = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/");
        if secure {
            cookie.push_str("; Secure");
        }
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        cookie
    }

    fn check_limits(&self, keys: &[String]) -> Result<(), AccountError> {
        let now = self.now();
        let window = LIMIT_WINDOW.as_millis() as i64;
        let mut failures = self.failures.lock().expect("limiter lock");
        failures.retain(|_, times| {
            times.retain(|t| now - t < window);
            !times.is_empty()
        });
        for key in keys {
            let limit = if key.starts_with("ip:") {
                ADDRESS_FAILURES
            } else {
                ACCOUNT_FAILURES
            };
            if let Some(times) = failures.get(key).filter(|t| t.len() >= limit) {
                let oldest = times.iter().min().copied().unwrap_or(now);
                let wait_ms = (oldest + window - now).max(0) as u64;
                return Err(AccountError::RateLimited(wait_ms.div_ceil(60_000).max(1)));
            }
        }
        Ok(())
    }

    fn record_failure(&self, keys: &[String]) {
        let now = self.now();
        let mut failures = self.failures.lock().expect("limiter lock");
        for key in keys {
            failures.entry(key.clone()).or_default().push(now);
        }
    }

    fn clear_failures(&self, keys: &[String]) {
        let mut failures = self.failures.lock().expect("limiter lock");
        for key in keys {
            failures.remove(key);
        }
    }
}

/// The session row's id for a cookie token: its SHA-256, hex.
pub fn session_id(token: &str) -> String {
    digest(token)
}

fn digest(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn ip_key(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

/// `XXXX-XXXX` from letters and digits that cannot be mistaken for one another.
fn setup_code() -> Secret {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut code: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    code.insert(4, '-');
    Secret::new(code)
}

fn normalize_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

fn validate_username(username: &str) -> Result<String, AccountError> {
    let username = username.trim();
    let ok = (1..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || "._@-+".contains(c));
    if ok {
        Ok(username.to_owned())
    } else {
        Err(AccountError::Invalid(
            "A username has 1 to 64 letters, digits or . _ @ - +.".into(),
        ))
    }
}

fn validate_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::Invalid(format!(
            "A password needs at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    if password.len() > 1024 {
        return Err(AccountError::Invalid(
            "A password has at most 1024 bytes.".into(),
        ));
    }
    Ok(())
}

/// argon2id with the crate's default parameters, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

async fn hash_password_blocking(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong horse battery", &parsed)
            .is_err());
    }

    #[test]
    fn setup_codes_look_like_xxxx_xxxx() {
        let code = setup_code();
        let code = code.expose();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_ne!(setup_code().expose(), code);
    }
}
