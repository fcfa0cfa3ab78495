//! Hostile and broken inputs on the real binary: alias bombs, 100,000-deep nesting,
//! a 200 MB file, binary and non-UTF-8 files, NUL bytes, FIFOs and directories under
//! candidate names, symlink loops, include cycles, files gone by the time they are
//! read, read-only files and unusual line endings under `--fix`.
//!
//! Each case is made by the test in a temporary folder and must end in a diagnostic
//! (MLR001, MLR002, MLR003) or a clean pass, with the contract's exit code, within a
//! bounded time, and without a changed byte in any file no fix was applied to.
//!
//! The time bound is [`LIMIT`], for an unoptimised build on a busy machine; the
//! product's promise (under a second for each of these in a release build) is
//! what the limits in docs/limits.md are sized for. A run that exceeds the bound is
//! killed, so a hang fails the test instead of stalling the suite.

mod common;

use common::BIN;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any run may take.
const LIMIT: Duration = Duration::from_secs(10);

/// What a run printed, how it ended, and how long it took.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn diagnostics(&self) -> Vec<Value> {
        let json: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("JSON output ({err}): {}", self.stdout));
        json.as_array().expect("an array").clone()
    }

    /// `path: CODE message` of each diagnostic, in report order.
    fn summary(&self) -> Vec<String> {
        self.diagnostics()
            .iter()
            .map(|d| {
                format!(
                    "{}: {} {}",
                    d["path"].as_str().unwrap_or_default(),
                    d["code"].as_str().unwrap_or_default(),
                    d["message"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }
}

/// Runs `mlrun-lint ARGS` in `dir` with `env`, killing it after [`LIMIT`].
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = tempfile::tempdir().expect("temp dir for the output");
    let stdout_path = out.path().join("stdout");
    let stderr_path = out.path().join("stderr");
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("the mlrun-lint binary runs");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mlrun-lint") {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mlrun-lint {args:?} ran longer than {LIMIT:?} and was killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    Run {
        code: status.code().expect("exited normally, not by a signal"),
        stdout: fs::read_to_string(&stdout_path).expect("stdout"),
        stderr: fs::read_to_string(&stderr_path).expect("stderr"),
        elapsed,
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_env(dir, args, &[])
}

/// `check --output-format json ARGS`, which must exit 0 or 1.
fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    let run = run(dir, &all);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}; stderr: {}",
        run.code,
        run.stderr
    );
    run
}

/// The folder of the cache of warm runs, in the folder `check` runs from.
const CACHE_DIR: &str = ".mlrun_lint_cache";

/// What each entry under a folder is, without following links: a small regular
/// file by its bytes, a large one by its length (a sparse 200 MB file is not read
/// back), a link by its target.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    File(Vec<u8>),
    Large(u64),
    Link(PathBuf),
    Dir,
    Other,
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut entries = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("list the folder") {
            let path = entry.expect("entry").path();
            // The cache of warm runs is the one folder a check writes.
            if path == root.join(CACHE_DIR) {
                continue;
            }
            let metadata = fs::symlink_metadata(&path).expect("lstat");
            let kind = if metadata.is_symlink() {
                Entry::Link(fs::read_link(&path).expect("readlink"))
            } else if metadata.is_dir() {
                pending.push(path.clone());
                Entry::Dir
            } else if metadata.is_file() && metadata.len() > 1 << 20 {
                Entry::Large(metadata.len())
            } else if metadata.is_file() {
                Entry::File(fs::read(&path).expect("read"))
            } else {
                Entry::Other
            };
            entries.insert(path.strip_prefix(root).expect("under root").into(), kind);
        }
    }
    entries
}

/// Runs `check` and asserts that nothing under `dir` changed.
fn check_unchanged(dir: &Path, args: &[&str]) -> Run {
    let before = snapshot(dir);
    let run = check(dir, args);
    assert_eq!(snapshot(dir), before, "a check changed files");
    run
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, bytes).expect("write");
}

const FUNCTION_HEAD: &str = "kind: job\nmetadata:\n  name: trainer\nspec:\n";

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nine levels of nine aliases: 387,420,489 values once expanded.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9u8 {
        let name = char::from(b'a' + level);
        let below = char::from(b'a' + level - 1);
        let items = vec![format!("*{below}"); 9].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    write(
        dir.path(),
        "function.yaml",
        format!("{bomb}{FUNCTION_HEAD}  image: *i\n"),
    );
    let run = check_unchanged(dir.path(), &[]);
    assert_eq!(
        run.summary(),
        ["function.yaml: MLR003 not checked: YAML too large to read safely: it holds more than 100000 values once aliases are expanded"]
    );
    assert_eq!(run.code, 1);
}

