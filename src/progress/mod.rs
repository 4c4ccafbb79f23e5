//! The progress store on a pupil's laptop: learner profiles and an append-only log of
//! what each learner did, in one SQLite file (`<data dir>/progress.sqlite`).
//!
//! Invariants:
//! - Every action is an immutable [`Event`]; triggers in the schema refuse `UPDATE` and
//!   `DELETE` on events. Current progress ([`CourseProgress`]) is derived from the events
//!   each time it is asked for; nothing is updated in place.
//! - `seq` is a per-device counter starting at 1 with no gaps: it is assigned inside the
//!   same write transaction as the insert, so a rolled-back or killed write takes its
//!   number with it.
//! - [`ProgressStore::record`] returns only after its transaction is committed with
//!   `synchronous=FULL` in WAL mode: once a caller has the event, it survives the process
//!   being killed and, as far as the disk honours fsync, a power cut.
//! - The schema is versioned by numbered migrations ([`schema`]); a file from a newer
//!   aktovka is refused untouched.
//!
//! Called by the learner app (from several tokio tasks through `spawn_blocking`; the store
//! is `Send + Sync` and serialises its calls on one connection) and later by sync.
//! The format is documented in `docs/progress.md`.

mod learner;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use learner::{LANG_SEPARATOR, MAX_NAME_CHARS};

/// How long a write waits for another process holding the database lock (a second
/// `aktovka learn` on the same data directory) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The file name of the store inside the data directory.
pub const FILE_NAME: &str = "progress.sqlite";

/// Errors of the progress store.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    /// Occurs when SQLite fails: the disk is full or read-only, the file is locked for
    /// longer than the busy timeout, or a query failed.
    #[error("databáze pokroku / progress database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Occurs when user input is refused (a bad name or PIN, a score out of range). The
    /// message is Czech, then [`LANG_SEPARATOR`], then English; see
    /// [`ProgressError::message_in`].
    #[error("{0}")]
    Invalid(String),
    /// Occurs when a learner id names nobody in this store.
    #[error("nenalezeno / not found: {0}")]
    NotFound(String),
    /// Occurs when the file is not a progress store this program can use: not SQLite,
    /// damaged, or written by a newer aktovka.
    #[error("{0}")]
    Corrupt(String),
}

impl ProgressError {
    /// The message in one language (`"cs"` or `"en"`) for [`ProgressError::Invalid`]; the
    /// whole message for the other variants, which are not meant for pupils.
    pub fn message_in(&self, lang: &str) -> String {
        match self {
            ProgressError::Invalid(both) => match both.split_once(LANG_SEPARATOR) {
                Some((cs, en)) => if lang == "en" { en } else { cs }.to_owned(),
                None => both.clone(),
            },
            other => other.to_string(),
        }
    }
}

/// A local learner profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learner {
    pub id: Uuid,
    pub name: String,
    pub has_pin: bool,
    /// RFC 3339 with offset.
    pub created_at: String,
}

/// What [`ProgressStore::add_learner_with_id`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterChange {
    /// A new profile under the roster's id.
    Added,
    /// A new profile under the roster's id that took over the name (and PIN) of the local
    /// profile `local`, created on this laptop before enrolment; `local`'s events count
    /// for it.
    Linked {
        local: Uuid,
    },
    /// The profile was renamed (the roster's name changed).
    Renamed {
        from: String,
    },
    Unchanged,
    /// Another roster learner holds the name on this laptop: nothing was changed.
    NameTaken,
}

/// An event before the store has given it an id, a device, a seq and a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub learner: Uuid,
    pub course: String,
    pub course_version: String,
    pub kind: EventKind,
}

/// What happened; serialised with its `kind` tag next to the common fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// An answer graded by a plugin.
    Attempt {
        exercise: String,
        answer: String,
        score: f64,
        passed: bool,
        /// The sha256 of the plugin that graded it, so the server can re-grade with the same one.
        plugin_sha256: String,
    },
    LessonOpened {
        lesson: String,
    },
    LessonCompleted {
        lesson: String,
    },
}

impl EventKind {
    /// The `kind` tag as stored and serialised.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Attempt { .. } => "attempt",
            EventKind::LessonOpened { .. } => "lesson_opened",
            EventKind::LessonCompleted { .. } => "lesson_completed",
        }
    }
}

