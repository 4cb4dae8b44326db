//! The result of an eval run in skill-creator's `benchmark.json` schema — `metadata`,
//! `runs[]` (eval runs only), `run_summary` (mean, stddev, min, max per configuration and the
//! `delta`), `notes` — so its viewer and scripts read it, plus this app's fields: `run_id`,
//! `skill_version`, `evals` (the per-eval summary the gate compares), `triggers`,
//! `regressions` and `cost`.

use super::grade::Graded;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const WITH_SKILL: &str = "with_skill";
pub const WITHOUT_SKILL: &str = "without_skill";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    pub metadata: Metadata,
    pub runs: Vec<RunRecord>,
    pub run_summary: RunSummary,
    #[serde(default)]
    pub notes: Vec<String>,
    pub run_id: String,
    /// The skills-repo commit measured (`<sha>`, `<sha>-dirty` or `uncommitted`).
    pub skill_version: String,
    #[serde(default)]
    pub evals: Vec<EvalSummary>,
    #[serde(default)]
    pub triggers: Option<TriggerSummary>,
    #[serde(default)]
    pub regressions: Vec<super::gate::Regression>,
    pub cost: Cost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub skill_name: String,
    pub skill_path: String,
    pub executor_model: String,
    pub analyzer_model: String,
    pub timestamp: String,
    pub evals_run: Vec<Value>,
    pub runs_per_configuration: u32,
    /// What `without_skill` ran with: `none`, or the full sha of the baseline version.
    pub baseline: String,
    /// How it was chosen: `none`, `previous` or `commit`.
    pub baseline_source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub eval_id: Value,
    pub configuration: String,
    pub run_number: u32,
    pub result: RunResult,
    pub expectations: Vec<Graded>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub pass_rate: f64,
    pub passed: u32,
    pub failed: u32,
    pub total: u32,
    pub time_seconds: f64,
    pub tokens: u64,
    pub tool_calls: u32,
    pub errors: u32,
}

