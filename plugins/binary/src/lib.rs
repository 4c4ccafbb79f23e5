//! The shipped `binary` plugin: number systems and data units.
//!
//! Task kinds (the contract is `docs/plugins/binary.md`): `convert` between binary,
//! decimal and hexadecimal, `add` two binary numbers, `units` (bits, bytes, kB vs KiB…),
//! `values` (how many values fit in n bits) and `bits` (how many bits N values need).
//!
//! [`BinaryTask::parse`] is the one reader of a task. A task may give its numbers or ask
//! for them to be generated (`bits = 8`); [`BinaryTask::exercise`] turns a task and a seed
//! into the concrete [`Exercise`] a pupil sees, from the seed and the task's own text only,
//! so `render` and `check` with the same seed always agree and two exercises with the
//! same seed still differ. Wrong answers are matched against typical mistakes (bits read
//! in the wrong order, 2⁰ forgotten, kB taken for KiB, 2ⁿ−1 for 2ⁿ) to explain them.

pub mod answer;
pub mod svg;

use aktovka_plugin_abi::task::{self, Problems};
use aktovka_plugin_abi::{Check, Lang, Plugin, Rendered, ValidationError, Verdict, invalid_task};
use serde_json::{Map, Value};

use crate::answer::{
    Base, IntError, format_decimal, group_thousands, parse_decimal, parse_int, show, split_unit,
};

/// The longest generated or given number in `convert` tasks, in bits.
pub const MAX_CONVERT_BITS: u32 = 32;
/// The longest operand of `add` tasks, in bits.
pub const MAX_ADD_BITS: u32 = 16;
/// The largest `bits` of a `values` task (2⁶⁴ still fits the arithmetic).
pub const MAX_VALUES_BITS: u32 = 64;

/// The plugin, for [`aktovka_plugin_abi::run`].
pub struct BinaryPlugin;

impl Plugin for BinaryPlugin {
    fn validate(&self, task: &Value, lang: Lang) -> Vec<ValidationError> {
        match BinaryTask::parse(task, lang) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    fn render(&self, task: &Value, lang: Lang) -> Result<Rendered, String> {
        self.render_seeded(task, None, lang)
    }

    fn render_seeded(
        &self,
        task: &Value,
        seed: Option<u64>,
        lang: Lang,
    ) -> Result<Rendered, String> {
        let parsed = BinaryTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        Ok(parsed.render(seed.unwrap_or(0), lang))
    }

    fn check(&self, task: &Value, answer: &str, seed: u64, lang: Lang) -> Result<Verdict, String> {
        let parsed = BinaryTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        Ok(parsed.check(answer, seed, lang))
    }
}

/// A data unit: its name and its size in bits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    name: &'static str,
    bits: f64,
}

const KIB: f64 = 1024.0;
/// Every unit a task may use. Decimal prefixes are powers of 1000, binary (`i`) ones of 1024.
const UNITS: [Unit; 10] = [
    Unit {
        name: "bit",
        bits: 1.0,
    },
    Unit {
        name: "B",
        bits: 8.0,
    },
    Unit {
        name: "kB",
        bits: 8.0e3,
    },
    Unit {
        name: "MB",
        bits: 8.0e6,
    },
    Unit {
        name: "GB",
        bits: 8.0e9,
    },
    Unit {
        name: "TB",
        bits: 8.0e12,
    },
    Unit {
        name: "KiB",
        bits: 8.0 * KIB,
    },
    Unit {
        name: "MiB",
        bits: 8.0 * KIB * KIB,
    },
    Unit {
        name: "GiB",
        bits: 8.0 * KIB * KIB * KIB,
    },
    Unit {
        name: "TiB",
        bits: 8.0 * KIB * KIB * KIB * KIB,
    },
];

impl Unit {
    fn named(name: &str) -> Option<Unit> {
        UNITS.iter().copied().find(|u| u.name == name)
    }

    /// The unit of the other family with the same prefix (kB ↔ KiB); bits and bytes have
    /// none and are their own twin.
    fn twin(self) -> Unit {
        let twin = match self.name {
            "kB" => "KiB",
            "KiB" => "kB",
            "MB" => "MiB",
            "MiB" => "MB",
            "GB" => "GiB",
            "GiB" => "GB",
            "TB" => "TiB",
            "TiB" => "TB",
            _ => self.name,
        };
        Unit::named(twin).unwrap_or(self)
    }

    /// Whether a pupil's unit after the number means this unit.
    fn accepts(self, written: &str) -> bool {
        let w = written.to_lowercase();
        match self.name {
            "bit" => matches!(w.as_str(), "bit" | "bity" | "bitů" | "bits" | "b"),
            "B" => {
                written == "B"
                    || matches!(w.as_str(), "bajt" | "bajty" | "bajtů" | "byte" | "bytes")
            }
            name => written == name,
        }
    }
}

