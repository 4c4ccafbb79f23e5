//! The shipped `spreadsheet` plugin: formulas as pupils write them in Czech Excel and
//! LibreOffice Calc, graded on the teacher's sheet and on variants with other numbers.
//!
//! The contract is `docs/plugins/spreadsheet.md`. [`SheetTask::parse`] is the one reader of
//! a task; [`formula`] parses formulas (Czech and English names, decimal comma, `;`);
//! [`eval`] computes a sheet with cycle, depth and step limits, so every failure is a value
//! to explain, never a crash or a hang; [`svg`] draws the sheet. A check puts the pupil's
//! formula and the reference formula into the target cell (and the cells it is copied to)
//! of the given sheet and of variants generated from the seed, and compares the results:
//! a typed-in number matches the given sheet only, and fails with an explanation.

pub mod eval;
pub mod formula;
pub mod svg;

use std::collections::{BTreeSet, HashMap};

use aktovka_plugin_abi::task::{self, Problems};
use aktovka_plugin_abi::{Check, Lang, Plugin, Rendered, ValidationError, Verdict, invalid_task};
use serde_json::{Map, Value as Json};

use crate::eval::{Content, Evaluator, Sheet, Value, parse_number};
use crate::formula::{Addr, CellRef, ErrorKind, Expr, Func, Syntax, corners, parse};

/// Columns A..Z may hold the task's cells, the target and the copies.
pub const MAX_COLS: u32 = 26;
/// Rows 1..=100 may hold them.
pub const MAX_ROWS: u32 = 100;
/// The most variants with other numbers a task may ask for.
pub const MAX_VARIANTS: usize = 10;
/// Variants checked when the task does not say.
pub const DEFAULT_VARIANTS: usize = 3;
/// The longest text in one cell.
pub const MAX_TEXT_CHARS: usize = 200;

/// The plugin, for [`aktovka_plugin_abi::run`].
pub struct SpreadsheetPlugin;

impl Plugin for SpreadsheetPlugin {
    fn validate(&self, task: &Json, lang: Lang) -> Vec<ValidationError> {
        match SheetTask::parse(task, lang) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    fn render(&self, task: &Json, lang: Lang) -> Result<Rendered, String> {
        let task = SheetTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        let mut prompt_md = task.prompt.clone();
        prompt_md.push_str(&lang.pick(
            format!("\n\nVzorec napiš do buňky **{}**.", task.target),
            format!("\n\nWrite the formula for cell **{}**.", task.target),
        ));
        if !task.copy_to.is_empty() {
            let cells = list(&task.copy_to);
            prompt_md.push_str(&lang.pick(
                format!(" Vzorec se pak zkopíruje do buněk {cells}, takže musí fungovat i tam."),
                format!(" It will then be copied to {cells}, so it must work there too."),
            ));
        }
        prompt_md.push_str(lang.pick(
            "\n\n*Vzorec začíná rovnítkem `=`. Údaje ve funkcích odděluj středníkem `;`, desetinná čísla piš s čárkou (`2,5`). Funkce můžeš psát česky (`SUMA`) i anglicky (`SUM`).*",
            "\n\n*A formula starts with `=`. Separate arguments with `;` or `,`, write decimals with a point (`2.5`). Function names may be English (`SUM`) or Czech (`SUMA`).*",
        ));
        let values = task.values(&task.sheet);
        let svg = svg::draw(
            &svg::Picture {
                cells: &values,
                target: task.target,
                target_value: None,
                correct: None,
                copies: &task.copy_to,
            },
            lang,
        );
        let mut extra = Map::new();
        extra.insert("target".into(), Json::String(task.target.to_string()));
        Ok(Rendered {
            prompt_md,
            svg: Some(svg),
            input: "text",
            choices: None,
            extra,
        })
    }

    fn check(&self, task: &Json, answer: &str, seed: u64, lang: Lang) -> Result<Verdict, String> {
        let task = SheetTask::parse(task, lang).map_err(|e| invalid_task(&e))?;
        Ok(task.check(answer, seed, lang))
    }
}

/// A validated task.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTask {
    prompt: String,
    sheet: Sheet,
    target: Addr,
    expected: Expr,
    copy_to: Vec<Addr>,
    require: Vec<Func>,
    variants: usize,
    keep: Vec<Addr>,
    syntax: Syntax,
}

/// One sheet the formulas are compared on, with its name for the pupil.
struct Variant {
    name: String,
    sheet: Sheet,
}

/// The outcome on one variant.
struct Outcome {
    /// (cell, pupil's value, expected value) for the target and every copy, in order.
    results: Vec<(Addr, Value, Value)>,
    cycle: Option<Vec<Addr>>,
    limit_hit: bool,
}

