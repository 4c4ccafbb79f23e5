//! `aktovka new DIR [--lang cs|en]`: scaffold a course that passes `check`.

use std::path::PathBuf;
use std::process::ExitCode;

use aktovka::course::{Language, scaffold};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to create the course in
    pub dir: PathBuf,
    /// Language of the course: cs or en
    #[arg(long, default_value = "cs")]
    pub lang: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(lang) = Language::from_code(&args.lang) else {
        anyhow::bail!(
            "neznámý jazyk `{}`; použij cs nebo en / unknown language, use cs or en",
            args.lang
        );
    };
    let files = scaffold(&args.dir, lang)?;
    println!("nový kurz / new course: {}", args.dir.display());
    for f in files {
        println!("  {}", f.display());
    }
    println!(
        "dál / next: aktovka check {0} && aktovka build {0}",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
