//! `bench-report`: measures the figures of issue 9 item 4 and the eval run overhead of issue 15
//! ([`evals`]), each next to a baseline measured in the same run on the same machine, and
//! writes them as markdown tables to `docs/benchmarks.md` (or `--out FILE`). A `## Profile`
//! section already in the output file is kept (it is written by hand after profiling).
//!
//! Ratio = cost of the figure / cost of its baseline (time ÷ time, or rate ÷ rate inverted), so
//! 1.0× means "as fast as the baseline" and larger is slower.
//!
//! Run: `scripts/bench-report.sh` (release build). `--quick` uses smaller sizes; `--only
//! list,startup,zip,git,sidecar,eval` measures some and writes nothing.

mod evals;

use serde_json::json;
use skill_builder_core::agents::{AgentRequest, RequestKind};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::options::Options;
use skill_builder_core::App;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_n(runs: usize, mut f: impl FnMut(usize)) -> Duration {
    median(
        (0..runs)
            .map(|i| {
                let t = Instant::now();
                f(i);
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1e3;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

struct Row {
    figure: String,
    value: String,
    baseline: String,
    base_value: String,
    ratio: f64,
}

#[derive(Default)]
struct Report {
    sections: Vec<(String, String, Vec<Row>)>,
}

impl Report {
    fn section(&mut self, title: &str, note: &str, rows: Vec<Row>) {
        for r in &rows {
            println!(
                "{title}: {} = {} | {} = {} | {:.2}x",
                r.figure, r.value, r.baseline, r.base_value, r.ratio
            );
        }
        self.sections.push((title.into(), note.into(), rows));
    }
}

fn time_row(figure: &str, f: Duration, baseline: &str, b: Duration) -> Row {
    Row {
        figure: figure.into(),
        value: ms(f),
        baseline: baseline.into(),
        base_value: ms(b),
        ratio: f.as_secs_f64() / b.as_secs_f64().max(1e-9),
    }
}

/// Deterministic pseudo-random bytes (xorshift), so every run builds the same data.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn words(seed: u64, len: usize) -> String {
    const W: [&str; 16] = [
        "order", "customer", "revenue", "the", "is", "ledger", "grain", "refund", "fiscal",
        "quarter", "and", "of", "table", "source", "rule", "edge",
    ];
    let n = noise(seed, len / 4 + 8);
    let mut s = String::with_capacity(len + 16);
    let mut i = 0;
    while s.len() < len {
        s.push_str(W[(n[i % n.len()] & 15) as usize]);
        s.push(if i % 14 == 13 { '\n' } else { ' ' });
        i += 1;
    }
    s
}

fn skill_md(name: &str) -> String {
    format!(
        "---\nname: {name}\ndescription: Benchmark skill {name}. Use when measuring.\n---\n\n# {name}\n\n{}\n",
        words(name.len() as u64, 1500)
    )
}

fn run(cmd: &str, args: &[&str], dir: Option<&Path>) {
    let mut c = Command::new(cmd);
    c.args(args).stdout(Stdio::null()).stderr(Stdio::inherit());
    if let Some(d) = dir {
        c.current_dir(d);
    }
    let s = c.status().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(s.success(), "{cmd} {args:?} failed");
}

fn first_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let mut s = String::from_utf8_lossy(&o.stdout).to_string();
            s.push_str(&String::from_utf8_lossy(&o.stderr));
            s.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|| "not found".into())
}

// ---------------------------------------------------------------- machine

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = |key: &str| {
        meminfo
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|k| k.parse::<f64>().ok())
            .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
            .unwrap_or_else(|| "?".into())
    };
    vec![
        (
            "CPU cores (available)".into(),
            std::thread::available_parallelism()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "?".into()),
        ),
        ("CPU model".into(), model),
        ("Memory total".into(), mem("MemTotal:")),
        ("Memory available at start".into(), mem("MemAvailable:")),
        (
            "Kernel".into(),
            std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .into(),
        ),
        ("Node.js".into(), first_line("node", &["--version"])),
        ("git".into(), first_line("git", &["--version"])),
        ("unzip".into(), first_line("unzip", &["-v"])),
        (
            "Temp dir".into(),
            std::env::temp_dir().display().to_string(),
        ),
    ]
}

