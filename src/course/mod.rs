//! Course source: what a teacher writes (`course.toml`, `lessons/*.md`, `assets/`,
//! `plugins/*.wasm`) loaded into a [`Course`], with every problem reported as a
//! [`Diagnostic`](crate::diag::Diagnostic).
//!
//! Loading never stops at the first problem: [`load`] returns whatever it could read plus
//! all diagnostics, so `aktovka check` shows a teacher everything at once. Plugin-specific
//! validation (does the task make sense, does the solution score 1.0) is not done here; it
//! is the [`ExerciseChecker`] seam, implemented by the sandbox.

mod exercise;
mod load;
mod manifest;
mod scaffold;
pub(crate) mod toml_util;

pub use exercise::{Exercise, ExerciseChecker, ExerciseProblem};
pub use load::{EXERCISE_INFO, load};
pub use manifest::{CourseMeta, Language, LessonOrder, is_valid_id, peek_language};
pub use scaffold::{ScaffoldError, scaffold};

use std::path::PathBuf;

/// A loaded course. Lessons are in reading order.
#[derive(Debug, Clone)]
pub struct Course {
    /// The course directory.
    pub root: PathBuf,
    pub meta: CourseMeta,
    pub lessons: Vec<Lesson>,
    /// Asset files relative to the course root (`assets/obr/bit.svg`), sorted.
    pub assets: Vec<PathBuf>,
    /// Course-local plugins: name (file stem) and path relative to the root.
    pub plugins: Vec<(String, PathBuf)>,
}

impl Course {
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.lessons.iter().flat_map(|l| l.exercises.iter())
    }
}

/// Optional TOML front matter of a lesson, between `+++` lines.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Overrides the first `#` heading as the lesson's title.
    pub title: Option<String>,
    /// One or two sentences shown in the table of contents.
    pub summary: Option<String>,
    /// Extra words the search should find this lesson by.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// One lesson: a markdown file.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The file stem (`01-bity`), used in URLs and bundle paths.
    pub id: String,
    /// Path relative to the course root (`lessons/01-bity.md`).
    pub file: PathBuf,
    pub title: String,
    pub front: FrontMatter,
    /// The markdown after the front matter.
    pub body: String,
    /// 1-based line in the file where `body` starts (after the front matter).
    pub body_line: usize,
    pub exercises: Vec<Exercise>,
}
