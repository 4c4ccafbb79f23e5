//! The learner app's HTML pages, server-rendered. Every visible string comes from the
//! language catalogue ([`super::i18n`]); every value from a course, a learner or a plugin is
//! escaped with [`esc`] unless it is sanitised HTML (lessons, plugin markdown) or a search
//! snippet (already escaped by the search module, with `<mark>` around matches).
//!
//! Pages carry no inline script or style (the CSP forbids both); `/static/app.js` adds
//! live search, code line numbers and answer drafts, and every page works without it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::bundle::{ManifestExercise, ManifestLesson};
use crate::progress::{CourseProgress, Learner};

use super::background::{StatusSnapshot, SyncState};
use super::i18n::Lang;
use super::library::Course;

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What [`url_part`] encodes: everything but the unreserved characters of RFC 3986.
const URL_PART: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one URL path segment or query value.
pub fn url_part(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, URL_PART).to_string()
}

/// What every page's frame needs.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub learner: Option<&'a Learner>,
    pub token: &'a str,
    /// The request path (for the language switch link).
    pub path: &'a str,
    /// Query pairs other than `lang`, kept by the language switch.
    pub query: &'a [(String, String)],
    /// The search box's current text.
    pub search: &'a str,
    /// The school sync line of the header; `None` leaves it out (error pages).
    pub sync: Option<SyncLine>,
}

/// The sync status as the header shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SyncLine {
    /// [`SyncState::code`]: `not_enrolled`, `pending`, `synced`, `unreachable`, `failed`.
    pub state: &'static str,
    pub text: String,
}

impl SyncLine {
    /// The line for a status, in `lang`.
    pub fn new(lang: Lang, status: &StatusSnapshot) -> SyncLine {
        let ago = status.age_secs().map(|secs| ago(lang, secs));
        let text = match (status.state, ago) {
            (SyncState::NotEnrolled, _) => lang.t("sync_not_enrolled").to_owned(),
            (SyncState::Failed, _) => lang.t("sync_failed").to_owned(),
            (SyncState::Unreachable, Some(ago)) => lang.tf("sync_unreachable", &[("ago", &ago)]),
            (SyncState::Unreachable, None) => lang.t("sync_unreachable_never").to_owned(),
            (SyncState::Synced | SyncState::Pending, Some(ago)) => {
                lang.tf("sync_synced", &[("ago", &ago)])
            }
            (SyncState::Synced | SyncState::Pending, None) => lang.t("sync_pending").to_owned(),
        };
        SyncLine {
            state: status.state.code(),
            text,
        }
    }
}

/// "před 5 min" / "5 min ago".
fn ago(lang: Lang, secs: u64) -> String {
    let n = |v: u64| v.to_string();
    match secs {
        0..60 => lang.t("sync_ago_now").to_owned(),
        60..3600 => lang.tf("sync_ago_minutes", &[("n", &n(secs / 60))]),
        3600..86_400 => lang.tf("sync_ago_hours", &[("n", &n(secs / 3600))]),
        86_400..172_800 => lang.t("sync_ago_day").to_owned(),
        _ => lang.tf("sync_ago_days", &[("n", &n(secs / 86_400))]),
    }
}

