//! The regression gate.
//!
//! The measured version is compared with the **predecessor**: the newest stored eval run of
//! the closest earlier version of the skill (versions order along the skill's git history,
//! see [`super::versions`]; runs of the same version, or of versions not in the history, are
//! never compared). For each eval present in both runs:
//!
//! - **noise** = the larger of the two with-skill standard deviations, and never less than
//!   `1 / runs` (the smaller run count of the two): one run in `runs` flipping is noise;
//! - a **regression** is a with-skill pass rate lower than before by more than the noise; a
//!   drop from 1.0 to 0.0 is always one (even with a single run).
//!
//! Trigger rates follow the same rule: `should_trigger_rate` falling, or
//! `should_not_trigger_rate` rising, by more than the noise (the larger spread of per-query
//! trigger rates of the two runs, never less than `1 / runs per query`); 1.0 → 0.0 (and
//! 0.0 → 1.0 for should-not) always counts. The verdict is a pure function of the stored
//! numbers, so the same data always gives the same verdict.

use super::benchmark::{Benchmark, Stats};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const EPS: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regression {
    /// `eval`, `should_trigger_rate` or `should_not_trigger_rate`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_id: Option<Value>,
    pub before: f64,
    pub after: f64,
    pub noise: f64,
    pub before_version: String,
    pub after_version: String,
    pub before_run_id: String,
}

/// A stored eval run, as the gate sees it.
pub struct StoredRun {
    pub id: String,
    pub skill_version: String,
    pub created_at: String,
    pub benchmark: Benchmark,
}

/// The run to compare with: of the stored runs whose version is earlier than `current`,
/// the one of the closest version, newest first.
pub fn predecessor<'a>(
    current: &str,
    history: &[String],
    stored: &'a [StoredRun],
) -> Option<&'a StoredRun> {
    let now = super::versions::rank(current, history)?;
    stored
        .iter()
        .filter_map(|r| super::versions::rank(&r.skill_version, history).map(|k| (k, r)))
        .filter(|(k, _)| *k < now)
        .max_by(|(ka, a), (kb, b)| {
            ka.partial_cmp(kb)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.created_at.cmp(&b.created_at))
        })
        .map(|(_, r)| r)
}

fn noise(spread_before: f64, spread_after: f64, runs_before: u32, runs_after: u32) -> f64 {
    let runs = runs_before.min(runs_after).max(1) as f64;
    spread_before.max(spread_after).max(1.0 / runs)
}

/// Whether a score that should stay high went from `before` to `after` by more than `noise`.
pub fn dropped(before: f64, after: f64, noise: f64) -> bool {
    before - after > noise + EPS || (before >= 1.0 - EPS && after <= EPS)
}

