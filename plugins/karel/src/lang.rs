//! The Karel language: tokens, the parser and the compiler to a flat list of [`Op`]s.
//!
//! Keywords and command names compare case- and diacritics-insensitively (`POLOZ` =
//! `polož`); Czech and English keywords mean the same. Newlines carry no meaning beyond
//! line numbers for messages. The program compiles to jumps over a flat list so the
//! interpreter ([`crate::run`]) needs no Rust recursion however deep the pupil's blocks
//! and calls go; the parser's own recursion is bounded by [`MAX_NESTING`].

use std::collections::BTreeMap;

use aktovka_plugin_abi::{Lang, fold};

use crate::world::Dir;

/// How deep blocks may nest in the source (a bound on the parser's recursion).
pub const MAX_NESTING: usize = 50;
/// The largest `OPAKUJ n-KRÁT` count.
pub const MAX_REPEAT: u32 = 10_000;

/// A syntax error: the line (from 1) and the message in the request's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The line the error is on.
    pub line: usize,
    /// The whole message, starting with "Řádek N:" / "Line N:".
    pub message: String,
}

/// A condition: `JE`/`NENÍ` and what is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    /// `NENÍ` / `NOT`.
    pub negated: bool,
    /// What is tested.
    pub test: Test,
}

/// What a condition tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// A wall or the edge right in front of Karel.
    Wall,
    /// At least one mark under Karel.
    Mark,
    /// Karel faces this way.
    Facing(Dir),
}

/// One instruction of a compiled program; `line` fields are for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `KROK`.
    Move { line: usize },
    /// `VLEVO-VBOK`.
    TurnLeft { line: usize },
    /// `POLOŽ`.
    Put { line: usize },
    /// `ZVEDNI`.
    Pick { line: usize },
    /// `STOP`, and the end of the main program.
    Halt,
    /// Unconditional jump.
    Jump { to: usize, line: usize },
    /// Jump unless the condition holds.
    JumpUnless { cond: Cond, to: usize, line: usize },
    /// Push a repeat counter.
    PushCount { count: u32, line: usize },
    /// Pop and jump to `to` if the counter is 0, else decrement it.
    CountDown { to: usize, line: usize },
    /// Call a command: push the return address, jump to the command's first op.
    Call {
        to: usize,
        name: String,
        line: usize,
    },
    /// End of a command.
    Return { line: usize },
}

/// A compiled program; execution starts at op 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The instructions.
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone)]
struct Token {
    text: String,
    norm: String,
    line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Move,
    TurnLeft,
    Put,
    Pick,
    Stop,
    If,
    Else,
    End,
    While,
    Repeat,
    Define,
    Is,
    Not,
    Wall,
    Mark,
    North,
    South,
    East,
    West,
    Times,
}

fn keyword(norm: &str) -> Option<Kw> {
    Some(match norm {
        "KROK" | "MOVE" => Kw::Move,
        "VLEVO-VBOK" | "TURN-LEFT" => Kw::TurnLeft,
        "POLOZ" | "PUT" => Kw::Put,
        "ZVEDNI" | "PICK" => Kw::Pick,
        "STOP" => Kw::Stop,
        "KDYZ" | "IF" => Kw::If,
        "JINAK" | "ELSE" => Kw::Else,
        "KONEC" | "END" => Kw::End,
        "DOKUD" | "WHILE" => Kw::While,
        "OPAKUJ" | "REPEAT" => Kw::Repeat,
        "PRIKAZ" | "DEFINE" => Kw::Define,
        "JE" | "IS" => Kw::Is,
        "NENI" | "NOT" => Kw::Not,
        "ZED" | "WALL" => Kw::Wall,
        "ZNACKA" | "MARK" => Kw::Mark,
        "SEVER" | "NORTH" => Kw::North,
        "JIH" | "SOUTH" => Kw::South,
        "VYCHOD" | "EAST" => Kw::East,
        "ZAPAD" | "WEST" => Kw::West,
        "KRAT" | "TIMES" | "-KRAT" | "-TIMES" => Kw::Times,
        _ => return None,
    })
}

