//! The store's schema: numbered, append-only SQL migrations and the code that applies them.
//!
//! A store's schema version is `PRAGMA user_version`: the number of the last migration
//! applied. Opening a store applies every newer migration in order, each in its own
//! `IMMEDIATE` transaction together with the `user_version` bump, so a crash leaves the file
//! at one version or the next, never between. A file whose version is newer than
//! [`CURRENT_VERSION`] was written by a newer aktovka and is refused untouched: guessing at
//! a schema we do not know could destroy a pupil's work.

use rusqlite::{Connection, TransactionBehavior};

use super::ProgressError;

/// The migrations, in order: migration `n` (1-based) is `MIGRATIONS[n - 1]`. Append only;
/// never edit or reorder a landed one (a school's laptops have already run it).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_event_learner_course.sql"),
    include_str!("migrations/0003_roster_learners.sql"),
];

/// The schema version this program writes and understands.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// Reads `PRAGMA user_version`.
pub(crate) fn version(conn: &Connection) -> Result<u32, ProgressError> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(v).map_err(|_| {
        ProgressError::Corrupt(format!(
            "neplatná verze schématu {v} / invalid schema version {v}"
        ))
    })
}

/// Fails with [`ProgressError::Corrupt`] when `found` is newer than this program knows.
pub(crate) fn refuse_newer(found: u32) -> Result<(), ProgressError> {
    if found > CURRENT_VERSION {
        return Err(ProgressError::Corrupt(format!(
            "databázi pokroku zapsala novější verze aktovky (schéma {found}, tato verze zná nejvýše {CURRENT_VERSION}); nainstalujte novější aktovku / \
             the progress database was written by a newer aktovka (schema {found}, this one knows up to {CURRENT_VERSION}); install a newer aktovka"
        )));
    }
    Ok(())
}

/// Applies every migration above the file's version. Safe against another process opening
/// the same file at the same time: the version is re-read inside each write transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), ProgressError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        refuse_newer(found)?;
        if found == CURRENT_VERSION {
            return Ok(());
        }
        let sql = MIGRATIONS[found as usize];
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
