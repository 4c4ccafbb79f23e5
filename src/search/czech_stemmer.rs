//! A light Czech stemmer for text that has already been lowercased and folded to ASCII
//! ("školách" arrives as "skolach").
//!
//! The rules are those of Dolamic & Savoy, "Indexing and stemming approaches for the Czech
//! language" (2009), as Lucene's `CzechStemmer` implements them: strip one case ending,
//! then one possessive suffix, then normalise the palatalised consonant at the end of the
//! stem (`č`→`k`, `ž`→`h`, the mobile `e` in `pes`/`psa`, `ů`→`o` in `dům`/`domu`).
//!
//! Lucene's rules expect diacritics; ours run after folding, because pupils type without
//! them and the same chain must serve the index and the query. Folding merges endings that
//! differed only by a mark (`-ách` and `-ach`, `-ím` and `-im`, `-ám` and `-am`), so a few
//! rules are narrowed to keep common words apart:
//! - `-im` (from `-ím`) is stripped only from words longer than five letters, so
//!   "režim"/"režimy" stay together while "moderním" still meets "moderní";
//! - `-am` (from `-ám`) is not stripped from `-gram` words ("program", "diagram");
//! - `*u*`→`*o*` (from `*ů*`) applies only before `m`, `l`, `n`, `j`, `h`, `d`, `r`, `z`
//!   (dům, stůl, kůň, můj, bůh, důl...), so "kus" does not become "kos";
//! - one verb rule is added: the infinitive ending `-it`/`-ít` of words longer than five
//!   letters ("uložit" meets "uloží").
//!
//! Stemming is light on purpose: it conflates the inflections of one word and rarely
//! merges different words. What it misses (verb conjugation, the `systém`/`systému`
//! pair whose nominative looks like an instrumental) is partly caught by prefix search on
//! the last query word. `docs/search.md` lists the known limits.

/// Stems one lowercased, ASCII-folded Czech word. Words the rules do not touch come back
/// unchanged; the result is never empty for a non-empty input.
pub fn stem(word: &str) -> String {
    let mut s: Vec<char> = word.chars().collect();
    let mut len = remove_case(&s);
    len = remove_possessives(&s[..len], len);
    s.truncate(len);
    if !s.is_empty() {
        normalize(&mut s);
    }
    s.into_iter().collect()
}

fn ends_with(s: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    s.len() >= n && s[s.len() - n..].iter().copied().eq(suffix.chars())
}

fn ends_with_any(s: &[char], suffixes: &[&str]) -> bool {
    suffixes.iter().any(|suf| ends_with(s, suf))
}

/// Returns the length of `s` without its case ending.
fn remove_case(s: &[char]) -> usize {
    let len = s.len();
    if len > 7 && ends_with(s, "atech") {
        return len - 5;
    }
    if len > 6 && ends_with_any(s, &["etem", "atum"]) {
        return len - 4;
    }
    if len > 5
        && ends_with_any(
            s,
            &[
                "ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu", "ach", "ata",
                "aty", "ych", "ama", "ami", "ove", "ovi", "ymi",
            ],
        )
    {
        return len - 3;
    }
    if len > 5 && ends_with_any(s, &["im", "it"]) {
        return len - 2;
    }
    if len > 4 && ends_with(s, "am") && !ends_with(s, "gram") {
        return len - 2;
    }
    if len > 4 && ends_with_any(s, &["em", "es", "um", "at", "os", "us", "ym", "mi", "ou"]) {
        return len - 2;
    }
    if len > 3 && matches!(s[len - 1], 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
        return len - 1;
    }
    len
}

/// Returns the length of `s` without a possessive suffix (`-ov`, `-in`, `-uv`).
fn remove_possessives(s: &[char], len: usize) -> usize {
    if len > 5 && ends_with_any(s, &["ov", "in", "uv"]) {
        return len - 2;
    }
    len
}

/// Normalises the palatalised or alternating consonant at the end of a stem, in place.
fn normalize(s: &mut Vec<char>) {
    let len = s.len();
    // `ct` and `st` come from folded `čt`/`št` ("české"/"čeští" -> "cesk").
    if ends_with(s, "ct") || ends_with(s, "st") {
        s[len - 1] = 'k';
        return;
    }
    match s[len - 1] {
        'c' => {
            s[len - 1] = 'k';
            return;
        }
        'z' => {
            s[len - 1] = 'h';
            return;
        }
        _ => {}
    }
    if len > 1 && s[len - 2] == 'e' {
        // The mobile e: "pes"/"psa", "hesel"/"heslo".
        s.remove(len - 2);
        return;
    }
    if len > 2 && s[len - 2] == 'u' && matches!(s[len - 1], 'm' | 'l' | 'n' | 'j' | 'h' | 'd' | 'r')
    {
        // Folded `ů` alternating with `o`: "dům"/"domu", "stůl"/"stolu".
        s[len - 2] = 'o';
    }
}

