//! The state of each recorded install against the library and the disk, and `sync`, which
//! brings every install to the library's current version without overwriting hand edits.

use super::agents::{Scope, Target};
use super::content::{self, OnDisk};
use super::install::write_copy;
use super::place;
use super::record::{self, InstallRecord};
use crate::app::App;
use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How an installed copy compares with what was written and with the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallState {
    /// Holds what was written, and the library has not changed since.
    Current,
    /// Holds what was written, but the library skill has changed since.
    Outdated,
    /// Someone edited, added or removed files in the copy after it was written.
    ChangedByHand,
    /// The folder is gone.
    Missing,
}

/// A recorded install with its state, as `list_agent_installs` returns it.
#[derive(Debug, Clone, Serialize)]
pub struct AgentInstall {
    pub skill_name: String,
    pub agent: String,
    pub scope: Scope,
    pub path: String,
    pub version: Option<String>,
    pub content_hash: String,
    pub installed_at: String,
    pub state: InstallState,
    /// False when the skill has left the library (the copy stays until uninstalled).
    pub in_library: bool,
}

/// The library skill's current folder and hash, computed once per skill.
struct Library<'a> {
    app: &'a App,
    seen: BTreeMap<String, Option<(PathBuf, String)>>,
}

impl<'a> Library<'a> {
    fn new(app: &'a App) -> Self {
        Library {
            app,
            seen: BTreeMap::new(),
        }
    }

    /// `None` when the skill is not (or no longer) in the library.
    fn get(&mut self, skill: &str) -> Option<(PathBuf, String)> {
        let app = self.app;
        self.seen
            .entry(skill.to_string())
            .or_insert_with(|| {
                let dir = content::library_dir(app, skill).ok()?;
                match content::deployable_hash(&dir) {
                    Ok(h) => Some((dir, h)),
                    Err(e) => {
                        tracing::warn!("cannot read the library skill '{skill}': {e}");
                        None
                    }
                }
            })
            .clone()
    }
}

fn state_of(r: &InstallRecord, disk: &OnDisk, library_hash: Option<&str>) -> InstallState {
    match disk {
        OnDisk::Missing => InstallState::Missing,
        d if !d.matches(&r.content_hash) => InstallState::ChangedByHand,
        _ if library_hash.is_some_and(|h| h != r.content_hash) => InstallState::Outdated,
        _ => InstallState::Current,
    }
}

fn with_state(r: InstallRecord, state: InstallState, in_library: bool) -> AgentInstall {
    AgentInstall {
        skill_name: r.skill_name,
        agent: r.agent,
        scope: r.scope,
        path: r.path,
        version: r.version,
        content_hash: r.content_hash,
        installed_at: r.installed_at,
        state,
        in_library,
    }
}

/// The state of one install just written (current by construction).
pub fn fresh(r: InstallRecord) -> AgentInstall {
    with_state(r, InstallState::Current, true)
}

/// Every recorded install (or those of `skill`) with its state.
pub fn list(app: &App, skill: Option<&str>) -> Result<Vec<AgentInstall>> {
    let mut lib = Library::new(app);
    let mut out = Vec::new();
    for r in record::list(app, skill)? {
        let library = lib.get(&r.skill_name);
        let disk = content::on_disk(Path::new(&r.path))?;
        let state = state_of(&r, &disk, library.as_ref().map(|l| l.1.as_str()));
        out.push(with_state(r, state, library.is_some()));
    }
    Ok(out)
}

/// What sync did with one install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Rewritten with the library's current version.
    Updated,
    /// Already the library's current version.
    UpToDate,
    /// Changed by hand: left as it is (`force` replaces it).
    ChangedByHand,
    /// Changed by hand: moved to `backup`, then rewritten (`force`).
    Replaced,
    /// The folder is gone: left gone (`force` puts it back).
    Missing,
    /// The folder was gone and was written again (`force`).
    Reinstalled,
    /// The skill is no longer in the library: the copy is left as it is.
    NotInLibrary,
    /// Something went wrong; see `message`.
    Failed,
}

