//! `aktovka import mdbook`: turns an existing mdBook into an aktovka course, because much
//! open course material already exists in that form.
//!
//! Chapters are taken in `SUMMARY.md` reading order, nested chapters flattened, drafts
//! (`[Title]()`) skipped. Every chapter becomes `lessons/<name>.md`; links between chapters
//! are rewritten to lesson files with anchors translated from mdBook's heading ids to
//! aktovka's; images and other files the book links to are copied under `assets/`. A link
//! that points outside the book (or at nothing) becomes plain text, and the importer says
//! so, so that the result always passes `aktovka check`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use crate::render::{lesson_headings, markdown_options, normalize};
use crate::text::slugify;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Occurs when the book has no `SUMMARY.md` where `book.toml` says its sources are.
    #[error("{0} neexistuje; je to složka s mdBookem? / missing SUMMARY.md, is this an mdBook?")]
    NoSummary(PathBuf),
    /// Occurs when the target directory exists and is not empty.
    #[error("složka {0} už existuje a není prázdná / target directory is not empty")]
    TargetNotEmpty(PathBuf),
    /// Occurs when a file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What the import did, for the teacher to read.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub lessons: usize,
    pub assets: usize,
    /// Things changed on the way (links turned into text, missing chapters skipped).
    pub notes: Vec<String>,
}

/// One chapter from `SUMMARY.md`.
#[derive(Debug, Clone)]
struct Chapter {
    title: String,
    /// Path relative to the book's `src`.
    source: PathBuf,
    /// The lesson file name it becomes.
    lesson_file: String,
}

/// Imports the mdBook in `book` into a new course directory `course`.
pub fn import_mdbook(book: &Path, course: &Path) -> Result<ImportReport, ImportError> {
    if std::fs::read_dir(course).is_ok_and(|mut d| d.next().is_some()) {
        return Err(ImportError::TargetNotEmpty(course.to_path_buf()));
    }
    let config = BookConfig::read(book);
    let src = book.join(&config.src);
    let summary_path = src.join("SUMMARY.md");
    let summary =
        std::fs::read_to_string(&summary_path).map_err(|_| ImportError::NoSummary(summary_path))?;
    let mut report = ImportReport::default();
    let chapters: Vec<Chapter> = parse_summary(&summary)
        .into_iter()
        .filter(|(_, path)| {
            let exists = src.join(path).is_file();
            if !exists {
                report.notes.push(format!(
                    "kapitola {} chybí, vynechávám / missing chapter skipped",
                    path.display()
                ));
            }
            exists
        })
        .map(|(title, source)| {
            let lesson_file = format!(
                "{}.md",
                slugify(&source.with_extension("").to_string_lossy())
            );
            Chapter {
                title,
                source,
                lesson_file,
            }
        })
        .collect();

    let write = |rel: &Path, bytes: &[u8]| -> Result<(), ImportError> {
        let path = course.join(rel);
        let io = |source| ImportError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, bytes).map_err(io)
    };

    // Each chapter's mdBook heading ids → aktovka anchors, for translating `#fragments`.
    let mut sources = HashMap::new();
    let mut anchors: HashMap<PathBuf, HashMap<String, String>> = HashMap::new();
    for ch in &chapters {
        let path = src.join(&ch.source);
        let text =
            std::fs::read_to_string(&path).map_err(|source| ImportError::Io { path, source })?;
        anchors.insert(ch.source.clone(), anchor_map(&text));
        sources.insert(ch.source.clone(), text);
    }
    let by_source: HashMap<&Path, &Chapter> =
        chapters.iter().map(|c| (c.source.as_path(), c)).collect();
    let mut copied = std::collections::BTreeSet::new();
    let mut lesson_names = Vec::new();
    for ch in &chapters {
        let text = &sources[&ch.source];
        if text.trim().is_empty() {
            report.notes.push(format!(
                "kapitola {} je prázdná, vynechávám / empty chapter skipped",
                ch.source.display()
            ));
            continue;
        }
        let ctx = LinkContext {
            chapter: ch,
            src: &src,
            by_source: &by_source,
            anchors: &anchors,
        };
        let (body, assets) = rewrite_links(text, &ctx, &mut report.notes);
        for asset in assets {
            if copied.insert(asset.clone()) {
                let from = src.join(&asset);
                let bytes = std::fs::read(&from)
                    .map_err(|source| ImportError::Io { path: from, source })?;
                write(&Path::new("assets").join(&asset), &bytes)?;
            }
        }
        let front = format!("+++\ntitle = {}\n+++\n\n", toml_string(&ch.title));
        write(
            &Path::new("lessons").join(&ch.lesson_file),
            format!("{front}{body}").as_bytes(),
        )?;
        lesson_names.push(ch.lesson_file.clone());
    }
    report.lessons = lesson_names.len();
    report.assets = copied.len();

    let id = slugify(&config.title);
    let lessons = lesson_names
        .iter()
        .map(|n| format!("  {},", toml_string(n)))
        .collect::<Vec<_>>()
        .join("\n");
    let authors = config
        .authors
        .iter()
        .map(|a| toml_string(a))
        .collect::<Vec<_>>()
        .join(", ");
    let toml = format!(
        "# Imported from an mdBook by `aktovka import mdbook`.\nid = {}\ntitle = {}\nversion = \"1.0.0\"\nlanguage = {}\ndescription = {}\nauthors = [{authors}]\nlessons = [\n{lessons}\n]\n",
        toml_string(&id),
        toml_string(&config.title),
        toml_string(&config.language),
        toml_string(&config.description),
    );
    write(Path::new("course.toml"), toml.as_bytes())?;
    Ok(report)
}

