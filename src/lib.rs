//! The `tenders` application: configuration, the commands of the binary, and the fixture server
//! used by `tenders demo` and the end-to-end tests. `src/main.rs` is a thin CLI over this.

pub mod app;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod fixtures;