/// The comparison form of a word: diacritics folded, upper case.
fn normalize(word: &str) -> String {
    fold(word).to_uppercase()
}

fn tokenize(source: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = match (line.find('#'), line.find("//")) {
            (Some(a), Some(b)) => &line[..a.min(b)],
            (Some(a), None) | (None, Some(a)) => &line[..a],
            (None, None) => line,
        };
        for word in code.split_whitespace() {
            tokens.push(Token {
                text: word.to_owned(),
                norm: normalize(word),
                line: i + 1,
            });
        }
    }
    tokens
}

#[derive(Debug)]
enum Stmt {
    Move(usize),
    TurnLeft(usize),
    Put(usize),
    Pick(usize),
    Stop,
    If {
        cond: Cond,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
        line: usize,
    },
    While {
        cond: Cond,
        body: Vec<Stmt>,
        line: usize,
    },
    Repeat {
        count: u32,
        body: Vec<Stmt>,
        line: usize,
    },
    Call {
        name: String,
        shown: String,
        line: usize,
    },
}

struct Definition {
    shown: String,
    line: usize,
    body: Vec<Stmt>,
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    lang: Lang,
    /// Every name after `PŘÍKAZ`, found before parsing so a call may precede its definition.
    defined: Vec<String>,
}

/// What ended a block.
enum BlockEnd {
    End,
    Else(usize),
}

