//! `aktovka exercise check` (owned by the sandbox work).
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Grade one answer as the learner app would
    Check {
        bundle: std::path::PathBuf,
        exercise: String,
        #[arg(long)]
        answer: Option<String>,
        #[arg(long)]
        answer_file: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(_c: Command) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
