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
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
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
    TextAnalyzer::builder(SimpleTokenizer::default())
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
