//! `aktovka check`: every kind of course mistake is reported with its file and line, all in
//! one run, never a panic.

use crate::util::{COURSE_TOML, CourseDir, aktovka, fixture};

/// The seeded-mistakes fixture: eight different mistakes, eight diagnostics, exit 1.
#[test]
fn eight_seeded_mistakes_give_eight_diagnostics_in_one_run() {
    let dir = fixture("courses/broken");
    let run = aktovka(&["check", dir.to_str().unwrap()]).expect_code(1);
    let places: Vec<String> = run
        .errors()
        .iter()
        .map(|l| l.split(": error: ").next().unwrap().to_owned())
        .collect();
    assert_eq!(
        places,
        [
            "course.toml:3",
            "course.toml:8",
            "lessons/01-prvni.md:3:10",
            "lessons/01-prvni.md:5:10",
            "lessons/01-prvni.md:7:1",
            "lessons/02-druha.md:8",
            "lessons/02-druha.md:13",
            "lessons/02-druha.md:32",
        ],
        "{}",
        run.stderr()
    );
    let stderr = run.stderr();
    for what in [
        "semver",
        "03-chybi.md",
        "02-neni.md",
        "#neexistuje",
        "assets/chybi.svg",
        "TOML",
        "plugin",
        "druha-3",
    ] {
        assert!(stderr.contains(what), "missing {what:?} in\n{stderr}");
    }
    assert!(!stderr.contains("panicked"));
}

fn single_error(course: CourseDir) -> String {
    let run = course.check().expect_code(1);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{}", run.stderr());
    errors[0].clone()
}

#[test]
fn clean_course_passes() {
    let run = CourseDir::new().check().expect_code(0);
    assert!(run.stderr().contains("0 chyb"), "{}", run.stderr());
}

#[test]
fn bad_course_id() {
    let e = single_error(CourseDir::new().file(
        "course.toml",
        COURSE_TOML.replace("\"test\"", "\"Můj Kurz\""),
    ));
    assert!(
        e.starts_with("course.toml:1: error: neplatné id kurzu"),
        "{e}"
    );
}

#[test]
fn bad_semver() {
    let e =
        single_error(CourseDir::new().file("course.toml", COURSE_TOML.replace("1.0.0", "první")));
    assert!(e.starts_with("course.toml:3: error: verze `první`"), "{e}");
}

#[test]
fn unknown_language() {
    let e =
        single_error(CourseDir::new().file("course.toml", COURSE_TOML.replace("\"cs\"", "\"sk\"")));
    assert!(
        e.starts_with("course.toml:4: error: neznámý jazyk `sk`"),
        "{e}"
    );
}

