//! Interrupts during `--fix`: SIGINT (Ctrl-C) and SIGTERM ask the rounds to stop
//! between two files instead of killing the process mid-write, so the file in
//! flight is finished (its rename is atomic), its temporary file is gone, and the
//! command line can say what was fixed before the interrupt. A second interrupt
//! ends the process at once (exit 130), as a user pressing Ctrl-C twice expects.
//!
//! signal-hook rather than ctrlc: it handles SIGTERM as well as SIGINT without a
//! thread of its own, and its flag registration is the async-signal-safe
//! minimum (an atomic store) this needs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The exit code of a run ended by an interrupt (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Starts watching for SIGINT and SIGTERM (once per process). Should the
/// handlers fail to register, the signals keep their default action: the run
/// can still be killed, and the rename keeps every file whole.
pub fn watch() {
    static WATCH: OnceLock<()> = OnceLock::new();
    WATCH.get_or_init(|| {
        #[cfg(unix)]
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The conditional shutdown first: it acts only once the flag is set.
            let _ = signal_hook::flag::register_conditional_shutdown(
                signal,
                i32::from(EXIT_INTERRUPTED),
                flag().clone(),
            );
            let _ = signal_hook::flag::register(signal, flag().clone());
        }
    });
}

/// Whether an interrupt arrived since [`watch`].
pub fn requested() -> bool {
    flag().load(Ordering::SeqCst)
}
