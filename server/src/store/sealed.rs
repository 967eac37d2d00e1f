//! Every sealed column (AEAD ciphertexts under the server's key), for `gatehouse secrets
//! rotate`: read and rewritten in one transaction, all or nothing.

use sqlx::{Acquire, Connection};

use super::{Store, StoreError};

/// A column that holds sealed values. Add new sealed columns here, or rotation leaves them
/// under the old key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedColumn {
    /// `sources.token_ciphertext`: Okta API tokens.
    SourceToken,
    /// `destinations.secret_ciphertext`: webhook signing secrets (NULL when unsigned).
    DestinationSecret,
}

impl SealedColumn {
    pub const ALL: [SealedColumn; 2] = [SealedColumn::SourceToken, SealedColumn::DestinationSecret];

    fn select(self) -> &'static str {
        match self {
            SealedColumn::SourceToken => "SELECT id, token_ciphertext FROM sources ORDER BY id",
            SealedColumn::DestinationSecret => {
                "SELECT id, secret_ciphertext FROM destinations
                 WHERE secret_ciphertext IS NOT NULL ORDER BY id"
            }
        }
    }

    fn update(self) -> &'static str {
        match self {
            SealedColumn::SourceToken => "UPDATE sources SET token_ciphertext = ? WHERE id = ?",
            SealedColumn::DestinationSecret => {
                "UPDATE destinations SET secret_ciphertext = ? WHERE id = ?"
            }
        }
    }
}

impl Store {
    /// Every sealed value, by column: (row id, ciphertext).
    pub async fn sealed_values(&self) -> Result<Vec<(SealedColumn, i64, Vec<u8>)>, StoreError> {
        let mut all = Vec::new();
        for column in SealedColumn::ALL {
            let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(column.select())
                .fetch_all(self.pool())
                .await?;
            all.extend(rows.into_iter().map(|(id, sealed)| (column, id, sealed)));
        }
        Ok(all)
    }

    /// Rewrites every sealed value with `reseal(column, old)` in ONE transaction, committed with
    /// `synchronous = FULL` so the commit is on disk before the caller replaces the key. When
    /// `reseal` fails for any value nothing is written and its error is returned (inner Err).
    /// Returns how many values were rewritten.
    pub async fn reseal_all<E>(
        &self,
        mut reseal: impl FnMut(SealedColumn, &[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Result<usize, E>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        sqlx::query("PRAGMA synchronous = FULL")
            .execute(&mut *conn)
            .await?;
        let result = async {
            let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
            let mut count = 0;
            for column in SealedColumn::ALL {
                let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(column.select())
                    .fetch_all(tx.acquire().await?)
                    .await?;
                for (id, old) in rows {
                    let new = match reseal(column, &old) {
                        Ok(new) => new,
                        // Dropping the transaction rolls it back.
                        Err(e) => return Ok(Err(e)),
                    };
                    sqlx::query(column.update())
                        .bind(new)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    count += 1;
                }
            }
            tx.commit().await?;
            Ok::<_, StoreError>(Ok(count))
        }
        .await;
        // The pool's other connections keep NORMAL; put this one back the same way.
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
        result
    }
}
