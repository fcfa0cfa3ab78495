use std::process::ExitCode;

fn main() -> ExitCode {
    mlrun_lint::cli::run()
}
