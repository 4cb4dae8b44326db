//! Tests named for the claims of docs/security.md that no other test covered. Each test name
//! is the claim; the document lists these next to the existing tests it references.

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::agents::{AgentRequest, RequestKind};
use skill_builder_core::events::{Event, EventSink};
use skill_builder_core::options::Options;
use skill_builder_core::{catalog, ErrorKind};
use skill_builder_testkit::fake_github::{FakeFile, FakeGitHub};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const KEY: &str = "sk-ant-api03-SECURITY-CLAIMS-0123456789abcdef";

/// The home folder of the apps of these tests (a temp folder).
fn home() -> &'static Path {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap().keep())
}

/// The options of every app here: no keychain, mock agents, the Anthropic API on a closed
/// port, HOME in a temp folder.
fn isolated(o: &mut Options) {
    o.mock = true;
    o.mock_delay_ms = Some(0);
    o.anthropic_base_url = Some("http://127.0.0.1:9".into());
    o.home = Some(home().to_path_buf());
}

#[derive(Default)]
struct Collect(Mutex<Vec<Event>>);
impl EventSink for Collect {
    fn emit(&self, e: &Event) {
        self.0.lock().unwrap().push(e.clone());
    }
}

/// The text of every file under `dir`, one after the other.
fn all_text(dir: &Path) -> String {
    support::files_under(dir)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

// ---- secrets ----

#[tokio::test(flavor = "multi_thread")]
async fn api_key_in_an_agent_config_never_reaches_events_transcripts_usage_rows_or_logs() {
    // The log checked below is this app's only when its logger is the process's.
    if !support::in_own_process!() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(dir.path(), isolated);
    skill_builder_core::logging::init(&app.paths.log_file(), "debug", None);
    catalog::call(&app, "create_skill", json!({"name": "secret-skill"}))
        .await
        .unwrap();
    let sink = Arc::new(Collect::default());
    app.events.subscribe(sink.clone());
    let logs = app.workspace_path().join("secret-skill").join("logs");
    let req = AgentRequest {
        agent_id: "secret-agent-1".into(),
        skill_name: "secret-skill".into(),
        pool_key: None,
        step_id: -1,
        model: "claude-sonnet-4-6".into(),
        config: json!({
            "prompt": format!("say hello (the key is {KEY})"),
            "cwd": app.workspace_path().display().to_string(),
            "model": "claude-sonnet-4-6",
            "maxTurns": 3,
            "permissionMode": "acceptEdits",
            "skillName": "secret-skill",
            "apiKey": KEY,
            "mock": true,
            "mockStep": "generic",
        }),
        transcript: Some((logs.clone(), "agent".into())),
        workflow_session_id: None,
        kind: RequestKind::OneShot,
        on_finish: None,
    };
    let outcome = app.agents.send(&app, req).await.unwrap().wait().await;
    assert!(outcome.success, "{:?}", outcome.error);
    app.agents.shutdown_all(&app).await;

    let events = serde_json::to_string(
        &sink
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.payload.clone())
            .collect::<Vec<Value>>(),
    )
    .unwrap();
    assert!(events.contains("secret-agent-1"), "no events recorded");
    assert!(!events.contains(KEY), "the key reached an event");
    assert!(events.contains("[REDACTED]"), "config event not redacted");
    let transcripts = all_text(&logs);
    assert!(!transcripts.is_empty(), "no transcript written");
    assert!(!transcripts.contains(KEY), "the key reached a transcript");
    // No row of any table holds the key (usage rows, sessions, artifacts…).
    {
        let conn = app.db.conn();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for t in tables {
            let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    if let Ok(rusqlite::types::ValueRef::Text(b)) = r.get_ref(i) {
                        assert!(
                            !String::from_utf8_lossy(b).contains(KEY),
                            "the key is stored in table {t}"
                        );
                    }
                }
            }
        }
    }
    let log = all_text(&app.paths.log_dir());
    assert!(!log.contains(KEY), "the key reached the log");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_test_errors_never_echo_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(dir.path(), isolated);
    // The API is a closed port: a network error, which must not repeat the key.
    let e = catalog::call(&app, "test_api_key", json!({"apiKey": KEY}))
        .await
        .expect_err("a closed port cannot validate a key");
    assert!(!e.message.contains(KEY), "{}", e.message);
    assert!(!e.to_json().to_string().contains(KEY));
}

// ---- paths ----

