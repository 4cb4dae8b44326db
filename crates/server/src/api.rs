//! `POST /api/{command}` and `GET /api/events`.

use crate::security::{body_too_large, echo, refuse};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::Stream;
use serde_json::value::RawValue;
use serde_json::Value;
use skill_builder_core::{catalog, Error, ErrorKind};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The HTTP status of an error kind.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound | ErrorKind::UnknownCommand => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Locked => StatusCode::LOCKED,
        ErrorKind::Network | ErrorKind::Agent => StatusCode::BAD_GATEWAY,
        ErrorKind::Io | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(crate) fn error_response(e: &Error) -> Response {
    (status_of(e.kind), Json(e.to_json())).into_response()
}

const HINT: &str = "send one JSON object of camelCase arguments";

pub(crate) async fn command(
    State(state): State<Shared>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if catalog::find(&name).is_none() {
        return error_response(&Error::new(
            ErrorKind::UnknownCommand,
            format!(
                "unknown command '{}'; GET /api/openapi.json lists the commands",
                echo(&name)
            ),
        ));
    }
    let body = match body {
        Ok(b) => b,
        Err(rej) => {
            let status = rej.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                return body_too_large(state.cfg.body_limit);
            }
            let msg = format!("cannot read request body: {}", rej.body_text());
            return refuse(status, "invalid_input", msg);
        }
    };
    let args: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let msg = format!("request body is not valid JSON ({e}); {HINT}");
                return error_response(&Error::invalid(msg));
            }
        }
    };
    match catalog::call_raw(&state.app, &name, args).await {
        // Core already serialised the result: sent as is, never parsed into a `Value` again.
        Ok(raw) => json_body(raw),
        Err(e) => error_response(&e),
    }
}

/// A 200 `application/json` response whose body is JSON text core produced.
fn json_body(raw: Box<RawValue>) -> Response {
    let body = String::from(Box::<str>::from(raw));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Server-Sent Events: every backend event as `event: <name>` + `data: <payload JSON>`.
pub(crate) async fn events(
    State(state): State<Shared>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = state.events.subscribe();
    let closing = state.closing.clone();
    let stream = futures_util::stream::unfold((rx, closing), |(mut rx, mut closing)| async move {
        loop {
            if *closing.borrow() {
                return None;
            }
            tokio::select! {
                r = rx.recv() => match r {
                    Ok(ev) => {
                        let data = serde_json::to_string(&ev.payload).unwrap_or_else(|_| "null".into());
                        let sse = SseEvent::default().event(ev.name).data(data);
                        return Some((Ok(sse), (rx, closing)));
                    }
                    Err(RecvError::Lagged(n)) => {
                        let sse = SseEvent::default().comment(format!("lagged: {n} events dropped"));
                        return Some((Ok(sse), (rx, closing)));
                    }
                    Err(RecvError::Closed) => return None,
                },
                r = closing.changed() => {
                    if r.is_err() {
                        return None;
                    }
                }
            }
        }
    });
    // A first comment flushes the response headers at once, so the browser's EventSource
    // reports the stream open without waiting for the first event or keep-alive.
    let hello = futures_util::stream::once(async { Ok(SseEvent::default().comment("connected")) });
    Sse::new(futures_util::StreamExt::chain(hello, stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
