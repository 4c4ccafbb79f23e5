//! Exercise plugin ABI version 1, host side: the requests the host sends and the typed,
//! checked responses it accepts (`docs/plugin-abi.md` is the contract).
//!
//! Parsing is deliberately strict about what the host relies on (types, `score` within
//! 0..=1, a known `input` kind, `errors` present exactly when `ok` is false) and lenient
//! about the rest (unknown fields are ignored, as the ABI promises). A response that breaks
//! the rules is a [`SandboxError::BadResponse`]; a plugin that answers `{"error": "…"}` has
//! refused the request ([`SandboxError::PluginError`]).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::SandboxError;

/// The ABI version every request carries as `"abi"`.
pub const ABI_VERSION: u32 = 1;

/// The `validate` request.
pub fn validate_request(task: &Value) -> Value {
    json!({ "abi": ABI_VERSION, "op": "validate", "task": task })
}

/// The `render` request. `seed` is the same one the pupil's `check` calls get, so a task
/// that generates its numbers shows the pupil their own variant; plugins that do not
/// generate anything ignore it.
pub fn render_request(task: &Value, lang: &str, seed: u64) -> Value {
    json!({ "abi": ABI_VERSION, "op": "render", "task": task, "lang": lang, "seed": seed })
}

/// The seed a learner's render and check calls use for one exercise: derived from who and
/// what, so every pupil gets their own variant of a generated task, the same one every
/// time, and the school server can re-grade a synced attempt from the event alone.
pub fn exercise_seed(learner: &str, course: &str, exercise: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in ["aktovka-seed/1", learner, course, exercise] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// The `check` request.
pub fn check_request(task: &Value, answer: &str, seed: u64, lang: &str) -> Value {
    json!({
        "abi": ABI_VERSION, "op": "check", "task": task,
        "answer": answer, "seed": seed, "lang": lang,
    })
}

/// A request serialised straight from borrowed parts: the same JSON object as
/// [`validate_request`], [`render_request`] and [`check_request`] build, without copying the
/// task into a new `Value` on every call.
#[derive(Debug, Serialize)]
pub(crate) struct BorrowedRequest<'a> {
    abi: u32,
    op: &'static str,
    task: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
}

impl<'a> BorrowedRequest<'a> {
    pub fn validate(task: &'a Value) -> Self {
        BorrowedRequest {
            abi: ABI_VERSION,
            op: "validate",
            task,
            answer: None,
            seed: None,
            lang: None,
        }
    }

    pub fn render(task: &'a Value, lang: &'a str, seed: u64) -> Self {
        BorrowedRequest {
            op: "render",
            lang: Some(lang),
            seed: Some(seed),
            ..BorrowedRequest::validate(task)
        }
    }

    pub fn check(task: &'a Value, answer: &'a str, seed: u64, lang: &'a str) -> Self {
        BorrowedRequest {
            op: "check",
            answer: Some(answer),
            ..BorrowedRequest::render(task, lang, seed)
        }
    }
}

/// One problem `validate` found in a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskError {
    /// JSON path into the request, e.g. `task.options[2]`.
    pub path: String,
    /// What is wrong, in the request's language.
    pub message: String,
}

/// The answer to `validate`: the task is fine, or every problem with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateResponse {
    pub ok: bool,
    #[serde(default)]
    pub errors: Vec<TaskError>,
}

/// The learner app's input widget for an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// Pick one of `choices`.
    Choice,
    /// Pick any of `choices`.
    Multiple,
    /// Put `choices` in order.
    Order,
    /// A short free text.
    Text,
    /// A number.
    Number,
    /// A program (multi-line, monospace).
    Code,
}

impl InputKind {
    fn needs_choices(self) -> bool {
        matches!(
            self,
            InputKind::Choice | InputKind::Multiple | InputKind::Order
        )
    }
}

/// The answer to `render`: what the learner app shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderResponse {
    /// The prompt, markdown (shown escaped; never raw HTML).
    pub prompt_md: String,
    /// An optional picture, shown through `<img>` so its scripts never run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
    pub input: InputKind,
    /// The options, for `choice`, `multiple` and `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Plugin-specific extra fields, passed through untouched.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// One named part of a verdict (one hidden world, one option…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub name: String,
    pub passed: bool,
    #[serde(default)]
    pub message: String,
}

/// The answer to `check`: the verdict on one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResponse {
    /// 0.0..=1.0.
    pub score: f64,
    pub passed: bool,
    /// Feedback for the pupil, markdown.
    pub feedback_md: String,
    #[serde(default)]
    pub checks: Vec<CheckItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

