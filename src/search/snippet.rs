//! Snippets: a short window of a section's text around the words that matched, HTML-escaped,
//! with the matches wrapped in `<mark>…</mark>`.
//!
//! tantivy's `SnippetGenerator` only knows the terms of plain term and phrase queries, so
//! prefix and typo matches would go unmarked. Instead the stored text is run through the
//! same analyzers as the index, and a word is marked when its stemmed or folded form is one
//! the query matched ([`Marks`]): "školách" is marked for the query "skola", "počítač" for
//! the prefix "poc".

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::analysis::tokens;
use super::query::Marks;

/// Target snippet length in characters (without the ellipses).
pub const SNIPPET_CHARS: usize = 160;
/// How much text to keep before the first match of the window, in characters.
const LEAD_CHARS: usize = 30;

/// Byte ranges of the words in `text` that `marks` matches.
pub fn matched_ranges(
    text: &str,
    marks: &Marks,
    stem: &mut TextAnalyzer,
    folded: &mut TextAnalyzer,
) -> Vec<(usize, usize)> {
    // Both chains share the tokenizer and the length filter and stemming maps one token
    // to one token, so a word's stem is the stem chain run over that word alone; it is
    // computed only for words that could stem to a mark.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut stream = folded.token_stream(text);
    while stream.advance() {
        let f = stream.token();
        let hit = marks.matches_folded(&f.text)
            || (marks.may_stem_to(&f.text)
                && tokens(stem, &text[f.offset_from..f.offset_to])
                    .iter()
                    .any(|s| marks.stemmed.contains(&s.text)));
        if hit {
            ranges.push((f.offset_from, f.offset_to));
        }
    }
    // A hyphenated word's concatenation spans its parts: merge what overlaps.
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from < last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// Builds the snippet of `text` with `ranges` (sorted byte ranges) marked.
pub fn render(text: &str, ranges: &[(usize, usize)], max_chars: usize) -> String {
    let (start, end) = window(text, ranges, max_chars);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut pos = start;
    for &(from, to) in ranges.iter().filter(|r| r.0 >= start && r.1 <= end) {
        push_escaped(&mut out, &text[pos..from]);
        out.push_str("<mark>");
        push_escaped(&mut out, &text[from..to]);
        out.push_str("</mark>");
        pos = to;
    }
    push_escaped(&mut out, &text[pos..end]);
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if end < text.trim_end().len() {
        out.push('…');
    }
    out
}

/// Chooses the byte window of about `max_chars` characters holding the most matches,
/// snapped to word boundaries.
fn window(text: &str, ranges: &[(usize, usize)], max_chars: usize) -> (usize, usize) {
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    if starts.len() <= max_chars {
        return (0, text.len());
    }
    let char_at = |byte: usize| starts.partition_point(|&b| b < byte);
    let byte_at = |ch: usize| starts.get(ch).copied().unwrap_or(text.len());

    let mut best = (0usize, 0usize);
    for &(from, _) in ranges {
        let first = char_at(from).saturating_sub(LEAD_CHARS);
        let last = first + max_chars;
        let count = ranges
            .iter()
            .filter(|r| char_at(r.0) >= first && char_at(r.1) <= last)
            .count();
        if count > best.1 {
            best = (first, count);
        }
    }
    let first = best.0.min(starts.len().saturating_sub(max_chars));
    let mut start = byte_at(first);
    let mut end = byte_at(first + max_chars);
    if start > 0 {
        // Begin after a space, but never skip past the first match.
        let limit = ranges
            .iter()
            .map(|r| r.0)
            .find(|&f| f >= start)
            .unwrap_or(end);
        if let Some(sp) = text[start..limit].find(char::is_whitespace) {
            start += sp;
        }
    }
    if end < text.len() {
        let keep_to = ranges
            .iter()
            .map(|r| r.1)
            .filter(|&t| t <= end)
            .max()
            .unwrap_or(start);
        if let Some(sp) = text[keep_to..end].rfind(char::is_whitespace) {
            end = keep_to + sp;
        }
    }
    // Never cut through a match.
    for &(from, to) in ranges {
        if from < start && to > start {
            start = from;
        }
        if from < end && to > end {
            end = to;
        }
    }
    (start, end)
}

/// Appends `s` HTML-escaped, with runs of whitespace collapsed to one space.
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_whitespace() => {
                if !out.ends_with(' ') && !out.is_empty() && !out.ends_with('…') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Language;
    use crate::search::analysis::{folded, stemmed};

    fn marks(words: &[&str]) -> Marks {
        let mut stem = stemmed(Language::Cs);
        let mut m = Marks::default();
        for w in words {
            for t in tokens(&mut stem, w) {
                m.stemmed.insert(t.text);
            }
        }
        m
    }

    fn snip(text: &str, m: &Marks) -> String {
        let r = matched_ranges(text, m, &mut stemmed(Language::Cs), &mut folded());
        render(text, &r, SNIPPET_CHARS)
    }

    #[test]
    fn marks_through_folding_and_stemming() {
        let s = snip(
            "Ve školách i ve škole <b>máme</b> počítače.",
            &marks(&["skolach"]),
        );
        assert_eq!(
            s,
            "Ve <mark>školách</mark> i ve <mark>škole</mark> &lt;b&gt;máme&lt;/b&gt; počítače."
        );
    }

    #[test]
    fn prefix_and_typo_marks() {
        let m = Marks {
            prefix: Some("poc".into()),
            typo: vec!["heslo".into()],
            ..Marks::default()
        };
        assert_eq!(
            snip("Počítač a hesla, hesel", &m),
            "<mark>Počítač</mark> a <mark>hesla</mark>, hesel"
        );
    }

    #[test]
    fn hyphenated_word_is_marked_once() {
        let m = Marks {
            prefix: Some("wi".into()),
            ..Marks::default()
        };
        assert_eq!(snip("Síť Wi-Fi doma", &m), "Síť <mark>Wi-Fi</mark> doma");
    }

    #[test]
    fn long_text_gets_a_window_around_matches() {
        let text = format!(
            "{} Heslo musí být dlouhé. {}",
            "Úvodní věta bez shody. ".repeat(20),
            "Závěr bez shody. ".repeat(20)
        );
        let s = snip(&text, &marks(&["heslo"]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>Heslo</mark>"), "{s}");
        let visible = s.replace("<mark>", "").replace("</mark>", "");
        assert!(visible.chars().count() <= SNIPPET_CHARS + 2, "{visible}");
    }

    #[test]
    fn no_match_shows_the_beginning() {
        let text = "slovo ".repeat(100);
        let s = snip(&text, &marks(&["heslo"]));
        assert!(s.starts_with("slovo slovo") && s.ends_with('…'), "{s}");
        assert!(!s.contains("<mark>"));
    }
}
