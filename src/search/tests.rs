//! Build → open → search roundtrips over a handful of Czech sections.

use super::*;

fn section(lesson: &str, title: &str, heading: &str, body: &str) -> SectionDoc {
    SectionDoc {
        lesson_id: lesson.into(),
        lesson_title: title.into(),
        heading: heading.into(),
        anchor: heading.to_lowercase().replace(' ', "-"),
        body: body.into(),
        keywords: Vec::new(),
        exercises: String::new(),
    }
}

fn sections() -> Vec<SectionDoc> {
    vec![
        section(
            "01-skola",
            "Digitální technologie ve škole",
            "Úvod",
            "Ve školách dnes najdeme interaktivní tabule a tablety. Žáci se učí pracovat s \
             technikou bezpečně.",
        ),
        section(
            "02-pocitac",
            "Jak funguje počítač",
            "Procesor a paměť",
            "Každý počítač má procesor, operační paměť a disk. Procesor vykonává instrukce \
             programu jednu po druhé.",
        ),
        section(
            "03-hesla",
            "Bezpečná hesla",
            "Silné heslo",
            "Silné heslo je dlouhé a těžko uhodnutelné. Nepoužívejte stejné heslo pro více \
             účtů. Správce hesel si hesla pamatuje za vás.",
        ),
        section(
            "04-site",
            "Počítačové sítě",
            "Modem a router",
            "Modem připojuje domácí síť k internetu, doma často přes Wi-Fi. Router posílá pakety mezi počítači \
             v síti.",
        ),
        section(
            "05-modely",
            "Modely a simulace",
            "Co je model",
            "Model zjednodušuje skutečnost, třeba model počasí nebo model sluneční soustavy.",
        ),
        section(
            "06-body",
            "Práce s textem",
            "Formátování",
            "Text lze formátovat. V textovém editoru se dá psát i o hesle, ale tato lekce je o \
             formátování, <script>alert(1)</script> a zase o formátování.",
        ),
    ]
}

fn open(docs: &[SectionDoc]) -> (SearchIndex, BundleDirectory) {
    let files = build_index(Language::Cs, docs).expect("build");
    let dir = BundleDirectory::new(owned_files(files));
    let index = SearchIndex::open_in(Language::Cs, dir.clone()).expect("open");
    (index, dir)
}

fn lessons(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search(q, 10)
        .expect("search")
        .into_iter()
        .map(|h| h.lesson)
        .collect()
}

#[test]
fn built_index_is_one_segment_and_meta() {
    let files = build_index(Language::Cs, &sections()).expect("build");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"meta.json"), "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with('.') && !n.ends_with(".lock")),
        "{names:?}"
    );
    let segment_ids: std::collections::BTreeSet<&str> = names
        .iter()
        .filter(|n| **n != "meta.json")
        .filter_map(|n| n.split('.').next())
        .collect();
    assert_eq!(segment_ids.len(), 1, "{names:?}");
}

#[test]
fn empty_course_builds_and_finds_nothing() {
    let (index, _) = open(&[]);
    assert!(index.search("škola", 10).expect("search").is_empty());
}

#[test]
fn folded_and_inflected_forms_meet() {
    let (index, _) = open(&sections());
    for q in ["skola", "škola", "školách", "skolach", "školou", "ŠKOLA"] {
        assert_eq!(
            lessons(&index, q).first().map(String::as_str),
            Some("01-skola"),
            "{q}"
        );
    }
    for q in ["počítač", "pocitace", "počítačů", "pocitacem"] {
        assert!(lessons(&index, q).contains(&"02-pocitac".to_owned()), "{q}");
    }
}

#[test]
fn prefix_of_last_word_while_typing() {
    let (index, _) = open(&sections());
    assert!(lessons(&index, "poč").contains(&"02-pocitac".to_owned()));
    assert!(lessons(&index, "poc").contains(&"02-pocitac".to_owned()));
    assert!(lessons(&index, "operační pam").contains(&"02-pocitac".to_owned()));
    // A finished word is not a prefix: "proc " does not expand to "procesor".
    assert!(lessons(&index, "proc ").is_empty());
}