impl Outcome {
    fn first_wrong(&self) -> Option<&(Addr, Value, Value)> {
        self.results
            .iter()
            .find(|(_, got, want)| !got.same_as(want))
    }
}

impl SheetTask {
    /// Reads and validates a task, reporting every problem with its path.
    pub fn parse(task: &Json, lang: Lang) -> Result<SheetTask, Vec<ValidationError>> {
        let mut p = Problems::new(lang);
        match parse_task(task, Syntax::of(lang), &mut p) {
            Some(parsed) if p.is_empty() => Ok(parsed),
            _ => Err(p.into_vec()),
        }
    }

    /// The non-empty cells of `sheet` with their computed values.
    fn values(&self, sheet: &Sheet) -> Vec<(Addr, Value)> {
        let mut evaluator = Evaluator::warmed(sheet, self.syntax.lang());
        sheet
            .keys()
            .map(|a| (*a, evaluator.cell(*a)))
            .filter(|(_, v)| *v != Value::Empty)
            .collect()
    }

    /// `sheet` with `formula` in the target and, shifted, in every copy cell.
    fn with_formula(&self, sheet: &Sheet, formula: &Expr) -> Sheet {
        let mut sheet = sheet.clone();
        sheet.insert(self.target, Content::Formula(formula.clone()));
        for copy in &self.copy_to {
            let cols = i64::from(copy.col) - i64::from(self.target.col);
            let rows = i64::from(copy.row) - i64::from(self.target.row);
            sheet.insert(*copy, Content::Formula(formula.shifted(cols, rows)));
        }
        sheet
    }

    /// The given sheet and the variants generated from `seed` on which the reference
    /// formula evaluates without error.
    fn variants(&self, seed: u64, lang: Lang) -> Vec<Variant> {
        let mut out = vec![Variant {
            name: lang.pick("Zadaná tabulka", "The given sheet").to_owned(),
            sheet: self.sheet.clone(),
        }];
        let mut rng = SplitMix(seed ^ 0x5eed_7ab1_e000_0000);
        for i in 0..self.variants {
            // A variant where the reference formula errs (a zero divisor drawn) is redrawn.
            for _ in 0..8 {
                let sheet = self.vary(&mut rng);
                let expected = self.with_formula(&sheet, &self.expected);
                let mut evaluator = Evaluator::warmed(&expected, self.syntax.lang());
                let ok = std::iter::once(self.target)
                    .chain(self.copy_to.iter().copied())
                    .all(|a| !matches!(evaluator.cell(a), Value::Error(_)));
                if ok {
                    out.push(Variant {
                        name: lang.pick(
                            format!("Jiná čísla {}", i + 1),
                            format!("Other numbers {}", i + 1),
                        ),
                        sheet,
                    });
                    break;
                }
            }
        }
        out
    }

    /// The sheet with every number constant (except `keep`) replaced by another number of
    /// the same kind: integers by integers from half to twice the size, decimals with the
    /// same number of decimal places; zeros stay.
    fn vary(&self, rng: &mut SplitMix) -> Sheet {
        let mut sheet = self.sheet.clone();
        for (addr, content) in sheet.iter_mut() {
            let Content::Value(Value::Number(n)) = content else {
                continue;
            };
            if self.keep.contains(addr) || *n == 0.0 {
                continue;
            }
            let places = (0..=2)
                .find(|p| {
                    let scaled = *n * 10f64.powi(*p);
                    (scaled - scaled.round()).abs() < 1e-9
                })
                .unwrap_or(2);
            let unit = 10f64.powi(-places);
            let magnitude = n.abs();
            let low = (magnitude / 2.0 / unit).ceil().max(1.0);
            let high = (magnitude * 2.0 / unit).floor().max(low + 2.0);
            let mut steps = low + (rng.next() % ((high - low) as u64).saturating_add(1)) as f64;
            if (steps * unit - magnitude).abs() < unit / 2.0 {
                steps += 1.0;
            }
            *n = (steps * unit * n.signum() * 1e6).round() / 1e6;
        }
        sheet
    }

    fn outcome(&self, variant: &Variant, pupil: &Expr) -> Outcome {
        let pupil_sheet = self.with_formula(&variant.sheet, pupil);
        let expected_sheet = self.with_formula(&variant.sheet, &self.expected);
        let mut got = Evaluator::warmed(&pupil_sheet, self.syntax.lang());
        let mut want = Evaluator::warmed(&expected_sheet, self.syntax.lang());
        let results = std::iter::once(self.target)
            .chain(self.copy_to.iter().copied())
            .map(|a| (a, got.cell(a), want.cell(a)))
            .collect();
        Outcome {
            results,
            cycle: got.cycle.clone(),
            limit_hit: got.limit_hit,
        }
    }

