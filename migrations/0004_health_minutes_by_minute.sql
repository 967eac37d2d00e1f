-- The dashboard reads the last 24 hours of every source's health minutes in one query.
CREATE INDEX health_minutes_minute ON health_minutes (minute);
