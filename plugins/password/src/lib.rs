//! The shipped `password` plugin: judging password strength the way a real estimator does.
//!
//! Two task kinds (the contract is `docs/plugins/password.md`): `strong` ("write a password
//! that is strong and you can remember") and `order` ("order these passwords by strength").
//! [`estimate`] is the estimator (zxcvbn-like: common passwords and Czech words, leetspeak,
//! keyboard rows, repeats, sequences, dates); [`PasswordTask::parse`] is the one reader of
//! a task; [`svg`] draws the strength meter.
//!
//! A pupil's password is never written back whole: feedback names only the list word or
//! the kind of pattern that makes it weak (`obsahuje běžné slovo „heslo“`), its length and
//! its estimated strength.

pub mod estimate;
pub mod svg;

use aktovka_plugin_abi::task::{self, Problems};
use aktovka_plugin_abi::{
    Check, Lang, Plugin, Rendered, ValidationError, Verdict, fold, invalid_task,
};
use serde_json::{Map, Value};

use crate::estimate::{Dictionaries, Estimate, List, Pattern, estimate};

/// The most passwords an `order` task may list.
pub const MAX_ORDER: usize = 8;
/// Passwords of an `order` task must differ by at least this many orders of magnitude of
/// guesses, so that the right order is clear-cut.
pub const MIN_ORDER_GAP: f64 = 1.0;

/// The plugin, for [`aktovka_plugin_abi::run`].
pub struct PasswordPlugin;

impl Plugin for PasswordPlugin {
    fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError> {
        match PasswordTask::parse(task, lang) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    fn render(&self, task: &Value, lang: Lang) -> Result<Rendered, String> {
        Ok(PasswordTask::parse(task, lang)
            .map_err(|e| invalid_task(&e))?
            .render(lang))
    }

    fn check(&self, task: &Value, answer: &str, _seed: u64, lang: Lang) -> Result<Verdict, String> {
        Ok(PasswordTask::parse(task, lang)
            .map_err(|e| invalid_task(&e))?
            .check(answer, lang))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Strong {
        min_level: u8,
        min_length: usize,
        min_words: usize,
        known: Vec<String>,
    },
    Order {
        passwords: Vec<String>,
    },
}

/// A validated task.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordTask {
    prompt: Option<String>,
    explanation: Option<String>,
    kind: Kind,
}

impl PasswordTask {
    /// Reads and validates a task, reporting every problem with its path.
    pub fn parse(task: &Value, lang: Lang) -> Result<PasswordTask, Vec<ValidationError>> {
        let mut p = Problems::new(lang);
        match parse_task(task, &mut p) {
            Some(parsed) if p.is_empty() => Ok(parsed),
            _ => Err(p.into_vec()),
        }
    }

    fn render(&self, lang: Lang) -> Rendered {
        let mut prompt_md = String::new();
        if let Some(prompt) = &self.prompt {
            prompt_md.push_str(prompt);
            prompt_md.push_str("\n\n");
        }
        match &self.kind {
            Kind::Strong {
                min_level,
                min_length,
                min_words,
                ..
            } => {
                prompt_md.push_str(&lang.pick(
                    format!(
                        "Vymysli heslo, které je silné (aspoň úroveň {min_level} ze 4) a které si zapamatuješ."
                    ),
                    format!(
                        "Make up a password that is strong (at least level {min_level} of 4) and that you can remember."
                    ),
                ));
                if *min_words > 0 {
                    prompt_md.push_str(&lang.pick(
                        format!(" Použij aspoň {min_words} slova oddělená mezerou nebo pomlčkou."),
                        format!(" Use at least {min_words} words separated by spaces or dashes."),
                    ));
                }
                if *min_length > 0 {
                    prompt_md.push_str(&lang.pick(
                        format!(" Heslo musí mít aspoň {min_length} znaků."),
                        format!(" It must be at least {min_length} characters long."),
                    ));
                }
                prompt_md.push_str(lang.pick(
                    "\n\n*Nepiš sem heslo, které opravdu používáš: odpověď se ukládá.*",
                    "\n\n*Do not type a password you really use: the answer is stored.*",
                ));
                Rendered {
                    prompt_md,
                    svg: None,
                    input: "text",
                    choices: None,
                    extra: Map::new(),
                }
            }
            Kind::Order { passwords } => {
                prompt_md.push_str(lang.pick(
                    "Seřaď hesla **od nejslabšího po nejsilnější** (podle toho, jak rychle by je útočník uhodl).",
                    "Order the passwords **from the weakest to the strongest** (by how fast an attacker would guess them).",
                ));
                Rendered {
                    prompt_md,
                    svg: None,
                    input: "order",
                    choices: Some(passwords.clone()),
                    extra: Map::new(),
                }
            }
        }
    }

