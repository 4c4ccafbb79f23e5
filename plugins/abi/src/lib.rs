//! Plugin-side plumbing of the aktovka exercise plugin ABI, version 1.
//!
//! A plugin is a WASI preview 1 command module: it reads ONE JSON request from stdin and
//! writes ONE JSON response to stdout (`docs/plugins/` and the design's section 4 give the
//! contract). This crate owns everything that is the same for every shipped plugin:
//!
//! - [`handle`] parses a request, dispatches it to a [`Plugin`] and serialises the answer;
//!   [`run`] wraps it with stdin/stdout for `main`.
//! - the response types ([`Rendered`], [`Verdict`], [`Check`], [`ValidationError`]);
//! - [`Lang`] for Czech/English messages and [`fold`] for diacritics-insensitive
//!   comparison;
//! - [`task`]: readers that walk a task's JSON and report every problem with its path.
//!
//! A request the plugin cannot serve (bad JSON, `abi` other than 1, unknown `op`, missing
//! field, a task that does not validate given to `render`/`check`) is answered with
//! `{"error":"…"}` in English (it is for the host and plugin authors, never for pupils), and
//! the process still exits with code 0: the host tells an answered error from a crashed
//! plugin by the response, not the exit code.

pub mod task;
mod text;

use std::io::{Read, Write};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

pub use text::{fold, normalize_loose};

/// The ABI version this crate speaks; every request must carry `"abi": 1`.
pub const ABI_VERSION: u64 = 1;

/// The language of pupil-facing messages, from the request's `lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Czech, the default.
    Cs,
    /// English.
    En,
}

impl Lang {
    /// `"en"` (and any `en-…` tag) is English; anything else, or nothing, is Czech.
    pub fn from_tag(tag: Option<&str>) -> Lang {
        match tag {
            Some(t)
                if t.eq_ignore_ascii_case("en") || t.to_ascii_lowercase().starts_with("en-") =>
            {
                Lang::En
            }
            _ => Lang::Cs,
        }
    }

    /// Picks the Czech or the English variant.
    pub fn pick<T>(self, cs: T, en: T) -> T {
        match self {
            Lang::Cs => cs,
            Lang::En => en,
        }
    }
}

/// One problem found by `validate`: where (`task.options[2]`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Dotted path from the task root, e.g. `task.worlds[1].goal`.
    pub path: String,
    /// What is wrong and how to fix it, in the request's language.
    pub message: String,
}

/// The answer to `render`: what the learner app shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The prompt, markdown.
    pub prompt_md: String,
    /// An optional picture (plain SVG, shown through `<img>`).
    pub svg: Option<String>,
    /// The input widget: `choice`, `multiple`, `number`, `text`, `order` or `code`.
    pub input: &'static str,
    /// The options for the kinds that have them, markdown.
    pub choices: Option<Vec<String>>,
    /// Plugin-specific extra fields, merged into the response object.
    pub extra: Map<String, Value>,
}

/// One named part of a verdict (one world, one option group…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Short name, e.g. `Svět 2`.
    pub name: String,
    /// Whether this part is right.
    pub passed: bool,
    /// What happened, in the request's language.
    pub message: String,
}

/// The answer to `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// 0.0..=1.0.
    pub score: f64,
    /// Whether the exercise counts as solved.
    pub passed: bool,
    /// Feedback for the pupil, markdown.
    pub feedback_md: String,
    /// The parts of the verdict.
    pub checks: Vec<Check>,
    /// An optional picture (plain SVG).
    pub svg: Option<String>,
}

/// What a plugin implements; [`handle`] does the rest.
pub trait Plugin {
    /// Every problem of `task`; empty when it is valid.
    fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError>;
    /// What the learner app shows. `Err` is an `{"error"}` response (invalid task).
    fn render(&self, task: &Value, lang: Lang) -> Result<Rendered, String>;
    /// `render` for a request that may carry the optional `seed` (the pupil's variant of a
    /// task generated from the seed). Plugins whose prompt does not depend on the seed keep
    /// this default, which ignores it.
    fn render_seeded(
        &self,
        task: &Value,
        _seed: Option<u64>,
        lang: Lang,
    ) -> Result<Rendered, String> {
        self.render(task, lang)
    }
    /// Grades `answer`. `Err` is an `{"error"}` response (invalid task).
    fn check(&self, task: &Value, answer: &str, seed: u64, lang: Lang) -> Result<Verdict, String>;
}

/// The error text for `render`/`check` given a task that does not validate.
pub fn invalid_task(errors: &[ValidationError]) -> String {
    let details: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    format!("invalid task (run `validate`): {}", details.join("; "))
}

