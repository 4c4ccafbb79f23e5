//! Exercises on a lesson page: the form built from a plugin's `render` answer, the answer
//! string built from a submitted form, and the feedback built from a `check` verdict.
//!
//! Plugin output reaches the page only as markdown rendered and then sanitised (ammonia),
//! escaped text, and SVG inside `<img src="data:image/svg+xml,…">`, where scripts never run.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use pulldown_cmark::{Parser, html};

use crate::bundle::ManifestExercise;
use crate::sandbox::{CheckResponse, InputKind, RenderResponse};

use super::i18n::Lang;
use super::pages::esc;

/// A graded answer as the page shows it (kept in memory for the learner's next view).
#[derive(Debug, Clone)]
pub enum Outcome {
    Graded(CheckResponse),
    /// The plugin could not grade (sandbox error); nothing was recorded.
    Failed,
}

/// Everything one exercise form needs.
pub struct ExerciseView<'a> {
    pub lang: Lang,
    pub course: &'a str,
    pub learner: &'a str,
    pub token: &'a str,
    pub exercise: &'a ManifestExercise,
    pub render: Option<&'a RenderResponse>,
    /// The learner's last answer, prefilled.
    pub last_answer: Option<&'a str>,
    pub outcome: Option<&'a Outcome>,
}

/// Markdown from a plugin as sanitised HTML.
pub fn markdown_html(md: &str) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(md, crate::render::markdown_options()),
    );
    crate::render::sanitize(&out)
}

/// What a `data:` URL inside a double-quoted attribute must encode (non-ASCII is always
/// encoded); everything else stays readable and small.
const DATA_URL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'<')
    .add(b'>')
    .add(b'`');

/// An SVG document as a `data:` URL for `<img src>`.
pub fn svg_data_url(svg: &str) -> String {
    format!("data:image/svg+xml,{}", utf8_percent_encode(svg, DATA_URL))
}

/// Joins the submitted `answer` values into the plugin's answer string: one value as is
/// (text, number, code, single choice), several comma-separated (multiple choice picks,
/// order positions).
pub fn answer_string(values: &[String]) -> String {
    match values {
        [one] => one.clone(),
        many => many.join(","),
    }
}

/// The `<form class="exercise">` for one exercise.
pub fn form(v: &ExerciseView) -> String {
    let lang = v.lang;
    let ex = v.exercise;
    let id = esc(&ex.id);
    let mut h = format!(
        "<form class=\"exercise\" id=\"x-{id}\" data-exercise=\"{id}\" method=\"post\" action=\"/c/{course}/x/{id}\" data-draft=\"aktovka-draft:{learner}:{course}:{id}\">\n\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
         <p class=\"exercise-kicker\">{label}</p>\n<h3 class=\"exercise-title\">{title}</h3>\n",
        course = esc(v.course),
        learner = esc(v.learner),
        token = esc(v.token),
        label = esc(lang.t("exercise_label")),
        title = esc(&ex.title),
    );
    let Some(r) = v.render else {
        h.push_str(&format!(
            "<p class=\"notice\">{}</p>\n</form>\n",
            esc(lang.t("exercise_unavailable"))
        ));
        return h;
    };
    h.push_str(&format!(
        "<div class=\"prompt\">{}</div>\n",
        markdown_html(&r.prompt_md)
    ));
    if let Some(svg) = &r.svg {
        h.push_str(&format!(
            "<img class=\"exercise-svg\" src=\"{}\" alt=\"{}\">\n",
            svg_data_url(svg),
            esc(lang.t("exercise_picture"))
        ));
    }
    h.push_str(&controls(v, r));
    h.push_str(&format!(
        "<div class=\"actions\"><button type=\"submit\" class=\"submit\">{}</button></div>\n",
        esc(lang.t("submit"))
    ));
    if let Some(o) = v.outcome {
        h.push_str(&feedback(lang, o));
    }
    h.push_str("</form>\n");
    h
}

