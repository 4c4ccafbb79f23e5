//! The teacher's pipeline: check a course directory, then pack it into a bundle.
//!
//! [`check`] loads the course, renders every lesson (checking links, anchors and assets) and
//! hands every exercise to an [`ExerciseChecker`] (the sandbox: validate the task, run the
//! solution). It collects all problems and never stops early. [`build`] takes a clean
//! [`Checked`] course, builds the search index and writes the bundle.

use std::path::{Path, PathBuf};

use crate::bundle::{
    self, BundleContents, BundleError, Manifest, ManifestCourse, ManifestExercise, ManifestLesson,
};
use crate::course::{self, Course, ExerciseChecker};
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::{self, RenderedLesson};
use crate::search;

/// A checked course: what `check` found, and what `build` needs.
#[derive(Debug)]
pub struct Checked {
    pub course: Option<Course>,
    pub rendered: Vec<RenderedLesson>,
    pub diagnostics: Diagnostics,
}

/// Why a build failed after checking passed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Occurs when `build` is given a course that has errors.
    #[error("kurz obsahuje {0} chyb; oprav je (aktovka check) / the course has errors")]
    CourseInvalid(usize),
    /// Occurs when a course file cannot be read while packing.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Occurs when the search index cannot be built.
    #[error("nelze vytvořit vyhledávací rejstřík / cannot build the search index: {0}")]
    Search(#[from] search::SearchError),
    /// Occurs when the bundle cannot be written.
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

/// Checks the course at `dir`. With a `checker`, every exercise's task is validated and its
/// solution graded by its plugin.
pub fn check(dir: &Path, checker: Option<&dyn ExerciseChecker>) -> Checked {
    let (course, mut diagnostics) = course::load(dir);
    let mut rendered = Vec::new();
    if let Some(course) = &course {
        let (r, d) = render::render_course(course);
        rendered = r;
        diagnostics.extend(d);
        let local: Vec<(String, PathBuf)> = course
            .plugins
            .iter()
            .map(|(n, p)| (n.clone(), course.root.join(p)))
            .collect();
        for ex in course.exercises() {
            if plugin_bytes(course, &ex.plugin).is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        &ex.file,
                        ex.line,
                        format!("neznámý plugin `{}` / unknown plugin", ex.plugin),
                    )
                    .help(format!(
                        "dodávané pluginy: {}; vlastní plugin patří do plugins/{}.wasm v kurzu",
                        crate::sandbox::shipped_plugin_names().join(", "),
                        ex.plugin
                    )),
                );
                continue;
            }
            let Some(checker) = checker else { continue };
            for p in checker.check_exercise(ex, &local) {
                let msg = match &p.path {
                    Some(path) => format!("cvičení `{}`: {path}: {}", ex.id, p.message),
                    None => format!("cvičení `{}`: {}", ex.id, p.message),
                };
                diagnostics.push(Diagnostic::error(&ex.file, ex.line, msg).help(format!(
                    "formát zadání popisuje docs/plugins/{}.md",
                    ex.plugin
                )));
            }
        }
    }
    Checked {
        course,
        rendered,
        diagnostics,
    }
}

/// The module of plugin `name` for this course: the course's own `plugins/<name>.wasm`
/// first, else a plugin shipped with aktovka.
pub fn plugin_bytes(course: &Course, name: &str) -> Option<Vec<u8>> {
    if let Some((_, rel)) = course.plugins.iter().find(|(n, _)| n == name) {
        return std::fs::read(course.root.join(rel)).ok();
    }
    crate::sandbox::shipped_plugin(name).map(<[u8]>::to_vec)
}

/// Where `build` writes: a `.aktovka` path as given, else `<id>-<version>.aktovka` inside
/// the given directory (default `dist/`).
pub fn output_path(course: &Course, output: Option<&Path>) -> PathBuf {
    let name = bundle::bundle_file_name(&course.meta.id, &course.meta.version.to_string());
    match output {
        Some(p) if p.extension().is_some_and(|e| e == "aktovka") => p.to_path_buf(),
        Some(dir) => dir.join(name),
        None => Path::new("dist").join(name),
    }
}

/// The search index's documents: one per section of each rendered lesson.
pub fn section_docs(course: &Course, rendered: &[RenderedLesson]) -> Vec<search::SectionDoc> {
    course
        .lessons
        .iter()
        .zip(rendered)
        .flat_map(|(lesson, r)| {
            r.sections.iter().map(move |s| search::SectionDoc {
                lesson_id: lesson.id.clone(),
                lesson_title: lesson.title.clone(),
                heading: s.heading.clone(),
                anchor: s.anchor.clone(),
                body: s.text.clone(),
                keywords: lesson.front.keywords.clone(),
                exercises: s.exercises.clone(),
            })
        })
        .collect()
}

/// Packs a checked course into a bundle at `out`. `progress` hears each step.
pub fn build(
    checked: &Checked,
    out: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BuildError> {
    let errors = checked.diagnostics.error_count();
    let course = match &checked.course {
        Some(c) if errors == 0 => c,
        _ => return Err(BuildError::CourseInvalid(errors.max(1))),
    };
    let io = |path: PathBuf| move |source| BuildError::Io { path, source };

    progress("search");
    let docs = section_docs(course, &checked.rendered);
    let search_files = search::build_index(course.meta.language, &docs)?;

    let mut assets = Vec::new();
    for rel in &course.assets {
        let bytes = std::fs::read(course.root.join(rel)).map_err(io(course.root.join(rel)))?;
        assets.push((rel.to_string_lossy().replace('\\', "/"), bytes));
    }
    let mut plugins: Vec<(String, Vec<u8>)> = Vec::new();
    for ex in course.exercises() {
        if plugins.iter().any(|(n, _)| *n == ex.plugin) {
            continue;
        }
        // `check` already reported unknown plugins, so a missing one here is a race with
        // the file system; report it as the file it is.
        let bytes = plugin_bytes(course, &ex.plugin).ok_or_else(|| BuildError::Io {
            path: course
                .root
                .join("plugins")
                .join(format!("{}.wasm", ex.plugin)),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
        plugins.push((ex.plugin.clone(), bytes));
    }
    let contents = BundleContents {
        course: ManifestCourse {
            id: course.meta.id.clone(),
            title: course.meta.title.clone(),
            version: course.meta.version.to_string(),
            language: course.meta.language,
            description: course.meta.description.clone(),
            authors: course.meta.authors.clone(),
            license: course.meta.license.clone(),
        },
        lessons: course
            .lessons
            .iter()
            .zip(&checked.rendered)
            .map(|(l, r)| {
                (
                    ManifestLesson {
                        id: l.id.clone(),
                        title: l.title.clone(),
                        summary: l.front.summary.clone(),
                        path: String::new(),
                        headings: r.headings.clone(),
                    },
                    r.html.clone(),
                )
            })
            .collect(),
        exercises: course
            .exercises()
            .map(|e| ManifestExercise {
                id: e.id.clone(),
                lesson: e.lesson.clone(),
                plugin: e.plugin.clone(),
                title: e.title.clone(),
                points: e.points,
                task: e.task.clone(),
            })
            .collect(),
        assets,
        plugins,
        search_analyzer: search::analyzer_name(course.meta.language).to_owned(),
        search_schema_version: search::SCHEMA_VERSION,
        search_files,
    };
    Ok(bundle::write(&contents, out, progress)?)
}