// ---------------------------------------------------------------- 1. list_skills

fn insert_skills(app: &App, n: usize, prefix: &str) {
    let mut conn = app.db.conn();
    let tx = conn.transaction().unwrap();
    for i in 0..n {
        let name = format!("{prefix}-{i:05}");
        tx.execute(
            "INSERT INTO skills (name, skill_source, purpose, description) VALUES (?1, 'skill-builder', 'domain', 'A benchmark skill')",
            [&name],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO workflow_runs (skill_name, skill_id, current_step, status) VALUES (?1, ?2, 3, 'completed')",
            rusqlite::params![name, id],
        )
        .unwrap();
        for t in ["bench", if i % 2 == 0 { "even" } else { "odd" }] {
            tx.execute(
                "INSERT INTO skill_tags (skill_name, tag, skill_id) VALUES (?1, ?2, ?3)",
                rusqlite::params![name, t, id],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn bench_list(rep: &mut Report, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(dir.path().to_path_buf()), bench_options()).unwrap();
    insert_skills(&app, n, "bench-skill");
    let runs = 21;
    let list_once = || {
        let listed = skill_builder_core::skills::list_skills(&app, Default::default()).unwrap();
        assert_eq!(listed.len(), n);
    };
    let bare_once = || {
        let conn = app.db.conn();
        let mut stmt = conn
            .prepare(
                "SELECT s.id, s.name, s.skill_source, s.purpose, s.updated_at, s.description, s.version,
                        s.model, s.argument_hint, s.user_invocable, s.disable_model_invocation,
                        r.id, r.current_step, r.status, r.updated_at, r.author_login, r.author_avatar,
                        r.display_name, r.intake_json, r.source
                 FROM skills s LEFT JOIN workflow_runs r ON r.skill_id = s.id",
            )
            .unwrap();
        let rows: Vec<Vec<rusqlite::types::Value>> = stmt
            .query_map([], |r| (0..20).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), n);
    };
    // Through the command table, as a shell calls it: the JSON text it sends is the figure's
    // output (`call_raw`, what the HTTP, Tauri and CLI shells use).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let call_once = || {
        let raw = rt
            .block_on(skill_builder_core::catalog::call_raw(
                &app,
                "list_skills",
                json!({}),
            ))
            .unwrap();
        String::from(Box::<str>::from(raw))
    };
    let sent = call_once();
    let listed: Vec<serde_json::Value> = serde_json::from_str(&sent).unwrap();
    assert_eq!(listed.len(), n);
    // Interleaved rounds (baseline, command, catalog call): a load change on this shared
    // machine hits the three figures alike instead of skewing their ratio.
    let (mut bare, mut list, mut via_call) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        for (out, f) in [
            (&mut bare, &bare_once as &dyn Fn()),
            (&mut list, &list_once),
            (&mut via_call, &|| drop(call_once())),
        ] {
            let t = Instant::now();
            f();
            out.push(t.elapsed());
        }
    }
    let (bare, list, via_call) = (median(bare), median(list), median(via_call));
    rep.section(
        "list_skills",
        &format!(
            "{n} skills with runs and 2 tags each; median of {runs} interleaved rounds \
             (baseline, command, catalog call)."
        ),
        vec![
            time_row(
                &format!("`skills::list_skills` ({n} skills)"),
                list,
                "bare SELECT of the same 20 columns (JOIN)",
                bare,
            ),
            time_row(
                "`catalog::call_raw(\"list_skills\")` (incl. JSON text)",
                via_call,
                "bare SELECT of the same 20 columns (JOIN)",
                bare,
            ),
        ],
    );
}

// ---------------------------------------------------------------- 2. start-up

