//! Background sync for the learner app: when the data directory is enrolled with a school
//! server (`<data>/sync.json`), a worker thread runs [`crate::sync::try_sync`] at start,
//! every `interval`, and shortly after a pupil's attempt is recorded, and keeps a
//! [`SyncStatus`] the pages show ("Synchronizováno před 5 min").
//!
//! Invariants:
//! - Pages never wait for sync: the worker is its own OS thread (the blocking HTTP client
//!   must not run on the app's tokio workers), opens its own connection to the progress
//!   store (WAL: readers are not blocked, the roster's writes are short), and handlers only
//!   read the status under a mutex held for a copy.
//! - One sync at a time per data directory: `try_sync` skips a round while a manual
//!   `aktovka sync` holds the lock.
//! - A failing or unreachable server is silent to the pupil except in the status line;
//!   details go to stderr.
//!
//! Started by [`super::serve`].

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::sync::{self, SyncConfig, SyncError, SyncOptions};

use super::library::lock;

/// What the pupil is told about sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No `sync.json`: the laptop is not enrolled with a school.
    NotEnrolled,
    /// Enrolled, no sync has finished in this run yet.
    Pending,
    /// The last sync finished.
    Synced,
    /// The last sync could not reach the server (or the server kept failing).
    Unreachable,
    /// The server refused the last sync (revoked laptop, conflicting event): a teacher
    /// must look.
    Failed,
}

impl SyncState {
    pub fn code(self) -> &'static str {
        match self {
            SyncState::NotEnrolled => "not_enrolled",
            SyncState::Pending => "pending",
            SyncState::Synced => "synced",
            SyncState::Unreachable => "unreachable",
            SyncState::Failed => "failed",
        }
    }
}

/// A copy of the status at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSnapshot {
    pub state: SyncState,
    /// When a sync last finished (RFC 3339, this laptop's clock), in any run.
    pub last_synced: Option<String>,
    /// A sync is running now.
    pub running: bool,
}

impl StatusSnapshot {
    /// Seconds since the last finished sync, if there was one (0 when the clock went back).
    pub fn age_secs(&self) -> Option<u64> {
        let then = self.last_synced.as_deref().and_then(unix_seconds)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Some(now.saturating_sub(then))
    }
}

/// The shortest interval between two syncs the worker accepts.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Between two syncs when nothing happens.
    pub interval: Duration,
    /// From a recorded attempt to the sync that carries it (attempts within this time
    /// share one sync).
    pub after_attempt: Duration,
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule {
            interval: Duration::from_secs(300),
            after_attempt: Duration::from_secs(5),
        }
    }
}

/// The status the pages read and the doorbell handlers ring after an attempt.
#[derive(Debug)]
pub struct SyncStatus {
    status: Mutex<StatusSnapshot>,
    nudged: Mutex<bool>,
    bell: Condvar,
}

impl SyncStatus {
    /// The status before the first round: read from `sync.json` (a bad file shows as
    /// "failed" and is reported by the first round).
    pub fn new(data: &std::path::Path) -> SyncStatus {
        let state = match SyncConfig::load(data) {
            Ok(None) => (SyncState::NotEnrolled, None),
            Ok(Some(c)) => (SyncState::Pending, c.last_synced),
            Err(_) => (SyncState::Failed, None),
        };
        SyncStatus {
            status: Mutex::new(StatusSnapshot {
                state: state.0,
                last_synced: state.1,
                running: false,
            }),
            nudged: Mutex::new(false),
            bell: Condvar::new(),
        }
    }

    pub fn snapshot(&self) -> StatusSnapshot {
        lock(&self.status).clone()
    }

    /// Asks for a sync soon (a new attempt was recorded). Never blocks on a sync.
    pub fn nudge(&self) {
        *lock(&self.nudged) = true;
        self.bell.notify_one();
    }

