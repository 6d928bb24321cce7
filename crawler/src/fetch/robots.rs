//! robots.txt per RFC 9309: parsed rules, the access-result state machine and the cache.
//!
//! Parsing and matching (longest match, allow wins ties, `/robots.txt` always allowed, `*` and
//! `$`, percent-encoding) is texting_robots'. The policy is ours:
//!
//! | robots.txt answer                    | rules                         | cached for         |
//! |--------------------------------------|-------------------------------|--------------------|
//! | 2xx                                  | parsed (first 512 KiB)        | `robots_ttl` ≤ 24 h |
//! | 3xx                                  | followed up to 5 hops         | as the final answer |
//! | 4xx other than 429, > 5 redirects    | allow all ("unavailable")     | `robots_ttl` ≤ 24 h |
//! | 429, 5xx, network error (after retries) | disallow all ("unreachable") | `robots_error_ttl` (short) |

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use url::Url;

/// How much of a robots.txt body is parsed (RFC 9309 asks for at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// How many redirects are followed for robots.txt (RFC 9309: at least five).
pub const MAX_ROBOTS_REDIRECTS: u8 = 5;

/// The rules that apply to one authority.
pub enum RobotsRules {
    /// robots.txt is unavailable (4xx): everything may be fetched.
    AllowAll,
    /// robots.txt is unreachable (5xx, network error): nothing may be fetched.
    DisallowAll,
    /// robots.txt was read; its rules for our product token apply.
    Parsed(Box<Robot>),
}

impl std::fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RobotsRules::AllowAll => f.write_str("AllowAll"),
            RobotsRules::DisallowAll => f.write_str("DisallowAll"),
            RobotsRules::Parsed(r) => write!(f, "Parsed(delay: {:?})", r.delay),
        }
    }
}

impl RobotsRules {
    /// Parses a robots.txt body for `product_token`. Only the first [`MAX_ROBOTS_BYTES`] are
    /// read (cut at a line end). Lines the parser rejects are dropped and the rest is used, as
    /// RFC 9309 asks ("MUST use the parseable rules").
    pub fn parse(product_token: &str, body: &[u8]) -> RobotsRules {
        let body = truncate_at_line(body, MAX_ROBOTS_BYTES);
        match Robot::new(product_token, body) {
            Ok(robot) => RobotsRules::Parsed(Box::new(robot)),
            Err(_) => {
                let kept: Vec<&[u8]> = body
                    .split(|&b| b == b'\n')
                    .filter(|line| Robot::new(product_token, line).is_ok())
                    .collect();
                match Robot::new(product_token, &kept.join(&b'\n')) {
                    Ok(robot) => RobotsRules::Parsed(Box::new(robot)),
                    // unreachable in practice: each kept line parsed on its own
                    Err(_) => RobotsRules::DisallowAll,
                }
            }
        }
    }

    /// Whether `url` may be fetched. `/robots.txt` itself always may.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => url.path() == "/robots.txt",
            RobotsRules::Parsed(robot) => robot.allowed(url.as_str()),
        }
    }

    /// The Crawl-delay the file asks of us, if any (not capped here).
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f64(f64::from(d).min(86_400.0))),
            _ => None,
        }
    }
}

/// Cuts `body` to at most `limit` bytes, at the last line end when it has to cut.
fn truncate_at_line(body: &[u8], limit: usize) -> &[u8] {
    if body.len() <= limit {
        return body;
    }
    let head = &body[..limit];
    match head.iter().rposition(|&b| b == b'\n') {
        Some(pos) => &head[..pos],
        None => head,
    }
}

/// The robots.txt URL for a URL's authority (`scheme://host:port/robots.txt`).
pub fn robots_url(url: &Url) -> Option<Url> {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    robots.set_username("").ok()?;
    robots.set_password(None).ok()?;
    Some(robots)
}

/// The key robots.txt is cached under: the URL's origin (`scheme://host:port`).
pub fn authority_key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A cached robots.txt answer.
#[derive(Debug, Clone)]
pub struct RobotsEntry {
    /// The rules.
    pub rules: Arc<RobotsRules>,
    /// The Crawl-delay to apply, already capped.
    pub crawl_delay: Option<Duration>,
    /// When the entry must be fetched again.
    pub expires: Instant,
}

/// robots.txt answers per authority, with a lock per authority so that concurrent requests
/// to one host fetch robots.txt once.
#[derive(Default)]
pub struct RobotsCache {
    entries: Mutex<HashMap<String, RobotsEntry>>,
    locks: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
}

impl RobotsCache {
    /// An empty cache.
    pub fn new() -> RobotsCache {
        RobotsCache::default()
    }

