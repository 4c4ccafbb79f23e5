//! The hostile-plugin suite: every fixture in `tests/fixtures/plugins/*.wat` through the real
//! host. Each bad plugin must end with its typed error well inside 2 s, and the same host
//! must answer the next (well-behaved) call.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plugins")
        .join(format!("{name}.wat"));
    match wat::parse_file(&path) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn host() -> Sandbox {
    Sandbox::new(None).expect("engine")
}

fn request() -> Value {
    json!({"abi": 1, "op": "check", "task": {"kind": "text"}, "answer": "ahoj", "seed": 3})
}

/// The well-behaved echo plugin answers on `sandbox`.
fn assert_host_still_works(sandbox: &Sandbox) {
    let echo = sandbox.load("echo", &fixture("echo")).expect("echo loads");
    let answer = sandbox.call_json(&echo, &request()).expect("echo answers");
    assert_eq!(answer, request());
}

/// Runs fixture `name` on a fresh host; asserts its error kind, the 2 s bound and that the
/// host still works afterwards.
fn run_hostile_on(sandbox: &Sandbox, name: &str, kinds: &[&str]) -> SandboxError {
    let plugin = sandbox.load(name, &fixture(name)).expect("fixture loads");
    let started = Instant::now();
    let err = sandbox
        .call_json(&plugin, &request())
        .expect_err("a hostile plugin must fail");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{name} took {elapsed:?}");
    assert!(
        kinds.contains(&err.kind()),
        "{name}: got {} ({err}), expected one of {kinds:?}",
        err.kind()
    );
    assert_host_still_works(sandbox);
    err
}

fn run_hostile(name: &str, kinds: &[&str]) -> SandboxError {
    run_hostile_on(&host(), name, kinds)
}

#[test]
fn echo_answers_with_its_request() {
    assert_host_still_works(&host());
}

#[test]
fn endless_loop_is_stopped() {
    run_hostile("loop", &["fuel", "timeout"]);
}

#[test]
fn endless_loop_runs_out_of_fuel_first_with_a_small_budget() {
    let limits = SandboxLimits {
        fuel: 1_000_000,
        ..SandboxLimits::default()
    };
    let sandbox = Sandbox::with_limits(limits, None).expect("engine");
    let err = run_hostile_on(&sandbox, "loop", &["fuel"]);
    assert_eq!(err, SandboxError::Fuel(1_000_000));
}

