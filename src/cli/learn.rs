//! `aktovka learn [BUNDLE or COURSE_DIR]... [--port P] [--no-open] [--data DIR]`: the
//! pupils' app. Course directories are checked and built into `<data>/built/` first; then
//! [`aktovka::learner::serve`] runs until the process is stopped. The first line on stdout
//! is the app's address (scripts and tests read it); everything else goes to stderr.
//! An enrolled data directory is synced in the background (`AKTOVKA_SYNC_INTERVAL_SECS`,
//! default 300, and `AKTOVKA_SYNC_AFTER_ATTEMPT_SECS`, default 5, pace it).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use aktovka::build;
use aktovka::learner::{self, Library, Options};
use aktovka::sandbox::{PluginExerciseChecker, Sandbox};
use anyhow::Context;

/// The port `learn` tries first when none is given.
const DEFAULT_PORT: u16 = 8470;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Balíčky (.aktovka) nebo složky kurzů / bundles or course directories to open
    pub courses: Vec<PathBuf>,
    /// Port na 127.0.0.1 (0 = volný; výchozí 8470, je-li volný) / port on 127.0.0.1 (0
    /// picks a free one; default 8470 when free)
    #[arg(long)]
    pub port: Option<u16>,
    /// Neotevírat prohlížeč / do not open the browser
    #[arg(long)]
    pub no_open: bool,
    /// Datová složka / data directory
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = aktovka::paths::data_dir(args.data.as_deref());
    let mut bundles = Vec::new();
    for path in &args.courses {
        if path.is_dir() {
            match build_course(path, &data)? {
                Some(bundle) => bundles.push(bundle),
                None => return Ok(ExitCode::from(1)),
            }
        } else if path.is_file() {
            bundles.push(path.clone());
        } else {
            anyhow::bail!(
                "`{}` není balíček ani složka kurzu / is neither a bundle nor a course directory",
                path.display()
            );
        }
    }
    let options = Options {
        bundles,
        data,
        port: args.port.unwrap_or(DEFAULT_PORT),
        any_port_if_taken: args.port.is_none(),
        sync: sync_schedule()?,
    };
    let no_open = args.no_open;
    learner::serve(&options, |url, library: &Library| {
        println!("{url}");
        let _ = std::io::stdout().flush();
        for (path, why) in &library.refused {
            eprintln!(
                "{}: error: {why}\n  = balíček odmítnut / bundle refused",
                path.display()
            );
        }
        eprintln!(
            "aktovka: {} kurzů na / courses at {url} (ukončit / stop: Ctrl+C)",
            library.courses.len()
        );
        if !no_open {
            learner::open_browser(url);
        }
    })
    .context("aplikaci pro žáky nelze spustit / cannot run the learner app")?;
    Ok(ExitCode::SUCCESS)
}

/// Environment variables that pace the background sync (seconds, fractions allowed):
/// between two syncs, and from a recorded attempt to the sync that carries it.
const SYNC_INTERVAL_ENV: &str = "AKTOVKA_SYNC_INTERVAL_SECS";
const SYNC_AFTER_ATTEMPT_ENV: &str = "AKTOVKA_SYNC_AFTER_ATTEMPT_SECS";

/// The background sync's schedule: the defaults, or the environment's values.
fn sync_schedule() -> anyhow::Result<learner::background::Schedule> {
    let mut schedule = learner::background::Schedule::default();
    for (name, slot) in [
        (SYNC_INTERVAL_ENV, &mut schedule.interval),
        (SYNC_AFTER_ATTEMPT_ENV, &mut schedule.after_attempt),
    ] {
        let Ok(text) = std::env::var(name) else {
            continue;
        };
        *slot = text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .with_context(|| {
                format!("{name}={text:?} není počet sekund / is not a number of seconds")
            })?;
    }
    Ok(schedule)
}

/// Checks and builds a course directory into `<data>/built/`; `None` when the course has
/// errors (printed to stderr).
fn build_course(dir: &Path, data: &Path) -> anyhow::Result<Option<PathBuf>> {
    let sandbox = Sandbox::new(Some(aktovka::paths::module_cache_dir(data)))
        .context("nelze spustit sandbox pro pluginy / cannot start the plugin sandbox")?;
    let lang = aktovka::course::peek_language(dir).map_or("cs", |l| l.code());
    let checker = PluginExerciseChecker::new(&sandbox, lang);
    let checked = build::check(dir, Some(&checker));
    let Some(course) = checked
        .course
        .as_ref()
        .filter(|_| !checked.diagnostics.has_errors())
    else {
        for d in checked.diagnostics.sorted() {
            eprintln!("{d}\n");
        }
        eprintln!(
            "kurz `{}` má chyby; oprav je (aktovka check) / the course has errors",
            dir.display()
        );
        return Ok(None);
    };
    let out = build::output_path(course, Some(&data.join("built")));
    std::fs::create_dir_all(data.join("built"))
        .with_context(|| format!("nelze vytvořit / cannot create {}", data.display()))?;
    build::build(&checked, &out, &mut |_| {})
        .with_context(|| format!("nelze sestavit / cannot build {}", dir.display()))?;
    eprintln!("sestaveno / built {}", out.display());
    Ok(Some(out))
}
