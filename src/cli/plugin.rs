//! `aktovka plugin call`: one raw ABI call, for plugin authors. Prints the plugin's response
//! JSON (exit 0), or the sandbox error as `kind: message` on stderr (exit 2). The plugin's
//! own stderr is passed through to stderr: it is the author's diagnostics.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aktovka::sandbox::{PluginModule, Sandbox, SandboxError};
use anyhow::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Jedno volání pluginu / one raw ABI call: prints the plugin's response JSON
    Call {
        /// Soubor pluginu (.wasm) nebo jméno vestavěného pluginu (quiz) / the plugin module,
        /// or the name of a shipped plugin
        plugin: PathBuf,
        /// Požadavek JSON, nebo `-` pro standardní vstup / request JSON file, or `-` for stdin
        request: Option<String>,
        /// Datová složka (cache přeložených pluginů) / data directory (compiled-plugin cache)
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

pub fn run(c: Command) -> anyhow::Result<ExitCode> {
    match c {
        Command::Call {
            plugin,
            request,
            data,
        } => call(&plugin, request.as_deref(), data.as_deref()),
    }
}

fn call(plugin: &Path, request: Option<&str>, data: Option<&Path>) -> anyhow::Result<ExitCode> {
    let request = read_request(request)?;
    let cache = aktovka::paths::module_cache_dir(&aktovka::paths::data_dir(data));
    let sandbox = Sandbox::new(Some(cache))
        .context("nelze spustit sandbox pro pluginy / cannot start the plugin sandbox")?;
    let module = match load(&sandbox, plugin) {
        Ok(m) => m,
        Err(e) => return Ok(sandbox_error(&e)),
    };
    let report = sandbox.call_json_report(&module, &request);
    if !report.stderr.is_empty() {
        eprint!("{}", String::from_utf8_lossy(&report.stderr));
    }
    match report.outcome {
        Ok(response) => {
            println!("{}", serde_json::to_string_pretty(&response)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(sandbox_error(&e)),
    }
}

/// A file if it exists, else a shipped plugin of that name.
fn load(sandbox: &Sandbox, plugin: &Path) -> Result<PluginModule, SandboxError> {
    if plugin.exists() {
        return sandbox.load_file(plugin);
    }
    let name = plugin.to_string_lossy();
    match aktovka::sandbox::shipped_plugin(&name) {
        Some(wasm) => sandbox.load(&name, wasm),
        None => Err(SandboxError::NotFound(name.into_owned())),
    }
}

fn read_request(source: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let (text, origin) = match source {
        None | Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("nelze číst standardní vstup / cannot read standard input")?;
            (text, "stdin".to_owned())
        }
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("nelze číst / cannot read `{path}`"))?,
            path.to_owned(),
        ),
    };
    serde_json::from_str(&text).with_context(|| {
        format!("požadavek v `{origin}` není JSON / the request in `{origin}` is not JSON")
    })
}

fn sandbox_error(e: &SandboxError) -> ExitCode {
    eprintln!("{}: {e}", e.kind());
    ExitCode::from(2)
}
