use super::*;
use aktovka_plugin_abi::handle;
use serde_json::json;

use crate::lang::compile;
use crate::run::{RunError, run};

/// A 6 × 4 world, Karel at [1, 1] facing east, walls at x = 4 on rows 1 and 2.
fn task_json() -> Value {
    json!({
        "prompt": "Dojdi ke zdi a polož tam značku.",
        "worlds": [
            {
                "size": [6, 4],
                "karel": [1, 1, "východ"],
                "walls": [[4, 1], [4, 2]],
                "goal": {"karel": [3, 1], "marks": [[3, 1, 1]]},
            },
            {
                "size": [5, 1],
                "karel": [2, 1, "vychod"],
                "marks": [[3, 1, 2]],
                "goal": {"karel": [5, 1, "east"], "marks": [[3, 1, 2], [5, 1, 1]]},
            },
        ],
    })
}

fn task() -> KarelTask {
    match KarelTask::parse(&task_json(), Lang::Cs) {
        Ok(t) => t,
        Err(e) => panic!("valid task: {e:?}"),
    }
}

const SOLUTION: &str = "DOKUD NENÍ ZEĎ\n  KROK\nKONEC\nPOLOŽ\n";

fn world(width: u8, height: u8, karel: Pos, dir: Dir) -> World {
    World::new(width, height, karel, dir)
}

fn run_on(source: &str, w: World) -> run::Outcome {
    let program = match compile(source, Lang::Cs) {
        Ok(p) => p,
        Err(e) => panic!("{source}: {}", e.message),
    };
    run(&program, w, 10_000, run::world_op_budget(10_000))
}

fn syntax_error(source: &str, lang: Lang) -> String {
    match compile(source, lang) {
        Ok(_) => panic!("should not compile: {source}"),
        Err(e) => e.message,
    }
}

#[test]
fn the_reference_solution_solves_every_world() {
    let verdict = task().check(SOLUTION, Lang::Cs);
    assert_eq!((verdict.score, verdict.passed), (1.0, true), "{verdict:?}");
    assert_eq!(verdict.checks.len(), 2);
    assert!(
        verdict
            .checks
            .iter()
            .all(|c| c.passed && c.message == "Splněno.")
    );
    assert!(verdict.feedback_md.starts_with("Výborně"));
    let svg = verdict.svg.unwrap_or_default();
    assert!(
        svg.contains("Karel stojí na [3, 1]"),
        "the first world's final state"
    );
}

#[test]
fn a_program_that_counts_steps_fails_the_other_world() {
    let verdict = task().check("KROK\nKROK\nPOLOŽ", Lang::Cs);
    assert_eq!((verdict.score, verdict.passed), (0.5, false));
    assert!(verdict.checks[0].passed);
    assert_eq!(
        verdict.checks[1].message,
        "Karel má skončit na [5, 1], ale stojí na [4, 1]. \
         Na políčku [4, 1] nemá být žádná značka, je tam 1 značka. \
         Na políčku [5, 1] má být 1 značka, je tam 0."
    );
    assert!(verdict.feedback_md.contains("Vyřešené světy: 1 z 2."));
    assert!(verdict.feedback_md.contains("**Svět 2:**"));
    let svg = verdict.svg.unwrap();
    assert!(
        svg.contains("Karel stojí na [4, 1]"),
        "the failing world's final state"
    );
}

