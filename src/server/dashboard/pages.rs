//! The dashboard's HTML. Every visible string comes from the dashboard catalogue
//! ([`super::i18n`]); every value from the store, a bundle or an event is escaped with
//! [`esc`]. No script; the stylesheet is `/ucitel/dashboard.css`.

use std::fmt::Write as _;

use super::i18n::{t, tf};
use super::matrix::{Cell, Matrix, Row};
use super::{BASE, CourseTable};
use crate::learner::i18n::Lang;
use crate::learner::pages::{esc, url_part};
use crate::server::{Class, Teacher};

/// One course line of the class page.
pub struct CourseLine {
    pub id: String,
    pub title: String,
    /// The newest published version, if published.
    pub version: Option<String>,
    pub activity: super::matrix::CourseActivity,
}

/// The frame of every page: header (title, teacher, logout, language switch), main.
fn layout(lang: Lang, teacher: Option<&Teacher>, title: &str, main: &str) -> String {
    let other = lang.other();
    let who = teacher.map_or_else(String::new, |who| {
        format!(
            "<span class=\"who\">{}</span>\
             <form method=\"post\" action=\"{BASE}/odhlaseni\"><button type=\"submit\">{}</button></form>",
            esc(&tf(lang, "signed_in_as", &[("name", &who.name)])),
            esc(t(lang, "logout"))
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · {app}</title>\n<link rel=\"stylesheet\" href=\"{BASE}/dashboard.css\">\n\
<link rel=\"icon\" href=\"{BASE}/icon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n\
<header>\n<a class=\"brand\" href=\"{BASE}\">{app}</a>\n<div class=\"tools\">{who}\
<a id=\"lang-switch\" href=\"?lang={other_code}\" hreflang=\"{other_code}\" lang=\"{other_code}\" title=\"{switch_label}\">{switch}</a></div>\n\
</header>\n<main id=\"main\">\n{main}\n</main>\n</body>\n</html>\n",
        html_lang = t(lang, "html_lang"),
        title = esc(title),
        app = esc(t(lang, "title")),
        other_code = other.code(),
        switch_label = esc(t(lang, "lang_switch_label")),
        switch = esc(t(lang, "lang_switch")),
    )
}

/// A page with one message (not found, error, refused).
pub fn message(lang: Lang, teacher: Option<&Teacher>, key: &'static str) -> String {
    let main = format!(
        "<p class=\"message\">{}</p>\n<p><a href=\"{BASE}\">{}</a></p>",
        esc(t(lang, key)),
        esc(t(lang, "back_classes"))
    );
    layout(lang, teacher, t(lang, key), &main)
}

/// The login form, with the name kept and an error after a failed try.
pub fn login(lang: Lang, name: &str, error: Option<&str>) -> String {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>\n", esc(e))
    });
    let main = format!(
        "<h1>{title}</h1>\n{error}<form class=\"login\" method=\"post\" action=\"{BASE}/prihlaseni?lang={code}\">\n\
<label for=\"name\">{name_label}</label>\n<input id=\"name\" name=\"name\" autocomplete=\"username\" required value=\"{name}\">\n\
<label for=\"password\">{password_label}</label>\n<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
<button type=\"submit\">{button}</button>\n</form>",
        title = esc(t(lang, "login_title")),
        code = lang.code(),
        name_label = esc(t(lang, "login_name")),
        name = esc(name),
        password_label = esc(t(lang, "login_password")),
        button = esc(t(lang, "login_button")),
    );
    layout(lang, None, t(lang, "login_title"), &main)
}

/// The teacher's classes.
pub fn classes(lang: Lang, teacher: &Teacher, classes: &[(Class, usize)]) -> String {
    let mut main = format!("<h1>{}</h1>\n", esc(t(lang, "classes_title")));
    if classes.is_empty() {
        let _ = write!(main, "<p>{}</p>", esc(t(lang, "classes_none")));
    } else {
        main.push_str("<ul class=\"classes\">\n");
        for (c, n) in classes {
            let _ = writeln!(
                main,
                "<li><a href=\"{BASE}/tridy/{}\">{}</a> <span class=\"muted\">{}</span></li>",
                c.id,
                esc(&c.name),
                esc(&tf(lang, "class_learners", &[("n", &n.to_string())]))
            );
        }
        main.push_str("</ul>");
    }
    layout(lang, Some(teacher), t(lang, "classes_title"), &main)
}

/// A class: its courses, published or with activity.
pub fn class(lang: Lang, teacher: &Teacher, class: &Class, courses: &[CourseLine]) -> String {
    let title = tf(lang, "class_title", &[("name", &class.name)]);
    let mut main = format!(
        "<p><a href=\"{BASE}\">{}</a></p>\n<h1>{}</h1>\n<h2>{}</h2>\n",
        esc(t(lang, "back_classes")),
        esc(&title),
        esc(t(lang, "courses_title"))
    );
    if courses.is_empty() {
        let _ = write!(main, "<p>{}</p>", esc(t(lang, "courses_none")));
        return layout(lang, Some(teacher), &title, &main);
    }
    let _ = writeln!(
        main,
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>",
        esc(t(lang, "courses_title")),
        esc(t(lang, "course_col")),
        esc(t(lang, "version_col")),
        esc(t(lang, "active_col")),
        esc(t(lang, "attempts_col")),
    );
    for c in courses {
        let _ = writeln!(
            main,
            "<tr><th scope=\"row\"><a href=\"{BASE}/tridy/{}/kurzy/{}\">{}</a></th><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            class.id,
            url_part(&c.id),
            esc(&c.title),
            esc(c.version.as_deref().unwrap_or(t(lang, "not_published"))),
            c.activity.learners,
            c.activity.attempts
        );
    }
    main.push_str("</tbody>\n</table>");
    layout(lang, Some(teacher), &title, &main)
}

