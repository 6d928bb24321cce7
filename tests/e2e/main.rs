//! End-to-end tests of the `tenders` package: fixture sites served on 127.0.0.1, the real crawler,
//! store, index and HTTP server — and a real browser on the web page (`browser`).
//!
//! All of them live in this one binary (one module per feature) so the workspace links a single
//! end-to-end test executable.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod attachments;
mod browser;
mod common;
mod daemon;
mod index_kill;
mod resume;
mod search;
