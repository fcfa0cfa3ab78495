//! `pylock.toml` and `pylock.NAME.toml` (PEP 751, the standard lock format): TOML
//! with `lock-version`, `created-by`, and one `[[packages]]` table per package
//! (`name`, `version`, `marker`, `requires-python`, `index`, and one of `vcs`,
//! `directory`, `archive`, `sdist`, `wheels`). `version` is optional for packages
//! not from an index; those pin nothing and are skipped.

use super::read_toml_packages;
use crate::facts::Fact;

/// Reads a PEP 751 lock into `LockedVersion` facts, or one `Parse` problem.
pub fn read(text: &str) -> Vec<Fact> {
    read_toml_packages(text, "packages", "pylock.toml")
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::tests::{locked, problem_at};
    use super::*;

    pub(in crate::sources::lock) const LOCK: &str = r#"lock-version = "1.0"
environments = ["sys_platform == 'linux'"]
requires-python = ">=3.9"
extras = ["s3"]
dependency-groups = ["dev"]
default-groups = []
created-by = "uv"

[[packages]]
name = "mlrun"
version = "1.7.2"
index = "https://pypi.org/simple"
sdist = { url = "https://files.pythonhosted.org/packages/mlrun-1.7.2.tar.gz", upload-time = 2024-11-05T10:00:00Z, size = 1, hashes = { sha256 = "00" } }
wheels = [{ url = "https://files.pythonhosted.org/packages/mlrun-1.7.2-py3-none-any.whl", size = 2, hashes = { sha256 = "11" } }]

[[packages]]
name = "s3fs"
version = '2024.3.1'  # a literal string
marker = "'s3' in extras"
index = "https://pypi.org/simple"

[[packages]]
name = "Ruamel.YAML"
version = "0.18.6"
marker = "'dev' in dependency_groups"

[[packages]]
name = "local-tools"
directory = { path = "./tools", editable = true }

[tool.uv]
note = "tools may add their own tables"
"#;

    #[test]
    fn packages_with_versions() {
        assert_eq!(
            locked(LOCK, &read(LOCK)),
            [
                "mlrun 1.7.2 packages[0].version",
                "s3fs 2024.3.1 packages[1].version",
                "ruamel-yaml 0.18.6 packages[2].version",
            ]
        );
    }

    #[test]
    fn uv_style_package_tables_are_not_read() {
        assert!(read("[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n").is_empty());
    }

    #[test]
    fn malformed_files_are_problems_with_a_place() {
        let text = "lock-version = \"1.0\"\n[[packages]]\nname = six\n";
        let problem = problem_at(text, &read(text));
        assert!(
            problem.starts_with("3:8 invalid pylock.toml: "),
            "{problem}"
        );

        let text = "lock-version = \"1.0\"\npackages = [\"six\"]\n";
        let problem = problem_at(text, &read(text));
        assert!(
            problem.starts_with("2:13 invalid pylock.toml: "),
            "{problem}"
        );
    }
}
