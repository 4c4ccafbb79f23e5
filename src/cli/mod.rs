//! Argument definitions and dispatch. Each command lives in its own file and only maps its
//! arguments onto library calls.

mod build;
mod exercise;
mod import;
mod inspect;
mod install;
mod learn;
mod new;
mod plugin;
mod search;
mod server;
mod sync;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "aktovka",
    version,
    about = "Offline kurzy digitálních dovedností / offline digital-skills courses"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Založí nový kurz / scaffold a new course
    New(new::Args),
    /// Zkontroluje kurz / check a course and print every problem
    Check(build::CheckArgs),
    /// Zkontroluje a zabalí kurz do balíčku / check a course and build its bundle
    Build(build::BuildArgs),
    /// Ověří balíček a vypíše jeho obsah / verify a bundle and summarise it
    Inspect(inspect::Args),
    /// Hledá v balíčku / full-text search in a bundle
    Search(search::Args),
    /// Nástroje pro autory pluginů / tools for plugin authors
    #[command(subcommand)]
    Plugin(plugin::Command),
    /// Ohodnotí odpověď na cvičení / grade one answer
    #[command(subcommand)]
    Exercise(exercise::Command),
    /// Převede existující materiály na kurz / import existing material as a course
    #[command(subcommand)]
    Import(import::Command),
    /// Otevře kurzy pro žáky v prohlížeči / the pupils' app in the browser
    Learn(learn::Args),
    /// Nainstaluje balíček do knihovny / verify a bundle and add it to the library
    Install(install::Args),
    /// Školní server / the school server
    #[command(subcommand)]
    Server(server::Command),
    /// Zapíše laptop u školního serveru / enrol this laptop with a school server
    Enroll(sync::EnrollArgs),
    /// Synchronizuje se školním serverem / sync with the school server
    Sync(sync::SyncArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::New(a) => new::run(a),
        Command::Check(a) => build::check(a),
        Command::Build(a) => build::build(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Search(a) => search::run(a),
        Command::Plugin(c) => plugin::run(c),
        Command::Exercise(c) => exercise::run(c),
        Command::Import(c) => import::run(c),
        Command::Learn(a) => learn::run(a),
        Command::Install(a) => install::run(a),
        Command::Server(c) => server::run(c),
        Command::Enroll(a) => sync::enroll(a),
        Command::Sync(a) => sync::sync(a),
    }
}