    /// Grades one answer.
    pub fn check(&self, answer: &str, lang: Lang) -> Verdict {
        let dictionaries = Dictionaries::embedded();
        let mut verdict = match &self.kind {
            Kind::Strong {
                min_level,
                min_length,
                min_words,
                known,
            } => check_strong(
                &Requirements {
                    min_level: *min_level,
                    min_length: *min_length,
                    min_words: *min_words,
                    known,
                },
                answer,
                &dictionaries,
                lang,
            ),
            Kind::Order { passwords } => check_order(passwords, answer, &dictionaries, lang),
        };
        if verdict.passed
            && let Some(explanation) = &self.explanation
        {
            verdict.feedback_md.push_str("\n\n");
            verdict.feedback_md.push_str(explanation);
        }
        verdict
    }
}

/// The level's name.
pub fn level_name(level: u8, lang: Lang) -> &'static str {
    match level {
        0 => lang.pick("velmi slabé", "very weak"),
        1 => lang.pick("slabé", "weak"),
        2 => lang.pick("průměrné", "fair"),
        3 => lang.pick("silné", "strong"),
        _ => lang.pick("velmi silné", "very strong"),
    }
}

fn plural_cs(n: u64, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    match n {
        1 => one,
        2..=4 => few,
        _ => many,
    }
}

/// How long the offline attack takes, in words: "za 3 hodiny", "in 3 hours".
pub fn crack_time(seconds: f64, lang: Lang) -> String {
    const UNITS: [(f64, &str, &str, &str, &str); 6] = [
        (1.0, "sekundu", "sekundy", "sekund", "second"),
        (60.0, "minutu", "minuty", "minut", "minute"),
        (3600.0, "hodinu", "hodiny", "hodin", "hour"),
        (86_400.0, "den", "dny", "dní", "day"),
        (86_400.0 * 30.0, "měsíc", "měsíce", "měsíců", "month"),
        (86_400.0 * 365.0, "rok", "roky", "let", "year"),
    ];
    if seconds < 1.0 {
        return lang
            .pick("za méně než sekundu", "in less than a second")
            .to_owned();
    }
    if seconds >= 86_400.0 * 365.0 * 1000.0 {
        return lang
            .pick("za více než tisíc let", "in more than a thousand years")
            .to_owned();
    }
    let (size, one, few, many, en) = UNITS
        .iter()
        .rev()
        .find(|u| seconds >= u.0)
        .copied()
        .unwrap_or(UNITS[0]);
    let n = (seconds / size).round().max(1.0) as u64;
    match lang {
        Lang::Cs => format!("za {n} {}", plural_cs(n, one, few, many)),
        Lang::En => format!("in {n} {en}{}", if n == 1 { "" } else { "s" }),
    }
}

