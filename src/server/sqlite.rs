//! The SQLite implementation of [`ServerStore`]: one file, `<data>/server.sqlite`, WAL,
//! `synchronous=FULL`, one connection behind a mutex (a school server's load fits one
//! writer; batches make each push one transaction).
//!
//! The schema is versioned like the laptop's progress store: `PRAGMA user_version` is the
//! number of the last applied migration from `migrations/`, each applied in its own
//! transaction; a file from a newer aktovka is refused untouched.

mod dashboard;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::regrade::{Regrade, RegradeStatus};
use super::{
    Activity, Class, Device, PublishedBundle, RosterLearner, ServerStore, StoreError, Teacher,
};
use crate::progress::Event;

/// Append only; never edit a landed migration.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_regrade.sql"),
    include_str!("migrations/0003_dashboard.sql"),
    include_str!("migrations/0004_regrade_waits_for_publish.sql"),
];

/// The schema version this program writes and understands.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's time as RFC 3339 UTC with milliseconds, computed by SQLite.
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// The SQLite server store.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let corrupt = |e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!(
                "není databáze serveru / not a server database: {}: {e}",
                path.display()
            ))
        };
        let mut conn = Connection::open(path).map_err(|e| corrupt(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        refuse_newer(version(&conn).map_err(|e| corrupt(&e))?)?;
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        loop {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = version(&tx)?;
            refuse_newer(found)?;
            if found == CURRENT_VERSION {
                break;
            }
            tx.execute_batch(MIGRATIONS[found as usize])?;
            tx.pragma_update(None, "user_version", found + 1)?;
            tx.commit()?;
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // An open transaction is rolled back when dropped, so a panic leaves nothing half done.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("invalid schema version {v}")))
}

fn refuse_newer(found: u32) -> Result<(), StoreError> {
    if found > CURRENT_VERSION {
        return Err(StoreError::Corrupt(format!(
            "databázi serveru zapsala novější aktovka (schéma {found}) / the server database was written by a newer aktovka (schema {found}, this one knows up to {CURRENT_VERSION})"
        )));
    }
    Ok(())
}

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("invalid uuid {s:?}: {e}")))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The canonical JSON of an event: what "the same content" means.
pub(crate) fn canonical(event: &Event) -> Result<String, StoreError> {
    serde_json::to_string(event)
        .map_err(|e| StoreError::Invalid(format!("event {}: {e}", event.id)))
}

type DeviceRow = (String, String, String, Option<String>, Option<String>, i64);

fn device_from(row: DeviceRow) -> Result<Device, StoreError> {
    Ok(Device {
        id: uuid(&row.0)?,
        class: uuid(&row.1)?,
        enrolled_at: row.2,
        revoked: row.3.is_some(),
        last_seen_at: row.4,
        acknowledged: to_u64(row.5),
    })
}

const DEVICE_SELECT: &str =
    "SELECT id, class, enrolled_at, revoked_at, last_seen_at, acknowledged FROM device";

fn device_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

