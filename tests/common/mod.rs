//! Helpers shared by the integration tests: run the real binary and read its JSON.

#![allow(dead_code)] // each test crate uses its own subset

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_mlrun-lint");

/// Runs `mlrun-lint ARGS` in `dir` with colour off, the `full` report at its
/// default width (100 columns: the caller's `COLUMNS` does not leak in) and no
/// cache of warm runs (many tests run in the repository's own fixtures, which a
/// test run must not write into; tests/cache.rs tests the cache).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_cached_in(dir, args, false)
}

/// [`run_in`], with the cache of warm runs in `dir` when `cached`.
pub fn run_cached_in(dir: &Path, args: &[&str], cached: bool) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    if cached {
        command.env_remove("MLRUN_LINT_NO_CACHE");
    } else {
        command.env("MLRUN_LINT_NO_CACHE", "1");
    }
    command.output().expect("the mlrun-lint binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// `check --fix` with the client version 1.6.4 and concise output.
pub const FIX_ARGS: &[&str] = &[
    "check",
    "--output-format",
    "concise",
    "--mlrun-version",
    "1.6.4",
    "--fix",
];

/// Runs [`FIX_ARGS`] with `extra` flags.
pub fn fix(dir: &Path, extra: &[&str]) -> Output {
    let mut args = FIX_ARGS.to_vec();
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Runs `check --output-format json` and returns the parsed diagnostics.
pub fn check_json(dir: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    let output = run_in(dir, &all);
    let code = output.status.code().expect("exited normally");
    assert!(
        code == 0 || code == 1,
        "exit {code}; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    (json.as_array().expect("an array").clone(), code)
}

/// A readable, exact rendering of diagnostics for snapshots: position, code,
/// severity, message, help and fix with its edits.
pub fn describe(diagnostics: &[Value]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let pos = |p: &Value| format!("{}:{}", p["line"], p["column"]);
        out.push_str(&format!(
            "{}:{}-{} {} {} [{}] {}\n",
            d["path"].as_str().unwrap_or_default(),
            pos(&d["start"]),
            pos(&d["end"]),
            d["code"].as_str().unwrap_or_default(),
            d["rule"].as_str().unwrap_or_default(),
            d["severity"].as_str().unwrap_or_default(),
            d["message"].as_str().unwrap_or_default(),
        ));
        if let Some(help) = d["help"].as_str() {
            out.push_str(&format!("    help: {help}\n"));
        }
        if let Some(fix) = d["fix"].as_object() {
            out.push_str(&format!(
                "    fix ({}): {}\n",
                fix["applicability"].as_str().unwrap_or_default(),
                fix["message"].as_str().unwrap_or_default()
            ));
            for edit in fix["edits"].as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "      {}-{} => {:?}\n",
                    pos(&edit["start"]),
                    pos(&edit["end"]),
                    edit["content"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    out
}