    /// The entry for `key` if it has not expired at `now`.
    pub fn fresh(&self, key: &str, now: Instant) -> Option<RobotsEntry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|e| e.expires > now).cloned()
    }

    /// Stores the entry for `key`.
    pub fn insert(&self, key: &str, entry: RobotsEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key.to_owned(), entry);
    }

    /// Serialises fetches of one authority's robots.txt.
    pub async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(key.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const ROBOTS: &str = "\
# 入札情報ページ以外は遠慮ください
User-agent: *
Disallow: /

User-agent: tenders
Crawl-delay: 5
Disallow: /nyusatsu/
Allow: /nyusatsu/kokoku/
Disallow: /keiyaku/*.pdf$
Allow: /page
Disallow: /page

User-agent: BadBot
Disallow: /
";

    #[test]
    fn our_group_longest_match_allow_wins_ties() {
        let rules = RobotsRules::parse("tenders", ROBOTS.as_bytes());
        let base = "https://www.city.example.lg.jp";
        let ok = |p: &str| rules.allowed(&u(&format!("{base}{p}")));
        assert!(ok("/index.html"), "our group does not disallow /");
        assert!(!ok("/nyusatsu/list.html"));
        assert!(ok("/nyusatsu/kokoku/2025-001.html"), "longer allow wins");
        assert!(!ok("/keiyaku/kekka.pdf"));
        assert!(ok("/keiyaku/kekka.pdf?v=2"), "$ anchors the end");
        assert!(ok("/page"), "allow wins an equal-length tie");
        assert!(ok("/robots.txt"));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_secs(5)));

        // another crawler falls into the * group
        let other = RobotsRules::parse("otherbot", ROBOTS.as_bytes());
        assert!(!other.allowed(&u(&format!("{base}/index.html"))));
        assert!(other.allowed(&u(&format!("{base}/robots.txt"))));
    }

    #[test]
    fn non_ascii_paths_are_percent_encoded() {
        let rules = RobotsRules::parse("tenders", "User-agent: *\nDisallow: /入札/\n".as_bytes());
        assert!(!rules.allowed(&u("https://www.city.example.lg.jp/入札/一覧.html")));
        assert!(!rules.allowed(&u(
            "https://www.city.example.lg.jp/%E5%85%A5%E6%9C%AD/a.html"
        )));
        assert!(rules.allowed(&u("https://www.city.example.lg.jp/契約/")));
    }

    #[test]
    fn allow_all_and_disallow_all() {
        let page = u("https://www.city.example.lg.jp/nyusatsu/");
        assert!(RobotsRules::AllowAll.allowed(&page));
        assert!(!RobotsRules::DisallowAll.allowed(&page));
        assert!(RobotsRules::DisallowAll.allowed(&u("https://www.city.example.lg.jp/robots.txt")));
        assert_eq!(RobotsRules::DisallowAll.crawl_delay(), None);
    }

    #[test]
    fn at_least_500_kib_is_parsed() {
        let mut body = String::from("User-agent: *\n");
        let mut i = 0;
        while body.len() < 505 * 1024 {
            body.push_str(&format!("Disallow: /archive/{i:06}/\n"));
            i += 1;
        }
        let inside = i - 1;
        while body.len() < 513 * 1024 {
            body.push_str(&format!("Disallow: /archive/{i:06}/\n"));
            i += 1;
        }
        body.push_str("Disallow: /beyond-the-limit/\n");
        let rules = RobotsRules::parse("tenders", body.as_bytes());
        let last_inside = format!("https://a.example/archive/{inside:06}/x");
        assert!(!rules.allowed(&u(&last_inside)), "rule at ~505 KiB is used");
        assert!(rules.allowed(&u("https://a.example/beyond-the-limit/")));
    }

    #[test]
    fn garbage_never_panics_and_keeps_parseable_rules() {
        let mut body = b"User-agent: *\nDisallow: /private/\n".to_vec();
        body.extend_from_slice(&[0xff, 0xfe, 0x00, b'\n', 0x80, b':', b'\n']);
        body.extend_from_slice(b"Disallow: /tmp/\nCrawl-delay: abc\n");
        let rules = RobotsRules::parse("tenders", &body);
        assert!(!rules.allowed(&u("https://a.example/private/x")));
        assert!(!rules.allowed(&u("https://a.example/tmp/x")));
        assert!(rules.allowed(&u("https://a.example/public/")));
        let _ = RobotsRules::parse("tenders", &[0xff; 4096]);
    }

    #[test]
    fn robots_url_and_key() {
        let page = u("https://user:pw@www.city.example.lg.jp:8443/a/b?c=d#e");
        assert_eq!(
            robots_url(&page).unwrap().as_str(),
            "https://www.city.example.lg.jp:8443/robots.txt"
        );
        assert_eq!(authority_key(&page), "https://www.city.example.lg.jp:8443");
        assert_eq!(
            authority_key(&u("http://127.0.0.1:8080/x")),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn cache_expiry() {
        let cache = RobotsCache::new();
        let now = Instant::now();
        cache.insert(
            "https://a.example",
            RobotsEntry {
                rules: Arc::new(RobotsRules::AllowAll),
                crawl_delay: None,
                expires: now + Duration::from_secs(60),
            },
        );
        assert!(cache.fresh("https://a.example", now).is_some());
        assert!(
            cache
                .fresh("https://a.example", now + Duration::from_secs(61))
                .is_none()
        );
        assert!(cache.fresh("https://b.example", now).is_none());
    }
}
