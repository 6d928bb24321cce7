//! `tenders.toml`: every key optional, unknown keys rejected with a message that names them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The politeness floor for every host that is not loopback, in milliseconds.
pub const MIN_DELAY_FLOOR_MS: u64 = 1000;

/// The configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the store and the index live (default `./data`).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Where the source files are (default `./sources`).
    #[serde(default = "default_sources_dir")]
    pub sources_dir: PathBuf,
    /// Product part of the User-Agent (default `tenders/<version>`).
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// Where site owners can reach the operator; sent in the User-Agent.
    #[serde(default = "default_contact_url")]
    pub contact_url: String,
    /// Address `serve` listens on (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Politeness settings.
    #[serde(default)]
    pub politeness: Politeness,
}

/// `[politeness]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Politeness {
    /// Minimum delay between two requests to one non-loopback host (default and floor: 1000).
    #[serde(default = "default_min_delay")]
    pub min_delay_ms: u64,
}

impl Default for Politeness {
    fn default() -> Politeness {
        Politeness {
            min_delay_ms: default_min_delay(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}
fn default_sources_dir() -> PathBuf {
    PathBuf::from("./sources")
}
fn default_user_agent() -> String {
    format!("tenders/{}", env!("CARGO_PKG_VERSION"))
}
fn default_contact_url() -> String {
    "https://github.com/tenders-jp/tenders".to_string()
}
fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_min_delay() -> u64 {
    MIN_DELAY_FLOOR_MS
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: default_data_dir(),
            sources_dir: default_sources_dir(),
            user_agent: default_user_agent(),
            contact_url: default_contact_url(),
            listen: default_listen(),
            politeness: Politeness::default(),
        }
    }
}

impl Config {
    /// Reads `path`. A missing file is an error only when `required` (the user named it).
    pub fn load(path: &Path, required: bool) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Config::parse("").context("in the environment overrides");
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Config::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses and validates the text of a configuration file.
    pub fn parse(text: &str) -> Result<Config> {
        Config::parse_with_env(text, |name| std::env::var(name).ok())
    }

    /// Parses the text, then applies the `TENDERS_*` environment overrides read through `env`,
    /// then validates.
    pub fn parse_with_env(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
        config.apply_env(env)?;
        if config.politeness.min_delay_ms < MIN_DELAY_FLOOR_MS {
            bail!(
                "[politeness] min_delay_ms = {} is below the floor of {MIN_DELAY_FLOOR_MS} ms for real hosts; it can be raised, not lowered",
                config.politeness.min_delay_ms
            );
        }
        if config.user_agent.trim().is_empty() || config.contact_url.trim().is_empty() {
            bail!(
                "user_agent and contact_url must not be empty: site owners need to know who crawls them"
            );
        }
        Ok(config)
    }

    /// Applies the environment overrides: `TENDERS_DATA_DIR`, `TENDERS_SOURCES_DIR`,
    /// `TENDERS_LISTEN`, `TENDERS_USER_AGENT`, `TENDERS_CONTACT_URL`, `TENDERS_MIN_DELAY_MS`.
    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = env("TENDERS_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("TENDERS_SOURCES_DIR") {
            self.sources_dir = PathBuf::from(v);
        }
        if let Some(v) = env("TENDERS_LISTEN") {
            self.listen = v.parse().map_err(|_| {
                anyhow::anyhow!("TENDERS_LISTEN={v:?} is not an address such as 127.0.0.1:8080")
            })?;
        }
        if let Some(v) = env("TENDERS_USER_AGENT") {
            self.user_agent = v;
        }
        if let Some(v) = env("TENDERS_CONTACT_URL") {
            self.contact_url = v;
        }
        if let Some(v) = env("TENDERS_MIN_DELAY_MS") {
            self.politeness.min_delay_ms = v.parse().map_err(|_| {
                anyhow::anyhow!("TENDERS_MIN_DELAY_MS={v:?} is not a whole number of milliseconds")
            })?;
        }
        Ok(())
    }

    /// The User-Agent header: product token, version and contact URL.
    pub fn user_agent_header(&self) -> String {
        format!("{} (+{})", self.user_agent.trim(), self.contact_url.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_optional() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.politeness.min_delay_ms, 1000);
        assert!(c.user_agent_header().starts_with("tenders/"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = format!(
            "{:#}",
            Config::parse("listen = \"127.0.0.1:9000\"\ndata_dri = \"x\"").unwrap_err()
        );
        assert!(err.contains("data_dri"), "{err}");
        let err = format!(
            "{:#}",
            Config::parse("[politeness]\nmax_delay_ms = 5").unwrap_err()
        );
        assert!(err.contains("max_delay_ms"), "{err}");
    }

    #[test]
    fn politeness_can_be_tightened_not_loosened() {
        assert_eq!(
            Config::parse("[politeness]\nmin_delay_ms = 3000")
                .unwrap()
                .politeness
                .min_delay_ms,
            3000
        );
        let err = format!(
            "{:#}",
            Config::parse("[politeness]\nmin_delay_ms = 200").unwrap_err()
        );
        assert!(err.contains("floor"), "{err}");
    }

    #[test]
    fn environment_overrides_apply_and_are_validated() {
        let env = |name: &str| match name {
            "TENDERS_LISTEN" => Some("127.0.0.1:9999".to_string()),
            "TENDERS_MIN_DELAY_MS" => Some("2500".to_string()),
            _ => None,
        };
        let c = Config::parse_with_env("listen = \"127.0.0.1:8000\"", env).unwrap();
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.politeness.min_delay_ms, 2500);
        let low = |name: &str| (name == "TENDERS_MIN_DELAY_MS").then(|| "10".to_string());
        assert!(format!("{:#}", Config::parse_with_env("", low).unwrap_err()).contains("floor"));
        let bad = |name: &str| (name == "TENDERS_LISTEN").then(|| "localhost".to_string());
        assert!(
            format!("{:#}", Config::parse_with_env("", bad).unwrap_err())
                .contains("TENDERS_LISTEN")
        );
    }

    #[test]
    fn a_named_file_must_exist() {
        let missing = Path::new("/nonexistent/tenders.toml");
        assert!(Config::load(missing, false).is_ok());
        assert!(Config::load(missing, true).is_err());
    }
}
