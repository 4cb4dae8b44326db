//! `run_evals`: every eval `runs` times with the skill and with the baseline (no skill, or an
//! earlier version), each output graded; every trigger query `runs` times in a session with
//! only this skill installed; then the benchmark, the gate against the predecessor, storage.
//!
//! All agent runs go through the pool concurrently, at most `concurrency` at a time, on a
//! sidecar of their own; usage is recorded as kind `eval`. The skill is copied once at the
//! start, so every run measures the same files even if the folder is edited meanwhile.

use super::agent::{Ask, Runner};
use super::benchmark::{
    self, Benchmark, Cost, Metadata, RunRecord, RunResult, WITHOUT_SKILL, WITH_SKILL,
};
use super::files::{self, EvalCase, TriggerQuery};
use super::grade::{self, Graded, RunOutput};
use super::sandbox::{self, Sandbox};
use super::versions::{self, BaselineSpec, Version};
use super::{gate, store, triggers};
use crate::app::App;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::ingest::names::validate_skill_name;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::task::JoinSet;

pub const DEFAULT_RUNS: u32 = 3;
pub const MAX_RUNS: u32 = 20;
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const MAX_CONCURRENCY: usize = 16;

/// The executor may do whatever the task needs inside its working folder, and load the skill.
const EXECUTOR_TOOLS: [&str; 7] = ["Read", "Write", "Edit", "Glob", "Grep", "Bash", "Skill"];
const EXECUTOR_MAX_TURNS: u32 = 30;
/// The judge answers from the prompt alone.
const JUDGE_TOOLS: [&str; 0] = [];
const JUDGE_MAX_TURNS: u32 = 2;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunArgs {
    pub skill_name: String,
    /// Runs per eval and configuration (and per trigger query); default 3.
    #[serde(default)]
    pub runs: Option<u32>,
    /// `none` (default), `previous` or a commit sha.
    #[serde(default)]
    pub baseline: Option<String>,
    /// Agent runs at the same time; default 4.
    #[serde(default)]
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub model: Option<String>,
}

/// The checked arguments.
struct Plan {
    skill: String,
    runs: u32,
    baseline: BaselineSpec,
    concurrency: usize,
    evals: Vec<EvalCase>,
    triggers: Vec<TriggerQuery>,
    skill_dir: PathBuf,
}

fn plan(app: &App, a: &RunArgs) -> Result<Plan> {
    validate_skill_name(&a.skill_name)?;
    let runs = a.runs.unwrap_or(DEFAULT_RUNS);
    if !(1..=MAX_RUNS).contains(&runs) {
        return Err(Error::invalid(format!(
            "runs must be between 1 and {MAX_RUNS}, got {runs}"
        )));
    }
    let concurrency = a.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
    if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
        return Err(Error::invalid(format!(
            "concurrency must be between 1 and {MAX_CONCURRENCY}, got {concurrency}"
        )));
    }
    let baseline = BaselineSpec::parse(a.baseline.as_deref())?;
    let skill = a.skill_name.clone();
    let dir = app.skills_path().join(&skill);
    if !dir.join("SKILL.md").is_file() {
        return Err(Error::not_found(format!(
            "skill '{skill}' has no SKILL.md at {}; build or write it first",
            dir.display()
        )));
    }
    let skill_dir = crate::safe_fs::guarded_dir(&app.skills_path(), &dir)?;
    let evals = files::read_evals(&skill_dir)?;
    let triggers = files::read_triggers(&skill_dir)?;
    if let Some(f) = &evals {
        files::validate_evals(&skill, &skill_dir, f)?;
    }
    if let Some(t) = &triggers {
        files::validate_triggers(t)?;
    }
    let evals = evals.map(|f| f.evals).unwrap_or_default();
    let triggers = triggers.unwrap_or_default();
    if evals.is_empty() && triggers.is_empty() {
        return Err(Error::not_found(format!(
            "skill '{skill}' has no evals: write {} and/or {} in its folder (save_evals does)",
            files::EVALS_FILE,
            files::TRIGGERS_FILE
        )));
    }
    Ok(Plan {
        skill,
        runs,
        baseline,
        concurrency,
        evals,
        triggers,
        skill_dir,
    })
}

/// Counts finished agent jobs and tells the shells (`eval-progress`).
struct Progress {
    app: Arc<App>,
    run_id: String,
    skill: String,
    total: usize,
    done: AtomicUsize,
}

impl Progress {
    fn emit(&self, phase: &str, label: &str) {
        let done = match phase {
            "finished" => self.done.fetch_add(1, Ordering::SeqCst) + 1,
            _ => self.done.load(Ordering::SeqCst),
        };
        self.app.events.emit(Event {
            name: super::EVAL_PROGRESS,
            payload: json!({"run_id": self.run_id, "skill_name": self.skill, "phase": phase,
                            "label": label, "done": done, "total": self.total}),
        });
    }
}

/// What every job of one eval run shares.
struct Shared {
    runner: Arc<Runner>,
    root: PathBuf,
    /// The skill as measured (deployable files, copied once).
    skill_src: PathBuf,
    /// The baseline version (deployable files), if the baseline has a skill.
    baseline_src: Option<PathBuf>,
    judge_dir: PathBuf,
    progress: Progress,
}

