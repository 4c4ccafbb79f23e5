//! The laptop's side of sync (protocol v1, `docs/sync-protocol.md`): enrolment with a
//! one-time code, pushing progress events until the server acknowledges them, and pulling
//! the class roster and newer course bundles.
//!
//! Invariants:
//! - The server's acknowledged mark is the truth: every sync starts pushing right above
//!   the mark the server reports, so a server restored from an older backup gets the lost
//!   events again, and a client killed after the server stored a batch does not re-send it
//!   needlessly. Events are re-sent at least once until acknowledged; the server stores
//!   each once by id, so storage is exactly once.
//! - The local copy of the mark (`<data>/sync.json`) is written atomically (temp file,
//!   fsync, rename) and only ever records what a server answered.
//! - A downloaded bundle is kept as `<data>/downloads/<course>-<version>.aktovka.part`
//!   until complete (a broken download resumes with an HTTP Range), then checked against
//!   the published sha256 and installed through [`crate::learner::install`], which verifies
//!   every entry before it replaces anything in the library.
//! - Transient failures (no connection, timeouts, 5xx, 408, 429) are retried with
//!   exponential backoff and full jitter; refusals (other 4xx) are not.
//! - One sync of a data directory at a time: enrolment and sync hold an OS lock on
//!   `<data>/sync.lock` ([`SyncLock`]), so the learner app's background sync and a manual
//!   `aktovka sync` never push or install at once.
//! - Roster learners are laptop profiles under the roster's own ids
//!   ([`ProgressStore::add_learner_with_id`]), so the server can name whose events it gets.
//!
//! Called by `aktovka enroll` and `aktovka sync` (src/cli/sync.rs), by the learner app's
//! background sync (`crate::learner::background`) and by the tests.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::learner::InstallError;
use crate::progress::{self, ProgressError, ProgressStore, RosterChange};
use crate::server::api::{
    BundleInfo, EnrolRequest, EnrolResponse, PullResponse, PushRequest, PushResponse,
};

/// The client's sync settings and acknowledged mark, in the data directory.
pub const CONFIG_FILE: &str = "sync.json";
/// Where partial and finished downloads wait before being installed.
pub const DOWNLOAD_DIR: &str = "downloads";
/// The lock file that keeps two syncs of one data directory apart: the learner app's
/// background sync and a manual `aktovka sync` or `aktovka enroll`.
pub const LOCK_FILE: &str = "sync.lock";

/// The data directory's sync lock (an OS file lock on `<data>/sync.lock`), held until
/// dropped. The OS releases it when a process dies, so a killed sync never leaves it stuck.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    fn open(data: &Path) -> Result<(File, PathBuf), SyncError> {
        std::fs::create_dir_all(data).map_err(io_err(data))?;
        let path = data.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        Ok((file, path))
    }

    /// Takes the lock, waiting for a sync in progress to finish.
    pub fn acquire(data: &Path) -> Result<SyncLock, SyncError> {
        let (file, path) = SyncLock::open(data)?;
        file.lock().map_err(io_err(&path))?;
        Ok(SyncLock { _file: file })
    }

    /// Takes the lock if no other sync holds it.
    pub fn try_acquire(data: &Path) -> Result<Option<SyncLock>, SyncError> {
        let (file, path) = SyncLock::open(data)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SyncLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }
}

