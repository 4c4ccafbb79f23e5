//! Hostile bundles: each is refused by `aktovka inspect` (exit 1) with the bad entry named,
//! and by the library's `Bundle::open` before anything of it is used. The bundles are built
//! here byte by byte with a tiny zip writer, because a well-behaved zip library will not
//! write most of them.

use std::collections::BTreeMap;
use std::io::Write;

use aktovka::bundle::{Bundle, BundleError};
use sha2::{Digest, Sha256};

use crate::util::aktovka;

/// One raw zip entry.
struct RawEntry {
    name: String,
    data: Vec<u8>,
    /// Deflate the data (method 8) instead of storing it.
    deflate: bool,
    /// Unix mode in the external attributes (0 = none).
    unix_mode: u32,
    /// Override the declared uncompressed size.
    declared_size: Option<u32>,
}

fn entry(name: &str, data: &[u8]) -> RawEntry {
    RawEntry {
        name: name.into(),
        data: data.to_vec(),
        deflate: false,
        unix_mode: 0,
        declared_size: None,
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Writes a zip with exactly these entries, in order, as given.
fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let payload = if e.deflate {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&e.data).unwrap();
            enc.finish().unwrap()
        } else {
            e.data.clone()
        };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let size = e.declared_size.unwrap_or(e.data.len() as u32);
        let crc = crc32(&e.data);
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&payload);
        // Central directory header.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        let made_by: u16 = if e.unix_mode != 0 { 3 << 8 | 20 } else { 20 };
        central.extend_from_slice(&made_by.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A manifest listing `files` with the given hashes.
fn manifest(files: &BTreeMap<String, String>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "format": "aktovka-bundle/1",
        "generator": "test",
        "course": {"id": "zly", "title": "Zlý", "version": "1.0.0", "language": "cs"},
        "lessons": [],
        "exercises": [],
        "plugins": [],
        "files": files,
        "search": {"analyzer": "cs", "schema_version": 1, "files": []}
    }))
    .unwrap()
}

/// A bundle whose manifest honestly lists `entries` (hashes of their real data), plus the
/// manifest itself.
fn honest(mut entries: Vec<RawEntry>) -> Vec<u8> {
    let files = entries
        .iter()
        .map(|e| (e.name.clone(), sha(&e.data)))
        .collect();
    entries.push(entry("manifest.json", &manifest(&files)));
    raw_zip(&entries)
}

/// Writes `bytes` as a bundle file, checks that both the library and `inspect` refuse it
/// naming `entry`, and returns the library's error.
fn refused(bytes: Vec<u8>, entry: &str) -> BundleError {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zly.aktovka");
    std::fs::write(&path, bytes).unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let err = Bundle::open(&path).expect_err("hostile bundle must be refused");
    assert_eq!(err.entry(), Some(entry), "{err}");
    let run = aktovka(&["inspect", path.to_str().unwrap()]).expect_code(1);
    assert!(
        run.stderr().contains(entry),
        "entry {entry} not named:\n{}",
        run.stderr()
    );
    assert!(run.stderr().contains("odmítnut"), "{}", run.stderr());
    // Nothing of it was extracted or written next to it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), before.len());
    err
}

#[test]
fn a_plain_honest_bundle_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.aktovka");
    std::fs::write(&path, honest(vec![entry("assets/a.txt", b"ahoj")])).unwrap();
    let b = Bundle::open(&path).unwrap();
    assert_eq!(b.read("assets/a.txt").unwrap(), b"ahoj");
    aktovka(&["inspect", path.to_str().unwrap()]).expect_code(0);
}

#[test]
fn absolute_path() {
    let e = refused(
        honest(vec![entry("/etc/cron.d/zle", b"x")]),
        "/etc/cron.d/zle",
    );
    assert!(matches!(e, BundleError::UnsafeName { .. }));
}

#[test]
fn parent_dir_traversal() {
    let e = refused(
        honest(vec![entry("assets/../../zle.sh", b"x")]),
        "assets/../../zle.sh",
    );
    assert!(matches!(e, BundleError::UnsafeName { .. }));
}

#[test]
fn backslash_in_name() {
    let e = refused(
        honest(vec![entry("assets\\..\\zle.bat", b"x")]),
        "assets\\..\\zle.bat",
    );
    assert!(matches!(e, BundleError::UnsafeName { .. }));
}

#[test]
fn windows_drive_path() {
    refused(
        honest(vec![entry("C:/Windows/zle.dll", b"x")]),
        "C:/Windows/zle.dll",
    );
}

#[test]
fn symlink_entry() {
    let mut link = entry("assets/odkaz", b"/etc/passwd");
    link.unix_mode = 0o120777;
    let e = refused(honest(vec![link]), "assets/odkaz");
    assert!(matches!(e, BundleError::Symlink(_)));
}