#[test]
fn syntax_errors_name_the_line_in_czech_and_english() {
    assert_eq!(
        syntax_error("KROK\nKROK\nKRK\n", Lang::Cs),
        "Řádek 3: neznámý příkaz „KRK“."
    );
    assert_eq!(
        syntax_error("KROK\nKRK", Lang::En),
        "Line 2: unknown command “KRK”."
    );
    assert_eq!(
        syntax_error("DOKUD NENÍ ZEĎ\n  KROK\n", Lang::Cs),
        "Řádek 2: chybí KONEC k DOKUD z řádku 1."
    );
    assert_eq!(
        syntax_error("KROK\nKONEC", Lang::Cs),
        "Řádek 2: KONEC navíc – žádný blok tu nezačal."
    );
    assert_eq!(
        syntax_error("KDYŽ ZEĎ\nKROK\nKONEC", Lang::Cs),
        "Řádek 1: za KDYŽ čekám JE nebo NENÍ a pak ZEĎ, ZNAČKA, SEVER, JIH, VÝCHOD nebo ZÁPAD."
    );
    assert!(
        syntax_error("OPAKUJ KRÁT\nKONEC", Lang::Cs).starts_with("Řádek 1: za OPAKUJ čekám počet")
    );
    assert!(syntax_error("OPAKUJ 10001-KRÁT\nKONEC", Lang::Cs).contains("od 0 do 10000"));
    assert!(syntax_error("OPAKUJ 3\nKROK\nKONEC", Lang::Cs).starts_with("Řádek 1:"));
    assert_eq!(
        syntax_error("KDYŽ JE ZEĎ\nJINAK\nJINAK\nKONEC", Lang::Cs),
        "Řádek 3: druhé JINAK ke KDYŽ z řádku 1."
    );
    assert_eq!(
        syntax_error("DOKUD JE ZEĎ\n PŘÍKAZ X\n KONEC\nKONEC", Lang::Cs),
        "Řádek 2: PŘÍKAZ se nedá definovat uvnitř jiného bloku."
    );
    assert_eq!(
        syntax_error("PŘÍKAZ KROK\nKONEC", Lang::Cs),
        "Řádek 1: „KROK“ je klíčové slovo, nový příkaz se tak jmenovat nemůže."
    );
    assert_eq!(
        syntax_error("PŘÍKAZ A\nKONEC\nPŘÍKAZ a\nKONEC", Lang::Cs),
        "Řádek 3: příkaz „a“ už je definovaný na řádku 1."
    );
    assert_eq!(syntax_error("JINAK", Lang::Cs), "Řádek 1: JINAK bez KDYŽ.");
    let deep = "DOKUD JE ZEĎ\n".repeat(60) + &"KONEC\n".repeat(60);
    assert!(syntax_error(&deep, Lang::Cs).contains("příliš mnoho bloků"));
}

#[test]
fn a_misspelled_end_is_reported_where_it_is() {
    assert_eq!(
        syntax_error("DOKUD NENÍ ZEĎ\n  KROK\nKONC\nPOLOŽ", Lang::Cs),
        "Řádek 3: neznámý příkaz „KONC“."
    );
}

#[test]
fn comments_and_blank_lines_keep_line_numbers() {
    assert_eq!(
        syntax_error("# začátek\n\nKROK // krok\nSKOK # chyba", Lang::Cs),
        "Řádek 4: neznámý příkaz „SKOK“."
    );
    assert!(lang::is_blank("# jen komentář\n   \n// další"));
}

#[test]
fn hitting_a_wall_is_a_runtime_error_with_its_line() {
    let out = run_on("KROK\n\nKROK\nKROK\n", world(3, 1, (1, 1), Dir::East));
    assert_eq!(out.error, Some(RunError::Wall { line: 4 }));
    assert_eq!(
        out.error.unwrap().message(Lang::Cs),
        "Karel narazil do zdi na řádku 4."
    );
    assert_eq!(out.world.karel, (3, 1), "the state when the error struck");
    let mut walled = world(3, 1, (1, 1), Dir::East);
    walled.set_wall((2, 1));
    assert_eq!(
        run_on("MOVE", walled).error,
        Some(RunError::Wall { line: 1 })
    );
}

#[test]
fn picking_nothing_and_overfilling_are_runtime_errors() {
    let out = run_on("POLOŽ\nZVEDNI\nZVEDNI", world(1, 1, (1, 1), Dir::North));
    assert_eq!(
        out.error.unwrap().message(Lang::Cs),
        "Na řádku 3 není co zvednout."
    );
    let out = run_on(
        "OPAKUJ 10-KRÁT\n POLOŽ\nKONEC",
        world(1, 1, (1, 1), Dir::North),
    );
    assert_eq!(out.error, Some(RunError::Full { line: 2 }));
    assert_eq!(out.world.marks((1, 1)), 9);
}

