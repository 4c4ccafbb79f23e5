//! The PostgreSQL implementation of [`ServerStore`], for one server (or several) serving a
//! whole region: `aktovka server init --data DIR --database postgres://…`.
//!
//! It keeps the invariants of the SQLite store ([`super::sqlite`]) with PostgreSQL's own
//! means:
//! - A push is one transaction that first locks its device's row (`SELECT … FOR UPDATE`), so
//!   pushes of one device are serialised (exactly-once and the gap-free acknowledged mark
//!   hold under concurrent pushes) while different devices push in parallel. The batch is
//!   inserted by one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING id`;
//!   events that were not inserted are compared with what is stored, and any difference
//!   rolls the whole batch back with [`StoreError::Conflict`].
//! - Events are immutable: triggers refuse `UPDATE`, `DELETE` and `TRUNCATE` on `event`.
//! - The schema is versioned by numbered migrations (`migrations/postgres/NNNN_*.sql`),
//!   recorded in the table `aktovka_migration`; each is applied in its own transaction under
//!   an advisory lock (two servers starting at once do not race); a database from a newer
//!   aktovka is refused untouched.
//!
//! Times are `timestamptz` and are read back as RFC 3339 UTC with milliseconds, the format
//! the SQLite store writes. Connections come from a small pool; a broken connection is
//! dropped and replaced by a new one on the next request. The client speaks without TLS:
//! reach PostgreSQL over loopback, a Unix socket or a network you trust.
//!
//! Called by `aktovka server …` (src/cli/server.rs) and by the tests; the methods block and
//! run on tokio's blocking pool.

use std::collections::HashMap;
use std::str::FromStr as _;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, NoTls, Row};
use uuid::Uuid;

use super::regrade::{Regrade, RegradeStatus};
use super::sqlite::canonical;
use super::{
    Activity, Class, Device, PublishedBundle, RosterLearner, ServerStore, StoreError, Teacher,
};
use crate::progress::Event;

/// Append only; never edit a landed migration.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_init.sql"),
    include_str!("migrations/postgres/0002_regrade.sql"),
    include_str!("migrations/postgres/0003_dashboard.sql"),
    include_str!("migrations/postgres/0004_regrade_waits_for_publish.sql"),
];

/// The schema version this program writes and understands.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// At most this many connections per server process: enough for a region's laptops pushing
/// at once (each push holds one connection for one short transaction), far below
/// PostgreSQL's default `max_connections` of 100.
pub const POOL_SIZE: usize = 16;

/// How long a request waits for a free connection before failing.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// A pooled connection idle for longer than this is checked with a round trip before use;
/// one in steady use is not (a connection that breaks in use fails that one request, and
/// the laptop retries).
const IDLE_CHECK: Duration = Duration::from_millis(100);

/// How long connecting to PostgreSQL may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a push is retried when PostgreSQL reports a deadlock or a serialisation
/// failure (both say "try again", nothing was stored).
const PUSH_ATTEMPTS: usize = 3;

/// The key of the advisory lock that serialises migrations (any fixed number; this one
/// spells "aktovka" in ASCII).
const MIGRATION_LOCK: i64 = 0x0061_6b74_6f76_6b61;

/// A `timestamptz` column as the RFC 3339 UTC text the SQLite store writes.
macro_rules! utc {
    ($col:literal) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        )
    };
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        StoreError::Postgres(e.to_string())
    }
}

