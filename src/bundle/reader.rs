//! Opening a bundle: the one way every part of aktovka reads a `.aktovka` file.
//!
//! A bundle may come from any teacher, a USB stick or a flaky download, so [`Bundle::open`]
//! trusts nothing: before anything of it is used it checks every entry's name (no absolute
//! paths, `..`, backslashes, duplicates), type (no symlinks, no directories), compression
//! (stored or deflate only, no encryption), declared sizes and compression ratio (zip bombs),
//! and that the manifest lists exactly the entries present. Content hashes are checked
//! lazily: [`Bundle::read`] verifies an entry's sha256 before returning it, and
//! [`Bundle::verify_all`] checks them all (`aktovka inspect`). Nothing is ever written to
//! disk while reading.
//!
//! The file is memory-mapped; search index entries are stored uncompressed and
//! 4096-aligned so tantivy can use them in place ([`Bundle::search_files`]).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::ops::{Deref, Range};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::Mmap;
use sha2::{Digest, Sha256};
use tantivy::directory::OwnedBytes;
use zip::CompressionMethod;

use super::BundleError;
use super::limits::{
    MAX_BUNDLE_BYTES, MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_MANIFEST_BYTES, MAX_RATIO, MAX_TOTAL_BYTES,
    RATIO_CHECK_FROM, SEARCH_ALIGNMENT,
};
use super::manifest::{FORMAT, MANIFEST_PATH, Manifest};

/// Where one entry's data lies in the file.
#[derive(Debug, Clone)]
struct Entry {
    data: Range<usize>,
    size: u64,
    compression: CompressionMethod,
}

/// An opened, structurally checked bundle.
#[derive(Debug)]
pub struct Bundle {
    path: PathBuf,
    mmap: Arc<Mmap>,
    manifest: Manifest,
    entries: HashMap<String, Entry>,
}

/// The result of checking every entry's hash.
#[derive(Debug, Default)]
pub struct Verification {
    pub checked: usize,
    /// Entries whose content does not match the manifest, with what was wrong.
    pub problems: Vec<BundleError>,
}

impl Bundle {
    /// Opens and checks the bundle at `path`. Any problem refuses the whole bundle.
    pub fn open(path: &Path) -> Result<Bundle, BundleError> {
        let file = std::fs::File::open(path).map_err(|e| BundleError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let len = file
            .metadata()
            .map_err(|e| BundleError::Io {
                path: path.to_path_buf(),
                source: e,
            })?
            .len();
        if len > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge {
                entry: path.display().to_string(),
                size: len,
                limit: MAX_BUNDLE_BYTES,
            });
        }
        // SAFETY: the map is read-only and private to this process. Like every mmap reader
        // (tantivy included) we rely on the file not being truncated while open; bundles
        // are replaced by rename, never rewritten in place, so an open map keeps the old
        // file's pages.
        let mmap = unsafe { Mmap::map(&file) }.map_err(|e| BundleError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let entries = scan_entries(&mmap)?;
        let manifest = read_manifest(&mmap, &entries)?;
        check_listing(&manifest, &entries)?;
        Ok(Bundle {
            path: path.to_path_buf(),
            mmap: Arc::new(mmap),
            manifest,
            entries,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The bundle file's own size in bytes.
    pub fn file_size(&self) -> u64 {
        self.mmap.len() as u64
    }

    /// sha256 of the whole bundle file, as the school server publishes it.
    pub fn file_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.mmap[..]))
    }

