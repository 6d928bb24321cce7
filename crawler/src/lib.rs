//! The crawler: everything in tenders that touches the outside world and turns pages into records.
//!
//! - [`fetch`]: polite HTTP — robots.txt (RFC 9309), per-host pacing, retries, conditional GET,
//!   size caps, redirect and address checks, and character-set decoding.
//! - [`extract`]: text and tables out of PDF, Excel and CSV attachments.
//! - [`normalize`]: Japanese dates (和暦), money, company names, text and classification.
//! - [`source`]: source configuration (one TOML file per source) and the source kinds.
//! - [`crawl`]: one crawl pass over a set of sources, writing into the indexer's store.
//! - [`schedule`]: when each source runs (cron in JST, jitter, daily off-peak default).
//! - [`health`]: per-source health after each run, against the source's own history.
//! - [`canary`]: fetch one item per source to tell whether it still works.
//!
//! This is the only crate of the workspace that names reqwest.

pub mod canary;
pub mod crawl;
pub mod extract;
pub mod fetch;
pub mod health;
pub mod link;
pub mod normalize;
pub mod reference;
pub mod schedule;
pub mod source;
#[cfg(feature = "testsupport")]
pub mod testsupport;