/// The parts of `book.toml` the import uses.
struct BookConfig {
    title: String,
    authors: Vec<String>,
    language: String,
    description: String,
    src: PathBuf,
}

impl BookConfig {
    fn read(book: &Path) -> Self {
        let table: toml::Table = std::fs::read_to_string(book.join("book.toml"))
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_default();
        let b = table.get("book").and_then(|b| b.as_table());
        let s = |k: &str| {
            b.and_then(|b| b.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let title = s("title").unwrap_or_else(|| {
            book.file_name()
                .map_or("kniha".into(), |n| n.to_string_lossy().into_owned())
        });
        let language = s("language")
            .filter(|l| l == "cs")
            .unwrap_or_else(|| "en".into());
        BookConfig {
            authors: b
                .and_then(|b| b.get("authors"))
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            description: s("description").unwrap_or_else(|| title.clone()),
            src: PathBuf::from(s("src").unwrap_or_else(|| "src".into())),
            language,
            title,
        }
    }
}

/// `(title, path)` of every chapter with a file, in reading order. Drafts (empty links),
/// part titles and separators are skipped.
fn parse_summary(summary: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut title: Option<String> = None;
    let mut in_link = false;
    for event in Parser::new_ext(summary, markdown_options()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                in_link = true;
                title = Some(String::new());
                if !dest_url.is_empty() {
                    out.push((String::new(), PathBuf::from(percent_free(&dest_url))));
                } else {
                    title = None;
                }
            }
            Event::Text(t) | Event::Code(t) if in_link => {
                if let Some(tt) = title.as_mut() {
                    tt.push_str(&t);
                }
            }
            Event::End(pulldown_cmark::TagEnd::Link) => {
                in_link = false;
                if let (Some(t), Some(last)) = (title.take(), out.last_mut())
                    && last.0.is_empty()
                {
                    last.0 = t;
                }
            }
            _ => {}
        }
    }
    out.retain(|(_, p)| p.extension().is_some_and(|e| e == "md"));
    let mut seen = std::collections::HashSet::new();
    out.retain(|(_, p)| seen.insert(p.clone()));
    out
}

fn percent_free(s: &str) -> String {
    s.replace("%20", " ")
}

/// mdBook's id for a heading text (its `normalize_id`): alphanumerics, `_` and `-` kept and
/// lowercased, whitespace becomes `-`, the rest dropped.
fn mdbook_id(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// mdBook heading id → aktovka anchor for one chapter.
fn anchor_map(markdown: &str) -> HashMap<String, String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut map = HashMap::new();
    for h in lesson_headings(markdown) {
        let base = mdbook_id(&h.text);
        let n = counts.entry(base.clone()).or_insert(0);
        let id = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        map.insert(id, h.anchor.clone());
        map.entry(h.anchor.clone()).or_insert(h.anchor);
    }
    map
}

struct LinkContext<'a> {
    chapter: &'a Chapter,
    src: &'a Path,
    by_source: &'a HashMap<&'a Path, &'a Chapter>,
    anchors: &'a HashMap<PathBuf, HashMap<String, String>>,
}

impl LinkContext<'_> {
    /// The new destination of a link or image, and the asset to copy if any; `None` when
    /// the target is not part of the book.
    fn map(&self, dest: &str) -> Option<(String, Option<PathBuf>)> {
        if dest.contains("://") || dest.starts_with("mailto:") {
            return Some((dest.to_owned(), None));
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let own = self.chapter.source.as_path();
        let target = if path.is_empty() {
            own.to_path_buf()
        } else {
            let base = own.parent().unwrap_or(Path::new(""));
            normalize(&base.join(percent_free(path)))?
        };
        let as_md = if target.extension().is_some_and(|e| e == "html") {
            target.with_extension("md")
        } else {
            target.clone()
        };
        if let Some(ch) = self.by_source.get(as_md.as_path()) {
            let anchor = fragment.and_then(|f| self.anchors.get(as_md.as_path())?.get(f).cloned());
            let file = if as_md == own {
                String::new()
            } else {
                ch.lesson_file.clone()
            };
            return match (file.is_empty(), anchor) {
                (true, Some(a)) => Some((format!("#{a}"), None)),
                (true, None) => None,
                (false, Some(a)) => Some((format!("{file}#{a}"), None)),
                (false, None) => Some((file, None)),
            };
        }
        if target.extension().is_some_and(|e| e != "md" && e != "html")
            && self.src.join(&target).is_file()
        {
            return Some((
                format!("../assets/{}", target.to_string_lossy().replace('\\', "/")),
                Some(target),
            ));
        }
        None
    }
}

