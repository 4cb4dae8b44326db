//! The REAL Node sidecar + `@anthropic-ai/claude-agent-sdk` (its bundled Claude Code CLI)
//! against `fake_messages`, fully offline. Skipped only when `node` is not on PATH.

use serde_json::{json, Value};
use skill_builder_testkit::fake_messages::{
    workflow_script, FakeMessages, MessagesRequest, Reply, Script, Usage, FALLBACK_TEXT, SIDE_TEXT,
    WORKFLOW_DONE_TEXT,
};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const FAKE_KEY: &str = "sk-ant-fake-rust-e2e-0123456789abcdef";

fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ensure_node_modules(sidecar: &Path) {
    if sidecar.join("node_modules").is_dir() {
        return;
    }
    let ok = Command::new("npm")
        .arg("ci")
        .current_dir(sidecar)
        .status()
        .expect("run npm ci in sidecar/")
        .success();
    assert!(ok, "npm ci failed in {}", sidecar.display());
}

/// The sidecar child in its own process group; killed (with the CLI it spawned) on drop.
struct Sidecar {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Sidecar {
    fn spawn(fake: &FakeMessages, home: &Path) -> Sidecar {
        let root = repo_root();
        let sidecar = root.join("sidecar");
        ensure_node_modules(&sidecar);
        let mut cmd = Command::new("node");
        cmd.arg(sidecar.join("src/main.js"))
            .arg("--persistent")
            .current_dir(&root)
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("SKILL_BUILDER_MOCK_AGENTS")
            .env_remove("CLAUDECODE")
            .env("ANTHROPIC_BASE_URL", fake.url())
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_TELEMETRY", "1")
            .env("HOME", home)
            .env("CLAUDE_CONFIG_DIR", home.join(".claude"))
            .env("HTTPS_PROXY", "")
            .env("HTTP_PROXY", "")
            .env("https_proxy", "")
            .env("http_proxy", "")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().expect("spawn node sidecar");
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Sidecar {
            child,
            stdin,
            lines: rx,
            stdout: Vec::new(),
            stderr,
        }
    }

    fn send(&mut self, v: Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{v}").expect("write to sidecar");
        stdin.flush().unwrap();
    }