#[test]
fn an_endless_loop_hits_the_step_limit() {
    let out = run_on(
        "DOKUD NENÍ ZNAČKA\n VLEVO-VBOK\nKONEC",
        world(2, 2, (1, 1), Dir::North),
    );
    assert_eq!(out.error, Some(RunError::Steps { limit: 10_000 }));
    assert_eq!(out.steps, 10_000);
    assert_eq!(
        out.error.unwrap().message(Lang::Cs),
        "Karel udělal přes 10000 kroků – nekonečný cyklus?"
    );
    let idle = run_on("\nDOKUD JE ZEĎ\nKONEC", world(1, 1, (1, 1), Dir::North));
    assert_eq!(idle.error, Some(RunError::TooLong { line: 2 }));
    assert_eq!(
        idle.error.unwrap().message(Lang::Cs),
        "Program běží příliš dlouho (řádek 2) – nekonečný cyklus?"
    );
    let verdict = task().check("DOKUD NENÍ ZNAČKA\n VLEVO-VBOK\nKONEC", Lang::Cs);
    assert_eq!(verdict.score, 0.0);
    assert!(verdict.checks[0].message.contains("nekonečný cyklus"));
}

#[test]
fn one_check_shares_one_op_budget_over_its_worlds() {
    let world = json!({"size": [2, 1], "karel": [1, 1, "sever"], "goal": {"karel": [1, 1]}});
    let t = json!({"prompt": "p", "max_steps": 100_000, "worlds": vec![world; 10]});
    let t = KarelTask::parse(&t, Lang::Cs).unwrap();
    let verdict = t.check("DOKUD JE ZEĎ\nKONEC", Lang::Cs);
    // Each world may use 20 × 100 000 + 10 000 ops; the check's 1 500 000 are gone after
    // the first, so every world fails quickly.
    assert_eq!(verdict.score, 0.0);
    assert!(
        verdict
            .checks
            .iter()
            .all(|c| c.message.contains("příliš dlouho"))
    );
}

#[test]
fn a_task_can_lower_the_step_limit() {
    let mut t = task_json();
    t["max_steps"] = json!(3);
    let t = KarelTask::parse(&t, Lang::Cs).unwrap();
    let verdict = t.check(SOLUTION, Lang::Cs);
    assert!(verdict.checks[0].passed, "world 1 takes exactly 3 steps");
    assert_eq!(
        verdict.checks[1].message,
        "Karel udělal přes 3 kroků – nekonečný cyklus?"
    );
}

#[test]
fn recursion_works_and_runaway_recursion_is_stopped() {
    let to_wall = "PŘÍKAZ K-ZDI\n KDYŽ NENÍ ZEĎ\n  KROK\n  K-ZDI\n KONEC\nKONEC\nK-ZDI\n";
    let out = run_on(to_wall, world(20, 1, (1, 1), Dir::East));
    assert_eq!((out.error, out.world.karel), (None, (20, 1)));
    let forever = "PŘÍKAZ ZNOVU\n ZNOVU\nKONEC\nZNOVU";
    let out = run_on(forever, world(1, 1, (1, 1), Dir::East));
    assert_eq!(
        out.error,
        Some(RunError::Recursion {
            line: 2,
            name: "ZNOVU".into()
        })
    );
    assert!(
        out.error
            .unwrap()
            .message(Lang::Cs)
            .contains("nekonečná rekurze")
    );
}

#[test]
fn commands_may_be_called_before_their_definition_and_in_any_case() {
    let source =
        "vpravo-vbok\nKROK\nPŘÍKAZ VPRAVO-VBOK\n OPAKUJ 3-KRÁT\n  VLEVO-VBOK\n KONEC\nKONEC";
    let out = run_on(source, world(3, 3, (1, 3), Dir::East));
    assert_eq!(
        (out.error, out.world.karel, out.world.dir),
        (None, (1, 2), Dir::South)
    );
}

