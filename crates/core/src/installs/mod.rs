//! Installs into agents (issue 17): copies of library skills in the folders agents load
//! skills from (Claude Code, Codex, Copilot, or any folder), recorded so they can be listed
//! with their state, brought up to date (`sync`) and removed — and so that a folder the app
//! did not write is never changed or removed.
//!
//! - [`agents`]: the known agents and their folders;
//! - [`content`]: what an install holds (deployable files only) and its hash;
//! - [`place`]: staging beside the target, rename into place, backups;
//! - [`record`]: the `agent_installs` table;
//! - [`install`] and [`sync`]: the operations.
//!
//! Commands: `install_to_agent`, `uninstall_from_agent`, `list_agent_installs`,
//! `sync_agent_installs`.

pub mod agents;
pub mod content;
pub mod install;
pub mod place;
pub mod record;
pub mod sync;

pub use agents::{Placement, Scope, Target};
pub use sync::{AgentInstall, InstallState, SyncOutcome, SyncResult};

use crate::app::App;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// One install, uninstall or sync of this process at a time: each checks a folder, then
/// replaces it, and two of them interleaving could replace what the other just checked.
static INSTALLS_LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    INSTALLS_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where to install: an agent, and a project folder or a skills folder (`dir`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementArgs {
    /// `claude-code`, `codex`, `copilot`, or any label with `dir`.
    #[serde(default)]
    pub agent: Option<String>,
    /// Install into the project's folder for the agent instead of the user's.
    #[serde(default)]
    pub project_path: Option<String>,
    /// Install into `dir/<skill>` (any other agent).
    #[serde(default)]
    pub dir: Option<String>,
}

impl PlacementArgs {
    /// The agent's skills folder, `~` being the options' `HOME`.
    pub fn target(&self, app: &App) -> Result<Target> {
        let project = self.project_path.as_deref().map(Path::new);
        let dir = self.dir.as_deref().map(Path::new);
        agents::resolve(
            &Placement {
                agent: self.agent.as_deref(),
                project,
                dir,
            },
            &agents_home(app, project.is_none() && dir.is_none())?,
        )
    }
}

/// The home folder, needed only for user-scope installs (a `--dir` install works without one).
fn agents_home(app: &App, needed: bool) -> Result<PathBuf> {
    if needed {
        agents::home_dir(&app.options)
    } else {
        Ok(agents::home_dir(&app.options).unwrap_or_default())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallToAgentArgs {
    pub skill_name: String,
    #[serde(flatten)]
    pub placement: PlacementArgs,
    /// Replace a copy changed by hand (moved to a backup folder first).
    #[serde(default)]
    pub force: Option<bool>,
}

/// An install just made, and where a replaced hand-changed copy went.
#[derive(Debug, Clone, Serialize)]
pub struct InstallResult {
    #[serde(flatten)]
    pub install: AgentInstall,
    pub backup: Option<String>,
}

/// `install_to_agent`: copies the library skill's deployable files into the agent's folder.
pub fn install_to_agent(app: &App, a: InstallToAgentArgs) -> Result<InstallResult> {
    let target = a.placement.target(app)?;
    let _g = lock();
    let done = install::install(app, &a.skill_name, &target, a.force.unwrap_or(false))?;
    Ok(InstallResult {
        install: sync::fresh(done.record),
        backup: done.backup.map(|b| b.to_string_lossy().into_owned()),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UninstallFromAgentArgs {
    pub skill_name: String,
    #[serde(flatten)]
    pub placement: PlacementArgs,
    /// Remove a copy changed by hand (moved to a backup folder, not deleted).
    #[serde(default)]
    pub force: Option<bool>,
}

/// What an uninstall removed.
#[derive(Debug, Clone, Serialize)]
pub struct UninstallResult {
    pub skill_name: String,
    pub agent: String,
    pub scope: Scope,
    pub path: String,
    /// Where a hand-changed copy was moved instead of being deleted.
    pub backup: Option<String>,
}

/// `uninstall_from_agent`: removes a copy the app installed (and only such a copy).
pub fn uninstall_from_agent(app: &App, a: UninstallFromAgentArgs) -> Result<UninstallResult> {
    let target = a.placement.target(app)?;
    let _g = lock();
    let done = install::uninstall(app, &a.skill_name, &target, a.force.unwrap_or(false))?;
    Ok(UninstallResult {
        skill_name: done.record.skill_name,
        agent: done.record.agent,
        scope: done.record.scope,
        path: done.record.path,
        backup: done.backup.map(|b| b.to_string_lossy().into_owned()),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAgentInstallsArgs {
    /// Only the installs of this skill.
    #[serde(default)]
    pub skill_name: Option<String>,
}

/// `list_agent_installs`: every recorded install with its state (current, outdated, changed
/// by hand, missing).
pub fn list_agent_installs(app: &App, a: ListAgentInstallsArgs) -> Result<Vec<AgentInstall>> {
    sync::list(app, a.skill_name.as_deref())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncAgentInstallsArgs {
    /// Only the installs of this skill.
    #[serde(default)]
    pub skill_name: Option<String>,
    /// Replace copies changed by hand (backed up first) and reinstall deleted ones.
    #[serde(default)]
    pub force: Option<bool>,
}

/// `sync_agent_installs`: brings every install to the library's current version.
pub fn sync_agent_installs(app: &App, a: SyncAgentInstallsArgs) -> Result<Vec<SyncResult>> {
    let _g = lock();
    sync::sync(app, a.skill_name.as_deref(), a.force.unwrap_or(false))
}

/// Called once a build, refine, restore or import changed the library skill `skill`: with
/// the `auto_sync_installs` setting on, its installs are synced (never forced). Failures are
/// logged; the operation that called this has succeeded whatever happens here.
pub fn after_library_change(app: &App, skill: &str) {
    if !crate::settings::load(app).is_ok_and(|s| s.auto_sync_installs) {
        return;
    }
    let _g = lock();
    match sync::sync(app, Some(skill), false) {
        Ok(results) => {
            for r in results {
                match r.outcome {
                    SyncOutcome::Updated => {
                        tracing::info!("updated the install of '{skill}' at {}", r.path)
                    }
                    o if o.needs_attention() => tracing::warn!(
                        "auto-sync of '{skill}': {}",
                        r.message.unwrap_or_else(|| r.path.clone())
                    ),
                    _ => {}
                }
            }
        }
        Err(e) => tracing::warn!("auto-sync of the installs of '{skill}' failed: {e}"),
    }
}
