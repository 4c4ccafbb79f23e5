-- Migration 0003: the teacher dashboard: which teacher sees which class, and login sessions.
-- Migrations are append-only: once landed, this file is never edited.

-- A teacher sees the classes linked here (the admin sees every class without a link).
CREATE TABLE class_teacher (
    class       TEXT NOT NULL REFERENCES class(id),
    teacher     TEXT NOT NULL REFERENCES teacher(name),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (class, teacher)
) STRICT;

-- Dashboard login sessions; only the sha256 hex of the random cookie token is kept.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY NOT NULL,
    teacher    TEXT NOT NULL REFERENCES teacher(name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL              -- same format as created_at, compared as text
) STRICT;

-- The dashboard reads a class's events by the learners on its roster.
CREATE INDEX event_learner ON event (learner);