#[tokio::test(flavor = "multi_thread")]
async fn copy_file_outside_the_app_roots_only_saves_zip_or_skill_files_under_home() {
    let home = home();
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), isolated);
    let src = app.paths.exports_dir().join("pkg.skill");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    std::fs::write(&src, b"PK").unwrap();
    let s = |p: &Path| p.display().to_string();
    // Under home: only .zip / .skill.
    for bad in ["notes.txt", ".bashrc", "script.sh"] {
        let e = catalog::call(
            &app,
            "copy_file",
            json!({"src": s(&src), "dest": s(&home.join(bad))}),
        )
        .await
        .expect_err(bad);
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}: {e}");
        assert!(!home.join(bad).exists());
    }
    catalog::call(
        &app,
        "copy_file",
        json!({"src": s(&src), "dest": s(&home.join("saved.skill"))}),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(home.join("saved.skill")).unwrap(), b"PK");
    // Neither under home nor in the app roots: refused whatever the extension.
    let elsewhere = tempfile::tempdir().unwrap();
    let e = catalog::call(
        &app,
        "copy_file",
        json!({"src": s(&src), "dest": s(&elsewhere.path().join("x.zip"))}),
    )
    .await
    .expect_err("outside home and roots");
    assert!(!elsewhere.path().join("x.zip").exists(), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn start_agent_refuses_a_cwd_or_transcript_folder_outside_the_app_roots() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), isolated);
    // Outside every root (the temp dir is a root: skill tests run agents there).
    let outside = Path::new("/etc");
    let base = json!({
        "agentId": "a1", "prompt": "x", "model": "sonnet", "skillName": "s",
        "cwd": app.workspace_path().display().to_string(),
    });
    let mut bad_cwd = base.clone();
    bad_cwd["cwd"] = json!(outside.display().to_string());
    let mut bad_log = base.clone();
    bad_log["transcriptLogDir"] = json!(outside.join("sb-agent-logs").display().to_string());
    for args in [bad_cwd, bad_log] {
        let e = catalog::call(&app, "start_agent", args.clone())
            .await
            .expect_err(&args.to_string());
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    }
    assert!(!outside.join("sb-agent-logs").exists());
    assert!(!app.agents.has_pending(None));
}

// ---- agent permissions ----

#[tokio::test(flavor = "multi_thread")]
async fn workflow_agents_run_in_accept_edits_mode_with_the_step_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(dir.path(), isolated);
    let sink = Arc::new(Collect::default());
    app.events.subscribe(sink.clone());
    catalog::call(&app, "create_skill", json!({"name": "perm"}))
        .await
        .unwrap();
    skill_builder_core::workflow::build::build_skill(&app, "perm", |_| {})
        .await
        .unwrap();
    app.agents.shutdown_all(&app).await;
    let configs: Vec<Value> = sink
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.name == "agent-message" && e.payload["message"]["type"] == "config")
        .map(|e| e.payload["message"]["config"].clone())
        .collect();
    assert_eq!(configs.len(), 4, "one config per step");
    let allowed = skill_builder_core::workflow::steps::TOOLS;
    for c in &configs {
        assert_eq!(c["permissionMode"], "acceptEdits", "{c}");
        let tools: Vec<&str> = c["allowedTools"]
            .as_array()
            .expect("an explicit allow-list")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(!tools.is_empty());
        assert!(tools.iter().all(|t| allowed.contains(t)), "{tools:?}");
        assert_eq!(
            c["cwd"],
            json!(app.workspace_path().display().to_string()),
            "agents work in the workspace"
        );
    }
}

// ---- imported skills ----

#[tokio::test(flavor = "multi_thread")]
async fn github_import_refuses_repository_paths_that_leave_the_skill_folder() {
    let fake = FakeGitHub::start().await;
    let file = |b: &[u8]| FakeFile {
        bytes: b.to_vec(),
        executable: false,
    };
    let mut files = BTreeMap::new();
    files.insert(
        "skills/evil/SKILL.md".to_string(),
        file(b"---\nname: evil\ndescription: Escapes. Use never.\n---\n# evil\n"),
    );
    files.insert(
        "skills/evil/../../escaped.md".to_string(),
        file(b"written outside"),
    );
    fake.set_branch_files("acme", "evil", "main", files);
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), |o| {
        isolated(o);
        support::use_github(o, &fake);
    });
    let before = all_text(dir.path());
    let out = skill_builder_core::github::import::import_github_skills(
        &app,
        serde_json::from_value(json!({
            "owner": "acme", "repo": "evil", "branch": "main",
            "skillRequests": [{"path": "skills/evil"}],
        }))
        .unwrap(),
    )
    .await;
    let refused = match &out {
        Err(e) => e.message.clone(),
        Ok(v) => v[0].error.clone().unwrap_or_default(),
    };
    assert!(
        refused.contains("Unsafe file path"),
        "expected a refusal, got {out:?}"
    );
    assert_eq!(
        app.db
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM workspace_skills WHERE skill_name = 'evil'",
                [],
                |r| r.get::<_, i64>(0)
            )
            .unwrap(),
        0
    );
    let skills_root = skill_builder_core::workspace_skills::skills_root(&app);
    assert!(!skills_root.join("evil").exists());
    // Nothing with the payload was written anywhere under the data dir (or next to it).
    let after = all_text(dir.path());
    assert!(!after.contains("written outside") || before.contains("written outside"));
}
