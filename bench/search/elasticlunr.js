// The mdBook baseline: an elasticlunr index of the same sections, built and queried the
// way mdBook's HTML renderer does (fields title/body/breadcrumbs, documents stored for
// teasers, boosts title 2, breadcrumbs 1, body 1, "OR" with expand), written as
// mdBook's `searchindex.js`.
//
//   node elasticlunr.js build SECTIONS_JSON OUT_SEARCHINDEX_JS
//   node elasticlunr.js time SEARCHINDEX_JS QUERIES_TSV RUNS
//   node elasticlunr.js first SEARCHINDEX_JS QUERY      (load, one query: for process timing)
//
// SEARCHINDEX_JS may be this script's own or a real mdBook build's `searchindex*.js`.
// `time` prints one JSON line: time to the first result (read the file, parse it, load
// the index, run the first query), warm per-query percentiles, and how many queries found
// their lesson among the first three hits.
"use strict";
const fs = require("fs");
const vm = require("vm");
const elasticlunr = require("elasticlunr");

const SEARCH_OPTIONS = {
  bool: "OR",
  expand: true,
  fields: { title: { boost: 2 }, body: { boost: 1 }, breadcrumbs: { boost: 1 } },
};

function build(sectionsPath, outPath) {
  const sections = JSON.parse(fs.readFileSync(sectionsPath, "utf8"));
  const index = elasticlunr(function () {
    this.addField("title");
    this.addField("body");
    this.addField("breadcrumbs");
    this.setRef("id");
    this.saveDocument(true);
  });
  const urls = [];
  sections.forEach((s, i) => {
    urls.push(`${s.lesson}.html#${s.anchor}`);
    index.addDoc({
      id: String(i),
      title: s.heading,
      breadcrumbs: `${s.title} » ${s.heading}`,
      body: [s.body, s.keywords.join(" "), s.exercises].join(" "),
    });
  });
  const data = {
    doc_urls: urls,
    index: index.toJSON(),
    results_options: { limit_results: 30, teaser_word_count: 30 },
    search_options: SEARCH_OPTIONS,
  };
  fs.writeFileSync(outPath, `Object.assign(window.search, ${JSON.stringify(data)});`);
}

function queries(path) {
  return fs
    .readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => l.split("\t"));
}

function load(indexPath) {
  // Evaluated as the browser does: mdBook 0.5 writes
  // `Object.assign(window.search, JSON.parse('...'))`, older ones an object literal.
  const context = { window: { search: {} } };
  vm.runInNewContext(fs.readFileSync(indexPath, "utf8"), context);
  const data = context.window.search;
  return { data, index: elasticlunr.Index.load(data.index) };
}

function first(indexPath, query) {
  const { index } = load(indexPath);
  console.log(index.search(query, SEARCH_OPTIONS).length);
}

function time(indexPath, queriesPath, runs) {
  const qs = queries(queriesPath);
  const t0 = process.hrtime.bigint();
  const { data, index } = load(indexPath);
  const first = index.search(qs[0][0], SEARCH_OPTIONS);
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (first.length === 0) throw new Error("first query found nothing");

  let found = 0;
  for (const [q, lesson] of qs) {
    const top = index.search(q, SEARCH_OPTIONS).slice(0, 3);
    if (top.some((r) => data.doc_urls[Number(r.ref)].startsWith(lesson))) found++;
  }
  const lat = [];
  for (let r = 0; r < runs; r++) {
    for (const [q] of qs) {
      const t = process.hrtime.bigint();
      index.search(q, SEARCH_OPTIONS);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.round((lat.length - 1) * p))];
  console.log(
    JSON.stringify({
      first_result_ms: firstMs,
      warm_p50_ms: pct(0.5),
      warm_p99_ms: pct(0.99),
      queries: lat.length,
      top3: `${found}/${qs.length}`,
    })
  );
}

const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === "build") build(a, b);
else if (cmd === "time") time(a, b, Number(c));
else if (cmd === "first") first(a, b);
else {
  console.error("usage: build SECTIONS_JSON OUT | time SEARCHINDEX_JS QUERIES_TSV RUNS");
  process.exit(2);
}
