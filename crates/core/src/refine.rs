//! The Refine command group: a chat with one agent that edits a finished skill in place, on
//! the skill's persistent sidecar. Each session snapshots the skill's files at start, so the
//! diff shows exactly this session's changes and `discard` can put them back.

use crate::agents::{AgentOutcome, AgentRequest, RequestKind};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// `agent_runs.step_id` of refine turns, so usage reports name them apart from the steps.
pub const REFINE_STEP_ID: i32 = 10;
pub const REFINE_TOOLS: [&str; 6] = ["Read", "Edit", "Write", "Glob", "Grep", "Task"];
pub const REFINE_MAX_TURNS: u32 = 400;
const COMMANDS: [&str; 3] = ["refine", "rewrite", "validate"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefineSessionInfo {
    pub session_id: String,
    pub skill_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillFileContent {
    pub path: String,
    pub content: String,
}

struct Session {
    skill: String,
    created_at: String,
    stream_started: bool,
    /// Repo-relative path (`skill/…`) → bytes at session start.
    snapshot: BTreeMap<String, Vec<u8>>,
}

/// The open refine sessions of this process.
#[derive(Default)]
pub struct RefineSessions {
    map: Mutex<HashMap<String, Session>>,
}

impl RefineSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn for_skill(&self, skill: &str) -> Option<String> {
        self.lock()
            .iter()
            .find(|(_, s)| s.skill == skill)
            .map(|(id, _)| id.clone())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillArgs {
    pub skill_name: String,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendArgs {
    pub session_id: String,
    pub user_message: String,
    #[serde(default)]
    pub workspace_path: Option<String>,
    #[serde(default)]
    pub target_files: Option<Vec<String>>,
    #[serde(default)]
    pub command: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseArgs {
    pub session_id: String,
    /// `true` puts the files back as they were at session start.
    #[serde(default)]
    pub discard: Option<bool>,
}

fn skill_dir(app: &App, skill: &str) -> PathBuf {
    app.skills_path().join(skill)
}

/// The skill's folder, canonical; refused when it is a link that leads out of the skills path.
fn require_skill_dir(app: &App, skill: &str) -> Result<PathBuf> {
    validate_skill_name(skill)?;
    let d = skill_dir(app, skill);
    if !d.is_dir() {
        return Err(Error::not_found(format!(
            "Skill '{skill}' not found at {}",
            d.display()
        )));
    }
    safe_fs::guarded_dir(&app.skills_path(), &d)
}

/// SKILL.md, then top-level `.md`/`.txt` of `references/` and `context/`, each sorted. Every
/// file is read through the path guard of the skill folder: a link that leads outside it is
/// left out with a warning naming it.
pub fn get_skill_content_for_refine(app: &App, a: SkillArgs) -> Result<Vec<SkillFileContent>> {
    let dir = require_skill_dir(app, &a.skill_name)?;
    let mut out = Vec::new();
    let mut push = |rel: String| -> Result<()> {
        let resolved = match safe_fs::guard_inside(&dir, Path::new(&rel)) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("refine content of {}: skipping {rel}: {e}", a.skill_name);
                return Ok(());
            }
        };
        if resolved.is_file() {
            let content = std::fs::read_to_string(&resolved).with_path(&resolved)?;
            out.push(SkillFileContent { path: rel, content });
        }
        Ok(())
    };
    push("SKILL.md".into())?;
    for sub in ["references", "context"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                Path::new(n)
                    .extension()
                    .is_some_and(|x| x == "md" || x == "txt")
            })
            .collect();
        names.sort();
        for n in names {
            push(format!("{sub}/{n}"))?;
        }
    }
    Ok(out)
}

/// Every file of the skill (except logs), repo-relative path → bytes.
fn snapshot(dir: &Path, skill: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if e.file_name() != "logs" {
                    stack.push(p);
                }
            } else if ft.is_file() {
                if let (Ok(rel), Ok(bytes)) = (p.strip_prefix(dir), std::fs::read(&p)) {
                    out.insert(
                        format!("{skill}/{}", rel.to_string_lossy().replace('\\', "/")),
                        bytes,
                    );
                }
            }
        }
    }
    out
}