#[test]
fn nesting_100000_deep_is_refused_or_read_without_a_crash() {
    const DEEP: usize = 100_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let open = |s: &str| s.repeat(DEEP);
    write(
        dir.path(),
        "flow.yaml",
        format!("{FUNCTION_HEAD}  image: {}\n", open("[")),
    );
    write(
        dir.path(),
        "block.yaml",
        format!("{FUNCTION_HEAD}  image:\n    {}x\n", open("- ")),
    );
    write(
        dir.path(),
        "deep.ipynb",
        format!("{{\"cells\": {}{}}}", open("["), open("]")),
    );
    write(
        dir.path(),
        "deep.py",
        format!(
            "import mlrun\nfn = mlrun.new_function(image={}\"mlrun/mlrun\"{})\n",
            open("("),
            open(")")
        ),
    );
    write(
        dir.path(),
        "requirements.txt",
        format!("pandas{}\n", open("(")),
    );
    write(
        dir.path(),
        "Dockerfile",
        format!("FROM {}python{}\n", open("${A:-"), open("}")),
    );
    write(
        dir.path(),
        "uv.lock",
        format!(
            "version = 1\n[[package]]\nname = \"a\"\nversion = {}{}\n",
            open("["),
            open("]")
        ),
    );
    let run = check_unchanged(dir.path(), &[]);
    let codes: Vec<(String, String)> = run
        .diagnostics()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // The Python parser has no depth limit of its own; the reader sees through
    // the parentheses to the string, as Python does.
    let expected = [
        ("Dockerfile", "MLR108"),
        ("block.yaml", "MLR003"),
        ("deep.ipynb", "MLR001"),
        ("deep.py", "MLR101"),
        ("flow.yaml", "MLR003"),
        ("requirements.txt", "MLR001"),
        ("uv.lock", "MLR001"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    // Not the messages: the Dockerfile's quotes its 600 KB image.
    assert_eq!(codes, expected);
    assert_eq!(run.code, 1);
}

#[test]
fn a_deep_configuration_is_a_configuration_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "mlrun-lint.toml",
        format!("select = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    write(dir.path(), "requirements.txt", "pandas==2.1.0\n");
    let run = run(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.starts_with("mlrun-lint: error: ") && run.stderr.contains("invalid TOML"),
        "{}",
        run.stderr
    );
}

/// A 200 MB file is skipped by its size alone: made sparse, it costs no disk, and
/// reading it would take far longer than the run is allowed.
#[test]
fn a_200_mb_file_is_skipped_without_being_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = fs::File::create(dir.path().join("requirements.txt")).expect("create");
    file.set_len(200 * 1000 * 1000)
        .expect("a sparse 200 MB file");
    drop(file);
    let run = check_unchanged(dir.path(), &[]);
    assert_eq!(
        run.summary(),
        ["requirements.txt: MLR003 not checked: the file is 200000000 bytes, over the 16 MiB limit (set MLRUN_LINT_MAX_FILE_BYTES to raise it)"]
    );
    assert_eq!(run.code, 1);
    assert!(
        run.elapsed < Duration::from_secs(5),
        "took {:?}",
        run.elapsed
    );
}

#[test]
fn the_file_size_limit_can_be_lowered_and_raised() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "requirements.txt", "pandas==2.1.0\n");
    // 17 MiB of NUL bytes in a Python file that never names mlrun: valid UTF-8,
    // read and found to be of no interest in a blink once the limit allows it.
    let big = fs::File::create(dir.path().join("big.py")).expect("create");
    big.set_len(17 << 20).expect("a sparse file");
    drop(big);

    let default = check_unchanged(dir.path(), &[]);
    assert_eq!(
        default.summary(),
        ["big.py: MLR003 not checked: the file is 17825792 bytes, over the 16 MiB limit (set MLRUN_LINT_MAX_FILE_BYTES to raise it)"]
    );

    let json = ["check", "--output-format", "json"];
    let raised = run_env(
        dir.path(),
        &json,
        &[("MLRUN_LINT_MAX_FILE_BYTES", "33554432")],
    );
    assert_eq!(
        (raised.code, raised.summary().len()),
        (0, 0),
        "{}",
        raised.stderr
    );

    let lowered = run_env(dir.path(), &json, &[("MLRUN_LINT_MAX_FILE_BYTES", "10")]);
    assert_eq!(
        lowered.summary(),
        [
            "big.py: MLR003 not checked: the file is 17825792 bytes, over the 10-byte limit (set MLRUN_LINT_MAX_FILE_BYTES to raise it)",
            "requirements.txt: MLR003 not checked: the file is 14 bytes, over the 10-byte limit (set MLRUN_LINT_MAX_FILE_BYTES to raise it)",
        ]
    );

    for bad in ["", "0", "16M", "-1"] {
        let refused = run_env(dir.path(), &json, &[("MLRUN_LINT_MAX_FILE_BYTES", bad)]);
        assert_eq!(refused.code, 2, "{bad:?}");
        assert_eq!(
            refused.stderr,
            format!("mlrun-lint: error: MLRUN_LINT_MAX_FILE_BYTES=`{bad}` is not a file size: give a number of bytes\n")
        );
    }
}

