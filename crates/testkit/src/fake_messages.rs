//! A scripted fake of the Anthropic Messages API **with streaming (SSE)**, for running the REAL
//! Node sidecar + `@anthropic-ai/claude-agent-sdk` (its bundled Claude Code CLI) offline.
//! Rust twin of `sidecar/test-support/fake-anthropic.js`; see `shared/spec/agents.md` §9.
//!
//! ```no_run
//! use skill_builder_testkit::fake_messages::{FakeMessages, Reply, Script};
//! let fake = FakeMessages::start(Script::new(|req| {
//!     if req.last_has_tool_result() {
//!         Reply::text("Done.")
//!     } else {
//!         Reply::tool_use("Write", serde_json::json!({"file_path": "/tmp/x.md", "content": "hi"}))
//!     }
//! }));
//! // give `fake.url()` to the sidecar as ANTHROPIC_BASE_URL ...
//! ```
//!
//! Routes (anything else → `404` JSON error, nothing ever hangs):
//! - `POST /v1/messages` (any query, e.g. `?beta=true`): the [`Script`] picks a [`Reply`]; with
//!   `"stream": true` it is sent as `text/event-stream` in exactly the Anthropic streaming
//!   format (`message_start`, `ping`, per block `content_block_start` / `content_block_delta`
//!   (`text_delta` or `input_json_delta`) / `content_block_stop`, `message_delta` with
//!   `stop_reason` `tool_use` or `end_turn` and `usage.output_tokens`, `message_stop`);
//!   without it as one JSON `message`.
//! - `POST /v1/messages/count_tokens` → `{"input_tokens": COUNT_TOKENS_INPUT}`.
//!
//! The server runs on its own thread and tokio runtime on `127.0.0.1:0`, so it works from plain
//! `#[test]`s and from any `#[tokio::test]` flavour (even one that blocks its only thread), and
//! it stops when the [`FakeMessages`] is dropped. Set `FAKE_MESSAGES_LOG=1` to print one line per
//! request on stderr (never the key).
//!
//! What the bundled CLI (SDK 0.3.332) sends (observed with `FAKE_MESSAGES_LOG=1`):
//! - with `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1`: only the agent loop — one
//!   `POST /v1/messages?beta=true` per turn, `stream: true`, header `x-api-key`, the requested
//!   model, `max_tokens` 32000, the `tools` list (12 tools offered even when `allowedTools` is
//!   `[Write]`), first user message = `<system-reminder>` text blocks + the prompt.
//! - without it, in addition: `HEAD /api/hello` (connectivity check, no key; answered 404,
//!   harmless) and a session-title call: same model, `tools: []`, first user message
//!   `<session>\n{the prompt}\n</session>…` (so it DOES contain any marker of the prompt),
//!   `output_config.format` = json_schema `{title: string}`. Its usage is counted in the result's
//!   `modelUsage` but not in `usage`.
//!
//! [`MessagesRequest::is_side_request`] (no `tools`) recognises such calls; [`workflow_script`]
//! and [`Script::queue`] answer them with [`side_reply`] ([`Usage::SIDE`] = zeros) without
//! advancing their script.

use crate::http::{json_response, Recorded};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use std::fmt;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `/v1/messages/count_tokens` always answers this many input tokens.
pub const COUNT_TOKENS_INPUT: u64 = 42;
/// The final answer of [`workflow_script`] once every file of a marker is written.
pub const WORKFLOW_DONE_TEXT: &str = "Done.";
/// The answer of [`workflow_script`] to an agent-loop request that names no marker.
pub const FALLBACK_TEXT: &str = "OK.";
/// The answer of [`workflow_script`] / [`Script::queue`] to plain side requests (no `tools`).
pub const SIDE_TEXT: &str = "OK.";
/// String fields of a structured (json_schema) side answer, see [`side_reply`].
pub const SIDE_JSON_STRING: &str = "Fake session";

/// Token usage reported for one reply (`message_start` carries the input side, `message_delta`
/// the output tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_creation_input_tokens: u64,
}

impl Usage {
    /// Every reply of [`workflow_script`] to an agent-loop request (a `Write` turn, the final
    /// `Done.`, or the fallback text), and the default of a [`Reply`] without
    /// [`Reply::with_usage`]: input 100, output 20, cache read 10, cache write (creation) 5.
    pub const WORKFLOW: Usage = Usage {
        input_tokens: 100,
        output_tokens: 20,
        cache_read_input_tokens: 10,
        cache_creation_input_tokens: 5,
    };
    /// Side requests answered by [`workflow_script`] / [`Script::queue`]: all zero, so they
    /// change neither `result.usage` (which never counts them) nor `result.modelUsage` (which
    /// does).
    pub const SIDE: Usage = Usage {
        input_tokens: 0,
        output_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
    };

