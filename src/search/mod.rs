//! Offline full-text search over a course's lessons, aware of Czech.
//!
//! The bundle builder hands [`build_index`] one [`SectionDoc`] per lesson section and stores
//! the returned [`IndexFiles`] uncompressed under `search/` in the bundle. The learner app
//! and `aktovka search` open those files in place with [`SearchIndex::open`] (byte slices
//! of the memory-mapped bundle; nothing is copied, extracted or written) and call
//! [`SearchIndex::search`], or [`search_many`] across several installed courses.
//!
//! How Czech is handled (folding, the light stemmer, prefixes, typos, ranking, snippets)
//! is described in `docs/search.md`. The invariants:
//! - index and query use the same analyzers, chosen by the course language and recorded in
//!   the manifest as `search.analyzer` ([`analyzer_name`]) with [`SCHEMA_VERSION`];
//! - a query never fails to parse: any string gives hits or an empty list;
//! - a built index is exactly one segment plus `meta.json`, with no lock or bookkeeping
//!   files.

mod analysis;
pub mod czech_stemmer;
mod directory;
mod query;
mod snippet;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tantivy::collector::TopDocs;
use tantivy::directory::OwnedBytes;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    Directory, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyDocument,
};

pub use analysis::{CS_STEM, EN_STEM, FOLDED};
pub use directory::BundleDirectory;

use crate::course::Language;
use directory::TrackingRamDirectory;
use query::{FieldPair, ParsedQuery, Tier};

/// Version of the index layout (fields, analyzers). Stored in the bundle manifest's
/// `search.schema_version`; a reader refuses other versions.
pub const SCHEMA_VERSION: u32 = 1;

/// tantivy's index metadata file, the one file of an index that is not a segment file.
const META_FILE: &str = "meta.json";

/// The writer's memory budget: tantivy's minimum; a course is a few hundred kilobytes.
const WRITER_MEMORY_BYTES: usize = 15_000_000;

/// The manifest's `search.analyzer` value for a course language.
pub fn analyzer_name(lang: Language) -> &'static str {
    lang.code()
}

/// Checks a bundle manifest's `search` object (`analyzer`, `schema_version`) before its
/// index is opened for a course in `lang`.
pub fn check_manifest(
    lang: Language,
    analyzer: &str,
    schema_version: u32,
) -> Result<(), SearchError> {
    let expected = analyzer_name(lang);
    if analyzer == expected && schema_version == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(SearchError::Incompatible {
            analyzer: analyzer.to_owned(),
            schema_version,
            expected,
        })
    }
}

/// One section of a lesson (the text from one heading to the next), as the bundle
/// builder hands it to the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionDoc {
    pub lesson_id: String,
    pub lesson_title: String,
    /// The section's heading; the lesson title for text before the first heading.
    pub heading: String,
    /// The heading's HTML id (empty for the top of the lesson).
    pub anchor: String,
    /// Plain words of the section, code kept.
    pub body: String,
    /// The lesson's front-matter keywords.
    pub keywords: Vec<String>,
    /// Titles and prompts of the exercises in the section.
    pub exercises: String,
}

/// The files of a built index: (name, contents), `meta.json` included, sorted by name.
pub type IndexFiles = Vec<(String, Vec<u8>)>;