/// The reasons a password is guessable, from its estimate, each once, in Czech or English.
/// Only list words are quoted, never the pupil's own characters.
pub fn weaknesses(e: &Estimate, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for part in &e.parts {
        let whole = part.start == 0 && part.end == e.length;
        match &part.pattern {
            Pattern::Dictionary {
                word,
                rank,
                list,
                leet,
                reversed,
            } => {
                if whole && *list == List::Passwords && !leet && !reversed {
                    push(lang.pick(
                        format!("je to jedno z nejběžnějších hesel vůbec (v seznamu uniklých hesel je na {rank}. místě)"),
                        format!("it is one of the most common passwords (number {rank} in a list of leaked passwords)"),
                    ));
                } else if whole && !leet && !reversed {
                    push(lang.pick(
                        "je to jedno z nejběžnějších českých hesel a slov".to_owned(),
                        "it is one of the most common Czech passwords and words".to_owned(),
                    ));
                } else {
                    push(lang.pick(
                        format!("obsahuje běžné slovo „{word}“"),
                        format!("it contains the common word “{word}”"),
                    ));
                }
                if *leet {
                    push(lang.pick(
                        "záměny písmen za číslice a znaky (a → 4, o → 0) útočník zkouší automaticky".to_owned(),
                        "swapping letters for digits and symbols (a → 4, o → 0) is tried automatically".to_owned(),
                    ));
                }
                if *reversed {
                    push(lang.pick(
                        "slovo napsané pozpátku útočníka nezdrží".to_owned(),
                        "a word written backwards does not slow an attacker down".to_owned(),
                    ));
                }
            }
            Pattern::Keyboard => push(
                lang.pick(
                    "je v něm klávesnicová řada (klávesy vedle sebe, jako qwert nebo 123456)"
                        .to_owned(),
                    "it has a keyboard row (keys next to each other, like qwert or 123456)"
                        .to_owned(),
                ),
            ),
            Pattern::Sequence => push(lang.pick(
                "obsahuje posloupnost znaků (jako abcd nebo 4321)".to_owned(),
                "it contains a sequence (like abcd or 4321)".to_owned(),
            )),
            Pattern::Repeat => push(lang.pick(
                "opakují se v něm stejné znaky nebo skupiny znaků".to_owned(),
                "it repeats the same characters or groups".to_owned(),
            )),
            Pattern::Date | Pattern::Year => push(lang.pick(
                "obsahuje datum nebo rok – ty útočník zkouší mezi prvními".to_owned(),
                "it contains a date or a year – attackers try those early".to_owned(),
            )),
            Pattern::BruteForce => {}
        }
    }
    if e.length < 8 {
        push(lang.pick(
            format!(
                "je příliš krátké ({} {}); silná hesla mívají aspoň 12 znaků",
                e.length,
                plural_cs(e.length as u64, "znak", "znaky", "znaků")
            ),
            format!(
                "it is too short ({} characters); strong passwords have 12 or more",
                e.length
            ),
        ));
    }
    out
}

/// The passphrases the feedback itself suggests (Czech, English): copying one of them is
/// as bad as copying the lesson's example, so they always count as known.
const EXAMPLES: [&str; 2] = [
    "tramvaj veze sedm oranžových slonů",
    "tram carries seven orange elephants",
];

struct Requirements<'a> {
    min_level: u8,
    min_length: usize,
    min_words: usize,
    known: &'a [String],
}

/// Letters and digits only, lowercase, without diacritics: how passwords are compared with
/// the examples of a lesson.
fn comparison_key(text: &str) -> String {
    fold(&text.to_lowercase())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Words of a passphrase: pieces between spaces, dashes, dots…, each with two letters or more.
fn word_count(text: &str) -> usize {
    text.split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '.' | ',' | '+' | '/'))
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count()
}