impl SyncOutcome {
    /// The install is not at the library's version after this sync.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            SyncOutcome::ChangedByHand
                | SyncOutcome::Missing
                | SyncOutcome::NotInLibrary
                | SyncOutcome::Failed
        )
    }
}

/// One line of a sync report.
#[derive(Debug, Clone, Serialize)]
pub struct SyncResult {
    pub skill_name: String,
    pub agent: String,
    pub scope: Scope,
    pub path: String,
    pub outcome: SyncOutcome,
    /// Where a hand-changed copy was moved (`replaced`).
    pub backup: Option<String>,
    /// What to do about it, for outcomes that need attention.
    pub message: Option<String>,
}

fn target_of(r: &InstallRecord) -> Target {
    let path = Path::new(&r.path);
    Target {
        agent: r.agent.clone(),
        scope: r.scope,
        root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    }
}

/// Brings every recorded install (or those of `skill`) to the library's current version.
/// A copy changed by hand, or deleted, is reported and left alone unless `force`: then a
/// changed copy is moved to a backup folder first, and a deleted one is written again.
/// One install failing does not stop the others.
pub fn sync(app: &App, skill: Option<&str>, force: bool) -> Result<Vec<SyncResult>> {
    let mut lib = Library::new(app);
    let mut out = Vec::new();
    for r in record::list(app, skill)? {
        let library = lib.get(&r.skill_name);
        let (outcome, backup, message) = match sync_one(app, &r, library, force) {
            Ok((o, b)) => (o, b, advice(o, &r)),
            Err(e) => (SyncOutcome::Failed, None, Some(e.message)),
        };
        out.push(SyncResult {
            skill_name: r.skill_name,
            agent: r.agent,
            scope: r.scope,
            path: r.path,
            outcome,
            backup: backup.map(|b| b.to_string_lossy().into_owned()),
            message,
        });
    }
    Ok(out)
}

fn sync_one(
    app: &App,
    r: &InstallRecord,
    library: Option<(PathBuf, String)>,
    force: bool,
) -> Result<(SyncOutcome, Option<PathBuf>)> {
    let Some((src, library_hash)) = library else {
        return Ok((SyncOutcome::NotInLibrary, None));
    };
    let folder = Path::new(&r.path);
    let disk = content::on_disk(folder)?;
    let target = target_of(r);
    match state_of(r, &disk, Some(&library_hash)) {
        InstallState::Current => Ok((SyncOutcome::UpToDate, None)),
        InstallState::Outdated => {
            write_copy(app, &r.skill_name, &src, &target)?;
            Ok((SyncOutcome::Updated, None))
        }
        InstallState::Missing if !force => Ok((SyncOutcome::Missing, None)),
        InstallState::Missing => {
            write_copy(app, &r.skill_name, &src, &target)?;
            Ok((SyncOutcome::Reinstalled, None))
        }
        InstallState::ChangedByHand if !force => Ok((SyncOutcome::ChangedByHand, None)),
        InstallState::ChangedByHand => {
            let backup = place::move_to_backup(app, folder, &r.agent, &r.skill_name)?;
            write_copy(app, &r.skill_name, &src, &target)?;
            Ok((SyncOutcome::Replaced, Some(backup)))
        }
    }
}

fn advice(o: SyncOutcome, r: &InstallRecord) -> Option<String> {
    let msg = match o {
        SyncOutcome::ChangedByHand => format!(
            "{} was changed by hand since it was installed and was not overwritten; copy your \
             changes into the library skill, or sync with --force to move this copy to a backup \
             folder and replace it",
            r.path
        ),
        SyncOutcome::Missing => format!(
            "{} is gone; sync with --force to install it again, or uninstall '{}' for {} to forget it",
            r.path, r.skill_name, r.agent
        ),
        SyncOutcome::NotInLibrary => format!(
            "'{}' is no longer in the library, so {} was left as it is; uninstall it to remove it",
            r.skill_name, r.path
        ),
        _ => return None,
    };
    Some(msg)
}
