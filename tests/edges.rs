//! The edges of a run (issue 16): a reader's panic costs one file, not the run;
//! nothing is skipped without a word; fixes never lose a byte or a pin.
//!
//! Each case runs the real binary and asserts its exact output and exit code.

mod common;

use common::{code, run_in, stderr, stdout, FIX_ARGS};
use std::fs;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create the folder");
    }
    fs::write(path, text).expect("write the file");
}

/// A notebook on which Ruff's parser reaches an `unreachable!` (one code cell:
/// `import mlrun`, `import x[`, `/`), found by fuzzing the notebook reader.
const RUFF_PANIC_NOTEBOOK: &str = include_str!("data/panic/ruff-unreachable.ipynb");

#[test]
fn a_reader_panic_is_mlr001_for_that_file_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "crash.ipynb", RUFF_PANIC_NOTEBOOK);
    write(dir.path(), "requirements.txt", "pandas\n");
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--mlrun-version",
            "1.6.4",
            ".",
        ],
    );
    assert_eq!(
        stdout(&out),
        "crash.ipynb:1:1: MLR001 the Python parser failed here: internal error: entered \
         unreachable code: IPython escape command expression is only allowed for % and ! (at \
         ruff_python_parser-0.0.10/src/parser/expression.rs:2975)\nrequirements.txt:1:1: \
         MLR201 `pandas` has no version\n"
    );
    // The panic is in the finding, not on stderr as a backtrace.
    assert_eq!(stderr(&out), "");
    assert_eq!(code(&out), 1);
}

const ORIGINAL: &str = "kind: job\nmetadata:\n  name: trainer\nspec:\n  image: mlrun/mlrun\n";
const FIXED: &str = "kind: job\nmetadata:\n  name: trainer\nspec:\n  image: mlrun/mlrun:1.6.4\n";

/// A tree of `count` specs, each in its own folder, each with one safe fix.
fn spec_tree(dir: &Path, count: usize) {
    for index in 0..count {
        write(dir, &format!("f{index:03}/function.yaml"), ORIGINAL);
    }
}

