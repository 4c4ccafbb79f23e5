//! The course table as CSV for Czech Excel and LibreOffice: UTF-8 with a BOM (so Excel
//! reads it as UTF-8), `;` between fields (the list separator of the Czech locale), CRLF
//! line ends, decimal comma in scores, and quotes around a field that holds `;`, `"`, a
//! line break or edge spaces. A text field that a spreadsheet would take for a formula
//! (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`. Columns: `docs/dashboard.md`.

use super::i18n::{t, tf};
use super::matrix::Matrix;
use super::pages::learner_name;
use crate::learner::i18n::Lang;

/// The whole file, header row first.
pub fn table(lang: Lang, m: &Matrix) -> String {
    let mut out = String::from("\u{feff}");
    let mut header = vec![
        text(t(lang, "csv_learner")),
        text(t(lang, "csv_learner_id")),
    ];
    for x in &m.exercises {
        let args = [("exercise", x.title.as_str())];
        header.push(text(&tf(lang, "csv_best", &args)));
        header.push(text(&tf(lang, "csv_attempts", &args)));
        header.push(text(&tf(lang, "csv_flags", &args)));
    }
    header.push(text(t(lang, "csv_lessons")));
    line(&mut out, &header);
    for row in &m.rows {
        let mut fields = vec![text(&learner_name(lang, row)), row.learner.to_string()];
        for x in &m.exercises {
            match row.cell(&x.id).filter(|c| c.attempts > 0) {
                Some(c) => {
                    fields.push(decimal(c.best * 100.0));
                    fields.push(c.attempts.to_string());
                    fields.push(c.mismatches.to_string());
                }
                None => fields.extend([String::new(), "0".into(), "0".into()]),
            }
        }
        fields.push(m.completed_count(row).to_string());
        line(&mut out, &fields);
    }
    out
}

fn line(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(";"));
    out.push_str("\r\n");
}

/// A number with at most one decimal place and a decimal comma (`87,5`, `100`).
pub fn decimal(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    format!("{rounded}").replace('.', ",")
}

/// A text field, quoted when needed and defused when a spreadsheet would run it.
pub fn text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    let needs_quotes =
        s.contains([';', '"', '\n', '\r', ',']) || s.starts_with(' ') || s.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(text("Anežka Nováková"), "Anežka Nováková");
        assert_eq!(text("a;b"), "\"a;b\"");
        assert_eq!(text("řekl \"ahoj\""), "\"řekl \"\"ahoj\"\"\"");
        assert_eq!(text("=1+1"), "'=1+1");
        assert_eq!(text("-2;x"), "\"'-2;x\"");
        assert_eq!(text("dva\nřádky"), "\"dva\nřádky\"");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal(87.5), "87,5");
        assert_eq!(decimal(100.0), "100");
        assert_eq!(decimal(33.333_333), "33,3");
        assert_eq!(decimal(0.0), "0");
    }
}