#[test]
fn endless_loop_hits_the_wall_clock_deadline_when_fuel_is_plenty() {
    let limits = SandboxLimits {
        fuel: u64::MAX / 2,
        deadline: Duration::from_millis(200),
        ..SandboxLimits::default()
    };
    let sandbox = Sandbox::with_limits(limits, None).expect("engine");
    let started = Instant::now();
    run_hostile_on(&sandbox, "loop", &["timeout"]);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn memory_bomb_is_refused() {
    let err = run_hostile("grow", &["memory"]);
    assert_eq!(err, SandboxError::Memory(64 << 20));
}

#[test]
fn deep_recursion_exhausts_the_stack() {
    let err = run_hostile("recursion", &["trap"]);
    assert!(err.to_string().contains("stack"), "{err}");
}

#[test]
fn stdout_flood_is_cut() {
    let err = run_hostile("stdout_flood", &["output-too-large"]);
    assert_eq!(
        err,
        SandboxError::OutputTooLarge {
            stream: "stdout",
            limit: 1 << 20
        }
    );
}

#[test]
fn stderr_flood_is_cut() {
    let err = run_hostile("stderr_flood", &["output-too-large"]);
    assert_eq!(
        err,
        SandboxError::OutputTooLarge {
            stream: "stderr",
            limit: 64 << 10
        }
    );
}

#[test]
fn no_file_and_no_socket_can_be_opened() {
    let sandbox = host();
    for name in ["open_file", "socket"] {
        let plugin = sandbox.load(name, &fixture(name)).expect("loads");
        let answer = sandbox.call_json(&plugin, &request());
        assert_eq!(answer, Ok(json!({"refused": true})), "{name}");
    }
}

#[test]
fn non_wasi_import_is_refused_by_name() {
    let err = host()
        .load("env_import", &fixture("env_import"))
        .unwrap_err();
    assert_eq!(err, SandboxError::ForbiddenImport("env::foo".to_owned()));
    assert_eq!(err.kind(), "forbidden-import");
}

#[test]
fn module_without_start_is_invalid() {
    let err = host().load("no_start", &fixture("no_start")).unwrap_err();
    assert_eq!(err.kind(), "invalid-module");
    assert!(err.to_string().contains("_start"), "{err}");
}

#[test]
fn invalid_bytes_and_oversized_modules_are_invalid() {
    let sandbox = host();
    let err = sandbox.load("junk", b"\0asm\x01\0\0\0garbage").unwrap_err();
    assert_eq!(err.kind(), "invalid-module");
    let err = sandbox.load("text", b"(module)").unwrap_err();
    assert_eq!(err.kind(), "invalid-module");
    let small = SandboxLimits {
        module_bytes: 100,
        ..SandboxLimits::default()
    };
    let tiny_host = Sandbox::with_limits(small, None).expect("engine");
    let err = tiny_host.load("echo", &fixture("echo")).unwrap_err();
    assert!(err.to_string().contains("limit is 100 bytes"), "{err}");
    assert_host_still_works(&sandbox);
}

#[test]
fn trap_midway_is_a_trap() {
    let err = run_hostile("trap", &["trap"]);
    assert!(err.to_string().contains("unreachable"), "{err}");
}

#[test]
fn non_json_output_is_a_bad_response() {
    let err = run_hostile("not_json", &["bad-response"]);
    assert!(err.to_string().contains("hello"), "{err}");
}

#[test]
fn exit_code_one_is_a_trap_with_the_code_and_keeps_stderr() {
    let sandbox = host();
    let plugin = sandbox.load("exit1", &fixture("exit1")).expect("loads");
    let report = sandbox.call_json_report(&plugin, &request());
    assert_eq!(report.outcome, Err(SandboxError::Exit(1)));
    assert_eq!(report.stderr, b"giving up\n");
    run_hostile_on(&sandbox, "exit1", &["trap"]);
}

#[test]
fn sleeping_returns_at_once_and_the_virtual_clock_moves() {
    let sandbox = host();
    let plugin = sandbox.load("sleep", &fixture("sleep")).expect("loads");
    let started = Instant::now();
    let answer = sandbox.call_json(&plugin, &request()).expect("answers");
    assert!(started.elapsed() < Duration::from_secs(2));
    let ten_seconds = hex::encode(10_000_000_000u64.to_le_bytes());
    assert_eq!(answer, json!({ "t": ten_seconds }));
    assert_host_still_works(&sandbox);
}

#[test]
fn same_seed_same_randomness() {
    let sandbox = host();
    let plugin = sandbox.load("random", &fixture("random")).expect("loads");
    let with_seed = |seed: u64| {
        let req = json!({"abi": 1, "op": "check", "seed": seed});
        sandbox.call_json(&plugin, &req).expect("answers")
    };
    assert_eq!(with_seed(7), with_seed(7));
    assert_ne!(with_seed(7), with_seed(8));
    // Fresh host, same answer: nothing depends on host state.
    let again = host();
    let plugin2 = again.load("random", &fixture("random")).expect("loads");
    let req = json!({"abi": 1, "op": "check", "seed": 7});
    assert_eq!(
        again.call_json(&plugin2, &req).expect("answers"),
        with_seed(7)
    );
}

#[test]
fn disk_cache_is_written_reused_and_survives_corruption() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wasm = fixture("echo");
    let first = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    first.load("echo", &wasm).expect("loads");
    let files = cache::files_in(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let written = std::fs::read(&files[0]).expect("cache file");

    // A fresh host takes the valid file as is.
    let second = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    assert_host_still_works(&second);
    assert_eq!(std::fs::read(&files[0]).expect("cache file"), written);

    // Garbage in the file: recompiled, answered, and the file replaced with a good one.
    std::fs::write(&files[0], b"garbage, not a compiled module").expect("write");
    let third = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    assert_host_still_works(&third);
    assert_eq!(std::fs::read(&files[0]).expect("cache file"), written);

    // A flipped bit in the payload is caught by the checksum, not handed to wasmtime.
    let mut flipped = written.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    std::fs::write(&files[0], &flipped).expect("write");
    let fourth = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    assert_host_still_works(&fourth);
    assert_eq!(std::fs::read(&files[0]).expect("cache file"), written);
}

#[test]
fn another_modules_cache_file_is_not_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host_a = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    host_a.load("echo", &fixture("echo")).expect("loads");
    let echo_file = cache::files_in(dir.path()).remove(0);
    // Plant echo's compiled code under random's name.
    let random = fixture("random");
    let random_sha: [u8; 32] = Sha256::digest(&random).into();
    let cache = host_a.cache.as_ref().expect("cache");
    std::fs::copy(&echo_file, cache.path(&random_sha)).expect("copy");
    let host_b = Sandbox::new(Some(dir.path().to_owned())).expect("engine");
    let plugin = host_b.load("random", &random).expect("loads");
    let answer = host_b.call_json(&plugin, &request()).expect("answers");
    assert!(answer.get("r").is_some(), "ran echo's code: {answer}");
}