fn controls(v: &ExerciseView, r: &RenderResponse) -> String {
    let lang = v.lang;
    let field = format!("a-{}", esc(&v.exercise.id));
    let last = v.last_answer.unwrap_or_default();
    let picked: Vec<&str> = last.split(',').map(str::trim).collect();
    let choices = r.choices.as_deref().unwrap_or_default();
    match r.input {
        InputKind::Choice | InputKind::Multiple => {
            let (legend, kind) = if r.input == InputKind::Choice {
                ("choice_label", "radio")
            } else {
                ("multiple_label", "checkbox")
            };
            let mut h = format!(
                "<fieldset class=\"choices\"><legend>{}</legend>\n",
                esc(lang.t(legend))
            );
            for (i, c) in choices.iter().enumerate() {
                let value = i.to_string();
                let checked = flag(
                    !last.is_empty() && picked.contains(&value.as_str()),
                    " checked",
                );
                h.push_str(&format!(
                    "<label class=\"choice\"><input type=\"{kind}\" name=\"answer\" value=\"{value}\"{checked}> <span>{}</span></label>\n",
                    esc(c)
                ));
            }
            h.push_str("</fieldset>\n");
            h
        }
        InputKind::Order => {
            // One select per place; the submitted values, in place order, are the answer.
            let initial: Vec<usize> = if picked.len() == choices.len() {
                picked.iter().filter_map(|p| p.parse().ok()).collect()
            } else {
                order_hint(r, choices.len())
            };
            let mut h = format!(
                "<fieldset class=\"order\"><legend>{}</legend>\n<ol>\n",
                esc(lang.t("order_label"))
            );
            for place in 0..choices.len() {
                let n = (place + 1).to_string();
                h.push_str(&format!(
                    "<li><label for=\"{field}-{place}\">{}</label> <select id=\"{field}-{place}\" name=\"answer\">",
                    esc(&lang.tf("order_position", &[("n", &n)]))
                ));
                for (i, c) in choices.iter().enumerate() {
                    let selected = flag(initial.get(place) == Some(&i), " selected");
                    h.push_str(&format!(
                        "<option value=\"{i}\"{selected}>{}</option>",
                        esc(c)
                    ));
                }
                h.push_str("</select></li>\n");
            }
            h.push_str("</ol></fieldset>\n");
            h
        }
        InputKind::Code => format!(
            "<label class=\"field-label\" for=\"{field}\">{}</label>\n<div class=\"code-editor\"><textarea id=\"{field}\" name=\"answer\" class=\"code\" rows=\"12\" spellcheck=\"false\" autocapitalize=\"off\" autocomplete=\"off\">\n{}</textarea></div>\n",
            esc(lang.t("code_label")),
            esc(last)
        ),
        InputKind::Text | InputKind::Number => {
            let mode = if r.input == InputKind::Number {
                " inputmode=\"decimal\""
            } else {
                ""
            };
            format!(
                "<label class=\"field-label\" for=\"{field}\">{}</label>\n<input type=\"text\" id=\"{field}\" name=\"answer\"{mode} value=\"{}\" autocomplete=\"off\">\n",
                esc(lang.t("answer_label")),
                esc(last)
            )
        }
    }
}