pub fn start_refine_session(app: &App, a: SkillArgs) -> Result<RefineSessionInfo> {
    let dir = require_skill_dir(app, &a.skill_name)?;
    if !dir.join("SKILL.md").is_file() {
        return Err(Error::not_found(format!(
            "SKILL.md not found at {}",
            dir.join("SKILL.md").display()
        )));
    }
    crate::locks::ensure_not_locked_by_other(app, &a.skill_name)?;
    let mut map = app.refine.lock();
    if map.values().any(|s| s.skill == a.skill_name) {
        return Err(Error::conflict(format!(
            "A refine session already exists for skill '{}'",
            a.skill_name
        )));
    }
    let info = RefineSessionInfo {
        session_id: uuid::Uuid::new_v4().to_string(),
        skill_name: a.skill_name.clone(),
        created_at: crate::db::now(),
    };
    crate::db::sessions_store::insert(
        &app.db.conn(),
        &crate::db::sessions_store::NewSession {
            session_id: &info.session_id,
            skill_name: &info.skill_name,
            pid: app.pid,
            pid_started_at: app.pid_started_at,
            started_at: &info.created_at,
        },
    )?;
    map.insert(
        info.session_id.clone(),
        Session {
            skill: a.skill_name.clone(),
            created_at: info.created_at.clone(),
            stream_started: false,
            snapshot: snapshot(&dir, &a.skill_name),
        },
    );
    Ok(info)
}

fn unknown_session(app: &App, id: &str) -> Error {
    let map = app.refine.lock();
    let list: Vec<String> = map
        .iter()
        .map(|(k, s)| format!("{}={}", &k[..k.len().min(8)], s.skill))
        .collect();
    Error::not_found(format!(
        "No refine session found for id '{id}'. Active sessions ({}): [{}]",
        list.len(),
        list.join(", ")
    ))
}

fn file_clause(dir: &Path, targets: &Option<Vec<String>>) -> Result<String> {
    let Some(t) = targets.as_ref().filter(|t| !t.is_empty()) else {
        return Ok(String::new());
    };
    let mut paths = Vec::new();
    for rel in t {
        if rel.split(['/', '\\']).any(|c| c == "..") || Path::new(rel).is_absolute() {
            return Err(Error::invalid(format!(
                "target file '{rel}' must be a path inside the skill folder"
            )));
        }
        paths.push(dir.join(rel).display().to_string());
    }
    Ok(format!(
        "IMPORTANT: Only edit these files: {}\n",
        paths.join(", ")
    ))
}

