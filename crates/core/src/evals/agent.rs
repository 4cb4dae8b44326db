//! One agent run of an eval (executor, judge or trigger session) through the sidecar pool:
//! a concurrency permit, the request (usage recorded under [`super::EVAL_STEP_ID`], kind
//! `eval`), the wait, and what the grader needs from it — the final answer, the tool calls
//! (read back from the run's transcript), time, tokens and cost.

use crate::agents::{AgentOutcome, AgentRequest, RequestKind};
use crate::app::App;
use crate::error::{Error, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// What every agent run of one eval run shares.
pub struct Runner {
    pub app: Arc<App>,
    pub skill: String,
    pub model: String,
    /// `None`: mock agents (no key, no network).
    pub key: Option<String>,
    /// The sidecar of this eval run (its own, so another run's clean-up never stops it).
    pub pool: String,
    pub run_id: String,
    pub limit: Arc<Semaphore>,
}

/// What one agent run gave.
#[derive(Debug, Clone)]
pub struct AgentRun {
    pub outcome: AgentOutcome,
    pub answer: String,
    /// `(tool name, input)` of every tool call, in order.
    pub tool_uses: Vec<(String, Value)>,
    pub seconds: f64,
    pub tokens: u64,
    pub cost: f64,
}

impl AgentRun {
    /// The run ended without any result from the model: the runner, the network or the API
    /// failed, so the run could not take place at all (a model that ran out of turns did).
    pub fn never_ran(&self) -> bool {
        !self.outcome.success && self.outcome.result.is_none()
    }
}

/// One request to send.
pub struct Ask<'a> {
    /// Unique within the eval run (`e1-with-r2`, `judge-…`, `t3-r1`); names the transcript.
    pub label: &'a str,
    pub cwd: &'a Path,
    pub prompt: String,
    pub tools: &'a [&'a str],
    pub max_turns: u32,
}

impl Runner {
    /// A runner for one eval run of `skill`: the API key (or mock agents when they are on),
    /// the model (`model`, else the preferred one), a sidecar of its own and at most
    /// `concurrency` agents at a time.
    pub fn new(
        app: &Arc<App>,
        skill: &str,
        model: Option<&str>,
        concurrency: usize,
    ) -> Result<Runner> {
        let key = if app.mock_agents() {
            None
        } else {
            Some(crate::anthropic::require_api_key(app)?)
        };
        let settings = crate::settings::load(app)?;
        let run_id = uuid::Uuid::new_v4().to_string();
        Ok(Runner {
            app: app.clone(),
            skill: skill.to_string(),
            model: crate::anthropic::resolve_model(model.or(settings.preferred_model.as_deref())),
            key,
            pool: format!("__eval_{}__", &run_id[..8]),
            run_id,
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
        })
    }

    fn logs_dir(&self) -> PathBuf {
        self.app.workspace_path().join(&self.skill).join("logs")
    }

    fn request(&self, ask: &Ask<'_>, label: &str) -> AgentRequest {
        let mut config = json!({
            "prompt": ask.prompt, "cwd": ask.cwd.to_string_lossy(), "model": self.model,
            "allowedTools": ask.tools, "maxTurns": ask.max_turns, "permissionMode": "acceptEdits",
            "skillName": self.skill,
        });
        match &self.key {
            Some(k) => config["apiKey"] = json!(k),
            None => {
                config["mock"] = json!(true);
                config["mockStep"] = json!("generic");
            }
        }
        AgentRequest {
            agent_id: format!("{}-{label}", self.pool),
            skill_name: self.skill.clone(),
            pool_key: Some(self.pool.clone()),
            step_id: super::EVAL_STEP_ID,
            model: self.model.clone(),
            config,
            transcript: Some((self.logs_dir(), label.to_string())),
            workflow_session_id: None,
            kind: RequestKind::OneShot,
            on_finish: None,
        }
    }

    /// Runs one agent when a permit is free and waits for it.
    pub async fn run(&self, ask: Ask<'_>) -> Result<AgentRun> {
        let _permit = self
            .limit
            .acquire()
            .await
            .map_err(|_| Error::internal("the eval run was stopped"))?;
        let label = format!("eval-{}-{}", &self.run_id[..8], ask.label);
        let started = Instant::now();
        let handle = self
            .app
            .agents
            .send(&self.app, self.request(&ask, &label))
            .await?;
        let outcome = handle.wait().await;
        let seconds = started.elapsed().as_secs_f64();
        let result = outcome.result.clone().unwrap_or(Value::Null);
        let tool_uses = tool_uses_in_transcript(&self.logs_dir(), &label);
        Ok(AgentRun {
            answer: result["result"].as_str().unwrap_or_default().to_string(),
            seconds: result["duration_ms"]
                .as_f64()
                .map(|ms| ms / 1000.0)
                .unwrap_or(seconds),
            tokens: tokens_of(&result),
            cost: result["total_cost_usd"].as_f64().unwrap_or(0.0).max(0.0),
            tool_uses,
            outcome,
        })
    }
}

