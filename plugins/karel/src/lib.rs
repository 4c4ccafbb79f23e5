//! The shipped `karel` plugin: the Czech robot Karel, run on the teacher's worlds.
//!
//! The contract is `docs/plugins/karel.md`. [`KarelTask::parse`] is the one reader of a
//! task; [`lang`] parses and compiles the pupil's program; [`run`] executes it with step,
//! op and call-depth limits so every failure is a message for the pupil; [`world`] holds the
//! grid and goals; [`svg`] draws a world.

pub mod lang;
pub mod run;
pub mod svg;
pub mod world;

use aktovka_plugin_abi::task::{self, Problems};
use aktovka_plugin_abi::{Check, Lang, Plugin, Rendered, ValidationError, Verdict, invalid_task};
use serde_json::{Map, Value};

use crate::run::{DEFAULT_MAX_STEPS, MAX_MAX_STEPS};
use crate::world::{Dir, Goal, MAX_MARKS, MAX_SIZE, Pos, World, show};

/// The most worlds a task may have (each is run on every check).
pub const MAX_WORLDS: usize = 10;

/// The plugin, for [`aktovka_plugin_abi::run`].
pub struct KarelPlugin;

impl Plugin for KarelPlugin {
    fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError> {
        match KarelTask::parse(task, lang) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    fn render(&self, task: &Value, lang: Lang) -> Result<Rendered, String> {
        let task = KarelTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        let mut prompt_md = task.prompt.clone();
        if task.worlds.len() > 1 {
            let n = task.worlds.len();
            prompt_md.push_str(&lang.pick(
                format!(
                    "\n\n*Program musí fungovat ve všech světech (je jich {n}); tady je první.*"
                ),
                format!("\n\n*The program must work in all {n} worlds; this is the first.*"),
            ));
        }
        let svg = task
            .worlds
            .first()
            .map(|(world, goal)| svg::draw(world, Some(goal), lang));
        Ok(Rendered {
            prompt_md,
            svg,
            input: "code",
            choices: None,
            extra: Map::new(),
        })
    }

    fn check(&self, task: &Value, answer: &str, _seed: u64, lang: Lang) -> Result<Verdict, String> {
        let task = KarelTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        Ok(task.check(answer, lang))
    }
}

/// A validated task.
#[derive(Debug, Clone, PartialEq)]
pub struct KarelTask {
    prompt: String,
    max_steps: u32,
    worlds: Vec<(World, Goal)>,
}

impl KarelTask {
    /// Reads and validates a task, reporting every problem with its path.
    pub fn parse(task: &Value, lang: Lang) -> Result<KarelTask, Vec<ValidationError>> {
        let mut p = Problems::new(lang);
        match parse_task(task, &mut p) {
            Some(parsed) if p.is_empty() => Ok(parsed),
            _ => Err(p.into_vec()),
        }
    }