fn bench_startup(rep: &mut Report, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let app = App::open_with(Some(data.clone()), bench_options()).unwrap();
        insert_skills(&app, n, "disk-skill");
        let skills = app.skills_path();
        let ws = app.workspace_path();
        for i in 0..n {
            let name = format!("disk-skill-{i:05}");
            let d = skills.join(&name);
            std::fs::create_dir_all(d.join("references")).unwrap();
            std::fs::create_dir_all(d.join("context")).unwrap();
            std::fs::create_dir_all(ws.join(&name)).unwrap();
            std::fs::write(d.join("SKILL.md"), skill_md(&name)).unwrap();
            std::fs::write(d.join("references/topic.md"), words(i as u64, 800)).unwrap();
            std::fs::write(
                d.join("context/decisions.md"),
                "# Decisions\n\n### D1: Grain\nOne row per order.\n",
            )
            .unwrap();
            std::fs::write(d.join("context/evaluations.md"), "# Evaluations\n").unwrap();
        }
        skill_builder_core::history::commit_all(&skills, "bench: 1k skills").unwrap();
        // First start-up: seeds bundled files, reconciles once.
        skill_builder_core::startup::run_startup(&app).unwrap();
        app.shutdown();
    }
    let runs = 7;
    let mut notes = 0;
    let startup = time_n(runs, |_| {
        let app = App::open_with(Some(data.clone()), bench_options()).unwrap();
        let r = skill_builder_core::startup::run_startup(&app).unwrap();
        notes = r
            .reconciliation
            .as_ref()
            .map(|r| r.notifications.len())
            .unwrap_or(0);
        app.shutdown();
    });
    let open_only = time_n(runs, |_| {
        let app = App::open_with(Some(data.clone()), bench_options()).unwrap();
        app.shutdown();
    });
    let baseline = time_n(runs, |_| {
        let mut files = 0usize;
        let mut stack = vec![data.join("skills"), data.join("workspace")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let m = e.metadata().unwrap();
                if m.is_dir() {
                    if e.file_name() != ".git" {
                        stack.push(e.path());
                    }
                } else {
                    files += 1;
                }
            }
        }
        let conn = rusqlite::Connection::open(data.join("skill-builder.db")).unwrap();
        let names: Vec<String> = conn
            .prepare("SELECT name FROM skills")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(names.len() >= n && files >= 4 * n);
    });
    rep.section(
        "start-up",
        &format!(
            "{n} skills on disk (SKILL.md, a reference, two context files each; one git commit), DB rows \
             for each; warm page cache; median of {runs} runs. {notes} reconciliation notification(s) per start."
        ),
        vec![
            time_row(
                "`App::open` + `startup::run_startup`",
                startup,
                "directory walk (skills + workspace) + SELECT of the skills",
                baseline,
            ),
            time_row(
                "`App::open` alone (DB, migrations, settings, repo)",
                open_only,
                "directory walk (skills + workspace) + SELECT of the skills",
                baseline,
            ),
        ],
    );
}

// ---------------------------------------------------------------- 3. ZIP upload

fn make_zip(path: &Path, target_bytes: usize) -> (usize, u64) {
    use zip::write::SimpleFileOptions;
    let f = std::fs::File::create(path).unwrap();
    let mut w = zip::ZipWriter::new(std::io::BufWriter::new(f));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut total = 0usize;
    let mut files = 0usize;
    w.start_file("big-skill/SKILL.md", opts).unwrap();
    let md = skill_md("big-skill");
    w.write_all(md.as_bytes()).unwrap();
    total += md.len();
    files += 1;
    let mut i = 0u64;
    while total < target_bytes {
        // Half text references (compressible), half binary assets (not).
        let (name, data) = if i.is_multiple_of(2) {
            (
                format!("big-skill/references/topic-{i:03}.md"),
                words(i, 1 << 20).into_bytes(),
            )
        } else {
            (
                format!("big-skill/assets/blob-{i:03}.bin"),
                noise(i, 1 << 20),
            )
        };
        w.start_file(name, opts).unwrap();
        w.write_all(&data).unwrap();
        total += data.len();
        files += 1;
        i += 1;
    }
    w.finish().unwrap();
    (files, std::fs::metadata(path).unwrap().len())
}