/// The PostgreSQL server store.
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the password: never print it.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db` or
    /// `host=… user=… dbname=…`) and applies pending migrations.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config = postgres::Config::from_str(url).map_err(|e| {
            StoreError::Invalid(format!(
                "neplatná adresa databáze / invalid database URL: {e}"
            ))
        })?;
        config.connect_timeout(CONNECT_TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("aktovka server");
        }
        let store = PostgresStore {
            pool: Pool {
                config,
                state: Mutex::new(PoolState {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
            },
        };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the database (0 for an empty one).
    pub fn version(&self) -> Result<u32, StoreError> {
        version(&mut *self.pool.get()?)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        refuse_newer(version(&mut *conn)?)?;
        loop {
            let mut tx = conn.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS aktovka_migration (
                     version    INTEGER PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
            )?;
            let found = version(&mut tx)?;
            refuse_newer(found)?;
            if found == CURRENT_VERSION {
                tx.commit()?;
                return Ok(());
            }
            tx.batch_execute(MIGRATIONS[found as usize])?;
            tx.execute(
                "INSERT INTO aktovka_migration (version) VALUES ($1)",
                &[&i32::try_from(found + 1).unwrap_or(i32::MAX)],
            )?;
            tx.commit()?;
        }
    }
}

/// `url` (a `postgres://` URL) with its database replaced by `dbname`, query options kept;
/// `None` for a URL of another form. The tests and the benchmark make a fresh database per
/// run on one cluster with it.
pub fn url_with_dbname(url: &str, dbname: &str) -> Option<String> {
    let start = ["postgres://", "postgresql://"]
        .iter()
        .find(|scheme| url.starts_with(*scheme))?
        .len();
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let query = rest[authority_end..]
        .find('?')
        .map_or("", |i| &rest[authority_end + i..]);
    Some(format!(
        "{}{}/{dbname}{query}",
        &url[..start],
        &rest[..authority_end]
    ))
}

/// The number of the last applied migration; 0 before the first.
fn version(client: &mut impl postgres::GenericClient) -> Result<u32, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('aktovka_migration') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let v: i32 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM aktovka_migration",
            &[],
        )?
        .try_get(0)?;
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

/// A pool of at most [`POOL_SIZE`] connections, opened on demand.
struct Pool {
    config: postgres::Config,
    state: Mutex<PoolState>,
    freed: Condvar,
}

