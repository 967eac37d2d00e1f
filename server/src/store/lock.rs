//! The server lock: `gatehouse serve` holds an exclusive lock on `<database>.lock` while it
//! runs, and `gatehouse secrets rotate` takes the same lock, so a key is never rotated under a
//! running server (which would keep sealing with the old key). The OS releases the lock when the
//! process ends, however it ends.

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::PathBuf,
};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path} is locked: a Gatehouse server (or `gatehouse secrets rotate`) is using this database; stop it first")]
    Busy { path: String },
    #[error("cannot open the lock file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Held while it lives.
#[derive(Debug)]
pub struct ServerLock {
    _file: Option<File>,
}

impl ServerLock {
    /// The lock of `config`'s database, taken now or refused (never waited for). An in-memory
    /// database has no lock to take.
    pub fn acquire(config: &Config) -> Result<Self, LockError> {
        let db = config.database_path();
        let text = db.to_string_lossy();
        if text.contains(":memory:") || config.database_url.contains("mode=memory") {
            return Ok(Self { _file: None });
        }
        let mut path = PathBuf::from(db);
        path.as_mut_os_string().push(".lock");
        let shown = path.display().to_string();
        let io = |source| LockError::Io {
            path: shown.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy { path: shown }),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}
