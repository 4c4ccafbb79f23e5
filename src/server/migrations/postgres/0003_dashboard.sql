-- PostgreSQL migration 0003: the teacher dashboard, mirroring SQLite's
-- migrations/0003_dashboard.sql: which teacher sees which class, and login sessions.
-- Migrations are append-only: once landed, this file is never edited.

-- A teacher sees the classes linked here (the admin sees every class without a link).
CREATE TABLE class_teacher (
    class       UUID NOT NULL REFERENCES class(id),
    teacher     TEXT NOT NULL REFERENCES teacher(name),
    assigned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (class, teacher)
);

-- Dashboard login sessions; only the sha256 hex of the random cookie token is kept.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    teacher    TEXT NOT NULL REFERENCES teacher(name),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);

-- The dashboard reads a class's events by the learners on its roster.
CREATE INDEX event_learner ON event (learner);