/// Errors of the sync client.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Occurs when `aktovka sync` runs before `aktovka enroll`.
    #[error(
        "laptop není zapsán u serveru (spusťte aktovka enroll) / this laptop is not enrolled (run aktovka enroll)"
    )]
    NotEnrolled,
    /// Occurs when the server cannot be reached or the connection breaks, after retries.
    #[error("spojení se serverem selhalo / connection to the server failed: {0}")]
    Network(String),
    /// Occurs when the server's TLS certificate is not trusted (not signed by a system CA
    /// nor by the school CA given at enrolment) or does not name the server; not retried.
    #[error(
        "certifikát serveru není důvěryhodný / the server's certificate is not trusted: {0}; používá-li škola vlastní certifikát, zapište laptop s / if the school uses its own certificate, enrol with: aktovka enroll URL CODE --ca-cert school.pem"
    )]
    Certificate(String),
    /// Occurs when the server refuses a request (4xx) or keeps failing (5xx after retries).
    #[error("server odpověděl {status} / the server answered {status}: {message}")]
    Server { status: u16, message: String },
    /// Occurs when the server holds an event with this id but different content: the local
    /// database and the server disagree about a fact, and a person must look.
    #[error(
        "server má událost {0} s jiným obsahem / the server holds event {0} with different content"
    )]
    Conflict(Uuid),
    /// Occurs when the server answers something this client cannot use.
    #[error("nečekaná odpověď serveru / unexpected answer from the server: {0}")]
    Protocol(String),
    /// Occurs when a downloaded bundle does not match its published sha256.
    #[error(
        "stažený balíček {course} {version} nesouhlasí s otiskem / downloaded bundle {course} {version} does not match its sha256"
    )]
    Checksum { course: String, version: String },
    #[error(transparent)]
    Progress(#[from] ProgressError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SyncError {
    /// Whether trying again later may succeed (the network or the server is down), as
    /// opposed to a refusal that needs a person (revoked device, conflict, bad code).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Network(_) => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What `<data>/sync.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncConfig {
    /// Base URL of the server, ending with `/`.
    pub server: String,
    /// The device's bearer token.
    pub token: String,
    pub device: Uuid,
    pub class: String,
    /// The last acknowledged mark a server answered.
    pub acknowledged: u64,
    /// When the last sync finished (this laptop's clock, RFC 3339), if ever.
    #[serde(default)]
    pub last_synced: Option<String>,
    /// The school's own CA certificate (PEM), trusted besides the system's roots, for a
    /// server whose certificate no public CA signed (`aktovka enroll --ca-cert`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
}

impl SyncConfig {
    /// Reads the config, `None` when the laptop is not enrolled.
    pub fn load(data: &Path) -> Result<Option<SyncConfig>, SyncError> {
        let path = data.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path)(e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SyncError::Protocol(format!("{}: {e}", path.display())))
    }

    /// Writes the config atomically.
    pub fn save(&self, data: &Path) -> Result<(), SyncError> {
        std::fs::create_dir_all(data).map_err(io_err(data))?;
        let path = data.join(CONFIG_FILE);
        let tmp = data.join(format!("{CONFIG_FILE}.tmp"));
        let text =
            serde_json::to_vec_pretty(self).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // The file holds the device token: readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp).map_err(io_err(&tmp))?;
        f.write_all(&text).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(io_err(&path))
    }
}

/// How hard the client tries.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Events per push (the server accepts up to [`crate::server::api::MAX_BATCH_EVENTS`]).
    pub batch_size: usize,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff; each retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> SyncOptions {
        SyncOptions {
            batch_size: 500,
            attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            timeout: Duration::from_secs(120),
        }
    }
}

/// What a sync is doing, for progress bars.
#[derive(Debug, Clone)]
pub enum Step {
    /// Events to push in total this sync.
    PushStart {
        pending: u64,
    },
    /// Events acknowledged so far this sync.
    Pushed {
        acknowledged: u64,
        total_acknowledged: u64,
    },
    DownloadStart {
        course: String,
        version: String,
        size: u64,
        resumed_at: u64,
    },
    Downloaded {
        bytes: u64,
    },
    /// Another sync of this data directory is running; this one waits for it.
    Waiting,
    /// A request failed and will be retried after `delay`.
    Retry {
        error: String,
        delay: Duration,
    },
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Events the server acknowledged in this sync.
    pub pushed: u64,
    /// The server's mark after the sync.
    pub acknowledged: u64,
    /// Set when the server's mark was below the local one: the server lost events (e.g. a
    /// restored backup) and they were sent again from this mark.
    pub resent_from: Option<u64>,
    /// What the roster changed on the laptop.
    pub roster: RosterReport,
    /// `course version` of every bundle installed.
    pub bundles_installed: Vec<String>,
}