/// Where a task's number comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source<T> {
    /// Written in the task (the same for every pupil).
    Fixed(T),
    /// Generated from the seed with exactly this many bits.
    Bits(u32),
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Convert {
        from: Base,
        to: Base,
        value: Source<String>,
    },
    Add {
        operands: Source<(String, String)>,
    },
    Units {
        value: f64,
        from: Unit,
        to: Unit,
        tolerance: f64,
    },
    Values {
        bits: u32,
    },
    Bits {
        values: u64,
    },
}

/// A validated task.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryTask {
    prompt: Option<String>,
    explanation: Option<String>,
    kind: Kind,
    /// Mixed into the seed so that two exercises graded with the same seed get different
    /// numbers.
    salt: u64,
}

/// One pupil's variant of a task: every number concrete.
#[derive(Debug, Clone, PartialEq)]
pub enum Exercise {
    /// Convert `digits` (written in `from`) to `to`.
    Convert {
        from: Base,
        to: Base,
        /// The number as shown, in `from`, uppercase, as the task wrote it (leading zeros kept).
        digits: String,
        value: u64,
    },
    /// Add two binary numbers.
    Add { a: String, b: String },
    /// Convert `value` `from` into `to`.
    Units {
        value: f64,
        from: Unit,
        to: Unit,
        tolerance: f64,
    },
    /// How many values fit in `bits`.
    Values { bits: u32 },
    /// How many bits `values` need.
    Bits { values: u64 },
}

const KINDS: [&str; 5] = ["convert", "add", "units", "values", "bits"];

impl BinaryTask {
    /// Reads and validates a task, reporting every problem with its path.
    pub fn parse(task: &Value, lang: Lang) -> Result<BinaryTask, Vec<ValidationError>> {
        let mut p = Problems::new(lang);
        match parse_task(task, &mut p) {
            Some(parsed) if p.is_empty() => Ok(parsed),
            _ => Err(p.into_vec()),
        }
    }

    /// The concrete exercise for `seed`.
    pub fn exercise(&self, seed: u64) -> Exercise {
        let mut rng = SplitMix(seed ^ self.salt);
        match &self.kind {
            Kind::Convert { from, to, value } => {
                let (digits, value) = match value {
                    Source::Fixed(digits) => {
                        let value = parse_int(digits, *from).unwrap_or(0);
                        (digits.clone(), value)
                    }
                    Source::Bits(bits) => {
                        let value = rng.with_bits(*bits);
                        (from.digits(value), value)
                    }
                };
                Exercise::Convert {
                    from: *from,
                    to: *to,
                    digits,
                    value,
                }
            }
            Kind::Add { operands } => {
                let (a, b) = match operands {
                    Source::Fixed(pair) => pair.clone(),
                    Source::Bits(bits) => (
                        Base::Bin.digits(rng.with_bits(*bits)),
                        Base::Bin.digits(rng.with_bits(*bits)),
                    ),
                };
                Exercise::Add { a, b }
            }
            Kind::Units {
                value,
                from,
                to,
                tolerance,
            } => Exercise::Units {
                value: *value,
                from: *from,
                to: *to,
                tolerance: *tolerance,
            },
            Kind::Values { bits } => Exercise::Values { bits: *bits },
            Kind::Bits { values } => Exercise::Bits { values: *values },
        }
    }

    /// What the learner app shows for the variant `seed`.
    pub fn render(&self, seed: u64, lang: Lang) -> Rendered {
        let exercise = self.exercise(seed);
        let mut prompt_md = String::new();
        if let Some(prompt) = &self.prompt {
            prompt_md.push_str(prompt);
            prompt_md.push_str("\n\n");
        }
        prompt_md.push_str(&exercise.prompt(lang));
        let input = match &exercise {
            Exercise::Convert { to: Base::Dec, .. }
            | Exercise::Units { .. }
            | Exercise::Values { .. }
            | Exercise::Bits { .. } => "number",
            Exercise::Convert { .. } | Exercise::Add { .. } => "text",
        };
        Rendered {
            prompt_md,
            svg: exercise.svg(lang),
            input,
            choices: None,
            extra: Map::new(),
        }
    }

