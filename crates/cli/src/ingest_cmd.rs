//! `skill-builder lint <dir>…` and `skill-builder import zip <file>`.
//!
//! `lint` checks folders the user names on the command line (no path guard: the CLI user
//! already has access to them) with the core linter; exit code 1 when any skill has an
//! error (the last stderr line is then the usual JSON error line). `import zip` calls the
//! `upload_skill` command.

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use skill_builder_core::ingest::lint::{lint_skill_dir, LintMode, Severity};
use skill_builder_core::{catalog, App, Error, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct LintArgs {
    /// Skill folders (each holding a SKILL.md).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Also accept Claude Code's extension keys (model, argument-hint, user-invocable…).
    #[arg(long)]
    pub claude_code: bool,
    /// Print the reports as one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ImportWhat {
    /// Install a skill ZIP (`.zip`/`.skill`) into Settings→Skills (the agents' skills).
    Zip {
        file: PathBuf,
        /// Install under this name instead of the frontmatter `name`.
        #[arg(long)]
        name: Option<String>,
        /// Print the imported skill as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `lint`; returns the exit code (0: no errors, 1: some skill has errors).
pub fn lint(a: LintArgs) -> ExitCode {
    let mode = if a.claude_code {
        LintMode::ClaudeCode
    } else {
        LintMode::Spec
    };
    let mut reports = Vec::new();
    for d in &a.dirs {
        let dir = std::path::absolute(d).unwrap_or_else(|_| d.clone());
        let r = lint_skill_dir(&dir, mode);
        reports.push((dir, r));
    }
    let failed = reports.iter().filter(|(_, r)| !r.ok).count();
    if a.json {
        let v: Vec<Value> = reports
            .iter()
            .map(|(d, r)| {
                json!({
                    "path": d.to_string_lossy(),
                    "mode": mode,
                    "ok": r.ok,
                    "findings": r.findings,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(v)).unwrap_or_default()
        );
    } else {
        for (d, r) in &reports {
            let errors = r
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let warnings = r.findings.len() - errors;
            let verdict = if r.ok { "ok  " } else { "FAIL" };
            println!(
                "{verdict} {}  ({errors} error{}, {warnings} warning{})",
                d.display(),
                plural(errors),
                plural(warnings)
            );
            for f in &r.findings {
                let sev = match f.severity {
                    Severity::Error => "error  ",
                    Severity::Warning => "warning",
                };
                match &f.field {
                    Some(field) => println!("  {sev} {} [{field}]: {}", f.code, f.message),
                    None => println!("  {sev} {}: {}", f.code, f.message),
                }
            }
        }
        let mode_name = match mode {
            LintMode::Spec => "Agent Skills specification",
            LintMode::ClaudeCode => "Agent Skills specification + Claude Code keys",
        };
        println!(
            "{} skill{} checked against the {mode_name}: {} ok, {failed} with errors",
            reports.len(),
            plural(reports.len()),
            reports.len() - failed
        );
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        let e = Error::invalid(format!(
            "{failed} of {} skill{} {} lint errors",
            reports.len(),
            plural(reports.len()),
            if failed == 1 { "has" } else { "have" }
        ));
        eprintln!("{}", e.to_json());
        ExitCode::from(1)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Runs `import …`.
pub async fn import(app: &Arc<App>, what: ImportWhat) -> Result<()> {
    match what {
        ImportWhat::Zip { file, name, json } => {
            let abs = std::path::absolute(&file)
                .map_err(|e| Error::invalid(format!("bad path {}: {e}", file.display())))?;
            let path = abs
                .to_str()
                .ok_or_else(|| {
                    Error::invalid(format!("path is not valid UTF-8: {}", abs.display()))
                })?
                .to_string();
            let mut args = json!({ "filePath": path });
            if let Some(n) = name {
                args["nameOverride"] = Value::String(n);
            }
            let v = catalog::call(app, "upload_skill", args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                return Ok(());
            }
            let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
            println!("Imported '{}' → {}", text("skill_name"), text("disk_path"));
            if let Some(d) = v["description"].as_str() {
                let first = d.lines().next().unwrap_or("");
                println!("  {first}");
            }
            let warnings: Vec<&str> = v["warnings"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !warnings.is_empty() {
                println!("Warnings ({}):", warnings.len());
                for w in warnings {
                    println!("  - {w}");
                }
            }
            Ok(())
        }
    }
}
