-- The no-events alarm of each source, as last evaluated. `armed_at` is when the source last
-- started polling or its alarm settings changed: the threshold counts from there, so a new or
-- resumed source is not in ALARM for events it could not have seen.
CREATE TABLE alarm_status (
    source_id    INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    -- OK, ALARM, INSUFFICIENT_DATA or DISABLED.
    state        TEXT NOT NULL,
    since        INTEGER NOT NULL,
    armed_at     INTEGER NOT NULL,
    evaluated_at INTEGER NOT NULL,
    reason       TEXT NOT NULL
);

-- Every change of an alarm's state (the Health tab's history), newest 200 per source kept.
CREATE TABLE alarm_transitions (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    state     TEXT NOT NULL,
    at        INTEGER NOT NULL,
    reason    TEXT NOT NULL
);
CREATE INDEX alarm_transitions_source ON alarm_transitions (source_id, id);

-- A source's health checks (credentials, receiving_data, classification, rate_limits), updated
-- after each poll. `since` changes only when the state does.
CREATE TABLE source_checks (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    state     TEXT NOT NULL,
    since     INTEGER NOT NULL,
    detail    TEXT NOT NULL,
    PRIMARY KEY (source_id, key)
) WITHOUT ROWID;

-- Alerts: system alerts about the sources now, detection alerts later (rule_id is then the
-- rule's id). Ids are never reused: receivers and people quote them.
-- Dedup: at most one OPEN alert per dedup_key (the partial unique index below). Raising a key
-- that has an open alert bumps its occurrences and last_seen instead of opening another; once
-- resolved, the next raise opens a new alert. System alerts use `<rule id>:<source id>`;
-- detection alerts will fold their dedup period into the key (`<rule id>:<dedup string>:<period
-- start>`), so each period groups into one alert.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id      TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    -- INFO, LOW, MEDIUM, HIGH, CRITICAL.
    severity     TEXT NOT NULL,
    -- open or resolved.
    state        TEXT NOT NULL DEFAULT 'open',
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- JSON array of [label, value] pairs, in display order.
    context      TEXT NOT NULL DEFAULT '[]',
    -- The source's name is copied: alerts outlive deleted sources.
    source_id    INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    source_name  TEXT,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    occurrences  INTEGER NOT NULL DEFAULT 1,
    resolved_at  INTEGER,
    -- automatically (the condition cleared) or manually.
    resolved_how TEXT
);
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (dedup_key) WHERE state = 'open';
CREATE INDEX alerts_last_seen ON alerts (last_seen);
-- The dashboard counts open alerts per source.
CREATE INDEX alerts_open_source ON alerts (source_id) WHERE state = 'open';

-- Webhook destinations. The shared secret is AEAD-sealed like API tokens and never returned.
CREATE TABLE destinations (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL UNIQUE COLLATE NOCASE,
    url               TEXT NOT NULL,
    secret_ciphertext BLOB,
    -- Alerts of this severity or higher are sent.
    min_severity      TEXT NOT NULL,
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- One notification of one alert change to one destination, queued in the same transaction as
-- the change, so a crash never loses one; pending rows survive restarts. The payload is the
-- JSON snapshot sent (the alert as it was at the change). The destination's name is copied:
-- the history outlives a deleted destination.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    alert_id         INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    destination_id   INTEGER REFERENCES destinations(id) ON DELETE SET NULL,
    destination_name TEXT NOT NULL,
    -- opened or resolved.
    change           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    -- pending, delivered or failed (every attempt failed).
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    last_attempt_at  INTEGER,
    last_error       TEXT,
    last_error_at    INTEGER,
    delivered_at     INTEGER,
    created_at       INTEGER NOT NULL
);
-- The delivery worker's queue: pending rows by due time.
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_alert ON deliveries (alert_id);
CREATE INDEX deliveries_destination ON deliveries (destination_id, state);
