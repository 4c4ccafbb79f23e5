//! The `binary` plugin's entry point: one ABI request on stdin, one response on stdout.

use std::process::ExitCode;

fn main() -> ExitCode {
    aktovka_plugin_abi::run(&aktovka_binary::BinaryPlugin)
}
