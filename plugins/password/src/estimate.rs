//! A password strength estimator in the manner of zxcvbn (Dropbox), simplified.
//!
//! It looks for the patterns attackers try first, each with an estimate of how many
//! guesses it takes to hit: words from the embedded lists of common passwords and Czech
//! words (also reversed, capitalised and with leetspeak such as `p4ssw0rd`), keyboard rows
//! (qwerty/qwertz, `123456`), repeats (`aaaa`, `hesloheslo`), sequences (`abcd`, `9876`),
//! dates (`1.1.2010`, `01012010`) and years. A dynamic programme then finds the cheapest way
//! to cover the whole password with such matches and brute-force stretches; the guesses of
//! that cover (the product of its parts, times k! for the order of k parts, as in zxcvbn;
//! zxcvbn's additive term for long sequences is left out)
//! are the estimate, and the cover's matches are the reasons the feedback names.
//!
//! The lists (`data/`):
//! - `common-passwords.txt`: the top 2 153 of "10-million-password-list-top-10000.txt" from
//!   SecLists (<https://github.com/danielmiessler/SecLists>,
//!   `Passwords/Common-Credentials/`), MIT License, Copyright (c) Daniel Miessler; ranked by
//!   frequency in leaked passwords. Used only to recognise passwords, never shown in full.
//! - `czech-common.txt`: a short hand-written list of obvious Czech passwords and words
//!   (heslo, ahoj, skola, praha, sparta, names, months), part of this crate.

use aktovka_plugin_abi::fold;

/// Guesses per second of an offline attack on a fast hash (one GPU rig).
pub const GUESSES_PER_SECOND: f64 = 1e10;
/// Only the first this many characters are analysed; anything longer is strong anyway.
pub const MAX_ANALYSED: usize = 64;
/// The year the "recent years" of dates count from.
const REFERENCE_YEAR: i64 = 2026;
const MIN_YEAR_SPACE: f64 = 20.0;

// The lists as sorted `(folded key, rank)` tables, built by `build.rs` at compile time.
include!(concat!(env!("OUT_DIR"), "/dictionaries.rs"));

/// Keyboard rows as the keys lie next to each other (qwerty and Czech qwertz).
const KEYBOARD_ROWS: [&str; 6] = [
    "1234567890",
    "qwertyuiop",
    "qwertzuiop",
    "asdfghjkl",
    "zxcvbnm",
    "yxcvbnm",
];

/// Which list a word came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// Leaked passwords.
    Passwords,
    /// Czech words and passwords.
    Czech,
}

/// What a part of the password is.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// A word from a list (`word` as the list has it).
    Dictionary {
        word: String,
        rank: usize,
        list: List,
        leet: bool,
        reversed: bool,
    },
    /// Keys next to each other on a keyboard row.
    Keyboard,
    /// One character or one chunk repeated.
    Repeat,
    /// `abcd`, `1234`, `9876`.
    Sequence,
    /// A day, month and year.
    Date,
    /// A year on its own.
    Year,
    /// Nothing recognisable: every combination of the characters used.
    BruteForce,
}

/// One recognised part: characters `start..end` of the password.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub start: usize,
    pub end: usize,
    pub guesses: f64,
    pub pattern: Pattern,
}

/// The estimate for one password.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Guesses an attacker needs, at least 1.
    pub guesses: f64,
    /// 0 (too guessable) to 4 (very unguessable), zxcvbn's thresholds.
    pub level: u8,
    /// The cheapest cover of the password, in order.
    pub parts: Vec<Part>,
    /// How many characters the password has.
    pub length: usize,
}

impl Estimate {
    /// log10 of the guesses.
    pub fn log10(&self) -> f64 {
        self.guesses.max(1.0).log10()
    }

    /// Seconds an offline attack at [`GUESSES_PER_SECOND`] needs.
    pub fn crack_seconds(&self) -> f64 {
        self.guesses / GUESSES_PER_SECOND
    }
}

/// The ranked word lists, folded to lowercase ASCII-ish keys: static tables, so getting
/// them costs nothing.
#[derive(Debug, Clone, Copy)]
pub struct Dictionaries {
    passwords: &'static [(&'static str, u32)],
    czech: &'static [(&'static str, u32)],
}