#[test]
fn missing_field_and_unknown_key_with_suggestion() {
    let toml = COURSE_TOML.replace("title = \"Test\"\n", "") + "titel = \"Test\"\n";
    let run = CourseDir::new()
        .file("course.toml", toml)
        .check()
        .expect_code(1);
    let stderr = run.stderr();
    assert_eq!(run.errors().len(), 2, "{stderr}");
    assert!(
        stderr.contains("course.toml: error: chybí povinné pole `title`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("course.toml:4: error: neznámý klíč `titel`"),
        "{stderr}"
    );
    assert!(stderr.contains("nemyslíš `title`?"), "{stderr}");
}

#[test]
fn listed_lesson_missing_and_unlisted_lesson_warned() {
    let toml = format!("{COURSE_TOML}lessons = [\"01-uvod.md\", \"02-nic.md\"]\n");
    let run = CourseDir::new()
        .file("course.toml", toml)
        .file("lessons/03-navic.md", "# Navíc\n\ntext\n")
        .check()
        .expect_code(1);
    let stderr = run.stderr();
    assert_eq!(
        run.errors(),
        [
            "course.toml:5: error: lekce `02-nic.md` je v seznamu, ale soubor lessons/02-nic.md neexistuje / listed lesson is missing"
        ]
    );
    assert!(
        stderr.contains("lessons/03-navic.md:1: warning: lekce není v seznamu"),
        "{stderr}"
    );
}

#[test]
fn unlisted_lesson_alone_is_only_a_warning() {
    let toml = format!("{COURSE_TOML}lessons = [\"01-uvod.md\"]\n");
    let run = CourseDir::new()
        .file("course.toml", toml)
        .file("lessons/02-navic.md", "# Navíc\n\ntext\n")
        .check()
        .expect_code(0);
    assert!(run.stderr().contains("1 varování"), "{}", run.stderr());
}

#[test]
fn duplicate_lesson_listed_twice() {
    let toml = format!("{COURSE_TOML}lessons = [\n  \"01-uvod.md\",\n  \"01-uvod.md\",\n]\n");
    let e = single_error(CourseDir::new().file("course.toml", toml));
    assert!(
        e.starts_with("course.toml:7: error: lekce `01-uvod.md` je v seznamu dvakrát"),
        "{e}"
    );
}

#[test]
fn duplicate_lesson_id_from_two_file_names() {
    let e = single_error(
        CourseDir::new()
            .file("lessons/Úvod.md", "# Jiný úvod\n\ntext\n")
            .file("lessons/01-uvod.md", "# A\n\nb\n")
            .file("lessons/uvod.md", "# B\n\nc\n"),
    );
    assert!(e.contains("duplicate lesson id"), "{e}");
}

#[test]
fn duplicate_exercise_id_points_at_the_second() {
    let ex = "```exercise\nid = \"a-1\"\nplugin = \"quiz\"\nsolution = \"0\"\n[task]\nkind = \"single\"\nquestion = \"Q?\"\noptions = [\"x\", \"y\"]\nanswer = 0\n```\n";
    let lesson = format!("# L\n\n{ex}\ntext\n\n{ex}");
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", lesson)
        .check()
        .expect_code(1);
    let errors: Vec<String> = run
        .errors()
        .into_iter()
        .filter(|e| e.contains("duplicate exercise id"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr());
    assert!(
        errors[0].starts_with("lessons/01-uvod.md:16: error: id cvičení `a-1`"),
        "{}",
        errors[0]
    );
    assert!(
        run.stderr().contains("poprvé je v lessons/01-uvod.md:3"),
        "{}",
        run.stderr()
    );
}

#[test]
fn broken_lesson_link_anchor_and_missing_asset() {
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", "# Úvod\n\n[a](02-dalsi.md)\n\n[b](01-uvod.md#nic)\n\n[c](#uvod) ![d](../assets/x.png)\n")
        .check()
        .expect_code(1);
    let errors = run.errors();
    assert_eq!(errors.len(), 3, "{}", run.stderr());
    assert!(
        errors[0].starts_with(
            "lessons/01-uvod.md:3:1: error: odkaz na neexistující lekci `02-dalsi.md`"
        )
    );
    assert!(errors[1].starts_with("lessons/01-uvod.md:5:1: error: kotva `#nic`"));
    assert!(
        errors[2].starts_with("lessons/01-uvod.md:7:12: error: obrázek `assets/x.png` neexistuje")
    );
}

#[test]
fn dangerous_and_remote_links_are_errors() {
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", "# Úvod\n\n[a](javascript:alert(1))\n\n![b](https://example.com/x.png)\n\n[c](../../etc/passwd)\n\n[ok](https://example.com)\n")
        .check()
        .expect_code(1);
    let errors = run.errors();
    assert_eq!(errors.len(), 3, "{}", run.stderr());
    assert!(errors[0].contains(":3:1: error: odkaz typu `javascript:`"));
    assert!(errors[1].contains(":5:1: error: obrázek z internetu"));
    assert!(errors[2].contains(":7:1: error: odkaz `../../etc/passwd` vede mimo kurz"));
}

#[test]
fn invalid_toml_in_exercise_points_at_the_line_inside_the_lesson() {
    let lesson =
        "# Úvod\n\ntext\n\n```exercise\nid = \"a\"\nplugin = \"quiz\"\npoints = [\n[task]\n```\n";
    let e = single_error(CourseDir::new().file("lessons/01-uvod.md", lesson));
    assert!(
        e.starts_with("lessons/01-uvod.md:9: error: neplatný TOML ve cvičení"),
        "{e}"
    );
}

#[test]
fn exercise_without_id_or_plugin() {
    let lesson = "# Úvod\n\n```exercise\ntitle = \"x\"\n[task]\nkind = \"single\"\n```\n";
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", lesson)
        .check()
        .expect_code(1);
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{}", run.stderr());
    assert!(errors[0].starts_with("lessons/01-uvod.md:3: error: cvičení nemá `id`"));
    assert!(errors[1].starts_with("lessons/01-uvod.md:3: error: cvičení nemá `plugin`"));
}

#[test]
fn exercise_with_unknown_key_and_bad_id() {
    let lesson = "# Úvod\n\n```exercise\nid = \"Špatné id\"\nplugin = \"quiz\"\nsolutoin = \"1\"\n[task]\nkind = \"single\"\n```\n";
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", lesson)
        .check()
        .expect_code(1);
    let stderr = run.stderr();
    assert!(
        stderr.contains("lessons/01-uvod.md:4: error: neplatné id cvičení"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lessons/01-uvod.md:6: error: neznámý klíč `solutoin`"),
        "{stderr}"
    );
    assert!(stderr.contains("nemyslíš `solution`?"), "{stderr}");
}

#[test]
fn non_utf8_lesson_names_line_and_column() {
    let mut bytes = b"# \xc3\x9avod\n\nDobr\xfd den\n".to_vec();
    bytes.extend_from_slice(b"konec\n");
    let e = single_error(CourseDir::new().file("lessons/01-uvod.md", bytes));
    assert!(
        e.starts_with("lessons/01-uvod.md:3:5: error: soubor není v kódování UTF-8"),
        "{e}"
    );
}

#[test]
fn empty_lesson() {
    let e = single_error(
        CourseDir::new().file("lessons/01-uvod.md", "+++\ntitle = \"Nic\"\n+++\n\n  \n"),
    );
    assert!(
        e.starts_with("lessons/01-uvod.md:4: error: lekce je prázdná"),
        "{e}"
    );
}

#[test]
fn lesson_without_title() {
    let e = single_error(CourseDir::new().file("lessons/01-uvod.md", "Jen text bez nadpisu.\n"));
    assert!(
        e.starts_with("lessons/01-uvod.md:1: error: lekce nemá nadpis"),
        "{e}"
    );
}

#[test]
fn bad_front_matter_key() {
    let e = single_error(CourseDir::new().file(
        "lessons/01-uvod.md",
        "+++\ntitle = \"A\"\nautor = \"B\"\n+++\n# A\n\ntext\n",
    ));
    assert!(
        e.starts_with("lessons/01-uvod.md:3: error: chyba ve front matter"),
        "{e}"
    );
}

#[test]
fn invalid_course_toml_syntax_still_checks_lessons() {
    let run = CourseDir::new()
        .file("course.toml", "id = \"a\"\ntitle = \"b\n")
        .file("lessons/01-uvod.md", "# Úvod\n\n[x](02-nic.md)\n")
        .check()
        .expect_code(1);
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{}", run.stderr());
    assert!(errors[0].starts_with("course.toml:2: error: neplatný TOML"));
    assert!(errors[1].starts_with("lessons/01-uvod.md:3:1: error: odkaz na neexistující lekci"));
}

#[test]
fn not_a_course_directory_is_exit_2() {
    let run = aktovka(&["check", "/nonexistent/kurz"]).expect_code(2);
    assert!(
        run.stderr().contains("není složka kurzu"),
        "{}",
        run.stderr()
    );
}

#[test]
fn diagnostics_show_the_source_line_and_a_caret() {
    let run = CourseDir::new()
        .file("lessons/01-uvod.md", "# Úvod\n\nViz [dál](02-x.md).\n")
        .check()
        .expect_code(1);
    let stderr = run.stderr();
    assert!(
        stderr.contains("3 | Viz [dál](02-x.md).\n  |     ^"),
        "{stderr}"
    );
    assert!(stderr.contains("= help:"), "{stderr}");
}

#[test]
fn new_course_passes_check_in_both_languages() {
    for lang in ["cs", "en"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("muj-kurz");
        aktovka(&["new", dir.to_str().unwrap(), "--lang", lang]).expect_code(0);
        let run = aktovka(&["check", dir.to_str().unwrap()]).expect_code(0);
        assert!(
            run.stderr().contains("0 chyb, 0 varování"),
            "{lang}: {}",
            run.stderr()
        );
        // A second `new` into the same directory refuses instead of overwriting.
        aktovka(&["new", dir.to_str().unwrap()]).expect_code(2);
    }
}