/// A boolean HTML attribute (` checked`, ` selected`) when `on`, else nothing.
fn flag(on: bool, attribute: &'static str) -> &'static str {
    if on { attribute } else { "" }
}

/// The plugin's suggested starting order (`order` extra field), else the given order.
fn order_hint(r: &RenderResponse, n: usize) -> Vec<usize> {
    let hint: Option<Vec<usize>> = r.extra.get("order").and_then(|v| {
        v.as_array()?
            .iter()
            .map(|i| i.as_u64().map(|i| i as usize))
            .collect()
    });
    hint.filter(|h| h.len() == n && h.iter().all(|&i| i < n))
        .unwrap_or_else(|| (0..n).collect())
}

/// The `.feedback` block for a verdict.
pub fn feedback(lang: Lang, outcome: &Outcome) -> String {
    let v = match outcome {
        Outcome::Graded(v) => v,
        Outcome::Failed => {
            return format!(
                "<div class=\"feedback feedback-error\" role=\"status\" data-passed=\"false\" data-score=\"0\"><p>{}</p></div>\n",
                esc(lang.t("grade_failed"))
            );
        }
    };
    let (class, verdict) = if v.passed {
        ("passed", lang.t("feedback_passed"))
    } else {
        ("failed", lang.t("feedback_failed"))
    };
    // The plugin's own words usually start with the verdict ("Správně!"), so the app adds
    // its verdict only when the plugin said nothing; the score is always shown.
    let verdict = if v.feedback_md.trim().is_empty() {
        format!("<strong>{}</strong> ", esc(verdict))
    } else {
        String::new()
    };
    let mut h = format!(
        "<div class=\"feedback feedback-{class}\" role=\"status\" data-passed=\"{}\" data-score=\"{}\">\n<p class=\"verdict\">{verdict}<span class=\"score\">{}</span></p>\n",
        v.passed,
        v.score,
        esc(&lang.tf("feedback_score", &[("score", &lang.percent(v.score))]))
    );
    if !v.feedback_md.trim().is_empty() {
        h.push_str(&format!(
            "<div class=\"feedback-text\">{}</div>\n",
            markdown_html(&v.feedback_md)
        ));
    }
    // A single check only repeats the verdict; several (worlds, sheet variants) say which
    // part failed.
    if v.checks.len() > 1 {
        h.push_str("<ul class=\"checks\">\n");
        for c in &v.checks {
            let (cls, sign) = if c.passed {
                ("check-passed", "✓")
            } else {
                ("check-failed", "✗")
            };
            h.push_str(&format!(
                "<li class=\"{cls}\"><span aria-hidden=\"true\">{sign}</span> <strong>{}</strong> {}</li>\n",
                esc(&c.name),
                esc(&c.message)
            ));
        }
        h.push_str("</ul>\n");
    }
    if let Some(svg) = &v.svg {
        h.push_str(&format!(
            "<img class=\"plugin-svg\" src=\"{}\" alt=\"{}\">\n",
            svg_data_url(svg),
            esc(lang.t("feedback_world"))
        ));
    }
    h.push_str("</div>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_markdown_cannot_inject_script() {
        let html = markdown_html("**Ahoj** <script>alert(1)</script> <img src=x onerror=y()>");
        assert!(html.contains("<strong>Ahoj</strong>"), "{html}");
        assert!(
            !html.contains("script") && !html.contains("onerror"),
            "{html}"
        );
    }

    #[test]
    fn svg_becomes_an_inert_data_url() {
        let url = svg_data_url("<svg onload=\"x()\"></svg>");
        assert!(url.starts_with("data:image/svg+xml,%3Csvg"), "{url}");
        assert!(!url.contains('"') && !url.contains('<'), "{url}");
    }

    fn graded(feedback_md: &str, checks: usize) -> Outcome {
        Outcome::Graded(CheckResponse {
            score: 0.5,
            passed: false,
            feedback_md: feedback_md.into(),
            checks: (0..checks)
                .map(|i| crate::sandbox::abi::CheckItem {
                    name: format!("svět {i}"),
                    passed: i == 0,
                    message: "zpráva".into(),
                })
                .collect(),
            svg: None,
        })
    }

    #[test]
    fn feedback_says_the_verdict_once() {
        let with_text = feedback(Lang::Cs, &graded("To není správně.", 1));
        assert_eq!(with_text.matches("není správně").count(), 1, "{with_text}");
        assert!(with_text.contains("50 %"), "{with_text}");
        assert!(!with_text.contains("class=\"checks\""), "{with_text}");
        let silent = feedback(Lang::Cs, &graded("", 1));
        assert!(
            silent.contains("<strong>"),
            "the app says the verdict: {silent}"
        );
        let worlds = feedback(Lang::Cs, &graded("Karel nevyřešil všechny světy.", 2));
        assert_eq!(worlds.matches("<li class=\"check-").count(), 2, "{worlds}");
    }

    #[test]
    fn several_values_join_with_commas() {
        assert_eq!(answer_string(&["2".into()]), "2");
        assert_eq!(answer_string(&["0".into(), "2".into()]), "0,2");
        assert_eq!(answer_string(&[]), "");
    }
}
