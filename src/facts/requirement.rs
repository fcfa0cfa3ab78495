//! Package requirements (PEP 508 lines, pip arguments) as facts.

use super::Origin;

/// A package requirement found in any source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageFact {
    pub origin: Origin,
    /// The requirement as written.
    pub text: String,
}
