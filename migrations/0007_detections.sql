-- Detections: which packs and rules run for which source, custom Python rules, every match,
-- the alert grouping (dedup period, threshold) and each rule's error counter.

-- Packs enabled for a source (`okta`, `custom`). A pack not listed is off for that source.
CREATE TABLE source_packs (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    pack_id   TEXT NOT NULL,
    PRIMARY KEY (source_id, pack_id)
) WITHOUT ROWID;

-- Rules switched off for one source inside a pack it has enabled.
CREATE TABLE source_disabled_rules (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    rule_id   TEXT NOT NULL,
    PRIMARY KEY (source_id, rule_id)
) WITHOUT ROWID;

-- Custom rules written in Python (Panther's rule functions) with Panther's metadata fields.
-- They form the `custom` pack. `enabled` is Panther's `Enabled`: off means off everywhere.
CREATE TABLE custom_rules (
    rule_id              TEXT PRIMARY KEY NOT NULL,
    display_name         TEXT NOT NULL DEFAULT '',
    description          TEXT NOT NULL DEFAULT '',
    body                 TEXT NOT NULL,
    -- INFO, LOW, MEDIUM, HIGH, CRITICAL.
    severity             TEXT NOT NULL,
    dedup_period_minutes INTEGER NOT NULL DEFAULT 60,
    threshold            INTEGER NOT NULL DEFAULT 1,
    runbook              TEXT NOT NULL DEFAULT '',
    reference            TEXT NOT NULL DEFAULT '',
    enabled              INTEGER NOT NULL DEFAULT 1,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

-- How far detection has read the events table (events.id, which only grows: a new row takes
-- max(id) + 1). Deleting a source lowers it to the new max(id) in the same transaction, so ids
-- freed at the top are never skipped. Rules run on events stored from now on, not on history.
CREATE TABLE detection_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO detection_state (id, last_event_id) SELECT 1, coalesce(max(id), 0) FROM events;

-- Existing sources run both packs, as new ones do.
INSERT INTO source_packs (source_id, pack_id) SELECT id, 'okta' FROM sources;
INSERT INTO source_packs (source_id, pack_id) SELECT id, 'custom' FROM sources;

-- Grouping of one rule's matches with one dedup string: the window opens at the first match
-- and lasts the rule's dedup period; the alert opens when `events` reaches the threshold.
CREATE TABLE detection_groups (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    rule_id      TEXT NOT NULL,
    dedup        TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    threshold    INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    alert_id     INTEGER REFERENCES alerts(id) ON DELETE SET NULL
);
CREATE INDEX detection_groups_key ON detection_groups (source_id, rule_id, dedup, window_end);

-- Every match of every rule and signal (signals never get an alert). `event_id` is events.id;
-- the alert's events are the matches with its `alert_id`.
CREATE TABLE detection_matches (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    rule_id    TEXT NOT NULL,
    event_id   INTEGER NOT NULL,
    matched_at INTEGER NOT NULL,
    group_id   INTEGER REFERENCES detection_groups(id) ON DELETE SET NULL,
    alert_id   INTEGER REFERENCES alerts(id) ON DELETE SET NULL
);
CREATE INDEX detection_matches_rule ON detection_matches (rule_id, matched_at);
CREATE INDEX detection_matches_group ON detection_matches (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX detection_matches_alert ON detection_matches (alert_id, event_id)
    WHERE alert_id IS NOT NULL;

-- Failures of a rule (a Python exception or time-out): counted and the last one kept.
CREATE TABLE rule_errors (
    rule_id       TEXT PRIMARY KEY NOT NULL,
    errors        INTEGER NOT NULL,
    last_error    TEXT NOT NULL,
    last_error_at INTEGER NOT NULL,
    last_event_id INTEGER
);

-- A detection alert's Panther fields: the dedup string, the rule's alert_context() as JSON,
-- its runbook and reference.
ALTER TABLE alerts ADD COLUMN dedup TEXT;
ALTER TABLE alerts ADD COLUMN alert_context TEXT;
ALTER TABLE alerts ADD COLUMN runbook TEXT;
ALTER TABLE alerts ADD COLUMN reference TEXT;
