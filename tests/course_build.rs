//! `aktovka build`: a checked course becomes a verified bundle with sanitised lessons,
//! rewritten links, an aligned search index and no solutions; builds are atomic and
//! deterministic.

use aktovka::bundle::Bundle;

use crate::util::{CourseDir, aktovka, fixture};

fn build_mini(out: &std::path::Path) {
    let course = fixture("courses/mini");
    aktovka(&[
        "build",
        course.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
}

#[test]
fn mini_course_builds_into_a_verified_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    build_mini(tmp.path());
    let path = tmp.path().join("mini-1.2.3.aktovka");
    let bundle = Bundle::open(&path).unwrap();
    let m = bundle.manifest();
    assert_eq!(m.format, "aktovka-bundle/1");
    assert_eq!(m.course.id, "mini");
    assert_eq!(
        m.lessons.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["01-skola", "02-pocitace"]
    );
    assert_eq!(m.lessons[0].title, "Škola a učení");
    assert_eq!(m.lessons[0].summary.as_deref(), Some("O škole."));
    assert_eq!(m.lessons[1].headings[1].anchor, "jak-pocitac-pocita");
    assert_eq!(m.exercises.len(), 1);
    assert_eq!(m.exercises[0].plugin, "quiz");
    assert_eq!(m.plugins.len(), 1, "only the plugins the course uses");
    assert_eq!(m.search.analyzer, "cs");
    assert!(!m.search.files.is_empty());

    let manifest_json = String::from_utf8(
        zip::ZipArchive::new(std::fs::File::open(&path).unwrap())
            .unwrap()
            .by_name("manifest.json")
            .map(|mut f| {
                let mut s = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut s).unwrap();
                s
            })
            .unwrap(),
    )
    .unwrap();
    assert!(
        !manifest_json.contains("solution"),
        "solutions must not ship"
    );

    let first = String::from_utf8(bundle.read("lessons/01-skola.html").unwrap()).unwrap();
    assert!(
        first.contains("href=\"02-pocitace.html#jak-pocitac-pocita\""),
        "{first}"
    );
    assert!(first.contains("src=\"../assets/skola.svg\""), "{first}");
    assert!(
        first.contains("<div class=\"exercise\" data-exercise=\"skola-1\"></div>"),
        "{first}"
    );
    assert!(first.contains("<h1 id=\"skola-a-uceni\">"), "{first}");
    assert!(
        !first.contains("kind = "),
        "exercise TOML must not leak into HTML: {first}"
    );
    let second = String::from_utf8(bundle.read("lessons/02-pocitace.html").unwrap()).unwrap();
    assert!(!second.contains("<script"), "{second}");
    assert!(!second.contains("javascript:"), "{second}");
    assert!(!second.contains("onclick"), "{second}");
    assert!(second.contains("href=\"01-skola.html\""), "{second}");
    assert!(bundle.read("assets/skola.svg").is_ok());
    assert_eq!(bundle.search_files().unwrap().len(), m.search.files.len());

    let run = aktovka(&["inspect", path.to_str().unwrap()]).expect_code(0);
    assert!(run.stdout().contains("vše sedí"), "{}", run.stdout());
}

#[test]
fn builds_are_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    build_mini(a.path());
    build_mini(b.path());
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("mini-1.2.3.aktovka")).unwrap();
    assert!(read(&a) == read(&b), "two builds of the same course differ");
}

#[test]
fn output_may_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("jmeno.aktovka");
    let course = fixture("courses/mini");
    aktovka(&[
        "build",
        course.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    assert!(out.is_file());
}

#[test]
fn a_course_with_errors_writes_nothing() {
    let course = CourseDir::new().file("lessons/01-uvod.md", "# Úvod\n\n[x](02-nic.md)\n");
    let out = tempfile::tempdir().unwrap();
    let run = aktovka(&[
        "build",
        course.path().to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
    ])
    .expect_code(1);
    assert!(
        run.stderr().contains("balíček nevznikl"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no bundle, no temp file"
    );
}

#[test]
fn a_failed_write_leaves_no_half_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    // The target name is taken by a directory, so the final rename fails after the whole
    // zip was written to a temporary file.
    let blocked = tmp.path().join("test-1.0.0.aktovka");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep.txt"), "keep").unwrap();
    let course = CourseDir::new();
    let run = aktovka(&[
        "build",
        course.path().to_str().unwrap(),
        "-o",
        tmp.path().to_str().unwrap(),
    ])
    .expect_code(2);
    assert!(
        run.stderr().contains("test-1.0.0.aktovka"),
        "{}",
        run.stderr()
    );
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["test-1.0.0.aktovka"], "temporary files left behind");
    assert_eq!(
        std::fs::read_to_string(blocked.join("keep.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn a_failed_build_keeps_the_previous_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let course = CourseDir::new();
    aktovka(&[
        "build",
        course.path().to_str().unwrap(),
        "-o",
        tmp.path().to_str().unwrap(),
    ])
    .expect_code(0);
    let path = tmp.path().join("test-1.0.0.aktovka");
    let before = std::fs::read(&path).unwrap();
    let course = course.file("lessons/01-uvod.md", "# Úvod\n\n[x](02-nic.md)\n");
    aktovka(&[
        "build",
        course.path().to_str().unwrap(),
        "-o",
        tmp.path().to_str().unwrap(),
    ])
    .expect_code(1);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