#[test]
fn every_keyword_works_in_czech_with_and_without_diacritics_and_in_english() {
    let czech = "\
PŘÍKAZ OTOČ
  VLEVO-VBOK VLEVO-VBOK
KONEC
OPAKUJ 2-KRÁT
  POLOŽ
KONEC
ZVEDNI
KDYŽ JE ZNAČKA
  KROK
JINAK
  STOP
KONEC
DOKUD NENÍ ZEĎ
  KROK
KONEC
KDYŽ JE VÝCHOD
  OTOČ
KONEC
KDYŽ JE ZÁPAD
  KROK
KONEC
KDYŽ NENÍ SEVER
  KDYŽ NENÍ JIH
    STOP
  KONEC
KONEC
KROK";
    let ascii = aktovka_plugin_abi::fold(czech).to_lowercase();
    let english = "\
DEFINE TURN-AROUND
  TURN-LEFT TURN-LEFT
END
REPEAT 2-TIMES
  PUT
END
PICK
IF IS MARK
  MOVE
ELSE
  STOP
END
WHILE NOT WALL
  MOVE
END
IF IS EAST
  TURN-AROUND
END
IF IS WEST
  MOVE
END
IF NOT NORTH
  IF NOT SOUTH
    STOP
  END
END
MOVE";
    for source in [
        czech,
        ascii.as_str(),
        english,
        &english.replace("2-TIMES", "2 TIMES"),
    ] {
        let out = run_on(source, world(4, 1, (1, 1), Dir::East));
        assert_eq!(out.error, None, "{source}");
        assert_eq!(
            (out.world.karel, out.world.dir),
            ((3, 1), Dir::West),
            "{source}"
        );
        assert_eq!(out.world.marks((1, 1)), 1, "{source}");
    }
    let stopped = run_on("STOP\nKROK", world(2, 1, (1, 1), Dir::East));
    assert_eq!(stopped.world.karel, (1, 1));
    for cond in [
        "JE SEVER",
        "JE JIH",
        "JE ZAPAD",
        "NENÍ ZEĎ",
        "IS NOT WALL",
        "NOT MARK",
    ] {
        let source = format!("KDYŽ {cond}\n KROK\nKONEC");
        let out = run_on(&source, world(1, 2, (1, 1), Dir::North));
        let expected = matches!(cond, "JE SEVER" | "NENÍ ZEĎ" | "IS NOT WALL" | "NOT MARK");
        assert_eq!(out.world.karel == (1, 2), expected, "{cond}");
    }
    let zero = run_on(
        "OPAKUJ 0-KRÁT\n KROK\nKONEC",
        world(2, 1, (1, 1), Dir::East),
    );
    assert_eq!(zero.world.karel, (1, 1));
    let nested = run_on(
        "OPAKUJ 3-KRAT\n OPAKUJ 2 KRAT\n POLOZ\n KONEC\nKONEC",
        world(1, 1, (1, 1), Dir::East),
    );
    assert_eq!(nested.world.marks((1, 1)), 6);
}

#[test]
fn goals_check_position_direction_and_the_complete_marks() {
    let w = world(3, 1, (2, 1), Dir::East);
    let at = |karel, marks| Goal { karel, marks };
    assert!(
        at(Some(((2, 1), None)), None)
            .misses(&w, Lang::Cs)
            .is_empty()
    );
    assert!(
        at(Some(((2, 1), Some(Dir::East))), None)
            .misses(&w, Lang::Cs)
            .is_empty()
    );
    assert_eq!(
        at(Some(((2, 1), Some(Dir::West))), None).misses(&w, Lang::Cs),
        ["Karel má na konci koukat na západ, kouká na východ."]
    );
    let mut marked = w.clone();
    marked.set_marks((1, 1), 3);
    assert!(
        at(None, None).misses(&marked, Lang::Cs).is_empty(),
        "marks unchecked"
    );
    assert_eq!(
        at(None, Some(vec![])).misses(&marked, Lang::Cs),
        ["Na políčku [1, 1] nemá být žádná značka, je tam 3 značky."]
    );
    assert!(
        at(None, Some(vec![((1, 1), 3)]))
            .misses(&marked, Lang::Cs)
            .is_empty()
    );
    assert_eq!(
        at(None, Some(vec![((1, 1), 5)])).misses(&marked, Lang::En),
        ["The square [1, 1] should have 5 marks but has 3."]
    );
}

