//! `skill-builder eval <name>`: runs a skill's evals and trigger queries through the catalog's
//! `run_evals`, prints a table per eval (or, with `--json`, only the benchmark JSON) and acts
//! as a CI gate; with `--optimize-description [--apply]` it runs `optimize_description`
//! instead. Exit codes: 0 success, 1 a regression with `--fail-on-regression`, 2 bad
//! usage or a run that could not complete (agent, network, missing evals).

use clap::Args;
use serde_json::{json, Value};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::{catalog, App, Error};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct EvalArgs {
    /// The library skill to measure.
    name: String,
    /// Runs per eval and configuration, and per trigger query (default 3).
    #[arg(long, value_name = "N")]
    runs: Option<u32>,
    /// What the baseline runs get: none (no skill, the default), previous (the version before
    /// this one) or a commit sha of the skills repository.
    #[arg(long, value_name = "none|previous|SHA")]
    baseline: Option<String>,
    /// Agent runs at the same time (default 4).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    #[arg(long)]
    model: Option<String>,
    /// Exit 1 when an eval or a trigger rate regressed against the last measured earlier version.
    #[arg(long)]
    fail_on_regression: bool,
    /// Print only the benchmark JSON on stdout (also when exiting 1).
    #[arg(long)]
    json: bool,
    /// Instead of the evals: propose a better description from the trigger queries (60 %
    /// train, 40 % held-out test, up to 5 rounds) and print the best with both scores.
    #[arg(long, conflicts_with_all = ["baseline", "fail_on_regression"])]
    optimize_description: bool,
    /// With --optimize-description: write the best description into SKILL.md and commit it,
    /// when it scores better than the current one on the held-out queries.
    #[arg(long, requires = "optimize_description")]
    apply: bool,
    /// Use mock agents (no API key, no network).
    #[arg(long)]
    pub mock: bool,
}

/// One stderr line per finished agent run, so a long CI job shows it is alive.
struct ProgressSink;

impl EventSink for ProgressSink {
    fn emit(&self, e: &Event) {
        if e.name != skill_builder_core::evals::EVAL_PROGRESS || e.payload["phase"] != "finished" {
            return;
        }
        let p = &e.payload;
        let _ = writeln!(
            std::io::stderr().lock(),
            "  [{}/{}] {}",
            p["done"],
            p["total"],
            p["label"].as_str().unwrap_or("")
        );
    }
}

/// The CLI's error line, with this command's exit code 2 for every failure.
fn failed(e: &Error) -> ExitCode {
    eprintln!("{}", e.to_json());
    ExitCode::from(2)
}

