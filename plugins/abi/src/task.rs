//! Readers that walk a task's JSON and collect every problem with its path.
//!
//! Tasks come from TOML written by teachers, so `validate` must report all mistakes at
//! once, each with a path like `task.worlds[1].karel`, rather than stop at the first as
//! a serde derive would. Each reader returns `None` after recording why.

use serde_json::{Map, Value};

use crate::{Lang, ValidationError};

/// The problems found so far, in the request's language.
#[derive(Debug)]
pub struct Problems {
    lang: Lang,
    list: Vec<ValidationError>,
}

impl Problems {
    /// An empty list whose messages will be in `lang`.
    pub fn new(lang: Lang) -> Problems {
        Problems {
            lang,
            list: Vec::new(),
        }
    }

    /// The language messages are written in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Records a problem at `path`, with the Czech or the English message.
    pub fn push(&mut self, path: &str, cs: impl Into<String>, en: impl Into<String>) {
        let message = match self.lang {
            Lang::Cs => cs.into(),
            Lang::En => en.into(),
        };
        self.list.push(ValidationError {
            path: path.to_owned(),
            message,
        });
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems in the order they were found.
    pub fn into_vec(self) -> Vec<ValidationError> {
        self.list
    }
}

/// `path.key`.
pub fn join(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `value` as a table (JSON object).
pub fn table<'a>(value: &'a Value, path: &str, p: &mut Problems) -> Option<&'a Map<String, Value>> {
    let table = value.as_object();
    if table.is_none() {
        p.push(
            path,
            "má být tabulka (např. [task])",
            "must be a table (e.g. [task])",
        );
    }
    table
}

/// Records every key of `table` not in `allowed` (a typo would otherwise be ignored).
pub fn unknown_keys(table: &Map<String, Value>, allowed: &[&str], path: &str, p: &mut Problems) {
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            let known = allowed.join(", ");
            p.push(
                &join(path, key),
                format!("neznámý klíč „{key}“; povolené jsou: {known}"),
                format!("unknown key `{key}`; allowed: {known}"),
            );
        }
    }
}

/// The value of a required `key`.
pub fn required<'a>(
    table: &'a Map<String, Value>,
    key: &str,
    path: &str,
    p: &mut Problems,
) -> Option<&'a Value> {
    let value = table.get(key);
    if value.is_none() {
        p.push(
            &join(path, key),
            format!("chybí povinný klíč „{key}“"),
            format!("the required key `{key}` is missing"),
        );
    }
    value
}

/// `value` as a string.
pub fn string<'a>(value: &'a Value, path: &str, p: &mut Problems) -> Option<&'a str> {
    let s = value.as_str();
    if s.is_none() {
        p.push(
            path,
            format!("má být text v uvozovkách, je tu {}", kind_cs(value)),
            format!("must be a string in quotes, found {}", kind_en(value)),
        );
    }
    s
}

/// `value` as a string that is not blank.
pub fn non_empty_string<'a>(value: &'a Value, path: &str, p: &mut Problems) -> Option<&'a str> {
    let s = string(value, path, p)?;
    if s.trim().is_empty() {
        p.push(path, "nesmí být prázdné", "must not be empty");
        return None;
    }
    Some(s)
}

/// `value` as an integer (a float with no fractional part counts, as JSON may carry it so).
pub fn integer(value: &Value, path: &str, p: &mut Problems) -> Option<i64> {
    let n = value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    if n.is_none() {
        p.push(
            path,
            format!("má být celé číslo, je tu {}", kind_cs(value)),
            format!("must be an integer, found {}", kind_en(value)),
        );
    }
    n
}

/// `value` as a finite number.
pub fn number(value: &Value, path: &str, p: &mut Problems) -> Option<f64> {
    let n = value.as_f64().filter(|f| f.is_finite());
    if n.is_none() {
        p.push(
            path,
            format!("má být číslo, je tu {}", kind_cs(value)),
            format!("must be a number, found {}", kind_en(value)),
        );
    }
    n
}

/// `value` as a list.
pub fn array<'a>(value: &'a Value, path: &str, p: &mut Problems) -> Option<&'a Vec<Value>> {
    let a = value.as_array();
    if a.is_none() {
        p.push(
            path,
            format!("má být seznam [ … ], je tu {}", kind_cs(value)),
            format!("must be a list [ … ], found {}", kind_en(value)),
        );
    }
    a
}

fn kind_cs(value: &Value) -> &'static str {
    match value {
        Value::Null => "nic",
        Value::Bool(_) => "pravdivostní hodnota",
        Value::Number(_) => "číslo",
        Value::String(_) => "text",
        Value::Array(_) => "seznam",
        Value::Object(_) => "tabulka",
    }
}

fn kind_en(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readers_record_paths_and_types() {
        let mut p = Problems::new(Lang::En);
        let task = json!({"a": 1, "b": "x", "c": [1], "typo": true});
        let t = table(&task, "task", &mut p).unwrap();
        unknown_keys(t, &["a", "b", "c"], "task", &mut p);
        assert_eq!(string(&t["a"], "task.a", &mut p), None);
        assert_eq!(integer(&t["b"], "task.b", &mut p), None);
        assert_eq!(integer(&json!(3.0), "x", &mut p), Some(3));
        assert_eq!(number(&t["a"], "task.a", &mut p), Some(1.0));
        assert!(array(&t["c"], "task.c", &mut p).is_some());
        assert!(required(t, "d", "task", &mut p).is_none());
        let errors = p.into_vec();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["task.typo", "task.a", "task.b", "task.d"]);
        assert_eq!(
            errors[1].message,
            "must be a string in quotes, found a number"
        );
    }

    #[test]
    fn messages_follow_the_language() {
        let mut p = Problems::new(Lang::Cs);
        non_empty_string(&json!("  "), "task.question", &mut p);
        assert_eq!(p.into_vec()[0].message, "nesmí být prázdné");
    }
}
