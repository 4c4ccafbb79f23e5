//! `aktovka new`: a starter course that passes `aktovka check` as it stands, with one lesson
//! showing text, a picture and one exercise of each shipped plugin.

use std::path::{Path, PathBuf};

use super::Language;
use crate::text::slugify;

/// Why a course could not be scaffolded.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// Occurs when the target directory exists and is not empty.
    #[error(
        "složka {0} už existuje a není prázdná; zvol jinou / directory exists and is not empty"
    )]
    NotEmpty(PathBuf),
    /// Occurs when a file cannot be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes a new course into `dir` (created if missing) and returns the files written.
pub fn scaffold(dir: &Path, lang: Language) -> Result<Vec<PathBuf>, ScaffoldError> {
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kurz".into());
    let id = slugify(&name);
    let (toml, lesson_name, lesson) = match lang {
        Language::Cs => (
            include_str!("templates/course-cs.toml"),
            "01-uvod.md",
            include_str!("templates/lesson-cs.md"),
        ),
        Language::En => (
            include_str!("templates/course-en.toml"),
            "01-intro.md",
            include_str!("templates/lesson-en.md"),
        ),
    };
    let title = toml_escape(&name);
    let files = [
        (
            PathBuf::from("course.toml"),
            toml.replace("{id}", &id).replace("{title}", &title),
        ),
        (Path::new("lessons").join(lesson_name), lesson.to_owned()),
        (
            Path::new("assets").join("aktovka.svg"),
            include_str!("templates/aktovka.svg").to_owned(),
        ),
    ];
    let mut written = Vec::new();
    for (rel, content) in files {
        let path = dir.join(&rel);
        let io = |source| ScaffoldError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, content).map_err(io)?;
        written.push(rel);
    }
    Ok(written)
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
