//! `skill-builder eval` as a CI gate, in mock mode (no key, no network): a freshly built skill's
//! evals run at once; `--json` prints only the benchmark; exit 0 without a regression, 1 with
//! one under `--fail-on-regression` (the benchmark still printed), 2 for bad usage or a run
//! that cannot happen. The measured differences themselves are covered with the real SDK in
//! core's `tests/core/evals.rs`.

use crate::support::{last_stderr_json, run, stdout_json, stdout_json_any_exit};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn save_evals(data: &Path, expectation: &str) {
    let args = json!({"skillName": "fruit", "evals": {"skill_name": "fruit", "evals": [
        {"id": 1, "prompt": "Summarise the fruit report.", "expected_output": "", "files": [],
         "expectations": [expectation]}]}});
    let o = run(data, &["call", "save_evals", &args.to_string()]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn eval_is_a_ci_gate_with_its_exit_codes() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipping: node is not on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let built = run(
        data,
        &["build", "fruit", "--purpose", "domain", "--mock", "--json"],
    );
    assert_eq!(
        code(&built),
        0,
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );

    // What the build wrote runs at once; --json prints the benchmark and nothing else.
    let first = run(data, &["eval", "fruit", "--mock", "--runs", "1", "--json"]);
    assert_eq!(
        code(&first),
        0,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let b = stdout_json(&first);
    assert!(b["evals"].as_array().unwrap().len() >= 3, "{b}");
    assert_eq!(b["metadata"]["runs_per_configuration"], 1);
    assert_eq!(b["triggers"]["queries"].as_array().unwrap().len(), 16);

    // v1: the mock's answer meets the expectation; v2 asks for what it never says.
    save_evals(data, "contains: Mock response");
    let v1 = run(data, &["eval", "fruit", "--mock", "--runs", "1", "--json"]);
    assert_eq!(code(&v1), 0);
    assert_eq!(stdout_json(&v1)["evals"][0]["with_skill"]["mean"], 1.0);
    save_evals(data, "contains: BANANA");

    let gate = run(
        data,
        &[
            "eval",
            "fruit",
            "--mock",
            "--runs",
            "1",
            "--json",
            "--fail-on-regression",
        ],
    );
    assert_eq!(code(&gate), 1, "{}", String::from_utf8_lossy(&gate.stderr));
    let b = stdout_json_any_exit(&gate);
    let regs = b["regressions"].as_array().unwrap();
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(
        (
            regs[0]["eval_id"].clone(),
            regs[0]["before"].clone(),
            regs[0]["after"].clone()
        ),
        (json!(1), json!(1.0), json!(0.0))
    );
    assert_eq!(regs[0]["before_version"], stdout_json(&v1)["skill_version"]);

    // Without the flag a regression is reported, not failed; the human table names the eval.
    let human = run(data, &["eval", "fruit", "--mock", "--runs", "1"]);
    assert_eq!(code(&human), 0);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("EVAL") && text.contains("WITH") && text.contains("WITHOUT"),
        "{text}"
    );
    assert!(
        text.contains("1 regression(s)") && text.contains("eval 1: 1.00"),
        "{text}"
    );
    assert!(text.contains("should trigger 0%"), "{text}");

    // Exit 2: bad usage, or a run that cannot take place.
    for args in [
        vec!["eval", "no-such-skill", "--mock"],
        vec!["eval", "fruit", "--mock", "--runs", "0"],
        vec!["eval", "fruit", "--mock", "--baseline", "latest"],
        vec!["eval", "fruit", "--mock", "--no-such-flag"],
    ] {
        let o = run(data, &args);
        assert_eq!(
            code(&o),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout.is_empty(), "{args:?} printed on stdout");
    }
    let missing = run(data, &["eval", "no-such-skill", "--mock"]);
    assert_eq!(last_stderr_json(&missing)["error"]["kind"], "not_found");
}

#[test]
fn optimize_description_reports_and_never_applies_without_a_better_description() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipping: node is not on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let built = run(
        data,
        &["build", "fruit", "--purpose", "domain", "--mock", "--json"],
    );
    assert_eq!(
        code(&built),
        0,
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let md = data.join("skills/fruit/SKILL.md");
    let before = std::fs::read_to_string(&md).unwrap();

    let o = run(
        data,
        &[
            "eval",
            "fruit",
            "--mock",
            "--runs",
            "1",
            "--optimize-description",
            "--apply",
            "--json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let r = stdout_json(&o);
    // 8 + 8 queries: 5 + 5 to learn from, 3 + 3 held out.
    assert_eq!(
        (
            r["train"].as_array().unwrap().len(),
            r["test"].as_array().unwrap().len()
        ),
        (10, 6)
    );
    assert_eq!(
        (r["improved"].clone(), r["applied"].clone()),
        (json!(false), json!(false)),
        "{r}"
    );
    assert_eq!(std::fs::read_to_string(&md).unwrap(), before);

    let human = run(
        data,
        &[
            "eval",
            "fruit",
            "--mock",
            "--runs",
            "1",
            "--optimize-description",
        ],
    );
    assert_eq!(code(&human), 0);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("current") && text.contains("nothing to apply"),
        "{text}"
    );

    // --apply belongs to --optimize-description; the gate flags do not.
    for args in [
        vec!["eval", "fruit", "--mock", "--apply"],
        vec![
            "eval",
            "fruit",
            "--mock",
            "--optimize-description",
            "--fail-on-regression",
        ],
    ] {
        assert_eq!(code(&run(data, &args)), 2, "{args:?}");
    }
}
