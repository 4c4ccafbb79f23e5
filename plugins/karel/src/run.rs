//! Runs a compiled program on a world, with limits that turn a pupil's endless loop or
//! endless recursion into a message rather than a stuck or crashed plugin.
//!
//! Two budgets: `max_steps` counts Karel's basic commands (what the pupil sees as steps);
//! the op budget also counts tests and jumps, so a loop that never moves Karel
//! (`DOKUD JE ZEĎ KONEC`) ends too. The op budget is shared by all worlds of one check
//! ([`CHECK_OP_BUDGET`]) so that a whole check stays well inside the sandbox's fuel
//! (one op costs about 100–150 units of fuel: 1.5 million ops stay near 200 million
//! of the 400 million fuel a call gets).

use aktovka_plugin_abi::Lang;

use crate::lang::{Cond, Op, Program, Test};
use crate::world::{MAX_MARKS, World};

/// The default `max_steps`.
pub const DEFAULT_MAX_STEPS: u32 = 10_000;
/// The largest `max_steps` a task may set (keeps a check within the sandbox's time).
pub const MAX_MAX_STEPS: u32 = 100_000;
/// How deeply commands may call each other.
pub const MAX_CALL_DEPTH: usize = 100;

/// Ops one check may execute over all its worlds.
pub const CHECK_OP_BUDGET: u64 = 1_500_000;

/// The op budget of one world for a step budget: generous for honest programs, which
/// execute a few tests and jumps per step.
pub fn world_op_budget(max_steps: u32) -> u64 {
    u64::from(max_steps) * 20 + 10_000
}

/// Why a run stopped early; the pupil's bug, told with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// `KROK` into a wall or the edge.
    Wall { line: usize },
    /// `ZVEDNI` on a square with no mark.
    NothingToPick { line: usize },
    /// `POLOŽ` on a square with 9 marks.
    Full { line: usize },
    /// More than `max_steps` basic commands.
    Steps { limit: u32 },
    /// The op budget ran out (a loop that does not move Karel, or too much work overall).
    TooLong { line: usize },
    /// Calls nested deeper than [`MAX_CALL_DEPTH`].
    Recursion { line: usize, name: String },
}

impl RunError {
    /// The message for the pupil.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RunError::Wall { line } => lang.pick(
                format!("Karel narazil do zdi na řádku {line}."),
                format!("Karel hit a wall on line {line}."),
            ),
            RunError::NothingToPick { line } => lang.pick(
                format!("Na řádku {line} není co zvednout."),
                format!("Line {line}: there is no mark to pick up."),
            ),
            RunError::Full { line } => lang.pick(
                format!("Na řádku {line} už na políčku leží {MAX_MARKS} značek, víc se nevejde."),
                format!("Line {line}: the square already holds {MAX_MARKS} marks; no more fit."),
            ),
            RunError::Steps { limit } => lang.pick(
                format!("Karel udělal přes {limit} kroků – nekonečný cyklus?"),
                format!("Karel made over {limit} steps – an endless loop?"),
            ),
            RunError::TooLong { line } => lang.pick(
                format!("Program běží příliš dlouho (řádek {line}) – nekonečný cyklus?"),
                format!("The program runs too long (line {line}) – an endless loop?"),
            ),
            RunError::Recursion { line, name } => lang.pick(
                format!(
                    "Na řádku {line} se příkaz „{name}“ volá příliš hluboko (víc než {MAX_CALL_DEPTH} volání v sobě) – nekonečná rekurze?"
                ),
                format!(
                    "Line {line}: “{name}” is called too deeply (more than {MAX_CALL_DEPTH} nested calls) – endless recursion?"
                ),
            ),
        }
    }
}

/// The end of a run: the final world (as it was when an error struck) and the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The world at the end.
    pub world: World,
    /// Why the run stopped early, if it did.
    pub error: Option<RunError>,
    /// Basic commands executed.
    pub steps: u32,
    /// Ops executed.
    pub ops: u64,
}

fn holds(cond: Cond, world: &World) -> bool {
    let value = match cond.test {
        Test::Wall => world.ahead().is_none(),
        Test::Mark => world.marks(world.karel) > 0,
        Test::Facing(dir) => world.dir == dir,
    };
    value != cond.negated
}

/// Runs `program` on `world` with at most `max_steps` steps and `op_budget` ops.
pub fn run(program: &Program, mut world: World, max_steps: u32, op_budget: u64) -> Outcome {
    let mut pc = 0usize;
    let mut steps = 0u32;
    let mut budget = op_budget;
    let mut returns: Vec<usize> = Vec::new();
    let mut counters: Vec<u32> = Vec::new();
    let error = loop {
        let Some(op) = program.ops.get(pc) else {
            break None;
        };
        if budget == 0 {
            break Some(RunError::TooLong { line: line_of(op) });
        }
        budget -= 1;
        if matches!(
            op,
            Op::Move { .. } | Op::TurnLeft { .. } | Op::Put { .. } | Op::Pick { .. }
        ) {
            if steps >= max_steps {
                break Some(RunError::Steps { limit: max_steps });
            }
            steps += 1;
        }
        pc += 1;
        match op {
            Op::Move { line } => match world.ahead() {
                Some(next) => world.karel = next,
                None => break Some(RunError::Wall { line: *line }),
            },
            Op::TurnLeft { .. } => world.dir = world.dir.left(),
            Op::Put { line } => {
                let here = world.marks(world.karel);
                if here >= MAX_MARKS {
                    break Some(RunError::Full { line: *line });
                }
                world.set_marks(world.karel, here + 1);
            }
            Op::Pick { line } => {
                let here = world.marks(world.karel);
                if here == 0 {
                    break Some(RunError::NothingToPick { line: *line });
                }
                world.set_marks(world.karel, here - 1);
            }
            Op::Halt => break None,
            Op::Jump { to, .. } => pc = *to,
            Op::JumpUnless { cond, to, .. } => {
                if !holds(*cond, &world) {
                    pc = *to;
                }
            }
            Op::PushCount { count, .. } => counters.push(*count),
            Op::CountDown { to, .. } => match counters.last_mut() {
                Some(0) | None => {
                    counters.pop();
                    pc = *to;
                }
                Some(left) => *left -= 1,
            },
            Op::Call { to, name, line } => {
                if returns.len() >= MAX_CALL_DEPTH {
                    break Some(RunError::Recursion {
                        line: *line,
                        name: name.clone(),
                    });
                }
                returns.push(pc);
                pc = *to;
            }
            Op::Return { .. } => match returns.pop() {
                Some(back) => pc = back,
                None => break None,
            },
        }
    };
    Outcome {
        world,
        error,
        steps,
        ops: op_budget - budget,
    }
}

fn line_of(op: &Op) -> usize {
    match op {
        Op::Move { line }
        | Op::TurnLeft { line }
        | Op::Put { line }
        | Op::Pick { line }
        | Op::Jump { line, .. }
        | Op::JumpUnless { line, .. }
        | Op::PushCount { line, .. }
        | Op::CountDown { line, .. }
        | Op::Call { line, .. }
        | Op::Return { line } => *line,
        Op::Halt => 0,
    }
}
