//! Turning what a pupil typed into a tantivy query, without tantivy's query syntax.
//!
//! Any string is a valid query: it is cut to [`MAX_QUERY_CHARS`], split into quoted
//! phrases and free words, and every part goes through the same analyzers as the index.
//! Characters the analyzers drop (operators, brackets, emoji) simply vanish, so there is
//! no parse error to report.
//!
//! A query is tried in up to three tiers, each only if the previous one found nothing:
//! 1. [`Tier::Exact`]: every word must match (stemmed or exact form, in any field); the
//!    last word also matches as a prefix while the pupil is still typing it;
//! 2. [`Tier::Typo`]: as 1, and words of five letters or more also match with one typo;
//! 3. [`Tier::AnyWord`]: as 2, but a section matching some of the words is enough.
//!
//! Quoted phrases are required in every tier and match the folded field word for word.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::analysis::tokens;

/// Longer queries are cut (on a character boundary) before analysis.
pub const MAX_QUERY_CHARS: usize = 300;
/// At most this many free words and this many words per phrase are used.
const MAX_WORDS: usize = 16;
/// Words shorter than this (in letters) never match with a typo.
pub const FUZZY_MIN_CHARS: usize = 5;
/// A prefix shorter than this (in letters) is not expanded: "p" would match everything.
const PREFIX_MIN_CHARS: usize = 2;

/// How a field takes part in a query: its stemmed and folded variants and a boost.
#[derive(Debug, Clone, Copy)]
pub struct FieldPair {
    pub stemmed: Field,
    pub folded: Field,
    pub boost: f32,
}

/// One free word of the query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub folded: String,
    pub stemmed: String,
}

/// A query after analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    pub words: Vec<QueryWord>,
    /// Folded words of each quoted phrase (two or more words; one-word quotes are words).
    pub phrases: Vec<Vec<String>>,
    /// The last free word was being typed (nothing after it), so it is also a prefix.
    pub last_is_prefix: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Exact,
    Typo,
    AnyWord,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '„' | '“' | '”' | '«' | '»')
}