impl Dictionaries {
    /// The embedded lists (a few thousand entries).
    pub fn embedded() -> Dictionaries {
        Dictionaries {
            passwords: COMMON_PASSWORDS,
            czech: CZECH_WORDS,
        }
    }

    fn lookup(&self, key: &str) -> Option<(usize, List)> {
        let p = rank_in(self.passwords, key).map(|r| (r, List::Passwords));
        let c = rank_in(self.czech, key).map(|r| (r, List::Czech));
        match (p, c) {
            (Some(p), Some(c)) => Some(if p.0 <= c.0 { p } else { c }),
            (p, c) => p.or(c),
        }
    }
}

fn rank_in(table: &[(&str, u32)], key: &str) -> Option<usize> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| table[i].1 as usize)
}

/// Estimates how hard `password` is to guess.
pub fn estimate(password: &str, dictionaries: &Dictionaries) -> Estimate {
    let chars: Vec<char> = password.chars().take(MAX_ANALYSED).collect();
    estimate_chars(&chars, dictionaries, true)
}

fn estimate_chars(chars: &[char], dictionaries: &Dictionaries, nested: bool) -> Estimate {
    let n = chars.len();
    if n == 0 {
        return Estimate {
            guesses: 1.0,
            level: 0,
            parts: Vec::new(),
            length: 0,
        };
    }
    let lower: Vec<char> = chars
        .iter()
        .map(|c| {
            let s: String = c.to_lowercase().collect();
            fold(&s).chars().next().unwrap_or(*c)
        })
        .collect();
    let mut matches = Vec::new();
    dictionary_matches(chars, &lower, dictionaries, &mut matches);
    keyboard_matches(&lower, &mut matches);
    sequence_matches(chars, &mut matches);
    repeat_matches(chars, dictionaries, nested, &mut matches);
    date_matches(chars, &mut matches);
    for m in &mut matches {
        // A part that does not cover the whole password still costs the attacker a
        // minimum (zxcvbn's MIN_SUBMATCH_GUESSES).
        if m.end - m.start < n {
            let floor = if m.end - m.start == 1 { 10.0 } else { 50.0 };
            m.guesses = m.guesses.max(floor);
        }
    }
    let (guesses, parts) = cheapest_cover(chars, &matches);
    Estimate {
        guesses,
        level: level_of(guesses),
        parts,
        length: n,
    }
}

/// The level for a number of guesses. zxcvbn's levels 0–4, with thresholds set by the
/// offline attack at [`GUESSES_PER_SECOND`] so that the level and the crack time agree:
/// 0 falls even to an online attack (under 10^6 guesses), 1 in under a second offline,
/// 2 in under about 17 minutes (10^13), 3 in under about four months (10^17), 4 takes years.
pub fn level_of(guesses: f64) -> u8 {
    if guesses < 1e6 {
        0
    } else if guesses < 1e10 {
        1
    } else if guesses < 1e13 {
        2
    } else if guesses < 1e17 {
        3
    } else {
        4
    }
}

/// How many characters a brute-force attack must try per position for `chars`.
fn cardinality(chars: &[char]) -> f64 {
    let (mut lower, mut upper, mut digit, mut symbol, mut other) =
        (false, false, false, false, false);
    for c in chars {
        match c {
            'a'..='z' => lower = true,
            'A'..='Z' => upper = true,
            '0'..='9' => digit = true,
            c if c.is_ascii() => symbol = true,
            _ => other = true,
        }
    }
    let mut n = 0.0;
    for (present, size) in [
        (lower, 26.0),
        (upper, 26.0),
        (digit, 10.0),
        (symbol, 33.0),
        (other, 40.0),
    ] {
        if present {
            n += size;
        }
    }
    f64::max(n, 10.0)
}

