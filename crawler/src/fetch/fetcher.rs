//! The [`Fetcher`]: one polite GET, with robots.txt, pacing, retries, redirects and checks.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header;
use tokio::sync::Semaphore;
use url::Url;

use super::clock::{Clock, SystemClock};
use super::config::FetchConfig;
use super::error::FetchError;
use super::http::{self, BodyLimit, ClientSettings, Conditional, Hop, HopError};
use super::pacing::Pacer;
use super::retry::{backoff, is_retryable_status, parse_retry_after};
use super::robots::{
    MAX_ROBOTS_BYTES, MAX_ROBOTS_REDIRECTS, RobotsCache, RobotsEntry, RobotsRules, authority_key,
    robots_url,
};
use super::scope::{HostScope, host_key, is_forbidden_ip, is_loopback_host};

/// ETag and Last-Modified of the stored copy of a URL, sent back as a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The stored `ETag`, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The stored `Last-Modified`, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// One GET to make on behalf of a source.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    /// The URL.
    pub url: &'a Url,
    /// The hosts the source names; the URL and every redirect hop must be on one of them.
    pub scope: &'a HostScope,
    /// The source's own delay between requests to a host. Raised to the configured floor for
    /// every host that is not loopback.
    pub delay: Duration,
    /// Validators of the stored copy, if any: a 304 answer becomes [`Fetched::NotModified`].
    pub validators: Option<&'a Validators>,
}

/// The outcome of a successful fetch.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// The server answered 304 to the conditional GET: the stored copy is current.
    NotModified {
        /// The URL that answered 304 (after any redirects).
        url: Url,
        /// Time spent waiting for politeness (robots.txt included).
        waited: Duration,
    },
    /// A 2xx answer with its body.
    Page(Page),
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The final URL, after redirects.
    pub url: Url,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The body, decompressed, at most `max_body_bytes` long.
    pub body: Vec<u8>,
    /// The `ETag` header, to store for the next conditional GET.
    pub etag: Option<String>,
    /// The `Last-Modified` header, to store for the next conditional GET.
    pub last_modified: Option<String>,
    /// Time spent waiting for politeness (robots.txt included).
    pub waited: Duration,
    /// Attempts made for the final hop (1 when the first try succeeded).
    pub attempts: u32,
}

/// A polite HTTP client. Cheap to clone; clones share the per-host slots, the robots.txt cache
/// and the global concurrency bound.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    config: FetchConfig,
    product_token: String,
    /// For sources that are not on loopback: refuses non-public addresses after DNS.
    public_client: reqwest::Client,
    /// For loopback sources (fixtures): any address.
    loopback_client: reqwest::Client,
    pacer: Pacer,
    robots: RobotsCache,
    global: Semaphore,
    /// Requests and body bytes by (host, status or error), for metrics.
    stats: std::sync::Mutex<std::collections::BTreeMap<(String, String), (u64, u64)>>,
}

/// Requests made to one host that ended with one status (or error), and the body bytes received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostStat {
    /// The host (with its port for loopback hosts).
    pub host: String,
    /// The HTTP status, or `error` for a network failure, timeout or refused body.
    pub status: String,
    /// Requests (attempts, robots.txt included).
    pub requests: u64,
    /// Body bytes received.
    pub bytes: u64,
}

/// Whether a hop's response is the page, a redirect, or an error status.
enum HopResult {
    Done(Hop, u32),
    Failed(FetchError),
}

