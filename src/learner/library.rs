//! The courses the learner app serves: bundles opened once at start (the installed library
//! in `<data>/library/` plus any given on the command line), with their search indexes,
//! lazily prepared lesson pages and loaded plugins.
//!
//! A bundle that is refused (hash mismatch, hostile zip…) is reported and left out; the
//! others are still served. Lesson HTML is sanitised again when served, because a bundle
//! from elsewhere may not have been built by this program.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::bundle::{Bundle, BundleError, Manifest, ManifestExercise, ManifestLesson};
use crate::sandbox::{PluginModule, RenderResponse, Sandbox, SandboxError};
use crate::search::SearchIndex;

use super::i18n::Lang;

/// The folder below the data directory that holds installed bundles.
pub const LIBRARY_DIR: &str = "library";

/// The bundle file extension.
pub const BUNDLE_EXT: &str = "aktovka";

/// Why a bundle could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Occurs when the bundle is refused by its checks (see [`Bundle::open`]).
    #[error("balíček odmítnut / bundle refused: {0}")]
    Refused(BundleError),
    /// Occurs when an entry's content does not match its hash.
    #[error("balíček je poškozený / bundle is damaged: {0}")]
    Damaged(String),
    /// Occurs when the library folder cannot be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Verifies the bundle at `src` entry by entry and copies it into `<data>/library/`
/// atomically (temp file + rename), then removes older files of the same course id.
/// Returns the installed path.
pub fn install(src: &Path, data: &Path) -> Result<(PathBuf, Manifest), InstallError> {
    let bundle = Bundle::open(src).map_err(|e| match e {
        BundleError::Io { path, source } => InstallError::Io { path, source },
        e => InstallError::Refused(e),
    })?;
    let verification = bundle.verify_all();
    if let Some(problem) = verification.problems.first() {
        return Err(InstallError::Damaged(problem.to_string()));
    }
    let manifest = bundle.manifest().clone();
    drop(bundle);
    let dir = data.join(LIBRARY_DIR);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InstallError::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let dest = dir.join(manifest.file_name());
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io(&dir))?;
    let mut file = std::fs::File::open(src).map_err(io(src))?;
    std::io::copy(&mut file, tmp.as_file_mut()).map_err(io(&dest))?;
    tmp.as_file().sync_all().map_err(io(&dest))?;
    tmp.persist(&dest).map_err(|e| InstallError::Io {
        path: dest.clone(),
        source: e.error,
    })?;
    for old in library_files(data) {
        if old == dest {
            continue;
        }
        let same_course = Bundle::open(&old)
            .map(|b| b.manifest().course.id == manifest.course.id)
            .unwrap_or(false);
        if same_course {
            std::fs::remove_file(&old).map_err(io(&old))?;
        }
    }
    Ok((dest, manifest))
}

/// The bundle files in the installed library, sorted by name.
pub fn library_files(data: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(data.join(LIBRARY_DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == BUNDLE_EXT) && p.is_file())
        .collect();
    files.sort();
    files
}

/// One piece of a prepared lesson page: trusted app HTML, or a place for an exercise.
#[derive(Debug, Clone)]
pub enum Segment {
    Html(String),
    Exercise(String),
}

/// One served course.
pub struct Course {
    bundle: Bundle,
    index: Option<SearchIndex>,
    lessons: Vec<OnceLock<Result<Arc<Vec<Segment>>, String>>>,
    plugins: Mutex<HashMap<String, PluginModule>>,
    renders: Mutex<HashMap<(String, Lang, u64), Arc<RenderResponse>>>,
}

impl std::fmt::Debug for Course {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Course")
            .field("id", &self.id())
            .field("path", &self.bundle.path())
            .finish_non_exhaustive()
    }
}

