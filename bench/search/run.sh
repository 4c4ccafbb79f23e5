#!/usr/bin/env bash
# Search benchmark, in one run on two courses: the rust book imported from its mdBook
# (../shared/corpora/rust-book) and the sample course (courses/digitalni-gramotnost).
# For each: aktovka's index against mdBook's real `searchindex.js` of the same book
# (loaded and queried in Node with elasticlunr, as mdBook's page does) and SQLite FTS5
# over the same sections aktovka indexes. Measures index size, time from process start to
# the first result, warm per-query p50/p99 (top 10; aktovka's with snippets) and how many
# queries find their lesson in the top 3, then prints them side by side with the goals of
# issue 3. Raw JSON lines are kept in out/<course>/*.json.
#
# Needs node/npm (installs elasticlunr into node_modules on first run), python3, the
# sqlite3 shell, unzip, and bench/out/tools/bin/mdbook (bench/build.sh installs it).
# Usage: bench/search/run.sh [RUNS]   (warm passes over each query list, default 20)
# AKTOVKA_BIN=path / SEARCH_BENCH_BIN=path skip the cargo builds (use binaries built
# before); either way the binaries are copied first, so a rebuild mid-run cannot mix them.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-20}
ROOT=$(cd ../.. && pwd)
OUT=$(pwd)/out
BOOK=${RUST_BOOK:-$ROOT/../shared/corpora/rust-book}
MDBOOK=$ROOT/bench/out/tools/bin/mdbook
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
[ -f "$BOOK/src/SUMMARY.md" ] || { echo "no corpus at $BOOK (set RUST_BOOK)"; exit 2; }
[ -x "$MDBOOK" ] || { echo "no $MDBOOK: run bench/build.sh once"; exit 2; }
mkdir -p "$OUT/bin"

if [ -z "${AKTOVKA_BIN:-}" ]; then (cd "$ROOT" && cargo build --release --quiet); fi
if [ -z "${SEARCH_BENCH_BIN:-}" ]; then
  [ -f Cargo.lock ] || cp "$ROOT/Cargo.lock" .
  cargo build --release --quiet
fi
cp "${AKTOVKA_BIN:-$CARGO_TARGET_DIR/release/aktovka}" "$OUT/bin/aktovka"
cp "${SEARCH_BENCH_BIN:-$CARGO_TARGET_DIR/release/aktovka-search-bench}" "$OUT/bin/search-bench"
AKTOVKA=$OUT/bin/aktovka
BENCH=$OUT/bin/search-bench
[ -d node_modules/elasticlunr ] || npm install --no-audit --no-fund --silent

