//! The `fracture` binary: parse the command line, run, print the error chain, exit with a code.

use clap::Parser;
use fracture::cli::Cli;
use fracture::pipeline::{self, ExitCode};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { ExitCode::Usage } else { ExitCode::Ok };
            let _ = e.print();
            std::process::exit(code as i32);
        }
    };
    if let Err(err) = pipeline::run(cli) {
        eprintln!("error: {}", pipeline::error_chain(&err));
        std::process::exit(pipeline::exit_code(&err) as i32);
    }
}
