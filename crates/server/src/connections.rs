//! The accept loop: HTTP/1.1 connections with a header-read timeout, a keep-alive idle timeout
//! and a cap on open connections. `axum::serve` has none of these, so a few hundred silent
//! sockets (no token needed) used up the process's file descriptors and the server stopped
//! answering (issue 12 item 10).
//!
//! A watchdog per connection closes it when
//! - the first request's headers are not complete `header_read_timeout` after the accept, or a
//!   later request's headers `header_read_timeout` after their first byte (slow or silent
//!   clients);
//! - no new request starts `idle_timeout` after the last response ended (keep-alive);
//! - the client has not taken any response bytes for `idle_timeout` (it stopped reading).
//!
//! A request being handled, however long, and a response streamed to a client that reads it
//! are never cut: the event stream `GET /api/events` stays open (it writes a comment every
//! 15 s, so even a quiet stream keeps moving bytes).
//!
//! At the cap a new connection evicts the oldest one with no request in progress (a silent or
//! idle socket loses nothing); when every connection is busy the new one is answered `503` and
//! closed at once. Connections are always accepted, so the listen backlog never fills with
//! sockets the server cannot see.

use axum::body::{Body, Bytes, HttpBody};
use axum::http::Request;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The connection limits of [`crate::ServerConfig`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Accepts and serves connections until `closing` turns true, then lets the open connections
/// finish (idle ones close at once, event streams end on `closing` too).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    closing: watch::Receiver<bool>,
) -> io::Result<()> {
    let table = Arc::new(Table::default());
    let mut tasks = JoinSet::new();
    let mut stop = closing.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            _ = stop.wait_for(|c| *c) => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let Some(conn) = table.admit(limits.max_connections) else {
                    refuse_busy(&stream, limits.max_connections);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tasks.spawn(serve_connection(
                    stream,
                    router.clone(),
                    conn,
                    limits,
                    closing.clone(),
                ));
            }
            Err(e) => {
                // Typically EMFILE: the process is out of file descriptors. Retrying at once
                // would spin; give running requests a moment to release some.
                tracing::warn!("accepting a connection failed: {e}");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                    _ = stop.wait_for(|c| *c) => break,
                }
            }
        }
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Answers a connection over the cap without letting it hold a descriptor.
fn refuse_busy(stream: &TcpStream, max: usize) {
    let body = format!(
        r#"{{"error":{{"kind":"internal","message":"the server already serves {max} connections; retry in a moment"}}}}"#
    );
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // Best effort and never blocking: the socket is closed right after either way.
    let _ = stream.try_write(reply.as_bytes());
    tracing::debug!("connection refused: {max} connections are busy");
}

/// The open connections, oldest first (ids only grow).
#[derive(Default)]
struct Table {
    conns: Mutex<BTreeMap<u64, Conn>>,
    next_id: AtomicU64,
}

#[derive(Clone)]
struct Conn {
    id: u64,
    activity: Arc<Activity>,
    evict: Arc<Notify>,
}

