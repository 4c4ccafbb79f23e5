#!/usr/bin/env python3
"""The SQLite baseline: an FTS5 table of the same sections, folded like aktovka's
`folded` analyzer (unicode61, remove_diacritics 2) but without stemming, ranked by bm25
with the same field weights as aktovka.

  fts5.py build SECTIONS_JSON OUT_DB
  fts5.py time DB QUERIES_TSV RUNS

`time` prints one JSON line: time to the first result (connect to the file, run the first
query), warm per-query percentiles, and how many queries found their lesson among the
first three hits. A query is its words, all required, the last one also as a prefix.
"""
import json
import os
import re
import sqlite3
import sys
import time

WEIGHTS = "bm25(s, 0, 4.0, 2.5, 1.0, 2.0, 1.2)"  # lesson, title, heading, body, keywords, exercises


def build(sections_path, out):
    sections = json.load(open(sections_path, encoding="utf-8"))
    if os.path.exists(out):
        os.remove(out)
    db = sqlite3.connect(out)
    db.execute(
        "create virtual table s using fts5(lesson unindexed, title, heading, body, keywords, "
        "exercises, tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "insert into s values (?, ?, ?, ?, ?, ?)",
        [
            (x["lesson"], x["title"], x["heading"], x["body"], " ".join(x["keywords"]), x["exercises"])
            for x in sections
        ],
    )
    db.execute("insert into s(s) values ('optimize')")
    db.commit()
    db.execute("vacuum")
    db.close()


def match_expr(query):
    words = re.findall(r"\w+", query)
    if not words:
        return None
    parts = ['"%s"' % w for w in words]
    parts[-1] += "*"
    return " ".join(parts)


def search(db, query):
    expr = match_expr(query)
    if expr is None:
        return []
    sql = f"select lesson from s where s match ? order by {WEIGHTS} limit 10"
    return [r[0] for r in db.execute(sql, (expr,))]


def queries(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            q, lesson = line.rstrip("\n").split("\t")
            out.append((q, lesson))
    return out


def timing(db_path, queries_path, runs):
    qs = queries(queries_path)
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    first = search(db, qs[0][0])
    first_ms = (time.perf_counter() - t0) * 1e3
    if not first:
        sys.exit("first query found nothing")
    found = sum(1 for q, lesson in qs if any(l.startswith(lesson) for l in search(db, q)[:3]))
    lat = []
    for _ in range(runs):
        for q, _ in qs:
            t = time.perf_counter()
            search(db, q)
            lat.append((time.perf_counter() - t) * 1e3)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, round((len(lat) - 1) * p))]
    print(json.dumps({
        "first_result_ms": first_ms,
        "warm_p50_ms": pct(0.5),
        "warm_p99_ms": pct(0.99),
        "queries": len(lat),
        "top3": f"{found}/{len(qs)}",
    }))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "time":
        timing(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
