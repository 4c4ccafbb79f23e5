//! `aktovka install BUNDLE [--data DIR]`: verifies every entry of a bundle and copies it
//! into the library the learner app shows (`<data>/library/`), replacing an older version
//! of the same course. Exit 0 installed, 1 the bundle was refused, 2 could not install.

use std::path::PathBuf;
use std::process::ExitCode;

use aktovka::learner::{InstallError, install};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Balíček kurzu (.aktovka) / the course bundle
    pub bundle: PathBuf,
    /// Datová složka / data directory
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = aktovka::paths::data_dir(args.data.as_deref());
    match install(&args.bundle, &data) {
        Ok((path, manifest)) => {
            println!(
                "nainstalováno / installed {} {} → {}",
                manifest.course.id,
                manifest.course.version,
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (InstallError::Refused(_) | InstallError::Damaged(_))) => {
            eprintln!("{}: error: {e}", args.bundle.display());
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
