//! `aktovka plugin call` (owned by the sandbox work).
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// One raw ABI call: prints the plugin's response JSON
    Call {
        /// The plugin module (.wasm)
        plugin: std::path::PathBuf,
        /// Request JSON file, or `-` for standard input
        request: Option<String>,
    },
}

pub fn run(_c: Command) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
