//! Test helpers: run the real binary, and build courses in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The fixture directory of the repository.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Runs `aktovka` with `args`; the data directory is a fresh temp dir unless `AKTOVKA_HOME`
/// is passed through `envs`.
pub fn aktovka(args: &[&str]) -> Run {
    let home = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aktovka"))
        .args(args)
        .env("AKTOVKA_HOME", home.path())
        .output()
        .expect("run aktovka");
    Run { output }
}

/// The result of one run of the binary, with readable failure messages.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    /// Asserts the exit code, printing both streams when it differs.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    /// `file:line` (and what follows) of every `error:` line on stderr.
    pub fn errors(&self) -> Vec<String> {
        self.stderr()
            .lines()
            .filter(|l| l.contains(": error: "))
            .map(str::to_owned)
            .collect()
    }
}

/// A course written into a temp dir, file by file (like mdBook's `BookTest`).
pub struct CourseDir {
    pub dir: tempfile::TempDir,
}

pub const COURSE_TOML: &str =
    "id = \"test\"\ntitle = \"Test\"\nversion = \"1.0.0\"\nlanguage = \"cs\"\n";

impl CourseDir {
    /// A valid one-lesson course.
    pub fn new() -> Self {
        CourseDir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
        .file("course.toml", COURSE_TOML)
        .file("lessons/01-uvod.md", "# Úvod\n\nText lekce.\n")
    }

    /// Writes (or overwrites) a file.
    pub fn file(self, rel: &str, content: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn check(&self) -> Run {
        aktovka(&["check", self.path().to_str().expect("utf-8 path")])
    }
}
