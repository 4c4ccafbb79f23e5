//! Draws a world as plain SVG: no scripts, no external references, generic fonts.
//!
//! Walls are dark squares, marks yellow discs with their count, Karel a blue triangle
//! pointing where he faces; the goal is drawn faintly in green (dashed outline where Karel
//! should end, the wanted count in a square's corner). Row 1 is at the bottom.

use std::fmt::Write;

use aktovka_plugin_abi::{Lang, xml_escape};

use crate::world::{Dir, Goal, Pos, World, show};

const CELL: u32 = 40;
const LEFT: u32 = 24;
const TOP: u32 = 4;
const BOTTOM: u32 = 24;
const RIGHT: u32 = 4;
const FONT: &str = "font-family=\"sans-serif\"";
const GOAL_COLOR: &str = "#2e7d32";

fn corner(world: &World, (x, y): Pos) -> (u32, u32) {
    (
        LEFT + (u32::from(x) - 1) * CELL,
        TOP + u32::from(world.height - y) * CELL,
    )
}

fn angle(dir: Dir) -> u32 {
    match dir {
        Dir::North => 0,
        Dir::East => 90,
        Dir::South => 180,
        Dir::West => 270,
    }
}

/// The SVG of `world`, with `goal` drawn faintly when given.
pub fn draw(world: &World, goal: Option<&Goal>, lang: Lang) -> String {
    let width = LEFT + u32::from(world.width) * CELL + RIGHT;
    let height = TOP + u32::from(world.height) * CELL + BOTTOM;
    let mut svg = String::new();
    let title = lang.pick(
        format!(
            "Svět {} × {}, Karel stojí na {} a kouká na {}",
            world.width,
            world.height,
            show(world.karel),
            world.dir.name(lang)
        ),
        format!(
            "World {} × {}, Karel on {} facing {}",
            world.width,
            world.height,
            show(world.karel),
            world.dir.name(lang)
        ),
    );
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\"><title>{}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>",
        xml_escape(&title)
    );
    for pos in world.squares() {
        let (px, py) = corner(world, pos);
        let fill = if world.is_wall(pos) {
            "#5a5a5a"
        } else {
            "#fafafa"
        };
        let _ = write!(
            svg,
            "<rect x=\"{px}\" y=\"{py}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"{fill}\" stroke=\"#c8c8c8\"/>"
        );
    }
    let _ = write!(
        svg,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"3\"/>",
        u32::from(world.width) * CELL,
        u32::from(world.height) * CELL
    );
    for x in 1..=world.width {
        let (px, _) = corner(world, (x, 1));
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555555\" text-anchor=\"middle\">{x}</text>",
            px + CELL / 2,
            height - 8
        );
    }
    for y in 1..=world.height {
        let (_, py) = corner(world, (1, y));
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#555555\" text-anchor=\"middle\">{y}</text>",
            LEFT / 2,
            py + CELL / 2 + 4
        );
    }
    if let Some(goal) = goal {
        draw_goal(&mut svg, world, goal);
    }
    let marked: Vec<(Pos, u8)> = world
        .squares()
        .map(|pos| (pos, world.marks(pos)))
        .filter(|(_, count)| *count > 0)
        .collect();
    for &(pos, _) in &marked {
        let (px, py) = corner(world, pos);
        let _ = write!(
            svg,
            "<circle cx=\"{}\" cy=\"{}\" r=\"12\" fill=\"#f2b600\" stroke=\"#8a6d00\"/>",
            px + CELL / 2,
            py + CELL / 2
        );
    }
    triangle(
        &mut svg,
        world,
        world.karel,
        world.dir,
        (15, 12),
        "fill=\"#1565c0\" fill-opacity=\"0.85\" stroke=\"#0d3c75\" stroke-width=\"1.5\"",
    );
    // Counts go last so Karel never hides them.
    for &(pos, count) in &marked {
        let (px, py) = corner(world, pos);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"14\" font-weight=\"bold\" fill=\"#000000\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" text-anchor=\"middle\">{count}</text>",
            px + CELL / 2,
            py + CELL / 2 + 5
        );
    }
    svg.push_str("</svg>");
    svg
}

fn draw_goal(svg: &mut String, world: &World, goal: &Goal) {
    if let Some(marks) = &goal.marks {
        for &(pos, count) in marks.iter().filter(|(_, count)| *count > 0) {
            let (px, py) = corner(world, pos);
            let _ = write!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"14\" fill=\"none\" stroke=\"{GOAL_COLOR}\" stroke-opacity=\"0.5\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\" {FONT} font-size=\"11\" fill=\"{GOAL_COLOR}\" fill-opacity=\"0.7\" text-anchor=\"end\">{count}</text>",
                px + CELL / 2,
                py + CELL / 2,
                px + CELL - 3,
                py + 12
            );
        }
    }
    if let Some((pos, dir)) = goal.karel {
        let (px, py) = corner(world, pos);
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{GOAL_COLOR}\" stroke-opacity=\"0.6\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>",
            px + 3,
            py + 3,
            CELL - 6,
            CELL - 6
        );
        if let Some(dir) = dir {
            triangle(
                svg,
                world,
                pos,
                dir,
                (12, 9),
                &format!(
                    "fill=\"none\" stroke=\"{GOAL_COLOR}\" stroke-opacity=\"0.6\" stroke-dasharray=\"3 2\""
                ),
            );
        }
    }
}

/// A triangle on `pos` pointing `dir`: its tip `reach.0` px from the square's centre, its
/// base `reach.1` px behind and to each side; `style` holds its fill and stroke attributes.
fn triangle(svg: &mut String, world: &World, pos: Pos, dir: Dir, reach: (u32, u32), style: &str) {
    let (px, py) = corner(world, pos);
    let (cx, cy) = (px + CELL / 2, py + CELL / 2);
    let (tip, base) = reach;
    let _ = write!(
        svg,
        "<polygon points=\"{cx},{} {},{} {},{}\" {style} transform=\"rotate({} {cx} {cy})\"/>",
        cy - tip,
        cx - base,
        cy + base,
        cx + base,
        cy + base,
        angle(dir)
    );
}
