use super::*;
use aktovka_plugin_abi::handle;
use serde_json::json;

fn task(value: Value) -> PasswordTask {
    match PasswordTask::parse(&value, Lang::Cs) {
        Ok(t) => t,
        Err(e) => panic!("task should be valid: {e:?}"),
    }
}

fn paths(value: Value) -> Vec<String> {
    PasswordPlugin
        .validate(&value, Lang::Cs)
        .into_iter()
        .map(|e| e.path)
        .collect()
}

fn strong() -> PasswordTask {
    task(json!({
        "kind": "strong",
        "min_level": 3,
        "min_words": 4,
        "known": ["modrý kůň jí zelené jablko"],
    }))
}

const MINE: &str = "ponozka kaktus lampa velryba hrnek";

#[test]
fn a_strong_passphrase_passes_with_a_meter_and_is_not_echoed() {
    let v = strong().check(MINE, Lang::Cs);
    assert_eq!((v.score, v.passed), (1.0, true), "{v:?}");
    assert!(v.feedback_md.contains("úroveň 4 ze 4"), "{}", v.feedback_md);
    assert!(
        !v.feedback_md.contains("velryba"),
        "never echo the password"
    );
    assert!(v.checks.iter().all(|c| !c.message.contains("velryba")));
    assert!(
        v.svg
            .as_deref()
            .is_some_and(|s| s.contains("velmi silné") && !s.contains("ponozka"))
    );
}

#[test]
fn a_weak_password_is_explained_in_czech() {
    let t = task(json!({"kind": "strong"}));
    let v = t.check("heslo123", Lang::Cs);
    assert_eq!((v.score, v.passed), (0.0, false), "{v:?}");
    assert!(v.feedback_md.contains("velmi slabé"), "{}", v.feedback_md);
    assert!(
        v.feedback_md.contains("nejběžnějších českých hesel"),
        "{}",
        v.feedback_md
    );
    let word = t.check("Heslo2024!", Lang::Cs);
    assert!(
        word.feedback_md.contains("obsahuje běžné slovo „heslo“"),
        "{}",
        word.feedback_md
    );
    assert!(
        v.feedback_md.contains("za méně než sekundu"),
        "{}",
        v.feedback_md
    );

    let keyboard = t.check("qwertzuiop", Lang::Cs);
    assert!(!keyboard.passed);
    assert!(
        keyboard.feedback_md.contains("klávesnicová řada")
            || keyboard.feedback_md.contains("nejběžnějších"),
        "{}",
        keyboard.feedback_md
    );
    let short = t.check("Xq7#", Lang::Cs);
    assert!(
        short.feedback_md.contains("je příliš krátké (4 znaky)"),
        "{}",
        short.feedback_md
    );
    let leet = t.check("P4ssw0rd", Lang::Cs);
    assert!(
        leet.feedback_md.contains("„password“"),
        "{}",
        leet.feedback_md
    );
    assert!(leet.feedback_md.contains("a → 4"), "{}", leet.feedback_md);
    let date = t.check("kuba1.1.2010", Lang::Cs);
    assert!(
        date.feedback_md.contains("datum nebo rok"),
        "{}",
        date.feedback_md
    );
}

#[test]
fn a_password_copied_from_the_lesson_fails() {
    let v = strong().check("Modry kun ji zelene jablko!", Lang::Cs);
    assert_eq!((v.score, v.passed), (0.0, false));
    assert!(
        v.feedback_md.contains("je v lekci jako příklad"),
        "{}",
        v.feedback_md
    );
}

#[test]
fn the_feedbacks_own_example_counts_as_copied() {
    let v = task(json!({"kind": "strong"})).check("Tramvaj veze sedm oranžových slonů", Lang::Cs);
    assert_eq!((v.score, v.passed), (0.0, false));
    assert!(
        v.feedback_md.contains("je v lekci jako příklad"),
        "{}",
        v.feedback_md
    );
}

