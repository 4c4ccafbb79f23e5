//! `aktovka inspect BUNDLE`: open a bundle with every safety check, verify every entry's
//! hash, and print what it holds. Exit 1 when the bundle is refused or an entry mismatches.

use std::path::PathBuf;
use std::process::ExitCode;

use aktovka::bundle::{Bundle, BundleError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bundle file (.aktovka)
    pub bundle: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bundle = match Bundle::open(&args.bundle) {
        Ok(b) => b,
        Err(BundleError::Io { path, source }) => {
            anyhow::bail!("nelze otevřít / cannot open {}: {source}", path.display())
        }
        Err(e) => {
            refused(&args.bundle, &e);
            return Ok(ExitCode::from(1));
        }
    };
    let m = bundle.manifest();
    println!("{} {} ({})", m.course.title, m.course.version, m.course.id);
    println!("  jazyk / language: {}", m.course.language.code());
    if !m.course.authors.is_empty() {
        println!("  autoři / authors: {}", m.course.authors.join(", "));
    }
    if !m.course.license.is_empty() {
        println!("  licence / license: {}", m.course.license);
    }
    println!("  vytvořil / generator: {}", m.generator);
    println!(
        "  velikost / size: {:.1} kB",
        bundle.file_size() as f64 / 1024.0
    );
    println!("  lekce / lessons: {}", m.lessons.len());
    for l in &m.lessons {
        let n = m.exercises.iter().filter(|e| e.lesson == l.id).count();
        println!("    {:<40} {} cvičení / exercises", l.id, n);
    }
    let plugins: Vec<&str> = m.plugins.iter().map(|p| p.name.as_str()).collect();
    println!(
        "  pluginy / plugins: {}",
        if plugins.is_empty() {
            "-".into()
        } else {
            plugins.join(", ")
        }
    );
    let sizes = bundle.entry_sizes();
    let index: u64 = sizes
        .iter()
        .filter(|(k, _)| k.starts_with("search/"))
        .map(|(_, v)| v)
        .sum();
    println!(
        "  rejstřík / search index: {} ({}, {:.1} kB)",
        m.search.analyzer,
        m.search.files.len(),
        index as f64 / 1024.0
    );
    let v = bundle.verify_all();
    if v.problems.is_empty() {
        println!(
            "  ověřeno / verified: {} položek, vše sedí / all hashes match",
            v.checked
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &v.problems {
            eprintln!("{}: error: {p}", args.bundle.display());
        }
        eprintln!(
            "{} z {} položek nesedí; balíček nepoužívej / {} of {} entries do not match: do not use this bundle",
            v.problems.len(),
            v.checked,
            v.problems.len(),
            v.checked
        );
        Ok(ExitCode::from(1))
    }
}

fn refused(path: &std::path::Path, e: &BundleError) {
    eprintln!("{}: error: {e}", path.display());
    if let Some(entry) = e.entry() {
        eprintln!("  = položka / entry: {entry}");
    }
    eprintln!(
        "  = balíček odmítnut, nic z něj nebylo použito / bundle refused, nothing of it was used"
    );
}
