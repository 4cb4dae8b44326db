//! Shared helpers for integration tests: the one way to open an app ([`open`],
//! [`open_mock`], [`open_with`], [`open_at`]) and helpers for tests that run agents.
//!
//! All the core's tests share one process. They pass [`Options`] to `App::open_with` and never
//! change the process environment; what a process has only one of is handled here:
//! - the logger (its file and level) and the umask: a test that needs them runs alone in a
//!   child process ([`in_own_process!`]);
//! - libgit2's config search path: set once, before any test uses git ([`hermetic_git`]);
//! - the machine's capacity for Claude Code processes: tests through the real SDK take a
//!   [`sdk_slot`].
#![allow(dead_code)]

use serde_json::{json, Value};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::options::Options;
use skill_builder_core::{catalog, App, Error};
use skill_builder_testkit::fake_github::FakeGitHub;
use skill_builder_testkit::fake_messages::{FakeMessages, Reserved, Script};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Once};
use tempfile::TempDir;
use tokio::sync::{mpsc, Semaphore, SemaphorePermit};

/// The options every test starts from: the keychain off, real agents, nothing of the
/// environment but PATH (so the sidecar finds Node as the shells do).
pub fn options() -> Options {
    hermetic_git();
    Options {
        path: std::env::var_os("PATH"),
        ..Options::default()
    }
}

/// A fresh app over a temp data dir (the returned dir), with [`options`].
pub fn open() -> (TempDir, Arc<App>) {
    open_with(|_| {})
}

/// [`open`] with mock agents (`SKILL_BUILDER_MOCK_AGENTS=1`).
pub fn open_mock() -> (TempDir, Arc<App>) {
    open_with(|o| o.mock = true)
}

/// [`open`] with [`options`] changed by `change`.
pub fn open_with(change: impl FnOnce(&mut Options)) -> (TempDir, Arc<App>) {
    let dir = tempfile::tempdir().unwrap();
    let app = open_at(dir.path(), change);
    (dir, app)
}

/// Points an app's GitHub client at a fake GitHub (the `SKILL_BUILDER_GITHUB_*_URL` options).
pub fn use_github(o: &mut Options, fake: &FakeGitHub) {
    o.github_api_url = Some(fake.api_url());
    o.github_raw_url = Some(fake.raw_url());
    o.github_oauth_url = Some(fake.oauth_url());
}

/// Options for agents through the real SDK, offline: HOME and the CLI's configuration
/// (`CLAUDE_CONFIG_DIR`) in `home`, the Anthropic API at `base_url` (a fake).
pub fn real_sdk(o: &mut Options, home: &Path, base_url: String) {
    o.home = Some(home.to_path_buf());
    o.claude_config_dir = Some(home.join(".claude"));
    o.anthropic_base_url = Some(base_url);
}

/// Whether Node can be found (the real-SDK tests skip without it).
pub fn has_node() -> bool {
    skill_builder_core::node::find_node(&options()).is_some()
}

/// Mock agents with 300 ms between messages (`SKILL_BUILDER_MOCK_DELAY_MS`), so a test can
/// act while a step runs: `open_with(slow_mock)`.
pub fn slow_mock(o: &mut Options) {
    o.mock = true;
    o.mock_delay_ms = Some(300);
}

/// An app over the data dir `data` (a second instance, a reopen, a dir inside a temp dir).
pub fn open_at(data: &Path, change: impl FnOnce(&mut Options)) -> Arc<App> {
    let mut o = options();
    change(&mut o);
    App::open_with(Some(data.to_path_buf()), o).unwrap()
}

/// Hides the machine's global, XDG and system git config (an identity, `init.defaultBranch`,
/// `url.*.insteadOf`, …) from libgit2 for the whole process. libgit2's search paths must not
/// change while another thread reads a config, so this runs once, before any git use: every
/// app is opened through [`options`], which calls it, and a test that uses `git2` before it
/// opens an app calls it first.
pub fn hermetic_git() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // A folder that does not exist: libgit2 finds no config file there.
        let none = std::env::temp_dir().join("skill-builder-core-tests-no-git-config");
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: inside `call_once`, which every path to git in these tests goes through
            // first (the others wait for it), so no thread reads the paths meanwhile.
            unsafe { git2::opts::set_search_path(level, &none).unwrap() };
        }
    });
}