fn check_strong(
    req: &Requirements,
    answer: &str,
    dictionaries: &Dictionaries,
    lang: Lang,
) -> Verdict {
    let password = answer.trim_end_matches(['\n', '\r']);
    if password.trim().is_empty() {
        let message = lang.pick("Napiš heslo.", "Write a password.").to_owned();
        return Verdict {
            score: 0.0,
            passed: false,
            feedback_md: message.clone(),
            checks: vec![Check {
                name: lang.pick("Síla", "Strength").to_owned(),
                passed: false,
                message,
            }],
            svg: None,
        };
    }
    let e = estimate(password, dictionaries);
    let mut checks = Vec::new();
    let key = comparison_key(password);
    let copied = req
        .known
        .iter()
        .map(String::as_str)
        .chain(EXAMPLES)
        .any(|k| {
            let k = comparison_key(k);
            k.len() >= 6 && key.contains(&k)
        });
    if !req.known.is_empty() || copied {
        checks.push(Check {
            name: lang.pick("Vlastní heslo", "Your own password").to_owned(),
            passed: !copied,
            message: if copied {
                lang.pick(
                    "Tohle heslo je v lekci jako příklad – kdo lekci četl, zná ho taky. Vymysli si vlastní.",
                    "This password is an example in the lesson – anyone who read it knows it. Make up your own.",
                )
                .to_owned()
            } else {
                lang.pick("Heslo není opsané z lekce.", "Not copied from the lesson.")
                    .to_owned()
            },
        });
    }
    if req.min_words > 0 {
        let words = word_count(password);
        let ok = words >= req.min_words;
        checks.push(Check {
            name: lang.pick("Slova", "Words").to_owned(),
            passed: ok,
            message: if ok {
                lang.pick(
                    format!("Heslová fráze ze {words} slov."),
                    format!("A passphrase of {words} words."),
                )
            } else {
                lang.pick(
                    format!(
                        "Úkolem je heslová fráze: aspoň {} slova oddělená mezerou nebo pomlčkou (tady {words}).",
                        req.min_words
                    ),
                    format!(
                        "The task is a passphrase: at least {} words separated by spaces or dashes (found {words}).",
                        req.min_words
                    ),
                )
            },
        });
    }
    if req.min_length > 0 {
        let ok = e.length >= req.min_length;
        checks.push(Check {
            name: lang.pick("Délka", "Length").to_owned(),
            passed: ok,
            message: lang.pick(
                format!("{} znaků (potřeba aspoň {}).", e.length, req.min_length),
                format!(
                    "{} characters (at least {} needed).",
                    e.length, req.min_length
                ),
            ),
        });
    }
    let strong = e.level >= req.min_level;
    let time = crack_time(e.crack_seconds(), lang);
    let exponent = e.log10().floor() as i64;
    let summary = lang.pick(
        format!(
            "Heslo je {} (úroveň {} ze 4): odhadem 10^{exponent} pokusů, útočník se 10^10 pokusy za sekundu by ho uhodl {time}.",
            level_name(e.level, lang),
            e.level
        ),
        format!(
            "The password is {} (level {} of 4): about 10^{exponent} guesses, an attacker making 10^10 guesses a second would find it {time}.",
            level_name(e.level, lang),
            e.level
        ),
    );
    checks.insert(
        0,
        Check {
            name: lang.pick("Síla", "Strength").to_owned(),
            passed: strong,
            message: summary.clone(),
        },
    );
    let passed = checks.iter().all(|c| c.passed);
    let mut feedback_md = summary;
    let reasons = weaknesses(&e, lang);
    if !strong && !reasons.is_empty() {
        feedback_md.push_str(lang.pick("\n\nProč je slabé:\n", "\n\nWhy it is weak:\n"));
        for r in &reasons {
            feedback_md.push_str(&format!("- {r}\n"));
        }
        feedback_md.push_str(&lang.pick(
            format!("\nZkus větu nebo čtyři a více náhodných slov, třeba „{}“ – jen si vymysli vlastní.", EXAMPLES[0]),
            format!("\nTry a sentence or four or more random words, like “{}” – but make up your own.", EXAMPLES[1]),
        ));
    }
    for c in checks.iter().skip(1).filter(|c| !c.passed) {
        feedback_md.push_str("\n\n");
        feedback_md.push_str(&c.message);
    }
    let score = if passed {
        1.0
    } else if copied || checks.iter().skip(1).any(|c| !c.passed) {
        0.0
    } else {
        // Partial credit for the way towards the required level.
        (f64::from(e.level) / f64::from(req.min_level.max(1))).min(0.9)
    };
    Verdict {
        score,
        passed,
        feedback_md,
        checks,
        svg: Some(svg::meter(e.level, lang)),
    }
}

fn parse_order(answer: &str, count: usize) -> Option<Vec<usize>> {
    let order: Vec<usize> = answer
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().ok().filter(|&i| i < count))
        .collect::<Option<_>>()?;
    let mut seen = vec![false; count];
    for &i in &order {
        if std::mem::replace(&mut seen[i], true) {
            return None;
        }
    }
    (order.len() == count).then_some(order)
}

/// The indices of `passwords` from the weakest to the strongest.
pub fn strength_order(passwords: &[String], dictionaries: &Dictionaries) -> Vec<(usize, Estimate)> {
    let mut ranked: Vec<(usize, Estimate)> = passwords
        .iter()
        .map(|p| estimate(p, dictionaries))
        .enumerate()
        .collect();
    ranked.sort_by(|a, b| a.1.guesses.total_cmp(&b.1.guesses));
    ranked
}