#[test]
fn typed_helpers_reject_garbage_responses() {
    let sandbox = host();
    let echo = sandbox.load("echo", &fixture("echo")).expect("loads");
    // Echo answers with the request itself, which is no verdict.
    let err = sandbox
        .check(&echo, &json!({}), "a", 1, "cs")
        .expect_err("not a verdict");
    assert_eq!(err.kind(), "bad-response");
}

#[test]
fn calls_run_in_parallel_threads() {
    let sandbox = std::sync::Arc::new(host());
    let threads: Vec<_> = (0..4)
        .map(|seed| {
            let sandbox = std::sync::Arc::clone(&sandbox);
            std::thread::spawn(move || {
                let plugin = sandbox.load("random", &fixture("random")).expect("loads");
                let req = json!({"abi": 1, "op": "check", "seed": seed});
                sandbox.call_json(&plugin, &req).expect("answers")
            })
        })
        .collect();
    let answers: Vec<Value> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(answers.len(), 4);
    assert_ne!(answers[0], answers[1]);
}

fn exercise(plugin: &str, solution: Option<&str>) -> crate::course::Exercise {
    crate::course::Exercise {
        id: "cviceni-1".to_owned(),
        plugin: plugin.to_owned(),
        title: "Cvičení".to_owned(),
        points: 1,
        solution: solution.map(str::to_owned),
        task: json!({"kind": "text"}),
        lesson: "01-uvod".to_owned(),
        file: PathBuf::from("lessons/01-uvod.md"),
        line: 3,
    }
}

#[test]
fn exercise_checker_reports_unknown_and_failing_plugins() {
    use crate::course::ExerciseChecker;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut course_plugins = Vec::new();
    for name in ["echo", "exit1"] {
        let path = dir.path().join(format!("{name}.wasm"));
        std::fs::write(&path, fixture(name)).expect("write");
        course_plugins.push((name.to_owned(), path));
    }
    let sandbox = host();
    let checker = PluginExerciseChecker::new(&sandbox, "cs");

    let problems = checker.check_exercise(&exercise("no-such", Some("x")), &course_plugins);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path.as_deref(), Some("plugin"));
    assert!(problems[0].message.contains("no-such"), "{problems:?}");

    let problems = checker.check_exercise(&exercise("exit1", Some("x")), &course_plugins);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message
            .contains("trap: the plugin exited with code 1"),
        "{problems:?}"
    );

    // Echo's answer to `validate` is the request itself: not a validate response.
    let problems = checker.check_exercise(&exercise("echo", Some("x")), &course_plugins);
    assert!(problems[0].message.contains("bad-response"), "{problems:?}");
}

fn shipped(sandbox: &Sandbox, name: &str) -> PluginModule {
    let wasm = shipped_plugin(name).unwrap_or_else(|| panic!("{name} is shipped"));
    sandbox.load(name, wasm).expect("shipped plugin loads")
}

fn quiz_task() -> Value {
    json!({"kind": "single", "question": "Které heslo je nejbezpečnější?",
           "options": ["heslo123", "Pes&Kocka1", "modry-kun-ji-zelene-jablko"], "answer": 2})
}