    /// Grades the pupil's formula.
    pub fn check(&self, answer: &str, seed: u64, lang: Lang) -> Verdict {
        let answer = answer.trim();
        let fail = |message: String| self.refuse(message, lang);
        if answer.is_empty() {
            return fail(lang.pick(
                format!(
                    "Napiš do buňky {} vzorec; začíná rovnítkem `=`.",
                    self.target
                ),
                format!(
                    "Write a formula for cell {}; it starts with `=`.",
                    self.target
                ),
            ));
        }
        if !answer.starts_with('=') {
            // `158` and `158 Kč` are both a number typed in.
            if parse_number(answer).is_some() || answer.starts_with(|c: char| c.is_ascii_digit()) {
                return fail(typed_number(lang));
            }
            let message = if parse(&format!("={answer}"), self.syntax).is_ok() {
                lang.pick(
                    "Chybí rovnítko na začátku. Bez `=` tabulka tvůj zápis bere jako obyčejný text a nic nespočítá.",
                    "The `=` at the start is missing. Without it the sheet takes what you typed as plain text and computes nothing.",
                )
            } else {
                lang.pick(
                    "Vzorec musí začínat rovnítkem `=`.",
                    "A formula must start with `=`.",
                )
            };
            return fail(message.to_owned());
        }
        let pupil = match parse(answer, self.syntax) {
            Ok(expr) => expr,
            Err(error) => {
                return fail(lang.pick(
                    format!("Vzorec nejde přečíst: {}", error.message(lang)),
                    format!("The formula cannot be read: {}", error.message(lang)),
                ));
            }
        };
        if pupil.refs().is_empty() && !self.expected.refs().is_empty() {
            let message = if matches!(pupil, Expr::Number(_)) {
                typed_number(lang)
            } else {
                lang.pick(
                    "Ve vzorci nejsou žádné adresy buněk, jen čísla opsaná z tabulky. Když se data změní, výsledek nebude sedět. Použij adresy buněk, třeba `B2`.",
                    "The formula has no cell addresses, only numbers copied from the sheet. When the data change, the result will be wrong. Use cell addresses such as `B2`.",
                )
                .to_owned()
            };
            return fail(message);
        }

        let variants = self.variants(seed, lang);
        let outcomes: Vec<Outcome> = variants.iter().map(|v| self.outcome(v, &pupil)).collect();
        let mut checks: Vec<Check> = variants
            .iter()
            .zip(&outcomes)
            .map(|(variant, outcome)| Check {
                name: variant.name.clone(),
                passed: outcome.first_wrong().is_none(),
                message: match outcome.first_wrong() {
                    None => lang.pick("Vyšlo správně.", "Correct.").to_owned(),
                    Some((addr, got, want)) => lang.pick(
                        format!(
                            "V buňce {addr} vyšlo {}, mělo vyjít {}.",
                            got.show(lang),
                            want.show(lang)
                        ),
                        format!(
                            "Cell {addr} shows {}, it should show {}.",
                            got.show(lang),
                            want.show(lang)
                        ),
                    ),
                },
            })
            .collect();
        let used = pupil.functions();
        for f in &self.require {
            let passed = used.contains(f);
            checks.push(Check {
                name: lang.pick(
                    format!("Funkce {}", f.name(lang)),
                    format!("Function {}", f.name(lang)),
                ),
                passed,
                message: if passed {
                    lang.pick("Použitá.", "Used.").to_owned()
                } else {
                    lang.pick(
                        format!("Úloha chce, abys použil(a) funkci {}.", f.both_names()),
                        format!("The task asks you to use the function {}.", f.name(lang)),
                    )
                },
            });
        }
        let solved = checks.iter().filter(|c| c.passed).count();
        let total = checks.len();
        let passed = solved == total;
        let feedback_md = if passed {
            let others = variants.len() - 1;
            let mut text = match others {
                0 => lang
                    .pick("Výborně! Vzorec počítá správně.", "Well done! The formula is right.")
                    .to_owned(),
                1 => lang
                    .pick(
                        "Výborně! Vzorec počítá správně na zadané tabulce i na tabulce s jinými čísly.",
                        "Well done! The formula is right on the given sheet and on a sheet with other numbers.",
                    )
                    .to_owned(),
                n => lang.pick(
                    format!("Výborně! Vzorec počítá správně na zadané tabulce i na {n} tabulkách s jinými čísly."),
                    format!("Well done! The formula is right on the given sheet and on {n} sheets with other numbers."),
                ),
            };
            if !self.copy_to.is_empty() {
                text.push_str(lang.pick(
                    " Funguje i po zkopírování.",
                    " It works after copying, too.",
                ));
            }
            text
        } else {
            self.diagnose(&pupil, &outcomes, lang).unwrap_or_else(|| {
                checks
                    .iter()
                    .find(|c| !c.passed)
                    .map(|c| c.message.clone())
                    .unwrap_or_default()
            })
        };
        let first = &outcomes[0];
        let pupil_value = first.results.first().map(|(_, got, _)| got.clone());
        let values = self.values(&self.with_formula(&self.sheet, &pupil));
        let svg = svg::draw(
            &svg::Picture {
                cells: &values,
                target: self.target,
                target_value: pupil_value.as_ref(),
                correct: Some(first.first_wrong().is_none()),
                copies: &self.copy_to,
            },
            lang,
        );
        Verdict {
            score: if total == 0 {
                0.0
            } else {
                solved as f64 / total as f64
            },
            passed,
            feedback_md,
            checks,
            svg: Some(svg),
        }
    }

