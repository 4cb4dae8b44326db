//! A scripted model for the fake Messages API ([`crate::fake_messages`]) that uses its tools the
//! way Claude does, so real-SDK tests meet what a real model does to the app:
//!
//! - it calls the `Skill` tool first when a skill it was told about is **listed** to it (the
//!   CLI's "The following skills are available for use with the Skill tool" reminder);
//! - it `Read`s every file it is pointed at before doing anything else;
//! - it `Read`s a file that exists before it `Write`s over it (the CLI refuses otherwise);
//! - it makes at least one tool call before it answers (a `Glob` when it has nothing to read);
//! - each tool call is its own turn (one API request), so an agent with too few turns ends
//!   `error_max_turns`, as it would with Claude.
//!
//! A task is recognised by a marker in a user message; the **last** user message that holds a
//! task's marker starts the current turn of a conversation, so a multi-turn session (refine)
//! runs one task per user message, and progress is read from the tool calls issued since.
//!
//! ```no_run
//! use skill_builder_testkit::claude_like::{claude_like_script, Task};
//! use skill_builder_testkit::fake_messages::FakeMessages;
//! let fake = FakeMessages::start(claude_like_script(vec![
//!     Task::new("Step: 2 (")
//!         .read("/data/skills/s/context/clarifications.json")
//!         .write("/data/skills/s/context/decisions.md", "---\ndecision_count: 1\n---\n")
//!         .answer("1 decision written."),
//! ]));
//! ```

use crate::fake_messages::{side_reply, MessagesRequest, Reply, Script, Usage};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Answer of an agent-loop request that names no task.
pub const NO_TASK_TEXT: &str = "OK.";

/// What the scripted model does for one kind of request.
#[derive(Debug, Clone, Default)]
pub struct Task {
    pub marker: String,
    /// Skills to load with the `Skill` tool when (and only when) the request lists them.
    pub skills: Vec<String>,
    /// Files to `Read` first. A relative path is taken from the request's working directory
    /// (the CLI's "Primary working directory" line), as the model would resolve it.
    pub reads: Vec<PathBuf>,
    /// Files to write, in order (each read first when it already exists).
    pub writes: Vec<(PathBuf, String)>,
    /// The final text. When skills were loaded this turn, ` [skills: a, b]` is appended, so a
    /// test can see from the answer alone whether the skill was used.
    pub answer: String,
}

impl Task {
    pub fn new(marker: impl Into<String>) -> Task {
        Task {
            marker: marker.into(),
            answer: "Done.".into(),
            ..Task::default()
        }
    }
    pub fn skill(mut self, name: impl Into<String>) -> Task {
        self.skills.push(name.into());
        self
    }
    pub fn read(mut self, path: impl Into<PathBuf>) -> Task {
        self.reads.push(path.into());
        self
    }
    pub fn write(mut self, path: impl Into<PathBuf>, content: impl Into<String>) -> Task {
        self.writes.push((path.into(), content.into()));
        self
    }
    pub fn answer(mut self, text: impl Into<String>) -> Task {
        self.answer = text.into();
        self
    }
}

/// Text blocks of one message (a string content counts as one block).
fn message_text(m: &Value) -> String {
    match &m["content"] {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Index of the last user message whose text holds `marker`.
pub fn turn_start(req: &MessagesRequest, marker: &str) -> Option<usize> {
    req.messages()
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| m["role"] == "user" && message_text(m).contains(marker))
        .map(|(i, _)| i)
}

/// `(name, input)` of the tool calls the assistant made after message `start`.
pub fn tool_uses_since(req: &MessagesRequest, start: usize) -> Vec<(String, Value)> {
    req.messages()
        .iter()
        .skip(start + 1)
        .filter(|m| m["role"] == "assistant")
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| {
            (
                b["name"].as_str().unwrap_or("").to_string(),
                b["input"].clone(),
            )
        })
        .collect()
}

/// The agent's working directory, from the CLI's environment reminder.
pub fn working_directory(req: &MessagesRequest) -> Option<PathBuf> {
    const LABEL: &str = "Primary working directory: ";
    req.messages().iter().find_map(|m| {
        let text = message_text(m);
        let at = text.find(LABEL)? + LABEL.len();
        let line = text[at..].lines().next()?.trim();
        (!line.is_empty()).then(|| PathBuf::from(line))
    })
}

