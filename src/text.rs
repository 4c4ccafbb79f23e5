//! Small text helpers shared by the renderer, the course checker and the importer:
//! folding diacritics and turning headings into URL slugs.
//!
//! Slugs are part of the course format: a teacher links to `02-dvojkova-soustava.md#prevod`
//! by writing the slug of a heading, so [`slugify`] must stay stable across versions.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Removes diacritics: "Bezpečná hesla" → "Bezpecna hesla". Letters without a decomposition
/// (ß, ø, đ…) stay as they are.
pub fn fold_diacritics(s: &str) -> String {
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// A heading's anchor: lowercase ASCII letters and digits, runs of anything else become one
/// `-`, no `-` at either end. "Bezpečná hesla" → `bezpecna-hesla`; "Co je 2FA?" → `co-je-2fa`.
/// Characters outside the Latin script that have no ASCII form are dropped; an empty result
/// becomes `sekce`.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in fold_diacritics(s).chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("sekce");
    }
    out
}

/// Gives each slug a unique form within one document, the way GitHub and mdBook do:
/// the second "uvod" becomes "uvod-1".
#[derive(Debug, Default)]
pub struct SlugSet {
    seen: std::collections::HashMap<String, usize>,
}

impl SlugSet {
    pub fn unique(&mut self, base: String) -> String {
        let Some(n) = self.seen.get(&base).copied() else {
            self.seen.insert(base.clone(), 0);
            return base;
        };
        let mut n = n;
        loop {
            n += 1;
            let candidate = format!("{base}-{n}");
            if !self.seen.contains_key(&candidate) {
                self.seen.insert(base, n);
                self.seen.insert(candidate.clone(), 0);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn czech_headings_give_readable_slugs() {
        assert_eq!(slugify("Bezpečná hesla"), "bezpecna-hesla");
        assert_eq!(
            slugify("Převod do desítkové soustavy"),
            "prevod-do-desitkove-soustavy"
        );
        assert_eq!(slugify("Jak vypadá silné heslo?"), "jak-vypada-silne-heslo");
        assert_eq!(slugify("  Co je 2FA?  "), "co-je-2fa");
        assert_eq!(
            slugify("Žluťoučký kůň úpěl ďábelské ódy"),
            "zlutoucky-kun-upel-dabelske-ody"
        );
        assert_eq!(slugify("???"), "sekce");
    }

    #[test]
    fn repeated_slugs_are_numbered() {
        let mut s = SlugSet::default();
        assert_eq!(s.unique("uvod".into()), "uvod");
        assert_eq!(s.unique("uvod".into()), "uvod-1");
        assert_eq!(s.unique("uvod-1".into()), "uvod-1-1");
        assert_eq!(s.unique("uvod".into()), "uvod-2");
    }

    #[test]
    fn folding_keeps_undecomposable_letters() {
        assert_eq!(fold_diacritics("ěščřžýáíéúů ĚŠČŘŽ"), "escrzyaieuu ESCRZ");
        assert_eq!(fold_diacritics("straße"), "straße");
    }
}
