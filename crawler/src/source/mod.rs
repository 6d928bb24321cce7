//! Source configuration and the source kinds.
//!
//! A source is one TOML file in the sources directory ([`config`]). Its `kind` picks the adapter:
//! [`html`] for municipal web sites read declaratively, [`kkj`] for the 官公需情報ポータルサイト
//! search API, [`pportal`] for the 調達ポータル award open data.

pub mod config;
pub mod html;
pub mod kkj;
pub mod pportal;

pub use config::{
    ConfigError, DetailConfig, ListConfig, LoadedSources, ResultsConfig, SourceConfig, SourceKind,
    load_sources, parse_source,
};
