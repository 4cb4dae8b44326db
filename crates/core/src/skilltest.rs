//! Skill tests: the same task planned by an agent with the skill and one without, compared by
//! an evaluator. `prepare`/`cleanup` make and remove the isolated workspaces; `run_skill_test`
//! (beyond the reference) runs all three agents and stores the result with the skill's version.

use crate::agents::{AgentRequest, RequestKind};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const SKILL_TEST_STEP_ID: i32 = 11;
/// Pool key of the baseline agents (not a skill name, so it can never clash with one).
pub const BASELINE_POOL: &str = "__test_baseline__";
const PLAN_TOOLS: [&str; 4] = ["Read", "Glob", "Grep", "Skill"];
/// A plan agent may load the skill, read its SKILL.md, the test context and a handful of
/// reference files before it answers.
const PLAN_MAX_TURNS: u32 = 20;
/// The evaluator's prompt sends it to read the rubric (`skill-test` SKILL.md and
/// `references/evaluation-rubric.md`) before its single answer: each read is a turn.
const EVAL_TOOLS: [&str; 1] = ["Read"];
const EVAL_MAX_TURNS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrepareResult {
    pub test_id: String,
    pub baseline_cwd: String,
    pub with_skill_cwd: String,
    pub transcript_log_dir: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillTestResult {
    pub id: String,
    pub skill_name: String,
    /// The skills-repo commit the skill was at (its version).
    pub skill_version: Option<String>,
    pub prompt: String,
    pub baseline_output: String,
    pub with_skill_output: String,
    pub evaluation: String,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareArgs {
    pub skill_name: String,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CleanupArgs {
    pub test_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunArgs {
    pub skill_name: String,
    pub prompt: String,
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListArgs {
    pub skill_name: String,
    #[serde(default)]
    pub limit: Option<usize>,
}

fn test_root(id: &str) -> PathBuf {
    std::env::temp_dir().join(format!("skill-builder-test-{id}"))
}

/// The `skill-test` context skill: the active `test-context` workspace skill, else bundled.
fn write_test_context(app: &App, dest: &Path) -> Result<()> {
    let custom: Option<String> = app
        .db
        .conn()
        .query_row(
            "SELECT disk_path FROM workspace_skills WHERE purpose = 'test-context' AND is_active = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    match custom
        .map(PathBuf::from)
        .filter(|p| safe_fs::is_real_dir(p))
    {
        Some(src) => copy_deployable(&src, dest),
        None => match crate::workflow::deploy::ASSETS.get_dir("skills/skill-test") {
            Some(d) => crate::workflow::deploy::write_dir(d, dest),
            None => Ok(()),
        },
    }
}

/// Copies the deployable files of a skill (architecture.md: regular files only, without
/// `context/`, `evals/`, `logs/`, links and junk) into `dest`. The research notes, the
/// decisions and the expected answers must never reach the agent under test.
fn copy_deployable(src: &Path, dest: &Path) -> Result<()> {
    let found = safe_fs::deployable_files(src)?;
    for link in &found.skipped_links {
        tracing::warn!(
            "skill test: not copying the symbolic link {} of {}",
            safe_fs::slash_path(link),
            src.display()
        );
    }
    std::fs::create_dir_all(dest).with_path(dest)?;
    for rel in &found.files {
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_path(parent)?;
        }
        std::fs::copy(src.join(rel), &to).with_path(&to)?;
    }
    Ok(())
}

fn lay_out(app: &App, ws: &Path, skill_src: Option<&Path>, skill: &str) -> Result<()> {
    let claude = ws.join(".claude");
    std::fs::create_dir_all(claude.join("skills")).with_path(&claude)?;
    std::fs::write(claude.join("CLAUDE.md"), "# Test Workspace").with_path(&claude)?;
    write_test_context(app, &claude.join("skills/skill-test"))?;
    if let Some(agents) = crate::workflow::deploy::ASSETS.get_dir("agents") {
        crate::workflow::deploy::write_dir(agents, &claude.join("agents"))?;
    }
    if let Some(src) = skill_src {
        copy_deployable(src, &claude.join("skills").join(skill))?;
    }
    Ok(())
}

/// Makes `<temp>/skill-builder-test-<uuid>/{baseline,with-skill}/`. On failure nothing stays.
pub fn prepare_skill_test(app: &App, a: PrepareArgs) -> Result<PrepareResult> {
    validate_skill_name(&a.skill_name)?;
    let src = app.skills_path().join(&a.skill_name);
    if !src.join("SKILL.md").is_file() {
        return Err(Error::not_found(format!(
            "Skill '{}' has no SKILL.md at {}; build it first",
            a.skill_name,
            src.display()
        )));
    }
    // A skill folder that is a link out of the skills path is refused, not followed.
    let src = safe_fs::guarded_dir(&app.skills_path(), &src)?;
    let id = uuid::Uuid::new_v4().to_string();
    let root = test_root(&id);
    let (base, with) = (root.join("baseline"), root.join("with-skill"));
    let res = lay_out(app, &base, None, &a.skill_name)
        .and_then(|_| lay_out(app, &with, Some(&src), &a.skill_name));
    if let Err(e) = res {
        let _ = std::fs::remove_dir_all(&root);
        return Err(e);
    }
    Ok(PrepareResult {
        test_id: id,
        baseline_cwd: base.display().to_string(),
        with_skill_cwd: with.display().to_string(),
        transcript_log_dir: app
            .workspace_path()
            .join(&a.skill_name)
            .join("logs")
            .display()
            .to_string(),
    })
}

/// Removes the test's temp folder. The id must be a UUID, so no other folder can be named.
pub fn cleanup_skill_test(_app: &App, a: CleanupArgs) -> Result<()> {
    let id = uuid::Uuid::parse_str(&a.test_id)
        .map_err(|_| Error::invalid(format!("testId '{}' is not a test id (UUID)", a.test_id)))?;
    let root = test_root(&id.to_string());
    match std::fs::remove_dir_all(&root) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!("Failed to clean up temp workspace: {e}"))),
    }
}

/// The final text of an agent run.
fn result_text(o: &crate::agents::AgentOutcome) -> String {
    o.result
        .as_ref()
        .and_then(|r| r["result"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// What the three agents of one test share.
struct TestRun<'a> {
    app: &'a App,
    skill: &'a str,
    model: String,
    key: Option<String>,
    ts: u128,
}

/// One of the three agents: which sidecar, where, as whom, with which tools.
struct Role<'a> {
    pool: &'a str,
    id_part: &'a str,
    cwd: &'a str,
    agent: &'a str,
    tools: &'a [&'a str],
    turns: u32,
    label: &'a str,
}

impl TestRun<'_> {
    fn request(&self, r: Role<'_>, prompt: String) -> AgentRequest {
        let mut config = json!({
            "prompt": prompt, "cwd": r.cwd, "model": self.model, "agentName": r.agent,
            "allowedTools": r.tools, "maxTurns": r.turns, "permissionMode": "acceptEdits",
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
            agent_id: format!("{}-{}-{}", r.pool, r.id_part, self.ts),
            skill_name: self.skill.to_string(),
            pool_key: Some(r.pool.to_string()),
            step_id: SKILL_TEST_STEP_ID,
            model: self.model.clone(),
            config,
            transcript: Some((
                self.app.workspace_path().join(self.skill).join("logs"),
                r.label.to_string(),
            )),
            workflow_session_id: None,
            kind: RequestKind::OneShot,
            on_finish: None,
        }
    }
}

/// Runs both plan agents in parallel, then the evaluator; stores and returns the result.
pub async fn run_skill_test(app: &Arc<App>, a: RunArgs) -> Result<SkillTestResult> {
    if a.prompt.trim().is_empty() {
        return Err(Error::invalid(
            "the test prompt is empty; describe a task the skill should help with",
        ));
    }
    let prep = prepare_skill_test(
        app,
        PrepareArgs {
            skill_name: a.skill_name.clone(),
            workspace_path: None,
        },
    )?;
    let outcome = run_agents(app, &a, &prep).await;
    let _ = cleanup_skill_test(
        app,
        CleanupArgs {
            test_id: prep.test_id.clone(),
        },
    );
    app.agents.cleanup_skill(app, BASELINE_POOL).await;
    let (with, base, eval) = outcome?;
    let result = SkillTestResult {
        id: prep.test_id,
        skill_name: a.skill_name.clone(),
        skill_version: crate::history::head_sha(&app.skills_path()),
        prompt: a.prompt,
        baseline_output: base,
        with_skill_output: with,
        evaluation: eval,
        created_at: crate::db::now(),
    };
    app.db.conn().execute(
        "INSERT INTO skill_test_results (id, skill_name, skill_id, skill_version, prompt, baseline_output,
                                         with_skill_output, evaluation, created_at)
         VALUES (?1, ?2, (SELECT id FROM skills WHERE name = ?2), ?3, ?4, ?5, ?6, ?7, ?8)",
        params![result.id, result.skill_name, result.skill_version, result.prompt, result.baseline_output,
                result.with_skill_output, result.evaluation, result.created_at],
    )?;
    Ok(result)
}

async fn run_agents(
    app: &Arc<App>,
    a: &RunArgs,
    prep: &PrepareResult,
) -> Result<(String, String, String)> {
    let key = if app.mock_agents() {
        None
    } else {
        Some(crate::anthropic::require_api_key(app)?)
    };
    let settings = crate::settings::load(app)?;
    let model =
        crate::anthropic::resolve_model(a.model.as_deref().or(settings.preferred_model.as_deref()));
    let skill = a.skill_name.as_str();
    let run = TestRun {
        app,
        skill,
        model,
        key,
        ts: crate::db::now_millis(),
    };
    let plan_prompt = format!(
        "You are a data engineer. Plan the following task:\n\n{}",
        a.prompt
    );
    let plan = |pool, id_part, cwd, label| Role {
        pool,
        id_part,
        cwd,
        agent: "test-plan",
        tools: &PLAN_TOOLS,
        turns: PLAN_MAX_TURNS,
        label,
    };
    let with_req = run.request(
        plan(skill, "test-with", &prep.with_skill_cwd, "test-with"),
        plan_prompt.clone(),
    );
    let base_req = run.request(
        plan(
            BASELINE_POOL,
            "test-without",
            &prep.baseline_cwd,
            "test-without",
        ),
        plan_prompt,
    );
    let (h1, h2) = tokio::try_join!(
        app.agents.send(app, with_req),
        app.agents.send(app, base_req)
    )?;
    let (o1, o2) = tokio::join!(h1.wait(), h2.wait());
    if !o1.success && !o2.success {
        return Err(Error::agent(format!(
            "both test agents failed: {}",
            o1.error.or(o2.error).unwrap_or_default()
        )));
    }
    let (with, base) = (result_text(&o1), result_text(&o2));
    let eval_prompt = format!(
        "Task prompt:\n{}\n\nPlan A (with the skill \"{skill}\"):\n{with}\n\nPlan B (without the skill):\n{base}\n\n\
         Apply the evaluation rubric from your context, then end with a `## Recommendations` section.",
        a.prompt
    );
    let eval_req = run.request(
        Role {
            pool: BASELINE_POOL,
            id_part: "test-eval",
            cwd: &prep.baseline_cwd,
            agent: "test-evaluator",
            tools: &EVAL_TOOLS,
            turns: EVAL_MAX_TURNS,
            label: "test-eval",
        },
        eval_prompt,
    );
    let eval = app.agents.send(app, eval_req).await?.wait().await;
    if !eval.success {
        return Err(Error::agent(format!(
            "the evaluator failed: {}",
            eval.error.unwrap_or_default()
        )));
    }
    Ok((with, base, result_text(&eval)))
}

/// Stored results of a skill, newest first (compare them across versions).
pub fn list_skill_test_results(app: &App, a: ListArgs) -> Result<Vec<SkillTestResult>> {
    validate_skill_name(&a.skill_name)?;
    let conn = app.db.conn();
    let mut stmt = conn.prepare(
        "SELECT id, skill_name, skill_version, prompt, baseline_output, with_skill_output, evaluation, created_at
         FROM skill_test_results WHERE skill_name = ?1 ORDER BY created_at DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![a.skill_name, a.limit.unwrap_or(50) as i64], |r| {
        Ok(SkillTestResult {
            id: r.get(0)?,
            skill_name: r.get(1)?,
            skill_version: r.get(2)?,
            prompt: r.get(3)?,
            baseline_output: r.get(4)?,
            with_skill_output: r.get(5)?,
            evaluation: r.get(6)?,
            created_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn files_under(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
                if ft.is_dir() {
                    stack.push(p);
                } else {
                    out.push(if ft.is_symlink() {
                        format!("{rel} (link)")
                    } else {
                        rel
                    });
                }
            }
        }
        out.sort();
        out
    }

    /// The with-skill sandbox gets the skill's deployable files only: never the research
    /// notes, decisions, expected answers or evals, and never a link (issue 13).
    #[test]
    fn the_sandbox_holds_only_the_deployable_files_of_the_skill() {
        let data = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "private").unwrap();
        let app = App::open_with(Some(data.path().to_path_buf()), Default::default()).unwrap();
        let skill = app.skills_path().join("sandboxed");
        for d in ["context", "evals", "scripts", "references", "logs"] {
            std::fs::create_dir_all(skill.join(d)).unwrap();
        }
        let files = [
            ("SKILL.md", "---\nname: sandboxed\ndescription: d\n---\n"),
            ("context/decisions.md", "D1"),
            ("context/clarifications.json", "{}"),
            ("context/evaluations.md", "expected answers"),
            ("evals/evals.json", "[]"),
            ("logs/step0.jsonl", "{}"),
            ("scripts/x.sh", "#!/bin/sh\necho hi\n"),
            ("references/a.md", "# A"),
            ("LICENSE.txt", "MIT"),
        ];
        for (rel, text) in files {
            std::fs::write(skill.join(rel), text).unwrap();
        }
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            skill.join("references/leak.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), skill.join("linked-dir")).unwrap();

        let prep = prepare_skill_test(
            &app,
            PrepareArgs {
                skill_name: "sandboxed".into(),
                workspace_path: None,
            },
        )
        .unwrap();
        let copied = Path::new(&prep.with_skill_cwd).join(".claude/skills/sandboxed");
        assert_eq!(
            files_under(&copied),
            ["LICENSE.txt", "SKILL.md", "references/a.md", "scripts/x.sh"]
        );
        let baseline = Path::new(&prep.baseline_cwd).join(".claude/skills");
        assert!(!baseline.join("sandboxed").exists());
        cleanup_skill_test(
            &app,
            CleanupArgs {
                test_id: prep.test_id,
            },
        )
        .unwrap();
    }
}
