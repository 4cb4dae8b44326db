//! The update check, done by the listing: for each skill `list_git_skills` shows, where that
//! folder of that URL is already imported, the commit it is pinned to, and whether importing
//! the listed commit would bring something new.

use super::source::Source;
use crate::app::App;
use crate::error::Result;
use crate::github::AvailableSkill;
use serde::{Deserialize, Serialize};

/// How a pin was compared with the listed commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compared {
    /// The skill folder's tree ids: an update only when the folder itself changed.
    Tree,
    /// The commit ids (a pin recorded before tree ids were, or a folder missing from the
    /// listed commit): an update whenever the repository moved on.
    Commit,
}

/// Where a listed skill folder is already imported from this URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPin {
    /// `workspace` or `library`.
    pub target: String,
    /// The imported skill's name there.
    pub skill_name: String,
    /// The ref it was imported from (`null`: the remote's HEAD).
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// The commit it is pinned to.
    pub commit: String,
    /// Importing the listed commit would change it.
    pub update_available: bool,
    pub compared: Compared,
}

/// A skill of the listing, with where it is already imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitListedSkill {
    #[serde(flatten)]
    pub skill: AvailableSkill,
    /// One per destination holding this folder of this URL (none: not imported).
    pub imported: Vec<GitPin>,
    /// Some destination holds another version than the listed commit's.
    pub update_available: bool,
}

/// A recorded source whose skill still names it.
struct Pinned {
    target: String,
    name: String,
    ref_name: Option<String>,
    commit: String,
    path: String,
    tree: Option<String>,
}

/// The pins of `url` whose skill still carries that URL (a row left by a skill deleted or
/// re-imported from elsewhere is ignored).
fn pins_of(app: &App, url: &str) -> Result<Vec<Pinned>> {
    let conn = app.db.conn();
    let mut st = conn.prepare(
        "SELECT g.target, g.skill_name, g.ref_name, g.commit_sha, g.path, g.tree_sha
         FROM git_sources g
         WHERE g.url = ?1 AND (
           (g.target = 'workspace' AND EXISTS (SELECT 1 FROM workspace_skills w
              WHERE w.skill_name = g.skill_name AND w.marketplace_source_url = g.url))
           OR (g.target = 'library' AND EXISTS (SELECT 1 FROM imported_skills i
              WHERE i.skill_name = g.skill_name AND i.marketplace_source_url = g.url)))
         ORDER BY g.target DESC, g.skill_name",
    )?;
    let rows = st
        .query_map([url], |r| {
            Ok(Pinned {
                target: r.get(0)?,
                name: r.get(1)?,
                ref_name: r.get(2)?,
                commit: r.get(3)?,
                path: r.get(4)?,
                tree: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Is `p` behind what `src` holds at its folder? Trees when both are known, else commits.
fn compare(p: &Pinned, src: &Source) -> (bool, Compared) {
    match (&p.tree, src.pinned.folder_tree(&p.path)) {
        (Some(pinned), Some(now)) => (*pinned != now, Compared::Tree),
        _ => (p.commit != src.pinned.commit, Compared::Commit),
    }
}

/// The listing's skills with their pins.
pub(super) fn with_pins(
    app: &App,
    src: &Source,
    skills: Vec<AvailableSkill>,
) -> Result<Vec<GitListedSkill>> {
    let pins = pins_of(app, &src.url)?;
    Ok(skills
        .into_iter()
        .map(|skill| {
            let imported: Vec<GitPin> = pins
                .iter()
                .filter(|p| p.path == skill.path)
                .map(|p| {
                    let (update_available, compared) = compare(p, src);
                    GitPin {
                        target: p.target.clone(),
                        skill_name: p.name.clone(),
                        ref_name: p.ref_name.clone(),
                        commit: p.commit.clone(),
                        update_available,
                        compared,
                    }
                })
                .collect();
            GitListedSkill {
                update_available: imported.iter().any(|p| p.update_available),
                skill,
                imported,
            }
        })
        .collect())
}
