//! The `aktovka` command line: parses arguments and hands each command to its module in
//! `cli/`, which calls the library. Exit codes: 0 success, 1 the thing checked is wrong,
//! 2 usage or runtime error.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("chyba / error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  příčina / reason: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