#[cfg(test)]
mod tests {
    use super::stem;
    use crate::search::analysis::fold_lower;

    /// Stems a word as the index does: lowercase, fold, stem.
    fn st(word: &str) -> String {
        stem(&fold_lower(word))
    }

    /// Groups of forms (with and without diacritics) that must all meet.
    const MEET: &[&[&str]] = &[
        // škola (feminine noun)
        &[
            "škola",
            "skola",
            "školy",
            "škole",
            "školu",
            "školou",
            "školách",
            "skolach",
            "školám",
            "školami",
            "Škola",
        ],
        // počítač (masculine noun, palatal ending)
        &[
            "počítač",
            "pocitac",
            "počítače",
            "počítači",
            "počítačem",
            "počítačů",
            "pocitacu",
            "počítačům",
            "počítačích",
            "POČÍTAČ",
        ],
        // heslo (neuter noun, mobile e in the genitive plural)
        &[
            "heslo", "hesla", "hesel", "heslem", "heslech", "hesly", "heslu",
        ],
        // soubor
        &[
            "soubor",
            "souboru",
            "souborem",
            "soubory",
            "souborů",
            "souborech",
            "souborům",
        ],
        // síť
        &["síť", "sit", "sítě", "site", "sítí"],
        // dům: ů alternating with o
        &["dům", "dum", "domu", "domem", "domy"],
        // stůl
        &["stůl", "stolu", "stolem", "stoly"],
        // kost
        &["kost", "kosti", "kostí"],
        // program: -gram is not an ending
        &["program", "programu", "programem", "programy", "programů"],
        // režim: -im only from longer words
        &["režim", "rezim", "režimem", "režimy"],
        // adjective
        &[
            "bezpečný",
            "bezpecny",
            "bezpečného",
            "bezpečnému",
            "bezpečných",
            "bezpečným",
        ],
        // adjective, soft
        &["moderní", "moderni", "moderního", "moderním", "moderními"],
        // verbs: infinitive and present tense
        &["uložit", "ulozit", "uloží", "ulozi"],
        &["hledat", "hledá", "hledám"],
        &["vytvořit", "vytvoří", "vytvori"],
        // Latin neuter in -um
        &["centrum", "centra", "centru", "centrem"],
        // bit and byt each with their own forms
        &["bit", "bity", "bitů", "bitu"],
        &["byt", "byty", "bytů", "bytem"],
        // palatalised stem ends
        &["česky", "cesky", "čeští", "cesti"],
        &["kniha", "knihy", "knize"],
        // bezpečnost
        &["bezpečnost", "bezpecnost", "bezpečnosti", "bezpečností"],
    ];

    /// Pairs of different words that must stay apart (over-stemming checks).
    const APART: &[(&str, &str)] = &[
        ("kos", "kost"),
        ("kosa", "kost"),
        ("byt", "bit"),
        ("bytu", "bitu"),
        ("kus", "kos"),
        ("škola", "školní"),
        ("heslo", "hlas"),
        ("model", "modem"),
        ("program", "programátor"),
        ("klíč", "klid"),
        ("myš", "myšlenka"),
        ("pes", "pas"),
        ("text", "test"),
        ("soubor", "souboj"),
        ("klávesa", "klávesnice"),
        ("tabulka", "tabule"),
    ];

    #[test]
    fn forms_of_one_word_meet() {
        for group in MEET {
            let first = st(group[0]);
            for form in *group {
                assert_eq!(st(form), first, "{form:?} should meet {:?}", group[0]);
            }
        }
    }

    #[test]
    fn different_words_stay_apart() {
        for (a, b) in APART {
            assert_ne!(st(a), st(b), "{a:?} and {b:?} must not meet");
        }
    }

    #[test]
    fn table_is_large_enough() {
        let forms: usize = MEET.iter().map(|g| g.len()).sum();
        assert!(forms + 2 * APART.len() >= 40);
    }

    #[test]
    fn short_and_odd_input_survives() {
        for w in ["", "a", "ab", "xyz", "123", "e", "ee", "eee", "uu", "gram"] {
            let s = stem(w);
            assert!(w.is_empty() || !s.is_empty(), "{w:?} stemmed to nothing");
        }
    }
}
