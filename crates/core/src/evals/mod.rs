//! Skill quality CI (issue 15): eval suites run with and without the skill, trigger checks of
//! the description, every result stored per skill version, and a regression gate.
//!
//! - [`files`]: `evals/evals.json` and `evals/triggers.json` in skill-creator's formats;
//! - [`run`]: sandboxes and agent runs (with / baseline), concurrency, storage of the result;
//! - [`grade`]: `regex:` / `contains:` checks in code, a blind judge for the rest;
//! - [`agent`]: one agent run through the pool and what is read back from it (tool calls);
//! - [`triggers`]: trigger sessions (did the agent load this skill with the `Skill` tool?);
//! - [`benchmark`]: skill-creator's `benchmark.json` plus this app's fields;
//! - [`versions`], [`gate`]: which version is measured, against what, and what a regression is;
//! - [`store`]: the `eval_runs` table and the benchmark files under `<data dir>/evals/`;
//! - [`optimize`]: proposing and scoring better descriptions on the trigger queries;
//! - [`commands`]: the catalog commands.

pub mod agent;
pub mod benchmark;
pub mod commands;
pub mod files;
pub mod gate;
pub mod grade;
pub mod optimize;
pub mod run;
pub mod sandbox;
pub mod store;
pub mod triggers;
pub mod versions;

pub use commands::{get_eval_run, get_evals, list_eval_runs, run_evals, save_evals};
pub use optimize::optimize_description;

/// `agent_runs.step_id` of every agent of an eval run (executors, judges, trigger sessions):
/// usage reports them as kind `eval`.
pub const EVAL_STEP_ID: i32 = 12;

/// Progress of a running `run_evals`: `{run_id, skill_name, phase, label, done, total}` with
/// phase `started`, `running` (a run started), `finished` (one more done) or `graded`. `total`
/// counts the runs: evals × runs × 2 configurations plus trigger queries × runs (a run's
/// judge calls are part of it).
pub use crate::events::EVAL_PROGRESS;