/// Capitalisation an attacker tries: none, first letter, all, last letter; anything else
/// multiplies by the ways to place the capitals.
fn uppercase_variations(chars: &[char]) -> f64 {
    let upper = chars.iter().filter(|c| c.is_uppercase()).count();
    let lower = chars.iter().filter(|c| c.is_lowercase()).count();
    if upper == 0 {
        return 1.0;
    }
    let first_only = chars.first().is_some_and(|c| c.is_uppercase()) && upper == 1;
    let last_only = chars.last().is_some_and(|c| c.is_uppercase()) && upper == 1;
    if lower == 0 || first_only || last_only {
        return 2.0;
    }
    let k = upper.min(lower);
    let mut ways = 0.0;
    for i in 1..=k {
        ways += binomial(upper + lower, i);
    }
    ways
}

fn binomial(n: usize, k: usize) -> f64 {
    let mut r = 1.0;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r
}

/// Leetspeak: the letter a character may stand for (the first choice, and for `1`/`|`
/// also `l`).
fn unleet(c: char, alternative: bool) -> char {
    match c {
        '4' | '@' => 'a',
        '8' => 'b',
        '(' => 'c',
        '3' => 'e',
        '6' | '9' => 'g',
        '1' | '!' | '|' if !alternative => 'i',
        '1' | '!' | '|' => 'l',
        '0' => 'o',
        '5' | '$' => 's',
        '7' | '+' => 't',
        '2' => 'z',
        c => c,
    }
}

/// Every stretch of 3 or more characters that is a list word, read forwards, backwards or
/// with leetspeak undone (two readings of `1`), at its cheapest reading. The readings of a
/// stretch are grown one character at a time in reused buffers: this runs for every
/// stretch of the password, and allocating four strings for each was most of its cost.
fn dictionary_matches(
    chars: &[char],
    lower: &[char],
    dictionaries: &Dictionaries,
    out: &mut Vec<Part>,
) {
    let n = lower.len();
    let (mut forward, mut backward) = (String::new(), String::new());
    let mut unleeted = [String::new(), String::new()];
    for start in 0..n {
        forward.clear();
        unleeted.iter_mut().for_each(String::clear);
        for end in (start + 1)..=n.min(start + LONGEST_KEY) {
            let c = lower[end - 1];
            forward.push(c);
            for (alternative, plain) in unleeted.iter_mut().enumerate() {
                plain.push(unleet(c, alternative == 1));
            }
            if end - start < 3 {
                continue;
            }
            let slice = &lower[start..end];
            backward.clear();
            backward.extend(slice.iter().rev());
            // (reading, leet, reversed), in the order ties are decided.
            let mut readings: [Option<(&str, bool, bool)>; 4] = [
                Some((forward.as_str(), false, false)),
                Some((backward.as_str(), false, true)),
                None,
                None,
            ];
            for (slot, plain) in readings[2..].iter_mut().zip(&unleeted) {
                if *plain != forward {
                    *slot = Some((plain.as_str(), true, false));
                }
            }
            let mut best: Option<(f64, &str, usize, List, bool, bool)> = None;
            let mut caps = None;
            for (key, leet, reversed) in readings.into_iter().flatten() {
                let Some((rank, list)) = dictionaries.lookup(key) else {
                    continue;
                };
                let caps = *caps.get_or_insert_with(|| uppercase_variations(&chars[start..end]));
                let mut guesses = rank as f64 * caps;
                if reversed {
                    guesses *= 2.0;
                }
                if leet {
                    let substitutions = key.chars().zip(slice).filter(|(a, b)| a != *b).count();
                    guesses *= 1.0 + substitutions as f64;
                }
                if best.is_none_or(|b| guesses < b.0) {
                    best = Some((guesses, key, rank, list, leet, reversed));
                }
            }
            if let Some((guesses, key, rank, list, leet, reversed)) = best {
                out.push(Part {
                    start,
                    end,
                    guesses,
                    pattern: Pattern::Dictionary {
                        word: key.to_owned(),
                        rank,
                        list,
                        leet,
                        reversed,
                    },
                });
            }
        }
    }
}

