//! `aktovka check` and `aktovka build`: map arguments onto [`aktovka::build`], print
//! diagnostics rustc-style, and show progress (a bar on a terminal, plain lines otherwise).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use aktovka::build::{self, Checked};
use aktovka::sandbox::{PluginExerciseChecker, Sandbox};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The course directory (with course.toml)
    pub course: PathBuf,
    /// Data directory (for the compiled-plugin cache)
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The course directory (with course.toml)
    pub course: PathBuf,
    /// Output directory or `.aktovka` file (default: dist/)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Data directory (for the compiled-plugin cache)
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let checked = run_check(&args.course, args.data.as_deref())?;
    report(&checked);
    Ok(if checked.diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let checked = run_check(&args.course, args.data.as_deref())?;
    report(&checked);
    let Some(course) = checked
        .course
        .as_ref()
        .filter(|_| !checked.diagnostics.has_errors())
    else {
        eprintln!("balíček nevznikl: oprav chyby výše / no bundle written: fix the errors above");
        return Ok(ExitCode::from(1));
    };
    let out = build::output_path(course, args.output.as_deref());
    let manifest = with_progress(&checked, |progress| build::build(&checked, &out, progress))
        .with_context(|| {
            format!(
                "nelze zapsat balíček / cannot write bundle {}",
                out.display()
            )
        })?;
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "hotovo / built {} ({} lekcí, {} cvičení, {:.1} kB) za {:.2} s",
        out.display(),
        manifest.lessons.len(),
        manifest.exercises.len(),
        size as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_check(dir: &Path, data: Option<&Path>) -> anyhow::Result<Checked> {
    if !dir.is_dir() {
        anyhow::bail!(
            "`{}` není složka kurzu / is not a course directory (vytvoř ji: aktovka new {})",
            dir.display(),
            dir.display()
        );
    }
    let cache = aktovka::paths::module_cache_dir(&aktovka::paths::data_dir(data));
    let sandbox = Sandbox::new(Some(cache))
        .context("nelze spustit sandbox pro pluginy / cannot start the plugin sandbox")?;
    let lang = aktovka::course::peek_language(dir).map_or("cs", |l| l.code());
    let checker = PluginExerciseChecker::new(&sandbox, lang);
    Ok(build::check(dir, Some(&checker)))
}

/// Prints every diagnostic, sorted by place, then a summary.
fn report(checked: &Checked) {
    let d = &checked.diagnostics;
    for diag in d.sorted() {
        eprintln!("{diag}\n");
    }
    let (errors, warnings) = (d.error_count(), d.warning_count());
    if let Some(course) = &checked.course {
        let exercises = course.exercises().count();
        eprintln!(
            "{}: {} lekcí, {} cvičení; {errors} chyb, {warnings} varování / {errors} errors, {warnings} warnings",
            course.meta.id,
            course.lessons.len(),
            exercises
        );
    } else {
        eprintln!("{errors} chyb, {warnings} varování / {errors} errors, {warnings} warnings");
    }
}

/// Runs `f` with a progress callback: an indicatif spinner on a terminal, plain lines
/// otherwise (CI logs, pipes).
fn with_progress<T>(checked: &Checked, f: impl FnOnce(&mut dyn FnMut(&str)) -> T) -> T {
    let total = checked.course.as_ref().map_or(0, |c| {
        (c.lessons.len() + c.assets.len() + c.plugins.len() + 2) as u64
    });
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let result = f(&mut |step: &str| {
            bar.set_message(step.to_owned());
            bar.inc(1);
        });
        bar.finish_and_clear();
        result
    } else {
        f(&mut |step: &str| eprintln!("  {step}"))
    }
}
