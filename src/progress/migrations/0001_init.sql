-- Migration 0001: the base schema of the progress store.
-- Migrations are append-only: once landed, this file is never edited.

-- One row per setting of this store; `device_id` is the uuid (v4) of this laptop's store.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Local learner profiles on a shared laptop.
CREATE TABLE learner (
    id         TEXT PRIMARY KEY NOT NULL,   -- uuid v4, hyphenated
    name       TEXT NOT NULL,               -- trimmed, NFC, as typed
    name_key   TEXT NOT NULL UNIQUE,        -- lowercased name: uniqueness ignores case
    pin_salt   TEXT,                        -- hex, 16 random bytes; NULL when no PIN
    pin_hash   TEXT,                        -- hex sha256(salt bytes || PIN digits); NULL when no PIN
    created_at TEXT NOT NULL                -- RFC 3339 with offset
) STRICT;

-- Every action of a learner, immutable. `payload` is the JSON of the event kind
-- (`{"kind":"attempt","exercise":…}`), the other columns are the common fields.
CREATE TABLE event (
    device         TEXT NOT NULL,           -- uuid of the store that recorded it
    seq            INTEGER NOT NULL CHECK (seq >= 1),  -- per device, gap-free, from 1
    id             TEXT NOT NULL UNIQUE,    -- uuid v7
    learner        TEXT NOT NULL REFERENCES learner(id),
    course         TEXT NOT NULL,
    course_version TEXT NOT NULL,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    at             TEXT NOT NULL,           -- RFC 3339 with offset, milliseconds
    PRIMARY KEY (device, seq)
) STRICT;

-- Events are facts: nothing changes or removes one.
CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;
