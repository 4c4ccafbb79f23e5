//! Rendering lessons: markdown → a sanitised HTML fragment, plus the headings and
//! plain-text sections the search index is built from.
//!
//! While rendering, every link and image is checked and rewritten to its place in the bundle
//! (`02-hesla.md#sekce` → `02-hesla.html#sekce`, `../assets/a.svg` stays relative to
//! `lessons/`). Raw HTML in markdown is allowed but sanitised with ammonia: pupils open
//! bundles from any teacher in the same origin that holds their progress, so no script,
//! event handler, `javascript:` URL or iframe may survive.
//!
//! Exercise blocks become `<div class="exercise" data-exercise="ID"></div>`; the learner app
//! fills them with the plugin's `render` output.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::course::toml_util::{col_of_offset, line_of_offset};
use crate::course::{Course, Lesson};
use crate::diag::{Diagnostic, Diagnostics};
use crate::text::{SlugSet, slugify};

/// The markdown dialect of lessons: CommonMark plus tables, footnotes, strikethrough, task
/// lists and `{#id}` heading attributes.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading of a lesson with its stable anchor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A part of a lesson from one heading (level 1–3) to the next, as plain text for search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    pub heading: String,
    pub anchor: String,
    pub text: String,
    /// Titles and prompts of the exercises in this section.
    pub exercises: String,
}

/// One lesson, rendered.
#[derive(Debug, Clone)]
pub struct RenderedLesson {
    pub id: String,
    pub html: String,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
}

/// Renders every lesson of a course, checking links, anchors and assets across lessons.
pub fn render_course(course: &Course) -> (Vec<RenderedLesson>, Diagnostics) {
    let targets = LinkTargets::new(course);
    let mut diags = Diagnostics::new();
    let rendered = course
        .lessons
        .iter()
        .map(|lesson| {
            let (r, d) = render_lesson(lesson, &targets);
            diags.extend(d);
            r
        })
        .collect();
    (rendered, diags)
}

/// What links may point at: each lesson file's id and anchors, and the asset files.
pub struct LinkTargets {
    lessons: HashMap<String, (String, HashSet<String>)>,
    assets: HashSet<PathBuf>,
}

impl LinkTargets {
    pub fn new(course: &Course) -> Self {
        let lessons = course
            .lessons
            .iter()
            .map(|l| {
                let name = l.file.file_name().map(|n| n.to_string_lossy().into_owned());
                let anchors = lesson_headings(&l.body)
                    .into_iter()
                    .map(|h| h.anchor)
                    .collect();
                (name.unwrap_or_default(), (l.id.clone(), anchors))
            })
            .collect();
        LinkTargets {
            lessons,
            assets: course.assets.iter().cloned().collect(),
        }
    }
}

