//! `skill-builder lint <dir>…`, `skill-builder import zip <file>`, `import github` and
//! `import git <url>`.
//!
//! `lint` checks folders the user names on the command line (no path guard: the CLI user
//! already has access to them) with the core linter; exit code 1 when any skill has an
//! error (the last stderr line is then the usual JSON error line). `lint --fix` first moves
//! non-spec frontmatter keys under `metadata` (a Skills Library skill's rewrite is committed),
//! then lints the result. `import zip` calls the `upload_skill` command (`--library`: its
//! `target: "library"`).

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use skill_builder_core::ingest::lint::{lint_skill_dir, LintMode, LintReport, Severity};
use skill_builder_core::ingest::{fix_skill_dir, FixOutcome};
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
    /// First rewrite SKILL.md: move `version`, `author`, `created`, `modified`, `tools` and
    /// other non-spec keys under `metadata` (values kept, as strings; Claude Code's own keys
    /// stay). A Skills Library skill's change is committed to its history.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Subcommand)]
pub enum ImportWhat {
    /// Install a skill ZIP (`.zip`/`.skill`) into Settings→Skills (the agents' skills), or
    /// with --library into the Skills Library.
    Zip {
        file: PathBuf,
        /// Install under this name instead of the frontmatter `name`.
        #[arg(long)]
        name: Option<String>,
        /// Into the Skills Library (committed to the skill's history; default: Settings→Skills,
        /// the agents' workspace skills).
        #[arg(long)]
        library: bool,
        /// Print the imported skill as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import skills from a GitHub repository or marketplace (`owner/repo` or an https URL,
    /// optionally `/tree/<branch>/<path>`).
    Github {
        url: String,
        /// Into the Skills Library (default: Settings→Skills, the agents' workspace skills).
        #[arg(long)]
        library: bool,
        /// Import every skill the repository lists.
        #[arg(long)]
        all: bool,
        /// Import this skill folder (repeatable); see the list printed without --all/--skill.
        #[arg(long = "skill")]
        skills: Vec<String>,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import skills from any git repository (`https://…`, `ssh://…`, `git@host:path`,
    /// `file://…` or a folder), pinned to one commit of a branch, tag or commit id.
    Git {
        url: String,
        /// Branch, tag or commit id (default: the repository's HEAD).
        #[arg(long = "ref")]
        git_ref: Option<String>,
        /// Into the Skills Library (default: Settings→Skills, the agents' workspace skills).
        #[arg(long)]
        library: bool,
        /// Import every skill the repository lists.
        #[arg(long, conflicts_with = "skills")]
        all: bool,
        /// Import this skill folder (repeatable); see the list printed without --all/--skill.
        #[arg(long = "skill")]
        skills: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// What `--fix` did to one folder: nothing asked, done, or refused (the error).
enum FixResult {
    NotAsked,
    Done(FixOutcome),
    Failed(Error),
}

impl FixResult {
    fn json(&self) -> Value {
        match self {
            FixResult::NotAsked => Value::Null,
            FixResult::Done(f) => serde_json::to_value(f).unwrap_or_default(),
            FixResult::Failed(e) => json!({"error": e.message}),
        }
    }

    fn describe(&self) -> Option<String> {
        match self {
            FixResult::NotAsked => None,
            FixResult::Failed(e) => Some(format!("  fix refused: {}", e.message)),
            FixResult::Done(f) if !f.fix.changed => Some("  fix: nothing to change".into()),
            FixResult::Done(f) => {
                let mut parts = Vec::new();
                if !f.fix.moved.is_empty() {
                    parts.push(format!("moved under metadata: {}", f.fix.moved.join(", ")));
                }
                if f.fix.bom_removed {
                    parts.push("byte-order mark removed".into());
                }
                if f.commit.is_some() {
                    parts.push("committed to the skill's history".into());
                }
                Some(format!("  fixed: {}", parts.join("; ")))
            }
        }
    }
}

/// Runs `lint`; returns the exit code (0: no errors, 1: some skill has errors, after `--fix`
/// when given).
pub fn lint(app: &App, a: LintArgs) -> ExitCode {
    let mode = if a.claude_code {
        LintMode::ClaudeCode
    } else {
        LintMode::Spec
    };
    let mut reports: Vec<(PathBuf, LintReport, FixResult)> = Vec::new();
    for d in &a.dirs {
        let dir = std::path::absolute(d).unwrap_or_else(|_| d.clone());
        let fix = if a.fix {
            match fix_skill_dir(Some(app), &dir) {
                Ok(f) => FixResult::Done(f),
                Err(e) => FixResult::Failed(e),
            }
        } else {
            FixResult::NotAsked
        };
        let r = lint_skill_dir(&dir, mode);
        reports.push((dir, r, fix));
    }
    let failed = reports.iter().filter(|(_, r, _)| !r.ok).count();
    if a.json {
        let v: Vec<Value> = reports
            .iter()
            .map(|(d, r, fix)| {
                let mut o = json!({
                    "path": d.to_string_lossy(),
                    "mode": mode,
                    "ok": r.ok,
                    "claude_code_only": r.claude_code_only,
                    "findings": r.findings,
                });
                if a.fix {
                    o["fix"] = fix.json();
                }
                o
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(v)).unwrap_or_default()
        );
    } else {
        for (d, r, fix) in &reports {
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
            if let Some(line) = fix.describe() {
                println!("{line}");
            }
            if r.claude_code_only {
                println!("  Claude Code only: uses Claude Code's own frontmatter keys (check with --claude-code)");
            }
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

/// `import github`: lists the repository's skills, then imports the chosen ones one by one
/// with a progress bar, so a failure of one never hides the others.
async fn import_github(
    app: &Arc<App>,
    url: String,
    library: bool,
    all: bool,
    skills: Vec<String>,
    json: bool,
) -> Result<()> {
    let info = catalog::call(app, "parse_github_url", json!({"url": url})).await?;
    let listed = catalog::call(
        app,
        "list_github_skills",
        json!({"owner": info["owner"], "repo": info["repo"], "branch": info["branch"], "subpath": info["subpath"]}),
    )
    .await?;
    let available: Vec<&Value> = listed
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let paths: Vec<String> = if all {
        available
            .iter()
            .filter_map(|s| s["path"].as_str().map(str::to_owned))
            .collect()
    } else if !skills.is_empty() {
        for p in &skills {
            if !available.iter().any(|s| s["path"] == p.as_str()) {
                return Err(Error::not_found(format!(
                    "'{p}' is not a skill of {url}; run without --skill to see the list"
                )));
            }
        }
        skills
    } else {
        eprintln!("Skills in {url}:");
        for s in &available {
            eprintln!(
                "  {:<40} {}",
                s["path"].as_str().unwrap_or(""),
                s["description"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
        }
        return Err(Error::invalid(
            "choose what to import: --all, or --skill <path> (repeatable)",
        ));
    };
    let bar = indicatif::ProgressBar::new(paths.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut results = Vec::new();
    for p in &paths {
        bar.set_message(p.clone());
        let r = if library {
            catalog::call(
                app,
                "import_marketplace_to_library",
                json!({"sourceUrl": url, "skillPaths": [p]}),
            )
            .await
        } else {
            catalog::call(
                app,
                "import_github_skills",
                json!({"owner": info["owner"], "repo": info["repo"], "branch": info["branch"],
                       "skillRequests": [{"path": p}], "sourceUrl": url}),
            )
            .await
        };
        let row = match r {
            Ok(Value::Array(mut v)) if !v.is_empty() => v.remove(0),
            Ok(other) => other,
            Err(e) => json!({"path": p, "status": "failed", "error": e.message}),
        };
        bar.println(format!(
            "{:<8} {}{}",
            row["status"]
                .as_str()
                .unwrap_or(if row["success"] == false {
                    "failed"
                } else {
                    "imported"
                }),
            p,
            row["error"]
                .as_str()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        ));
        results.push(row);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).unwrap_or_default()
        );
    }
    let failed = results
        .iter()
        .filter(|r| r["status"] == "failed" || r["success"] == false)
        .count();
    if failed == results.len() && failed > 0 {
        return Err(Error::network(format!("all {failed} import(s) failed")));
    }
    Ok(())
}

/// Where a listed skill is already imported: ` [library @1a2b3c4d, update available]`.
fn pins_note(skill: &Value) -> String {
    let pins: Vec<String> = skill["imported"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let commit = p["commit"].as_str().unwrap_or("");
            let state = if p["updateAvailable"] == true {
                "update available"
            } else {
                "up to date"
            };
            format!(
                "{} @{}, {state}",
                p["target"].as_str().unwrap_or(""),
                &commit[..commit.len().min(8)]
            )
        })
        .collect();
    if pins.is_empty() {
        String::new()
    } else {
        format!(" [{}]", pins.join("; "))
    }
}

/// `import git`: without a choice, lists the repository's skills and asks; otherwise imports
/// them from one fetch (`import_git_skills`), one line per skill.
async fn import_git(
    app: &Arc<App>,
    url: String,
    git_ref: Option<String>,
    library: bool,
    all: bool,
    skills: Vec<String>,
    json: bool,
) -> Result<()> {
    if !all && skills.is_empty() {
        let listed =
            catalog::call(app, "list_git_skills", json!({"url": url, "ref": git_ref})).await?;
        eprintln!(
            "Skills in {} at {}:",
            listed["url"].as_str().unwrap_or(&url),
            listed["commit"].as_str().unwrap_or("")
        );
        for s in listed["skills"].as_array().into_iter().flatten() {
            let first = s["description"]
                .as_str()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("");
            eprintln!(
                "  {:<40} {first}{}",
                s["path"].as_str().unwrap_or(""),
                pins_note(s)
            );
        }
        return Err(Error::invalid(
            "choose what to import: --all, or --skill <path> (repeatable)",
        ));
    }
    let target = if library { "library" } else { "workspace" };
    let v = catalog::call(
        app,
        "import_git_skills",
        json!({"url": url, "ref": git_ref, "all": all, "paths": skills, "target": target}),
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(());
    }
    let commit = v["commit"].as_str().unwrap_or("");
    println!(
        "{} at {}:",
        v["url"].as_str().unwrap_or(&url),
        &commit[..commit.len().min(12)]
    );
    for r in v["results"].as_array().into_iter().flatten() {
        println!(
            "{:<8} {}{}",
            r["status"].as_str().unwrap_or(""),
            r["path"].as_str().unwrap_or(""),
            r["error"]
                .as_str()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// Runs `import …`.
pub async fn import(app: &Arc<App>, what: ImportWhat) -> Result<()> {
    match what {
        ImportWhat::Git {
            url,
            git_ref,
            library,
            all,
            skills,
            json,
        } => import_git(app, url, git_ref, library, all, skills, json).await,
        ImportWhat::Github {
            url,
            library,
            all,
            skills,
            json,
        } => import_github(app, url, library, all, skills, json).await,
        ImportWhat::Zip {
            file,
            name,
            library,
            json,
        } => {
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
            if library {
                args["target"] = json!("library");
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
