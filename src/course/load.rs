//! Reading a course directory into a [`Course`], collecting every problem on the way.
//!
//! Order of work: `course.toml`, the list of lesson files, each lesson (UTF-8, front matter,
//! title, exercise blocks), assets and course-local plugins. A problem in one lesson never
//! stops the others from being read. Link and anchor checks need every lesson's headings,
//! so they happen later, in [`crate::render`].

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::exercise::parse_exercise_block;
use super::manifest::{self, LessonOrder};
use super::toml_util::line_of_offset;
use super::{Course, FrontMatter, Lesson};
use crate::diag::{Diagnostic, Diagnostics};
use crate::text::slugify;

/// The fenced-block info string that marks an exercise.
pub const EXERCISE_INFO: &str = "exercise";

/// Loads the course at `dir`. Returns the course when `course.toml` was usable (lessons with
/// problems are still included where they could be read) and every problem found.
pub fn load(dir: &Path) -> (Option<Course>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let (meta, order) = match manifest::read(dir) {
        Ok(src) => {
            let (meta, order, d) = manifest::parse(&src);
            diags.extend(d);
            (meta, order)
        }
        Err(d) => {
            diags.push(d);
            (manifest::CourseMeta::placeholder(), None)
        }
    };
    if !dir.join(manifest::FILE).is_file() {
        // Nothing else can be meaningful without course.toml; the reason is already said.
        return (None, diags);
    }

    let files = lesson_files(dir, order.as_ref(), &mut diags);
    let no_lesson_files = files.is_empty();
    let mut lessons = Vec::new();
    let mut lesson_ids: HashMap<String, PathBuf> = HashMap::new();
    let mut exercise_ids: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for file in files {
        let Some(lesson) = load_lesson(dir, &file, &mut diags) else {
            continue;
        };
        if let Some(first) = lesson_ids.get(&lesson.id) {
            diags.push(
                Diagnostic::error(
                    &lesson.file,
                    0,
                    format!(
                        "lekce má stejné id `{}` jako {} / duplicate lesson id",
                        lesson.id,
                        first.display()
                    ),
                )
                .help("id lekce vzniká z názvu souboru bez diakritiky; přejmenuj jeden ze souborů"),
            );
            continue;
        }
        lesson_ids.insert(lesson.id.clone(), lesson.file.clone());
        for ex in &lesson.exercises {
            if let Some((file, line)) = exercise_ids.get(&ex.id) {
                diags.push(
                    Diagnostic::error(
                        &ex.file,
                        ex.line,
                        format!(
                            "id cvičení `{}` už je použito / duplicate exercise id",
                            ex.id
                        ),
                    )
                    .help(format!(
                        "poprvé je v {}:{line}; každé cvičení v kurzu potřebuje jiné id",
                        file.display()
                    )),
                );
            } else {
                exercise_ids.insert(ex.id.clone(), (ex.file.clone(), ex.line));
            }
        }
        lessons.push(lesson);
    }
    if no_lesson_files && dir.join("lessons").is_dir() {
        diags.push(
            Diagnostic::error(
                "lessons",
                0,
                "kurz nemá žádnou lekci / the course has no lesson",
            )
            .help("přidej soubor lessons/01-uvod.md"),
        );
    }

    let assets = list_files(dir, "assets", &mut diags);
    let plugins = list_files(dir, "plugins", &mut diags)
        .into_iter()
        .filter_map(|p| {
            let is_wasm = p.extension().is_some_and(|e| e == "wasm");
            let name = p.file_stem()?.to_str()?.to_owned();
            is_wasm.then_some((name, p))
        })
        .collect();

    let course = Course {
        root: dir.to_path_buf(),
        meta,
        lessons,
        assets,
        plugins,
    };
    (Some(course), diags)
}

/// The lesson files in reading order: the `lessons` list of `course.toml`, else every
/// `lessons/*.md` sorted by name. Listed-but-missing and present-but-unlisted files are
/// reported here.
fn lesson_files(dir: &Path, order: Option<&LessonOrder>, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut present = BTreeSet::new();
    match std::fs::read_dir(dir.join("lessons")) {
        Ok(entries) => {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".md") && e.path().is_file() {
                    present.insert(name);
                }
            }
        }
        Err(_) => diags.push(
            Diagnostic::error(
                "lessons",
                0,
                "chybí složka lessons/ / missing lessons directory",
            )
            .help("lekce patří do složky lessons/ vedle course.toml"),
        ),
    }
    let Some(order) = order else {
        return present
            .iter()
            .map(|n| Path::new("lessons").join(n))
            .collect();
    };
    let mut listed = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, line) in &order.entries {
        let d = |msg: String, help: &str| {
            Diagnostic::error(manifest::FILE, *line, msg).help(help.to_owned())
        };
        if name.contains(['/', '\\']) || !name.ends_with(".md") {
            diags.push(d(
                format!("`{name}` není název souboru lekce / not a lesson file name"),
                "uveď jen název souboru ve složce lessons/, např. \"01-uvod.md\"",
            ));
        } else if !seen.insert(name.clone()) {
            diags.push(d(
                format!("lekce `{name}` je v seznamu dvakrát / listed twice"),
                "každou lekci uveď v `lessons` jen jednou",
            ));
        } else if !present.contains(name) {
            diags.push(d(
                format!("lekce `{name}` je v seznamu, ale soubor lessons/{name} neexistuje / listed lesson is missing"),
                "vytvoř ten soubor, nebo oprav název v seznamu `lessons`",
            ));
        } else {
            listed.push(Path::new("lessons").join(name));
        }
    }
    for name in present.difference(&seen) {
        diags.push(
            Diagnostic::warning(
                Path::new("lessons").join(name),
                1,
                "lekce není v seznamu `lessons` v course.toml, do balíčku se nedostane / lesson not listed, it is left out",
            )
            .help(format!("přidej \"{name}\" do `lessons` v course.toml, nebo soubor smaž")),
        );
    }
    listed
}

