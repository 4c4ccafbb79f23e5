//! Writing a bundle. The zip is written to a temporary file next to the target and renamed
//! into place only when complete, so a failed or interrupted build never leaves half a
//! bundle. Output is deterministic: the same course gives the same bytes (fixed entry
//! order and timestamps), which keeps bundle hashes stable for sync.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::BundleError;
use super::limits::SEARCH_ALIGNMENT;
use super::manifest::{
    FORMAT, MANIFEST_PATH, Manifest, ManifestCourse, ManifestExercise, ManifestLesson,
    ManifestPlugin, ManifestSearch,
};

/// Everything that goes into a bundle, already rendered and indexed.
#[derive(Debug, Clone)]
pub struct BundleContents {
    pub course: ManifestCourse,
    /// Lesson metadata (its `path` is filled in here) and its HTML fragment.
    pub lessons: Vec<(ManifestLesson, String)>,
    pub exercises: Vec<ManifestExercise>,
    /// Asset path relative to the bundle root (`assets/…`) and its bytes.
    pub assets: Vec<(String, Vec<u8>)>,
    /// Plugin name and module bytes; only plugins the course uses.
    pub plugins: Vec<(String, Vec<u8>)>,
    pub search_analyzer: String,
    pub search_schema_version: u32,
    /// Index file names (relative to `search/`) and bytes.
    pub search_files: Vec<(String, Vec<u8>)>,
}

/// File endings that are already compressed; deflating them again only costs time.
const PRECOMPRESSED: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "mp3", "mp4", "ogg", "webm", "zip", "woff2", "pdf",
];

/// Writes the bundle to `out` atomically; `progress` is told each entry as it is written.
pub fn write(
    contents: &BundleContents,
    out: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BundleError> {
    let io = |e: std::io::Error| BundleError::Io {
        path: out.to_path_buf(),
        source: e,
    };
    let zip_err = |e: zip::result::ZipError| BundleError::Io {
        path: out.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = tempfile::Builder::new()
        .prefix(".aktovka-build-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(tmp));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let stored = deflated.compression_method(CompressionMethod::Stored);
    let mut files = BTreeMap::new();
    let mut add = |zip: &mut ZipWriter<_>, name: &str, bytes: &[u8], opts: SimpleFileOptions| {
        progress(name);
        zip.start_file(name, opts).map_err(zip_err)?;
        zip.write_all(bytes).map_err(io)?;
        files.insert(name.to_owned(), hex::encode(Sha256::digest(bytes)));
        Ok::<(), BundleError>(())
    };

    let mut lessons = Vec::new();
    for (meta, html) in &contents.lessons {
        let path = format!("lessons/{}.html", meta.id);
        add(&mut zip, &path, html.as_bytes(), deflated)?;
        lessons.push(ManifestLesson {
            path,
            ..meta.clone()
        });
    }
    for (path, bytes) in &contents.assets {
        let ext = path
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let opts = if PRECOMPRESSED.contains(&ext.as_str()) {
            stored
        } else {
            deflated
        };
        add(&mut zip, path, bytes, opts)?;
    }
    let mut plugins = Vec::new();
    for (name, bytes) in &contents.plugins {
        let path = format!("plugins/{name}.wasm");
        add(&mut zip, &path, bytes, deflated)?;
        plugins.push(ManifestPlugin {
            name: name.clone(),
            sha256: hex::encode(Sha256::digest(bytes)),
            path,
        });
    }
    let aligned = stored.with_alignment(SEARCH_ALIGNMENT as u16);
    for (name, bytes) in &contents.search_files {
        add(&mut zip, &format!("search/{name}"), bytes, aligned)?;
    }

    let manifest = Manifest {
        format: FORMAT.to_owned(),
        generator: crate::GENERATOR.to_owned(),
        course: contents.course.clone(),
        lessons,
        exercises: contents.exercises.clone(),
        plugins,
        files,
        search: ManifestSearch {
            analyzer: contents.search_analyzer.clone(),
            schema_version: contents.search_schema_version,
            files: contents
                .search_files
                .iter()
                .map(|(n, _)| n.clone())
                .collect(),
        },
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| io(std::io::Error::other(e)))?;
    progress(MANIFEST_PATH);
    zip.start_file(MANIFEST_PATH, deflated).map_err(zip_err)?;
    zip.write_all(&json).map_err(io)?;
    let buffered = zip.finish().map_err(zip_err)?;
    let tmp = buffered.into_inner().map_err(|e| io(e.into_error()))?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(out).map_err(|e| io(e.error))?;
    Ok(manifest)
}
