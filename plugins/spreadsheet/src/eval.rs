//! Values, the sheet and the evaluator.
//!
//! Semantics follow Excel where pupils can see them: empty cells count as 0 in arithmetic
//! and are skipped by SUM/AVERAGE/COUNT; text that looks like a number (`"2"`) takes part in
//! arithmetic; text compares case-insensitively and sorts after numbers; errors propagate
//! through operators and functions. Evaluation never fails and never hangs: a circular
//! reference is the value [`ErrorKind::Cycle`] (its path is kept for the feedback), and a
//! chain of references deeper than [`MAX_DEPTH`] or work beyond [`MAX_STEPS`] gives
//! `#HODNOTA!` with [`Evaluator::limit_hit`] set.

use std::collections::{BTreeMap, HashMap};

use aktovka_plugin_abi::Lang;

use crate::formula::{Addr, CellRef, ErrorKind, Expr, Func, Op, corners};

/// The longest chain of cells referring to each other that is evaluated.
pub const MAX_DEPTH: usize = 64;
/// The most expression nodes and range cells visited in one evaluation of a sheet.
pub const MAX_STEPS: u32 = 200_000;

/// A cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    Error(ErrorKind),
}

impl Value {
    /// The value as the cell shows it (numbers in the general format, Czech decimal comma).
    pub fn show(&self, lang: Lang) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Number(n) => format_number(*n, lang),
            Value::Text(t) => t.clone(),
            Value::Bool(b) => match (b, lang) {
                (true, Lang::Cs) => "PRAVDA".into(),
                (false, Lang::Cs) => "NEPRAVDA".into(),
                (true, Lang::En) => "TRUE".into(),
                (false, Lang::En) => "FALSE".into(),
            },
            Value::Error(e) => e.show(lang).to_owned(),
        }
    }

    /// Whether two results are the same for grading (numbers up to rounding noise).
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => close(*a, *b),
            (a, b) => a == b,
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A number in the general format: at most 10 significant digits, no trailing zeros.
pub fn format_number(n: f64, lang: Lang) -> String {
    if !n.is_finite() {
        return ErrorKind::Num.show(lang).to_owned();
    }
    let text = if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        let magnitude = n.abs().log10().floor() as i32;
        let decimals = (9 - magnitude).clamp(0, 12) as usize;
        let mut t = format!("{n:.decimals$}");
        if t.contains('.') {
            while t.ends_with('0') {
                t.pop();
            }
            if t.ends_with('.') {
                t.pop();
            }
        }
        t
    };
    let text = if text == "-0" { "0".to_owned() } else { text };
    match lang {
        Lang::Cs => text.replace('.', ","),
        Lang::En => text,
    }
}

/// What a cell holds: a constant or a formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Value(Value),
    Formula(Expr),
}

/// The cells of a sheet; absent cells are empty.
pub type Sheet = BTreeMap<Addr, Content>;

/// One argument of a function: a single value, or the cells of a range.
enum Arg {
    Scalar(Value),
    Range {
        top_left: Addr,
        /// The non-empty cells of the range, row by row.
        cells: Vec<(Addr, Value)>,
    },
}

