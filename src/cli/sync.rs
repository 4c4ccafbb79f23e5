//! `aktovka enroll URL CODE [--ca-cert PEM] [--data DIR]` and `aktovka sync [--data DIR]`:
//! the laptop's side of sync, over [`aktovka::sync`]. Progress bars (indicatif) on a
//! terminal, a summary on stdout. Exit 0 synced, 1 refused by the server (revoked,
//! conflict, bad code), 2 other failures (network after retries, an untrusted certificate,
//! disk). `--ca-cert` is kept in `sync.json` for every later sync.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aktovka::sync::{self, RosterReport, Step, SyncError, SyncOptions};
use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct EnrollArgs {
    /// Adresa školního serveru / the school server's URL
    pub url: String,
    /// Jednorázový kód od učitele / the one-time code from the teacher
    pub code: String,
    /// Certifikát školní certifikační autority (PEM), má-li server vlastní certifikát;
    /// uloží se pro další synchronizace / the school's CA certificate (PEM) for a server with
    /// its own certificate; kept for every later sync
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// Datová složka / data directory
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Datová složka / data directory
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Událostí v jedné dávce / events per batch
    #[arg(long, default_value_t = 500)]
    pub batch_size: usize,
}

/// Draws the steps of a sync as progress bars; indicatif hides them off a terminal.
struct Bars {
    push: RefCell<Option<ProgressBar>>,
    download: RefCell<Option<ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            push: RefCell::new(None),
            download: RefCell::new(None),
        }
    }

    fn step(&self, step: Step) {
        match step {
            Step::PushStart { pending } => {
                let bar = ProgressBar::new(pending);
                bar.set_style(
                    ProgressStyle::with_template("odesílání / pushing {bar:30} {pos}/{len}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                *self.push.borrow_mut() = Some(bar);
            }
            Step::Pushed { acknowledged, .. } => {
                if let Some(b) = self.push.borrow().as_ref() {
                    b.set_position(acknowledged);
                }
            }
            Step::DownloadStart {
                course,
                version,
                size,
                resumed_at,
            } => {
                let bar = ProgressBar::new(size);
                bar.set_style(
                    ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(format!("{course} {version}"));
                bar.set_position(resumed_at);
                *self.download.borrow_mut() = Some(bar);
            }
            Step::Downloaded { bytes } => {
                if let Some(b) = self.download.borrow().as_ref() {
                    b.inc(bytes);
                }
            }
            Step::Waiting => {
                eprintln!(
                    "čekám, až doběhne jiná synchronizace / waiting for another sync to finish"
                );
            }
            Step::Retry { error, delay } => {
                eprintln!(
                    "opakuji za / retrying in {:.1} s: {error}",
                    delay.as_secs_f64()
                );
            }
        }
    }

    fn finish(&self) {
        for b in [&self.push, &self.download] {
            if let Some(b) = b.borrow_mut().take() {
                b.finish_and_clear();
            }
        }
    }
}

/// One line per change the roster made on this laptop.
fn print_roster(r: &RosterReport) {
    for name in &r.added {
        println!("nový žák / new learner: {name}");
    }
    for name in &r.linked {
        println!("propojeno se seznamem třídy / linked to the class roster: {name}");
    }
    for (from, to) in &r.renamed {
        println!("přejmenováno / renamed: {from} → {to}");
    }
    for name in &r.skipped {
        eprintln!(
            "žák ze seznamu třídy vynechán (jméno nelze použít) / roster learner skipped (name not usable): {name}"
        );
    }
}

fn exit_for(e: SyncError) -> anyhow::Result<ExitCode> {
    eprintln!("error: {e}");
    Ok(match e {
        SyncError::Conflict(_) | SyncError::NotEnrolled => ExitCode::from(1),
        SyncError::Server { status, .. } if (400..500).contains(&status) => ExitCode::from(1),
        _ => ExitCode::from(2),
    })
}

/// Reads a CA certificate file, refusing one without a PEM certificate in it.
fn read_ca_cert(path: &Path) -> anyhow::Result<String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let pem =
        std::fs::read_to_string(path).with_context(|| format!("--ca-cert {}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--ca-cert {}: neplatný PEM / invalid PEM", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "--ca-cert {}: žádný certifikát PEM (-----BEGIN CERTIFICATE-----) / no PEM certificate in the file",
        path.display()
    );
    Ok(pem)
}

pub fn enroll(args: EnrollArgs) -> anyhow::Result<ExitCode> {
    let data = aktovka::paths::data_dir(args.data.as_deref());
    let ca_cert = args.ca_cert.as_deref().map(read_ca_cert).transpose()?;
    let bars = Bars::new();
    let result = sync::enroll(
        &data,
        &args.url,
        &args.code,
        ca_cert.as_deref(),
        &SyncOptions::default(),
        &|s| bars.step(s),
    );
    bars.finish();
    match result {
        Ok(r) => {
            println!("zapsáno do třídy / enrolled in class {}", r.class);
            print_roster(&r.roster);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => exit_for(e),
    }
}

pub fn sync(args: SyncArgs) -> anyhow::Result<ExitCode> {
    let data = aktovka::paths::data_dir(args.data.as_deref());
    let opts = SyncOptions {
        batch_size: args.batch_size,
        ..SyncOptions::default()
    };
    let bars = Bars::new();
    let result = sync::sync(&data, &opts, &|s| bars.step(s));
    bars.finish();
    match result {
        Ok(r) => {
            if let Some(from) = r.resent_from {
                println!(
                    "server ztratil události, posláno znovu od {from} / the server had lost events; re-sent from {from}"
                );
            }
            println!(
                "odesláno / pushed {} (potvrzeno do / acknowledged up to {})",
                r.pushed, r.acknowledged
            );
            print_roster(&r.roster);
            for b in r.bundles_installed {
                println!("nainstalováno / installed {b}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => exit_for(e),
    }
}