/// Answers one request; always returns one JSON object.
pub fn handle<P: Plugin>(plugin: &P, request: &str) -> String {
    let parsed = parse_request(request);
    respond(plugin, &parsed)
}

/// `main` of a plugin: stdin → [`handle`] → stdout. Exit code 0 whenever a response was
/// written (including `{"error"}` responses), 1 only when stdout cannot be written.
///
/// A plugin instance answers one request and is thrown away, so this reads the request in
/// one go, writes the response with one write, and never frees the request or the
/// response: freeing memory nobody will use again is wasted work on every grading.
pub fn run<P: Plugin>(plugin: &P) -> ExitCode {
    let mut raw = Vec::with_capacity(16 << 10);
    let mut response = match std::io::stdin().read_to_end(&mut raw) {
        Err(e) => json!({ "error": format!("cannot read stdin: {e}") }).to_string(),
        Ok(_) => match String::from_utf8(raw) {
            Ok(request) => {
                let parsed = parse_request(&request);
                let response = respond(plugin, &parsed);
                std::mem::forget((parsed, request));
                response
            }
            Err(_) => json!({ "error": "the request is not UTF-8" }).to_string(),
        },
    };
    response.push('\n');
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(response.as_bytes())
        .and_then(|()| out.flush());
    std::mem::forget(response);
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn parse_request(request: &str) -> Result<Value, String> {
    serde_json::from_str(request).map_err(|e| format!("the request is not JSON: {e}"))
}

/// The response to a parsed request, serialised.
fn respond<P: Plugin>(plugin: &P, request: &Result<Value, String>) -> String {
    let response = match request {
        Ok(request) => {
            dispatch(plugin, request).unwrap_or_else(|message| json!({ "error": message }))
        }
        Err(message) => json!({ "error": message }),
    };
    // Straight into a byte buffer: `Value`'s `Display` goes through `fmt::Write`, a call per
    // fragment. Serialising a `Value` cannot fail.
    serde_json::to_string(&response).unwrap_or_default()
}

fn dispatch<P: Plugin>(plugin: &P, request: &Value) -> Result<Value, String> {
    let request = request
        .as_object()
        .ok_or("the request must be a JSON object")?;
    match request.get("abi") {
        Some(v) if v.as_u64() == Some(ABI_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "unsupported abi {v}; this plugin speaks abi {ABI_VERSION}"
            ));
        }
        None => return Err("the request has no `abi` field".to_owned()),
    }
    let lang = match request.get("lang") {
        None | Some(Value::Null) => Lang::Cs,
        Some(Value::String(s)) => Lang::from_tag(Some(s)),
        Some(_) => return Err("`lang` must be a string".to_owned()),
    };
    let op = request
        .get("op")
        .and_then(Value::as_str)
        .ok_or("the request has no string `op` field")?;
    let task = request
        .get("task")
        .ok_or("the request has no `task` field")?;
    match op {
        "validate" => {
            let errors = plugin.validate(task, lang);
            if errors.is_empty() {
                Ok(json!({ "ok": true }))
            } else {
                let list: Vec<Value> = errors
                    .into_iter()
                    .map(|e| json!({ "path": e.path, "message": e.message }))
                    .collect();
                Ok(json!({ "ok": false, "errors": list }))
            }
        }
        "render" => {
            let seed = optional_seed(request)?;
            plugin.render_seeded(task, seed, lang).map(rendered_json)
        }
        "check" => {
            let answer = match request.get("answer") {
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err("`answer` must be a string".to_owned()),
                None => return Err("the request has no `answer` field".to_owned()),
            };
            let seed = optional_seed(request)?.unwrap_or(0);
            plugin.check(task, answer, seed, lang).map(verdict_json)
        }
        other => Err(format!(
            "unknown op `{other}`; expected validate, render or check"
        )),
    }
}

/// The request's `seed`: absent or null is `None`.
fn optional_seed(request: &Map<String, Value>) -> Result<Option<u64>, String> {
    match request.get("seed") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| "`seed` must be a non-negative integer".to_owned()),
    }
}

fn rendered_json(r: Rendered) -> Value {
    let mut out = r.extra;
    out.insert("prompt_md".into(), Value::String(r.prompt_md));
    out.insert("input".into(), Value::String(r.input.to_owned()));
    if let Some(svg) = r.svg {
        out.insert("svg".into(), Value::String(svg));
    }
    if let Some(choices) = r.choices {
        out.insert(
            "choices".into(),
            Value::Array(choices.into_iter().map(Value::String).collect()),
        );
    }
    Value::Object(out)
}

