//! `GET /api/openapi.json`: an OpenAPI 3.1 description generated at run time from the command
//! catalog (itself the expansion of core's one declaration, `for_each_command!`).
//!
//! Built as `serde_json` by hand rather than with `utoipa`: the argument and result types live
//! in core, which stays free of shell crates (no `ToSchema` derives there), so `utoipa` could
//! only contribute its document structs — the paths would be the same loop over the catalog.

use crate::Shared;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};
use skill_builder_core::catalog;
use skill_builder_core::events::ALL_EVENTS;

fn error_ref(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The OpenAPI document.
pub fn openapi_document() -> Value {
    let mut paths = Map::new();
    for command in catalog::commands() {
        let name = command.name;
        let group = if command.is_extra() {
            "extra"
        } else {
            "reference"
        };
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({
                "description": "The command's JSON result.",
                "content": {"application/json": {"schema": {}}}
            }),
        );
        for (code, what) in [
            ("400", "invalid_input: bad arguments or body"),
            ("401", "unauthorized: missing or wrong token"),
            ("403", "forbidden: foreign Host or Origin"),
            ("404", "not_found"),
            ("409", "conflict"),
            ("413", "invalid_input: request body too large (a declared Content-Length over the limit is refused before the body is read)"),
            ("423", "locked"),
            ("500", "io / internal"),
            ("502", "network / agent"),
            ("503", "internal: every connection slot is busy; retry in a moment"),
        ] {
            responses.insert(code.into(), error_ref(what));
        }
        paths.insert(
            format!("/api/{name}"),
            json!({"post": {
                "operationId": name,
                "summary": name,
                "tags": [group],
                "requestBody": {
                    "required": false,
                    "description": "The command's arguments as one JSON object with camelCase keys (empty body = {}).",
                    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": true}}}
                },
                "responses": responses,
            }}),
        );
    }
    paths.insert(
        "/api/events".into(),
        json!({"get": {
            "operationId": "events",
            "summary": "Server-Sent Events: each backend event as `event: <name>` and `data: <payload JSON>`.",
            "x-events": ALL_EVENTS,
            "responses": {
                "200": {"description": "An endless event stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                "401": error_ref("unauthorized: missing or wrong token"),
                "403": error_ref("forbidden: foreign Host or Origin"),
            }
        }}),
    );
    paths.insert(
        "/api/openapi.json".into(),
        json!({"get": {
            "operationId": "openapi",
            "summary": "This document.",
            "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Skill Builder local API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every command of the Skill Builder catalog as POST /api/{command}. Requires the per-run token (Bearer or the sb_token cookie); loopback Host and same-origin Origin only."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": crate::TOKEN_COOKIE}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["kind", "message"],
                        "properties": {
                            "kind": {"type": "string", "enum": [
                                "not_found", "invalid_input", "conflict", "locked", "io",
                                "network", "agent", "internal", "unknown_command",
                                "unauthorized", "forbidden"
                            ]},
                            "message": {"type": "string"}
                        }
                    }}
                }
            }
        }
    })
}

pub(crate) async fn handler(State(_): State<Shared>) -> Json<Value> {
    Json(openapi_document())
}
