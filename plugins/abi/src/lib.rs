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
//! - [`one_shot`]: a global allocator for a plugin that answers one request and ends.
//!
//! A request the plugin cannot serve (bad JSON, `abi` other than 1, unknown `op`, missing
//! field, a task that does not validate given to `render`/`check`) is answered with
//! `{"error":"…"}` in English (it is for the host and plugin authors, never for pupils), and
//! the process still exits with code 0: the host tells an answered error from a crashed
//! plugin by the response, not the exit code.

pub mod one_shot;
pub mod task;
mod text;

use std::borrow::Cow;
use std::io::{Read, Write};
use std::process::ExitCode;

use serde::Deserialize;
use serde_json::{Map, Value};

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
                if t.eq_ignore_ascii_case("en")
                    || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("en-")) =>
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
    let mut out = Vec::with_capacity(1024);
    respond(plugin, request, &mut out);
    into_string(out)
}

/// `main` of a plugin: stdin → [`handle`] → stdout. Exit code 0 whenever a response was
/// written (including `{"error"}` responses), 1 only when stdout cannot be written.
///
/// A plugin instance answers one request and is thrown away, so this reads the request in
/// one go, writes the response with one write, and never frees the request or the
/// response: freeing memory nobody will use again is wasted work on every grading.
pub fn run<P: Plugin>(plugin: &P) -> ExitCode {
    let mut raw = Vec::with_capacity(16 << 10);
    let mut response = Vec::with_capacity(1024);
    match std::io::stdin().read_to_end(&mut raw) {
        Err(e) => write_error(&mut response, &format!("cannot read stdin: {e}")),
        Ok(_) => match std::str::from_utf8(&raw) {
            Ok(request) => respond(plugin, request, &mut response),
            Err(_) => write_error(&mut response, "the request is not UTF-8"),
        },
    }
    response.push(b'\n');
    let mut out = std::io::stdout().lock();
    let written = out.write_all(&response).and_then(|()| out.flush());
    std::mem::forget((raw, response));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// A well-formed request, read straight into its fields: the strings borrow from the
/// request where they carry no escapes, and no map of the envelope is built. Only `task`
/// becomes a [`Value`] (what [`Plugin`] takes). A request this does not accept (a field
/// missing or of the wrong type, a duplicate key, not JSON at all) goes the slow way
/// through [`dispatch`], which finds and words the problem: the error messages have one
/// source.
#[derive(Deserialize)]
struct Envelope<'a> {
    abi: u64,
    #[serde(borrow)]
    op: Cow<'a, str>,
    task: Value,
    #[serde(default, borrow)]
    answer: Option<Cow<'a, str>>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default, borrow)]
    lang: Option<Cow<'a, str>>,
}

/// What a served request answers.
enum Answer {
    Validated(Vec<ValidationError>),
    Rendered(Rendered),
    Verdict(Verdict),
}

/// Answers a request into `out`, one JSON object.
fn respond<P: Plugin>(plugin: &P, request: &str, out: &mut Vec<u8>) {
    let answer = match serde_json::from_str::<Envelope>(request) {
        Ok(envelope) => match serve(plugin, &envelope) {
            Some(answer) => answer,
            None => slow(plugin, request),
        },
        Err(_) => slow(plugin, request),
    };
    match answer {
        Ok(answer) => write_answer(out, answer),
        Err(message) => write_error(out, &message),
    }
}

/// The well-formed request's answer; `None` when the request is one [`dispatch`] must
/// word an error for.
fn serve<P: Plugin>(plugin: &P, request: &Envelope) -> Option<Result<Answer, String>> {
    if request.abi != ABI_VERSION {
        return None;
    }
    let lang = Lang::from_tag(request.lang.as_deref());
    let task = &request.task;
    Some(match &*request.op {
        "validate" => Ok(Answer::Validated(plugin.validate(task, lang))),
        "render" => plugin
            .render_seeded(task, request.seed, lang)
            .map(Answer::Rendered),
        "check" => plugin
            .check(
                task,
                request.answer.as_deref()?,
                request.seed.unwrap_or(0),
                lang,
            )
            .map(Answer::Verdict),
        _ => return None,
    })
}

/// The request read into a [`Value`] and checked field by field, for the error message.
fn slow<P: Plugin>(plugin: &P, request: &str) -> Result<Answer, String> {
    let request: Value =
        serde_json::from_str(request).map_err(|e| format!("the request is not JSON: {e}"))?;
    dispatch(plugin, &request)
}