/// The common frame: header with search, learner and language switch; main; footer.
pub fn layout(ctx: &Ctx, title: &str, body_class: &str, main: &str) -> String {
    let lang = ctx.lang;
    let other = lang.other();
    let mut switch = format!("{}?", ctx.path);
    for (k, v) in ctx.query {
        let _ = write!(switch, "{}={}&", url_part(k), url_part(v));
    }
    let _ = write!(switch, "lang={}", other.code());
    let learner_box = match ctx.learner {
        Some(l) => format!(
            "<div class=\"learner-box\"><span class=\"learner-name\">{}</span>\
             <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\" id=\"switch-learner\" class=\"link-button\">{}</button></form></div>",
            esc(&lang.tf("learner_current", &[("name", &l.name)])),
            esc(ctx.token),
            esc(lang.t("switch_learner"))
        ),
        None => String::new(),
    };
    // `role="status"`: a screen reader announces the line when app.js updates it.
    let sync_line = match &ctx.sync {
        Some(line) => format!(
            "<p id=\"sync-status\" class=\"sync-status\" role=\"status\" data-state=\"{}\">{}</p>\n",
            line.state,
            esc(&line.text)
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · {app}</title>\n\
<link rel=\"stylesheet\" href=\"/static/app.css\">\n\
<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">\n\
<script src=\"/static/app.js\" defer></script>\n</head>\n<body class=\"{body_class}\">\n\
<a class=\"skip-link\" href=\"#main\">{skip}</a>\n\
<header class=\"site-header\">\n<div class=\"bar\">\n\
<a class=\"brand\" href=\"/\"><img src=\"/static/icon.svg\" alt=\"\" width=\"28\" height=\"28\"> {app}</a>\n\
<nav class=\"main-nav\" aria-label=\"{nav_label}\"><a href=\"/\">{library}</a> <a href=\"/progress\">{progress}</a></nav>\n\
<form id=\"search-form\" role=\"search\" method=\"get\" action=\"/search\">\n\
<label for=\"search\" class=\"visually-hidden\">{search_label}</label>\n\
<input id=\"search\" name=\"q\" type=\"search\" value=\"{search}\" placeholder=\"{placeholder}\" autocomplete=\"off\" aria-controls=\"search-results\">\n\
<button type=\"submit\">{search_button}</button>\n\
<div id=\"search-results\" aria-live=\"polite\" data-none=\"{search_none}\" hidden></div>\n\
</form>\n{learner_box}\n{sync_line}\
<a id=\"lang-switch\" href=\"{switch}\" hreflang=\"{other_code}\" lang=\"{other_code}\" title=\"{switch_label}\">{switch_text}</a>\n\
</div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n{main}\n</main>\n\
<footer class=\"site-footer\"><p>{footer}</p></footer>\n</body>\n</html>\n",
        html_lang = lang.t("html_lang"),
        title = esc(title),
        app = esc(lang.t("app_name")),
        skip = esc(lang.t("skip_link")),
        nav_label = esc(lang.t("nav_label")),
        library = esc(lang.t("nav_library")),
        progress = esc(lang.t("nav_progress")),
        search_label = esc(lang.t("search_label")),
        search = esc(ctx.search),
        placeholder = esc(lang.t("search_placeholder")),
        search_button = esc(lang.t("search_button")),
        search_none = esc(lang.t("search_none")),
        switch = esc(&switch),
        other_code = other.code(),
        switch_label = esc(lang.t("lang_switch_label")),
        switch_text = esc(lang.t("lang_switch")),
        footer = esc(lang.t("footer")),
    )
}

/// Whether a lesson counts as done: completed (every exercise passed), or opened when it
/// has no exercises.
pub fn lesson_done(course: &Course, progress: &CourseProgress, lesson: &str) -> bool {
    progress.lessons_completed.contains(lesson)
        || (progress.lessons_opened.contains(lesson)
            && course.lesson_exercises(lesson).next().is_none())
}

/// (passed exercises, all exercises) of a course for a learner.
pub fn exercise_counts(course: &Course, progress: &CourseProgress) -> (usize, usize) {
    let total = course.manifest().exercises.len();
    let done = course
        .manifest()
        .exercises
        .iter()
        .filter(|e| progress.exercises.get(&e.id).is_some_and(|p| p.passed))
        .count();
    (done, total)
}

/// The library: the learner picker (when nobody is picked) and the courses.
pub fn library(
    ctx: &Ctx,
    learners: &[Learner],
    courses: &[(&Course, Option<CourseProgress>)],
) -> String {
    let lang = ctx.lang;
    let mut m = String::new();
    if ctx.learner.is_none() {
        m.push_str(&picker(ctx, learners));
    }
    let _ = writeln!(m, "<h1>{}</h1>", esc(lang.t("library_title")));
    if courses.is_empty() {
        let _ = writeln!(
            m,
            "<p class=\"notice\">{}</p>",
            esc(lang.t("library_empty"))
        );
    }
    m.push_str("<ul class=\"courses\">\n");
    for (course, progress) in courses {
        let c = &course.manifest().course;
        let id = url_part(&c.id);
        let _ = writeln!(
            m,
            "<li class=\"course-card\" data-course=\"{}\" lang=\"{}\">\n<h2><a href=\"/c/{id}\">{}</a></h2>\n<p>{}</p>\n<p class=\"meta\">{}</p>",
            esc(&c.id),
            c.language.code(),
            esc(&c.title),
            esc(&c.description),
            esc(&lang.tf(
                "course_lessons",
                &[("n", &course.manifest().lessons.len().to_string())]
            )),
        );
        if let Some(p) = progress {
            let (done, total) = exercise_counts(course, p);
            let _ = writeln!(
                m,
                "<p class=\"course-progress\" lang=\"{}\"><progress max=\"{}\" value=\"{done}\" aria-label=\"{}\"></progress> {}</p>",
                lang.code(),
                total.max(1),
                esc(lang.t("course_progress_label")),
                esc(&lang.tf(
                    "course_exercises_done",
                    &[("done", &done.to_string()), ("total", &total.to_string())]
                ))
            );
        }
        m.push_str("</li>\n");
    }
    m.push_str("</ul>\n");
    layout(ctx, lang.t("library_title"), "page-library", &m)
}

fn picker(ctx: &Ctx, learners: &[Learner]) -> String {
    let lang = ctx.lang;
    let token = esc(ctx.token);
    let mut m = format!(
        "<section class=\"picker\" aria-labelledby=\"pick-title\">\n<h1 id=\"pick-title\">{}</h1>\n<p>{}</p>\n",
        esc(lang.t("pick_title")),
        esc(lang.t("pick_intro"))
    );
    if learners.is_empty() {
        let _ = writeln!(m, "<p class=\"notice\">{}</p>", esc(lang.t("no_learners")));
    } else {
        m.push_str("<ul class=\"learners\">\n");
        for l in learners {
            let pin = if l.has_pin {
                format!(
                    " <span class=\"pin-note\">({})</span>",
                    esc(lang.t("pick_with_pin"))
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                m,
                "<li><form method=\"post\" action=\"/learner\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
<input type=\"hidden\" name=\"learner\" value=\"{}\">\
<button type=\"submit\" class=\"learner-pick\" data-learner=\"{name}\">{name}{pin}</button></form></li>",
                l.id,
                name = esc(&l.name),
            );
        }
        m.push_str("</ul>\n");
    }
    let _ = writeln!(
        m,
        "<form id=\"add-learner\" method=\"post\" action=\"/learners\">\n<h2>{}</h2>\n\
<input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
<div class=\"field\"><label for=\"new-name\">{}</label> <input id=\"new-name\" name=\"name\" type=\"text\" required maxlength=\"40\" autocomplete=\"off\"></div>\n\
<div class=\"field\"><label for=\"new-pin\">{}</label> <input id=\"new-pin\" name=\"pin\" type=\"password\" inputmode=\"numeric\" pattern=\"[0-9]{{4}}\" maxlength=\"4\" autocomplete=\"off\" aria-describedby=\"pin-hint\">\n\
<p id=\"pin-hint\" class=\"hint\">{}</p></div>\n\
<button type=\"submit\">{}</button>\n</form>\n</section>",
        esc(lang.t("add_title")),
        esc(lang.t("name_label")),
        esc(lang.t("pin_label")),
        esc(lang.t("pin_hint")),
        esc(lang.t("add_button")),
    );
    m
}

/// A message shown above the picker (a bad name, say).
pub fn library_with_error(page: String, error: &str) -> String {
    page.replacen(
        "<main id=\"main\" tabindex=\"-1\">\n",
        &format!(
            "<main id=\"main\" tabindex=\"-1\">\n<p class=\"error-message\" role=\"alert\">{}</p>\n",
            esc(error)
        ),
        1,
    )
}

/// The PIN prompt for a learner who has one.
pub fn pin_prompt(ctx: &Ctx, learner: &Learner, wrong: bool) -> String {
    let lang = ctx.lang;
    let mut m = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        esc(lang.t("pin_title")),
        esc(&lang.tf("pin_prompt", &[("name", &learner.name)]))
    );
    if wrong {
        let _ = writeln!(
            m,
            "<p class=\"error-message\" role=\"alert\">{}</p>",
            esc(lang.t("pin_wrong"))
        );
    }
    let _ = writeln!(
        m,
        "<form id=\"pin-form\" method=\"post\" action=\"/learner\">\n\
<input type=\"hidden\" name=\"token\" value=\"{}\">\n<input type=\"hidden\" name=\"learner\" value=\"{}\">\n\
<div class=\"field\"><label for=\"pin\">{}</label> <input id=\"pin\" name=\"pin\" type=\"password\" inputmode=\"numeric\" pattern=\"[0-9]{{4}}\" maxlength=\"4\" required autofocus autocomplete=\"off\"></div>\n\
<button type=\"submit\">{}</button> <a href=\"/\">{}</a>\n</form>",
        esc(ctx.token),
        learner.id,
        esc(lang.t("pin_input_label")),
        esc(lang.t("pin_button")),
        esc(lang.t("back")),
    );
    layout(ctx, lang.t("pin_title"), "page-pin", &m)
}

fn lesson_href(course: &str, lesson: &str) -> String {
    format!("/c/{}/l/{}", url_part(course), url_part(lesson))
}

/// The course page: description, what is next, table of contents with what is done.
pub fn course(ctx: &Ctx, course: &Course, progress: &CourseProgress) -> String {
    let lang = ctx.lang;
    let m_ = course.manifest();
    let c = &m_.course;
    let mut m = format!(
        "<div lang=\"{}\">\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n</div>\n",
        c.language.code(),
        esc(&c.title),
        esc(&c.description)
    );
    let (done, total) = exercise_counts(course, progress);
    let _ = writeln!(
        m,
        "<p class=\"course-progress\"><progress max=\"{}\" value=\"{done}\" aria-label=\"{}\"></progress> {}</p>",
        total.max(1),
        esc(lang.t("course_progress_label")),
        esc(&lang.tf(
            "course_exercises_done",
            &[("done", &done.to_string()), ("total", &total.to_string())]
        ))
    );
    let next = m_
        .lessons
        .iter()
        .find(|l| !lesson_done(course, progress, &l.id));
    match next {
        Some(l) => {
            let _ = writeln!(
                m,
                "<p class=\"next-up\">{}: <a id=\"next-lesson\" class=\"button\" href=\"{}\">{}</a></p>",
                esc(lang.t("next_up")),
                lesson_href(&c.id, &l.id),
                esc(&l.title)
            );
        }
        None => {
            let _ = writeln!(
                m,
                "<p class=\"next-up all-done\">{}</p>",
                esc(lang.t("course_all_done"))
            );
        }
    }
    let _ = writeln!(
        m,
        "<h2>{}</h2>\n<ol class=\"toc\" lang=\"{}\">",
        esc(lang.t("toc_title")),
        c.language.code()
    );
    for l in &m_.lessons {
        let is_done = lesson_done(course, progress, &l.id);
        let (class, badge) = if is_done {
            (" class=\"lesson-done\"", Some(lang.t("lesson_done")))
        } else if progress.lessons_opened.contains(&l.id) {
            (" class=\"lesson-opened\"", Some(lang.t("lesson_opened")))
        } else {
            ("", None)
        };
        let count = course.lesson_exercises(&l.id).count();
        let _ = write!(
            m,
            "<li{class}><a class=\"lesson-link\" data-lesson=\"{}\" href=\"{}\">{}</a>",
            esc(&l.id),
            lesson_href(&c.id, &l.id),
            esc(&l.title)
        );
        if let Some(s) = &l.summary {
            let _ = write!(m, " <span class=\"summary\">{}</span>", esc(s));
        }
        if count > 0 {
            let _ = write!(
                m,
                " <span class=\"meta\" lang=\"{}\">{}</span>",
                lang.code(),
                esc(&lang.tf("lesson_exercises", &[("n", &count.to_string())]))
            );
        }
        if let Some(b) = badge {
            let _ = write!(
                m,
                " <span class=\"badge\" lang=\"{}\">{}</span>",
                lang.code(),
                esc(b)
            );
        }
        m.push_str("</li>\n");
    }
    m.push_str("</ol>\n");
    layout(ctx, &c.title, "page-course", &m)
}

/// The lesson page: breadcrumb, the lesson body (with exercise forms already in it) and
/// previous/next links.
pub fn lesson(
    ctx: &Ctx,
    course: &Course,
    lesson: &ManifestLesson,
    position: usize,
    body: &str,
) -> String {
    let lang = ctx.lang;
    let m_ = course.manifest();
    let c = &m_.course;
    let mut m = format!(
        "<nav class=\"breadcrumbs\"><a href=\"/c/{}\" lang=\"{}\">{}</a></nav>\n<article class=\"lesson\" lang=\"{}\">\n{body}\n</article>\n",
        url_part(&c.id),
        c.language.code(),
        esc(&c.title),
        c.language.code(),
    );
    let _ = writeln!(
        m,
        "<nav class=\"lesson-nav\" aria-label=\"{}\">",
        esc(lang.t("lesson_nav_label"))
    );
    if let Some(prev) = position.checked_sub(1).and_then(|p| m_.lessons.get(p)) {
        let _ = writeln!(
            m,
            "<a id=\"prev-lesson\" rel=\"prev\" href=\"{}\"><span class=\"dir\">← {}</span> <span class=\"t\">{}</span></a>",
            lesson_href(&c.id, &prev.id),
            esc(lang.t("prev_lesson")),
            esc(&prev.title)
        );
    }
    if let Some(next) = m_.lessons.get(position + 1) {
        let _ = writeln!(
            m,
            "<a id=\"next-lesson\" rel=\"next\" href=\"{}\"><span class=\"dir\">{} →</span> <span class=\"t\">{}</span></a>",
            lesson_href(&c.id, &next.id),
            esc(lang.t("next_lesson")),
            esc(&next.title)
        );
    }
    m.push_str("</nav>\n");
    layout(ctx, &lesson.title, "page-lesson", &m)
}

/// One search result as pages and JSON show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResult {
    pub course: String,
    pub course_title: String,
    pub lesson: String,
    pub title: String,
    pub heading: String,
    pub url: String,
    /// Escaped HTML with `<mark>` around matches.
    pub snippet: String,
    /// The snippet as plain text pieces, `[text, marked]`, for script that builds the
    /// live results without parsing HTML.
    pub parts: Vec<(String, bool)>,
}

