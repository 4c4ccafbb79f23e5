//! The school server: enrolled laptops push their progress events here and pull the class
//! roster and published course bundles (protocol v1, `docs/sync-protocol.md`).
//!
//! Storage sits behind one trait, [`ServerStore`], with two implementations that keep the
//! same invariants and pass the same tests: SQLite ([`sqlite::SqliteStore`],
//! `<data>/server.sqlite`, the default) and PostgreSQL ([`postgres::PostgresStore`], for a
//! region-wide server, `--database postgres://…`; `docs/server.md`). The HTTP layer
//! ([`api`]) sees only the trait.
//!
//! Invariants:
//! - An event is stored once, by id. The same id with different content is refused with
//!   [`StoreError::Conflict`] and the stored event is kept; a batch is stored whole or not
//!   at all.
//! - A device's acknowledged mark is the highest `seq` up to which every one of its events
//!   is stored: a gap stops it, so a client that re-sends from the mark loses nothing.
//! - Device tokens and enrolment codes are kept only as sha256 hashes (both are random,
//!   high-entropy strings); teacher passwords as argon2id PHC strings.
//!
//! Called by `aktovka server …` (src/cli/server.rs) and by the tests.

pub mod api;
pub mod dashboard;
pub mod postgres;
pub mod regrade;
pub mod sqlite;
pub mod tls;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::progress::Event;

/// The file name of the SQLite store inside the server's data directory.
pub const DB_FILE: &str = "server.sqlite";

/// The folder of published bundles inside the server's data directory.
pub const BUNDLE_DIR: &str = "bundles";

/// Errors of the server store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Occurs when the database fails: disk full or read-only, locked, a query failed.
    #[error("databáze serveru / server database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Occurs when PostgreSQL fails: it cannot be reached, refuses the login, or a query
    /// failed ([`postgres::PostgresStore`]).
    #[error("databáze serveru (PostgreSQL) / server database (PostgreSQL): {0}")]
    Postgres(String),
    /// Occurs when the file is not a server store this program can use (not SQLite, or
    /// written by a newer aktovka).
    #[error("{0}")]
    Corrupt(String),
    /// Occurs when a pushed event has the id of a stored event but different content, or
    /// the (device, seq) of a stored event but another id. Nothing of the batch is stored.
    #[error("konflikt události / event conflict: {0}")]
    Conflict(Uuid),
    /// Occurs when a name, code or id names nothing (unknown class, used code, …).
    #[error("nenalezeno / not found: {0}")]
    NotFound(String),
    /// Occurs when input is refused (duplicate name, empty name, …).
    #[error("{0}")]
    Invalid(String),
}

/// A class of the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Class {
    pub id: Uuid,
    pub name: String,
}

/// A learner on a class roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterLearner {
    pub id: Uuid,
    pub name: String,
}

/// An enrolled laptop as the server sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: Uuid,
    pub class: Uuid,
    pub enrolled_at: String,
    pub revoked: bool,
    pub last_seen_at: Option<String>,
    pub acknowledged: u64,
}

/// A published course bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedBundle {
    pub course: String,
    pub version: String,
    pub sha256: String,
    pub size: u64,
    /// Relative to the server's data directory.
    pub path: String,
}

/// A teacher account as the dashboard sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teacher {
    pub name: String,
    /// The admin sees every class.
    pub admin: bool,
}

/// One synced event of a class with the server's re-grading of it, if any
/// ([`ServerStore::class_activity`]).
pub type Activity = (Event, Option<regrade::Regrade>);

