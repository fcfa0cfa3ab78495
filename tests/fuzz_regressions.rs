//! Every input the fuzzers ever crashed on, run again through the same target
//! bodies as the fuzzer (`fuzz/src/lib.rs`, included here by path), on the stable
//! toolchain, without libFuzzer.
//!
//! Inputs live in `tests/data/fuzz/<target>/`, exactly as libFuzzer wrote them
//! (`fuzz/artifacts/<target>/crash-*`): for targets that take a file name, the
//! first byte picks it. The hand-written seeds of `fuzz/seeds/` run too, so the
//! harness itself stays exercised.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

fn run_folder(target: &str, run: fn(&[u8]), folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let mut paths: Vec<_> = entries.map(|entry| entry.expect("entry").path()).collect();
    paths.sort();
    for path in &paths {
        // Shown only when the target panics: which input did it.
        eprintln!("{target}: {}", path.display());
        run(&std::fs::read(path).expect("read the input"));
    }
    paths.len()
}

#[test]
fn crash_inputs_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut total = 0;
    for (target, run) in harness::TARGETS {
        total += run_folder(target, *run, &root.join("tests/data/fuzz").join(target));
    }
    assert!(total > 0, "no regression inputs found");
}

/// The seeds are plain files (no name byte): targets that take a name byte
/// read their first byte as one, which is still a valid input.
#[test]
fn seeds_pass_every_target_of_their_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (target, run) in harness::TARGETS {
        run_folder(target, *run, &root.join("fuzz/seeds").join(target));
    }
}