#[test]
fn typo_only_when_nothing_matches_exactly() {
    let (index, _) = open(&sections());
    // "modem" exists: the section with "model" (one letter away) must not come along.
    assert_eq!(lessons(&index, "modem "), ["04-site"]);
    // "modex" exists nowhere: one typo finds both neighbours.
    let typo = lessons(&index, "modex ");
    assert!(typo.contains(&"04-site".to_owned()), "{typo:?}");
    assert!(typo.contains(&"05-modely".to_owned()), "{typo:?}");
    // A typo in a long word: "procesro" (swapped letters).
    assert_eq!(
        lessons(&index, "procesro ").first().map(String::as_str),
        Some("02-pocitac")
    );
    // Short words never match with a typo.
    assert!(lessons(&index, "diks ").is_empty());
}

#[test]
fn hyphenated_words_meet_their_concatenation() {
    let (index, _) = open(&sections());
    for q in ["wifi", "Wi-Fi", "wi fi", "\"wi-fi\"", "WIFI "] {
        assert_eq!(lessons(&index, q), ["04-site"], "{q}");
    }
    let hit = &index.search("wifi", 1).expect("search")[0];
    assert!(
        hit.snippet.contains("<mark>Wi-Fi</mark>"),
        "{}",
        hit.snippet
    );
}

#[test]
fn title_match_ranks_above_body_match() {
    let (index, _) = open(&sections());
    let hits = lessons(&index, "heslo");
    assert_eq!(
        hits.first().map(String::as_str),
        Some("03-hesla"),
        "{hits:?}"
    );
    assert!(hits.contains(&"06-body".to_owned()), "{hits:?}");
}

#[test]
fn quoted_phrase_matches_word_for_word() {
    let (index, _) = open(&sections());
    assert_eq!(lessons(&index, "\"operační paměť\""), ["02-pocitac"]);
    assert!(lessons(&index, "\"paměť operační\"").is_empty());
    assert_eq!(lessons(&index, "„silné heslo“"), ["03-hesla"]);
}

#[test]
fn all_words_required_then_any_word() {
    let (index, _) = open(&sections());
    assert_eq!(lessons(&index, "procesor disk "), ["02-pocitac"]);
    // "xyzzy" matches nothing, so a section with any of the words is shown.
    assert_eq!(lessons(&index, "procesor xyzzy "), ["02-pocitac"]);
}

#[test]
fn snippets_mark_folded_and_stemmed_matches_and_escape() {
    let (index, _) = open(&sections());
    let hit = &index.search("skola", 1).expect("search")[0];
    assert!(
        hit.snippet.contains("<mark>školách</mark>"),
        "{}",
        hit.snippet
    );
    let hit = &index.search("formatovani alert", 1).expect("search")[0];
    assert!(
        hit.snippet
            .contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"),
        "{}",
        hit.snippet
    );
    assert!(
        hit.snippet.contains("<mark>formátování</mark>"),
        "{}",
        hit.snippet
    );
    let hit = &index.search("poč", 1).expect("search")[0];
    assert!(
        hit.snippet.contains("<mark>počítač</mark>"),
        "{}",
        hit.snippet
    );
}