/// One recorded event, exactly as design §5 serialises it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// uuid v7.
    pub id: Uuid,
    /// The store (laptop) that recorded it.
    pub device: Uuid,
    /// Per device, from 1, gap-free.
    pub seq: u64,
    pub learner: Uuid,
    pub course: String,
    pub course_version: String,
    #[serde(flatten)]
    pub kind: EventKind,
    /// The device's clock when recorded, RFC 3339 with the local offset, milliseconds.
    /// Recorded, never trusted for ordering (`seq` orders).
    pub at: String,
}

/// A learner's progress in one course, derived from their events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CourseProgress {
    /// By exercise id; only exercises with at least one attempt.
    pub exercises: BTreeMap<String, ExerciseProgress>,
    pub lessons_opened: BTreeSet<String>,
    pub lessons_completed: BTreeSet<String>,
}

/// A learner's attempts at one exercise, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    pub attempts: u32,
    pub best_score: f64,
    /// Whether any attempt passed: a later wrong answer does not undo a pass.
    pub passed: bool,
    pub last_answer: String,
    pub last_at: String,
}

impl CourseProgress {
    /// Folds events (in seq order) into progress.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> CourseProgress {
        let mut p = CourseProgress::default();
        for e in events {
            match &e.kind {
                EventKind::Attempt {
                    exercise,
                    answer,
                    score,
                    passed,
                    ..
                } => {
                    let x =
                        p.exercises
                            .entry(exercise.clone())
                            .or_insert_with(|| ExerciseProgress {
                                attempts: 0,
                                best_score: *score,
                                passed: false,
                                last_answer: String::new(),
                                last_at: String::new(),
                            });
                    x.attempts += 1;
                    x.best_score = x.best_score.max(*score);
                    x.passed |= *passed;
                    x.last_answer.clone_from(answer);
                    x.last_at.clone_from(&e.at);
                }
                EventKind::LessonOpened { lesson } => {
                    p.lessons_opened.insert(lesson.clone());
                }
                EventKind::LessonCompleted { lesson } => {
                    p.lessons_completed.insert(lesson.clone());
                }
            }
        }
        p
    }
}

/// The progress store: one SQLite connection behind a mutex. Share it with `Arc`.
#[derive(Debug)]
pub struct ProgressStore {
    conn: Mutex<Connection>,
    device: Uuid,
    path: PathBuf,
}

