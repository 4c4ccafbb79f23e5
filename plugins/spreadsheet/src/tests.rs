use super::*;
use aktovka_plugin_abi::handle;
use serde_json::json;

use crate::formula::SyntaxErrorKind;

/// A shopping list: items in A, prices in B, counts in C, totals to compute in D.
fn sheet() -> Sheet {
    let rows = json!([
        ["Položka", "Cena", "Počet"],
        ["Rohlík", 3.5, 10],
        ["Sýr", 42, 1],
        ["Jablko", 6, 5],
        ["Džus", 25, 2],
    ]);
    let task = json!({"prompt": "x", "rows": rows, "target": "F1", "expected": "=1"});
    match SheetTask::parse(&task, Lang::Cs) {
        Ok(t) => t.sheet,
        Err(e) => panic!("{e:?}"),
    }
}

fn eval_in(formula: &str, syntax: Syntax) -> Value {
    let expr = match parse(formula, syntax) {
        Ok(e) => e,
        Err(e) => panic!("{formula}: {e:?}"),
    };
    let mut sheet = sheet();
    let at = Addr { col: 7, row: 0 };
    sheet.insert(at, Content::Formula(expr));
    Evaluator::new(&sheet, syntax.lang()).cell(at)
}

fn cs(formula: &str) -> Value {
    eval_in(formula, Syntax::Cs)
}

fn en(formula: &str) -> Value {
    eval_in(formula, Syntax::En)
}

fn num(n: f64) -> Value {
    Value::Number(n)
}

fn err(kind: ErrorKind) -> Value {
    Value::Error(kind)
}

fn syntax_error(formula: &str) -> SyntaxErrorKind {
    match parse(formula, Syntax::Cs) {
        Ok(e) => panic!("{formula} parsed as {e:?}"),
        Err(e) => e.kind,
    }
}

#[test]
fn addresses_parse_and_print() {
    assert_eq!(Addr::parse("B3"), Some(Addr { col: 1, row: 2 }));
    assert_eq!(Addr::parse("aa10"), Some(Addr { col: 26, row: 9 }));
    assert_eq!(Addr { col: 27, row: 0 }.to_string(), "AB1");
    assert_eq!(
        Addr::parse("XFD1048576").map(|a| a.to_string()).as_deref(),
        Some("XFD1048576")
    );
    for bad in ["B0", "3B", "B", "$B$3", "XFE1", "ABCD1", ""] {
        assert_eq!(Addr::parse(bad), None, "{bad}");
    }
}

#[test]
fn operators_follow_excel_precedence() {
    assert_eq!(cs("=1+2*3"), num(7.0));
    assert_eq!(cs("=(1+2)*3"), num(9.0));
    assert_eq!(cs("=2^3^2"), num(64.0));
    assert_eq!(cs("=-2^2"), num(4.0));
    assert_eq!(cs("=10-4-3"), num(3.0));
    assert_eq!(cs("=50%*B3"), num(21.0));
    assert_eq!(cs("=1+2&\"x\""), Value::Text("3x".into()));
    assert_eq!(cs("=1+1=2"), Value::Bool(true));
    assert_eq!(cs("=B2*C2"), num(35.0));
    assert_eq!(cs("= B3 / C4 "), num(8.4));
}

#[test]
fn comparisons_and_text() {
    assert_eq!(cs("=B3>B4"), Value::Bool(true));
    assert_eq!(cs("=B3<>42"), Value::Bool(false));
    assert_eq!(cs("=B4<=6"), Value::Bool(true));
    assert_eq!(cs("=B4>=7"), Value::Bool(false));
    assert_eq!(
        cs("=A2=\"rohlík\""),
        Value::Bool(true),
        "text compares case-insensitively"
    );
    assert_eq!(cs("=\"a\"<\"B\""), Value::Bool(true));
    assert_eq!(cs("=A1>99"), Value::Bool(true), "text sorts after numbers");
    assert_eq!(
        cs("=\"Řekl \"\"ahoj\"\"\""),
        Value::Text("Řekl \"ahoj\"".into())
    );
    assert_eq!(cs("=A2&\" \"&B2"), Value::Text("Rohlík 3,5".into()));
    assert_eq!(en("=A2&\" \"&B2"), Value::Text("Rohlík 3.5".into()));
    assert_eq!(
        cs("=\"2\"+1"),
        num(3.0),
        "text that is a number takes part in arithmetic"
    );
}