/// The regressions of `after` (just measured) against `before` (its predecessor).
pub fn regressions(before: &StoredRun, after: &Benchmark) -> Vec<Regression> {
    let mut out = Vec::new();
    let item = |kind: &str, eval_id: Option<Value>, b: f64, a: f64, n: f64| Regression {
        kind: kind.into(),
        eval_id,
        before: b,
        after: a,
        noise: super::benchmark::round4(n),
        before_version: before.skill_version.clone(),
        after_version: after.skill_version.clone(),
        before_run_id: before.id.clone(),
    };
    for now in &after.evals {
        let Some(then) = before
            .benchmark
            .evals
            .iter()
            .find(|e| e.eval_id == now.eval_id)
        else {
            continue;
        };
        let (b, a): (&Stats, &Stats) = (&then.with_skill, &now.with_skill);
        let n = noise(b.stddev, a.stddev, then.runs, now.runs);
        if then.runs > 0 && now.runs > 0 && dropped(b.mean, a.mean, n) {
            out.push(item("eval", Some(now.eval_id.clone()), b.mean, a.mean, n));
        }
    }
    if let (Some(t0), Some(t1)) = (&before.benchmark.triggers, &after.triggers) {
        let runs = (t0.runs_per_query, t1.runs_per_query);
        if let (Some(b), Some(a)) = (t0.should_trigger_rate, t1.should_trigger_rate) {
            let n = noise(
                t0.should_trigger_stddev,
                t1.should_trigger_stddev,
                runs.0,
                runs.1,
            );
            if dropped(b, a, n) {
                out.push(item("should_trigger_rate", None, b, a, n));
            }
        }
        if let (Some(b), Some(a)) = (t0.should_not_trigger_rate, t1.should_not_trigger_rate) {
            let n = noise(
                t0.should_not_trigger_stddev,
                t1.should_not_trigger_stddev,
                runs.0,
                runs.1,
            );
            // Lower is better: a rise is the drop of its complement.
            if dropped(1.0 - b, 1.0 - a, n) {
                out.push(item("should_not_trigger_rate", None, b, a, n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::benchmark::*;
    use super::*;
    use serde_json::json;

    fn bench(
        version: &str,
        evals: &[(i64, f64, f64, u32)],
        triggers: Option<(f64, f64)>,
    ) -> Benchmark {
        let summary = ConfigSummary::default();
        Benchmark {
            metadata: Metadata {
                skill_name: "s".into(),
                skill_path: String::new(),
                executor_model: String::new(),
                analyzer_model: String::new(),
                timestamp: String::new(),
                evals_run: vec![],
                runs_per_configuration: 3,
                baseline: "none".into(),
                baseline_source: "none".into(),
            },
            runs: vec![],
            run_summary: RunSummary {
                with_skill: summary.clone(),
                without_skill: summary,
                delta: Delta {
                    pass_rate: "+0.00".into(),
                    time_seconds: "+0.0".into(),
                    tokens: "+0".into(),
                },
            },
            notes: vec![],
            run_id: format!("run-{version}"),
            skill_version: version.into(),
            evals: evals
                .iter()
                .map(|(id, mean, sd, runs)| EvalSummary {
                    eval_id: json!(id),
                    prompt: String::new(),
                    runs: *runs,
                    with_skill: Stats {
                        mean: *mean,
                        stddev: *sd,
                        min: 0.0,
                        max: 1.0,
                    },
                    without_skill: Stats::default(),
                    delta: 0.0,
                })
                .collect(),
            triggers: triggers.map(|(st, snt)| TriggerSummary {
                should_trigger_rate: Some(st),
                should_not_trigger_rate: Some(snt),
                should_trigger_stddev: 0.0,
                should_not_trigger_stddev: 0.0,
                runs_per_query: 3,
                queries: vec![],
            }),
            regressions: vec![],
            cost: Cost::default(),
        }
    }

    fn stored(b: Benchmark, at: &str) -> StoredRun {
        StoredRun {
            id: b.run_id.clone(),
            skill_version: b.skill_version.clone(),
            created_at: at.into(),
            benchmark: b,
        }
    }

    #[test]
    fn a_drop_beyond_the_noise_is_a_regression_and_within_it_is_not() {
        let before = stored(
            bench(
                "c1",
                &[(1, 1.0, 0.0, 3), (2, 1.0, 0.0, 3), (3, 0.8, 0.1, 3)],
                None,
            ),
            "t1",
        );
        // eval 1: −1/3 is one run in three (noise); eval 2: −0.5 is beyond it; eval 3 rose.
        let after = bench(
            "c2",
            &[(1, 0.6667, 0.5774, 3), (2, 0.5, 0.0, 3), (3, 0.9, 0.1, 3)],
            None,
        );
        let r = regressions(&before, &after);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].eval_id, Some(json!(2)));
        assert_eq!((r[0].before, r[0].after), (1.0, 0.5));
        assert_eq!(
            (r[0].before_version.as_str(), r[0].after_version.as_str()),
            ("c1", "c2")
        );
    }

    #[test]
    fn one_to_zero_always_counts_even_with_one_run() {
        let before = stored(bench("c1", &[(1, 1.0, 0.0, 1)], Some((1.0, 0.0))), "t1");
        let after = bench("c2", &[(1, 0.0, 0.0, 1)], Some((0.0, 1.0)));
        let kinds: Vec<String> = regressions(&before, &after)
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(
            kinds,
            ["eval", "should_trigger_rate", "should_not_trigger_rate"]
        );
        // The same data, judged again, gives the same verdict.
        assert_eq!(regressions(&before, &after), regressions(&before, &after));
    }

    #[test]
    fn the_predecessor_is_the_closest_earlier_version_never_the_same_one() {
        let history: Vec<String> = vec!["c3".into(), "c2".into(), "c1".into()];
        let runs = vec![
            stored(bench("c1", &[], None), "2025-01-01"),
            stored(bench("c2", &[], None), "2025-01-02"),
            stored(bench("c2", &[], None), "2025-01-03"),
            stored(bench("c3", &[], None), "2025-01-04"),
            stored(bench("elsewhere", &[], None), "2025-01-05"),
        ];
        let p = predecessor("c3", &history, &runs).unwrap();
        assert_eq!(
            (p.skill_version.as_str(), p.created_at.as_str()),
            ("c2", "2025-01-03")
        );
        assert_eq!(
            predecessor("c3-dirty", &history, &runs)
                .unwrap()
                .skill_version,
            "c3"
        );
        assert!(predecessor("c1", &history, &runs).is_none());
        assert!(predecessor("uncommitted", &history, &runs).is_none());
    }
}
