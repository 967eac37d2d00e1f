//! `gatehouse secrets rotate`: every sealed value (see [`SealedColumn`]) re-encrypted under a
//! new key in one database transaction, then the key file replaced.
//!
//! The order is chosen so that a crash at any point leaves a key on disk that opens the
//! database, and a second run finishes the job:
//!
//! 1. take the server lock (refused while `gatehouse serve` runs on this database);
//! 2. write the new key to `<key file>.next` (0600, synced, directory synced);
//! 3. re-seal everything in ONE transaction, committed with `synchronous = FULL`;
//! 4. rename `<key file>.next` over `<key file>` and sync the directory.
//!
//! Until step 3 commits, the key file still holds the old key, which opens every value; after
//! it, `.next` holds the key that does. A run that finds a `.next` left behind tries both keys on
//! the stored values: if `.next` opens them, the earlier run committed and only the rename is
//! left; if the current key does, it never committed and `.next` is discarded.
//!
//! When the key comes from `GATEHOUSE_SECRET_KEY` no file is written: the new key is printed
//! once, before the commit, and the operator replaces the variable.

use std::{io::Write, path::Path};

use anyhow::{bail, Context};

use crate::{
    config::{Config, Secret},
    secrets::{self, Purpose, SecretBox},
    store::{SealedColumn, ServerLock, Store},
};

fn purpose(column: SealedColumn) -> Purpose {
    match column {
        SealedColumn::SourceToken => Purpose::OktaToken,
        SealedColumn::DestinationSecret => Purpose::WebhookSecret,
    }
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    /// Values re-sealed.
    pub resealed: usize,
    /// The new key, when it came from the environment (nothing was written to disk).
    pub printed_key: Option<Secret>,
}

/// Rotates the key of `config`'s database; progress and (environment keys) the new key go to
/// `out`.
pub async fn rotate(config: &Config, out: &mut dyn Write) -> anyhow::Result<Rotation> {
    let _lock = ServerLock::acquire(config)?;
    let store = Store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    match &config.secret_key {
        Some(key) => rotate_env_key(&store, key, out).await,
        None => rotate_key_file(&store, &config.secret_key_file, out).await,
    }
}

async fn rotate_env_key(
    store: &Store,
    key: &Secret,
    out: &mut dyn Write,
) -> anyhow::Result<Rotation> {
    let old = SecretBox::from_base64(key.expose())?;
    let (new, encoded) = SecretBox::generate();
    // Printed before the commit: once committed, only this key opens the database.
    writeln!(
        out,
        "New secret key (shown once; the key came from GATEHOUSE_SECRET_KEY, so no file is written):\n\n    {}\n\nSet GATEHOUSE_SECRET_KEY to it wherever the server is started, then start the server.",
        encoded.expose()
    )?;
    out.flush()?;
    let resealed = reseal(store, &old, &new).await?;
    writeln!(
        out,
        "Re-encrypted {resealed} secrets. The old key no longer opens them."
    )?;
    Ok(Rotation {
        resealed,
        printed_key: Some(encoded),
    })
}

async fn rotate_key_file(
    store: &Store,
    key_file: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<Rotation> {
    let shown = key_file.display();
    let text = std::fs::read_to_string(key_file)
        .with_context(|| format!("reading the key file {shown} (nothing to rotate without it)"))?;
    let old = SecretBox::from_base64(&text)?;
    let next_path = secrets::next_key_path(key_file);
    if let Some(next) = leftover_key(&next_path)? {
        match which_key_opens(store, &old, &next).await? {
            KeyInUse::Next => {
                replace_key_file(&next_path, key_file)?;
                writeln!(
                    out,
                    "Finished an interrupted rotation: {shown} now holds the key the database is sealed with."
                )?;
                return Ok(Rotation {
                    resealed: 0,
                    printed_key: None,
                });
            }
            KeyInUse::Current => std::fs::remove_file(&next_path)
                .with_context(|| format!("removing the stale {}", next_path.display()))?,
        }
    }
    let (new, encoded) = SecretBox::generate();
    secrets::write_private_file(&next_path, encoded.expose().as_bytes())
        .with_context(|| format!("writing the new key to {}", next_path.display()))?;
    let resealed = match reseal(store, &old, &new).await {
        Ok(n) => n,
        Err(e) => {
            // Nothing was committed: the old key in the key file still opens everything.
            let _ = std::fs::remove_file(&next_path);
            return Err(e);
        }
    };
    replace_key_file(&next_path, key_file)?;
    writeln!(
        out,
        "Re-encrypted {resealed} secrets under a new key; {shown} replaced (mode 0600). The old key no longer opens them."
    )?;
    Ok(Rotation {
        resealed,
        printed_key: None,
    })
}

/// Every sealed value opened with `old` and sealed with `new`, in one transaction.
async fn reseal(store: &Store, old: &SecretBox, new: &SecretBox) -> anyhow::Result<usize> {
    let outcome = store
        .reseal_all(|column, sealed| {
            let purpose = purpose(column);
            old.open(purpose, sealed)
                .map(|plain| new.seal(purpose, &plain))
                .map_err(|_| column)
        })
        .await?;
    match outcome {
        Ok(n) => Ok(n),
        Err(column) => bail!(
            "a stored {column:?} does not open with the current key; nothing was changed (is the right key configured?)"
        ),
    }
}

fn leftover_key(path: &Path) -> anyhow::Result<Option<SecretBox>> {
    match std::fs::read_to_string(path) {
        Ok(text) => match SecretBox::from_base64(&text) {
            Ok(next) => Ok(Some(next)),
            // Cut off while being written: it never sealed anything.
            Err(_) => {
                std::fs::remove_file(path)?;
                Ok(None)
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

enum KeyInUse {
    Current,
    Next,
}

async fn which_key_opens(
    store: &Store,
    current: &SecretBox,
    next: &SecretBox,
) -> anyhow::Result<KeyInUse> {
    let values = store.sealed_values().await?;
    let opens_all = |key: &SecretBox| {
        values
            .iter()
            .all(|(column, _, sealed)| key.opens(purpose(*column), sealed))
    };
    if values.is_empty() || opens_all(current) {
        Ok(KeyInUse::Current)
    } else if opens_all(next) {
        Ok(KeyInUse::Next)
    } else {
        bail!("neither the key file nor its .next opens every stored secret; nothing was changed")
    }
}

/// `next` renamed over `key_file` (atomic), then the directory synced.
fn replace_key_file(next: &Path, key_file: &Path) -> anyhow::Result<()> {
    std::fs::rename(next, key_file)
        .with_context(|| format!("renaming {} to {}", next.display(), key_file.display()))?;
    secrets::sync_dir(key_file).context("syncing the key file's directory")?;
    Ok(())
}
