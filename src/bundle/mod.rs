//! Bundles: the single offline file (`<id>-<version>.aktovka`, a zip) that carries a course
//! to a laptop. [`write`] makes one from a checked course; [`Bundle`] opens one, refusing
//! anything unsafe before any of it is used. The layout is documented in
//! `docs/bundle-format.md`; limits are in [`limits`].

mod central_dir;
pub mod limits;
pub mod manifest;
mod reader;
mod writer;

pub use manifest::{
    FORMAT, MANIFEST_PATH, Manifest, ManifestCourse, ManifestExercise, ManifestLesson,
    ManifestPlugin, ManifestSearch, bundle_file_name,
};
pub use reader::{Bundle, Verification, unsafe_name_reason};
pub use writer::{BundleContents, write};

use std::path::PathBuf;

/// Why a bundle was refused or could not be read or written. Every variant names the entry
/// at fault where there is one.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Occurs when the bundle file cannot be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Occurs when the file is not a readable zip archive.
    #[error("není to platný balíček (zip) / not a valid bundle zip: {0}")]
    NotZip(String),
    /// Occurs when an entry's name could escape the target directory or is malformed.
    #[error("nebezpečný název položky `{entry}`: {reason} / unsafe entry name")]
    UnsafeName { entry: String, reason: &'static str },
    /// Occurs when two entries have the same name.
    #[error("položka `{0}` je v balíčku dvakrát / duplicate entry")]
    Duplicate(String),
    /// Occurs when an entry is a symbolic link.
    #[error("položka `{0}` je symbolický odkaz / symlink entry")]
    Symlink(String),
    /// Occurs when there are more entries than any course needs.
    #[error("příliš mnoho položek ({0}) / too many entries")]
    TooManyEntries(usize),
    /// Occurs when an entry, all entries together, or the file exceed their size limit.
    #[error("položka `{entry}` je příliš velká ({size} B, nejvýše {limit} B) / too large")]
    TooLarge {
        entry: String,
        size: u64,
        limit: u64,
    },
    /// Occurs when an entry compresses suspiciously well (a zip bomb).
    #[error(
        "položka `{entry}` má podezřelý kompresní poměr {ratio}:1 (zip bomba?) / compression ratio too high"
    )]
    Ratio { entry: String, ratio: u64 },
    /// Occurs when an entry uses a compression method other than stored or deflate.
    #[error("položka `{entry}` používá nepodporovanou kompresi {method} / unsupported compression")]
    Compression { entry: String, method: String },
    /// Occurs when an entry's data is damaged.
    #[error("položka `{entry}` je poškozená: {reason} / corrupt entry")]
    Corrupt { entry: String, reason: String },
    /// Occurs when the bundle has no `manifest.json`.
    #[error("balíček nemá manifest.json / missing manifest.json")]
    MissingManifest,
    /// Occurs when `manifest.json` is not valid for this format.
    #[error("neplatný manifest.json: {0} / invalid manifest")]
    BadManifest(String),
    /// Occurs when the manifest's format is not `aktovka-bundle/1`.
    #[error(
        "neznámý formát balíčku `{0}` (umím aktovka-bundle/1); aktualizuj aktovku / unsupported bundle format"
    )]
    WrongFormat(String),
    /// Occurs when the zip holds an entry the manifest does not list.
    #[error("položka `{0}` není v manifestu / entry not listed in the manifest")]
    Unlisted(String),
    /// Occurs when the manifest lists an entry the zip does not hold.
    #[error("položka `{0}` chybí / entry listed in the manifest is missing")]
    MissingEntry(String),
    /// Occurs when an entry's content does not match its sha256 in the manifest.
    #[error(
        "položka `{entry}` neodpovídá kontrolnímu součtu (očekáváno {expected}, je {actual}) / hash mismatch"
    )]
    HashMismatch {
        entry: String,
        expected: String,
        actual: String,
    },
    /// Occurs when a search index entry is compressed or not 4096-aligned.
    #[error(
        "položka `{0}` rejstříku musí být nekomprimovaná a zarovnaná na 4096 B / search entry not stored aligned"
    )]
    NotAligned(String),
    /// Occurs when a caller asks for an entry the bundle does not have.
    #[error("položka `{0}` v balíčku není / no such entry")]
    NotFound(String),
}

impl BundleError {
    /// The entry at fault, if the error concerns one.
    pub fn entry(&self) -> Option<&str> {
        match self {
            BundleError::UnsafeName { entry, .. }
            | BundleError::TooLarge { entry, .. }
            | BundleError::Ratio { entry, .. }
            | BundleError::Compression { entry, .. }
            | BundleError::Corrupt { entry, .. }
            | BundleError::HashMismatch { entry, .. } => Some(entry),
            BundleError::Duplicate(e)
            | BundleError::Symlink(e)
            | BundleError::Unlisted(e)
            | BundleError::MissingEntry(e)
            | BundleError::NotAligned(e)
            | BundleError::NotFound(e) => Some(e),
            BundleError::MissingManifest
            | BundleError::BadManifest(_)
            | BundleError::WrongFormat(_) => Some(MANIFEST_PATH),
            _ => None,
        }
    }
}
