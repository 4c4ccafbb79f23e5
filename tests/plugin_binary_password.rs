//! The shipped `binary` and `password` plugins end to end: the embedded WASM modules
//! through the real sandbox host, as `aktovka check` and the learner app call them. For
//! each: a copied answer, a typical pupil mistake and a correct answer get the right score
//! and an understandable Czech message, well inside the sandbox limits.

use std::time::{Duration, Instant};

use aktovka::sandbox::{CheckResponse, InputKind, PluginModule, Sandbox, shipped_plugin};
use serde_json::{Value, json};

fn host(name: &str) -> (Sandbox, PluginModule) {
    let sandbox = Sandbox::new(None).expect("engine");
    let wasm = shipped_plugin(name).unwrap_or_else(|| panic!("{name} is shipped"));
    let plugin = sandbox.load(name, wasm).expect("plugin loads");
    (sandbox, plugin)
}

fn check(
    sandbox: &Sandbox,
    plugin: &PluginModule,
    task: &Value,
    answer: &str,
    seed: u64,
) -> CheckResponse {
    sandbox
        .check(plugin, task, answer, seed, "cs")
        .unwrap_or_else(|e| panic!("{answer}: {e}"))
}

/// The number between the first `**…**` of a prompt.
fn bold_number(prompt: &str) -> u64 {
    let inner = prompt
        .split("**")
        .nth(1)
        .unwrap_or_else(|| panic!("no bold number in {prompt}"));
    inner
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {inner}"))
}

/// The pupil's variant as the learner app would show it: `render` with the pupil's seed.
fn rendered_prompt(sandbox: &Sandbox, plugin: &PluginModule, task: &Value, seed: u64) -> String {
    let request = json!({"abi": 1, "op": "render", "task": task, "lang": "cs", "seed": seed});
    let response = sandbox.call_json(plugin, &request).expect("render");
    response["prompt_md"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn binary_generated_variant_copied_mistaken_and_right() {
    let (sandbox, plugin) = host("binary");
    let task = json!({"kind": "convert", "from": "dec", "to": "bin", "bits": 8});
    assert!(sandbox.validate(&plugin, &task).expect("validate").ok);
    let r = sandbox.render(&plugin, &task, "cs", 0).expect("render");
    assert_eq!(r.input, InputKind::Text);
    assert!(r.svg.is_some_and(|s| s.contains(">128<")));

    let mine = bold_number(&rendered_prompt(&sandbox, &plugin, &task, 7));
    let right = format!("{mine:b}");
    let v = check(&sandbox, &plugin, &task, &format!("0b{right}"), 7);
    assert_eq!((v.score, v.passed), (1.0, true), "{v:?}");

    // A classmate's answer: right for seed 7, wrong for a seed whose number differs.
    let other = (8..40)
        .find(|s| bold_number(&rendered_prompt(&sandbox, &plugin, &task, *s)) != mine)
        .expect("another seed gives another number");
    let copied = check(&sandbox, &plugin, &task, &right, other);
    assert_eq!((copied.score, copied.passed), (0.0, false));

    // Remainders read top-down: the binary digits backwards (unless they are a palindrome).
    let backwards: String = right.chars().rev().collect();
    if backwards != right {
        let v = check(&sandbox, &plugin, &task, &backwards, 7);
        assert_eq!(v.score, 0.0);
        assert!(
            v.feedback_md.contains("odspodu nahoru"),
            "{}",
            v.feedback_md
        );
    }
}

#[test]
fn binary_units_explain_kb_versus_kib() {
    let (sandbox, plugin) = host("binary");
    let task = json!({"kind": "units", "value": 3, "from": "KiB", "to": "B"});
    let right = check(&sandbox, &plugin, &task, "3 072", 0);
    assert_eq!((right.score, right.passed), (1.0, true));
    let decimal = check(&sandbox, &plugin, &task, "3000", 0);
    assert_eq!((decimal.score, decimal.passed), (0.0, false));
    assert!(
        decimal.feedback_md.contains("1 KiB = 1024 B"),
        "{}",
        decimal.feedback_md
    );
    let v = sandbox
        .validate(
            &plugin,
            &json!({"kind": "units", "value": 3, "from": "KB", "to": "B"}),
        )
        .expect("validate");
    assert_eq!(v.errors[0].path, "task.from");
}

fn strong_task() -> Value {
    json!({"kind": "strong", "min_level": 3, "min_words": 4,
           "known": ["modrý kůň jí zelené jablko"]})
}

#[test]
fn password_strong_copied_weak_and_right() {
    let (sandbox, plugin) = host("password");
    let task = strong_task();
    assert!(sandbox.validate(&plugin, &task).expect("validate").ok);
    let r = sandbox.render(&plugin, &task, "cs", 0).expect("render");
    assert_eq!(r.input, InputKind::Text);

    let mine = "sova nosí v zobáku tři modré knoflíky";
    let right = check(&sandbox, &plugin, &task, mine, 0);
    assert_eq!((right.score, right.passed), (1.0, true), "{right:?}");
    assert!(
        !right.feedback_md.contains("knoflíky"),
        "the password is not echoed"
    );
    assert!(
        right
            .svg
            .is_some_and(|s| s.contains("<svg") && !s.contains("sova"))
    );

    let copied = check(&sandbox, &plugin, &task, "modry kun ji zelene jablko", 0);
    assert_eq!((copied.score, copied.passed), (0.0, false));
    assert!(
        copied.feedback_md.contains("v lekci jako příklad"),
        "{}",
        copied.feedback_md
    );

    let weak = check(
        &sandbox,
        &plugin,
        &json!({"kind": "strong"}),
        "Sparta2010",
        0,
    );
    assert!(!weak.passed);
    assert!(
        weak.feedback_md.contains("obsahuje běžné slovo „sparta“"),
        "{}",
        weak.feedback_md
    );
    assert!(
        weak.feedback_md.contains("datum nebo rok"),
        "{}",
        weak.feedback_md
    );
}

#[test]
fn password_order_and_a_long_answer_stay_within_limits() {
    let (sandbox, plugin) = host("password");
    let task = json!({"kind": "order",
        "passwords": ["Pes&Kocka1", "heslo123", "tramvaj veze sedm oranzovych slonu", "Sparta2010"]});
    let r = sandbox.render(&plugin, &task, "cs", 0).expect("render");
    assert_eq!(r.input, InputKind::Order);
    let right = check(&sandbox, &plugin, &task, "1,3,0,2", 0);
    assert_eq!(
        (right.score, right.passed),
        (1.0, true),
        "{}",
        right.feedback_md
    );
    let swapped = check(&sandbox, &plugin, &task, "3,1,0,2", 0);
    assert!(!swapped.passed && swapped.score > 0.5, "{swapped:?}");

    // The longest analysed password full of overlapping patterns, and a huge one.
    let started = Instant::now();
    let tricky = "abcabc1.1.2010qwertzheslo".repeat(3);
    let v = check(&sandbox, &plugin, &json!({"kind": "strong"}), &tricky, 0);
    assert!(v.score <= 1.0);
    let huge = "x".repeat(100_000);
    let v = check(&sandbox, &plugin, &json!({"kind": "strong"}), &huge, 0);
    assert!(!v.feedback_md.contains(&huge[..100]));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
