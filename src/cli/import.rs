//! `aktovka import mdbook BOOK_DIR COURSE_DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Převede mdBook na kurz / turn an mdBook into a course
    Mdbook {
        /// The book directory (with book.toml and src/SUMMARY.md)
        book: PathBuf,
        /// The new course directory
        course: PathBuf,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Mdbook { book, course } => {
            let report = aktovka::import::import_mdbook(&book, &course)?;
            for note in &report.notes {
                eprintln!("pozn. / note: {note}");
            }
            println!(
                "importováno / imported: {} lekcí, {} souborů do {}",
                report.lessons,
                report.assets,
                course.display()
            );
            println!("dál / next: aktovka build {}", course.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
