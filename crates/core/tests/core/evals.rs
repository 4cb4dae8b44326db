//! Evals (issue 15) through the REAL sidecar and Claude Agent SDK against a scripted model for
//! which the skill's instruction makes the difference: the skill says "always end with the
//! word BANANA", and the model says BANANA only when that instruction reached it through the
//! `Skill` tool. So with the skill the eval passes, without it it fails, and a commit that
//! removes the instruction is a regression the gate reports.
//!
//! Each app has its own HOME and fake API (its options); each test takes a `sdk_slot` to
//! bound the load of the Claude Code processes it starts.

use crate::support::*;
use serde_json::{json, Value};
use skill_builder_core::evals::grade::JUDGE_MARKER;
use skill_builder_core::evals::optimize::PROPOSER_MARKER;
use skill_builder_core::{catalog, history, workflow, App};
use skill_builder_testkit::claude_like::lists_skill;
use skill_builder_testkit::fake_messages::{side_reply, MessagesRequest, Reply, Script, Usage};
use std::path::Path;
use std::sync::Arc;

const KEY: &str = "sk-ant-api03-evals-test-key-0123456789abcdef";
const SKILL: &str = "fruit-report";
const RULE: &str = "When you answer, always end with the word BANANA.";
const ANSWER: &str = "Apples rose 3%, pears fell 1%.";

/// An app through the real SDK, offline ([`SdkApp`]); with the API key saved, or in mock
/// mode. `None` when Node is missing.
async fn open_app(mock: bool) -> Option<SdkApp> {
    SdkApp::open(if mock {
        json!({"mock_agents": true})
    } else {
        json!({"anthropic_api_key": KEY})
    })
    .await
}

