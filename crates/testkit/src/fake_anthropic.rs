//! A fake Anthropic Messages API for direct (non-agent) calls: answers `/v1/messages` with a
//! scripted text or status and `/v1/models` with a fixed list.

use crate::http::{json_response, Recorded, ScriptedServer};
use serde_json::json;

/// What `/v1/messages` answers.
#[derive(Clone)]
pub enum MessagesReply {
    Text(String),
    Status(u16, serde_json::Value),
}

pub async fn start(reply: MessagesReply) -> ScriptedServer {
    ScriptedServer::start(move |req: &Recorded| match req.path.as_str() {
        "/v1/models" => json_response(
            200,
            json!({"data": [
                {"id": "claude-sonnet-4-6", "display_name": "Claude Sonnet 4.6", "type": "model"},
                {"id": "other-model", "display_name": "Not Claude", "type": "model"},
                {"id": "claude-haiku-4-5", "display_name": "Claude Haiku 4.5", "type": "model"}
            ], "has_more": false}),
        ),
        "/v1/messages" => match &reply {
            MessagesReply::Text(t) => json_response(
                200,
                json!({
                    "id": "msg_fake", "type": "message", "role": "assistant",
                    "model": req.json()["model"],
                    "content": [{"type": "text", "text": t}],
                    "stop_reason": "end_turn",
                    "usage": {"input_tokens": 10, "output_tokens": 5}
                }),
            ),
            MessagesReply::Status(s, body) => json_response(*s, body.clone()),
        },
        _ => json_response(404, json!({"error": {"type": "not_found_error"}})),
    })
    .await
}
