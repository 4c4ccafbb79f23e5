//! `aktovka server …`: the school server (`init`, `run`) and its admin commands (teachers,
//! classes and rosters, enrolment codes, published bundles, devices). Each maps its
//! arguments onto [`aktovka::server`]. `run` prints the bound address (`http://ADDR`, or
//! `https://ADDR` with `--tls-cert`/`--tls-key`) as the first stdout line; tests and
//! scripts read it. `run` also re-grades pushed attempts in the background.
//!
//! Passwords are read from `$AKTOVKA_PASSWORD` when set, else from the first line of stdin.
//!
//! The store is SQLite in `<data>/server.sqlite` unless a PostgreSQL URL is given:
//! `server init --data DIR --database postgres://…` records it in `<data>/server.toml`, so
//! `run` and every admin command use it without repeating it; `--database` on any command
//! overrides the file. Published bundles live in the data directory either way.

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use aktovka::bundle::Bundle;
use aktovka::server::api::{self, AppState};
use aktovka::server::postgres::PostgresStore;
use aktovka::server::sqlite::SqliteStore;
use aktovka::server::{self as srv, BUNDLE_DIR, DB_FILE, PublishedBundle, ServerStore};
use anyhow::Context;
use uuid::Uuid;

#[derive(Debug, clap::Args)]
pub struct DataArg {
    /// Datová složka serveru / the server's data directory
    #[arg(long)]
    pub data: PathBuf,
    /// PostgreSQL místo SQLite (přednost před server.toml) / PostgreSQL instead of SQLite
    /// (overrides server.toml): postgres://user:password@host:port/db
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

/// The server's configuration file in its data directory.
const CONFIG_FILE: &str = "server.toml";

/// `<data>/server.toml`, written by `server init --database`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerConfig {
    /// The PostgreSQL URL; absent: SQLite in the data directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    database: Option<String>,
}

