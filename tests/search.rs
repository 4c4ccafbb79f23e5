//! Search on the real sample course (`courses/digitalni-gramotnost`): relevance of Czech
//! queries typed with and without diacritics and in other word forms, and `aktovka search`
//! on a bundle file.

use std::path::Path;

use aktovka::bundle::{self, BundleContents, ManifestCourse, ManifestLesson};
use aktovka::search::{self, SearchIndex, SectionDoc};

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

/// The sections as `aktovka build` hands them to the index.
fn section_docs(
    course: &aktovka::course::Course,
    rendered: &[aktovka::render::RenderedLesson],
) -> Vec<SectionDoc> {
    course
        .lessons
        .iter()
        .zip(rendered)
        .flat_map(|(lesson, r)| {
            r.sections.iter().map(move |s| SectionDoc {
                lesson_id: lesson.id.clone(),
                lesson_title: lesson.title.clone(),
                heading: s.heading.clone(),
                anchor: s.anchor.clone(),
                body: s.text.clone(),
                keywords: lesson.front.keywords.clone(),
                exercises: s.exercises.clone(),
            })
        })
        .collect()
}

/// (query, lesson id prefix that must be among the first three hits).
const QUERIES: &[(&str, &str)] = &[
    ("bajty", "01"),
    ("bajtech", "01"),
    ("kilobajtů", "01"),
    ("kilobajtu", "01"),
    ("osm bitů", "01"),
    ("osm bitu", "01"),
    ("dvojková soustava", "02"),
    ("dvojkove soustave", "02"),
    ("převod čísel", "02"),
    ("prevod cisla", "02"),
    ("sčítání ve dvojkové soustavě", "02"),
    ("binarni cisla", "02"),
    ("kódování textu", "03"),
    ("kodovani textu", "03"),
    ("české znaky v Unicode", "03"),
    ("pixely", "03"),
    ("pixelů", "03"),
    ("rozlišení obrázku", "03"),
    ("rozliseni obrazku", "03"),
    ("barvy RGB", "03"),
    ("algoritmus", "04"),
    ("algoritmy", "04"),
    ("vývojový diagram", "04"),
    ("vyvojovy diagram", "04"),
    ("větvení", "04"),
    ("robot Karel", "05"),
    ("robota Karla", "05"),
    ("Karlův svět", "05"),
    ("karluv svet", "05"),
    ("OPAKUJ", "05"),
    ("podmínky Karel", "06"),
    ("podminky karel", "06"),
    ("vlastní příkaz", "06"),
    ("DOKUD", "06"),
    ("tabulky a vzorce", "07"),
    ("tabulkách", "07"),
    ("vzorcem", "07"),
    ("buňka", "07"),
    ("bunky", "07"),
    ("absolutní odkaz", "07"),
    ("prumer", "07"),
    ("IP adresa", "08"),
    ("ip adresy", "08"),
    ("routery", "08"),
    ("DNS", "08"),
    ("pakety", "08"),
    ("silné heslo", "09"),
    ("silne heslo", "09"),
    ("hesla", "09"),
    ("správce hesel", "09"),
    ("spravce hesel", "09"),
    ("dvoufázové ověření", "09"),
    ("dvoufazove overeni", "09"),
    ("phishing", "10"),
    ("podvodná zpráva", "10"),
    ("podvodne zpravy", "10"),
    ("hoaxy", "10"),
    ("ověřit informaci", "10"),
    ("osobní údaje", "11"),
    ("osobni udaje", "11"),
    ("GDPR", "11"),
    ("digitální stopa", "11"),
    ("digitalni stopu", "11"),
    ("kyberšikana", "11"),
    ("kybersikany", "11"),
    ("soukromí", "11"),
];

#[test]
fn czech_queries_find_the_right_lesson() {
    let (course, rendered) = sample_course();
    let docs = section_docs(&course, &rendered);
    assert!(docs.len() > 40, "sections: {}", docs.len());
    let files = search::build_index(course.meta.language, &docs).expect("build");
    let index = SearchIndex::open(course.meta.language, search::owned_files(files)).expect("open");

    let mut misses = Vec::new();
    for (q, lesson) in QUERIES {
        let hits = index.search(q, 3).expect("search");
        if !hits.iter().any(|h| h.lesson.starts_with(lesson)) {
            let got: Vec<&str> = hits.iter().map(|h| h.lesson.as_str()).collect();
            misses.push(format!("{q:?} -> {got:?}, expected {lesson}"));
        }
    }
    let found = QUERIES.len() - misses.len();
    eprintln!(
        "relevance: {found}/{} in top 3\n{}",
        QUERIES.len(),
        misses.join("\n")
    );
    assert!(QUERIES.len() >= 40);
    assert!(
        found * 10 >= QUERIES.len() * 9,
        "{found}/{} in top 3; misses:\n{}",
        QUERIES.len(),
        misses.join("\n")
    );
}

/// Writes a bundle of the sample course's lessons and index (no exercises or plugins:
/// this tests search, not grading).
fn write_bundle(out: &Path) {
    let (course, rendered) = sample_course();
    let docs = section_docs(&course, &rendered);
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
