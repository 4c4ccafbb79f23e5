//! The server re-grades every synced attempt with the same plugin (checked by sha256) and
//! the same seed the laptop used, and flags attempts whose reported score or pass the
//! plugin does not give: a tampered laptop database shows up, it is not believed.
//!
//! The seed is [`exercise_seed`] of the learner id, course and exercise, as in the learner
//! app. The plugin comes from the published bundle of the attempt's course and version.
//! An attempt of a course version not (yet) published here stays pending, with no
//! verdict: teachers often publish after pupils worked from a USB copy, and the attempt is
//! re-graded once the bundle is published. Attempts that cannot be re-graded although
//! their bundle is published (bundle unreadable, exercise or plugin missing, plugin
//! differs, plugin failed) are recorded as unverifiable with the reason, never as a match;
//! one bad bundle or plugin (even one that makes the grading panic) costs only its own
//! attempts.
//!
//! Run by `aktovka server regrade`, and by `aktovka server run` in the background
//! ([`spawn_background`]): once at start for anything pending, whenever a push carried
//! attempts ([`RegradeTrigger::wake`]), never delaying the push's answer, and whenever
//! the set of published bundles changed (checked every [`BUNDLE_CHECK_EVERY`], so a
//! `server publish` run beside the server is noticed without a push).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ServerStore, StoreError};
use crate::learner::library::Course;
use crate::progress::{Event, EventKind};
use crate::sandbox::Sandbox;
use crate::sandbox::abi::exercise_seed;

/// The outcome of re-grading one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegradeStatus {
    Match,
    Mismatch,
    Unverifiable,
}

/// The server's grading of one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regrade {
    pub status: RegradeStatus,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// Why unverifiable, or what differed.
    pub detail: String,
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegradeReport {
    pub matched: usize,
    pub mismatched: usize,
    pub unverifiable: usize,
}

/// Scores closer than this are equal (plugins report fractions).
const SCORE_EPSILON: f64 = 1e-9;

/// How long the background re-grader waits before trying again after the store failed.
const RETRY_AFTER_STORE_ERROR: Duration = Duration::from_secs(30);

/// How often the background re-grader reads the list of published bundles (a handful of
/// rows) to notice a publish made by another process; only a changed list starts a run.
pub const BUNDLE_CHECK_EVERY: Duration = Duration::from_secs(5);

impl RegradeReport {
    /// Attempts re-graded in the run.
    pub fn total(&self) -> usize {
        self.matched + self.mismatched + self.unverifiable
    }
}

/// Re-grades every attempt not yet re-graded whose course version is published, and
/// records each outcome. Attempts of unpublished versions are left pending.
pub fn regrade_pending(
    store: &dyn ServerStore,
    data: &Path,
    sandbox: &Sandbox,
) -> Result<RegradeReport, StoreError> {
    // Opened once per course version and run; the error is the reason for every attempt
    // of a bundle that cannot be opened.
    let mut courses: HashMap<(String, String), Result<Course, String>> = HashMap::new();
    let mut report = RegradeReport::default();
    loop {
        let batch = store.attempts_to_regrade(200)?;
        if batch.is_empty() {
            return Ok(report);
        }
        // Read after the batch: the store returns only attempts of published versions, and
        // a bundle published since the previous batch must be found here too.
        let bundles = store.bundles()?;
        for e in &batch {
            let Some(b) = bundles
                .iter()
                .find(|b| b.course == e.course && b.version == e.course_version)
            else {
                // Bundles are never unpublished, so the store cannot have returned this
                // attempt without one; if it did, the attempt stays pending rather than
                // being judged, and this run ends so it is not fetched again in a loop.
                return Ok(report);
            };
            let key = (e.course.clone(), e.course_version.clone());
            let course = courses.entry(key).or_insert_with(|| {
                Course::open(&data.join(&b.path))
                    .map_err(|err| format!("bundle {} cannot be opened: {err}", b.path))
            });
            // A panic while grading (a bug in the host, not in the plugin, which is
            // sandboxed) must not stop the other attempts: this one is recorded
            // unverifiable and never retried.
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| match course {
                Ok(c) => regrade(e, c, sandbox),
                Err(reason) => unverifiable(reason.clone()),
            }))
            .unwrap_or_else(|_| unverifiable("re-grading panicked".into()));
            match r.status {
                RegradeStatus::Match => report.matched += 1,
                RegradeStatus::Mismatch => report.mismatched += 1,
                RegradeStatus::Unverifiable => report.unverifiable += 1,
            }
            store.record_regrade(e.id, &r)?;
        }
    }
}

/// Wakes the background re-grader ([`spawn_background`]). Cheap and never blocks: wakes
/// that arrive while one is pending are merged into it.
#[derive(Debug, Clone)]
pub struct RegradeTrigger(SyncSender<()>);