impl ServerStore for SqliteStore {
    fn add_teacher(&self, name: &str, password_hash: &str, admin: bool) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("prázdné jméno / empty name".into()));
        }
        let conn = self.conn();
        let n = conn.execute(
            &format!(
                "INSERT INTO teacher (name, password_hash, is_admin, created_at)
                 VALUES (?1, ?2, ?3, {NOW}) ON CONFLICT (name) DO NOTHING"
            ),
            params![name, password_hash, admin],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "učitel už existuje / teacher already exists: {name}"
            )));
        }
        Ok(())
    }

    fn teacher_password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT password_hash FROM teacher WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn add_class(&self, name: &str) -> Result<Class, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "prázdný název třídy / empty class name".into(),
            ));
        }
        let id = Uuid::new_v4();
        let n = self.conn().execute(
            &format!(
                "INSERT INTO class (id, name, created_at) VALUES (?1, ?2, {NOW})
                 ON CONFLICT (name) DO NOTHING"
            ),
            params![id.to_string(), name],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "třída už existuje / class already exists: {name}"
            )));
        }
        Ok(Class {
            id,
            name: name.to_owned(),
        })
    }

    fn class(&self, name_or_id: &str) -> Result<Option<Class>, StoreError> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT id, name FROM class WHERE name = ?1 OR id = ?1",
                [name_or_id.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, name)| {
            Ok(Class {
                id: uuid(&id)?,
                name,
            })
        })
        .transpose()
    }

    fn add_learners(&self, class: Uuid, names: &[String]) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        for name in names {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            added += tx.execute(
                &format!(
                    "INSERT INTO learner (id, class, name, created_at) VALUES (?1, ?2, ?3, {NOW})
                     ON CONFLICT (class, name) DO NOTHING"
                ),
                params![Uuid::new_v4().to_string(), class.to_string(), name],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    fn roster(&self, class: Uuid) -> Result<Vec<RosterLearner>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name FROM learner WHERE class = ?1 ORDER BY name")?;
        let rows = stmt.query_map([class.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name) = row?;
            out.push(RosterLearner {
                id: uuid(&id)?,
                name,
            });
        }
        Ok(out)
    }

    fn add_enrolment_code(&self, class: Uuid, code_hash: &str) -> Result<(), StoreError> {
        self.conn().execute(
            &format!(
                "INSERT INTO enrolment_code (code_hash, class, created_at) VALUES (?1, ?2, {NOW})"
            ),
            params![code_hash, class.to_string()],
        )?;
        Ok(())
    }

    fn enrol(&self, code_hash: &str, device: Uuid, token_hash: &str) -> Result<Class, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let class: Option<(String, String)> = tx
            .query_row(
                "SELECT c.id, c.name FROM enrolment_code e JOIN class c ON c.id = e.class
                 WHERE e.code_hash = ?1 AND (e.used_by IS NULL OR e.used_by = ?2)",
                params![code_hash, device.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((class_id, class_name)) = class else {
            return Err(StoreError::NotFound(
                "neznámý nebo použitý kód / unknown or used enrolment code".into(),
            ));
        };
        // The same device may use its code again: an enrolment whose answer was lost on the
        // way retries and gets a fresh token (the lost one is replaced).
        tx.execute(
            &format!(
                "UPDATE enrolment_code SET used_by = ?2, used_at = {NOW} WHERE code_hash = ?1"
            ),
            params![code_hash, device.to_string()],
        )?;
        // Re-enrolling a laptop (new code, e.g. after a reinstall of the token file) gives it
        // a new token and un-revokes it; its events and acknowledged mark stay.
        tx.execute(
            &format!(
                "INSERT INTO device (id, class, token_hash, enrolled_at) VALUES (?1, ?2, ?3, {NOW})
                 ON CONFLICT (id) DO UPDATE SET class = ?2, token_hash = ?3, revoked_at = NULL"
            ),
            params![device.to_string(), class_id, token_hash],
        )?;
        tx.commit()?;
        Ok(Class {
            id: uuid(&class_id)?,
            name: class_name,
        })
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("{DEVICE_SELECT} WHERE token_hash = ?1"),
                [token_hash],
                device_row,
            )
            .optional()?;
        let Some(row) = row else { return Ok(None) };
        conn.execute(
            &format!("UPDATE device SET last_seen_at = {NOW} WHERE token_hash = ?1"),
            [token_hash],
        )?;
        device_from(row).map(Some)
    }

    fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{DEVICE_SELECT} ORDER BY enrolled_at"))?;
        let rows = stmt.query_map([], device_row)?;
        rows.map(|r| device_from(r?)).collect()
    }

    fn revoke_device(&self, device: Uuid) -> Result<(), StoreError> {
        let n = self.conn().execute(
            &format!("UPDATE device SET revoked_at = COALESCE(revoked_at, {NOW}) WHERE id = ?1"),
            [device.to_string()],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("zařízení / device {device}")));
        }
        Ok(())
    }

    fn push(&self, device: Uuid, events: &[Event]) -> Result<u64, StoreError> {
        let dev = device.to_string();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(&format!(
                "INSERT INTO event (id, device, seq, learner, course, course_version, kind, at, received_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {NOW}, ?9) ON CONFLICT DO NOTHING"
            ))?;
            let mut by_id = tx.prepare_cached("SELECT body FROM event WHERE id = ?1")?;
            for e in events {
                let body = canonical(e)?;
                let id = e.id.to_string();
                let inserted = insert.execute(params![
                    id,
                    dev,
                    to_i64(e.seq),
                    e.learner.to_string(),
                    e.course,
                    e.course_version,
                    e.kind.name(),
                    e.at,
                    body
                ])?;
                if inserted == 1 {
                    continue;
                }
                // Not inserted: either the very same event again (a retry), or a conflict on
                // the id or on (device, seq).
                let stored: Option<String> = by_id.query_row([&id], |r| r.get(0)).optional()?;
                if stored.as_deref() != Some(body.as_str()) {
                    return Err(StoreError::Conflict(e.id));
                }
            }
        }
        let mut ack: i64 = tx.query_row(
            "SELECT acknowledged FROM device WHERE id = ?1",
            [&dev],
            |r| r.get(0),
        )?;
        {
            let mut next = tx.prepare_cached(
                "SELECT seq FROM event WHERE device = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let mut rows = next.query(params![dev, ack])?;
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                if seq != ack + 1 {
                    break;
                }
                ack = seq;
            }
        }
        tx.execute(
            "UPDATE device SET acknowledged = ?2 WHERE id = ?1",
            params![dev, ack],
        )?;
        tx.commit()?;
        Ok(to_u64(ack))
    }

    fn acknowledged(&self, device: Uuid) -> Result<u64, StoreError> {
        let ack: Option<i64> = self
            .conn()
            .query_row(
                "SELECT acknowledged FROM device WHERE id = ?1",
                [device.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        ack.map(to_u64)
            .ok_or_else(|| StoreError::NotFound(format!("zařízení / device {device}")))
    }

    fn publish(&self, b: &PublishedBundle) -> Result<(), StoreError> {
        self.conn().execute(
            &format!(
                "INSERT INTO bundle (course, version, sha256, size, path, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, {NOW})
                 ON CONFLICT (course, version) DO UPDATE SET sha256 = ?3, size = ?4, path = ?5,
                 published_at = {NOW}"
            ),
            params![b.course, b.version, b.sha256, to_i64(b.size), b.path],
        )?;
        Ok(())
    }

    fn bundles(&self) -> Result<Vec<PublishedBundle>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT course, version, sha256, size, path FROM bundle ORDER BY course, published_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PublishedBundle {
                course: r.get(0)?,
                version: r.get(1)?,
                sha256: r.get(2)?,
                size: to_u64(r.get(3)?),
                path: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn attempts_to_regrade(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT e.body FROM event e LEFT JOIN regrade r ON r.event = e.id
             WHERE e.kind = 'attempt' AND r.event IS NULL
               AND EXISTS (SELECT 1 FROM bundle b
                           WHERE b.course = e.course AND b.version = e.course_version)
             ORDER BY e.device, e.seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for body in rows {
            let body = body?;
            out.push(
                serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))?,
            );
        }
        Ok(out)
    }

    fn record_regrade(&self, event: Uuid, r: &Regrade) -> Result<(), StoreError> {
        let status = match r.status {
            RegradeStatus::Match => "match",
            RegradeStatus::Mismatch => "mismatch",
            RegradeStatus::Unverifiable => "unverifiable",
        };
        self.conn().execute(
            &format!(
                "INSERT INTO regrade (event, status, server_score, server_passed, detail, graded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, {NOW}) ON CONFLICT (event) DO NOTHING"
            ),
            params![event.to_string(), status, r.score, r.passed, r.detail],
        )?;
        Ok(())
    }

    fn event_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM event", [], |r| r.get(0))?;
        Ok(to_u64(n))
    }

    fn teacher(&self, name: &str) -> Result<Option<Teacher>, StoreError> {
        dashboard::teacher(&self.conn(), name)
    }

    fn classes_of(&self, teacher: &str) -> Result<Vec<Class>, StoreError> {
        dashboard::classes_of(&self.conn(), teacher)
    }

    fn assign_teacher(&self, class: Uuid, teacher: &str) -> Result<(), StoreError> {
        dashboard::assign_teacher(&self.conn(), class, teacher)
    }

    fn create_session(
        &self,
        token_hash: &str,
        teacher: &str,
        ttl_secs: u64,
    ) -> Result<(), StoreError> {
        dashboard::create_session(&self.conn(), token_hash, teacher, ttl_secs)
    }

    fn session_teacher(&self, token_hash: &str) -> Result<Option<Teacher>, StoreError> {
        dashboard::session_teacher(&self.conn(), token_hash)
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        dashboard::delete_session(&self.conn(), token_hash)
    }

    fn class_activity(&self, class: Uuid) -> Result<Vec<Activity>, StoreError> {
        dashboard::class_activity(&self.conn(), class)
    }
}