/// The search page.
pub fn search(ctx: &Ctx, query: &str, results: &[SearchResult]) -> String {
    let lang = ctx.lang;
    let mut m = format!("<h1>{}</h1>\n", esc(lang.t("search_title")));
    if query.trim().is_empty() {
        let _ = writeln!(m, "<p>{}</p>", esc(lang.t("search_empty")));
    } else {
        let _ = writeln!(
            m,
            "<p class=\"results-for\">{}</p>",
            esc(&lang.tf("search_results_for", &[("q", query)]))
        );
        if results.is_empty() {
            let _ = writeln!(m, "<p class=\"notice\">{}</p>", esc(lang.t("search_none")));
        }
        m.push_str("<ol class=\"search-results\">\n");
        for r in results {
            let place = if r.heading.is_empty() || r.heading == r.title {
                esc(&r.title)
            } else {
                format!("{} › {}", esc(&r.title), esc(&r.heading))
            };
            let _ = writeln!(
                m,
                "<li><a class=\"search-hit\" href=\"{}\">{place}</a> <span class=\"meta\">{}</span>\n<p class=\"snippet\">{}</p></li>",
                esc(&r.url),
                esc(&r.course_title),
                r.snippet
            );
        }
        m.push_str("</ol>\n");
    }
    layout(ctx, lang.t("search_title"), "page-search", &m)
}