    /// Runs the program on every world and grades it.
    pub fn check(&self, source: &str, lang: Lang) -> Verdict {
        let first_svg = || {
            self.worlds
                .first()
                .map(|(world, goal)| svg::draw(world, Some(goal), lang))
        };
        let program_name = lang.pick("Program", "Program").to_owned();
        if lang::is_blank(source) {
            let message = lang.pick("Napiš program pro Karla.", "Write a program for Karel.");
            return Verdict {
                score: 0.0,
                passed: false,
                feedback_md: message.to_owned(),
                checks: vec![Check {
                    name: program_name,
                    passed: false,
                    message: message.to_owned(),
                }],
                svg: first_svg(),
            };
        }
        let program = match lang::compile(source, lang) {
            Ok(program) => program,
            Err(error) => {
                return Verdict {
                    score: 0.0,
                    passed: false,
                    feedback_md: error.message.clone(),
                    checks: vec![Check {
                        name: program_name,
                        passed: false,
                        message: error.message,
                    }],
                    svg: first_svg(),
                };
            }
        };
        let mut checks = Vec::with_capacity(self.worlds.len());
        let mut failing_svg = None;
        let mut first_final_svg = None;
        let mut first_failure = None;
        let mut ops_left = run::CHECK_OP_BUDGET;
        for (i, (world, goal)) in self.worlds.iter().enumerate() {
            let budget = run::world_op_budget(self.max_steps).min(ops_left);
            let outcome = run::run(&program, world.clone(), self.max_steps, budget);
            ops_left -= outcome.ops;
            let message = match &outcome.error {
                Some(error) => Some(error.message(lang)),
                None => {
                    let misses = goal.misses(&outcome.world, lang);
                    (!misses.is_empty()).then(|| summarize(&misses, lang))
                }
            };
            let name = lang.pick(format!("Svět {}", i + 1), format!("World {}", i + 1));
            if i == 0 && message.is_none() {
                first_final_svg = Some(svg::draw(&outcome.world, Some(goal), lang));
            }
            if let Some(message) = &message
                && failing_svg.is_none()
            {
                failing_svg = Some(svg::draw(&outcome.world, Some(goal), lang));
                first_failure = Some(format!("**{name}:** {message}"));
            }
            checks.push(Check {
                name,
                passed: message.is_none(),
                message: message.unwrap_or_else(|| lang.pick("Splněno.", "Solved.").to_owned()),
            });
        }
        let solved = checks.iter().filter(|c| c.passed).count();
        let total = checks.len();
        let passed = solved == total;
        let mut feedback_md = if passed {
            lang.pick(
                format!("Výborně, program vyřešil všechny světy ({solved} z {total})."),
                format!("Well done: the program solves every world ({solved} of {total})."),
            )
        } else {
            lang.pick(
                format!("Vyřešené světy: {solved} z {total}."),
                format!("Worlds solved: {solved} of {total}."),
            )
        };
        if let Some(failure) = first_failure {
            feedback_md.push_str("\n\n");
            feedback_md.push_str(&failure);
        }
        Verdict {
            score: if total == 0 {
                0.0
            } else {
                solved as f64 / total as f64
            },
            passed,
            feedback_md,
            checks,
            svg: failing_svg.or(first_final_svg),
        }
    }
}

/// At most three misses, so a world full of wrong marks stays readable.
fn summarize(misses: &[String], lang: Lang) -> String {
    let mut text = misses.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
    if misses.len() > 3 {
        text.push_str(&lang.pick(
            format!(" (a další rozdíly: {})", misses.len() - 3),
            format!(" (and {} more differences)", misses.len() - 3),
        ));
    }
    text
}

fn parse_task(task: &Value, p: &mut Problems) -> Option<KarelTask> {
    let t = task::table(task, "task", p)?;
    task::unknown_keys(t, &["prompt", "max_steps", "worlds"], "task", p);
    let prompt = task::required(t, "prompt", "task", p)
        .and_then(|v| task::non_empty_string(v, "task.prompt", p));
    let max_steps = match t.get("max_steps") {
        None => Some(DEFAULT_MAX_STEPS),
        Some(v) => task::integer(v, "task.max_steps", p).and_then(|n| {
            let fits = u32::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_MAX_STEPS).contains(n));
            if fits.is_none() {
                p.push(
                    "task.max_steps",
                    format!("má být od 1 do {MAX_MAX_STEPS}"),
                    format!("must be from 1 to {MAX_MAX_STEPS}"),
                );
            }
            fits
        }),
    };
    let worlds = task::required(t, "worlds", "task", p)
        .and_then(|v| task::array(v, "task.worlds", p))
        .and_then(|list| {
            if list.is_empty() || list.len() > MAX_WORLDS {
                p.push(
                    "task.worlds",
                    format!("potřebuju 1 až {MAX_WORLDS} světů ([[task.worlds]])"),
                    format!("1 to {MAX_WORLDS} worlds are needed ([[task.worlds]])"),
                );
                return None;
            }
            let parsed: Vec<Option<(World, Goal)>> = list
                .iter()
                .enumerate()
                .map(|(i, w)| parse_world(w, &task::index("task.worlds", i), p))
                .collect();
            parsed.into_iter().collect::<Option<Vec<_>>>()
        });
    Some(KarelTask {
        prompt: prompt?.to_owned(),
        max_steps: max_steps?,
        worlds: worlds?,
    })
}

