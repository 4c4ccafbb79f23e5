-- Migration 0001: the base schema of the school server.
-- Migrations are append-only: once landed, this file is never edited.

-- Teachers and the admin; passwords are argon2id PHC strings.
CREATE TABLE teacher (
    name          TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE class (
    id         TEXT PRIMARY KEY NOT NULL,   -- uuid v4
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

-- The roster: learners of a class as the school knows them.
CREATE TABLE learner (
    id         TEXT PRIMARY KEY NOT NULL,   -- uuid v4
    class      TEXT NOT NULL REFERENCES class(id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (class, name)
) STRICT;

-- One-time enrolment codes; only the sha256 of a code is kept.
CREATE TABLE enrolment_code (
    code_hash  TEXT PRIMARY KEY NOT NULL,
    class      TEXT NOT NULL REFERENCES class(id),
    created_at TEXT NOT NULL,
    used_by    TEXT,                        -- device id once used
    used_at    TEXT
) STRICT;

-- Enrolled laptops. `acknowledged` is the highest seq up to which every event of the
-- device is stored, gap-free.
CREATE TABLE device (
    id           TEXT PRIMARY KEY NOT NULL, -- the laptop's progress-store device uuid
    class        TEXT NOT NULL REFERENCES class(id),
    token_hash   TEXT NOT NULL UNIQUE,      -- sha256 hex of the bearer token
    enrolled_at  TEXT NOT NULL,
    revoked_at   TEXT,
    last_seen_at TEXT,
    acknowledged INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Synced events, immutable. `body` is the canonical JSON of the whole event: the same id
-- with a different body is a conflict, never an overwrite.
CREATE TABLE event (
    id             TEXT PRIMARY KEY NOT NULL, -- uuid v7
    device         TEXT NOT NULL REFERENCES device(id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    learner        TEXT NOT NULL,
    course         TEXT NOT NULL,
    course_version TEXT NOT NULL,
    kind           TEXT NOT NULL,
    at             TEXT NOT NULL,             -- the device's clock: recorded, never trusted
    received_at    TEXT NOT NULL,             -- the server's clock
    body           TEXT NOT NULL,
    UNIQUE (device, seq)
) STRICT;

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

-- Published bundles; `path` is relative to the server's data directory.
CREATE TABLE bundle (
    course       TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    path         TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (course, version)
) STRICT;