    /// Grades `answer` against the variant `seed`.
    pub fn check(&self, answer: &str, seed: u64, lang: Lang) -> Verdict {
        let exercise = self.exercise(seed);
        let (passed, message) = exercise.grade(answer, lang);
        let name = exercise.check_name(lang).to_owned();
        let mut feedback_md = if passed {
            format!("{} {message}", lang.pick("Správně!", "Correct!"))
        } else {
            message.clone()
        };
        if passed && let Some(explanation) = &self.explanation {
            feedback_md.push_str("\n\n");
            feedback_md.push_str(explanation);
        }
        Verdict {
            score: if passed { 1.0 } else { 0.0 },
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
}

impl Exercise {
    /// The generated part of the prompt, markdown.
    pub fn prompt(&self, lang: Lang) -> String {
        match self {
            Exercise::Convert {
                from, to, digits, ..
            } => {
                let number = format!("**{}**{}", show(digits, *from), from.subscript());
                let how = match to {
                    Base::Bin => lang.pick(
                        " Odpověď napiš jen číslicemi 0 a 1.",
                        " Answer with the digits 0 and 1 only.",
                    ),
                    Base::Hex => lang.pick(
                        " Použij číslice 0–9 a písmena A–F.",
                        " Use the digits 0–9 and the letters A–F.",
                    ),
                    Base::Dec => "",
                };
                lang.pick(
                    format!(
                        "Převeď číslo {number} z {} soustavy do {} soustavy.{how}",
                        from.adjective(lang),
                        to.adjective(lang)
                    ),
                    format!(
                        "Convert {number} from {} to {}.{how}",
                        from.adjective(lang),
                        to.adjective(lang)
                    ),
                )
            }
            Exercise::Add { a, b } => {
                let width = a.len().max(b.len()) + 2;
                let lead = lang.pick(
                    "Sečti čísla ve dvojkové soustavě a výsledek napiš také ve dvojkové soustavě:",
                    "Add the binary numbers and write the sum in binary too:",
                );
                format!(
                    "{lead}\n\n```\n  {a:>w$}\n+ {b:>w$}\n{line}\n```",
                    w = width - 2,
                    line = "-".repeat(width)
                )
            }
            Exercise::Units {
                value,
                from,
                to,
                tolerance,
            } => {
                let value = format_decimal(*value, lang);
                let mut text = lang.pick(
                    format!("Kolik **{}** je **{value} {}**?", to.name, from.name),
                    format!("How many **{}** are **{value} {}**?", to.name, from.name),
                );
                if *tolerance > 0.0 {
                    let tol = format_decimal(*tolerance, lang);
                    text.push_str(&lang.pick(
                        format!(" Stačí s přesností ± {tol}."),
                        format!(" Within ± {tol} is enough."),
                    ));
                }
                text
            }
            Exercise::Values { bits } => lang.pick(
                format!(
                    "Kolik různých hodnot se dá zapsat pomocí **{bits} {}**?",
                    bits_cs(u64::from(*bits))
                ),
                format!("How many different values can **{bits} bits** hold?"),
            ),
            Exercise::Bits { values } => {
                let n = group_thousands(u128::from(*values), lang);
                lang.pick(
                    format!(
                        "Kolik nejméně bitů potřebuješ, abys rozlišil(a) **{n} různých hodnot**?"
                    ),
                    format!(
                        "What is the fewest bits that can tell apart **{n} different values**?"
                    ),
                )
            }
        }
    }

    fn svg(&self, lang: Lang) -> Option<String> {
        match self {
            Exercise::Convert {
                from, to, digits, ..
            } if *from == Base::Bin => Some(svg::place_values(digits.len(), Some(digits), lang)),
            Exercise::Convert {
                to: Base::Bin,
                value,
                ..
            } => {
                // The table is as wide as the answer needs, and at least a byte.
                let width = Base::Bin.digits(*value).len().max(8);
                Some(svg::place_values(width, None, lang))
            }
            _ => None,
        }
    }

    fn check_name(&self, lang: Lang) -> &'static str {
        match self {
            Exercise::Convert { .. } => lang.pick("Převod", "Conversion"),
            Exercise::Add { .. } => lang.pick("Součet", "Sum"),
            Exercise::Units { .. } => lang.pick("Jednotky", "Units"),
            Exercise::Values { .. } => lang.pick("Počet hodnot", "Number of values"),
            Exercise::Bits { .. } => lang.pick("Počet bitů", "Number of bits"),
        }
    }

    /// Whether `answer` is right, and the message for the pupil.
    pub fn grade(&self, answer: &str, lang: Lang) -> (bool, String) {
        if answer.trim().is_empty() {
            return (
                false,
                lang.pick("Napiš odpověď.", "Write an answer.").to_owned(),
            );
        }
        match self {
            Exercise::Convert {
                from,
                to,
                digits,
                value,
            } => grade_convert(*from, *to, digits, *value, answer, lang),
            Exercise::Add { a, b } => grade_add(a, b, answer, lang),
            Exercise::Units {
                value,
                from,
                to,
                tolerance,
            } => grade_units(*value, *from, *to, *tolerance, answer, lang),
            Exercise::Values { bits } => grade_values(*bits, answer, lang),
            Exercise::Bits { values } => grade_bits(*values, answer, lang),
        }
    }
}

/// "bity"/"bitů" after a Czech number.
fn bits_cs(n: u64) -> &'static str {
    match n {
        1 => "bitu",
        _ => "bitů",
    }
}

fn bad_digits_message(to: Base, bad: char, lang: Lang) -> String {
    match to {
        Base::Bin => lang.pick(
            format!("Ve dvojkové soustavě jsou jen číslice 0 a 1, „{bad}“ mezi ně nepatří."),
            format!("Binary has only the digits 0 and 1; `{bad}` is not one of them."),
        ),
        Base::Hex => lang.pick(
            format!("Šestnáctková soustava má číslice 0–9 a písmena A–F, „{bad}“ mezi ně nepatří."),
            format!(
                "Hexadecimal has the digits 0–9 and the letters A–F; `{bad}` is not one of them."
            ),
        ),
        Base::Dec => lang.pick(
            format!(
                "Napiš celé číslo v desítkové soustavě, jen číslicemi 0–9 („{bad}“ tam nepatří)."
            ),
            format!(
                "Write a whole decimal number with the digits 0–9 only (`{bad}` does not belong)."
            ),
        ),
    }
}