/// One search result: a lesson section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The lesson id (file stem).
    pub lesson: String,
    /// The lesson title.
    pub title: String,
    /// The section heading.
    pub heading: String,
    /// The section's anchor in the lesson page (may be empty).
    pub anchor: String,
    /// Relevance; only comparable within one search.
    pub score: f32,
    /// About 160 characters of the section, HTML-escaped, matches in `<mark>…</mark>`.
    pub snippet: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Occurs when tantivy fails while building or reading an index (a damaged or
    /// incompatible `search/` entry in a bundle, or an internal indexing failure).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Occurs when an index's schema lacks a field this version needs, i.e. the bundle was
    /// built by a different aktovka with another schema.
    #[error("search index lacks the field `{0}`; rebuild the bundle with this aktovka")]
    MissingField(&'static str),
    /// Occurs when an index's analyzer does not match the course language.
    #[error("search index was built for another language (field `{field}` uses `{found}`)")]
    WrongAnalyzer { field: &'static str, found: String },
    /// Occurs when a bundle's manifest announces an index this version cannot read: another
    /// `search.schema_version`, or an analyzer other than the course language's.
    #[error(
        "search index {analyzer}/v{schema_version} is not readable by this aktovka \
         (expects {expected}/v{SCHEMA_VERSION}); rebuild the bundle"
    )]
    Incompatible {
        analyzer: String,
        schema_version: u32,
        expected: &'static str,
    },
    /// Occurs when a built index does not come out as exactly one segment.
    #[error("search index has {0} segments after merging, expected 1")]
    Segments(usize),
    /// Occurs when reading back a file of a freshly built in-memory index fails.
    #[error("search index file {name}: {source}")]
    File {
        name: String,
        source: std::io::Error,
    },
}

/// Field names; one place, shared by the schema and the lookups.
mod names {
    pub const LESSON: &str = "lesson";
    pub const ANCHOR: &str = "anchor";
    pub const TITLE: &str = "title";
    pub const HEADING: &str = "heading";
    pub const BODY: &str = "body";
    pub const KEYWORDS: &str = "keywords";
    pub const EXERCISES: &str = "exercises";
    /// Suffix of each text field's unstemmed twin.
    pub const FOLDED_SUFFIX: &str = "_f";
}

/// Text fields with their boosts: a match in a title or heading outranks one in the body.
const TEXT_FIELDS: [(&str, f32, bool); 5] = [
    (names::TITLE, 4.0, true),
    (names::HEADING, 2.5, true),
    (names::KEYWORDS, 2.0, false),
    (names::EXERCISES, 1.2, false),
    (names::BODY, 1.0, true),
];

fn schema(lang: Language) -> Schema {
    let mut b = Schema::builder();
    b.add_text_field(names::LESSON, STRING | STORED);
    b.add_text_field(names::ANCHOR, STORED);
    let stem_name = analysis::stem_analyzer_name(lang);
    for (name, _, stored) in TEXT_FIELDS {
        let stemmed = TextFieldIndexing::default()
            .set_tokenizer(stem_name)
            .set_index_option(IndexRecordOption::WithFreqs);
        let mut opts = TextOptions::default().set_indexing_options(stemmed);
        if stored {
            opts = opts.set_stored();
        }
        b.add_text_field(name, opts);
        let folded = TextFieldIndexing::default()
            .set_tokenizer(FOLDED)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        b.add_text_field(
            &format!("{name}{}", names::FOLDED_SUFFIX),
            TextOptions::default().set_indexing_options(folded),
        );
    }
    b.build()
}

/// Resolved fields of an index.
#[derive(Debug, Clone)]
struct Fields {
    lesson: Field,
    anchor: Field,
    title: Field,
    heading: Field,
    body: Field,
    keywords: Field,
    exercises: Field,
    pairs: Vec<FieldPair>,
}

impl Fields {
    fn resolve(schema: &Schema, lang: Language) -> Result<Fields, SearchError> {
        let get = |name: &'static str| {
            schema
                .get_field(name)
                .map_err(|_| SearchError::MissingField(name))
        };
        let mut pairs = Vec::new();
        let stem_name = analysis::stem_analyzer_name(lang);
        for (name, boost, _) in TEXT_FIELDS {
            let stemmed = get(name)?;
            let tokenizer = match schema.get_field_entry(stemmed).field_type() {
                tantivy::schema::FieldType::Str(o) => o
                    .get_indexing_options()
                    .map(|i| i.tokenizer().to_owned())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            if tokenizer != stem_name {
                return Err(SearchError::WrongAnalyzer {
                    field: name,
                    found: tokenizer,
                });
            }
            let folded = schema
                .get_field(&format!("{name}{}", names::FOLDED_SUFFIX))
                .map_err(|_| SearchError::MissingField(name))?;
            pairs.push(FieldPair {
                stemmed,
                folded,
                boost,
            });
        }
        Ok(Fields {
            lesson: get(names::LESSON)?,
            anchor: get(names::ANCHOR)?,
            title: get(names::TITLE)?,
            heading: get(names::HEADING)?,
            body: get(names::BODY)?,
            keywords: get(names::KEYWORDS)?,
            exercises: get(names::EXERCISES)?,
            pairs,
        })
    }