impl ProgressStore {
    /// Opens the store at `path`, creating the file and its directory if needed, applying
    /// pending migrations and creating the device id (uuid v4) on first use. Refuses a file
    /// from a newer aktovka without writing to it.
    pub fn open(path: &Path) -> Result<ProgressStore, ProgressError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ProgressError::Corrupt(format!(
                    "nelze vytvořit složku / cannot create the directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let mut conn = Connection::open(path).map_err(|e| not_a_store(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Check the version before anything writes (journal_mode=WAL writes the header).
        schema::refuse_newer(schema::version(&conn).map_err(|e| not_a_store(path, e))?)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(ProgressError::Corrupt(format!(
                "databáze pokroku nemůže použít WAL (režim {mode}) / the progress database cannot use WAL (mode {mode}): {}",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        let device = device_id(&mut conn)?;
        Ok(ProgressStore {
            conn: Mutex::new(conn),
            device,
            path: path.to_owned(),
        })
    }

    /// The uuid of this store, which `seq` counts per.
    pub fn device_id(&self) -> Uuid {
        self.device
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half-done work: an open transaction is
        // rolled back when dropped. The connection is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// All learners, in Czech alphabetical order ignoring case.
    pub fn learners(&self) -> Result<Vec<Learner>, ProgressError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(
            "SELECT id, name, pin_hash IS NOT NULL, created_at FROM learner WHERE merged_into IS NULL",
        )?;
        let rows = stmt.query_map([], learner_row)?;
        let mut learners = rows.collect::<Result<Vec<_>, _>>()?;
        learners.sort_by_cached_key(|l| learner::sort_key(&l.name));
        Ok(learners)
    }

    /// Adds a learner. The name is trimmed, 1 to [`MAX_NAME_CHARS`] characters, and unique
    /// ignoring case; the PIN, if given, is exactly four digits and stored salted and hashed.
    pub fn add_learner(&self, name: &str, pin: Option<&str>) -> Result<Learner, ProgressError> {
        let name = learner::normalize_name(name)?;
        let key = learner::name_key(&name);
        let (salt, hash) = pin_columns(pin)?;
        let id = Uuid::new_v4();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM learner WHERE name_key = ?1)",
            [&key],
            |row| row.get(0),
        )?;
        if taken {
            return Err(learner::duplicate_name(&name));
        }
        let created_at = now(&tx)?;
        tx.execute(
            "INSERT INTO learner (id, name, name_key, pin_salt, pin_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id.to_string(), name, key, salt, hash, created_at],
        )?;
        tx.commit()?;
        Ok(Learner {
            id,
            name,
            has_pin: pin.is_some(),
            created_at,
        })
    }

    /// Adds or updates a learner of the school's roster under the roster's own `id`, so
    /// the events pushed for them name a learner the server knows. Idempotent: the same id
    /// and name again changes nothing; the same id under a new name renames the profile.
    ///
    /// A local profile (added on this laptop, not from the roster) that holds the name is
    /// the same pupil from before the laptop was enrolled: it is linked to the roster
    /// learner (`merged_into`), leaves the picker, and hands over its PIN when `pin` is
    /// `None`. Its events are immutable and keep its id; [`ProgressStore::events`] and the
    /// progress derived from them count them for the roster learner, so nothing the pupil
    /// did disappears. Another roster learner holding the name wins: nothing changes
    /// ([`RosterChange::NameTaken`]).
    pub fn add_learner_with_id(
        &self,
        id: Uuid,
        name: &str,
        pin: Option<&str>,
    ) -> Result<RosterChange, ProgressError> {
        let name = learner::normalize_name(name)?;
        let key = learner::name_key(&name);
        let (salt, hash) = pin_columns(pin)?;
        let sid = id.to_string();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row("SELECT name FROM learner WHERE id = ?1", [&sid], |r| {
                r.get(0)
            })
            .optional()?;
        let holder: Option<(String, bool)> = tx
            .query_row(
                "SELECT id, roster FROM learner WHERE name_key = ?1 AND id <> ?2",
                params![key, sid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let change = match (existing, holder) {
            (Some(old), _) if old == name => RosterChange::Unchanged,
            (_, Some((_, true))) => RosterChange::NameTaken,
            (Some(old), holder) => {
                if let Some((local, _)) = holder {
                    link(&tx, &local, &sid)?;
                }
                tx.execute(
                    "UPDATE learner SET name = ?2, name_key = ?3 WHERE id = ?1",
                    params![sid, name, key],
                )?;
                RosterChange::Renamed { from: old }
            }
            (None, holder) => {
                let created_at = now(&tx)?;
                if let Some((local, _)) = &holder {
                    free_name(&tx, local)?;
                }
                // Without a PIN of its own, the roster learner keeps the local profile's.
                tx.execute(
                    "INSERT INTO learner (id, name, name_key, pin_salt, pin_hash, created_at, roster)
                     VALUES (?1, ?2, ?3,
                             COALESCE(?4, (SELECT pin_salt FROM learner WHERE id = ?7)),
                             COALESCE(?5, (SELECT pin_hash FROM learner WHERE id = ?7)),
                             ?6, 1)",
                    params![
                        sid,
                        name,
                        key,
                        salt,
                        hash,
                        created_at,
                        holder.as_ref().map(|h| h.0.as_str())
                    ],
                )?;
                match holder {
                    None => RosterChange::Added,
                    Some((local, _)) => {
                        link(&tx, &local, &sid)?;
                        RosterChange::Linked {
                            local: Uuid::parse_str(&local).map_err(|e| {
                                ProgressError::Corrupt(format!(
                                    "poškozené id žáka / damaged learner id {local:?}: {e}"
                                ))
                            })?,
                        }
                    }
                }
            }
        };
        // A learner seen in the roster is a roster learner from now on, even one that
        // existed locally under the same id.
        tx.execute("UPDATE learner SET roster = 1 WHERE id = ?1", [&sid])?;
        tx.commit()?;
        Ok(change)
    }

    /// One learner, or `None` if the id names nobody. The id of a profile linked to a
    /// roster learner gives the roster learner (a session opened before the link follows
    /// it).
    pub fn learner(&self, id: Uuid) -> Result<Option<Learner>, ProgressError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT l.id, l.name, l.pin_hash IS NOT NULL, l.created_at
                 FROM learner AS asked JOIN learner AS l ON l.id = COALESCE(asked.merged_into, asked.id)
                 WHERE asked.id = ?1",
                [id.to_string()],
                learner_row,
            )
            .optional()?)
    }

    /// True if the learner has no PIN, or `pin` is their PIN. Fails with
    /// [`ProgressError::NotFound`] for an unknown learner.
    pub fn check_pin(&self, id: Uuid, pin: Option<&str>) -> Result<bool, ProgressError> {
        let conn = self.conn();
        let row: Option<(Option<String>, Option<String>)> = conn
            .query_row(
                "SELECT pin_salt, pin_hash FROM learner WHERE id = ?1",
                [id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((salt, hash)) = row else {
            return Err(ProgressError::NotFound(format!("žák / learner {id}")));
        };
        let (Some(salt), Some(hash)) = (salt, hash) else {
            return Ok(true);
        };
        let Some(pin) = pin else {
            return Ok(false);
        };
        let salt = hex::decode(&salt).map_err(|_| {
            ProgressError::Corrupt(format!(
                "poškozená sůl PIN / damaged PIN salt of learner {id}"
            ))
        })?;
        Ok(learner::pin_hash(&salt, pin) == hash)
    }

    /// Appends one event and returns it with its id (uuid v7), device, seq and time. Returns
    /// only after the transaction is durably committed.
    pub fn record(&self, event: NewEvent) -> Result<Event, ProgressError> {
        validate_event(&event)?;
        let payload = serde_json::to_string(&event.kind)
            .map_err(|e| ProgressError::Invalid(format!("{e}{LANG_SEPARATOR}{e}")))?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM learner WHERE id = ?1)",
            [event.learner.to_string()],
            |row| row.get(0),
        )?;
        if !known {
            return Err(ProgressError::NotFound(format!(
                "žák / learner {}",
                event.learner
            )));
        }
        let device = self.device.to_string();
        let last: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM event WHERE device = ?1",
            [&device],
            |row| row.get(0),
        )?;
        let seq = last + 1;
        let id = Uuid::now_v7();
        let at = now(&tx)?;
        tx.execute(
            "INSERT INTO event (device, seq, id, learner, course, course_version, kind, payload, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                device,
                seq,
                id.to_string(),
                event.learner.to_string(),
                event.course,
                event.course_version,
                event.kind.name(),
                payload,
                at,
            ],
        )?;
        tx.commit()?;
        Ok(Event {
            id,
            device: self.device,
            seq: seq as u64,
            learner: event.learner,
            course: event.course,
            course_version: event.course_version,
            kind: event.kind,
            at,
        })
    }

    /// A learner's events in one course, in seq order, with those of the local profiles
    /// linked to them ([`ProgressStore::add_learner_with_id`]).
    pub fn events(&self, learner: Uuid, course: &str) -> Result<Vec<Event>, ProgressError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{EVENT_SELECT} WHERE learner IN (SELECT id FROM learner WHERE id = ?1 OR merged_into = ?1)
             AND course = ?2 ORDER BY seq, device"
        ))?;
        let rows = stmt.query_map(params![learner.to_string(), course], event_row)?;
        rows.map(|r| r?).collect()
    }

    /// A learner's progress in one course, derived from their events.
    pub fn course_progress(
        &self,
        learner: Uuid,
        course: &str,
    ) -> Result<CourseProgress, ProgressError> {
        Ok(CourseProgress::from_events(&self.events(learner, course)?))
    }

    /// This device's events with seq > `after`, in seq order, at most `limit` (for sync).
    pub fn events_after(&self, after: u64, limit: usize) -> Result<Vec<Event>, ProgressError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{EVENT_SELECT} WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![self.device.to_string(), after, limit], event_row)?;
        rows.map(|r| r?).collect()
    }
}

