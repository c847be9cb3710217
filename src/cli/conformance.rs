//! `ferrobpf conformance [--engine E] PATH...`: run `.data` tests and print
//! one line per failing test, then `N passed, M failed, K skipped`.

use super::{engines, print_line, CliError};
use ferrobpf_conformance::runner::{run_paths, RunnerOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ferrobpf conformance`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The engine that runs the tests.
    #[arg(long, default_value = "interp")]
    engine: String,
    /// Also print passing and skipped tests.
    #[arg(short, long)]
    verbose: bool,
    /// Test files or directories (searched recursively for `.data` files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the tests; exit 1 if any failed.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let engine = engines::select(&args.engine)?;
    let summary = run_paths(engine.as_ref(), &args.paths, &RunnerOptions::default());
    if args.verbose {
        for report in &summary.reports {
            print_line(&report.to_string())?;
        }
        print_line(&summary.totals())?;
    } else {
        print_line(&summary.to_string())?;
    }
    Ok(if summary.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