/// The task of an agent-loop request: the last text block of its first user message that is
/// not one of the CLI's reminders.
fn task_of(req: &MessagesRequest) -> String {
    let Some(first) = req.messages().iter().find(|m| m["role"] == "user") else {
        return String::new();
    };
    match &first["content"] {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .rfind(|t| !t.trim_start().starts_with("<system-reminder>"))
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

/// The scripted model. Agent runs: a fruit task with the skill listed loads it; every run
/// makes one tool call before it answers; the answer ends with BANANA only when the skill's
/// instruction is in the conversation. Judge calls: passed when the output says BANANA.
fn fruit_model() -> Script {
    Script::new(|req| {
        if req.is_side_request() {
            return side_reply(req);
        }
        let reply = if req.first_user_text().contains(JUDGE_MARKER) {
            let text = req.first_user_text();
            let output = text.split("## Output").nth(1).unwrap_or("");
            let passed = output.contains("BANANA");
            Reply::text(json!({"passed": passed, "evidence": if passed { "it closes with BANANA" } else { "no closing word" }}).to_string())
        } else {
            let uses = req.tool_uses();
            let loaded = uses.iter().any(|(n, _)| n == "Skill");
            if !loaded && task_of(req).to_lowercase().contains("fruit") && lists_skill(req, SKILL) {
                Reply::tool_use("Skill", json!({"skill": SKILL}))
            } else if uses.is_empty() {
                Reply::tool_use("Glob", json!({"pattern": "*"}))
            } else if req.all_text().contains(RULE) {
                Reply::text(format!("{ANSWER} BANANA"))
            } else {
                Reply::text(ANSWER)
            }
        };
        reply.with_usage(Usage::WORKFLOW)
    })
}

fn write_skill(app: &App, body: &str) -> Option<String> {
    let dir = app.skills_path().join(SKILL);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        format!("---\nname: {SKILL}\ndescription: Fruit report conventions. Use when writing or summarising a fruit report.\n---\n# Fruit reports\n{body}\n"),
    )
    .unwrap();
    history::commit_skill(app, SKILL, &format!("{SKILL}: edited"))
}

async fn save_fruit_evals(app: &Arc<App>) {
    call(
        app,
        "save_evals",
        json!({"skillName": SKILL,
            "evals": {"skill_name": SKILL, "evals": [{
                "id": 1, "prompt": "Summarise the fruit report for March.",
                "expected_output": "A short summary that closes with the agreed word.", "files": [],
                "expectations": ["contains: BANANA", "The answer ends with the agreed closing word"]}]},
            "triggers": [
                {"query": "Summarise the fruit report for April.", "should_trigger": true},
                {"query": "What is the capital of France?", "should_trigger": false}]}),
    )
    .await;
}

async fn run_evals(app: &Arc<App>, extra: Value) -> Value {
    let mut args = json!({"skillName": SKILL, "runs": 2, "concurrency": 4});
    for (k, v) in extra.as_object().unwrap() {
        args[k] = v.clone();
    }
    call(app, "run_evals", args).await
}

fn stats_keys(s: &Value, what: &str) {
    for k in ["mean", "stddev", "min", "max"] {
        assert!(s[k].is_number(), "{what}.{k} in {s}");
    }
}

/// Every field skill-creator's viewer and aggregator read (schemas.md › benchmark.json), and
/// this app's own.
fn assert_viewer_fields(b: &Value) {
    let m = &b["metadata"];
    for k in [
        "skill_name",
        "skill_path",
        "executor_model",
        "analyzer_model",
        "timestamp",
    ] {
        assert!(m[k].is_string(), "metadata.{k} in {m}");
    }
    assert!(
        m["evals_run"].is_array() && m["runs_per_configuration"].is_u64(),
        "{m}"
    );
    assert!(m["baseline"].is_string(), "metadata.baseline in {m}");
    let runs = b["runs"].as_array().expect("runs");
    assert!(!runs.is_empty());
    for r in runs {
        assert!(!r["eval_id"].is_null() && r["run_number"].is_u64(), "{r}");
        assert!(["with_skill", "without_skill"].contains(&r["configuration"].as_str().unwrap()));
        let res = &r["result"];
        for k in ["pass_rate", "time_seconds"] {
            assert!(res[k].is_number(), "result.{k} in {res}");
        }
        for k in [
            "passed",
            "failed",
            "total",
            "tokens",
            "tool_calls",
            "errors",
        ] {
            assert!(res[k].is_u64(), "result.{k} in {res}");
        }
        for e in r["expectations"].as_array().expect("expectations") {
            assert!(
                e["text"].is_string() && e["passed"].is_boolean() && e["evidence"].is_string(),
                "{e}"
            );
        }
        assert!(r["notes"].is_array());
    }
    for config in ["with_skill", "without_skill"] {
        for metric in ["pass_rate", "time_seconds", "tokens"] {
            stats_keys(
                &b["run_summary"][config][metric],
                &format!("{config}.{metric}"),
            );
        }
    }
    for k in ["pass_rate", "time_seconds", "tokens"] {
        let d = b["run_summary"]["delta"][k]
            .as_str()
            .expect("delta strings");
        assert!(d.starts_with('+') || d.starts_with('-'), "{d}");
    }
    assert!(b["notes"].is_array());
    assert!(b["skill_version"].is_string() && b["run_id"].is_string());
    assert!(b["regressions"].is_array() && b["cost"]["total_usd"].is_number());
}

fn eval_rate(b: &Value, config: &str) -> f64 {
    b["evals"][0][config]["mean"].as_f64().unwrap()
}

/// With the skill the eval passes and its trigger query loads it; without, neither. The judge
/// never sees the skill; every agent counts in usage as kind `eval`; the run is stored.
/// Then a commit removes the instruction: the gate names the eval (1.0 → 0.0), and
/// `baseline: previous` runs the earlier version as the baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evals_measure_the_skill_and_the_gate_catches_a_regression() {
    let _slot = sdk_slot().await;
    let Some(env) = open_app(false).await else {
        return;
    };
    let app = env.app.clone();
    call(&app, "create_skill", json!({"name": SKILL})).await;
    write_skill(&app, RULE).expect("v1 committed");
    save_fruit_evals(&app).await;
    let v1 = history::skill_history(&app.skills_path(), SKILL, 1).unwrap()[0]
        .sha
        .clone();
    let fake = env.serve(fruit_model());

    let first = run_evals(&app, json!({})).await;
    assert_viewer_fields(&first);
    assert_eq!(first["skill_version"], v1.as_str());
    assert_eq!(
        (
            eval_rate(&first, "with_skill"),
            eval_rate(&first, "without_skill")
        ),
        (1.0, 0.0),
        "{first}"
    );
    assert_eq!(first["run_summary"]["delta"]["pass_rate"], "+1.00");
    assert_eq!(first["metadata"]["baseline"], "none");
    assert_eq!(
        first["triggers"]["should_trigger_rate"], 1.0,
        "{}",
        first["triggers"]
    );
    assert_eq!(first["triggers"]["should_not_trigger_rate"], 0.0);
    assert_eq!(first["runs"].as_array().unwrap().len(), 4);
    assert_eq!(first["regressions"], json!([]));
    let judged: Vec<&Value> = first["runs"].as_array().unwrap().iter().collect();
    assert!(judged
        .iter()
        .all(|r| r["expectations"][1]["evidence"] != ""));

    // The judge is blind: never the skill's text, its name or the configuration.
    let judge_calls: Vec<String> = fake
        .messages_requests()
        .iter()
        .filter(|r| r.first_user_text().contains(JUDGE_MARKER))
        .map(|r| r.all_text())
        .collect();
    assert_eq!(judge_calls.len(), 4);
    for text in &judge_calls {
        for secret in [RULE, SKILL, "with_skill", "without_skill"] {
            assert!(!text.contains(secret), "the judge saw {secret}");
        }
    }
    // The eval files never reach an agent.
    assert!(!fake.messages_requests().iter().any(|r| r
        .all_text()
        .contains("The answer ends with the agreed closing word")
        && !r.first_user_text().contains(JUDGE_MARKER)));

    let evals_rows = count(
        &app,
        "SELECT COUNT(*) FROM agent_runs WHERE step_id = 12 AND status = 'completed'",
    );
    assert_eq!(evals_rows, 12, "4 executors, 4 judges, 4 trigger sessions");
    let summary = call(&app, "get_usage_summary", json!({"hideCancelled": false})).await;
    assert!(
        summary["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "eval"),
        "{summary}"
    );
    let progress: Vec<Value> = env
        .sink
        .events()
        .into_iter()
        .filter(|e| e.name == "eval-progress")
        .map(|e| e.payload)
        .collect();
    let last_done = progress
        .iter()
        .filter(|p| p["phase"] == "finished")
        .map(|p| p["done"].as_u64().unwrap())
        .max();
    // Progress counts runs: 1 eval × 2 runs × 2 configurations, 2 queries × 2 runs.
    assert_eq!(last_done, Some(8));
    assert!(progress.iter().all(|p| p["total"] == 8));

    // Stored: the database and the file under the data folder, the skill left clean.
    let listed = call(&app, "list_eval_runs", json!({"skillName": SKILL})).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["skill_version"], v1.as_str());
    assert_eq!(listed[0]["summary"]["with_skill_pass_rate"], 1.0);
    let file = Path::new(listed[0]["benchmark_path"].as_str().unwrap());
    assert!(file.starts_with(&app.paths.data_dir) && !file.starts_with(app.skills_path()));
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(on_disk, first);
    assert_eq!(
        call(&app, "get_eval_run", json!({"runId": first["run_id"]})).await,
        first
    );
    assert!(history::refine_diff(&app.skills_path(), SKILL)
        .unwrap()
        .files
        .is_empty());

    // v2 drops the instruction: the eval regresses, the gate names it.
    let v2 = write_skill(&app, "Write plain summaries.").expect("v2 committed");
    let second = run_evals(&app, json!({})).await;
    assert_eq!(
        (
            eval_rate(&second, "with_skill"),
            eval_rate(&second, "without_skill")
        ),
        (0.0, 0.0)
    );
    let regs = second["regressions"].as_array().unwrap();
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(regs[0]["kind"], "eval");
    assert_eq!(regs[0]["eval_id"], 1);
    assert_eq!(
        (regs[0]["before"].as_f64(), regs[0]["after"].as_f64()),
        (Some(1.0), Some(0.0))
    );
    assert_eq!(regs[0]["before_version"], v1.as_str());
    assert_eq!(regs[0]["after_version"], v2.as_str());
    assert_eq!(
        second["triggers"]["should_trigger_rate"], 1.0,
        "the description did not change"
    );

    // --baseline previous: the baseline runs v1, the skill under test is v2.
    let compared = run_evals(&app, json!({"baseline": "previous"})).await;
    assert_viewer_fields(&compared);
    assert_eq!(compared["metadata"]["baseline"], v1.as_str());
    assert_eq!(compared["metadata"]["baseline_source"], "previous");
    assert_eq!(
        (
            eval_rate(&compared, "with_skill"),
            eval_rate(&compared, "without_skill")
        ),
        (0.0, 1.0)
    );
    let listed = call(&app, "list_eval_runs", json!({"skillName": SKILL})).await;
    let times: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    assert_eq!(times.len(), 3);
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    call(&app, "graceful_shutdown", json!({})).await;
}