impl Parser<'_> {
    fn error(&self, line: usize, cs: String, en: String) -> SyntaxError {
        let message = self
            .lang
            .pick(format!("Řádek {line}: {cs}"), format!("Line {line}: {en}"));
        SyntaxError { line, message }
    }

    fn last_line(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.line)
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.pos);
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    fn program(&mut self) -> Result<(Vec<Stmt>, Vec<Definition>), SyntaxError> {
        let mut main = Vec::new();
        let mut definitions: Vec<Definition> = Vec::new();
        while let Some(token) = self.tokens.get(self.pos) {
            match keyword(&token.norm) {
                Some(Kw::Define) => {
                    self.pos += 1;
                    let definition = self.definition(token)?;
                    if let Some(first) = definitions
                        .iter()
                        .find(|d| normalize(&d.shown) == normalize(&definition.shown))
                    {
                        let (name, first) = (&definition.shown, first.line);
                        return Err(self.error(
                            definition.line,
                            format!("příkaz „{name}“ už je definovaný na řádku {first}."),
                            format!("the command “{name}” is already defined on line {first}."),
                        ));
                    }
                    definitions.push(definition);
                }
                Some(Kw::End) => {
                    return Err(self.error(
                        token.line,
                        format!("{} navíc – žádný blok tu nezačal.", token.text),
                        format!("{} without a block to end.", token.text),
                    ));
                }
                Some(Kw::Else) => {
                    return Err(self.error(
                        token.line,
                        format!("{} bez KDYŽ.", token.text),
                        format!("{} without IF.", token.text),
                    ));
                }
                _ => main.push(self.statement(0)?),
            }
        }
        Ok((main, definitions))
    }

    fn definition(&mut self, keyword_token: &Token) -> Result<Definition, SyntaxError> {
        let line = keyword_token.line;
        let Some(name) = self.next().cloned() else {
            return Err(self.error(
                line,
                format!("za {} chybí jméno nového příkazu.", keyword_token.text),
                format!("{} needs the new command's name.", keyword_token.text),
            ));
        };
        if keyword(&name.norm).is_some() {
            return Err(self.error(
                name.line,
                format!(
                    "„{}“ je klíčové slovo, nový příkaz se tak jmenovat nemůže.",
                    name.text
                ),
                format!(
                    "“{}” is a keyword; a new command cannot have that name.",
                    name.text
                ),
            ));
        }
        if !valid_name(&name.text) {
            return Err(self.error(
                name.line,
                format!(
                    "„{}“ není dobré jméno příkazu: začni písmenem a použij jen písmena, číslice a pomlčky.",
                    name.text
                ),
                format!(
                    "“{}” is not a valid command name: start with a letter and use only letters, digits and dashes.",
                    name.text
                ),
            ));
        }
        let (body, end) = self.block(1, keyword_token)?;
        if let BlockEnd::Else(else_line) = end {
            return Err(self.error(
                else_line,
                "JINAK patří jen do KDYŽ.".to_owned(),
                "ELSE belongs only in IF.".to_owned(),
            ));
        }
        Ok(Definition {
            shown: name.text,
            line,
            body,
        })
    }

    /// Statements up to the `KONEC` (or `JINAK`) closing the block `opener` started.
    fn block(
        &mut self,
        depth: usize,
        opener: &Token,
    ) -> Result<(Vec<Stmt>, BlockEnd), SyntaxError> {
        if depth > MAX_NESTING {
            return Err(self.error(
                opener.line,
                format!("příliš mnoho bloků v sobě (víc než {MAX_NESTING})."),
                format!("too many nested blocks (more than {MAX_NESTING})."),
            ));
        }
        let mut body = Vec::new();
        loop {
            let Some(token) = self.tokens.get(self.pos) else {
                let (opened, word) = (opener.line, &opener.text);
                return Err(self.error(
                    self.last_line(),
                    format!("chybí KONEC k {word} z řádku {opened}."),
                    format!("END is missing for {word} on line {opened}."),
                ));
            };
            match keyword(&token.norm) {
                Some(Kw::End) => {
                    self.pos += 1;
                    return Ok((body, BlockEnd::End));
                }
                Some(Kw::Else) => {
                    self.pos += 1;
                    return Ok((body, BlockEnd::Else(token.line)));
                }
                Some(Kw::Define) => {
                    return Err(self.error(
                        token.line,
                        format!("{} se nedá definovat uvnitř jiného bloku.", token.text),
                        format!("{} cannot be used inside another block.", token.text),
                    ));
                }
                _ => body.push(self.statement(depth)?),
            }
        }
    }

    fn statement(&mut self, depth: usize) -> Result<Stmt, SyntaxError> {
        let Some(token) = self.next().cloned() else {
            return Err(self.error(
                self.last_line(),
                "program nečekaně skončil.".to_owned(),
                "the program ended unexpectedly.".to_owned(),
            ));
        };
        let line = token.line;
        match keyword(&token.norm) {
            Some(Kw::Move) => Ok(Stmt::Move(line)),
            Some(Kw::TurnLeft) => Ok(Stmt::TurnLeft(line)),
            Some(Kw::Put) => Ok(Stmt::Put(line)),
            Some(Kw::Pick) => Ok(Stmt::Pick(line)),
            Some(Kw::Stop) => Ok(Stmt::Stop),
            Some(Kw::If) => {
                let cond = self.condition(&token)?;
                let (then, end) = self.block(depth + 1, &token)?;
                let otherwise = match end {
                    BlockEnd::End => Vec::new(),
                    BlockEnd::Else(_) => match self.block(depth + 1, &token)? {
                        (otherwise, BlockEnd::End) => otherwise,
                        (_, BlockEnd::Else(second)) => {
                            return Err(self.error(
                                second,
                                format!("druhé JINAK ke KDYŽ z řádku {line}."),
                                format!("a second ELSE for the IF on line {line}."),
                            ));
                        }
                    },
                };
                Ok(Stmt::If {
                    cond,
                    then,
                    otherwise,
                    line,
                })
            }
            Some(Kw::While) => {
                let cond = self.condition(&token)?;
                let body = self.loop_body(depth, &token)?;
                Ok(Stmt::While { cond, body, line })
            }
            Some(Kw::Repeat) => {
                let count = self.repeat_count(&token)?;
                let body = self.loop_body(depth, &token)?;
                Ok(Stmt::Repeat { count, body, line })
            }
            Some(_) => Err(self.error(
                line,
                format!("„{}“ sem nepatří, čekám příkaz.", token.text),
                format!(
                    "“{}” does not belong here; a command is expected.",
                    token.text
                ),
            )),
            None if self.defined.contains(&token.norm) => Ok(Stmt::Call {
                name: token.norm.clone(),
                shown: token.text.clone(),
                line,
            }),
            None => Err(self.error(
                line,
                format!("neznámý příkaz „{}“.", token.text),
                format!("unknown command “{}”.", token.text),
            )),
        }
    }

    fn loop_body(&mut self, depth: usize, opener: &Token) -> Result<Vec<Stmt>, SyntaxError> {
        match self.block(depth + 1, opener)? {
            (body, BlockEnd::End) => Ok(body),
            (_, BlockEnd::Else(line)) => Err(self.error(
                line,
                "JINAK patří jen do KDYŽ.".to_owned(),
                "ELSE belongs only in IF.".to_owned(),
            )),
        }
    }

    fn condition(&mut self, opener: &Token) -> Result<Cond, SyntaxError> {
        let bad = |parser: &Parser, line: usize| {
            parser.error(
                line,
                format!(
                    "za {} čekám JE nebo NENÍ a pak ZEĎ, ZNAČKA, SEVER, JIH, VÝCHOD nebo ZÁPAD.",
                    opener.text
                ),
                format!(
                    "{} needs IS or NOT followed by WALL, MARK, NORTH, SOUTH, EAST or WEST.",
                    opener.text
                ),
            )
        };
        let negated = match self.tokens.get(self.pos).map(|t| keyword(&t.norm)) {
            Some(Some(Kw::Is)) => {
                self.pos += 1;
                // `IS NOT WALL` reads naturally in English; accept it as `NOT WALL`.
                let not =
                    self.tokens.get(self.pos).map(|t| keyword(&t.norm)) == Some(Some(Kw::Not));
                if not {
                    self.pos += 1;
                }
                not
            }
            Some(Some(Kw::Not)) => {
                self.pos += 1;
                true
            }
            _ => return Err(bad(self, opener.line)),
        };
        let test = match self.tokens.get(self.pos).map(|t| keyword(&t.norm)) {
            Some(Some(Kw::Wall)) => Test::Wall,
            Some(Some(Kw::Mark)) => Test::Mark,
            Some(Some(Kw::North)) => Test::Facing(Dir::North),
            Some(Some(Kw::South)) => Test::Facing(Dir::South),
            Some(Some(Kw::East)) => Test::Facing(Dir::East),
            Some(Some(Kw::West)) => Test::Facing(Dir::West),
            _ => return Err(bad(self, opener.line)),
        };
        self.pos += 1;
        Ok(Cond { negated, test })
    }

    fn repeat_count(&mut self, opener: &Token) -> Result<u32, SyntaxError> {
        let line = opener.line;
        let bad = |parser: &Parser| {
            parser.error(
                line,
                format!(
                    "za {} čekám počet opakování od 0 do {MAX_REPEAT}, např. „OPAKUJ 3-KRÁT“.",
                    opener.text
                ),
                format!(
                    "{} needs a count from 0 to {MAX_REPEAT}, e.g. “REPEAT 3-TIMES”.",
                    opener.text
                ),
            )
        };
        let Some(token) = self.tokens.get(self.pos) else {
            return Err(bad(self));
        };
        let digits: String = token
            .norm
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            return Err(bad(self));
        }
        let rest = &token.norm[digits.len()..];
        self.pos += 1;
        if rest.is_empty() {
            // `REPEAT 3 TIMES`: the word for "times" is a token of its own.
            match self.tokens.get(self.pos).map(|t| keyword(&t.norm)) {
                Some(Some(Kw::Times)) => self.pos += 1,
                _ => return Err(bad(self)),
            }
        } else if keyword(rest) != Some(Kw::Times)
            && keyword(&format!("-{rest}")) != Some(Kw::Times)
        {
            return Err(bad(self));
        }
        match digits.parse::<u32>() {
            Ok(count) if count <= MAX_REPEAT => Ok(count),
            _ => Err(bad(self)),
        }
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.all(|c| c.is_alphanumeric() || c == '-')
}