/// Sends one chat message; the first starts the streaming session on the sidecar.
pub async fn send_refine_message(app: &Arc<App>, a: SendArgs) -> Result<String> {
    let command = a.command.clone().unwrap_or_else(|| "refine".into());
    if !COMMANDS.contains(&command.as_str()) {
        return Err(Error::invalid(format!(
            "unknown command '{command}'; use refine, rewrite or validate"
        )));
    }
    if a.user_message.trim().is_empty() {
        return Err(Error::invalid("the message is empty"));
    }
    let (skill, started) = {
        let map = app.refine.lock();
        match map.get(&a.session_id) {
            Some(s) => (s.skill.clone(), s.stream_started),
            None => {
                drop(map);
                return Err(unknown_session(app, &a.session_id));
            }
        }
    };
    let dir = skill_dir(app, &skill);
    let clause = file_clause(&dir, &a.target_files)?;
    let agent_id = format!("refine-{skill}-{}", crate::db::now_millis());
    let settings = crate::settings::load(app)?;
    let model = crate::anthropic::resolve_model(settings.preferred_model.as_deref());
    let kind = if started {
        if app.agents.pid_of(&skill).is_none() {
            return Err(Error::agent(
                "the refine agent stopped; close this session and start a new one",
            ));
        }
        RequestKind::StreamMessage {
            session_id: a.session_id.clone(),
            user_message: format!(
                "The command is: {command}.\n{clause}Current request: {}",
                a.user_message
            ),
        }
    } else {
        RequestKind::StreamStart {
            session_id: a.session_id.clone(),
        }
    };
    let ws = app.workspace_path().join(&skill);
    // Every turn has its own transcript. A follow-up sends the sidecar no config; its config
    // line (transcript, `agent-message`) names the agent and model the session runs.
    let transcript = Some((ws.join("logs"), format!("refine-{skill}")));
    let mut config = json!({
        "agentName": "refine-skill",
        "model": model,
        "skillName": skill,
    });
    if !started {
        let key = if app.mock_agents() {
            None
        } else {
            Some(crate::anthropic::require_api_key(app)?)
        };
        {
            let app = app.clone();
            let skill = skill.clone();
            tokio::task::spawn_blocking(move || -> Result<()> {
                crate::workflow::deploy::prepare_workspace(&app)?;
                crate::workflow::context::write(&app, &skill).map(|_| ())
            })
            .await
            .map_err(|e| Error::internal(e.to_string()))??;
        }
        let prompt = format!(
            "The skill name is: {skill}\nThe command is: {command}\nThe skill directory is: {}\n\
             The context directory is: {}\nThe workspace directory is: {}\n\
             All directories already exist; do not create them. Read {} for the user's context.\n{clause}Current request: {}",
            dir.display(),
            dir.join("context").display(),
            ws.display(),
            ws.join("user-context.md").display(),
            a.user_message
        );
        config = json!({
            "prompt": prompt,
            "cwd": app.workspace_path().display().to_string(),
            "model": model,
            "agentName": "refine-skill",
            "allowedTools": REFINE_TOOLS,
            "maxTurns": REFINE_MAX_TURNS,
            "permissionMode": "acceptEdits",
            "skillName": skill,
            "skillDir": dir.display().to_string(),
            "contextDir": dir.join("context").display().to_string(),
            "workspaceDir": ws.display().to_string(),
        });
        match key {
            Some(k) => config["apiKey"] = json!(k),
            None => {
                config["mock"] = json!(true);
                config["mockStep"] = json!("refine");
            }
        }
        if settings.extended_thinking {
            config["maxThinkingTokens"] = json!(16_000);
        }
    }
    let req = AgentRequest {
        agent_id: agent_id.clone(),
        skill_name: skill.clone(),
        pool_key: None,
        step_id: REFINE_STEP_ID,
        model,
        config,
        transcript,
        workflow_session_id: Some(a.session_id.clone()),
        kind,
        on_finish: None,
    };
    let handle = app.agents.send(app, req).await?;
    if !started {
        if let Some(s) = app.refine.lock().get_mut(&a.session_id) {
            s.stream_started = true;
        }
    }
    Ok(handle.agent_id)
}

/// Like `send_refine_message`, but waits for the turn to end (CLI, tests).
pub async fn send_and_wait(app: &Arc<App>, a: SendArgs) -> Result<AgentOutcome> {
    let id = send_refine_message(app, a).await?;
    // The handle was consumed by the command; wait on the events instead.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let sink = Arc::new(ExitWaiter {
        id,
        tx: Mutex::new(Some(tx)),
    });
    app.events.subscribe(sink);
    rx.await
        .map_err(|_| Error::agent("the refine turn was dropped"))
}

struct ExitWaiter {
    id: String,
    tx: Mutex<Option<tokio::sync::oneshot::Sender<AgentOutcome>>>,
}

impl crate::events::EventSink for ExitWaiter {
    fn emit(&self, e: &crate::events::Event) {
        if e.name == crate::events::AGENT_EXIT && e.payload["agent_id"] == self.id.as_str() {
            if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
                let _ = tx.send(AgentOutcome {
                    agent_id: self.id.clone(),
                    success: e.payload["success"] == true,
                    result: None,
                    error: e.payload["error"].as_str().map(str::to_owned),
                });
            }
        }
    }
}

