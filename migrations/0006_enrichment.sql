-- Okta user and device profiles per source (enrichment lookup tables), and how their syncs are
-- doing. Times are Unix milliseconds. `okta` holds the full Okta object as JSON; the other
-- columns are what the Enrichment tab shows and searches, and what the in-memory index is
-- built from. `seen_at` is the sync that last returned the row: a full sync removes the rows it
-- did not see (deleted in Okta).
CREATE TABLE okta_users (
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    status       TEXT NOT NULL,
    login        TEXT NOT NULL,
    email        TEXT,
    first_name   TEXT,
    last_name    TEXT,
    display_name TEXT,
    title        TEXT,
    department   TEXT,
    manager      TEXT,
    manager_id   TEXT,
    last_login   INTEGER,
    last_updated INTEGER,
    seen_at      INTEGER NOT NULL,
    okta         TEXT NOT NULL,
    PRIMARY KEY (source_id, id)
) WITHOUT ROWID;
CREATE INDEX okta_users_login ON okta_users (source_id, login COLLATE NOCASE);

CREATE TABLE okta_devices (
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    status        TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    platform      TEXT,
    model         TEXT,
    manufacturer  TEXT,
    os_version    TEXT,
    serial_number TEXT,
    managed       INTEGER,
    registered    INTEGER,
    -- JSON array of the owners' logins (from `_embedded.users`).
    owners        TEXT NOT NULL DEFAULT '[]',
    last_updated  INTEGER,
    seen_at       INTEGER NOT NULL,
    okta          TEXT NOT NULL,
    PRIMARY KEY (source_id, id)
) WITHOUT ROWID;
CREATE INDEX okta_devices_name ON okta_devices (source_id, display_name COLLATE NOCASE);

-- One row per source and kind (`users`, `devices`). `state`: waiting (no full sync yet),
-- syncing, ready, failed. `cursor` is the greatest `lastUpdated` seen (RFC 3339), the next delta
-- sync's `lastUpdated gt` bound. Cleared when the kind is switched on again (a full sync follows).
CREATE TABLE profile_syncs (
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    last_full_at  INTEGER,
    last_delta_at INTEGER,
    next_due_at   INTEGER,
    cursor        TEXT,
    last_error    TEXT,
    last_error_at INTEGER,
    PRIMARY KEY (source_id, kind)
) WITHOUT ROWID;
