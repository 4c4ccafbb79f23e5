-- Migration 0002: progress pages read one learner's events in one course; without this
-- index every page load scans the whole event table.
-- Migrations are append-only: once landed, this file is never edited.

CREATE INDEX event_learner_course ON event (learner, course, seq);