fn bench_zip(rep: &mut Report, mb: usize) {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("big-skill.zip");
    let (files, zbytes) = make_zip(&zip, mb << 20);
    let app = App::open_with(Some(dir.path().join("data")), bench_options()).unwrap();
    let runs = 5;
    let upload = time_n(runs, |i| {
        let v = skill_builder_core::workspace_skills::upload_skill(
            &app,
            serde_json::from_value(json!({
                "filePath": zip.display().to_string(),
                "nameOverride": format!("big-skill-{i}"),
            }))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(v.skill_name, format!("big-skill-{i}"));
    });
    let extract = time_n(runs, |i| {
        let out = dir.path().join(format!("x{i}"));
        std::fs::create_dir_all(&out).unwrap();
        let x = skill_builder_core::ingest::zip_extract::extract_skill_zip(
            &zip,
            &out,
            Default::default(),
        )
        .unwrap();
        assert_eq!(x.files, files);
        std::fs::remove_dir_all(&out).unwrap();
    });
    let unzip = time_n(runs, |i| {
        let out = dir.path().join(format!("u{i}"));
        run(
            "unzip",
            &[
                "-q",
                "-o",
                zip.to_str().unwrap(),
                "-d",
                out.to_str().unwrap(),
            ],
            None,
        );
        std::fs::remove_dir_all(&out).unwrap();
    });
    rep.section(
        "ZIP upload",
        &format!(
            "One skill, {files} files, {} MiB unpacked (half text, half random bytes), archive {:.1} MiB; \
             median of {runs} runs; the extraction timings include removing the folder again.",
            mb,
            zbytes as f64 / 1048576.0
        ),
        vec![
            time_row(
                "`upload_skill` (validate, extract, hash, lint, DB row, move)",
                upload,
                "`unzip -q`",
                unzip,
            ),
            time_row(
                "`zip_extract::extract_skill_zip` alone",
                extract,
                "`unzip -q`",
                unzip,
            ),
        ],
    );
}

// ---------------------------------------------------------------- 4. git commit

fn bench_git(rep: &mut Report, skills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("repo-lib");
    let b = dir.path().join("repo-cli");
    for root in [&a, &b] {
        for i in 0..skills {
            let name = format!("skill-{i:03}");
            let d = root.join(&name);
            std::fs::create_dir_all(d.join("references")).unwrap();
            std::fs::write(d.join("SKILL.md"), skill_md(&name)).unwrap();
            for r in 0..3 {
                std::fs::write(
                    d.join(format!("references/r{r}.md")),
                    words((i * 3 + r) as u64, 2000),
                )
                .unwrap();
            }
        }
    }
    skill_builder_core::history::commit_all(&a, "initial").unwrap();
    // The CLI repo: same files, committed by git itself.
    let git_env = [
        ("GIT_AUTHOR_NAME", "Bench"),
        ("GIT_AUTHOR_EMAIL", "bench@example.invalid"),
        ("GIT_COMMITTER_NAME", "Bench"),
        ("GIT_COMMITTER_EMAIL", "bench@example.invalid"),
    ];
    let git = |args: &[&str]| {
        let s = Command::new("sh")
            .arg("-c")
            .arg(args.join(" "))
            .current_dir(&b)
            .envs(git_env)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(s.success());
    };
    git(&["git init -q && git add -A && git commit -q -m initial"]);
    let runs = 15;
    let target = "skill-042";
    let lib = time_n(runs, |i| {
        std::fs::write(
            a.join(target).join("SKILL.md"),
            format!("{}\nedit {i}\n", skill_md(target)),
        )
        .unwrap();
        let sha =
            skill_builder_core::history::commit_skill_at(&a, target, &format!("edit {i}")).unwrap();
        assert!(sha.is_some());
    });
    let lib_all = time_n(runs, |i| {
        std::fs::write(
            a.join(target).join("SKILL.md"),
            format!("{}\nall {i}\n", skill_md(target)),
        )
        .unwrap();
        let sha = skill_builder_core::history::commit_all(&a, &format!("all {i}")).unwrap();
        assert!(sha.is_some());
    });
    let cli = time_n(runs, |i| {
        std::fs::write(
            b.join(target).join("SKILL.md"),
            format!("{}\nedit {i}\n", skill_md(target)),
        )
        .unwrap();
        git(&[&format!("git add -A && git commit -q -m 'edit {i}'")]);
    });
    rep.section(
        "git commit of a changed skill",
        &format!(
            "Repository of {skills} skills × 4 files; one SKILL.md changed, then committed; median of {runs} runs."
        ),
        vec![
            time_row(
                "`history::commit_skill_at` (one skill's folder)",
                lib,
                "`git add -A && git commit` (git CLI)",
                cli,
            ),
            time_row(
                "`history::commit_all` (whole repo)",
                lib_all,
                "`git add -A && git commit` (git CLI)",
                cli,
            ),
        ],
    );
}

// ---------------------------------------------------------------- 5 + 6. sidecar

#[derive(Default)]
struct Sink {
    messages: AtomicU64,
    first: Mutex<HashMap<String, Instant>>,
}

impl EventSink for Sink {
    fn emit(&self, e: &Event) {
        // The pool's own `config` echo is emitted before the request is sent; only lines
        // that came from the sidecar count.
        if e.name != "agent-message" || e.payload["message"]["type"] == "config" {
            return;
        }
        self.messages.fetch_add(1, Ordering::Relaxed);
        if let Some(id) = e.payload["agent_id"].as_str() {
            let mut first = self.first.lock().unwrap();
            if !first.contains_key(id) {
                first.insert(id.to_string(), Instant::now());
            }
        }
    }
}

fn agent_request(app: &App, pool: &str, id: &str) -> AgentRequest {
    let ws = app.workspace_path();
    AgentRequest {
        agent_id: id.into(),
        skill_name: "bench-agent".into(),
        pool_key: Some(pool.into()),
        step_id: -1,
        model: "claude-sonnet-4-6".into(),
        config: json!({
            "prompt": "benchmark",
            "cwd": ws.display().to_string(),
            "model": "claude-sonnet-4-6",
            "maxTurns": 5,
            "permissionMode": "acceptEdits",
            "skillName": "bench-agent",
            "mock": true,
            "mockStep": "generic",
            "mockDelayMs": 0,
        }),
        transcript: None,
        workflow_session_id: None,
        kind: RequestKind::OneShot,
        on_finish: None,
    }
}

/// A stand-in sidecar that speaks the protocol and answers each `agent_request` with `lines`
/// assistant messages and a result, as fast as node can write them. The pool and the raw-pipe
/// baseline read the very same producer.
const FAKE_SIDECAR: &str = r#"
const readline = require('readline');
const N = Number(process.env.BENCH_LINES);
const PAD = 'x'.repeat(Number(process.env.BENCH_PAD));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
out({ type: 'sidecar_ready' });
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (l) => {
  const m = JSON.parse(l);
  if (m.type === 'ping') return out({ type: 'pong' });
  if (m.type === 'shutdown') return process.exit(0);
  if (m.type !== 'agent_request') return;
  const rid = m.request_id;
  let buf = [];
  for (let i = 0; i < N; i++) {
    buf.push(JSON.stringify({ type: 'assistant', request_id: rid, session_id: 's', message: { id: 'm' + i, role: 'assistant', content: [{ type: 'text', text: PAD }], usage: { input_tokens: 10, output_tokens: 5 } } }));
    if (buf.length === 512) { process.stdout.write(buf.join('\n') + '\n'); buf = []; }
  }
  if (buf.length) process.stdout.write(buf.join('\n') + '\n');
  out({ type: 'result', subtype: 'success', is_error: false, request_id: rid, result: 'ok', num_turns: 1, total_cost_usd: 0, usage: { input_tokens: 10, output_tokens: 5 } });
  out({ type: 'request_complete', request_id: rid });
});
"#;

