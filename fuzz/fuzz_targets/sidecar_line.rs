//! The pure pieces of the sidecar stdout-line router (`agents::pool::route_line` itself
//! needs a live `App` and sidecar): JSON line → `StreamCounts::observe`,
//! `metrics::result_succeeded` / `rows_for_result` / `running_row`, and the transcript's
//! `redact_value` + `scrub`.
//!
//! Input: `<selector byte><secret chars>\n<one JSON line>`. The secret is mapped onto the
//! alphabet of real API keys (`[a-z0-9_-]`, at least 8 chars).
//!
//! Invariants:
//! - nothing panics, whatever the line;
//! - usage rows: at least one; one per `modelUsage` entry (in order) when that is a
//!   non-empty object, else one for the requested model; tokens, turns and durations are
//!   never negative; cost is finite and ≥ 0; status agrees with `result_succeeded`; stream
//!   counts are copied; every row serialises to JSON;
//! - redaction: after `redact_value`, every non-null value under a secret key is
//!   `[REDACTED]` and a secret planted under an `apiKey` key (at a fuzz-chosen depth) is
//!   gone from the serialised line; redaction is idempotent; after `scrub` the secret
//!   appears nowhere, even where the line itself carried it as free text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use skill_builder_core::agents::metrics::{
    result_succeeded, rows_for_result, running_row, RunContext, StreamCounts,
};
use skill_builder_core::agents::transcript::{redact_value, scrub, REDACTED};

const SECRET_KEYS: [&str; 4] = [
    "apiKey",
    "api_key",
    "anthropic_api_key",
    "github_oauth_token",
];
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-";

fn ctx() -> RunContext {
    RunContext {
        agent_id: "fuzz-step0-1".into(),
        skill_name: "fuzz".into(),
        step_id: 0,
        model: "claude-sonnet-4-6".into(),
        workflow_session_id: Some("ws".into()),
    }
}

/// Every non-null value under a secret key is the redaction marker.
fn check_redacted(v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                if SECRET_KEYS.contains(&k.as_str()) && !val.is_null() {
                    assert_eq!(val, &Value::String(REDACTED.into()), "key {k}");
                } else {
                    check_redacted(val);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(check_redacted),
        _ => {}
    }
}

/// Plants `apiKey: secret` in the object reached by following `path` (object values /
/// array items, by index modulo the length) from `v`; wraps non-objects.
fn plant(v: &mut Value, path: &[u8], secret: &str) {
    if let Some((&step, rest)) = path.split_first() {
        let child = match v {
            Value::Object(m) if !m.is_empty() => {
                let i = step as usize % m.len();
                m.values_mut().nth(i)
            }
            Value::Array(a) if !a.is_empty() => {
                let i = step as usize % a.len();
                a.get_mut(i)
            }
            _ => None,
        };
        if let Some(c) = child {
            if c.is_object() || c.is_array() {
                return plant(c, rest, secret);
            }
        }
    }
    match v {
        Value::Object(m) => {
            m.insert("apiKey".into(), Value::String(secret.into()));
        }
        other => {
            let inner = other.take();
            *other = json!({"apiKey": secret, "wrapped": inner});
        }
    }
}

fn check_rows(v: &Value, counts: &StreamCounts) {
    let c = ctx();
    let rows = rows_for_result(&c, v, counts);
    assert!(!rows.is_empty());
    let models: Vec<String> = match v["modelUsage"].as_object().filter(|m| !m.is_empty()) {
        Some(m) => m.keys().cloned().collect(),
        None => vec![c.model.clone()],
    };
    assert_eq!(
        rows.iter().map(|r| r.model.clone()).collect::<Vec<_>>(),
        models
    );
    let status = if result_succeeded(v) {
        "completed"
    } else {
        "error"
    };
    for r in &rows {
        assert_eq!(r.status, status);
        assert!(r.input_tokens >= 0 && r.output_tokens >= 0, "{r:?}");
        assert!(
            r.cache_read_tokens >= 0 && r.cache_write_tokens >= 0,
            "{r:?}"
        );
        assert!(r.total_cost.is_finite() && r.total_cost >= 0.0, "{r:?}");
        assert!(r.duration_ms >= 0 && r.num_turns >= 0, "{r:?}");
        assert!(r.duration_api_ms.is_none_or(|d| d >= 0), "{r:?}");
        assert_eq!(
            (r.tool_use_count, r.compaction_count),
            (counts.tool_uses, counts.compactions)
        );
        assert_eq!(r.agent_id, c.agent_id);
        // What usage::persist_agent_run gets must be JSON-representable.
        let as_json = json!({
            "model": r.model, "totalCost": r.total_cost, "stopReason": r.stop_reason,
            "sessionId": r.session_id, "durationApiMs": r.duration_api_ms,
        });
        assert!(serde_json::to_string(&as_json).is_ok());
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (header, line) = data.split_at(split);
    let line = line.get(1..).unwrap_or_default();
    let (selector, secret_seed) = header
        .split_first()
        .map_or((0u8, &[][..]), |(s, r)| (*s, r));
    let mut secret: String = secret_seed
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    while secret.len() < 8 {
        secret.push_str("sk-fuzz-");
    }

    let Ok(text) = std::str::from_utf8(line) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };

    // Metrics: the line as one message, and (when an array) as a stream of messages.
    let mut counts = StreamCounts::default();
    counts.observe(&v);
    if let Some(items) = v.as_array() {
        items.iter().for_each(|m| counts.observe(m));
    }
    assert!(counts.tool_uses >= 0 && counts.compactions >= 0);
    check_rows(&v, &counts);
    if let Some(items) = v.as_array() {
        for m in items {
            check_rows(m, &counts);
        }
    }
    let running = running_row(&ctx());
    assert_eq!(running.status, "running");

    // Redaction.
    let original = v.to_string();
    let mut planted = v.clone();
    let depth = (selector % 4) as usize;
    let path: Vec<u8> = line.iter().rev().take(depth).copied().collect();
    plant(&mut planted, &path, &secret);
    let mut red = planted.clone();
    redact_value(&mut red);
    check_redacted(&red);
    let shown = red.to_string();
    if !original.contains(&secret) {
        assert!(
            !shown.contains(&secret),
            "secret {secret:?} survived redact_value: {shown}"
        );
    }
    let mut twice = red.clone();
    redact_value(&mut twice);
    assert_eq!(twice, red, "redact_value is not idempotent");
    let scrubbed = scrub(&shown, &[secret.clone()]);
    assert!(
        !scrubbed.contains(&secret),
        "secret {secret:?} survived scrub: {scrubbed}"
    );
    // Scrubbing the unredacted line (free text carrying the key) removes it too.
    let raw_scrubbed = scrub(&planted.to_string(), &[secret.clone()]);
    assert!(
        !raw_scrubbed.contains(&secret),
        "secret {secret:?} survived scrub: {raw_scrubbed}"
    );
});
