//! Resolving what reconciliation reports (UI-driven, lifecycle.md §2.8): orphans, discoveries.

use super::detect::detect_in;
use super::trash::{trash_files, trash_folder};
use super::ResolveArgs;
use crate::app::App;
use crate::db::imports_store::{self, ImportedRow};
use crate::db::skills_store::{self, NewSkill};
use crate::db::workflow_store::{self, NewRun};
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::skill_meta::SkillMeta;
use rusqlite::OptionalExtension;
use std::path::{Path, PathBuf};

/// `parent/name` must stay inside `parent` once symlinks are resolved; a missing child passes.
fn contained(parent: &Path, name: &str) -> Result<PathBuf> {
    let child = parent.join(name);
    if std::fs::symlink_metadata(&child).is_err() {
        return Ok(child);
    }
    let p = parent.canonicalize().with_path(parent)?;
    let c = child.canonicalize().with_path(&child)?;
    if !c.starts_with(&p) {
        return Err(Error::invalid(format!(
            "{} resolves outside {}: path traversal not allowed",
            child.display(),
            parent.display()
        )));
    }
    Ok(child)
}

/// `resolve_orphan`: `delete` removes the skill everywhere (works without a run row);
/// `keep` puts it back at step 0 with an empty folder so it is not reported again.
pub fn resolve_orphan(app: &App, a: ResolveArgs) -> Result<()> {
    validate_skill_name(&a.skill_name)?;
    let name = a.skill_name.as_str();
    match a.action.as_str() {
        "delete" => crate::skills::delete_skill(
            app,
            crate::skills::DeleteSkillArgs {
                workspace_path: None,
                name: name.into(),
            },
        ),
        "keep" => {
            let skills = app.skills_path();
            let dir = contained(&skills, name)?;
            let ws = contained(&app.workspace_path(), name)?;
            app.db.write(|tx| {
                let (id, purpose): (i64, Option<String>) = tx
                    .query_row(
                        "SELECT id, purpose FROM skills WHERE name = ?1",
                        [name],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?
                    .ok_or_else(|| Error::not_found(format!("Skill '{name}' not found")))?;
                let now = crate::db::now();
                let purpose = purpose.unwrap_or_else(|| "domain".into());
                workflow_store::restart_run(tx, name, id, &purpose, &now)?;
                workflow_store::reset_all_steps(tx, name)?;
                for d in [dir.join("context"), dir.join("references"), ws.clone()] {
                    std::fs::create_dir_all(&d).with_path(&d)?;
                }
                Ok(())
            })
        }
        other => Err(Error::invalid(format!(
            "Invalid orphan resolution action: '{other}'. Expected 'delete' or 'keep'."
        ))),
    }
}

/// Frontmatter fields of a folder's SKILL.md (all `None` when it cannot be read or parsed).
fn frontmatter_of(dir: &Path) -> crate::ingest::frontmatter::Frontmatter {
    std::fs::read_to_string(dir.join("SKILL.md"))
        .ok()
        .and_then(|t| crate::ingest::frontmatter::parse_skill_md(&t).ok())
        .map(|m| m.frontmatter)
        .unwrap_or_default()
}

fn meta_of(fm: &crate::ingest::frontmatter::Frontmatter) -> SkillMeta {
    SkillMeta {
        version: fm.version.clone(),
        model: fm.model.clone(),
        argument_hint: fm.argument_hint.clone(),
        user_invocable: fm.user_invocable,
        disable_model_invocation: fm.disable_model_invocation,
    }
}

/// `resolve_discovery`: adopt a discovered folder as a builder skill or an imported skill,
/// or remove it (moved to `.trash/{name}`). Adoption and removal are committed (D6).
pub fn resolve_discovery(app: &App, a: ResolveArgs) -> Result<()> {
    validate_skill_name(&a.skill_name)?;
    let name = a.skill_name.as_str();
    let action = a.action.as_str();
    if !matches!(action, "add-skill-builder" | "add-imported" | "remove") {
        return Err(Error::invalid(format!(
            "Invalid discovery action: '{action}'. Expected 'add-skill-builder', 'add-imported', or 'remove'."
        )));
    }
    let skills = app.skills_path();
    let dir = contained(&skills, name)?;
    if !dir.is_dir() {
        return Err(Error::not_found(format!(
            "'{name}' is not a folder in {}; reconcile again to refresh the list",
            skills.display()
        )));
    }
    if action != "remove" && crate::skills::skill_id(&app.db.conn(), name)?.is_some() {
        return Err(Error::conflict(format!(
            "'{name}' is already in the library"
        )));
    }
    match action {
        "add-skill-builder" => {
            let ws = contained(&app.workspace_path(), name)?;
            let d = detect_in(&dir);
            let step = d.map(|d| d as i32).unwrap_or(0);
            let status = if d == Some(3) { "completed" } else { "pending" };
            let fm = frontmatter_of(&dir);
            std::fs::create_dir_all(&ws).with_path(&ws)?;
            app.db.write(|tx| {
                let now = crate::db::now();
                let id = skills_store::insert(
                    tx,
                    &NewSkill {
                        name,
                        skill_source: "skill-builder",
                        purpose: Some("domain"),
                        description: fm.description.as_deref(),
                        meta: &meta_of(&fm),
                        created_at: Some(&now),
                    },
                )?;
                let run = workflow_store::insert_run(
                    tx,
                    &NewRun {
                        skill_name: name,
                        skill_id: id,
                        current_step: step,
                        status,
                        purpose: "domain",
                        created_at: &now,
                        author_login: None,
                        author_avatar: None,
                        intake_json: None,
                        description: fm.description.as_deref(),
                        version: fm.version.as_deref(),
                    },
                )?;
                if let Some(d) = d {
                    for s in 0..=d as i32 {
                        workflow_store::set_step(tx, name, run, s, "completed", &now)?;
                    }
                }
                Ok(())
            })?;
            crate::history::commit_skill(app, name, &format!("{name}: added to library"));
        }
        "add-imported" => {
            let fm = frontmatter_of(&dir);
            let context = dir.join("context");
            if context.is_dir() {
                // Research notes are not part of an imported skill; kept in the trash.
                trash_files(&skills, name, &[(context, "context".into())]);
            }
            let disk_path = crate::paths::path_string(&dir)?;
            app.db.write(|tx| {
                let now = crate::db::now();
                let id = skills_store::insert(
                    tx,
                    &NewSkill {
                        name,
                        skill_source: "imported",
                        purpose: Some("domain"),
                        description: fm.description.as_deref(),
                        meta: &meta_of(&fm),
                        created_at: Some(&now),
                    },
                )?;
                let millis = chrono::Utc::now().timestamp_millis();
                imports_store::adopt_imported(
                    tx,
                    &ImportedRow {
                        skill_id: &format!("imp-{name}-{millis}"),
                        skill_name: name,
                        is_active: true,
                        disk_path: &disk_path,
                        imported_at: &now,
                        is_bundled: false,
                        purpose: Some("domain"),
                        meta: &meta_of(&fm),
                        skill_master_id: id,
                        content_hash: None,
                        marketplace_source_url: None,
                    },
                )?;
                Ok(())
            })?;
            crate::history::commit_skill(app, name, &format!("{name}: added to library"));
        }
        _ => {
            trash_folder(&skills, name)?;
            crate::history::commit_skill(app, name, &format!("{name}: removed"));
        }
    }
    tracing::info!("discovery '{name}' resolved: {action}");
    Ok(())
}
