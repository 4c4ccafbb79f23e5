//! Learner profiles: name and PIN rules, PIN hashing, and the order names are listed in.
//!
//! A PIN is a shared-laptop convenience that keeps classmates from answering in each
//! other's name by accident; it is not security. Four digits have 10 000 values and the
//! database file sits readable on the laptop, so a salted sha256 only keeps the digits
//! from being read off the file at a glance.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::ProgressError;
use crate::text::fold_diacritics;

/// The longest name accepted, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 40;

/// The separator between the Czech and the English half of a
/// [`ProgressError::Invalid`] message.
pub const LANG_SEPARATOR: &str = " / ";

fn invalid(cs: &str, en: &str) -> ProgressError {
    ProgressError::Invalid(format!("{cs}{LANG_SEPARATOR}{en}"))
}

/// The name as stored: trimmed and in Unicode NFC, so "Šárka" typed on two keyboards is
/// one name. Refuses empty, overlong and control-character names.
pub fn normalize_name(name: &str) -> Result<String, ProgressError> {
    let name: String = name.trim().nfc().collect();
    if name.is_empty() {
        return Err(invalid(
            "Jméno nesmí být prázdné.",
            "The name must not be empty.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            &format!("Jméno může mít nejvýše {MAX_NAME_CHARS} znaků."),
            &format!("The name can have at most {MAX_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(
            "Jméno nesmí obsahovat řídicí znaky.",
            "The name must not contain control characters.",
        ));
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(invalid(
            "Jméno musí obsahovat aspoň jedno písmeno nebo číslici.",
            "The name must contain at least one letter or digit.",
        ));
    }
    Ok(name)
}

/// The key two names must not share: lowercase, so "Anna" and "anna" are one learner.
pub fn name_key(normalized: &str) -> String {
    normalized.to_lowercase()
}

/// The error for a name already taken.
pub fn duplicate_name(name: &str) -> ProgressError {
    invalid(
        &format!("Žák se jménem „{name}“ už existuje; zvolte jiné jméno."),
        &format!("A learner named \"{name}\" already exists; choose another name."),
    )
}

/// Refuses anything but exactly four ASCII digits.
pub fn validate_pin(pin: &str) -> Result<(), ProgressError> {
    if pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(
            "PIN musí mít přesně 4 číslice.",
            "The PIN must be exactly 4 digits.",
        ))
    }
}

/// `hex(sha256(salt || pin))`.
pub fn pin_hash(salt: &[u8], pin: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(pin.as_bytes());
    hex::encode(h.finalize())
}

/// A sort key that lists names the way a Czech class list does, well enough for a
/// handful of pupils: case and most accents are ignored at first (á = a, ď = d), but
/// č, ř, š, ž sort after c, r, s, z and "ch" after h. Ties fall back to the exact name.
pub fn sort_key(name: &str) -> (Vec<u32>, String) {
    let lower = name.to_lowercase();
    let mut primary = Vec::with_capacity(lower.len());
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        // Weights leave room after each letter: base * 4, +1 for the háček letter, +2 for ch.
        let weight = match c {
            'č' => u32::from('c') * 4 + 1,
            'ř' => u32::from('r') * 4 + 1,
            'š' => u32::from('s') * 4 + 1,
            'ž' => u32::from('z') * 4 + 1,
            'c' if chars.peek() == Some(&'h') => {
                chars.next();
                u32::from('h') * 4 + 2
            }
            _ => {
                let base = fold_diacritics(c.encode_utf8(&mut [0; 4]))
                    .chars()
                    .next()
                    .unwrap_or(c);
                u32::from(base) * 4
            }
        };
        primary.push(weight);
    }
    (primary, name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn czech_order() {
        let mut names = vec![
            "Šimon", "chris", "Hana", "Čeněk", "Cyril", "Adéla", "Ivan", "Zuzana", "Žofie",
            "Radek", "Řehoř", "adam", "Sára",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "adam", "Adéla", "Cyril", "Čeněk", "Hana", "chris", "Ivan", "Radek", "Řehoř",
                "Sára", "Šimon", "Zuzana", "Žofie"
            ]
        );
    }

    #[test]
    fn names_are_trimmed_and_composed() {
        assert_eq!(
            normalize_name("  Sa\u{301}ra \n").ok().as_deref(),
            Some("Sára")
        );
        assert!(normalize_name(" \t ").is_err());
        assert!(normalize_name(&"é".repeat(40)).is_ok());
        assert!(normalize_name(&"é".repeat(41)).is_err());
        assert!(normalize_name("Ann\u{7}a").is_err());
        assert!(normalize_name("\u{200b}").is_err(), "invisible only");
        assert!(normalize_name("--- !").is_err());
        assert!(normalize_name("7.B").is_ok());
    }

    #[test]
    fn pins() {
        assert!(validate_pin("0123").is_ok());
        for bad in ["123", "12345", "12a4", "١٢٣٤", " 123", ""] {
            assert!(validate_pin(bad).is_err(), "{bad:?}");
        }
        assert_ne!(pin_hash(b"salt-a", "1234"), pin_hash(b"salt-b", "1234"));
        assert_eq!(pin_hash(b"s", "1234"), pin_hash(b"s", "1234"));
    }
}
