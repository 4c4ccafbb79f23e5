//! Exercise blocks: fenced code blocks with the info string `exercise` holding TOML.

use std::path::{Path, PathBuf};

use super::manifest::is_valid_id;
use super::toml_util::{key_line, line_of_offset, suggest};
use crate::diag::Diagnostic;

/// One exercise as the teacher wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// Unique in the course, `[a-z0-9-]+`.
    pub id: String,
    /// The plugin name that grades it (`quiz`, `karel`, or a course-local plugin).
    pub plugin: String,
    pub title: String,
    pub points: u32,
    /// The reference answer; `check` requires it to score 1.0. Never shipped in a bundle.
    pub solution: Option<String>,
    /// The plugin-specific task, converted from TOML to JSON for the plugin ABI.
    pub task: serde_json::Value,
    /// Lesson id the exercise belongs to.
    pub lesson: String,
    /// Lesson file relative to the course root, and the 1-based line of the opening fence.
    pub file: PathBuf,
    pub line: usize,
}

/// A problem a plugin found with an exercise (its `validate` errors, or a solution that does
/// not score 1.0). `path` is the plugin's JSON path into the task, e.g. `task.options`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseProblem {
    pub path: Option<String>,
    pub message: String,
}

/// The seam between course checking and plugin execution. `aktovka check` hands every
/// exercise to an implementation of this (the sandbox); problems become diagnostics at the
/// exercise block's line.
pub trait ExerciseChecker {
    /// Checks one exercise: that its plugin exists, the task validates, the solution
    /// scores 1.0. `course_plugins` are the course-local plugin files (name, absolute path).
    fn check_exercise(
        &self,
        exercise: &Exercise,
        course_plugins: &[(String, PathBuf)],
    ) -> Vec<ExerciseProblem>;
}

const KNOWN_KEYS: &[&str] = &["id", "plugin", "title", "points", "solution", "task"];

/// Parses the TOML inside one exercise block. `fence_line` is the 1-based line of the
/// opening fence in `source` (the whole lesson file), so TOML errors point at the real line.
pub(crate) fn parse_exercise_block(
    text: &str,
    lesson: &str,
    file: &Path,
    fence_line: usize,
    source: &str,
) -> Result<Exercise, Vec<Diagnostic>> {
    let at = |line: usize, msg: String, help: &str| {
        Diagnostic::error(file, line, msg)
            .help(help.to_owned())
            .with_source(source)
    };
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let inner = e.span().map_or(1, |s| line_of_offset(text, s.start));
            return Err(vec![at(
                fence_line + inner,
                format!(
                    "neplatný TOML ve cvičení: {} / invalid TOML in exercise block",
                    e.message().trim()
                ),
                "blok ```exercise obsahuje TOML: klíč = \"hodnota\", texty v uvozovkách",
            )]);
        }
    };
    let key_at = |key: &str| {
        let l = key_line(text, key);
        if l == 0 { fence_line } else { fence_line + l }
    };
    let mut diags = Vec::new();
    for key in table.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            let help = match suggest(key, KNOWN_KEYS) {
                Some(s) => format!("nemyslíš `{s}`? / did you mean `{s}`?"),
                None => format!(
                    "známé klíče: {}; vlastní nastavení úlohy patří pod [task]",
                    KNOWN_KEYS.join(", ")
                ),
            };
            diags.push(at(
                key_at(key),
                format!("neznámý klíč `{key}` ve cvičení / unknown key"),
                &help,
            ));
        }
    }
    let text_field = |key: &str, diags: &mut Vec<Diagnostic>| match table.get(key) {
        None => None,
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(v) => {
            diags.push(at(
                key_at(key),
                format!(
                    "`{key}` musí být text, ne {} / must be a string",
                    v.type_str()
                ),
                &format!("napiš {key} = \"…\""),
            ));
            None
        }
    };
    let id = text_field("id", &mut diags);
    let plugin = text_field("plugin", &mut diags);
    let title = text_field("title", &mut diags);
    let solution = match table.get("solution") {
        // A number is a natural way to write a numeric answer; the ABI carries text.
        Some(toml::Value::Integer(i)) => Some(i.to_string()),
        Some(toml::Value::Float(f)) => Some(f.to_string()),
        _ => text_field("solution", &mut diags),
    };
    match &id {
        None if !table.contains_key("id") => diags.push(at(
            fence_line,
            "cvičení nemá `id` / exercise without id".into(),
            "přidej např. id = \"hesla-1\" (malá písmena, číslice, pomlčky; v kurzu jedinečné)",
        )),
        Some(id) if !is_valid_id(id) => diags.push(at(
            key_at("id"),
            format!("neplatné id cvičení `{id}` / invalid exercise id"),
            "id smí obsahovat jen malá písmena bez diakritiky, číslice a pomlčky, např. \"hesla-1\"",
        )),
        _ => {}
    }
    if plugin.is_none() && !table.contains_key("plugin") {
        diags.push(at(
            fence_line,
            "cvičení nemá `plugin` / exercise without plugin".into(),
            "přidej plugin = \"quiz\" (nebo \"karel\", nebo název pluginu z plugins/ kurzu)",
        ));
    }
    let points = match table.get("points") {
        None => 1,
        Some(toml::Value::Integer(p)) if (0..=1000).contains(p) => *p as u32,
        Some(_) => {
            diags.push(at(
                key_at("points"),
                "`points` musí být celé číslo 0–1000 / must be a whole number 0–1000".into(),
                "např. points = 2",
            ));
            1
        }
    };
    let task = match table.get("task") {
        Some(v @ toml::Value::Table(_)) => serde_json::to_value(v).ok(),
        Some(_) => {
            diags.push(at(
                key_at("task"),
                "`task` musí být tabulka [task] / must be a table".into(),
                "zadání napiš pod řádek [task]",
            ));
            None
        }
        None => {
            diags.push(at(
                fence_line,
                "cvičení nemá zadání [task] / exercise without [task]".into(),
                "přidej tabulku [task] se zadáním podle dokumentace pluginu (docs/plugins/)",
            ));
            None
        }
    };
    match (id, plugin, task) {
        (Some(id), Some(plugin), Some(task)) if diags.is_empty() => Ok(Exercise {
            title: title.unwrap_or_else(|| id.clone()),
            id,
            plugin,
            points,
            solution,
            task,
            lesson: lesson.to_owned(),
            file: file.to_path_buf(),
            line: fence_line,
        }),
        _ => Err(diags),
    }
}