#[test]
fn decimal_comma_and_separators() {
    assert_eq!(cs("=1,5*2"), num(3.0));
    assert_eq!(
        cs("=2.5*2"),
        num(5.0),
        "a decimal point is accepted in Czech mode too"
    );
    assert_eq!(cs("=SUMA(1,5;2)"), num(3.5));
    assert_eq!(
        cs("=SUMA(B2,B3)"),
        num(45.5),
        "a comma not between digits separates"
    );
    assert_eq!(en("=SUM(1,5)"), num(6.0), "English: the comma separates");
    assert_eq!(en("=SUM(1.5;2)"), num(3.5), "`;` always separates");
    assert_eq!(cs("=ZAOKROUHLIT(2,675;2)"), num(2.68));
    assert_eq!(en("=ROUND(2.675,2)"), num(2.68));
}

#[test]
fn absolute_references_evaluate_and_shift() {
    assert_eq!(cs("=$B$3+B$4+$C2"), num(58.0));
    let expr = parse("=B2*$G$1+C$1+$A3", Syntax::Cs).unwrap_or(Expr::Bool(false));
    let moved = expr.shifted(1, 2);
    let refs: Vec<String> = moved.refs().iter().map(ToString::to_string).collect();
    assert_eq!(refs, ["C4", "$G$1", "D$1", "$A5"]);
    let up = parse("=A1", Syntax::Cs)
        .unwrap_or(Expr::Bool(false))
        .shifted(0, -1);
    assert_eq!(up.refs()[0].to_string(), "#REF!");
    let mut s = sheet();
    let at = Addr { col: 7, row: 0 };
    s.insert(at, Content::Formula(up));
    assert_eq!(Evaluator::new(&s, Lang::Cs).cell(at), err(ErrorKind::Ref));
}

#[test]
fn functions_in_czech_and_english() {
    for (czech, english, want) in [
        ("=SUMA(B2:B5)", "=SUM(B2:B5)", num(76.5)),
        ("=PRŮMĚR(C2:C5)", "=AVERAGE(C2:C5)", num(4.5)),
        ("=PRUMER(C2:C5)", "=average(c2:c5)", num(4.5)),
        ("=MIN(B2:B5)", "=MIN(B2:B5)", num(3.5)),
        ("=MAX(B2:C5)", "=MAX(B2:C5)", num(42.0)),
        ("=POČET(A1:C5)", "=COUNT(A1:C5)", num(8.0)),
        ("=POCET2(A1:C5)", "=COUNTA(A1:C5)", num(15.0)),
        ("=COUNTIF(B2:B5;\">5\")", "=COUNTIF(B2:B5,\">5\")", num(3.0)),
        ("=COUNTIF(A2:A5;\"j*\")", "=COUNTIF(A2:A5,\"J*\")", num(1.0)),
        ("=COUNTIF(C2:C5;1)", "=COUNTIF(C2:C5,1)", num(1.0)),
        (
            "=SUMIF(C2:C5;\">1\";B2:B5)",
            "=SUMIF(C2:C5,\">1\",B2:B5)",
            num(34.5),
        ),
        ("=SUMIF(B2:B5;\"<10\")", "=SUMIF(B2:B5,\"<10\")", num(9.5)),
        (
            "=KDYŽ(B3>40;\"drahé\";\"levné\")",
            "=IF(B3>40,\"drahé\",\"levné\")",
            Value::Text("drahé".into()),
        ),
        ("=KDYZ(B2>40;1)", "=IF(B2>40,1)", Value::Bool(false)),
        ("=A(B2>1;C2>1)", "=AND(B2>1,C2>1)", Value::Bool(true)),
        (
            "=NEBO(B2>100;PRAVDA)",
            "=OR(B2>100,TRUE)",
            Value::Bool(true),
        ),
        ("=NE(NEPRAVDA)", "=NOT(FALSE)", Value::Bool(true)),
        (
            "=ZAOKROUHLIT(PRŮMĚR(B2:B5);1)",
            "=ROUND(AVERAGE(B2:B5),1)",
            num(19.1),
        ),
        ("=ZAOKROUHLIT(-2,5;0)", "=ROUND(-2.5,0)", num(-3.0)),
        ("=ABS(-3)", "=ABS(-3)", num(3.0)),
        (
            "=CONCAT(A2:A3)",
            "=CONCAT(A2:A3)",
            Value::Text("RohlíkSýr".into()),
        ),
        (
            "=CONCATENATE(A2;\"-\";C2)",
            "=CONCATENATE(A2,\"-\",C2)",
            Value::Text("Rohlík-10".into()),
        ),
    ] {
        assert_eq!(cs(czech), want, "{czech}");
        assert_eq!(en(english), want, "{english}");
    }
}

