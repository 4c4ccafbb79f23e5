use super::*;
use aktovka_plugin_abi::handle;
use serde_json::json;

fn task(value: Value) -> BinaryTask {
    match BinaryTask::parse(&value, Lang::Cs) {
        Ok(t) => t,
        Err(e) => panic!("task should be valid: {e:?}"),
    }
}

fn paths(value: Value) -> Vec<String> {
    BinaryPlugin
        .validate(&value, Lang::Cs)
        .into_iter()
        .map(|e| e.path)
        .collect()
}

fn grade(t: &BinaryTask, answer: &str) -> Verdict {
    t.check(answer, 0, Lang::Cs)
}

/// The right answer of a generated convert task for `seed`, from the exercise itself.
fn right_answer(t: &BinaryTask, seed: u64) -> String {
    match t.exercise(seed) {
        Exercise::Convert { to, value, .. } => to.digits(value),
        other => panic!("not a conversion: {other:?}"),
    }
}

#[test]
fn fixed_binary_to_decimal_accepts_the_answer_and_explains_mistakes() {
    let t = task(json!({"kind": "convert", "from": "bin", "to": "dec", "value": "1011 0110"}));
    let right = grade(&t, "182");
    assert_eq!((right.score, right.passed), (1.0, true));
    assert!(
        right.feedback_md.contains("1011 0110₂ = 182₁₀"),
        "{}",
        right.feedback_md
    );
    // Bits read from the left as the lowest place: 01101101₂ = 109.
    let reversed = grade(&t, "109");
    assert_eq!((reversed.score, reversed.passed), (0.0, false));
    assert!(
        reversed.feedback_md.contains("obráceném pořadí"),
        "{}",
        reversed.feedback_md
    );
    // Place values started at 2 instead of 1.
    let doubled = grade(&t, "364");
    assert!(
        doubled.feedback_md.contains("2⁰ = 1"),
        "{}",
        doubled.feedback_md
    );
    let letters = grade(&t, "sto");
    assert!(
        letters.feedback_md.contains("číslicemi 0–9"),
        "{}",
        letters.feedback_md
    );
}

#[test]
fn forgetting_two_to_the_zero_is_named() {
    let t = task(json!({"kind": "convert", "from": "bin", "to": "dec", "value": "1101"}));
    let v = grade(&t, "12");
    assert!(!v.passed);
    assert!(
        v.feedback_md.contains("Zapomněl(a) jsi na nejnižší řád"),
        "{}",
        v.feedback_md
    );
}

#[test]
fn answers_are_read_leniently() {
    let t = task(json!({"kind": "convert", "from": "dec", "to": "hex", "value": 182}));
    for answer in ["B6", "b6", "0xB6", " 0x b6 ", "B6h", "B6₁₆"] {
        assert!(grade(&t, answer).passed, "{answer}");
    }
    let to_bin = task(json!({"kind": "convert", "from": "hex", "to": "bin", "value": "0xB6"}));
    for answer in ["10110110", "1011 0110", "0b1011_0110", "010110110"] {
        assert!(grade(&to_bin, answer).passed, "{answer}");
    }
    // Remainders written top-down: the digits of the answer reversed.
    let backwards = grade(&to_bin, "01101101");
    assert!(
        backwards.feedback_md.contains("pozpátku"),
        "{}",
        backwards.feedback_md
    );
    let decimal = grade(&to_bin, "182");
    assert!(
        decimal.feedback_md.contains("v desítkové soustavě"),
        "{}",
        decimal.feedback_md
    );
    let digit = grade(&to_bin, "10112");
    assert!(
        digit.feedback_md.contains("jen číslice 0 a 1"),
        "{}",
        digit.feedback_md
    );
}

#[test]
fn generated_numbers_differ_per_seed_and_a_copied_answer_fails() {
    let t = task(json!({"kind": "convert", "from": "dec", "to": "bin", "bits": 8}));
    let mine = right_answer(&t, 1);
    assert_eq!(mine.len(), 8, "exactly 8 bits: {mine}");
    assert!(t.check(&mine, 1, Lang::Cs).passed);
    // A classmate's answer (another seed) fails for this pupil.
    let other_seed = (2..50)
        .find(|s| right_answer(&t, *s) != mine)
        .expect("some seed gives another number");
    let copied = t.check(&mine, other_seed, Lang::Cs);
    assert_eq!((copied.score, copied.passed), (0.0, false));
    // render and check agree on the variant: the prompt shows this seed's number.
    let Exercise::Convert { value, .. } = t.exercise(other_seed) else {
        panic!("convert")
    };
    let prompt = t.render(other_seed, Lang::Cs).prompt_md;
    assert!(prompt.contains(&format!("**{value}**₁₀")), "{prompt}");
    // Another `variant` gets other numbers for the same seed; rewording does not.
    let other =
        task(json!({"kind": "convert", "from": "dec", "to": "bin", "bits": 8, "variant": 2}));
    assert!((0..10).any(|s| right_answer(&other, s) != right_answer(&t, s)));
    let reworded = task(
        json!({"kind": "convert", "from": "dec", "to": "bin", "bits": 8,
                               "prompt": "Jiná slova.", "explanation": "Jiné vysvětlení."}),
    );
    assert!((0..10).all(|s| right_answer(&reworded, s) == right_answer(&t, s)));
}

