//! Human subcommands (`list`, `create`, `delete`, `tag`, `usage`): the same core commands as
//! `call`, printed as readable tables, or as JSON with `--json`.

use clap::Subcommand;
use serde_json::{json, Value};
use skill_builder_core::{catalog, App, Result};
use std::sync::Arc;

#[derive(Subcommand)]
pub enum HumanCmd {
    /// List the skills of the library.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create a new skill (folders + database rows).
    Create {
        name: String,
        /// What kind of knowledge: domain, source, data-engineering, platform.
        #[arg(long)]
        purpose: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Tags, comma separated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a skill (its folders and rows).
    Delete {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Replace a skill's tags.
    Tag {
        name: String,
        tags: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show cost and token usage.
    Usage {
        #[arg(long)]
        json: bool,
        /// Hide sessions whose agents cost nothing.
        #[arg(long)]
        hide_cancelled: bool,
    },
}

pub async fn run(app: &Arc<App>, cmd: HumanCmd) -> Result<()> {
    match cmd {
        HumanCmd::List { json } => {
            let v = catalog::call(app, "list_skills", json!({})).await?;
            if json {
                return print_json(&v);
            }
            let rows: Vec<Vec<String>> = v
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    vec![
                        text(&s["name"]),
                        text(&s["skill_source"]),
                        text(&s["state_label"]),
                        s["tags"]
                            .as_array()
                            .map(|t| t.iter().map(text).collect::<Vec<_>>().join(","))
                            .unwrap_or_default(),
                        text(&s["last_modified"]),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!(
                    "No skills yet. Create one with: skill-builder create <name> --purpose domain"
                );
            } else {
                print_table(&["NAME", "SOURCE", "STATE", "TAGS", "MODIFIED"], &rows);
            }
            Ok(())
        }
        HumanCmd::Create {
            name,
            purpose,
            description,
            tags,
            json,
        } => {
            let args =
                json!({"name": name, "purpose": purpose, "description": description, "tags": tags});
            let v = catalog::call(app, "create_skill", args).await?;
            if json {
                return print_json(&v);
            }
            println!(
                "Created skill '{name}' in {}",
                app.skills_path().join(&name).display()
            );
            Ok(())
        }
        HumanCmd::Delete { name, json } => {
            let v = catalog::call(app, "delete_skill", json!({"name": name})).await?;
            if json {
                return print_json(&v);
            }
            println!("Deleted skill '{name}'");
            Ok(())
        }
        HumanCmd::Tag { name, tags, json } => {
            let v = catalog::call(
                app,
                "update_skill_tags",
                json!({"skillName": name, "tags": tags}),
            )
            .await?;
            if json {
                return print_json(&v);
            }
            println!("Tags of '{name}' set to: {}", tags.join(", "));
            Ok(())
        }
        HumanCmd::Usage {
            json,
            hide_cancelled,
        } => {
            let h = json!({"hideCancelled": hide_cancelled});
            let summary = catalog::call(app, "get_usage_summary", h.clone()).await?;
            let by_step = catalog::call(app, "get_usage_by_step", h.clone()).await?;
            let by_model = catalog::call(app, "get_usage_by_model", h).await?;
            if json {
                return print_json(
                    &json!({"summary": summary, "by_step": by_step, "by_model": by_model}),
                );
            }
            let sessions = summary["total_runs"].as_i64().unwrap_or(0);
            println!(
                "Total cost: ${:.4} over {sessions} {}, ${:.4} per session",
                summary["total_cost"].as_f64().unwrap_or(0.0),
                if sessions == 1 { "session" } else { "sessions" },
                summary["avg_cost_per_run"].as_f64().unwrap_or(0.0)
            );
            for (title, key, list) in [
                ("STEP", "step_name", &by_step),
                ("MODEL", "model", &by_model),
            ] {
                let rows: Vec<Vec<String>> = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        vec![
                            text(&r[key]),
                            format!("${:.4}", r["total_cost"].as_f64().unwrap_or(0.0)),
                            text(&r["run_count"]),
                        ]
                    })
                    .collect();
                if !rows.is_empty() {
                    println!();
                    print_table(&[title, "COST", "RUNS"], &rows);
                }
            }
            Ok(())
        }
    }
}

fn print_json(v: &Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    Ok(())
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", line(headers.iter().map(|s| s.to_string()).collect()));
    for r in rows {
        println!("{}", line(r.clone()));
    }
}
