//! `aktovka search BUNDLE QUERY [--limit N] [--json]`: full-text search in one bundle, the
//! way the learner app searches. The index is used in place inside the bundle file.
//!
//! `--json` prints `[{"lesson","title","heading","anchor","score","snippet"}]`, best first
//! (the snippet is HTML with `<mark>` around matches); otherwise a numbered list for
//! people. Exit 0 whether or not anything was found; 1 when the bundle is refused; 2 when
//! it cannot be read at all.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use aktovka::bundle::{Bundle, BundleError};
use aktovka::search::{self, Hit, SearchIndex};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bundle file (.aktovka)
    pub bundle: PathBuf,
    /// Co hledat / what to search for (any text; "quotes" for an exact phrase)
    pub query: String,
    /// Nejvýše tolik výsledků / at most this many hits
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Výstup jako JSON / print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bundle = match Bundle::open(&args.bundle) {
        Ok(b) => b,
        Err(BundleError::Io { path, source }) => {
            anyhow::bail!("nelze otevřít / cannot open {}: {source}", path.display())
        }
        Err(e) => return Ok(refused(&args.bundle, &e)),
    };
    let m = bundle.manifest();
    let lang = m.course.language;
    search::check_manifest(lang, &m.search.analyzer, m.search.schema_version)
        .with_context(|| format!("{}", args.bundle.display()))?;
    let files = match bundle.search_files() {
        Ok(f) => f,
        Err(e) => return Ok(refused(&args.bundle, &e)),
    };
    let index = SearchIndex::open(lang, files).with_context(|| {
        format!(
            "rejstřík v {} nelze otevřít / cannot open the search index",
            args.bundle.display()
        )
    })?;
    let hits = index.search(&args.query, args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else {
        print_list(&hits, std::io::stdout().is_terminal());
    }
    Ok(ExitCode::SUCCESS)
}

fn refused(path: &std::path::Path, e: &BundleError) -> ExitCode {
    eprintln!("{}: error: {e}", path.display());
    if let Some(entry) = e.entry() {
        eprintln!("  = položka / entry: {entry}");
    }
    eprintln!("  = balíček odmítnut / bundle refused");
    ExitCode::from(1)
}

fn print_list(hits: &[Hit], terminal: bool) {
    if hits.is_empty() {
        println!("Nic nenalezeno / nothing found.");
        return;
    }
    for (i, h) in hits.iter().enumerate() {
        let place = if h.anchor.is_empty() {
            h.lesson.clone()
        } else {
            format!("{}#{}", h.lesson, h.anchor)
        };
        let heading = if h.heading.is_empty() || h.heading == h.title {
            String::new()
        } else {
            format!(" › {}", h.heading)
        };
        println!("{}. {}{heading}  [{place}]  {:.2}", i + 1, h.title, h.score);
        println!("   {}", plain_snippet(&h.snippet, terminal));
    }
}

/// Turns the HTML snippet into terminal text: marks become bold (or nothing when the
/// output is not a terminal), entities are decoded.
fn plain_snippet(html: &str, terminal: bool) -> String {
    let (on, off) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
