//! The `insights-devserver` binary: startup lines, port file, clean exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_insights-devserver");

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("insights-devserver-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Kills the server if the test panics, so no server outlives a failed test.
struct KillOnPanic(u32);

impl Drop for KillOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
}

fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn prints_urls_writes_the_port_file_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir();
    let www = dir.join("www");
    std::fs::create_dir_all(&www).expect("www");
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let mut child = Command::new(BINARY)
        .args(["--port", "0", "--www"])
        .arg(&www)
        .arg("--port-file")
        .arg(&port_file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let _guard = KillOnPanic(child.id());
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || lines.next().expect("a line").expect("utf-8");
    let (store, debugger, endpoint) = (next(), next(), next());

    let port: u16 = endpoint
        .strip_prefix("Insights endpoint: http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/1/events"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line {endpoint:?}"));
    assert_ne!(port, 0);
    assert_eq!(store, format!("Demo store:      http://127.0.0.1:{port}/"));
    assert_eq!(
        debugger,
        format!("Events debugger: http://127.0.0.1:{port}/debugger")
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let written = loop {
        if let Ok(text) = std::fs::read_to_string(&port_file) {
            break text;
        }
        assert!(Instant::now() < deadline, "no port file");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(written, port.to_string());
    assert!(http_get(port, "/_devserver/health").starts_with("HTTP/1.1 200"));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(BINARY).arg("--help").output().expect("run");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--port-file"));
    let bad = Command::new(BINARY).arg("--nope").output().expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument"));
}

#[test]
fn all_interfaces_prints_the_loopback_urls_and_a_warning() {
    let mut child = Command::new(BINARY)
        .args(["--bind", "0.0.0.0", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let _guard = KillOnPanic(child.id());
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || lines.next().expect("a line").expect("utf-8");
    let (debugger, endpoint, warning, control) = (next(), next(), next(), next());
    assert!(
        debugger.starts_with("Events debugger: http://127.0.0.1:"),
        "{debugger}"
    );
    assert!(
        endpoint.starts_with("Insights endpoint: http://127.0.0.1:"),
        "{endpoint}"
    );
    assert!(
        warning.starts_with("Warning: listening on all interfaces (0.0.0.0)")
            && warning.contains("open to the network"),
        "{warning}"
    );
    assert!(
        control.contains("/_devserver/") && control.contains("--allow-host"),
        "{control}"
    );
    let _ = child.kill();
    let _ = child.wait();
}
