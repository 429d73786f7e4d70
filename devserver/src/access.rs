//! Who may use the control routes (`/_devserver/*`) and the debugger page.
//!
//! The Insights and search endpoints stay open to every origin, like the real
//! API. The control routes and the debugger are for this machine's developer:
//!
//! * the `Host` header must name this server: `localhost`, `127.0.0.1` or
//!   `[::1]` (or the bind address) with the server's port, or a host given
//!   with `--allow-host`. This defeats DNS rebinding, where a foreign page
//!   reaches the server under its own host name;
//! * a request with an `Origin` must come from one of the server's own origins
//!   (`http://` + an accepted host with the server's port) or from an origin
//!   given with `--allow-origin`. Requests without an `Origin` (curl, Node,
//!   same-origin `GET`s and `EventSource`) are allowed.

use std::net::IpAddr;
use std::sync::OnceLock;

use crate::config::Config;

/// Whether `path` is a control route or the debugger page.
pub fn is_private_path(path: &str) -> bool {
    path == "/_devserver"
        || path.starts_with("/_devserver/")
        || path == "/debugger"
        || path.starts_with("/debugger/")
}

/// The accepted hosts and origins.
#[derive(Debug)]
pub struct AccessPolicy {
    /// Lower-case host names of this server, brackets around IPv6 addresses.
    names: Vec<String>,
    /// `--allow-host` values: `(name, Some(port))` or `(name, None)` for any port.
    extra_hosts: Vec<(String, Option<u16>)>,
    /// `--allow-origin` values, lower-case, without a trailing slash.
    extra_origins: Vec<String>,
    /// The listening port, once bound.
    port: OnceLock<u16>,
}

impl AccessPolicy {
    /// The policy for `config` (the port is set once bound).
    pub fn new(config: &Config) -> Self {
        let mut names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "[::1]".to_string(),
        ];
        if !config.bind.is_unspecified() {
            let bind = match config.bind {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            };
            if !names.contains(&bind) {
                names.push(bind);
            }
        }
        let extra_hosts = config
            .allow_hosts
            .iter()
            .filter_map(|host| split_host_port(host))
            .collect();
        let extra_origins = config
            .allow_origins
            .iter()
            .map(|origin| origin.trim_end_matches('/').to_ascii_lowercase())
            .collect();
        AccessPolicy {
            names,
            extra_hosts,
            extra_origins,
            port: OnceLock::new(),
        }
    }

    /// Records the listening port. Until then any port is accepted.
    pub fn set_port(&self, port: u16) {
        let _ = self.port.set(port);
    }

    fn is_server_port(&self, port: Option<u16>) -> bool {
        // A Host without a port means the scheme's default, 80 for http.
        self.port.get().is_none_or(|own| port.unwrap_or(80) == *own)
    }

    /// Whether a `Host` header value names this server.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = split_host_port(host) else {
            return false;
        };
        let extra = self
            .extra_hosts
            .iter()
            .any(|(allowed, allowed_port)| {
                *allowed == name
                    && allowed_port.is_none_or(|allowed_port| port.unwrap_or(80) == allowed_port)
            });
        extra || (self.names.contains(&name) && self.is_server_port(port))
    }

    /// Whether a page of `origin` may use the control routes.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if self.extra_origins.contains(&origin) {
            return true;
        }
        let Some(host) = origin.strip_prefix("http://") else {
            return false;
        };
        let Some((_, port)) = split_host_port(host) else {
            return false;
        };
        self.host_allowed(host) && self.is_server_port(port)
    }
}

/// `name[:port]` → lower-case name (IPv6 kept in brackets) and port.
/// `None` when it is not a plain host.
fn split_host_port(host: &str) -> Option<(String, Option<u16>)> {
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        match rest {
            "" => (name.to_string(), None),
            rest => (name.to_string(), Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.split_once(':') {
            None => (host.clone(), None),
            Some((name, port)) => (name.to_string(), Some(port)),
        }
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':');
    if name.is_empty() || !name.chars().all(plain) {
        return None;
    }
    let port = match port {
        None => None,
        Some(port) => Some(port.parse::<u16>().ok()?),
    };
    Some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bind: &str, hosts: &[&str], origins: &[&str]) -> AccessPolicy {
        let config = Config {
            bind: bind.parse().expect("ip"),
            allow_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            allow_origins: origins.iter().map(|o| o.to_string()).collect(),
            ..Config::default()
        };
        let policy = AccessPolicy::new(&config);
        policy.set_port(8080);
        policy
    }

    #[test]
    fn hosts() {
        let p = policy("127.0.0.1", &["devbox.local", "tunnel.test:443"], &[]);
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "devbox.local",
            "devbox.local:9999",
            "tunnel.test:443",
        ] {
            assert!(p.host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.test:8080",
            "127.0.0.1:9090",
            "127.0.0.1",
            "localhost.evil.test:8080",
            "tunnel.test",
            "127.0.0.1:80800",
            "127.0.0.1:8080/x",
            "",
            "[::1",
        ] {
            assert!(!p.host_allowed(refused), "{refused}");
        }
        let lan = policy("192.168.1.5", &[], &[]);
        assert!(lan.host_allowed("192.168.1.5:8080"));
        let any = policy("0.0.0.0", &[], &[]);
        assert!(!any.host_allowed("0.0.0.0:8080"));
        assert!(!any.host_allowed("192.168.1.5:8080"));
    }

    #[test]
    fn origins() {
        let p = policy("127.0.0.1", &["devbox.local"], &["http://localhost:5173"]);
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
            "http://localhost:5173",
            "http://LocalHost:5173/",
            "http://devbox.local:8080",
        ] {
            assert!(p.origin_allowed(ok), "{ok}");
        }
        for refused in [
            "http://127.0.0.1:3000",
            "http://localhost:5174",
            "https://localhost:8080",
            "http://evil.test:8080",
            "http://devbox.local:9999",
            "null",
            "file://",
        ] {
            assert!(!p.origin_allowed(refused), "{refused}");
        }
    }

    #[test]
    fn private_paths() {
        assert!(is_private_path("/_devserver/events"));
        assert!(is_private_path("/debugger"));
        assert!(is_private_path("/debugger/"));
        assert!(!is_private_path("/1/events"));
        assert!(!is_private_path("/_devserverx"));
        assert!(!is_private_path("/debuggers.html"));
    }
}
