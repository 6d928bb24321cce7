//! Which hosts a source may fetch from, and which addresses nobody may fetch from.
//!
//! A [`HostScope`] is built from the URLs a source names (start URLs or `base_url`) plus any
//! extra hosts its config allows. Every request and every redirect hop is checked against it:
//! the scheme must be `http`/`https`, the host must be in scope, and unless the source itself
//! is on loopback (test fixtures), the host must not be or resolve to a non-public address.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use super::error::FetchError;

/// The hosts one source names; redirects to any other host are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostScope {
    hosts: BTreeSet<String>,
    loopback: bool,
}

impl HostScope {
    /// A scope holding the hosts of `urls` (the source's start URLs or `base_url`).
    ///
    /// The source counts as "on loopback" when it names at least one URL and every one of them
    /// is on a loopback host (`127.0.0.0/8`, `::1`, `localhost`): only then may its own delay go
    /// below the configured floor and its requests reach non-public addresses.
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> HostScope {
        let mut hosts = BTreeSet::new();
        let mut any = false;
        let mut all_loopback = true;
        for url in urls {
            if let Some(host) = host_key(url) {
                any = true;
                all_loopback &= is_loopback_host(url);
                hosts.insert(host);
            }
        }
        HostScope {
            hosts,
            loopback: any && all_loopback,
        }
    }

    /// Adds hosts the source's config allows besides those of its URLs (e.g. an attachment
    /// server). Accepts bare host names (`www2.city.example.lg.jp`) or URLs; does not change
    /// whether the source counts as on loopback.
    pub fn with_hosts<'a>(mut self, hosts: impl IntoIterator<Item = &'a str>) -> HostScope {
        for host in hosts {
            let host = host.trim();
            let parsed = if host.contains("://") {
                Url::parse(host).ok()
            } else {
                Url::parse(&format!("http://{host}/")).ok()
            };
            if let Some(key) = parsed.as_ref().and_then(host_key) {
                self.hosts.insert(key);
            }
        }
        self
    }

    /// Whether `url`'s host is one the source names (ports and schemes are not compared).
    pub fn contains(&self, url: &Url) -> bool {
        host_key(url).is_some_and(|h| self.hosts.contains(&h))
    }

    /// Whether the source itself is on loopback (see [`HostScope::new`]).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The hosts in scope, lower-cased, in order.
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.hosts.iter().map(String::as_str)
    }

    /// Checks one URL (a request or a redirect hop) before anything is sent: scheme, host in
    /// scope, and — unless the source is on loopback — that the host is not a non-public IP
    /// literal or `localhost`. Names are checked again after DNS resolution by the client.
    pub fn check(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadScheme { url: url.clone() });
        }
        if !self.contains(url) {
            return Err(FetchError::ForeignHost { url: url.clone() });
        }
        if !self.loopback && names_forbidden_address(url) {
            return Err(FetchError::ForbiddenAddress { url: url.clone() });
        }
        Ok(())
    }
}

/// The lower-cased host of a URL as compared by scopes (IPv6 without brackets).
pub(crate) fn host_key(url: &Url) -> Option<String> {
    match url.host()? {
        Host::Domain(d) => Some(d.trim_end_matches('.').to_ascii_lowercase()),
        Host::Ipv4(ip) => Some(ip.to_string()),
        Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

/// Whether the URL's host is a loopback IP literal or `localhost` (or a `.localhost` name).
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => false,
    }
}

/// Whether the URL's host is, by its literal form, a non-public address.
fn names_forbidden_address(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_forbidden_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_forbidden_ip(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => is_loopback_host(url),
        None => true,
    }
}

/// Whether an address is one a crawler of public sites has no business connecting to:
/// loopback, private (RFC 1918, unique-local), link-local, shared (CGNAT), unspecified,
/// broadcast, multicast, benchmarking or reserved ranges, including IPv4 embedded in IPv6.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let seg = ip.segments();
    // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new(
            (seg[6] >> 8) as u8,
            seg[6] as u8,
            (seg[7] >> 8) as u8,
            seg[7] as u8,
        );
        return is_forbidden_v4(v4);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (seg[0] == 0 && seg[1..6] == [0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scope_holds_named_hosts_only() {
        let start = [
            u("https://www.city.example.lg.jp/nyusatsu/index.html"),
            u("https://WWW.City.Example.LG.JP./keiyaku/"),
        ];
        let scope = HostScope::new(&start).with_hosts(["files.city.example.lg.jp"]);
        assert!(!scope.is_loopback());
        assert!(scope.contains(&u("http://www.city.example.lg.jp:8080/other")));
        assert!(scope.contains(&u("https://files.city.example.lg.jp/a.pdf")));
        assert!(!scope.contains(&u("https://city.example.lg.jp/")));
        assert!(!scope.contains(&u("https://evil.example.com/")));
        assert_eq!(scope.hosts().count(), 2);
        assert!(scope.check(&u("https://www.city.example.lg.jp/x")).is_ok());
        assert!(matches!(
            scope.check(&u("ftp://www.city.example.lg.jp/x")),
            Err(FetchError::BadScheme { .. })
        ));
        assert!(matches!(
            scope.check(&u("https://evil.example.com/x")),
            Err(FetchError::ForeignHost { .. })
        ));
    }

    #[test]
    fn loopback_source_may_reach_loopback_but_others_may_not() {
        let fixture = HostScope::new(&[u("http://127.0.0.1:8081/")]);
        assert!(fixture.is_loopback());
        assert!(fixture.check(&u("http://127.0.0.1:9999/x")).is_ok());
        assert!(matches!(
            fixture.check(&u("http://127.0.0.2:8081/x")),
            Err(FetchError::ForeignHost { .. })
        ));

        let public = HostScope::new(&[u("https://www.city.example.lg.jp/")]).with_hosts([
            "10.1.2.3",
            "localhost",
            "[fe80::1]",
            "169.254.169.254",
        ]);
        assert!(!public.is_loopback());
        for bad in [
            "http://10.1.2.3/",
            "http://localhost/",
            "http://[fe80::1]/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            assert!(
                matches!(
                    public.check(&u(bad)),
                    Err(FetchError::ForbiddenAddress { .. })
                ),
                "{bad}"
            );
        }
        let mixed = HostScope::new(&[u("http://127.0.0.1/"), u("https://www.city.example.lg.jp/")]);
        assert!(!mixed.is_loopback());
        assert!(!HostScope::new(&[]).is_loopback());
    }

    #[test]
    fn forbidden_address_ranges() {
        for bad in [
            "127.0.0.1",
            "127.0.0.2",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_forbidden_ip(bad.parse().unwrap()), "{bad}");
        }
        for good in [
            "8.8.8.8",
            "133.5.1.1",
            "172.32.0.1",
            "2001:db8::1",
            "2404:6800::1",
            "::ffff:203.0.113.9",
        ] {
            assert!(!is_forbidden_ip(good.parse().unwrap()), "{good}");
        }
    }
}
