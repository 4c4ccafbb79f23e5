-- PostgreSQL migration 0001: the base schema of the school server, mirroring SQLite's
-- migrations/0001_init.sql with PostgreSQL's own types (uuid, boolean, bigint, timestamptz).
-- Migrations are append-only: once landed, this file is never edited.

-- Teachers and the admin; passwords are argon2id PHC strings.
CREATE TABLE teacher (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE class (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The roster: learners of a class as the school knows them.
CREATE TABLE learner (
    id         UUID PRIMARY KEY,
    class      UUID NOT NULL REFERENCES class(id),
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (class, name)
);

-- One-time enrolment codes; only the sha256 of a code is kept.
CREATE TABLE enrolment_code (
    code_hash  TEXT PRIMARY KEY,
    class      UUID NOT NULL REFERENCES class(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_by    UUID,                          -- device id once used
    used_at    TIMESTAMPTZ
);

-- Enrolled laptops. `acknowledged` is the highest seq up to which every event of the
-- device is stored, gap-free. A push locks its device's row, so pushes of one device are
-- serialised while different devices push in parallel.
CREATE TABLE device (
    id           UUID PRIMARY KEY,            -- the laptop's progress-store device uuid
    class        UUID NOT NULL REFERENCES class(id),
    token_hash   TEXT NOT NULL UNIQUE,        -- sha256 hex of the bearer token
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ,
    acknowledged BIGINT NOT NULL DEFAULT 0 CHECK (acknowledged >= 0)
);

-- Synced events, immutable. `body` is the canonical JSON of the whole event, kept as text
-- (not jsonb, which would reorder keys): the same id with a different body is a conflict,
-- never an overwrite.
CREATE TABLE event (
    id             UUID PRIMARY KEY,          -- uuid v7
    device         UUID NOT NULL REFERENCES device(id),
    seq            BIGINT NOT NULL CHECK (seq >= 1),
    learner        UUID NOT NULL,
    course         TEXT NOT NULL,
    course_version TEXT NOT NULL,
    kind           TEXT NOT NULL,
    at             TEXT NOT NULL,             -- the device's clock: recorded, never trusted
    received_at    TIMESTAMPTZ NOT NULL DEFAULT now(), -- the server's clock
    body           TEXT NOT NULL,
    UNIQUE (device, seq)
);

CREATE FUNCTION event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable';
END
$$;

CREATE TRIGGER event_no_update_or_delete BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_immutable();

CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION event_immutable();

-- Published bundles; `path` is relative to the server's data directory.
CREATE TABLE bundle (
    course       TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    path         TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (course, version)
);
