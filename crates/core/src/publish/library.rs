//! The library side of a merge: which skills a merge may touch (none locked, none with an agent
//! running), and the database following the files afterwards — skills new from the remote are
//! added the way start-up discovery adds a folder (`resolve_discovery`), changed ones get their
//! SKILL.md metadata. If the database cannot follow, the merge is undone.

use crate::app::App;
use crate::db::skills_store::{self, Field};
use crate::db::workflow_store;
use crate::error::{Error, Result};
use crate::history::{self, Applied, ChangeKind, UnitChange};
use crate::ingest::names::is_valid_skill_name;
use crate::reconcile::ResolveArgs;
use std::collections::BTreeSet;
use std::path::Path;

/// What a merge changed in the library.
#[derive(Debug, Default)]
pub struct Followed {
    /// Skills new or changed from the remote.
    pub pulled: Vec<String>,
    /// Skills the remote deleted (their rows stay until start-up reconciliation asks).
    pub removed: Vec<String>,
}

/// Every library skill's name.
pub fn library_names(app: &App) -> Result<BTreeSet<String>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare("SELECT name FROM skills")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<BTreeSet<String>>>()?;
    Ok(names)
}

fn skill_changes(changes: &[UnitChange]) -> impl Iterator<Item = &UnitChange> {
    changes.iter().filter(|c| is_valid_skill_name(&c.path))
}

/// Refuses (`locked`) a merge that would change a skill another instance holds or an agent of
/// this one is writing into.
pub fn check_not_busy(app: &App, changes: &[UnitChange]) -> Result<()> {
    for c in skill_changes(changes) {
        crate::locks::ensure_not_locked_by_other(app, &c.path)?;
        if app.agents.has_pending_for_skill(&c.path) {
            return Err(Error::locked(format!(
                "'{}' has an agent running and the remote changed it; nothing was changed. Wait \
                 until the agent finishes (or stop it), then try again",
                c.path
            )));
        }
    }
    Ok(())
}

/// Brings the database in line with a merge just applied; on failure the merge and any rows
/// added here are taken back, and the error is returned.
pub fn follow(app: &App, applied: &Applied) -> Result<Followed> {
    let known = library_names(app)?;
    let mut added: Vec<String> = Vec::new();
    let result = follow_inner(app, applied, &known, &mut added);
    result.map_err(|e| {
        tracing::warn!("the library could not follow the merge ({e}); undoing it");
        if let Err(u) = forget(app, &added) {
            tracing::error!("could not remove the rows added for {}: {u}", added.join(", "));
        }
        match history::undo_bring_in(&app.skills_path(), applied) {
            Ok(()) => e.context(
                "the remote's changes could not be added to the library, so nothing was changed here",
            ),
            Err(u) => {
                tracing::error!("could not undo the merge: {u}");
                e
            }
        }
    })
}

fn follow_inner(
    app: &App,
    applied: &Applied,
    known: &BTreeSet<String>,
    added: &mut Vec<String>,
) -> Result<Followed> {
    let mut out = Followed::default();
    let mut changed: Vec<&str> = Vec::new();
    for c in skill_changes(&applied.changes).filter(|c| c.is_skill) {
        match c.kind {
            ChangeKind::Deleted => {
                if known.contains(&c.path) {
                    out.removed.push(c.path.clone());
                }
            }
            _ if known.contains(&c.path) => changed.push(&c.path),
            _ => {
                crate::reconcile::resolve_discovery(
                    app,
                    ResolveArgs {
                        skill_name: c.path.clone(),
                        action: "add-skill-builder".into(),
                    },
                )?;
                added.push(c.path.clone());
            }
        }
    }
    update_metadata(app, &changed)?;
    for name in &changed {
        crate::installs::after_library_change(app, name);
    }
    out.pulled = added
        .iter()
        .cloned()
        .chain(changed.iter().map(|s| s.to_string()))
        .collect();
    out.pulled.sort();
    Ok(out)
}

/// SKILL.md's metadata into the rows of `names`, in one transaction.
fn update_metadata(app: &App, names: &[&str]) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let skills = app.skills_path();
    app.db.write(|tx| {
        let now = crate::db::now();
        for name in names {
            let Some(id) = crate::skills::skill_id(tx, name)? else {
                continue;
            };
            let Some(fm) = frontmatter(&skills, name) else {
                continue;
            };
            let set = |f: Field<'_>| skills_store::set_field(tx, id, f);
            if let Some(d) = fm.description.as_deref() {
                set(Field::Description(Some(d)))?;
            }
            set(Field::Version(fm.version.as_deref()))?;
            set(Field::Model(fm.model.as_deref()))?;
            set(Field::ArgumentHint(fm.argument_hint.as_deref()))?;
            set(Field::UserInvocable(fm.user_invocable))?;
            set(Field::DisableModelInvocation(fm.disable_model_invocation))?;
            skills_store::touch(tx, id, &now)?;
        }
        Ok(())
    })
}

fn frontmatter(skills: &Path, name: &str) -> Option<crate::ingest::frontmatter::Frontmatter> {
    let text = std::fs::read_to_string(skills.join(name).join("SKILL.md")).ok()?;
    crate::ingest::frontmatter::parse_skill_md(&text)
        .ok()
        .map(|m| m.frontmatter)
}

/// Removes the rows [`follow`] added (the merge that brought their folders is undone too).
fn forget(app: &App, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    app.db.write(|tx| {
        for name in names {
            skills_store::delete_named(tx, name)?;
            workflow_store::delete_named(tx, name)?;
        }
        Ok(())
    })
}
