//! `aktovka import mdbook`: a small book with nested chapters, images, cross-chapter links
//! with mdBook anchors and links leaving the book becomes a course that passes `check`.

use crate::util::{aktovka, fixture};

#[test]
fn imported_book_passes_check_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let course = tmp.path().join("kniha");
    let book = fixture("mdbook");
    let run = aktovka(&[
        "import",
        "mdbook",
        book.to_str().unwrap(),
        course.to_str().unwrap(),
    ])
    .expect_code(0);
    assert!(run.stdout().contains("4 lekcí"), "{}", run.stdout());
    assert!(
        run.stderr().contains("../reference/index.html"),
        "outside link not reported: {}",
        run.stderr()
    );

    let toml = std::fs::read_to_string(course.join("course.toml")).unwrap();
    assert!(toml.contains("id = \"mala-kniha\""), "{toml}");
    let order: Vec<&str> = toml
        .lines()
        .filter(|l| l.trim_start().starts_with("\""))
        .map(str::trim)
        .collect();
    assert_eq!(
        order,
        [
            "\"foreword.md\",",
            "\"ch01.md\",",
            "\"part-ch01-01.md\",",
            "\"ch02.md\","
        ]
    );

    let foreword = std::fs::read_to_string(course.join("lessons/foreword.md")).unwrap();
    assert!(
        foreword.contains("[the first chapter](<ch01.md#hello-world>)"),
        "{foreword}"
    );
    let ch01 = std::fs::read_to_string(course.join("lessons/ch01.md")).unwrap();
    assert!(
        ch01.contains("(<part-ch01-01.md#the-stack-and-the-heap>)"),
        "{ch01}"
    );
    assert!(
        ch01.contains("and the reference."),
        "outside link kept as text: {ch01}"
    );
    assert!(ch01.contains("src=\"../assets/img/ferris.svg\""), "{ch01}");
    let nested = std::fs::read_to_string(course.join("lessons/part-ch01-01.md")).unwrap();
    assert!(
        nested.contains("![A picture](<../assets/img/ferris.svg>)"),
        "{nested}"
    );
    assert!(
        nested.contains("[x](nowhere.md)"),
        "code must stay untouched: {nested}"
    );
    assert!(course.join("assets/img/ferris.svg").is_file());

    let run = aktovka(&["check", course.to_str().unwrap()]).expect_code(0);
    assert!(run.stderr().contains("0 chyb"), "{}", run.stderr());
    let out = tmp.path().join("kniha.aktovka");
    aktovka(&[
        "build",
        course.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    aktovka(&["inspect", out.to_str().unwrap()]).expect_code(0);
}

#[test]
fn import_refuses_a_non_empty_target_and_a_non_book() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x"), "x").unwrap();
    let book = fixture("mdbook");
    aktovka(&[
        "import",
        "mdbook",
        book.to_str().unwrap(),
        tmp.path().to_str().unwrap(),
    ])
    .expect_code(2);
    let run = aktovka(&[
        "import",
        "mdbook",
        tmp.path().to_str().unwrap(),
        tmp.path().join("c").to_str().unwrap(),
    ])
    .expect_code(2);
    assert!(run.stderr().contains("SUMMARY.md"), "{}", run.stderr());
}