/// Result of enrolment.
#[derive(Debug, Clone)]
pub struct EnrolReport {
    pub class: String,
    pub roster: RosterReport,
}

/// What applying the class roster changed on the laptop (names as in the roster).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RosterReport {
    /// New profiles under their roster ids.
    pub added: Vec<String>,
    /// Profiles created on the laptop before enrolment, now linked to their roster learner.
    pub linked: Vec<String>,
    /// `(old, new)` names of roster learners renamed on the server.
    pub renamed: Vec<(String, String)>,
    /// Roster names the laptop could not take (refused by the name rules, or held by
    /// another roster learner).
    pub skipped: Vec<String>,
}

struct Api<'a> {
    http: Client,
    base: String,
    token: Option<String>,
    opts: &'a SyncOptions,
    observer: &'a dyn Fn(Step),
}

/// Normalises a server URL to end with one `/`.
fn base_url(url: &str) -> String {
    format!("{}/", url.trim().trim_end_matches('/'))
}

impl<'a> Api<'a> {
    /// HTTPS trusts the operating system's root certificates plus `ca_cert` (PEM), if any.
    fn new(
        base: &str,
        token: Option<String>,
        ca_cert: Option<&str>,
        opts: &'a SyncOptions,
        observer: &'a dyn Fn(Step),
    ) -> Result<Api<'a>, SyncError> {
        let mut builder = Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(10))
            .timeout(opts.timeout)
            .user_agent(crate::GENERATOR);
        if let Some(pem) = ca_cert {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| SyncError::Certificate(format!("--ca-cert: {e}")))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Network(e.to_string()))?;
        Ok(Api {
            http,
            base: base_url(base),
            token,
            opts,
            observer,
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    /// Runs `f` until it succeeds, fails for good, or the attempts are used up.
    fn retry<T>(&self, mut f: impl FnMut() -> Result<T, SyncError>) -> Result<T, SyncError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match f() {
                Err(e) if e.is_transient() && attempt < self.opts.attempts => {
                    let cap = self
                        .opts
                        .base_delay
                        .saturating_mul(1 << (attempt - 1).min(16))
                        .min(self.opts.max_delay);
                    // Full jitter: 30 laptops waking on the same Wi-Fi must not retry in step.
                    let delay = cap.mul_f64(0.5 + 0.5 * jitter());
                    (self.observer)(Step::Retry {
                        error: e.to_string(),
                        delay,
                    });
                    std::thread::sleep(delay);
                }
                other => return other,
            }
        }
    }

    fn send_json<T: serde::de::DeserializeOwned>(&self, r: RequestBuilder) -> Result<T, SyncError> {
        let resp = check(r.send().map_err(network)?)?;
        let bytes = resp.bytes().map_err(network)?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
    }

    fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse, SyncError> {
        let body = serde_json::to_vec(req).map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.retry(|| {
            self.send_json(
                self.request(reqwest::Method::POST, "api/v1/enrol")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone()),
            )
        })
    }

    fn pull(&self) -> Result<PullResponse, SyncError> {
        self.retry(|| self.send_json(self.request(reqwest::Method::GET, "api/v1/pull")))
    }

    fn push(&self, events: Vec<progress::Event>) -> Result<u64, SyncError> {
        let json = serde_json::to_vec(&PushRequest { events })
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let body = gz
            .write_all(&json)
            .and_then(|()| gz.finish())
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.retry(|| {
            let r: PushResponse = self.send_json(
                self.request(reqwest::Method::POST, "api/v1/push")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::CONTENT_ENCODING, "gzip")
                    .body(body.clone()),
            )?;
            Ok(r.acknowledged)
        })
    }
}

/// A uniform number in [0, 1) from the OS; 0.5 if the OS has none to give.
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

