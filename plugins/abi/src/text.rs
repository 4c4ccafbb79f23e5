//! Diacritics folding for comparisons that must not care about háčky and čárky.
//!
//! A small table covers Czech, Slovak and the common Latin-1/Latin Extended-A letters, and
//! combining marks (text in decomposed form) are dropped; this is enough for pupils' answers
//! and Karel keywords without pulling Unicode tables into every plugin.

/// Replaces accented Latin letters by their base letters (`Žluťoučký` → `Zlutoucky`) and
/// drops combining diacritical marks; other characters are kept as they are.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        match base_letter(c) {
            Some(base) => out.push_str(base),
            None => out.push(c),
        }
    }
    out
}

/// The comparison key for free-text answers: lowercase, folded, with all whitespace removed.
pub fn normalize_loose(text: &str) -> String {
    fold(&text.to_lowercase())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'č' | 'ć' | 'ç' | 'ĉ' | 'ċ' => "c",
        'Č' | 'Ć' | 'Ç' | 'Ĉ' | 'Ċ' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ē' | 'ę' | 'ė' => "e",
        'É' | 'È' | 'Ê' | 'Ë' | 'Ě' | 'Ē' | 'Ę' | 'Ė' => "E",
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'į' => "i",
        'Í' | 'Ì' | 'Î' | 'Ï' | 'Ī' | 'Į' => "I",
        'ľ' | 'ĺ' | 'ł' => "l",
        'Ľ' | 'Ĺ' | 'Ł' => "L",
        'ň' | 'ń' | 'ñ' => "n",
        'Ň' | 'Ń' | 'Ñ' => "N",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ő' | 'ø' | 'ō' => "o",
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ő' | 'Ø' | 'Ō' => "O",
        'ŕ' | 'ř' => "r",
        'Ŕ' | 'Ř' => "R",
        'š' | 'ś' | 'ş' | 'ș' => "s",
        'Š' | 'Ś' | 'Ş' | 'Ș' => "S",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' | 'ų' => "u",
        'Ú' | 'Ù' | 'Û' | 'Ü' | 'Ů' | 'Ű' | 'Ū' | 'Ų' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_czech_and_slovak_letters() {
        assert_eq!(
            fold("Příliš žluťoučký kůň úpěl ďábelské ódy"),
            "Prilis zlutoucky kun upel dabelske ody"
        );
        assert_eq!(fold("ĽAD Ĺ ŔÔ Ä"), "LAD L RO A");
        assert_eq!(fold("ZEĎ"), "ZED");
    }

    #[test]
    fn drops_combining_marks() {
        assert_eq!(fold("Z\u{30c}nac\u{30c}ka"), "Znacka");
    }

    #[test]
    fn loose_form_ignores_case_diacritics_and_spaces() {
        assert_eq!(
            normalize_loose("  Hlavní  město\tPRAHA "),
            "hlavnimestopraha"
        );
        assert_eq!(normalize_loose("hlavni mesto praha"), "hlavnimestopraha");
        assert_ne!(normalize_loose("Brno"), normalize_loose("Praha"));
    }
}