/// Runs the evals and trigger queries of a skill and stores the benchmark (see module notes).
pub async fn run_evals(app: &Arc<App>, a: RunArgs) -> Result<Benchmark> {
    let plan = plan(app, &a)?;
    let runner = Runner::new(app, &plan.skill, a.model.as_deref(), plan.concurrency)?;
    let version = versions::current(app, &plan.skill)?;
    let sandbox = Sandbox::new(&runner.run_id)?;
    let pool = runner.pool.clone();
    let outcome = measure(app, &plan, &version, &sandbox, runner).await;
    app.agents.cleanup_skill(app, &pool).await;
    drop(sandbox);
    let mut bench = outcome?;
    bench.regressions = regressions_of(app, &bench)?;
    store::save(app, &bench)?;
    Ok(bench)
}

fn regressions_of(app: &App, bench: &Benchmark) -> Result<Vec<gate::Regression>> {
    let skill = &bench.metadata.skill_name;
    let history: Vec<String> =
        crate::history::skill_history(&app.skills_path(), skill, usize::MAX)?
            .into_iter()
            .map(|c| c.sha)
            .collect();
    let stored = store::stored_runs(app, skill)?;
    Ok(
        match gate::predecessor(&bench.skill_version, &history, &stored) {
            Some(before) => gate::regressions(before, bench),
            None => Vec::new(),
        },
    )
}

async fn measure(
    app: &Arc<App>,
    plan: &Plan,
    version: &Version,
    sb: &Sandbox,
    runner: Runner,
) -> Result<Benchmark> {
    let skill_src = sb.root.join("skill");
    sandbox::deploy(&plan.skill_dir, &skill_src)?;
    let exported = sb.root.join("baseline-version");
    let baseline_sha =
        versions::export_baseline(app, &plan.skill, &plan.baseline, version, &exported)?;
    let judge_dir = sb.root.join("judge");
    std::fs::create_dir_all(&judge_dir).map_err(|e| Error::from(e).context(judge_dir.display()))?;
    let total = (plan.evals.len() * 2 + plan.triggers.len()) * plan.runs as usize;
    let shared = Arc::new(Shared {
        progress: Progress {
            app: app.clone(),
            run_id: runner.run_id.clone(),
            skill: plan.skill.clone(),
            total,
            done: AtomicUsize::new(0),
        },
        baseline_src: baseline_sha.as_ref().map(|_| exported.clone()),
        runner: Arc::new(runner),
        root: sb.root.clone(),
        skill_src,
        judge_dir,
    });
    shared.progress.emit("started", "");
    let mut eval_jobs = JoinSet::new();
    for (i, case) in plan.evals.iter().enumerate() {
        let inputs: Vec<(PathBuf, String)> = case
            .files
            .iter()
            .map(|f| {
                let name = Path::new(f)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (plan.skill_dir.join(f), name)
            })
            .collect();
        for run_number in 1..=plan.runs {
            for config in [WITH_SKILL, WITHOUT_SKILL] {
                let job = EvalJob {
                    index: i + 1,
                    case: case.clone(),
                    inputs: inputs.clone(),
                    config,
                    run_number,
                };
                eval_jobs.spawn(run_eval_job(shared.clone(), job));
            }
        }
    }
    let queries: Vec<String> = plan.triggers.iter().map(|t| t.query.clone()).collect();
    let hook: triggers::Hook = {
        let shared = shared.clone();
        Arc::new(move |phase: &str, label: &str| shared.progress.emit(phase, label))
    };
    let trigger_runs = triggers::run_all(
        shared.runner.clone(),
        shared.root.clone(),
        shared.skill_src.clone(),
        "t",
        &queries,
        plan.runs,
        hook,
    );
    let eval_runs = async {
        let mut runs = Vec::new();
        let mut cost = Cost::default();
        while let Some(done) = eval_jobs.join_next().await {
            let (record, spent) =
                done.map_err(|e| Error::internal(format!("an eval run panicked: {e}")))??;
            cost.total_usd += spent.total_usd;
            cost.agent_runs += spent.agent_runs;
            runs.push(record);
        }
        Ok::<_, Error>((runs, cost))
    };
    let ((mut runs, mut cost), (outcomes, trigger_cost)) =
        tokio::try_join!(eval_runs, trigger_runs)?;
    cost.total_usd += trigger_cost.total_usd;
    cost.agent_runs += trigger_cost.agent_runs;
    shared.progress.emit("graded", "");
    runs.sort_by(|a, b| {
        let pos = |r: &RunRecord| plan.evals.iter().position(|e| e.id == r.eval_id);
        (pos(a), a.run_number, a.configuration != WITH_SKILL).cmp(&(
            pos(b),
            b.run_number,
            b.configuration != WITH_SKILL,
        ))
    });
    cost.total_usd = benchmark::round4(cost.total_usd);
    let ids: Vec<(Value, String)> = plan
        .evals
        .iter()
        .map(|e| (e.id.clone(), e.prompt.clone()))
        .collect();
    let triggers = (!plan.triggers.is_empty()).then(|| {
        let results = plan
            .triggers
            .iter()
            .zip(outcomes)
            .map(|(t, o)| (t.query.clone(), t.should_trigger, o))
            .collect();
        benchmark::trigger_summary(results, plan.runs)
    });
    Ok(Benchmark {
        metadata: Metadata {
            skill_name: plan.skill.clone(),
            skill_path: plan.skill_dir.display().to_string(),
            executor_model: shared.runner.model.clone(),
            analyzer_model: shared.runner.model.clone(),
            timestamp: crate::db::now(),
            evals_run: ids.iter().map(|(id, _)| id.clone()).collect(),
            runs_per_configuration: plan.runs,
            baseline: baseline_sha.unwrap_or_else(|| "none".into()),
            baseline_source: plan.baseline.source().into(),
        },
        run_summary: benchmark::run_summary(&runs),
        evals: benchmark::eval_summaries(&ids, &runs),
        runs,
        notes: Vec::new(),
        run_id: shared.runner.run_id.clone(),
        skill_version: version.label.clone(),
        triggers,
        regressions: Vec::new(),
        cost,
    })
}