    /// A verdict of 0 with one check: the answer is not a usable formula.
    fn refuse(&self, message: String, lang: Lang) -> Verdict {
        let values = self.values(&self.sheet);
        Verdict {
            score: 0.0,
            passed: false,
            feedback_md: message.clone(),
            checks: vec![Check {
                name: lang.pick("Vzorec", "Formula").to_owned(),
                passed: false,
                message,
            }],
            svg: Some(svg::draw(
                &svg::Picture {
                    cells: &values,
                    target: self.target,
                    target_value: None,
                    correct: None,
                    copies: &self.copy_to,
                },
                lang,
            )),
        }
    }

    /// The most likely reason a formula is wrong, for the feedback.
    fn diagnose(&self, pupil: &Expr, outcomes: &[Outcome], lang: Lang) -> Option<String> {
        let first = outcomes.first()?;
        if let Some(cycle) = &first.cycle {
            let path = cycle
                .iter()
                .map(Addr::to_string)
                .collect::<Vec<_>>()
                .join(" → ");
            let t = self.target;
            return Some(lang.pick(
                format!("Kruhový odkaz ({path}): vzorec v buňce {t} potřebuje k výpočtu sám sebe, takže ho nejde spočítat. Oblast ve vzorci asi zahrnuje i buňku {t}; uprav ji, aby končila před ní."),
                format!("Circular reference ({path}): the formula in {t} needs its own result, so it cannot be computed. The range probably includes {t} itself; make it end before it."),
            ));
        }
        if first.limit_hit {
            return Some(
                lang.pick(
                    "Vzorec je na výpočet příliš složitý (nebo řetěz odkazů příliš dlouhý).",
                    "The formula is too complex to compute (or the chain of references too long).",
                )
                .to_owned(),
            );
        }
        let (addr, got, want) = first
            .first_wrong()
            .cloned()
            .or_else(|| outcomes.iter().find_map(|o| o.first_wrong().cloned()))?;
        let original_right = first.first_wrong().is_none();
        if addr != self.target
            && let Some(hint) = self.copy_hint(pupil, lang)
        {
            return Some(hint);
        }
        if let Value::Error(kind) = got {
            return Some(self.explain_error(kind, pupil, addr, lang));
        }
        if original_right {
            if let Some(text) = self.copy_hint(pupil, lang) {
                return Some(text);
            }
            let constants: Vec<f64> = self
                .values(&self.sheet)
                .into_iter()
                .filter_map(|(_, v)| match v {
                    Value::Number(n) => Some(n),
                    _ => None,
                })
                .collect();
            if let Some(n) = pupil.numbers().into_iter().find(|n| constants.contains(n)) {
                let n = eval::format_number(n, lang);
                return Some(lang.pick(
                    format!("Na zadané tabulce ti to vyjde, ale ve vzorci máš číslo {n} opsané z tabulky. Když se data změní, výsledek nebude sedět – napiš místo čísla adresu buňky."),
                    format!("It works on the given sheet, but the formula contains the number {n} copied from the sheet. When the data change, the result will be wrong – use the cell's address instead."),
                ));
            }
            let mut text = lang.pick(
                format!("Na zadané tabulce ti to vyjde, ale s jinými čísly ne (v buňce {addr} vyšlo {}, mělo vyjít {}). Počítá vzorec opravdu s těmi buňkami, se kterými má?", got.show(lang), want.show(lang)),
                format!("It works on the given sheet but not with other numbers ({addr} shows {}, it should show {}). Does the formula really use the cells it should?", got.show(lang), want.show(lang)),
            );
            if let Some(hint) = self.range_hint(pupil, lang) {
                text.push(' ');
                text.push_str(&hint);
            }
            return Some(text);
        }
        let mut text = lang.pick(
            format!(
                "V buňce {addr} vyšlo {}, ale má vyjít {}.",
                got.show(lang),
                want.show(lang)
            ),
            format!(
                "Cell {addr} shows {}, but it should show {}.",
                got.show(lang),
                want.show(lang)
            ),
        );
        if addr != self.target {
            text.push(' ');
            text.push_str(&self.copy_hint(pupil, lang).unwrap_or_else(|| {
                lang.pick(
                    format!(
                        "Vzorec z {} po zkopírování do {addr} nepočítá správně.",
                        self.target
                    ),
                    format!(
                        "The formula from {} is wrong after copying to {addr}.",
                        self.target
                    ),
                )
            }));
            return Some(text);
        }
        if let Some(hint) = self.range_hint(pupil, lang) {
            text.push(' ');
            text.push_str(&hint);
        } else if pupil.functions() != self.expected.functions() {
            text.push_str(lang.pick(
                " Počítáš asi se správnými buňkami, ale jinou funkcí nebo jiným výpočtem, než chce zadání.",
                " You seem to use the right cells but a different function or calculation than the task asks for.",
            ));
        }
        Some(text)
    }