impl Table {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Conn>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new connection, evicting the oldest one without a request in progress
    /// when the table is full; `None` when every connection is busy.
    fn admit(self: &Arc<Self>, max: usize) -> Option<Registered> {
        let mut conns = self.lock();
        if conns.len() >= max.max(1) {
            let victim = conns
                .iter()
                .find(|(_, c)| c.activity.is_idle())
                .map(|(id, _)| *id)?;
            if let Some(c) = conns.remove(&victim) {
                tracing::debug!("{max} connections open: closing the oldest idle one");
                c.evict.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Conn {
            id,
            activity: Arc::new(Activity::new()),
            evict: Arc::new(Notify::new()),
        };
        conns.insert(id, conn.clone());
        Some(Registered {
            table: self.clone(),
            conn,
        })
    }
}

/// A connection's place in the table, given up when its task ends.
struct Registered {
    table: Arc<Table>,
    conn: Conn,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.table.lock().remove(&self.conn.id);
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    registered: Registered,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
) {
    let activity = registered.conn.activity.clone();
    let evict = registered.conn.evict.clone();
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let router = TowerToHyperService::new(router);
        let activity = activity.clone();
        hyper::service::service_fn(move |req: Request<Incoming>| {
            let guard = InFlight::start(activity.clone());
            let response = hyper::service::Service::call(&router, req);
            async move {
                let response = response.await?;
                Ok::<_, Infallible>(response.map(|inner| TrackedBody {
                    inner,
                    _in_flight: guard,
                }))
            }
        })
    };
    // hyper's own header timer also runs while a kept-alive connection waits for its next
    // request, which would cap the idle timeout; the watchdog below keeps the two apart.
    let conn = hyper::server::conn::http1::Builder::new()
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut draining = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = evict.notified() => break,
            _ = activity.changed.notified() => {}
            _ = sleep_until(deadline) => {
                if activity.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!("closing a connection that timed out");
                    break;
                }
            }
            _ = closing.wait_for(|c| *c), if !draining => {
                conn.as_mut().graceful_shutdown();
                draining = true;
            }
        }
    }
    drop(registered);
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// What a connection is doing, updated by its socket and its requests, read by its watchdog
/// and by the table when it needs a connection to evict.
struct Activity {
    state: Mutex<State>,
    /// Wakes the watchdog when a deadline may have come closer.
    changed: Notify,
}

struct State {
    /// Requests whose response body has not been dropped yet.
    in_flight: usize,
    /// A request has started on this connection.
    served: bool,
    /// Since when no request is in progress (the accept, at first).
    idle_since: Instant,
    /// The first byte of the next request's headers, while no request is in progress.
    header_since: Option<Instant>,
    /// Since when the socket has refused response bytes (the client is not reading).
    write_blocked_since: Option<Instant>,
}

impl Activity {
    fn new() -> Self {
        Activity {
            state: Mutex::new(State {
                in_flight: 0,
                served: false,
                idle_since: Instant::now(),
                header_since: None,
                write_blocked_since: None,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_idle(&self) -> bool {
        self.lock().in_flight == 0
    }

    /// When the connection must be closed, if nothing happens before; `None` = never.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let s = self.lock();
        if let Some(t) = s.write_blocked_since {
            return Some(t + limits.idle_timeout);
        }
        if s.in_flight > 0 {
            return None;
        }
        if !s.served {
            return Some(s.idle_since + limits.header_read_timeout);
        }
        Some(match s.header_since {
            Some(t) => t + limits.header_read_timeout,
            None => s.idle_since + limits.idle_timeout,
        })
    }

    fn bytes_read(&self) {
        let mut s = self.lock();
        if s.in_flight == 0 && s.served && s.header_since.is_none() {
            s.header_since = Some(Instant::now());
            drop(s);
            self.changed.notify_one();
        }
    }

    fn write_result(&self, blocked: bool) {
        let mut s = self.lock();
        match (blocked, s.write_blocked_since) {
            (true, None) => {
                s.write_blocked_since = Some(Instant::now());
                drop(s);
                self.changed.notify_one();
            }
            (false, Some(_)) => s.write_blocked_since = None,
            _ => {}
        }
    }
}

/// One request in progress, from its headers until its response body is dropped (sent in
/// full, or the connection closed).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        {
            let mut s = activity.lock();
            s.in_flight += 1;
            s.served = true;
            s.header_since = None;
        }
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.in_flight -= 1;
        if s.in_flight == 0 {
            s.idle_since = Instant::now();
            s.header_since = None;
            drop(s);
            self.0.changed.notify_one();
        }
    }
}

/// A response body that keeps its request counted as in progress while it is being sent.
struct TrackedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, reporting reads and stalled writes to the connection's [`Activity`].
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl Watched {
    fn note_write<T>(&self, r: &Poll<io::Result<T>>) {
        match r {
            Poll::Pending => self.activity.write_result(true),
            Poll::Ready(Ok(_)) => self.activity.write_result(false),
            Poll::Ready(Err(_)) => {}
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.bytes_read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.note_write(&r);
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.note_write(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
