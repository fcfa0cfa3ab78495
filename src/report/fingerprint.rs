//! Stable fingerprints of diagnostics: the identity that SARIF's
//! `partialFingerprints`, GitLab's `fingerprint` and (later) `--baseline` entries
//! use to say "this is the same finding as last time".
//!
//! A fingerprint hashes the path, the rule code, the offending source text with its
//! white space normalised, and the occurrence index of that same triple within the
//! file. It deliberately leaves out the line and column: a finding must keep its
//! identity when lines are added above it, or code-scanning alerts are closed and
//! reopened and baselines stop matching. The occurrence index keeps two identical
//! findings in one file apart, so neither hides the other (a fingerprint collision
//! makes GitHub and GitLab drop one of the two).
//!
//! The hash is FNV-1a 64, written here rather than taken from `std`, whose
//! `DefaultHasher` may change between Rust releases: a fingerprint must read the
//! same on every platform and in every future build, since baselines are committed.

use crate::diagnostic::{Diagnostic, FileDiagnostics};
use std::collections::HashMap;

/// The key SARIF's `partialFingerprints` stores [`fingerprint`]s under. The
/// version is part of the key so a change of algorithm starts a new one instead of
/// silently mismatching the old.
pub const SARIF_KEY: &str = "mlrunLint/v1";

/// The fingerprint of one finding, as 16 lowercase hex digits.
///
/// `path` is the path as reported (relative, with `/`), `code` the rule code,
/// `offending_text` the source text of the diagnostic's span (normalised here, so
/// callers pass it raw), `occurrence` the 0-based index of this
/// (path, code, normalised text) among the file's findings in source order.
pub fn fingerprint(path: &str, code: &str, offending_text: &str, occurrence: usize) -> String {
    let mut hash = Fnv1a64::new();
    // Each field is length-prefixed, so no choice of field contents can make two
    // different tuples hash the same bytes.
    hash.field(path.as_bytes());
    hash.field(code.as_bytes());
    hash.field(normalise(offending_text).as_bytes());
    hash.field(&(occurrence as u64).to_le_bytes());
    format!("{:016x}", hash.0)
}

/// The fingerprints of every diagnostic of `file`, index for index with
/// `file.diagnostics`. Occurrences are counted in source order (span start, span
/// end), whatever order the diagnostics are stored in.
///
/// For `--baseline`: occurrences count among the diagnostics given, so compute
/// fingerprints before dropping suppressed ones, or adding a `# noqa` renumbers
/// the findings after it; and `file.path` must be relative to the same root each
/// run (the repository root in CI), since it is part of the identity.
pub fn of_file(file: &FileDiagnostics) -> Vec<String> {
    of_diagnostics(&file.path, &file.text, &file.diagnostics)
}

/// [`of_file`] for `diagnostics` in `text`, the file shown as `path`: what the
/// engine uses before it builds a [`FileDiagnostics`] (whose line index a file
/// left with no finding never needs).
pub fn of_diagnostics(path: &str, text: &str, diagnostics: &[Diagnostic]) -> Vec<String> {
    let texts: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| normalise(slice(text, diagnostic.span.start, diagnostic.span.end)))
        .collect();
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| {
        let span = diagnostics[i].span;
        (span.start, span.end)
    });
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut fingerprints = vec![String::new(); diagnostics.len()];
    for i in order {
        let code = diagnostics[i].code;
        let occurrence = seen.entry((code, texts[i].as_str())).or_insert(0);
        fingerprints[i] = fingerprint(path, code, &texts[i], *occurrence);
        *occurrence += 1;
    }
    fingerprints
}

