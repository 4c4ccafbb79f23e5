#!/bin/sh
# Sync load benchmark: 30 simulated laptops × 5,000 events pushing at once to one server on
# loopback (SQLite; `--postgres URL` for PostgreSQL), against raw inserts of the same rows.
# See bench/sync.rs.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench sync -- "$@"