fn keyboard_matches(lower: &[char], out: &mut Vec<Part>) {
    let position = |row: &str, c: char| row.chars().position(|r| r == c);
    for row in KEYBOARD_ROWS {
        let mut start = 0;
        while start < lower.len() {
            let mut end = start + 1;
            let mut step: Option<isize> = None;
            while end < lower.len() {
                let (Some(a), Some(b)) = (position(row, lower[end - 1]), position(row, lower[end]))
                else {
                    break;
                };
                let d = b as isize - a as isize;
                if d.abs() != 1 || step.is_some_and(|s| s != d) {
                    break;
                }
                step = Some(d);
                end += 1;
            }
            let len = end - start;
            if len >= 4 {
                out.push(Part {
                    start,
                    end,
                    // Where the row starts, which row, which way, how far.
                    guesses: KEYBOARD_ROWS.len() as f64 * 10.0 * 2.0 * len as f64,
                    pattern: Pattern::Keyboard,
                });
            }
            start = if len > 1 { end - 1 } else { end };
        }
    }
}

fn sequence_matches(chars: &[char], out: &mut Vec<Part>) {
    let class = |c: char| {
        if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_uppercase() {
            2
        } else if c.is_ascii_digit() {
            3
        } else {
            0
        }
    };
    let mut start = 0;
    while start + 1 < chars.len() {
        let d = chars[start + 1] as i64 - chars[start] as i64;
        let mut end = start + 1;
        while end < chars.len()
            && class(chars[end]) != 0
            && class(chars[end]) == class(chars[start])
            && chars[end] as i64 - chars[end - 1] as i64 == d
            && d.abs() == 1
        {
            end += 1;
        }
        let len = end - start;
        if len >= 3 {
            let first = chars[start];
            let base = if matches!(first, 'a' | 'A' | 'z' | 'Z' | '0' | '1' | '9') {
                4.0
            } else if first.is_ascii_digit() {
                10.0
            } else {
                26.0
            };
            let direction = if d < 0 { 2.0 } else { 1.0 };
            out.push(Part {
                start,
                end,
                guesses: base * len as f64 * direction,
                pattern: Pattern::Sequence,
            });
            start = end - 1;
        } else {
            start += 1;
        }
    }
}

fn repeat_matches(chars: &[char], dictionaries: &Dictionaries, nested: bool, out: &mut Vec<Part>) {
    let n = chars.len();
    for start in 0..n {
        for chunk in 1..=(n - start) / 2 {
            let mut times = 1;
            while start + (times + 1) * chunk <= n
                && chars[start..start + chunk]
                    == chars[start + times * chunk..start + (times + 1) * chunk]
            {
                times += 1;
            }
            let needed = if chunk == 1 { 3 } else { 2 };
            if times < needed {
                continue;
            }
            // Only the leftmost start of a run and chunks that are not repeats themselves
            // ("aa" of "aaaa"): the others describe the same run at a higher cost, and each
            // chunk is estimated on its own below.
            let piece = &chars[start..start + chunk];
            let inside_run = start >= chunk && chars[start - chunk..start] == *piece;
            let composite = (1..chunk)
                .any(|d| chunk.is_multiple_of(d) && piece.chunks(d).all(|c| c == &piece[..d]));
            if inside_run || composite {
                continue;
            }
            let base = if chunk == 1 {
                cardinality(&chars[start..start + 1])
            } else if nested {
                estimate_chars(&chars[start..start + chunk], dictionaries, false).guesses
            } else {
                cardinality(&chars[start..start + chunk]).powi(chunk as i32)
            };
            out.push(Part {
                start,
                end: start + times * chunk,
                guesses: base * times as f64,
                pattern: Pattern::Repeat,
            });
        }
    }
}

fn year_space(year: i64) -> f64 {
    ((year - REFERENCE_YEAR).abs() as f64).max(MIN_YEAR_SPACE)
}

fn full_year(y: i64, digits: usize) -> Option<i64> {
    match digits {
        2 => Some(if y > 50 { 1900 + y } else { 2000 + y }),
        4 if (1900..=2099).contains(&y) => Some(y),
        _ => None,
    }
}

fn day_month_ok(d: i64, m: i64) -> bool {
    (1..=31).contains(&d) && (1..=12).contains(&m)
}