#[test]
fn error_values() {
    assert_eq!(cs("=B2/0"), err(ErrorKind::Div0));
    assert_eq!(
        cs("=B2/G9"),
        err(ErrorKind::Div0),
        "an empty cell divides as 0"
    );
    assert_eq!(cs("=PRŮMĚR(G1:G5)"), err(ErrorKind::Div0));
    assert_eq!(cs("=A1*2"), err(ErrorKind::Value));
    assert_eq!(cs("=SUMA(B1:B5)"), num(76.5), "SUM skips text in ranges");
    assert_eq!(cs("=B1:B5"), err(ErrorKind::Value));
    assert_eq!(cs("=SUMM(B2:B5)"), err(ErrorKind::Name));
    assert_eq!(cs("=cena*2"), err(ErrorKind::Name));
    assert_eq!(cs("=XFE1"), err(ErrorKind::Name), "not an address: a name");
    assert_eq!(cs("=#ODKAZ!+1"), err(ErrorKind::Ref));
    assert_eq!(en("=#DIV/0!"), err(ErrorKind::Div0));
    assert_eq!(
        cs("=SUMA(B2;1/0)"),
        err(ErrorKind::Div0),
        "errors propagate"
    );
    assert_eq!(cs("=10^400"), err(ErrorKind::Num));
    assert_eq!(err(ErrorKind::Div0).show(Lang::Cs), "#DĚLENÍ_NULOU!");
    assert_eq!(err(ErrorKind::Div0).show(Lang::En), "#DIV/0!");
    assert_eq!(err(ErrorKind::Value).show(Lang::Cs), "#HODNOTA!");
    assert_eq!(err(ErrorKind::Name).show(Lang::Cs), "#NÁZEV?");
    assert_eq!(err(ErrorKind::Ref).show(Lang::Cs), "#ODKAZ!");
}

