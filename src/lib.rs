//! mlrun-lint: finds unpinned container images and packages in MLRun projects.
//!
//! Data flows one way: [`discover`] files → [`sources`] read each into [`facts`] →
//! [`rules`] judge facts → [`diagnostic`]s (with fixes) → reporters.

pub mod cache;
pub mod cells;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod facts;
pub mod file_at;
pub mod fix;
pub mod paths;
pub mod report;
pub mod rules;
pub mod selection;
pub mod server;
pub mod sources;
pub mod span;
pub mod suppress;
pub mod workspace;
