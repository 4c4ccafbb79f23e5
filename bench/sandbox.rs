//! Sandbox benchmark (`bench/sandbox.sh` builds the inputs and runs this): gradings per
//! second and latency through the host, against a process per grading, a naive host that
//! compiles on every call, and the time to the first grading of a fresh `aktovka` process;
//! then the curriculum plugins (spreadsheet, binary, password) on real exercises of the
//! sample course.
//!
//! The plugins are the shipped ones (embedded in aktovka); the native graders are the same
//! crates built for the host. Arguments: QUIZ_NATIVE KAREL_NATIVE AKTOVKA_BIN.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aktovka::sandbox::{PluginModule, Sandbox, shipped_plugin};
use serde_json::{Value, json};

struct Figures {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `f` `n` times after `warmup` unmeasured runs.
fn measure(n: usize, warmup: usize, mut f: impl FnMut(usize)) -> Figures {
    for i in 0..warmup {
        f(i);
    }
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        f(i);
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    Figures {
        per_sec: n as f64 / total.as_secs_f64(),
        p50: times[n / 2],
        p99: times[(n * 99 / 100).min(n - 1)],
    }
}

fn row(what: &str, f: &Figures) {
    println!(
        "{what:<44} {:>10.0} /s   p50 {:>9.1} µs   p99 {:>9.1} µs",
        f.per_sec,
        f.p50.as_secs_f64() * 1e6,
        f.p99.as_secs_f64() * 1e6
    );
}

fn quiz_task() -> Value {
    json!({"kind": "single", "question": "Které heslo je nejbezpečnější?",
           "options": ["heslo123", "Pes&Kocka1", "modry-kun-ji-zelene-jablko"], "answer": 2})
}

fn karel_task() -> Value {
    let world = |w: u32, h: u32| json!({"size": [w, h], "karel": [1, 1, "východ"], "goal": {"karel": [w, 1]}});
    json!({"prompt": "Dojdi ke zdi.", "worlds": [world(6, 4), world(10, 3), world(3, 3)]})
}

const KAREL_SOLUTION: &str = "DOKUD NENÍ ZEĎ\n  KROK\nKONEC\n";

/// The first exercise of each curriculum plugin in the sample course, with its reference
/// solution: real tasks as teachers write them.
fn curriculum_exercises() -> Vec<(&'static str, (Value, String))> {
    let course = Path::new(env!("CARGO_MANIFEST_DIR")).join("courses/digitalni-gramotnost");
    let (course, _) = aktovka::course::load(&course);
    let course = course.expect("the sample course loads");
    ["spreadsheet", "binary", "password"]
        .into_iter()
        .map(|name| {
            let ex = course
                .exercises()
                .find(|e| e.plugin == name && e.solution.is_some())
                .expect("the sample course has an exercise for each shipped plugin");
            (
                name,
                (ex.task.clone(), ex.solution.clone().unwrap_or_default()),
            )
        })
        .collect()
}

fn grade(sandbox: &Sandbox, plugin: &PluginModule, task: &Value, answer: &str, seed: u64) {
    match sandbox.check(plugin, task, answer, seed, "cs") {
        Ok(v) if v.passed => {}
        Ok(v) => panic!("{}: not passed: {}", plugin.name(), v.feedback_md),
        Err(e) => panic!("{}: {}: {e}", plugin.name(), e.kind()),
    }
}

fn native_grading(binary: &Path, request: &[u8]) {
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn native grader");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request)
        .expect("write request");
    let out = child.wait_with_output().expect("native grader runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("native grader answers JSON");
    assert_eq!(v["passed"], true, "{v}");
}

/// The plugin `SANDBOX_BENCH_ONLY` names (`floor`, or a shipped plugin graded on the same
/// exercise as the full run), with its task and answer; `SANDBOX_BENCH_WASM` replaces its
/// module (an unstripped build, for symbol names in a profile).
fn profile_target(sandbox: &Sandbox, which: &str) -> (PluginModule, Value, String) {
    let wasm = match std::env::var("SANDBOX_BENCH_WASM") {
        Ok(path) => std::fs::read(&path).expect("SANDBOX_BENCH_WASM is readable"),
        Err(_) if which == "floor" => floor_wasm(),
        Err(_) => shipped_plugin(which)
            .expect("SANDBOX_BENCH_ONLY names floor or a shipped plugin")
            .to_vec(),
    };
    let plugin = sandbox.load(which, &wasm).expect("the plugin loads");
    let (task, answer) = match which {
        "karel" => (karel_task(), KAREL_SOLUTION.to_owned()),
        "floor" | "quiz" => (quiz_task(), "2".to_owned()),
        name => curriculum_exercises()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, exercise)| exercise)
            .expect("an exercise of the sample course"),
    };
    (plugin, task, answer)
}

