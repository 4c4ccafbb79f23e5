//! `aktovka exercise check`: grades one answer from a bundle the way the learner app does
//! (the bundle's own plugin, the course language, a fixed seed). Exit 0 passed, 1 graded but
//! not passed, 2 could not grade (the sandbox error's `kind: message` on stderr).

use std::path::PathBuf;
use std::process::ExitCode;

use aktovka::bundle::Bundle;
use aktovka::sandbox::{CheckResponse, PluginModule, Sandbox, SandboxError};
use anyhow::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Ohodnotí odpověď jako aplikace pro žáky / grade one answer as the learner app would
    Check {
        /// Balíček kurzu (.aktovka) / the course bundle
        bundle: PathBuf,
        /// Id cvičení / the exercise id
        exercise: String,
        /// Odpověď / the answer
        #[arg(
            long,
            required_unless_present = "answer_file",
            conflicts_with = "answer_file"
        )]
        answer: Option<String>,
        /// Soubor s odpovědí / a file holding the answer
        #[arg(long)]
        answer_file: Option<PathBuf>,
        /// Semínko náhody pluginu / the plugin's random seed
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Vypíše verdikt jako JSON / print the verdict as JSON
        #[arg(long)]
        json: bool,
        /// Datová složka (cache přeložených pluginů) / data directory (compiled-plugin cache)
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

pub fn run(c: Command) -> anyhow::Result<ExitCode> {
    let Command::Check {
        bundle,
        exercise,
        answer,
        answer_file,
        seed,
        json,
        data,
    } = c;
    let answer = match (answer, answer_file) {
        (Some(a), _) => a,
        (None, Some(f)) => std::fs::read_to_string(&f)
            .with_context(|| format!("nelze číst / cannot read `{}`", f.display()))?,
        (None, None) => anyhow::bail!("chybí --answer / --answer or --answer-file is required"),
    };
    let bundle = Bundle::open(&bundle)
        .with_context(|| format!("nelze otevřít balíček / cannot open `{}`", bundle.display()))?;
    let manifest = bundle.manifest();
    let Some(ex) = manifest.exercise(&exercise) else {
        let ids: Vec<&str> = manifest.exercises.iter().map(|e| e.id.as_str()).collect();
        anyhow::bail!(
            "cvičení `{exercise}` v balíčku není / no exercise `{exercise}` in the bundle (má / has: {})",
            ids.join(", ")
        );
    };
    let cache = aktovka::paths::module_cache_dir(&aktovka::paths::data_dir(data.as_deref()));
    let sandbox = Sandbox::new(Some(cache))
        .context("nelze spustit sandbox pro pluginy / cannot start the plugin sandbox")?;
    let verdict = load_plugin(&sandbox, &bundle, &ex.plugin).and_then(|plugin| {
        let lang = manifest.course.language.code();
        sandbox.check(&plugin, &ex.task, &answer, seed, lang)
    });
    match verdict {
        Ok(v) => {
            print_verdict(&v, json)?;
            Ok(if v.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(e) => {
            eprintln!("{}: {e}", e.kind());
            Ok(ExitCode::from(2))
        }
    }
}

/// The bundle's copy of the plugin (hash-verified on read), else a shipped one.
fn load_plugin(
    sandbox: &Sandbox,
    bundle: &Bundle,
    name: &str,
) -> Result<PluginModule, SandboxError> {
    match bundle.manifest().plugin(name) {
        Some(p) => {
            let wasm = bundle
                .read(&p.path)
                .map_err(|e| SandboxError::InvalidModule(format!("{}: {e}", p.path)))?;
            sandbox.load(name, &wasm)
        }
        None => match aktovka::sandbox::shipped_plugin(name) {
            Some(wasm) => sandbox.load(name, wasm),
            None => Err(SandboxError::NotFound(name.to_owned())),
        },
    }
}

fn print_verdict(v: &CheckResponse, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    let mark = if v.passed {
        "splněno / passed"
    } else {
        "nesplněno / not passed"
    };
    println!("skóre / score: {} ({mark})", v.score);
    if !v.feedback_md.trim().is_empty() {
        println!("{}", v.feedback_md.trim());
    }
    for c in &v.checks {
        let sign = if c.passed { "✓" } else { "✗" };
        println!("  {sign} {}: {}", c.name, c.message);
    }
    Ok(())
}