/// Every file under `dir` (recursively), by path relative to it, but for the
/// cache of warm runs.
fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("list") {
            let path = entry.expect("entry").path();
            // The cache of warm runs (`check` writes it in the folder it runs from).
            if path == dir.join(".mlrun_lint_cache") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let shown = path.strip_prefix(dir).expect("under").display().to_string();
                found.push((shown, fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    found.sort();
    found
}

/// A pseudo-random number below `bound`, from the clock: enough to vary the
/// moment of an interrupt from one trial to the next.
fn random_below(bound: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .subsec_nanos();
    u64::from(nanos.wrapping_mul(2_654_435_761)) % bound
}

/// SIGINT and SIGKILL at random moments of a `--fix` on a generated tree: every
/// file is the original or the fully fixed text, never a mix; after the next
/// run (which finishes) every file is fixed and no temporary file remains.
#[cfg(unix)]
#[test]
fn interrupts_and_kills_during_fix_leave_whole_files_and_no_temporary_files() {
    use std::process::{Command, Stdio};
    const FILES: usize = 40;
    for trial in 0..12 {
        let dir = tempfile::tempdir().expect("temp dir");
        spec_tree(dir.path(), FILES);
        let signal = if trial % 2 == 0 {
            libc::SIGINT
        } else {
            libc::SIGKILL
        };
        let child = Command::new(common::BIN)
            .args(FIX_ARGS)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mlrun-lint");
        std::thread::sleep(std::time::Duration::from_millis(random_below(700)));
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        // SAFETY: sending a signal to the child this test started.
        unsafe { libc::kill(pid, signal) };
        let out = child.wait_with_output().expect("wait");
        for (name, text) in files_under(dir.path()) {
            if !name.ends_with("function.yaml") {
                // Only a kill can leave a temporary file, and it says what made it.
                assert!(
                    signal == libc::SIGKILL && name.contains("/.function.yaml.mlrun-lint-fix."),
                    "trial {trial}: a stray file after signal {signal}: {name}"
                );
                continue;
            }
            assert!(
                text == ORIGINAL || text == FIXED,
                "trial {trial}: {name} is neither the original nor the fixed text: {text:?}"
            );
        }
        if signal == libc::SIGINT {
            // Either it finished before the signal, or it stopped between files
            // and said so.
            // A signal before `--fix` starts watching ends the run before any
            // write, by the signal's default action.
            let code = out.status.code();
            let said = String::from_utf8_lossy(&out.stderr).into_owned();
            let untouched = files_under(dir.path())
                .iter()
                .all(|(_, text)| text == ORIGINAL);
            assert!(
                code == Some(0)
                    || (code == Some(130) && said.contains("interrupted"))
                    || (code.is_none() && untouched),
                "trial {trial}: exit {code:?}, stderr {said}"
            );
        }
        let again = run_in(dir.path(), FIX_ARGS);
        assert_eq!(code(&again), 0, "{}", stderr(&again));
        let after = files_under(dir.path());
        assert_eq!(after.len(), FILES, "trial {trial}: {after:?}");
        assert!(after.iter().all(|(_, text)| text == FIXED));
    }
}

/// Temporary files a killed `--fix` left are removed by the next run, a plain
/// `check` too, and it says so: only names of its own pattern, written before
/// the run, of a process that is gone, inside the tree it checks.
#[cfg(unix)]
#[test]
fn a_later_check_removes_stale_temporary_files_inside_the_checked_tree_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    // No process has id 2^31 - 2; the test itself is running.
    let stale = |name: &str| format!(".{name}.mlrun-lint-fix.2147483646.aB3xYz");
    let running = format!(
        ".function.yaml.mlrun-lint-fix.{}.aB3xYz",
        std::process::id()
    );
    write(root, "sub/function.yaml", FIXED);
    write(root, &format!("sub/{}", stale("function.yaml")), ORIGINAL);
    write(root, &format!("sub/{}", stale("notes.txt")), "x");
    write(root, &format!("sub/{running}"), "x");
    write(root, "sub/.notes.mlrun-lint-fix.txt", "a person's file");
    write(
        root,
        &format!("sub/node_modules/{}", stale("function.yaml")),
        "x",
    );
    write(root, &format!("outside/{}", stale("function.yaml")), "x");
    let out = run_in(root, &["check", "--output-format", "concise", "sub"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "mlrun-lint: note: removed sub/.function.yaml.mlrun-lint-fix.2147483646.aB3xYz, a \
         temporary file left by an interrupted `--fix`\n\
         mlrun-lint: note: removed sub/.notes.txt.mlrun-lint-fix.2147483646.aB3xYz, a temporary \
         file left by an interrupted `--fix`\n"
    );
    let left: Vec<String> = files_under(root)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        left,
        [
            "outside/.function.yaml.mlrun-lint-fix.2147483646.aB3xYz".to_string(),
            format!("sub/{running}"),
            "sub/.notes.mlrun-lint-fix.txt".to_string(),
            "sub/function.yaml".to_string(),
            "sub/node_modules/.function.yaml.mlrun-lint-fix.2147483646.aB3xYz".to_string(),
        ]
    );
    // A file named alone (a pre-commit hook): only its own leftovers beside it.
    write(root, &format!("outside/{}", stale("project.yaml")), "x");
    write(root, "outside/function.yaml", FIXED);
    let out = run_in(root, &["check", "outside/function.yaml"]);
    assert_eq!(
        stderr(&out),
        "mlrun-lint: note: removed outside/.function.yaml.mlrun-lint-fix.2147483646.aB3xYz, a \
         temporary file left by an interrupted `--fix`\n"
    );
    assert!(root.join("outside").join(stale("project.yaml")).exists());
    // Nothing left to remove: nothing said.
    let again = run_in(root, &["check", "outside/function.yaml"]);
    assert_eq!(stderr(&again), "");
}

/// The progress line shows on a terminal once a run takes more than half a
/// second, is erased before the report, and never reaches a pipe. The run is
/// held up by standard input (`--stdin-filename`), which it reads to its end;
/// `script` gives it a terminal. (What the line says is `cli`'s unit test.)
#[cfg(target_os = "linux")] // util-linux `script`; BSD's takes other arguments
#[test]
fn the_progress_line_is_for_terminals_only() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("temp dir");
    let command = format!(
        "{} check --output-format concise --stdin-filename requirements.txt",
        common::BIN
    );
    let start = |terminal: bool| {
        let mut run = if terminal {
            let mut script = Command::new("script");
            script.args(["-qfec", &command, "/dev/null"]);
            script
        } else {
            let mut plain = Command::new(common::BIN);
            plain.args(command.split(' ').skip(1));
            plain
        };
        run.current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    };
    let finish = |mut child: std::process::Child, end: &[u8]| {
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"pandas\n").expect("write");
        stdin.write_all(end).expect("write");
        drop(stdin);
        child.wait_with_output().expect("wait")
    };
    let Ok(child) = start(true) else {
        eprintln!("note: no `script`; the terminal half of this test is skipped");
        return;
    };
    // On the terminal, Ctrl-D ends the input.
    let seen = stdout(&finish(child, b"\x04"));
    // Drawn once while the input is awaited (it does not change, so it is not
    // drawn again), then updated as the run goes on, then erased.
    assert!(
        seen.starts_with("\r\x1b[2KChecking: 0 files read"),
        "{seen:?}"
    );
    assert!(!seen.contains("Checking: 0 files read\r"), "{seen:?}");
    assert!(
        seen.contains("\r\x1b[2Krequirements.txt:1:1: MLR201 `pandas` has no version"),
        "{seen:?}"
    );
    let piped = finish(start(false).expect("runs"), b"");
    assert_eq!(stderr(&piped), "");
    assert_eq!(
        stdout(&piped),
        "requirements.txt:1:1: MLR201 `pandas` has no version\n"
    );
}