fn int_error_message(to: Base, e: &IntError, lang: Lang) -> String {
    match e {
        IntError::Empty => lang.pick("Napiš odpověď.", "Write an answer.").to_owned(),
        IntError::BadDigit(c) => bad_digits_message(to, *c, lang),
        IntError::TooBig => lang
            .pick(
                "Tohle číslo je mnohem větší, než má vyjít.",
                "That number is far larger than the result.",
            )
            .to_owned(),
    }
}

/// `digits` reversed, as a number in `base` (what a pupil gets reading them backwards).
fn reversed_value(digits: &str, base: Base) -> Option<u64> {
    let reversed: String = digits.chars().rev().collect();
    parse_int(&reversed, base).ok()
}

fn grade_convert(
    from: Base,
    to: Base,
    digits: &str,
    value: u64,
    answer: &str,
    lang: Lang,
) -> (bool, String) {
    let right_digits = to.digits(value);
    let shown = format!("{}{}", show(digits, from), from.subscript());
    let parsed = parse_int(answer, to);
    if parsed == Ok(value) {
        let result = format!("{}{}", show(&right_digits, to), to.subscript());
        return (true, format!("{shown} = {result}."));
    }
    let message = match parsed {
        Ok(got) => {
            let palindrome = |d: &str| d.chars().eq(d.chars().rev());
            if from != Base::Dec && !palindrome(digits) && reversed_value(digits, from) == Some(got)
            {
                let lowest = if from == Base::Bin { "2⁰" } else { "16⁰" };
                lang.pick(
                    format!("Čteš číslice v obráceném pořadí: nejnižší řád ({lowest} = 1) je úplně vpravo."),
                    format!("You read the digits in the wrong order: the lowest place ({lowest} = 1) is the rightmost one."),
                )
            } else if to != Base::Dec
                && !palindrome(&right_digits)
                && reversed_value(&right_digits, to) == Some(got)
            {
                lang.pick(
                    "Máš správné číslice, ale pozpátku. Zbytky po dělení se čtou odspodu nahoru: první zbytek je nejnižší řád, patří úplně doprava.",
                    "The digits are right but backwards. Remainders are read from the bottom up: the first remainder is the lowest place, the rightmost digit.",
                )
                .to_owned()
            } else if from == Base::Bin && value % 2 == 1 && got == value - 1 {
                lang.pick(
                    "Skoro! Zapomněl(a) jsi na nejnižší řád úplně vpravo: 2⁰ = 1.",
                    "Almost! You forgot the rightmost place: 2⁰ = 1.",
                )
                .to_owned()
            } else if from == Base::Bin && got == value.wrapping_mul(2) {
                lang.pick(
                    "Místní hodnoty začínají vpravo číslem 2⁰ = 1, ne 2: …, 8, 4, 2, 1.",
                    "Place values start on the right with 2⁰ = 1, not 2: …, 8, 4, 2, 1.",
                )
                .to_owned()
            } else {
                convert_hint(from, to, lang)
            }
        }
        Err(e) => {
            if to != Base::Dec && parse_int(answer, Base::Dec) == Ok(value) {
                lang.pick(
                    format!(
                        "Tohle je správná hodnota v desítkové soustavě, ale odpověď má být v {} soustavě.",
                        to.adjective(lang)
                    ),
                    format!(
                        "That is the right value in decimal, but the answer must be in {}.",
                        to.adjective(lang)
                    ),
                )
            } else {
                int_error_message(to, &e, lang)
            }
        }
    };
    (false, message)
}

fn convert_hint(from: Base, to: Base, lang: Lang) -> String {
    let hint = match (from, to) {
        (_, Base::Dec) => lang.pick(
            "Vynásob každou číslici její místní hodnotou (zprava 1, 2, 4, 8, … ve dvojkové, 1, 16, 256, … v šestnáctkové soustavě) a výsledky sečti.",
            "Multiply each digit by its place value (from the right 1, 2, 4, 8, … in binary, 1, 16, 256, … in hexadecimal) and add them up.",
        ),
        (Base::Dec, Base::Bin) => lang.pick(
            "Děl číslo dvěma a zapisuj zbytky, dokud nedojdeš k nule; zbytky pak čti odspodu nahoru. Nebo odečítej největší mocniny dvojky, které se vejdou.",
            "Divide by two and write down the remainders until you reach zero, then read them from the bottom up. Or subtract the largest powers of two that fit.",
        ),
        (Base::Hex, Base::Bin) | (Base::Bin, Base::Hex) => lang.pick(
            "Každá šestnáctková číslice odpovídá přesně čtyřem bitům (A = 1010, F = 1111); převáděj po čtveřicích zprava.",
            "Each hexadecimal digit is exactly four bits (A = 1010, F = 1111); convert four bits at a time from the right.",
        ),
        _ => lang.pick(
            "Děl číslo šestnácti a zapisuj zbytky (10 = A, …, 15 = F); zbytky čti odspodu nahoru.",
            "Divide by sixteen and write down the remainders (10 = A, …, 15 = F); read them from the bottom up.",
        ),
    };
    format!(
        "{} {hint}",
        lang.pick("To není správně.", "That is not right.")
    )
}

