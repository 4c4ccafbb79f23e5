//! `aktovka-search-bench export COURSE_DIR OUT_DIR`: writes `OUT_DIR/sections.json` (the
//! sections exactly as `aktovka build` indexes them, for elasticlunr and SQLite FTS5) and
//! prints the size of aktovka's index of them.
//!
//! `aktovka-search-bench time BUNDLE QUERIES_TSV RUNS`: opens the bundle's index in place
//! and prints one JSON line: time to the first result (bundle open + index open + first
//! query), warm per-query latency percentiles over RUNS passes of the query list (top 10,
//! and the p50 of top 1), and how many queries found their lesson among the first three hits.

use std::path::Path;
use std::time::Instant;

use aktovka::bundle::Bundle;
use aktovka::search::{self, SearchIndex};
use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["export", course, out] => export(Path::new(course), Path::new(out)),
        ["time", bundle, queries, runs] => {
            time(Path::new(bundle), Path::new(queries), runs.parse()?)
        }
        _ => bail!("usage: export COURSE_DIR OUT_DIR | time BUNDLE QUERIES_TSV RUNS"),
    }
}

fn export(course_dir: &Path, out: &Path) -> anyhow::Result<()> {
    let (course, diagnostics) = aktovka::course::load(course_dir);
    let course = course.with_context(|| format!("course does not load: {diagnostics:?}"))?;
    let (rendered, _) = aktovka::render::render_course(&course);
    let docs = aktovka::build::section_docs(&course, &rendered);
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| {
            serde_json::json!({
                "lesson": d.lesson_id, "title": d.lesson_title, "heading": d.heading,
                "anchor": d.anchor, "body": d.body, "keywords": d.keywords,
                "exercises": d.exercises,
            })
        })
        .collect();
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("sections.json"), serde_json::to_vec(&json)?)?;
    let start = Instant::now();
    let files = search::build_index(course.meta.language, &docs)?;
    let build_ms = start.elapsed().as_secs_f64() * 1e3;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{}",
        serde_json::json!({"sections": docs.len(), "index_files": files.len(),
                           "index_bytes": bytes, "build_ms": build_ms})
    );
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time(bundle: &Path, queries: &Path, runs: usize) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(queries)?;
    let queries: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect();
    let first_query = queries.first().context("no queries")?.0;

    let start = Instant::now();
    let b = Bundle::open(bundle)?;
    let lang = b.manifest().course.language;
    let index = SearchIndex::open(lang, b.search_files()?)?;
    let hits = index.search(first_query, 10)?;
    let first_ms = start.elapsed().as_secs_f64() * 1e3;
    if hits.is_empty() {
        bail!("first query found nothing");
    }

    let mut found = 0;
    for (q, lesson) in &queries {
        if index
            .search(q, 3)?
            .iter()
            .any(|h| h.lesson.starts_with(lesson))
        {
            found += 1;
        }
    }
    let mut lat = Vec::with_capacity(runs * queries.len());
    for _ in 0..runs {
        for (q, _) in &queries {
            let t = Instant::now();
            std::hint::black_box(index.search(q, 10)?);
            lat.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    lat.sort_by(f64::total_cmp);
    // The same passes with one hit, so one snippet instead of ten: the difference is
    // what rendering the snippets costs.
    let mut lat1 = Vec::with_capacity(runs * queries.len());
    for _ in 0..runs {
        for (q, _) in &queries {
            let t = Instant::now();
            std::hint::black_box(index.search(q, 1)?);
            lat1.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    lat1.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({"first_result_ms": first_ms, "warm_p50_ms": percentile(&lat, 0.5),
                           "warm_p99_ms": percentile(&lat, 0.99), "queries": lat.len(),
                           "warm_top1_p50_ms": percentile(&lat1, 0.5),
                           "top3": format!("{found}/{}", queries.len())})
    );
    Ok(())
}