#[test]
fn shipped_quiz_validates_renders_and_grades() {
    let sandbox = host();
    let quiz = shipped(&sandbox, "quiz");
    assert!(sandbox.validate(&quiz, &quiz_task()).expect("validate").ok);
    let mut broken = quiz_task();
    broken["answer"] = json!(7);
    let v = sandbox.validate(&quiz, &broken).expect("validate");
    assert_eq!(v.errors[0].path, "task.answer", "{v:?}");

    let r = sandbox
        .render(&quiz, &quiz_task(), "cs", 0)
        .expect("render");
    assert_eq!(r.input, InputKind::Choice);
    assert_eq!(r.choices.as_ref().map(Vec::len), Some(3));

    let right = sandbox
        .check(&quiz, &quiz_task(), "2", 1, "cs")
        .expect("check");
    assert_eq!((right.score, right.passed), (1.0, true));
    let wrong = sandbox
        .check(&quiz, &quiz_task(), "0", 1, "cs")
        .expect("check");
    assert_eq!((wrong.score, wrong.passed), (0.0, false));
    assert!(!wrong.feedback_md.is_empty());
    // A task that does not validate is refused by the plugin, not crashed on.
    let err = sandbox.check(&quiz, &broken, "2", 1, "cs").unwrap_err();
    assert_eq!(err.kind(), "plugin-error", "{err}");
}

#[test]
fn shipped_karel_runs_hidden_worlds() {
    let sandbox = host();
    let karel = shipped(&sandbox, "karel");
    let world =
        |w: u32| json!({"size": [w, 3], "karel": [1, 1, "východ"], "goal": {"karel": [w, 1]}});
    let task = json!({"prompt": "Dojdi ke zdi.", "worlds": [world(6), world(9)]});
    assert!(sandbox.validate(&karel, &task).expect("validate").ok);
    let r = sandbox.render(&karel, &task, "cs", 0).expect("render");
    assert_eq!(r.input, InputKind::Code);
    assert!(r.svg.is_some_and(|s| s.contains("<svg")));

    let solution = "DOKUD NENÍ ZEĎ\n  KROK\nKONEC\n";
    let v = sandbox
        .check(&karel, &task, solution, 1, "cs")
        .expect("check");
    assert!(v.passed, "{v:?}");
    assert_eq!(v.checks.len(), 2);
    // Counting steps solves only the first world.
    let counted = "OPAKUJ 5-KRÁT\n  KROK\nKONEC\n";
    let v = sandbox
        .check(&karel, &task, counted, 1, "cs")
        .expect("check");
    assert_eq!((v.score, v.passed), (0.5, false));
    // An endless program is the plugin's own verdict, well inside the sandbox limits.
    let endless = "DOKUD JE SEVER\n  VLEVO-VBOK\n  VLEVO-VBOK\n  VLEVO-VBOK\n  VLEVO-VBOK\nKONEC\nOPAKUJ 10000-KRÁT\n  VLEVO-VBOK\nKONEC\nDOKUD NENÍ ZEĎ\n  VLEVO-VBOK\nKONEC\n";
    let started = Instant::now();
    let v = sandbox.check(&karel, &task, endless, 1, "cs");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(v.is_ok_and(|v| !v.passed));
}

#[test]
fn exercise_checker_runs_shipped_plugins() {
    use crate::course::ExerciseChecker;
    let sandbox = host();
    let checker = PluginExerciseChecker::new(&sandbox, "cs");
    let mut ex = exercise("quiz", Some("2"));
    ex.task = quiz_task();
    assert_eq!(checker.check_exercise(&ex, &[]), Vec::new());

    ex.solution = Some("1".to_owned());
    let problems = checker.check_exercise(&ex, &[]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path.as_deref(), Some("solution"));
    assert!(problems[0].message.contains("scores 0"), "{problems:?}");

    ex.solution = None;
    assert_eq!(
        checker.check_exercise(&ex, &[])[0].path.as_deref(),
        Some("solution")
    );

    ex.task["options"] = json!([]);
    let problems = checker.check_exercise(&ex, &[]);
    assert!(
        problems
            .iter()
            .all(|p| p.path.as_deref().is_some_and(|p| p.starts_with("task."))),
        "{problems:?}"
    );
}
