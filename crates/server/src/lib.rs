//! The local web server: every catalog command as `POST /api/{command}`, backend events as
//! Server-Sent Events on `GET /api/events`, an OpenAPI description on `GET /api/openapi.json`,
//! and the web UI (`ui/dist`) on every other GET path.
//!
//! Security model (a web page the user visits must not be able to drive the server):
//! - binds 127.0.0.1 by default;
//! - every `/api` request needs the per-run token, as `Authorization: Bearer <token>` or the
//!   `sb_token` cookie (HttpOnly, SameSite=Strict) set when the tokened URL `/?token=<token>`
//!   is opened; tokens are compared in constant time;
//! - the `Host` header must name a loopback host (DNS rebinding), and `Origin`, when present,
//!   must be the server's own origin (CSRF);
//! - request bodies are limited (`ServerConfig::body_limit`, 413 beyond; a larger declared
//!   `Content-Length` is refused before any of the body is read);
//! - connections are limited: a header-read timeout, a keep-alive idle timeout and a cap on
//!   open connections (`connections.rs`), so idle sockets cannot starve the server.
//!
//! Refusals use the same `{"error":{"kind","message"}}` body as command errors, with kinds of
//! the HTTP layer where core has none: `unauthorized` (401, missing or wrong token) and
//! `forbidden` (403, foreign `Host` or `Origin`); 413 is `invalid_input`.

mod api;
mod connections;
mod openapi;
mod security;
mod static_files;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::App;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

pub use api::status_of;
pub use openapi::openapi_document;
pub use static_files::default_ui_dir;

/// Default request body limit: 64 MiB (base64 uploads of skill ZIPs go through the API).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Default time a client has to send a request's headers: from the accept for the first
/// request, from its first byte for later ones.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time a kept-alive connection may wait for its next request (and a client may leave
/// a response unread) before it is closed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Default cap on open connections: far below the usual open-file limit (256 on macOS), far
/// above what one browser uses (about 6 per host, plus the event stream).
pub const DEFAULT_MAX_CONNECTIONS: usize = 128;

/// The cookie that carries the token for the browser UI.
pub const TOKEN_COOKIE: &str = "sb_token";

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// The per-run secret; `ServerConfig::default()` makes a fresh random one.
    pub token: String,
    /// Folder of the built web UI; `None` = `default_ui_dir()`.
    pub ui_dir: Option<PathBuf>,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Time allowed for a request's headers (see [`DEFAULT_HEADER_READ_TIMEOUT`]).
    pub header_read_timeout: Duration,
    /// Keep-alive idle time between requests, and longest wait for a client to read a
    /// response. A request being handled or a streamed response being read is never cut.
    pub idle_timeout: Duration,
    /// Most open connections; at the cap a new one replaces the oldest idle connection, or is
    /// answered 503 when all are busy.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: new_token(),
            ui_dir: None,
            body_limit: DEFAULT_BODY_LIMIT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// A fresh random token: 64 characters of `[0-9a-f]` (two UUID v4, 244 random bits from the
/// OS generator), URL-safe.
pub fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Shared state of the handlers.
pub(crate) struct State {
    pub app: Arc<App>,
    pub cfg: ServerConfig,
    pub ui_dir: PathBuf,
    pub events: broadcast::Sender<Event>,
    /// Flips to `true` at shutdown so the (endless) event streams end and connections drain.
    pub closing: watch::Receiver<bool>,
    /// Keeps the closing channel open for a router made without `serve`.
    _closing_owner: Option<watch::Sender<bool>>,
}

pub(crate) type Shared = Arc<State>;

/// Forwards core events into a broadcast channel read by every SSE client.
struct BroadcastSink(broadcast::Sender<Event>);

impl EventSink for BroadcastSink {
    fn emit(&self, event: &Event) {
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.0.send(event.clone());
    }
}

/// The axum router. `cfg.port` is the port checked in `Host`/`Origin`; 0 = any port (use
/// `serve`, which binds first and then passes the real port).
pub fn router(app: Arc<App>, cfg: ServerConfig) -> Router {
    let (owner, closing) = watch::channel(false);
    build_router(app, cfg, closing, Some(owner))
}

fn build_router(
    app: Arc<App>,
    cfg: ServerConfig,
    closing: watch::Receiver<bool>,
    closing_owner: Option<watch::Sender<bool>>,
) -> Router {
    let (tx, _) = broadcast::channel(4096);
    app.events.subscribe(Arc::new(BroadcastSink(tx.clone())));
    let ui_dir = cfg.ui_dir.clone().unwrap_or_else(default_ui_dir);
    let body_limit = cfg.body_limit;
    let state: Shared = Arc::new(State {
        app,
        cfg,
        ui_dir,
        events: tx,
        closing,
        _closing_owner: closing_owner,
    });
    let api = Router::new()
        .route("/api/events", get(api::events))
        .route("/api/openapi.json", get(openapi::handler))
        .route("/api/{command}", post(api::command))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::require_token,
        ));
    Router::new()
        .merge(api)
        .fallback(static_files::handler)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::limit_declared_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::check_host_origin,
        ))
        .with_state(state)
}

/// A running server: its address, its token, and a handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub token: String,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The URL that logs the browser in: `http://127.0.0.1:<port>/?token=<token>`.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", host_for(self.addr), self.token)
    }

    /// The server's own origin, e.g. `http://127.0.0.1:8080`.
    pub fn origin(&self) -> String {
        format!("http://{}", host_for(self.addr))
    }

    /// Stops accepting connections, ends the event streams and waits for in-flight requests.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

fn host_for(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        // Listening everywhere; the browser still talks to it over loopback.
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// Binds `cfg.bind:cfg.port` and serves in a background task.
pub async fn serve(app: Arc<App>, mut cfg: ServerConfig) -> std::io::Result<RunningServer> {
    if !cfg.bind.is_loopback() {
        tracing::warn!(
            "serving on non-loopback address {}; the token still guards every request",
            cfg.bind
        );
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(cfg.bind, cfg.port)).await?;
    let addr = listener.local_addr()?;
    cfg.port = addr.port();
    let token = cfg.token.clone();
    let limits = connections::Limits {
        header_read_timeout: cfg.header_read_timeout,
        idle_timeout: cfg.idle_timeout,
        max_connections: cfg.max_connections,
    };
    let (stop, closing) = watch::channel(false);
    let router = build_router(app, cfg, closing.clone(), None);
    let task = tokio::spawn(connections::accept_loop(listener, router, limits, closing));
    tracing::info!("serving on http://{addr}");
    Ok(RunningServer {
        addr,
        token,
        stop,
        task,
    })
}
