//! Eval run overhead (issue 15): the product running one eval (with the skill and the
//! no-skill baseline, graded in code, stored) next to a bare SDK `query()` of the same prompt
//! from a small Node script, both against the scripted fake Anthropic API of `testkit`. The
//! fake answers at once, so what is timed is everything but the model: the product's own
//! overhead, and the SDK's (the Claude Code CLI it starts per query).
//!
//! The app gets its own [`Options`] (real agents whatever the bench process's mock switch
//! says, HOME and the CLI's config in a temp folder, the API at the fake), and the bare script
//! the same environment, so both sides start the CLI alike.

use serde_json::{json, Value};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::options::Options;
use skill_builder_core::{catalog, history, App};
use skill_builder_testkit::claude_like::lists_skill;
use skill_builder_testkit::fake_messages::{
    side_reply, FakeMessages, MessagesRequest, Reply, Script, Usage,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "sk-ant-api03-bench-eval-key-0123456789abcdef";
const SKILL: &str = "fruit-report";
const RULE: &str = "When you answer, always end with the word BANANA.";
const ANSWER: &str = "Apples rose 3%, pears fell 1%.";
const PROMPT: &str = "Summarise the fruit report for March.";
const MODEL: &str = "claude-sonnet-4-6";
/// What the product's executor gets (`evals/run.rs`: EXECUTOR_TOOLS, EXECUTOR_MAX_TURNS).
const TOOLS: [&str; 7] = ["Read", "Write", "Edit", "Glob", "Grep", "Bash", "Skill"];
const MAX_TURNS: u32 = 30;

fn skill_md() -> String {
    format!(
        "---\nname: {SKILL}\ndescription: Fruit report conventions. Use when writing or summarising a fruit report.\n---\n# Fruit reports\n{RULE}\n"
    )
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

/// The scripted model of the eval tests: a fruit task with the skill listed loads it; every
/// run makes one tool call before it answers; the answer ends with BANANA only when the
/// skill's instruction reached it. So a run with the skill is 2 agent-loop requests (Skill,
/// answer) and one without is 2 as well (Glob, answer), on either side.
fn fruit_model() -> Script {
    Script::new(|req| {
        if req.is_side_request() {
            return side_reply(req);
        }
        let uses = req.tool_uses();
        let loaded = uses.iter().any(|(n, _)| n == "Skill");
        let reply = if !loaded
            && task_of(req).to_lowercase().contains("fruit")
            && lists_skill(req, SKILL)
        {
            Reply::tool_use("Skill", json!({"skill": SKILL}))
        } else if uses.is_empty() {
            Reply::tool_use("Glob", json!({"pattern": "*"}))
        } else if req.all_text().contains(RULE) {
            Reply::text(format!("{ANSWER} BANANA"))
        } else {
            Reply::text(ANSWER)
        };
        reply.with_usage(Usage::WORKFLOW)
    })
}

/// The bare side: one Node process, the sidecar's own SDK, the same two queries the product
/// runs (with the skill in the working folder's `.claude/skills/`, and without), concurrently,
/// with the options the sidecar gives `query()` for an eval executor.
const BARE_SCRIPT: &str = r#"
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const a = JSON.parse(process.env.BENCH_EVAL);
const require = createRequire(path.join(a.sidecarDir, 'package.json'));
const { query } = await import(pathToFileURL(require.resolve('@anthropic-ai/claude-agent-sdk')).href);
async function one(label, withSkill) {
  const cwd = path.join(a.root, label);
  fs.mkdirSync(cwd, { recursive: true });
  if (withSkill) {
    const dir = path.join(cwd, '.claude', 'skills', a.skill);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'SKILL.md'), a.skillMd);
  }
  const options = {
    cwd, model: a.model, allowedTools: a.tools, maxTurns: a.maxTurns,
    permissionMode: 'acceptEdits', settingSources: ['project'],
    systemPrompt: { type: 'preset', preset: 'claude_code' },
  };
  let result = null;
  for await (const m of query({ prompt: a.prompt, options })) if (m.type === 'result') result = m;
  return { label, subtype: result && result.subtype, text: result && result.result };
}
const out = await Promise.all([one('with', true), one('without', false)]);
process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
"#;

/// Where the CLI of either side looks for its home, config and API.
struct Env {
    home: PathBuf,
    base_url: String,
}

impl Env {
    fn claude_config_dir(&self) -> PathBuf {
        self.home.join(".claude")
    }