/// A transport failure with its whole cause chain (reqwest's own message alone does not
/// say what failed); an untrusted certificate becomes [`SyncError::Certificate`].
fn network(e: reqwest::Error) -> SyncError {
    let mut text = e.to_string();
    let mut certificate = false;
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.ends_with(&part) {
            text = format!("{text}: {part}");
        }
        certificate |= is_certificate_error(s);
        source = s.source();
    }
    if certificate {
        SyncError::Certificate(text)
    } else {
        SyncError::Network(text)
    }
}

/// rustls reports a rejected certificate wrapped in `io::Error`s (two of them between
/// tokio-rustls and hyper-rustls), whose `source()` skips the wrapped error.
fn is_certificate_error(mut e: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(tls, rustls::Error::InvalidCertificate(_));
        }
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => e = inner,
            None => return false,
        }
    }
}

#[derive(Deserialize)]
struct ServerErrorBody {
    message: String,
    event: Option<Uuid>,
}

/// Turns a non-success answer into the matching error.
fn check(resp: Response) -> Result<Response, SyncError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let text = resp.text().unwrap_or_default();
    let body: Option<ServerErrorBody> = serde_json::from_str(&text).ok();
    if status == StatusCode::CONFLICT
        && let Some(id) = body.as_ref().and_then(|b| b.event)
    {
        return Err(SyncError::Conflict(id));
    }
    Err(SyncError::Server {
        status: status.as_u16(),
        message: body.map(|b| b.message).unwrap_or(text),
    })
}

/// Enrols this laptop (its progress store's device id) with a one-time code, saves the
/// token and server in `<data>/sync.json` and adds the class's learners to the laptop.
pub fn enroll(
    data: &Path,
    url: &str,
    code: &str,
    ca_cert: Option<&str>,
    opts: &SyncOptions,
    observer: &dyn Fn(Step),
) -> Result<EnrolReport, SyncError> {
    let _lock = wait_for_lock(data, observer)?;
    let store = ProgressStore::open(&data.join(progress::FILE_NAME))?;
    let previous = SyncConfig::load(data)?;
    // Re-enrolling with the same server (a revoked laptop) keeps the CA given before.
    let ca_cert = ca_cert.map(str::to_owned).or_else(|| {
        previous
            .as_ref()
            .filter(|p| p.server == base_url(url))
            .and_then(|p| p.ca_cert.clone())
    });
    let api = Api::new(url, None, ca_cert.as_deref(), opts, observer)?;
    let answer = api.enrol(&EnrolRequest {
        code: code.to_owned(),
        device: store.device_id(),
    })?;
    SyncConfig {
        server: base_url(url),
        token: answer.token,
        device: store.device_id(),
        class: answer.class.name.clone(),
        acknowledged: previous.map_or(0, |p| p.acknowledged),
        last_synced: None,
        ca_cert,
    }
    .save(data)?;
    let roster = add_roster(&store, &answer.learners)?;
    Ok(EnrolReport {
        class: answer.class.name,
        roster,
    })
}