    /// Reads one entry, decompressed and verified against the manifest's sha256.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, BundleError> {
        let entry = self
            .entries
            .get(name)
            .filter(|_| name != MANIFEST_PATH)
            .ok_or_else(|| BundleError::NotFound(name.to_owned()))?;
        let bytes = inflate(name, &self.mmap, entry)?;
        self.verify(name, &bytes)?;
        Ok(bytes)
    }

    /// The search index files (names relative to `search/`), as slices of the mapped file,
    /// each verified against its hash. No byte is copied or written.
    pub fn search_files(&self) -> Result<Vec<(String, OwnedBytes)>, BundleError> {
        let whole = OwnedBytes::new(MappedFile(self.mmap.clone()));
        let mut out = Vec::new();
        for file in &self.manifest.search.files {
            let name = format!("search/{file}");
            let entry = self
                .entries
                .get(&name)
                .ok_or_else(|| BundleError::MissingEntry(name.clone()))?;
            if entry.compression != CompressionMethod::Stored
                || entry.data.start % SEARCH_ALIGNMENT != 0
            {
                return Err(BundleError::NotAligned(name));
            }
            let slice = whole.slice(entry.data.clone());
            self.verify(&name, slice.as_slice())?;
            out.push((file.clone(), slice));
        }
        Ok(out)
    }

    /// Checks every entry's hash; used by `aktovka inspect`.
    pub fn verify_all(&self) -> Verification {
        let mut v = Verification::default();
        let mut names: Vec<&String> = self.manifest.files.keys().collect();
        names.sort();
        for name in names {
            v.checked += 1;
            let result = self
                .entries
                .get(name.as_str())
                .ok_or_else(|| BundleError::MissingEntry(name.clone()))
                .and_then(|e| inflate(name, &self.mmap, e))
                .and_then(|bytes| self.verify(name, &bytes));
            if let Err(e) = result {
                v.problems.push(e);
            }
        }
        for name in &self.manifest.search.files {
            let name = format!("search/{name}");
            if let Some(e) = self.entries.get(&name)
                && (e.compression != CompressionMethod::Stored
                    || e.data.start % SEARCH_ALIGNMENT != 0)
            {
                v.problems.push(BundleError::NotAligned(name));
            }
        }
        v
    }

    /// Sizes of all entries (uncompressed), for summaries.
    pub fn entry_sizes(&self) -> BTreeMap<String, u64> {
        self.entries
            .iter()
            .map(|(k, e)| (k.clone(), e.size))
            .collect()
    }

    fn verify(&self, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
        let expected = self
            .manifest
            .files
            .get(name)
            .ok_or_else(|| BundleError::Unlisted(name.to_owned()))?;
        let actual = hex::encode(Sha256::digest(bytes));
        if &actual == expected {
            Ok(())
        } else {
            Err(BundleError::HashMismatch {
                entry: name.to_owned(),
                expected: expected.clone(),
                actual,
            })
        }
    }
}

/// The whole mapped file as tantivy's owned bytes.
struct MappedFile(Arc<Mmap>);

impl Deref for MappedFile {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0[..]
    }
}

// SAFETY: the bytes live in the mapping owned by the Arc; moving `MappedFile` moves only
// the pointer, never the mapped bytes, so derefs stay valid.
unsafe impl stable_deref_trait::StableDeref for MappedFile {}

/// Decompresses one entry, never producing more than its declared size.
fn inflate(name: &str, data: &[u8], entry: &Entry) -> Result<Vec<u8>, BundleError> {
    let raw = &data[entry.data.clone()];
    let corrupt = |why: String| BundleError::Corrupt {
        entry: name.to_owned(),
        reason: why,
    };
    let out = match entry.compression {
        CompressionMethod::Stored => raw.to_vec(),
        CompressionMethod::Deflated => {
            let mut out = Vec::with_capacity(entry.size as usize);
            flate2::read::DeflateDecoder::new(raw)
                .take(entry.size + 1)
                .read_to_end(&mut out)
                .map_err(|e| corrupt(e.to_string()))?;
            out
        }
        other => {
            return Err(BundleError::Compression {
                entry: name.to_owned(),
                method: format!("{other:?}"),
            });
        }
    };
    if out.len() as u64 != entry.size {
        return Err(corrupt(format!(
            "ohlášená velikost {} B, skutečná {} B / declared size differs",
            entry.size,
            out.len()
        )));
    }
    Ok(out)
}

/// Why an entry name is unsafe to use as a path, if it is.
pub fn unsafe_name_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("prázdný název / empty name")
    } else if name.contains('\\') {
        Some("zpětné lomítko / backslash")
    } else if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        Some("absolutní cesta / absolute path")
    } else if name
        .split('/')
        .any(|c| c == ".." || c == "." || c.is_empty())
    {
        Some("`..`, `.` nebo prázdná část cesty / `..`, `.` or empty component")
    } else if name.chars().any(char::is_control) {
        Some("řídicí znak v názvu / control character")
    } else {
        None
    }
}