/// `SANDBOX_BENCH_ONLY=<plugin>` grades with just that plugin `SANDBOX_BENCH_CALLS` times
/// (default 50 000) and exits: a steady loop to profile with `perf record` or
/// `valgrind --tool=callgrind`.
fn profile_loop(which: &str) {
    let sandbox = Sandbox::new(None).expect("sandbox");
    let (plugin, task, answer) = profile_target(&sandbox, which);
    let n: usize = std::env::var("SANDBOX_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let started = Instant::now();
    for _ in 0..n {
        grade(&sandbox, &plugin, &task, &answer, 0);
    }
    let spent = started.elapsed();
    let request = aktovka::sandbox::abi::check_request(&task, &answer, 0, "cs");
    let report = sandbox.call_json_report(&plugin, &request);
    println!(
        "{which}: {n} calls, {:.1} µs each, {} fuel per call",
        spent.as_secs_f64() * 1e6 / n as f64,
        report.fuel_used
    );
}

/// The least a plugin can do: read the request, answer a fixed passing verdict, return
/// from `_start`. Grading with it is what a call costs the host alone (fresh instance,
/// request in, response parsed), the floor under every real plugin.
fn floor_wasm() -> Vec<u8> {
    const RESPONSE: &str = r#"{"score":1.0,"passed":true,"feedback_md":"Správně!","checks":[]}"#;
    let escaped: String = RESPONSE
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' => format!("\\{}", b as char),
            b if b.is_ascii() => (b as char).to_string(),
            b => format!("\\{b:02x}"),
        })
        .collect();
    let wat = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{escaped}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 4) (i32.const 60000))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
        len = RESPONSE.len()
    );
    wat::parse_str(&wat).expect("the floor plugin compiles")
}

