//! Formulas as pupils type them: the lexer, the parser and the syntax tree.
//!
//! The grammar follows Excel and LibreOffice Calc (precedence from loosest: comparisons,
//! `&`, `+ -`, `* /`, `^`, unary minus, `%`), so `=-2^2` is 4 as in both programs.
//! Separators (the rule documented in `docs/plugins/spreadsheet.md`): `;` always separates
//! arguments; `,` separates them too, except that in Czech mode ([`Syntax::Cs`]) a comma
//! standing directly between digits is the decimal comma (`1,5`); a decimal point (`1.5`)
//! is accepted in both modes. Function names are matched without regard to case or
//! diacritics, in Czech and in English ([`Func::lookup`]). A wrong number of arguments is a
//! syntax error, as both programs refuse such a formula; an unknown name is not: it
//! evaluates to `#NÁZEV?`, as in both programs. Nesting is limited ([`MAX_NESTING`]) so a
//! hostile formula cannot exhaust the stack.

use std::fmt;

use aktovka_plugin_abi::{Lang, fold};

/// The deepest nesting of parentheses, function calls and unary signs a formula may have
/// (Excel allows 64 nested functions; pupils need a handful).
pub const MAX_NESTING: usize = 48;
/// The longest formula accepted, in characters.
pub const MAX_FORMULA_CHARS: usize = 1000;
/// Excel's grid: columns A..XFD, rows 1..1048576; references outside are `#ODKAZ!`.
pub const GRID_COLS: u32 = 16_384;
/// See [`GRID_COLS`].
pub const GRID_ROWS: u32 = 1_048_576;

/// How numbers are written: Czech mode reads `1,5` as one and a half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Decimal comma (and point); `;` or a comma not between digits separates arguments.
    Cs,
    /// Decimal point; `;` or `,` separates arguments.
    En,
}

impl Syntax {
    /// Czech syntax for Czech messages, English for English.
    pub fn of(lang: Lang) -> Syntax {
        lang.pick(Syntax::Cs, Syntax::En)
    }

    /// The language whose programs write numbers this way.
    pub fn lang(self) -> Lang {
        match self {
            Syntax::Cs => Lang::Cs,
            Syntax::En => Lang::En,
        }
    }
}

/// A cell address, 0-based (`A1` is column 0, row 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    /// Row first so that cells sort row by row.
    pub row: u32,
    /// The column, 0 = A.
    pub col: u32,
}

impl Addr {
    /// Parses `B3` (no `$`); `None` when it is not an address inside Excel's grid.
    pub fn parse(text: &str) -> Option<Addr> {
        let r = parse_ref(text)?;
        (!r.abs_col && !r.abs_row && r.in_grid()).then_some(r.addr)
    }

    /// The address moved by (`cols`, `rows`), if it stays on the grid.
    pub fn offset(self, cols: i64, rows: i64) -> Option<Addr> {
        let col = i64::from(self.col) + cols;
        let row = i64::from(self.row) + rows;
        let fits =
            (0..i64::from(GRID_COLS)).contains(&col) && (0..i64::from(GRID_ROWS)).contains(&row);
        fits.then_some(Addr {
            col: col as u32,
            row: row as u32,
        })
    }
}

/// `A`, `Z`, `AA`, … for a 0-based column.
pub fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", column_name(self.col), self.row + 1)
    }
}

/// A reference as written: the address and which parts carry `$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef {
    /// The cell (may lie outside the grid after a copy: then it is `#ODKAZ!`).
    pub addr: Addr,
    /// `$B3`: the column stays when copied.
    pub abs_col: bool,
    /// `B$3`: the row stays when copied.
    pub abs_row: bool,
    /// False when a copy moved it off the grid.
    pub valid: bool,
}

impl CellRef {
    fn in_grid(&self) -> bool {
        self.valid && self.addr.col < GRID_COLS && self.addr.row < GRID_ROWS
    }