    pub const fn new(input: u64, output: u64, cache_read: u64, cache_creation: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cache_read_input_tokens: cache_read,
            cache_creation_input_tokens: cache_creation,
        }
    }

    /// This usage `n` times (the totals of `n` API calls).
    pub const fn times(self, n: u64) -> Usage {
        Usage {
            input_tokens: self.input_tokens * n,
            output_tokens: self.output_tokens * n,
            cache_read_input_tokens: self.cache_read_input_tokens * n,
            cache_creation_input_tokens: self.cache_creation_input_tokens * n,
        }
    }
}

/// What [`workflow_script`] makes the SDK report for one marker with `files` files: `files`
/// `Write` turns plus the final text turn, each [`Usage::WORKFLOW`] (side requests excluded).
pub const fn workflow_usage(files: usize) -> Usage {
    Usage::WORKFLOW.times(files as u64 + 1)
}

/// One content block of an assistant reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Text(String),
    ToolUse { name: String, input: Value },
}

/// The answer to one `/v1/messages` call.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A final text answer (`stop_reason: "end_turn"`).
    Text(String),
    /// One tool call (`stop_reason: "tool_use"`), e.g. `Write` with
    /// `{"file_path": "/abs/path", "content": "..."}`.
    ToolUse { name: String, input: Value },
    /// Several blocks in one message; `stop_reason` is `tool_use` when any block is a tool call.
    Blocks(Vec<Block>),
    /// An HTTP error with this JSON body (sent with `x-should-retry: false` so the client does
    /// not back off and retry; the CLI may still retry 5xx/429/529 by itself — prefer 4xx).
    Status(u16, Value),
    /// `reply` with these token numbers instead of [`Usage::WORKFLOW`].
    WithUsage(Box<Reply>, Usage),
    /// `reply`, answered only after this pause (e.g. to test cancellation).
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    pub fn text(t: impl Into<String>) -> Reply {
        Reply::Text(t.into())
    }
    pub fn tool_use(name: impl Into<String>, input: Value) -> Reply {
        Reply::ToolUse {
            name: name.into(),
            input,
        }
    }
    /// A `Write` tool call of `content` to the absolute `path`.
    pub fn write(path: impl Into<PathBuf>, content: impl Into<String>) -> Reply {
        Reply::tool_use(
            "Write",
            json!({"file_path": path.into().to_string_lossy(), "content": content.into()}),
        )
    }
    /// An Anthropic-shaped error: `{"type":"error","error":{"type": kind, "message": message}}`.
    pub fn error(status: u16, kind: &str, message: &str) -> Reply {
        Reply::Status(
            status,
            json!({"type": "error", "error": {"type": kind, "message": message}}),
        )
    }
    pub fn with_usage(self, usage: Usage) -> Reply {
        Reply::WithUsage(Box::new(self), usage)
    }
    pub fn delayed(self, pause: Duration) -> Reply {
        Reply::Delayed(pause, Box::new(self))
    }

    /// (blocks or status, usage, total delay); the outermost `WithUsage` wins.
    fn flatten(self) -> (Result<Vec<Block>, (u16, Value)>, Usage, Duration) {
        let mut usage = None;
        let mut delay = Duration::ZERO;
        let mut r = self;
        let content = loop {
            r = match r {
                Reply::WithUsage(inner, u) => {
                    usage.get_or_insert(u);
                    *inner
                }
                Reply::Delayed(d, inner) => {
                    delay += d;
                    *inner
                }
                Reply::Text(t) => break Ok(vec![Block::Text(t)]),
                Reply::ToolUse { name, input } => break Ok(vec![Block::ToolUse { name, input }]),
                Reply::Blocks(b) => break Ok(b),
                Reply::Status(s, v) => break Err((s, v)),
            };
        };
        (content, usage.unwrap_or(Usage::WORKFLOW), delay)
    }
}

