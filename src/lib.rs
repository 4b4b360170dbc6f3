//! portside: finds Docker networking misconfigurations in Compose files, Dockerfiles and
//! daemon.json, as a language server and as a CLI. See ARCHITECTURE.md for the map.

pub mod analysis;
pub mod classify;
pub mod cli;
pub mod config;
pub mod finding;
pub mod ide;
pub mod knowledge;
pub mod live;
pub mod malloc;
pub mod model;
pub mod rules;
pub mod server;
pub mod suppress;
pub mod syntax;
pub mod text;
pub mod workspace;
