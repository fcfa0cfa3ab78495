//! `read_environment` on a real virtualenv made by `python3 -m venv`, so the layout
//! and metadata are what pip really writes. Skipped (with a note) where there is no
//! `python3` with `venv`; installing `six` is skipped where PyPI is unreachable.

use mlrun_lint::sources::environment::read_environment;
use std::path::Path;
use std::process::Command;

#[test]
fn reads_a_real_virtualenv() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tempfile::tempdir_in(base).expect("a temp dir");
    let venv = dir.path().join("venv");
    let made = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .output();
    match made {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            eprintln!("note: python3 -m venv failed ({stderr}); test skipped");
            return;
        }
        Err(err) => {
            eprintln!("note: no python3 ({err}); test skipped");
            return;
        }
    }
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };

    // `venv` installs pip from ensurepip's bundled wheel: no network needed.
    let found = read_environment(&venv).expect("the venv is readable");
    let pip = found
        .iter()
        .find(|(name, _, _)| name == "pip")
        .expect("pip in a fresh venv");
    let pip_version = Command::new(&python)
        .args(["-m", "pip", "--version"])
        .output()
        .expect("the venv's python runs");
    let reported = String::from_utf8_lossy(&pip_version.stdout);
    assert!(
        reported.starts_with(&format!("pip {} ", pip.1)),
        "{reported} vs {pip:?}"
    );
    assert!(pip.2.ends_with("METADATA"), "{:?}", pip.2);
    assert_eq!(
        read_environment(&python).expect("via the interpreter"),
        found
    );

    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--timeout",
            "15",
            "--retries",
            "1",
            "six==1.16.0",
        ])
        .output()
        .expect("the venv's python runs");
    if !installed.status.success() {
        let stderr = String::from_utf8_lossy(&installed.stderr);
        eprintln!("note: pip install six failed (offline?): {stderr}; rest skipped");
        return;
    }
    let found = read_environment(&venv).expect("the venv is readable");
    assert!(
        found
            .iter()
            .any(|(name, version, _)| name == "six" && version == "1.16.0"),
        "{found:?}"
    );
}