/// Whether the request lists `skill` as available to the `Skill` tool (`- name: …` or
/// `- name (frontmatter name): …` in the CLI's skills reminder).
pub fn lists_skill(req: &MessagesRequest, skill: &str) -> bool {
    req.messages().iter().any(|m| {
        let text = message_text(m);
        text.contains("available for use with the Skill tool")
            && text.lines().any(|l| {
                l.strip_prefix("- ")
                    .and_then(|rest| rest.strip_prefix(skill))
                    .is_some_and(|after| after.starts_with(':') || after.starts_with(" ("))
            })
    })
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The next reply of `task` in the conversation `req`, whose current turn starts at `start`.
fn next_step(task: &Task, req: &MessagesRequest, start: usize) -> Reply {
    let issued = tool_uses_since(req, start);
    let did = |tool: &str, key: &str, value: &str| {
        issued
            .iter()
            .any(|(n, input)| n == tool && input[key].as_str() == Some(value))
    };
    let used_skills: Vec<&str> = task
        .skills
        .iter()
        .filter(|s| did("Skill", "skill", s))
        .map(String::as_str)
        .collect();
    for skill in &task.skills {
        if !did("Skill", "skill", skill) && lists_skill(req, skill) {
            return Reply::tool_use("Skill", json!({"skill": skill}));
        }
    }
    let cwd = working_directory(req);
    for p in &task.reads {
        let abs = match (p.is_relative(), &cwd) {
            (true, Some(c)) => c.join(p),
            _ => p.clone(),
        };
        let abs = path_str(&abs);
        if !did("Read", "file_path", &abs) {
            return Reply::tool_use("Read", json!({"file_path": abs}));
        }
    }
    for (path, content) in &task.writes {
        let p = path_str(path);
        if did("Write", "file_path", &p) {
            continue;
        }
        if path.exists() && !did("Read", "file_path", &p) {
            return Reply::tool_use("Read", json!({"file_path": p}));
        }
        return Reply::write(path.clone(), content.clone());
    }
    if issued.is_empty() {
        return Reply::tool_use("Glob", json!({"pattern": "*"}));
    }
    if used_skills.is_empty() {
        Reply::text(task.answer.clone())
    } else {
        Reply::text(format!(
            "{} [skills: {}]",
            task.answer,
            used_skills.join(", ")
        ))
    }
}

/// The script: the task whose marker is in the latest user message wins (ties: list order);
/// side requests (no tools) get [`side_reply`]; agent-loop requests without a task get
/// [`NO_TASK_TEXT`]. Every agent-loop reply reports [`Usage::WORKFLOW`].
pub fn claude_like_script(tasks: Vec<Task>) -> Script {
    Script::new(move |req| {
        if req.is_side_request() {
            return side_reply(req);
        }
        let current = tasks
            .iter()
            .filter_map(|t| turn_start(req, &t.marker).map(|i| (i, t)))
            .max_by_key(|(i, _)| *i);
        match current {
            Some((start, task)) => next_step(task, req, start),
            None => Reply::text(NO_TASK_TEXT),
        }
        .with_usage(Usage::WORKFLOW)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(messages: Value) -> MessagesRequest {
        MessagesRequest::from_body(json!({"tools": [{"name": "Read"}], "messages": messages}))
    }

    fn reminder(skills: &str) -> String {
        format!(
            "<system-reminder>\n - Primary working directory: /ws\n</system-reminder>\n\
             <system-reminder>\nThe following skills are available for use with the Skill tool:\n\n{skills}\n</system-reminder>"
        )
    }

    #[test]
    fn skill_then_reads_then_answer() {
        let task = Task::new("Plan the task")
            .skill("pricing")
            .read(".claude/skills/skill-test/SKILL.md")
            .answer("Plan.");
        let script = claude_like_script(vec![task]);
        let first = json!([{"role": "user", "content": [
            {"type": "text", "text": reminder("- other: x\n- pricing (pricing-rules): Prices.")},
            {"type": "text", "text": "Plan the task: price 250 units"}]}]);
        let r = script.reply(&req(first.clone()));
        assert_eq!(
            r,
            Reply::tool_use("Skill", json!({"skill": "pricing"})).with_usage(Usage::WORKFLOW)
        );
        let mut msgs = first.as_array().unwrap().clone();
        msgs.push(json!({"role": "assistant", "content": [{"type": "tool_use", "name": "Skill", "input": {"skill": "pricing"}}]}));
        msgs.push(json!({"role": "user", "content": [{"type": "tool_result", "content": "ok"}]}));
        let r = script.reply(&req(Value::Array(msgs.clone())));
        assert!(format!("{r:?}").contains("/ws/.claude/skills/skill-test/SKILL.md"));
        msgs.push(json!({"role": "assistant", "content": [{"type": "tool_use", "name": "Read", "input": {"file_path": "/ws/.claude/skills/skill-test/SKILL.md"}}]}));
        msgs.push(json!({"role": "user", "content": [{"type": "tool_result", "content": "ok"}]}));
        let r = script.reply(&req(Value::Array(msgs)));
        assert!(
            format!("{r:?}").contains("Plan. [skills: pricing]"),
            "{r:?}"
        );
    }

    #[test]
    fn an_unlisted_skill_is_not_called_and_a_glob_comes_before_the_answer() {
        let script = claude_like_script(vec![Task::new("Plan the task").skill("pricing")]);
        let first = json!([{"role": "user", "content": [
            {"type": "text", "text": reminder("- other: x")},
            {"type": "text", "text": "Plan the task"}]}]);
        let r = script.reply(&req(first));
        assert!(format!("{r:?}").contains("Glob"), "{r:?}");
    }

    #[test]
    fn the_latest_marked_user_message_starts_the_turn() {
        let script = claude_like_script(vec![
            Task::new("Current request: one").read("/a").answer("first"),
            Task::new("Current request: two")
                .read("/b")
                .answer("second"),
        ]);
        let msgs = json!([
            {"role": "user", "content": "Current request: one"},
            {"role": "assistant", "content": [{"type": "tool_use", "name": "Read", "input": {"file_path": "/a"}}]},
            {"role": "user", "content": [{"type": "tool_result", "content": "x"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "first"}]},
            {"role": "user", "content": "Current request: two"}
        ]);
        let r = script.reply(&req(msgs));
        assert!(format!("{r:?}").contains("\"/b\""), "{r:?}");
    }
}
