//! Search on the real sample course (`courses/digitalni-gramotnost`): relevance of Czech
//! queries typed with and without diacritics and in other word forms, and `aktovka search`
//! on a bundle file.

use std::path::Path;

use aktovka::bundle::{self, BundleContents, ManifestCourse, ManifestLesson};
use aktovka::search::{self, SearchIndex};

use crate::util::aktovka;

fn sample_course() -> (
    aktovka::course::Course,
    Vec<aktovka::render::RenderedLesson>,
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("courses/digitalni-gramotnost");
    let (course, _diagnostics) = aktovka::course::load(&dir);
    let course = course.expect("sample course loads");
    let (rendered, _) = aktovka::render::render_course(&course);
    (course, rendered)
}

/// Queries and the lesson (id prefix) each must find among the first three hits, one per
/// line, tab-separated; the benchmark in `bench/search` times the same list.
const QUERIES: &str = include_str!("../bench/search/queries.tsv");

fn queries() -> Vec<(&'static str, &'static str)> {
    QUERIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

#[test]
fn czech_queries_find_the_right_lesson() {
    let (course, rendered) = sample_course();
    let docs = aktovka::build::section_docs(&course, &rendered);
    assert!(docs.len() > 40, "sections: {}", docs.len());
    let files = search::build_index(course.meta.language, &docs).expect("build");
    let index = SearchIndex::open(course.meta.language, search::owned_files(files)).expect("open");

    let queries = queries();
    let mut misses = Vec::new();
    for (q, lesson) in &queries {
        let hits = index.search(q, 3).expect("search");
        if !hits.iter().any(|h| h.lesson.starts_with(lesson)) {
            let got: Vec<&str> = hits.iter().map(|h| h.lesson.as_str()).collect();
            misses.push(format!("{q:?} -> {got:?}, expected {lesson}"));
        }
    }
    let found = queries.len() - misses.len();
    eprintln!(
        "relevance: {found}/{} in top 3\n{}",
        queries.len(),
        misses.join("\n")
    );
    assert!(queries.len() >= 40);
    assert!(
        found * 10 >= queries.len() * 9,
        "{found}/{} in top 3; misses:\n{}",
        queries.len(),
        misses.join("\n")
    );
}

/// Writes a bundle of the sample course's lessons and index (no exercises or plugins:
/// this tests search, not grading).
fn write_bundle(out: &Path) {
    let (course, rendered) = sample_course();
    let docs = aktovka::build::section_docs(&course, &rendered);
    let lang = course.meta.language;
    let contents = BundleContents {
        course: ManifestCourse {
            id: course.meta.id.clone(),
            title: course.meta.title.clone(),
            version: course.meta.version.to_string(),
            language: lang,
            description: course.meta.description.clone(),
            authors: course.meta.authors.clone(),
            license: course.meta.license.clone(),
        },
        lessons: course
            .lessons
            .iter()
            .zip(&rendered)
            .map(|(l, r)| {
                let meta = ManifestLesson {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    summary: l.front.summary.clone(),
                    path: String::new(),
                    headings: r.headings.clone(),
                };
                (meta, r.html.clone())
            })
            .collect(),
        exercises: Vec::new(),
        assets: Vec::new(),
        plugins: Vec::new(),
        search_analyzer: search::analyzer_name(lang).to_owned(),
        search_schema_version: search::SCHEMA_VERSION,
        search_files: search::build_index(lang, &docs).expect("index"),
    };
    bundle::write(&contents, out, &mut |_| {}).expect("write bundle");
}

#[test]
fn cli_search_json_and_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dg.aktovka");
    write_bundle(&path);
    let p = path.to_str().expect("utf-8 path");

    let run = aktovka(&["search", p, "spravce hesel", "--json", "--limit", "3"]).expect_code(0);
    let hits: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
    let hits = hits.as_array().expect("array");
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert!(
        hits[0]["lesson"]
            .as_str()
            .is_some_and(|l| l.starts_with("09"))
    );
    for key in ["lesson", "title", "heading", "score", "snippet"] {
        assert!(hits[0].get(key).is_some(), "{key} in {}", hits[0]);
    }
    assert!(
        hits[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>"))
    );

    let run = aktovka(&["search", p, "dvojkova soustava"]).expect_code(0);
    assert!(
        run.stdout().starts_with("1. Dvojková soustava"),
        "{}",
        run.stdout()
    );

    let run = aktovka(&["search", p, "((\"AND*", "--json"]).expect_code(0);
    assert!(
        run.stdout().trim_start().starts_with('['),
        "{}",
        run.stdout()
    );

    let run = aktovka(&["search", p, "qqqqqqqqq"]).expect_code(0);
    assert!(run.stdout().contains("nothing found"), "{}", run.stdout());

    let missing = dir.path().join("missing.aktovka");
    aktovka(&["search", missing.to_str().expect("utf-8"), "x"]).expect_code(2);
}