/// How a row names its learner: the roster name, or "unknown learner" and a short id.
pub fn learner_name(lang: Lang, row: &Row) -> String {
    match &row.name {
        Some(n) => n.clone(),
        None => format!("{} {}", t(lang, "unknown_learner"), row.short_id()),
    }
}

fn cell_html(lang: Lang, cell: Option<&Cell>) -> String {
    let Some(c) = cell.filter(|c| c.attempts > 0) else {
        return format!("<td class=\"empty\">{}</td>", esc(t(lang, "no_attempt")));
    };
    let class = if c.passed { "passed" } else { "tried" };
    let flag = if c.mismatches > 0 {
        format!(
            " <span class=\"flag\" title=\"{}\">⚑ {}</span>",
            esc(&tf(
                lang,
                "flag_title",
                &[("claimed", &lang.percent(c.claimed))]
            )),
            esc(t(lang, "flag"))
        )
    } else {
        String::new()
    };
    format!(
        "<td class=\"{class}\"><span class=\"score\">{}</span> <span class=\"attempts\">{}</span>{flag}</td>",
        esc(&lang.percent(c.best)),
        esc(&tf(lang, "attempts_n", &[("n", &c.attempts.to_string())])),
    )
}

/// The course table of a class: learners × exercises, lesson completion, totals.
pub fn course(lang: Lang, teacher: &Teacher, table: &CourseTable) -> String {
    let m: &Matrix = &table.matrix;
    let title = tf(
        lang,
        "course_title",
        &[("course", &table.title), ("class", &table.class.name)],
    );
    let base = format!(
        "{BASE}/tridy/{}/kurzy/{}",
        table.class.id,
        url_part(&table.course)
    );
    let mut main = format!(
        "<p><a href=\"{BASE}/tridy/{}\">{}</a></p>\n<h1>{}</h1>\n\
         <p><a class=\"csv\" href=\"{base}/export.csv\" download>{}</a></p>\n",
        table.class.id,
        esc(&tf(lang, "back_class", &[("name", &table.class.name)])),
        esc(&title),
        esc(t(lang, "csv_link")),
    );
    let _ = write!(
        main,
        "<div class=\"scroll\"><table class=\"matrix\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
        esc(t(lang, "matrix_caption")),
        esc(t(lang, "learner_col"))
    );
    for x in &m.exercises {
        let _ = write!(main, "<th scope=\"col\">{}</th>", esc(&x.title));
    }
    let _ = writeln!(
        main,
        "<th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>",
        esc(t(lang, "lessons_done_col"))
    );
    for row in &m.rows {
        let class = if row.name.is_none() {
            " class=\"unknown\""
        } else {
            ""
        };
        let _ = write!(
            main,
            "<tr{class}><th scope=\"row\">{}</th>",
            esc(&learner_name(lang, row))
        );
        for x in &m.exercises {
            main.push_str(&cell_html(lang, row.cell(&x.id)));
        }
        let _ = writeln!(
            main,
            "<td class=\"num\">{} / {}</td></tr>",
            m.completed_count(row),
            m.lessons.len()
        );
    }
    let _ = write!(
        main,
        "</tbody>\n<tfoot><tr><th scope=\"row\">{}</th>",
        esc(t(lang, "totals"))
    );
    for x in &m.exercises {
        let (passed, tried, attempts) = m.exercise_totals(&x.id);
        let _ = write!(
            main,
            "<td>{} <span class=\"attempts\">{}</span></td>",
            esc(&tf(
                lang,
                "passed_of",
                &[("n", &passed.to_string()), ("total", &tried.to_string())]
            )),
            esc(&tf(lang, "attempts_n", &[("n", &attempts.to_string())]))
        );
    }
    main.push_str("<td></td></tr></tfoot>\n</table></div>\n");
    let _ = writeln!(
        main,
        "<p class=\"legend\">{}</p>",
        esc(t(lang, "flag_legend"))
    );
    if !table.waiting.is_empty() {
        let n: usize = table.waiting.values().sum();
        let versions: Vec<&str> = table.waiting.keys().map(String::as_str).collect();
        let _ = writeln!(
            main,
            "<p class=\"legend waiting\">{}</p>",
            esc(&tf(
                lang,
                "waiting_publish",
                &[("n", &n.to_string()), ("versions", &versions.join(", "))]
            ))
        );
    }
    let _ = write!(
        main,
        "<table class=\"lessons\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        esc(t(lang, "lessons_caption")),
        esc(t(lang, "lesson_col")),
        esc(t(lang, "completed_col")),
        esc(t(lang, "opened_col")),
    );
    for l in &m.lessons {
        let (completed, opened) = m.lesson_totals(&l.id);
        let _ = writeln!(
            main,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{completed} / {n}</td><td class=\"num\">{opened} / {n}</td></tr>",
            esc(&l.title),
            n = m.rows.len()
        );
    }
    main.push_str("</tbody>\n</table>");
    layout(lang, Some(teacher), &title, &main)
}