    /// The reference in a formula copied by (`cols`, `rows`).
    pub fn shifted(self, cols: i64, rows: i64) -> CellRef {
        let dc = if self.abs_col { 0 } else { cols };
        let dr = if self.abs_row { 0 } else { rows };
        match self.addr.offset(dc, dr) {
            Some(addr) => CellRef { addr, ..self },
            None => CellRef {
                valid: false,
                ..self
            },
        }
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.valid {
            return f.write_str("#REF!");
        }
        let d = |abs: bool| if abs { "$" } else { "" };
        write!(
            f,
            "{}{}{}{}",
            d(self.abs_col),
            column_name(self.addr.col),
            d(self.abs_row),
            self.addr.row + 1
        )
    }
}

/// `$?LETTERS$?DIGITS`, case-insensitive.
fn parse_ref(text: &str) -> Option<CellRef> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let abs_col = bytes.first() == Some(&b'$');
    if abs_col {
        i += 1;
    }
    let letters_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        i += 1;
    }
    let letters = &text[letters_start..i];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let abs_row = bytes.get(i) == Some(&b'$');
    if abs_row {
        i += 1;
    }
    let digits = &text[i..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 8 {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    Some(CellRef {
        addr: Addr {
            col: col - 1,
            row: row - 1,
        },
        abs_col,
        abs_row,
        valid: col <= GRID_COLS && row <= GRID_ROWS,
    })
}

/// The error values both programs show in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `#DĚLENÍ_NULOU!` / `#DIV/0!`.
    Div0,
    /// `#HODNOTA!` / `#VALUE!`.
    Value,
    /// `#NÁZEV?` / `#NAME?`.
    Name,
    /// `#ODKAZ!` / `#REF!`.
    Ref,
    /// `#ČÍSLO!` / `#NUM!`.
    Num,
    /// A circular reference (Excel warns and shows 0, Calc shows `Err:522`); shown as
    /// `#CYKLUS!` / `#CYCLE!` here so the pupil sees where it is.
    Cycle,
}

impl ErrorKind {
    /// The value as the Czech or the English program shows it.
    pub fn show(self, lang: Lang) -> &'static str {
        match self {
            ErrorKind::Div0 => lang.pick("#DĚLENÍ_NULOU!", "#DIV/0!"),
            ErrorKind::Value => lang.pick("#HODNOTA!", "#VALUE!"),
            ErrorKind::Name => lang.pick("#NÁZEV?", "#NAME?"),
            ErrorKind::Ref => lang.pick("#ODKAZ!", "#REF!"),
            ErrorKind::Num => lang.pick("#ČÍSLO!", "#NUM!"),
            ErrorKind::Cycle => lang.pick("#CYKLUS!", "#CYCLE!"),
        }
    }

    fn parse(text: &str) -> Option<ErrorKind> {
        let folded = fold(&text.to_uppercase());
        Some(match folded.as_str() {
            "#DIV/0!" | "#DELENI_NULOU!" => ErrorKind::Div0,
            "#VALUE!" | "#HODNOTA!" => ErrorKind::Value,
            "#NAME?" | "#NAZEV?" => ErrorKind::Name,
            "#REF!" | "#ODKAZ!" => ErrorKind::Ref,
            "#NUM!" | "#CISLO!" => ErrorKind::Num,
            _ => return None,
        })
    }
}

/// The functions the plugin knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    Sum,
    Average,
    Min,
    Max,
    Count,
    CountA,
    CountIf,
    SumIf,
    If,
    And,
    Or,
    Not,
    Round,
    Abs,
    Concat,
    Concatenate,
}