/// Input and output tokens, cache included, over every model that worked on the request.
pub fn tokens_of(result: &Value) -> u64 {
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    match result["modelUsage"].as_object().filter(|m| !m.is_empty()) {
        Some(models) => models
            .values()
            .map(|u| {
                n(&u["inputTokens"])
                    + n(&u["outputTokens"])
                    + n(&u["cacheReadInputTokens"])
                    + n(&u["cacheCreationInputTokens"])
            })
            .sum(),
        None => {
            let u = &result["usage"];
            n(&u["input_tokens"])
                + n(&u["output_tokens"])
                + n(&u["cache_read_input_tokens"])
                + n(&u["cache_creation_input_tokens"])
        }
    }
}

/// The tool calls of the transcript `{label}-*.jsonl` (the pool writes every streamed
/// message there, redacted). Labels are unique per eval run, so there is one such file.
pub fn tool_uses_in_transcript(dir: &Path, label: &str) -> Vec<(String, Value)> {
    let prefix = format!("{label}-");
    let file = std::fs::read_dir(dir).ok().and_then(|rd| {
        rd.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".jsonl"))
        })
    });
    let Some(text) = file.and_then(|f| std::fs::read_to_string(f).ok()) else {
        tracing::warn!(
            "eval: no transcript {prefix}*.jsonl in {}; its tool calls are unknown",
            dir.display()
        );
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["type"] == "assistant")
        .flat_map(|m| {
            m["message"]["content"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|b| b["type"] == "tool_use")
        .map(|b| {
            (
                b["name"].as_str().unwrap_or("").to_string(),
                b["input"].clone(),
            )
        })
        .collect()
}

/// Whether the tool calls include the `Skill` tool loading `skill` (its input names the skill
/// as `skill` or, in older CLIs, `command`; a plugin prefix `plugin:name` counts too).
pub fn invoked_skill(tool_uses: &[(String, Value)], skill: &str) -> bool {
    tool_uses.iter().any(|(name, input)| {
        name == "Skill"
            && ["skill", "command"].iter().any(|k| {
                input[*k].as_str().is_some_and(|s| {
                    let s = s.trim().trim_start_matches('/');
                    s == skill || s.rsplit(':').next() == Some(skill)
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skill_tool_with_this_name_is_a_trigger_and_nothing_else_is() {
        let uses = |v: Vec<(&str, Value)>| -> Vec<(String, Value)> {
            v.into_iter().map(|(n, i)| (n.to_string(), i)).collect()
        };
        assert!(invoked_skill(
            &uses(vec![("Skill", json!({"skill": "fruit"}))]),
            "fruit"
        ));
        assert!(invoked_skill(
            &uses(vec![("Skill", json!({"command": "/fruit"}))]),
            "fruit"
        ));
        assert!(invoked_skill(
            &uses(vec![("Skill", json!({"skill": "p:fruit"}))]),
            "fruit"
        ));
        assert!(!invoked_skill(
            &uses(vec![("Skill", json!({"skill": "fruity"}))]),
            "fruit"
        ));
        assert!(!invoked_skill(
            &uses(vec![("Read", json!({"skill": "fruit"}))]),
            "fruit"
        ));
    }

    #[test]
    fn tool_calls_are_read_back_from_the_transcript() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            json!({"type": "config", "config": {}}),
            json!({"type": "assistant", "message": {"content": [
                {"type": "text", "text": "x"}, {"type": "tool_use", "name": "Skill", "input": {"skill": "s"}}]}}),
            json!({"type": "assistant", "message": {"content": [{"type": "tool_use", "name": "Read", "input": {}}]}}),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(
            dir.path().join("eval-abc-t1-r1-20250101T000000.000Z.jsonl"),
            text,
        )
        .unwrap();
        std::fs::write(
            dir.path()
                .join("eval-abc-t1-r10-20250101T000000.000Z.jsonl"),
            "",
        )
        .unwrap();
        let uses = tool_uses_in_transcript(dir.path(), "eval-abc-t1-r1");
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[0].0, "Skill");
        assert!(tool_uses_in_transcript(dir.path(), "eval-abc-t2-r1").is_empty());
    }

    #[test]
    fn tokens_count_every_model_and_the_cache() {
        let r = json!({"modelUsage": {"a": {"inputTokens": 10, "outputTokens": 2, "cacheReadInputTokens": 3},
                                      "b": {"inputTokens": 1, "cacheCreationInputTokens": 4}}});
        assert_eq!(tokens_of(&r), 20);
        assert_eq!(
            tokens_of(&json!({"usage": {"input_tokens": 5, "output_tokens": 1}})),
            6
        );
    }
}
