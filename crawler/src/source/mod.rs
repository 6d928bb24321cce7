//! Source configuration and the source kinds.
//!
//! A source is one TOML file in the sources directory ([`config`]). Its `kind` picks the adapter:
//! [`html`] for municipal web sites read declaratively.

pub mod config;
pub mod html;

pub use config::{ConfigError, DetailConfig, ListConfig, LoadedSources, ResultsConfig, SourceConfig, SourceKind, load_sources, parse_source};
