//! Shared set-up: a real server on 127.0.0.1:0 over a temp data dir, and reqwest clients.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::Value;
use skill_builder_core::options::Options;
use skill_builder_core::App;
use skill_builder_server::{serve, RunningServer, ServerConfig};
use std::sync::Arc;
use std::time::Duration;

pub struct Harness {
    pub app: Arc<App>,
    pub server: RunningServer,
    /// Sends the token on every request.
    pub client: reqwest::Client,
    /// Sends nothing extra; does not follow redirects.
    pub bare: reqwest::Client,
    pub base: String,
    pub _dir: tempfile::TempDir,
}

pub async fn start() -> Harness {
    start_with(|_| {}).await
}

/// Keeps tests off the OS keychain and the internet (every external endpoint points at a
/// closed loopback port), with mock agents (Node is found on this process's PATH).
pub fn options() -> Options {
    let closed = || Some("http://127.0.0.1:9".to_string());
    Options {
        mock: true,
        path: std::env::var_os("PATH"),
        anthropic_base_url: closed(),
        github_api_url: closed(),
        github_raw_url: closed(),
        github_oauth_url: closed(),
        ..Options::default()
    }
}

pub async fn start_with(f: impl FnOnce(&mut ServerConfig)) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(dir.path().join("data")), options()).unwrap();
    let mut cfg = ServerConfig {
        ui_dir: Some(dir.path().join("no-ui")),
        ..Default::default()
    };
    f(&mut cfg);
    let server = serve(app.clone(), cfg).await.unwrap();
    let client = token_client(&server.token);
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = server.origin();
    Harness {
        app,
        server,
        client,
        bare,
        base,
        _dir: dir,
    }
}

/// A client that sends `token` as a bearer token on every request.
pub fn token_client(token: &str) -> reqwest::Client {
    let mut h = HeaderMap::new();
    h.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(h)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A raw TCP connection to the server, for what an HTTP client would not send.
    pub async fn connect(&self) -> tokio::net::TcpStream {
        tokio::net::TcpStream::connect(self.server.addr)
            .await
            .unwrap()
    }

    /// POSTs a command; returns the status and the JSON body (Null when empty/not JSON).
    pub async fn call(&self, name: &str, args: Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(&format!("/api/{name}")))
            .json(&args)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

pub fn kind(v: &Value) -> &str {
    v["error"]["kind"].as_str().unwrap_or("")
}
