//! Polite HTTP fetching.
//!
//! [`Fetcher::get`] is the one way the crawler reaches the outside world:
//!
//! - **robots.txt** per RFC 9309 ([`robots`]): longest match, allow wins ties; 4xx → allow all;
//!   429, 5xx or network error → disallow all for a short while; cached ≤ 24 h; 512 KiB parsed;
//!   five redirects followed; Crawl-delay honoured (capped and logged); our product token.
//! - **pacing** ([`pacing`]): one request in flight per host; between two requests
//!   `max(floor, source delay, Crawl-delay, Retry-After) + jitter`; many hosts in parallel
//!   under a global bound.
//! - **retries** ([`retry`]): GET only, on 408/429/5xx/network errors, exponential back-off with
//!   jitter, bounded; `Retry-After` in seconds or as an HTTP-date.
//! - **conditional GET**: [`Validators`] → `If-None-Match`/`If-Modified-Since` →
//!   [`Fetched::NotModified`].
//! - **limits and safety**: body cap while streaming and after decompression; connect, read
//!   and whole-exchange timeouts; redirects followed by hand, each hop checked against the
//!   [`HostScope`], the address rules and robots.txt.
//! - **decoding** ([`decode`]): bytes to text, Shift_JIS as CP932, EUC-JP, UTF-8.

pub mod clock;
mod config;
pub mod decode;
mod error;
mod fetcher;
mod http;
pub mod pacing;
pub mod retry;
pub mod robots;
mod scope;

pub use clock::{Clock, FakeClock, SystemClock};
pub use config::FetchConfig;
pub use error::FetchError;
pub use fetcher::{FetchRequest, Fetched, Fetcher, HostStat, Page, Validators};
pub use scope::{HostScope, is_forbidden_ip, is_loopback_host};
