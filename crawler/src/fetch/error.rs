//! Errors of the fetch layer, each with a short stable label for reports and metrics.

use url::Url;

/// Why a fetch did not produce a page.
///
/// Every variant names the URL (or host) it concerns, so a crawl report can say what was skipped
/// and why; [`FetchError::kind`] gives a short stable label for counting.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// robots.txt of the URL's authority disallows it for our product token.
    #[error("disallowed by robots.txt: {url}")]
    DisallowedByRobots {
        /// The URL that was not fetched.
        url: Url,
    },
    /// robots.txt could not be fetched (5xx, 429 after retries, network error): RFC 9309 says
    /// assume complete disallow, so nothing on the host is fetched until it is retried.
    #[error("robots.txt unreachable for {host}: nothing fetched from it")]
    RobotsUnreachable {
        /// The authority (`scheme://host:port`) whose robots.txt was unreachable.
        host: String,
    },
    /// The URL (or a redirect hop) points at a host the source does not name.
    #[error("refused: {url} is not on a host of the source")]
    ForeignHost {
        /// The refused URL.
        url: Url,
    },
    /// The URL's host is, or resolves to, a private, loopback, link-local or otherwise
    /// non-public address while the source is not itself on loopback.
    #[error("refused: {url} points at a non-public address")]
    ForbiddenAddress {
        /// The refused URL.
        url: Url,
    },
    /// The URL (or a redirect hop) is not `http` or `https`.
    #[error("refused: {url} is not http(s)")]
    BadScheme {
        /// The refused URL.
        url: Url,
    },
    /// The body exceeded the size cap (counted after decompression) and was abandoned.
    #[error("body of {url} exceeds {limit} bytes")]
    TooLarge {
        /// The URL whose body was too large.
        url: Url,
        /// The cap in bytes.
        limit: usize,
    },
    /// The server answered with a status that is neither success, 304 nor a followed redirect
    /// (after retries, for the retryable ones).
    #[error("HTTP {status} for {url}")]
    Http {
        /// The URL that answered.
        url: Url,
        /// The HTTP status code.
        status: u16,
    },
    /// More redirects than the configured limit.
    #[error("too many redirects starting at {url}")]
    TooManyRedirects {
        /// The URL the redirect chain started from.
        url: Url,
    },
    /// A redirect without a usable `Location` header.
    #[error("redirect without a usable Location from {url}")]
    BadRedirect {
        /// The URL that answered with the redirect.
        url: Url,
    },
    /// Connection, TLS, DNS or protocol failure (after retries).
    #[error("network error for {url}: {message}")]
    Network {
        /// The URL being fetched.
        url: Url,
        /// What went wrong, for the log.
        message: String,
    },
    /// Connect, read or overall timeout (after retries).
    #[error("timeout fetching {url}")]
    Timeout {
        /// The URL being fetched.
        url: Url,
    },
    /// The HTTP client could not be built from the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    /// A short stable label for reports and metrics: `robots`, `robots_unreachable`,
    /// `foreign_host`, `forbidden_address`, `bad_scheme`, `too_large`, `http_404`, `http_5xx`, …,
    /// `too_many_redirects`, `bad_redirect`, `network`, `timeout`, `client`.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::DisallowedByRobots { .. } => "robots",
            FetchError::RobotsUnreachable { .. } => "robots_unreachable",
            FetchError::ForeignHost { .. } => "foreign_host",
            FetchError::ForbiddenAddress { .. } => "forbidden_address",
            FetchError::BadScheme { .. } => "bad_scheme",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Http { status, .. } => http_kind(*status),
            FetchError::TooManyRedirects { .. } => "too_many_redirects",
            FetchError::BadRedirect { .. } => "bad_redirect",
            FetchError::Network { .. } => "network",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Client(_) => "client",
        }
    }

    /// The URL the error concerns, when it concerns one URL.
    pub fn url(&self) -> Option<&Url> {
        match self {
            FetchError::DisallowedByRobots { url }
            | FetchError::ForeignHost { url }
            | FetchError::ForbiddenAddress { url }
            | FetchError::BadScheme { url }
            | FetchError::TooLarge { url, .. }
            | FetchError::Http { url, .. }
            | FetchError::TooManyRedirects { url }
            | FetchError::BadRedirect { url }
            | FetchError::Network { url, .. }
            | FetchError::Timeout { url } => Some(url),
            FetchError::RobotsUnreachable { .. } | FetchError::Client(_) => None,
        }
    }
}

/// Stable labels for HTTP statuses: the common ones by number, the rest by class.
fn http_kind(status: u16) -> &'static str {
    match status {
        400 => "http_400",
        401 => "http_401",
        403 => "http_403",
        404 => "http_404",
        405 => "http_405",
        406 => "http_406",
        408 => "http_408",
        410 => "http_410",
        414 => "http_414",
        429 => "http_429",
        451 => "http_451",
        500 => "http_500",
        501 => "http_501",
        502 => "http_502",
        503 => "http_503",
        504 => "http_504",
        100..=199 => "http_1xx",
        200..=299 => "http_2xx",
        300..=399 => "http_3xx",
        402 | 407 | 409 | 411..=413 | 415..=428 | 430..=450 | 452..=499 => "http_4xx",
        505..=599 => "http_5xx",
        _ => "http_other",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_stable_labels() {
        let url = Url::parse("https://www.city.example.lg.jp/nyusatsu/").unwrap();
        assert_eq!(
            FetchError::Http {
                url: url.clone(),
                status: 404
            }
            .kind(),
            "http_404"
        );
        assert_eq!(
            FetchError::Http {
                url: url.clone(),
                status: 522
            }
            .kind(),
            "http_5xx"
        );
        assert_eq!(
            FetchError::Http {
                url: url.clone(),
                status: 418
            }
            .kind(),
            "http_4xx"
        );
        assert_eq!(
            FetchError::DisallowedByRobots { url: url.clone() }.kind(),
            "robots"
        );
        assert_eq!(
            FetchError::TooLarge {
                url: url.clone(),
                limit: 10
            }
            .kind(),
            "too_large"
        );
        assert_eq!(
            FetchError::RobotsUnreachable {
                host: "https://www.city.example.lg.jp".into()
            }
            .url(),
            None
        );
        assert_eq!(FetchError::Timeout { url: url.clone() }.url(), Some(&url));
    }
}
