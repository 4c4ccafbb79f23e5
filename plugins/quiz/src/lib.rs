//! The shipped `quiz` plugin: single and multiple choice, a number with tolerance, a short
//! text compared loosely, and putting items in order.
//!
//! The task format and the scoring rules are the contract in `docs/plugins/quiz.md`;
//! [`Quiz::parse`] is the one place that reads a task, so `validate`, `render` and `check`
//! can never disagree about what a task means. A pupil's malformed answer is a wrong
//! answer with a helpful message, never an error response.

use std::collections::BTreeSet;

use aktovka_plugin_abi::task::{self, Problems};
use aktovka_plugin_abi::{
    Check, Lang, Plugin, Rendered, ValidationError, Verdict, invalid_task, normalize_loose,
};
use serde_json::{Map, Value};

/// The plugin, for [`aktovka_plugin_abi::run`].
pub struct QuizPlugin;

impl Plugin for QuizPlugin {
    fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError> {
        match Quiz::parse(task, lang) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    fn render(&self, task: &Value, lang: Lang) -> Result<Rendered, String> {
        Ok(Quiz::parse(task, lang)
            .map_err(|e| invalid_task(&e))?
            .render())
    }

    fn check(&self, task: &Value, answer: &str, _seed: u64, lang: Lang) -> Result<Verdict, String> {
        Ok(Quiz::parse(task, lang)
            .map_err(|e| invalid_task(&e))?
            .check(answer, lang))
    }
}

/// A validated quiz task.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz<'a> {
    question: &'a str,
    explanation: Option<&'a str>,
    kind: Kind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind<'a> {
    Single {
        options: Vec<&'a str>,
        answer: usize,
        feedback: Option<Vec<&'a str>>,
    },
    Multiple {
        options: Vec<&'a str>,
        answer: BTreeSet<usize>,
        feedback: Option<Vec<&'a str>>,
    },
    Number {
        answer: f64,
        tolerance: f64,
        unit: Option<&'a str>,
    },
    Text {
        answers: Vec<&'a str>,
    },
    Order {
        options: Vec<&'a str>,
    },
}

const KINDS: [&str; 5] = ["single", "multiple", "number", "text", "order"];