# The sample course has no mdBook of its own: make one of its lessons (front matter
# removed, since mdBook does not know it), so mdBook indexes the same text.
sample_mdbook() {
  local course=$1 book=$2
  mkdir -p "$book/src"
  printf '[book]\ntitle = "Digitální gramotnost"\nlanguage = "cs"\n' > "$book/book.toml"
  echo "# Summary" > "$book/src/SUMMARY.md"
  for f in "$course"/lessons/*.md; do
    name=$(basename "$f")
    awk 'NR==1 && /^\+\+\+$/ {fm=1; next} fm && /^\+\+\+$/ {fm=0; next} !fm' "$f" > "$book/src/$name"
    echo "- [$name]($name)" >> "$book/src/SUMMARY.md"
  done
}

# bench_course NAME COURSE_DIR QUERIES_TSV MDBOOK_SOURCE_DIR
bench_course() {
  local name=$1 course=$2 queries=$3 book=$4 dir=$OUT/$1
  echo "== $name"
  rm -rf "$dir/mdbook-html" "$dir/course.aktovka"
  mkdir -p "$dir"
  "$BENCH" export "$course" "$dir" > "$dir/export.json"
  "$AKTOVKA" build "$course" -o "$dir/course.aktovka" >/dev/null 2>&1
  "$MDBOOK" build "$book" -d "$dir/mdbook-html" >/dev/null 2>&1
  # mdBook 0.5 names it searchindex-<hash>.js (and may write searchindex.json beside it).
  local js
  js=$(ls "$dir"/mdbook-html/searchindex*.js | head -1)
  python3 fts5.py build "$dir/sections.json" "$dir/fts5.db"

  local search_bytes
  search_bytes=$(unzip -Zl "$dir/course.aktovka" | awk '$NF ~ /^search\// {s += $4} END {print s}')
  echo "{\"aktovka_search_dir\": $search_bytes, \"mdbook_searchindex_js\": $(stat -c %s "$js"), \"mdbook_searchindex_js_gzip\": $(gzip -9c "$js" | wc -c), \"fts5_db\": $(stat -c %s "$dir/fts5.db"), \"mdbook_file\": \"$(basename "$js")\"}" > "$dir/sizes.json"

  # In-process: open + first query, then RUNS warm passes.
  "$BENCH" time "$dir/course.aktovka" "$queries" "$RUNS" > "$dir/aktovka.json"
  node elasticlunr.js time "$js" "$queries" "$RUNS" > "$dir/elasticlunr.json"
  python3 fts5.py time "$dir/fts5.db" "$queries" "$RUNS" > "$dir/fts5.json"

  # Whole process to the first result, warm page cache (one untimed run first).
  local first expr
  first=$(grep -v '^#' "$queries" | head -1 | cut -f1)
  expr=$(python3 -c 'import sys, fts5; print(fts5.match_expr(sys.argv[1]))' "$first")
  "$AKTOVKA" search "$dir/course.aktovka" "$first" >/dev/null
  python3 ../measure.py 10 -- "$AKTOVKA" search "$dir/course.aktovka" "$first" > "$dir/aktovka-process.json"
  python3 ../measure.py 10 -- node elasticlunr.js first "$js" "$first" > "$dir/elasticlunr-process.json"
  python3 ../measure.py 10 -- sqlite3 "$dir/fts5.db" \
    "select lesson from s where s match '$expr' order by bm25(s) limit 10" > "$dir/fts5-process.json"
  echo "first query: $first" > "$dir/first-query.txt"
  for f in sizes aktovka elasticlunr fts5 aktovka-process elasticlunr-process fts5-process; do
    printf '%-20s %s\n' "$f" "$(cat "$dir/$f.json")"
  done
}

# The rust book, imported as bench/build.sh does; mdBook builds a writable copy.
rm -rf "$OUT/rust-book/course" "$OUT/rust-book/mdbook-src"
mkdir -p "$OUT/rust-book"
"$AKTOVKA" import mdbook "$BOOK" "$OUT/rust-book/course" >/dev/null 2>&1
cp -r "$BOOK" "$OUT/rust-book/mdbook-src" && chmod -R u+w "$OUT/rust-book/mdbook-src"
bench_course rust-book "$OUT/rust-book/course" queries-rust-book.tsv "$OUT/rust-book/mdbook-src"

rm -rf "$OUT/sample/mdbook-src"
sample_mdbook "$ROOT/courses/digitalni-gramotnost" "$OUT/sample/mdbook-src"
bench_course sample "$ROOT/courses/digitalni-gramotnost" queries.tsv "$OUT/sample/mdbook-src"

python3 - "$OUT" "$RUNS" "$("$MDBOOK" --version)" <<'PY'
import json, sys
out, runs, mdv = sys.argv[1], sys.argv[2], sys.argv[3]
load = lambda c, f: json.load(open(f"{out}/{c}/{f}.json"))
print(f"\nSearch: aktovka vs {mdv} (elasticlunr in Node) vs SQLite FTS5 (unicode61 remove_diacritics 2)")
print(f"whole process: median of 10, warm page cache; warm latency: {runs} passes of the query list, top 10")
head = f"{'':34}{'aktovka':>10}{'mdBook':>10}{'FTS5':>10}{'ratio':>9}{'goal':>10}"
for course, label in (("rust-book", "rust book"), ("sample", "sample course (cs)")):
    s, a, e, f = (load(course, x) for x in ("sizes", "aktovka", "elasticlunr", "fts5"))
    ap, ep, fp = (load(course, x)["median_s"] * 1e3 for x in ("aktovka-process", "elasticlunr-process", "fts5-process"))
    sections = load(course, "export")["sections"]
    print(f"\n{label}, {sections} sections, {a['queries'] // int(runs)} queries")
    print(head)
    def row(name, av, ev, fv, ratio=None, goal=None, ok=None, fmt="{:10.2f}"):
        cells = "".join(fmt.format(v) if isinstance(v, (int, float)) else f"{v:>10}" for v in (av, ev, fv))
        r = f"{ratio:9.2f}" if ratio is not None else f"{'':9}"
        g = f"{goal:>10}" if goal else ""
        v = ("  OK" if ok else "  MISSED") if ok is not None else ""
        print(f"{name:34}{cells}{r}{g}{v}")
    kb = lambda b: b / 1000
    size_ratio = s["aktovka_search_dir"] / s["mdbook_searchindex_js"]
    row("index size (kB)", kb(s["aktovka_search_dir"]), kb(s["mdbook_searchindex_js"]), kb(s["fts5_db"]),
        size_ratio, "<= 0.40", size_ratio <= 0.40, "{:10.0f}")
    row("  mdBook index gzipped (kB)", "", kb(s["mdbook_searchindex_js_gzip"]), "", fmt="{:10.0f}")
    speed = ep / ap
    row("first result, whole process (ms)", ap, ep, fp, speed, ">= 10x", speed >= 10, "{:10.1f}")
    row("  aktovka vs FTS5 (x faster)", "", "", "", fp / ap)
    row("first result, in-process (ms)", a["first_result_ms"], e["first_result_ms"], f["first_result_ms"],
        e["first_result_ms"] / a["first_result_ms"], fmt="{:10.1f}")
    p50_goal = course == "rust-book"
    row("warm p50 per query (ms)", a["warm_p50_ms"], e["warm_p50_ms"], f["warm_p50_ms"], None,
        "< 1 ms" if p50_goal else None, a["warm_p50_ms"] < 1.0 if p50_goal else None, "{:10.3f}")
    if "warm_top1_p50_ms" in a:
        row("  aktovka p50, top 1 (ms)", a["warm_top1_p50_ms"], "", "", fmt="{:10.3f}")
    row("warm p99 per query (ms)", a["warm_p99_ms"], e["warm_p99_ms"], f["warm_p99_ms"], fmt="{:10.3f}")
    row("right lesson in top 3", a["top3"], e["top3"], f["top3"])
print("\nratio: size aktovka/mdBook; first result mdBook/aktovka (how many times faster).")
print("aktovka's warm queries render highlighted snippets; elasticlunr and FTS5 return ids only.")
PY