/// "My progress": per course, the exercises tried so far (best score, attempts, last
/// attempt) in a table, and the untried ones folded into one "N exercises left" line that
/// opens to a per-lesson list: a pupil early in a course sees where they are, not a long
/// table of blanks.
pub fn progress(ctx: &Ctx, courses: &[(&Course, CourseProgress)]) -> String {
    let lang = ctx.lang;
    let mut m = format!("<h1>{}</h1>\n", esc(lang.t("progress_title")));
    for (course, p) in courses {
        let m_ = course.manifest();
        let course_id = &m_.course.id;
        let titles: BTreeMap<&str, &str> = m_
            .lessons
            .iter()
            .map(|l| (l.id.as_str(), l.title.as_str()))
            .collect();
        let (done, total) = exercise_counts(course, p);
        let _ = writeln!(
            m,
            "<section class=\"course-progress-table\" data-course=\"{}\">\n<h2><a href=\"/c/{}\">{}</a></h2>\n<p>{}</p>",
            esc(course_id),
            url_part(course_id),
            esc(&m_.course.title),
            esc(&lang.tf(
                "progress_summary",
                &[
                    ("done", &done.to_string()),
                    ("total", &total.to_string()),
                    ("opened", &p.lessons_opened.len().to_string())
                ]
            ))
        );
        let (tried, untried): (Vec<_>, Vec<_>) = m_
            .exercises
            .iter()
            .partition(|ex| p.exercises.contains_key(&ex.id));
        if !tried.is_empty() {
            let _ = writeln!(
                m,
                "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
                esc(lang.t("progress_exercise")),
                esc(lang.t("progress_lesson")),
                esc(lang.t("progress_best")),
                esc(lang.t("progress_attempts")),
                esc(lang.t("progress_last")),
            );
            for ex in &tried {
                let Some(e) = p.exercises.get(&ex.id) else {
                    continue;
                };
                let _ = writeln!(
                    m,
                    "<tr data-exercise=\"{}\" class=\"{}\"><th scope=\"row\"><a href=\"{}#x-{}\">{}</a></th><td>{}</td><td class=\"best-score\" data-score=\"{}\">{}</td><td class=\"attempts\">{}</td><td class=\"last\">{}</td></tr>",
                    esc(&ex.id),
                    if e.passed { "passed" } else { "open" },
                    lesson_href(course_id, &ex.lesson),
                    esc(&ex.id),
                    esc(&ex.title),
                    esc(titles.get(ex.lesson.as_str()).copied().unwrap_or_default()),
                    e.best_score,
                    lang.percent(e.best_score),
                    e.attempts,
                    esc(&lang.date_time(&e.last_at)),
                );
            }
            m.push_str("</tbody>\n</table></div>\n");
        } else if !untried.is_empty() {
            let _ = writeln!(
                m,
                "<p class=\"notice\">{}</p>",
                esc(lang.t("progress_none_tried"))
            );
        }
        if !untried.is_empty() {
            m.push_str(&untried_summary(lang, course_id, &titles, &untried));
        }
        m.push_str("</section>\n");
    }
    layout(ctx, lang.t("progress_title"), "page-progress", &m)
}