/// Rewrites every link, image and raw-HTML `src`/`href` of one chapter. Returns the new
/// markdown and the assets it refers to.
fn rewrite_links(text: &str, ctx: &LinkContext, notes: &mut Vec<String>) -> (String, Vec<PathBuf>) {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut assets = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                depth += 1;
                if depth > 1 || matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    continue;
                }
                let src = &text[range.clone()];
                let is_image = src.starts_with('!');
                let Some(inner) = link_inner(src) else {
                    continue;
                };
                match ctx.map(&dest_url) {
                    Some((new, asset)) => {
                        if new != dest_url.as_ref() || !matches!(link_type, LinkType::Inline) {
                            let bang = if is_image { "!" } else { "" };
                            edits.push((range, format!("{bang}[{inner}](<{new}>)")));
                        }
                        assets.extend(asset);
                    }
                    None => {
                        notes.push(format!(
                            "{}: odkaz `{dest_url}` vede mimo knihu, nechávám jen text / link outside the book kept as text",
                            ctx.chapter.source.display()
                        ));
                        edits.push((
                            range,
                            if is_image {
                                String::new()
                            } else {
                                inner.to_owned()
                            },
                        ));
                    }
                }
            }
            Event::End(pulldown_cmark::TagEnd::Link | pulldown_cmark::TagEnd::Image) => {
                depth = depth.saturating_sub(1);
            }
            Event::Html(_) | Event::InlineHtml(_) if depth == 0 => {
                let html = &text[range.clone()];
                let (new, found) = rewrite_html_urls(html, ctx);
                assets.extend(found);
                if new != html {
                    edits.push((range, new));
                }
            }
            _ => {}
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    (out, assets)
}

/// The text between a link's outer `[` and its matching `]`.
fn link_inner(src: &str) -> Option<&str> {
    let start = src.find('[')? + 1;
    let mut depth = 1;
    for (i, c) in src[start..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&src[start..start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Rewrites `src="…"`/`href="…"` in raw HTML. Targets outside the book are left as they
/// are: raw HTML is not link-checked, and the sanitiser removes anything dangerous.
fn rewrite_html_urls(html: &str, ctx: &LinkContext) -> (String, Vec<PathBuf>) {
    let mut out = String::with_capacity(html.len());
    let mut assets = Vec::new();
    let mut rest = html;
    while let Some(pos) = ["src=\"", "href=\""]
        .iter()
        .filter_map(|a| rest.find(a).map(|p| (p, a.len())))
        .min()
    {
        let (p, len) = pos;
        out.push_str(&rest[..p + len]);
        rest = &rest[p + len..];
        let Some(end) = rest.find('"') else { break };
        let url = &rest[..end];
        match ctx.map(url) {
            Some((new, asset)) => {
                out.push_str(&new);
                assets.extend(asset);
            }
            None => out.push_str(url),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, assets)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_order_flattens_and_skips_drafts() {
        let s = "# Summary\n\n[Intro](intro.md)\n\n# Part\n\n- [One](ch1.md)\n  - [One A](sub/ch1a.md)\n- [Draft]()\n---\n- [Two](ch2.md)\n";
        let got: Vec<(String, String)> = parse_summary(s)
            .into_iter()
            .map(|(t, p)| (t, p.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Intro".into(), "intro.md".into()),
                ("One".into(), "ch1.md".into()),
                ("One A".into(), "sub/ch1a.md".into()),
                ("Two".into(), "ch2.md".into()),
            ]
        );
    }

    #[test]
    fn mdbook_ids_map_to_our_anchors() {
        let m = anchor_map("# Hello, World!\n\n## The `Stack` and the Heap\n\n## Hello, World!\n");
        assert_eq!(m["hello-world"], "hello-world");
        assert_eq!(m["the-stack-and-the-heap"], "the-stack-and-the-heap");
        assert_eq!(m["hello-world-1"], "hello-world-1");
        assert_eq!(mdbook_id("What is Ownership?"), "what-is-ownership");
    }

    #[test]
    fn inner_text_of_links() {
        assert_eq!(link_inner("[a [b] c](x)"), Some("a [b] c"));
        assert_eq!(link_inner("![alt][ref]"), Some("alt"));
    }
}