#[test]
fn syntax_errors_are_explained() {
    assert_eq!(syntax_error("SUMA(B2:B5)"), SyntaxErrorKind::NoEquals);
    assert_eq!(syntax_error("="), SyntaxErrorKind::Empty);
    assert_eq!(syntax_error("=SUMA(B2:B5"), SyntaxErrorKind::UnclosedParen);
    assert_eq!(syntax_error("=(1+2"), SyntaxErrorKind::UnclosedParen);
    assert_eq!(syntax_error("=1+2)"), SyntaxErrorKind::ExtraParen);
    assert_eq!(syntax_error("=1+"), SyntaxErrorKind::ExpectedValue);
    assert_eq!(syntax_error("=B2 B3"), SyntaxErrorKind::Trailing);
    assert_eq!(syntax_error("=\"abc"), SyntaxErrorKind::UnclosedText);
    assert_eq!(syntax_error("=B2:"), SyntaxErrorKind::BadRange);
    assert_eq!(syntax_error("=1 @ 2"), SyntaxErrorKind::BadChar('@'));
    assert!(matches!(
        syntax_error("=KDYŽ()"),
        SyntaxErrorKind::Arity { given: 0, .. }
    ));
    let deep = format!("={}1{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(syntax_error(&deep), SyntaxErrorKind::TooDeep);
    let nested = |n: usize| format!("={}B2{}", "SUMA(".repeat(n), ")".repeat(n));
    assert_eq!(cs(&nested(formula::MAX_NESTING)), num(3.5));
    assert_eq!(
        syntax_error(&nested(formula::MAX_NESTING + 1)),
        SyntaxErrorKind::TooDeep
    );
    let message = match parse("=ZAOKROUHLIT(B2)", Syntax::Cs) {
        Err(e) => e.message(Lang::Cs),
        Ok(_) => String::new(),
    };
    assert_eq!(
        message,
        "Funkce ZAOKROUHLIT potřebuje 2 údaje (oddělené středníkem `;`), dostala 1."
    );
}

#[test]
fn circular_references_are_values_with_their_path() {
    let mut s = sheet();
    let d1 = Addr { col: 3, row: 0 };
    let d2 = Addr { col: 3, row: 1 };
    s.insert(
        d1,
        Content::Formula(parse("=D2+1", Syntax::Cs).unwrap_or(Expr::Bool(false))),
    );
    s.insert(
        d2,
        Content::Formula(parse("=SUMA(D1:D3)", Syntax::Cs).unwrap_or(Expr::Bool(false))),
    );
    let mut evaluator = Evaluator::new(&s, Lang::Cs);
    assert_eq!(evaluator.cell(d1), err(ErrorKind::Cycle));
    let path: Vec<String> = evaluator
        .cycle
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(path, ["D1", "D2", "D1"]);
}

#[test]
fn long_chains_hit_the_depth_limit_instead_of_the_stack() {
    let mut s = Sheet::new();
    for row in 1..100 {
        let formula = format!("=A{}+1", row + 2);
        s.insert(
            Addr { col: 0, row },
            Content::Formula(parse(&formula, Syntax::Cs).unwrap_or(Expr::Bool(false))),
        );
    }
    let mut evaluator = Evaluator::new(&s, Lang::Cs);
    assert_eq!(
        evaluator.cell(Addr { col: 0, row: 1 }),
        err(ErrorKind::Value)
    );
    assert!(evaluator.limit_hit);
}

#[test]
fn running_totals_down_the_whole_sheet_compute_in_both_directions() {
    for downwards in [true, false] {
        let mut rows = Vec::new();
        for row in 1..=100 {
            let next = if downwards { row - 1 } else { row + 1 };
            let total = if (downwards && row == 1) || (!downwards && row == 100) {
                "=A{row}".replace("{row}", &row.to_string())
            } else {
                format!("=B{next}+A{row}")
            };
            rows.push(json!([1, total]));
        }
        let end = if downwards { "B100" } else { "B1" };
        let task =
            json!({"prompt": "x", "rows": rows, "target": "C1", "expected": format!("={end}")});
        let task = parse_task_ok(&task, Lang::Cs);
        let v = task.check(&format!("={end}*1"), 3, Lang::Cs);
        assert!(v.passed, "{downwards}: {v:?}");
        let sheet = task.with_formula(&task.sheet, &task.expected);
        assert_eq!(
            Evaluator::warmed(&sheet, Lang::Cs).cell(Addr { col: 2, row: 0 }),
            num(100.0)
        );
    }
}

#[test]
fn numbers_show_like_the_programs() {
    assert_eq!(eval::format_number(3.5, Lang::Cs), "3,5");
    assert_eq!(eval::format_number(3.5, Lang::En), "3.5");
    assert_eq!(eval::format_number(1.0 / 3.0, Lang::Cs), "0,3333333333");
    assert_eq!(eval::format_number(120.0, Lang::Cs), "120");
    assert_eq!(eval::format_number(0.1 + 0.2, Lang::En), "0.3");
    assert_eq!(eval::format_number(-0.0, Lang::En), "0");
}

/// The lesson's shopping task: total of D2:D5, where D2:D5 are formulas.
fn total_task() -> Json {
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

/// Prices in CZK converted by the rate in G1; the formula is copied down.
fn copy_task() -> Json {
    json!({
        "prompt": "Přepočítej cenu na eura kurzem z buňky G1.",
        "cells": {"A1": "Cena Kč", "B1": "Cena €", "F1": "Kurz", "G1": 25, "A2": 100, "A3": 250, "A4": 75},
        "target": "B2",
        "copy_to": ["B3", "B4"],
        "expected": "=A2/$G$1",
        "require_functions": [],
    })
}

fn parse_task_ok(task: &Json, lang: Lang) -> SheetTask {
    match SheetTask::parse(task, lang) {
        Ok(t) => t,
        Err(e) => panic!("{e:?}"),
    }
}

fn grade(task: &Json, answer: &str) -> Verdict {
    parse_task_ok(task, Lang::Cs).check(answer, 7, Lang::Cs)
}

/// Asserts that the feedback mentions `needle`, showing it when not.
fn says(v: &Verdict, needle: &str) {
    assert!(v.feedback_md.contains(needle), "{}", v.feedback_md);
}

/// Asserts that the feedback begins with `start`, showing it when not.
fn opens_with(v: &Verdict, start: &str) {
    assert!(v.feedback_md.starts_with(start), "{}", v.feedback_md);
}

#[test]
fn a_right_formula_scores_one_in_any_spelling() {
    for answer in [
        "=SUMA(D2:D5)",
        "=SUM(D2:D5)",
        "=suma(d2:d5)",
        "  =D2+D3+D4+D5 ",
        "=SUMA(D5:D2)",
        "=SUMA(B2*C2;B3*C3;B4*C4;B5*C5)",
        "=SUMA($D$2:$D$5)",
    ] {
        let v = grade(&total_task(), answer);
        assert_eq!((v.score, v.passed), (1.0, true), "{answer}: {v:?}");
        assert_eq!(v.checks.len(), 4);
        opens_with(&v, "Výborně!");
    }
}

#[test]
fn a_typed_in_number_fails_with_a_friendly_explanation() {
    let typed = "158";
    let v = grade(&total_task(), typed);
    assert_eq!((v.score, v.passed), (0.0, false));
    opens_with(
        &v,
        "Napsal(a) jsi číslo, ne vzorec – když se změní data, výsledek nebude sedět.",
    );
    let v = grade(&total_task(), "=158");
    assert_eq!(v.score, 0.0);
    opens_with(&v, "Napsal(a) jsi číslo, ne vzorec");
    let v = grade(&total_task(), "=35+42+30+50");
    assert_eq!(v.score, 0.0);
    says(&v, "žádné adresy buněk");
}

#[test]
fn a_half_copied_number_passes_only_the_given_sheet() {
    let v = grade(&total_task(), "=D2+D3+D4+50");
    assert_eq!((v.score, v.passed), (0.25, false), "{v:?}");
    assert!(v.checks[0].passed && !v.checks[1].passed);
    says(&v, "číslo 50 opsané z tabulky");
}

#[test]
fn missing_equals_sign_is_named() {
    let v = grade(&total_task(), "SUMA(D2:D5)");
    assert_eq!(v.score, 0.0);
    opens_with(&v, "Chybí rovnítko na začátku.");
}

#[test]
fn a_wrong_range_names_the_missing_and_extra_cells() {
    let v = grade(&total_task(), "=SUMA(D2:D4)");
    assert_eq!((v.score, v.passed), (0.0, false));
    opens_with(&v, "V buňce D6 vyšlo 107, ale má vyjít 157.");
    says(&v, "Vzorec vynechává buňku D5.");
    let v = grade(&total_task(), "=SUMA(C2:C5)");
    says(&v, "vynechává buňky D2, D3, D4, D5");
    says(&v, "navíc počítá s buňkami C2, C3, C4, C5");
}

#[test]
fn a_range_over_the_target_is_a_circular_reference() {
    let v = grade(&total_task(), "=SUMA(D2:D6)");
    assert_eq!(v.score, 0.0);
    opens_with(&v, "Kruhový odkaz (D6 → D6)");
    assert!(
        v.checks[0].message.contains("#CYKLUS!"),
        "{:?}",
        v.checks[0]
    );
}

#[test]
fn error_values_in_the_answer_are_explained() {
    let v = grade(&total_task(), "=SUMM(D2:D5)");
    says(&v, "tabulka nezná název „SUMM“");
    let v = grade(&total_task(), "=D5/C1");
    says(&v, "#HODNOTA!");
    let v = grade(&total_task(), "=D5/E2");
    says(&v, "dělí nulou nebo prázdnou buňkou");
    let v = grade(&total_task(), "=SUMA(D2:D5");
    opens_with(&v, "Vzorec nejde přečíst: Chybí zavírací závorka");
}

#[test]
fn a_relative_reference_that_must_be_pinned_is_named() {
    let v = grade(&copy_task(), "=A2/$G$1");
    assert_eq!((v.score, v.passed), (1.0, true), "{v:?}");
    let v = grade(&copy_task(), "=A2/G$1");
    assert!(v.passed, "pinning the row is enough when copying down");
    let v = grade(&copy_task(), "=A2/G1");
    assert!(!v.passed);
    says(
        &v,
        "Při kopírování do B3 se odkaz G1 posune na G2, ale má zůstat na místě. Připni ho dolary: `$G$1`",
    );
    let v = grade(&copy_task(), "=$A$2/$G$1");
    assert!(!v.passed);
    says(&v, "Odkaz $A$2 se při kopírování do B3 neposune");
}

#[test]
fn required_functions_are_checked_by_meaning() {
    let mut task = total_task();
    task["require_functions"] = json!(["SUMA"]);
    let v = grade(&task, "=SUM(D2:D5)");
    assert!(v.passed, "SUM is SUMA");
    let v = grade(&task, "=D2+D3+D4+D5");
    assert!(!v.passed);
    assert_eq!(v.score, 0.8);
    says(&v, "funkci SUMA (SUM)");
}

#[test]
fn variants_are_deterministic_and_differ_from_the_sheet() {
    let task = parse_task_ok(&total_task(), Lang::Cs);
    let a = task.variants(42, Lang::Cs);
    let b = task.variants(42, Lang::Cs);
    assert_eq!(a.len(), 4);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.sheet, y.sheet);
    }
    for v in &a[1..] {
        assert_ne!(v.sheet, task.sheet);
        // Texts and formulas stay; only numbers change.
        assert_eq!(
            v.sheet.get(&Addr { col: 0, row: 1 }),
            task.sheet.get(&Addr { col: 0, row: 1 })
        );
        assert_eq!(
            v.sheet.get(&Addr { col: 3, row: 1 }),
            task.sheet.get(&Addr { col: 3, row: 1 })
        );
    }
    let other = task.variants(43, Lang::Cs);
    assert_ne!(a[1].sheet, other[1].sheet);
}