/// A `/v1/messages` request as the script sees it.
#[derive(Clone)]
pub struct MessagesRequest {
    /// The JSON body as sent.
    pub body: Value,
    /// The query string (`beta=true` from the CLI).
    pub query: Option<String>,
    /// The `x-api-key` header (or the `Authorization: Bearer` token).
    pub api_key: Option<String>,
    /// The `anthropic-beta` header.
    pub anthropic_beta: Option<String>,
}

impl fmt::Debug for MessagesRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessagesRequest")
            .field("body", &self.body)
            .field("query", &self.query)
            .field("api_key", &self.api_key.as_ref().map(|_| "[present]"))
            .field("anthropic_beta", &self.anthropic_beta)
            .finish()
    }
}

fn block_texts(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn walk_text(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| walk_text(x, out)),
        Value::Object(o) => {
            if let Some(Value::String(t)) = o.get("text") {
                out.push(t.clone());
            }
            if let Some(c) = o.get("content") {
                walk_text(c, out);
            }
            if let Some(i) = o.get("input") {
                out.push(i.to_string());
            }
        }
        _ => {}
    }
}

impl MessagesRequest {
    pub fn from_recorded(rec: &Recorded) -> MessagesRequest {
        let bearer = rec
            .header("authorization")
            .map(|a| a.trim_start_matches("Bearer ").to_string());
        MessagesRequest {
            body: rec.json(),
            query: rec.query.clone(),
            api_key: rec.header("x-api-key").or(bearer),
            anthropic_beta: rec.header("anthropic-beta"),
        }
    }

    /// A request with this body (for unit-testing scripts).
    pub fn from_body(body: Value) -> MessagesRequest {
        MessagesRequest {
            body,
            query: None,
            api_key: None,
            anthropic_beta: None,
        }
    }

    pub fn model(&self) -> &str {
        self.body["model"].as_str().unwrap_or("")
    }
    pub fn stream(&self) -> bool {
        self.body["stream"].as_bool().unwrap_or(false)
    }
    pub fn max_tokens(&self) -> Option<u64> {
        self.body["max_tokens"].as_u64()
    }
    /// The system prompt's text (a string, or the text blocks joined by newlines).
    pub fn system_text(&self) -> String {
        block_texts(&self.body["system"])
    }
    pub fn messages(&self) -> &[Value] {
        self.body["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
    /// Names of the tools offered (`tools[].name`).
    pub fn tool_names(&self) -> Vec<String> {
        self.body["tools"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn has_tools(&self) -> bool {
        self.body["tools"].as_array().is_some_and(|t| !t.is_empty())
    }
    /// A request that is not part of the agent loop: it offers no tools (the CLI's quota /
    /// title / summary calls). Agent-loop requests always carry the `tools` list.
    pub fn is_side_request(&self) -> bool {
        !self.has_tools()
    }
    fn user_messages(&self) -> impl Iterator<Item = &Value> {
        self.messages().iter().filter(|m| m["role"] == "user")
    }
    /// Text blocks of the first user message (the prompt, plus any `<system-reminder>` blocks
    /// the CLI adds).
    pub fn first_user_text(&self) -> String {
        self.user_messages()
            .next()
            .map(|m| block_texts(&m["content"]))
            .unwrap_or_default()
    }
    /// Text blocks of the last user message (empty when it holds only `tool_result`s).
    pub fn last_user_text(&self) -> String {
        self.user_messages()
            .last()
            .map(|m| block_texts(&m["content"]))
            .unwrap_or_default()
    }
    /// Whether the last message holds a `tool_result` block.
    pub fn last_has_tool_result(&self) -> bool {
        self.messages().last().is_some_and(|m| {
            m["content"]
                .as_array()
                .is_some_and(|b| b.iter().any(|x| x["type"] == "tool_result"))
        })
    }
    /// `tool_result` blocks in the whole conversation.
    pub fn tool_result_count(&self) -> usize {
        self.messages()
            .iter()
            .filter_map(|m| m["content"].as_array())
            .flatten()
            .filter(|b| b["type"] == "tool_result")
            .count()
    }
    /// `(name, input)` of every `tool_use` the assistant already issued in this conversation.
    pub fn tool_uses(&self) -> Vec<(String, Value)> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == "assistant")
            .filter_map(|m| m["content"].as_array())
            .flatten()
            .filter(|b| b["type"] == "tool_use")
            .map(|b| {
                (
                    b["name"].as_str().unwrap_or("").to_string(),
                    b["input"].clone(),
                )
            })
            .collect()
    }
    /// All text of the system prompt and the messages (tool inputs and results included).
    pub fn all_text(&self) -> String {
        let mut out = Vec::new();
        walk_text(&self.body["system"], &mut out);
        walk_text(&self.body["messages"], &mut out);
        out.join("\n")
    }
}

type ScriptFn = dyn Fn(&MessagesRequest) -> Reply + Send + Sync;

/// Decides the [`Reply`] to every `/v1/messages` call.
#[derive(Clone)]
pub struct Script(Arc<ScriptFn>);

impl Script {
    /// Any closure; it runs on the server thread, once per request.
    pub fn new(f: impl Fn(&MessagesRequest) -> Reply + Send + Sync + 'static) -> Script {
        Script(Arc::new(f))
    }
    /// Always the same reply.
    pub fn always(reply: Reply) -> Script {
        Script::new(move |_| reply.clone())
    }
    /// Agent-loop requests get `replies` in order (then [`FALLBACK_TEXT`] once empty); side
    /// requests (see [`MessagesRequest::is_side_request`]) get [`SIDE_TEXT`] and take nothing
    /// from the queue.
    pub fn queue(replies: Vec<Reply>) -> Script {
        let q = Mutex::new(std::collections::VecDeque::from(replies));
        Script::new(move |req| {
            if req.is_side_request() {
                return side_reply(req);
            }
            q.lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| Reply::text(FALLBACK_TEXT))
        })
    }
    pub fn reply(&self, req: &MessagesRequest) -> Reply {
        (self.0)(req)
    }
}

/// The answer to a side request, with [`Usage::SIDE`]: [`SIDE_TEXT`], or, when the request
/// asks for structured output (`output_config.format.type == "json_schema"`, as the CLI's
/// session-title call does), a JSON object whose required string properties are
/// [`SIDE_JSON_STRING`] (e.g. `{"title":"Fake session"}`).
pub fn side_reply(req: &MessagesRequest) -> Reply {
    let format = &req.body["output_config"]["format"];
    let text = if format["type"] == "json_schema" {
        let schema = &format["schema"];
        let mut obj = serde_json::Map::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            let Some(name) = name.as_str() else { continue };
            let v = match schema["properties"][name]["type"].as_str() {
                Some("string") | None => json!(SIDE_JSON_STRING),
                Some("boolean") => json!(false),
                Some("number") | Some("integer") => json!(0),
                Some("array") => json!([]),
                Some(_) => json!({}),
            };
            obj.insert(name.to_string(), v);
        }
        Value::Object(obj).to_string()
    } else {
        SIDE_TEXT.to_string()
    };
    Reply::text(text).with_usage(Usage::SIDE)
}