impl<'a> Quiz<'a> {
    /// Reads and validates a task, reporting every problem with its path.
    pub fn parse(task: &'a Value, lang: Lang) -> Result<Quiz<'a>, Vec<ValidationError>> {
        let mut p = Problems::new(lang);
        let quiz = parse_task(task, &mut p);
        match quiz {
            Some(quiz) if p.is_empty() => Ok(quiz),
            _ => Err(p.into_vec()),
        }
    }

    fn render(&self) -> Rendered {
        let mut extra = Map::new();
        let (input, choices) = match &self.kind {
            Kind::Single { options, .. } => ("choice", Some(owned(options))),
            Kind::Multiple { options, .. } => ("multiple", Some(owned(options))),
            Kind::Number { unit, .. } => {
                if let Some(unit) = unit {
                    extra.insert("unit".into(), Value::from(*unit));
                }
                ("number", None)
            }
            Kind::Text { .. } => ("text", None),
            Kind::Order { options } => {
                let order: Vec<Value> = shuffled_order(options)
                    .into_iter()
                    .map(Value::from)
                    .collect();
                extra.insert("order".into(), Value::Array(order));
                ("order", Some(owned(options)))
            }
        };
        Rendered {
            prompt_md: self.question.to_owned(),
            svg: None,
            input,
            choices,
            extra,
        }
    }

    /// Grades one answer string (the formats of `docs/plugins/quiz.md`).
    pub fn check(&self, answer: &str, lang: Lang) -> Verdict {
        let mut graded = match &self.kind {
            Kind::Single {
                options,
                answer: right,
                feedback,
            } => check_single(options, *right, feedback.as_deref(), answer, lang),
            Kind::Multiple {
                options,
                answer: right,
                feedback,
            } => check_multiple(options, right, feedback.as_deref(), answer, lang),
            Kind::Number {
                answer: right,
                tolerance,
                unit,
            } => check_number(*right, *tolerance, *unit, answer, lang),
            Kind::Text { answers } => check_text(answers, answer, lang),
            Kind::Order { options } => check_order(options.len(), answer, lang),
        };
        if graded.passed
            && let Some(explanation) = &self.explanation
        {
            graded.feedback_md.push_str("\n\n");
            graded.feedback_md.push_str(explanation);
        }
        graded
    }
}

fn parse_task<'a>(task: &'a Value, p: &mut Problems) -> Option<Quiz<'a>> {
    let t = task::table(task, "task", p)?;
    let kind = task::required(t, "kind", "task", p).and_then(|v| task::string(v, "task.kind", p));
    let question = task::required(t, "question", "task", p)
        .and_then(|v| task::non_empty_string(v, "task.question", p));
    let explanation = t
        .get("explanation")
        .and_then(|v| task::string(v, "task.explanation", p));
    let kind = kind?;
    let allowed: &[&str] = match kind {
        "single" | "multiple" => &[
            "kind",
            "question",
            "explanation",
            "options",
            "answer",
            "feedback",
        ],
        "number" => &[
            "kind",
            "question",
            "explanation",
            "answer",
            "tolerance",
            "unit",
        ],
        "text" => &["kind", "question", "explanation", "answers"],
        "order" => &["kind", "question", "explanation", "options"],
        other => {
            let known = KINDS.join(", ");
            p.push(
                "task.kind",
                format!("neznámý druh otázky „{other}“; možné jsou: {known}"),
                format!("unknown kind `{other}`; expected one of: {known}"),
            );
            return None;
        }
    };
    task::unknown_keys(t, allowed, "task", p);

    let kind = match kind {
        "single" => {
            let (options, count) = parse_options(t, p);
            let answer = task::required(t, "answer", "task", p)
                .and_then(|v| option_index(v, &|| "task.answer".to_owned(), count, p));
            let feedback = parse_feedback(t, count, p);
            Kind::Single {
                options: options?,
                answer: answer?,
                feedback,
            }
        }
        "multiple" => {
            let (options, count) = parse_options(t, p);
            let answer = task::required(t, "answer", "task", p)
                .and_then(|v| parse_multiple_answer(v, count, p));
            let feedback = parse_feedback(t, count, p);
            Kind::Multiple {
                options: options?,
                answer: answer?,
                feedback,
            }
        }
        "number" => {
            let answer = task::required(t, "answer", "task", p)
                .and_then(|v| task::number(v, "task.answer", p));
            let tolerance = match t.get("tolerance") {
                None => Some(0.0),
                Some(v) => task::number(v, "task.tolerance", p).and_then(|tol| {
                    if tol < 0.0 {
                        p.push(
                            "task.tolerance",
                            "tolerance nesmí být záporná",
                            "the tolerance must not be negative",
                        );
                        None
                    } else {
                        Some(tol)
                    }
                }),
            };
            let unit = t
                .get("unit")
                .and_then(|v| task::non_empty_string(v, "task.unit", p))
                .map(str::trim);
            Kind::Number {
                answer: answer?,
                tolerance: tolerance?,
                unit,
            }
        }
        "text" => Kind::Text {
            answers: parse_text_answers(t, p)?,
        },
        _ => {
            let options = parse_options(t, p).0?;
            Kind::Order { options }
        }
    };
    Some(Quiz {
        question: question?,
        explanation,
        kind,
    })
}

/// The options, and how many there are even when some are wrong (so an answer index can
/// still be checked against the count).
fn parse_options<'a>(
    t: &'a Map<String, Value>,
    p: &mut Problems,
) -> (Option<Vec<&'a str>>, Option<usize>) {
    let Some(list) =
        task::required(t, "options", "task", p).and_then(|v| task::array(v, "task.options", p))
    else {
        return (None, None);
    };
    let options = parse_option_list(list, p);
    // Too few options is reported once; indices into them are not judged as well.
    (options, Some(list.len()).filter(|&n| n >= 2))
}