fn parse_world(value: &Value, path: &str, p: &mut Problems) -> Option<(World, Goal)> {
    let w = task::table(value, path, p)?;
    task::unknown_keys(w, &["size", "karel", "walls", "marks", "goal"], path, p);
    let size_path = task::join(path, "size");
    let size = task::required(w, "size", path, p).and_then(|v| parse_size(v, &size_path, p));
    let goal_value = task::required(w, "goal", path, p);
    let (width, height) = size?;

    let karel_path = task::join(path, "karel");
    let karel = task::required(w, "karel", path, p)
        .and_then(|v| parse_karel(v, &karel_path, (width, height), true, p));
    let mut walls = Vec::new();
    if let Some(list) = w
        .get("walls")
        .and_then(|v| task::array(v, &task::join(path, "walls"), p))
    {
        for (i, item) in list.iter().enumerate() {
            let item_path = task::index(&task::join(path, "walls"), i);
            if let Some(pos) = parse_position(item, &item_path, (width, height), 2, p) {
                walls.push((pos, item_path));
            }
        }
    }
    let marks = w
        .get("marks")
        .map(|v| parse_marks(v, &task::join(path, "marks"), (width, height), p));

    let (start, dir) = karel.and_then(|(pos, dir)| pos.zip(dir))?;
    let mut world = World::new(width, height, start, dir);
    for (pos, item_path) in &walls {
        if *pos == start {
            p.push(
                item_path,
                format!("na {} stojí Karel, nemůže tam být zeď", show(*pos)),
                format!("Karel stands on {}; it cannot be a wall", show(*pos)),
            );
        }
        world.set_wall(*pos);
    }
    for (pos, count, item_path) in marks.into_iter().flatten().flatten() {
        if world.is_wall(pos) {
            on_wall(p, &item_path, pos);
        }
        world.set_marks(pos, count);
    }

    let goal_path = task::join(path, "goal");
    let goal = parse_goal(goal_value?, &goal_path, &world, p)?;
    Some((world, goal))
}

fn on_wall(p: &mut Problems, path: &str, pos: Pos) {
    p.push(
        path,
        format!("políčko {} je zeď", show(pos)),
        format!("the square {} is a wall", show(pos)),
    );
}

fn parse_size(value: &Value, path: &str, p: &mut Problems) -> Option<(u8, u8)> {
    let list = task::array(value, path, p)?;
    if list.len() != 2 {
        p.push(path, "má být [šířka, výška]", "must be [width, height]");
        return None;
    }
    let mut dims = [0u8; 2];
    for (i, item) in list.iter().enumerate() {
        let n = task::integer(item, &task::index(path, i), p)?;
        match u8::try_from(n).ok().filter(|n| (1..=MAX_SIZE).contains(n)) {
            Some(n) => dims[i] = n,
            None => {
                p.push(
                    &task::index(path, i),
                    format!("rozměr světa musí být od 1 do {MAX_SIZE}, je {n}"),
                    format!("a world's size must be from 1 to {MAX_SIZE}, found {n}"),
                );
                return None;
            }
        }
    }
    Some((dims[0], dims[1]))
}

/// `[x, y, …]` inside the world; `len` is the exact list length expected.
fn parse_position(
    value: &Value,
    path: &str,
    (width, height): (u8, u8),
    len: usize,
    p: &mut Problems,
) -> Option<Pos> {
    let list = task::array(value, path, p)?;
    if list.len() != len {
        let (cs, en) = match len {
            2 => ("má být [x, y]", "must be [x, y]"),
            _ => ("má být [x, y, počet]", "must be [x, y, count]"),
        };
        p.push(path, cs, en);
        return None;
    }
    let x = task::integer(&list[0], &task::index(path, 0), p);
    let y = task::integer(&list[1], &task::index(path, 1), p);
    let (x, y) = (x?, y?);
    let inside = (1..=i64::from(width)).contains(&x) && (1..=i64::from(height)).contains(&y);
    if !inside {
        p.push(
            path,
            format!("[{x}, {y}] je mimo svět {width} × {height} (x od 1 do {width}, y od 1 do {height})"),
            format!("[{x}, {y}] is outside the {width} × {height} world (x from 1 to {width}, y from 1 to {height})"),
        );
        return None;
    }
    Some((u8::try_from(x).ok()?, u8::try_from(y).ok()?))
}