/// Decodes UTF-8, or reports the line and column of the first invalid byte.
pub(crate) fn decode_utf8(file: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix up to `valid` is UTF-8 by definition.
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line = line_of_offset(&prefix, prefix.len());
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(
            file,
            line,
            "soubor není v kódování UTF-8 / file is not valid UTF-8",
        )
        .col(col)
        .help("ulož soubor v kódování UTF-8 (v editoru: Uložit jako → kódování UTF-8)")
    })
}

fn load_lesson(dir: &Path, file: &Path, diags: &mut Diagnostics) -> Option<Lesson> {
    let bytes = match std::fs::read(dir.join(file)) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                file,
                0,
                format!("nelze přečíst soubor: {e} / cannot read"),
            ));
            return None;
        }
    };
    let source = match decode_utf8(file, bytes) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let stem = file.file_stem()?.to_string_lossy().into_owned();
    let id = slugify(&stem);
    let (front, body, body_line) = split_front_matter(file, &source, diags);

    if body.trim().is_empty() {
        diags.push(
            Diagnostic::error(file, body_line, "lekce je prázdná / the lesson is empty")
                .help("napiš do lekce nadpis `# …` a text, nebo ji odstraň ze seznamu `lessons`"),
        );
    }

    let mut exercises = Vec::new();
    let mut first_h1: Option<String> = None;
    let mut in_h1 = false;
    let mut exercise_start: Option<usize> = None;
    let mut exercise_text = String::new();
    for (event, range) in
        Parser::new_ext(body, crate::render::markdown_options()).into_offset_iter()
    {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if first_h1.is_none() => {
                in_h1 = true;
                first_h1 = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_h1 = false,
            Event::Text(t) | Event::Code(t) if in_h1 => {
                if let Some(h) = first_h1.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some(EXERCISE_INFO) =>
            {
                exercise_start = Some(range.start);
                exercise_text.clear();
            }
            Event::Text(t) if exercise_start.is_some() => exercise_text.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = exercise_start.take() {
                    let line = body_line + line_of_offset(body, start) - 1;
                    match parse_exercise_block(&exercise_text, &id, file, line, &source) {
                        Ok(ex) => exercises.push(ex),
                        Err(d) => diags.extend(d),
                    }
                }
            }
            _ => {}
        }
    }

    let title = front
        .title
        .clone()
        .or(first_h1)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let title = match title {
        Some(t) => t,
        None => {
            if !body.trim().is_empty() {
                diags.push(
                    Diagnostic::error(
                        file,
                        body_line,
                        "lekce nemá nadpis / the lesson has no title",
                    )
                    .help(
                        "začni lekci nadpisem `# Název lekce`, nebo přidej `title` do front matter",
                    ),
                );
            }
            stem.clone()
        }
    };

    Some(Lesson {
        id,
        file: file.to_path_buf(),
        title,
        front,
        body: body.to_owned(),
        body_line,
        exercises,
    })
}

/// Splits optional `+++` TOML front matter off the top of a lesson. Returns the parsed front
/// matter (default on error, with the error reported), the body, and the body's first line.
fn split_front_matter<'a>(
    file: &Path,
    source: &'a str,
    diags: &mut Diagnostics,
) -> (FrontMatter, &'a str, usize) {
    let Some(rest) = source
        .strip_prefix("+++\n")
        .or_else(|| source.strip_prefix("+++\r\n"))
    else {
        return (FrontMatter::default(), source, 1);
    };
    let Some(end) = rest
        .match_indices("+++")
        .find(|(i, _)| *i == 0 || rest.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i)
    else {
        diags.push(
            Diagnostic::error(
                file,
                1,
                "front matter nemá konec / front matter is not closed",
            )
            .help("front matter uzavři řádkem `+++`")
            .with_source(source),
        );
        return (FrontMatter::default(), "", 1);
    };
    let toml_text = &rest[..end];
    let after = &rest[end + 3..];
    let after = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(after);
    let body_line = toml_text.lines().count() + 3;
    let front = match toml::from_str::<FrontMatter>(toml_text) {
        Ok(f) => f,
        Err(e) => {
            let line = 1 + e.span().map_or(1, |s| line_of_offset(toml_text, s.start));
            diags.push(
                Diagnostic::error(
                    file,
                    line,
                    format!("chyba ve front matter: {} / front matter error", e.message().trim()),
                )
                .help("front matter smí obsahovat jen title = \"…\", summary = \"…\" a keywords = [\"…\"]")
                .with_source(source),
            );
            FrontMatter::default()
        }
    };
    let body = &source[source.len() - after.len()..];
    (front, body, body_line)
}

/// Files below `dir/sub`, relative to `dir`, sorted. Symbolic links are not followed or
/// packed: a course must not pull in files from elsewhere.
fn list_files(dir: &Path, sub: &str, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join(sub)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = crate::diag::relative(dir, &path);
            match e.file_type() {
                Ok(t) if t.is_symlink() => diags.push(
                    Diagnostic::warning(
                        &rel,
                        0,
                        "symbolický odkaz se do balíčku nebalí / symlinks are not packed",
                    )
                    .help("nahraď odkaz skutečným souborem"),
                ),
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) => {
                    if rel.to_str().is_none() {
                        diags.push(
                            Diagnostic::error(
                                &rel,
                                0,
                                "název souboru není platné UTF-8 / file name is not UTF-8",
                            )
                            .help("přejmenuj soubor"),
                        );
                    } else {
                        out.push(rel);
                    }
                }
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}
