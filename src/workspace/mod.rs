//! The workspace layer: reads what analysis may use besides the file itself, so analysis
//! stays pure: the variables for interpolation (the `.env` beside the file, under the
//! environment), the rule settings (the editor's, under the nearest `portside.toml`) and
//! the names the project's other Compose files define (the base or override file beside
//! it, `include:` and `extends: file:`).
//!
//! - [`vfs`]: the file cache every read goes through (open documents' unsaved text first,
//!   then the disk keyed by modification time; parsed once per content; bounded);
//! - [`context`]: one analysis's [`crate::analysis::Context`];
//! - [`related`]: the project's other Compose files and includer discovery.

pub mod context;
pub mod related;
pub mod vfs;

use std::path::Path;

pub use context::{
    context_after_edit, context_cached, context_for, context_in, context_reading, context_vfs,
    context_with, context_with_vfs, find_config, find_config_in,
};
pub use related::{Includer, includers_in, namespace_paths, same_file};
pub use vfs::Vfs;

/// Reads a file's text: the editor's unsaved text when it has one, else the disk.
pub type Reader<'a> = &'a (dyn Fn(&Path) -> Option<String> + Sync);

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_configs;
