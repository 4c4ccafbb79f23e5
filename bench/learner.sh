#!/usr/bin/env bash
# Benchmark of the learner app: lesson page and search latency (p50/p99), time from process
# start to the first page served, and resident memory with three courses open (the two
# sample courses and the `mini` test fixture). Goals: lesson p50 < 2 ms, ready < 300 ms,
# memory < 80 MB. Usage: bench/learner.sh [REQUESTS]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
OUT=bench/out/learner
cargo build --release --quiet
AKTOVKA=target/release/aktovka
rm -rf "$OUT" && mkdir -p "$OUT/bundles"
for course in courses/digitalni-gramotnost courses/digital-skills-en tests/fixtures/courses/mini; do
  $AKTOVKA build "$course" -o "$OUT/bundles/" --data "$OUT/build-data" >/dev/null 2>&1
done
# One run to compile the plugins into the data directory's cache (as on a pupil's laptop
# after the first start), then the measured run.
python3 bench/learner.py "$AKTOVKA" "$OUT/data" 20 "$OUT"/bundles/*.aktovka >/dev/null
python3 bench/learner.py "$AKTOVKA" "$OUT/data" "$N" "$OUT"/bundles/*.aktovka