    /// Waits up to `timeout` for a nudge; true if there was one (and clears it).
    fn wait(&self, timeout: Duration) -> bool {
        let guard = lock(&self.nudged);
        let (mut nudged, _) = self
            .bell
            .wait_timeout_while(guard, timeout, |n| !*n)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::replace(&mut *nudged, false)
    }

    fn update(&self, f: impl FnOnce(&mut StatusSnapshot)) {
        f(&mut lock(&self.status));
    }
}

/// Starts the worker thread. `installed` is called after a sync installed a newer bundle
/// (the app reopens its library).
pub fn start(
    data: PathBuf,
    status: Arc<SyncStatus>,
    schedule: Schedule,
    installed: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    // A zero interval would sync in a tight loop.
    let interval = schedule.interval.max(MIN_INTERVAL);
    std::thread::Builder::new()
        .name("aktovka-sync".into())
        .spawn(move || {
            loop {
                round(&data, &status, &installed);
                if status.wait(interval) {
                    // More attempts may follow the first: let them share one sync.
                    std::thread::sleep(schedule.after_attempt);
                    status.wait(Duration::ZERO);
                }
            }
        })
        .map(drop)
}

/// Fewer and shorter retries than `aktovka sync`: the next round comes anyway, and the
/// status should say "unreachable" within seconds, not minutes. (A cut download keeps its
/// `.part` file and resumes in the next round.)
fn options() -> SyncOptions {
    SyncOptions {
        attempts: 3,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        ..SyncOptions::default()
    }
}

/// One sync attempt and the status it leaves.
fn round(data: &std::path::Path, status: &SyncStatus, installed: &dyn Fn()) {
    match SyncConfig::load(data) {
        Ok(None) => {
            status.update(|s| s.state = SyncState::NotEnrolled);
            return;
        }
        Ok(Some(_)) => {}
        Err(e) => {
            eprintln!("aktovka learn: sync: {e}");
            status.update(|s| s.state = SyncState::Failed);
            return;
        }
    }
    status.update(|s| s.running = true);
    let result = sync::try_sync(data, &options(), &|_| {});
    let last_synced = SyncConfig::load(data)
        .ok()
        .flatten()
        .and_then(|c| c.last_synced);
    let state = match &result {
        Ok(Some(report)) => {
            if !report.bundles_installed.is_empty() {
                installed();
            }
            Some(SyncState::Synced)
        }
        // A manual sync holds the lock; its outcome shows in `last_synced`.
        Ok(None) => None,
        Err(e) => {
            eprintln!("aktovka learn: sync: {e}");
            Some(state_of(e))
        }
    };
    status.update(|s| {
        s.running = false;
        s.last_synced = last_synced;
        if let Some(state) = state {
            s.state = state;
        } else if s.state == SyncState::Pending && s.last_synced.is_some() {
            s.state = SyncState::Synced;
        }
    });
}

fn state_of(e: &SyncError) -> SyncState {
    match e {
        SyncError::NotEnrolled => SyncState::NotEnrolled,
        e if e.is_transient() => SyncState::Unreachable,
        _ => SyncState::Failed,
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2026-11-27T10:00:00Z`, fractions and
/// `±HH:MM` offsets accepted); `None` if it is not one.
pub fn unix_seconds(text: &str) -> Option<u64> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    let (clock, offset_secs) = if let Some(c) = time.strip_suffix('Z') {
        (c, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        (
            c,
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60),
        )
    };
    let mut t = clock.splitn(3, ':');
    let hh: i64 = t.next()?.parse().ok()?;
    let mm: i64 = t.next()?.parse().ok()?;
    let ss: f64 = t.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), the inverse of the one that
    // writes `last_synced`.
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss as i64 - offset_secs;
    u64::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_are_read() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2026-11-27T10:00:00Z"), Some(1_795_773_600));
        assert_eq!(
            unix_seconds("2026-11-27T11:00:00.123+01:00"),
            Some(1_795_773_600)
        );
        assert_eq!(unix_seconds("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(unix_seconds("yesterday"), None);
        assert_eq!(unix_seconds("2026-13-01T00:00:00Z"), None);
    }
}