/// The storage of the school server. Every method is one transaction; implementations
/// serialise or pool connections themselves and are shared between request handlers.
pub trait ServerStore: Send + Sync {
    /// Adds a teacher (or the admin) with an argon2 PHC password hash.
    fn add_teacher(&self, name: &str, password_hash: &str, admin: bool) -> Result<(), StoreError>;
    /// The PHC password hash of a teacher, if the name is known.
    fn teacher_password_hash(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// Adds a class; names are unique.
    fn add_class(&self, name: &str) -> Result<Class, StoreError>;
    /// A class by name or id.
    fn class(&self, name_or_id: &str) -> Result<Option<Class>, StoreError>;
    /// Adds learners to a class roster, skipping names already on it; returns how many
    /// were added.
    fn add_learners(&self, class: Uuid, names: &[String]) -> Result<usize, StoreError>;
    /// A class's roster, by name.
    fn roster(&self, class: Uuid) -> Result<Vec<RosterLearner>, StoreError>;
    /// Stores the hash of a new one-time enrolment code for a class.
    fn add_enrolment_code(&self, class: Uuid, code_hash: &str) -> Result<(), StoreError>;
    /// Uses up an enrolment code and enrols (or re-enrols, with a new token) a device.
    /// Fails with [`StoreError::NotFound`] for an unknown code or one used by another
    /// device; the device that used a code may use it again (a retried enrolment).
    fn enrol(&self, code_hash: &str, device: Uuid, token_hash: &str) -> Result<Class, StoreError>;
    /// The device a token belongs to, revoked or not; records that it was seen.
    fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>, StoreError>;
    /// All enrolled devices.
    fn devices(&self) -> Result<Vec<Device>, StoreError>;
    /// Revokes a device: its token is refused from now on.
    fn revoke_device(&self, device: Uuid) -> Result<(), StoreError>;
    /// Stores a batch of one device's events (all or nothing) and returns the device's
    /// acknowledged mark afterwards.
    fn push(&self, device: Uuid, events: &[Event]) -> Result<u64, StoreError>;
    /// The device's acknowledged mark.
    fn acknowledged(&self, device: Uuid) -> Result<u64, StoreError>;
    /// Records a published bundle, replacing the record of the same course and version.
    fn publish(&self, bundle: &PublishedBundle) -> Result<(), StoreError>;
    /// Every published bundle, newest version of each course last.
    fn bundles(&self) -> Result<Vec<PublishedBundle>, StoreError>;
    /// Stored attempt events not yet re-graded whose course version has a published
    /// bundle, at most `limit`, by device and seq. Attempts of an unpublished version stay
    /// pending without being returned until that version is published.
    fn attempts_to_regrade(&self, limit: usize) -> Result<Vec<Event>, StoreError>;
    /// Records the server's grading of an attempt (once; a second record is ignored).
    fn record_regrade(&self, event: Uuid, regrade: &regrade::Regrade) -> Result<(), StoreError>;
    /// Number of stored events (all devices).
    fn event_count(&self) -> Result<u64, StoreError>;
    /// A teacher by name (trimmed), if known.
    fn teacher(&self, name: &str) -> Result<Option<Teacher>, StoreError>;
    /// The classes a teacher may see, by name: every class for an admin, the assigned ones
    /// for a teacher, none for an unknown name.
    fn classes_of(&self, teacher: &str) -> Result<Vec<Class>, StoreError>;
    /// Links a class to a teacher (idempotent); [`StoreError::NotFound`] for an unknown
    /// teacher or class.
    fn assign_teacher(&self, class: Uuid, teacher: &str) -> Result<(), StoreError>;
    /// Stores a dashboard session by the sha256 of its cookie token, valid for `ttl_secs`
    /// from now; expired sessions are deleted on the way.
    fn create_session(
        &self,
        token_hash: &str,
        teacher: &str,
        ttl_secs: u64,
    ) -> Result<(), StoreError>;
    /// The teacher of an unexpired session.
    fn session_teacher(&self, token_hash: &str) -> Result<Option<Teacher>, StoreError>;
    /// Ends a session (no error if there is none).
    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Every stored event of a learner on the class roster or of a device enrolled in the
    /// class, each once, ordered by device and seq, with its re-grading if there is one.
    fn class_activity(&self, class: Uuid) -> Result<Vec<Activity>, StoreError>;
}

/// sha256 hex of a secret (token or enrolment code).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh random secret of `bytes` random bytes, as lowercase hex.
pub fn random_secret(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Invalid(format!("náhoda nedostupná / no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

/// A one-time enrolment code a teacher can read aloud: 10 characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L), in two groups of five joined by a dash, e.g.
/// `K7M2P-QX9RT`.
pub fn new_enrolment_code() -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Invalid(format!("náhoda nedostupná / no randomness: {e}")))?;
    let mut code = String::with_capacity(11);
    for (i, b) in buf.iter().enumerate() {
        if i == 5 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    Ok(code)
}

/// Normalises a typed enrolment code (case, spaces, dashes) before hashing it.
pub fn normalize_code(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if clean.len() == 10 {
        format!("{}-{}", &clean[..5], &clean[5..])
    } else {
        clean
    }
}

/// Hashes a teacher password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| StoreError::Invalid(format!("náhoda nedostupná / no randomness: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| StoreError::Invalid(format!("argon2: {e}")))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("argon2: {e}")))
}

/// Checks a password against a PHC string from [`hash_password`].
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The learner names in a roster CSV: UTF-8 (a BOM is skipped), `;` or `,` separated (as
/// Czech Excel and LibreOffice write), the name in the column headed `jméno`/`name` or
/// else the first column; a first row that is such a header is skipped, blank rows too.
pub fn roster_csv(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sep = if text.lines().next().is_some_and(|l| l.contains(';')) {
        ';'
    } else {
        ','
    };
    let is_header = |cell: &str| {
        matches!(
            cell.trim().to_lowercase().as_str(),
            "jméno" | "jmeno" | "name" | "žák" | "learner" | "jméno a příjmení"
        )
    };
    let mut column = 0;
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line
            .split(sep)
            .map(|c| c.trim().trim_matches('"').trim())
            .collect();
        if i == 0
            && let Some(pos) = cells.iter().position(|c| is_header(c))
        {
            column = pos;
            continue;
        }
        if let Some(name) = cells.get(column).filter(|n| !n.is_empty()) {
            names.push((*name).to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_csv_reads_czech_excel_export() {
        let csv = "\u{feff}Třída;Jméno\n7.A;Anežka Nováková\n7.A;\"Jiří Dvořák\"\n\n7.A;\n";
        assert_eq!(roster_csv(csv), ["Anežka Nováková", "Jiří Dvořák"]);
    }

    #[test]
    fn roster_csv_without_header_takes_first_column() {
        assert_eq!(roster_csv("Eva,7.B\nPetr,7.B\n"), ["Eva", "Petr"]);
    }

    #[test]
    fn codes_normalise_and_passwords_verify() {
        let code = new_enrolment_code().unwrap();
        assert_eq!(normalize_code(&code.to_lowercase().replace('-', " ")), code);
        let phc = hash_password("tajne-heslo").unwrap();
        assert!(verify_password("tajne-heslo", &phc));
        assert!(!verify_password("jine-heslo", &phc));
    }
}