impl ServerConfig {
    fn load(data: &Path) -> anyhow::Result<ServerConfig> {
        let path = data.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ServerConfig::default()),
            Err(e) => Err(anyhow::Error::from(e).context(path.display().to_string())),
        }
    }

    /// Writes the file readable by its owner only: the URL may hold a password.
    fn save(&self, data: &Path) -> anyhow::Result<()> {
        let path = data.join(CONFIG_FILE);
        let text = format!(
            "# aktovka server; see docs/server.md\n{}",
            toml::to_string(self)?
        );
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| path.display().to_string())?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        Ok(())
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Založí databázi serveru a účet správce / create the server database and the admin
    Init {
        #[command(flatten)]
        data: DataArg,
        /// Jméno správce / the admin's name
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Spustí server / run the server
    Run {
        #[command(flatten)]
        data: DataArg,
        /// Adresa a port / address to listen on
        #[arg(long, default_value = "0.0.0.0:8740")]
        listen: String,
        /// Certifikát serveru (PEM, i s mezilehlými) pro HTTPS / the server's certificate
        /// chain (PEM) for HTTPS
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Soukromý klíč k certifikátu (PEM) / the certificate's private key (PEM)
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Přidá učitele / add a teacher
    AddTeacher {
        #[command(flatten)]
        data: DataArg,
        name: String,
    },
    /// Přidá třídu, případně se žáky z CSV / add a class, optionally with learners from CSV
    AddClass {
        #[command(flatten)]
        data: DataArg,
        name: String,
        /// CSV se jmény žáků / CSV of learner names
        #[arg(long)]
        learners: Option<PathBuf>,
        /// Učitel, který třídu uvidí na přehledu / the teacher who sees the class on the dashboard
        #[arg(long)]
        teacher: Option<String>,
    },
    /// Přiřadí třídu učiteli (přehled učitele) / let a teacher see a class on the dashboard
    Assign {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        class: String,
        #[arg(long)]
        teacher: String,
    },
    /// Přidá žáky z CSV do třídy / import learners into a class from CSV
    ImportLearners {
        #[command(flatten)]
        data: DataArg,
        class: String,
        csv: PathBuf,
    },
    /// Vytvoří jednorázový kód pro zápis laptopu / create one-time enrolment codes
    EnrolmentCode {
        #[command(flatten)]
        data: DataArg,
        class: String,
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// Zveřejní balíček kurzu / publish a course bundle
    Publish {
        #[command(flatten)]
        data: DataArg,
        bundle: PathBuf,
    },
    /// Znovu ohodnotí synchronizované pokusy a označí nesouhlasící skóre / re-grade synced
    /// attempts with the same plugin and seed and flag scores that differ
    Regrade {
        #[command(flatten)]
        data: DataArg,
    },
    /// Vypíše zapsaná zařízení / list enrolled devices
    Devices {
        #[command(flatten)]
        data: DataArg,
    },
    /// Odebere zařízení / revoke a device
    Revoke {
        #[command(flatten)]
        data: DataArg,
        device: Uuid,
    },
}

/// The server's store: PostgreSQL when `--database` or `server.toml` names one, else the
/// SQLite file, which `server init` must have created.
fn open(data: &DataArg) -> anyhow::Result<Box<dyn ServerStore>> {
    let url = match &data.database {
        Some(url) => Some(url.clone()),
        None => ServerConfig::load(&data.data)?.database,
    };
    if let Some(url) = url {
        // The URL may hold a password: it is not repeated in the message.
        let store = PostgresStore::connect(&url).context("PostgreSQL (--database, server.toml)")?;
        return Ok(Box::new(store));
    }
    let path = data.data.join(DB_FILE);
    anyhow::ensure!(
        path.exists(),
        "{} neexistuje; spusťte `aktovka server init` / does not exist; run `aktovka server init`",
        path.display()
    );
    Ok(Box::new(
        SqliteStore::open(&path).with_context(|| path.display().to_string())?,
    ))
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("AKTOVKA_PASSWORD") {
        return Ok(p);
    }
    eprint!("heslo / password: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        p.chars().count() >= 8,
        "heslo musí mít aspoň 8 znaků / the password needs at least 8 characters"
    );
    Ok(p)
}

fn class(store: &dyn ServerStore, name: &str) -> anyhow::Result<srv::Class> {
    store
        .class(name)?
        .with_context(|| format!("neznámá třída / unknown class: {name}"))
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Init { data, admin } => {
            std::fs::create_dir_all(&data.data).with_context(|| data.data.display().to_string())?;
            let path = data.data.join(DB_FILE);
            let config = data.data.join(CONFIG_FILE);
            for existing in [&path, &config] {
                anyhow::ensure!(
                    !existing.exists(),
                    "{} už existuje / already exists",
                    existing.display()
                );
            }
            let password = read_password()?;
            let hash = srv::hash_password(&password)?;
            if let Some(url) = &data.database {
                let store = PostgresStore::connect(url).context("PostgreSQL (--database)")?;
                store.add_teacher(&admin, &hash, true)?;
                ServerConfig {
                    database: Some(url.clone()),
                }
                .save(&data.data)?;
                println!(
                    "server založen / server created: PostgreSQL, {}",
                    config.display()
                );
            } else {
                let store = SqliteStore::open(&path)?;
                store.add_teacher(&admin, &hash, true)?;
                println!("server založen / server created: {}", path.display());
            }
        }
        Command::Run {
            data,
            listen,
            tls_cert,
            tls_key,
        } => {
            let store: Arc<dyn ServerStore> = Arc::from(open(&data)?);
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(srv::tls::server_config(&cert, &key)?),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            let listener = std::net::TcpListener::bind(&listen)
                .with_context(|| format!("nelze naslouchat na / cannot listen on {listen}"))?;
            let state = Arc::new(AppState {
                store: store.clone(),
                data: data.data.clone(),
                regrade: background_regrade(store, &data.data),
            });
            api::serve_with(state, listener, tls, |addr| {
                println!("{scheme}://{addr}");
                let _ = std::io::stdout().flush();
                eprintln!("aktovka server: naslouchá / listening on {scheme}://{addr}");
            })?;
        }
        Command::AddTeacher { data, name } => {
            let store = open(&data)?;
            let password = read_password()?;
            store.add_teacher(&name, &srv::hash_password(&password)?, false)?;
            println!("učitel přidán / teacher added: {name}");
        }
        Command::AddClass {
            data,
            name,
            learners,
            teacher,
        } => {
            let store = open(&data)?;
            if let Some(t) = &teacher {
                anyhow::ensure!(
                    store.teacher(t)?.is_some(),
                    "neznámý učitel / unknown teacher: {t}"
                );
            }
            let c = store.add_class(&name)?;
            println!("třída / class {} ({})", c.name, c.id);
            if let Some(csv) = learners {
                import(&*store, &c, &csv)?;
            }
            if let Some(t) = teacher {
                store.assign_teacher(c.id, &t)?;
                println!("třída přiřazena / class assigned: {} → {t}", c.name);
            }
        }
        Command::Assign {
            data,
            class: name,
            teacher,
        } => {
            let store = open(&data)?;
            let c = class(&*store, &name)?;
            store.assign_teacher(c.id, &teacher)?;
            println!("třída přiřazena / class assigned: {} → {teacher}", c.name);
        }
        Command::ImportLearners {
            data,
            class: name,
            csv,
        } => {
            let store = open(&data)?;
            let c = class(&*store, &name)?;
            import(&*store, &c, &csv)?;
        }
        Command::EnrolmentCode {
            data,
            class: name,
            count,
        } => {
            let store = open(&data)?;
            let c = class(&*store, &name)?;
            for _ in 0..count {
                let code = srv::new_enrolment_code()?;
                store.add_enrolment_code(c.id, &srv::secret_hash(&code))?;
                println!("{code}");
            }
        }
        Command::Publish { data, bundle } => {
            let store = open(&data)?;
            publish(&*store, &data.data, &bundle)?;
        }
        Command::Regrade { data } => {
            let store = open(&data)?;
            let sandbox =
                aktovka::sandbox::Sandbox::new(Some(aktovka::paths::module_cache_dir(&data.data)))?;
            let r = aktovka::server::regrade::regrade_pending(&*store, &data.data, &sandbox)?;
            println!(
                "souhlasí / match {}, nesouhlasí / mismatch {}, nelze ověřit / unverifiable {}",
                r.matched, r.mismatched, r.unverifiable
            );
            if r.mismatched > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Devices { data } => {
            let store = open(&data)?;
            for d in store.devices()? {
                println!(
                    "{}\t{}\tack={}\t{}\t{}",
                    d.id,
                    d.class,
                    d.acknowledged,
                    d.last_seen_at.as_deref().unwrap_or("-"),
                    if d.revoked {
                        "odebráno / revoked"
                    } else {
                        "aktivní / active"
                    }
                );
            }
        }
        Command::Revoke { data, device } => {
            open(&data)?.revoke_device(device)?;
            println!("zařízení odebráno / device revoked: {device}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts re-grading pushed attempts in the background. Without a sandbox the server
/// still serves sync and says so; `aktovka server regrade` reports the same failure.
fn background_regrade(
    store: Arc<dyn ServerStore>,
    data: &Path,
) -> Option<aktovka::server::regrade::RegradeTrigger> {
    let started = aktovka::sandbox::Sandbox::new(Some(aktovka::paths::module_cache_dir(data)))
        .map_err(anyhow::Error::from)
        .and_then(|sandbox| {
            Ok(aktovka::server::regrade::spawn_background(
                store,
                data.to_path_buf(),
                sandbox,
            )?)
        });
    match started {
        Ok(trigger) => Some(trigger),
        Err(e) => {
            eprintln!("aktovka server: přehodnocování neběží / re-grading is off: {e:#}");
            None
        }
    }
}

fn import(store: &dyn ServerStore, c: &srv::Class, csv: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(csv).with_context(|| csv.display().to_string())?;
    let names = srv::roster_csv(&text);
    let added = store.add_learners(c.id, &names)?;
    println!(
        "žáků přidáno / learners added: {added} (v souboru / in the file: {})",
        names.len()
    );
    Ok(())
}

/// Verifies a bundle entry by entry, copies it under `<data>/bundles/` and records it.
fn publish(store: &dyn ServerStore, data: &Path, path: &Path) -> anyhow::Result<()> {
    let bundle = Bundle::open(path).with_context(|| path.display().to_string())?;
    if let Some(problem) = bundle.verify_all().problems.first() {
        anyhow::bail!(
            "{}: balíček je poškozený / bundle is damaged: {problem}",
            path.display()
        );
    }
    let course = bundle.manifest().course.id.clone();
    let version = bundle.manifest().course.version.clone();
    let sha256 = bundle.file_sha256();
    let size = bundle.file_size();
    drop(bundle);
    let dir = data.join(BUNDLE_DIR);
    std::fs::create_dir_all(&dir)?;
    let rel = format!("{BUNDLE_DIR}/{course}-{version}.aktovka");
    let tmp = dir.join(format!(".{course}-{version}.tmp"));
    std::fs::copy(path, &tmp).with_context(|| tmp.display().to_string())?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, data.join(&rel))?;
    store.publish(&PublishedBundle {
        course: course.clone(),
        version: version.clone(),
        sha256: sha256.clone(),
        size,
        path: rel,
    })?;
    println!("zveřejněno / published {course} {version} ({size} B, sha256 {sha256})");
    Ok(())
}
