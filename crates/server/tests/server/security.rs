//! Each refusal: no/wrong token, foreign Origin, non-loopback Host, oversized body.

use crate::common;
use reqwest::header::{AUTHORIZATION, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::json;

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    let h = common::start().await;
    let wrong = "x".repeat(h.server.token.len());
    for path in ["/api/list_skills", "/api/no_such_command", "/api/a/b"] {
        let r = h
            .bare
            .post(h.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path} without token");
        assert!(r.headers().contains_key("www-authenticate"));
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("token"));
        assert_eq!(common::kind(&body), "unauthorized", "{path}: {body}");
        for auth in [
            format!("Bearer {wrong}"),
            format!("Bearer {}x", h.server.token),
            h.server.token.clone(),
            "Bearer ".into(),
        ] {
            let r = h
                .bare
                .post(h.url(path))
                .header(AUTHORIZATION, auth.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{path} with {auth:?}");
        }
    }
    for path in ["/api/events", "/api/openapi.json"] {
        let r = h.bare.get(h.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(common::kind(&body), "unauthorized", "{path}: {body}");
        let r = h
            .bare
            .get(h.url(path))
            .header(COOKIE, format!("sb_token={wrong}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path} with a wrong cookie");
    }
    // The right bearer token passes.
    let (status, _) = h.call("list_skills", json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn tokened_url_sets_a_strict_cookie_that_authorizes() {
    let h = common::start().await;
    // A wrong token in the URL is refused and sets nothing.
    let r = h.bare.get(h.url("/?token=nope")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get(SET_COOKIE).is_none());

    let r = h.bare.get(h.server.url()).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[LOCATION], "/");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with(&format!("sb_token={};", h.server.token)));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    let pair = cookie.split(';').next().unwrap().to_string();

    let r = h
        .bare
        .post(h.url("/api/list_skills"))
        .header(COOKIE, format!("other=1; {pair}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap(), json!([]));
    let r = h
        .bare
        .get(h.url("/api/events"))
        .header(COOKIE, pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
}

#[tokio::test]
async fn foreign_origin_is_403() {
    let h = common::start().await;
    let port = h.server.addr.port();
    for origin in [
        "http://evil.example".to_string(),
        format!("http://evil.example:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("https://127.0.0.1:{port}"),
        "null".into(),
    ] {
        let r = h
            .client
            .post(h.url("/api/list_skills"))
            .header(ORIGIN, origin.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cross-origin"));
        assert_eq!(common::kind(&body), "forbidden", "{origin}: {body}");
        // The UI pages refuse foreign origins as well.
        let r = h
            .bare
            .get(h.url("/"))
            .header(ORIGIN, origin.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "/ from {origin}");
    }
    // Same origin (each loopback spelling) is accepted.
    for origin in [h.server.origin(), format!("http://localhost:{port}")] {
        let r = h
            .client
            .post(h.url("/api/list_skills"))
            .header(ORIGIN, origin.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{origin}");
    }
}

#[tokio::test]
async fn non_loopback_host_is_403() {
    let h = common::start().await;
    let port = h.server.addr.port();
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        format!("10.0.0.1:{port}"),
    ] {
        for path in ["/api/list_skills", "/", "/api/events"] {
            let r = h
                .client
                .get(h.url(path))
                .header(HOST, host.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{path} with Host {host}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(common::kind(&body), "forbidden", "{path} with Host {host}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let r = h
            .client
            .post(h.url("/api/list_skills"))
            .header(HOST, host.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "Host {host}");
    }
}

#[tokio::test]
async fn oversized_body_is_413_and_bad_json_400() {
    let h = common::start_with(|c| c.body_limit = 1024).await;
    let big = format!("{{\"skillName\":\"{}\"}}", "a".repeat(4096));
    let r = h
        .client
        .post(h.url("/api/list_skills"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("too large"));
    // Under the limit is fine; an empty body means `{}`.
    let r = h
        .client
        .post(h.url("/api/list_skills"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Malformed JSON is invalid input.
    let r = h
        .client
        .post(h.url("/api/list_skills"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(common::kind(&body), "invalid_input");
}

#[tokio::test]
async fn default_body_limit_accepts_large_uploads() {
    let h = common::start().await;
    // 8 MiB (axum's own default is 2 MiB) reaches the command, which refuses the argument type.
    let big = serde_json::to_vec(&json!({"x": "a".repeat(8 << 20)})).unwrap();
    let r = h
        .client
        .post(h.url("/api/get_all_tags"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 413);
}

#[tokio::test]
async fn ui_page_without_build_says_how_to_build() {
    let h = common::start().await;
    let r = h.bare.get(h.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("npm ci && npm run build")
            || text.contains("npm ci &amp;&amp; npm run build")
    );
}

#[tokio::test]
async fn built_ui_is_served_with_spa_fallback() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ui.path().join("assets")).unwrap();
    std::fs::write(ui.path().join("index.html"), "<html>app</html>").unwrap();
    std::fs::write(ui.path().join("assets/app.js"), "console.log(1)").unwrap();
    let dir = ui.path().to_path_buf();
    let h = common::start_with(move |c| c.ui_dir = Some(dir)).await;
    let r = h.bare.get(h.url("/")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "<html>app</html>");
    let r = h.bare.get(h.url("/assets/app.js")).send().await.unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(r.text().await.unwrap(), "console.log(1)");
    let r = h.bare.get(h.url("/skills/my-skill")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "<html>app</html>");
    let r = h
        .bare
        .get(h.url("/assets/missing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // No way out of the UI folder: traversal falls back to the app page or 404, never the file.
    std::fs::write(ui.path().join("../secret-outside.txt"), "secret").unwrap();
    for p in [
        "/%2e%2e/secret-outside.txt",
        "/assets/..%2f..%2fsecret-outside.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let r = h.bare.get(h.url(p)).send().await.unwrap();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("secret") && !text.contains("root:"),
            "{p}: {text}"
        );
    }
    let _ = std::fs::remove_file(ui.path().join("../secret-outside.txt"));
}

/// Sends `head` (request line and headers, no body) on a raw connection and returns what the
/// server answers before closing it, within a generous bound.
async fn raw_exchange(h: &common::Harness, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = h.connect().await;
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        s.read_to_end(&mut answer),
    )
    .await
    .expect("the server answered and closed without waiting for the body")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn declared_oversized_body_is_413_before_any_of_it_is_read() {
    let h = common::start().await;
    let addr = h.server.addr;
    // 100 MB announced, none sent: the answer must come from the headers alone.
    for auth in [
        format!("Authorization: Bearer {}\r\n", h.server.token),
        String::new(),
    ] {
        let head = format!(
            "POST /api/upload_skill HTTP/1.1\r\nHost: {addr}\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
        );
        let answer = raw_exchange(&h, &head).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(common::kind(&body), "invalid_input", "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"));
    }
    // At the limit the body is read as usual.
    let r = h
        .client
        .post(h.url("/api/list_skills"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn over_long_names_get_short_answers() {
    let h = common::start().await;
    // `http::Uri` refuses 64 KiB and more.
    let long = "a".repeat(60_000);
    for (path, status, kind) in [
        (format!("/api/{long}"), 404, "unknown_command"),
        (format!("/api/x/{long}"), 404, "not_found"),
    ] {
        let r = h.client.post(h.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), status);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(common::kind(&body), kind, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.len() < 300, "{} bytes echoed", message.len());
        assert!(message.contains("aaaa…"), "{message}");
    }
    let evil = format!("{}.example", "e".repeat(20_000));
    for (name, value) in [(HOST, evil.clone()), (ORIGIN, format!("http://{evil}"))] {
        let r = h
            .client
            .post(h.url("/api/list_skills"))
            .header(name.clone(), value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}");
        let body: serde_json::Value = r.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.len() < 300,
            "{name}: {} bytes echoed",
            message.len()
        );
    }
}
