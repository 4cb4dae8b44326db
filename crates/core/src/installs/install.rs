//! Installing a library skill into an agent's folder and removing it again. Both only ever
//! touch a folder the app recorded writing, and only while it still holds what was written;
//! anything else is refused with `conflict`, or (with `force`) moved to a backup first.

use super::agents::Target;
use super::content::{self, OnDisk};
use super::place::{self, Staged};
use super::record::{self, InstallRecord, NewInstall};
use crate::app::App;
use crate::error::{Error, Result};
use crate::paths::path_string;
use crate::safe_fs;
use std::path::{Path, PathBuf};

/// The last commit of `skill` in the skills repository, if it has history.
pub fn library_version(app: &App, skill: &str) -> Option<String> {
    crate::history::skill_history(&app.skills_path(), skill, 1)
        .ok()?
        .into_iter()
        .next()
        .map(|c| c.sha)
}

/// Writes a fresh copy of the library skill `src` to `target/<skill>` (staged, then renamed
/// into place) and records it. The caller has checked that the folder may be replaced.
pub fn write_copy(app: &App, skill: &str, src: &Path, target: &Target) -> Result<InstallRecord> {
    let folder = target.folder_of(skill);
    let staged = Staged::new(&target.root)?;
    let hash = content::copy_deployable(src, staged.path())?;
    staged.put_in_place(&folder)?;
    let version = library_version(app, skill);
    record::upsert(
        app,
        &NewInstall {
            skill_name: skill,
            agent: &target.agent,
            scope: target.scope,
            path: &path_string(&folder)?,
            version: version.as_deref(),
            content_hash: &hash,
        },
    )
}

/// The refusal for a folder of that name the app did not write.
fn foreign_folder(folder: &Path, skill: &str, agent: &str) -> Error {
    Error::conflict(format!(
        "{} already exists and was not installed by Skill Builder, so it is left untouched. \
         Remove or rename that folder yourself, or install under another agent or folder (--dir), \
         or rename the skill '{skill}' in the library (agent: {agent})",
        folder.display()
    ))
}

/// The refusal for an installed copy edited since it was written.
fn changed_by_hand(folder: &Path, action: &str) -> Error {
    Error::conflict(format!(
        "{} was changed by hand since it was installed, so it was not {action}. \
         Keep your changes by copying them into the library skill, or pass --force \
         (\"force\": true) to move this copy to a backup folder and continue",
        folder.display()
    ))
}

/// What an install or uninstall did.
pub struct Done {
    pub record: InstallRecord,
    /// Where a hand-changed copy was moved before being replaced or removed.
    pub backup: Option<PathBuf>,
}

/// Installs `skill` into `target`. Over the app's own earlier copy it updates it; a copy
/// changed by hand needs `force` (and is backed up first); a folder the app did not write is
/// refused (`conflict`).
pub fn install(app: &App, skill: &str, target: &Target, force: bool) -> Result<Done> {
    let src = content::library_dir(app, skill)?;
    let folder = target.folder_of(skill);
    let recorded = record::find_by_path(app, &path_string(&folder)?)?;
    let state = content::on_disk(&folder)?;
    let mut backup = None;
    match (&state, &recorded) {
        (OnDisk::Missing, _) => {}
        (_, None) => return Err(foreign_folder(&folder, skill, &target.agent)),
        (state, Some(r)) if !state.matches(&r.content_hash) => {
            if !force {
                return Err(changed_by_hand(&folder, "replaced"));
            }
            backup = Some(place::move_to_backup(app, &folder, &target.agent, skill)?);
        }
        _ => {}
    }
    let record = write_copy(app, skill, &src, target)?;
    Ok(Done { record, backup })
}

/// Removes the app's copy of `skill` from `target` and forgets it. A copy changed by hand
/// needs `force` and is moved to a backup; a folder the app did not write is refused.
pub fn uninstall(app: &App, skill: &str, target: &Target, force: bool) -> Result<Done> {
    crate::ingest::names::validate_skill_name(skill)?;
    let folder = target.folder_of(skill);
    let state = content::on_disk(&folder)?;
    let Some(record) = record::find_by_path(app, &path_string(&folder)?)? else {
        if state == OnDisk::Missing {
            return Err(Error::not_found(format!(
                "'{skill}' is not installed at {} (`skill-builder call list_agent_installs` lists the installs)",
                folder.display()
            )));
        }
        return Err(Error::conflict(format!(
            "{} was not installed by Skill Builder, so it is left untouched; remove it yourself \
             if you no longer want it",
            folder.display()
        )));
    };
    let mut backup = None;
    match &state {
        OnDisk::Missing => {}
        s if s.matches(&record.content_hash) => {
            safe_fs::remove_no_follow(&folder)
                .map_err(|e| Error::from(e).context(folder.display()))?;
        }
        _ if !force => return Err(changed_by_hand(&folder, "removed")),
        _ => backup = Some(place::move_to_backup(app, &folder, &record.agent, skill)?),
    }
    record::delete(app, record.id)?;
    Ok(Done { record, backup })
}
