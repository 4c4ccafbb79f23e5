//! The pupil's app (`aktovka learn`): an HTTP server on 127.0.0.1 that shows the installed
//! courses, their lessons with exercises graded by the sandboxed plugins, search across all
//! courses, and each learner's progress, offline, in the system browser.
//!
//! Shape: [`serve`] opens the [`library::Library`], the [`ProgressStore`] and one
//! [`Sandbox`], binds a loopback socket and runs the axum router from [`routes`] on a small
//! tokio runtime. Handlers are thin; blocking work (SQLite, plugin calls) runs on tokio's
//! blocking pool. When the data directory is enrolled with a school server, a
//! [`background`] thread syncs it and the header shows when it last did; a newer bundle
//! it installs replaces the library without a restart.
//!
//! Security model of a local app (see `docs/learner.md`): the socket is loopback only; the
//! `Host` header must name the loopback address and our port (defeats DNS rebinding); every
//! POST carries this run's random token and, when the browser sends one, our own `Origin`
//! (so another web page cannot post answers or switch learners); the CSP allows nothing
//! external and no inline script; the learner session is a random id in an HttpOnly,
//! SameSite=Strict cookie. Invariant: an attempt is durably recorded before its feedback is
//! shown.

pub mod background;
pub mod exercise;
pub(crate) mod guard;
pub mod i18n;
pub mod library;
pub mod pages;
mod routes;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use uuid::Uuid;

use crate::progress::{ProgressError, ProgressStore};
use crate::sandbox::{Sandbox, SandboxError};

pub use library::{InstallError, Library, install};

/// The progress database's file name in the data directory.
pub const PROGRESS_FILE: &str = "progress.sqlite";

/// How the server is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bundles to serve besides the installed library.
    pub bundles: Vec<PathBuf>,
    /// The data directory (progress, library, plugin cache).
    pub data: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// When `port` is taken, take a free one instead of failing (for the default port:
    /// a second app already running must not stop a pupil).
    pub any_port_if_taken: bool,
    /// When the background sync runs (only while the data directory is enrolled).
    pub sync: background::Schedule,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum LearnerError {
    /// Occurs when the port is taken or loopback cannot be bound.
    #[error("nelze otevřít port / cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// Occurs when the progress database cannot be opened (locked, damaged, too new).
    #[error("nelze otevřít záznam pokroku / cannot open the progress store: {0}")]
    Progress(#[from] ProgressError),
    /// Occurs when the plugin engine cannot start.
    #[error("nelze spustit sandbox pro pluginy / cannot start the plugin sandbox: {0}")]
    Sandbox(#[from] SandboxError),
    /// Occurs when the async runtime cannot start or the server fails.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
pub struct AppState {
    /// Swapped whole when a background sync installs a newer bundle; a request works on
    /// the snapshot it took ([`AppState::library`]).
    library: RwLock<Arc<Library>>,
    /// The bundles given on the command line, kept for reopening the library.
    given: Vec<PathBuf>,
    data: PathBuf,
    pub sync: Arc<background::SyncStatus>,
    pub store: Arc<ProgressStore>,
    pub sandbox: Arc<Sandbox>,
    /// This run's token, required on every state-changing request.
    pub token: String,
    pub port: u16,
    /// Session id (cookie value) → learner.
    sessions: Mutex<HashMap<String, Uuid>>,
    /// The latest verdict per (learner, course, exercise), shown on the lesson page.
    outcomes: Mutex<HashMap<(Uuid, String, String), exercise::Outcome>>,
}

impl AppState {
    /// Opens everything the server needs, for a server that will listen on `port`.
    pub fn open(options: &Options, port: u16) -> Result<AppState, LearnerError> {
        std::fs::create_dir_all(&options.data)?;
        let store = ProgressStore::open(&options.data.join(PROGRESS_FILE))?;
        let sandbox = Sandbox::new(Some(crate::paths::module_cache_dir(&options.data)))?;
        Ok(AppState {
            library: RwLock::new(Arc::new(Library::open(&options.bundles, &options.data))),
            given: options.bundles.clone(),
            data: options.data.clone(),
            sync: Arc::new(background::SyncStatus::new(&options.data)),
            store: Arc::new(store),
            sandbox: Arc::new(sandbox),
            token: random_hex(32)?,
            port,
            sessions: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(HashMap::new()),
        })
    }

    /// The library as it is now.
    pub fn library(&self) -> Arc<Library> {
        self.library
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reopens the library after the installed bundles changed; courses whose file did not
    /// change are kept with their caches.
    pub fn reload_library(&self) {
        let fresh = Arc::new(self.library().reopen(&self.given, &self.data));
        *self
            .library
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
    }

    /// The origins this server accepts in `Origin` and `Host`.
    fn hosts(&self) -> [String; 2] {
        [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ]
    }

    /// The session cookie's name (per port, so two servers on one machine do not log each
    /// other's learners out).
    fn cookie_name(&self) -> String {
        format!("aktovka_session_{}", self.port)
    }
}

/// 2·`bytes` hex digits from the operating system's random source.
fn random_hex(bytes: usize) -> Result<String, std::io::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(buf))
}

/// Binds 127.0.0.1:`port` and serves until the process ends. `ready` is called with the
/// app's address (`http://127.0.0.1:PORT/`) once the socket accepts connections, and with
/// the library (to report refused bundles).
pub fn serve(options: &Options, ready: impl FnOnce(&str, &Library)) -> Result<(), LearnerError> {
    let bind = |port: u16| TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    let listener = match bind(options.port) {
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && options.any_port_if_taken => bind(0),
        other => other,
    }
    .map_err(|source| LearnerError::Bind {
        port: options.port,
        source,
    })?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let state = Arc::new(AppState::open(options, port)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    let weak = Arc::downgrade(&state);
    background::start(
        options.data.clone(),
        state.sync.clone(),
        options.sync.clone(),
        move || {
            if let Some(state) = weak.upgrade() {
                state.reload_library();
            }
        },
    )?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = routes::router(state.clone());
        ready(&format!("http://127.0.0.1:{port}/"), &state.library());
        axum::serve(listener, app).await
    })?;
    Ok(())
}

/// Opens `url` in the system's browser, quietly doing nothing if there is none.
pub fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", "", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    let child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    // Reaped on a side thread so the opener never lingers as a zombie while we serve.
    if let Ok(mut child) = child {
        std::thread::spawn(move || child.wait());
    }
}