struct PoolState {
    /// With the time each was given back.
    idle: Vec<(Client, Instant)>,
    /// Connections handed out or idle.
    open: usize,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // The state is two plain fields, consistent after any panic.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self) -> Result<Conn<'_>, StoreError> {
        let deadline = Instant::now() + POOL_WAIT;
        let mut state = self.lock();
        loop {
            if let Some((mut client, since)) = state.idle.pop() {
                if client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                if since.elapsed() < IDLE_CHECK {
                    return Ok(Conn {
                        pool: self,
                        client: Some(client),
                    });
                }
                // Idle for a while: PostgreSQL may have ended it meanwhile (a restart, an
                // administrator, an idle timeout). One round trip tells, outside the lock.
                drop(state);
                if client.is_valid(CONNECT_TIMEOUT).is_ok() {
                    return Ok(Conn {
                        pool: self,
                        client: Some(client),
                    });
                }
                drop(client);
                state = self.lock();
                state.open -= 1;
                continue;
            }
            if state.open < POOL_SIZE {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Conn {
                        pool: self,
                        client: Some(client),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(StoreError::Postgres(format!(
                            "nelze se připojit / cannot connect: {e}"
                        )))
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Postgres(format!(
                    "žádné volné spojení / no free connection after {} s",
                    POOL_WAIT.as_secs()
                )));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// A connection taken from the pool; it goes back when dropped, unless it broke.
struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Only `Drop` takes the client out.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let mut state = self.pool.lock();
        match self.client.take() {
            Some(client) if !client.is_closed() => state.idle.push((client, Instant::now())),
            _ => state.open -= 1,
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Deadlocks and serialisation failures roll the transaction back and may be retried.
fn is_transient(source: Option<&postgres::Error>) -> bool {
    source.and_then(|e| e.code()).is_some_and(|c| {
        *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

const DEVICE_SELECT: &str = concat!(
    "SELECT id, class, ",
    utc!("enrolled_at"),
    ", revoked_at IS NOT NULL, ",
    utc!("last_seen_at"),
    ", acknowledged FROM device"
);

fn device_from(row: &Row) -> Result<Device, StoreError> {
    Ok(Device {
        id: row.try_get(0)?,
        class: row.try_get(1)?,
        enrolled_at: row.try_get(2)?,
        revoked: row.try_get(3)?,
        last_seen_at: row.try_get(4)?,
        acknowledged: to_u64(row.try_get(5)?),
    })
}

fn class_from(row: &Row) -> Result<Class, StoreError> {
    Ok(Class {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
    })
}

fn teacher_from(row: &Row) -> Result<Teacher, StoreError> {
    Ok(Teacher {
        name: row.try_get(0)?,
        admin: row.try_get(1)?,
    })
}

fn status_name(s: RegradeStatus) -> &'static str {
    match s {
        RegradeStatus::Match => "match",
        RegradeStatus::Mismatch => "mismatch",
        RegradeStatus::Unverifiable => "unverifiable",
    }
}

fn status_from(s: &str) -> Result<RegradeStatus, StoreError> {
    match s {
        "match" => Ok(RegradeStatus::Match),
        "mismatch" => Ok(RegradeStatus::Mismatch),
        "unverifiable" => Ok(RegradeStatus::Unverifiable),
        other => Err(StoreError::Corrupt(format!("regrade status {other:?}"))),
    }
}

fn event_from(body: &str) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))
}

impl PostgresStore {
    /// One attempt at [`ServerStore::push`]; the error keeps PostgreSQL's own so the caller
    /// can tell a transient failure.
    fn push_once(
        &self,
        device: Uuid,
        events: &[Event],
        bodies: &[String],
    ) -> Result<u64, (StoreError, Option<postgres::Error>)> {
        let pg = |e: postgres::Error| (StoreError::Postgres(e.to_string()), Some(e));
        let mut conn = self.pool.get().map_err(|e| (e, None))?;
        let mut tx = conn.transaction().map_err(pg)?;
        let Some(row) = tx
            .query_opt(
                "SELECT acknowledged FROM device WHERE id = $1 FOR UPDATE",
                &[&device],
            )
            .map_err(pg)?
        else {
            return Err((
                StoreError::NotFound(format!("zařízení / device {device}")),
                None,
            ));
        };
        let mut ack: i64 = row.try_get(0).map_err(pg)?;
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let seqs: Vec<i64> = events.iter().map(|e| to_i64(e.seq)).collect();
        let learners: Vec<Uuid> = events.iter().map(|e| e.learner).collect();
        let courses: Vec<&str> = events.iter().map(|e| e.course.as_str()).collect();
        let versions: Vec<&str> = events.iter().map(|e| e.course_version.as_str()).collect();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
        let ats: Vec<&str> = events.iter().map(|e| e.at.as_str()).collect();
        let inserted = tx
            .query(
                "INSERT INTO event (id, device, seq, learner, course, course_version, kind, at, body)
                 SELECT i, $2, s, l, c, v, k, a, b
                 FROM unnest($1::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[],
                             $7::text[], $8::text[], $9::text[]) AS t(i, s, l, c, v, k, a, b)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    &ids, &device, &seqs, &learners, &courses, &versions, &kinds, &ats, &bodies,
                ],
            )
            .map_err(pg)?;
        if inserted.len() < events.len() {
            // Not all inserted: retries of stored events, or conflicts on the id or on
            // (device, seq). Every event of the batch must now be stored with its body.
            let stored: HashMap<Uuid, String> = tx
                .query("SELECT id, body FROM event WHERE id = ANY($1)", &[&ids])
                .map_err(pg)?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, postgres::Error>>()
                .map_err(pg)?;
            for (e, body) in events.iter().zip(bodies) {
                if stored.get(&e.id) != Some(body) {
                    return Err((StoreError::Conflict(e.id), None));
                }
            }
        }
        let seqs = tx
            .query(
                "SELECT seq FROM event WHERE device = $1 AND seq > $2 ORDER BY seq",
                &[&device, &ack],
            )
            .map_err(pg)?;
        for row in seqs {
            let seq: i64 = row.try_get(0).map_err(pg)?;
            if seq != ack + 1 {
                break;
            }
            ack = seq;
        }
        tx.execute(
            "UPDATE device SET acknowledged = $2 WHERE id = $1",
            &[&device, &ack],
        )
        .map_err(pg)?;
        tx.commit().map_err(pg)?;
        Ok(to_u64(ack))
    }
}

impl ServerStore for PostgresStore {
    fn add_teacher(&self, name: &str, password_hash: &str, admin: bool) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("prázdné jméno / empty name".into()));
        }
        let n = self.pool.get()?.execute(
            "INSERT INTO teacher (name, password_hash, is_admin) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &password_hash, &admin],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "učitel už existuje / teacher already exists: {name}"
            )));
        }
        Ok(())
    }

    fn teacher_password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = self.pool.get()?.query_opt(
            "SELECT password_hash FROM teacher WHERE name = $1",
            &[&name.trim()],
        )?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    fn add_class(&self, name: &str) -> Result<Class, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "prázdný název třídy / empty class name".into(),
            ));
        }
        let id = Uuid::new_v4();
        let n = self.pool.get()?.execute(
            "INSERT INTO class (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&id, &name],
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
        let row = self.pool.get()?.query_opt(
            "SELECT id, name FROM class WHERE name = $1 OR id::text = $1",
            &[&name_or_id.trim()],
        )?;
        row.as_ref().map(class_from).transpose()
    }

    fn add_learners(&self, class: Uuid, names: &[String]) -> Result<usize, StoreError> {
        let names: Vec<&str> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        let ids: Vec<Uuid> = names.iter().map(|_| Uuid::new_v4()).collect();
        let n = self.pool.get()?.execute(
            "INSERT INTO learner (id, class, name)
             SELECT i, $2, n FROM unnest($1::uuid[], $3::text[]) AS t(i, n)
             ON CONFLICT (class, name) DO NOTHING",
            &[&ids, &class, &names],
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn roster(&self, class: Uuid) -> Result<Vec<RosterLearner>, StoreError> {
        // COLLATE "C": code-point order, as SQLite sorts, whatever the database's locale.
        self.pool
            .get()?
            .query(
                r#"SELECT id, name FROM learner WHERE class = $1 ORDER BY name COLLATE "C""#,
                &[&class],
            )?
            .iter()
            .map(|r| {
                Ok(RosterLearner {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                })
            })
            .collect()
    }

    fn add_enrolment_code(&self, class: Uuid, code_hash: &str) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "INSERT INTO enrolment_code (code_hash, class) VALUES ($1, $2)",
            &[&code_hash, &class],
        )?;
        Ok(())
    }

    fn enrol(&self, code_hash: &str, device: Uuid, token_hash: &str) -> Result<Class, StoreError> {
        let mut conn = self.pool.get()?;
        let mut tx = conn.transaction()?;
        // FOR UPDATE: of two devices using one code at once, the second waits and then
        // finds the code used.
        let row = tx.query_opt(
            "SELECT c.id, c.name FROM enrolment_code e JOIN class c ON c.id = e.class
             WHERE e.code_hash = $1 AND (e.used_by IS NULL OR e.used_by = $2)
             FOR UPDATE OF e",
            &[&code_hash, &device],
        )?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(
                "neznámý nebo použitý kód / unknown or used enrolment code".into(),
            ));
        };
        let class = class_from(&row)?;
        // The same device may use its code again: an enrolment whose answer was lost on the
        // way retries and gets a fresh token (the lost one is replaced).
        tx.execute(
            "UPDATE enrolment_code SET used_by = $2, used_at = now() WHERE code_hash = $1",
            &[&code_hash, &device],
        )?;
        // Re-enrolling a laptop gives it a new token and un-revokes it; its events and
        // acknowledged mark stay.
        tx.execute(
            "INSERT INTO device (id, class, token_hash) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET class = EXCLUDED.class,
                 token_hash = EXCLUDED.token_hash, revoked_at = NULL",
            &[&device, &class.id, &token_hash],
        )?;
        tx.commit()?;
        Ok(class)
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>, StoreError> {
        let mut conn = self.pool.get()?;
        let row = conn.query_opt(
            &format!("{DEVICE_SELECT} WHERE token_hash = $1"),
            &[&token_hash],
        )?;
        let Some(row) = row else { return Ok(None) };
        conn.execute(
            "UPDATE device SET last_seen_at = now() WHERE token_hash = $1",
            &[&token_hash],
        )?;
        device_from(&row).map(Some)
    }

    fn devices(&self) -> Result<Vec<Device>, StoreError> {
        self.pool
            .get()?
            .query(&format!("{DEVICE_SELECT} ORDER BY enrolled_at"), &[])?
            .iter()
            .map(device_from)
            .collect()
    }

    fn revoke_device(&self, device: Uuid) -> Result<(), StoreError> {
        let n = self.pool.get()?.execute(
            "UPDATE device SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1",
            &[&device],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("zařízení / device {device}")));
        }
        Ok(())
    }

    fn push(&self, device: Uuid, events: &[Event]) -> Result<u64, StoreError> {
        let bodies = events
            .iter()
            .map(canonical)
            .collect::<Result<Vec<_>, _>>()?;
        let mut attempt = 1;
        loop {
            match self.push_once(device, events, &bodies) {
                Ok(ack) => return Ok(ack),
                Err((e, source)) => {
                    if attempt < PUSH_ATTEMPTS && is_transient(source.as_ref()) {
                        attempt += 1;
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    fn acknowledged(&self, device: Uuid) -> Result<u64, StoreError> {
        let row = self
            .pool
            .get()?
            .query_opt("SELECT acknowledged FROM device WHERE id = $1", &[&device])?;
        match row {
            Some(r) => Ok(to_u64(r.try_get(0)?)),
            None => Err(StoreError::NotFound(format!("zařízení / device {device}"))),
        }
    }

    fn publish(&self, b: &PublishedBundle) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "INSERT INTO bundle (course, version, sha256, size, path) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (course, version) DO UPDATE SET sha256 = EXCLUDED.sha256,
                 size = EXCLUDED.size, path = EXCLUDED.path, published_at = now()",
            &[&b.course, &b.version, &b.sha256, &to_i64(b.size), &b.path],
        )?;
        Ok(())
    }

    fn bundles(&self) -> Result<Vec<PublishedBundle>, StoreError> {
        self.pool
            .get()?
            .query(
                r#"SELECT course, version, sha256, size, path FROM bundle
                   ORDER BY course COLLATE "C", published_at"#,
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(PublishedBundle {
                    course: r.try_get(0)?,
                    version: r.try_get(1)?,
                    sha256: r.try_get(2)?,
                    size: to_u64(r.try_get(3)?),
                    path: r.try_get(4)?,
                })
            })
            .collect()
    }

    fn attempts_to_regrade(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.pool
            .get()?
            .query(
                "SELECT e.body FROM event e LEFT JOIN regrade r ON r.event = e.id
                 WHERE e.kind = 'attempt' AND r.event IS NULL
                   AND EXISTS (SELECT 1 FROM bundle b
                               WHERE b.course = e.course AND b.version = e.course_version)
                 ORDER BY e.device, e.seq LIMIT $1",
                &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            )?
            .iter()
            .map(|r| event_from(r.try_get(0)?))
            .collect()
    }

    fn record_regrade(&self, event: Uuid, r: &Regrade) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "INSERT INTO regrade (event, status, server_score, server_passed, detail)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event) DO NOTHING",
            &[
                &event,
                &status_name(r.status),
                &r.score,
                &r.passed,
                &r.detail,
            ],
        )?;
        Ok(())
    }

    fn event_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .pool
            .get()?
            .query_one("SELECT COUNT(*) FROM event", &[])?
            .try_get(0)?;
        Ok(to_u64(n))
    }

    fn teacher(&self, name: &str) -> Result<Option<Teacher>, StoreError> {
        let row = self.pool.get()?.query_opt(
            "SELECT name, is_admin FROM teacher WHERE name = $1",
            &[&name.trim()],
        )?;
        row.as_ref().map(teacher_from).transpose()
    }

    fn classes_of(&self, teacher: &str) -> Result<Vec<Class>, StoreError> {
        self.pool
            .get()?
            .query(
                r#"SELECT c.id, c.name FROM class c, teacher t
                   WHERE t.name = $1 AND (t.is_admin OR EXISTS (
                       SELECT 1 FROM class_teacher ct WHERE ct.class = c.id AND ct.teacher = t.name))
                   ORDER BY c.name COLLATE "C""#,
                &[&teacher.trim()],
            )?
            .iter()
            .map(class_from)
            .collect()
    }

    fn assign_teacher(&self, class: Uuid, teacher: &str) -> Result<(), StoreError> {
        let teacher = teacher.trim();
        let mut conn = self.pool.get()?;
        let mut tx = conn.transaction()?;
        if tx
            .query_opt("SELECT 1 FROM teacher WHERE name = $1", &[&teacher])?
            .is_none()
        {
            return Err(StoreError::NotFound(format!("učitel / teacher {teacher}")));
        }
        if tx
            .query_opt("SELECT 1 FROM class WHERE id = $1", &[&class])?
            .is_none()
        {
            return Err(StoreError::NotFound(format!("třída / class {class}")));
        }
        tx.execute(
            "INSERT INTO class_teacher (class, teacher) VALUES ($1, $2)
             ON CONFLICT (class, teacher) DO NOTHING",
            &[&class, &teacher],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn create_session(
        &self,
        token_hash: &str,
        teacher: &str,
        ttl_secs: u64,
    ) -> Result<(), StoreError> {
        let teacher = teacher.trim();
        let ttl = f64::from(u32::try_from(ttl_secs).unwrap_or(u32::MAX));
        let mut conn = self.pool.get()?;
        let mut tx = conn.transaction()?;
        tx.execute("DELETE FROM session WHERE expires_at <= now()", &[])?;
        let n = tx.execute(
            "INSERT INTO session (token_hash, teacher, expires_at)
             SELECT $1, name, now() + make_interval(secs => $3) FROM teacher WHERE name = $2",
            &[&token_hash, &teacher, &ttl],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("učitel / teacher {teacher}")));
        }
        tx.commit()?;
        Ok(())
    }

    fn session_teacher(&self, token_hash: &str) -> Result<Option<Teacher>, StoreError> {
        let row = self.pool.get()?.query_opt(
            "SELECT t.name, t.is_admin FROM session s JOIN teacher t ON t.name = s.teacher
             WHERE s.token_hash = $1 AND s.expires_at > now()",
            &[&token_hash],
        )?;
        row.as_ref().map(teacher_from).transpose()
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.pool
            .get()?
            .execute("DELETE FROM session WHERE token_hash = $1", &[&token_hash])?;
        Ok(())
    }

    fn class_activity(&self, class: Uuid) -> Result<Vec<Activity>, StoreError> {
        self.pool
            .get()?
            .query(
                "SELECT e.body, r.status, r.server_score, r.server_passed, r.detail
                 FROM event e LEFT JOIN regrade r ON r.event = e.id
                 WHERE e.learner IN (SELECT id FROM learner WHERE class = $1)
                    OR e.device IN (SELECT id FROM device WHERE class = $1)
                 ORDER BY e.device, e.seq",
                &[&class],
            )?
            .iter()
            .map(|r| {
                let event = event_from(r.try_get(0)?)?;
                let status: Option<&str> = r.try_get(1)?;
                let regrade = status
                    .map(|s| {
                        Ok::<_, StoreError>(Regrade {
                            status: status_from(s)?,
                            score: r.try_get(2)?,
                            passed: r.try_get(3)?,
                            detail: r.try_get::<_, Option<String>>(4)?.unwrap_or_default(),
                        })
                    })
                    .transpose()?;
                Ok((event, regrade))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_with_dbname_replaces_only_the_database() {
        let cases = [
            ("postgres://u@h:5432/postgres", "postgres://u@h:5432/x"),
            ("postgres://u:p@h", "postgres://u:p@h/x"),
            (
                "postgresql://h/db?sslmode=disable",
                "postgresql://h/x?sslmode=disable",
            ),
            (
                "postgres://h?connect_timeout=3",
                "postgres://h/x?connect_timeout=3",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(url_with_dbname(url, "x").as_deref(), Some(want), "{url}");
        }
        assert_eq!(url_with_dbname("host=h dbname=d", "x"), None);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        assert!(refuse_newer(CURRENT_VERSION).is_ok());
        let e = refuse_newer(CURRENT_VERSION + 1).expect_err("newer");
        assert!(e.to_string().contains("newer aktovka"), "{e}");
    }
}
