//! `install` and `uninstall`: library skills copied into (and removed from) the folders agents
//! load skills from, through the catalog commands `install_to_agent`, `sync_agent_installs`
//! and `uninstall_from_agent`.

use clap::Args;
use serde_json::{json, Value};
use skill_builder_core::{catalog, App, Error, ErrorKind, Result};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct InstallArgs {
    /// Library skills to install.
    #[arg(required_unless_present = "sync", conflicts_with = "sync")]
    names: Vec<String>,
    /// claude-code, codex or copilot (any label with --dir).
    #[arg(long, required_unless_present_any = ["sync", "dir"], conflicts_with = "sync")]
    agent: Option<String>,
    /// Install into this project's folder for the agent instead of your home folder.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["dir", "sync"])]
    project: Option<PathBuf>,
    /// Install into PATH/<name>, for any other agent.
    #[arg(long, value_name = "PATH", conflicts_with = "sync")]
    dir: Option<PathBuf>,
    /// Bring every recorded install to the library's current version.
    #[arg(long)]
    sync: bool,
    /// Replace a copy changed by hand, after moving it to a backup folder.
    #[arg(long)]
    force: bool,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct UninstallArgs {
    /// Skills to remove from the agent's folder.
    #[arg(required = true)]
    names: Vec<String>,
    /// claude-code, codex or copilot (any label with --dir).
    #[arg(long, required_unless_present = "dir")]
    agent: Option<String>,
    /// Remove from this project's folder for the agent instead of your home folder.
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    project: Option<PathBuf>,
    /// Remove PATH/<name>, for any other agent.
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Remove a copy changed by hand (it is moved to a backup folder, not deleted).
    #[arg(long)]
    force: bool,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

fn placement(agent: &Option<String>, project: &Option<PathBuf>, dir: &Option<PathBuf>) -> Value {
    let s = |p: &Option<PathBuf>| p.as_deref().map(|p| p.to_string_lossy().into_owned());
    json!({"agent": agent, "projectPath": s(project), "dir": s(dir)})
}

fn with_name(mut args: Value, name: &str, force: bool) -> Value {
    args["skillName"] = json!(name);
    args["force"] = json!(force);
    args
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// `scope` as people read it: "user", "project" or "folder".
fn where_(v: &Value) -> String {
    let scope = match text(v, "scope") {
        "dir" => "folder",
        s => s,
    };
    format!("{} ({scope})", text(v, "agent"))
}

/// Calls `command` once per name; every failure is reported and the first one returned once
/// the other names have been tried.
async fn each_name(
    app: &Arc<App>,
    command: &str,
    names: &[String],
    base: &Value,
    force: bool,
    json: bool,
    show: impl Fn(&str, &Value),
) -> Result<()> {
    let mut results = Vec::new();
    let mut first_error = None;
    for name in names {
        match catalog::call(app, command, with_name(base.clone(), name, force)).await {
            Ok(v) if json => results.push(v),
            Ok(v) => show(name, &v),
            Err(e) => {
                if names.len() > 1 {
                    eprintln!("{name}: {}", e.message);
                }
                first_error.get_or_insert(e);
            }
        }
    }
    if json && !results.is_empty() {
        crate::print_stdout(&serde_json::to_string_pretty(&results).unwrap_or_default());
    }
    first_error.map_or(Ok(()), Err)
}

pub async fn install(app: &Arc<App>, a: InstallArgs) -> Result<()> {
    if a.sync {
        return sync(app, a.force, a.json).await;
    }
    let base = placement(&a.agent, &a.project, &a.dir);
    each_name(
        app,
        "install_to_agent",
        &a.names,
        &base,
        a.force,
        a.json,
        |name, v| {
            println!(
                "Installed '{name}' for {} in {}",
                where_(v),
                text(v, "path")
            );
            if let Some(b) = v["backup"].as_str() {
                println!("  the copy changed by hand was moved to {b}");
            }
        },
    )
    .await
}

pub async fn uninstall(app: &Arc<App>, a: UninstallArgs) -> Result<()> {
    let base = placement(&a.agent, &a.project, &a.dir);
    each_name(
        app,
        "uninstall_from_agent",
        &a.names,
        &base,
        a.force,
        a.json,
        |name, v| match v["backup"].as_str() {
            Some(b) => println!(
                "Uninstalled '{name}' for {}: the copy changed by hand was moved to {b}",
                where_(v)
            ),
            None => println!(
                "Uninstalled '{name}' for {}: removed {}",
                where_(v),
                text(v, "path")
            ),
        },
    )
    .await
}

/// What a sync outcome reads as.
fn outcome_label(outcome: &str) -> &str {
    match outcome {
        "updated" => "updated",
        "up_to_date" => "up to date",
        "changed_by_hand" => "changed by hand, not overwritten",
        "replaced" => "replaced (changed copy backed up)",
        "missing" => "missing",
        "reinstalled" => "reinstalled",
        "not_in_library" => "not in the library",
        _ => "failed",
    }
}

async fn sync(app: &Arc<App>, force: bool, json: bool) -> Result<()> {
    let v = catalog::call(app, "sync_agent_installs", json!({"force": force})).await?;
    let results = v.as_array().cloned().unwrap_or_default();
    if json {
        crate::print_stdout(&serde_json::to_string_pretty(&v).unwrap_or_default());
    } else if results.is_empty() {
        println!(
            "No installs recorded. Install a skill with: skill-builder install <name> --agent claude-code"
        );
    }
    let mut attention = Vec::new();
    for r in &results {
        let outcome = text(r, "outcome");
        if !json {
            println!(
                "{:<34} {}  {}",
                outcome_label(outcome),
                text(r, "skill_name"),
                text(r, "path")
            );
            if let Some(b) = r["backup"].as_str() {
                println!("  the changed copy was moved to {b}");
            }
        }
        if matches!(
            outcome,
            "changed_by_hand" | "missing" | "not_in_library" | "failed"
        ) {
            attention.push(
                r["message"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| text(r, "path").to_owned()),
            );
        }
    }
    if attention.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Conflict,
        format!(
            "{} install(s) were not brought up to date: {}",
            attention.len(),
            attention.join("; ")
        ),
    ))
}