/// (function, English name, Czech name, fewest arguments, most arguments).
const FUNCTIONS: [(Func, &str, &str, usize, usize); 16] = [
    (Func::Sum, "SUM", "SUMA", 1, 255),
    (Func::Average, "AVERAGE", "PRŮMĚR", 1, 255),
    (Func::Min, "MIN", "MIN", 1, 255),
    (Func::Max, "MAX", "MAX", 1, 255),
    (Func::Count, "COUNT", "POČET", 1, 255),
    (Func::CountA, "COUNTA", "POČET2", 1, 255),
    (Func::CountIf, "COUNTIF", "COUNTIF", 2, 2),
    (Func::SumIf, "SUMIF", "SUMIF", 2, 3),
    (Func::If, "IF", "KDYŽ", 1, 3),
    (Func::And, "AND", "A", 1, 255),
    (Func::Or, "OR", "NEBO", 1, 255),
    (Func::Not, "NOT", "NE", 1, 1),
    (Func::Round, "ROUND", "ZAOKROUHLIT", 2, 2),
    (Func::Abs, "ABS", "ABS", 1, 1),
    (Func::Concat, "CONCAT", "CONCAT", 1, 255),
    (Func::Concatenate, "CONCATENATE", "CONCATENATE", 1, 255),
];

impl Func {
    /// The function called `name` in either language, ignoring case and diacritics.
    pub fn lookup(name: &str) -> Option<Func> {
        let key = fold(&name.to_uppercase());
        FUNCTIONS
            .iter()
            .find(|(_, en, cs, _, _)| key == *en || key == fold(cs))
            .map(|(f, ..)| *f)
    }

    fn entry(self) -> (Func, &'static str, &'static str, usize, usize) {
        FUNCTIONS
            .iter()
            .copied()
            .find(|(f, ..)| *f == self)
            .unwrap_or((self, "?", "?", 0, 0))
    }

    /// The name in the Czech or the English program.
    pub fn name(self, lang: Lang) -> &'static str {
        let (_, en, cs, _, _) = self.entry();
        lang.pick(cs, en)
    }

    /// `SUMA` (`SUM`): the Czech name with the English one when they differ.
    pub fn both_names(self) -> String {
        let (_, en, cs, _, _) = self.entry();
        if en == cs {
            en.to_owned()
        } else {
            format!("{cs} ({en})")
        }
    }
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Text(String),
    Bool(bool),
    Error(ErrorKind),
    Ref(CellRef),
    Range(CellRef, CellRef),
    Neg(Box<Expr>),
    Percent(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    /// A name that is neither a function, a reference nor a truth value: `#NÁZEV?`.
    UnknownName(String),
    /// A call of an unknown function: `#NÁZEV?` (the arguments are kept for the hint).
    UnknownCall(String, Vec<Expr>),
}

impl Expr {
    /// The formula copied by (`cols`, `rows`): relative parts of references move.
    pub fn shifted(&self, cols: i64, rows: i64) -> Expr {
        let s = |e: &Expr| Box::new(e.shifted(cols, rows));
        match self {
            Expr::Ref(r) => Expr::Ref(r.shifted(cols, rows)),
            Expr::Range(a, b) => Expr::Range(a.shifted(cols, rows), b.shifted(cols, rows)),
            Expr::Neg(e) => Expr::Neg(s(e)),
            Expr::Percent(e) => Expr::Percent(s(e)),
            Expr::Binary(op, a, b) => Expr::Binary(*op, s(a), s(b)),
            Expr::Call(f, args) => {
                Expr::Call(*f, args.iter().map(|a| a.shifted(cols, rows)).collect())
            }
            Expr::UnknownCall(n, args) => Expr::UnknownCall(
                n.clone(),
                args.iter().map(|a| a.shifted(cols, rows)).collect(),
            ),
            other => other.clone(),
        }
    }

