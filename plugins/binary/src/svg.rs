//! The place-value table shown beside binary conversions: one column per bit with its
//! power of two (2⁷ … 2⁰) and place value (128 … 1), and the bits themselves when the
//! pupil converts from binary (empty boxes to fill in otherwise). Plain SVG: no scripts,
//! no external references, generic fonts.

use std::fmt::Write;

use aktovka_plugin_abi::{Lang, xml_escape};

const CELL_W: usize = 52;
const ROW_H: usize = 30;
const LEFT: usize = 4;
const TOP: usize = 4;
const FONT: &str = "font-family=\"sans-serif\" text-anchor=\"middle\"";

/// Superscript digits for the exponent row.
fn superscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// The table for `width` bits; `digits` (as many as `width`) fill the last row.
pub fn place_values(width: usize, digits: Option<&str>, lang: Lang) -> String {
    let width = width.max(1);
    let (w, h) = (LEFT * 2 + width * CELL_W, TOP * 2 + 3 * ROW_H);
    let title = lang.pick(
        "Tabulka místních hodnot dvojkové soustavy",
        "Place values of the binary system",
    );
    let mut svg = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{}</title><rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>",
        xml_escape(title)
    );
    let bits: Vec<char> = digits.map(|d| d.chars().collect()).unwrap_or_default();
    for column in 0..width {
        let power = width - 1 - column;
        let x = LEFT + column * CELL_W;
        let cx = x + CELL_W / 2;
        for row in 0..3 {
            let y = TOP + row * ROW_H;
            let fill = if row == 2 { "#fffbe6" } else { "#eef3fb" };
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL_W}\" height=\"{ROW_H}\" fill=\"{fill}\" stroke=\"#5b6b82\"/>"
            );
        }
        let value = if power < 64 {
            (1u64 << power).to_string()
        } else {
            String::new()
        };
        let bit = bits.get(column).map(|c| c.to_string()).unwrap_or_default();
        let rows = [
            (format!("2{}", superscript(power)), "14", "#33415c"),
            (value, if power >= 10 { "11" } else { "14" }, "#33415c"),
            (bit, "18", "#111111"),
        ];
        for (row, (text, size, color)) in rows.into_iter().enumerate() {
            let y = TOP + row * ROW_H + ROW_H / 2 + 6;
            let _ = write!(
                svg,
                "<text x=\"{cx}\" y=\"{y}\" font-size=\"{size}\" fill=\"{color}\" {FONT}>{}</text>",
                xml_escape(&text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_a_column_per_bit_and_shows_the_bits() {
        let svg = place_values(8, Some("10110110"), Lang::Cs);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">2⁷<") && svg.contains(">128<") && svg.contains(">2⁰<"));
        assert_eq!(svg.matches("<rect x=").count(), 24);
        assert!(!svg.contains("<script"));
        let empty = place_values(4, None, Lang::En);
        assert!(empty.contains("Place values") && empty.contains(">8<"));
        assert!(!empty.contains(">16<"));
    }
}