#[test]
fn a_run_that_reads_nothing_says_so_and_a_clean_one_counts_its_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "notes.md", "# nothing to check\n");
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(
        stdout(&out),
        "No files checked: none of the paths given holds a file mlrun-lint reads.\n"
    );
    assert_eq!(code(&out), 0);
    write(dir.path(), "requirements.txt", "pandas==2.2.2\n");
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(stdout(&out), "All checked: 1 file, no problems found.\n");
    assert_eq!(code(&out), 0);
}

#[test]
fn a_named_file_of_no_known_kind_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "notes.md", "# nothing to check\n");
    write(dir.path(), "requirements.txt", "pandas==2.2.2\n");
    let out = run_in(dir.path(), &["check", "notes.md", "requirements.txt"]);
    assert_eq!(stdout(&out), "All checked: 1 file, no problems found.\n");
    assert_eq!(
        stderr(&out),
        "mlrun-lint: note: notes.md skipped: mlrun-lint does not read this kind of file\n"
    );
    assert_eq!(code(&out), 0);
}

#[test]
fn an_empty_select_and_statistics_in_a_tool_format_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "requirements.txt", "pandas\n");
    let out = run_in(dir.path(), &["check", "--select", ""]);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "mlrun-lint: error: --select names no rule: give codes, prefixes (MLR1), names or ALL; \
         to run nothing, do not run mlrun-lint\n"
    );
    assert_eq!(code(&out), 2);
    let out = run_in(
        dir.path(),
        &["check", "--statistics", "--output-format", "sarif"],
    );
    assert_eq!(
        stderr(&out),
        "mlrun-lint: error: --statistics prints a table (--output-format full or concise) or \
         JSON (json); it cannot be written as sarif\n"
    );
    assert_eq!(code(&out), 2);
}

/// Root reads every folder, so the unreadable folder is made for `nobody` when
/// the tests run as root, and the test is skipped where `su` is missing.
#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_mlr003_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "locked/function.yaml", ORIGINAL);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o000))
        .expect("chmod");
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let out = if root {
        let Ok(out) = std::process::Command::new("su")
            .args(["nobody", "-s", "/bin/sh", "-c"])
            .arg(format!(
                "cd '{}' && NO_COLOR=1 '{}' check --output-format concise",
                dir.path().display(),
                common::BIN
            ))
            .output()
        else {
            return;
        };
        out
    } else {
        run_in(dir.path(), &["check", "--output-format", "concise"])
    };
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o755))
        .expect("chmod back");
    assert_eq!(
        stdout(&out),
        "locked:1:1: MLR003 not checked: cannot read this folder: Permission denied (os error 13)\n"
    );
    assert_eq!(code(&out), 1);
}

/// A `--diff` shows every round `--fix` would write: here MLR101's pin and
/// MLR105's rename-with-pin overlap, so one waits for the next round.
#[test]
fn diff_prints_exactly_what_fix_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "kind: job\nmetadata:\n  name: t\nspec:\n  image: mlrun/ml-models\n  build:\n    base_image: mlrun/mlrun\n";
    write(dir.path(), "function.yaml", text);
    write(dir.path(), "requirements.txt", "mlrun\npandas\n");
    let args = ["--mlrun-version", "1.6.4", "--unsafe-fixes"];
    let diff = run_in(dir.path(), &[&["check", "--diff"], &args[..]].concat());
    assert_eq!(code(&diff), 1);
    let before = files_under(dir.path());
    let fixed = run_in(
        dir.path(),
        &[&["check", "--fix", "--output-format", "concise"], &args[..]].concat(),
    );
    let after = files_under(dir.path());
    let expected: String = before
        .iter()
        .zip(&after)
        .map(|((name, old), (_, new))| mlrun_lint::fix::unified_diff(name, old, new))
        .collect();
    assert_eq!(stdout(&diff), expected);
    assert_ne!(expected, "");
    let (would, did) = (stderr(&diff), stderr(&fixed));
    assert_eq!(would.replace("Would fix", "Fixed"), did);
}

