//! Which addresses a webhook may reach: the SSRF guard of destinations. Loopback, private
//! (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata service, fe80::/10),
//! unspecified, multicast, broadcast, CGNAT (100.64/10) and reserved addresses are refused
//! unless `allow_private_webhooks` is set. IPv6 forms that embed an IPv4 address
//! (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96, 2002::/16) are judged by that address.
//!
//! The check runs twice: when a destination is saved ([`check_url`], a field error in words)
//! and when it is delivered to ([`PublicOnly`], the webhook client's DNS resolver, so the
//! connection goes to exactly the addresses that passed and DNS rebinding cannot slip a private
//! address in between).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// A destination address Gatehouse will not connect to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{ip}, {kind} address; Gatehouse refuses private and loopback destinations unless allow_private_webhooks is set", resolves(.host, .ip))]
pub struct RefusedAddress {
    /// The URL's host as written (`localhost`, `10.0.0.5`).
    pub host: String,
    pub ip: IpAddr,
    /// `a private`, `a loopback`, … (with its article).
    pub kind: &'static str,
}

fn resolves(host: &str, ip: &IpAddr) -> String {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        // A literal address: "10.0.0.5 is 10.0.0.5" would read oddly.
        Ok(literal) if literal == *ip => "the URL's host is ".into(),
        _ => format!("{host} resolves to "),
    }
}