#[test]
fn huge_and_tiny_numbers_vary_without_overflow() {
    let task = json!({"prompt": "x", "rows": [[1e300, -0.004, 7]], "target": "D1", "expected": "=A1+B1+C1"});
    let task = parse_task_ok(&task, Lang::Cs);
    for v in task.variants(9, Lang::Cs) {
        for content in v.sheet.values() {
            assert!(matches!(content, Content::Value(Value::Number(n)) if n.is_finite()));
        }
    }
}

#[test]
fn kept_cells_do_not_vary() {
    let mut json = copy_task();
    json["keep"] = json!(["G1"]);
    let task = parse_task_ok(&json, Lang::Cs);
    let g1 = Addr { col: 6, row: 0 };
    for v in task.variants(5, Lang::Cs) {
        assert_eq!(v.sheet.get(&g1), Some(&Content::Value(Value::Number(25.0))));
    }
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    let task = json!({
        "prompt": "",
        "rows": [["A", 1, {"x": 1}]],
        "cells": {"B0": 1, "C2": "=SUMA(", "AA1": 1},
        "target": "B1",
        "expected": "=1/0",
        "copy_to": ["B1", "ZZ9"],
        "require_functions": ["SUMAA"],
        "variants": 99,
        "typo": 1,
    });
    let errors = match SheetTask::parse(&task, Lang::En) {
        Ok(_) => panic!("invalid"),
        Err(e) => e,
    };
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    for want in [
        "task.typo",
        "task.prompt",
        "task.rows[0][2]",
        "task.cells.B0",
        "task.cells.C2",
        "task.cells.AA1",
        "task.target",
        "task.copy_to[0]",
        "task.copy_to[1]",
        "task.require_functions[0]",
        "task.variants",
    ] {
        assert!(paths.contains(&want), "{want} missing in {paths:?}");
    }
    let ok = json!({"prompt": "x", "rows": [[1, 2]], "target": "C1", "expected": "=A1/0"});
    let errors = SheetTask::parse(&ok, Lang::Cs).err().unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "task.expected");
    assert!(errors[0].message.contains("#DĚLENÍ_NULOU!"), "{errors:?}");
}