#[test]
fn binary_and_non_utf8_files_are_skipped_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "function.yaml",
        b"kind: job\nspec:\n  image: caf\xe9\n",
    );
    write(
        dir.path(),
        "requirements.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    write(dir.path(), "Dockerfile", b"\xff\xfeF\x00R\x00O\x00M\x00");
    write(dir.path(), "nb.ipynb", b"{\"cells\": [\xc3\x28]}");
    write(
        dir.path(),
        "setup.py",
        b"import mlrun  # \xed\xa0\x80 a surrogate\n",
    );
    let run = check_unchanged(dir.path(), &[]);
    let at: Vec<String> = run
        .diagnostics()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["path"].as_str().unwrap_or_default(),
                d["start"]["line"],
                d["start"]["column"],
                d["code"].as_str().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            "Dockerfile:1:1 MLR003 not checked: the file is not UTF-8 text",
            "function.yaml:3:13 MLR003 not checked: the file is not UTF-8 text",
            "nb.ipynb:1:12 MLR003 not checked: the file is not UTF-8 text",
            "requirements.txt:1:1 MLR003 not checked: the file is not UTF-8 text",
            "setup.py:1:17 MLR003 not checked: the file is not UTF-8 text",
        ]
    );
    assert_eq!(run.code, 1);
}

