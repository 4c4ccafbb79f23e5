//! The `quiz` plugin's entry point: one ABI request on stdin, one response on stdout.

use std::process::ExitCode;

use aktovka_plugin_abi::one_shot::OneShot;

/// A grading allocates a few dozen small blocks and ends: the one-shot allocator skips
/// `malloc`'s bookkeeping for them.
#[global_allocator]
static ALLOCATOR: OneShot = OneShot::new();

fn main() -> ExitCode {
    aktovka_plugin_abi::run(&aktovka_quiz::QuizPlugin)
}