impl ParsedQuery {
    /// Analyzes `raw` with the index's analyzers.
    pub fn parse(raw: &str, stem: &mut TextAnalyzer, folded: &mut TextAnalyzer) -> ParsedQuery {
        let cut = raw
            .char_indices()
            .nth(MAX_QUERY_CHARS)
            .map_or(raw, |(i, _)| &raw[..i]);
        let mut parsed = ParsedQuery::default();
        let mut in_quote = false;
        let mut start = 0;
        let mut segments: Vec<(bool, usize, usize)> = Vec::new();
        for (i, c) in cut.char_indices() {
            if is_quote(c) {
                segments.push((in_quote, start, i));
                in_quote = !in_quote;
                start = i + c.len_utf8();
            }
        }
        segments.push((in_quote, start, cut.len()));

        for (quoted, from, to) in segments {
            let mut toks = tokens(folded, &cut[from..to]);
            let Some(last_tok) = toks.last().cloned() else {
                continue;
            };
            // A hyphenated word comes as its parts and their concatenation. Free words use
            // the concatenation ("e-mail" also finds "email"); phrases use the parts, whose
            // positions follow each other.
            let spans: Vec<(usize, usize)> = toks.iter().map(|t| (t.from, t.to)).collect();
            let inside = |a: (usize, usize), b: (usize, usize)| a != b && b.0 <= a.0 && a.1 <= b.1;
            toks.retain(|t| {
                let me = (t.from, t.to);
                if quoted {
                    !spans.iter().any(|&o| inside(o, me))
                } else {
                    !spans.iter().any(|&o| inside(me, o))
                }
            });
            parsed.last_is_prefix = !quoted && from + last_tok.to == cut.len();
            let words: Vec<String> = toks.into_iter().take(MAX_WORDS).map(|t| t.text).collect();
            if quoted && words.len() > 1 {
                parsed.phrases.push(words);
                continue;
            }
            for w in words {
                if parsed.words.len() >= MAX_WORDS || parsed.words.iter().any(|x| x.folded == w) {
                    continue;
                }
                let stemmed = tokens(stem, &w)
                    .into_iter()
                    .next()
                    .map_or_else(|| w.clone(), |t| t.text);
                parsed.words.push(QueryWord { folded: w, stemmed });
            }
        }
        parsed
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    fn fuzzy_ok(word: &QueryWord) -> bool {
        word.folded.chars().count() >= FUZZY_MIN_CHARS
    }

    /// The prefix the last word stands for, if it is long enough to expand.
    pub fn prefix(&self) -> Option<&str> {
        let last = self.words.last()?;
        (self.last_is_prefix && last.folded.chars().count() >= PREFIX_MIN_CHARS)
            .then_some(last.folded.as_str())
    }

    /// Builds the query of one tier over `fields`.
    pub fn to_query(&self, fields: &[FieldPair], tier: Tier) -> Box<dyn Query> {
        let word_occur = if tier == Tier::AnyWord {
            Occur::Should
        } else {
            Occur::Must
        };
        let last = self.words.len().saturating_sub(1);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in self.words.iter().enumerate() {
            let prefix = i == last && self.prefix().is_some();
            let typo = tier != Tier::Exact && Self::fuzzy_ok(word);
            clauses.push((word_occur, word_query(word, fields, prefix, typo)));
        }
        for phrase in &self.phrases {
            let per_field = fields
                .iter()
                .map(|f| {
                    let terms = phrase
                        .iter()
                        .map(|w| Term::from_field_text(f.folded, w))
                        .collect();
                    boosted(Box::new(PhraseQuery::new(terms)), f.boost)
                })
                .map(|q| (Occur::Should, q))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(per_field))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// What the highlighter should mark for hits of a tier.
    pub fn marks(&self, tier: Tier) -> Marks {
        let mut m = Marks::default();
        // Little words ("a", "ve") are worth marking only when they are all there is.
        let min_chars = if self.words.iter().any(|w| w.folded.chars().count() > 2) {
            3
        } else {
            1
        };
        for w in self
            .words
            .iter()
            .filter(|w| w.folded.chars().count() >= min_chars)
        {
            m.stemmed.insert(w.stemmed.clone());
            m.folded.insert(w.folded.clone());
            if tier != Tier::Exact && Self::fuzzy_ok(w) {
                m.typo.push(w.folded.clone());
            }
        }
        for p in &self.phrases {
            m.folded.extend(p.iter().cloned());
        }
        m.prefix = self.prefix().map(str::to_owned);
        m
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// Exact forms score half of what a stemmed match does on top of it, so "školách" ranks
/// the section that says "školách" above one that says "škola".
const EXACT_FORM_WEIGHT: f32 = 0.5;
/// Prefix and typo matches have a constant score; keep it below a real word match.
const PREFIX_WEIGHT: f32 = 0.4;
const TYPO_WEIGHT: f32 = 0.3;

fn word_query(word: &QueryWord, fields: &[FieldPair], prefix: bool, typo: bool) -> Box<dyn Query> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for f in fields {
        let stem_term = Term::from_field_text(f.stemmed, &word.stemmed);
        let folded_term = Term::from_field_text(f.folded, &word.folded);
        should.push((
            Occur::Should,
            boosted(
                Box::new(TermQuery::new(stem_term, IndexRecordOption::WithFreqs)),
                f.boost,
            ),
        ));
        should.push((
            Occur::Should,
            boosted(
                Box::new(TermQuery::new(
                    folded_term.clone(),
                    IndexRecordOption::WithFreqs,
                )),
                f.boost * EXACT_FORM_WEIGHT,
            ),
        ));
        if prefix {
            should.push((
                Occur::Should,
                boosted(
                    Box::new(FuzzyTermQuery::new_prefix(folded_term.clone(), 0, false)),
                    f.boost * PREFIX_WEIGHT,
                ),
            ));
        }
        if typo {
            should.push((
                Occur::Should,
                boosted(
                    Box::new(FuzzyTermQuery::new(folded_term, 1, true)),
                    f.boost * TYPO_WEIGHT,
                ),
            ));
        }
    }
    Box::new(BooleanQuery::new(should))
}

/// Which analyzed forms the highlighter marks.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub stemmed: HashSet<String>,
    pub folded: HashSet<String>,
    pub prefix: Option<String>,
    /// Words that also match with one typo.
    pub typo: Vec<String>,
}

impl Marks {
    /// Whether a word matches by its folded form alone (exact, prefix or typo); a match by
    /// stem is checked with [`Marks::may_stem_to`] and the stem itself.
    pub fn matches_folded(&self, folded: &str) -> bool {
        self.folded.contains(folded)
            || self
                .prefix
                .as_deref()
                .is_some_and(|p| folded.starts_with(p))
            || self.typo.iter().any(|w| within_one_edit(w, folded))
    }

    /// Whether stemming `folded` could give one of the stemmed marks. Both stemmers only
    /// change a word's ending, so a stem shares the word's first two letters; words that do
    /// not are never stemmed while making snippets, which is where long sections spent
    /// their time.
    pub fn may_stem_to(&self, folded: &str) -> bool {
        self.stemmed.iter().any(|m| {
            let head = m.char_indices().nth(2).map_or(m.as_str(), |(i, _)| &m[..i]);
            folded.starts_with(head)
        })
    }
}

/// True when `a` and `b` differ by at most one insertion, deletion, substitution or swap
/// of neighbours (the distance `FuzzyTermQuery` uses with transpositions costing one).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix]);
    match (ma.len(), mb.len()) {
        (0, 0) | (0, 1) | (1, 0) | (1, 1) => true,
        (2, 2) => ma[0] == mb[1] && ma[1] == mb[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Language;
    use crate::search::analysis::{folded, stemmed};

    fn parse(q: &str) -> ParsedQuery {
        ParsedQuery::parse(q, &mut stemmed(Language::Cs), &mut folded())
    }

    #[test]
    fn only_words_sharing_a_stem_head_are_stemmed_for_snippets() {
        let marks = Marks {
            stemmed: HashSet::from(["skol".to_string(), "a".to_string()]),
            folded: HashSet::new(),
            prefix: None,
            typo: Vec::new(),
        };
        assert!(marks.may_stem_to("skolach"));
        assert!(marks.may_stem_to("skoly"));
        assert!(
            marks.may_stem_to("auto"),
            "a one-letter stem is its own head"
        );
        assert!(!marks.may_stem_to("pocitac"));
        assert!(!marks.may_stem_to("kostel"));
    }

    #[test]
    fn hyphenated_words() {
        let p = parse("e-mail Wi-Fi");
        let folded: Vec<_> = p.words.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["email", "wifi"]);
        let p = parse("\"wi-fi router\"");
        assert_eq!(
            p.phrases,
            [vec!["wi".to_owned(), "fi".to_owned(), "router".to_owned()]]
        );
    }

    #[test]
    fn words_phrases_and_prefix() {
        let p = parse(r#"„bezpečné heslo“ školách poč"#);
        assert_eq!(p.phrases, [vec!["bezpecne".to_owned(), "heslo".to_owned()]]);
        let folded: Vec<_> = p.words.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["skolach", "poc"]);
        assert_eq!(p.words[0].stemmed, "skol");
        assert_eq!(p.prefix(), Some("poc"));
    }

    #[test]
    fn finished_word_is_not_a_prefix() {
        assert_eq!(parse("škola ").prefix(), None);
        assert_eq!(parse("škola.").prefix(), None);
        assert_eq!(parse("\"škola\"").prefix(), None);
        assert_eq!(parse("š").prefix(), None);
    }

    #[test]
    fn operators_and_symbols_are_just_dropped() {
        let p = parse("(heslo AND síť) OR * 🙂 -x:y");
        let folded: Vec<_> = p.words.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["heslo", "and", "sit", "or", "x", "y"]);
        assert!(parse("*** (( 🙂 \" \"").is_empty());
    }

    #[test]
    fn long_queries_are_cut() {
        let p = parse(&"slovo".repeat(1000));
        assert!(p.words.len() <= 1);
        let p = parse(&"a b c d e f g h i j k l m n o p q r s t u v w".repeat(20));
        assert!(p.words.len() <= MAX_WORDS);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("pocitac", "pocitac"));
        assert!(within_one_edit("pocitac", "pocitca"));
        assert!(within_one_edit("pocitac", "pocitace"));
        assert!(within_one_edit("pocitac", "pocitc"));
        assert!(within_one_edit("pocitac", "pocotac"));
        assert!(!within_one_edit("pocitac", "pocotca"));
        assert!(!within_one_edit("pocitac", "pocitacem"));
    }
}