/// With no client version, MLR105 offers no rename: renamed alone, the image
/// would be an untagged `mlrun/mlrun`, the very finding of MLR101.
#[test]
fn no_fix_writes_an_unpinned_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "kind: job\nmetadata:\n  name: t\nspec:\n  image: mlrun/ml-models\n";
    write(dir.path(), "function.yaml", text);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(stderr(&out), "No fixes applied.\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("function.yaml")).expect("read"),
        text
    );
    assert_eq!(code(&out), 1);
}

#[test]
fn a_client_version_has_three_numbers_and_its_source_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "function.yaml", ORIGINAL);
    let out = run_in(dir.path(), &["check", "--mlrun-version", "1.6"]);
    assert_eq!(
        stderr(&out),
        "mlrun-lint: error: --mlrun-version `1.6` is not a client version: give the release's \
         three numbers, X.Y.Z (such as 1.6.4); it has two\n"
    );
    assert_eq!(code(&out), 2);
    // `v1.6.4` is the release 1.6.4, not a development build, and a version from
    // the configuration is named as such.
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.mlrun-lint]\nmlrun-version = \"v1.6.4\"\n",
    );
    let (diagnostics, exit) = common::check_json(dir.path(), &[]);
    assert_eq!(exit, 1);
    assert_eq!(
        diagnostics[0]["help"],
        "MLRun fills the tag from the submitting client's version, so a client upgrade changes \
         the image in production; pin it to `mlrun/mlrun:1.6.4` (client version 1.6.4 from \
         mlrun-version in pyproject.toml)"
    );
}

/// A `# noqa` whose comment gives a reason is a person's note: MLR004 reports it
/// unused but offers no fix that would delete the note.
#[test]
fn an_unused_noqa_with_a_reason_is_not_removed_by_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "pandas==2.2.2  # noqa: MLR201 vendored, pinned upstream\n";
    write(dir.path(), "requirements.txt", text);
    let (diagnostics, _) = common::check_json(dir.path(), &["--select", "MLR004,MLR201"]);
    assert_eq!(
        common::describe(&diagnostics),
        "requirements.txt:1:16-1:30 MLR004 unused-noqa [warning] unused `noqa` directive: MLR201 \
         suppressed nothing\n    help: a suppression that hides nothing hides the next real \
         finding on this line; its comment gives a reason, so it is not removed automatically: \
         remove it by hand\n"
    );
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--select",
            "MLR004,MLR201",
            "--fix",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(stderr(&out), "No fixes applied.\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("requirements.txt")).expect("read"),
        text
    );
}

/// The README's form of a reason after the codes (`-- why`): a wholly unused
/// directive keeps its note (no fix), and a partly unused one loses only the
/// unused code, never the reason.
#[test]
fn unused_noqa_fixes_keep_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "kind: job\nmetadata:\n  name: a\nspec:\n  image: mlrun/mlrun:1.6.4  # noqa: MLR101 -- base image pinned upstream\n  build:\n    base_image: python  # noqa: MLR102, MLR101 -- pinned upstream\n";
    write(dir.path(), "function.yaml", text);
    let select = ["--select", "MLR004,MLR101,MLR102"];
    let (diagnostics, exit) = common::check_json(dir.path(), &select);
    assert_eq!(exit, 1);
    assert_eq!(
        common::describe(&diagnostics),
        "function.yaml:5:29-5:43 MLR004 unused-noqa [warning] unused `noqa` directive: MLR101 \
         suppressed nothing\n    help: a suppression that hides nothing hides the next real \
         finding on this line; its comment gives a reason, so it is not removed automatically: \
         remove it by hand\n\
         function.yaml:7:25-7:47 MLR004 unused-noqa [warning] unused code in `noqa` directive: \
         MLR101 suppressed nothing\n    help: a suppression that hides nothing hides the next \
         real finding on this line\n    fix (safe): Remove MLR101\n      7:33-7:47 => \"MLR102\"\n"
    );
    let out = run_in(
        dir.path(),
        &[
            &["check", "--fix", "--output-format", "concise"],
            &select[..],
        ]
        .concat(),
    );
    assert_eq!(stderr(&out), "Fixed 1 problem in 1 file.\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("function.yaml")).expect("read"),
        text.replace("MLR102, MLR101 -- pinned", "MLR102 -- pinned")
    );
}