#[test]
fn validate_reports_every_problem_with_its_path() {
    assert!(KarelPlugin.validate(&task_json(), Lang::Cs).is_empty());
    let bad = json!({
        "promt": "x",
        "max_steps": 0,
        "worlds": [
            {
                "size": [21, 4],
                "karel": [1, 1, "nahoru"],
                "goal": {"karel": [1, 1]},
            },
            {
                "size": [3, 3],
                "karel": [2, 2, "sever"],
                "walls": [[2, 2], [4, 1]],
                "marks": [[1, 1, 10], [3, 3, 1], [3, 3, 2], [1, 2, 1]],
                "goal": {},
            },
            {
                "size": [3, 3],
                "karel": [1, 1, "sever"],
                "walls": [[3, 3]],
                "goal": {"karel": [3, 3, "dolů"], "marks": [[3, 3, 1]]},
            },
            {
                "size": [2, 2],
                "karel": [0, 1, "jih"],
            },
        ],
    });
    let errors = KarelPlugin.validate(&bad, Lang::Cs);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "task.promt",
            "task.prompt",
            "task.max_steps",
            "task.worlds[0].size[0]",
            "task.worlds[1].walls[1]",
            "task.worlds[1].marks[0][2]",
            "task.worlds[1].marks[2]",
            "task.worlds[1].walls[0]",
            "task.worlds[1].goal",
            "task.worlds[2].goal.karel[2]",
            "task.worlds[2].goal.marks[0]",
            "task.worlds[3].goal",
            "task.worlds[3].karel",
        ],
        "{errors:#?}"
    );
    let message = |path: &str| {
        errors
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        message("task.worlds[1].walls[0]"),
        "na [2, 2] stojí Karel, nemůže tam být zeď"
    );
    assert!(message("task.worlds[3].karel").contains("mimo svět 2 × 2"));
    let unknown_dir = json!({"prompt": "p", "worlds": [{"size": [2, 2], "karel": [1, 1, "nahoru"], "goal": {"karel": [1, 1]}}]});
    let errors = KarelPlugin.validate(&unknown_dir, Lang::Cs);
    assert_eq!(errors[0].path, "task.worlds[0].karel[2]");
    assert!(errors[0].message.starts_with("neznámý směr „nahoru“"));
    let too_many = json!({"prompt": "p", "worlds": vec![json!({}); 11]});
    assert_eq!(
        KarelPlugin.validate(&too_many, Lang::Cs)[0].path,
        "task.worlds"
    );
}

#[test]
fn render_shows_the_first_world_with_its_goal() {
    let rendered = KarelPlugin.render(&task_json(), Lang::Cs).unwrap();
    assert_eq!(rendered.input, "code");
    assert!(rendered.prompt_md.starts_with("Dojdi ke zdi"));
    assert!(rendered.prompt_md.contains("je jich 2"));
    let svg = rendered.svg.unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(
        svg.contains("viewBox=\"0 0 268 188\""),
        "6 × 4 cells of 40 plus margins"
    );
    assert_eq!(svg.matches("fill=\"#5a5a5a\"").count(), 2, "two walls");
    assert!(svg.contains("stroke-dasharray"), "the goal is drawn");
    assert!(svg.contains("rotate(90 "), "Karel faces east");
    for forbidden in [
        "<script",
        "href",
        "url(",
        "<image",
        "<foreignObject",
        "javascript:",
    ] {
        assert!(!svg.contains(forbidden), "{forbidden}");
    }
    let event_handler = svg.match_indices(" on").any(|(at, _)| {
        let rest: String = svg[at + 3..]
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        svg[at + 3 + rest.len()..].starts_with('=')
    });
    assert!(!event_handler, "no on…= attributes");
}

#[test]
fn a_world_with_marks_shows_their_counts() {
    let mut w = world(2, 2, (1, 1), Dir::North);
    w.set_marks((2, 2), 7);
    let svg = svg::draw(&w, None, Lang::En);
    assert!(svg.contains(">7</text>"));
    assert!(svg.contains("<title>World 2 × 2, Karel on [1, 1] facing north</title>"));
}

#[test]
fn an_empty_program_or_syntax_error_scores_zero_with_a_picture() {
    let empty = task().check("  # nic\n", Lang::Cs);
    assert_eq!(
        (empty.score, empty.feedback_md.as_str()),
        (0.0, "Napiš program pro Karla.")
    );
    let broken = task().check("KROK\nSKOČ", Lang::Cs);
    assert_eq!(broken.score, 0.0);
    assert_eq!(broken.checks[0].message, "Řádek 2: neznámý příkaz „SKOČ“.");
    assert!(broken.svg.is_some());
}

#[test]
fn handle_answers_a_whole_request() {
    let request = json!({"abi": 1, "op": "check", "task": task_json(), "answer": SOLUTION, "seed": 1, "lang": "en"});
    let response: Value =
        serde_json::from_str(&handle(&KarelPlugin, &request.to_string())).unwrap();
    assert_eq!(response["score"], json!(1.0));
    assert_eq!(response["checks"][1]["name"], "World 2");
    assert!(response["svg"].as_str().unwrap().starts_with("<svg"));
    let render = json!({"abi": 1, "op": "render", "task": task_json(), "lang": "cs"});
    let response: Value = serde_json::from_str(&handle(&KarelPlugin, &render.to_string())).unwrap();
    assert_eq!(response["input"], "code");
}