fn main() {
    if let Ok(which) = std::env::var("SANDBOX_BENCH_ONLY") {
        profile_loop(&which);
        return;
    }
    let args: Vec<PathBuf> = std::env::args_os()
        .skip(1)
        .filter(|a| a != "--bench")
        .map(PathBuf::from)
        .collect();
    let [quiz_native, karel_native, aktovka_bin] = &args[..] else {
        eprintln!("usage: sandbox QUIZ_NATIVE KAREL_NATIVE AKTOVKA_BIN");
        std::process::exit(2);
    };
    let quiz_bytes = shipped_plugin("quiz").expect("quiz is shipped");
    let karel_bytes = shipped_plugin("karel").expect("karel is shipped");

    let sandbox = Sandbox::new(None).expect("sandbox");
    let quiz = sandbox.load("quiz", quiz_bytes).expect("quiz loads");
    let karel = sandbox.load("karel", karel_bytes).expect("karel loads");
    let (qt, kt) = (quiz_task(), karel_task());

    println!("== sandbox benchmark (single thread) ==");
    println!(
        "plugins: quiz {} KiB, karel {} KiB of wasm",
        quiz_bytes.len() >> 10,
        karel_bytes.len() >> 10
    );
    let host_quiz = measure(20_000, 500, |i| grade(&sandbox, &quiz, &qt, "2", i as u64));
    row("quiz through the host", &host_quiz);
    let floor = sandbox.load("floor", &floor_wasm()).expect("floor loads");
    let host_floor = measure(20_000, 500, |i| grade(&sandbox, &floor, &qt, "2", i as u64));
    row("floor: a plugin that does nothing", &host_floor);
    let host_karel = measure(5_000, 200, |i| {
        grade(&sandbox, &karel, &kt, KAREL_SOLUTION, i as u64)
    });
    row("karel (3 worlds) through the host", &host_karel);
    let mut curriculum = Vec::new();
    for (name, exercise) in curriculum_exercises() {
        let bytes = shipped_plugin(name).expect("plugin is shipped");
        let plugin = sandbox.load(name, bytes).expect("plugin loads");
        let (task, solution) = exercise;
        // Seed 0: the reference solutions of generated tasks are the seed-0 answers.
        let figures = measure(5_000, 200, |_| {
            grade(&sandbox, &plugin, &task, &solution, 0)
        });
        row(&format!("{name} through the host"), &figures);
        curriculum.push((name, figures));
    }

    let quiz_req = serde_json::to_vec(&aktovka::sandbox::abi::check_request(&qt, "2", 1, "cs"))
        .expect("request");
    let karel_req = serde_json::to_vec(&aktovka::sandbox::abi::check_request(
        &kt,
        KAREL_SOLUTION,
        1,
        "cs",
    ))
    .expect("request");
    let proc_quiz = measure(300, 20, |_| native_grading(quiz_native, &quiz_req));
    row("quiz, native process per grading", &proc_quiz);
    let proc_karel = measure(300, 20, |_| native_grading(karel_native, &karel_req));
    row("karel, native process per grading", &proc_karel);

    let naive = measure(10, 1, |i| {
        let fresh = Sandbox::new(None).expect("sandbox");
        let quiz = fresh.load("quiz", quiz_bytes).expect("quiz loads");
        grade(&fresh, &quiz, &qt, "2", i as u64);
    });
    row("quiz, naive host (engine + compile per call)", &naive);

    // A fresh `aktovka plugin call` process with a warm on-disk cache.
    let home = tempfile::tempdir().expect("tempdir");
    let req_file = home.path().join("request.json");
    std::fs::write(&req_file, &quiz_req).expect("request file");
    let first = measure(20, 2, |_| {
        let out = Command::new(aktovka_bin)
            .args(["plugin", "call", "quiz"])
            .arg(&req_file)
            .env("AKTOVKA_HOME", home.path())
            .stderr(Stdio::inherit())
            .output()
            .expect("aktovka runs");
        assert!(out.status.success(), "aktovka plugin call failed");
    });
    row("first grading of a new process (warm cache)", &first);

    println!();
    println!("== goals ==");
    let ratio = host_quiz.per_sec / proc_quiz.per_sec;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "quiz gradings/s ≥ 20 000: {:.0} ({})",
        host_quiz.per_sec,
        verdict(host_quiz.per_sec >= 20_000.0)
    );
    println!(
        "quiz p99 < 1 ms: {:.1} µs ({})",
        host_quiz.p99.as_secs_f64() * 1e6,
        verdict(host_quiz.p99 < Duration::from_millis(1))
    );
    println!(
        "≥ 100× process per grading: {ratio:.0}× ({}); 100× is {:.1} µs per grading, the host's floor is {:.1} µs",
        verdict(ratio >= 100.0),
        1e6 / (100.0 * proc_quiz.per_sec),
        1e6 / host_floor.per_sec
    );
    println!(
        "first grading < 20 ms: {:.1} ms p50 ({})",
        first.p50.as_secs_f64() * 1e3,
        verdict(first.p50 < Duration::from_millis(20))
    );
    for (name, f) in &curriculum {
        println!(
            "{name} p99 < 1 ms: {:.1} µs, {:.0} gradings/s ({})",
            f.p99.as_secs_f64() * 1e6,
            f.per_sec,
            verdict(f.p99 < Duration::from_millis(1))
        );
    }
    println!(
        "(naive host: {:.1} ms per grading, {:.0}× slower than the host)",
        naive.p50.as_secs_f64() * 1e3,
        host_quiz.per_sec / naive.per_sec
    );
}