const BETTER: &str = "Fruit report conventions and banana sales figures. Use when writing or summarising a fruit report or counting bananas sold.";

/// The description of `skill` as the CLI lists it to the model, lower-cased.
fn listed_description(req: &MessagesRequest, skill: &str) -> Option<String> {
    let prefix = format!("- {skill}: ");
    req.messages().iter().find_map(|m| {
        let blocks = m["content"].as_array()?;
        blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .find_map(|t| {
                t.lines()
                    .find_map(|l| l.trim_start().strip_prefix(prefix.as_str()))
                    .map(str::to_lowercase)
            })
    })
}

/// A model that loads the skill when a word of the message (5 letters or more) is in the
/// skill's listed description, and that proposes [`BETTER`] when asked for a description.
fn description_model() -> Script {
    Script::new(|req| {
        if req.is_side_request() {
            return side_reply(req);
        }
        let reply = if req.first_user_text().contains(PROPOSER_MARKER) {
            Reply::text(json!({ "description": BETTER }).to_string())
        } else {
            let task = task_of(req).to_lowercase();
            let uses = req.tool_uses();
            let relevant = listed_description(req, SKILL).is_some_and(|d| {
                task.split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.len() >= 5)
                    .any(|w| d.contains(w))
            });
            if uses.is_empty() && relevant {
                Reply::tool_use("Skill", json!({ "skill": SKILL }))
            } else if uses.is_empty() {
                Reply::tool_use("Glob", json!({"pattern": "*"}))
            } else {
                Reply::text("Done.")
            }
        };
        reply.with_usage(Usage::WORKFLOW)
    })
}

