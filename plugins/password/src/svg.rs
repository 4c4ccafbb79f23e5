//! The strength meter shown with a `strong` verdict: five segments filled up to the level,
//! red to green, with the level's name. It never shows the password. Plain SVG: no
//! scripts, no external references, generic fonts.

use std::fmt::Write;

use aktovka_plugin_abi::{Lang, xml_escape};

use crate::level_name;

const COLORS: [&str; 5] = ["#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32"];
const SEGMENT_W: u32 = 56;
const GAP: u32 = 4;

/// The meter for `level` (0..=4).
pub fn meter(level: u8, lang: Lang) -> String {
    let level = level.min(4);
    let width = 5 * SEGMENT_W + 4 * GAP + 8;
    let height = 58;
    let label = format!(
        "{}: {} ({}/4)",
        lang.pick("Síla hesla", "Password strength"),
        level_name(level, lang),
        level
    );
    let mut svg = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\"><title>{label}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>",
        label = xml_escape(&label)
    );
    for i in 0..5u8 {
        let x = 4 + u32::from(i) * (SEGMENT_W + GAP);
        let fill = if i <= level {
            COLORS[usize::from(level)]
        } else {
            "#e0e0e0"
        };
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"30\" width=\"{SEGMENT_W}\" height=\"20\" rx=\"3\" fill=\"{fill}\"/>"
        );
    }
    let _ = write!(
        svg,
        "<text x=\"4\" y=\"20\" font-family=\"sans-serif\" font-size=\"15\" fill=\"#222222\">{}</text></svg>",
        xml_escape(&label)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_fills_segments_up_to_the_level() {
        let svg = meter(2, Lang::Cs);
        assert!(svg.contains("průměrné (2/4)"));
        assert_eq!(svg.matches(COLORS[2]).count(), 3);
        assert_eq!(svg.matches("#e0e0e0").count(), 2);
        assert!(!svg.contains("<script"));
        assert!(meter(9, Lang::En).contains("very strong (4/4)"));
    }
}