fn grade_add(a: &str, b: &str, answer: &str, lang: Lang) -> (bool, String) {
    let (x, y) = (
        parse_int(a, Base::Bin).unwrap_or(0),
        parse_int(b, Base::Bin).unwrap_or(0),
    );
    let sum = x + y;
    match parse_int(answer, Base::Bin) {
        Ok(got) if got == sum => (
            true,
            format!(
                "{a}₂ + {b}₂ = {}₂ ({x} + {y} = {sum}).",
                Base::Bin.digits(sum)
            ),
        ),
        Ok(got) => {
            let width = a.len().max(b.len()) as u32;
            let message = if got == x ^ y {
                lang.pick(
                    "Zapomněl(a) jsi na přenos: 1 + 1 = 10₂, takže napíšeš 0 a 1 přeneseš do vyššího řádu (o místo doleva).",
                    "You forgot the carry: 1 + 1 = 10₂, so you write 0 and carry 1 to the next place on the left.",
                )
            } else if sum >> width > 0 && got == sum & ((1 << width) - 1) {
                lang.pick(
                    "Skoro! Nezapomeň na poslední přenos: součet může mít o číslici víc než sčítance.",
                    "Almost! Do not forget the last carry: the sum may have one more digit than the numbers added.",
                )
            } else {
                lang.pick(
                    "To není správně. Sčítej pod sebou zprava: 0 + 0 = 0, 0 + 1 = 1, 1 + 1 = 10 (0 a přenos 1), 1 + 1 + 1 = 11 (1 a přenos 1).",
                    "That is not right. Add in columns from the right: 0 + 0 = 0, 0 + 1 = 1, 1 + 1 = 10 (0, carry 1), 1 + 1 + 1 = 11 (1, carry 1).",
                )
            };
            (false, message.to_owned())
        }
        Err(e) => {
            if parse_int(answer, Base::Dec) == Ok(sum) {
                (
                    false,
                    lang.pick(
                        "Tohle je součet v desítkové soustavě, ale výsledek má být ve dvojkové.",
                        "That is the sum in decimal, but the answer must be in binary.",
                    )
                    .to_owned(),
                )
            } else {
                (false, int_error_message(Base::Bin, &e, lang))
            }
        }
    }
}

fn close(got: f64, right: f64, tolerance: f64) -> bool {
    (got - right).abs() <= tolerance + 1e-9 * right.abs().max(1.0)
}

fn grade_units(
    value: f64,
    from: Unit,
    to: Unit,
    tolerance: f64,
    answer: &str,
    lang: Lang,
) -> (bool, String) {
    let right = value * from.bits / to.bits;
    let (number, unit) = split_unit(answer);
    if !unit.is_empty() && !to.accepts(unit) {
        return (
            false,
            lang.pick(
                format!(
                    "Výsledek má být v jednotkách {}; napiš jen číslo (jednotku „{unit}“ vynech).",
                    to.name
                ),
                format!(
                    "The result must be in {}; write just the number (leave out `{unit}`).",
                    to.name
                ),
            ),
        );
    }
    let Some(got) = parse_decimal(number) else {
        return (
            false,
            lang.pick(
                "Napiš číslo, třeba 1536 nebo 0,5.",
                "Write a number, such as 1536 or 0.5.",
            )
            .to_owned(),
        );
    };
    if close(got, right, tolerance) {
        return (
            true,
            format!(
                "{} {} = {} {}.",
                format_decimal(value, lang),
                from.name,
                format_decimal(right, lang),
                to.name
            ),
        );
    }
    let twin = value * from.twin().bits / to.twin().bits;
    let message = if !close(twin, right, tolerance) && close(got, twin, tolerance) {
        lang.pick(
            "Pozor na rozdíl mezi kB a KiB: 1 kB = 1000 B, ale 1 KiB = 1024 B (předpony s „i“ – Ki, Mi, Gi – jsou mocniny 1024).",
            "Mind the difference between kB and KiB: 1 kB = 1000 B but 1 KiB = 1024 B (the prefixes with `i` – Ki, Mi, Gi – are powers of 1024).",
        )
    } else if close(got, right * 8.0, tolerance) || close(got, right / 8.0, tolerance) {
        lang.pick(
            "Bajt má 8 bitů – nezaměnil(a) jsi bity a bajty?",
            "A byte has 8 bits – did you mix up bits and bytes?",
        )
    } else if close(got, value * to.bits / from.bits, tolerance) {
        lang.pick(
            "Opačně: převádíš-li na menší jednotku, číslo vyjde větší (a naopak). Násob tam, kde jsi dělil(a).",
            "The other way round: in a smaller unit the number gets larger (and vice versa). Multiply where you divided.",
        )
    } else {
        lang.pick(
            "To nesedí. Připomeň si: 1 B = 8 bitů, 1 kB = 1000 B, 1 KiB = 1024 B, 1 MiB = 1024 KiB.",
            "That is not right. Remember: 1 B = 8 bits, 1 kB = 1000 B, 1 KiB = 1024 B, 1 MiB = 1024 KiB.",
        )
    };
    (false, message.to_owned())
}

