//! Fetch configuration, with the defaults of DESIGN.md's politeness policy.

use std::net::IpAddr;
use std::time::Duration;

/// How the [`Fetcher`](super::Fetcher) behaves. Operators may tighten these; the floor
/// (`min_delay`) applies to every host that is not loopback whatever a source asks.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The full User-Agent, e.g. `tenders/0.1 (+https://example.org/contact)`. Its product
    /// token (the part before `/`) is what robots.txt groups are matched against.
    pub user_agent: String,
    /// Floor between the end of one request and the start of the next to one host; applies to
    /// every non-loopback host (default 1 s).
    pub min_delay: Duration,
    /// Random extra added to every gap, as a fraction of it (0.0–1.0; default 0.05). Jitter only
    /// lengthens gaps.
    pub jitter: f64,
    /// Body cap, counted while streaming and after decompression (default 20 MiB).
    pub max_body_bytes: usize,
    /// TCP/TLS connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Timeout between two reads of the response (default 30 s).
    pub read_timeout: Duration,
    /// Timeout of one whole exchange, headers and body (default 120 s), so a server trickling
    /// bytes cannot hold a slot forever.
    pub request_timeout: Duration,
    /// Attempts per URL for 408/429/5xx and network errors, the first included (default 3).
    pub max_attempts: u32,
    /// First retry back-off; doubled for each further attempt (default 1 s).
    pub backoff_base: Duration,
    /// Longest back-off between two attempts (default 60 s).
    pub max_backoff: Duration,
    /// Longest `Retry-After` we wait out and retry after; a longer one still holds the host
    /// back for this long, but the request gives up (default 5 min).
    pub max_retry_after: Duration,
    /// Redirects followed per request, each hop checked (default 5).
    pub max_redirects: u8,
    /// Requests in flight across all hosts (default 32). Per host it is always one.
    pub global_concurrency: usize,
    /// Cap on a robots.txt Crawl-delay (default 60 s); a larger one is capped and logged.
    pub max_crawl_delay: Duration,
    /// How long a fetched robots.txt is used (default and maximum 24 h).
    pub robots_ttl: Duration,
    /// How long an unreachable robots.txt (5xx, 429, network error) keeps its host disallowed
    /// before it is tried again (default 10 min).
    pub robots_error_ttl: Duration,
    /// Static host → address overrides applied before the address checks, like
    /// `curl --resolve` (default none).
    pub resolve: Vec<(String, IpAddr)>,
}

impl FetchConfig {
    /// The product token robots.txt groups are matched against: the User-Agent up to the first
    /// `/` or space, lower-cased (`tenders`).
    pub fn product_token(&self) -> String {
        let token: String = self
            .user_agent
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if token.is_empty() {
            "tenders".to_owned()
        } else {
            token.to_ascii_lowercase()
        }
    }
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!(
                "tenders/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY")
            ),
            min_delay: Duration::from_secs(1),
            jitter: 0.05,
            max_body_bytes: 20 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
            max_attempts: 3,
            backoff_base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
            max_redirects: 5,
            global_concurrency: 32,
            max_crawl_delay: Duration::from_secs(60),
            robots_ttl: Duration::from_secs(24 * 3600),
            robots_error_ttl: Duration::from_secs(600),
            resolve: Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn product_token_from_user_agent() {
        let mut c = FetchConfig::default();
        assert_eq!(c.product_token(), "tenders");
        assert!(c.user_agent.starts_with("tenders/"));
        c.user_agent = "Tenders-Bot/2.0 (+https://example.org/contact)".into();
        assert_eq!(c.product_token(), "tenders-bot");
        c.user_agent = "  ".into();
        assert_eq!(c.product_token(), "tenders");
    }
}