fn verdict_json(v: Verdict) -> Value {
    let checks: Vec<Value> = v
        .checks
        .into_iter()
        .map(|c| json!({ "name": c.name, "passed": c.passed, "message": c.message }))
        .collect();
    let mut out = json!({
        "score": v.score.clamp(0.0, 1.0),
        "passed": v.passed,
        "feedback_md": v.feedback_md,
        "checks": checks,
    });
    if let (Some(svg), Some(obj)) = (v.svg, out.as_object_mut()) {
        obj.insert("svg".into(), Value::String(svg));
    }
    out
}

/// Escapes text for SVG/XML character data and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl Plugin for Echo {
        fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError> {
            if task.is_object() {
                Vec::new()
            } else {
                vec![ValidationError {
                    path: "task".into(),
                    message: lang.pick("má být tabulka", "must be a table").into(),
                }]
            }
        }
        fn render(&self, _task: &Value, lang: Lang) -> Result<Rendered, String> {
            Ok(Rendered {
                prompt_md: lang.pick("Ahoj", "Hello").into(),
                svg: None,
                input: "text",
                choices: Some(vec!["a".into()]),
                extra: Map::new(),
            })
        }
        fn check(&self, _t: &Value, answer: &str, seed: u64, _l: Lang) -> Result<Verdict, String> {
            if answer == "boom" {
                return Err("bad task".into());
            }
            Ok(Verdict {
                score: 2.0,
                passed: true,
                feedback_md: format!("{answer}/{seed}"),
                checks: vec![],
                svg: Some("<svg/>".into()),
            })
        }
    }

    fn call(request: &str) -> Value {
        serde_json::from_str(&handle(&Echo, request)).unwrap()
    }

    #[test]
    fn validate_answers_ok_or_errors_with_paths() {
        assert_eq!(
            call(r#"{"abi":1,"op":"validate","task":{}}"#),
            json!({"ok":true})
        );
        let bad = call(r#"{"abi":1,"op":"validate","task":3,"lang":"en"}"#);
        assert_eq!(bad["ok"], json!(false));
        assert_eq!(bad["errors"][0]["path"], "task");
        assert_eq!(bad["errors"][0]["message"], "must be a table");
    }

    #[test]
    fn render_defaults_to_czech_and_lists_choices() {
        let r = call(r#"{"abi":1,"op":"render","task":{}}"#);
        assert_eq!(r["prompt_md"], "Ahoj");
        assert_eq!(r["input"], "text");
        assert_eq!(r["choices"], json!(["a"]));
        assert!(r.get("svg").is_none());
        let en = call(r#"{"abi":1,"op":"render","task":{},"lang":"en"}"#);
        assert_eq!(en["prompt_md"], "Hello");
    }

    #[test]
    fn render_takes_an_optional_seed_that_plugins_may_ignore() {
        let plain = call(r#"{"abi":1,"op":"render","task":{}}"#);
        assert_eq!(call(r#"{"abi":1,"op":"render","task":{},"seed":5}"#), plain);
        assert_eq!(
            call(r#"{"abi":1,"op":"render","task":{},"seed":null}"#),
            plain
        );
        let bad = call(r#"{"abi":1,"op":"render","task":{},"seed":"x"}"#);
        assert!(bad["error"].as_str().is_some_and(|e| e.contains("`seed`")));
    }

    #[test]
    fn check_clamps_score_and_passes_answer_and_seed() {
        let r = call(r#"{"abi":1,"op":"check","task":{},"answer":"x","seed":7,"lang":"cs"}"#);
        assert_eq!(r["score"], json!(1.0));
        assert_eq!(r["feedback_md"], "x/7");
        assert_eq!(r["svg"], "<svg/>");
        let e = call(r#"{"abi":1,"op":"check","task":{},"answer":"boom","seed":7}"#);
        assert_eq!(e["error"], "bad task");
    }

    #[test]
    fn bad_requests_are_error_responses() {
        for (request, needle) in [
            ("not json", "not JSON"),
            ("[1]", "JSON object"),
            (r#"{"op":"render","task":{}}"#, "no `abi`"),
            (r#"{"abi":2,"op":"render","task":{}}"#, "unsupported abi 2"),
            (r#"{"abi":1,"op":"grade","task":{}}"#, "unknown op `grade`"),
            (r#"{"abi":1,"op":"render"}"#, "no `task`"),
            (
                r#"{"abi":1,"op":"check","task":{},"seed":1}"#,
                "no `answer`",
            ),
            (
                r#"{"abi":1,"op":"check","task":{},"answer":1}"#,
                "must be a string",
            ),
            (
                r#"{"abi":1,"op":"check","task":{},"answer":"a","seed":-1}"#,
                "`seed`",
            ),
        ] {
            let r = call(request);
            let message = r["error"].as_str().unwrap_or_default();
            assert!(message.contains(needle), "{request}: {message}");
        }
    }

    #[test]
    fn xml_escape_escapes_markup() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