/// Why `ip` is refused as a webhook destination (`a private`, `a loopback`, …), or None when it
/// is a public address.
pub fn refused_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        // Linux connects 0.0.0.0 (and the rest of 0/8, "this network") to the local host.
        (0, _, _) => "an unspecified",
        (127, _, _) => "a loopback",
        (10, _, _) | (192, 168, _) => "a private",
        (172, 16..=31, _) => "a private",
        (169, 254, 169) if ip.octets()[3] == 254 => "a link-local (cloud metadata)",
        (169, 254, _) => "a link-local",
        (100, 64..=127, _) => "a carrier-grade NAT (100.64.0.0/10)",
        (224..=239, _, _) => "a multicast",
        (255, 255, 255) if ip == Ipv4Addr::BROADCAST => "a broadcast",
        (240..=255, _, _) => "a reserved",
        // IETF protocol assignments and the benchmarking range: never a real receiver.
        (192, 0, 0) | (198, 18..=19, _) => "a reserved",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("an unspecified");
    }
    if ip.is_loopback() {
        return Some("a loopback");
    }
    if let Some(v4) = embedded_v4(ip) {
        return refused_v4(v4);
    }
    let s = ip.segments();
    Some(match s[0] {
        0xfc00..=0xfdff => "a private",
        // fec0::/10 (deprecated site-local) is private too.
        0xfe80..=0xfebf => "a link-local",
        0xfec0..=0xfeff => "a private",
        0xff00..=0xffff => "a multicast",
        // 100::/64, discard-only.
        0x0100 if s[1..4] == [0, 0, 0] => "a reserved",
        _ => return None,
    })
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4
/// (2002::/16) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    match s {
        [0, 0, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// The first refused address of `addrs` (the host named `host`), if any.
fn first_refused(host: &str, addrs: impl IntoIterator<Item = IpAddr>) -> Option<RefusedAddress> {
    addrs.into_iter().find_map(|ip| {
        refused_kind(ip).map(|kind| RefusedAddress {
            host: host.to_owned(),
            ip,
            kind,
        })
    })
}

/// The save-time check: `url`'s host is a public address, or a name whose every address is
/// public. A name that does not resolve now passes (DNS may be down; the delivery is checked
/// again when it is sent, and fails in words if the name still does not resolve).
pub async fn check_url(url: &str) -> Result<(), RefusedAddress> {
    let Ok(parsed) = Url::parse(url) else {
        return Ok(()); // the model's validation already refused it
    };
    let host = parsed.host_str().unwrap_or_default().to_owned();
    match parsed.host() {
        Some(Host::Ipv4(ip)) => first_refused(&host, [IpAddr::V4(ip)]).map_or(Ok(()), Err),
        Some(Host::Ipv6(ip)) => first_refused(&host, [IpAddr::V6(ip)]).map_or(Ok(()), Err),
        Some(Host::Domain(name)) => {
            let port = parsed.port_or_known_default().unwrap_or(443);
            match tokio::net::lookup_host((name, port)).await {
                Ok(found) => first_refused(&host, found.map(|a| a.ip())).map_or(Ok(()), Err),
                Err(_) => Ok(()),
            }
        }
        None => Ok(()),
    }
}

/// The delivery-time check of an address literal (the resolver below never sees those).
pub fn check_literal(url: &Url) -> Result<(), RefusedAddress> {
    let host = url.host_str().unwrap_or_default();
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    first_refused(host, [ip]).map_or(Ok(()), Err)
}

/// The webhook client's DNS resolver: resolves once and hands the connector only the public
/// addresses, so what was checked is what is connected to. A name with no public address fails
/// with [`RefusedAddress`].
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (public, refused) = public_only(&host, found);
            if public.is_empty() {
                if let Some(refused) = refused {
                    return Err(refused.into());
                }
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The public addresses of `found`, and the first refused one.
fn public_only(host: &str, found: Vec<SocketAddr>) -> (Vec<SocketAddr>, Option<RefusedAddress>) {
    let refused = first_refused(host, found.iter().map(SocketAddr::ip));
    let public = found
        .into_iter()
        .filter(|a| refused_kind(a.ip()).is_none())
        .collect();
    (public, refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ip: &str) -> Option<&'static str> {
        refused_kind(ip.parse().unwrap())
    }

    #[test]
    fn non_public_addresses_are_refused_by_kind() {
        for (ip, expected) in [
            ("127.0.0.1", "a loopback"),
            ("127.255.0.9", "a loopback"),
            ("10.1.2.3", "a private"),
            ("172.16.0.1", "a private"),
            ("172.31.255.255", "a private"),
            ("192.168.1.1", "a private"),
            ("169.254.169.254", "a link-local (cloud metadata)"),
            ("100.64.0.1", "a carrier-grade NAT (100.64.0.0/10)"),
            ("100.127.255.254", "a carrier-grade NAT (100.64.0.0/10)"),
            ("0.0.0.0", "an unspecified"),
            ("0.1.2.3", "an unspecified"),
            ("224.0.0.251", "a multicast"),
            ("255.255.255.255", "a broadcast"),
            ("240.0.0.1", "a reserved"),
            ("::1", "a loopback"),
            ("::", "an unspecified"),
            ("::ffff:127.0.0.1", "a loopback"),
            ("::ffff:10.0.0.5", "a private"),
            ("::ffff:169.254.169.254", "a link-local (cloud metadata)"),
            ("::127.0.0.1", "a loopback"),
            ("64:ff9b::a9fe:a9fe", "a link-local (cloud metadata)"),
            ("2002:7f00:1::", "a loopback"),
            ("fc00::1", "a private"),
            ("fd12:3456::1", "a private"),
            ("fe80::1", "a link-local"),
            ("ff02::1", "a multicast"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "169.253.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "2002:0808:0808::",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn the_message_names_the_host_and_the_address() {
        let refused = RefusedAddress {
            host: "hooks.example.com".into(),
            ip: "10.0.0.5".parse().unwrap(),
            kind: "a private",
        };
        assert_eq!(
            refused.to_string(),
            "hooks.example.com resolves to 10.0.0.5, a private address; Gatehouse refuses \
             private and loopback destinations unless allow_private_webhooks is set"
        );
        let literal = RefusedAddress {
            host: "[::1]".into(),
            ip: "::1".parse().unwrap(),
            kind: "a loopback",
        };
        assert!(literal
            .to_string()
            .starts_with("the URL's host is ::1, a loopback address;"));
    }

    #[test]
    fn rebinding_answers_keep_only_their_public_addresses() {
        let found: Vec<SocketAddr> = vec![
            "10.0.0.5:0".parse().unwrap(),
            "93.184.216.34:0".parse().unwrap(),
            "[::1]:0".parse().unwrap(),
        ];
        let (public, refused) = public_only("rebind.example", found);
        assert_eq!(
            public,
            vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(refused.unwrap().ip, "10.0.0.5".parse::<IpAddr>().unwrap());
        let (public, refused) = public_only("evil.example", vec!["127.0.0.1:0".parse().unwrap()]);
        assert!(public.is_empty());
        assert_eq!(refused.unwrap().kind, "a loopback");
    }
}