/// The headings of a lesson body with their anchors, in order. The anchor is the heading's
/// `{#id}` if given, else its slug, made unique within the lesson.
pub fn lesson_headings(body: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut slugs = SlugSet::default();
    let mut current: Option<(u8, Option<String>, String)> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                current = Some((level as u8, id.map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, text)) = current.take() {
                    let anchor = slugs.unique(id.unwrap_or_else(|| slugify(&text)));
                    out.push(Heading {
                        level,
                        text: text.trim().to_owned(),
                        anchor,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Where a link in a lesson points.
enum Target {
    External,
    SamePage(String),
    Lesson { id: String, anchor: Option<String> },
    Asset(PathBuf),
}

struct LinkProblem {
    message: String,
    help: String,
}

impl LinkTargets {
    fn resolve(
        &self,
        own_anchors: &HashSet<String>,
        dest: &str,
        image: bool,
    ) -> Result<Target, LinkProblem> {
        let problem = |message: String, help: &str| LinkProblem {
            message,
            help: help.to_owned(),
        };
        if let Some(anchor) = dest.strip_prefix('#') {
            return if own_anchors.contains(anchor) {
                Ok(Target::SamePage(anchor.to_owned()))
            } else {
                Err(problem(
                    format!("kotva `#{anchor}` v této lekci neexistuje / broken anchor"),
                    "kotva je nadpis zapsaný malými písmeny bez diakritiky, mezery nahrazené pomlčkou",
                ))
            };
        }
        if let Some(scheme) = url_scheme(dest) {
            let scheme = scheme.to_ascii_lowercase();
            if image {
                return Err(problem(
                    format!("obrázek z internetu `{dest}` offline nefunguje / remote image"),
                    "stáhni obrázek do assets/ a odkaž na něj relativně, např. ../assets/obrazek.png",
                ));
            }
            return if matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel") {
                Ok(Target::External)
            } else {
                Err(problem(
                    format!("odkaz typu `{scheme}:` není dovolen / link scheme not allowed"),
                    "použij odkaz http(s):// nebo relativní odkaz na lekci či soubor v assets/",
                ))
            };
        }
        if dest.starts_with('/') {
            return Err(problem(
                format!("absolutní cesta `{dest}` / absolute path"),
                "odkazuj relativně k souboru lekce, např. ../assets/obrazek.svg nebo 02-lekce.md",
            ));
        }
        let (path_part, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_owned())),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or_default();
        let decoded = percent_decode(path_part);
        let Some(resolved) = normalize(&Path::new("lessons").join(&decoded)) else {
            return Err(problem(
                format!("odkaz `{dest}` vede mimo kurz / link leaves the course"),
                "odkazuj jen na lekce a na soubory ve složce assets/",
            ));
        };
        if resolved.parent() == Some(Path::new("lessons"))
            && resolved.extension().is_some_and(|e| e == "md")
        {
            let name = resolved
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some((id, anchors)) = self.lessons.get(&name) else {
                return Err(problem(
                    format!("odkaz na neexistující lekci `{name}` / broken link to a lesson"),
                    "zkontroluj název souboru; lekce musí být i v seznamu `lessons` v course.toml",
                ));
            };
            if let Some(a) = &anchor
                && !anchors.contains(a)
            {
                return Err(problem(
                    format!("kotva `#{a}` v lekci `{name}` neexistuje / broken anchor"),
                    "kotva je nadpis zapsaný malými písmeny bez diakritiky, mezery nahrazené pomlčkou",
                ));
            }
            return Ok(Target::Lesson {
                id: id.clone(),
                anchor,
            });
        }
        if self.assets.contains(&resolved) {
            return Ok(Target::Asset(resolved));
        }
        let what = if image { "obrázek" } else { "soubor" };
        Err(problem(
            format!("{what} `{}` neexistuje / missing asset", resolved.display()),
            "soubory k lekcím patří do složky assets/; zkontroluj název a cestu (z lekce vede ../assets/…)",
        ))
    }
}

fn render_lesson(lesson: &Lesson, targets: &LinkTargets) -> (RenderedLesson, Vec<Diagnostic>) {
    let body = lesson.body.as_str();
    let headings = lesson_headings(body);
    let own_anchors: HashSet<String> = headings.iter().map(|h| h.anchor.clone()).collect();
    let mut diags = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut sections = vec![Section::default()];
    let mut heading_index = 0usize;
    let mut in_heading = false;
    let mut in_exercise = false;
    let mut exercise_text = String::new();

    let diag_at = |offset: usize, p: LinkProblem| {
        let body_line = line_of_offset(body, offset);
        let mut d = Diagnostic::error(&lesson.file, lesson.body_line + body_line - 1, p.message)
            .col(col_of_offset(body, offset))
            .help(p.help);
        d.source_line = body.lines().nth(body_line - 1).map(str::to_owned);
        d
    };

    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        if in_exercise {
            match event {
                Event::Text(t) => exercise_text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    in_exercise = false;
                    if let Some(ex) = exercise_id(&exercise_text)
                        .and_then(|id| lesson.exercises.iter().find(|e| e.id == id))
                    {
                        events.push(Event::Html(CowStr::from(format!(
                            "<div class=\"exercise\" data-exercise=\"{}\"></div>\n",
                            ex.id
                        ))));
                        let section = sections.last_mut().expect("sections starts non-empty");
                        section.exercises.push_str(&exercise_search_text(ex));
                        section.exercises.push('\n');
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                if info.split_whitespace().next() == Some(crate::course::EXERCISE_INFO) =>
            {
                in_exercise = true;
                exercise_text.clear();
            }
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                in_heading = true;
                let h = headings.get(heading_index);
                heading_index += 1;
                let anchor = h.map(|h| h.anchor.clone()).unwrap_or_default();
                if (level as u8) <= 3 {
                    sections.push(Section {
                        heading: h.map(|h| h.text.clone()).unwrap_or_default(),
                        anchor: anchor.clone(),
                        ..Section::default()
                    });
                }
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(anchor)),
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(l)) => {
                in_heading = false;
                events.push(Event::End(TagEnd::Heading(l)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match targets.resolve(&own_anchors, &dest_url, false) {
                    Ok(t) => rewrite(&t, &dest_url),
                    Err(p) => {
                        diags.push(diag_at(range.start, p));
                        dest_url.to_string()
                    }
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match targets.resolve(&own_anchors, &dest_url, true) {
                    Ok(t) => rewrite(&t, &dest_url),
                    Err(p) => {
                        diags.push(diag_at(range.start, p));
                        String::new()
                    }
                };
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title,
                    id,
                }));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if !in_heading {
                    let section = sections.last_mut().expect("sections starts non-empty");
                    section.text.push_str(t);
                }
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                let section = sections.last_mut().expect("sections starts non-empty");
                section.text.push(' ');
                events.push(event);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => {
                let section = sections.last_mut().expect("sections starts non-empty");
                section.text.push('\n');
                events.push(event);
            }
            other => events.push(other),
        }
    }

    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let html = sanitize(&html);

    // The text before the first heading belongs to the lesson's title.
    let first = sections.remove(0);
    if !first.text.trim().is_empty() || !first.exercises.is_empty() {
        sections.insert(
            0,
            Section {
                heading: lesson.title.clone(),
                anchor: String::new(),
                ..first
            },
        );
    }
    for s in &mut sections {
        s.text = collapse_blank_lines(&s.text);
    }
    (
        RenderedLesson {
            id: lesson.id.clone(),
            html,
            headings,
            sections,
        },
        diags,
    )
}

fn rewrite(target: &Target, original: &str) -> String {
    match target {
        Target::External => original.to_owned(),
        Target::SamePage(a) => format!("#{a}"),
        Target::Lesson {
            id,
            anchor: Some(a),
        } => format!("{id}.html#{a}"),
        Target::Lesson { id, anchor: None } => format!("{id}.html"),
        Target::Asset(p) => format!("../{}", p.to_string_lossy().replace('\\', "/")),
    }
}

/// The `id` written in an exercise block, read leniently (the block's problems are reported
/// by the course loader).
fn exercise_id(toml_text: &str) -> Option<String> {
    let table: toml::Table = toml_text.parse().ok()?;
    table.get("id")?.as_str().map(str::to_owned)
}

/// Words of an exercise worth finding it by: its title and any prompt-like task text.
fn exercise_search_text(ex: &crate::course::Exercise) -> String {
    let mut s = ex.title.clone();
    for key in ["question", "prompt"] {
        if let Some(t) = ex.task.get(key).and_then(|v| v.as_str()) {
            s.push(' ');
            s.push_str(t);
        }
    }
    s
}

/// The scheme of an absolute URL (`https` of `https://…`), if `dest` has one.
fn url_scheme(dest: &str) -> Option<&str> {
    if dest.starts_with("//") {
        return Some("https");
    }
    let (scheme, _) = dest.split_once(':')?;
    let valid = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// Resolves `.` and `..` without touching the file system; `None` if the path climbs out of
/// its root or is absolute.
pub(crate) fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn collapse_blank_lines(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes everything from lesson HTML that could run code or reach the internet by itself.
pub fn sanitize(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["id", "class"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("div", ["data-exercise"])
        .link_rel(Some("noopener noreferrer"));
    b.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_removes_scripts_handlers_and_iframes() {
        let dirty = r#"<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a>
<iframe src="https://evil.example"></iframe><img src="x.png" onerror="y()"></p>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("onerror"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(!clean.contains("iframe"), "{clean}");
        assert!(clean.contains("<img src=\"x.png\">"), "{clean}");
    }

    #[test]
    fn headings_get_unique_slugs_and_custom_ids() {
        let h = lesson_headings("# Bezpečná hesla\n\n## Úvod\n\n## Úvod\n\n## Vlastní {#moje}\n");
        let anchors: Vec<_> = h.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["bezpecna-hesla", "uvod", "uvod-1", "moje"]);
        assert_eq!(h[3].text, "Vlastní");
    }

    #[test]
    fn sections_split_at_headings_with_clean_text() {
        let lesson = crate::course::Lesson {
            id: "01-a".into(),
            file: "lessons/01-a.md".into(),
            title: "Úvod".into(),
            front: Default::default(),
            body: "Před nadpisem.\n\n# Úvod\n\nSlovo *důležité*, `kód` a [odkaz](#dalsi).\n\n## Další\n\n- jedna\n- dvě\n".into(),
            body_line: 1,
            exercises: Vec::new(),
        };
        let targets = LinkTargets {
            lessons: HashMap::new(),
            assets: HashSet::new(),
        };
        let (r, diags) = render_lesson(&lesson, &targets);
        assert!(diags.is_empty());
        let got: Vec<(&str, &str, &str)> = r
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Úvod", "", "Před nadpisem."),
                ("Úvod", "uvod", "Slovo důležité, kód a odkaz."),
                ("Další", "dalsi", "jedna\ndvě"),
            ]
        );
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(
            normalize(Path::new("lessons/../assets/a.svg")),
            Some(PathBuf::from("assets/a.svg"))
        );
        assert_eq!(normalize(Path::new("lessons/../../x")), None);
        assert_eq!(percent_decode("m%C5%AFj%20obr.svg"), "můj obr.svg");
        assert_eq!(url_scheme("JavaScript:alert(1)"), Some("JavaScript"));
        assert_eq!(url_scheme("02-a.md#x:y"), None);
    }
}