/// Whether the source holds no code at all (only blanks and comments).
pub fn is_blank(source: &str) -> bool {
    tokenize(source).is_empty()
}

/// Parses and compiles a program.
pub fn compile(source: &str, lang: Lang) -> Result<Program, SyntaxError> {
    let tokens = tokenize(source);
    let defined = tokens
        .windows(2)
        .filter(|pair| {
            keyword(&pair[0].norm) == Some(Kw::Define) && keyword(&pair[1].norm).is_none()
        })
        .map(|pair| pair[1].norm.clone())
        .collect();
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        lang,
        defined,
    };
    let (main, definitions) = parser.program()?;
    let mut compiler = Compiler {
        ops: Vec::new(),
        calls: Vec::new(),
    };
    compiler.block(&main);
    compiler.ops.push(Op::Halt);
    let mut starts = BTreeMap::new();
    for definition in &definitions {
        starts.insert(normalize(&definition.shown), compiler.ops.len());
        compiler.block(&definition.body);
        compiler.ops.push(Op::Return {
            line: definition.line,
        });
    }
    for (at, name) in compiler.calls {
        if let (Some(&start), Some(Op::Call { to, .. })) =
            (starts.get(&name), compiler.ops.get_mut(at))
        {
            *to = start;
        }
    }
    Ok(Program { ops: compiler.ops })
}

