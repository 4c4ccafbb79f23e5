//! Text analysis: the token chains that turn lesson text and queries into index terms.
//!
//! Three analyzers are registered on every index, under fixed names stored in the schema:
//! - [`CS_STEM`]: words, lowercase, ASCII folding (`š`→`s`), Czech light stemming
//!   ([`czech_stemmer`](super::czech_stemmer));
//! - [`EN_STEM`]: words, lowercase, ASCII folding, the Snowball English stemmer;
//! - [`FOLDED`]: words, lowercase, ASCII folding, no stemming, for phrases, prefixes and
//!   typo-tolerant matching.
//!
//! The same chains run at index and query time, and the highlighter reruns them over the
//! stored text, so whatever matched can be marked in a snippet.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use super::czech_stemmer;
use crate::course::Language;

/// Czech: fold, then stem.
pub const CS_STEM: &str = "cs_stem";
/// English: fold, then Snowball English.
pub const EN_STEM: &str = "en_stem";
/// Any language: folded words, unstemmed.
pub const FOLDED: &str = "folded";

/// Longer tokens (base64 blobs, URLs without separators) are dropped: nobody searches them.
const MAX_TOKEN_BYTES: usize = 40;

/// The stemming analyzer's name for a course language.
pub fn stem_analyzer_name(lang: Language) -> &'static str {
    match lang {
        Language::Cs => CS_STEM,
        Language::En => EN_STEM,
    }
}

fn folded_builder() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// The unstemmed, folded analyzer.
pub fn folded() -> TextAnalyzer {
    folded_builder().build()
}

/// The stemming analyzer of a language.
pub fn stemmed(lang: Language) -> TextAnalyzer {
    match lang {
        Language::Cs => folded_builder().filter(CzechStemFilter).build(),
        Language::En => folded_builder()
            .filter(Stemmer::new(StemLanguage::English))
            .build(),
    }
}

/// Registers all analyzers on an index (needed after creating and after opening one).
pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(CS_STEM, stemmed(Language::Cs));
    tokenizers.register(EN_STEM, stemmed(Language::En));
    tokenizers.register(FOLDED, folded());
}

/// A token's text after analysis plus where it came from in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Runs an analyzer over `text` and collects its tokens.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Analyzed> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push(Analyzed {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// Lowercases and folds one word the way [`FOLDED`] does ("Škola" -> "skola").
#[cfg(test)]
pub fn fold_lower(word: &str) -> String {
    tokens(&mut folded(), word)
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join("")
}

/// Splits text into words: runs of letters and digits. Words joined by single hyphens
/// ("Wi-Fi", "e-mail", "UTF-8") also give their concatenation ("wifi", "email", "utf8")
/// after the parts, at the first part's position and spanning the whole, so a pupil who
/// types the word without its hyphen still finds it.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        WordTokenStream {
            tokens: split_words(text),
            next: 0,
        }
    }
}

fn split_words(text: &str) -> Vec<Token> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    let mut tokens = Vec::with_capacity(words.len());
    let mut position = 0;
    let mut i = 0;
    while i < words.len() {
        // The chain of words starting at i joined by single hyphens.
        let mut j = i;
        while j + 1 < words.len() && &text[words[j].1..words[j + 1].0] == "-" {
            j += 1;
        }
        for (k, &(from, to)) in words[i..=j].iter().enumerate() {
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: position + k,
                text: text[from..to].to_owned(),
                position_length: 1,
            });
        }
        if j > i {
            let joined: String = words[i..=j].iter().map(|&(f, t)| &text[f..t]).collect();
            tokens.push(Token {
                offset_from: words[i].0,
                offset_to: words[j].1,
                position,
                text: joined,
                position_length: j - i + 1,
            });
        }
        position += j - i + 1;
        i = j + 1;
    }
    tokens
}

pub struct WordTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for WordTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Token filter applying [`czech_stemmer::stem`] to every token.
#[derive(Clone)]
pub struct CzechStemFilter;

impl TokenFilter for CzechStemFilter {
    type Tokenizer<T: Tokenizer> = CzechStemTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CzechStemTokenizer<T> {
        CzechStemTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct CzechStemTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CzechStemTokenizer<T> {
    type TokenStream<'a> = CzechStemTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CzechStemTokenStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub struct CzechStemTokenStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for CzechStemTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        token.text = czech_stemmer::stem(&token.text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn czech_chain_folds_then_stems() {
        let mut cs = stemmed(Language::Cs);
        assert_eq!(
            texts(&mut cs, "Ve školách máme POČÍTAČE."),
            ["ve", "skol", "mam", "pocitak"]
        );
        assert_eq!(texts(&mut cs, "skolach pocitacu"), ["skol", "pocitak"]);
    }

    #[test]
    fn folded_chain_keeps_word_forms() {
        let mut f = folded();
        assert_eq!(
            texts(&mut f, "Školách, print(x)!"),
            ["skolach", "print", "x"]
        );
    }

    #[test]
    fn hyphenated_words_also_give_their_concatenation() {
        let text = "Wi-Fi a e-mail, UTF-8; a - b, x--y";
        let t = tokens(&mut folded(), text);
        let words: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            words,
            [
                "wi", "fi", "wifi", "a", "e", "mail", "email", "utf", "8", "utf8", "a", "b", "x",
                "y"
            ]
        );
        assert_eq!(&text[t[2].from..t[2].to], "Wi-Fi");
    }

    #[test]
    fn english_chain_stems() {
        let mut en = stemmed(Language::En);
        assert_eq!(texts(&mut en, "Passwords running"), ["password", "run"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Žluťoučký kůň";
        let t = tokens(&mut stemmed(Language::Cs), text);
        assert_eq!(&text[t[1].from..t[1].to], "kůň");
    }

    #[test]
    fn overlong_tokens_are_dropped() {
        let long = "a".repeat(100);
        assert_eq!(texts(&mut folded(), &format!("x {long} y")), ["x", "y"]);
    }
}