const LINES: u64 = 100_000;
const PAD: usize = 200;

fn write_fake_sidecar(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.js"), FAKE_SIDECAR).unwrap();
}

/// CPU time (user + system, all threads) of this process so far, in seconds.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rfind(')').map(|i| &stat[i + 2..]).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after "pid (comm)".
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| f.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// Child mode (`--throughput-child DIR`): the pool reads LINES lines of the fake sidecar into a
/// counting sink; prints `{"secs":…,"events":…}`.
fn throughput_child() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(dir.path().to_path_buf()), bench_options()).unwrap();
    let sink = Arc::new(Sink::default());
    app.events.subscribe(sink.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (secs, events, cpu) = rt.block_on(async {
        // Spawn (ready) first, so only the stream is timed.
        let h = app
            .agents
            .send(&app, agent_request(&app, "tp", "tp-warmup"))
            .await
            .unwrap();
        assert!(h.wait().await.success);
        let m0 = sink.messages.load(Ordering::SeqCst);
        let c0 = cpu_secs();
        let t = Instant::now();
        let h = app
            .agents
            .send(&app, agent_request(&app, "tp", "tp-run"))
            .await
            .unwrap();
        let o = h.wait().await;
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_secs() - c0;
        assert!(o.success, "{:?}", o.error);
        let events = sink.messages.load(Ordering::SeqCst) - m0;
        app.agents.shutdown_all(&app).await;
        (secs, events, cpu)
    });
    println!("{}", json!({"secs": secs, "events": events, "cpu": cpu}));
}