struct Compiler {
    ops: Vec<Op>,
    /// Call ops to patch once every command's start is known: (op index, name).
    calls: Vec<(usize, String)>,
}

impl Compiler {
    fn block(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.statement(stmt);
        }
    }

    /// Placeholder jump target, patched by [`Compiler::patch`].
    const LATER: usize = usize::MAX;

    fn patch(&mut self, at: usize, target: usize) {
        if let Some(Op::Jump { to, .. } | Op::JumpUnless { to, .. } | Op::CountDown { to, .. }) =
            self.ops.get_mut(at)
        {
            *to = target;
        }
    }

    fn statement(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Move(line) => self.ops.push(Op::Move { line: *line }),
            Stmt::TurnLeft(line) => self.ops.push(Op::TurnLeft { line: *line }),
            Stmt::Put(line) => self.ops.push(Op::Put { line: *line }),
            Stmt::Pick(line) => self.ops.push(Op::Pick { line: *line }),
            Stmt::Stop => self.ops.push(Op::Halt),
            Stmt::If {
                cond,
                then,
                otherwise,
                line,
            } => {
                let test = self.ops.len();
                self.ops.push(Op::JumpUnless {
                    cond: *cond,
                    to: Self::LATER,
                    line: *line,
                });
                self.block(then);
                if otherwise.is_empty() {
                    self.patch(test, self.ops.len());
                } else {
                    let skip = self.ops.len();
                    self.ops.push(Op::Jump {
                        to: Self::LATER,
                        line: *line,
                    });
                    self.patch(test, self.ops.len());
                    self.block(otherwise);
                    self.patch(skip, self.ops.len());
                }
            }
            Stmt::While { cond, body, line } => {
                let head = self.ops.len();
                self.ops.push(Op::JumpUnless {
                    cond: *cond,
                    to: Self::LATER,
                    line: *line,
                });
                self.block(body);
                self.ops.push(Op::Jump {
                    to: head,
                    line: *line,
                });
                self.patch(head, self.ops.len());
            }
            Stmt::Repeat { count, body, line } => {
                self.ops.push(Op::PushCount {
                    count: *count,
                    line: *line,
                });
                let head = self.ops.len();
                self.ops.push(Op::CountDown {
                    to: Self::LATER,
                    line: *line,
                });
                self.block(body);
                self.ops.push(Op::Jump {
                    to: head,
                    line: *line,
                });
                self.patch(head, self.ops.len());
            }
            Stmt::Call { name, shown, line } => {
                self.calls.push((self.ops.len(), name.clone()));
                self.ops.push(Op::Call {
                    to: Self::LATER,
                    name: shown.clone(),
                    line: *line,
                });
            }
        }
    }
}