fn check_order(
    passwords: &[String],
    answer: &str,
    dictionaries: &Dictionaries,
    lang: Lang,
) -> Verdict {
    let name = lang.pick("Pořadí", "Order").to_owned();
    let Some(order) = parse_order(answer, passwords.len()) else {
        let message = lang
            .pick(
                "Seřaď všechna hesla, každé jednou.",
                "Put every password in order, each once.",
            )
            .to_owned();
        return Verdict {
            score: 0.0,
            passed: false,
            feedback_md: message.clone(),
            checks: vec![Check {
                name,
                passed: false,
                message,
            }],
            svg: None,
        };
    };
    let ranked = strength_order(passwords, dictionaries);
    let estimate_of = |i: usize| ranked.iter().find(|(j, _)| *j == i).map(|(_, e)| e.clone());
    // The share of pairs the pupil put the right way round.
    let n = order.len();
    let mut right_pairs = 0;
    let mut first_wrong: Option<(usize, usize)> = None;
    for a in 0..n {
        for b in (a + 1)..n {
            let (weaker, stronger) = (order[a], order[b]);
            let (Some(ew), Some(es)) = (estimate_of(weaker), estimate_of(stronger)) else {
                continue;
            };
            if ew.guesses <= es.guesses {
                right_pairs += 1;
            } else if first_wrong.is_none() {
                first_wrong = Some((stronger, weaker));
            }
        }
    }
    let pairs = n * (n - 1) / 2;
    let score = if pairs == 0 {
        1.0
    } else {
        right_pairs as f64 / pairs as f64
    };
    let passed = right_pairs == pairs;
    let describe = |i: usize| -> String {
        let Some(e) = estimate_of(i) else {
            return String::new();
        };
        let reasons = weaknesses(&e, lang);
        let why = if reasons.is_empty() {
            String::new()
        } else {
            format!(" – {}", reasons.join("; "))
        };
        lang.pick(
            format!(
                "`{}`: {} (úroveň {}), uhodnuto {}{why}",
                passwords[i],
                level_name(e.level, lang),
                e.level,
                crack_time(e.crack_seconds(), lang)
            ),
            format!(
                "`{}`: {} (level {}), guessed {}{why}",
                passwords[i],
                level_name(e.level, lang),
                e.level,
                crack_time(e.crack_seconds(), lang)
            ),
        )
    };
    let (feedback_md, message) = if passed {
        let mut md = lang
            .pick("Správně! Od nejslabšího:\n", "Correct! From the weakest:\n")
            .to_owned();
        for (i, _) in &ranked {
            md.push_str(&format!("- {}\n", describe(*i)));
        }
        (
            md,
            lang.pick("Pořadí sedí.", "The order is right.").to_owned(),
        )
    } else {
        let mut md = lang
            .pick("Pořadí ještě nesedí.", "The order is not right yet.")
            .to_owned();
        if let Some((weaker, stronger)) = first_wrong {
            md.push_str(&lang.pick(
                format!(
                    " Například `{}` je slabší než `{}`:\n\n- {}\n- {}",
                    passwords[weaker],
                    passwords[stronger],
                    describe(weaker),
                    describe(stronger)
                ),
                format!(
                    " For example `{}` is weaker than `{}`:\n\n- {}\n- {}",
                    passwords[weaker],
                    passwords[stronger],
                    describe(weaker),
                    describe(stronger)
                ),
            ));
        }
        let message = lang.pick(
            format!("Správně seřazených dvojic: {right_pairs} z {pairs}."),
            format!("Pairs in the right order: {right_pairs} of {pairs}."),
        );
        (md, message)
    };
    Verdict {
        score,
        passed,
        feedback_md,
        checks: vec![Check {
            name,
            passed,
            message,
        }],
        svg: None,
    }
}

const KINDS: [&str; 2] = ["strong", "order"];

