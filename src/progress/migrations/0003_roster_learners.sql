-- Migration 0003: learners from the school's roster (sync). A roster learner keeps the id
-- the server gave it, so the server can name whose events it receives. A local profile
-- that a pupil created before the laptop was enrolled, under the same name as a roster
-- learner, is linked to that roster learner (`merged_into`): it leaves the picker, its
-- events (immutable) keep its own id, and progress pages count them for the roster learner.
-- Migrations are append-only: once landed, this file is never edited.

ALTER TABLE learner ADD COLUMN roster INTEGER NOT NULL DEFAULT 0 CHECK (roster IN (0, 1));
ALTER TABLE learner ADD COLUMN merged_into TEXT REFERENCES learner(id);
