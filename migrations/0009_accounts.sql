-- Console accounts and their sign-in sessions.
--
-- Passwords are argon2id PHC strings. A session row is keyed by the SHA-256 (hex) of the random
-- token in the browser's `gatehouse_session` cookie: the token itself is never stored, so a copy
-- of the database cannot be replayed as a cookie.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    -- Idle expiry counts from here.
    last_seen_at INTEGER NOT NULL,
    -- Absolute expiry: never extended by activity.
    expires_at   INTEGER NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