/// A whole-number answer (decimal, grouped leniently) as u128.
fn parse_count(answer: &str) -> Result<u128, IntError> {
    let digits: String = answer
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\'')
        .collect();
    if digits.is_empty() {
        return Err(IntError::Empty);
    }
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(IntError::BadDigit(bad));
    }
    digits.parse().map_err(|_| IntError::TooBig)
}

fn grade_values(bits: u32, answer: &str, lang: Lang) -> (bool, String) {
    let right = 1u128 << bits;
    let n = u128::from(bits);
    let got = match parse_count(answer) {
        Ok(got) => got,
        Err(e) => return (false, int_error_message(Base::Dec, &e, lang)),
    };
    if got == right {
        return (
            true,
            lang.pick(
                format!(
                    "{bits} {} = 2^{bits} = {} různých hodnot (od 0 do {}).",
                    bits_cs(u64::from(bits)),
                    group_thousands(right, lang),
                    group_thousands(right - 1, lang)
                ),
                format!(
                    "{bits} bits = 2^{bits} = {} different values (0 to {}).",
                    group_thousands(right, lang),
                    group_thousands(right - 1, lang)
                ),
            ),
        );
    }
    let message = if got == right - 1 {
        lang.pick(
            format!(
                "{} je největší číslo, které se do {bits} {} vejde. Hodnot je o jednu víc – počítá se i nula.",
                group_thousands(got, lang),
                bits_cs(u64::from(bits))
            ),
            format!(
                "{} is the largest number {bits} bits can hold. There is one value more – zero counts too.",
                group_thousands(got, lang)
            ),
        )
    } else if got == 2 * n {
        lang.pick(
            "Každý další bit počet hodnot zdvojnásobí, nepřidá jen dvě: 2 · 2 · … · 2.".to_owned(),
            "Each extra bit doubles the number of values rather than adding two: 2 · 2 · … · 2."
                .to_owned(),
        )
    } else if got == n * n {
        lang.pick(
            format!("Počet hodnot je 2 na {bits}. (2^{bits}), ne {bits} na druhou."),
            format!("The number of values is 2 to the power {bits}, not {bits} squared."),
        )
    } else if got == right / 2 || Some(got) == right.checked_mul(2) {
        lang.pick(
            format!("Skoro – zkontroluj mocninu: {bits} bitů dává 2^{bits} hodnot."),
            format!("Almost – check the power: {bits} bits give 2^{bits} values."),
        )
    } else {
        lang.pick(
            "To není správně. Každý bit má 2 možnosti (0 nebo 1) a možnosti bitů se násobí.".to_owned(),
            "That is not right. Each bit has 2 possibilities (0 or 1) and the possibilities multiply.".to_owned(),
        )
    };
    (false, message)
}

fn grade_bits(values: u64, answer: &str, lang: Lang) -> (bool, String) {
    let right = u64::from(64 - (values - 1).leading_zeros());
    let n = group_thousands(u128::from(values), lang);
    let got = match parse_count(answer) {
        Ok(got) => got,
        Err(e) => return (false, int_error_message(Base::Dec, &e, lang)),
    };
    let fits = |bits: u128| -> String {
        if bits >= 100 {
            format!("2^{bits}")
        } else {
            group_thousands(1u128 << bits, lang)
        }
    };
    let right = u128::from(right);
    if got == right {
        return (
            true,
            lang.pick(
                format!(
                    "Do {right} bitů se vejde {} hodnot, do {} jen {}.",
                    fits(right),
                    right - 1,
                    fits(right - 1)
                ),
                format!(
                    "{right} bits hold {} values, {} only {}.",
                    fits(right),
                    right - 1,
                    fits(right - 1)
                ),
            ),
        );
    }
    let message = if got < right {
        lang.pick(
            format!(
                "Do {got} {} se vejde jen {} různých hodnot, a to je méně než {n}.",
                bits_cs(got as u64),
                fits(got)
            ),
            format!(
                "{got} bits hold only {} different values, fewer than {n}.",
                fits(got)
            ),
        )
    } else {
        lang.pick(
            format!(
                "Tolik bitů stačí, ale jde to i s méně: už do {} bitů se vejde {} hodnot.",
                got - 1,
                fits((got - 1).min(127))
            ),
            format!(
                "That many bits are enough, but fewer will do: {} bits already hold {} values.",
                got - 1,
                fits((got - 1).min(127))
            ),
        )
    };
    (false, message)
}

