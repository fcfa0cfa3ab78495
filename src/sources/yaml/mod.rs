//! MLRun YAML specs: exported functions, projects and function-hub items.

use crate::facts::Fact;
use std::path::Path;

/// Reads a YAML file into facts. YAML that is not an MLRun spec yields no facts.
pub fn read(_path: &Path, _text: &str) -> Vec<Fact> {
    Vec::new()
}