#[test]
fn duplicate_names() {
    let e = refused(
        honest(vec![
            entry("assets/a.txt", b"one"),
            entry("assets/a.txt", b"two"),
        ]),
        "assets/a.txt",
    );
    assert!(matches!(e, BundleError::Duplicate(_)));
}

#[test]
fn entry_missing_from_manifest() {
    let files = BTreeMap::from([("assets/a.txt".to_string(), sha(b"a"))]);
    let bytes = raw_zip(&[
        entry("assets/a.txt", b"a"),
        entry("assets/navic.js", b"alert(1)"),
        entry("manifest.json", &manifest(&files)),
    ]);
    let e = refused(bytes, "assets/navic.js");
    assert!(matches!(e, BundleError::Unlisted(_)));
}

#[test]
fn manifest_lists_a_missing_entry() {
    let files = BTreeMap::from([("lessons/chybi.html".to_string(), sha(b"a"))]);
    let e = refused(
        raw_zip(&[entry("manifest.json", &manifest(&files))]),
        "lessons/chybi.html",
    );
    assert!(matches!(e, BundleError::MissingEntry(_)));
}

#[test]
fn hash_mismatch_is_found_by_inspect_and_read() {
    let files = BTreeMap::from([("assets/a.txt".to_string(), sha(b"original"))]);
    let bytes = raw_zip(&[
        entry("assets/a.txt", b"podvrh"),
        entry("manifest.json", &manifest(&files)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zly.aktovka");
    std::fs::write(&path, bytes).unwrap();
    let b = Bundle::open(&path).unwrap();
    assert!(matches!(
        b.read("assets/a.txt"),
        Err(BundleError::HashMismatch { .. })
    ));
    let run = aktovka(&["inspect", path.to_str().unwrap()]).expect_code(1);
    assert!(run.stderr().contains("assets/a.txt"), "{}", run.stderr());
    assert!(run.stderr().contains("hash mismatch"), "{}", run.stderr());
}

#[test]
fn zip_bomb_by_ratio() {
    let mut bomb = entry("assets/bomba.txt", &vec![0u8; 50 << 20]);
    bomb.deflate = true;
    let e = refused(honest(vec![bomb]), "assets/bomba.txt");
    assert!(matches!(e, BundleError::Ratio { .. }), "{e}");
}

#[test]
fn oversized_declared_entry() {
    let mut big = entry("assets/velky.bin", b"small");
    big.declared_size = Some(300 << 20);
    let e = refused(honest(vec![big]), "assets/velky.bin");
    assert!(
        matches!(
            e,
            BundleError::TooLarge { .. } | BundleError::Corrupt { .. }
        ),
        "{e}"
    );
}

#[test]
fn declared_size_lies_about_deflated_data() {
    // Declares 10 bytes but inflates to 100 KiB: reading stops at the declared size.
    let mut liar = entry("assets/lhar.txt", &vec![b'a'; 100 << 10]);
    liar.deflate = true;
    liar.declared_size = Some(10);
    let files = BTreeMap::from([("assets/lhar.txt".to_string(), sha(&liar.data))]);
    let bytes = raw_zip(&[liar, entry("manifest.json", &manifest(&files))]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zly.aktovka");
    std::fs::write(&path, bytes).unwrap();
    let b = Bundle::open(&path).unwrap();
    assert!(matches!(
        b.read("assets/lhar.txt"),
        Err(BundleError::Corrupt { .. })
    ));
    aktovka(&["inspect", path.to_str().unwrap()]).expect_code(1);
}

#[test]
fn missing_manifest() {
    let e = refused(
        raw_zip(&[entry("lessons/a.html", b"<p>a</p>")]),
        "manifest.json",
    );
    assert!(matches!(e, BundleError::MissingManifest));
}

#[test]
fn future_format_version() {
    let m = serde_json::to_vec(&serde_json::json!({"format": "aktovka-bundle/9"})).unwrap();
    let e = refused(raw_zip(&[entry("manifest.json", &m)]), "manifest.json");
    assert!(matches!(e, BundleError::WrongFormat(_)));
}

#[test]
fn garbage_manifest() {
    let e = refused(
        raw_zip(&[entry("manifest.json", b"{not json")]),
        "manifest.json",
    );
    assert!(matches!(e, BundleError::BadManifest(_)));
}

#[test]
fn not_a_zip_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nic.aktovka");
    std::fs::write(&path, b"this is not a zip file, just text").unwrap();
    assert!(matches!(Bundle::open(&path), Err(BundleError::NotZip(_))));
    let run = aktovka(&["inspect", path.to_str().unwrap()]).expect_code(1);
    assert!(run.stderr().contains("zip"), "{}", run.stderr());
}

#[test]
fn truncated_bundle() {
    let bytes = honest(vec![entry("assets/a.txt", &[7u8; 5000])]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pul.aktovka");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(Bundle::open(&path).is_err());
    aktovka(&["inspect", path.to_str().unwrap()]).expect_code(1);
}
