//! The web UI: the files of `ui/dist` embedded at build time (see build.rs), or of the folder
//! `SKILL_BUILDER_UI_DIR` names, with an `index.html` fallback for client routes, or a page that
//! says how to build the UI when neither has one. Also the `/?token=` login.

use crate::security::{refuse, token_matches, unauthorized};
use crate::{Shared, TOKEN_COOKIE};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The UI built into this binary (empty when `ui/dist` was not built at compile time).
static EMBEDDED_UI: include_dir::Dir<'static> = include_dir::include_dir!("$SB_UI_DIST");
/// Changes whenever the embedded files do (so Cargo rebuilds this crate; see build.rs).
const EMBEDDED_UI_FINGERPRINT: &str = env!("SB_UI_FINGERPRINT");

/// `SKILL_BUILDER_UI_DIR`, else the empty path, which means "the embedded UI".
pub fn default_ui_dir() -> PathBuf {
    std::env::var_os("SKILL_BUILDER_UI_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_default()
}

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skill Builder</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>Skill Builder</h1>
<p>The server is running, but the web UI has not been built.</p>
<p>Build it from the repository root, then reload this page:</p>
<pre>cd ui &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>(Or set <code>SKILL_BUILDER_UI_DIR</code> to a folder holding a built UI.)
The API is available meanwhile: <code>POST /api/{command}</code>, described at
<code>/api/openapi.json</code>.</p>
</body></html>
"#;

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("ttf") => "font/ttf",
        Some("txt") => "text/plain; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file under `root` a URL path names, refusing `..`, hidden segments and symlink escapes.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut p = root.to_path_buf();
    for seg in decoded.split('/').filter(|s| !s.is_empty()) {
        if seg.starts_with('.') || seg.contains('\\') || seg.contains('\0') || seg.contains(':') {
            return None;
        }
        p.push(seg);
    }
    let root = root.canonicalize().ok()?;
    let real = p.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

async fn file_response(path: &Path, method: &Method) -> Response {
    match tokio::fs::read(path).await {
        Ok(bytes) => bytes_response(path, Cow::Owned(bytes), method),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "io",
            format!("cannot read {}: {e}", path.display()),
        ),
    }
}

/// The embedded file a URL path names (hidden or odd segments refused, as on disk).
fn embedded_file(url_path: &str) -> Option<&'static include_dir::File<'static>> {
    let decoded = percent_decode(url_path)?;
    let segs: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segs.iter().any(|seg| {
        seg.starts_with('.') || seg.contains('\\') || seg.contains('\0') || seg.contains(':')
    }) {
        return None;
    }
    EMBEDDED_UI.get_file(segs.join("/"))
}

fn embedded_response(f: &'static include_dir::File<'static>, method: &Method) -> Response {
    bytes_response(f.path(), Cow::Borrowed(f.contents()), method)
}

/// A file's bytes with its type and cache headers (assets have hashed names: immutable).
fn bytes_response(path: &Path, bytes: Cow<'static, [u8]>, method: &Method) -> Response {
    let immutable = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "assets");
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let len = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Every request no route matched: UI files, the login redirect, or a JSON 404 under `/api`.
pub(crate) async fn handler(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let path = req.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        if !crate::security::has_token(&state, req.headers()) {
            return unauthorized();
        }
        let e = skill_builder_core::Error::not_found(format!(
            "no API route {} {}; commands are POST /api/{{command}}",
            req.method(),
            crate::security::echo(&path)
        ));
        return crate::api::error_response(&e);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if let Some(t) = query.get("token") {
        if !token_matches(&state.cfg.token, t) {
            return unauthorized();
        }
        // Log in: store the token in a strict cookie and drop it from the address bar.
        let cookie = format!("{TOKEN_COOKIE}={t}; HttpOnly; SameSite=Strict; Path=/");
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::SEE_OTHER;
        let h = r.headers_mut();
        h.insert(header::LOCATION, HeaderValue::from_static("/"));
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.insert(header::SET_COOKIE, v);
        }
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return r;
    }
    let root = &state.ui_dir;
    if root.as_os_str().is_empty() {
        return embedded_ui(&path, req.method());
    }
    let index = root.join("index.html");
    if !index.is_file() {
        if path == "/" || path == "/index.html" {
            return Html(NOT_BUILT).into_response();
        }
        return (StatusCode::NOT_FOUND, Html(NOT_BUILT)).into_response();
    }
    if let Some(file) = resolve(root, &path) {
        return file_response(&file, req.method()).await;
    }
    // A missing asset is a 404; anything else is a client-side route of the single-page app.
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    file_response(&index, req.method()).await
}

/// The same answers as from a folder, from the files built into the binary.
fn embedded_ui(path: &str, method: &Method) -> Response {
    let Some(index) = EMBEDDED_UI.get_file("index.html") else {
        tracing::debug!("no UI embedded (fingerprint {EMBEDDED_UI_FINGERPRINT})");
        if path == "/" || path == "/index.html" {
            return Html(NOT_BUILT).into_response();
        }
        return (StatusCode::NOT_FOUND, Html(NOT_BUILT)).into_response();
    };
    if let Some(f) = embedded_file(path) {
        return embedded_response(f, method);
    }
    if path.rsplit('/').next().unwrap_or("").contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    embedded_response(index, method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_root_only() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("ui/assets")).unwrap();
        std::fs::write(d.path().join("ui/assets/a.js"), "x").unwrap();
        std::fs::write(d.path().join("secret.txt"), "s").unwrap();
        let root = d.path().join("ui");
        assert!(resolve(&root, "/assets/a.js").is_some());
        assert!(resolve(&root, "/assets/%61.js").is_some());
        assert!(resolve(&root, "/../secret.txt").is_none());
        assert!(resolve(&root, "/%2e%2e/secret.txt").is_none());
        assert!(resolve(&root, "/assets/..%2f..%2fsecret.txt").is_none());
        assert!(resolve(&root, "/assets").is_none());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.path().join("secret.txt"), root.join("link.txt")).unwrap();
            assert!(resolve(&root, "/link.txt").is_none());
        }
    }
}