/// Brings the laptop's learners in line with the class roster: each roster learner is a
/// profile under the roster's id (see [`ProgressStore::add_learner_with_id`] for a pupil who
/// had added themselves before enrolment). Learners missing from the roster are kept.
fn add_roster(
    store: &ProgressStore,
    roster: &[crate::server::RosterLearner],
) -> Result<RosterReport, SyncError> {
    let mut report = RosterReport::default();
    for l in roster {
        match store.add_learner_with_id(l.id, &l.name, None) {
            Ok(RosterChange::Added) => report.added.push(l.name.clone()),
            Ok(RosterChange::Linked { .. }) => report.linked.push(l.name.clone()),
            Ok(RosterChange::Renamed { from }) => report.renamed.push((from, l.name.clone())),
            Ok(RosterChange::Unchanged) => {}
            // A name the laptop refuses (too long, no letters) or holds for another roster
            // learner is skipped, not fatal: the rest of the sync still happens.
            Ok(RosterChange::NameTaken) | Err(ProgressError::Invalid(_)) => {
                report.skipped.push(l.name.clone());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

/// Takes the sync lock, telling the observer when it has to wait for another sync.
fn wait_for_lock(data: &Path, observer: &dyn Fn(Step)) -> Result<SyncLock, SyncError> {
    if let Some(lock) = SyncLock::try_acquire(data)? {
        return Ok(lock);
    }
    observer(Step::Waiting);
    SyncLock::acquire(data)
}

/// One sync: push every event the server lacks, then pull the roster and newer bundles.
/// Waits while another sync of the same data directory runs ([`SyncLock`]).
pub fn sync(
    data: &Path,
    opts: &SyncOptions,
    observer: &dyn Fn(Step),
) -> Result<SyncReport, SyncError> {
    let _lock = wait_for_lock(data, observer)?;
    sync_locked(data, opts, observer)
}

/// Like [`sync`], but gives up at once (`Ok(None)`) when another sync of the same data
/// directory is running: the learner app's background sync never queues behind a manual
/// one.
pub fn try_sync(
    data: &Path,
    opts: &SyncOptions,
    observer: &dyn Fn(Step),
) -> Result<Option<SyncReport>, SyncError> {
    match SyncLock::try_acquire(data)? {
        Some(_lock) => sync_locked(data, opts, observer).map(Some),
        None => Ok(None),
    }
}

fn sync_locked(
    data: &Path,
    opts: &SyncOptions,
    observer: &dyn Fn(Step),
) -> Result<SyncReport, SyncError> {
    let mut config = SyncConfig::load(data)?.ok_or(SyncError::NotEnrolled)?;
    let store = ProgressStore::open(&data.join(progress::FILE_NAME))?;
    if store.device_id() != config.device {
        return Err(SyncError::Protocol(format!(
            "sync.json patří jinému zařízení / sync.json belongs to another device ({})",
            config.device
        )));
    }
    let api = Api::new(
        &config.server,
        Some(config.token.clone()),
        config.ca_cert.as_deref(),
        opts,
        observer,
    )?;
    let pulled = api.pull()?;
    let mut report = SyncReport::default();
    let mut mark = pulled.acknowledged;
    if mark < config.acknowledged {
        report.resent_from = Some(mark);
    }
    config.acknowledged = mark;
    config.save(data)?;
    let pending = store
        .events_after(mark, usize::MAX)
        .map(|e| e.len() as u64)?;
    observer(Step::PushStart { pending });
    let start = mark;
    loop {
        let batch = store.events_after(mark, opts.batch_size.max(1))?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            break;
        };
        let ack = api.push(batch)?;
        if ack < mark {
            // The server lost events between our pull and this push (restored meanwhile):
            // go back to its mark.
            report.resent_from = Some(report.resent_from.map_or(ack, |r| r.min(ack)));
        } else if ack == mark {
            return Err(SyncError::Protocol(format!(
                "server nepotvrdil dávku {}..={last} / the server did not acknowledge batch {}..={last}",
                mark + 1,
                mark + 1
            )));
        }
        mark = ack;
        config.acknowledged = mark;
        config.save(data)?;
        observer(Step::Pushed {
            acknowledged: mark.saturating_sub(start),
            total_acknowledged: mark,
        });
    }
    report.acknowledged = mark;
    report.pushed = mark.saturating_sub(start);
    report.roster = add_roster(&store, &pulled.learners)?;
    for b in newest_bundles(&pulled.bundles) {
        if installed_version(data, &b.course).is_some_and(|v| !is_newer(&b.version, &v)) {
            continue;
        }
        download_and_install(&api, data, b)?;
        report
            .bundles_installed
            .push(format!("{} {}", b.course, b.version));
    }
    config.last_synced = Some(now_rfc3339());
    config.save(data)?;
    Ok(report)
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since the epoch to a civil date (Howard Hinnant's algorithm), UTC.
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn is_newer(candidate: &str, installed: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(installed),
    ) {
        (Ok(c), Ok(i)) => c > i,
        _ => candidate != installed,
    }
}

/// The newest published version of each course.
fn newest_bundles(bundles: &[BundleInfo]) -> Vec<&BundleInfo> {
    let mut out: Vec<&BundleInfo> = Vec::new();
    for b in bundles {
        match out.iter_mut().find(|o| o.course == b.course) {
            Some(o) => {
                if is_newer(&b.version, &o.version) {
                    *o = b;
                }
            }
            None => out.push(b),
        }
    }
    out
}

/// The version of a course in the laptop's library, if installed.
fn installed_version(data: &Path, course: &str) -> Option<String> {
    crate::learner::library::library_files(data)
        .into_iter()
        .find_map(|p| {
            let b = crate::bundle::Bundle::open(&p).ok()?;
            let c = &b.manifest().course;
            (c.id == course).then(|| c.version.clone())
        })
}

fn download_and_install(api: &Api<'_>, data: &Path, b: &BundleInfo) -> Result<(), SyncError> {
    let dir = data.join(DOWNLOAD_DIR);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let name = format!("{}-{}.aktovka", safe(&b.course), safe(&b.version));
    let part = dir.join(format!("{name}.part"));
    let done = dir.join(&name);
    api.retry(|| download_part(api, &part, b))?;
    let mut hasher = Sha256::new();
    let mut f = File::open(&part).map_err(io_err(&part))?;
    std::io::copy(&mut f, &mut hasher).map_err(io_err(&part))?;
    if hex::encode(hasher.finalize()) != b.sha256 {
        // A corrupt part cannot be resumed; the next sync starts over.
        std::fs::remove_file(&part).map_err(io_err(&part))?;
        return Err(SyncError::Checksum {
            course: b.course.clone(),
            version: b.version.clone(),
        });
    }
    std::fs::rename(&part, &done).map_err(io_err(&done))?;
    crate::learner::install(&done, data)?;
    std::fs::remove_file(&done).map_err(io_err(&done))
}

/// Downloads the rest of a bundle into `part`, resuming from its current length.
fn download_part(api: &Api<'_>, part: &Path, b: &BundleInfo) -> Result<(), SyncError> {
    let have = std::fs::metadata(part).map_or(0, |m| m.len());
    if have == b.size {
        return Ok(());
    }
    let mut req = api.request(reqwest::Method::GET, &b.url);
    let resume = have > 0 && have < b.size;
    if resume {
        req = req.header(header::RANGE, format!("bytes={have}-"));
    }
    let resp = req.send().map_err(network)?;
    let (mut file, start) = match resp.status() {
        StatusCode::PARTIAL_CONTENT if resume => (
            OpenOptions::new()
                .append(true)
                .open(part)
                .map_err(io_err(part))?,
            have,
        ),
        StatusCode::RANGE_NOT_SATISFIABLE => {
            // The part is longer than the bundle: it is not ours; start over.
            std::fs::remove_file(part).map_err(io_err(part))?;
            return Err(SyncError::Network(
                "range refused; restarting download".into(),
            ));
        }
        _ => (File::create(part).map_err(io_err(part))?, 0),
    };
    let mut resp = check(resp)?;
    (api.observer)(Step::DownloadStart {
        course: b.course.clone(),
        version: b.version.clone(),
        size: b.size,
        resumed_at: start,
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp
            .read(&mut buf)
            .map_err(|e| SyncError::Network(e.to_string()))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n]).map_err(io_err(part))?;
        (api.observer)(Step::Downloaded { bytes: n as u64 });
    }
    file.sync_all().map_err(io_err(part))?;
    let len = std::fs::metadata(part).map_err(io_err(part))?.len();
    if len != b.size {
        return Err(SyncError::Network(format!(
            "stahování přerušeno na {len} z {} B / download cut at {len} of {} B",
            b.size, b.size
        )));
    }
    Ok(())
}