/// SplitMix64: a tiny, well-mixed generator; the same seed and salt give the same numbers
/// on every platform (the sandbox's random source is not used, as `render` has none).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number with exactly `bits` binary digits (its top bit set), 1 ≤ bits ≤ 63.
    fn with_bits(&mut self, bits: u32) -> u64 {
        let top = 1u64 << (bits - 1);
        top | (self.next() % top.max(1))
    }
}

/// FNV-1a of the task's JSON text (keys sorted, so the same task always hashes the same)
/// without `prompt` and `explanation`: rewording a task keeps its numbers (and so its
/// reference solution), while `variant` or another setting changes them.
fn salt_of(task: &Value) -> u64 {
    let mut numbers = task.clone();
    if let Some(t) = numbers.as_object_mut() {
        t.remove("prompt");
        t.remove("explanation");
    }
    numbers
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn parse_task(task: &Value, p: &mut Problems) -> Option<BinaryTask> {
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
    let own_keys: &[&str] = match kind {
        "convert" => &["from", "to", "value", "bits", "variant"],
        "add" => &["a", "b", "bits", "variant"],
        "units" => &["value", "from", "to", "tolerance"],
        "values" => &["bits"],
        "bits" => &["values"],
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
    allowed.extend_from_slice(own_keys);
    task::unknown_keys(t, &allowed, "task", p);
    if let Some(v) = t.get("variant")
        && task::integer(v, "task.variant", p).is_some()
        && !t.contains_key("bits")
    {
        p.push(
            "task.variant",
            "variant má smysl jen u čísel generovaných pomocí bits",
            "`variant` only matters for numbers generated with `bits`",
        );
    }
    let kind = match kind {
        "convert" => parse_convert(t, p)?,
        "add" => parse_add(t, p)?,
        "units" => parse_units(t, p)?,
        "values" => {
            let bits = task::required(t, "bits", "task", p)
                .and_then(|v| bit_count(v, "task.bits", MAX_VALUES_BITS, p))?;
            Kind::Values { bits }
        }
        _ => {
            let values = task::required(t, "values", "task", p)
                .and_then(|v| task::integer(v, "task.values", p))?;
            if values < 2 {
                p.push(
                    "task.values",
                    "počet hodnot musí být aspoň 2",
                    "the number of values must be at least 2",
                );
                return None;
            }
            Kind::Bits {
                values: values as u64,
            }
        }
    };
    Some(BinaryTask {
        prompt,
        explanation,
        kind,
        salt: salt_of(task),
    })
}

/// An integer 1..=max at `path`.
fn bit_count(v: &Value, path: &str, max: u32, p: &mut Problems) -> Option<u32> {
    let n = task::integer(v, path, p)?;
    if !(1..=i64::from(max)).contains(&n) {
        p.push(
            path,
            format!("počet bitů musí být od 1 do {max}"),
            format!("the number of bits must be 1 to {max}"),
        );
        return None;
    }
    Some(n as u32)
}

fn base_at(t: &Map<String, Value>, key: &str, p: &mut Problems) -> Option<Base> {
    let path = task::join("task", key);
    let name = task::required(t, key, "task", p).and_then(|v| task::string(v, &path, p))?;
    let base = Base::from_name(name);
    if base.is_none() {
        p.push(
            &path,
            format!("neznámá soustava „{name}“; možné jsou: bin, dec, hex"),
            format!("unknown number system `{name}`; expected bin, dec or hex"),
        );
    }
    base
}

/// Exactly one of `value` and `bits`.
fn value_or_bits(t: &Map<String, Value>, value_keys: &[&str], p: &mut Problems) -> bool {
    let has_value = value_keys.iter().any(|k| t.contains_key(*k));
    let has_bits = t.contains_key("bits");
    let keys = value_keys.join(" a ");
    let keys_en = value_keys.join(" and ");
    match (has_value, has_bits) {
        (true, true) => {
            p.push(
                "task.bits",
                format!("zadej buď {keys}, nebo bits (vygenerovat z náhody), ne obojí"),
                format!("give either {keys_en} or bits (generated from the seed), not both"),
            );
            false
        }
        (false, false) => {
            p.push(
                &task::join("task", value_keys[0]),
                format!(
                    "chybí {keys}; nebo napiš bits = 8, aby si každý žák vygeneroval své číslo"
                ),
                format!("{keys_en} missing; or write bits = 8 to generate each pupil's own number"),
            );
            false
        }
        _ => true,
    }
}

/// A number given in a task, written in `base`: a string, or an integer read as its digits.
fn number_in(v: &Value, base: Base, path: &str, max_bits: u32, p: &mut Problems) -> Option<String> {
    let text = match v {
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => task::non_empty_string(v, path, p)?.to_owned(),
    };
    match parse_int(&text, base) {
        Ok(n) if u64::from(64 - n.leading_zeros()) <= u64::from(max_bits) => {
            let mut digits = base.digits(n);
            if base == Base::Bin {
                // Leading zeros the teacher wrote (`0010 1101`, a whole byte) are shown too.
                let written = text
                    .trim()
                    .trim_start_matches("0b")
                    .chars()
                    .filter(|c| *c == '0' || *c == '1')
                    .count();
                if written > digits.len() {
                    digits = format!("{}{digits}", "0".repeat(written - digits.len()));
                }
            }
            Some(digits)
        }
        Ok(_) => {
            p.push(
                path,
                format!("číslo je příliš velké; nejvýš {max_bits} bitů"),
                format!("the number is too large; at most {max_bits} bits"),
            );
            None
        }
        Err(_) => {
            p.push(
                path,
                format!(
                    "„{text}“ není číslo v {} soustavě",
                    base.adjective(Lang::Cs)
                ),
                format!("`{text}` is not a {} number", base.adjective(Lang::En)),
            );
            None
        }
    }
}

fn parse_convert(t: &Map<String, Value>, p: &mut Problems) -> Option<Kind> {
    let from = base_at(t, "from", p);
    let to = base_at(t, "to", p);
    if let (Some(f), Some(to)) = (from, to)
        && f == to
    {
        p.push(
            "task.to",
            "soustava „to“ musí být jiná než „from“",
            "`to` must differ from `from`",
        );
        return None;
    }
    let (from, to) = (from?, to?);
    if !value_or_bits(t, &["value"], p) {
        return None;
    }
    let value = match t.get("value") {
        Some(v) => Source::Fixed(number_in(v, from, "task.value", MAX_CONVERT_BITS, p)?),
        None => Source::Bits(bit_count(&t["bits"], "task.bits", MAX_CONVERT_BITS, p)?),
    };
    Some(Kind::Convert { from, to, value })
}

fn parse_add(t: &Map<String, Value>, p: &mut Problems) -> Option<Kind> {
    if !value_or_bits(t, &["a", "b"], p) {
        return None;
    }
    if t.contains_key("bits") {
        let bits = bit_count(&t["bits"], "task.bits", MAX_ADD_BITS, p)?;
        return Some(Kind::Add {
            operands: Source::Bits(bits),
        });
    }
    let a = task::required(t, "a", "task", p)
        .and_then(|v| number_in(v, Base::Bin, "task.a", MAX_ADD_BITS, p));
    let b = task::required(t, "b", "task", p)
        .and_then(|v| number_in(v, Base::Bin, "task.b", MAX_ADD_BITS, p));
    Some(Kind::Add {
        operands: Source::Fixed((a?, b?)),
    })
}

fn unit_at(t: &Map<String, Value>, key: &str, p: &mut Problems) -> Option<Unit> {
    let path = task::join("task", key);
    let name = task::required(t, key, "task", p).and_then(|v| task::string(v, &path, p))?;
    let unit = Unit::named(name);
    if unit.is_none() {
        let known: Vec<&str> = UNITS.iter().map(|u| u.name).collect();
        let known = known.join(", ");
        if name.eq_ignore_ascii_case("kb") {
            p.push(
                &path,
                format!("„{name}“ je nejednoznačné; napiš kB (1000 B) nebo KiB (1024 B)"),
                format!("`{name}` is ambiguous; write kB (1000 B) or KiB (1024 B)"),
            );
        } else {
            p.push(
                &path,
                format!("neznámá jednotka „{name}“; možné jsou: {known}"),
                format!("unknown unit `{name}`; expected one of: {known}"),
            );
        }
    }
    unit
}

fn parse_units(t: &Map<String, Value>, p: &mut Problems) -> Option<Kind> {
    let value = task::required(t, "value", "task", p)
        .and_then(|v| task::number(v, "task.value", p))
        .filter(|v| {
            let ok = *v > 0.0;
            if !ok {
                p.push(
                    "task.value",
                    "hodnota musí být kladná",
                    "the value must be positive",
                );
            }
            ok
        });
    let from = unit_at(t, "from", p);
    let to = unit_at(t, "to", p);
    let tolerance = match t.get("tolerance") {
        None => Some(0.0),
        Some(v) => task::number(v, "task.tolerance", p).filter(|tol| {
            let ok = *tol >= 0.0;
            if !ok {
                p.push(
                    "task.tolerance",
                    "tolerance nesmí být záporná",
                    "the tolerance must not be negative",
                );
            }
            ok
        }),
    };
    let (value, from, to, tolerance) = (value?, from?, to?, tolerance?);
    if from == to {
        p.push(
            "task.to",
            "jednotka „to“ musí být jiná než „from“",
            "`to` must differ from `from`",
        );
        return None;
    }
    let result = value * from.bits / to.bits;
    let thousandths = result * 1000.0;
    if tolerance == 0.0 && (thousandths - thousandths.round()).abs() > 1e-6 * thousandths.max(1.0) {
        p.push(
            "task.tolerance",
            format!(
                "výsledek {} má víc než 3 desetinná místa; nastav tolerance (např. 0.01)",
                format_decimal(result, Lang::Cs)
            ),
            format!(
                "the result {} has more than 3 decimals; set a tolerance (e.g. 0.01)",
                format_decimal(result, Lang::En)
            ),
        );
        return None;
    }
    Some(Kind::Units {
        value,
        from,
        to,
        tolerance,
    })
}

#[cfg(test)]
mod tests;