/// The Skill Builder workflow script. For an agent-loop request (one with `tools`) whose first
/// user message or system prompt contains a marker, it writes that marker's files with one
/// `Write` tool call per turn, in order, then answers [`WORKFLOW_DONE_TEXT`] after the last
/// `tool_result`. Progress is read from the conversation itself (the `Write`s already issued),
/// so side requests and parallel runs never disturb it. A file that already exists on disk is
/// `Read` first (the CLI refuses to `Write` over an unread file). The first matching marker (in
/// list order) wins. Agent-loop requests without a marker get [`FALLBACK_TEXT`]; side requests
/// get [`SIDE_TEXT`] with [`Usage::SIDE`]. Every agent-loop reply reports [`Usage::WORKFLOW`],
/// so a marker with `n` files makes the SDK report [`workflow_usage`]`(n)`.
pub fn workflow_script(files_by_marker: Vec<(String, Vec<(PathBuf, String)>)>) -> Script {
    Script::new(move |req| {
        if req.is_side_request() {
            return side_reply(req);
        }
        let haystack = format!("{}\n{}", req.first_user_text(), req.system_text());
        let Some((_, files)) = files_by_marker
            .iter()
            .find(|(marker, _)| haystack.contains(marker.as_str()))
        else {
            return Reply::text(FALLBACK_TEXT).with_usage(Usage::WORKFLOW);
        };
        let issued = req.tool_uses();
        let did = |tool: &str, path: &PathBuf| {
            let p = path.to_string_lossy();
            issued
                .iter()
                .any(|(n, input)| n == tool && input["file_path"].as_str() == Some(p.as_ref()))
        };
        for (path, content) in files {
            if did("Write", path) {
                continue;
            }
            let reply = if path.exists() && !did("Read", path) {
                Reply::tool_use("Read", json!({"file_path": path.to_string_lossy()}))
            } else {
                Reply::write(path.clone(), content.clone())
            };
            return reply.with_usage(Usage::WORKFLOW);
        }
        Reply::text(WORKFLOW_DONE_TEXT).with_usage(Usage::WORKFLOW)
    })
}