pub async fn run(app: &Arc<App>, a: EvalArgs) -> ExitCode {
    if a.optimize_description {
        return optimize(app, a).await;
    }
    app.events.subscribe(Arc::new(ProgressSink));
    eprintln!("Running the evals of '{}'…", a.name);
    let args = json!({"skillName": a.name, "runs": a.runs, "baseline": a.baseline,
                      "concurrency": a.concurrency, "model": a.model});
    let bench = match catalog::call(app, "run_evals", args).await {
        Ok(v) => v,
        Err(e) => return failed(&e),
    };
    let regressions = bench["regressions"].as_array().map_or(0, Vec::len);
    if a.json {
        crate::print_stdout(&serde_json::to_string_pretty(&bench).unwrap_or_default());
    } else {
        crate::print_stdout(&human(&bench));
    }
    if a.fail_on_regression && regressions > 0 {
        eprintln!("{regressions} regression(s) found");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// `--optimize-description [--apply]`: exit 0 when the search completed (whether or not it
/// found a better description), 2 when it could not run.
async fn optimize(app: &Arc<App>, a: EvalArgs) -> ExitCode {
    eprintln!("Optimising the description of '{}'…", a.name);
    let args = json!({"skillName": a.name, "runs": a.runs, "model": a.model,
                      "concurrency": a.concurrency, "apply": a.apply});
    match catalog::call(app, "optimize_description", args).await {
        Ok(r) if a.json => {
            crate::print_stdout(&serde_json::to_string_pretty(&r).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(r) => {
            crate::print_stdout(&optimized(&r, a.apply));
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e),
    }
}

fn optimized(r: &Value, apply: bool) -> String {
    let n = |k: &str| r[k].as_array().map_or(0, Vec::len);
    let mut out = format!(
        "Description of '{}' ({} train and {} held-out test queries, {} run(s) each)\n\n",
        r["skill_name"].as_str().unwrap_or(""),
        n("train"),
        n("test"),
        r["runs_per_query"]
    );
    for c in r["candidates"].as_array().into_iter().flatten() {
        let who = match c["round"].as_u64() {
            Some(0) => "current".to_string(),
            Some(k) => format!("round {k}"),
            None => String::new(),
        };
        out.push_str(&format!(
            "{who:<9} train {:.2}  test {:.2}  {}\n",
            c["train_score"].as_f64().unwrap_or(0.0),
            c["test_score"].as_f64().unwrap_or(0.0),
            c["description"].as_str().unwrap_or("")
        ));
    }
    let (best, original) = (&r["best"], &r["original"]);
    if r["improved"] != true {
        out.push_str("\nNo description scored better on the held-out queries; nothing to apply.\n");
        return out;
    }
    out.push_str(&format!(
        "\nBest (round {}): test {:.2} (now {:.2}), train {:.2} (now {:.2})\n{}\n",
        best["round"],
        best["test_score"].as_f64().unwrap_or(0.0),
        original["test_score"].as_f64().unwrap_or(0.0),
        best["train_score"].as_f64().unwrap_or(0.0),
        original["train_score"].as_f64().unwrap_or(0.0),
        best["description"].as_str().unwrap_or("")
    ));
    match r["commit"].as_str() {
        Some(sha) => out.push_str(&format!(
            "\nApplied: SKILL.md updated and committed ({}).\n",
            &sha[..sha.len().min(8)]
        )),
        None if apply => out.push_str("\nNot applied: nothing changed in SKILL.md.\n"),
        None => out.push_str(
            "\nNot applied; run again with --apply to write it into SKILL.md and commit it.\n",
        ),
    }
    out
}

fn rate(v: &Value) -> String {
    match v.as_f64() {
        Some(x) => format!("{:.0}%", x * 100.0),
        None => "–".into(),
    }
}

fn mean_sd(stats: &Value) -> String {
    format!(
        "{:.2} ± {:.2}",
        stats["mean"].as_f64().unwrap_or(0.0),
        stats["stddev"].as_f64().unwrap_or(0.0)
    )
}

fn short_version(v: &Value) -> String {
    let s = v.as_str().unwrap_or("");
    match s.split_once("-dirty") {
        Some((sha, _)) => format!("{}-dirty", &sha[..sha.len().min(8)]),
        None if s.len() == 40 => s[..8].to_string(),
        None => s.to_string(),
    }
}

fn id_text(id: &Value) -> String {
    id.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| id.to_string())
}

/// The report: a table per eval (with / without / delta, mean ± stddev), the trigger rates,
/// the cost, where it is stored and the regressions.
fn human(b: &Value) -> String {
    let m = &b["metadata"];
    let baseline = match m["baseline_source"].as_str() {
        Some("none") | None => "no skill".to_string(),
        Some(src) => format!("{src} version {}", short_version(&m["baseline"])),
    };
    let mut out = format!(
        "Evals of '{}' at {} (baseline: {baseline}), {} run(s) per configuration\n",
        m["skill_name"].as_str().unwrap_or(""),
        short_version(&b["skill_version"]),
        m["runs_per_configuration"]
    );
    let evals = b["evals"].as_array().cloned().unwrap_or_default();
    if !evals.is_empty() {
        out.push_str(&format!(
            "\n{:<16} {:<14} {:<14} {}\n",
            "EVAL", "WITH", "WITHOUT", "DELTA"
        ));
        for e in &evals {
            out.push_str(&format!(
                "{:<16} {:<14} {:<14} {:+.2}\n",
                id_text(&e["eval_id"]),
                mean_sd(&e["with_skill"]),
                mean_sd(&e["without_skill"]),
                e["delta"].as_f64().unwrap_or(0.0)
            ));
        }
        let s = &b["run_summary"];
        out.push_str(&format!(
            "{:<16} {:<14} {:<14} {}\n",
            "all",
            mean_sd(&s["with_skill"]["pass_rate"]),
            mean_sd(&s["without_skill"]["pass_rate"]),
            s["delta"]["pass_rate"].as_str().unwrap_or("")
        ));
    }
    let t = &b["triggers"];
    if t.is_object() {
        out.push_str(&format!(
            "\nTriggers: should trigger {} (higher is better), should not trigger {} (lower is better)\n",
            rate(&t["should_trigger_rate"]),
            rate(&t["should_not_trigger_rate"])
        ));
    }
    out.push_str(&format!(
        "\nCost: ${:.4} over {} agent runs\nStored as eval run {}\n",
        b["cost"]["total_usd"].as_f64().unwrap_or(0.0),
        b["cost"]["agent_runs"],
        b["run_id"].as_str().unwrap_or("")
    ));
    let regressions = b["regressions"].as_array().cloned().unwrap_or_default();
    if regressions.is_empty() {
        out.push_str("No regression.\n");
    } else {
        out.push_str(&format!("\n{} regression(s):\n", regressions.len()));
        for r in &regressions {
            let what = match r["kind"].as_str() {
                Some("eval") => format!("eval {}", id_text(&r["eval_id"])),
                Some(k) => k.to_string(),
                None => String::new(),
            };
            out.push_str(&format!(
                "  {what}: {:.2} at {} → {:.2} at {} (noise {:.2})\n",
                r["before"].as_f64().unwrap_or(0.0),
                short_version(&r["before_version"]),
                r["after"].as_f64().unwrap_or(0.0),
                short_version(&r["after_version"]),
                r["noise"].as_f64().unwrap_or(0.0)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_has_a_row_per_eval_the_trigger_rates_and_the_regressions() {
        let b = json!({
            "metadata": {"skill_name": "fruit", "runs_per_configuration": 2, "baseline": "none", "baseline_source": "none"},
            "skill_version": "0123456789abcdef0123456789abcdef01234567",
            "evals": [{"eval_id": 1, "with_skill": {"mean": 1.0, "stddev": 0.0}, "without_skill": {"mean": 0.0, "stddev": 0.0}, "delta": 1.0}],
            "run_summary": {"with_skill": {"pass_rate": {"mean": 1.0, "stddev": 0.0}}, "without_skill": {"pass_rate": {"mean": 0.0, "stddev": 0.0}}, "delta": {"pass_rate": "+1.00"}},
            "triggers": {"should_trigger_rate": 1.0, "should_not_trigger_rate": 0.0},
            "cost": {"total_usd": 0.5, "agent_runs": 8},
            "run_id": "r1",
            "regressions": [{"kind": "eval", "eval_id": 1, "before": 1.0, "after": 0.0, "noise": 0.5,
                             "before_version": "aaaaaaaabbbb", "after_version": "0123456789abcdef0123456789abcdef01234567"}]
        });
        let text = human(&b);
        assert!(text.contains("at 01234567 (baseline: no skill)"), "{text}");
        assert!(
            text.contains("1                1.00 ± 0.00    0.00 ± 0.00    +1.00"),
            "{text}"
        );
        assert!(
            text.contains("should trigger 100%") && text.contains("should not trigger 0%"),
            "{text}"
        );
        assert!(
            text.contains("eval 1: 1.00 at aaaaaaaabbbb → 0.00 at 01234567"),
            "{text}"
        );
    }
}
