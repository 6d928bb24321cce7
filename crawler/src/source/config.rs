//! Source configuration: one TOML file per source in the sources directory.
//!
//! Every source has `id`, `name`, `kind` and optionally `schedule` and `municipality_code`.
//! `html` sources add `start_urls`, a `[list]` table and an optional `[detail]` table; `kkj` and
//! `pportal` sources add `base_url` and may bound what they fetch with `from_date` and `lg_codes`.
//! Unknown keys are rejected with a message that names them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;
use url::Url;

/// The kinds of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// 官公需情報ポータルサイト search API.
    Kkj,
    /// 調達ポータル award open data.
    Pportal,
    /// A municipal web site read through the declarative HTML adapter.
    Html,
}

impl SourceKind {
    /// The config name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Kkj => "kkj",
            SourceKind::Pportal => "pportal",
            SourceKind::Html => "html",
        }
    }
}

/// One source, as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Stable id; prefixes the ids of the source's records.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Which adapter reads it.
    pub kind: SourceKind,
    /// Cron expression in JST for `tenders run` (optional).
    #[serde(default)]
    pub schedule: Option<String>,
    /// The 全国地方公共団体コード of the body the source speaks for.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// 都道府県 of the body the source speaks for.
    #[serde(default)]
    pub prefecture: Option<String>,
    /// 市区町村 of the body the source speaks for.
    #[serde(default)]
    pub municipality: Option<String>,
    /// API endpoint or download endpoint (`kkj`, `pportal`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Earliest date to fetch on the first run (`kkj`, `pportal`).
    #[serde(default)]
    pub from_date: Option<NaiveDate>,
    /// Prefecture codes to restrict to (`kkj`), zero-padded.
    #[serde(default)]
    pub lg_codes: Vec<String>,
    /// Where an `html` crawl starts.
    #[serde(default)]
    pub start_urls: Vec<String>,
    /// Delay between two requests to one host; below the global floor only for loopback hosts.
    #[serde(default)]
    pub min_delay_ms: Option<u64>,
    /// Character-set override for sites that declare theirs wrongly.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Further hosts the source may fetch from (attachments on a CDN, …).
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Most pages fetched in one run (list and detail together).
    #[serde(default)]
    pub max_pages: Option<usize>,
    /// List pages of an `html` source.
    #[serde(default)]
    pub list: Option<ListConfig>,
    /// Detail pages of an `html` source.
    #[serde(default)]
    pub detail: DetailConfig,
    /// Pages that list several award results in one table (`[[results]]`, `html` sources).
    #[serde(default)]
    pub results: Vec<ResultsConfig>,
    /// The file it was read from (set by the loader).
    #[serde(skip)]
    pub path: PathBuf,
}

/// How an `html` source's list pages are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListConfig {
    /// CSS selector for one item on a list page.
    pub item: String,
    /// CSS selector, inside the item, for the link to the detail page.
    #[serde(default = "default_link")]
    pub link: String,
    /// CSS selector for the link to the next list page.
    #[serde(default)]
    pub next: Option<String>,
    /// Regexes on the listed title: keep only matching items (empty: keep all).
    #[serde(default)]
    pub include: Vec<String>,
    /// Regexes on the listed title: skip matching items (質問回答, 中止 …).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Regexes on the listed title that make an item an award result.
    #[serde(default)]
    pub award: Vec<String>,
}

fn default_link() -> String {
    "a".to_string()
}

/// How an `html` source's detail pages are read: which labels carry which field.
///
/// Each list is added to the adapter's defaults (see [`crate::source::html`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailConfig {
    /// Labels of the title (件名).
    #[serde(default)]
    pub title: Vec<String>,
    /// Labels of the case number (案件番号).
    #[serde(default)]
    pub case_number: Vec<String>,
    /// Labels of the buyer (担当課).
    #[serde(default)]
    pub buyer: Vec<String>,
    /// Labels of the notice date (公告日).
    #[serde(default)]
    pub published: Vec<String>,
    /// Labels of the deadline (提出期限).
    #[serde(default)]
    pub deadline: Vec<String>,
    /// Labels of the opening (開札日).
    #[serde(default)]
    pub opening: Vec<String>,
    /// Labels of the estimated price (予定価格).
    #[serde(default)]
    pub estimated_price: Vec<String>,
    /// Labels of the awarded amount (落札金額).
    #[serde(default)]
    pub amount: Vec<String>,
    /// Labels of the winner (落札者).
    #[serde(default)]
    pub winner: Vec<String>,
    /// Labels of the number of bidders.
    #[serde(default)]
    pub bidders: Vec<String>,
    /// Labels of the method (入札方式).
    #[serde(default)]
    pub method: Vec<String>,
    /// Labels of the category (種別).
    #[serde(default)]
    pub category: Vec<String>,
    /// CSS selector of the free-text part of the page (default: the whole page).
    #[serde(default)]
    pub body_selector: Option<String>,
}