/// `(pin_salt, pin_hash)` for a new learner: both `None` without a PIN.
fn pin_columns(pin: Option<&str>) -> Result<(Option<String>, Option<String>), ProgressError> {
    match pin {
        Some(pin) => {
            learner::validate_pin(pin)?;
            let salt = Uuid::new_v4().into_bytes();
            Ok((Some(hex::encode(salt)), Some(learner::pin_hash(&salt, pin))))
        }
        None => Ok((None, None)),
    }
}

/// Frees a learner's name for another: its key becomes `merged:<id>`, which no name can be
/// (43 characters, over [`MAX_NAME_CHARS`]). The visible name stays for the record.
fn free_name(tx: &Connection, learner: &str) -> Result<(), ProgressError> {
    tx.execute(
        "UPDATE learner SET name_key = 'merged:' || id WHERE id = ?1",
        [learner],
    )?;
    Ok(())
}

/// Links the local profile `local` to the roster learner `into` (which exists).
fn link(tx: &Connection, local: &str, into: &str) -> Result<(), ProgressError> {
    free_name(tx, local)?;
    tx.execute(
        "UPDATE learner SET merged_into = ?2 WHERE id = ?1",
        params![local, into],
    )?;
    Ok(())
}

const EVENT_SELECT: &str =
    "SELECT id, device, seq, learner, course, course_version, payload, at FROM event";