/// NUL is valid UTF-8: files holding one are read, and the readers either report
/// what they cannot parse or read past it.
#[test]
fn nul_bytes_are_parse_errors_or_read_past() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "requirements.txt",
        "mlrun==1.6.4\n\0\npandas==2.1.0\n",
    );
    write(
        dir.path(),
        "function.yaml",
        format!("{FUNCTION_HEAD}  image: mlrun/mlrun:1.6.4\0\n"),
    );
    write(
        dir.path(),
        "Dockerfile",
        "FROM python:3.11\0\nRUN pip install pandas==2.1.0\0\n",
    );
    write(dir.path(), "nb.ipynb", "{\"cells\": [\0]}");
    write(dir.path(), "setup.py", "import mlrun\0\n");
    let run = check_unchanged(dir.path(), &["--mlrun-version", "1.6.4"]);
    let codes: Vec<String> = run
        .summary()
        .iter()
        .map(|line| line.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        codes,
        [
            "Dockerfile: MLR001",
            "function.yaml: MLR001",
            "nb.ipynb: MLR001",
            "requirements.txt: MLR001",
        ],
        "{:#?}",
        run.summary()
    );
    assert_eq!(run.code, 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_under_a_candidate_name_is_skipped_not_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let made = Command::new("mkfifo")
        .arg(dir.path().join("requirements.txt"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    write(
        dir.path(),
        "function.yaml",
        format!("{FUNCTION_HEAD}  image: mlrun/mlrun\n"),
    );
    write(dir.path(), "Dockerfile", "FROM python:3.11\n");
    // Found by the walk, named on the command line, and reached by an include.
    write(dir.path(), "constraints.txt", "-r requirements.txt\n");
    let skipped = "requirements.txt: MLR003 not checked: not a regular file";
    let walked = check_unchanged(dir.path(), &[]);
    let summary = walked.summary();
    assert_eq!(summary.len(), 2, "{summary:#?}");
    assert!(
        summary[0].starts_with("function.yaml: MLR101 "),
        "{summary:#?}"
    );
    assert_eq!(summary[1], skipped);
    assert_eq!(walked.code, 1);
    let named = check_unchanged(dir.path(), &["requirements.txt"]);
    assert_eq!(named.summary(), [skipped]);
    assert_eq!(named.code, 1);
    let included = check_unchanged(dir.path(), &["constraints.txt"]);
    assert_eq!(included.summary(), [skipped]);
}

#[test]
fn a_directory_named_like_a_candidate_is_walked_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("requirements.txt")).expect("mkdir");
    fs::create_dir(dir.path().join("function.yaml")).expect("mkdir");
    fs::create_dir(dir.path().join("Dockerfile")).expect("mkdir");
    write(
        dir.path(),
        "requirements.txt/requirements.txt",
        "pandas==2.1.0\n",
    );
    // pip cannot open a folder as a requirements file: the include is reported.
    write(dir.path(), "constraints.txt", "-c requirements.txt\n");
    let walked = check_unchanged(dir.path(), &[]);
    assert_eq!(
        walked.summary(),
        ["requirements.txt: MLR003 not checked: not a regular file"]
    );
    let named = check_unchanged(dir.path(), &["requirements.txt", "function.yaml"]);
    assert_eq!((named.code, named.summary().len()), (0, 0));
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_in_a_skip_not_a_hang() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    symlink("constraints.txt", dir.path().join("requirements.txt")).expect("ln -s");
    symlink("requirements.txt", dir.path().join("constraints.txt")).expect("ln -s");
    fs::create_dir(dir.path().join("sub")).expect("mkdir");
    symlink("..", dir.path().join("sub/up")).expect("ln -s");
    symlink(".", dir.path().join("sub/here")).expect("ln -s");
    write(
        dir.path(),
        "sub/function.yaml",
        format!("{FUNCTION_HEAD}  image: python\n"),
    );
    let run = check_unchanged(dir.path(), &[]);
    let summary = run.summary();
    assert_eq!(summary.len(), 3, "{summary:#?}");
    for (line, name) in summary.iter().zip(["constraints.txt", "requirements.txt"]) {
        assert!(
            line.starts_with(&format!(
                "{name}: MLR003 not checked: cannot read the file: "
            )),
            "{line}"
        );
    }
    assert!(
        summary[2].starts_with("sub/function.yaml: MLR102 "),
        "{}",
        summary[2]
    );
    assert_eq!(run.code, 1);

    // A link to a folder above, named on the command line, is walked once: the
    // walk does not follow links below it.
    let up = check_unchanged(&dir.path().join("sub"), &["up"]);
    assert_eq!(up.summary().len(), 3, "{:#?}", up.summary());
}

#[test]
fn include_cycles_and_runaway_chains_are_reported_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "requirements.txt",
        "-r requirements-dev.txt\npandas==2.1.0\n",
    );
    write(
        dir.path(),
        "requirements-dev.txt",
        "-r requirements.txt\npytest==8.0.0\n",
    );
    write(
        dir.path(),
        "requirements-self.txt",
        "-r requirements-self.txt\n",
    );
    // A chain of includes deeper than the limit, through names no walk finds.
    write(dir.path(), "requirements-chain.txt", "-r deps/0.in\n");
    for level in 0..15 {
        write(
            dir.path(),
            &format!("deps/{level}.in"),
            format!("-r {}.in\n", level + 1),
        );
    }
    let run = check_unchanged(dir.path(), &[]);
    let summary = run.summary();
    let cycles = summary
        .iter()
        .filter(|l| l.contains("MLR001 include cycle"))
        .count();
    assert_eq!(cycles, 2, "{summary:#?}");
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("deps/9.in: MLR003 `10.in` is more than 10 includes deep")),
        "{summary:#?}"
    );
    assert_eq!(run.code, 1);
}

