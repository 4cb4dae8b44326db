//! Trigger sessions: a query sent to an agent whose working folder holds only the skill under
//! test (in `.claude/skills/<name>/`, nothing else of ours). *Triggered* means the agent
//! called the `Skill` tool with this skill's name (read back from the session's transcript).
//! Used by `run_evals` for the trigger rates and by the description optimiser for its scores.

use super::agent::{invoked_skill, Ask, Runner};
use super::benchmark::Cost;
use super::sandbox;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinSet;

/// A trigger session only needs to decide whether to load the skill.
const TRIGGER_TOOLS: [&str; 4] = ["Skill", "Read", "Glob", "Grep"];
const TRIGGER_MAX_TURNS: u32 = 4;

/// Told `("running" | "finished", label)` around each session.
pub type Hook = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// One session of `query` with the skill at `skill_src`, in the working folder `root/label`.
/// Returns whether it triggered, and its cost.
pub async fn session(
    runner: &Runner,
    root: &Path,
    skill_src: &Path,
    label: &str,
    query: String,
) -> Result<(bool, f64)> {
    let dir = sandbox::workdir(root, label, Some((runner.skill.as_str(), skill_src)), &[])?;
    let run = runner
        .run(Ask {
            label,
            cwd: &dir,
            prompt: query,
            tools: &TRIGGER_TOOLS,
            max_turns: TRIGGER_MAX_TURNS,
        })
        .await?;
    if run.never_ran() {
        return Err(Error::agent(format!(
            "the trigger session {label} could not run: {}",
            run.outcome.error.clone().unwrap_or_default()
        )));
    }
    Ok((invoked_skill(&run.tool_uses, &runner.skill), run.cost))
}

/// Every query `runs` times, concurrently within the runner's limit. Returns the outcomes of
/// each query (in the order given) and the cost. `prefix` keeps session labels unique within
/// the eval run (`t`, `opt2-train`…).
pub async fn run_all(
    runner: Arc<Runner>,
    root: PathBuf,
    skill_src: PathBuf,
    prefix: &str,
    queries: &[String],
    runs: u32,
    hook: Hook,
) -> Result<(Vec<Vec<bool>>, Cost)> {
    let mut jobs = JoinSet::new();
    for (q, query) in queries.iter().enumerate() {
        for run_number in 1..=runs {
            let label = format!("{prefix}{}-r{run_number}", q + 1);
            let (runner, root, src, hook, query) = (
                runner.clone(),
                root.clone(),
                skill_src.clone(),
                hook.clone(),
                query.clone(),
            );
            jobs.spawn(async move {
                hook("running", &label);
                let out = session(&runner, &root, &src, &label, query).await?;
                hook("finished", &label);
                Ok::<_, Error>((q, out))
            });
        }
    }
    let mut outcomes = vec![Vec::new(); queries.len()];
    let mut cost = Cost::default();
    while let Some(done) = jobs.join_next().await {
        let (q, (triggered, spent)) =
            done.map_err(|e| Error::internal(format!("a trigger session panicked: {e}")))??;
        outcomes[q].push(triggered);
        cost.total_usd += spent;
        cost.agent_runs += 1;
    }
    Ok((outcomes, cost))
}