struct Inner {
    log: Mutex<Vec<Recorded>>,
    script: Script,
    verbose: bool,
}

/// A running fake Messages API on 127.0.0.1; stops when dropped.
pub struct FakeMessages {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A port taken for a fake started later: an app is given its [`Reserved::url`] when it opens,
/// and the script, which may name the app's folders, comes afterwards.
pub struct Reserved {
    listener: std::net::TcpListener,
}

impl Reserved {
    /// `http://127.0.0.1:<port>` — the value for `ANTHROPIC_BASE_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().expect("local addr"))
    }

    /// Starts the fake on this port.
    pub fn start(self, script: Script) -> FakeMessages {
        FakeMessages::start_on(self.listener, script)
    }
}

impl FakeMessages {
    /// Starts the server on a free port (own thread and runtime; no runtime needed by the caller).
    pub fn start(script: Script) -> FakeMessages {
        FakeMessages::reserve().start(script)
    }

    /// Takes a free port now and starts the server on it later ([`Reserved::start`]).
    pub fn reserve() -> Reserved {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        Reserved { listener }
    }

    fn start_on(listener: std::net::TcpListener, script: Script) -> FakeMessages {
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let inner = Arc::new(Inner {
            log: Mutex::new(Vec::new()),
            script,
            verbose: std::env::var("FAKE_MESSAGES_LOG").is_ok_and(|v| !v.is_empty() && v != "0"),
        });
        let state = inner.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("fake-messages".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    let app = axum::Router::new().fallback(handle).with_state(state);
                    tokio::select! {
                        _ = axum::serve(listener, app).into_future() => {}
                        _ = rx => {}
                    }
                });
                // Kill open connections and delayed replies at once.
                rt.shutdown_background();
            })
            .expect("spawn fake-messages thread");
        FakeMessages {
            addr,
            inner,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>` — the value for `ANTHROPIC_BASE_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Every request received, in arrival order (headers include the key: do not print them).
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.log.lock().unwrap().clone()
    }
    /// The `POST /v1/messages` requests, parsed.
    pub fn messages_requests(&self) -> Vec<MessagesRequest> {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/v1/messages")
            .map(MessagesRequest::from_recorded)
            .collect()
    }
}

impl Drop for FakeMessages {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(State(s): State<Arc<Inner>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 64 << 20).await.unwrap_or_default().to_vec();
    let rec = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    s.log.lock().unwrap().push(rec.clone());
    match (rec.method.as_str(), rec.path.as_str()) {
        ("POST", "/v1/messages/count_tokens") => {
            log_line(&s, &rec, None, "count_tokens");
            json_response(200, json!({"input_tokens": COUNT_TOKENS_INPUT}))
        }
        ("POST", "/v1/messages") => {
            let req = MessagesRequest::from_recorded(&rec);
            let script = s.script.clone();
            let reply = match catch_unwind(AssertUnwindSafe(|| script.reply(&req))) {
                Ok(r) => r,
                Err(_) => Reply::error(500, "api_error", "fake-messages: the script panicked"),
            };
            log_line(&s, &rec, Some(&req), &describe(&reply));
            let (content, usage, delay) = reply.flatten();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            match content {
                Err((status, body)) => {
                    let mut r = json_response(status, body);
                    r.headers_mut()
                        .insert("x-should-retry", "false".parse().unwrap());
                    r
                }
                Ok(blocks) if req.stream() => sse_response(&req, &blocks, usage),
                Ok(blocks) => json_response(200, message_json(&req, &blocks, usage)),
            }
        }
        _ => {
            log_line(&s, &rec, None, "404");
            json_response(
                404,
                json!({"type": "error", "error": {"type": "not_found_error",
                    "message": format!("fake API: no route {} {}", rec.method, rec.path)}}),
            )
        }
    }
}

fn describe(r: &Reply) -> String {
    match r {
        Reply::Text(t) => format!("text {:?}", t.chars().take(40).collect::<String>()),
        Reply::ToolUse { name, input } => format!("tool_use {name} {}", input["file_path"]),
        Reply::Blocks(b) => format!("{} blocks", b.len()),
        Reply::Status(s, _) => format!("status {s}"),
        Reply::WithUsage(r, _) | Reply::Delayed(_, r) => describe(r),
    }
}