#[test]
fn a_strong_random_string_is_not_a_passphrase() {
    let v = strong().check("Xq7#pL9!vR2$kT", Lang::Cs);
    assert!(!v.passed);
    assert_eq!(v.score, 0.0);
    assert!(v.feedback_md.contains("heslová fráze"), "{}", v.feedback_md);
    let partial = task(json!({"kind": "strong", "min_level": 4})).check("Pes&Kocka1", Lang::Cs);
    assert!(partial.score > 0.0 && partial.score < 1.0, "{partial:?}");
}

fn order() -> PasswordTask {
    task(json!({
        "kind": "order",
        "passwords": ["Pes&Kocka1", "heslo123", "tramvaj veze sedm oranzovych slonu", "Sparta2010"],
    }))
}

#[test]
fn ordering_compares_with_the_estimator() {
    let t = order();
    let right = t.check("1,3,0,2", Lang::Cs);
    assert_eq!(
        (right.score, right.passed),
        (1.0, true),
        "{}",
        right.feedback_md
    );
    assert!(right.feedback_md.starts_with("Správně! Od nejslabšího"));
    // The strongest first: every pair the wrong way round.
    let reversed = t.check("2,0,3,1", Lang::Cs);
    assert_eq!((reversed.score, reversed.passed), (0.0, false));
    // One swap: 5 of 6 pairs right, and the swapped pair explained.
    let swapped = t.check("3,1,0,2", Lang::Cs);
    assert!((swapped.score - 5.0 / 6.0).abs() < 1e-9, "{swapped:?}");
    assert!(
        swapped
            .feedback_md
            .contains("`heslo123` je slabší než `Sparta2010`"),
        "{}",
        swapped.feedback_md
    );
    let bad = t.check("0,0,1,2", Lang::En);
    assert_eq!(bad.feedback_md, "Put every password in order, each once.");
}

#[test]
fn render_shows_the_requirements_or_the_choices() {
    let r = strong().render(Lang::Cs);
    assert_eq!(r.input, "text");
    assert!(r.prompt_md.contains("aspoň úroveň 3 ze 4") && r.prompt_md.contains("aspoň 4 slova"));
    assert!(
        r.prompt_md
            .contains("Nepiš sem heslo, které opravdu používáš")
    );
    let o = order().render(Lang::En);
    assert_eq!(o.input, "order");
    assert_eq!(o.choices.as_ref().map(Vec::len), Some(4));
    let through_abi: Value = serde_json::from_str(&handle(
        &PasswordPlugin,
        r#"{"abi":1,"op":"render","task":{"kind":"order","passwords":["Pes&Kocka1","heslo"]},"seed":3}"#,
    ))
    .unwrap();
    assert_eq!(through_abi["choices"], json!(["Pes&Kocka1", "heslo"]));
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    assert_eq!(
        paths(json!({"kind": "strong", "min_level": 5, "known": ["", 3]})),
        ["task.min_level", "task.known[0]", "task.known[1]"]
    );
    assert_eq!(
        paths(json!({"kind": "order", "passwords": ["heslo"]})),
        ["task.passwords"]
    );
    // Two equally weak passwords: the order would be a coin toss.
    assert_eq!(
        paths(json!({"kind": "order", "passwords": ["heslo", "123456", "Pes&Kocka1"]})).len(),
        1
    );
    // Already in the right order.
    assert_eq!(
        paths(
            json!({"kind": "order", "passwords": ["heslo123", "Pes&Kocka1", "tramvaj veze sedm oranzovych slonu"]})
        ),
        ["task.passwords"]
    );
    assert_eq!(paths(json!({"kind": "guess", "typo": 1})), ["task.kind"]);
    assert_eq!(paths(json!({"kind": "strong", "typo": 1})), ["task.typo"]);
}

#[test]
fn crack_times_read_naturally() {
    assert_eq!(crack_time(0.5, Lang::Cs), "za méně než sekundu");
    assert_eq!(crack_time(3.0 * 3600.0, Lang::Cs), "za 3 hodiny");
    assert_eq!(crack_time(5.0 * 86_400.0, Lang::Cs), "za 5 dní");
    assert_eq!(crack_time(86_400.0, Lang::En), "in 1 day");
    assert_eq!(crack_time(1e20, Lang::En), "in more than a thousand years");
}
