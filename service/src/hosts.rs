//! The hosts the service answers to, against DNS rebinding: a page on `evil.example`, whose name
//! its owner then points at 127.0.0.1, is same-origin with itself and would pass every
//! cross-site check while talking to this service. Browsers send the name they resolved in
//! `Host`, so a request naming an unknown host is refused (400, as Django's `ALLOWED_HOSTS`).

use std::net::IpAddr;
use std::sync::OnceLock;

/// Whether the service answers a request whose `Host` header is `host` (a missing header, sent
/// by no browser, passes): an IP address, `localhost`, or a name listed, comma-separated, in the
/// environment variable `ALLOWED_HOSTS` (the names a reverse proxy forwards).
pub(crate) fn allowed(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let name = without_port(host);
    name.parse::<IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || listed()
            .iter()
            .any(|listed| listed.eq_ignore_ascii_case(name))
}

/// `host` without its port: `[::1]:3000` is `::1`, `localhost:3000` is `localhost`.
fn without_port(host: &str) -> &str {
    if let Some(bracketed) = host.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or(bracketed);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

fn listed() -> &'static [String] {
    static LISTED: OnceLock<Vec<String>> = OnceLock::new();
    LISTED.get_or_init(|| {
        std::env::var("ALLOWED_HOSTS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_localhost_pass_other_names_do_not() {
        for host in [
            "127.0.0.1:3000",
            "localhost",
            "LOCALHOST:80",
            "[::1]:3000",
            "192.168.1.20",
        ] {
            assert!(allowed(Some(host)), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
        ] {
            assert!(!allowed(Some(host)), "{host}");
        }
        assert!(allowed(None), "not a browser");
    }
}