    fn options(&self) -> Options {
        Options {
            mock: false,
            mock_delay_ms: None,
            keychain: false,
            anthropic_api_key: None,
            anthropic_base_url: Some(self.base_url.clone()),
            claude_config_dir: Some(self.claude_config_dir()),
            home: Some(self.home.clone()),
            ..Options::from_env()
        }
    }
}

/// One bare round: `node bare.mjs` from spawn to exit, with the environment the pool gives the
/// sidecar (plus the key, which the sidecar adds per request). Returns (time, answers).
fn bare_once(env: &Env, script: &Path, sidecar: &Path, root: &Path) -> (Duration, Vec<Value>) {
    let args = json!({
        "sidecarDir": sidecar, "root": root, "skill": SKILL, "skillMd": skill_md(),
        "prompt": PROMPT, "model": MODEL, "tools": TOOLS, "maxTurns": MAX_TURNS,
    });
    let t = Instant::now();
    let out = Command::new("node")
        .arg(script)
        .env("BENCH_EVAL", args.to_string())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", &env.base_url)
        .env("HOME", &env.home)
        .env("CLAUDE_CONFIG_DIR", env.claude_config_dir())
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env_remove("SKILL_BUILDER_MOCK_AGENTS")
        .env_remove("SKILL_BUILDER_MOCK_DELAY_MS")
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "bare SDK script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (d, v.as_array().cloned().unwrap_or_default())
}

fn product_args() -> Value {
    json!({"skillName": SKILL, "runs": 1, "concurrency": 4, "model": MODEL})
}

pub struct Figures {
    pub product: Vec<Duration>,
    pub bare: Vec<Duration>,
    /// CPU time of each round: this process (the app, and the fake API serving either side)
    /// plus the children it reaped (the sidecar or the bare node, and the CLIs they reaped).
    pub product_cpu: Vec<Duration>,
    pub bare_cpu: Vec<Duration>,
    /// Mean time of each stage of a product run (see [`Stages`]).
    pub stages: Vec<(&'static str, Duration)>,
    /// API requests per eval run, the same on both sides.
    pub requests: usize,
}

/// utime + stime + cutime + cstime of this process (`/proc/self/stat`, clock ticks of 10 ms).
fn cpu_with_children() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rfind(')').map(|i| &stat[i + 2..]).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14–17 of stat are 11–14 after "pid (comm)".
    let ticks: f64 = (11..=14)
        .filter_map(|i| f.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    Duration::from_secs_f64(ticks / 100.0)
}

/// When the stages of a product run were reached, from the events the app emits: the
/// `eval-progress` phases and the first message the sidecar sent back.
#[derive(Default)]
struct Stages {
    marks: Mutex<Vec<(&'static str, Instant)>>,
}

impl EventSink for Stages {
    fn emit(&self, e: &Event) {
        let mark = match (e.name, e.payload["phase"].as_str()) {
            ("eval-progress", Some("started")) => "started",
            ("eval-progress", Some("finished")) => "finished",
            ("eval-progress", Some("graded")) => "graded",
            ("agent-init-progress", _) if e.payload["subtype"] == "init_start" => "init_start",
            ("agent-init-progress", _) if e.payload["subtype"] == "sdk_ready" => "sdk_ready",
            ("agent-message", _) if e.payload["message"]["type"] != "config" => "first message",
            _ => return,
        };
        let mut marks = self.marks.lock().unwrap();
        // The first of each, except "finished": the last run to finish ends the agent stage.
        if mark == "finished" || !marks.iter().any(|(m, _)| *m == mark) {
            marks.retain(|(m, _)| *m != mark);
            marks.push((mark, Instant::now()));
        }
    }
}

impl Stages {
    /// The stages of the run that went from `t0` to `end`, as durations.
    fn take(&self, t0: Instant, end: Instant) -> Vec<(&'static str, Duration)> {
        let marks = std::mem::take(&mut *self.marks.lock().unwrap());
        let at = |m: &str| {
            marks
                .iter()
                .find(|(k, _)| *k == m)
                .map(|(_, t)| *t)
                .unwrap()
        };
        let (started, init, sdk, first, finished, graded) = (
            at("started"),
            at("init_start"),
            at("sdk_ready"),
            at("first message"),
            at("finished"),
            at("graded"),
        );
        vec![
            ("plan, version from git, sandbox, skill copy", started - t0),
            (
                "run folders, sidecar spawned and ready, request sent",
                init - started,
            ),
            ("SDK loaded in the sidecar", sdk - init),
            ("CLI started, its first message", first - sdk),
            ("agent runs to the last graded one", finished - first),
            (
                "benchmark, regression gate, store, sidecar stopped",
                end - finished.max(graded),
            ),
        ]
    }
}

/// Sets up the app and the fake API, then runs `rounds` interleaved rounds (product, bare)
/// after one warm-up of each.
pub fn measure(rounds: usize) -> Figures {
    let home = tempfile::tempdir().unwrap();
    let fake = FakeMessages::start(fruit_model());
    let env = Env {
        home: home.path().to_path_buf(),
        base_url: fake.url(),
    };
    let data = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(data.path().to_path_buf()), env.options()).unwrap();
    let sidecar = skill_builder_core::node::sidecar_dir(&app.options).expect("the sidecar folder");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let call = |cmd: &str, args: Value| -> Value {
        rt.block_on(catalog::call(&app, cmd, args))
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    };
    call(
        "save_settings",
        json!({"settings": {"anthropic_api_key": KEY}}),
    );
    call("create_skill", json!({"name": SKILL}));
    std::fs::write(app.skills_path().join(SKILL).join("SKILL.md"), skill_md()).unwrap();
    history::commit_skill(&app, SKILL, &format!("{SKILL}: edited")).expect("committed");
    call(
        "save_evals",
        json!({"skillName": SKILL, "evals": {"skill_name": SKILL, "evals": [{
            "id": 1, "prompt": PROMPT, "expected_output": "A summary closing with the agreed word.",
            "files": [], "expectations": ["contains: BANANA", "regex: (?i)apples rose \\d+%"]}]}}),
    );
    let scripts = tempfile::tempdir().unwrap();
    let script = scripts.path().join("bare.mjs");
    std::fs::write(&script, BARE_SCRIPT).unwrap();

