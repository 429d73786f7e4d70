//! Listening, serving connections, graceful shutdown.
//!
//! Connections are served with hyper directly (not `axum::serve`) so that a
//! handler can close its own TCP connection without answering: every request
//! carries a [`ConnectionControl`] for that.
//!
//! Slow or stalled clients cannot pile up: at most `max_connections` are
//! served at once (further ones wait in the accept queue), request headers
//! must arrive within `header_timeout` (which also closes idle keep-alive
//! connections), and bodies within `body_timeout` of their headers.

use std::fmt;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::config::Config;
use crate::connection::{with_deadline, ConnectionControl};
use crate::router;
use crate::state::{AppState, ShutdownSignal};

/// How long open connections get to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why the server could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// Binding, or a file (event log, port file) could not be used.
    Io(String),
    /// The product catalog is unreadable or malformed.
    Catalog(String),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Io(message) => write!(f, "{message}"),
            ServerError::Catalog(message) => write!(f, "catalog: {message}"),
        }
    }
}

impl std::error::Error for ServerError {}

/// A server running in the background of the current Tokio runtime.
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The address actually bound (with the real port when `--port 0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT` + `path`, with a loopback host when bound to all interfaces.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", base_url(self.addr))
    }

    /// The shared state (logs, failure plan, catalog).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets open requests finish (up to 5 s), then returns.
    pub async fn shutdown(self) {
        // An error means the loop already ended.
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background.
pub async fn spawn(config: Config) -> Result<RunningServer, ServerError> {
    let (stop, stopping) = watch::channel(false);
    let state = AppState::new(&config, ShutdownSignal::new(stopping.clone()))?;
    let listener = TcpListener::bind((config.bind, config.port))
        .await
        .map_err(|err| {
            ServerError::Io(format!(
                "cannot listen on {}:{}: {err}",
                config.bind, config.port
            ))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|err| ServerError::Io(format!("cannot read the bound address: {err}")))?;
    state.access().set_port(addr.port());
    let app = router(state.clone());
    let limits = Limits {
        header_timeout: config.header_timeout,
        body_timeout: config.body_timeout,
        connections: Arc::new(Semaphore::new(config.max_connections.max(1))),
    };
    let task = tokio::spawn(accept_loop(listener, app, stopping, limits));
    Ok(RunningServer {
        addr,
        state,
        stop,
        task,
    })
}

/// Runs the server until Ctrl-C or SIGTERM: prints the URLs, writes the port
/// file, then shuts down gracefully.
pub async fn serve(config: Config) -> Result<(), ServerError> {
    let server = spawn(config.clone()).await?;
    let base = base_url(server.local_addr());
    let mut banner = String::new();
    if config.www.is_some() {
        banner.push_str(&format!("Demo store:      {base}/\n"));
    }
    banner.push_str(&format!("Events debugger: {base}/debugger\n"));
    banner.push_str(&format!("Insights endpoint: {base}/1/events\n"));
    banner.push_str(&exposure_note(&config, server.local_addr()));
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|err| ServerError::Io(format!("cannot write to stdout: {err}")))?;
    drop(stdout);
    if let Some(path) = &config.port_file {
        write_port_file(path, server.local_addr().port()).map_err(|err| {
            ServerError::Io(format!(
                "cannot write the port file {}: {err}",
                path.display()
            ))
        })?;
    }
    shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

/// What a non-loopback bind address opens to the network (empty for loopback).
fn exposure_note(config: &Config, addr: SocketAddr) -> String {
    let ip = addr.ip();
    if ip.is_loopback() {
        return String::new();
    }
    let port = addr.port();
    let mut note = if ip.is_unspecified() {
        format!(
            "Warning: listening on all interfaces ({ip}): the Insights endpoint, the search backend, \
             the static files and the debugger page are open to the network, at this machine's \
             addresses on port {port}.\n"
        )
    } else {
        format!(
            "Warning: listening on {ip}: the Insights endpoint, the search backend, the static \
             files and the debugger page are open to the network.\n"
        )
    };
    let mut hosts = String::from("localhost, 127.0.0.1, [::1]");
    if !ip.is_unspecified() {
        hosts.push_str(&format!(", {}", base_url(addr).trim_start_matches("http://")));
    }
    for host in &config.allow_hosts {
        hosts.push_str(&format!(", {host}"));
    }
    note.push_str(&format!(
        "Control routes (/_devserver/*) and the debugger's data answer only the host names {hosts} \
         (add others with --allow-host) and pages of this server or of --allow-origin.\n"
    ));
    note
}

fn base_url(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    match host {
        IpAddr::V4(v4) => format!("http://{v4}:{}", addr.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}", addr.port()),
    }
}

/// Writes `port` to a temporary file, then renames it over `path`, so that
/// readers never see a partial file.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    std::fs::write(&temporary, port.to_string())?;
    std::fs::rename(&temporary, path)
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

/// Resolves once `true` is sent, or the sender is gone.
async fn stop_requested_on(receiver: &mut watch::Receiver<bool>) {
    // The guard returned by `wait_for` is not `Send`: drop it right here.
    let _ = receiver.wait_for(|stop| *stop).await;
}

/// Connection limits (see the module documentation).
struct Limits {
    header_timeout: Duration,
    body_timeout: Duration,
    connections: Arc<Semaphore>,
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    stopping: watch::Receiver<bool>,
    limits: Limits,
) {
    let mut connections = JoinSet::new();
    let mut stop_requested = stopping.clone();
    let limits = Arc::new(limits);
    'serving: loop {
        // A free connection slot first: without one, new connections wait
        // in the accept queue until a served one ends.
        let permit = tokio::select! {
            permit = limits.connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = stop_requested_on(&mut stop_requested) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let served = serve_connection(stream, app.clone(), stopping.clone(), limits.clone());
                        connections.spawn(async move {
                            served.await;
                            drop(permit);
                        });
                        break;
                    }
                    Err(err) => {
                        // Typically out of file descriptors: back off instead of spinning.
                        eprintln!("insights-devserver: accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                _ = stop_requested_on(&mut stop_requested) => break 'serving,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.abort_all();
    }
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    mut stopping: watch::Receiver<bool>,
    limits: Arc<Limits>,
) {
    // Best effort: small JSON answers should not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let control = ConnectionControl::default();
    let request_control = control.clone();
    let body_timeout = limits.body_timeout;
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let deadline = tokio::time::Instant::now() + body_timeout;
        let mut request = request.map(|body| with_deadline(body, deadline));
        request.extensions_mut().insert(request_control.clone());
        app.clone().oneshot(request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            // Dropping the connection closes the socket without any answer.
            _ = control.closed() => break,
            _ = stop_requested_on(&mut stopping), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
