#!/usr/bin/env bash
# Benchmark: `aktovka build` of the imported Rust book against `mdbook build` of the same
# book. Prints median wall time and peak memory side by side with their ratio and the goal
# (aktovka at most 0.7x mdbook's wall time and at most its peak memory).
#
# Needs ../shared/corpora/rust-book (the benchmark corpus); installs mdbook from crates.io
# into bench/out/tools on first run. Usage: bench/build.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BOOK=${RUST_BOOK:-../shared/corpora/rust-book}
OUT=bench/out
[ -f "$BOOK/src/SUMMARY.md" ] || { echo "no corpus at $BOOK (set RUST_BOOK)"; exit 2; }
mkdir -p "$OUT/tools"

if [ ! -x "$OUT/tools/bin/mdbook" ]; then
  echo "installing mdbook from crates.io (once)..."
  cargo install --quiet --locked --root "$OUT/tools" mdbook
fi
# AKTOVKA_BIN=path skips the build (for a binary built just before).
if [ -z "${AKTOVKA_BIN:-}" ]; then cargo build --release --quiet; fi
AKTOVKA=${AKTOVKA_BIN:-target/release/aktovka}
MDBOOK=$OUT/tools/bin/mdbook

rm -rf "$OUT/rust-book-course"
$AKTOVKA import mdbook "$BOOK" "$OUT/rust-book-course" 2>/dev/null | tail -1
# mdbook writes into the book folder's neighbourhood; build a copy so the corpus stays read-only.
rm -rf "$OUT/rust-book-src" && cp -r "$BOOK" "$OUT/rust-book-src" && chmod -R u+w "$OUT/rust-book-src"

a=$(python3 bench/measure.py "$RUNS" -- $AKTOVKA build "$OUT/rust-book-course" -o "$OUT/rust-book.aktovka")
m=$(python3 bench/measure.py "$RUNS" -- $MDBOOK build "$OUT/rust-book-src" -d "$(pwd)/$OUT/rust-book-html")

python3 - "$a" "$m" "$RUNS" "$($MDBOOK --version)" <<'PY'
import json, sys
a, m, runs, mdv = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
mb = lambda b: b / (1 << 20)
print(f"\nRust book, {runs} runs each (median wall time, peak RSS)")
print(f"{'':24}{'aktovka build':>16}{mdv:>18}{'ratio':>9}{'goal':>9}")
tr = a['median_s'] / m['median_s']
mr = a['peak_rss_bytes'] / m['peak_rss_bytes']
print(f"{'wall time (s)':24}{a['median_s']:16.3f}{m['median_s']:18.3f}{tr:9.2f}{'<= 0.70':>9}  {'OK' if tr <= 0.7 else 'MISSED'}")
print(f"{'peak memory (MiB)':24}{mb(a['peak_rss_bytes']):16.1f}{mb(m['peak_rss_bytes']):18.1f}{mr:9.2f}{'<= 1.00':>9}  {'OK' if mr <= 1.0 else 'MISSED'}")
PY