    let stages = Arc::new(Stages::default());
    app.events.subscribe(stages.clone());
    let requests = || fake.requests().len();
    let product_once = || {
        stages.marks.lock().unwrap().clear();
        let (c, t) = (cpu_with_children(), Instant::now());
        let b = call("run_evals", product_args());
        let end = Instant::now();
        let cpu = cpu_with_children() - c;
        let rate = |c: &str| b["evals"][0][c]["mean"].as_f64();
        // The regex expectation passes either way; BANANA only with the skill.
        assert_eq!(
            (rate("with_skill"), rate("without_skill")),
            (Some(1.0), Some(0.5)),
            "the product's eval did not measure the skill: {b}"
        );
        (end - t, cpu, stages.take(t, end))
    };
    let bare_round = |i: usize| {
        let root = scripts.path().join(format!("round-{i}"));
        let c = cpu_with_children();
        let (d, answers) = bare_once(&env, &script, &sidecar, &root);
        let cpu = cpu_with_children() - c;
        let text = |label: &str| {
            answers
                .iter()
                .find(|a| a["label"] == label)
                .and_then(|a| a["text"].as_str())
                .unwrap_or("")
                .to_string()
        };
        assert!(
            text("with").ends_with("BANANA") && text("without") == ANSWER,
            "the bare queries did not run as the product's: {answers:?}"
        );
        (d, cpu)
    };
    // Warm-up (page cache for node, the SDK and the CLI binary), and the API requests each
    // side makes per eval run, which must be the same.
    let r0 = requests();
    product_once();
    let r1 = requests();
    bare_round(0);
    let r2 = requests();
    assert_eq!(
        r1 - r0,
        r2 - r1,
        "the two sides did not make the same API requests"
    );
    let mut f = Figures {
        product: Vec::new(),
        bare: Vec::new(),
        product_cpu: Vec::new(),
        bare_cpu: Vec::new(),
        stages: Vec::new(),
        requests: r1 - r0,
    };
    let mut stage_runs = Vec::new();
    for i in 1..=rounds {
        let (d, cpu, st) = product_once();
        f.product.push(d);
        f.product_cpu.push(cpu);
        stage_runs.push(st);
        let (d, cpu) = bare_round(i);
        f.bare.push(d);
        f.bare_cpu.push(cpu);
    }
    f.stages = (0..stage_runs[0].len())
        .map(|k| {
            let all: Vec<Duration> = stage_runs.iter().map(|r| r[k].1).collect();
            (stage_runs[0][k].0, mean(&all))
        })
        .collect();
    rt.block_on(app.agents.shutdown_all(&app));
    app.shutdown();
    f
}

pub fn mean(v: &[Duration]) -> Duration {
    v.iter().sum::<Duration>() / v.len().max(1) as u32
}