    /// Calls `visit` on every node, parents first.
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::Neg(e) | Expr::Percent(e) => e.walk(visit),
            Expr::Binary(_, a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Call(_, args) | Expr::UnknownCall(_, args) => {
                for a in args {
                    a.walk(visit);
                }
            }
            _ => {}
        }
    }

    /// Every single reference and every range corner, as written.
    pub fn refs(&self) -> Vec<CellRef> {
        let mut out = Vec::new();
        self.walk(&mut |e| match e {
            Expr::Ref(r) => out.push(*r),
            Expr::Range(a, b) => {
                out.push(*a);
                out.push(*b);
            }
            _ => {}
        });
        out
    }

    /// The ranges, as (top-left, bottom-right) addresses.
    pub fn ranges(&self) -> Vec<(Addr, Addr)> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Range(a, b) = e {
                out.push(corners(a.addr, b.addr));
            }
        });
        out
    }

    /// The known functions called.
    pub fn functions(&self) -> Vec<Func> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Call(f, _) = e
                && !out.contains(f)
            {
                out.push(*f);
            }
        });
        out
    }

    /// The unknown names used (functions or otherwise).
    pub fn unknown_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::UnknownCall(n, _) | Expr::UnknownName(n) = e {
                out.push(n.clone());
            }
        });
        out
    }

    /// The number literals written in the formula.
    pub fn numbers(&self) -> Vec<f64> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Number(n) = e {
                out.push(*n);
            }
        });
        out
    }
}

/// The top-left and bottom-right corners of the rectangle spanned by `a` and `b`.
pub fn corners(a: Addr, b: Addr) -> (Addr, Addr) {
    (
        Addr {
            col: a.col.min(b.col),
            row: a.row.min(b.row),
        },
        Addr {
            col: a.col.max(b.col),
            row: a.row.max(b.row),
        },
    )
}

/// Why a formula could not be read, and where (a character index into the formula).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 0-based character position.
    pub at: usize,
    /// What is wrong.
    pub kind: SyntaxErrorKind,
}

/// The kinds of [`SyntaxError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// The formula does not start with `=`.
    NoEquals,
    /// Nothing after `=`.
    Empty,
    /// Longer than [`MAX_FORMULA_CHARS`].
    TooLong,
    /// Nested deeper than [`MAX_NESTING`].
    TooDeep,
    /// A `"` without its closing pair.
    UnclosedText,
    /// A character that has no meaning in a formula.
    BadChar(char),
    /// A `(` without `)`.
    UnclosedParen,
    /// A `)` without `(`.
    ExtraParen,
    /// Something where a value was expected (an operator, `;`, the end).
    ExpectedValue,
    /// More text after a complete formula.
    Trailing,
    /// A range corner that is not a cell address (`A1:X`).
    BadRange,
    /// A function called with too few or too many arguments.
    Arity {
        func: Func,
        min: usize,
        max: usize,
        given: usize,
    },
}