/// A file whose name is not UTF-8 is checked, shown with its bytes escaped, and
/// fixed through its real path; a name with a line break cannot forge a line.
#[cfg(unix)]
#[test]
fn odd_file_names_are_checked_escaped_and_fixed() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let odd = dir.path().join(OsStr::from_bytes(b"caf\xe9.yaml"));
    fs::write(&odd, ORIGINAL).expect("write");
    let broken = dir.path().join("a\nb.yaml");
    fs::write(&broken, ORIGINAL).expect("write");
    let out = run_in(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(
        stdout(&out),
        "\"a\\nb.yaml\":5:10: MLR101 MLRun image `mlrun/mlrun` has no \
         tag\n\"caf\\\\xe9.yaml\":5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n"
    );
    let diff = run_in(dir.path(), &["check", "--diff", "--mlrun-version", "1.6.4"]);
    assert!(
        stdout(&diff).starts_with("--- \"a/a\\nb.yaml\"\n+++ \"b/a\\nb.yaml\"\n"),
        "{}",
        stdout(&diff)
    );
    let fixed = run_in(dir.path(), FIX_ARGS);
    assert_eq!(stderr(&fixed), "Fixed 2 problems in 2 files.\n");
    assert_eq!(fs::read_to_string(&odd).expect("read"), FIXED);
    assert_eq!(fs::read_to_string(&broken).expect("read"), FIXED);
}

/// The headline stays one line; the help (why, then what to do) is wrapped to
/// `COLUMNS` in a pipe, at spaces only, never inside a backquoted span.
#[test]
fn full_help_is_wrapped_to_columns_at_spaces_outside_backquotes() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "requirements.txt", "mlrun==1.6.4\n");
    write(dir.path(), "Dockerfile", "FROM mlrun/mlrun\n");
    let out = std::process::Command::new(common::BIN)
        .args(["check", "Dockerfile"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "50")
        .output()
        .expect("runs");
    assert_eq!(
        stdout(&out),
        "error[MLR101] mlrun-image-untagged: MLRun image `mlrun/mlrun` has no tag\n \
         --> Dockerfile:1:6\n  |\n1 | FROM mlrun/mlrun\n  |      ^^^^^^^^^^^\n  |\n  \
         = help: it is pulled as written, with no client\n          version to fill it in, so \
         it resolves\n          `latest`; pin it to `mlrun/mlrun:1.6.4`\n          (client \
         version 1.6.4 from\n          `mlrun==1.6.4` in requirements.txt)\nhelp: Pin the \
         image to `mlrun/mlrun:1.6.4` (unsafe fix)\n  |\n1 | FROM mlrun/mlrun:1.6.4\n\
         \x20 |                 ++++++\n\nFound 1 problem (1 error).\n1 fixable with \
         `--fix --unsafe-fixes`.\n"
    );
    let default = common::run_in(dir.path(), &["check", "Dockerfile"]);
    assert!(stdout(&default).contains(
        "  = help: it is pulled as written, with no client version to fill it in, so it resolves \
         `latest`;\n          pin it to"
    ));
}

#[test]
fn colour_is_chosen_by_flag_and_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "requirements.txt", "pandas\n");
    let first_line = |args: &[&str], env: &[(&str, &str)]| {
        let out = std::process::Command::new(common::BIN)
            .args(args)
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .envs(env.iter().copied())
            .output()
            .expect("runs");
        stdout(&out).lines().next().unwrap_or_default().to_string()
    };
    let plain = "error[MLR201] package-unpinned: `pandas` has no version";
    assert_eq!(first_line(&["check"], &[]), plain, "a pipe gets no colour");
    assert_eq!(
        first_line(&["check", "--color", "never"], &[("FORCE_COLOR", "1")]),
        plain
    );
    assert!(
        first_line(&["check", "--color", "always"], &[("NO_COLOR", "1")]).starts_with('\u{1b}')
    );
    assert!(first_line(&["check"], &[("FORCE_COLOR", "1")]).starts_with('\u{1b}'));
    assert!(first_line(&["check"], &[("CLICOLOR_FORCE", "1")]).starts_with('\u{1b}'));
}
