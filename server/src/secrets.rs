//! Encryption of secrets at rest (Okta API tokens, webhook signing secrets): XChaCha20-Poly1305
//! under a 32-byte key that lives in a file created with mode 0600 on first start (or comes from
//! `GATEHOUSE_SECRET_KEY`).

use std::{io::Write, os::unix::fs::OpenOptionsExt, path::Path};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};

use crate::config::{Config, Secret};

const NONCE_LEN: usize = 24;

/// What a secret is for. Each purpose is bound into its ciphertext (as associated data), so a
/// sealed token cannot be replayed as another kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    OktaToken,
    WebhookSecret,
}

impl Purpose {
    fn aad(self) -> &'static [u8] {
        match self {
            Purpose::OktaToken => b"gatehouse/okta-api-token/v1",
            Purpose::WebhookSecret => b"gatehouse/webhook-secret/v1",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("the secret key must be base64 of exactly 32 bytes")]
    BadKey,
    #[error("cannot read or create the secret key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored secret could not be decrypted (wrong key, or the data was altered)")]
    Decrypt,
}

/// Seals and opens secrets with the server's key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

impl SecretBox {
    /// The key from `config.secret_key`, else from `config.secret_key_file` (created if missing).
    pub fn from_config(config: &Config) -> Result<Self, SecretsError> {
        match &config.secret_key {
            Some(key) => Self::from_base64(key.expose()),
            None => Self::from_key_file(&config.secret_key_file),
        }
    }

    pub fn from_base64(key: &str) -> Result<Self, SecretsError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| SecretsError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretsError::BadKey)?;
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    /// A fresh random key: the box and the key's base64 (for the key file or the environment).
    pub fn generate() -> (Self, Secret) {
        let encoded = STANDARD.encode(XChaCha20Poly1305::generate_key(&mut OsRng));
        let secrets = Self::from_base64(&encoded).expect("a generated key has 32 bytes");
        (secrets, Secret::new(encoded))
    }

    fn from_key_file(path: &Path) -> Result<Self, SecretsError> {
        let err = |source| SecretsError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        if next_key_path(path).exists() {
            tracing::warn!(
                secrets.key_file = %path.display(),
                "a `gatehouse secrets rotate` was interrupted; run it again to finish"
            );
        }
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(err)?;
                }
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let encoded = STANDARD.encode(key);
                // create_new: never overwrite a key another process wrote meanwhile.
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(err)?;
                file.write_all(encoded.as_bytes()).map_err(err)?;
                file.sync_all().map_err(err)?;
                tracing::info!(secrets.key_file = %path.display(), "created a new secret key");
                Self::from_base64(&encoded)
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Whether this key opens `sealed` as `purpose`.
    pub fn opens(&self, purpose: Purpose, sealed: &[u8]) -> bool {
        self.open(purpose, sealed).is_ok()
    }

    /// An Okta API token, sealed.
    pub fn seal_token(&self, token: &Secret) -> Vec<u8> {
        self.seal(Purpose::OktaToken, token)
    }

    pub fn open_token(&self, sealed: &[u8]) -> Result<Secret, SecretsError> {
        self.open(Purpose::OktaToken, sealed)
    }

    /// nonce || ciphertext+tag.
    pub fn seal(&self, purpose: Purpose, secret: &Secret) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.expose().as_bytes(),
                    aad: purpose.aad(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, purpose: Purpose, sealed: &[u8]) -> Result<Secret, SecretsError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretsError::Decrypt);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: purpose.aad(),
                },
            )
            .map_err(|_| SecretsError::Decrypt)?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| SecretsError::Decrypt)
    }
}

/// Where `gatehouse secrets rotate` puts the new key until the database is re-sealed with it:
/// `<key file>.next`.
pub fn next_key_path(key_file: &Path) -> std::path::PathBuf {
    let mut path = key_file.as_os_str().to_owned();
    path.push(".next");
    path.into()
}

/// Writes `contents` to a new file (never over an existing one) with mode 0600 and syncs it and
/// its directory to disk.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()?;
    sync_dir(path)
}

/// Syncs the directory holding `path` (so a create or rename in it survives a power cut).
pub fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secret.key");
        let first = SecretBox::from_key_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let sealed = first.seal_token(&Secret::new("00token-abcd"));
        let second = SecretBox::from_key_file(&path).unwrap();
        assert_eq!(second.open_token(&sealed).unwrap().expose(), "00token-abcd");
    }

    #[test]
    fn ciphertext_hides_the_token_and_detects_tampering() {
        let secrets = SecretBox::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let mut sealed = secrets.seal_token(&Secret::new("00plain-token"));
        assert!(!sealed.windows(5).any(|w| w == b"plain"));
        assert_ne!(
            sealed,
            secrets.seal_token(&Secret::new("00plain-token")),
            "fresh nonce each time"
        );
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(
            secrets.open_token(&sealed),
            Err(SecretsError::Decrypt)
        ));
        let other = SecretBox::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert!(other
            .open_token(&secrets.seal_token(&Secret::new("x")))
            .is_err());
    }

    #[test]
    fn a_sealed_token_does_not_open_as_another_purpose() {
        let secrets = SecretBox::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let sealed = secrets.seal(Purpose::WebhookSecret, &Secret::new("shared-secret-123"));
        assert_eq!(
            secrets
                .open(Purpose::WebhookSecret, &sealed)
                .unwrap()
                .expose(),
            "shared-secret-123"
        );
        assert!(secrets.open_token(&sealed).is_err());
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(matches!(
            SecretBox::from_base64("c2hvcnQ="),
            Err(SecretsError::BadKey)
        ));
        assert!(matches!(
            SecretBox::from_base64("not base64!"),
            Err(SecretsError::BadKey)
        ));
    }
}
