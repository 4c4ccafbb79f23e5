//! Draws a sheet as plain SVG: no scripts, no external references, generic fonts.
//!
//! Column letters on top and row numbers on the left as in the programs; numbers are
//! right-aligned, text left-aligned; the target cell is yellow with a thick border (with
//! `?` before an answer, the pupil's result after), cells the formula is copied to are
//! pale yellow with a dashed border.

use std::collections::BTreeMap;
use std::fmt::Write;

use aktovka_plugin_abi::{Lang, xml_escape};

use crate::eval::Value;
use crate::formula::{Addr, column_name};

const ROW_HEIGHT: u32 = 26;
const HEADER_WIDTH: u32 = 36;
const CHAR_WIDTH: u32 = 8;
const MIN_COL: u32 = 64;
const MAX_COL: u32 = 240;
const MAX_CHARS: usize = 28;
const FONT: &str = "font-family=\"sans-serif\" font-size=\"13\"";

/// What to draw: every shown cell's value, the target and the copy cells.
pub struct Picture<'a> {
    /// (address, value) of the non-empty cells.
    pub cells: &'a [(Addr, Value)],
    /// The cell the pupil fills.
    pub target: Addr,
    /// What the target shows (`None`: a question mark).
    pub target_value: Option<&'a Value>,
    /// Whether the pupil's result is right (colours the target), when there is one.
    pub correct: Option<bool>,
    /// Cells the formula is copied to.
    pub copies: &'a [Addr],
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The SVG of the sheet.
pub fn draw(picture: &Picture<'_>, lang: Lang) -> String {
    let mut last = picture.target;
    for addr in picture.cells.iter().map(|(a, _)| a).chain(picture.copies) {
        last.col = last.col.max(addr.col);
        last.row = last.row.max(addr.row);
    }
    let by_addr: BTreeMap<Addr, &Value> = picture.cells.iter().map(|(a, v)| (*a, v)).collect();
    let shown = |addr: Addr| -> Option<String> {
        if addr == picture.target {
            return Some(
                picture
                    .target_value
                    .map_or("?".to_owned(), |v| shorten(&v.show(lang))),
            );
        }
        by_addr.get(&addr).map(|v| shorten(&v.show(lang)))
    };
    let widths: Vec<u32> = (0..=last.col)
        .map(|col| {
            let chars = (0..=last.row)
                .filter_map(|row| shown(Addr { col, row }))
                .map(|t| t.chars().count() as u32)
                .max()
                .unwrap_or(0);
            (chars * CHAR_WIDTH + 16).clamp(MIN_COL, MAX_COL)
        })
        .collect();
    let x_of = |col: u32| HEADER_WIDTH + widths[..col as usize].iter().sum::<u32>();
    let width = x_of(last.col + 1) + 1;
    let height = ROW_HEIGHT * (last.row + 2) + 1;
    let mut svg = String::new();
    let title = lang.pick(
        format!("Tabulka, vzorec patří do buňky {}", picture.target),
        format!("A sheet; the formula goes in cell {}", picture.target),
    );
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\"><title>{}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>",
        xml_escape(&title)
    );
    let _ = write!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{ROW_HEIGHT}\" fill=\"#eeeeee\"/><rect x=\"0\" y=\"0\" width=\"{HEADER_WIDTH}\" height=\"{height}\" fill=\"#eeeeee\"/>"
    );
    for col in 0..=last.col {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"18\" {FONT} fill=\"#555555\" text-anchor=\"middle\">{}</text>",
            x_of(col) + widths[col as usize] / 2,
            column_name(col)
        );
    }
    for row in 0..=last.row {
        let y = ROW_HEIGHT * (row + 1);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" {FONT} fill=\"#555555\" text-anchor=\"middle\">{}</text>",
            HEADER_WIDTH / 2,
            y + 18,
            row + 1
        );
        for col in 0..=last.col {
            let addr = Addr { col, row };
            let x = x_of(col);
            let w = widths[col as usize];
            let (fill, stroke, extra) = if addr == picture.target {
                let stroke = match picture.correct {
                    Some(true) => "#2e7d32",
                    Some(false) => "#c62828",
                    None => "#e0a800",
                };
                ("#fff3c4", stroke, " stroke-width=\"3\"")
            } else if picture.copies.contains(&addr) {
                ("#fffbe6", "#e0a800", " stroke-dasharray=\"4 3\"")
            } else {
                ("#ffffff", "#cccccc", "")
            };
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{ROW_HEIGHT}\" fill=\"{fill}\" stroke=\"{stroke}\"{extra}/>"
            );
        }
    }
    // Text after all rectangles so a thick border never covers a neighbour's text.
    for row in 0..=last.row {
        for col in 0..=last.col {
            let addr = Addr { col, row };
            let Some(text) = shown(addr) else { continue };
            let value = if addr == picture.target {
                picture.target_value
            } else {
                by_addr.get(&addr).copied()
            };
            let numeric = matches!(value, Some(Value::Number(_)));
            let (tx, anchor) = if addr == picture.target && picture.target_value.is_none() {
                (x_of(col) + widths[col as usize] / 2, "middle")
            } else if numeric {
                (x_of(col) + widths[col as usize] - 6, "end")
            } else {
                (x_of(col) + 6, "start")
            };
            let weight = if addr == picture.target {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = write!(
                svg,
                "<text x=\"{tx}\" y=\"{}\" {FONT}{weight} fill=\"#000000\" text-anchor=\"{anchor}\">{}</text>",
                ROW_HEIGHT * (row + 1) + 18,
                xml_escape(&text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