#[test]
fn render_seed_reaches_the_plugin_through_the_abi() {
    let task = json!({"kind": "convert", "from": "bin", "to": "dec", "bits": 12});
    let prompt = |seed: Option<u64>| -> String {
        let mut request = json!({"abi": 1, "op": "render", "task": task, "lang": "cs"});
        if let Some(seed) = seed {
            request["seed"] = json!(seed);
        }
        let r: Value = serde_json::from_str(&handle(&BinaryPlugin, &request.to_string())).unwrap();
        r["prompt_md"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(prompt(None), prompt(Some(0)), "no seed is seed 0");
    assert!((1..20).any(|s| prompt(Some(s)) != prompt(Some(0))));
    let r: Value = serde_json::from_str(&handle(
        &BinaryPlugin,
        &json!({"abi": 1, "op": "render", "task": task}).to_string(),
    ))
    .unwrap();
    assert_eq!(r["input"], "number");
    assert!(r["svg"].as_str().is_some_and(|s| s.contains(">2048<")));
}

#[test]
fn adding_explains_the_carry() {
    let t = task(json!({"kind": "add", "a": "1011", "b": "110"}));
    assert!(grade(&t, "10001").passed);
    let no_carry = grade(&t, "1101");
    assert_eq!(no_carry.score, 0.0);
    assert!(
        no_carry.feedback_md.contains("přenos"),
        "{}",
        no_carry.feedback_md
    );
    let lost_top = task(json!({"kind": "add", "a": "1111", "b": "1"}));
    let v = grade(&lost_top, "0000");
    assert!(
        v.feedback_md.contains("poslední přenos"),
        "{}",
        v.feedback_md
    );
    let decimal = grade(&t, "17");
    assert!(
        decimal.feedback_md.contains("desítkové"),
        "{}",
        decimal.feedback_md
    );
    let prompt = t.render(0, Lang::Cs).prompt_md;
    assert!(prompt.contains("  1011\n+  110\n------"), "{prompt}");
}

#[test]
fn units_use_the_right_powers_and_name_kb_versus_kib() {
    let t = task(json!({"kind": "units", "value": 2, "from": "MiB", "to": "KiB"}));
    assert!(grade(&t, "2048").passed);
    assert!(grade(&t, "2 048 KiB").passed);
    let decimal = grade(&t, "2000");
    assert!(!decimal.passed);
    assert!(
        decimal
            .feedback_md
            .contains("1 kB = 1000 B, ale 1 KiB = 1024 B"),
        "{}",
        decimal.feedback_md
    );
    let wrong_unit = grade(&t, "2048 kB");
    assert!(
        wrong_unit.feedback_md.contains("v jednotkách KiB"),
        "{}",
        wrong_unit.feedback_md
    );

    let bytes = task(json!({"kind": "units", "value": 1.5, "from": "kB", "to": "bit"}));
    assert!(grade(&bytes, "12000").passed);
    assert!(grade(&bytes, "12 000 bitů").passed);
    let forgot_eight = grade(&bytes, "1500");
    assert!(
        forgot_eight.feedback_md.contains("8 bitů"),
        "{}",
        forgot_eight.feedback_md
    );

    let half = task(json!({"kind": "units", "value": 512, "from": "KiB", "to": "MiB"}));
    assert!(grade(&half, "0,5").passed);
    assert!(grade(&half, "0.5").passed);
    let inverted = grade(&half, "524288");
    assert!(
        inverted.feedback_md.contains("Opačně"),
        "{}",
        inverted.feedback_md
    );
}

#[test]
fn values_and_bits_catch_off_by_one() {
    let t = task(json!({"kind": "values", "bits": 8}));
    assert!(grade(&t, "256").passed);
    let max = grade(&t, "255");
    assert!(!max.passed);
    assert!(
        max.feedback_md.contains("počítá se i nula"),
        "{}",
        max.feedback_md
    );
    assert!(grade(&t, "16").feedback_md.contains("zdvojnásobí"));
    assert!(grade(&t, "64").feedback_md.contains("ne 8 na druhou"));

    let b = task(json!({"kind": "bits", "values": 100}));
    assert!(grade(&b, "7").passed);
    let short = grade(&b, "6");
    assert!(
        short.feedback_md.contains("jen 64 různých hodnot"),
        "{}",
        short.feedback_md
    );
    let long = grade(&b, "8");
    assert!(
        long.feedback_md.contains("jde to i s méně"),
        "{}",
        long.feedback_md
    );
    let exact = task(json!({"kind": "bits", "values": 256}));
    assert!(grade(&exact, "8").passed);
    let english = exact.check("9", 0, Lang::En);
    assert!(
        english.feedback_md.contains("fewer will do"),
        "{}",
        english.feedback_md
    );
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    assert_eq!(
        paths(json!({"kind": "convert", "from": "bin", "to": "bin", "value": "1"})),
        ["task.to"]
    );
    assert_eq!(
        paths(json!({"kind": "convert", "from": "oct", "to": "dec", "value": "7", "typo": 1})),
        ["task.typo", "task.from"]
    );
    assert_eq!(
        paths(json!({"kind": "convert", "from": "bin", "to": "dec", "value": "102"})),
        ["task.value"]
    );
    assert_eq!(
        paths(json!({"kind": "convert", "from": "bin", "to": "dec"})),
        ["task.value"]
    );
    assert_eq!(
        paths(json!({"kind": "convert", "from": "bin", "to": "dec", "value": "1", "bits": 4})),
        ["task.bits"]
    );
    assert_eq!(
        paths(json!({"kind": "convert", "from": "dec", "to": "bin", "bits": 40})),
        ["task.bits"]
    );
    assert_eq!(
        paths(json!({"kind": "add", "a": "12"})),
        ["task.a", "task.b"]
    );
    assert_eq!(
        paths(json!({"kind": "units", "value": -1, "from": "KB", "to": "B"})),
        ["task.value", "task.from"]
    );
    // 1 MB in MiB is 0.953674…: a teacher must say how exact the pupil has to be.
    assert_eq!(
        paths(json!({"kind": "units", "value": 1, "from": "MB", "to": "MiB"})),
        ["task.tolerance"]
    );
    assert!(
        paths(json!({"kind": "units", "value": 1, "from": "MB", "to": "MiB", "tolerance": 0.01}))
            .is_empty()
    );
    assert_eq!(paths(json!({"kind": "bits", "values": 1})), ["task.values"]);
    assert_eq!(paths(json!({"kind": "values", "bits": 65})), ["task.bits"]);
    assert_eq!(paths(json!({"kind": "nasobeni"})), ["task.kind"]);
    assert_eq!(
        paths(json!({"kind": "add", "a": "1", "b": "1", "variant": 2})),
        ["task.variant"]
    );
    assert_eq!(paths(json!("convert")), ["task"]);
    let message = &BinaryPlugin.validate(
        &json!({"kind": "units", "value": 1, "from": "kb", "to": "B"}),
        Lang::Cs,
    )[0]
    .message;
    assert!(
        message.contains("kB (1000 B) nebo KiB (1024 B)"),
        "{message}"
    );
}

#[test]
fn leading_zeros_of_a_fixed_byte_are_shown() {
    let t = task(json!({"kind": "convert", "from": "bin", "to": "dec", "value": "0010 1101"}));
    let r = t.render(0, Lang::En);
    assert!(r.prompt_md.contains("**0010 1101**₂"), "{}", r.prompt_md);
    assert!(r.prompt_md.starts_with("Convert"));
    assert!(grade(&t, "45").passed);
}

#[test]
fn an_invalid_task_is_an_error_response_and_an_empty_answer_a_wrong_one() {
    let r: Value = serde_json::from_str(&handle(
        &BinaryPlugin,
        r#"{"abi":1,"op":"check","task":{"kind":"values"},"answer":"2","seed":0}"#,
    ))
    .unwrap();
    assert!(r["error"].as_str().is_some_and(|e| e.contains("task.bits")));
    let t = task(json!({"kind": "values", "bits": 3, "explanation": "Tři bity: 0 až 7."}));
    let empty = grade(&t, "   ");
    assert_eq!(
        (empty.score, empty.feedback_md.as_str()),
        (0.0, "Napiš odpověď.")
    );
    let right = grade(&t, "8");
    assert!(right.feedback_md.ends_with("Tři bity: 0 až 7."));
}