    /// Reads stdout lines until `pred` matches one; returns it.
    fn wait_for(&mut self, what: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        if pred(&v) {
                            return v;
                        }
                    }
                }
                Err(e) => panic!(
                    "waiting for {what}: {e:?}\nstdout:\n{}\nstderr:\n{}",
                    self.stdout.join("\n"),
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    fn parsed(&self) -> Vec<Value> {
        self.stdout
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        // Graceful first (the sidecar ends its CLI children), then kill the whole group.
        if let Some(mut stdin) = self.stdin.take() {
            let _ = writeln!(stdin, "{}", json!({"type": "shutdown"}));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        #[cfg(unix)]
        unsafe {
            // Our own child's process group (created by process_group(0) above).
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn real_sdk_writes_scripted_files_and_reports_scripted_usage() {
    if !node_available() {
        eprintln!("note: `node` is not on PATH; skipping the real-SDK end-to-end test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let workspace = tmp.path().join("workspace");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(workspace.join(".claude")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let ctx = workspace.join("my-skill").join("context");
    std::fs::create_dir_all(&ctx).unwrap();
    let plan = ctx.join("research-plan.md");
    let clar = ctx.join("clarifications.json");
    let plan_text = "---\npurpose: domain\n---\n# Research Plan\n\nWritten by the real SDK.\n";
    let clar_text = "{\n  \"version\": \"1\",\n  \"sections\": []\n}\n";
    let marker = "MARKER-research-orchestrator-step0";

    let fake = FakeMessages::start(workflow_script(vec![(
        marker.to_string(),
        vec![
            (plan.clone(), plan_text.to_string()),
            (clar.clone(), clar_text.to_string()),
        ],
    )]));
    let mut sc = Sidecar::spawn(&fake, &home);
    sc.wait_for("sidecar_ready", Duration::from_secs(20), |v| {
        v["type"] == "sidecar_ready"
    });

    let id = "my-skill-step0-1700000000000";
    sc.send(json!({
        "type": "agent_request",
        "request_id": id,
        "config": {
            "prompt": format!("{marker}: research the domain and write the plan into {}.", ctx.display()),
            "apiKey": FAKE_KEY,
            "cwd": workspace,
            "model": "claude-sonnet-4-6",
            "allowedTools": ["Write"],
            "maxTurns": 10,
            "permissionMode": "acceptEdits",
        }
    }));
    sc.wait_for("request_complete", Duration::from_secs(120), |v| {
        v["request_id"] == id && v["type"] == "request_complete"
    });
    let lines = sc.parsed();
    let mine: Vec<&Value> = lines.iter().filter(|l| l["request_id"] == id).collect();
    assert!(
        !mine.iter().any(|l| l["type"] == "error"),
        "error lines: {mine:#?}\nstderr:\n{}",
        sc.stderr.lock().unwrap()
    );

    // The agent really wrote the scripted files through the Write tool.
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), plan_text);
    assert_eq!(std::fs::read_to_string(&clar).unwrap(), clar_text);
    let writes: Vec<&Value> = mine
        .iter()
        .filter(|l| l["type"] == "assistant")
        .filter_map(|l| l["message"]["content"].as_array())
        .flatten()
        .filter(|b| b["type"] == "tool_use")
        .collect();
    assert_eq!(writes.len(), 2, "{writes:#?}");
    assert!(writes.iter().all(|w| w["name"] == "Write"));

    // The result carries exactly the scripted usage: 2 Write turns + the final text turn.
    let result = mine
        .iter()
        .find(|l| l["type"] == "result")
        .expect("result line");
    assert_eq!(result["subtype"], "success", "{result:#}");
    assert_eq!(result["is_error"], false);
    assert_eq!(result["result"], WORKFLOW_DONE_TEXT);
    assert_eq!(result["num_turns"], 3, "{result:#}");
    let want = Usage::WORKFLOW.times(3);
    assert_eq!(
        want,
        skill_builder_testkit::fake_messages::workflow_usage(2)
    );
    let u = &result["usage"];
    assert_eq!(u["input_tokens"], want.input_tokens, "{u:#}");
    assert_eq!(u["output_tokens"], want.output_tokens, "{u:#}");
    assert_eq!(
        u["cache_read_input_tokens"], want.cache_read_input_tokens,
        "{u:#}"
    );
    assert_eq!(
        u["cache_creation_input_tokens"], want.cache_creation_input_tokens,
        "{u:#}"
    );
    let mu = &result["modelUsage"]["claude-sonnet-4-6"];
    assert_eq!(
        mu["inputTokens"], want.input_tokens,
        "{:#}",
        result["modelUsage"]
    );
    assert_eq!(mu["outputTokens"], want.output_tokens);

    // What the fake saw: every request carried our key; /v1/messages calls streamed.
    let all = fake.requests();
    assert!(!all.is_empty());
    for r in &all {
        assert_eq!(
            r.header("x-api-key").as_deref(),
            Some(FAKE_KEY),
            "{} {} carried the configured key",
            r.method,
            r.path
        );
        assert!(
            r.path == "/v1/messages" || r.path == "/v1/messages/count_tokens",
            "unexpected call {} {}",
            r.method,
            r.path
        );
    }
    let msgs = fake.messages_requests();
    let agent_loop: Vec<&MessagesRequest> = msgs.iter().filter(|m| !m.is_side_request()).collect();
    assert_eq!(agent_loop.len(), 3, "{msgs:#?}");
    for m in &msgs {
        assert!(m.stream(), "non-streaming call: {m:?}");
        assert_eq!(m.query.as_deref(), Some("beta=true"));
        assert_eq!(m.model(), "claude-sonnet-4-6");
    }
    assert!(agent_loop[0].first_user_text().contains(marker));
    assert!(!agent_loop[0].last_has_tool_result());
    assert!(agent_loop[1].last_has_tool_result());
    assert!(agent_loop[2].last_has_tool_result());
    assert!(agent_loop[0].tool_names().iter().any(|t| t == "Write"));

    // The key never shows up on the sidecar's stdout or stderr.
    assert!(!sc.stdout.join("\n").contains(FAKE_KEY));
    assert!(!sc.stderr.lock().unwrap().contains(FAKE_KEY));
    drop(sc);
}

fn req(body: Value) -> MessagesRequest {
    MessagesRequest::from_body(body)
}

#[test]
fn workflow_script_follows_the_conversation_and_ignores_side_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.md");
    let b = tmp.path().join("b.md");
    let script = workflow_script(vec![(
        "MARK".into(),
        vec![(a.clone(), "A".into()), (b.clone(), "B".into())],
    )]);
    let tools = json!([{"name": "Write", "input_schema": {}}]);
    let first = json!({"role": "user", "content": [{"type": "text", "text": "do MARK now"}]});
    let write_a = json!({"role": "assistant", "content": [{"type": "tool_use", "id": "t1",
        "name": "Write", "input": {"file_path": a.to_string_lossy(), "content": "A"}}]});
    let result = json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
        "content": "ok"}]});
    let write_b = json!({"role": "assistant", "content": [{"type": "tool_use", "id": "t2",
        "name": "Write", "input": {"file_path": b.to_string_lossy(), "content": "B"}}]});