/// The folded list of exercises not tried yet: "Zbývá 12 cvičení", opening to one line per
/// lesson (in course order) with links straight to its exercises.
fn untried_summary(
    lang: Lang,
    course_id: &str,
    titles: &BTreeMap<&str, &str>,
    untried: &[&ManifestExercise],
) -> String {
    let n = untried.len();
    // Czech counts: 1 cvičení zbývá, 2–4 zbývají, 5 and more zbývá again.
    let key = match n {
        1 => "progress_left_one",
        2..=4 => "progress_left_few",
        _ => "progress_left_many",
    };
    let mut h = format!(
        "<details class=\"untried\" data-untried=\"{n}\"><summary>{}</summary>\n<ul class=\"untried-lessons\">\n",
        esc(&lang.tf(key, &[("n", &n.to_string())]))
    );
    let mut lessons: Vec<&str> = Vec::new();
    for ex in untried {
        if !lessons.contains(&ex.lesson.as_str()) {
            lessons.push(&ex.lesson);
        }
    }
    for lesson in lessons {
        let href = lesson_href(course_id, lesson);
        let links: Vec<String> = untried
            .iter()
            .filter(|ex| ex.lesson == lesson)
            .map(|ex| {
                format!(
                    "<a href=\"{href}#x-{}\" data-exercise=\"{}\">{}</a>",
                    esc(&ex.id),
                    esc(&ex.id),
                    esc(&ex.title)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<li><a class=\"untried-lesson\" href=\"{href}\">{}</a>: {}</li>",
            esc(titles.get(lesson).copied().unwrap_or(lesson)),
            links.join(", ")
        );
    }
    h.push_str("</ul>\n</details>\n");
    h
}

/// An error page (status set by the caller).
pub fn error(ctx: &Ctx, message_key: &'static str) -> String {
    let lang = ctx.lang;
    let m = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">{}</a></p>\n",
        esc(lang.t("error_title")),
        esc(lang.t(message_key)),
        esc(lang.t("error_home"))
    );
    layout(ctx, lang.t("error_title"), "page-error", &m)
}

/// Splits a search snippet (escaped HTML with `<mark>`) into plain text pieces.
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("<mark>") {
        if start > 0 {
            parts.push((unescape(&rest[..start]), false));
        }
        let after = &rest[start + "<mark>".len()..];
        let end = after.find("</mark>").unwrap_or(after.len());
        parts.push((unescape(&after[..end]), true));
        rest = after.get(end + "</mark>".len()..).unwrap_or_default();
    }
    if !rest.is_empty() {
        parts.push((unescape(rest), false));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untried_exercises_are_counted_in_proper_czech_and_grouped_by_lesson() {
        let ex = |id: &str, lesson: &str| ManifestExercise {
            id: id.to_owned(),
            lesson: lesson.to_owned(),
            plugin: "quiz".to_owned(),
            title: format!("Úloha {id}"),
            points: 1,
            task: serde_json::Value::Null,
        };
        let all: Vec<ManifestExercise> = (1..=5)
            .map(|i| ex(&format!("e{i}"), if i < 3 { "01-a" } else { "02-b" }))
            .collect();
        let titles = BTreeMap::from([("01-a", "První"), ("02-b", "Druhá")]);
        let summary = |lang: Lang, n: usize| {
            let some: Vec<&ManifestExercise> = all.iter().take(n).collect();
            untried_summary(lang, "kurz", &titles, &some)
        };
        for (n, cs, en) in [
            (1, "Zbývá 1 cvičení", "1 exercise left"),
            (3, "Zbývají 3 cvičení", "3 exercises left"),
            (5, "Zbývá 5 cvičení", "5 exercises left"),
        ] {
            assert!(summary(Lang::Cs, n).contains(&format!("<summary>{cs}</summary>")));
            assert!(summary(Lang::En, n).contains(&format!("<summary>{en}</summary>")));
        }
        let five = summary(Lang::Cs, 5);
        assert_eq!(five.matches("<li>").count(), 2, "{five}");
        assert!(
            five.contains(
                "<li><a class=\"untried-lesson\" href=\"/c/kurz/l/01-a\">První</a>: \
                 <a href=\"/c/kurz/l/01-a#x-e1\" data-exercise=\"e1\">Úloha e1</a>, \
                 <a href=\"/c/kurz/l/01-a#x-e2\" data-exercise=\"e2\">Úloha e2</a></li>"
            ),
            "{five}"
        );
    }

    #[test]
    fn sync_ages_read_naturally() {
        let cs: Vec<String> = [0, 59, 300, 7200, 90_000, 3 * 86_400]
            .iter()
            .map(|&s| ago(Lang::Cs, s))
            .collect();
        assert_eq!(
            cs,
            [
                "právě teď",
                "právě teď",
                "před 5 min",
                "před 2 h",
                "před 1 dnem",
                "před 3 dny"
            ]
        );
        assert_eq!(ago(Lang::En, 300), "5 min ago");
        let line = |state, last_synced: Option<&str>| {
            SyncLine::new(
                Lang::Cs,
                &StatusSnapshot {
                    state,
                    last_synced: last_synced.map(str::to_owned),
                    running: false,
                },
            )
            .text
        };
        assert_eq!(
            line(SyncState::Unreachable, None),
            "Server nedostupný, zatím nesynchronizováno"
        );
        assert!(
            line(SyncState::Unreachable, Some("2020-01-01T00:00:00Z"))
                .starts_with("Server nedostupný, naposledy před ")
        );
        assert_eq!(
            line(SyncState::Pending, None),
            "Čeká na synchronizaci se školou"
        );
        assert_eq!(line(SyncState::NotEnrolled, None), "Nepřipojeno ke škole");
    }

    #[test]
    fn escaping_covers_attributes_and_text() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn url_parts_keep_ids_readable() {
        assert_eq!(url_part("01-skola_a.b~"), "01-skola_a.b~");
        assert_eq!(url_part("a b/ř#"), "a%20b%2F%C5%99%23");
    }

    #[test]
    fn snippets_split_into_marked_parts() {
        assert_eq!(
            snippet_parts("Ve <mark>školách</mark> &amp; <mark>škole</mark>"),
            vec![
                ("Ve ".to_owned(), false),
                ("školách".to_owned(), true),
                (" & ".to_owned(), false),
                ("škole".to_owned(), true),
            ]
        );
    }
}
