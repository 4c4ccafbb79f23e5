//! The SQLite side of the dashboard's store methods (teachers, class links, sessions and a
//! class's activity; migration 0003). Times are `strftime` text in one fixed format, so
//! comparing them as text compares them as times.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::{NOW, uuid};
use crate::server::regrade::{Regrade, RegradeStatus};
use crate::server::{Activity, Class, StoreError, Teacher};

pub(super) fn teacher(conn: &Connection, name: &str) -> Result<Option<Teacher>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT name, is_admin FROM teacher WHERE name = ?1",
            [name.trim()],
            |r| {
                Ok(Teacher {
                    name: r.get(0)?,
                    admin: r.get(1)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn classes_of(conn: &Connection, name: &str) -> Result<Vec<Class>, StoreError> {
    let Some(t) = teacher(conn, name)? else {
        return Ok(Vec::new());
    };
    let pair = |r: &rusqlite::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?));
    let rows: Vec<(String, String)> = if t.admin {
        let mut stmt = conn.prepare("SELECT id, name FROM class ORDER BY name")?;
        stmt.query_map([], pair)?.collect::<Result<_, _>>()?
    } else {
        let mut stmt = conn.prepare(
            "SELECT c.id, c.name FROM class c JOIN class_teacher ct ON ct.class = c.id
             WHERE ct.teacher = ?1 ORDER BY c.name",
        )?;
        stmt.query_map([&t.name], pair)?.collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    for (id, name) in rows {
        out.push(Class {
            id: uuid(&id)?,
            name,
        });
    }
    Ok(out)
}

pub(super) fn assign_teacher(conn: &Connection, class: Uuid, name: &str) -> Result<(), StoreError> {
    let Some(t) = teacher(conn, name)? else {
        return Err(StoreError::NotFound(format!(
            "učitel / teacher {}",
            name.trim()
        )));
    };
    let known: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM class WHERE id = ?1",
            [class.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        return Err(StoreError::NotFound(format!("třída / class {class}")));
    }
    conn.execute(
        &format!(
            "INSERT INTO class_teacher (class, teacher, assigned_at) VALUES (?1, ?2, {NOW})
             ON CONFLICT (class, teacher) DO NOTHING"
        ),
        params![class.to_string(), t.name],
    )?;
    Ok(())
}

pub(super) fn create_session(
    conn: &Connection,
    token_hash: &str,
    name: &str,
    ttl_secs: u64,
) -> Result<(), StoreError> {
    conn.execute(
        &format!("DELETE FROM session WHERE expires_at <= {NOW}"),
        [],
    )?;
    let ttl = format!("+{ttl_secs} seconds");
    let n = conn.execute(
        &format!(
            "INSERT INTO session (token_hash, teacher, created_at, expires_at)
             SELECT ?1, name, {NOW}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)
             FROM teacher WHERE name = ?2"
        ),
        params![token_hash, name.trim(), ttl],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "učitel / teacher {}",
            name.trim()
        )));
    }
    Ok(())
}

pub(super) fn session_teacher(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<Teacher>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT t.name, t.is_admin FROM session s JOIN teacher t ON t.name = s.teacher
                 WHERE s.token_hash = ?1 AND s.expires_at > {NOW}"
            ),
            [token_hash],
            |r| {
                Ok(Teacher {
                    name: r.get(0)?,
                    admin: r.get(1)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM session WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

type ActivityRow = (
    String,
    Option<String>,
    Option<f64>,
    Option<bool>,
    Option<String>,
);

pub(super) fn class_activity(conn: &Connection, class: Uuid) -> Result<Vec<Activity>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT e.body, r.status, r.server_score, r.server_passed, r.detail
         FROM event e LEFT JOIN regrade r ON r.event = e.id
         WHERE e.learner IN (SELECT id FROM learner WHERE class = ?1)
            OR e.device IN (SELECT id FROM device WHERE class = ?1)
         ORDER BY e.device, e.seq",
    )?;
    let rows = stmt.query_map([class.to_string()], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, status, score, passed, detail): ActivityRow = row?;
        let event = serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))?;
        let regrade = status
            .map(|s| {
                let status = match s.as_str() {
                    "match" => RegradeStatus::Match,
                    "mismatch" => RegradeStatus::Mismatch,
                    "unverifiable" => RegradeStatus::Unverifiable,
                    other => {
                        return Err(StoreError::Corrupt(format!("regrade status {other:?}")));
                    }
                };
                Ok(Regrade {
                    status,
                    score,
                    passed,
                    detail: detail.unwrap_or_default(),
                })
            })
            .transpose()?;
        out.push((event, regrade));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::progress::{Event, EventKind};
    use crate::server::ServerStore;
    use crate::server::sqlite::SqliteStore;
    use uuid::Uuid;

    fn event(device: Uuid, seq: u64, learner: Uuid) -> Event {
        Event {
            id: Uuid::now_v7(),
            device,
            seq,
            learner,
            course: "c".into(),
            course_version: "1.0.0".into(),
            kind: EventKind::LessonOpened { lesson: "l".into() },
            at: "2026-11-27T10:00:00.000+01:00".into(),
        }
    }

    #[test]
    fn classes_sessions_and_activity() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        store.add_teacher("admin", "x", true).unwrap();
        store.add_teacher("novak", "x", false).unwrap();
        let a = store.add_class("7.A").unwrap();
        let b = store.add_class("7.B").unwrap();
        store.assign_teacher(a.id, "novak").unwrap();
        store.assign_teacher(a.id, "novak").unwrap();
        assert!(store.assign_teacher(a.id, "nikdo").is_err());
        assert_eq!(store.classes_of("novak").unwrap(), std::slice::from_ref(&a));
        assert_eq!(store.classes_of("admin").unwrap(), [a.clone(), b.clone()]);
        assert!(store.classes_of("nikdo").unwrap().is_empty());

        store.create_session("h1", "novak", 3600).unwrap();
        store.create_session("h0", "novak", 0).unwrap();
        assert_eq!(store.session_teacher("h1").unwrap().unwrap().name, "novak");
        assert!(store.session_teacher("h0").unwrap().is_none());
        store.delete_session("h1").unwrap();
        assert!(store.session_teacher("h1").unwrap().is_none());

        store.add_learners(b.id, &["Eva".into()]).unwrap();
        let eva = store.roster(b.id).unwrap()[0].id;
        store.add_enrolment_code(a.id, "code").unwrap();
        let dev = Uuid::new_v4();
        store.enrol("code", dev, "tok").unwrap();
        // A device of 7.A: one event of an unknown learner, one of Eva from 7.B.
        let stranger = Uuid::new_v4();
        store
            .push(dev, &[event(dev, 1, stranger), event(dev, 2, eva)])
            .unwrap();
        let in_a = store.class_activity(a.id).unwrap();
        assert_eq!(in_a.len(), 2);
        let in_b = store.class_activity(b.id).unwrap();
        assert_eq!(in_b.len(), 1);
        assert_eq!(in_b[0].0.learner, eva);
        assert!(in_b[0].1.is_none());
    }
}