/// The session's changes (snapshot → now), or HEAD → working tree when no session is open.
pub fn get_refine_diff(app: &App, a: SkillArgs) -> Result<crate::history::RefineDiff> {
    validate_skill_name(&a.skill_name)?;
    let snap = {
        let map = app.refine.lock();
        map.values()
            .find(|s| s.skill == a.skill_name)
            .map(|s| s.snapshot.clone())
    };
    match snap {
        Some(before) => {
            let now = snapshot(&skill_dir(app, &a.skill_name), &a.skill_name);
            let mut paths: Vec<&String> = before.keys().chain(now.keys()).collect();
            paths.sort();
            paths.dedup();
            let changes: Vec<_> = paths
                .into_iter()
                .filter(|p| before.get(*p) != now.get(*p))
                .map(|p| (p.clone(), before.get(p).cloned(), now.get(p).cloned()))
                .collect();
            Ok(crate::history::build_refine_diff(changes))
        }
        None => crate::history::refine_diff(&app.skills_path(), &a.skill_name),
    }
}

/// Ends the session: `discard` restores the snapshot; otherwise a changed skill is committed
/// as `{name}: refined`. The session row is closed either way. Unknown id → success.
pub async fn close_refine_session(app: &Arc<App>, a: CloseArgs) -> Result<()> {
    let Some(s) = app.refine.lock().remove(&a.session_id) else {
        return Ok(());
    };
    if s.stream_started {
        app.agents.end_stream(&s.skill, &a.session_id).await;
    }
    let app2 = app.clone();
    let discard = a.discard.unwrap_or(false);
    tokio::task::spawn_blocking(move || -> Result<()> {
        if discard {
            let mut dir = skill_dir(&app2, &s.skill);
            if safe_fs::is_symlink(&dir) {
                dir = safe_fs::guarded_dir(&app2.skills_path(), &dir)?;
            }
            restore_snapshot(&dir, &s.skill, &s.snapshot)?;
        } else {
            crate::history::commit_skill(&app2, &s.skill, &format!("{}: refined", s.skill));
            crate::installs::after_library_change(&app2, &s.skill);
        }
        let _ = s.created_at;
        crate::db::sessions_store::end(&app2.db.conn(), &a.session_id, &crate::db::now())?;
        Ok(())
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Puts the files of `snap` back. Never through a symbolic link: a file whose folder became a
/// link is left alone (with a warning), and a file that became a link is replaced by the file.
fn restore_snapshot(dir: &Path, skill: &str, snap: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    let now = snapshot(dir, skill);
    for p in now.keys().filter(|p| !snap.contains_key(*p)) {
        let rel = p.strip_prefix(&format!("{skill}/")).unwrap_or(p);
        safe_fs::remove_inside(dir, Path::new(rel))?;
    }
    for (p, bytes) in snap {
        let rel = p.strip_prefix(&format!("{skill}/")).unwrap_or(p);
        let f = dir.join(rel);
        if now.get(p) == Some(bytes) {
            continue;
        }
        if let Some(link) = safe_fs::link_between(dir, Path::new(rel))? {
            tracing::warn!(
                "discard of {skill}: not restoring {rel}: {} is now a symbolic link",
                link.display()
            );
            continue;
        }
        if let Some(parent) = f.parent() {
            std::fs::create_dir_all(parent).with_path(parent)?;
        }
        if safe_fs::is_symlink(&f) {
            safe_fs::remove_no_follow(&f).with_path(&f)?;
        }
        std::fs::write(&f, bytes).with_path(&f)?;
    }
    Ok(())
}

/// Sessions of this process for a skill (used by delete/rename guards).
pub fn has_session(app: &App, skill: &str) -> bool {
    app.refine.for_skill(skill).is_some()
}
