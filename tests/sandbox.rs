//! `aktovka plugin call` end to end: the real binary on WAT fixtures compiled to wasm in a
//! temp dir. Exit 0 with the response on stdout, or exit 2 with `kind: message` on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn wasm_fixture(dir: &Path, name: &str) -> PathBuf {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plugins")
        .join(format!("{name}.wat"));
    let wasm = wat::parse_file(&source).expect("fixture parses");
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, wasm).expect("write wasm");
    path
}

fn aktovka(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aktovka"))
        .args(args)
        .env("AKTOVKA_HOME", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aktovka");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("aktovka runs")
}

#[test]
fn plugin_call_prints_the_response() {
    let dir = tempfile::tempdir().expect("tempdir");
    let echo = wasm_fixture(dir.path(), "echo");
    let request = r#"{"abi":1,"op":"validate","task":{"kind":"text"}}"#;
    let out = aktovka(
        dir.path(),
        &["plugin", "call", echo.to_str().expect("utf-8"), "-"],
        request,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(response["op"], "validate");
    // The compiled module was cached in the data directory.
    let cached = std::fs::read_dir(dir.path().join("cache/modules")).expect("cache dir");
    assert_eq!(cached.count(), 1);
}

#[test]
fn plugin_call_reports_sandbox_errors_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let request_file = dir.path().join("request.json");
    std::fs::write(&request_file, r#"{"abi":1,"op":"check"}"#).expect("write");
    let request = request_file.to_str().expect("utf-8");
    for (fixture, expected) in [
        ("exit1", "trap: the plugin exited with code 1"),
        ("not_json", "bad-response:"),
        ("env_import", "forbidden-import: env::foo"),
        ("grow", "memory:"),
    ] {
        let wasm = wasm_fixture(dir.path(), fixture);
        let out = aktovka(
            dir.path(),
            &["plugin", "call", wasm.to_str().expect("utf-8"), request],
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{fixture}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{fixture}: {stderr}");
    }
    // The plugin's own stderr reaches the author.
    let wasm = wasm_fixture(dir.path(), "exit1");
    let out = aktovka(
        dir.path(),
        &["plugin", "call", wasm.to_str().expect("utf-8"), request],
        "",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("giving up"));
}

#[test]
fn plugin_call_names_a_missing_plugin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = aktovka(dir.path(), &["plugin", "call", "no-such-plugin", "-"], "{}");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-found: plugin `no-such-plugin`"));
}

#[test]
fn plugin_call_finds_a_shipped_plugin_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let request = r#"{"abi":1,"op":"check","seed":1,"lang":"cs","answer":"3,5",
        "task":{"kind":"number","question":"Kolik je 7/2?","answer":3.5}}"#;
    let out = aktovka(dir.path(), &["plugin", "call", "quiz", "-"], request);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(response["score"], 1.0, "{response}");
}

/// `aktovka exercise check` on the mini course's bundle: exit 0 passed, 1 not passed,
/// 2 unknown exercise.
#[test]
fn exercise_check_grades_an_answer_from_a_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("mini.aktovka");
    let course = crate::util::fixture("courses/mini");
    let built = aktovka(
        dir.path(),
        &[
            "build",
            course.to_str().expect("utf-8"),
            "-o",
            bundle.to_str().expect("utf-8"),
        ],
        "",
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let bundle = bundle.to_str().expect("utf-8");

    let right = aktovka(
        dir.path(),
        &[
            "exercise", "check", bundle, "skola-1", "--answer", "7", "--json",
        ],
        "",
    );
    assert_eq!(
        right.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&right.stdout).expect("JSON");
    assert_eq!(
        (verdict["score"].as_f64(), verdict["passed"].as_bool()),
        (Some(1.0), Some(true))
    );

    let answer_file = dir.path().join("answer.txt");
    std::fs::write(&answer_file, "6").expect("write");
    let wrong = aktovka(
        dir.path(),
        &[
            "exercise",
            "check",
            bundle,
            "skola-1",
            "--answer-file",
            answer_file.to_str().expect("utf-8"),
        ],
        "",
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("score: 0"));

    let missing = aktovka(
        dir.path(),
        &["exercise", "check", bundle, "nic", "--answer", "1"],
        "",
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("skola-1"));
}