fn parse_option_list<'a>(list: &'a [Value], p: &mut Problems) -> Option<Vec<&'a str>> {
    if list.len() < 2 {
        p.push(
            "task.options",
            "potřebuju aspoň dvě možnosti",
            "at least two options are needed",
        );
        return None;
    }
    let mut options = Vec::with_capacity(list.len());
    let mut ok = true;
    for (i, v) in list.iter().enumerate() {
        // The path is only written out for a problem: formatting it for every option of
        // every grading was a tenth of a grading's work.
        let path = || task::index("task.options", i);
        let text = match v.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s),
            _ => task::non_empty_string(v, &path(), p),
        };
        match text {
            Some(s) => {
                if let Some(first) = options.iter().position(|o: &&str| o.trim() == s.trim()) {
                    p.push(
                        &path(),
                        format!("možnost „{s}“ je v seznamu dvakrát (poprvé s indexem {first})"),
                        format!("the option “{s}” is listed twice (first at index {first})"),
                    );
                    ok = false;
                }
                options.push(s);
            }
            None => ok = false,
        }
    }
    ok.then_some(options)
}

/// An option index; `path` is only written out for a problem.
fn option_index(
    v: &Value,
    path: &dyn Fn() -> String,
    count: Option<usize>,
    p: &mut Problems,
) -> Option<usize> {
    let i = match v.as_i64() {
        Some(i) => i,
        None => task::integer(v, &path(), p)?,
    };
    let count = count.unwrap_or(usize::MAX);
    match usize::try_from(i) {
        Ok(i) if i < count => Some(i),
        _ => {
            let last = count.saturating_sub(1);
            p.push(
                &path(),
                format!("index {i} je mimo možnosti; počítá se od 0, takže smí být 0 až {last}"),
                format!("index {i} is out of range; counting from 0 it must be 0 to {last}"),
            );
            None
        }
    }
}

fn parse_multiple_answer(
    v: &Value,
    count: Option<usize>,
    p: &mut Problems,
) -> Option<BTreeSet<usize>> {
    let list = task::array(v, "task.answer", p)?;
    if list.is_empty() {
        p.push(
            "task.answer",
            "aspoň jedna možnost musí být správná",
            "at least one option must be right",
        );
        return None;
    }
    let mut answer = BTreeSet::new();
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        let path = || task::index("task.answer", i);
        match option_index(item, &path, count, p) {
            Some(index) => {
                if !answer.insert(index) {
                    p.push(
                        &path(),
                        format!("index {index} je v seznamu dvakrát"),
                        format!("index {index} is listed twice"),
                    );
                    ok = false;
                }
            }
            None => ok = false,
        }
    }
    ok.then_some(answer)
}

fn parse_feedback<'a>(
    t: &'a Map<String, Value>,
    count: Option<usize>,
    p: &mut Problems,
) -> Option<Vec<&'a str>> {
    let list = task::array(t.get("feedback")?, "task.feedback", p)?;
    if let Some(count) = count
        && list.len() != count
    {
        p.push(
            "task.feedback",
            format!(
                "má mít jednu zprávu ke každé možnosti: možností je {count}, zpráv {}",
                list.len()
            ),
            format!(
                "needs one message per option: {count} options, {} messages",
                list.len()
            ),
        );
        return None;
    }
    let mut feedback = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let text = match v.as_str() {
            Some(s) => s,
            None => task::string(v, &task::index("task.feedback", i), p)?,
        };
        feedback.push(text);
    }
    Some(feedback)
}

fn parse_text_answers<'a>(t: &'a Map<String, Value>, p: &mut Problems) -> Option<Vec<&'a str>> {
    let list =
        task::required(t, "answers", "task", p).and_then(|v| task::array(v, "task.answers", p))?;
    if list.is_empty() {
        p.push(
            "task.answers",
            "potřebuju aspoň jednu přijímanou odpověď",
            "at least one accepted answer is needed",
        );
        return None;
    }
    let mut answers = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let path = || task::index("task.answers", i);
        let text = match v.as_str() {
            Some(s) => Some(s),
            None => task::string(v, &path(), p),
        };
        if let Some(s) = text {
            if normalize_loose(s).is_empty() {
                p.push(&path(), "nesmí být prázdná", "must not be empty");
            } else {
                answers.push(s);
            }
        }
    }
    (answers.len() == list.len()).then_some(answers)
}

