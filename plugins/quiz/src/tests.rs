use super::*;
use aktovka_plugin_abi::handle;
use serde_json::json;

/// A parsed quiz; it borrows its text from the task, which a test simply keeps alive
/// for the rest of the run.
fn quiz(task: Value) -> Quiz<'static> {
    match Quiz::parse(Box::leak(Box::new(task)), Lang::Cs) {
        Ok(q) => q,
        Err(e) => panic!("task should be valid: {e:?}"),
    }
}

fn errors(task: Value) -> Vec<(String, String)> {
    QuizPlugin
        .validate(&task, Lang::Cs)
        .into_iter()
        .map(|e| (e.path, e.message))
        .collect()
}

fn paths(task: Value) -> Vec<String> {
    errors(task).into_iter().map(|(p, _)| p).collect()
}

fn single() -> Quiz<'static> {
    quiz(json!({
        "kind": "single",
        "question": "Které heslo je nejbezpečnější?",
        "options": ["heslo123", "Pes&Kocka1", "modry-kun-ji-zelene-jablko"],
        "answer": 2,
        "feedback": ["Tohle je v každém slovníku.", "", "Dlouhé a snadno zapamatovatelné."],
        "explanation": "Délka hesla je nejdůležitější.",
    }))
}

#[test]
fn single_choice_grades_and_shows_the_picked_options_feedback() {
    let q = single();
    let right = q.check("2", Lang::Cs);
    assert_eq!((right.score, right.passed), (1.0, true));
    assert!(right.feedback_md.contains("Dlouhé a snadno"));
    assert!(right.feedback_md.contains("Délka hesla"));
    let wrong = q.check(" 0 ", Lang::Cs);
    assert_eq!((wrong.score, wrong.passed), (0.0, false));
    assert!(wrong.feedback_md.contains("v každém slovníku"));
    assert!(
        !wrong.feedback_md.contains("Délka hesla"),
        "explanation only once right"
    );
    let nonsense = q.check("7", Lang::En);
    assert_eq!(nonsense.score, 0.0);
    assert_eq!(nonsense.feedback_md, "Pick one of the options.");
}

fn multiple() -> Quiz<'static> {
    quiz(json!({
        "kind": "multiple",
        "question": "Co patří do silného hesla?",
        "options": ["délka", "jméno psa", "různé znaky", "datum narození"],
        "answer": [0, 2],
        "feedback": ["", "Jméno psa zná každý.", "", ""],
    }))
}

#[test]
fn multiple_choice_gives_partial_credit_and_penalises_wrong_picks() {
    let q = multiple();
    let all = q.check("2,0", Lang::Cs);
    assert_eq!((all.score, all.passed), (1.0, true));
    let half = q.check("0", Lang::Cs);
    assert_eq!((half.score, half.passed), (0.5, false));
    assert!(half.feedback_md.starts_with("Částečně správně"));
    let cancelled = q.check("0, 1", Lang::Cs);
    assert_eq!(cancelled.score, 0.0);
    assert!(cancelled.feedback_md.contains("Jméno psa zná každý."));
    let both_and_wrong = q.check("0,1,2", Lang::Cs);
    assert_eq!((both_and_wrong.score, both_and_wrong.passed), (0.5, false));
    assert_eq!(both_and_wrong.checks[0].message, "2 ze 2");
    assert_eq!(both_and_wrong.checks[1].message, "1");
    assert_eq!(q.check("1,3", Lang::Cs).score, 0.0, "never below zero");
    let nothing = q.check("", Lang::Cs);
    assert_eq!((nothing.score, nothing.passed), (0.0, false));
    assert_eq!(
        q.check("0,0,2", Lang::Cs).score,
        1.0,
        "a repeated pick counts once"
    );
    assert_eq!(q.check("0,9", Lang::Cs).score, 0.0);
}

