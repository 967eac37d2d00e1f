use serde::{Deserialize, Serialize};

/// What the Settings page shows about the running server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    pub version: String,
    /// Path of the SQLite file the server writes.
    pub database_path: String,
    pub migrations: Vec<AppliedMigration>,
    /// RFC 3339 time the server process started.
    pub started_at: String,
    /// RFC 3339 time this answer was made (changes on every call).
    pub checked_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
    /// RFC 3339 time it was applied to this database.
    pub installed_on: String,
}