fn parse_task(task: &Value, p: &mut Problems) -> Option<PasswordTask> {
    let t = task::table(task, "task", p)?;
    let kind = task::required(t, "kind", "task", p).and_then(|v| task::string(v, "task.kind", p));
    let prompt = t
        .get("prompt")
        .and_then(|v| task::non_empty_string(v, "task.prompt", p))
        .map(str::to_owned);
    let explanation = t
        .get("explanation")
        .and_then(|v| task::string(v, "task.explanation", p))
        .map(str::to_owned);
    let kind = kind?;
    let own: &[&str] = match kind {
        "strong" => &["min_level", "min_length", "min_words", "known"],
        "order" => &["passwords"],
        other => {
            let known = KINDS.join(", ");
            p.push(
                "task.kind",
                format!("neznámý druh úlohy „{other}“; možné jsou: {known}"),
                format!("unknown kind `{other}`; expected one of: {known}"),
            );
            return None;
        }
    };
    let mut allowed = vec!["kind", "prompt", "explanation"];
    allowed.extend_from_slice(own);
    task::unknown_keys(t, &allowed, "task", p);
    let kind = if kind == "strong" {
        parse_strong(t, p)?
    } else {
        parse_order_task(t, p)?
    };
    Some(PasswordTask {
        prompt,
        explanation,
        kind,
    })
}

fn small_integer(
    t: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
    p: &mut Problems,
) -> Option<i64> {
    let path = task::join("task", key);
    let Some(v) = t.get(key) else {
        return Some(default);
    };
    let n = task::integer(v, &path, p)?;
    if !range.contains(&n) {
        p.push(
            &path,
            format!("má být od {} do {}", range.start(), range.end()),
            format!("must be {} to {}", range.start(), range.end()),
        );
        return None;
    }
    Some(n)
}

fn string_list(v: &Value, path: &str, p: &mut Problems) -> Option<Vec<String>> {
    let list = task::array(v, path, p)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        match task::non_empty_string(item, &task::index(path, i), p) {
            Some(s) => out.push(s.to_owned()),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn parse_strong(t: &Map<String, Value>, p: &mut Problems) -> Option<Kind> {
    let min_level = small_integer(t, "min_level", 1..=4, 3, p);
    let min_length = small_integer(t, "min_length", 0..=64, 0, p);
    let min_words = small_integer(t, "min_words", 0..=10, 0, p);
    let known = match t.get("known") {
        None => Some(Vec::new()),
        Some(v) => string_list(v, "task.known", p),
    };
    Some(Kind::Strong {
        min_level: min_level? as u8,
        min_length: min_length? as usize,
        min_words: min_words? as usize,
        known: known?,
    })
}

fn parse_order_task(t: &Map<String, Value>, p: &mut Problems) -> Option<Kind> {
    let passwords = task::required(t, "passwords", "task", p)
        .and_then(|v| string_list(v, "task.passwords", p))?;
    if !(2..=MAX_ORDER).contains(&passwords.len()) {
        p.push(
            "task.passwords",
            format!("hesel má být 2 až {MAX_ORDER}"),
            format!("give 2 to {MAX_ORDER} passwords"),
        );
        return None;
    }
    let dictionaries = Dictionaries::embedded();
    let ranked = strength_order(&passwords, &dictionaries);
    let mut clear = true;
    for pair in ranked.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.1.log10() - a.1.log10() < MIN_ORDER_GAP {
            clear = false;
            p.push(
                &task::index("task.passwords", b.0),
                format!(
                    "hesla „{}“ a „{}“ jsou odhadem skoro stejně silná (10^{:.1} a 10^{:.1} pokusů); pořadí by nebylo jednoznačné",
                    passwords[a.0],
                    passwords[b.0],
                    a.1.log10(),
                    b.1.log10()
                ),
                format!(
                    "“{}” and “{}” are about equally strong (10^{:.1} and 10^{:.1} guesses); the order would be ambiguous",
                    passwords[a.0],
                    passwords[b.0],
                    a.1.log10(),
                    b.1.log10()
                ),
            );
        }
    }
    if clear && ranked.iter().enumerate().all(|(i, (j, _))| i == *j) {
        p.push(
            "task.passwords",
            "hesla jsou už seřazená od nejslabšího; zamíchej je, jinak by stačilo nic neměnit",
            "the passwords are already in order from the weakest; shuffle them, or leaving them as they are would pass",
        );
    }
    Some(Kind::Order { passwords })
}

#[cfg(test)]
mod tests;
