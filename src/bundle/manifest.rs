//! `manifest.json`: what a bundle holds. See `docs/bundle-format.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::course::Language;
use crate::render::Heading;

/// The manifest's `format` value this version writes and reads.
pub const FORMAT: &str = "aktovka-bundle/1";

/// The path of the manifest inside the zip.
pub const MANIFEST_PATH: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`]; a reader refuses any other value.
    pub format: String,
    /// The program that wrote the bundle, `aktovka X.Y.Z`.
    pub generator: String,
    pub course: ManifestCourse,
    /// In reading order.
    pub lessons: Vec<ManifestLesson>,
    pub exercises: Vec<ManifestExercise>,
    pub plugins: Vec<ManifestPlugin>,
    /// sha256 (lowercase hex) of every entry except the manifest itself.
    pub files: BTreeMap<String, String>,
    pub search: ManifestSearch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestCourse {
    pub id: String,
    pub title: String,
    pub version: String,
    pub language: Language,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub license: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestLesson {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `lessons/<id>.html`
    pub path: String,
    pub headings: Vec<Heading>,
}

/// An exercise as shipped: everything but the `solution`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestExercise {
    pub id: String,
    pub lesson: String,
    pub plugin: String,
    pub title: String,
    pub points: u32,
    pub task: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPlugin {
    pub name: String,
    pub sha256: String,
    /// `plugins/<name>.wasm`
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSearch {
    /// `cs` or `en`: the analysis chain the index was built with.
    pub analyzer: String,
    pub schema_version: u32,
    /// Index files under `search/`, stored uncompressed and 4096-aligned.
    pub files: Vec<String>,
}

impl Manifest {
    pub fn lesson(&self, id: &str) -> Option<&ManifestLesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    pub fn exercise(&self, id: &str) -> Option<&ManifestExercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    pub fn plugin(&self, name: &str) -> Option<&ManifestPlugin> {
        self.plugins.iter().find(|p| p.name == name)
    }

    /// The bundle's file name: `<id>-<version>.aktovka`.
    pub fn file_name(&self) -> String {
        bundle_file_name(&self.course.id, &self.course.version)
    }
}

/// `<id>-<version>.aktovka`
pub fn bundle_file_name(id: &str, version: &str) -> String {
    format!("{id}-{version}.aktovka")
}
