//! The HTTP client and one request–response exchange ("hop"), with no redirect following,
//! a guarded DNS resolver and a body size cap enforced while streaming.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::scope::is_forbidden_ip;

/// A resolver that refuses names resolving to non-public addresses (unless told to allow
/// them, for loopback sources) and applies static overrides first, like `curl --resolve`.
struct GuardedResolver {
    allow_private: bool,
    overrides: Arc<HashMap<String, Vec<IpAddr>>>,
}

/// The error the guarded resolver returns for a non-public address; recognised again in the
/// reqwest error's source chain.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to a non-public address")]
struct ForbiddenResolution {
    host: String,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let overrides = self.overrides.clone();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match overrides.get(&host) {
                Some(ips) => ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            if !allow_private && addrs.iter().any(|a| is_forbidden_ip(a.ip())) {
                return Err(Box::new(ForbiddenResolution { host }) as _);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// What the client needs from the configuration.
pub(crate) struct ClientSettings<'a> {
    pub user_agent: &'a str,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub allow_private: bool,
    pub overrides: Arc<HashMap<String, Vec<IpAddr>>>,
}

/// Builds a reqwest client: our User-Agent, no automatic redirects, no proxy from the
/// environment (it would bypass the address checks), gzip decoded, the guarded resolver.
pub(crate) fn build_client(s: ClientSettings<'_>) -> Result<reqwest::Client, String> {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    );
    headers.insert(
        header::ACCEPT_LANGUAGE,
        HeaderValue::from_static("ja,en;q=0.5"),
    );
    reqwest::Client::builder()
        .user_agent(s.user_agent)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(s.connect_timeout)
        .read_timeout(s.read_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(2)
        .tcp_nodelay(true)
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: s.allow_private,
            overrides: s.overrides,
        }))
        .build()
        .map_err(|e| e.to_string())
}

/// What to do with a body longer than the limit.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BodyLimit {
    /// Abandon the response with [`HopError::TooLarge`].
    Refuse(usize),
    /// Keep the first bytes and stop reading (robots.txt).
    Truncate(usize),
}

/// One response, body read only for 2xx.
#[derive(Debug)]
pub(crate) struct Hop {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why a hop produced no response.
#[derive(Debug)]
pub(crate) enum HopError {
    Network(String),
    Timeout,
    TooLarge,
    ForbiddenAddress,
}

impl HopError {
    /// Network failures and timeouts are transient; the others are not.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, HopError::Network(_) | HopError::Timeout)
    }
}

/// Conditional-GET headers for one request.
pub(crate) struct Conditional<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// Sends one GET and, for a 2xx answer, reads the body under `limit`, all within `timeout`.
pub(crate) async fn send(
    client: &reqwest::Client,
    url: &Url,
    conditional: Conditional<'_>,
    limit: BodyLimit,
    timeout: Duration,
) -> Result<Hop, HopError> {
    match tokio::time::timeout(timeout, send_inner(client, url, conditional, limit)).await {
        Ok(result) => result,
        Err(_) => Err(HopError::Timeout),
    }
}

async fn send_inner(
    client: &reqwest::Client,
    url: &Url,
    conditional: Conditional<'_>,
    limit: BodyLimit,
) -> Result<Hop, HopError> {
    let mut request = client.get(url.clone());
    if let Some(etag) = conditional.etag.and_then(|v| HeaderValue::from_str(v).ok()) {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    if let Some(lm) = conditional
        .last_modified
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        request = request.header(header::IF_MODIFIED_SINCE, lm);
    }
    let mut response = request.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    if !(200..300).contains(&status) {
        return Ok(Hop {
            status,
            headers,
            body: Vec::new(),
        });
    }
    let (cap, refuse) = match limit {
        BodyLimit::Refuse(n) => (n, true),
        BodyLimit::Truncate(n) => (n, false),
    };
    // A declared length over the cap is refused before reading. With gzip, reqwest hides the
    // (compressed) length, and the cap below counts decompressed bytes.
    if refuse
        && response
            .content_length()
            .is_some_and(|len| len > cap as u64)
    {
        return Err(HopError::TooLarge);
    }
    let initial = response
        .content_length()
        .map_or(16 * 1024, |len| len.min(cap as u64) as usize);
    let mut body = Vec::with_capacity(initial.min(1024 * 1024));
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > cap {
            if refuse {
                return Err(HopError::TooLarge);
            }
            let room = cap - body.len();
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Hop {
        status,
        headers,
        body,
    })
}

/// Maps a reqwest error to a hop error, recognising our resolver's refusal.
fn classify(err: reqwest::Error) -> HopError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = source {
        if e.downcast_ref::<ForbiddenResolution>().is_some() {
            return HopError::ForbiddenAddress;
        }
        source = e.source();
    }
    if err.is_timeout() {
        return HopError::Timeout;
    }
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        message.push_str(": ");
        message.push_str(&e.to_string());
        source = e.source();
    }
    HopError::Network(message)
}

/// A header's value as text, when it is valid visible ASCII.
pub(crate) fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