/// The optimiser proposes a description from the train queries it gets wrong, scores it on
/// the held-out ones, and writes it only with `apply`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimize_description_finds_a_better_description_and_applies_it_only_when_asked() {
    let _slot = sdk_slot().await;
    let Some(env) = open_app(false).await else {
        return;
    };
    let app = env.app.clone();
    call(&app, "create_skill", json!({"name": SKILL})).await;
    write_skill(&app, RULE);
    let should = [
        "How many bananas did we sell in May?",
        "Banana sales by region for Q2",
        "Which bananas shipped late last week?",
        "Plot banana sales against last year",
        "Count the bananas we wasted in June",
    ];
    let should_not = [
        "What is the capital of France?",
        "Write a haiku about the ocean",
        "Reverse a linked list in Python",
        "Translate hello into Spanish",
        "Book a table for two tonight",
    ];
    let triggers: Vec<Value> = should
        .iter()
        .map(|q| json!({"query": q, "should_trigger": true}))
        .chain(
            should_not
                .iter()
                .map(|q| json!({"query": q, "should_trigger": false})),
        )
        .collect();
    call(
        &app,
        "save_evals",
        json!({"skillName": SKILL, "triggers": triggers}),
    )
    .await;
    let md = app.skills_path().join(SKILL).join("SKILL.md");
    let before = std::fs::read_to_string(&md).unwrap();
    let fake = env.serve(description_model());

    let args = json!({"skillName": SKILL, "runs": 1, "concurrency": 4});
    let r = call(&app, "optimize_description", args.clone()).await;
    assert_eq!(
        (
            r["train"].as_array().unwrap().len(),
            r["test"].as_array().unwrap().len()
        ),
        (6, 4)
    );
    assert_eq!(r["original"]["test_score"], 0.5, "{r}");
    assert_eq!(r["best"]["description"], BETTER);
    assert_eq!(
        (
            r["best"]["train_score"].as_f64(),
            r["best"]["test_score"].as_f64()
        ),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(
        (r["improved"].clone(), r["applied"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        r["candidates"].as_array().unwrap().len(),
        2,
        "train was perfect after round 1"
    );
    assert_eq!(
        std::fs::read_to_string(&md).unwrap(),
        before,
        "never applied silently"
    );
    // The proposer learns from the train split only.
    let proposals: Vec<String> = fake
        .messages_requests()
        .iter()
        .filter(|q| q.first_user_text().contains(PROPOSER_MARKER))
        .map(|q| q.first_user_text())
        .collect();
    assert_eq!(proposals.len(), 1);
    for t in r["test"].as_array().unwrap() {
        assert!(
            !proposals[0].contains(t["query"].as_str().unwrap()),
            "held-out query shown"
        );
    }
    let failing = r["original"]["train_failures"].as_array().unwrap();
    assert_eq!(failing.len(), 3, "{failing:?}");
    assert!(failing
        .iter()
        .all(|f| proposals[0].contains(f.as_str().unwrap())));

    let mut with_apply = args;
    with_apply["apply"] = json!(true);
    let applied = call(&app, "optimize_description", with_apply).await;
    assert_eq!(applied["applied"], true, "{applied}");
    let after = std::fs::read_to_string(&md).unwrap();
    assert!(after.contains(&format!("description: {BETTER}")), "{after}");
    assert!(after.contains(RULE), "the body is kept");
    let log = history::skill_history(&app.skills_path(), SKILL, 1).unwrap();
    assert_eq!(log[0].message, format!("{SKILL}: description optimised"));
    assert_eq!(applied["commit"], log[0].sha.as_str());
    call(&app, "graceful_shutdown", json!({})).await;
}

/// A mock build writes an eval suite and trigger queries that `run_evals` runs at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_build_writes_evals_that_run_at_once() {
    let _slot = sdk_slot().await;
    let Some(env) = open_app(true).await else {
        return;
    };
    let app = env.app.clone();
    call(
        &app,
        "create_skill",
        json!({"name": "mock-built", "purpose": "domain"}),
    )
    .await;
    workflow::build::build_skill(&app, "mock-built", |_| {})
        .await
        .unwrap();
    let files = call(&app, "get_evals", json!({"skillName": "mock-built"})).await;
    let n_evals = files["evals"]["evals"].as_array().unwrap().len();
    let queries = files["triggers"].as_array().unwrap();
    assert!(n_evals >= 3, "{files}");
    let should = queries
        .iter()
        .filter(|q| q["should_trigger"] == true)
        .count();
    assert!((8..=10).contains(&should) && (8..=10).contains(&(queries.len() - should)));

    let b = call(
        &app,
        "run_evals",
        json!({"skillName": "mock-built", "runs": 1}),
    )
    .await;
    assert_viewer_fields(&b);
    assert_eq!(b["evals"].as_array().unwrap().len(), n_evals);
    assert_eq!(b["runs"].as_array().unwrap().len(), n_evals * 2);
    assert_eq!(
        b["triggers"]["queries"].as_array().unwrap().len(),
        queries.len()
    );
    call(&app, "graceful_shutdown", json!({})).await;
}

/// get/save: validated before anything is written, saved as given, committed
/// `{name}: evals updated`; and a package never carries `evals/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evals_are_saved_committed_and_never_packaged() {
    let _slot = sdk_slot().await;
    let (_data, app) = open();
    call(&app, "create_skill", json!({"name": SKILL})).await;
    write_skill(&app, RULE);
    let empty = call(&app, "get_evals", json!({"skillName": SKILL})).await;
    assert_eq!(
        (empty["evals"].is_null(), empty["triggers"].is_null()),
        (true, true)
    );

    let bad = catalog::call(
        &app,
        "save_evals",
        json!({"skillName": SKILL, "triggers": [{"query": "ok", "should_trigger": true}],
               "evals": {"skill_name": "someone-else", "evals": []}}),
    )
    .await
    .unwrap_err();
    assert_eq!(bad.kind, skill_builder_core::ErrorKind::InvalidInput);
    assert!(
        bad.message.contains("set skill_name to 'fruit-report'"),
        "{}",
        bad.message
    );
    let dir = app.skills_path().join(SKILL);
    assert!(
        !dir.join("evals").exists(),
        "nothing written when one file is invalid"
    );

    save_fruit_evals(&app).await;
    let got = call(&app, "get_evals", json!({"skillName": SKILL})).await;
    assert_eq!(
        got["evals"]["evals"][0]["expectations"][0],
        "contains: BANANA"
    );
    assert_eq!(got["triggers"].as_array().unwrap().len(), 2);
    let log = history::skill_history(&app.skills_path(), SKILL, 1).unwrap();
    assert_eq!(log[0].message, format!("{SKILL}: evals updated"));
    assert!(call(&app, "list_eval_runs", json!({"skillName": SKILL}))
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let missing = catalog::call(&app, "get_eval_run", json!({"runId": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(missing.kind, skill_builder_core::ErrorKind::NotFound);

    let pkg = call(&app, "package_skill", json!({"skillName": SKILL})).await;
    let mut zip = zip_names(Path::new(pkg["file_path"].as_str().unwrap()));
    zip.sort();
    assert_eq!(zip, ["SKILL.md"]);
}

fn zip_names(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}