/// Parses a `validate` response.
pub fn parse_validate(value: Value) -> Result<ValidateResponse, SandboxError> {
    let r: ValidateResponse = parse(value, "validate")?;
    if r.ok != r.errors.is_empty() {
        return Err(SandboxError::BadResponse(
            "validate: `errors` must be non-empty exactly when `ok` is false".to_owned(),
        ));
    }
    Ok(r)
}

/// Parses a `render` response.
pub fn parse_render(value: Value) -> Result<RenderResponse, SandboxError> {
    let r: RenderResponse = parse(value, "render")?;
    if r.input.needs_choices() && r.choices.as_ref().is_none_or(Vec::is_empty) {
        return Err(SandboxError::BadResponse(format!(
            "render: input `{:?}` needs a non-empty `choices` list",
            r.input
        )));
    }
    Ok(r)
}

/// Parses a `check` response.
pub fn parse_check(value: Value) -> Result<CheckResponse, SandboxError> {
    let r: CheckResponse = parse(value, "check")?;
    if !(0.0..=1.0).contains(&r.score) {
        return Err(SandboxError::BadResponse(format!(
            "check: `score` must be within 0..=1, got {}",
            r.score
        )));
    }
    Ok(r)
}

fn parse<T: serde::de::DeserializeOwned>(value: Value, op: &str) -> Result<T, SandboxError> {
    if let Some(message) = value.get("error") {
        let message = match message {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return Err(SandboxError::PluginError(message));
    }
    serde_json::from_value(value).map_err(|e| SandboxError::BadResponse(format!("{op}: {e}")))
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn borrowed_requests_are_the_requests() {
        let task = json!({"kind": "single", "options": ["a", "b"], "answer": 1});
        let as_value = |r: BorrowedRequest| serde_json::to_value(r).unwrap_or_default();
        assert_eq!(
            as_value(BorrowedRequest::validate(&task)),
            validate_request(&task)
        );
        assert_eq!(
            as_value(BorrowedRequest::render(&task, "en", 9)),
            render_request(&task, "en", 9)
        );
        assert_eq!(
            as_value(BorrowedRequest::check(&task, "1", 9, "cs")),
            check_request(&task, "1", 9, "cs")
        );
    }

    #[test]
    fn exercise_seeds_differ_per_learner_and_stay_stable() {
        let a = exercise_seed("learner-a", "kurz", "dvojkova-6");
        assert_eq!(a, exercise_seed("learner-a", "kurz", "dvojkova-6"));
        assert_ne!(a, exercise_seed("learner-b", "kurz", "dvojkova-6"));
        assert_ne!(a, exercise_seed("learner-a", "kurz", "dvojkova-7"));
        // Parts are separated, so moving characters between them changes the seed.
        assert_ne!(exercise_seed("ab", "c", "d"), exercise_seed("a", "bc", "d"));
        assert_eq!(render_request(&json!({}), "cs", a)["seed"], json!(a));
    }

    #[test]
    fn check_score_out_of_range_is_bad_response() {
        let v = json!({"score": 1.5, "passed": true, "feedback_md": ""});
        assert_eq!(parse_check(v).unwrap_err().kind(), "bad-response");
        let v = json!({"score": 0.5, "passed": false, "feedback_md": "skoro"});
        assert_eq!(parse_check(v).unwrap().score, 0.5);
    }

    #[test]
    fn error_answer_is_plugin_error() {
        let err = parse_check(json!({"error": "invalid task"})).unwrap_err();
        assert!(matches!(err, SandboxError::PluginError(m) if m == "invalid task"));
    }

    #[test]
    fn validate_needs_errors_exactly_when_not_ok() {
        assert!(parse_validate(json!({"ok": false})).is_err());
        assert!(parse_validate(json!({"ok": true})).unwrap().ok);
        let bad = json!({"ok": false, "errors": [{"path": "task.answer", "message": "chybí"}]});
        assert_eq!(parse_validate(bad).unwrap().errors[0].path, "task.answer");
    }

    #[test]
    fn render_choice_needs_choices_and_keeps_extras() {
        assert!(parse_render(json!({"prompt_md": "?", "input": "choice"})).is_err());
        assert!(parse_render(json!({"prompt_md": "?", "input": "slider"})).is_err());
        let r = parse_render(json!({"prompt_md": "?", "input": "code", "worlds": 3})).unwrap();
        assert_eq!(r.input, InputKind::Code);
        assert_eq!(r.extra["worlds"], 3);
    }
}