fn dispatch<P: Plugin>(plugin: &P, request: &Value) -> Result<Answer, String> {
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
        "validate" => Ok(Answer::Validated(plugin.validate(task, lang))),
        "render" => {
            let seed = optional_seed(request)?;
            plugin.render_seeded(task, seed, lang).map(Answer::Rendered)
        }
        "check" => {
            let answer = match request.get("answer") {
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err("`answer` must be a string".to_owned()),
                None => return Err("the request has no `answer` field".to_owned()),
            };
            let seed = optional_seed(request)?.unwrap_or(0);
            plugin.check(task, answer, seed, lang).map(Answer::Verdict)
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

/// The response JSON, written field by field into one buffer (no `Value` tree, no string
/// per fragment).
fn write_answer(out: &mut Vec<u8>, answer: Answer) {
    match answer {
        Answer::Validated(errors) if errors.is_empty() => out.extend_from_slice(br#"{"ok":true}"#),
        Answer::Validated(errors) => {
            out.extend_from_slice(br#"{"ok":false,"errors":["#);
            for (i, e) in errors.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(br#"{"path":"#);
                write_str(out, &e.path);
                out.extend_from_slice(br#","message":"#);
                write_str(out, &e.message);
                out.push(b'}');
            }
            out.extend_from_slice(b"]}");
        }
        Answer::Rendered(r) => write_rendered(out, &r),
        Answer::Verdict(v) => write_verdict(out, &v),
    }
}

/// `render`'s fields; the plugin's `extra` fields come first and never replace them.
fn write_rendered(out: &mut Vec<u8>, r: &Rendered) {
    out.extend_from_slice(br#"{"prompt_md":"#);
    write_str(out, &r.prompt_md);
    out.extend_from_slice(br#","input":"#);
    write_str(out, r.input);
    if let Some(svg) = &r.svg {
        out.extend_from_slice(br#","svg":"#);
        write_str(out, svg);
    }
    if let Some(choices) = &r.choices {
        out.extend_from_slice(br#","choices":["#);
        for (i, choice) in choices.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, choice);
        }
        out.push(b']');
    }
    for (key, value) in &r.extra {
        let ours = match key.as_str() {
            "prompt_md" | "input" => true,
            "svg" => r.svg.is_some(),
            "choices" => r.choices.is_some(),
            _ => false,
        };
        if !ours {
            out.push(b',');
            write_str(out, key);
            out.push(b':');
            write_value(out, value);
        }
    }
    out.push(b'}');
}

fn write_verdict(out: &mut Vec<u8>, v: &Verdict) {
    out.extend_from_slice(br#"{"score":"#);
    write_f64(out, v.score.clamp(0.0, 1.0));
    out.extend_from_slice(br#","passed":"#);
    write_bool(out, v.passed);
    out.extend_from_slice(br#","feedback_md":"#);
    write_str(out, &v.feedback_md);
    out.extend_from_slice(br#","checks":["#);
    for (i, c) in v.checks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"name":"#);
        write_str(out, &c.name);
        out.extend_from_slice(br#","passed":"#);
        write_bool(out, c.passed);
        out.extend_from_slice(br#","message":"#);
        write_str(out, &c.message);
        out.push(b'}');
    }
    out.push(b']');
    if let Some(svg) = &v.svg {
        out.extend_from_slice(br#","svg":"#);
        write_str(out, svg);
    }
    out.push(b'}');
}

fn write_error(out: &mut Vec<u8>, message: &str) {
    out.extend_from_slice(br#"{"error":"#);
    write_str(out, message);
    out.push(b'}');
}

fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// A score as JSON: the common 0 and 1 without float formatting; a value JSON cannot
/// carry (NaN) as `null`, as `serde_json` writes it.
fn write_f64(out: &mut Vec<u8>, f: f64) {
    if f == 1.0 {
        out.extend_from_slice(b"1.0");
    } else if f == 0.0 {
        out.extend_from_slice(b"0.0");
    } else {
        write_value(out, &Value::from(f));
    }
}

/// Any JSON value; writing into a `Vec` cannot fail.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string: quotes, backslashes and control characters escaped, the rest (all of
/// UTF-8) copied as runs.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(short);
        }
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// The response bytes as text: they are built from `&str`s and ASCII only.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
    use serde_json::json;

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
    fn requests_off_the_fast_path_get_the_same_answers_and_errors() {
        // Escaped strings, a duplicate key (the last one counts), a null `answer`.
        let r = call(r#"{"abi":1,"op":"check","task":{},"answer":"a\"\n\u00e1","seed":3}"#);
        assert_eq!(r["feedback_md"], "a\"\ná/3");
        let r = call(r#"{"abi":1,"op":"check","task":{},"answer":"x","answer":"y"}"#);
        assert_eq!(r["feedback_md"], "y/0");
        let r = call(r#"{"abi":1,"op":"check","task":{},"answer":null}"#);
        assert_eq!(r["error"], "`answer` must be a string");
        let r = call(r#"{"abi":1,"op":"render","task":{},"lang":"EN-gb"}"#);
        assert_eq!(r["prompt_md"], "Hello");
    }

    #[test]
    fn responses_escape_text_as_json() {
        let mut out = Vec::new();
        let text = "\"q\" \\ \n\r\t \u{1} \u{1f} ž 🦀 \u{7f}";
        write_str(&mut out, text);
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, text);
        let written = String::from_utf8(out).unwrap();
        assert_eq!(
            written,
            "\"\\\"q\\\" \\\\ \\n\\r\\t \\u0001 \\u001f ž 🦀 \u{7f}\""
        );
    }

    #[test]
    fn rendered_extra_fields_never_replace_the_abi_fields() {
        let mut extra = Map::new();
        extra.insert("input".into(), json!("forged"));
        extra.insert("unit".into(), json!("km"));
        extra.insert("svg".into(), json!("<svg/>"));
        let mut out = Vec::new();
        write_rendered(
            &mut out,
            &Rendered {
                prompt_md: "P".into(),
                svg: None,
                input: "number",
                choices: None,
                extra,
            },
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({"prompt_md": "P", "input": "number", "unit": "km", "svg": "<svg/>"})
        );
    }

    #[test]
    fn xml_escape_escapes_markup() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
