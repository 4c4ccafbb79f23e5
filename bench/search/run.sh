#!/usr/bin/env bash
# Search benchmark on the sample course: aktovka's index against mdBook's search
# (elasticlunr, run in Node) and SQLite FTS5, over the same sections and the same queries
# (queries.tsv, also the relevance test's). Prints one JSON line per measurement; the
# figures in README.md come from it.
#
# Needs node/npm (installs elasticlunr into node_modules on first run) and python3 with
# sqlite3. When bench/out/tools/bin/mdbook exists (bench/build.sh installs it), a real
# mdBook of the lessons is built too and its searchindex.js size reported.
# Usage: bench/search/run.sh [RUNS]   (warm passes over the query list, default 20)
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-20}
ROOT=$(cd ../.. && pwd)
OUT=out
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$OUT"

(cd "$ROOT" && cargo build --release --quiet)
[ -f Cargo.lock ] || cp "$ROOT/Cargo.lock" .
cargo build --release --quiet
[ -d node_modules/elasticlunr ] || npm install --no-audit --no-fund --silent
AKTOVKA=$CARGO_TARGET_DIR/release/aktovka
BENCH=$CARGO_TARGET_DIR/release/aktovka-search-bench
COURSE=$ROOT/courses/digitalni-gramotnost
FIRST=$(grep -v '^#' queries.tsv | head -1 | cut -f1)

echo "== build"
"$BENCH" export "$COURSE" "$OUT"
"$AKTOVKA" build "$COURSE" -o "$OUT/course.aktovka" >/dev/null 2>&1
node elasticlunr.js build "$OUT/sections.json" "$OUT/searchindex.js"
python3 fts5.py build "$OUT/sections.json" "$OUT/fts5.db"

echo "== sizes (bytes)"
index_bytes=$(unzip -Zl "$OUT/course.aktovka" | awk '$NF ~ /^search\// {s += $4} END {print s}')
echo "{\"aktovka_search_dir\": $index_bytes, \"elasticlunr_searchindex_js\": $(stat -c %s "$OUT/searchindex.js"), \"elasticlunr_searchindex_js_gzip\": $(gzip -9c "$OUT/searchindex.js" | wc -c), \"fts5_db\": $(stat -c %s "$OUT/fts5.db")}"
MDBOOK=$ROOT/bench/out/tools/bin/mdbook
if [ -x "$MDBOOK" ]; then
  BOOK=$OUT/mdbook
  rm -rf "$BOOK" && mkdir -p "$BOOK/src"
  printf '[book]\ntitle = "Digitální gramotnost"\nlanguage = "cs"\n' > "$BOOK/book.toml"
  echo "# Summary" > "$BOOK/src/SUMMARY.md"
  for f in "$COURSE"/lessons/*.md; do
    name=$(basename "$f")
    # mdBook does not know TOML front matter: drop it, keep the rest as written.
    awk 'NR==1 && /^\+\+\+$/ {fm=1; next} fm && /^\+\+\+$/ {fm=0; next} !fm' "$f" > "$BOOK/src/$name"
    echo "- [$name]($name)" >> "$BOOK/src/SUMMARY.md"
  done
  "$MDBOOK" build "$BOOK" >/dev/null 2>&1
  js=$(ls "$BOOK"/book/searchindex*.js | head -1)
  echo "{\"mdbook_searchindex_js\": $(stat -c %s "$js"), \"mdbook_searchindex_js_gzip\": $(gzip -9c "$js" | wc -c)}"
fi

echo "== in-process: first result (open + first query) and warm latency"
"$BENCH" time "$OUT/course.aktovka" queries.tsv "$RUNS" | sed 's/^/aktovka     /'
node elasticlunr.js time "$OUT/searchindex.js" queries.tsv "$RUNS" | sed 's/^/elasticlunr /'
python3 fts5.py time "$OUT/fts5.db" queries.tsv "$RUNS" | sed 's/^/fts5        /'

echo "== whole process to first result (median of 10; warm page cache)"
EXPR=$(python3 -c 'import sys, fts5; print(fts5.match_expr(sys.argv[1]))' "$FIRST")
python3 ../measure.py 10 -- "$AKTOVKA" search "$OUT/course.aktovka" "$FIRST" | sed 's/^/aktovka search   /'
python3 ../measure.py 10 -- node elasticlunr.js first "$OUT/searchindex.js" "$FIRST" | sed 's/^/node elasticlunr /'
python3 ../measure.py 10 -- sqlite3 "$OUT/fts5.db" "select lesson from s where s match '$EXPR' order by bm25(s) limit 10" | sed 's/^/sqlite3 fts5     /'