impl RegradeTrigger {
    /// Asks for a re-grading run soon.
    pub fn wake(&self) {
        // Full: a run is already due and will see these attempts too. Disconnected: the
        // re-grader is gone (logged when it ended); pushes go on without it.
        let _ = self.0.try_send(());
    }
}

/// What identifies the set of published bundles: a change means some pending attempts
/// may have become gradable.
type BundleSet = Vec<(String, String, String)>;

fn bundle_set(store: &dyn ServerStore) -> Result<BundleSet, StoreError> {
    let mut set: BundleSet = store
        .bundles()?
        .into_iter()
        .map(|b| (b.course, b.version, b.sha256))
        .collect();
    set.sort();
    Ok(set)
}

/// Starts the background re-grader on its own thread: it re-grades everything pending at
/// once, then again after each wake and whenever the published bundles changed (looked at
/// every [`BUNDLE_CHECK_EVERY`]). Store failures are logged and retried after
/// [`RETRY_AFTER_STORE_ERROR`]; the thread ends when every trigger is dropped.
pub fn spawn_background(
    store: Arc<dyn ServerStore>,
    data: PathBuf,
    sandbox: Sandbox,
) -> std::io::Result<RegradeTrigger> {
    let (tx, rx) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("aktovka-regrade".to_owned())
        .spawn(move || {
            // The bundles as they were when the last successful run started: a bundle
            // published during a run differs from it and starts another.
            let mut graded_with: Option<BundleSet> = None;
            let mut due = true;
            loop {
                let mut failed = false;
                if due {
                    let run = bundle_set(store.as_ref()).and_then(|set| {
                        regrade_pending(store.as_ref(), &data, &sandbox).map(|r| (set, r))
                    });
                    match run {
                        Ok((set, r)) => {
                            graded_with = Some(set);
                            if r.mismatched > 0 {
                                eprintln!(
                                    "aktovka server: přehodnoceno / re-graded: match {}, MISMATCH {}, unverifiable {}",
                                    r.matched, r.mismatched, r.unverifiable
                                );
                            }
                        }
                        Err(e) => {
                            eprintln!("aktovka server: re-grading stopped, retrying later: {e}");
                            failed = true;
                        }
                    }
                }
                let wait = if failed {
                    RETRY_AFTER_STORE_ERROR
                } else {
                    BUNDLE_CHECK_EVERY
                };
                due = match rx.recv_timeout(wait) {
                    Ok(()) => true,
                    Err(RecvTimeoutError::Disconnected) => return,
                    // A store error here makes the run due, which logs it and backs off.
                    Err(RecvTimeoutError::Timeout) => {
                        failed || bundle_set(store.as_ref()).ok() != graded_with
                    }
                };
            }
        })?;
    Ok(RegradeTrigger(tx))
}

fn unverifiable(detail: String) -> Regrade {
    Regrade {
        status: RegradeStatus::Unverifiable,
        score: None,
        passed: None,
        detail,
    }
}

/// Re-grades one attempt against the published bundle of its course version.
pub fn regrade(e: &Event, course: &Course, sandbox: &Sandbox) -> Regrade {
    let EventKind::Attempt {
        exercise,
        answer,
        score,
        passed,
        plugin_sha256,
    } = &e.kind
    else {
        return unverifiable("not an attempt".into());
    };
    let Some(ex) = course.exercise(exercise) else {
        return unverifiable(format!("no exercise {exercise} in the bundle"));
    };
    let plugin = match course.plugin(sandbox, &ex.plugin) {
        Ok(p) => p,
        Err(err) => return unverifiable(format!("plugin {}: {err}", ex.plugin)),
    };
    if plugin.sha256_hex() != *plugin_sha256 {
        return unverifiable(format!(
            "graded by plugin {plugin_sha256}, the bundle has {}",
            plugin.sha256_hex()
        ));
    }
    let seed = exercise_seed(&e.learner.to_string(), &e.course, exercise);
    match sandbox.check(&plugin, &ex.task, answer, seed, "cs") {
        Ok(v) => {
            let same = (v.score - score).abs() < SCORE_EPSILON && v.passed == *passed;
            Regrade {
                status: if same {
                    RegradeStatus::Match
                } else {
                    RegradeStatus::Mismatch
                },
                score: Some(v.score),
                passed: Some(v.passed),
                detail: if same {
                    String::new()
                } else {
                    format!(
                        "laptop reported score {score} passed {passed}, the plugin gives score {} passed {}",
                        v.score, v.passed
                    )
                },
            }
        }
        Err(err) => unverifiable(format!("plugin failed: {err}")),
    }
}
