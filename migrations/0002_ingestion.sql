-- Okta orgs connected to Gatehouse. Ids are never reused (AUTOINCREMENT), so exported rows and
-- alerts never point at a different source after a delete.
CREATE TABLE sources (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    name                   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    subdomain              TEXT NOT NULL,
    domain                 TEXT NOT NULL,
    -- AEAD ciphertext (nonce || sealed token); the plaintext is never stored.
    token_ciphertext       BLOB NOT NULL,
    -- Last four characters, so the UI can say which token is set.
    token_hint             TEXT NOT NULL,
    enabled                INTEGER NOT NULL DEFAULT 1,
    poll_interval_secs     INTEGER NOT NULL DEFAULT 60,
    backfill_hours         INTEGER NOT NULL DEFAULT 24,
    rate_limit_share       REAL    NOT NULL DEFAULT 0.5,
    user_profiles          INTEGER NOT NULL DEFAULT 0,
    user_refresh_minutes   INTEGER NOT NULL DEFAULT 60,
    device_profiles        INTEGER NOT NULL DEFAULT 0,
    device_refresh_minutes INTEGER NOT NULL DEFAULT 60,
    no_events_alarm        INTEGER NOT NULL DEFAULT 1,
    no_events_minutes      INTEGER NOT NULL DEFAULT 1440,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);

-- Where the next poll of a source starts: the URL of Okta's last `next` link (or the first
-- request). Written in the same transaction as the events it follows.
CREATE TABLE poll_checkpoints (
    source_id  INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    next_url   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Normalized Okta.SystemLog rows. Times are Unix milliseconds (UTC).
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    source_id          INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    uuid               TEXT NOT NULL,
    event_time         INTEGER NOT NULL,
    parse_time         INTEGER NOT NULL,
    event_type         TEXT NOT NULL,
    severity           TEXT NOT NULL,
    actor_id           TEXT,
    actor_alternate_id TEXT,
    client_ip          TEXT,
    outcome_result     TEXT,
    row_id             TEXT NOT NULL,
    data               TEXT NOT NULL
);
-- Storage is idempotent on (source, Okta uuid): a re-fetched page inserts nothing twice.
-- Okta never changes an event's `published`, so the key leads with the event time: inserts land
-- near the index's right edge instead of at random uuid positions (2x faster ingestion at a
-- million rows), and the same index serves time-range queries per source.
CREATE UNIQUE INDEX events_source_time_uuid ON events (source_id, event_time, uuid);

-- Events that failed classification: kept with the reason, never silently dropped.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    received_at INTEGER NOT NULL,
    uuid        TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL
);
CREATE INDEX quarantine_source ON quarantine (source_id, received_at);

-- Health counters per source and minute (Unix minute), so dashboards never scan events.
CREATE TABLE health_minutes (
    source_id               INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    minute                  INTEGER NOT NULL,
    events                  INTEGER NOT NULL DEFAULT 0,
    bytes                   INTEGER NOT NULL DEFAULT 0,
    requests                INTEGER NOT NULL DEFAULT 0,
    pages                   INTEGER NOT NULL DEFAULT 0,
    rate_limited            INTEGER NOT NULL DEFAULT 0,
    errors_auth             INTEGER NOT NULL DEFAULT 0,
    errors_server           INTEGER NOT NULL DEFAULT 0,
    errors_timeout          INTEGER NOT NULL DEFAULT 0,
    errors_transport        INTEGER NOT NULL DEFAULT 0,
    errors_decode           INTEGER NOT NULL DEFAULT 0,
    errors_other            INTEGER NOT NULL DEFAULT 0,
    classification_failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, minute)
) WITHOUT ROWID;

-- The latest known state of each source's poller (one row per source).
CREATE TABLE source_status (
    source_id              INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    state                  TEXT NOT NULL,
    reason                 TEXT,
    last_poll_started_at   INTEGER,
    last_poll_finished_at  INTEGER,
    last_poll_duration_ms  INTEGER,
    last_poll_outcome      TEXT,
    last_success_at        INTEGER,
    last_error_at          INTEGER,
    last_error_class       TEXT,
    last_error_code        TEXT,
    last_error_summary     TEXT,
    consecutive_failures   INTEGER NOT NULL DEFAULT 0,
    last_event_time        INTEGER,
    last_event_received_at INTEGER,
    lag_ms                 INTEGER,
    rate_limit_limit       INTEGER,
    rate_limit_remaining   INTEGER,
    rate_limit_reset       INTEGER,
    events_total           INTEGER NOT NULL DEFAULT 0,
    updated_at             INTEGER NOT NULL
);

-- Every poll cycle, newest kept (pruned to the last 200 per source).
CREATE TABLE poll_attempts (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at    INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    requests      INTEGER NOT NULL,
    pages         INTEGER NOT NULL,
    events        INTEGER NOT NULL,
    error_class   TEXT,
    error_code    TEXT,
    error_summary TEXT
);
CREATE INDEX poll_attempts_source ON poll_attempts (source_id, id);