impl RunResult {
    pub fn of(
        expectations: &[Graded],
        time_seconds: f64,
        tokens: u64,
        tool_calls: u32,
        errors: u32,
    ) -> RunResult {
        let total = expectations.len() as u32;
        let passed = expectations.iter().filter(|e| e.passed).count() as u32;
        RunResult {
            pass_rate: if total == 0 {
                0.0
            } else {
                round4(passed as f64 / total as f64)
            },
            passed,
            failed: total - passed,
            total,
            time_seconds: round4(time_seconds),
            tokens,
            tool_calls,
            errors,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Stats {
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConfigSummary {
    pub pass_rate: Stats,
    pub time_seconds: Stats,
    pub tokens: Stats,
}

/// skill-creator's signed strings (`"+0.50"`, `"-6.0"`, `"+1700"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub pass_rate: String,
    pub time_seconds: String,
    pub tokens: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub with_skill: ConfigSummary,
    pub without_skill: ConfigSummary,
    pub delta: Delta,
}

/// One eval's pass rates per configuration (the table of the CLI and the gate's input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    pub eval_id: Value,
    pub prompt: String,
    pub runs: u32,
    pub with_skill: Stats,
    pub without_skill: Stats,
    /// `with_skill.mean - without_skill.mean`.
    pub delta: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerResult {
    pub query: String,
    pub should_trigger: bool,
    pub runs: u32,
    pub triggered: u32,
    pub trigger_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerSummary {
    /// Share of the should-trigger runs that triggered (higher is better); `None` without
    /// such queries.
    pub should_trigger_rate: Option<f64>,
    /// Share of the should-not runs that triggered (lower is better).
    pub should_not_trigger_rate: Option<f64>,
    /// Spread of the per-query trigger rates of each group (the gate's noise).
    pub should_trigger_stddev: f64,
    pub should_not_trigger_stddev: f64,
    pub runs_per_query: u32,
    pub queries: Vec<TriggerResult>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cost {
    /// What the model calls of this eval run cost, in US dollars (every agent: executors,
    /// judges, trigger sessions).
    pub total_usd: f64,
    pub agent_runs: u32,
}

pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Mean, sample standard deviation (n − 1, as skill-creator's aggregator), min and max;
/// zeros for no values.
pub fn stats(values: &[f64]) -> Stats {
    if values.is_empty() {
        return Stats::default();
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let stddev = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Stats {
        mean: round4(mean),
        stddev: round4(stddev),
        min: round4(values.iter().cloned().fold(f64::INFINITY, f64::min)),
        max: round4(values.iter().cloned().fold(f64::NEG_INFINITY, f64::max)),
    }
}

fn config_summary(runs: &[&RunRecord]) -> ConfigSummary {
    let pick =
        |f: fn(&RunResult) -> f64| stats(&runs.iter().map(|r| f(&r.result)).collect::<Vec<_>>());
    ConfigSummary {
        pass_rate: pick(|r| r.pass_rate),
        time_seconds: pick(|r| r.time_seconds),
        tokens: pick(|r| r.tokens as f64),
    }
}

fn runs_of<'a>(runs: &'a [RunRecord], config: &str) -> Vec<&'a RunRecord> {
    runs.iter().filter(|r| r.configuration == config).collect()
}

pub fn run_summary(runs: &[RunRecord]) -> RunSummary {
    let with = config_summary(&runs_of(runs, WITH_SKILL));
    let without = config_summary(&runs_of(runs, WITHOUT_SKILL));
    let delta = Delta {
        pass_rate: format!("{:+.2}", with.pass_rate.mean - without.pass_rate.mean),
        time_seconds: format!("{:+.1}", with.time_seconds.mean - without.time_seconds.mean),
        tokens: format!("{:+.0}", with.tokens.mean - without.tokens.mean),
    };
    RunSummary {
        with_skill: with,
        without_skill: without,
        delta,
    }
}

/// Per-eval pass-rate statistics, in the order of `evals` (`(id, prompt)`).
pub fn eval_summaries(evals: &[(Value, String)], runs: &[RunRecord]) -> Vec<EvalSummary> {
    evals
        .iter()
        .map(|(id, prompt)| {
            let rates = |config: &str| -> Vec<f64> {
                runs.iter()
                    .filter(|r| &r.eval_id == id && r.configuration == config)
                    .map(|r| r.result.pass_rate)
                    .collect()
            };
            let (w, wo) = (rates(WITH_SKILL), rates(WITHOUT_SKILL));
            let (with_skill, without_skill) = (stats(&w), stats(&wo));
            EvalSummary {
                eval_id: id.clone(),
                prompt: prompt.clone(),
                runs: w.len() as u32,
                delta: round4(with_skill.mean - without_skill.mean),
                with_skill,
                without_skill,
            }
        })
        .collect()
}

/// Trigger rates from `(query, should_trigger, outcomes of its runs)`.
pub fn trigger_summary(
    results: Vec<(String, bool, Vec<bool>)>,
    runs_per_query: u32,
) -> TriggerSummary {
    let queries: Vec<TriggerResult> = results
        .into_iter()
        .map(|(query, should_trigger, outcomes)| {
            let runs = outcomes.len() as u32;
            let triggered = outcomes.iter().filter(|t| **t).count() as u32;
            TriggerResult {
                query,
                should_trigger,
                runs,
                triggered,
                trigger_rate: if runs == 0 {
                    0.0
                } else {
                    round4(triggered as f64 / runs as f64)
                },
            }
        })
        .collect();
    let group = |should: bool| -> (Option<f64>, f64) {
        let qs: Vec<&TriggerResult> = queries
            .iter()
            .filter(|q| q.should_trigger == should)
            .collect();
        let runs: u32 = qs.iter().map(|q| q.runs).sum();
        let triggered: u32 = qs.iter().map(|q| q.triggered).sum();
        let rate = (runs > 0).then(|| round4(triggered as f64 / runs as f64));
        let spread = stats(&qs.iter().map(|q| q.trigger_rate).collect::<Vec<_>>()).stddev;
        (rate, spread)
    };
    let (should_trigger_rate, should_trigger_stddev) = group(true);
    let (should_not_trigger_rate, should_not_trigger_stddev) = group(false);
    TriggerSummary {
        should_trigger_rate,
        should_not_trigger_rate,
        should_trigger_stddev,
        should_not_trigger_stddev,
        runs_per_query,
        queries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(id: i64, config: &str, n: u32, passed: usize, total: usize) -> RunRecord {
        let exps: Vec<Graded> = (0..total)
            .map(|i| Graded {
                text: format!("e{i}"),
                passed: i < passed,
                evidence: String::new(),
            })
            .collect();
        RunRecord {
            eval_id: json!(id),
            configuration: config.into(),
            run_number: n,
            result: RunResult::of(&exps, 2.0, 100, 3, 0),
            expectations: exps,
            notes: vec![],
        }
    }

    #[test]
    fn summaries_follow_skill_creators_aggregator() {
        let runs = vec![
            run(1, WITH_SKILL, 1, 2, 2),
            run(1, WITH_SKILL, 2, 1, 2),
            run(1, WITHOUT_SKILL, 1, 0, 2),
            run(1, WITHOUT_SKILL, 2, 0, 2),
        ];
        let s = run_summary(&runs);
        assert_eq!(s.with_skill.pass_rate.mean, 0.75);
        assert_eq!(s.with_skill.pass_rate.stddev, 0.3536);
        assert_eq!(
            (s.with_skill.pass_rate.min, s.with_skill.pass_rate.max),
            (0.5, 1.0)
        );
        assert_eq!(s.delta.pass_rate, "+0.75");
        assert_eq!(s.delta.tokens, "+0");
        let e = eval_summaries(&[(json!(1), "p".into())], &runs);
        assert_eq!((e[0].runs, e[0].delta), (2, 0.75));
    }

    #[test]
    fn trigger_rates_are_shares_of_runs_per_group() {
        let t = trigger_summary(
            vec![
                ("a".into(), true, vec![true, true]),
                ("b".into(), true, vec![true, false]),
                ("c".into(), false, vec![false, false]),
            ],
            2,
        );
        assert_eq!(t.should_trigger_rate, Some(0.75));
        assert_eq!(t.should_not_trigger_rate, Some(0.0));
        assert_eq!(t.queries[1].trigger_rate, 0.5);
        let none = trigger_summary(vec![("a".into(), true, vec![true])], 1);
        assert_eq!(none.should_not_trigger_rate, None);
    }
}
