//! The shipped `spreadsheet` plugin end to end: the embedded WASM module through the real
//! sandbox host, as `aktovka check` and the learner app call it. A correct formula, a
//! typed-in number, typical pupil mistakes and hostile formulas each get the right score
//! and an understandable Czech message, well inside the sandbox limits.

use std::time::{Duration, Instant};

use aktovka::sandbox::{CheckResponse, InputKind, PluginModule, Sandbox, shipped_plugin};
use serde_json::{Value, json};

fn host() -> (Sandbox, PluginModule) {
    let sandbox = Sandbox::new(None).expect("engine");
    let wasm = shipped_plugin("spreadsheet").expect("spreadsheet is shipped");
    let plugin = sandbox.load("spreadsheet", wasm).expect("plugin loads");
    (sandbox, plugin)
}

/// The lesson's shopping list; D6 must add up the totals.
fn total_task() -> Value {
    json!({
        "prompt": "Spočítej, kolik stojí celý nákup.",
        "rows": [
            ["Položka", "Cena", "Počet", "Celkem"],
            ["Rohlík", 3.5, 10, "=B2*C2"],
            ["Sýr", 42, 1, "=B3*C3"],
            ["Jablko", 6, 5, "=B4*C4"],
            ["Džus", 25, 2, "=B5*C5"],
        ],
        "target": "D6",
        "expected": "=SUMA(D2:D5)",
    })
}

/// Koruna prices to euros by the rate in G1, copied down.
fn rate_task() -> Value {
    json!({
        "prompt": "Přepočítej ceny na eura.",
        "rows": [["Položka", "Cena (Kč)", "Cena (€)"], ["Vlak", 450], ["Vstupné", 150]],
        "cells": {"F1": "Kurz", "G1": 25},
        "target": "C2",
        "copy_to": ["C3"],
        "expected": "=B2/$G$1",
    })
}

fn check(sandbox: &Sandbox, plugin: &PluginModule, task: &Value, answer: &str) -> CheckResponse {
    sandbox
        .check(plugin, task, answer, 17, "cs")
        .unwrap_or_else(|e| panic!("{answer}: {e}"))
}

/// Asserts that the feedback mentions `needle`, showing it when not.
fn says(v: &CheckResponse, needle: &str) {
    assert!(v.feedback_md.contains(needle), "{}", v.feedback_md);
}

/// Asserts that the feedback begins with `start`, showing it when not.
fn opens_with(v: &CheckResponse, start: &str) {
    assert!(v.feedback_md.starts_with(start), "{}", v.feedback_md);
}

#[test]
fn validates_and_renders_the_sheet() {
    let (sandbox, plugin) = host();
    assert!(
        sandbox
            .validate(&plugin, &total_task())
            .expect("validate")
            .ok
    );
    let mut broken = total_task();
    broken["expected"] = json!("=SUMA(D2:D5");
    broken["target"] = json!("D2");
    let v = sandbox.validate(&plugin, &broken).expect("validate");
    assert!(!v.ok);
    let paths: Vec<&str> = v.errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["task.target", "task.expected"], "{v:?}");

    let r = sandbox
        .render(&plugin, &total_task(), "cs", 0)
        .expect("render");
    assert_eq!(r.input, InputKind::Text);
    assert!(r.prompt_md.contains("**D6**"), "{}", r.prompt_md);
    let svg = r.svg.unwrap_or_default();
    assert!(svg.starts_with("<svg") && svg.contains(">Džus<") && svg.contains(">?<"));
}

#[test]
fn grades_a_formula_a_typed_number_and_typical_mistakes() {
    let (sandbox, plugin) = host();
    let task = total_task();

    for right in ["=SUMA(D2:D5)", "=SUM(D2:D5)", "=D2+D3+D4+D5"] {
        let v = check(&sandbox, &plugin, &task, right);
        assert_eq!((v.score, v.passed), (1.0, true), "{right}: {v:?}");
        assert_eq!(v.checks.len(), 4, "the given sheet and three variants");
    }

    let v = check(&sandbox, &plugin, &task, "157");
    assert_eq!((v.score, v.passed), (0.0, false));
    opens_with(
        &v,
        "Napsal(a) jsi číslo, ne vzorec – když se změní data, výsledek nebude sedět.",
    );

    let v = check(&sandbox, &plugin, &task, "SUMA(D2:D5)");
    assert_eq!(v.score, 0.0);
    opens_with(&v, "Chybí rovnítko");

    let v = check(&sandbox, &plugin, &task, "=SUMA(D2:D4)");
    assert_eq!((v.score, v.passed), (0.0, false));
    says(&v, "Vzorec vynechává buňku D5.");

    let v = check(&sandbox, &plugin, &task, "=SUMA(D2:D6)");
    assert!(!v.passed);
    opens_with(&v, "Kruhový odkaz");

    let v = check(&sandbox, &plugin, &task, "=SUMA(D2:D5)/0");
    says(&v, "#DĚLENÍ_NULOU!");
    let v = sandbox
        .check(&plugin, &task, "=SUMA(D2:D5)/0", 17, "en")
        .expect("check");
    says(&v, "#DIV/0!");
}

#[test]
fn a_reference_that_moves_when_copied_is_explained() {
    let (sandbox, plugin) = host();
    let v = check(&sandbox, &plugin, &rate_task(), "=B2/$G$1");
    assert!(v.passed, "{v:?}");
    let v = check(&sandbox, &plugin, &rate_task(), "=B2/G1");
    assert!(!v.passed);
    assert!(
        v.feedback_md.contains("se odkaz G1 posune na G2") && v.feedback_md.contains("`$G$1`"),
        "{}",
        v.feedback_md
    );
}

#[test]
fn the_same_seed_gives_the_same_verdict() {
    let (sandbox, plugin) = host();
    let half = "=D2+D3+D4+50";
    let a = sandbox
        .check(&plugin, &total_task(), half, 99, "cs")
        .expect("check");
    let b = sandbox
        .check(&plugin, &total_task(), half, 99, "cs")
        .expect("check");
    assert_eq!(a, b);
    assert_eq!((a.score, a.passed), (0.25, false));
}

#[test]
fn hostile_formulas_are_answered_quickly() {
    let (sandbox, plugin) = host();
    let deep = format!("={}1{}", "(".repeat(400), ")".repeat(400));
    let long = format!("={}", vec!["SUMA(A1:XFD1048576)"; 45].join("+"));
    for answer in [deep.as_str(), long.as_str(), "=XFD1048576*2", "=A1:Z100"] {
        let started = Instant::now();
        let v = check(&sandbox, &plugin, &total_task(), answer);
        assert!(started.elapsed() < Duration::from_secs(2), "{answer}");
        assert!(!v.passed && !v.feedback_md.is_empty(), "{answer}: {v:?}");
    }
}
