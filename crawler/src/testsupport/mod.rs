//! Loopback look-alikes of the API sources, for tests and for `tenders demo` (cargo feature
//! `testsupport`).
//!
//! - [`kkj_server`]: the KKJ search API with its quirks, over a generated set of notices
//!   ([`kkj_data`]).
//! - [`pportal_server`]: the p-portal open-data downloads, serving the zips committed under
//!   `fixtures/pportal/` (made by [`pportal_data`]).
//!
//! Everything is invented for this project; no server here ever talks to the internet.

pub mod kkj_data;
pub mod kkj_server;
pub mod pportal_data;
pub mod pportal_server;

pub use kkj_data::{KkjDataset, KkjDatasetConfig, KkjNotice};
pub use kkj_server::{KkjServer, KkjServerOptions};
pub use pportal_server::PportalServer;