/// A page that lists several award results in one table, one award per row.
///
/// Columns are found by their header text: each key lists the headers that carry a field, and a
/// header matches when, after normalisation and removal of white space, it starts with one of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsConfig {
    /// The results pages.
    pub urls: Vec<String>,
    /// CSS selector of the results table.
    #[serde(default = "default_table")]
    pub table: String,
    /// Headers of the case number column.
    #[serde(default)]
    pub case_number: Vec<String>,
    /// Headers of the title column.
    #[serde(default)]
    pub title: Vec<String>,
    /// Headers of the buyer column.
    #[serde(default)]
    pub buyer: Vec<String>,
    /// Headers of the notice date column.
    #[serde(default)]
    pub published: Vec<String>,
    /// Headers of the opening date column.
    #[serde(default)]
    pub opening: Vec<String>,
    /// Headers of the method column.
    #[serde(default)]
    pub method: Vec<String>,
    /// Headers of the category column.
    #[serde(default)]
    pub category: Vec<String>,
    /// Headers of the winner column.
    #[serde(default)]
    pub winner: Vec<String>,
    /// Headers of the awarded amount column.
    #[serde(default)]
    pub amount: Vec<String>,
    /// Headers of the estimated price column.
    #[serde(default)]
    pub estimated_price: Vec<String>,
    /// Headers of the number of bidders column.
    #[serde(default)]
    pub bidders: Vec<String>,
}

fn default_table() -> String {
    "table".to_string()
}

/// A source file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown or missing keys.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, as the TOML parser words it.
        message: String,
    },
    /// The values are inconsistent.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Result of loading a sources directory: the good sources and the broken files.
#[derive(Debug, Default)]
pub struct LoadedSources {
    /// Sources that parsed and validated, sorted by id.
    pub sources: Vec<SourceConfig>,
    /// Files that did not; each is reported and skipped.
    pub errors: Vec<ConfigError>,
}

impl SourceConfig {
    /// The delay between two requests to one host that the source asks for.
    pub fn delay(&self) -> Option<Duration> {
        self.min_delay_ms.map(Duration::from_millis)
    }

    /// `base_url`, parsed (`kkj`, `pportal`); `None` when missing or invalid (validation
    /// rejects both for those kinds).
    pub fn api_base(&self) -> Option<Url> {
        self.base_url.as_deref().and_then(|b| Url::parse(b).ok())
    }

    /// The start URLs, parsed.
    pub fn start_urls(&self) -> Result<Vec<Url>, ConfigError> {
        self.start_urls
            .iter()
            .map(|u| {
                Url::parse(u)
                    .map_err(|e| self.invalid(format!("start_urls: {u:?} is not a URL: {e}")))
            })
            .collect()
    }

    fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.clone(),
            message,
        }
    }

    /// Checks what serde cannot: required keys per kind, URL syntax, codes.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(self.invalid(format!(
                "id {:?} must be non-empty ASCII letters, digits, '-' or '_'",
                self.id
            )));
        }
        if let Some(code) = &self.municipality_code {
            let ok =
                (code.len() == 5 || code.len() == 6) && code.chars().all(|c| c.is_ascii_digit());
            if !ok {
                return Err(
                    self.invalid(format!("municipality_code {code:?} must be 5 or 6 digits"))
                );
            }
        }
        match self.kind {
            SourceKind::Html => {
                if self.start_urls.is_empty() {
                    return Err(self.invalid("an html source needs start_urls".into()));
                }
                self.start_urls()?;
                for results in &self.results {
                    for u in &results.urls {
                        Url::parse(u).map_err(|e| {
                            self.invalid(format!("results.urls: {u:?} is not a URL: {e}"))
                        })?;
                    }
                    if results.title.is_empty() {
                        return Err(
                            self.invalid("[[results]] needs the `title` column's headers".into())
                        );
                    }
                }
                let Some(list) = &self.list else {
                    return Err(
                        self.invalid("an html source needs a [list] table with `item`".into())
                    );
                };
                for pattern in list.include.iter().chain(&list.exclude).chain(&list.award) {
                    regex::Regex::new(pattern)
                        .map_err(|e| self.invalid(format!("list: bad pattern {pattern:?}: {e}")))?;
                }
                let selectors = [
                    Some(&list.item),
                    Some(&list.link),
                    list.next.as_ref(),
                    self.detail.body_selector.as_ref(),
                ];
                let tables = self.results.iter().map(|r| Some(&r.table));
                for selector in selectors.into_iter().chain(tables).flatten() {
                    scraper::Selector::parse(selector)
                        .map_err(|e| self.invalid(format!("bad CSS selector {selector:?}: {e}")))?;
                }
            }
            SourceKind::Kkj | SourceKind::Pportal => {
                let Some(base) = &self.base_url else {
                    return Err(
                        self.invalid(format!("a {} source needs base_url", self.kind.as_str()))
                    );
                };
                Url::parse(base).map_err(|e| self.invalid(format!("base_url {base:?}: {e}")))?;
            }
        }
        if let Some(expr) = &self.schedule {
            crate::schedule::Schedule::for_source(&self.id, Some(expr))
                .map_err(|e| self.invalid(e.to_string()))?;
        }
        if let Some(enc) = &self.encoding
            && encoding_rs::Encoding::for_label(enc.as_bytes()).is_none()
        {
            return Err(self.invalid(format!("encoding {enc:?} is not a known character set")));
        }
        Ok(())
    }
}