/// Karel's `[x, y, "dir"]`; the direction is required when `need_dir`, optional otherwise.
/// `None` when the value is not such a list at all.
fn parse_karel(
    value: &Value,
    path: &str,
    size: (u8, u8),
    need_dir: bool,
    p: &mut Problems,
) -> Option<(Option<Pos>, Option<Dir>)> {
    let list = task::array(value, path, p)?;
    let ok_len = if need_dir {
        list.len() == 3
    } else {
        list.len() == 2 || list.len() == 3
    };
    if !ok_len {
        let (cs, en) = if need_dir {
            ("má být [x, y, \"směr\"]", "must be [x, y, \"direction\"]")
        } else {
            (
                "má být [x, y] nebo [x, y, \"směr\"]",
                "must be [x, y] or [x, y, \"direction\"]",
            )
        };
        p.push(path, cs, en);
        return None;
    }
    let pos = parse_position(&Value::Array(list[..2].to_vec()), path, size, 2, p);
    let dir = match list.get(2) {
        None => None,
        Some(v) => {
            let dir_path = task::index(path, 2);
            let text = task::string(v, &dir_path, p)?;
            let dir = Dir::parse(text);
            if dir.is_none() {
                p.push(
                    &dir_path,
                    format!("neznámý směr „{text}“; možné jsou sever, východ, jih, západ (nebo north, east, south, west)"),
                    format!("unknown direction “{text}”; use north, east, south, west (or sever, východ, jih, západ)"),
                );
            }
            Some(dir?)
        }
    };
    Some((pos, dir))
}

/// `[[x, y, count], …]` with counts 0..=9 and no square twice.
fn parse_marks(
    value: &Value,
    path: &str,
    size: (u8, u8),
    p: &mut Problems,
) -> Option<Vec<(Pos, u8, String)>> {
    let list = task::array(value, path, p)?;
    let mut marks: Vec<(Pos, u8, String)> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let item_path = task::index(path, i);
        let Some(pos) = parse_position(item, &item_path, size, 3, p) else {
            continue;
        };
        let Some(count) = item
            .as_array()
            .and_then(|a| a.get(2))
            .and_then(|v| task::integer(v, &task::index(&item_path, 2), p))
        else {
            continue;
        };
        let Some(count) = u8::try_from(count).ok().filter(|c| *c <= MAX_MARKS) else {
            p.push(
                &task::index(&item_path, 2),
                format!("počet značek musí být od 0 do {MAX_MARKS}, je {count}"),
                format!("a mark count must be from 0 to {MAX_MARKS}, found {count}"),
            );
            continue;
        };
        if marks.iter().any(|(other, _, _)| *other == pos) {
            p.push(
                &item_path,
                format!("políčko {} je v seznamu dvakrát", show(pos)),
                format!("the square {} is listed twice", show(pos)),
            );
            continue;
        }
        marks.push((pos, count, item_path));
    }
    Some(marks)
}

fn parse_goal(value: &Value, path: &str, world: &World, p: &mut Problems) -> Option<Goal> {
    let g = task::table(value, path, p)?;
    task::unknown_keys(g, &["karel", "marks"], path, p);
    let size = (world.width, world.height);
    let mut karel = None;
    if let Some(v) = g.get("karel") {
        let karel_path = task::join(path, "karel");
        if let Some((Some(pos), dir)) = parse_karel(v, &karel_path, size, false, p) {
            if world.is_wall(pos) {
                on_wall(p, &karel_path, pos);
            }
            karel = Some((pos, dir));
        }
    }
    let mut marks = None;
    if let Some(v) = g.get("marks") {
        let list = parse_marks(v, &task::join(path, "marks"), size, p)?;
        for (pos, _, item_path) in &list {
            if world.is_wall(*pos) {
                on_wall(p, item_path, *pos);
            }
        }
        marks = Some(
            list.into_iter()
                .map(|(pos, count, _)| (pos, count))
                .collect(),
        );
    }
    if !g.contains_key("karel") && !g.contains_key("marks") {
        p.push(
            path,
            "cíl potřebuje karel = [x, y] nebo marks = [[x, y, počet], …] (nebo obojí)",
            "a goal needs karel = [x, y] or marks = [[x, y, count], …] (or both)",
        );
        return None;
    }
    Some(Goal { karel, marks })
}

#[cfg(test)]
mod tests;