fn learner_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Learner> {
    Ok(Learner {
        id: uuid_col(row, 0)?,
        name: row.get(1)?,
        has_pin: row.get(2)?,
        created_at: row.get(3)?,
    })
}

/// Reads one event row; the inner result fails on a payload this program cannot read.
fn event_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Event, ProgressError>> {
    let id = uuid_col(row, 0)?;
    let payload: String = row.get(6)?;
    let seq: i64 = row.get(2)?;
    let kind = match serde_json::from_str::<EventKind>(&payload) {
        Ok(kind) => kind,
        Err(e) => {
            return Ok(Err(ProgressError::Corrupt(format!(
                "nečitelná událost / unreadable event {id}: {e}"
            ))));
        }
    };
    Ok(Ok(Event {
        id,
        device: uuid_col(row, 1)?,
        seq: u64::try_from(seq).unwrap_or(0),
        learner: uuid_col(row, 3)?,
        course: row.get(4)?,
        course_version: row.get(5)?,
        kind,
        at: row.get(7)?,
    }))
}

fn uuid_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(idx)?;
    Uuid::parse_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The device id, created (uuid v4) on the store's first open.
fn device_id(conn: &mut Connection) -> Result<Uuid, ProgressError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'device_id'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let id = match existing {
        Some(text) => Uuid::parse_str(&text).map_err(|e| {
            ProgressError::Corrupt(format!(
                "poškozené id zařízení / damaged device id {text:?}: {e}"
            ))
        })?,
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
                [id.to_string()],
            )?;
            id
        }
    };
    tx.commit()?;
    Ok(id)
}

/// The current time as RFC 3339 with the system's local offset and milliseconds, e.g.
/// `2026-11-27T10:00:00.123+01:00`. SQLite computes both parts from one reading of the
/// clock (`'now'` is fixed within a statement), using the C library's local time zone.
fn now(conn: &Connection) -> Result<String, ProgressError> {
    let (local, offset_min): (String, i64) = conn.query_row(
        "SELECT strftime('%Y-%m-%dT%H:%M:%f', 'now', 'localtime'),
                CAST(round((julianday('now', 'localtime') - julianday('now')) * 1440) AS INTEGER)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let sign = if offset_min < 0 { '-' } else { '+' };
    let abs = offset_min.abs();
    Ok(format!("{local}{sign}{:02}:{:02}", abs / 60, abs % 60))
}

/// Refuses events the derived progress could not make sense of.
fn validate_event(event: &NewEvent) -> Result<(), ProgressError> {
    let bad = |cs: &str, en: &str| Err(ProgressError::Invalid(format!("{cs}{LANG_SEPARATOR}{en}")));
    if event.course.is_empty() {
        return bad("Událost nemá kurz.", "The event has no course.");
    }
    match &event.kind {
        EventKind::Attempt {
            exercise, score, ..
        } => {
            if exercise.is_empty() {
                return bad("Pokus nemá cvičení.", "The attempt has no exercise.");
            }
            if !(0.0..=1.0).contains(score) {
                return bad(
                    &format!("Skóre {score} není mezi 0 a 1."),
                    &format!("The score {score} is not between 0 and 1."),
                );
            }
        }
        EventKind::LessonOpened { lesson } | EventKind::LessonCompleted { lesson } => {
            if lesson.is_empty() {
                return bad("Událost nemá lekci.", "The event has no lesson.");
            }
        }
    }
    Ok(())
}

/// Turns "this is not a database" into a message naming the file.
fn not_a_store(path: &Path, e: impl Into<ProgressError>) -> ProgressError {
    match e.into() {
        ProgressError::Db(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) =>
        {
            ProgressError::Corrupt(format!(
                "{} není databáze pokroku aktovky nebo je poškozená / is not an aktovka progress database or is damaged",
                path.display()
            ))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The durability settings are per connection: check the store's own.
    #[test]
    fn connection_is_durable_and_waits_for_locks() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::open(&dir.path().join(FILE_NAME)).unwrap();
        let conn = store.conn();
        let get = |pragma: &str| -> String {
            conn.query_row(&format!("PRAGMA {pragma}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
        };
        assert_eq!(get("journal_mode"), r#"Text("wal")"#);
        assert_eq!(get("synchronous"), "Integer(2)", "2 is FULL");
        assert_eq!(get("foreign_keys"), "Integer(1)");
        assert_eq!(
            get("busy_timeout"),
            format!("Integer({})", BUSY_TIMEOUT.as_millis())
        );
    }
}
