//! Karel's world: the grid, walls, marks, Karel's square and heading, and goals.
//!
//! Squares are numbered from the bottom-left corner, `x` from 1 (west) to `width` (east),
//! `y` from 1 (south) to `height` (north); the edge behaves as a wall. A validated world
//! keeps Karel on a free square and every count within 0..=9.

use aktovka_plugin_abi::Lang;

/// The largest width and height of a world.
pub const MAX_SIZE: u8 = 20;
/// The most marks one square can hold.
pub const MAX_MARKS: u8 = 9;

/// Which way Karel faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Up, towards larger `y`.
    North,
    /// Right, towards larger `x`.
    East,
    /// Down.
    South,
    /// Left.
    West,
}

impl Dir {
    /// Reads `sever`/`north`… (any case, diacritics optional).
    pub fn parse(text: &str) -> Option<Dir> {
        match aktovka_plugin_abi::fold(text).to_lowercase().trim() {
            "sever" | "north" => Some(Dir::North),
            "vychod" | "east" => Some(Dir::East),
            "jih" | "south" => Some(Dir::South),
            "zapad" | "west" => Some(Dir::West),
            _ => None,
        }
    }

    /// The heading after turning 90° left.
    pub fn left(self) -> Dir {
        match self {
            Dir::North => Dir::West,
            Dir::West => Dir::South,
            Dir::South => Dir::East,
            Dir::East => Dir::North,
        }
    }

    /// The step in `x` and `y` one square forward.
    pub fn delta(self) -> (i32, i32) {
        match self {
            Dir::North => (0, 1),
            Dir::East => (1, 0),
            Dir::South => (0, -1),
            Dir::West => (-1, 0),
        }
    }

    /// The name, as in "kouká na sever".
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Dir::North => lang.pick("sever", "north"),
            Dir::East => lang.pick("východ", "east"),
            Dir::South => lang.pick("jih", "south"),
            Dir::West => lang.pick("západ", "west"),
        }
    }
}

/// A square, `[x, y]` from 1.
pub type Pos = (u8, u8);

/// A world's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Squares from west to east.
    pub width: u8,
    /// Squares from south to north.
    pub height: u8,
    walls: Vec<bool>,
    marks: Vec<u8>,
    /// Karel's square.
    pub karel: Pos,
    /// Karel's heading.
    pub dir: Dir,
}

impl World {
    /// An empty world with Karel at `karel`; the caller keeps everything inside.
    pub fn new(width: u8, height: u8, karel: Pos, dir: Dir) -> World {
        let squares = usize::from(width) * usize::from(height);
        World {
            width,
            height,
            walls: vec![false; squares],
            marks: vec![0; squares],
            karel,
            dir,
        }
    }

    /// Whether `(x, y)` is inside the world.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= 1 && y >= 1 && x <= i32::from(self.width) && y <= i32::from(self.height)
    }

    fn index(&self, (x, y): Pos) -> usize {
        (usize::from(y) - 1) * usize::from(self.width) + usize::from(x) - 1
    }

    /// Whether the square is a wall.
    pub fn is_wall(&self, pos: Pos) -> bool {
        self.walls.get(self.index(pos)).copied().unwrap_or(true)
    }

    /// Makes the square a wall.
    pub fn set_wall(&mut self, pos: Pos) {
        let i = self.index(pos);
        if let Some(square) = self.walls.get_mut(i) {
            *square = true;
        }
    }

    /// The marks on the square.
    pub fn marks(&self, pos: Pos) -> u8 {
        self.marks.get(self.index(pos)).copied().unwrap_or(0)
    }

    /// Sets the marks on the square.
    pub fn set_marks(&mut self, pos: Pos, count: u8) {
        let i = self.index(pos);
        if let Some(square) = self.marks.get_mut(i) {
            *square = count;
        }
    }

    /// The square in front of Karel, if it is inside the world and not a wall.
    pub fn ahead(&self) -> Option<Pos> {
        let (dx, dy) = self.dir.delta();
        let (x, y) = (i32::from(self.karel.0) + dx, i32::from(self.karel.1) + dy);
        if !self.contains(x, y) {
            return None;
        }
        let pos = (u8::try_from(x).ok()?, u8::try_from(y).ok()?);
        (!self.is_wall(pos)).then_some(pos)
    }

    /// Every square, row by row from the south.
    pub fn squares(&self) -> impl Iterator<Item = Pos> + '_ {
        (1..=self.height).flat_map(move |y| (1..=self.width).map(move |x| (x, y)))
    }
}

/// What must hold at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// Where Karel must end, and optionally which way he must face.
    pub karel: Option<(Pos, Option<Dir>)>,
    /// The complete list of squares with marks; `None`: marks are not checked.
    pub marks: Option<Vec<(Pos, u8)>>,
}

impl Goal {
    /// The marks the goal wants on `pos` (0 when not listed); `None` if marks are not checked.
    pub fn marks_at(&self, pos: Pos) -> Option<u8> {
        let marks = self.marks.as_ref()?;
        Some(
            marks
                .iter()
                .find(|(p, _)| *p == pos)
                .map_or(0, |(_, count)| *count),
        )
    }

    /// Every way `world` misses the goal, as messages; empty when it is reached.
    pub fn misses(&self, world: &World, lang: Lang) -> Vec<String> {
        let mut misses = Vec::new();
        if let Some((pos, dir)) = self.karel {
            if world.karel != pos {
                let (want, is) = (show(pos), show(world.karel));
                misses.push(lang.pick(
                    format!("Karel má skončit na {want}, ale stojí na {is}."),
                    format!("Karel should end on {want} but stands on {is}."),
                ));
            } else if let Some(dir) = dir
                && world.dir != dir
            {
                let (want, is) = (dir.name(lang), world.dir.name(lang));
                misses.push(lang.pick(
                    format!("Karel má na konci koukat na {want}, kouká na {is}."),
                    format!("Karel should end facing {want} but faces {is}."),
                ));
            }
        }
        if self.marks.is_some() {
            for pos in world.squares() {
                let want = self.marks_at(pos).unwrap_or(0);
                let is = world.marks(pos);
                if want != is {
                    misses.push(marks_message(pos, want, is, lang));
                }
            }
        }
        misses
    }
}

/// `[x, y]`, as squares are written in tasks.
pub fn show((x, y): Pos) -> String {
    format!("[{x}, {y}]")
}

fn marks_message(pos: Pos, want: u8, is: u8, lang: Lang) -> String {
    let square = show(pos);
    match lang {
        Lang::Cs if want == 0 => format!(
            "Na políčku {square} nemá být žádná značka, je tam {is} {}.",
            marks_word(is)
        ),
        Lang::Cs => format!(
            "Na políčku {square} má být {want} {}, je tam {is}.",
            marks_word(want)
        ),
        Lang::En => {
            let plural = if want == 1 { "" } else { "s" };
            format!("The square {square} should have {want} mark{plural} but has {is}.")
        }
    }
}

/// "značka", "značky" or "značek" for a count.
pub fn marks_word(count: u8) -> &'static str {
    match count {
        1 => "značka",
        2..=4 => "značky",
        _ => "značek",
    }
}