impl SyntaxError {
    /// The explanation for the pupil.
    pub fn message(&self, lang: Lang) -> String {
        let at = self.at + 1;
        match &self.kind {
            SyntaxErrorKind::NoEquals => lang
                .pick("Vzorec musí začínat rovnítkem `=`.", "A formula must start with `=`.")
                .to_owned(),
            SyntaxErrorKind::Empty => lang
                .pick("Za rovnítkem nic není.", "There is nothing after the `=`.")
                .to_owned(),
            SyntaxErrorKind::TooLong => lang.pick(
                format!("Vzorec je moc dlouhý (nejvýš {MAX_FORMULA_CHARS} znaků)."),
                format!("The formula is too long (at most {MAX_FORMULA_CHARS} characters)."),
            ),
            SyntaxErrorKind::TooDeep => lang
                .pick(
                    "Vzorec má moc vnořených závorek.",
                    "The formula has too many nested parentheses.",
                )
                .to_owned(),
            SyntaxErrorKind::UnclosedText => lang.pick(
                format!("Text začínající uvozovkami na {at}. znaku nemá konec; doplň druhé `\"`."),
                format!("The text starting with a quote at character {at} never ends; add the closing `\"`."),
            ),
            SyntaxErrorKind::BadChar(c) => lang.pick(
                format!("Znak `{c}` na {at}. místě do vzorce nepatří."),
                format!("The character `{c}` at position {at} does not belong in a formula."),
            ),
            SyntaxErrorKind::UnclosedParen => lang
                .pick(
                    "Chybí zavírací závorka `)`: každá `(` potřebuje svou `)`.",
                    "A closing `)` is missing: every `(` needs its `)`.",
                )
                .to_owned(),
            SyntaxErrorKind::ExtraParen => lang.pick(
                format!("Závorka `)` na {at}. místě nemá svou otevírací `(`."),
                format!("The `)` at position {at} has no matching `(`."),
            ),
            SyntaxErrorKind::ExpectedValue => lang.pick(
                format!("Na {at}. místě chybí číslo, adresa buňky nebo funkce."),
                format!("A number, a cell address or a function is missing at position {at}."),
            ),
            SyntaxErrorKind::Trailing => lang.pick(
                format!("Od {at}. znaku vzorec nedává smysl: chybí tam znaménko nebo středník?"),
                format!("The formula stops making sense at position {at}: is an operator or `;` missing?"),
            ),
            SyntaxErrorKind::BadRange => lang.pick(
                format!("Oblast na {at}. místě se píše dvěma adresami s dvojtečkou, třeba `B2:B5`."),
                format!("A range at position {at} is two addresses with a colon, e.g. `B2:B5`."),
            ),
            SyntaxErrorKind::Arity {
                func,
                min,
                max,
                given,
            } => {
                let name = func.name(lang);
                // The noun agrees with the last number said: 1 údaj, 2 údaje, 5 údajů.
                let (want, last) = if min == max {
                    (min.to_string(), *min)
                } else if *max >= 255 {
                    (lang.pick(format!("aspoň {min}"), format!("at least {min}")), *min)
                } else {
                    (lang.pick(format!("{min} až {max}"), format!("{min} to {max}")), *max)
                };
                let noun = match (lang, last) {
                    (Lang::Cs, 1) => "údaj",
                    (Lang::Cs, 2..=4) => "údaje",
                    (Lang::Cs, _) => "údajů",
                    (Lang::En, 1) => "argument",
                    (Lang::En, _) => "arguments",
                };
                lang.pick(
                    format!("Funkce {name} potřebuje {want} {noun} (oddělené středníkem `;`), dostala {given}."),
                    format!("The function {name} takes {want} {noun} (separated by `;` or `,`), it got {given}."),
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Word(String),
    Err(ErrorKind),
    Sym(&'static str),
}

fn lex(body: &[char], offset: usize, syntax: Syntax) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, kind| SyntaxError {
        at: at + offset,
        kind,
    };
    while i < body.len() {
        let c = body[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let is_digit_at = |j: usize| body.get(j).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || (c == '.' && is_digit_at(i + 1)) {
            let mut text = String::new();
            while is_digit_at(i) {
                text.push(body[i]);
                i += 1;
            }
            let decimal = body.get(i).copied();
            let comma_ok = syntax == Syntax::Cs && decimal == Some(',');
            if (decimal == Some('.') || comma_ok) && is_digit_at(i + 1) {
                text.push('.');
                i += 1;
                while is_digit_at(i) {
                    text.push(body[i]);
                    i += 1;
                }
            }
            if matches!(body.get(i), Some('e' | 'E')) {
                let sign = matches!(body.get(i + 1), Some('+' | '-'));
                let digits_at = i + 1 + usize::from(sign);
                if is_digit_at(digits_at) {
                    text.push('e');
                    if sign {
                        text.push(body[i + 1]);
                    }
                    i = digits_at;
                    while is_digit_at(i) {
                        text.push(body[i]);
                        i += 1;
                    }
                }
            }
            let n: f64 = text
                .parse()
                .map_err(|_| err(start, SyntaxErrorKind::ExpectedValue))?;
            out.push((Tok::Num(n), start));
            continue;
        }
        if c == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                match body.get(i) {
                    None => return Err(err(start, SyntaxErrorKind::UnclosedText)),
                    Some('"') if body.get(i + 1) == Some(&'"') => {
                        text.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        text.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(text), start));
            continue;
        }
        if c == '#' {
            let mut text = String::from('#');
            i += 1;
            while let Some(ch) = body.get(i) {
                text.push(*ch);
                i += 1;
                if matches!(ch, '!' | '?') {
                    break;
                }
            }
            let kind = ErrorKind::parse(&text).ok_or(err(start, SyntaxErrorKind::BadChar('#')))?;
            out.push((Tok::Err(kind), start));
            continue;
        }
        if c.is_alphabetic() || c == '$' || c == '_' {
            let mut text = String::new();
            while let Some(ch) = body.get(i) {
                if ch.is_alphanumeric() || matches!(ch, '$' | '_' | '.') {
                    text.push(*ch);
                    i += 1;
                } else {
                    break;
                }
            }
            out.push((Tok::Word(text), start));
            continue;
        }
        let two: String = body[i..body.len().min(i + 2)].iter().collect();
        let sym = match two.as_str() {
            "<>" => Some("<>"),
            "<=" => Some("<="),
            ">=" => Some(">="),
            _ => None,
        };
        if let Some(sym) = sym {
            out.push((Tok::Sym(sym), start));
            i += 2;
            continue;
        }
        let sym = match c {
            '+' => "+",
            '-' | '−' => "-",
            '*' => "*",
            '/' => "/",
            '^' => "^",
            '&' => "&",
            '=' => "=",
            '<' => "<",
            '>' => ">",
            '(' => "(",
            ')' => ")",
            ':' => ":",
            ';' | ',' => ";",
            '%' => "%",
            other => return Err(err(start, SyntaxErrorKind::BadChar(other))),
        };
        out.push((Tok::Sym(sym), start));
        i += 1;
    }
    Ok(out)
}

/// Parses a formula (with its leading `=`, spaces around it allowed).
pub fn parse(formula: &str, syntax: Syntax) -> Result<Expr, SyntaxError> {
    let chars: Vec<char> = formula.chars().collect();
    if chars.len() > MAX_FORMULA_CHARS {
        return Err(SyntaxError {
            at: 0,
            kind: SyntaxErrorKind::TooLong,
        });
    }
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    if chars.get(lead) != Some(&'=') {
        return Err(SyntaxError {
            at: lead,
            kind: SyntaxErrorKind::NoEquals,
        });
    }
    let offset = lead + 1;
    let tokens = lex(&chars[offset..], offset, syntax)?;
    if tokens.is_empty() {
        return Err(SyntaxError {
            at: offset,
            kind: SyntaxErrorKind::Empty,
        });
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: chars.len(),
    };
    let expr = parser.comparison()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(expr),
        Some((Tok::Sym(")"), at)) => Err(SyntaxError {
            at: *at,
            kind: SyntaxErrorKind::ExtraParen,
        }),
        Some((_, at)) => Err(SyntaxError {
            at: *at,
            kind: SyntaxErrorKind::Trailing,
        }),
    }
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(_, at)| *at)
    }

    fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, kind: SyntaxErrorKind) -> SyntaxError {
        SyntaxError {
            at: self.at(),
            kind,
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(SyntaxErrorKind::TooDeep));
        }
        Ok(())
    }

    fn binary_level(
        &mut self,
        ops: &[(&str, Op)],
        next: fn(&mut Parser) -> Result<Expr, SyntaxError>,
    ) -> Result<Expr, SyntaxError> {
        let mut left = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.eat(sym) {
                    let right = next(self)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'outer;
                }
            }
            break;
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[
                ("=", Op::Eq),
                ("<>", Op::Ne),
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("<", Op::Lt),
                (">", Op::Gt),
            ],
            Parser::concat,
        )
    }

    fn concat(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("&", Op::Concat)], Parser::additive)
    }

    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("+", Op::Add), ("-", Op::Sub)], Parser::multiplicative)
    }

    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("*", Op::Mul), ("/", Op::Div)], Parser::power)
    }

    fn power(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("^", Op::Pow)], Parser::unary)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let negate = if self.eat("-") {
            true
        } else if self.eat("+") {
            false
        } else {
            let mut e = self.primary()?;
            while self.eat("%") {
                e = Expr::Percent(Box::new(e));
            }
            return Ok(e);
        };
        self.enter()?;
        let inner = self.unary()?;
        self.depth -= 1;
        Ok(if negate {
            Expr::Neg(Box::new(inner))
        } else {
            inner
        })
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let Some((tok, at)) = self.tokens.get(self.pos).cloned() else {
            return Err(self.error(SyntaxErrorKind::ExpectedValue));
        };
        match tok {
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Expr::Number(n))
            }
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Expr::Text(s))
            }
            Tok::Err(kind) => {
                self.pos += 1;
                Ok(Expr::Error(kind))
            }
            Tok::Sym("(") => {
                self.pos += 1;
                self.enter()?;
                let inner = self.comparison()?;
                self.depth -= 1;
                if !self.eat(")") {
                    return Err(SyntaxError {
                        at,
                        kind: SyntaxErrorKind::UnclosedParen,
                    });
                }
                Ok(inner)
            }
            Tok::Word(word) => {
                self.pos += 1;
                if self.eat("(") {
                    return self.call(&word, at);
                }
                // A would-be address off the grid (`XFE1`) is a name, as in Excel.
                if let Some(r) = parse_ref(&word).filter(|r| r.valid) {
                    if self.eat(":") {
                        let corner_at = self.at();
                        let other = match self.peek() {
                            Some(Tok::Word(w)) => parse_ref(w),
                            _ => None,
                        };
                        let Some(other) = other else {
                            return Err(SyntaxError {
                                at: corner_at,
                                kind: SyntaxErrorKind::BadRange,
                            });
                        };
                        self.pos += 1;
                        return Ok(Expr::Range(r, other));
                    }
                    return Ok(Expr::Ref(r));
                }
                let key = fold(&word.to_uppercase());
                Ok(match key.as_str() {
                    "TRUE" | "PRAVDA" => Expr::Bool(true),
                    "FALSE" | "NEPRAVDA" => Expr::Bool(false),
                    _ => Expr::UnknownName(word),
                })
            }
            Tok::Sym(")") => Err(SyntaxError {
                at,
                kind: SyntaxErrorKind::ExtraParen,
            }),
            Tok::Sym(":") => Err(SyntaxError {
                at,
                kind: SyntaxErrorKind::BadRange,
            }),
            Tok::Sym(_) => Err(self.error(SyntaxErrorKind::ExpectedValue)),
        }
    }

    fn call(&mut self, name: &str, at: usize) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.comparison()?);
                if self.eat(";") {
                    continue;
                }
                if self.eat(")") {
                    break;
                }
                return Err(match self.peek() {
                    None => SyntaxError {
                        at,
                        kind: SyntaxErrorKind::UnclosedParen,
                    },
                    Some(_) => self.error(SyntaxErrorKind::Trailing),
                });
            }
        }
        self.depth -= 1;
        match Func::lookup(name) {
            Some(func) => {
                let (_, _, _, min, max) = func.entry();
                if args.len() < min || args.len() > max {
                    return Err(SyntaxError {
                        at,
                        kind: SyntaxErrorKind::Arity {
                            func,
                            min,
                            max,
                            given: args.len(),
                        },
                    });
                }
                Ok(Expr::Call(func, args))
            }
            None => Ok(Expr::UnknownCall(name.to_owned(), args)),
        }
    }
}
