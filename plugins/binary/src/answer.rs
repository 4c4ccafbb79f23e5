//! Reading pupils' answers leniently and writing numbers the way Czech and English
//! textbooks do.
//!
//! An answer may carry spaces (or non-breaking/thin spaces) between digit groups, `_` or
//! `'` as separators, a `0b`/`0x` prefix, a trailing `h` for hexadecimal, lowercase hex
//! digits, a base marker (`₂`, `(16)`) and, for decimal fractions, a Czech decimal comma.
//! Anything else is a wrong answer with a message saying which character is out of place.

use aktovka_plugin_abi::Lang;

/// A number system of the exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Binary (base 2).
    Bin,
    /// Decimal (base 10).
    Dec,
    /// Hexadecimal (base 16).
    Hex,
}

impl Base {
    /// `bin`, `dec` or `hex` as written in a task.
    pub fn from_name(name: &str) -> Option<Base> {
        match name {
            "bin" => Some(Base::Bin),
            "dec" => Some(Base::Dec),
            "hex" => Some(Base::Hex),
            _ => None,
        }
    }

    /// The radix.
    pub fn radix(self) -> u32 {
        match self {
            Base::Bin => 2,
            Base::Dec => 10,
            Base::Hex => 16,
        }
    }

    /// The subscript textbooks write after a number in this base.
    pub fn subscript(self) -> &'static str {
        match self {
            Base::Bin => "₂",
            Base::Dec => "₁₀",
            Base::Hex => "₁₆",
        }
    }

    /// "dvojkové"/"binary": the Czech genitive (z dvojkové soustavy) or the English adjective.
    pub fn adjective(self, lang: Lang) -> &'static str {
        match self {
            Base::Bin => lang.pick("dvojkové", "binary"),
            Base::Dec => lang.pick("desítkové", "decimal"),
            Base::Hex => lang.pick("šestnáctkové", "hexadecimal"),
        }
    }

    /// The digits of `n` in this base, uppercase, without grouping.
    pub fn digits(self, n: u64) -> String {
        match self {
            Base::Bin => format!("{n:b}"),
            Base::Dec => n.to_string(),
            Base::Hex => format!("{n:X}"),
        }
    }
}

/// Why an answer is not a whole number in the expected base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntError {
    /// Nothing but spaces and separators.
    Empty,
    /// A character that is no digit of the base.
    BadDigit(char),
    /// More than fits in 64 bits.
    TooBig,
}

/// Removes whitespace of every kind and the digit-group separators `_` and `'`.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\'')
        .collect()
}

/// Reads a whole number written in `base`, leniently (see the module docs).
pub fn parse_int(answer: &str, base: Base) -> Result<u64, IntError> {
    let mut s = squeeze(answer);
    for marker in ["₂", "₁₀", "₁₆", "(2)", "(10)", "(16)"] {
        if let Some(rest) = s.strip_suffix(marker) {
            s = rest.to_owned();
            break;
        }
    }
    let digits = match base {
        Base::Bin => s
            .strip_prefix("0b")
            .or_else(|| s.strip_prefix("0B"))
            .unwrap_or(&s),
        Base::Hex => {
            let s = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .or_else(|| s.strip_prefix('#'))
                .unwrap_or(&s);
            s.strip_suffix(['h', 'H']).unwrap_or(s)
        }
        Base::Dec => &s,
    };
    if digits.is_empty() {
        return Err(IntError::Empty);
    }
    if let Some(bad) = digits.chars().find(|c| !c.is_digit(base.radix())) {
        return Err(IntError::BadDigit(bad));
    }
    u64::from_str_radix(digits, base.radix()).map_err(|_| IntError::TooBig)
}

/// Reads a non-negative decimal number; `,` and `.` both mark the decimal point.
pub fn parse_decimal(answer: &str) -> Option<f64> {
    let s = squeeze(answer).replace(',', ".");
    let valid = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit() || c == '.')
        && s.chars().filter(|c| *c == '.').count() <= 1
        && s.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    s.parse().ok().filter(|x: &f64| x.is_finite())
}

/// Splits `2 048 KiB` into the number part and the trailing unit (`KiB`), both trimmed.
pub fn split_unit(answer: &str) -> (&str, &str) {
    let at = answer
        .char_indices()
        .find(|(_, c)| c.is_alphabetic())
        .map_or(answer.len(), |(i, _)| i);
    (answer[..at].trim(), answer[at..].trim())
}

/// Groups the digits of a whole number by thousands: `1 048 576` (Czech, non-breaking
/// spaces) or `1,048,576` (English).
pub fn group_thousands(n: u128, lang: Lang) -> String {
    let digits = n.to_string();
    let separator = lang.pick("\u{a0}", ",");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A decimal number as a pupil would write it: thousands grouped, at most six decimals,
/// a decimal comma in Czech.
pub fn format_decimal(x: f64, lang: Lang) -> String {
    let rounded = x.round();
    if (x - rounded).abs() < 1e-9 && rounded.abs() < 1e15 {
        return group_thousands(rounded.abs() as u128, lang);
    }
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match lang {
        Lang::Cs => text.replace('.', ","),
        Lang::En => text.to_owned(),
    }
}

/// Binary digits in groups of four from the right (`1011 0110`), the way they are easy to
/// read; shorter numbers stay as they are.
pub fn group_bits(digits: &str) -> String {
    if digits.len() <= 4 {
        return digits.to_owned();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(4) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A number in `base` as the prompt shows it (binary grouped by four).
pub fn show(digits: &str, base: Base) -> String {
    match base {
        Base::Bin => group_bits(digits),
        Base::Dec | Base::Hex => digits.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_leniently() {
        assert_eq!(parse_int(" 1011 0110 ", Base::Bin), Ok(182));
        assert_eq!(parse_int("0b1011_0110", Base::Bin), Ok(182));
        assert_eq!(parse_int("10110110₂", Base::Bin), Ok(182));
        assert_eq!(parse_int("0xb6", Base::Hex), Ok(182));
        assert_eq!(parse_int("B6h", Base::Hex), Ok(182));
        assert_eq!(parse_int("1\u{a0}024", Base::Dec), Ok(1024));
        assert_eq!(parse_int("102", Base::Bin), Err(IntError::BadDigit('2')));
        assert_eq!(parse_int("0x", Base::Hex), Err(IntError::Empty));
        assert_eq!(parse_int("+5", Base::Dec), Err(IntError::BadDigit('+')));
        assert_eq!(
            parse_int("11111111111111111111", Base::Hex),
            Err(IntError::TooBig)
        );
    }

    #[test]
    fn decimals_take_a_comma_or_a_point() {
        assert_eq!(parse_decimal("1,5"), Some(1.5));
        assert_eq!(parse_decimal("2 048"), Some(2048.0));
        assert_eq!(parse_decimal("1.5.2"), None);
        assert_eq!(parse_decimal("-3"), None);
        assert_eq!(split_unit("2048 KiB"), ("2048", "KiB"));
        assert_eq!(split_unit("0,5"), ("0,5", ""));
    }

    #[test]
    fn numbers_are_written_per_language() {
        assert_eq!(group_thousands(1_048_576, Lang::En), "1,048,576");
        assert_eq!(group_thousands(1_048_576, Lang::Cs), "1\u{a0}048\u{a0}576");
        assert_eq!(format_decimal(1.5, Lang::Cs), "1,5");
        assert_eq!(format_decimal(0.25, Lang::En), "0.25");
        assert_eq!(group_bits("10110110"), "1011 0110");
        assert_eq!(group_bits("110110"), "11 0110");
    }
}
