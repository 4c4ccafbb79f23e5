//! The learner app's UI languages: one string catalogue per language (`i18n/cs.toml`,
//! `i18n/en.toml`, embedded in the binary) and number and date formatting per language.
//!
//! Invariant: both catalogues have the same keys (tested), so a page never falls back to
//! another language. Czech is the default.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Cs,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Cs => "cs",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "cs" => Some(Lang::Cs),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switch link offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Cs => Lang::En,
            Lang::En => Lang::Cs,
        }
    }

    /// The string for `key`. A key missing from the catalogue is a programming error the
    /// catalogue test catches; at run time it shows the key rather than failing the page.
    pub fn t(self, key: &'static str) -> &'static str {
        catalogue(self).get(key).map_or(key, String::as_str)
    }

    /// The string for `key` with `{name}` placeholders filled in.
    pub fn tf(self, key: &'static str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A score 0.0..=1.0 as a decimal with up to two places, in this language's notation.
    pub fn score(self, score: f64) -> String {
        let rounded = (score * 100.0).round() / 100.0;
        let text = format!("{rounded}");
        text.replace('.', self.t("decimal_separator"))
    }

    /// A share 0.0..=1.0 as a whole percentage (`50 %` in Czech, `50%` in English).
    pub fn percent(self, share: f64) -> String {
        let n = (share * 100.0).round().clamp(0.0, 100.0) as u32;
        self.tf("percent_format", &[("n", &n.to_string())])
    }

    /// An RFC 3339 timestamp (`2026-11-27T10:00:00.123+01:00`) as a local date and time
    /// in words; anything unparsable is shown as it is.
    pub fn date_time(self, rfc3339: &str) -> String {
        let parse = || -> Option<String> {
            let (date, time) = rfc3339.split_once('T')?;
            let mut d = date.splitn(3, '-');
            let (y, m, day) = (d.next()?, d.next()?, d.next()?);
            let month: usize = m.parse().ok()?;
            let day: u32 = day.parse().ok()?;
            let hh = time.get(0..2)?;
            let mm = time.get(3..5)?;
            let month_name = MONTH_KEYS.get(month.checked_sub(1)?)?;
            Some(self.tf(
                "date_format",
                &[
                    ("d", &day.to_string()),
                    ("month", self.t(month_name)),
                    ("y", y),
                    ("hh", hh),
                    ("mm", mm),
                ],
            ))
        };
        parse().unwrap_or_else(|| rfc3339.to_owned())
    }
}

const MONTH_KEYS: [&str; 12] = [
    "month_1", "month_2", "month_3", "month_4", "month_5", "month_6", "month_7", "month_8",
    "month_9", "month_10", "month_11", "month_12",
];

static CS: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_catalogue(include_str!("i18n/cs.toml")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_catalogue(include_str!("i18n/en.toml")));

fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Cs => &CS,
        Lang::En => &EN,
    }
}

/// The catalogues are embedded and tested, so a parse failure cannot reach a user; an
/// empty map (every string shown as its key) is the least bad outcome if one ever did.
fn parse_catalogue(text: &str) -> HashMap<String, String> {
    toml::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(text: &str) -> BTreeSet<String> {
        let map: HashMap<String, String> = toml::from_str(text).expect("catalogue parses");
        map.into_keys().collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let cs = keys(include_str!("i18n/cs.toml"));
        let en = keys(include_str!("i18n/en.toml"));
        let only_cs: Vec<_> = cs.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&cs).collect();
        assert!(
            only_cs.is_empty() && only_en.is_empty(),
            "only in cs: {only_cs:?}; only in en: {only_en:?}"
        );
        assert!(cs.len() > 50, "{}", cs.len());
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let sources = [
            include_str!("pages.rs"),
            include_str!("exercise.rs"),
            include_str!("mod.rs"),
            include_str!("routes.rs"),
            include_str!("guard.rs"),
        ];
        let cs = keys(include_str!("i18n/cs.toml"));
        for src in sources {
            for (i, _) in src
                .match_indices(".t(\"")
                .chain(src.match_indices(".tf(\""))
            {
                let rest = &src[i..];
                let start = rest.find('"').expect("quote") + 1;
                let len = rest[start..].find('"').expect("closing quote");
                let key = &rest[start..start + len];
                assert!(cs.contains(key), "missing catalogue key `{key}`");
            }
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(Lang::Cs.score(0.5), "0,5");
        assert_eq!(Lang::En.score(0.5), "0.5");
        assert_eq!(Lang::Cs.score(1.0), "1");
        assert_eq!(Lang::Cs.percent(0.5), "50 %");
        assert_eq!(Lang::En.percent(0.5), "50%");
        let at = "2026-11-27T09:05:00.123+01:00";
        assert_eq!(Lang::Cs.date_time(at), "27. listopadu 2026 v 09:05");
        assert_eq!(Lang::En.date_time(at), "27 November 2026, 09:05");
        assert_eq!(Lang::Cs.date_time("nonsense"), "nonsense");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Lang::En.tf("course_exercises_done", &[("done", "2"), ("total", "5")]),
            "2 of 5 exercises done"
        );
    }
}