/// A turn to run agents through the real SDK: each such test starts a Node sidecar and a
/// Claude Code process per agent, so how many run at once is bounded for the whole process,
/// not per module: as many as the cores, from two to four. Not fewer than two: on a two-core
/// machine the harness runs two tests at a time, and a test waiting here holds one of them.
pub async fn sdk_slot() -> SemaphorePermit<'static> {
    static SLOTS: std::sync::OnceLock<Semaphore> = std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Semaphore::new(cores.clamp(2, 4))
        })
        .acquire()
        .await
        .unwrap()
}

/// The variable that tells a child process of this binary which test it runs alone.
const ALONE: &str = "CORE_TESTS_ALONE";

/// For [`in_own_process!`]: `true` in the child that runs `test` (a type name within the
/// test, see the macro) alone; in any other process runs that child, asserts that it ran
/// the test and passed, and returns `false`.
pub fn own_process(type_name: &str) -> bool {
    let test = test_path(type_name);
    if std::env::var_os(ALONE).is_some_and(|v| v == test.as_str()) {
        return true;
    }
    let out = Command::new(this_binary())
        .args([test.as_str(), "--exact", "--test-threads=1"])
        .env(ALONE, &test)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{test}, run alone in a child process, failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// This test binary. On Linux through `/proc/self/exe`, which still runs this very binary when
/// a build replaced its file meanwhile (the path `current_exe` gives would then be gone).
fn this_binary() -> std::path::PathBuf {
    let proc_exe = Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && proc_exe.exists() {
        return proc_exe.to_path_buf();
    }
    std::env::current_exe().unwrap()
}

/// `core::module::test::{{closure}}::here` → `module::test` (the name the harness filters on).
fn test_path(type_name: &str) -> String {
    let parts: Vec<&str> = type_name
        .split("::")
        .skip(1)
        .filter(|p| !p.starts_with('{'))
        .collect();
    parts[..parts.len() - 1].join("::")
}

/// Runs the calling test alone in a child process of this binary, for a test that needs what
/// a process has only one of: the logger (`logging::init` wins once, and the level is global)
/// or the umask. `if !in_own_process!() { return; }` first in the test: the parent returns
/// there once the child passed, the child goes on.
macro_rules! in_own_process {
    () => {{
        fn here() {}
        $crate::support::own_process(std::any::type_name_of_val(&here))
    }};
}
pub(crate) use in_own_process;

/// `catalog::call` (the path every shell takes) that must succeed.
pub async fn call(app: &Arc<App>, name: &str, args: Value) -> Value {
    catalog::call(app, name, args)
        .await
        .unwrap_or_else(|e| panic!("{name} failed: {e:?}"))
}

/// `catalog::call` that must fail.
pub async fn call_err(app: &Arc<App>, name: &str, args: Value) -> Error {
    catalog::call(app, name, args)
        .await
        .expect_err(&format!("{name} should fail"))
}

/// An app for agents through the real SDK, offline: its own data folder, HOME and CLI
/// configuration in temp folders, its Anthropic API a fake on a reserved port
/// ([`SdkApp::serve`]), every event recorded ([`SdkApp::sink`]) and sent to [`SdkApp::rx`].
pub struct SdkApp {
    pub app: Arc<App>,
    pub sink: Arc<ChannelSink>,
    pub rx: mpsc::UnboundedReceiver<Event>,
    api: Mutex<Option<Reserved>>,
    _home: TempDir,
    _data: TempDir,
}

impl SdkApp {
    /// Opens it and saves `settings` (an API key, or `mock_agents`). `None` when Node is
    /// missing (the test then skips).
    pub async fn open(settings: Value) -> Option<SdkApp> {
        if !has_node() {
            eprintln!("skipping: node is not on PATH");
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        let api = FakeMessages::reserve();
        let data = tempfile::tempdir().unwrap();
        let app = open_at(data.path(), |o| real_sdk(o, home.path(), api.url()));
        let (sink, rx) = ChannelSink::attach(&app);
        call(&app, "save_settings", json!({ "settings": settings })).await;
        Some(SdkApp {
            app,
            sink,
            rx,
            api: Mutex::new(Some(api)),
            _home: home,
            _data: data,
        })
    }

    /// Starts the app's fake Anthropic API with `script`.
    pub fn serve(&self, script: Script) -> FakeMessages {
        let api = self.api.lock().unwrap().take();
        api.expect("one fake API per test").start(script)
    }
}

/// The clarifications file of the "orders" workflow fixtures: one question (regions), answered
/// with choice `answer` or not at all.
pub fn clarifications(answer: Option<&str>) -> String {
    json!({
        "version": "1",
        "metadata": {"title": "Orders", "question_count": 1, "section_count": 1, "refinement_count": 0,
                     "must_answer_count": 0, "priority_questions": []},
        "sections": [{"id": "S1", "title": "Scope", "questions": [{
            "id": "Q1", "title": "Regions", "text": "Which regions?", "must_answer": false,
            "choices": [{"id": "A", "text": "EMEA", "is_other": false}, {"id": "B", "text": "Other", "is_other": true}],
            "recommendation": "A", "answer_choice": answer, "answer_text": null, "refinements": []}]}],
        "notes": []
    })
    .to_string()
}

/// A ZIP archive of `files` (path in the archive, contents), in that order.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The SKILL.md of a minimal valid skill `name`.
pub fn minimal_skill_md(name: &str) -> String {
    format!("---\nname: {name}\ndescription: The {name} skill\n---\n# {name}\n")
}

/// Uploads the ZIP `bytes` (from a file outside the data folder, as a user picks one) with
/// `upload_skill` and returns the workspace skill's row.
pub async fn upload_zip(app: &Arc<App>, bytes: &[u8]) -> Value {
    let src = tempfile::tempdir().unwrap();
    let p = src.path().join("s.zip");
    std::fs::write(&p, bytes).unwrap();
    call(
        app,
        "upload_skill",
        json!({"filePath": p.to_str().unwrap()}),
    )
    .await
}

/// Records every event and forwards it on a channel so a test can wait for one.
pub struct ChannelSink {
    pub all: Mutex<Vec<Event>>,
    tx: mpsc::UnboundedSender<Event>,
}

impl ChannelSink {
    pub fn attach(app: &App) -> (Arc<ChannelSink>, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let sink = Arc::new(ChannelSink {
            all: Mutex::new(Vec::new()),
            tx,
        });
        app.events.subscribe(sink.clone());
        (sink, rx)
    }
    pub fn events(&self) -> Vec<Event> {
        self.all.lock().unwrap().clone()
    }
}

impl EventSink for ChannelSink {
    fn emit(&self, e: &Event) {
        self.all.lock().unwrap().push(e.clone());
        let _ = self.tx.send(e.clone());
    }
}

/// Checks the per-agent event order: a `config` message first, `agent-exit` last and once.
pub fn assert_event_order(events: &[Event]) {
    let mut agents: Vec<String> = Vec::new();
    for e in events {
        if let Some(id) = e.payload["agent_id"].as_str() {
            if !agents.iter().any(|a| a == id) {
                agents.push(id.to_string());
            }
        }
    }
    for id in agents {
        let mine: Vec<&Event> = events
            .iter()
            .filter(|e| e.payload["agent_id"] == id.as_str())
            .collect();
        assert_eq!(mine[0].name, "agent-message", "{id}: first event");
        assert_eq!(
            mine[0].payload["message"]["type"], "config",
            "{id}: config first"
        );
        let exits = mine.iter().filter(|e| e.name == "agent-exit").count();
        assert_eq!(exits, 1, "{id}: exactly one agent-exit");
        assert_eq!(
            mine.last().unwrap().name,
            "agent-exit",
            "{id}: agent-exit last"
        );
    }
}

pub fn pid_alive(pid: u32) -> bool {
    skill_builder_core::locks::pid_alive(pid)
}

pub fn count(app: &App, sql: &str) -> i64 {
    app.db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

pub fn transcripts(app: &App, skill: &str) -> Vec<std::path::PathBuf> {
    let dir = app.workspace_path().join(skill).join("logs");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file under `dir` (none when it does not exist).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .collect()
}

pub fn message_types(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.name == "agent-message")
        .map(|e| {
            e.payload["message"]["type"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect::<Vec<_>>()
}

pub fn json_of(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}
