//! The panic guard: a reader or rule that panics on one file (a bug in
//! mlrun-lint or in a parser it uses, such as Ruff's `unreachable!` on some
//! notebook cells) costs that file, not the run. The file gets an MLR001
//! finding naming the reader and where it failed; every other file is read and
//! judged as usual.
//!
//! The default panic hook would print a backtrace-sized message for each
//! caught panic; while a guard is active on a thread the hook records the
//! location and message instead, so the finding carries them and stderr stays
//! readable. Panics outside a guard still go to the previous hook unchanged.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs guarded work.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of the last guarded panic: "message (at file:line)".
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `work`; a panic in it is caught and described (its message and where it
/// was raised) instead of unwinding further.
///
/// `AssertUnwindSafe` is sound here: `work` only builds new values from shared
/// read-only input, and whatever it half-built is dropped with the panic.
pub fn catch<R>(work: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let was = GUARDED.with(|guarded| guarded.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    GUARDED.with(|guarded| guarded.set(was));
    result.map_err(|payload| {
        CAUGHT
            .with(|caught| caught.borrow_mut().take())
            .unwrap_or_else(|| describe_payload(payload.as_ref()))
    })
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                let message = info
                    .payload_as_str()
                    .unwrap_or("a panic without a message")
                    .to_string();
                let described = match info.location() {
                    Some(at) => format!("{message} (at {}:{})", short_path(at.file()), at.line()),
                    None => message,
                };
                CAUGHT.with(|caught| *caught.borrow_mut() = Some(described));
            } else {
                previous(info);
            }
        }));
    });
}

fn describe_payload(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".into()
    }
}

/// A panic location without the machine's registry prefix: from the crate's
/// folder on (`ruff_python_parser-0.0.10/src/parser/expression.rs`), which names
/// the crate and its version and is the same on every machine.
fn short_path(file: &str) -> &str {
    const REGISTRY: &str = "/registry/src/";
    match file.find(REGISTRY) {
        Some(at) => {
            let rest = &file[at + REGISTRY.len()..];
            // Skip the registry index folder (`index.crates.io-<hash>/`).
            rest.split_once('/')
                .map_or(rest, |(_, crate_path)| crate_path)
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_description() {
        let caught = catch(|| -> u8 { panic!("boom {}", 7) });
        let described = caught.expect_err("the panic is caught");
        assert!(
            described.starts_with("boom 7 (at src/engine/guard.rs:"),
            "{described}"
        );
        assert_eq!(catch(|| 5), Ok(5));
    }

    #[test]
    fn registry_paths_are_shortened_to_the_crate() {
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ruff_python_parser-0.0.10/src/lib.rs"
            ),
            "ruff_python_parser-0.0.10/src/lib.rs"
        );
        assert_eq!(short_path("src/engine.rs"), "src/engine.rs");
    }
}
