-- The event explorer (/events): newest-first pages of the events matching a filter, keyset-paged
-- on (event_time, id). Each index leads with one filtered column and ends with event_time (the
-- rowid, events.id, follows implicitly), so `WHERE col = ? [AND event_time BETWEEN ...]
-- ORDER BY event_time DESC, id DESC LIMIT 51` reads 51 index entries backwards and never sorts.
-- By source: the existing events_source_time_uuid (source_id, event_time, uuid). Time alone
-- (also free text and an IP anywhere, bounded by a time range): events_time, nearly free to keep
-- as inserts append to it. Every keyed index costs each insert ~3-4 µs (a seek from the root);
-- outcomes index only the uncommon ones: SUCCESS (~85% of events) is found by reading in time
-- order, and queries for the others repeat the partial index's condition so SQLite uses it.
CREATE INDEX events_time ON events (event_time);
CREATE INDEX events_type_time ON events (event_type, event_time);
CREATE INDEX events_actor_time ON events (actor_alternate_id, event_time);
CREATE INDEX events_actor_id_time ON events (actor_id, event_time);
CREATE INDEX events_ip_time ON events (client_ip, event_time);
CREATE INDEX events_outcome_time ON events (outcome_result, event_time)
    WHERE outcome_result <> 'SUCCESS';

-- The alerts an event is part of (its detail page): matches by event.
CREATE INDEX detection_matches_event ON detection_matches (event_id);