/// A file that is gone between the walk and the read (deleted, renamed by a
/// concurrent checkout): emulated by a link whose target does not exist, which
/// the walk lists and the read cannot open.
#[cfg(unix)]
#[test]
fn a_file_gone_before_it_is_read_is_skipped() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    symlink("deleted.txt", dir.path().join("requirements.txt")).expect("ln -s");
    symlink("gone/function.yaml", dir.path().join("function.yaml")).expect("ln -s");
    let run = check_unchanged(dir.path(), &[]);
    assert_eq!(
        run.summary(),
        [
            "function.yaml: MLR003 not checked: cannot read the file: No such file or directory (os error 2)",
            "requirements.txt: MLR003 not checked: cannot read the file: No such file or directory (os error 2)",
        ]
    );
    assert_eq!(run.code, 1);
}

fn fix(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        "--output-format",
        "concise",
        "--mlrun-version",
        "1.6.4",
        "--fix",
        "--unsafe-fixes",
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn a_read_only_file_under_fix_keeps_its_bytes_and_its_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let locked = "mlrun\npandas\n";
    write(dir.path(), "requirements.txt", locked);
    write(dir.path(), "Dockerfile", "FROM mlrun/mlrun\n");
    let path = dir.path().join("requirements.txt");
    let mut permissions = fs::metadata(&path).expect("stat").permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&path, permissions).expect("chmod");

    let run = fix(dir.path(), &[]);
    assert_eq!(run.code, 1, "the findings remain; stderr: {}", run.stderr);
    assert_eq!(
        run.stderr,
        "mlrun-lint: warning: requirements.txt: fixes not written: it is read-only\n\
         Fixed 1 problem in 1 file.\n"
    );
    assert_eq!(
        run.stdout,
        "requirements.txt:1:1: MLR204 `mlrun` has no version\nrequirements.txt:2:1: MLR201 \
         `pandas` has no version\n"
    );
    assert_eq!(fs::read_to_string(&path).expect("read"), locked);
    assert_eq!(
        fs::read_to_string(dir.path().join("Dockerfile")).expect("read"),
        "FROM mlrun/mlrun:1.6.4\n"
    );
}

/// `--fix` changes the fixed bytes only: a byte-order mark, CRLF line endings and
/// a missing final newline survive in every kind of file it rewrites.
#[test]
fn crlf_bom_and_no_final_newline_survive_fix_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &str, &str); 4] = [
        (
            "requirements.txt",
            "\u{feff}mlrun\r\npandas==2.1.0\r\nmlrun-extra==1.0",
            "\u{feff}mlrun==1.6.4\r\npandas==2.1.0\r\nmlrun-extra==1.0",
        ),
        (
            "Dockerfile",
            "\u{feff}FROM mlrun/mlrun\r\nRUN pip install mlrun",
            "\u{feff}FROM mlrun/mlrun:1.6.4\r\nRUN pip install mlrun==1.6.4",
        ),
        (
            "function.yaml",
            "\u{feff}kind: job\r\nmetadata:\r\n  name: t\r\nspec:\r\n  image: mlrun/mlrun",
            "\u{feff}kind: job\r\nmetadata:\r\n  name: t\r\nspec:\r\n  image: mlrun/mlrun:1.6.4",
        ),
        (
            "setup.py",
            "\u{feff}import mlrun\r\nfn = mlrun.new_function('f', image='mlrun/mlrun')",
            "\u{feff}import mlrun\r\nfn = mlrun.new_function('f', image='mlrun/mlrun:1.6.4')",
        ),
    ];
    for (name, before, _) in &cases {
        write(dir.path(), name, before);
    }
    // Not a candidate, and a candidate with nothing to fix: never touched.
    write(dir.path(), "notes.txt", "mlrun\r\n");
    write(
        dir.path(),
        "requirements-dev.txt",
        "\u{feff}pytest==8.0.0\r\nruff==0.4.0",
    );
    let untouched = ["notes.txt", "requirements-dev.txt"]
        .map(|name| (name, fs::read(dir.path().join(name)).expect("read")));

    let run = fix(dir.path(), &[]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr, "Fixed 5 problems in 4 files.\n");
    for (name, _, after) in &cases {
        assert_eq!(
            fs::read_to_string(dir.path().join(name)).expect("read"),
            *after,
            "{name}"
        );
    }
    for (name, bytes) in &untouched {
        assert_eq!(
            &fs::read(dir.path().join(name)).expect("read"),
            bytes,
            "{name}"
        );
    }
    // A second run has nothing left to do and writes nothing.
    let before = snapshot(dir.path());
    let again = fix(dir.path(), &[]);
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (0, "No fixes applied.\n")
    );
    assert_eq!(snapshot(dir.path()), before);
}