impl Course {
    /// Opens a bundle and its search index (a course without a usable index is still
    /// served, just not found by search).
    pub fn open(path: &Path) -> Result<Course, BundleError> {
        let bundle = Bundle::open(path)?;
        let m = bundle.manifest();
        let lang = m.course.language;
        let index =
            crate::search::check_manifest(lang, &m.search.analyzer, m.search.schema_version)
                .ok()
                .and_then(|_| bundle.search_files().ok())
                .and_then(|files| SearchIndex::open(lang, files).ok());
        let lessons = m.lessons.iter().map(|_| OnceLock::new()).collect();
        Ok(Course {
            bundle,
            index,
            lessons,
            plugins: Mutex::new(HashMap::new()),
            renders: Mutex::new(HashMap::new()),
        })
    }

    pub fn id(&self) -> &str {
        &self.bundle.manifest().course.id
    }

    pub fn manifest(&self) -> &Manifest {
        self.bundle.manifest()
    }

    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    pub fn index(&self) -> Option<&SearchIndex> {
        self.index.as_ref()
    }

    pub fn lesson_position(&self, id: &str) -> Option<usize> {
        self.manifest().lessons.iter().position(|l| l.id == id)
    }

    pub fn lesson(&self, id: &str) -> Option<&ManifestLesson> {
        self.manifest().lesson(id)
    }

    pub fn exercise(&self, id: &str) -> Option<&ManifestExercise> {
        self.manifest().exercise(id)
    }

    /// The exercises of one lesson, in manifest order.
    pub fn lesson_exercises<'a>(
        &'a self,
        lesson: &'a str,
    ) -> impl Iterator<Item = &'a ManifestExercise> + 'a {
        self.manifest()
            .exercises
            .iter()
            .filter(move |e| e.lesson == lesson)
    }

    /// The lesson page body, sanitised, with lesson links pointing at app routes and split
    /// around exercise placeholders. Prepared once per lesson.
    pub fn lesson_segments(&self, position: usize) -> Result<Arc<Vec<Segment>>, String> {
        let Some(cell) = self.lessons.get(position) else {
            return Err(format!("no lesson at {position}"));
        };
        cell.get_or_init(|| {
            let lesson = &self.manifest().lessons[position];
            let bytes = self.bundle.read(&lesson.path).map_err(|e| e.to_string())?;
            let html = crate::render::sanitize(&String::from_utf8_lossy(&bytes));
            let html = self.rewrite_lesson_links(&html);
            Ok(Arc::new(split_exercises(&html)))
        })
        .clone()
    }

    /// `02-x.html#a` (the bundle's link between lessons) becomes `02-x#a`, which resolves
    /// to `/c/<course>/l/02-x#a` from a lesson page.
    fn rewrite_lesson_links(&self, html: &str) -> String {
        let mut out = html.to_owned();
        for l in &self.manifest().lessons {
            for quote in ['"', '\''] {
                out = out.replace(
                    &format!("href={quote}{}.html", l.id),
                    &format!("href={quote}{}", l.id),
                );
            }
        }
        out
    }

    /// The plugin for `name`: the bundle's copy (hash-verified on read), else a shipped
    /// one. Loaded once per course.
    pub fn plugin(&self, sandbox: &Sandbox, name: &str) -> Result<PluginModule, SandboxError> {
        if let Some(p) = lock(&self.plugins).get(name) {
            return Ok(p.clone());
        }
        let module = match self.manifest().plugin(name) {
            Some(p) => {
                let wasm = self
                    .bundle
                    .read(&p.path)
                    .map_err(|e| SandboxError::InvalidModule(format!("{}: {e}", p.path)))?;
                sandbox.load(name, &wasm)?
            }
            None => match crate::sandbox::shipped_plugin(name) {
                Some(wasm) => sandbox.load(name, wasm)?,
                None => return Err(SandboxError::NotFound(name.to_owned())),
            },
        };
        lock(&self.plugins).insert(name.to_owned(), module.clone());
        Ok(module)
    }

    /// What the plugin shows for an exercise, in `lang`; asked once and remembered, since
    /// `render` depends only on the task and the language.
    pub fn render_exercise(
        &self,
        sandbox: &Sandbox,
        exercise: &ManifestExercise,
        lang: Lang,
        seed: u64,
    ) -> Result<Arc<RenderResponse>, SandboxError> {
        let key = (exercise.id.clone(), lang, seed);
        if let Some(r) = lock(&self.renders).get(&key) {
            return Ok(r.clone());
        }
        let plugin = self.plugin(sandbox, &exercise.plugin)?;
        let rendered = Arc::new(sandbox.render(&plugin, &exercise.task, lang.code(), seed)?);
        lock(&self.renders).insert(key, rendered.clone());
        Ok(rendered)
    }
}