struct EvalJob {
    index: usize,
    case: EvalCase,
    inputs: Vec<(PathBuf, String)>,
    config: &'static str,
    run_number: u32,
}

fn executor_prompt(case: &EvalCase, inputs: &[(PathBuf, String)]) -> String {
    if inputs.is_empty() {
        return case.prompt.clone();
    }
    let names: Vec<&str> = inputs.iter().map(|(_, n)| n.as_str()).collect();
    format!(
        "{}\n\nInput files (in your working folder): {}",
        case.prompt,
        names.join(", ")
    )
}

/// One executor run and its grading.
async fn run_eval_job(s: Arc<Shared>, job: EvalJob) -> Result<(RunRecord, Cost)> {
    let short = if job.config == WITH_SKILL {
        "with"
    } else {
        "without"
    };
    let label = format!("e{}-{short}-r{}", job.index, job.run_number);
    let skill = match job.config {
        WITH_SKILL => Some(s.skill_src.as_path()),
        _ => s.baseline_src.as_deref(),
    };
    let dir = sandbox::workdir(
        &s.root,
        &label,
        skill.map(|p| (s.runner.skill.as_str(), p)),
        &job.inputs,
    )?;
    let before = sandbox::snapshot(&dir);
    s.progress.emit("running", &label);
    let run = s
        .runner
        .run(Ask {
            label: &label,
            cwd: &dir,
            prompt: executor_prompt(&job.case, &job.inputs),
            tools: &EXECUTOR_TOOLS,
            max_turns: EXECUTOR_MAX_TURNS,
        })
        .await?;
    if run.never_ran() {
        return Err(Error::agent(format!(
            "eval {} ({}, run {}) could not run: {}",
            job.case.id_text(),
            job.config,
            job.run_number,
            run.outcome.error.clone().unwrap_or_default()
        )));
    }
    let output = RunOutput {
        answer: run.answer.clone(),
        files: sandbox::written_files(&dir, &before),
    };
    let mut cost = Cost {
        total_usd: run.cost,
        agent_runs: 1,
    };
    let mut graded = Vec::new();
    for (k, expectation) in job.case.expectations.iter().enumerate() {
        let g = match grade::check_in_code(expectation, &output) {
            Some(g) => g,
            None => {
                let (g, spent) = judge(
                    &s,
                    &format!("judge{}-{label}", k + 1),
                    &job.case.prompt,
                    expectation,
                    &output,
                )
                .await?;
                cost.total_usd += spent;
                cost.agent_runs += 1;
                g
            }
        };
        graded.push(g);
    }
    let errors = u32::from(!run.outcome.success);
    let notes = run
        .outcome
        .error
        .iter()
        .map(|e| format!("the run ended with an error: {e}"))
        .collect();
    s.progress.emit("finished", &label);
    Ok((
        RunRecord {
            eval_id: job.case.id.clone(),
            configuration: job.config.into(),
            run_number: job.run_number,
            result: RunResult::of(
                &graded,
                run.seconds,
                run.tokens,
                run.tool_uses.len() as u32,
                errors,
            ),
            expectations: graded,
            notes,
        },
        cost,
    ))
}

/// One blind judge call (see [`grade::judge_prompt`]).
async fn judge(
    s: &Shared,
    label: &str,
    task: &str,
    expectation: &str,
    output: &RunOutput,
) -> Result<(Graded, f64)> {
    let run = s
        .runner
        .run(Ask {
            label,
            cwd: &s.judge_dir,
            prompt: grade::judge_prompt(task, expectation, output),
            tools: &JUDGE_TOOLS,
            max_turns: JUDGE_MAX_TURNS,
        })
        .await?;
    if run.never_ran() {
        return Err(Error::agent(format!(
            "the judge of '{expectation}' could not run: {}",
            run.outcome.error.clone().unwrap_or_default()
        )));
    }
    Ok((grade::parse_verdict(expectation, &run.answer), run.cost))
}