impl Fetcher {
    /// A fetcher on the real clock.
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        Fetcher::with_clock(config, Arc::new(SystemClock))
    }

    /// A fetcher whose pacing runs on `clock` (tests use a [`FakeClock`](super::FakeClock)).
    pub fn with_clock(config: FetchConfig, clock: Arc<dyn Clock>) -> Result<Fetcher, FetchError> {
        if config.user_agent.trim().is_empty() {
            return Err(FetchError::Client("the User-Agent is empty".into()));
        }
        let mut overrides: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (host, ip) in &config.resolve {
            overrides
                .entry(host.trim_end_matches('.').to_ascii_lowercase())
                .or_default()
                .push(*ip);
        }
        let overrides = Arc::new(overrides);
        let settings = |allow_private| ClientSettings {
            user_agent: &config.user_agent,
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            allow_private,
            overrides: overrides.clone(),
        };
        let public_client = http::build_client(settings(false)).map_err(FetchError::Client)?;
        let loopback_client = http::build_client(settings(true)).map_err(FetchError::Client)?;
        let mut config = config;
        config.max_attempts = config.max_attempts.max(1);
        config.global_concurrency = config.global_concurrency.max(1);
        config.robots_ttl = config.robots_ttl.min(Duration::from_secs(24 * 3600));
        Ok(Fetcher {
            inner: Arc::new(Inner {
                product_token: config.product_token(),
                public_client,
                loopback_client,
                pacer: Pacer::new(clock, config.jitter),
                robots: RobotsCache::new(),
                global: Semaphore::new(config.global_concurrency),
                stats: std::sync::Mutex::new(std::collections::BTreeMap::new()),
                config,
            }),
        })
    }

    /// Requests and bytes so far, by host and status.
    pub fn host_stats(&self) -> Vec<HostStat> {
        self.inner
            .stats
            .lock()
            .map(|m| {
                m.iter()
                    .map(|((host, status), (requests, bytes))| HostStat {
                        host: host.clone(),
                        status: status.clone(),
                        requests: *requests,
                        bytes: *bytes,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The configuration in use.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// Fetches one URL politely: checks scheme, scope and address; obeys robots.txt; waits its
    /// turn on the host; retries transient failures; follows redirects, checking every hop the
    /// same way; sends the validators as a conditional GET.
    pub async fn get(&self, req: FetchRequest<'_>) -> Result<Fetched, FetchError> {
        let inner = &self.inner;
        let mut url = req.url.clone();
        let mut waited = Duration::ZERO;
        let mut redirects: u8 = 0;
        let sent_validators = req
            .validators
            .is_some_and(|v| v.etag.is_some() || v.last_modified.is_some());
        loop {
            req.scope.check(&url)?;
            let robots = self.robots_for(&url, req, &mut waited).await?;
            match &*robots.rules {
                RobotsRules::DisallowAll => {
                    return Err(FetchError::RobotsUnreachable {
                        host: authority_key(&url),
                    });
                }
                rules if !rules.allowed(&url) => {
                    tracing::debug!(%url, "disallowed by robots.txt");
                    return Err(FetchError::DisallowedByRobots { url });
                }
                _ => {}
            }
            let limit = BodyLimit::Refuse(inner.config.max_body_bytes);
            let (hop, attempts) = match self.paced(&url, req, limit, true, &mut waited).await {
                HopResult::Done(hop, attempts) => (hop, attempts),
                HopResult::Failed(e) => return Err(e),
            };
            match hop.status {
                // a 304 answers a conditional GET; unasked for, it is just an odd status
                304 if sent_validators => return Ok(Fetched::NotModified { url, waited }),
                200..=299 => {
                    let text = |name| http::header_str(&hop.headers, name).map(str::to_owned);
                    return Ok(Fetched::Page(Page {
                        status: hop.status,
                        content_type: text(header::CONTENT_TYPE),
                        etag: text(header::ETAG),
                        last_modified: text(header::LAST_MODIFIED),
                        body: hop.body,
                        waited,
                        attempts,
                        url,
                    }));
                }
                301 | 302 | 303 | 307 | 308 => {
                    let Some(next) = location(&hop, &url) else {
                        return Err(FetchError::BadRedirect { url });
                    };
                    redirects += 1;
                    if redirects > inner.config.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: req.url.clone(),
                        });
                    }
                    tracing::debug!(from = %url, to = %next, "redirect");
                    url = next;
                }
                status => return Err(FetchError::Http { url, status }),
            }
        }
    }

    /// The client for a source: the loopback one may reach any address.
    fn client(&self, scope: &HostScope) -> &reqwest::Client {
        if scope.is_loopback() {
            &self.inner.loopback_client
        } else {
            &self.inner.public_client
        }
    }

    /// The gap before a request to `url`: the source's delay, raised to the floor unless the
    /// host is loopback.
    fn base_gap(&self, url: &Url, delay: Duration) -> Duration {
        base_gap(url, delay, self.inner.config.min_delay)
    }

    /// One hop, paced and retried: takes the host's turn, sends, and on a transient failure
    /// holds the host back (back-off, Retry-After — never less than the usual gap) and tries
    /// again, up to `max_attempts`. Returns the last response, whatever its status.
    async fn paced(
        &self,
        url: &Url,
        req: FetchRequest<'_>,
        limit: BodyLimit,
        conditional: bool,
        waited: &mut Duration,
    ) -> HopResult {
        let inner = &self.inner;
        let config = &inner.config;
        let key = pace_key(url);
        let gap = self.base_gap(url, req.delay);
        let client = self.client(req.scope);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let before = inner.pacer.clock().now();
            let mut turn = inner.pacer.acquire(&key, gap).await;
            *waited += inner.pacer.clock().now().saturating_duration_since(before);
            let result = {
                let Ok(_permit) = inner.global.acquire().await else {
                    return HopResult::Failed(FetchError::Client("fetcher closed".into()));
                };
                let cond = Conditional {
                    etag: req
                        .validators
                        .filter(|_| conditional)
                        .and_then(|v| v.etag.as_deref()),
                    last_modified: req
                        .validators
                        .filter(|_| conditional)
                        .and_then(|v| v.last_modified.as_deref()),
                };
                http::send(client, url, cond, limit, config.request_timeout).await
            };
            if let Ok(mut stats) = inner.stats.lock() {
                let (status, bytes) = match &result {
                    Ok(hop) => (hop.status.to_string(), hop.body.len() as u64),
                    Err(_) => ("error".to_string(), 0),
                };
                let entry = stats.entry((key.clone(), status)).or_default();
                entry.0 += 1;
                entry.1 += bytes;
            }
            let last = attempt >= config.max_attempts;
            match result {
                Ok(hop) if is_retryable_status(hop.status) => {
                    let retry_after = http::header_str(&hop.headers, header::RETRY_AFTER)
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    if let Some(ra) = retry_after {
                        tracing::info!(%url, status = hop.status, retry_after = ?ra, "server asked us to wait");
                        turn.hold_for(ra.min(config.max_retry_after));
                    }
                    let too_long = retry_after.is_some_and(|ra| ra > config.max_retry_after);
                    if last || too_long {
                        tracing::warn!(%url, status = hop.status, attempt, "giving up");
                        return HopResult::Done(hop, attempt);
                    }
                    let wait = backoff(attempt, config.backoff_base, config.max_backoff);
                    tracing::info!(%url, status = hop.status, attempt, backoff = ?wait, "retrying");
                    turn.hold_for(wait);
                }
                Ok(hop) => return HopResult::Done(hop, attempt),
                Err(e) if e.is_retryable() && !last => {
                    let wait = backoff(attempt, config.backoff_base, config.max_backoff);
                    tracing::info!(%url, error = ?e, attempt, backoff = ?wait, "retrying");
                    turn.hold_for(wait);
                }
                Err(e) => {
                    tracing::warn!(%url, error = ?e, attempt, "fetch failed");
                    let url = url.clone();
                    return HopResult::Failed(match e {
                        HopError::Network(message) => FetchError::Network { url, message },
                        HopError::Timeout => FetchError::Timeout { url },
                        HopError::TooLarge => FetchError::TooLarge {
                            url,
                            limit: match limit {
                                BodyLimit::Refuse(n) | BodyLimit::Truncate(n) => n,
                            },
                        },
                        HopError::ForbiddenAddress => FetchError::ForbiddenAddress { url },
                    });
                }
            }
        }
    }

    /// The robots.txt rules for `url`'s authority, from the cache or fetched now.
    async fn robots_for(
        &self,
        url: &Url,
        req: FetchRequest<'_>,
        waited: &mut Duration,
    ) -> Result<RobotsEntry, FetchError> {
        let inner = &self.inner;
        let key = authority_key(url);
        let clock = inner.pacer.clock().clone();
        if let Some(entry) = inner.robots.fresh(&key, clock.now()) {
            return Ok(entry);
        }
        let _lock = inner.robots.lock(&key).await;
        if let Some(entry) = inner.robots.fresh(&key, clock.now()) {
            return Ok(entry);
        }
        let (rules, ttl) = self.fetch_robots(url, req, waited).await?;
        let crawl_delay = rules.crawl_delay().map(|d| {
            if d > inner.config.max_crawl_delay {
                tracing::warn!(authority = %key, asked = ?d, capped = ?inner.config.max_crawl_delay, "Crawl-delay capped");
                inner.config.max_crawl_delay
            } else {
                tracing::info!(authority = %key, crawl_delay = ?d, "honouring Crawl-delay");
                d
            }
        });
        inner
            .pacer
            .set_crawl_delay(&pace_key(url), crawl_delay)
            .await;
        let entry = RobotsEntry {
            rules: Arc::new(rules),
            crawl_delay,
            expires: clock.now() + ttl,
        };
        inner.robots.insert(&key, entry.clone());
        Ok(entry)
    }

    /// Fetches robots.txt for `url`'s authority and applies RFC 9309's access results.
    /// Returns the rules and how long to cache them. Fails only when the authority itself is
    /// refused (a non-public address), since the page would be refused too.
    async fn fetch_robots(
        &self,
        url: &Url,
        req: FetchRequest<'_>,
        waited: &mut Duration,
    ) -> Result<(RobotsRules, Duration), FetchError> {
        let config = &self.inner.config;
        let ok_ttl = config.robots_ttl;
        let err_ttl = config.robots_error_ttl;
        let authority = authority_key(url);
        let Some(mut target) = robots_url(url) else {
            return Ok((RobotsRules::DisallowAll, err_ttl));
        };
        let mut hops: u8 = 0;
        loop {
            let limit = BodyLimit::Truncate(MAX_ROBOTS_BYTES);
            let hop = match self.paced(&target, req, limit, false, waited).await {
                HopResult::Done(hop, _) => hop,
                HopResult::Failed(FetchError::ForbiddenAddress { url }) if hops == 0 => {
                    return Err(FetchError::ForbiddenAddress { url });
                }
                HopResult::Failed(FetchError::ForbiddenAddress { .. }) => {
                    tracing::warn!(%authority, %target, "robots.txt redirected to a refused address: treated as unavailable");
                    return Ok((RobotsRules::AllowAll, ok_ttl));
                }
                HopResult::Failed(e) => {
                    tracing::warn!(%authority, error = %e, "robots.txt unreachable: disallowing the host for now");
                    return Ok((RobotsRules::DisallowAll, err_ttl));
                }
            };
            match hop.status {
                200..=299 => {
                    return Ok((
                        RobotsRules::parse(&self.inner.product_token, &hop.body),
                        ok_ttl,
                    ));
                }
                301 | 302 | 303 | 307 | 308 => {
                    hops += 1;
                    let next = location(&hop, &target);
                    let usable = next.as_ref().filter(|n| {
                        matches!(n.scheme(), "http" | "https")
                            && (req.scope.is_loopback() || !literal_forbidden(n))
                    });
                    match usable {
                        Some(next) if hops <= MAX_ROBOTS_REDIRECTS => target = next.clone(),
                        _ => {
                            tracing::warn!(%authority, "robots.txt redirects unusable or too many: treated as unavailable");
                            return Ok((RobotsRules::AllowAll, ok_ttl));
                        }
                    }
                }
                429 | 500..=599 => {
                    tracing::warn!(%authority, status = hop.status, "robots.txt unreachable: disallowing the host for now");
                    return Ok((RobotsRules::DisallowAll, err_ttl));
                }
                400..=499 => return Ok((RobotsRules::AllowAll, ok_ttl)),
                // 1xx, 304 without validators and other oddities: unreachable
                _ => return Ok((RobotsRules::DisallowAll, err_ttl)),
            }
        }
    }
}