/// The options as the owned strings a [`Rendered`] carries.
fn owned(options: &[&str]) -> Vec<String> {
    options.iter().map(|&o| o.to_owned()).collect()
}

/// The order the learner app shows `order` items in at first: a shuffle fixed by the
/// options themselves (render has no seed), never the right order.
fn shuffled_order(options: &[&str]) -> Vec<usize> {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for option in options {
        for byte in option.bytes().chain([0]) {
            state ^= u64::from(byte);
            state = state.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut order: Vec<usize> = (0..options.len()).collect();
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
        order.swap(i, j);
    }
    if order.iter().enumerate().all(|(i, &o)| i == o) {
        order.rotate_left(1);
    }
    order
}

fn verdict(score: f64, passed: bool, feedback_md: String, checks: Vec<Check>) -> Verdict {
    Verdict {
        score,
        passed,
        feedback_md,
        checks,
        svg: None,
    }
}

fn invalid_answer(message: String, lang: Lang) -> Verdict {
    let check = Check {
        name: lang.pick("Odpověď", "Answer").to_owned(),
        passed: false,
        message: message.clone(),
    };
    verdict(0.0, false, message, vec![check])
}

fn right_or_wrong(passed: bool, lang: Lang) -> String {
    if passed {
        lang.pick("Správně!", "Correct!").to_owned()
    } else {
        lang.pick("To není správně.", "That is not right.")
            .to_owned()
    }
}

fn check_single(
    options: &[&str],
    right: usize,
    feedback: Option<&[&str]>,
    answer: &str,
    lang: Lang,
) -> Verdict {
    let picked = match answer.trim().parse::<usize>() {
        Ok(i) if i < options.len() => i,
        _ => {
            return invalid_answer(
                lang.pick("Vyber jednu z možností.", "Pick one of the options.")
                    .to_owned(),
                lang,
            );
        }
    };
    let mut graded = all_or_nothing(lang.pick("Odpověď", "Answer"), picked == right, lang);
    if let Some(message) = feedback.and_then(|f| f.get(picked))
        && !message.trim().is_empty()
    {
        graded.feedback_md.push_str("\n\n");
        graded.feedback_md.push_str(message);
    }
    graded
}

/// The picked indices of a comma-separated answer; `None` if any is not an option.
fn parse_indices(answer: &str, count: usize) -> Option<Vec<usize>> {
    answer
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().ok().filter(|&i| i < count))
        .collect()
}

fn check_multiple(
    options: &[&str],
    right: &BTreeSet<usize>,
    feedback: Option<&[&str]>,
    answer: &str,
    lang: Lang,
) -> Verdict {
    let Some(picked) = parse_indices(answer, options.len()) else {
        return invalid_answer(
            lang.pick(
                "Odpověď neznám: vyber možnosti ze seznamu.",
                "Unknown answer: pick options from the list.",
            )
            .to_owned(),
            lang,
        );
    };
    let picked: BTreeSet<usize> = picked.into_iter().collect();
    let hits = picked.intersection(right).count();
    let misses = picked.difference(right).count();
    let score = ((hits as f64 - misses as f64) / right.len() as f64).max(0.0);
    let passed = hits == right.len() && misses == 0;
    let checks = vec![
        Check {
            name: lang.pick("Správné volby", "Right picks").to_owned(),
            passed: hits == right.len(),
            message: lang.pick(
                format!("{hits} ze {}", right.len()),
                format!("{hits} of {}", right.len()),
            ),
        },
        Check {
            name: lang.pick("Špatné volby", "Wrong picks").to_owned(),
            passed: misses == 0,
            message: misses.to_string(),
        },
    ];
    let mut feedback_md = if passed {
        right_or_wrong(true, lang)
    } else if hits > 0 && score > 0.0 {
        lang.pick(
            format!(
                "Částečně správně: {hits} správné volby ze {}, špatných {misses}.",
                right.len()
            ),
            format!(
                "Partly right: {hits} of {} right picks, {misses} wrong.",
                right.len()
            ),
        )
    } else if picked.is_empty() {
        lang.pick("Nevybral(a) jsi nic.", "You picked nothing.")
            .to_owned()
    } else {
        right_or_wrong(false, lang)
    };
    if let Some(feedback) = feedback {
        for &i in &picked {
            if let Some(message) = feedback.get(i).filter(|m| !m.trim().is_empty()) {
                feedback_md.push_str(&format!("\n\n- {}: {message}", options[i].trim()));
            }
        }
    }
    verdict(score, passed, feedback_md, checks)
}

