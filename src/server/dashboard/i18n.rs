//! The dashboard's strings, one catalogue per language (`i18n/cs.toml`, `i18n/en.toml`,
//! embedded), looked up with the learner app's [`Lang`] (so `?lang=` and its cookie work
//! the same on both). Invariant: both catalogues have the same keys (tested).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::learner::i18n::Lang;

static CS: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse(include_str!("i18n/cs.toml")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse(include_str!("i18n/en.toml")));

/// The catalogues are embedded and tested, so a parse failure cannot reach a user; an
/// empty map (every string shown as its key) is the least bad outcome if one ever did.
fn parse(text: &str) -> HashMap<String, String> {
    toml::from_str(text).unwrap_or_default()
}

/// The string for `key`; a missing key (caught by the test) shows as itself.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let map: &'static HashMap<String, String> = match lang {
        Lang::Cs => &CS,
        Lang::En => &EN,
    };
    map.get(key).map_or(key, String::as_str)
}

/// The string for `key` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_owned();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn keys(text: &str) -> BTreeSet<String> {
        let map: std::collections::HashMap<String, String> =
            toml::from_str(text).expect("catalogue parses");
        map.into_keys().collect()
    }

    #[test]
    fn catalogues_have_the_same_keys() {
        assert_eq!(
            keys(include_str!("i18n/cs.toml")),
            keys(include_str!("i18n/en.toml"))
        );
    }
}