/// The source's delay, raised to `floor` unless the host is loopback.
fn base_gap(url: &Url, delay: Duration, floor: Duration) -> Duration {
    if is_loopback_host(url) {
        delay
    } else {
        delay.max(floor)
    }
}

/// The pacing key of a URL: its host; for loopback hosts also the port, since fixtures on
/// distinct ports stand in for distinct sites.
fn pace_key(url: &Url) -> String {
    let host = host_key(url).unwrap_or_default();
    if is_loopback_host(url) {
        format!("{host}:{}", url.port_or_known_default().unwrap_or(0))
    } else {
        host
    }
}

/// Whether a URL's host is a non-public IP literal.
fn literal_forbidden(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_forbidden_ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_forbidden_ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => is_loopback_host(url),
        None => true,
    }
}

/// The redirect target, resolved against the current URL, without its fragment.
fn location(hop: &Hop, base: &Url) -> Option<Url> {
    let value = hop.headers.get(header::LOCATION)?;
    // Location is sometimes sent as raw UTF-8 (Japanese paths); accept it.
    let text = std::str::from_utf8(value.as_bytes()).ok()?;
    let mut next = base.join(text.trim()).ok()?;
    next.set_fragment(None);
    Some(next)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_floor_binds_every_host_but_loopback() {
        let floor = Duration::from_secs(1);
        let fast = Duration::from_millis(50);
        let slow = Duration::from_secs(3);
        assert_eq!(
            base_gap(&u("https://www.city.example.lg.jp/"), fast, floor),
            floor
        );
        assert_eq!(
            base_gap(&u("https://www.city.example.lg.jp/"), slow, floor),
            slow
        );
        assert_eq!(
            base_gap(&u("http://203.0.113.5/"), Duration::ZERO, floor),
            floor
        );
        assert_eq!(base_gap(&u("http://127.0.0.1:8080/"), fast, floor), fast);
        assert_eq!(base_gap(&u("http://localhost:8080/"), fast, floor), fast);
        assert_eq!(base_gap(&u("http://[::1]:8080/"), fast, floor), fast);
    }

    #[test]
    fn pace_keys_are_hosts_and_loopback_ports() {
        assert_eq!(
            pace_key(&u("https://WWW.city.example.lg.jp/a")),
            "www.city.example.lg.jp"
        );
        assert_eq!(
            pace_key(&u("http://www.city.example.lg.jp:8080/b")),
            "www.city.example.lg.jp",
            "one real host is one slot, whatever the port"
        );
        assert_eq!(pace_key(&u("http://127.0.0.1:8081/")), "127.0.0.1:8081");
        assert_eq!(pace_key(&u("http://127.0.0.1:8082/")), "127.0.0.1:8082");
    }

    #[test]
    fn redirect_locations() {
        let base = u("https://www.city.example.lg.jp/nyusatsu/list.html");
        let hop = |loc: &[u8]| Hop {
            status: 302,
            headers: {
                let mut h = reqwest::header::HeaderMap::new();
                h.insert(
                    header::LOCATION,
                    reqwest::header::HeaderValue::from_bytes(loc).unwrap(),
                );
                h
            },
            body: Vec::new(),
        };
        assert_eq!(
            location(&hop(b"kokoku/1.html#top"), &base)
                .unwrap()
                .as_str(),
            "https://www.city.example.lg.jp/nyusatsu/kokoku/1.html"
        );
        assert_eq!(
            location(&hop("/入札/一覧.html".as_bytes()), &base)
                .unwrap()
                .as_str(),
            "https://www.city.example.lg.jp/%E5%85%A5%E6%9C%AD/%E4%B8%80%E8%A6%A7.html"
        );
        assert_eq!(
            location(&hop(b"//other.example.com/x"), &base)
                .unwrap()
                .host_str(),
            Some("other.example.com")
        );
        let none = Hop {
            status: 302,
            headers: reqwest::header::HeaderMap::new(),
            body: Vec::new(),
        };
        assert!(location(&none, &base).is_none());
        assert!(location(&hop(&[0x93, 0xfc, 0x8e, 0x44]), &base).is_none());
    }
}