/// A date in `text` (all of it): `1.1.2010`, `2010-01-01`, `01012010`, `010110`.
fn parse_date(text: &str) -> Option<i64> {
    let separator = text.chars().find(|c| matches!(c, '.' | '/' | '-' | '_'));
    let number = |s: &str| -> Option<(i64, usize)> {
        if s.is_empty() || s.len() > 4 || !s.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().map(|v| (v, s.len()))
    };
    if let Some(sep) = separator {
        let parts: Vec<&str> = text.split(sep).collect();
        let [a, b, c] = parts.as_slice() else {
            return None;
        };
        let (a, b, c) = (number(a)?, number(b)?, number(c)?);
        if a.1 <= 2 && day_month_ok(a.0, b.0) {
            return full_year(c.0, c.1);
        }
        if a.1 == 4 && day_month_ok(c.0, b.0) {
            return full_year(a.0, 4);
        }
        return None;
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let at = |from: usize, len: usize| text[from..from + len].parse::<i64>().ok();
    match text.len() {
        8 => {
            let (d, m, y) = (at(0, 2)?, at(2, 2)?, at(4, 4)?);
            if day_month_ok(d, m) {
                return full_year(y, 4);
            }
            let (y, m, d) = (at(0, 4)?, at(4, 2)?, at(6, 2)?);
            if day_month_ok(d, m) {
                return full_year(y, 4);
            }
            None
        }
        6 => {
            let (d, m, y) = (at(0, 2)?, at(2, 2)?, at(4, 2)?);
            if day_month_ok(d, m) {
                full_year(y, 2)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn date_matches(chars: &[char], out: &mut Vec<Part>) {
    let n = chars.len();
    for start in 0..n {
        for end in (start + 4)..=(start + 10).min(n) {
            let text: String = chars[start..end].iter().collect();
            if !text
                .chars()
                .all(|c| c.is_ascii_digit() || ".-/_".contains(c))
            {
                continue;
            }
            if end - start == 4
                && let Ok(y) = text.parse::<i64>()
                && (1900..=2039).contains(&y)
            {
                out.push(Part {
                    start,
                    end,
                    guesses: year_space(y),
                    pattern: Pattern::Year,
                });
                continue;
            }
            if let Some(year) = parse_date(&text) {
                let separators = if text.chars().all(|c| c.is_ascii_digit()) {
                    1.0
                } else {
                    4.0
                };
                out.push(Part {
                    start,
                    end,
                    guesses: year_space(year) * 365.0 * separators,
                    pattern: Pattern::Date,
                });
            }
        }
    }
}

fn factorial(k: usize) -> f64 {
    (1..=k).map(|i| i as f64).product()
}

/// The cover of the password with the fewest total guesses: zxcvbn's search, with
/// brute-force stretches allowed anywhere.
fn cheapest_cover(chars: &[char], matches: &[Part]) -> (f64, Vec<Part>) {
    let n = chars.len();
    // best[k][end]: the fewest guesses covering chars[..end] with k parts, and the last part.
    let mut best: Vec<Vec<Option<(f64, Part)>>> = vec![vec![None; n + 1]; n + 1];
    let mut ending_at: Vec<Vec<Part>> = vec![Vec::new(); n + 1];
    for m in matches {
        ending_at[m.end].push(m.clone());
    }
    for end in 1..=n {
        for start in 0..end {
            let slice = &chars[start..end];
            let brute = cardinality(slice).powi(slice.len() as i32);
            let floor = if end - start == n {
                1.0
            } else if slice.len() == 1 {
                10.0
            } else {
                50.0
            };
            ending_at[end].push(Part {
                start,
                end,
                guesses: brute.max(floor),
                pattern: Pattern::BruteForce,
            });
        }
    }
    for end in 1..=n {
        for part in &ending_at[end] {
            if part.start == 0 {
                let candidate = part.guesses;
                if best[1][end].as_ref().is_none_or(|(g, _)| candidate < *g) {
                    best[1][end] = Some((candidate, part.clone()));
                }
                continue;
            }
            for k in 1..n {
                let Some((before, _)) = &best[k][part.start] else {
                    continue;
                };
                let candidate = (before * part.guesses).min(1e300);
                if best[k + 1][end]
                    .as_ref()
                    .is_none_or(|(g, _)| candidate < *g)
                {
                    best[k + 1][end] = Some((candidate, part.clone()));
                }
            }
        }
    }
    let mut winner: Option<(f64, usize)> = None;
    for (k, row) in best.iter().enumerate().skip(1) {
        if let Some((product, _)) = &row[n] {
            let total = (factorial(k) * product).min(1e300);
            if winner.is_none_or(|(g, _)| total < g) {
                winner = Some((total, k));
            }
        }
    }
    let Some((guesses, mut k)) = winner else {
        return (cardinality(chars).powi(n as i32), Vec::new());
    };
    let mut parts = Vec::new();
    let mut end = n;
    while k > 0 && end > 0 {
        let Some((_, part)) = &best[k][end] else {
            break;
        };
        parts.push(part.clone());
        end = part.start;
        k -= 1;
    }
    parts.reverse();
    (guesses.max(1.0), parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(p: &str) -> Estimate {
        estimate(p, &Dictionaries::embedded())
    }

    fn patterns(p: &str) -> Vec<Pattern> {
        est(p).parts.into_iter().map(|p| p.pattern).collect()
    }

    #[test]
    fn common_passwords_are_level_zero() {
        for p in [
            "123456", "password", "qwerty", "heslo", "heslo123", "Heslo", "sparta", "iloveyou",
        ] {
            assert_eq!(est(p).level, 0, "{p}: {:?}", est(p));
        }
        assert!(matches!(
            &patterns("heslo")[0],
            Pattern::Dictionary { word, list: List::Czech, .. } if word == "heslo"
        ));
    }

    #[test]
    fn leet_reversed_keyboard_sequence_repeat_and_dates_are_recognised() {
        assert!(est("p4ssw0rd").level <= 1, "{:?}", est("p4ssw0rd"));
        assert!(matches!(
            &patterns("p4ssw0rd")[0],
            Pattern::Dictionary { leet: true, .. }
        ));
        assert!(matches!(
            &patterns("olseh")[0],
            Pattern::Dictionary { reversed: true, .. }
        ));
        assert!(patterns("asdfghjk").contains(&Pattern::Keyboard) || est("asdfghjk").level == 0);
        assert!(
            patterns("ytrewq")
                .iter()
                .any(|p| matches!(p, Pattern::Keyboard | Pattern::Dictionary { .. }))
        );
        assert_eq!(patterns("lmnopq"), [Pattern::Sequence]);
        assert_eq!(patterns("zzzzzzzz"), [Pattern::Repeat]);
        assert!(
            patterns("1.1.2010").contains(&Pattern::Date),
            "{:?}",
            est("1.1.2010")
        );
        assert!(
            patterns("kuba2010").contains(&Pattern::Year),
            "{:?}",
            est("kuba2010")
        );
        assert!(est("1.1.2010").level <= 1);
        assert!(est("hesloheslo").level <= 1, "{:?}", est("hesloheslo"));
    }

    #[test]
    fn long_passphrases_and_random_strings_are_strong() {
        assert_eq!(est("tramvaj veze sedm oranzovych slonu").level, 4);
        assert_eq!(est("Xq7#pL9!vR2$").level, 4);
        assert!(
            est("modry-kun-ji-zelene-jablko").level >= 3,
            "{:?}",
            est("modry-kun-ji-zelene-jablko")
        );
        // Length beats complexity: a short mix is weaker than a long plain phrase.
        assert!(est("Pes&Kocka1").guesses < est("tramvaj veze sedm oranzovych slonu").guesses);
    }

    #[test]
    fn estimates_are_ordered_sensibly() {
        let order = [
            "heslo123",
            "P@ssw0rd",
            "Pes&Kocka1",
            "tramvaj veze sedm oranzovych slonu",
        ];
        for pair in order.windows(2) {
            assert!(est(pair[0]).guesses < est(pair[1]).guesses, "{pair:?}");
        }
        assert_eq!(est("").level, 0);
        let long = "a".repeat(500);
        assert_eq!(est(&long).length, MAX_ANALYSED);
    }
}