#[test]
fn the_abi_answers_render_and_check() {
    let render = json!({"abi": 1, "op": "render", "task": total_task(), "lang": "cs"}).to_string();
    let r: Json = serde_json::from_str(&handle(&SpreadsheetPlugin, &render)).unwrap_or_default();
    assert_eq!(r["input"], "text");
    assert_eq!(r["target"], "D6");
    assert!(
        r["prompt_md"]
            .as_str()
            .unwrap_or_default()
            .contains("**D6**")
    );
    let svg = r["svg"].as_str().unwrap_or_default();
    assert!(
        svg.starts_with("<svg") && svg.contains(">Rohlík<") && svg.contains(">?<"),
        "{svg}"
    );
    assert!(
        svg.contains(">3,5<") && svg.contains(">35<"),
        "computed values in Czech: {svg}"
    );

    let check = json!({"abi": 1, "op": "check", "task": total_task(), "answer": "=SUM(D2:D5)", "seed": 3, "lang": "en"}).to_string();
    let v: Json = serde_json::from_str(&handle(&SpreadsheetPlugin, &check)).unwrap_or_default();
    assert_eq!(v["score"], json!(1.0));
    assert_eq!(v["checks"][0]["name"], "The given sheet");
    assert!(v["svg"].as_str().unwrap_or_default().contains(">157<"));

    let validate = json!({"abi": 1, "op": "validate", "task": {"prompt": "x"}}).to_string();
    let v: Json = serde_json::from_str(&handle(&SpreadsheetPlugin, &validate)).unwrap_or_default();
    assert_eq!(v["ok"], json!(false));
}