    fn folded_of(&self, stemmed: Field) -> Option<Field> {
        self.pairs
            .iter()
            .find(|p| p.stemmed == stemmed)
            .map(|p| p.folded)
    }

    fn document(&self, d: &SectionDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.lesson, &d.lesson_id);
        doc.add_text(self.anchor, &d.anchor);
        let keywords = d.keywords.join("\n");
        for (field, text) in [
            (self.title, d.lesson_title.as_str()),
            (self.heading, d.heading.as_str()),
            (self.body, d.body.as_str()),
            (self.keywords, keywords.as_str()),
            (self.exercises, d.exercises.as_str()),
        ] {
            doc.add_text(field, text);
            if let Some(folded) = self.folded_of(field) {
                doc.add_text(folded, text);
            }
        }
        doc
    }
}

/// Builds the index of `docs` in memory and returns its files: one merged segment and
/// `meta.json`, nothing else.
pub fn build_index(lang: Language, docs: &[SectionDoc]) -> Result<IndexFiles, SearchError> {
    let dir = TrackingRamDirectory::default();
    let schema = schema(lang);
    let index = Index::create(dir.clone(), schema.clone(), IndexSettings::default())?;
    analysis::register(&index);
    let fields = Fields::resolve(&schema, lang)?;

    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for d in docs {
        writer.add_document(fields.document(d))?;
    }
    writer.commit()?;
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;

    let segments = index.searchable_segment_ids()?.len();
    if segments > 1 {
        return Err(SearchError::Segments(segments));
    }
    let mut files = Vec::new();
    for path in dir.file_names() {
        let name = path.to_string_lossy().into_owned();
        // `.managed.json` is the writer's bookkeeping and lock files are transient;
        // a reader needs neither.
        if name.starts_with('.') {
            continue;
        }
        let bytes = dir
            .open_read(&path)
            .map_err(|e| SearchError::File {
                name: name.clone(),
                source: std::io::Error::other(e),
            })?
            .read_bytes()
            .map_err(|source| SearchError::File {
                name: name.clone(),
                source,
            })?;
        files.push((name, bytes.as_slice().to_vec()));
    }
    Ok(with_content_segment_id(files))
}