/// Reads the central directory: names, types, sizes, data ranges; refuses anything unsafe.
fn scan_entries(data: &[u8]) -> Result<HashMap<String, Entry>, BundleError> {
    let names = super::central_dir::entry_names(data)?;
    if names.len() > MAX_ENTRIES {
        return Err(BundleError::TooManyEntries(names.len()));
    }
    let mut seen = std::collections::HashSet::new();
    for name in &names {
        if let Some(reason) = unsafe_name_reason(name) {
            return Err(BundleError::UnsafeName {
                entry: name.clone(),
                reason,
            });
        }
        if !seen.insert(name.as_str()) {
            return Err(BundleError::Duplicate(name.clone()));
        }
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| BundleError::NotZip(e.to_string()))?;
    let mut entries = HashMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let f = archive
            .by_index_raw(i)
            .map_err(|e| BundleError::NotZip(e.to_string()))?;
        let name = f
            .name()
            .map_err(|e| BundleError::NotZip(e.to_string()))?
            .into_owned();
        if f.is_dir() || name.ends_with('/') {
            return Err(BundleError::UnsafeName {
                entry: name,
                reason: "složka v archivu / directory entry",
            });
        }
        if f.is_symlink() {
            return Err(BundleError::Symlink(name));
        }
        if f.encrypted() {
            return Err(BundleError::Compression {
                entry: name,
                method: "encrypted".into(),
            });
        }
        let (size, csize) = (f.size(), f.compressed_size());
        if size > MAX_ENTRY_BYTES {
            return Err(BundleError::TooLarge {
                entry: name,
                size,
                limit: MAX_ENTRY_BYTES,
            });
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(BundleError::TooLarge {
                entry: name,
                size: total,
                limit: MAX_TOTAL_BYTES,
            });
        }
        if size >= RATIO_CHECK_FROM && size / csize.max(1) > MAX_RATIO {
            return Err(BundleError::Ratio {
                entry: name,
                ratio: size / csize.max(1),
            });
        }
        let start = f.data_start().ok_or_else(|| BundleError::Corrupt {
            entry: name.clone(),
            reason: "bez začátku dat / no data offset".into(),
        })?;
        let end = start.checked_add(csize).filter(|&e| e <= data.len() as u64);
        let Some(end) = end else {
            return Err(BundleError::Corrupt {
                entry: name,
                reason: "data za koncem souboru / data past the end of the file".into(),
            });
        };
        let compression = f.compression();
        if !matches!(
            compression,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(BundleError::Compression {
                entry: name,
                method: format!("{compression:?}"),
            });
        }
        if compression == CompressionMethod::Stored && size != csize {
            return Err(BundleError::Corrupt {
                entry: name,
                reason: "nekomprimovaná data s jinou velikostí / stored entry with two sizes"
                    .into(),
            });
        }
        if !seen.contains(name.as_str()) {
            // The zip reader and the central directory scan disagree: a crafted archive.
            return Err(BundleError::NotZip(format!(
                "entry `{name}` not in the central directory"
            )));
        }
        entries.insert(
            name,
            Entry {
                data: start as usize..end as usize,
                size,
                compression,
            },
        );
    }
    if entries.len() != names.len() {
        return Err(BundleError::NotZip(
            "central directory and entries disagree".into(),
        ));
    }
    Ok(entries)
}

fn read_manifest(data: &[u8], entries: &HashMap<String, Entry>) -> Result<Manifest, BundleError> {
    let entry = entries
        .get(MANIFEST_PATH)
        .ok_or(BundleError::MissingManifest)?;
    if entry.size > MAX_MANIFEST_BYTES {
        return Err(BundleError::TooLarge {
            entry: MANIFEST_PATH.into(),
            size: entry.size,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let bytes = inflate(MANIFEST_PATH, data, entry)?;
    // Read the format first so a future format gets a clear message, not a field error.
    let format = serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_err(|e| BundleError::BadManifest(e.to_string()))?
        .get("format")
        .and_then(|f| f.as_str().map(str::to_owned));
    if format.as_deref() != Some(FORMAT) {
        return Err(BundleError::WrongFormat(
            format.unwrap_or_else(|| "(none)".into()),
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| BundleError::BadManifest(e.to_string()))
}

/// The manifest must list exactly the entries present, and its own references must agree.
fn check_listing(manifest: &Manifest, entries: &HashMap<String, Entry>) -> Result<(), BundleError> {
    let mut names: Vec<&String> = entries.keys().collect();
    names.sort();
    for name in names {
        if name != MANIFEST_PATH && !manifest.files.contains_key(name) {
            return Err(BundleError::Unlisted(name.clone()));
        }
    }
    for (name, hash) in &manifest.files {
        if !entries.contains_key(name) {
            return Err(BundleError::MissingEntry(name.clone()));
        }
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(BundleError::BadManifest(format!(
                "`{name}`: sha256 is not 64 hex digits"
            )));
        }
    }
    let listed = |path: &str| {
        if manifest.files.contains_key(path) {
            Ok(())
        } else {
            Err(BundleError::MissingEntry(path.to_owned()))
        }
    };
    for l in &manifest.lessons {
        listed(&l.path)?;
    }
    for p in &manifest.plugins {
        listed(&p.path)?;
        if manifest.files.get(&p.path) != Some(&p.sha256) {
            return Err(BundleError::BadManifest(format!(
                "plugin `{}`: sha256 differs from files",
                p.name
            )));
        }
    }
    for f in &manifest.search.files {
        listed(&format!("search/{f}"))?;
    }
    Ok(())
}
