//! Request guards: loopback `Host`, same-origin `Origin`, the per-run token, and the declared
//! body size.

use crate::{Shared, TOKEN_COOKIE};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// Error kinds of the HTTP layer, next to core's (which has no notion of a token or origin).
pub(crate) const UNAUTHORIZED: &str = "unauthorized";
pub(crate) const FORBIDDEN: &str = "forbidden";

/// Longest piece of a request (a header value, a path, a command name) echoed in a refusal.
pub(crate) const MAX_ECHO_CHARS: usize = 64;

/// A refusal in the API's error shape, `{"error":{"kind","message"}}`.
pub(crate) fn refuse(status: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    let body = serde_json::json!({"error": {"kind": kind, "message": message.into()}});
    (status, axum::Json(body)).into_response()
}

/// Part of a request quoted in a message, cut so a huge input does not make a huge answer.
pub(crate) fn echo(s: &str) -> String {
    skill_builder_core::error::shorten(s, MAX_ECHO_CHARS)
}

/// The 413 answer.
pub(crate) fn body_too_large(limit: usize) -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_input",
        format!("request body too large (limit {limit} bytes); send a smaller file"),
    )
}

/// Splits `host[:port]` (IPv6 literals in brackets) into host and port.
fn split_host_port(v: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = v.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &v[..end + 2];
        let tail = &rest[end + 1..];
        return match tail {
            "" => Some((host, None)),
            t => Some((host, Some(t.strip_prefix(':')?))),
        };
    }
    match v.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p))),
        None => Some((v, None)),
    }
}

/// Is `authority` (`host:port`) one of this server's names: a loopback name (or the explicitly
/// bound address) with the server's port (any port when the router does not know it)?
pub(crate) fn allowed_authority(state: &Shared, authority: &str) -> bool {
    let Some((host, port)) = split_host_port(authority) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let bound = state.cfg.bind;
    let host_ok = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
        || (!bound.is_unspecified() && (host == bound.to_string() || host == format!("[{bound}]")));
    if !host_ok {
        return false;
    }
    let expected = state.cfg.port;
    match port {
        // Browsers omit the default port; our server never runs on 80 in practice.
        None => expected == 0 || expected == 80,
        Some(p) => match p.parse::<u16>() {
            Ok(p) => expected == 0 || p == expected,
            Err(_) => false,
        },
    }
}

/// DNS rebinding and CSRF guard, applied to every request.
pub(crate) async fn check_host_origin(
    State(state): State<Shared>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        // HTTP/2 requests carry the authority in the URI instead.
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match host {
        Some(h) if allowed_authority(&state, &h) => {}
        Some(h) => {
            return refuse(
                StatusCode::FORBIDDEN,
                FORBIDDEN,
                format!(
                    "Host '{}' is not this server's loopback address; open the URL printed by `skill-builder serve`",
                    echo(&h)
                ),
            )
        }
        None => return refuse(StatusCode::FORBIDDEN, FORBIDDEN, "missing Host header"),
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|a| !a.contains('/') && allowed_authority(&state, a));
        if !ok {
            return refuse(
                StatusCode::FORBIDDEN,
                FORBIDDEN,
                format!(
                    "cross-origin request from {} refused; use the Skill Builder page served by this server",
                    echo(&String::from_utf8_lossy(origin.as_bytes()))
                ),
            );
        }
    }
    next.run(req).await
}

/// Constant-time comparison of a presented token with the expected one.
pub(crate) fn token_matches(expected: &str, presented: &str) -> bool {
    // Lengths are not secret (always 64); the bytes are compared without early exit.
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// The token from `Authorization: Bearer` or any `sb_token` cookie is valid.
pub(crate) fn has_token(state: &Shared, headers: &HeaderMap) -> bool {
    let expected = state.cfg.token.as_str();
    for v in headers.get_all(header::AUTHORIZATION) {
        if let Some(t) = v.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            if token_matches(expected, t.trim()) {
                return true;
            }
        }
    }
    for v in headers.get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for pair in v.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=') {
                if k == TOKEN_COOKIE && token_matches(expected, val.trim()) {
                    return true;
                }
            }
        }
    }
    false
}

pub(crate) fn unauthorized() -> Response {
    let mut r = refuse(
        StatusCode::UNAUTHORIZED,
        UNAUTHORIZED,
        "missing or wrong token; open the URL printed by `skill-builder serve` (it ends with ?token=…)",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}

/// Token guard of the `/api` routes.
pub(crate) async fn require_token(
    State(state): State<Shared>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if !has_token(&state, req.headers()) {
        return unauthorized();
    }
    next.run(req).await
}

/// Refuses a body whose declared `Content-Length` is over the limit before reading any of it
/// (the body limit alone reads up to the limit first). The connection is closed after the
/// answer, so the server does not read the rest either. Bodies without a length are still
/// counted while read (`DefaultBodyLimit`).
pub(crate) async fn limit_declared_body(
    State(state): State<Shared>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = state.cfg.body_limit;
    if declared.is_some_and(|n| n > limit as u64) {
        let mut r = body_too_large(limit);
        r.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
        return r;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_and_port() {
        assert_eq!(split_host_port("a:1"), Some(("a", Some("1"))));
        assert_eq!(split_host_port("a"), Some(("a", None)));
        assert_eq!(split_host_port("[::1]:8"), Some(("[::1]", Some("8"))));
        assert_eq!(split_host_port("[::1]"), Some(("[::1]", None)));
        assert_eq!(split_host_port("[::1]x"), None);
    }

    #[test]
    fn echoes_are_short() {
        assert_eq!(echo("short"), "short");
        let long = echo(&"x".repeat(100_000));
        assert_eq!(long.chars().count(), MAX_ECHO_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abc", "abd"));
        assert!(!token_matches("abc", "ab"));
        assert!(!token_matches("abc", ""));
    }
}