#[test]
fn numbers_accept_czech_comma_spaces_units_and_tolerance() {
    let q = quiz(json!({"kind": "number", "question": "Kolik?", "answer": 3.5}));
    for ok in ["3,5", "3.5", " 3,50 ", "+3.5"] {
        assert!(q.check(ok, Lang::Cs).passed, "{ok}");
    }
    for bad in [
        "3", "3,6", "35", "tři", "", "3,5,1", "1.000,5", "inf", "NaN",
    ] {
        assert!(!q.check(bad, Lang::Cs).passed, "{bad}");
    }
    let big = quiz(json!({"kind": "number", "question": "Kolik B?", "answer": 1024, "unit": "B"}));
    for ok in ["1 024", "1024", "1\u{a0}024", "1 024 B", "1024b"] {
        assert!(big.check(ok, Lang::Cs).passed, "{ok}");
    }
    let tol =
        quiz(json!({"kind": "number", "question": "Kolik kg?", "answer": 2.25, "tolerance": 0.01}));
    assert!(tol.check("2,26", Lang::Cs).passed);
    assert!(tol.check("2,24", Lang::Cs).passed);
    assert!(!tol.check("2,27", Lang::Cs).passed);
    let neg = quiz(json!({"kind": "number", "question": "?", "answer": -2}));
    assert!(neg.check("\u{2212}2", Lang::Cs).passed);
    let sum = quiz(json!({"kind": "number", "question": "?", "answer": 0.3}));
    assert!(sum.check("0,30000000000000004", Lang::Cs).passed);
    assert_eq!(
        q.check("abc", Lang::Cs).feedback_md,
        "„abc“ není číslo. Piš třeba 3,5 nebo 1 024."
    );
}

#[test]
fn text_ignores_case_diacritics_and_whitespace() {
    let q = quiz(json!({
        "kind": "text",
        "question": "Hlavní město?",
        "answers": ["Praha", "hlavní město Praha"],
    }));
    for ok in [
        "praha",
        "PRAHA",
        "  Praha ",
        "hlavni mesto praha",
        "Hlavní  město\tPraha",
    ] {
        assert!(q.check(ok, Lang::Cs).passed, "{ok}");
    }
    for bad in ["Brno", "Prahy", "město"] {
        assert!(!q.check(bad, Lang::Cs).passed, "{bad}");
    }
    assert_eq!(q.check("   ", Lang::Cs).feedback_md, "Napiš odpověď.");
}

