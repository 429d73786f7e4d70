//! Server configuration and command-line parsing.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// Usage text printed by `--help`.
pub const USAGE: &str = "\
insights-devserver: local Algolia Insights endpoint, events debugger and fake search backend

USAGE:
    insights-devserver [OPTIONS]

OPTIONS:
    --bind ADDR               address to listen on (default 127.0.0.1)
    --port PORT               port to listen on, 0 picks a free one (default 8080)
    --www DIR                 serve DIR at / (demo store)
    --pkg DIR                 serve DIR at /pkg/ (wasm-pack output)
    --log FILE                append every received event record to FILE as JSON lines
    --port-file PATH          write the listening port to PATH once ready
    --max-event-age-days N    reject events whose timestamp is older than N days (default 4)
    --catalog FILE            product catalog JSON (default: the embedded 24 products)
    --max-kept-mib N          memory budget of the kept request and event records, MiB (default 64)
    --header-timeout-secs N   close connections that take longer to send request headers (default 10)
    --body-timeout-secs N     answer 408 to requests whose body takes longer to arrive (default 30)
    --max-connections N       connections served at once; more wait to be accepted (default 512)
    --allow-origin ORIGIN     also let this origin (e.g. http://localhost:5173) use /_devserver/*
                              and the debugger's data (repeatable)
    --allow-host HOST[:PORT]  also accept this Host header on /_devserver/* and /debugger (repeatable)
    -h, --help                print this help
";

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address to bind (loopback by default).
    pub bind: IpAddr,
    /// Port to bind; 0 asks the OS for a free port.
    pub port: u16,
    /// Directory served at `/`.
    pub www: Option<PathBuf>,
    /// Directory served at `/pkg/`.
    pub pkg: Option<PathBuf>,
    /// JSON-lines file receiving every event record.
    pub log: Option<PathBuf>,
    /// File that receives the listening port once the server is ready.
    pub port_file: Option<PathBuf>,
    /// Events older than this many days are rejected with 422.
    pub max_event_age_days: u32,
    /// Catalog file overriding the embedded products.
    pub catalog: Option<PathBuf>,
    /// Memory budget (bytes, estimated) of the kept request and event records.
    pub max_kept_bytes: usize,
    /// Time allowed to send a request's headers (and idle time between requests).
    pub header_timeout: Duration,
    /// Time allowed to send a request's body, counted from its headers.
    pub body_timeout: Duration,
    /// Most connections served at once; further ones wait in the accept queue.
    pub max_connections: usize,
    /// Extra origins allowed to use the control routes (`--allow-origin`).
    pub allow_origins: Vec<String>,
    /// Extra `Host` values accepted on the control routes (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// Default of [`Config::max_kept_bytes`]: 64 MiB.
pub const DEFAULT_MAX_KEPT_BYTES: usize = 64 * 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            www: None,
            pkg: None,
            log: None,
            port_file: None,
            max_event_age_days: 4,
            catalog: None,
            max_kept_bytes: DEFAULT_MAX_KEPT_BYTES,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
            allow_origins: Vec::new(),
            allow_hosts: Vec::new(),
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
// Built once per process: the size of `Config` does not matter here.
#[allow(clippy::large_enum_variant)]
pub enum CliAction {
    /// Start the server with this configuration.
    Run(Config),
    /// Print [`USAGE`] and exit.
    Help,
}

/// A command line that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

impl Config {
    /// Parses the arguments that follow the program name.
    /// Both `--flag value` and `--flag=value` are accepted.
    pub fn from_args<I>(args: I) -> Result<CliAction, CliError>
    where
        I: IntoIterator<Item = String>,
    {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                return Ok(CliAction::Help);
            }
            let (flag, inline_value) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_string(), Some(value.to_string()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = || -> Result<String, CliError> {
                match inline_value.clone() {
                    Some(v) => Ok(v),
                    None => args
                        .next()
                        .ok_or_else(|| CliError(format!("{flag} needs a value"))),
                }
            };
            match flag.as_str() {
                "--bind" => config.bind = parse_bind(&value()?)?,
                "--port" => {
                    let raw = value()?;
                    config.port = raw
                        .parse()
                        .map_err(|_| CliError(format!("--port: not a port number: {raw}")))?;
                }
                "--www" => config.www = Some(PathBuf::from(value()?)),
                "--pkg" => config.pkg = Some(PathBuf::from(value()?)),
                "--log" => config.log = Some(PathBuf::from(value()?)),
                "--port-file" => config.port_file = Some(PathBuf::from(value()?)),
                "--catalog" => config.catalog = Some(PathBuf::from(value()?)),
                "--max-event-age-days" => {
                    let raw = value()?;
                    config.max_event_age_days = raw.parse().map_err(|_| {
                        CliError(format!(
                            "--max-event-age-days: not a whole number of days: {raw}"
                        ))
                    })?;
                }
                "--max-kept-mib" => {
                    let mib = positive(&flag, &value()?)?;
                    config.max_kept_bytes = usize::try_from(mib)
                        .ok()
                        .and_then(|mib| mib.checked_mul(1024 * 1024))
                        .ok_or_else(|| CliError(format!("{flag}: too large: {mib}")))?;
                }
                "--header-timeout-secs" => {
                    config.header_timeout = Duration::from_secs(positive(&flag, &value()?)?);
                }
                "--body-timeout-secs" => {
                    config.body_timeout = Duration::from_secs(positive(&flag, &value()?)?);
                }
                "--max-connections" => {
                    let raw = value()?;
                    config.max_connections = usize::try_from(positive(&flag, &raw)?)
                        .map_err(|_| CliError(format!("{flag}: too large: {raw}")))?;
                }
                "--allow-origin" => config.allow_origins.push(parse_origin(&value()?)?),
                "--allow-host" => config.allow_hosts.push(parse_host(&value()?)?),
                other => return Err(CliError(format!("unknown argument: {other}"))),
            }
        }
        Ok(CliAction::Run(config))
    }
}

/// A whole number of at least 1.
fn positive(flag: &str, raw: &str) -> Result<u64, CliError> {
    raw.parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| CliError(format!("{flag}: not a whole number of at least 1: {raw}")))
}

/// `scheme://host[:port]`, lower-cased, without a trailing slash.
fn parse_origin(raw: &str) -> Result<String, CliError> {
    let origin = raw.trim_end_matches('/').to_ascii_lowercase();
    let valid = origin
        .split_once("://")
        .is_some_and(|(scheme, host)| {
            !scheme.is_empty()
                && !host.is_empty()
                && !host.contains(['/', '?', '#', '@', ' '])
        });
    if valid {
        Ok(origin)
    } else {
        Err(CliError(format!(
            "--allow-origin: not an origin like http://localhost:5173: {raw}"
        )))
    }
}

/// `name` or `name:port`, lower-cased.
fn parse_host(raw: &str) -> Result<String, CliError> {
    let host = raw.to_ascii_lowercase();
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(CliError(format!(
            "--allow-host: not a host name like devbox.local:8080: {raw}"
        )));
    }
    Ok(host)
}

fn parse_bind(raw: &str) -> Result<IpAddr, CliError> {
    if raw.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    raw.parse()
        .map_err(|_| CliError(format!("--bind: not an IP address: {raw}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CliAction, CliError> {
        Config::from_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults() {
        assert_eq!(parse(&[]), Ok(CliAction::Run(Config::default())));
        assert_eq!(Config::default().port, 8080);
        assert_eq!(Config::default().max_event_age_days, 4);
    }

    #[test]
    fn all_flags() {
        let action = parse(&[
            "--bind",
            "0.0.0.0",
            "--port=0",
            "--www",
            "w",
            "--pkg",
            "p",
            "--log",
            "l.jsonl",
            "--port-file",
            "pf",
            "--max-event-age-days",
            "30",
            "--catalog",
            "c.json",
        ]);
        let Ok(CliAction::Run(config)) = action else {
            panic!("unexpected {action:?}");
        };
        assert_eq!(config.bind.to_string(), "0.0.0.0");
        assert_eq!(config.port, 0);
        assert_eq!(config.www, Some(PathBuf::from("w")));
        assert_eq!(config.pkg, Some(PathBuf::from("p")));
        assert_eq!(config.log, Some(PathBuf::from("l.jsonl")));
        assert_eq!(config.port_file, Some(PathBuf::from("pf")));
        assert_eq!(config.max_event_age_days, 30);
        assert_eq!(config.catalog, Some(PathBuf::from("c.json")));
    }

    #[test]
    fn limits_and_access_flags() {
        let action = parse(&[
            "--max-kept-mib",
            "2",
            "--header-timeout-secs=3",
            "--body-timeout-secs",
            "4",
            "--max-connections",
            "5",
            "--allow-origin",
            "http://LocalHost:5173/",
            "--allow-origin=https://shop.test",
            "--allow-host",
            "devbox.local:8080",
        ]);
        let Ok(CliAction::Run(config)) = action else {
            panic!("unexpected {action:?}");
        };
        assert_eq!(config.max_kept_bytes, 2 * 1024 * 1024);
        assert_eq!(config.header_timeout, Duration::from_secs(3));
        assert_eq!(config.body_timeout, Duration::from_secs(4));
        assert_eq!(config.max_connections, 5);
        assert_eq!(
            config.allow_origins,
            vec!["http://localhost:5173".to_string(), "https://shop.test".to_string()]
        );
        assert_eq!(config.allow_hosts, vec!["devbox.local:8080".to_string()]);
        let defaults = Config::default();
        assert_eq!(defaults.max_kept_bytes, 64 * 1024 * 1024);
        assert_eq!(defaults.header_timeout, Duration::from_secs(10));
        assert_eq!(defaults.body_timeout, Duration::from_secs(30));
        assert_eq!(defaults.max_connections, 512);
        assert!(parse(&["--max-connections", "0"]).is_err());
        assert!(parse(&["--header-timeout-secs", "soon"]).is_err());
        assert!(parse(&["--allow-origin", "localhost:5173"]).is_err());
        assert!(parse(&["--allow-host", "a/b"]).is_err());
    }

    #[test]
    fn errors_and_help() {
        assert_eq!(parse(&["--help"]), Ok(CliAction::Help));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "http"]).is_err());
        assert!(parse(&["--bind", "nowhere"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
    }
}
