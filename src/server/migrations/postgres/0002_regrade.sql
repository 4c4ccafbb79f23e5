-- PostgreSQL migration 0002: the server's own grading of every synced attempt, mirroring
-- SQLite's migrations/0002_regrade.sql.
-- Migrations are append-only: once landed, this file is never edited.

-- One row per attempt event once the server has re-graded it with the same plugin (by
-- sha256) and seed. `mismatch` flags a score the laptop reported but the plugin does not
-- give; `unverifiable` says why no re-grading was possible (bundle not published, plugin
-- differs, plugin failed).
CREATE TABLE regrade (
    event         UUID PRIMARY KEY REFERENCES event(id),
    status        TEXT NOT NULL CHECK (status IN ('match', 'mismatch', 'unverifiable')),
    server_score  DOUBLE PRECISION,
    server_passed BOOLEAN,
    detail        TEXT NOT NULL,
    graded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