/// Parses one source file's text. `vars` replaces `{{name}}` placeholders first.
pub fn parse_source(
    path: &Path,
    text: &str,
    vars: &HashMap<String, String>,
) -> Result<SourceConfig, ConfigError> {
    let text = substitute(path, text, vars)?;
    let mut config: SourceConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    config.path = path.to_path_buf();
    config.validate()?;
    Ok(config)
}

fn substitute(
    path: &Path,
    text: &str,
    vars: &HashMap<String, String>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "unclosed {{ placeholder".into(),
            });
        };
        let name = after[..end].trim();
        let Some(value) = vars.get(name) else {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("unknown placeholder {{{{{name}}}}}"),
            });
        };
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Loads every `*.toml` file of `dir`. Broken files are returned as errors and skipped; they never
/// stop the others. Duplicate ids are errors too (the second file is skipped).
pub fn load_sources(
    dir: &Path,
    vars: &HashMap<String, String>,
) -> Result<LoadedSources, ConfigError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ConfigError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut loaded = LoadedSources::default();
    for path in paths {
        let result = std::fs::read_to_string(&path)
            .map_err(|source| ConfigError::Io {
                path: path.clone(),
                source,
            })
            .and_then(|text| parse_source(&path, &text, vars));
        match result {
            Ok(config) if loaded.sources.iter().any(|s| s.id == config.id) => {
                loaded.errors.push(ConfigError::Invalid {
                    path: path.clone(),
                    message: format!("duplicate source id {:?}", config.id),
                });
            }
            Ok(config) => loaded.sources.push(config),
            Err(e) => loaded.errors.push(e),
        }
    }
    loaded.sources.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "mima-city"
name = "美馬市"
kind = "html"
municipality_code = "362077"
start_urls = ["{{fixture:mima-city}}/nyusatsu/index.html"]
min_delay_ms = 50
[list]
item = "table.bid-list tbody tr"
exclude = ["質問"]
[detail]
deadline = ["入札書提出期限"]
"#;

    fn vars() -> HashMap<String, String> {
        HashMap::from([(
            "fixture:mima-city".to_string(),
            "http://127.0.0.1:4000".to_string(),
        )])
    }

    #[test]
    fn parses_and_substitutes() {
        let c = parse_source(Path::new("a.toml"), GOOD, &vars()).unwrap();
        assert_eq!(c.start_urls, ["http://127.0.0.1:4000/nyusatsu/index.html"]);
        assert_eq!(c.kind, SourceKind::Html);
        assert_eq!(c.detail.deadline, ["入札書提出期限"]);
        assert_eq!(c.delay(), Some(Duration::from_millis(50)));
    }

    #[test]
    fn unknown_keys_are_named() {
        let text = GOOD.replace("min_delay_ms", "min_dealy_ms");
        let err = parse_source(Path::new("a.toml"), &text, &vars())
            .unwrap_err()
            .to_string();
        assert!(err.contains("min_dealy_ms"), "{err}");
        assert!(err.contains("a.toml"), "{err}");
    }

    #[test]
    fn invalid_values_are_explained() {
        let no_list = GOOD.split("[list]").next().unwrap().to_string();
        let err = parse_source(Path::new("b.toml"), &no_list, &vars())
            .unwrap_err()
            .to_string();
        assert!(err.contains("[list]"), "{err}");
        let bad_code = GOOD.replace("362077", "36207X");
        let err = parse_source(Path::new("b.toml"), &bad_code, &vars())
            .unwrap_err()
            .to_string();
        assert!(err.contains("municipality_code"), "{err}");
        let bad_placeholder = GOOD.replace("fixture:mima-city", "fixture:nowhere");
        let err = parse_source(Path::new("b.toml"), &bad_placeholder, &vars())
            .unwrap_err()
            .to_string();
        assert!(err.contains("fixture:nowhere"), "{err}");
        let bad_selector = GOOD.replace("table.bid-list tbody tr", "tr[[");
        let err = parse_source(Path::new("b.toml"), &bad_selector, &vars())
            .unwrap_err()
            .to_string();
        assert!(err.contains("CSS selector"), "{err}");
    }

    #[test]
    fn a_broken_file_does_not_stop_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("b.toml"), "id = ").unwrap();
        std::fs::write(dir.path().join("c.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let loaded = load_sources(dir.path(), &vars()).unwrap();
        assert_eq!(loaded.sources.len(), 1);
        assert_eq!(loaded.errors.len(), 2);
        let messages: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
        assert!(messages.iter().any(|m| m.contains("b.toml")));
        assert!(messages.iter().any(|m| m.contains("duplicate source id")));
    }
}