    let r0 = req(json!({"model": "m", "tools": tools, "messages": [first]}));
    assert_eq!(
        script.reply(&r0),
        Reply::write(&a, "A").with_usage(Usage::WORKFLOW)
    );
    // A side request (no tools) with the same prompt does not advance anything.
    let side = req(json!({"model": "m", "max_tokens": 1, "messages": [first]}));
    assert!(side.is_side_request());
    assert_eq!(
        script.reply(&side),
        Reply::text(SIDE_TEXT).with_usage(Usage::SIDE)
    );
    // The CLI's session-title call: no tools, structured output; answered with valid JSON.
    let title = req(json!({"model": "m", "tools": [], "messages": [first],
        "output_config": {"format": {"type": "json_schema", "schema": {"type": "object",
            "properties": {"title": {"type": "string"}}, "required": ["title"]}}}}));
    assert!(title.is_side_request());
    assert_eq!(
        script.reply(&title),
        Reply::text(r#"{"title":"Fake session"}"#).with_usage(Usage::SIDE)
    );
    let r1 = req(json!({"model": "m", "tools": tools,
        "messages": [first, write_a, result]}));
    assert!(r1.last_has_tool_result());
    assert_eq!(r1.tool_result_count(), 1);
    assert_eq!(
        script.reply(&r1),
        Reply::write(&b, "B").with_usage(Usage::WORKFLOW)
    );
    let r2 = req(json!({"model": "m", "tools": tools,
        "messages": [first, write_a, result, write_b, result]}));
    assert_eq!(
        script.reply(&r2),
        Reply::text(WORKFLOW_DONE_TEXT).with_usage(Usage::WORKFLOW)
    );
    // No marker: the generic fallback.
    let other = req(json!({"model": "m", "tools": tools,
        "messages": [{"role": "user", "content": "hello"}]}));
    assert_eq!(
        script.reply(&other),
        Reply::text(FALLBACK_TEXT).with_usage(Usage::WORKFLOW)
    );
    // An existing file is Read before it is written.
    std::fs::write(&a, "old").unwrap();
    assert_eq!(
        script.reply(&r0),
        Reply::tool_use("Read", json!({"file_path": a.to_string_lossy()}))
            .with_usage(Usage::WORKFLOW)
    );
}

/// Reads one HTTP/1.1 response (headers + body up to EOF) from a raw request.
fn raw_http(addr: std::net::SocketAddr, request: &str) -> (String, String) {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

fn post(addr: std::net::SocketAddr, path: &str, body: &Value) -> (String, String) {
    let b = body.to_string();
    raw_http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{b}",
            b.len()
        ),
    )
}

#[test]
fn sse_stream_has_the_anthropic_event_order() {
    let fake = FakeMessages::start(Script::queue(vec![
        Reply::write("/tmp/x.md", "héllo").with_usage(Usage::new(7, 3, 2, 1)),
        Reply::error(400, "invalid_request_error", "nope"),
    ]));
    let body = json!({"model": "claude-haiku-4-5", "stream": true, "max_tokens": 100,
        "tools": [{"name": "Write"}], "messages": [{"role": "user", "content": "hi"}]});
    let (head, sse) = post(fake.addr(), "/v1/messages?beta=true", &body);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    // Axum may use chunked transfer encoding: pull the events out of the raw body.
    let events: Vec<(String, Value)> = sse
        .split("event: ")
        .skip(1)
        .map(|chunk| {
            let (name, rest) = chunk.split_once('\n').unwrap();
            let data = rest.strip_prefix("data: ").unwrap();
            let data = data.split('\n').next().unwrap();
            (name.to_string(), serde_json::from_str(data).unwrap())
        })
        .collect();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "ping",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let start = &events[0].1["message"];
    assert_eq!(start["model"], "claude-haiku-4-5");
    assert_eq!(start["usage"]["input_tokens"], 7);
    assert_eq!(start["usage"]["cache_read_input_tokens"], 2);
    assert_eq!(start["usage"]["cache_creation_input_tokens"], 1);
    assert_eq!(events[2].1["content_block"]["name"], "Write");
    let json_text: String = events[3..5]
        .iter()
        .map(|(_, d)| d["delta"]["partial_json"].as_str().unwrap().to_string())
        .collect();
    let input: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(input, json!({"file_path": "/tmp/x.md", "content": "héllo"}));
    assert_eq!(events[6].1["delta"]["stop_reason"], "tool_use");
    assert_eq!(events[6].1["usage"]["output_tokens"], 3);

    // Next in the queue: an error status (not retried by the client).
    let (head, err) = post(fake.addr(), "/v1/messages", &body);
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert!(head.contains("x-should-retry: false"), "{head}");
    assert!(err.contains("invalid_request_error"));
    // Queue empty: the fallback text, non-streaming.
    let (head, msg) = post(
        fake.addr(),
        "/v1/messages",
        &json!({"model": "m", "tools": [{"name": "Write"}], "messages": []}),
    );
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let msg: Value = serde_json::from_str(msg.trim()).unwrap();
    assert_eq!(msg["content"][0]["text"], FALLBACK_TEXT);
    assert_eq!(msg["stop_reason"], "end_turn");
    assert_eq!(msg["usage"]["input_tokens"], Usage::WORKFLOW.input_tokens);

    let (head, n) = post(fake.addr(), "/v1/messages/count_tokens", &json!({}));
    assert!(head.starts_with("HTTP/1.1 200"));
    assert!(n.contains("\"input_tokens\":42"), "{n}");
    let (head, _) = raw_http(
        fake.addr(),
        "GET /v1/models HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert_eq!(fake.requests().len(), 5);
    assert_eq!(fake.messages_requests()[0].api_key.as_deref(), Some("k"));
}