    fn explain_error(&self, kind: ErrorKind, pupil: &Expr, addr: Addr, lang: Lang) -> String {
        let shown = kind.show(lang);
        match kind {
            ErrorKind::Div0 => lang.pick(
                format!("V buňce {addr} vyšlo {shown}: vzorec dělí nulou nebo prázdnou buňkou. Zkontroluj, čím dělíš."),
                format!("Cell {addr} shows {shown}: the formula divides by zero or by an empty cell. Check what you divide by."),
            ),
            ErrorKind::Value => lang.pick(
                format!("V buňce {addr} vyšlo {shown}: vzorec počítá s textem (třeba s nadpisem sloupce) jako s číslem. Zkontroluj adresy ve vzorci."),
                format!("Cell {addr} shows {shown}: the formula does arithmetic with text (a column heading, say). Check the addresses in the formula."),
            ),
            ErrorKind::Name => {
                let names = pupil.unknown_names().join(", ");
                lang.pick(
                    format!("V buňce {addr} vyšlo {shown}: tabulka nezná název „{names}“. Zkontroluj překlep; funkce se jmenují třeba SUMA, PRŮMĚR, MIN, MAX, POČET, KDYŽ (anglicky SUM, AVERAGE, MIN, MAX, COUNT, IF). Text piš do uvozovek."),
                    format!("Cell {addr} shows {shown}: the sheet does not know the name “{names}”. Check for a typo; functions are called SUM, AVERAGE, MIN, MAX, COUNT, IF (in Czech SUMA, PRŮMĚR, …). Put text in quotes."),
                )
            }
            ErrorKind::Ref => lang.pick(
                format!("V buňce {addr} vyšlo {shown}: vzorec odkazuje na buňku, která neexistuje (mimo list)."),
                format!("Cell {addr} shows {shown}: the formula refers to a cell off the sheet."),
            ),
            ErrorKind::Num => lang.pick(
                format!("V buňce {addr} vyšlo {shown}: výsledek je moc velký nebo se nedá spočítat."),
                format!("Cell {addr} shows {shown}: the result is too large or cannot be computed."),
            ),
            ErrorKind::Cycle => lang.pick(
                format!("V buňce {addr} vznikl kruhový odkaz: vzorec potřebuje sám sebe."),
                format!("Cell {addr} has a circular reference: the formula needs its own result."),
            ),
        }
    }