/// Locks a cache mutex; a panic elsewhere while holding it leaves only cached values,
/// which stay valid, so a poisoned lock is used as is.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Splits sanitised lesson HTML at each `<div class="exercise" data-exercise="ID"></div>`.
fn split_exercises(html: &str) -> Vec<Segment> {
    const MARK: &str = "data-exercise=\"";
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(MARK) {
        let Some(div_start) = rest[..at].rfind("<div") else {
            break;
        };
        let id_start = at + MARK.len();
        let Some(id_len) = rest[id_start..].find('"') else {
            break;
        };
        let Some(close) = rest[id_start..].find("</div>") else {
            break;
        };
        let id = rest[id_start..id_start + id_len].to_owned();
        out.push(Segment::Html(rest[..div_start].to_owned()));
        out.push(Segment::Exercise(id));
        rest = &rest[id_start + close + "</div>".len()..];
    }
    out.push(Segment::Html(rest.to_owned()));
    out
}

/// The served courses, in the order they were given (command line first, then the
/// installed library), one per course id.
#[derive(Debug, Default)]
pub struct Library {
    pub courses: Vec<Arc<Course>>,
    /// Bundles that could not be opened, with why (reported on stderr at start).
    pub refused: Vec<(PathBuf, String)>,
}

impl Library {
    /// Opens `given` bundles and everything in `<data>/library/`. A course id given on the
    /// command line hides an installed copy of the same course.
    pub fn open(given: &[PathBuf], data: &Path) -> Library {
        let mut lib = Library::default();
        for path in given.iter().cloned().chain(library_files(data)) {
            match Course::open(&path) {
                Ok(c) => {
                    if lib.course(c.id()).is_none() {
                        lib.courses.push(Arc::new(c));
                    }
                }
                Err(e) => lib.refused.push((path, e.to_string())),
            }
        }
        lib
    }

    /// Opens the library again from the same places, keeping the already open courses
    /// whose bundle file is still there (their caches stay warm).
    pub fn reopen(&self, given: &[PathBuf], data: &Path) -> Library {
        let mut lib = Library::default();
        for path in given.iter().cloned().chain(library_files(data)) {
            let known = self
                .courses
                .iter()
                .find(|c| c.bundle().path() == path.as_path())
                .cloned();
            let course = match known {
                Some(c) => c,
                None => match Course::open(&path) {
                    Ok(c) => Arc::new(c),
                    Err(e) => {
                        lib.refused.push((path, e.to_string()));
                        continue;
                    }
                },
            };
            if lib.course(course.id()).is_none() {
                lib.courses.push(course);
            }
        }
        lib
    }

    pub fn course(&self, id: &str) -> Option<&Arc<Course>> {
        self.courses.iter().find(|c| c.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exercises_are_cut_out_of_lesson_html() {
        let html = "<p>a</p>\n<div class=\"exercise\" data-exercise=\"x-1\"></div>\n<p>b</p>";
        let segs = split_exercises(html);
        let kinds: Vec<String> = segs
            .iter()
            .map(|s| match s {
                Segment::Html(h) => format!("H:{h}"),
                Segment::Exercise(id) => format!("X:{id}"),
            })
            .collect();
        assert_eq!(kinds, ["H:<p>a</p>\n", "X:x-1", "H:\n<p>b</p>"]);
    }
}