/// Renames the segment after a hash of its files, so the same sections always give the
/// same index bytes (tantivy names segments with a random UUID; the bundle writer
/// promises reproducible bundles). The files' contents do not embed the id; only their
/// names and `meta.json` do.
fn with_content_segment_id(files: IndexFiles) -> IndexFiles {
    let is_segment_file = |name: &str| {
        name.split_once('.')
            .is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let Some(old_id) = files
        .iter()
        .find(|(n, _)| is_segment_file(n))
        .and_then(|(n, _)| n.split_once('.'))
        .map(|(id, _)| id.to_owned())
    else {
        return files;
    };
    let mut hasher = Sha256::new();
    for (name, bytes) in files.iter().filter(|(n, _)| is_segment_file(n)) {
        let ext = name.split_once('.').map_or("", |(_, e)| e);
        hasher.update((ext.len() as u64).to_le_bytes());
        hasher.update(ext.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let new_id = hex::encode(&hasher.finalize()[..16]);
    let dashed = |id: &str| {
        format!(
            "{}-{}-{}-{}-{}",
            &id[..8],
            &id[8..12],
            &id[12..16],
            &id[16..20],
            &id[20..]
        )
    };
    let (old_dashed, new_dashed) = (dashed(&old_id), dashed(&new_id));
    let mut out: IndexFiles = files
        .into_iter()
        .map(|(name, bytes)| {
            if name == META_FILE {
                let meta = String::from_utf8_lossy(&bytes).replace(&old_dashed, &new_dashed);
                (name, meta.into_bytes())
            } else {
                (name.replace(&old_id, &new_id), bytes)
            }
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// An opened index, ready to answer queries. Cheap to share between threads.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    stem: TextAnalyzer,
    folded: TextAnalyzer,
    lang: Language,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens an index from its files' bytes (slices of a memory-mapped bundle, or any
    /// `OwnedBytes`), in place: nothing is copied or written.
    pub fn open(
        lang: Language,
        files: Vec<(String, OwnedBytes)>,
    ) -> Result<SearchIndex, SearchError> {
        Self::open_in(lang, BundleDirectory::new(files))
    }

    /// As [`SearchIndex::open`], over a directory the caller keeps a handle to.
    pub fn open_in(lang: Language, dir: BundleDirectory) -> Result<SearchIndex, SearchError> {
        let index = Index::open(dir)?;
        analysis::register(&index);
        let fields = Fields::resolve(&index.schema(), lang)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            reader,
            fields,
            stem: analysis::stemmed(lang),
            folded: analysis::folded(),
            lang,
        })
    }

    pub fn language(&self) -> Language {
        self.lang
    }

    /// Searches for `query`, best hit first. Any string is a valid query; an empty or
    /// meaningless one gives no hits. Errors only come from a damaged index.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let mut stem = self.stem.clone();
        let mut folded = self.folded.clone();
        let parsed = ParsedQuery::parse(query, &mut stem, &mut folded);
        if parsed.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        // The collector allocates for `limit` up front; there are never more hits than
        // sections.
        let limit = limit.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        if limit == 0 {
            return Ok(Vec::new());
        }
        let collector = TopDocs::with_limit(limit).order_by_score();
        let mut tiers = vec![Tier::Exact, Tier::Typo];
        if parsed.words.len() > 1 {
            tiers.push(Tier::AnyWord);
        }
        for tier in tiers {
            let top = searcher.search(&*parsed.to_query(&self.fields.pairs, tier), &collector)?;
            if top.is_empty() {
                continue;
            }
            let marks = parsed.marks(tier);
            let mut hits = Vec::with_capacity(top.len());
            for (score, address) in top {
                let doc: TantivyDocument = searcher.doc(address)?;
                let text = |f: Field| {
                    doc.get_first(f)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let body = text(self.fields.body);
                let ranges = snippet::matched_ranges(&body, &marks, &mut stem, &mut folded);
                hits.push(Hit {
                    lesson: text(self.fields.lesson),
                    title: text(self.fields.title),
                    heading: text(self.fields.heading),
                    anchor: text(self.fields.anchor),
                    score,
                    snippet: snippet::render(&body, &ranges, snippet::SNIPPET_CHARS),
                });
            }
            return Ok(hits);
        }
        Ok(Vec::new())
    }
}

/// Searches several indexes (one per installed course) and merges the hits by score, best
/// first. An index that fails (damaged) contributes nothing rather than failing the rest.
pub fn search_many(
    indexes: &[(&str, &SearchIndex)],
    query: &str,
    limit: usize,
) -> Vec<(String, Hit)> {
    let mut all: Vec<(String, Hit)> = indexes
        .iter()
        .filter_map(|(course, index)| {
            let hits = index.search(query, limit).ok()?;
            Some(hits.into_iter().map(|h| ((*course).to_owned(), h)))
        })
        .flatten()
        .collect();
    all.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    all.truncate(limit);
    all
}

/// Wraps built files as `OwnedBytes`, as a bundle reader would hand them over.
pub fn owned_files(files: IndexFiles) -> Vec<(String, OwnedBytes)> {
    files
        .into_iter()
        .map(|(name, bytes)| (name, OwnedBytes::new(bytes)))
        .collect()
}

#[cfg(test)]
mod tests;