fn bench_sidecar(rep: &mut Report) {
    // Throughput: through the pool (in a child process that points the pool at the fake
    // sidecar) vs the raw pipe of the same producer.
    let fake = tempfile::tempdir().unwrap();
    write_fake_sidecar(fake.path());
    let pool_once = || {
        let out = Command::new(std::env::current_exe().unwrap())
            .arg("--throughput-child")
            .env("SKILL_BUILDER_SIDECAR_DIR", fake.path())
            .env("BENCH_LINES", LINES.to_string())
            .env("BENCH_PAD", PAD.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap())
                .unwrap();
        (
            v["events"].as_u64().unwrap(),
            Duration::from_secs_f64(v["cpu"].as_f64().unwrap()),
            Duration::from_secs_f64(v["secs"].as_f64().unwrap()),
        )
    };
    let raw_once = || {
        let mut child = Command::new("node")
            .arg(fake.path().join("src/main.js"))
            .env("BENCH_LINES", LINES.to_string())
            .env("BENCH_PAD", PAD.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut s = String::new();
        r.read_line(&mut s).unwrap(); // sidecar_ready
        let t = Instant::now();
        stdin
            .write_all(b"{\"type\":\"agent_request\",\"request_id\":\"raw\",\"config\":{}}\n")
            .unwrap();
        let mut n = 0u64;
        loop {
            s.clear();
            if r.read_line(&mut s).unwrap() == 0 || s.contains("\"result\"") {
                break;
            }
            n += 1;
        }
        let d = t.elapsed();
        drop(stdin);
        let _ = child.kill();
        child.wait().unwrap();
        assert_eq!(n, LINES);
        d
    };
    // Interleaved rounds (pool, raw pipe): a load change on this shared machine hits both.
    let (mut pool_runs, mut cpu_runs, mut raw_runs) = (Vec::new(), Vec::new(), Vec::new());
    let mut events = 0;
    for _ in 0..5 {
        let (e, cpu, secs) = pool_once();
        events = e;
        cpu_runs.push(cpu);
        pool_runs.push(secs);
        raw_runs.push(raw_once());
    }
    assert!(events >= LINES, "only {events} events");
    let pool = median(pool_runs);
    let cpu = median(cpu_runs);
    let raw = median(raw_runs);
    println!(
        "pool process CPU per event: {:.2} µs ({} CPU for {events} events)",
        cpu.as_secs_f64() * 1e6 / events as f64,
        ms(cpu)
    );
    let rate = LINES as f64 / pool.as_secs_f64();
    let raw_rate = LINES as f64 / raw.as_secs_f64();
    rep.section(
        "sidecar event throughput",
        &format!(
            "One agent request answered by a stand-in sidecar (`node`, same JSON-lines protocol) with {LINES} \
             assistant messages (~{} B each) and a result. Figure: `SidecarPool::send` → parse, route, count, \
             `agent-message` event into a counting sink, until the request resolves. Baseline: the same \
             producer read line by line by a `BufReader` on the raw pipe. Median of 5 interleaved rounds.",
            PAD + 190
        ),
        vec![Row {
            figure: "pool → event sink".into(),
            value: format!(
                "{rate:.0} events/s ({}; app CPU {:.1} µs/event)",
                ms(pool),
                cpu.as_secs_f64() * 1e6 / events as f64
            ),
            baseline: "raw pipe read (same node producer → BufReader)".into(),
            base_value: format!("{raw_rate:.0} lines/s ({})", ms(raw)),
            ratio: raw_rate / rate,
        }],
    );

    // Warm vs cold with the real sidecar (mock agent).
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(dir.path().to_path_buf()), bench_options()).unwrap();
    let sink = Arc::new(Sink::default());
    app.events.subscribe(sink.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (cold, warm) = rt.block_on(async {
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for round in 0..5 {
            let pool = format!("bench-cold-{round}");
            for (k, out) in [(0, &mut cold), (1, &mut warm)] {
                let id = format!("{pool}-{k}");
                let t = Instant::now();
                let h = app
                    .agents
                    .send(&app, agent_request(&app, &pool, &id))
                    .await
                    .unwrap();
                let o = h.wait().await;
                assert!(o.success, "mock request failed: {:?}", o.error);
                let first = sink.first.lock().unwrap()[&id];
                out.push(first - t);
            }
            app.agents.cleanup_skill(&app, &pool).await;
        }
        app.agents.shutdown_all(&app).await;
        (median(cold), median(warm))
    });
    rep.section(
        "warm vs cold agent request",
        "Real sidecar, mock agent; time from `SidecarPool::send` to the first `agent-message` that came from \
         the sidecar; median of 5. The baseline here is the warm request itself: the ratio is what a cold \
         start costs (node start, module load, `sidecar_ready`).",
        vec![time_row(
            "cold (spawn node → ready → first event)",
            cold,
            "warm (second request on the running sidecar)",
            warm,
        )],
    );
}

// ---------------------------------------------------------------- 7. eval run overhead

fn bench_eval(rep: &mut Report, rounds: usize) {
    let f = evals::measure(rounds);
    let (pm, bm) = (evals::mean(&f.product), evals::mean(&f.bare));
    let (pd, bd) = (median(f.product.clone()), median(f.bare.clone()));
    let (pc, bc) = (evals::mean(&f.product_cpu), evals::mean(&f.bare_cpu));
    let stages: Vec<String> = f
        .stages
        .iter()
        .map(|(k, d)| format!("{k} {}", ms(*d)))
        .collect();
    println!("eval run stages (mean): {}", stages.join("; "));
    rep.section(
        "eval run overhead",
        &format!(
            "One eval (a prompt, a `contains:` and a `regex:` expectation, so no judge call) run once with the \
             skill and once without, against `testkit`'s scripted fake Anthropic API, which answers at once: \
             the time is everything but the model. Both sides make the same {} API requests per eval run \
             (checked), and both are checked to give the answer the skill asks for with it and the plain \
             answer without it. Mean and median of {} interleaved rounds (product, bare) after one warm-up of \
             each; the ratio is of the means.\n\n\
             - **Figure**: `catalog::call(\"run_evals\")` with `runs: 1`, start to return: the plan (eval \
             files read and checked), the skill's version from git (last commit of its folder, dirty check), \
             a sandbox with the skill's deployable files copied once and a run folder per agent run \
             (`.claude/skills/<name>/` for the with-skill run), a sidecar of its own (spawn node, load the \
             real `@anthropic-ai/claude-agent-sdk`), the two agent runs concurrently (each an SDK `query()` \
             that starts the Claude Code CLI; events, transcript and usage row per run; tool calls read \
             back from the transcript), grading in code, the benchmark, the regression gate (skill history, \
             stored runs), the benchmark stored (DB row and JSON file), the sidecar stopped.\n\
             - **Baseline**: a bare Node script, `node bare.mjs` from spawn to exit: it imports the \
             sidecar's SDK and runs the same two `query()` calls concurrently in one process (like the \
             product's one sidecar per eval run), with the options the sidecar gives an eval executor \
             (prompt, model, allowed tools, `maxTurns`, `permissionMode`, `settingSources: [project]`, the \
             `claude_code` system prompt preset) and the same environment (HOME, CLI config folder, API URL, \
             key), each in a fresh folder, the with-skill one with `SKILL.md` in `.claude/skills/<name>/`.\n\
             - **CPU**: user + system time of the bench process (the app, and the fake API serving either \
             side) plus the children it reaped (the sidecar or the bare node, with the CLIs they reaped).\n\
             - Where a product run's time goes (mean, from the app's own events): {}.",
            f.requests,
            f.product.len(),
            stages.join("; ")
        ),
        vec![
            Row {
                figure: "`run_evals` (1 eval × with + without, graded, stored)".into(),
                value: format!("mean {} / median {}", ms(pm), ms(pd)),
                baseline: "bare SDK `query()` ×2 (same prompt, one node process)".into(),
                base_value: format!("mean {} / median {}", ms(bm), ms(bd)),
                ratio: pm.as_secs_f64() / bm.as_secs_f64().max(1e-9),
            },
            time_row(
                "`run_evals`: CPU per eval run (mean)",
                pc,
                "bare SDK `query()` ×2: CPU (mean)",
                bc,
            ),
        ],
    );
}

// ---------------------------------------------------------------- output

fn write_report(out: &Path, rep: &Report, machine: &[(String, String)], quick: bool) {
    let kept = std::fs::read_to_string(out)
        .ok()
        .and_then(|s| s.find("\n## Profile").map(|i| s[i + 1..].to_string()));
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Generated by `scripts/bench-report.sh` (`cargo run --release -p skill-builder-bench --bin bench-report`). \
         Every figure is measured next to its baseline in the same run on the same machine. \
         **Ratio** = cost of the figure ÷ cost of the baseline (for rates: baseline rate ÷ figure rate), \
         so 1.0× is \"as fast as the baseline\" and higher is slower.\n\n",
    );
    let _ = writeln!(
        md,
        "Run: {}{}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        if quick { " (--quick sizes)" } else { "" }
    );
    md.push_str("## Machine\n\n| | |\n|---|---|\n");
    for (k, v) in machine {
        let _ = writeln!(md, "| {k} | {v} |");
    }
    md.push_str("\n## Summary\n\n| Benchmark | Figure | Value | Baseline | Value | Ratio |\n|---|---|---|---|---|---|\n");
    for (title, _, rows) in &rep.sections {
        for r in rows {
            let _ = writeln!(
                md,
                "| {title} | {} | {} | {} | {} | {:.2}× |",
                r.figure, r.value, r.baseline, r.base_value, r.ratio
            );
        }
    }
    md.push('\n');
    for (title, note, rows) in &rep.sections {
        let _ = writeln!(md, "## {title}\n\n{note}\n");
        md.push_str("| Figure | Value | Baseline | Value | Ratio |\n|---|---|---|---|---|\n");
        for r in rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:.2}× |",
                r.figure, r.value, r.baseline, r.base_value, r.ratio
            );
        }
        md.push('\n');
    }
    if let Some(k) = kept {
        md.push_str(&k);
    }
    if let Some(p) = out.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(out, md).unwrap();
    println!("wrote {}", out.display());
}

/// The options of the benchmark's apps: no keychain, mock agents with no delay (the rest, e.g.
/// the sidecar folder given to the throughput child, from the environment).
fn bench_options() -> Options {
    Options {
        keychain: false,
        mock: true,
        mock_delay_ms: Some(0),
        ..Options::from_env()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--throughput-child") {
        throughput_child();
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docs/benchmarks.md"));
    let only: Vec<&str> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    let want = |k: &str| only.is_empty() || only.contains(&k);
    let machine = machine();
    let mut rep = Report::default();
    if want("list") {
        bench_list(&mut rep, if quick { 2_000 } else { 10_000 });
    }
    if want("startup") {
        bench_startup(&mut rep, if quick { 200 } else { 1_000 });
    }
    if want("zip") {
        bench_zip(&mut rep, if quick { 8 } else { 50 });
    }
    if want("git") {
        bench_git(&mut rep, if quick { 50 } else { 200 });
    }
    if want("sidecar") {
        bench_sidecar(&mut rep);
    }
    if want("eval") {
        bench_eval(&mut rep, if quick { 3 } else { 10 });
    }
    if only.is_empty() {
        write_report(&out, &rep, &machine, quick);
    } else {
        println!("(--only given: report not written)");
    }
}
