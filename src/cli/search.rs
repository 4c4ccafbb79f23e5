//! `aktovka search` (owned by the search work).
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub bundle: std::path::PathBuf,
    pub query: String,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn run(_a: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