#[test]
fn english_messages() {
    let task = parse_task_ok(&total_task(), Lang::En);
    let v = task.check("158", 1, Lang::En);
    opens_with(&v, "You typed a number, not a formula");
    let v = task.check("=SUM(D2:D4)", 1, Lang::En);
    opens_with(&v, "Cell D6 shows 107, but it should show 157.");
}

#[test]
fn a_number_with_a_unit_is_a_typed_number_too() {
    let v = grade(&total_task(), "157 Kč");
    assert_eq!(v.score, 0.0);
    opens_with(&v, "Napsal(a) jsi číslo");
}

#[test]
fn a_sheet_formula_with_an_error_is_reported_where_it_was_written() {
    let task = json!({"prompt": "x", "rows": [[1, "=A1/0"]], "target": "C1", "expected": "=A1"});
    let errors = SheetTask::parse(&task, Lang::Cs).err().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "task.rows[0][1]");
}

#[test]
fn criteria_accept_a_decimal_comma() {
    assert_eq!(cs("=COUNTIF(B2:B5;\">3,5\")"), num(3.0));
    assert_eq!(cs("=COUNTIF(B2:B5;\"<>42\")"), num(3.0));
    assert_eq!(cs("=SUMIF(A2:A5;\"S*\";C2:C5)"), num(1.0));
}

#[test]
fn the_checked_picture_shows_the_copied_results() {
    let v = grade(&copy_task(), "=A2/$G$1");
    let svg = v.svg.unwrap_or_default();
    // 100/25, 250/25 and 75/25 in B2, B3, B4.
    assert!(
        svg.contains(">4<") && svg.contains(">10<") && svg.contains(">3<"),
        "{svg}"
    );
}