#[test]
fn order_scores_the_share_in_place_and_renders_a_shuffle() {
    let task = json!({
        "kind": "order",
        "question": "Seřaď od nejmenšího:",
        "options": ["bit", "bajt", "kilobajt", "megabajt"],
    });
    let q = quiz(task.clone());
    assert_eq!(q.check("0,1,2,3", Lang::Cs).score, 1.0);
    let half = q.check("1,0,2,3", Lang::Cs);
    assert_eq!((half.score, half.passed), (0.5, false));
    assert_eq!(half.checks[0].message, "2 ze 4");
    for bad in ["0,1,2", "0,1,2,2", "0,1,2,9", "a,b"] {
        assert!(!q.check(bad, Lang::Cs).passed, "{bad}");
        assert_eq!(q.check(bad, Lang::Cs).score, 0.0, "{bad}");
    }
    let rendered = QuizPlugin.render(&task, Lang::Cs).unwrap();
    assert_eq!(rendered.input, "order");
    let order: Vec<usize> = rendered.extra["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [0, 1, 2, 3]);
    assert_ne!(order, [0, 1, 2, 3], "never shown already in order");
    let two = ["a", "b"];
    assert_eq!(shuffled_order(&two), [1, 0]);
}

#[test]
fn render_gives_the_input_kind_and_choices() {
    let r = QuizPlugin
        .render(
            &json!({"kind": "single", "question": "Q", "options": ["a", "b"], "answer": 1}),
            Lang::Cs,
        )
        .unwrap();
    assert_eq!((r.input, r.prompt_md.as_str()), ("choice", "Q"));
    assert_eq!(r.choices, Some(vec!["a".to_owned(), "b".to_owned()]));
    let n = QuizPlugin
        .render(
            &json!({"kind": "number", "question": "Q", "answer": 1, "unit": "kB"}),
            Lang::Cs,
        )
        .unwrap();
    assert_eq!((n.input, n.choices.is_none()), ("number", true));
    assert_eq!(n.extra["unit"], "kB");
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    assert!(
        errors(json!({"kind": "single", "question": "Q", "options": ["a", "b"], "answer": 0}))
            .is_empty()
    );
    assert_eq!(paths(json!("x")), ["task"]);
    assert_eq!(paths(json!({})), ["task.kind", "task.question"]);
    assert_eq!(
        paths(json!({"kind": "essay", "question": "Q"})),
        ["task.kind"]
    );
    assert_eq!(
        paths(json!({"kind": "single", "question": "", "options": ["a", "a", 3], "answer": 5})),
        [
            "task.question",
            "task.options[1]",
            "task.options[2]",
            "task.answer"
        ]
    );
    assert_eq!(
        paths(json!({"kind": "single", "question": "Q", "options": [], "answer": 0})),
        ["task.options"]
    );
    assert_eq!(
        paths(
            json!({"kind": "multiple", "question": "Q", "options": ["a", "b"], "answer": [0, 0, 2, "1"], "feedback": ["x"]})
        ),
        [
            "task.answer[1]",
            "task.answer[2]",
            "task.answer[3]",
            "task.feedback"
        ]
    );
    assert_eq!(
        paths(json!({"kind": "multiple", "question": "Q", "options": ["a", "b"], "answer": []})),
        ["task.answer"]
    );
    assert_eq!(
        paths(json!({"kind": "number", "question": "Q", "answer": "8", "tolerance": -1})),
        ["task.answer", "task.tolerance"]
    );
    assert_eq!(
        paths(json!({"kind": "text", "question": "Q", "answer": "Praha"})),
        ["task.answer", "task.answers"]
    );
    assert_eq!(
        paths(json!({"kind": "text", "question": "Q", "answers": ["ok", " "]})),
        ["task.answers[1]"]
    );
    assert_eq!(
        paths(json!({"kind": "order", "question": "Q", "options": ["jen jedna"]})),
        ["task.options"]
    );
    let messages =
        errors(json!({"kind": "single", "question": "Q", "options": ["a", "b"], "answer": 2}));
    assert_eq!(
        messages[0].1,
        "index 2 je mimo možnosti; počítá se od 0, takže smí být 0 až 1"
    );
}

#[test]
fn handle_answers_a_whole_request() {
    let request = json!({
        "abi": 1, "op": "check", "seed": 3, "lang": "cs", "answer": "8",
        "task": {"kind": "number", "question": "Kolik bitů má jeden bajt?", "answer": 8},
    });
    let response: Value = serde_json::from_str(&handle(&QuizPlugin, &request.to_string())).unwrap();
    assert_eq!(response["score"], json!(1.0));
    assert_eq!(response["passed"], json!(true));
    assert_eq!(response["checks"][0]["name"], "Číslo");
    let invalid = json!({"abi": 1, "op": "render", "task": {"kind": "number"}});
    let response: Value = serde_json::from_str(&handle(&QuizPlugin, &invalid.to_string())).unwrap();
    assert!(
        response["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid task")
    );
    let validate = json!({"abi": 1, "op": "validate", "task": {"kind": "number"}, "lang": "en"});
    let response: Value =
        serde_json::from_str(&handle(&QuizPlugin, &validate.to_string())).unwrap();
    assert_eq!(response["ok"], json!(false));
    assert_eq!(response["errors"][0]["path"], "task.question");
    assert_eq!(
        response["errors"][0]["message"],
        "the required key `question` is missing"
    );
}
