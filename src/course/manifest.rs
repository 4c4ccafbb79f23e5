//! `course.toml`: parsing and validating the course's metadata.
//!
//! Parsed by hand from a `toml::Table` rather than derived, so that every problem (a missing
//! field, a bad id, a bad version, an unknown key) is reported in the same run with its line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::toml_util::{key_line, line_of_offset, suggest};
use crate::diag::Diagnostic;

/// The language a course is written in; picks the search analyzer and UI defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Cs,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Cs => "cs",
            Language::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "cs" => Some(Language::Cs),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The validated contents of `course.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseMeta {
    /// `[a-z0-9-]+`, unique per school; part of the bundle file name.
    pub id: String,
    pub title: String,
    /// Semantic version; a new bundle of the same id replaces older ones.
    pub version: semver::Version,
    pub language: Language,
    pub description: String,
    pub authors: Vec<String>,
    /// SPDX license expression of the content.
    pub license: String,
}

/// The `lessons = [...]` order from `course.toml`, with the line of each entry.
#[derive(Debug, Clone, Default)]
pub struct LessonOrder {
    pub entries: Vec<(String, usize)>,
}

impl CourseMeta {
    /// Stands in for a `course.toml` that could not be read, so lessons can still be checked.
    pub fn placeholder() -> Self {
        CourseMeta {
            id: "kurz".into(),
            title: "Kurz".into(),
            version: semver::Version::new(0, 0, 0),
            language: Language::Cs,
            description: String::new(),
            authors: Vec::new(),
            license: String::new(),
        }
    }
}

pub(crate) const FILE: &str = "course.toml";

const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "version",
    "language",
    "description",
    "authors",
    "license",
    "lessons",
];

/// True when `s` is a valid course or exercise id: `[a-z0-9-]+`, not starting or ending
/// with `-`.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses `course.toml` text. Returns the metadata when every required field is valid, the
/// lesson order if one is given, and all problems found.
/// Fields that are missing or invalid get placeholder values so the rest of the course can
/// still be checked; the diagnostics say what is wrong, and a course with errors is never
/// built.
pub fn parse(source: &str) -> (CourseMeta, Option<LessonOrder>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let table: toml::Table = match source.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| line_of_offset(source, s.start))
                .unwrap_or(0);
            diags.push(
                Diagnostic::error(FILE, line, format!("neplatný TOML: {}", e.message().trim()))
                    .help("oprav zápis podle https://toml.io; invalid TOML syntax")
                    .with_source(source),
            );
            return (CourseMeta::placeholder(), None, diags);
        }
    };
    let err = |key: &str, msg: String, help: &str| {
        Diagnostic::error(FILE, key_line(source, key), msg)
            .help(help)
            .with_source(source)
    };

    for key in table.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            let mut help = format!("známé klíče / known keys: {}", KNOWN_KEYS.join(", "));
            if let Some(s) = suggest(key, KNOWN_KEYS) {
                help = format!("nemyslíš `{s}`? / did you mean `{s}`?");
            }
            diags.push(err(
                key,
                format!("neznámý klíč `{key}` / unknown key"),
                &help,
            ));
        }
    }

    let string_field = |key: &str, required: bool, diags: &mut Vec<Diagnostic>| match table.get(key)
    {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(toml::Value::String(_)) => {
            diags.push(err(
                key,
                format!("`{key}` je prázdné / is empty"),
                "napiš hodnotu do uvozovek",
            ));
            None
        }
        Some(other) => {
            diags.push(err(
                key,
                format!(
                    "`{key}` musí být text, ne {} / must be a string",
                    other.type_str()
                ),
                &format!("napiš {key} = \"…\""),
            ));
            None
        }
        None if required => {
            diags.push(
                Diagnostic::error(
                    FILE,
                    0,
                    format!("chybí povinné pole `{key}` / missing required field"),
                )
                .help(format!("přidej řádek {key} = \"…\" do course.toml")),
            );
            None
        }
        None => None,
    };

    let id = string_field("id", true, &mut diags);
    let title = string_field("title", true, &mut diags);
    let version = string_field("version", true, &mut diags);
    let language = string_field("language", true, &mut diags);
    let description = string_field("description", false, &mut diags).unwrap_or_default();
    let license = string_field("license", false, &mut diags).unwrap_or_default();

    let id = id.filter(|id| {
        let ok = is_valid_id(id);
        if !ok {
            diags.push(err(
                "id",
                format!("neplatné id kurzu `{id}` / invalid course id"),
                "id smí obsahovat jen malá písmena bez diakritiky, číslice a pomlčky, např. \"digitalni-gramotnost\"",
            ));
        }
        ok
    });
    let version = version.and_then(|v| match semver::Version::parse(&v) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(err(
                "version",
                format!("verze `{v}` není platná semver verze ({e}) / invalid semantic version"),
                "použij tvar MAJOR.MINOR.PATCH, např. \"1.0.0\"",
            ));
            None
        }
    });
    let language = language.and_then(|l| match Language::from_code(&l) {
        Some(l) => Some(l),
        None => {
            diags.push(err(
                "language",
                format!("neznámý jazyk `{l}` / unknown language"),
                "podporované jazyky: \"cs\" (čeština), \"en\" (English)",
            ));
            None
        }
    });

    let authors = match table.get("authors") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => {
            let names: Vec<String> = a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if names.len() != a.len() {
                diags.push(err(
                    "authors",
                    "`authors` musí být seznam textů / must be a list of strings".into(),
                    "např. authors = [\"Jana Nováková\"]",
                ));
            }
            names
        }
        Some(_) => {
            diags.push(err(
                "authors",
                "`authors` musí být seznam textů / must be a list of strings".into(),
                "např. authors = [\"Jana Nováková\"]",
            ));
            Vec::new()
        }
    };

    let order = match table.get("lessons") {
        None => None,
        Some(toml::Value::Array(a)) => {
            let mut entries = Vec::new();
            let base = key_line(source, "lessons");
            let mut cursor: usize = source
                .lines()
                .take(base.saturating_sub(1))
                .map(|l| l.len() + 1)
                .sum();
            for v in a {
                match v.as_str() {
                    Some(s) => entries.push((s.to_owned(), entry_line(source, &mut cursor, s))),
                    None => diags.push(err(
                        "lessons",
                        "`lessons` musí být seznam názvů souborů / must be a list of file names"
                            .into(),
                        "např. lessons = [\"01-uvod.md\", \"02-bity.md\"]",
                    )),
                }
            }
            Some(LessonOrder { entries })
        }
        Some(_) => {
            diags.push(err(
                "lessons",
                "`lessons` musí být seznam názvů souborů / must be a list of file names".into(),
                "např. lessons = [\"01-uvod.md\", \"02-bity.md\"]",
            ));
            None
        }
    };

    let fallback = CourseMeta::placeholder();
    let meta = CourseMeta {
        id: id.unwrap_or(fallback.id),
        title: title.unwrap_or(fallback.title),
        version: version.unwrap_or(fallback.version),
        language: language.unwrap_or(fallback.language),
        description,
        authors,
        license,
    };
    (meta, order, diags)
}

/// Finds `"name"` in `source` from byte `cursor` on; returns its line and moves the cursor
/// past it, so an entry listed twice gets the line of each occurrence.
fn entry_line(source: &str, cursor: &mut usize, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    match source.get(*cursor..).and_then(|rest| rest.find(&quoted)) {
        Some(i) => {
            let at = *cursor + i;
            *cursor = at + quoted.len();
            line_of_offset(source, at)
        }
        None => line_of_offset(source, *cursor),
    }
}

/// The course's language as written in `course.toml`, if it can be read; used to pick the
/// language of messages before the whole course is loaded.
pub fn peek_language(dir: &Path) -> Option<Language> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    let table: toml::Table = text.parse().ok()?;
    Language::from_code(table.get("language")?.as_str()?)
}

/// Reads `course.toml` from a course directory; I/O problems become diagnostics.
pub fn read(dir: &Path) -> Result<String, Diagnostic> {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => super::load::decode_utf8(FILE.as_ref(), bytes),
        Err(e) => Err(Diagnostic::error(
            FILE,
            0,
            format!("nelze přečíst course.toml: {e} / cannot read course.toml"),
        )
        .help("kurz je složka se souborem course.toml; založ ji příkazem `aktovka new SLOŽKA`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "id = \"kurz-1\"\ntitle = \"Kurz\"\nversion = \"1.0.0\"\nlanguage = \"cs\"\n";

    #[test]
    fn parses_a_minimal_course() {
        let (meta, order, diags) = parse(GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(meta.id, "kurz-1");
        assert_eq!(meta.language, Language::Cs);
        assert!(order.is_none());
    }

    #[test]
    fn reports_every_bad_field_with_its_line() {
        let src =
            "id = \"Kurz 1\"\ntitle = \"K\"\nversion = \"1.0\"\nlanguage = \"de\"\ntitel = \"x\"\n";
        let (_, _, diags) = parse(src);
        let lines: Vec<(usize, &str)> =
            diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(diags.len(), 4, "{lines:?}");
        assert_eq!(
            diags.iter().map(|d| d.line).collect::<Vec<_>>(),
            vec![5, 1, 3, 4]
        );
        assert!(diags[0].help.as_deref().unwrap().contains("title"));
    }

    #[test]
    fn missing_fields_are_all_reported() {
        let (_, _, diags) = parse("title = \"x\"\n");
        let msgs: Vec<_> = diags.iter().map(|d| d.message.clone()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("`id`")));
        assert!(msgs.iter().any(|m| m.contains("`version`")));
        assert!(msgs.iter().any(|m| m.contains("`language`")));
    }

    #[test]
    fn lesson_entries_have_their_own_lines() {
        let src = format!("{GOOD}lessons = [\n  \"01-a.md\",\n  \"02-b.md\",\n]\n");
        let (_, order, diags) = parse(&src);
        assert!(diags.is_empty());
        assert_eq!(
            order.unwrap().entries,
            vec![("01-a.md".to_string(), 6), ("02-b.md".to_string(), 7)]
        );
    }

    #[test]
    fn syntax_error_points_at_its_line() {
        let (_, _, diags) = parse("id = \"a\"\ntitle = \"b\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 2);
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("digitalni-gramotnost"));
        assert!(is_valid_id("kurz2"));
        assert!(!is_valid_id("Kurz"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("škola"));
        assert!(!is_valid_id(""));
    }
}