    /// A reference that should be fixed with `$` (or should not be), when the formula is
    /// copied.
    fn copy_hint(&self, pupil: &Expr, lang: Lang) -> Option<String> {
        let copy = *self.copy_to.first()?;
        let cols = i64::from(copy.col) - i64::from(self.target.col);
        let rows = i64::from(copy.row) - i64::from(self.target.row);
        let wanted = self.expected.refs();
        for r in pupil.refs() {
            let Some(w) = wanted.iter().find(|w| w.addr == r.addr) else {
                continue;
            };
            let moves_wrongly =
                (cols != 0 && w.abs_col && !r.abs_col) || (rows != 0 && w.abs_row && !r.abs_row);
            if moves_wrongly {
                let moved = r.shifted(cols, rows);
                let fixed = CellRef {
                    abs_col: r.abs_col || w.abs_col,
                    abs_row: r.abs_row || w.abs_row,
                    ..r
                };
                return Some(lang.pick(
                    format!("Při kopírování do {copy} se odkaz {r} posune na {moved}, ale má zůstat na místě. Připni ho dolary: `{fixed}` (v Excelu klávesa F4)."),
                    format!("When copied to {copy}, the reference {r} moves to {moved}, but it must stay. Pin it with dollars: `{fixed}` (F4 in Excel)."),
                ));
            }
            let stays_wrongly =
                (cols != 0 && !w.abs_col && r.abs_col) || (rows != 0 && !w.abs_row && r.abs_row);
            if stays_wrongly {
                return Some(lang.pick(
                    format!("Odkaz {r} se při kopírování do {copy} neposune, ale tady se posouvat má: napiš ho bez dolarů."),
                    format!("The reference {r} does not move when copied to {copy}, but here it should: write it without dollars."),
                ));
            }
        }
        None
    }

