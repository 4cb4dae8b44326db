//! Turns an SDK `result` message into `agent_runs` rows: one per model that worked on the
//! request, with tokens, cost, duration, turns, stop reason, tool uses and compactions.

use crate::usage::PersistAgentRunArgs;
use serde_json::Value;

/// What the stream router counted while the request ran.
#[derive(Debug, Default, Clone)]
pub struct StreamCounts {
    pub tool_uses: i32,
    pub compactions: i32,
}

impl StreamCounts {
    /// Updates the counts from one streamed message.
    pub fn observe(&mut self, msg: &Value) {
        match msg["type"].as_str() {
            Some("assistant") => {
                let blocks = msg["message"]["content"].as_array();
                self.tool_uses += blocks
                    .into_iter()
                    .flatten()
                    .filter(|b| b["type"] == "tool_use")
                    .count() as i32;
            }
            Some("system") if msg["subtype"] == "compact_boundary" => self.compactions += 1,
            _ => {}
        }
    }
}

/// Who ran the request, for the rows.
#[derive(Debug, Clone)]
pub struct RunContext {
    pub agent_id: String,
    pub skill_name: String,
    pub step_id: i32,
    pub model: String,
    pub workflow_session_id: Option<String>,
}

fn int(v: &Value) -> i32 {
    v.as_i64().unwrap_or(0).clamp(0, i32::MAX as i64) as i32
}

/// Whether the `result` message reports success.
pub fn result_succeeded(result: &Value) -> bool {
    !result["is_error"].as_bool().unwrap_or(false)
        && !result["subtype"]
            .as_str()
            .unwrap_or("success")
            .starts_with("error")
}

/// Rows for a finished request. `modelUsage` gives one row per model; without it the totals
/// go to the requested model.
pub fn rows_for_result(
    ctx: &RunContext,
    result: &Value,
    counts: &StreamCounts,
) -> Vec<PersistAgentRunArgs> {
    let status = if result_succeeded(result) {
        "completed"
    } else {
        "error"
    };
    let base =
        |model: String, input, output, cache_read, cache_write, cost: f64| PersistAgentRunArgs {
            agent_id: ctx.agent_id.clone(),
            skill_name: ctx.skill_name.clone(),
            step_id: ctx.step_id,
            model,
            status: status.into(),
            input_tokens: input,
            output_tokens: output,
            cache_read_tokens: cache_read,
            cache_write_tokens: cache_write,
            total_cost: if cost.is_finite() && cost >= 0.0 {
                cost
            } else {
                0.0
            },
            duration_ms: result["duration_ms"].as_i64().unwrap_or(0).max(0),
            num_turns: int(&result["num_turns"]),
            stop_reason: result["stop_reason"].as_str().map(str::to_owned),
            duration_api_ms: result["duration_api_ms"].as_i64().map(|d| d.max(0)),
            tool_use_count: counts.tool_uses,
            compaction_count: counts.compactions,
            session_id: result["session_id"].as_str().map(str::to_owned),
            workflow_session_id: ctx.workflow_session_id.clone(),
        };
    match result["modelUsage"].as_object().filter(|m| !m.is_empty()) {
        Some(models) => models
            .iter()
            .map(|(model, u)| {
                base(
                    model.clone(),
                    int(&u["inputTokens"]),
                    int(&u["outputTokens"]),
                    int(&u["cacheReadInputTokens"]),
                    int(&u["cacheCreationInputTokens"]),
                    u["costUSD"].as_f64().unwrap_or(0.0),
                )
            })
            .collect(),
        None => {
            let u = &result["usage"];
            vec![base(
                ctx.model.clone(),
                int(&u["input_tokens"]),
                int(&u["output_tokens"]),
                int(&u["cache_read_input_tokens"]),
                int(&u["cache_creation_input_tokens"]),
                result["total_cost_usd"].as_f64().unwrap_or(0.0),
            )]
        }
    }
}

/// The `running` row written when a request starts.
pub fn running_row(ctx: &RunContext) -> PersistAgentRunArgs {
    let mut r = rows_for_result(ctx, &Value::Null, &StreamCounts::default()).remove(0);
    r.status = "running".into();
    r.stop_reason = None;
    r.duration_api_ms = None;
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> RunContext {
        RunContext {
            agent_id: "s-step0-1".into(),
            skill_name: "s".into(),
            step_id: 0,
            model: "claude-sonnet-4-6".into(),
            workflow_session_id: Some("ws".into()),
        }
    }

    #[test]
    fn one_row_per_model_with_counts() {
        let mut c = StreamCounts::default();
        c.observe(&json!({"type": "assistant", "message": {"content": [{"type": "tool_use"}, {"type": "text"}, {"type": "tool_use"}]}}));
        c.observe(&json!({"type": "system", "subtype": "compact_boundary"}));
        c.observe(&json!({"type": "system", "subtype": "init"}));
        let result = json!({"type": "result", "subtype": "success", "is_error": false, "duration_ms": 1200,
        "duration_api_ms": 900, "num_turns": 3, "stop_reason": "end_turn", "session_id": "sdk-1",
        "modelUsage": {
            "claude-sonnet-4-6": {"inputTokens": 100, "outputTokens": 20, "cacheReadInputTokens": 10, "cacheCreationInputTokens": 5, "costUSD": 0.5},
            "claude-haiku-4-5": {"inputTokens": 7, "outputTokens": 2, "costUSD": 0.01}
        }});
        let rows = rows_for_result(&ctx(), &result, &c);
        assert_eq!(rows.len(), 2);
        let s = rows
            .iter()
            .find(|r| r.model == "claude-sonnet-4-6")
            .unwrap();
        assert_eq!(
            (
                s.input_tokens,
                s.output_tokens,
                s.cache_read_tokens,
                s.cache_write_tokens
            ),
            (100, 20, 10, 5)
        );
        assert_eq!(
            (s.tool_use_count, s.compaction_count, s.num_turns),
            (2, 1, 3)
        );
        assert_eq!(s.status, "completed");
        assert_eq!(s.session_id.as_deref(), Some("sdk-1"));
    }

    #[test]
    fn error_results_are_error_rows_and_usage_fallback_uses_requested_model() {
        let result = json!({"subtype": "error_max_turns", "is_error": true, "usage": {"input_tokens": 5, "output_tokens": 1}, "total_cost_usd": 0.2});
        let rows = rows_for_result(&ctx(), &result, &StreamCounts::default());
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (
                rows[0].status.as_str(),
                rows[0].model.as_str(),
                rows[0].input_tokens
            ),
            ("error", "claude-sonnet-4-6", 5)
        );
        assert!(!result_succeeded(&result));
    }
}