/// White space runs become one space and the ends are trimmed, so re-indenting or
/// re-wrapping a line (or switching it to CRLF) keeps the finding's identity.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text[start..end]` for any span, however wrong: out-of-range ends are clamped
/// and an end inside a character moves back to its start, like
/// [`LineIndex::line_column`](crate::span::LineIndex::line_column) does.
fn slice(text: &str, start: usize, end: usize) -> &str {
    let floor = |mut offset: usize| {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let (start, end) = (floor(start), floor(end));
    text.get(start..end.max(start)).unwrap_or_default()
}

/// FNV-1a, 64-bit: tiny, public-domain, and the same everywhere.
struct Fnv1a64(u64);

impl Fnv1a64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Severity};
    use crate::span::Span;
    use std::sync::Arc;

    fn file(text: &str, spans: &[(&'static str, Span)]) -> FileDiagnostics {
        let diagnostics = spans
            .iter()
            .map(|&(code, span)| Diagnostic {
                code,
                rule: "rule",
                severity: Severity::Error,
                span,
                message: "m".into(),
                help: None,
                fix: None,
            })
            .collect();
        FileDiagnostics::new("a/function.yaml".into(), Arc::from(text), diagnostics)
    }

    fn span_of(text: &str, needle: &str, nth: usize) -> Span {
        let start = text.match_indices(needle).nth(nth).map_or(0, |(i, _)| i);
        Span::new(start, start + needle.len())
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        let hash = |input: &[u8]| {
            let mut hash = Fnv1a64::new();
            hash.bytes(input);
            hash.0
        };
        assert_eq!(hash(b""), 0xcbf29ce484222325);
        assert_eq!(hash(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(hash(b"foobar"), 0x85944171f73967e8);
    }

    /// Pinned: a change here breaks every committed baseline and every open
    /// code-scanning alert, so it must come with a new [`SARIF_KEY`].
    #[test]
    fn fingerprints_are_stable_across_runs_and_releases() {
        let value = fingerprint("a/function.yaml", "MLR101", "mlrun/mlrun", 0);
        assert_eq!(
            value,
            fingerprint("a/function.yaml", "MLR101", "mlrun/mlrun", 0)
        );
        // Computed independently (Python) from the definition above.
        assert_eq!(value, "f73feb5dfbe7cf18");
        assert_eq!(value.len(), 16);
    }

    #[test]
    fn every_field_counts() {
        let base = fingerprint("a", "MLR101", "x", 0);
        assert_ne!(base, fingerprint("b", "MLR101", "x", 0));
        assert_ne!(base, fingerprint("a", "MLR102", "x", 0));
        assert_ne!(base, fingerprint("a", "MLR101", "y", 0));
        assert_ne!(base, fingerprint("a", "MLR101", "x", 1));
        // Length prefixes: moving a byte between fields changes the hash.
        assert_ne!(fingerprint("ab", "c", "", 0), fingerprint("a", "bc", "", 0));
    }

    #[test]
    fn white_space_is_normalised() {
        assert_eq!(
            fingerprint("a", "MLR201", "pip install\r\n   pandas", 0),
            fingerprint("a", "MLR201", " pip\tinstall pandas ", 0)
        );
    }

    #[test]
    fn moving_a_finding_down_keeps_its_fingerprint() {
        let before = "spec:\n  image: mlrun/mlrun\n";
        let after = format!("# header\n{}spec:\n  image: mlrun/mlrun\n", "\n".repeat(9));
        let at = |text: &str| of_file(&file(text, &[("MLR101", span_of(text, "mlrun/mlrun", 0))]));
        assert_eq!(at(before), at(&after));
    }

    #[test]
    fn identical_findings_in_one_file_differ_by_occurrence() {
        let text = "a: mlrun/mlrun\nb: mlrun/mlrun\n";
        let first = span_of(text, "mlrun/mlrun", 0);
        let second = span_of(text, "mlrun/mlrun", 1);
        // Stored out of order on purpose: occurrences follow the source.
        let fingerprints = of_file(&file(text, &[("MLR101", second), ("MLR101", first)]));
        assert_ne!(fingerprints[0], fingerprints[1]);
        assert_eq!(
            fingerprints[1],
            fingerprint("a/function.yaml", "MLR101", "mlrun/mlrun", 0)
        );
        assert_eq!(
            fingerprints[0],
            fingerprint("a/function.yaml", "MLR101", "mlrun/mlrun", 1)
        );
        // Another code on the same text counts its own occurrences.
        let mixed = of_file(&file(text, &[("MLR101", first), ("MLR106", second)]));
        assert_eq!(
            mixed[1],
            fingerprint("a/function.yaml", "MLR106", "mlrun/mlrun", 0)
        );
    }

    #[test]
    fn no_span_panics() {
        let text = "é😀\r\n";
        for start in 0..text.len() + 2 {
            for end in 0..text.len() + 2 {
                let fingerprints = of_file(&file(text, &[("MLR101", Span::new(start, end))]));
                assert_eq!(fingerprints[0].len(), 16);
            }
        }
    }
}
