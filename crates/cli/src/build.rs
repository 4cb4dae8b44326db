//! `skill-builder build`: creates the skill if needed and runs all four workflow steps,
//! printing the agents' live progress on stderr and the result on stdout.

use serde_json::{json, Value};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::workflow::steps::STEPS;
use skill_builder_core::{catalog, App, Result};
use std::io::Write;
use std::sync::Arc;

/// Prints agent text and tool calls as they stream (stderr, so stdout stays the result).
struct ProgressSink;

fn short(s: &str, n: usize) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > n {
        format!("{}…", line.chars().take(n).collect::<String>())
    } else {
        line.to_string()
    }
}

impl EventSink for ProgressSink {
    fn emit(&self, e: &Event) {
        let mut err = std::io::stderr().lock();
        match e.name {
            "agent-message" => {
                let m = &e.payload["message"];
                if m["type"] == "assistant" {
                    for b in m["message"]["content"].as_array().into_iter().flatten() {
                        match b["type"].as_str() {
                            Some("text") => {
                                let _ = writeln!(
                                    err,
                                    "    {}",
                                    short(b["text"].as_str().unwrap_or(""), 110)
                                );
                            }
                            Some("tool_use") => {
                                let target = b["input"]["file_path"]
                                    .as_str()
                                    .or_else(|| b["input"]["description"].as_str())
                                    .unwrap_or("");
                                let _ = writeln!(
                                    err,
                                    "    · {} {}",
                                    b["name"].as_str().unwrap_or("tool"),
                                    short(target, 100)
                                );
                            }
                            _ => {}
                        }
                    }
                } else if m["type"] == "error" {
                    let _ = writeln!(err, "    ✗ {}", m["error"].as_str().unwrap_or("error"));
                }
            }
            "agent-init-error" => {
                let _ = writeln!(
                    err,
                    "    ✗ {} — {}",
                    e.payload["message"].as_str().unwrap_or(""),
                    e.payload["fix_hint"].as_str().unwrap_or("")
                );
            }
            _ => {}
        }
    }
}

pub struct BuildOpts {
    pub name: String,
    pub purpose: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub json: bool,
}

pub async fn run(app: &Arc<App>, o: BuildOpts) -> Result<()> {
    let exists = catalog::call(app, "get_workflow_state", json!({"skillName": o.name})).await?;
    if exists["run"].is_null() {
        catalog::call(
            app,
            "create_skill",
            json!({"name": o.name, "purpose": o.purpose, "description": o.description, "tags": o.tags}),
        )
        .await?;
        eprintln!("Created skill '{}'", o.name);
    }
    if !o.json {
        app.events.subscribe(Arc::new(ProgressSink));
    }
    let mode = if app.mock_agents() {
        " (mock agents)"
    } else {
        ""
    };
    eprintln!("Building '{}'{mode}", o.name);
    let report = skill_builder_core::workflow::build::build_skill(app, &o.name, |id| {
        eprintln!("[{}/4] {}…", id + 1, STEPS[id as usize].name);
    })
    .await;
    let report = report?;
    if o.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        let v: Value = serde_json::to_value(&report).unwrap_or_default();
        println!(
            "Skill written to {}/SKILL.md",
            v["skill_dir"].as_str().unwrap_or("")
        );
        println!(
            "Cost: ${:.4} ({} input / {} output tokens over {} steps)",
            report.total_cost,
            report.input_tokens,
            report.output_tokens,
            report.steps.len()
        );
    }
    Ok(())
}