    /// Which cells the pupil's formula misses or adds compared with the reference.
    fn range_hint(&self, pupil: &Expr, lang: Lang) -> Option<String> {
        let mine = cells_used(pupil);
        let wanted = cells_used(&self.expected);
        let missing: Vec<Addr> = wanted.difference(&mine).copied().collect();
        let extra: Vec<Addr> = mine.difference(&wanted).copied().collect();
        if missing.is_empty() && extra.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(lang.pick(
                format!("Vzorec vynechává {}.", cells_phrase(&missing, lang)),
                format!("The formula leaves out {}.", cells_phrase(&missing, lang)),
            ));
        }
        if !extra.is_empty() {
            let heading = extra
                .iter()
                .any(|a| matches!(self.sheet.get(a), Some(Content::Value(Value::Text(_)))));
            parts.push(lang.pick(
                format!(
                    "Vzorec navíc počítá s {}{}.",
                    cells_phrase_with(&extra),
                    if heading {
                        " (s textem, třeba nadpisem)"
                    } else {
                        ""
                    }
                ),
                format!(
                    "The formula also takes in {}{}.",
                    cells_phrase(&extra, lang),
                    if heading {
                        " (text, such as a heading)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let has_range = !pupil.ranges().is_empty();
        if has_range {
            parts.push(lang.pick(
                "Zkontroluj oblast: zapisuje se levou horní a pravou dolní buňkou, třeba `B2:B5`.",
                "Check the range: it is written as its top-left and bottom-right cells, e.g. `B2:B5`.",
            ).to_owned());
        }
        Some(parts.join(" "))
    }
}

/// Every cell a formula reads, ranges expanded (capped to the task's area).
fn cells_used(expr: &Expr) -> BTreeSet<Addr> {
    let mut out = BTreeSet::new();
    expr.walk(&mut |e| match e {
        Expr::Ref(r) if r.valid => {
            out.insert(r.addr);
        }
        Expr::Range(a, b) if a.valid && b.valid => {
            let (tl, br) = corners(a.addr, b.addr);
            for row in tl.row..=br.row.min(MAX_ROWS) {
                for col in tl.col..=br.col.min(MAX_COLS) {
                    out.insert(Addr { col, row });
                }
            }
        }
        _ => {}
    });
    out
}

fn cells_phrase(cells: &[Addr], lang: Lang) -> String {
    let shown: Vec<String> = cells.iter().take(4).map(Addr::to_string).collect();
    let mut text = if cells.len() == 1 {
        lang.pick(format!("buňku {}", shown[0]), format!("cell {}", shown[0]))
    } else {
        lang.pick(
            format!("buňky {}", shown.join(", ")),
            format!("cells {}", shown.join(", ")),
        )
    };
    if cells.len() > 4 {
        text.push_str(&lang.pick(
            format!(" (a další, celkem {})", cells.len()),
            format!(" (and more, {} in all)", cells.len()),
        ));
    }
    text
}

/// Czech instrumental: `s buňkou B1`, `s buňkami B1, B2`.
fn cells_phrase_with(cells: &[Addr]) -> String {
    cells_phrase(cells, Lang::Cs)
        .replacen("buňku", "buňkou", 1)
        .replacen("buňky", "buňkami", 1)
}

fn typed_number(lang: Lang) -> String {
    lang.pick(
        "Napsal(a) jsi číslo, ne vzorec – když se změní data, výsledek nebude sedět. Začni rovnítkem a použij adresy buněk, třeba `=B2+B3`.",
        "You typed a number, not a formula – when the data change, the result will be wrong. Start with `=` and use cell addresses, e.g. `=B2+B3`.",
    )
    .to_owned()
}

fn list(cells: &[Addr]) -> String {
    cells
        .iter()
        .map(Addr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A small deterministic generator (SplitMix64): the same seed gives the same variants on
/// the laptop and on the school server.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn parse_task(task: &Json, syntax: Syntax, p: &mut Problems) -> Option<SheetTask> {
    let lang = p.lang();
    let t = task::table(task, "task", p)?;
    task::unknown_keys(
        t,
        &[
            "prompt",
            "rows",
            "cells",
            "target",
            "expected",
            "copy_to",
            "require_functions",
            "variants",
            "keep",
        ],
        "task",
        p,
    );
    let prompt = task::required(t, "prompt", "task", p)
        .and_then(|v| task::non_empty_string(v, "task.prompt", p));
    let mut sheet = Sheet::new();
    // Where each cell was written, for the paths of problems found by computing the sheet.
    let mut origin: HashMap<Addr, String> = HashMap::new();
    if let Some(rows) = t.get("rows").and_then(|v| task::array(v, "task.rows", p)) {
        for (r, row) in rows.iter().enumerate() {
            let row_path = task::index("task.rows", r);
            let Some(items) = task::array(row, &row_path, p) else {
                continue;
            };
            for (c, item) in items.iter().enumerate() {
                let path = task::index(&row_path, c);
                let addr = Addr {
                    col: c as u32,
                    row: r as u32,
                };
                if !inside(addr) {
                    outside(&path, addr, p);
                    continue;
                }
                if let Some(content) = parse_cell(item, &path, syntax, p) {
                    sheet.insert(addr, content);
                    origin.insert(addr, path);
                }
            }
        }
    }
    if let Some(cells) = t.get("cells").and_then(|v| task::table(v, "task.cells", p)) {
        for (key, item) in cells {
            let path = task::join("task.cells", key);
            let Some(addr) = parse_addr(key, &path, p) else {
                continue;
            };
            match parse_cell(item, &path, syntax, p) {
                Some(content) => {
                    sheet.insert(addr, content);
                    origin.insert(addr, path);
                }
                None => {
                    sheet.remove(&addr);
                }
            }
        }
    }
    if !t.contains_key("rows") && !t.contains_key("cells") {
        p.push(
            "task",
            "chybí tabulka: rows = [[…], …] nebo [task.cells]",
            "the sheet is missing: rows = [[…], …] or [task.cells]",
        );
    }
    let target = task::required(t, "target", "task", p)
        .and_then(|v| task::string(v, "task.target", p))
        .and_then(|s| parse_addr(s, "task.target", p));
    if let Some(target) = target
        && sheet.contains_key(&target)
    {
        p.push(
            "task.target",
            format!("buňka {target} už v tabulce něco má; do cílové buňky píše vzorec žák, nech ji prázdnou"),
            format!("cell {target} already holds something; the pupil writes the target cell, leave it empty"),
        );
    }
    let expected = task::required(t, "expected", "task", p)
        .and_then(|v| task::non_empty_string(v, "task.expected", p))
        .and_then(|s| match parse(s, syntax) {
            Ok(e) => Some(e),
            Err(err) => {
                p.push(
                    "task.expected",
                    format!("vzorec nejde přečíst: {}", err.message(Lang::Cs)),
                    format!("the formula cannot be read: {}", err.message(Lang::En)),
                );
                None
            }
        });
    let mut copy_to = Vec::new();
    if let Some(list) = t
        .get("copy_to")
        .and_then(|v| task::array(v, "task.copy_to", p))
    {
        for (i, item) in list.iter().enumerate() {
            let path = task::index("task.copy_to", i);
            let Some(addr) = task::string(item, &path, p).and_then(|s| parse_addr(s, &path, p))
            else {
                continue;
            };
            if Some(addr) == target || copy_to.contains(&addr) {
                p.push(
                    &path,
                    format!("buňka {addr} je tu podruhé"),
                    format!("cell {addr} is listed twice"),
                );
                continue;
            }
            copy_to.push(addr);
        }
    }
    let mut require = Vec::new();
    if let Some(list) = t
        .get("require_functions")
        .and_then(|v| task::array(v, "task.require_functions", p))
    {
        for (i, item) in list.iter().enumerate() {
            let path = task::index("task.require_functions", i);
            let Some(name) = task::string(item, &path, p) else {
                continue;
            };
            match Func::lookup(name) {
                Some(f) => require.push(f),
                None => p.push(
                    &path,
                    format!("neznámá funkce „{name}“"),
                    format!("unknown function `{name}`"),
                ),
            }
        }
    }
    let variants = match t.get("variants") {
        None => Some(DEFAULT_VARIANTS),
        Some(v) => task::integer(v, "task.variants", p).and_then(|n| {
            let fits = usize::try_from(n).ok().filter(|n| *n <= MAX_VARIANTS);
            if fits.is_none() {
                p.push(
                    "task.variants",
                    format!("má být od 0 do {MAX_VARIANTS}"),
                    format!("must be from 0 to {MAX_VARIANTS}"),
                );
            }
            fits
        }),
    };
    let mut keep = Vec::new();
    if let Some(list) = t.get("keep").and_then(|v| task::array(v, "task.keep", p)) {
        for (i, item) in list.iter().enumerate() {
            let path = task::index("task.keep", i);
            if let Some(addr) = task::string(item, &path, p).and_then(|s| parse_addr(s, &path, p)) {
                keep.push(addr);
            }
        }
    }
    let task = SheetTask {
        prompt: prompt?.to_owned(),
        sheet,
        target: target?,
        expected: expected?,
        copy_to,
        require,
        variants: variants?,
        keep,
        syntax,
    };
    // The sheet's own formulas and the reference formula must compute on the given sheet.
    let filled = task.with_formula(&task.sheet, &task.expected);
    let mut evaluator = Evaluator::warmed(&filled, lang);
    for addr in filled.keys() {
        let value = evaluator.cell(*addr);
        if let Value::Error(kind) = value {
            let (path, cs_what, en_what) = if *addr == task.target || task.copy_to.contains(addr) {
                (
                    "task.expected".to_owned(),
                    format!("vzorec v {addr}"),
                    format!("the formula in {addr}"),
                )
            } else {
                (
                    origin
                        .get(addr)
                        .cloned()
                        .unwrap_or_else(|| format!("task.cells.{addr}")),
                    format!("buňka {addr}"),
                    format!("cell {addr}"),
                )
            };
            let shown = kind.show(lang);
            p.push(
                &path,
                format!("{cs_what} dává chybu {shown}; referenční řešení musí vyjít bez chyby"),
                format!(
                    "{en_what} gives the error {shown}; the reference must compute without errors"
                ),
            );
        }
    }
    Some(task)
}

fn inside(addr: Addr) -> bool {
    addr.col < MAX_COLS && addr.row < MAX_ROWS
}

fn outside(path: &str, addr: Addr, p: &mut Problems) {
    p.push(
        path,
        format!("buňka {addr} je mimo povolenou oblast A1:Z{MAX_ROWS}"),
        format!("cell {addr} is outside the allowed area A1:Z{MAX_ROWS}"),
    );
}

fn parse_addr(text: &str, path: &str, p: &mut Problems) -> Option<Addr> {
    let Some(addr) = Addr::parse(text.trim()) else {
        p.push(
            path,
            format!("„{text}“ není adresa buňky (např. B6)"),
            format!("`{text}` is not a cell address (e.g. B6)"),
        );
        return None;
    };
    if !inside(addr) {
        outside(path, addr, p);
        return None;
    }
    Some(addr)
}

/// A cell of the teacher's sheet: a number, a truth value, text, `""` (empty) or a
/// formula (`"=B2*C2"`). `None` for an empty cell or after recording a problem.
fn parse_cell(value: &Json, path: &str, syntax: Syntax, p: &mut Problems) -> Option<Content> {
    match value {
        Json::Bool(b) => Some(Content::Value(Value::Bool(*b))),
        Json::Number(_) => task::number(value, path, p).map(|n| Content::Value(Value::Number(n))),
        Json::String(s) if s.is_empty() => None,
        Json::String(s) if s.starts_with('=') => match parse(s, syntax) {
            Ok(expr) => Some(Content::Formula(expr)),
            Err(err) => {
                p.push(
                    path,
                    format!("vzorec nejde přečíst: {}", err.message(Lang::Cs)),
                    format!("the formula cannot be read: {}", err.message(Lang::En)),
                );
                None
            }
        },
        Json::String(s) => {
            if s.chars().count() > MAX_TEXT_CHARS {
                p.push(
                    path,
                    format!("text je delší než {MAX_TEXT_CHARS} znaků"),
                    format!("the text is longer than {MAX_TEXT_CHARS} characters"),
                );
                return None;
            }
            Some(Content::Value(Value::Text(s.clone())))
        }
        _ => {
            p.push(
                path,
                "buňka má být číslo, text, true/false nebo vzorec \"=…\"",
                "a cell must be a number, text, true/false or a formula \"=…\"",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests;
