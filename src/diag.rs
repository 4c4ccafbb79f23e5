//! Diagnostics: what `aktovka check` tells a teacher about a course.
//!
//! A [`Diagnostic`] points at a file, a line and a column, says what is wrong and, where we
//! know, how to fix it. [`Diagnostics`] collects every problem of one run so the teacher sees
//! them all at once; nothing here stops at the first error. Rendering follows rustc:
//!
//! ```text
//! lessons/01-bity.md:12:5: error: odkaz na neexistující lekci `03-nic.md`
//!    |
//! 12 | Viz [další lekce](03-nic.md).
//!    |     ^
//!    = help: …
//! ```

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// How bad a problem is: errors make `check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a course, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the course directory (`lessons/01-bity.md`).
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The source line the problem is on, shown with a caret.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line,
            col: 0,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, message)
        }
    }

    pub fn col(mut self, col: usize) -> Self {
        self.col = col;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the line `self.line` of `source` so the rendering can show it.
    pub fn with_source(mut self, source: &str) -> Self {
        if self.line > 0 {
            self.source_line = source.lines().nth(self.line - 1).map(str::to_owned);
        }
        self
    }

    /// `file:line:col` as printed before the message.
    pub fn location(&self) -> String {
        let file = self.file.display();
        match (self.line, self.col) {
            (0, _) => format!("{file}"),
            (l, 0) => format!("{file}:{l}"),
            (l, c) => format!("{file}:{l}:{c}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {kind}: {}", self.location(), self.message)?;
        if let Some(src) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let mut caret = String::new();
            if self.col > 0 {
                let prefix: String = src.chars().take(self.col - 1).collect();
                let _ = write!(
                    caret,
                    "\n{pad} | {}^",
                    prefix
                        .chars()
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect::<String>()
                );
            }
            write!(f, "\n{pad} |\n{num} | {src}{caret}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem of one run, in the order found; sorted by place before printing.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, then line, then column; stable for problems at the same place.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Makes `path` relative to `root` for display; falls back to the path as given.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rustc_style_with_caret_and_help() {
        let d = Diagnostic::error("lessons/a.md", 2, "špatně")
            .col(5)
            .help("oprav to")
            .with_source("první\nab  cd\n");
        let s = d.to_string();
        assert_eq!(
            s,
            "lessons/a.md:2:5: error: špatně\n  |\n2 | ab  cd\n  |     ^\n  = help: oprav to"
        );
    }

    #[test]
    fn location_without_line() {
        let d = Diagnostic::warning("course.toml", 0, "x");
        assert_eq!(d.location(), "course.toml");
        assert!(d.to_string().starts_with("course.toml: warning: x"));
    }
}