/// Reads a pupil's number: Czech decimal comma, spaces between digit groups, a Unicode
/// minus and the task's unit after the number are accepted.
pub fn parse_number(raw: &str, unit: Option<&str>) -> Option<f64> {
    let mut text = raw.trim();
    if let Some(unit) = unit {
        let lower = text.to_lowercase();
        let unit_lower = unit.to_lowercase();
        if lower.ends_with(&unit_lower) && lower.len() == text.len() {
            text = text[..text.len() - unit_lower.len()].trim_end();
        }
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    let commas = compact.matches(',').count();
    if commas > 1 || (commas == 1 && compact.contains('.')) {
        return None;
    }
    let compact = compact.replace(',', ".");
    let plain = compact
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !plain || !compact.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    compact.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn check_number(
    right: f64,
    tolerance: f64,
    unit: Option<&str>,
    answer: &str,
    lang: Lang,
) -> Verdict {
    if answer.trim().is_empty() {
        return invalid_answer(lang.pick("Napiš číslo.", "Type a number.").to_owned(), lang);
    }
    let Some(value) = parse_number(answer, unit) else {
        let shown = answer.trim();
        return invalid_answer(
            lang.pick(
                format!("„{shown}“ není číslo. Piš třeba 3,5 nebo 1 024."),
                format!("“{shown}” is not a number. Write e.g. 3.5 or 1024."),
            ),
            lang,
        );
    };
    // Decimal answers like 0.1 + 0.2 are not exact in binary; a relative hair of slack
    // keeps `tolerance = 0` meaning "equal as written".
    let slack = 1e-9 * right.abs().max(1.0);
    let passed = (value - right).abs() <= tolerance + slack;
    all_or_nothing(lang.pick("Číslo", "Number"), passed, lang)
}

fn check_text(answers: &[&str], answer: &str, lang: Lang) -> Verdict {
    let given = normalize_loose(answer);
    if given.is_empty() {
        return invalid_answer(
            lang.pick("Napiš odpověď.", "Type an answer.").to_owned(),
            lang,
        );
    }
    let passed = answers.iter().any(|a| normalize_loose(a) == given);
    all_or_nothing(lang.pick("Odpověď", "Answer"), passed, lang)
}

/// The verdict of a kind that is simply right (1.0) or wrong (0.0), with one check.
fn all_or_nothing(check_name: &str, passed: bool, lang: Lang) -> Verdict {
    let check = Check {
        name: check_name.to_owned(),
        passed,
        message: right_or_wrong(passed, lang),
    };
    verdict(
        f64::from(u8::from(passed)),
        passed,
        right_or_wrong(passed, lang),
        vec![check],
    )
}

fn check_order(count: usize, answer: &str, lang: Lang) -> Verdict {
    let order = parse_indices(answer, count).filter(|order| {
        order.len() == count && order.iter().collect::<BTreeSet<_>>().len() == count
    });
    let Some(order) = order else {
        return invalid_answer(
            lang.pick(
                "Seřaď všechny položky, každou jednou.",
                "Put every item in order, each once.",
            )
            .to_owned(),
            lang,
        );
    };
    let in_place = order.iter().enumerate().filter(|(i, o)| i == *o).count();
    let passed = in_place == count;
    let check = Check {
        name: lang
            .pick("Na správném místě", "In the right place")
            .to_owned(),
        passed,
        message: lang.pick(
            format!("{in_place} ze {count}"),
            format!("{in_place} of {count}"),
        ),
    };
    let feedback_md = if passed {
        right_or_wrong(true, lang)
    } else {
        lang.pick(
            format!("Na správném místě je {in_place} ze {count} položek."),
            format!("{in_place} of {count} items are in the right place."),
        )
    };
    verdict(
        in_place as f64 / count as f64,
        passed,
        feedback_md,
        vec![check],
    )
}

#[cfg(test)]
mod tests;
