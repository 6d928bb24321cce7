//! The tenders database.
//!
//! - [`record`]: the record model, shaped after OCDS.
//! - [`store`]: the SQLite system of record — records and their history, crawl state per URL,
//!   crawl runs.
//! - [`index`]: the tantivy index derived from the store, with Japanese analysis, and the typed
//!   read side ([`index::SearchRequest`] → [`index::SearchResponse`]).
//!
//! tantivy and SQL never leak past this crate.

pub mod index;
pub mod record;
pub mod store;

pub use record::{Attachment, Category, Kind, Link, Method, Money, Record, Tax, When};
