//! `uv.lock`: uv's universal lock, TOML with one `[[package]]` table per resolved
//! distribution (`name`, `version`, `source`, `sdist`, `wheels`, dependencies). A
//! package resolved differently for different markers appears once per version;
//! each is reported. Workspace members are packages too, recorded with their own
//! version (or none, when it is dynamic).

use super::read_toml_packages;
use crate::facts::Fact;

/// Reads a `uv.lock` into `LockedVersion` facts, or one `Parse` problem.
pub fn read(text: &str) -> Vec<Fact> {
    read_toml_packages(text, "package", "uv.lock")
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::tests::{locked, problem_at};
    use super::*;

    pub(in crate::sources::lock) const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.9"
resolution-markers = [
    "python_full_version >= '3.11'",
    "python_full_version < '3.11'",
]

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "mlrun" },
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.11'" },
    { name = "numpy", version = "2.2.6", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.11'" },
]

[package.metadata]
requires-dist = [{ name = "mlrun", extras = ["s3"], specifier = ">=1.7" }]

[[package]]
name = "mlrun"
version = "1.7.2"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/mlrun-1.7.2.tar.gz", hash = "sha256:00", size = 1 }
wheels = [
    { url = "https://files.pythonhosted.org/packages/mlrun-1.7.2-py3-none-any.whl", hash = "sha256:11", size = 2 },
]

[package.optional-dependencies]
s3 = [
    { name = "s3fs" },
]

# uv records one entry per version when markers fork the resolution.
[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.11'"]

[[package]]
name = "numpy"
version = "2.2.6"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.11'"]

[[package]]
name = "Typing_Extensions"
version = "4.12.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "private-lib"
source = { git = "https://example.com/private-lib.git?rev=abc#abc" }
"#;

    #[test]
    fn packages_with_versions() {
        assert_eq!(
            locked(LOCK, &read(LOCK)),
            [
                "demo 0.1.0 package[0].version",
                "mlrun 1.7.2 package[1].version",
                "numpy 1.26.4 package[2].version",
                "numpy 2.2.6 package[3].version",
                "typing-extensions 4.12.2 package[4].version",
            ]
        );
    }

    #[test]
    fn spans_are_the_quoted_values() {
        let facts = read(LOCK);
        let origin = facts[1].origin();
        assert_eq!(&LOCK[origin.span.start..origin.span.end], "\"1.7.2\"");
    }

    #[test]
    fn malformed_files_are_problems_with_a_place() {
        let text = "version = 1\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\n";
        let problem = problem_at(text, &read(text));
        assert!(
            problem.starts_with("5:18 invalid uv.lock: invalid basic string"),
            "{problem}"
        );

        let text = "[[package]]\nname = \"six\"\nversion = 1.16\n";
        let problem = problem_at(text, &read(text));
        assert!(problem.starts_with("3:11 invalid uv.lock: "), "{problem}");

        let text = "[[package]]\nversion = \"1.16.0\"\n";
        let problem = problem_at(text, &read(text));
        assert_eq!(problem, "1:1 invalid uv.lock: missing field `name`");

        let text = "package = \"six\"\n";
        let problem = problem_at(text, &read(text));
        assert!(problem.starts_with("1:11 invalid uv.lock: "), "{problem}");
    }

    #[test]
    fn empty_and_package_free_files_yield_nothing() {
        assert!(read("").is_empty());
        assert!(read("version = 1\nrevision = 3\n").is_empty());
        assert!(read("[[package]]\nname = \"six\"\nversion = \"\"\n").is_empty());
    }
}