fn log_line(s: &Inner, rec: &Recorded, req: Option<&MessagesRequest>, answer: &str) {
    if !s.verbose {
        return;
    }
    let q = rec
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    match req {
        Some(r) => {
            let first: String = r.first_user_text().chars().take(120).collect();
            eprintln!(
                "[fake-messages] {} {}{} model={} stream={} max_tokens={:?} tools={} msgs={} key={} system={:?} first_user={:?} -> {answer}",
                rec.method,
                rec.path,
                q,
                r.model(),
                r.stream(),
                r.max_tokens(),
                r.tool_names().len(),
                r.messages().len(),
                if r.api_key.is_some() { "present" } else { "absent" },
                r.system_text().chars().take(80).collect::<String>(),
                first,
            );
        }
        None => eprintln!(
            "[fake-messages] {} {}{} -> {answer}",
            rec.method, rec.path, q
        ),
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id(prefix: &str) -> String {
    format!("{prefix}{:06}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

fn stop_reason(blocks: &[Block]) -> &'static str {
    if blocks.iter().any(|b| matches!(b, Block::ToolUse { .. })) {
        "tool_use"
    } else {
        "end_turn"
    }
}

fn model_of(req: &MessagesRequest) -> String {
    match req.model() {
        "" => "claude-sonnet-4-6".to_string(),
        m => m.to_string(),
    }
}

/// A non-streaming `message` object.
fn message_json(req: &MessagesRequest, blocks: &[Block], usage: Usage) -> Value {
    let content: Vec<Value> = blocks
        .iter()
        .map(|b| match b {
            Block::Text(t) => json!({"type": "text", "text": t}),
            Block::ToolUse { name, input } => {
                json!({"type": "tool_use", "id": next_id("toolu_fake_"), "name": name, "input": input})
            }
        })
        .collect();
    json!({
        "id": next_id("msg_fake_"),
        "type": "message",
        "role": "assistant",
        "model": model_of(req),
        "content": content,
        "stop_reason": stop_reason(blocks),
        "stop_sequence": null,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        }
    })
}

fn split_half(s: &str) -> [&str; 2] {
    let mut mid = s.len() / 2;
    while !s.is_char_boundary(mid) {
        mid += 1;
    }
    [&s[..mid], &s[mid..]]
}

/// The SSE body of one streamed message, exactly in the Anthropic event order.
pub fn sse_body(req: &MessagesRequest, blocks: &[Block], usage: Usage) -> String {
    let mut out = String::new();
    let mut ev = |name: &str, data: Value| {
        out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    };
    ev(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": next_id("msg_fake_"),
            "type": "message",
            "role": "assistant",
            "model": model_of(req),
            "content": [],
            "stop_reason": null,
            "stop_sequence": null,
            "usage": {
                "input_tokens": usage.input_tokens,
                "output_tokens": 1,
                "cache_read_input_tokens": usage.cache_read_input_tokens,
                "cache_creation_input_tokens": usage.cache_creation_input_tokens,
            }
        }}),
    );
    ev("ping", json!({"type": "ping"}));
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Text(t) => {
                ev(
                    "content_block_start",
                    json!({"type": "content_block_start", "index": index,
                        "content_block": {"type": "text", "text": ""}}),
                );
                for part in split_half(t) {
                    ev(
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": index,
                            "delta": {"type": "text_delta", "text": part}}),
                    );
                }
            }
            Block::ToolUse { name, input } => {
                ev(
                    "content_block_start",
                    json!({"type": "content_block_start", "index": index,
                        "content_block": {"type": "tool_use", "id": next_id("toolu_fake_"),
                            "name": name, "input": {}}}),
                );
                let text = input.to_string();
                for part in split_half(&text) {
                    ev(
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": part}}),
                    );
                }
            }
        }
        ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        );
    }
    ev(
        "message_delta",
        json!({"type": "message_delta",
            "delta": {"stop_reason": stop_reason(blocks), "stop_sequence": null},
            "usage": {"output_tokens": usage.output_tokens}}),
    );
    ev("message_stop", json!({"type": "message_stop"}));
    out
}

fn sse_response(req: &MessagesRequest, blocks: &[Block], usage: Usage) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .header("request-id", next_id("req_fake_"))
        .body(Body::from(sse_body(req, blocks, usage)))
        .unwrap()
}
