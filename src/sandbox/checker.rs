//! [`PluginExerciseChecker`]: the sandbox behind `aktovka check`'s exercise checks.
//!
//! For each exercise it finds the plugin (a course-local `plugins/<name>.wasm` first, then a
//! shipped plugin), asks it to `validate` the task and to `check` the reference solution,
//! and turns every failure into an [`ExerciseProblem`] the course checker reports at the
//! exercise's line. Loaded plugins are remembered by the [`Sandbox`], so a course with many
//! exercises compiles each plugin once.

use std::path::PathBuf;

use crate::course::{Exercise, ExerciseChecker, ExerciseProblem};

use super::{PluginModule, Sandbox, SandboxError};

/// The seed `aktovka check` grades reference solutions with; fixed so `check` is
/// reproducible.
const CHECK_SEED: u64 = 0;

/// Runs exercises through their plugins in a [`Sandbox`].
pub struct PluginExerciseChecker<'a> {
    sandbox: &'a Sandbox,
    /// Language of the plugin's messages (the course's language).
    lang: String,
}

impl<'a> PluginExerciseChecker<'a> {
    /// A checker whose plugin messages come in `lang` (`cs` or `en`).
    pub fn new(sandbox: &'a Sandbox, lang: &str) -> Self {
        PluginExerciseChecker {
            sandbox,
            lang: lang.to_owned(),
        }
    }

    /// The plugin `name`: the course's own `plugins/<name>.wasm` wins over a shipped one.
    pub fn find_plugin(
        &self,
        name: &str,
        course_plugins: &[(String, PathBuf)],
    ) -> Result<PluginModule, SandboxError> {
        if let Some((_, path)) = course_plugins.iter().find(|(n, _)| n == name) {
            return self.sandbox.load_file(path);
        }
        match super::shipped_plugin(name) {
            Some(wasm) => self.sandbox.load(name, wasm),
            None => Err(SandboxError::NotFound(name.to_owned())),
        }
    }
}

fn problem(path: Option<&str>, message: String) -> ExerciseProblem {
    ExerciseProblem {
        path: path.map(str::to_owned),
        message,
    }
}

fn sandbox_problem(plugin: &str, op: &str, e: &SandboxError) -> ExerciseProblem {
    problem(
        None,
        format!("plugin `{plugin}` failed in `{op}`: {}: {e}", e.kind()),
    )
}

impl ExerciseChecker for PluginExerciseChecker<'_> {
    fn check_exercise(
        &self,
        exercise: &Exercise,
        course_plugins: &[(String, PathBuf)],
    ) -> Vec<ExerciseProblem> {
        let plugin = match self.find_plugin(&exercise.plugin, course_plugins) {
            Ok(p) => p,
            Err(SandboxError::NotFound(_)) => {
                return vec![problem(
                    Some("plugin"),
                    format!(
                        "unknown plugin `{}`: put `plugins/{}.wasm` in the course or use a \
                         shipped plugin ({})",
                        exercise.plugin,
                        exercise.plugin,
                        super::shipped_plugin_names().join(", ")
                    ),
                )];
            }
            Err(e) => return vec![sandbox_problem(&exercise.plugin, "load", &e)],
        };
        match self.sandbox.validate(&plugin, &exercise.task) {
            Ok(v) if v.ok => {}
            Ok(v) => {
                return v
                    .errors
                    .into_iter()
                    .map(|e| problem(Some(&e.path), e.message))
                    .collect();
            }
            Err(e) => return vec![sandbox_problem(&exercise.plugin, "validate", &e)],
        }
        let Some(solution) = &exercise.solution else {
            return vec![problem(
                Some("solution"),
                "no `solution`: give the reference answer so `check` can prove the exercise \
                 is solvable"
                    .to_owned(),
            )];
        };
        match self
            .sandbox
            .check(&plugin, &exercise.task, solution, CHECK_SEED, &self.lang)
        {
            Ok(v) if v.score >= 1.0 => Vec::new(),
            Ok(v) => vec![problem(
                Some("solution"),
                format!(
                    "the reference solution scores {} (needs 1.0); the plugin says: {}",
                    v.score,
                    v.feedback_md.trim()
                ),
            )],
            Err(e) => vec![sandbox_problem(&exercise.plugin, "check", &e)],
        }
    }
}