#[test]
fn hit_carries_section_fields() {
    let (index, _) = open(&sections());
    let hit = &index.search("router", 1).expect("search")[0];
    assert_eq!(hit.lesson, "04-site");
    assert_eq!(hit.title, "Počítačové sítě");
    assert_eq!(hit.heading, "Modem a router");
    assert_eq!(hit.anchor, "modem-a-router");
    assert!(hit.score > 0.0);
    let json = serde_json::to_value(hit).expect("json");
    for key in ["lesson", "title", "heading", "anchor", "score", "snippet"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn nasty_queries_never_fail() {
    let (index, dir) = open(&sections());
    let long = "škola ".repeat(100);
    let longer = "ž".repeat(5000);
    let xs = "x".repeat(500);
    let nasty = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"škola",
        "škola\"",
        "AND",
        "škola AND heslo",
        "škola OR",
        "NOT heslo",
        "(",
        ")",
        "((škola)",
        "*",
        "škol*",
        "?",
        "~",
        "heslo~2",
        "title:heslo",
        "lesson:01-skola",
        "+heslo -škola",
        "[a TO z]",
        "{}",
        "\\",
        "🙂",
        "🙂🙂 škola 🙂",
        "\u{0}",
        "\u{200b}škola",
        "ǅ",
        "İ",
        "a",
        xs.as_str(),
        long.as_str(),
        longer.as_str(),
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "„“",
        "„škola",
        "\t\n\r",
    ];
    for q in nasty {
        let hits = index.search(q, 10);
        assert!(hits.is_ok(), "{q:?}: {hits:?}");
    }
    assert!(index.search("škola", 0).expect("search").is_empty());
    assert!(
        !index
            .search("škola", usize::MAX)
            .expect("search")
            .is_empty()
    );
    assert_eq!(dir.write_attempts(), 0);
}

#[test]
fn opening_and_searching_never_writes() {
    let (index, dir) = open(&sections());
    for q in ["škola", "poc", "modex", "\"silné heslo\""] {
        index.search(q, 5).expect("search");
    }
    assert_eq!(dir.write_attempts(), 0);
    // The directory does refuse writes (and counts them), so the zero above means something.
    use tantivy::Directory;
    assert!(dir.atomic_write(std::path::Path::new("x"), b"y").is_err());
    assert!(dir.open_write(std::path::Path::new("z")).is_err());
    assert_eq!(dir.write_attempts(), 2);
}

#[test]
fn opens_from_slices_of_one_buffer() {
    // As in a bundle: every file is a slice of one shared mapping.
    let files = build_index(Language::Cs, &sections()).expect("build");
    let mut all = Vec::new();
    let mut spans = Vec::new();
    for (name, bytes) in &files {
        let start = all.len();
        all.extend_from_slice(bytes);
        spans.push((name.clone(), start..all.len()));
        all.resize(all.len().div_ceil(4096) * 4096, 0);
    }
    let whole = OwnedBytes::new(all);
    let slices = spans
        .into_iter()
        .map(|(n, r)| (n, whole.slice(r)))
        .collect();
    let index = SearchIndex::open(Language::Cs, slices).expect("open");
    assert_eq!(
        lessons(&index, "heslo").first().map(String::as_str),
        Some("03-hesla")
    );
}

#[test]
fn wrong_language_is_refused() {
    let files = build_index(Language::Cs, &sections()).expect("build");
    let err = SearchIndex::open(Language::En, owned_files(files)).expect_err("language");
    assert!(matches!(err, SearchError::WrongAnalyzer { .. }), "{err}");
}

#[test]
fn english_course_stems_english() {
    let docs = vec![section(
        "01-passwords",
        "Passwords",
        "Strong passwords",
        "A strong password is long. Password managers remember passwords for you.",
    )];
    let files = build_index(Language::En, &docs).expect("build");
    let index = SearchIndex::open(Language::En, owned_files(files)).expect("open");
    let hit = &index.search("remembering", 1).expect("search")[0];
    assert!(
        hit.snippet.contains("<mark>remember</mark>"),
        "{}",
        hit.snippet
    );
}

#[test]
fn search_many_merges_by_score() {
    let (a, _) = open(&sections());
    let (b, _) = open(&sections()[2..3]);
    let hits = search_many(&[("kurz-a", &a), ("kurz-b", &b)], "heslo", 3);
    assert_eq!(hits.len(), 3);
    assert!(hits.windows(2).all(|w| w[0].1.score >= w[1].1.score));
    let courses: std::collections::BTreeSet<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert!(
        courses.contains("kurz-a") && courses.contains("kurz-b"),
        "{courses:?}"
    );
}

#[test]
fn manifest_check() {
    assert!(check_manifest(Language::Cs, "cs", SCHEMA_VERSION).is_ok());
    assert!(check_manifest(Language::Cs, "en", SCHEMA_VERSION).is_err());
    assert!(check_manifest(Language::En, "en", SCHEMA_VERSION + 1).is_err());
    assert_eq!(analyzer_name(Language::Cs), "cs");
    assert_eq!(analyzer_name(Language::En), "en");
}

#[test]
fn same_sections_give_same_bytes() {
    let a = build_index(Language::Cs, &sections()).expect("build");
    let b = build_index(Language::Cs, &sections()).expect("build");
    assert_eq!(a, b);
    let (index, _) = {
        let dir = BundleDirectory::new(owned_files(a));
        (
            SearchIndex::open_in(Language::Cs, dir.clone()).expect("open"),
            dir,
        )
    };
    assert_eq!(
        lessons(&index, "router").first().map(String::as_str),
        Some("04-site")
    );
}

#[test]
fn one_index_serves_many_threads() {
    let (index, _) = open(&sections());
    let index = std::sync::Arc::new(index);
    let handles: Vec<_> = ["skola", "heslo", "router"]
        .into_iter()
        .map(|q| {
            let index = std::sync::Arc::clone(&index);
            std::thread::spawn(move || index.search(q, 1).map(|h| h.len()))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread").expect("search"), 1);
    }
}