/// Evaluates cells of one sheet, caching each cell's value.
pub struct Evaluator<'a> {
    sheet: &'a Sheet,
    lang: Lang,
    cache: HashMap<Addr, Value>,
    stack: Vec<Addr>,
    steps: u32,
    /// How often MAX_DEPTH cut an evaluation short; a value computed meanwhile is not cached.
    depth_cuts: u32,
    /// The first circular reference met, as the chain of cells (first = last).
    pub cycle: Option<Vec<Addr>>,
    /// Whether [`MAX_DEPTH`] or [`MAX_STEPS`] was reached.
    pub limit_hit: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `sheet`.
    /// An evaluator for `sheet`; text made from numbers (`&`, CONCAT) is written as the
    /// Czech or the English program writes it (`1,5` or `1.5`).
    pub fn new(sheet: &'a Sheet, lang: Lang) -> Evaluator<'a> {
        Evaluator {
            sheet,
            lang,
            cache: HashMap::new(),
            stack: Vec::new(),
            steps: 0,
            depth_cuts: 0,
            cycle: None,
            limit_hit: false,
        }
    }

    /// An evaluator for `sheet` with every formula computed top to bottom, then bottom to
    /// top: long chains (a running total down 100 rows, in either direction) are cached a
    /// few cells at a time, so a later question about any cell stays far below
    /// [`MAX_DEPTH`]. A chain still too deep is not cached and hits the limit again when
    /// asked for, which is when `limit_hit` counts.
    pub fn warmed(sheet: &'a Sheet, lang: Lang) -> Evaluator<'a> {
        let mut evaluator = Evaluator::new(sheet, lang);
        let formulas: Vec<Addr> = sheet
            .iter()
            .filter(|(_, c)| matches!(c, Content::Formula(_)))
            .map(|(a, _)| *a)
            .collect();
        for addr in formulas.iter().chain(formulas.iter().rev()) {
            evaluator.cell(*addr);
        }
        evaluator.limit_hit = false;
        evaluator
    }

    /// The value of the cell at `addr` (a formula's empty result shows as 0).
    pub fn cell(&mut self, addr: Addr) -> Value {
        if let Some(v) = self.cache.get(&addr) {
            return v.clone();
        }
        if let Some(at) = self.stack.iter().position(|a| *a == addr) {
            if self.cycle.is_none() {
                let mut path = self.stack[at..].to_vec();
                path.push(addr);
                self.cycle = Some(path);
            }
            return Value::Error(ErrorKind::Cycle);
        }
        let value = match self.sheet.get(&addr) {
            None => Value::Empty,
            Some(Content::Value(v)) => v.clone(),
            Some(Content::Formula(expr)) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.limit_hit = true;
                    self.depth_cuts += 1;
                    return Value::Error(ErrorKind::Value);
                }
                let cuts = self.depth_cuts;
                self.stack.push(addr);
                let v = match self.scalar(expr) {
                    Value::Empty => Value::Number(0.0),
                    v => v,
                };
                self.stack.pop();
                if self.depth_cuts != cuts {
                    return v;
                }
                v
            }
        };
        // A cell on a cycle is not cached while the cycle is open: each entry point gets
        // the error from its own evaluation.
        if self.stack.is_empty() || self.cycle.is_none() {
            self.cache.insert(addr, value.clone());
        }
        value
    }

    fn step(&mut self) -> bool {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.limit_hit = true;
            return false;
        }
        true
    }

    /// The value of `expr` where one value is wanted (a one-cell range is that cell).
    pub fn scalar(&mut self, expr: &Expr) -> Value {
        if !self.step() {
            return Value::Error(ErrorKind::Value);
        }
        match expr {
            Expr::Number(n) => Value::Number(*n),
            Expr::Text(t) => Value::Text(t.clone()),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Error(e) => Value::Error(*e),
            Expr::Ref(r) => self.reference(r),
            Expr::Range(a, b) => {
                if a.addr == b.addr {
                    self.reference(a)
                } else {
                    Value::Error(ErrorKind::Value)
                }
            }
            Expr::Neg(e) => match number(self.scalar(e)) {
                Ok(n) => Value::Number(-n),
                Err(e) => Value::Error(e),
            },
            Expr::Percent(e) => match number(self.scalar(e)) {
                Ok(n) => Value::Number(n / 100.0),
                Err(e) => Value::Error(e),
            },
            Expr::Binary(op, a, b) => {
                let a = self.scalar(a);
                let b = self.scalar(b);
                binary(*op, a, b, self.lang)
            }
            Expr::Call(f, args) => self.call(*f, args),
            Expr::UnknownName(_) | Expr::UnknownCall(..) => Value::Error(ErrorKind::Name),
        }
    }

    fn reference(&mut self, r: &CellRef) -> Value {
        if !r.valid {
            return Value::Error(ErrorKind::Ref);
        }
        self.cell(r.addr)
    }

    fn arg(&mut self, expr: &Expr) -> Arg {
        let Expr::Range(a, b) = expr else {
            return Arg::Scalar(self.scalar(expr));
        };
        if !a.valid || !b.valid {
            return Arg::Scalar(Value::Error(ErrorKind::Ref));
        }
        let (top_left, bottom_right) = corners(a.addr, b.addr);
        let inside: Vec<Addr> = self
            .sheet
            .keys()
            .filter(|c| {
                (top_left.col..=bottom_right.col).contains(&c.col)
                    && (top_left.row..=bottom_right.row).contains(&c.row)
            })
            .copied()
            .collect();
        let mut cells = Vec::with_capacity(inside.len());
        for addr in inside {
            if !self.step() {
                return Arg::Scalar(Value::Error(ErrorKind::Value));
            }
            let v = self.cell(addr);
            if v != Value::Empty {
                cells.push((addr, v));
            }
        }
        Arg::Range { top_left, cells }
    }

    /// Every argument's numbers the way SUM/AVERAGE/MIN/MAX see them: numbers in ranges
    /// (text and truth values there are skipped), direct arguments converted.
    fn numbers(&mut self, args: &[Expr]) -> Result<Vec<f64>, ErrorKind> {
        let mut out = Vec::new();
        for a in args {
            match self.arg(a) {
                Arg::Scalar(Value::Empty) => {}
                Arg::Scalar(v) => out.push(number(v)?),
                Arg::Range { cells, .. } => {
                    for (_, v) in cells {
                        match v {
                            Value::Number(n) => out.push(n),
                            Value::Error(e) => return Err(e),
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> Value {
        let result = match f {
            Func::Sum => self.numbers(args).map(|ns| Value::Number(ns.iter().sum())),
            Func::Average => self.numbers(args).and_then(|ns| {
                if ns.is_empty() {
                    Err(ErrorKind::Div0)
                } else {
                    Ok(Value::Number(ns.iter().sum::<f64>() / ns.len() as f64))
                }
            }),
            Func::Min => self
                .numbers(args)
                .map(|ns| Value::Number(ns.into_iter().reduce(f64::min).unwrap_or(0.0))),
            Func::Max => self
                .numbers(args)
                .map(|ns| Value::Number(ns.into_iter().reduce(f64::max).unwrap_or(0.0))),
            Func::Count | Func::CountA => Ok(Value::Number(self.count(f, args))),
            Func::CountIf | Func::SumIf => self.conditional(f, args),
            Func::If => self.if_(args),
            Func::And | Func::Or => self.logical(f, args),
            Func::Not => truth(self.scalar(&args[0])).map(|b| Value::Bool(!b)),
            Func::Round => self.round(args),
            Func::Abs => number(self.scalar(&args[0])).map(|n| Value::Number(n.abs())),
            Func::Concat | Func::Concatenate => self.concat(f, args),
        };
        result.unwrap_or_else(Value::Error)
    }

    fn count(&mut self, f: Func, args: &[Expr]) -> f64 {
        let mut n = 0;
        for a in args {
            match self.arg(a) {
                Arg::Scalar(v) => {
                    let counts = match (f, v) {
                        (_, Value::Empty) => false,
                        (Func::Count, Value::Text(t)) => parse_number(&t).is_some(),
                        (Func::Count, v) => matches!(v, Value::Number(_) | Value::Bool(_)),
                        _ => true,
                    };
                    n += usize::from(counts);
                }
                Arg::Range { cells, .. } => {
                    n += cells
                        .iter()
                        .filter(|(_, v)| f == Func::CountA || matches!(v, Value::Number(_)))
                        .count();
                }
            }
        }
        n as f64
    }

    fn conditional(&mut self, f: Func, args: &[Expr]) -> Result<Value, ErrorKind> {
        let Arg::Range { top_left, cells } = self.arg(&args[0]) else {
            return Err(ErrorKind::Value);
        };
        let criterion = match self.scalar(&args[1]) {
            Value::Error(e) => return Err(e),
            v => Criterion::new(v),
        };
        let sum_origin = match args.get(2) {
            Some(Expr::Range(a, b)) if a.valid && b.valid => Some(corners(a.addr, b.addr).0),
            Some(Expr::Ref(r)) if r.valid => Some(r.addr),
            Some(_) => return Err(ErrorKind::Value),
            None => None,
        };
        let mut count = 0.0;
        let mut sum = 0.0;
        for (addr, v) in cells {
            if let Value::Error(e) = v {
                return Err(e);
            }
            if !criterion.matches(&v) {
                continue;
            }
            count += 1.0;
            let summed = match sum_origin {
                None => v,
                Some(origin) => {
                    let cols = i64::from(addr.col) - i64::from(top_left.col);
                    let rows = i64::from(addr.row) - i64::from(top_left.row);
                    match origin.offset(cols, rows) {
                        Some(at) => self.cell(at),
                        None => Value::Empty,
                    }
                }
            };
            match summed {
                Value::Number(n) => sum += n,
                Value::Error(e) => return Err(e),
                _ => {}
            }
        }
        Ok(Value::Number(if f == Func::CountIf { count } else { sum }))
    }

    fn if_(&mut self, args: &[Expr]) -> Result<Value, ErrorKind> {
        let condition = truth(self.scalar(&args[0]))?;
        let branch = if condition { args.get(1) } else { args.get(2) };
        Ok(match branch {
            Some(e) => match self.scalar(e) {
                Value::Empty => Value::Number(0.0),
                v => v,
            },
            None => Value::Bool(false),
        })
    }

    fn logical(&mut self, f: Func, args: &[Expr]) -> Result<Value, ErrorKind> {
        let mut seen = false;
        let mut all = true;
        let mut any = false;
        for a in args {
            let values = match self.arg(a) {
                Arg::Scalar(Value::Empty) => Vec::new(),
                Arg::Scalar(v) => vec![Value::Bool(truth(v)?)],
                Arg::Range { cells, .. } => cells.into_iter().map(|(_, v)| v).collect(),
            };
            for v in values {
                let b = match v {
                    Value::Bool(b) => b,
                    Value::Number(n) => n != 0.0,
                    Value::Error(e) => return Err(e),
                    _ => continue,
                };
                seen = true;
                all &= b;
                any |= b;
            }
        }
        if !seen {
            return Err(ErrorKind::Value);
        }
        Ok(Value::Bool(if f == Func::And { all } else { any }))
    }

    fn round(&mut self, args: &[Expr]) -> Result<Value, ErrorKind> {
        let x = number(self.scalar(&args[0]))?;
        let digits = number(self.scalar(&args[1]))?.trunc().clamp(-15.0, 15.0) as i32;
        let scale = 10f64.powi(digits);
        // Excel rounds half away from zero on the decimal value; the tiny push away from
        // zero keeps 2.675 (stored as 2.67499…) rounding to 2.68 as the pupil expects.
        Ok(Value::Number((x * scale * (1.0 + 1e-12)).round() / scale))
    }

    fn concat(&mut self, f: Func, args: &[Expr]) -> Result<Value, ErrorKind> {
        let mut out = String::new();
        for a in args {
            match self.arg(a) {
                Arg::Scalar(v) => out.push_str(&text(v, self.lang)?),
                Arg::Range { cells, .. } => {
                    if f == Func::Concatenate {
                        return Err(ErrorKind::Value);
                    }
                    for (_, v) in cells {
                        out.push_str(&text(v, self.lang)?);
                    }
                }
            }
        }
        Ok(Value::Text(out))
    }
}

/// A value as a number for arithmetic.
fn number(v: Value) -> Result<f64, ErrorKind> {
    match v {
        Value::Empty => Ok(0.0),
        Value::Number(n) => Ok(n),
        Value::Bool(b) => Ok(f64::from(u8::from(b))),
        Value::Text(t) => parse_number(&t).ok_or(ErrorKind::Value),
        Value::Error(e) => Err(e),
    }
}

/// Text as a number: `12`, `-3.5`, `3,5`, `1 024`; `None` otherwise.
pub fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty()
        || cleaned
            .chars()
            .any(|c| c.is_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A value as a truth value for IF/AND/OR/NOT.
fn truth(v: Value) -> Result<bool, ErrorKind> {
    match v {
        Value::Empty => Ok(false),
        Value::Bool(b) => Ok(b),
        Value::Number(n) => Ok(n != 0.0),
        Value::Text(t) => {
            let upper = t.to_uppercase();
            match aktovka_plugin_abi::fold(&upper).as_str() {
                "TRUE" | "PRAVDA" => Ok(true),
                "FALSE" | "NEPRAVDA" => Ok(false),
                _ => Err(ErrorKind::Value),
            }
        }
        Value::Error(e) => Err(e),
    }
}

/// A value as text for `&` and CONCAT, as the cell would show it.
fn text(v: Value, lang: Lang) -> Result<String, ErrorKind> {
    match v {
        Value::Error(e) => Err(e),
        other => Ok(other.show(lang)),
    }
}

fn binary(op: Op, a: Value, b: Value, lang: Lang) -> Value {
    if let Value::Error(e) = a {
        return Value::Error(e);
    }
    if let Value::Error(e) = b {
        return Value::Error(e);
    }
    match op {
        Op::Concat => match (text(a, lang), text(b, lang)) {
            (Ok(a), Ok(b)) => Value::Text(a + &b),
            (Err(e), _) | (_, Err(e)) => Value::Error(e),
        },
        Op::Eq | Op::Ne | Op::Lt | Op::Gt | Op::Le | Op::Ge => {
            let ord = compare(&a, &b);
            Value::Bool(match op {
                Op::Eq => ord == std::cmp::Ordering::Equal,
                Op::Ne => ord != std::cmp::Ordering::Equal,
                Op::Lt => ord == std::cmp::Ordering::Less,
                Op::Gt => ord == std::cmp::Ordering::Greater,
                Op::Le => ord != std::cmp::Ordering::Greater,
                _ => ord != std::cmp::Ordering::Less,
            })
        }
        _ => {
            let (x, y) = match (number(a), number(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => return Value::Error(e),
            };
            let n = match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                Op::Div if y == 0.0 => return Value::Error(ErrorKind::Div0),
                Op::Div => x / y,
                _ if x == 0.0 && y < 0.0 => return Value::Error(ErrorKind::Div0),
                _ => x.powf(y),
            };
            if n.is_finite() {
                Value::Number(n)
            } else {
                Value::Error(ErrorKind::Num)
            }
        }
    }
}

/// Excel's order: numbers < text < truth values; text case-insensitively; an empty cell
/// is 0 next to a number and "" next to text.
fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Number(_) | Value::Empty => 0,
            Value::Text(_) => 1,
            _ => 2,
        }
    }
    match (a, b) {
        (Value::Empty, Value::Text(t)) => "".cmp(t.to_lowercase().as_str()),
        (Value::Text(t), Value::Empty) => t.to_lowercase().as_str().cmp(""),
        (Value::Text(x), Value::Text(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ if rank(a) == 0 && rank(b) == 0 => {
            let x = number(a.clone()).unwrap_or(0.0);
            let y = number(b.clone()).unwrap_or(0.0);
            if close(x, y) {
                Ordering::Equal
            } else {
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A COUNTIF/SUMIF criterion: `5`, `">5"`, `"<>hotovo"`, `"Jablk*"`.
struct Criterion {
    op: Op,
    value: Value,
}

impl Criterion {
    fn new(v: Value) -> Criterion {
        let Value::Text(t) = v else {
            return Criterion {
                op: Op::Eq,
                value: v,
            };
        };
        let (op, rest) = [
            ("<>", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
            ("=", Op::Eq),
        ]
        .iter()
        .find_map(|(prefix, op)| t.strip_prefix(prefix).map(|rest| (*op, rest)))
        .unwrap_or((Op::Eq, t.as_str()));
        let value = match parse_number(rest) {
            Some(n) => Value::Number(n),
            None => Value::Text(rest.to_owned()),
        };
        Criterion { op, value }
    }

    fn matches(&self, v: &Value) -> bool {
        if let (Value::Text(pattern), Value::Text(text)) = (&self.value, v)
            && matches!(self.op, Op::Eq | Op::Ne)
        {
            return wildcard(&pattern.to_lowercase(), &text.to_lowercase()) == (self.op == Op::Eq);
        }
        let comparable = matches!(
            (&self.value, v),
            (Value::Number(_), Value::Number(_))
                | (Value::Text(_), Value::Text(_))
                | (Value::Bool(_), Value::Bool(_))
        );
        if !comparable {
            return self.op == Op::Ne;
        }
        matches!(
            binary(self.op, v.clone(), self.value.clone(), Lang::Cs),
            Value::Bool(true)
        )
    }
}

/// `*` any run of characters, `?` one character.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}
