//! The Skill management command group: the skills library (create, list, update, rename,
//! delete, tags). Disk and database change together: when one side fails the other is undone.

use crate::app::App;
use crate::args::NoArgs;
use crate::db::skills_store::{self, Field, NewSkill};
use crate::db::workflow_store::{self, NewRun};
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::paths::path_string;
use crate::skill_meta::SkillMeta;
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub const PURPOSES: [&str; 4] = ["domain", "source", "data-engineering", "platform"];

/// One row of the skills library as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillSummary {
    pub name: String,
    pub current_step: Option<String>,
    pub status: Option<String>,
    pub last_modified: Option<String>,
    pub tags: Vec<String>,
    pub purpose: Option<String>,
    pub author_login: Option<String>,
    pub author_avatar: Option<String>,
    pub display_name: Option<String>,
    pub intake_json: Option<String>,
    pub source: Option<String>,
    pub skill_source: Option<String>,
    pub description: Option<String>,
    /// Named `argumentHint`, `userInvocable`, `disableModelInvocation` here.
    #[serde(flatten, with = "crate::skill_meta::camel")]
    pub meta: SkillMeta,
    /// The state in words, one-based ("Needs your answers", "Running 2/4 (Detailed Research)",
    /// "Built"): see `workflow::labels::state_label`. Additive; `current_step` stays as it was.
    #[serde(default)]
    pub state_label: String,
}

/// Distinguishes an absent field (keep) from an explicit `null` (clear).
fn tri_state<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

// ---- arguments ----

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceArgs {
    /// Accepted for compatibility with the reference UI; the configured workspace is used.
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSkillArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub name: String,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub intake_json: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `version`, `model`, `argumentHint`, `userInvocable`, `disableModelInvocation`.
    #[serde(flatten, with = "crate::skill_meta::camel")]
    pub meta: SkillMeta,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteSkillArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTagsArgs {
    pub skill_name: String,
    pub tags: Vec<String>,
}

/// Every field is tri-state: absent = keep, `null` = clear, value = set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMetadataArgs {
    pub skill_name: String,
    #[serde(default, deserialize_with = "tri_state")]
    pub purpose: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub intake_json: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub version: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub model: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub argument_hint: Option<Option<String>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub user_invocable: Option<Option<bool>>,
    #[serde(default, deserialize_with = "tri_state")]
    pub disable_model_invocation: Option<Option<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenameSkillArgs {
    pub old_name: String,
    pub new_name: String,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

// ---- helpers ----

/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// Most tags on one skill.
pub const MAX_TAGS: usize = 32;

/// The normalised tags, or `invalid_input` when one has a control character or is too long,
/// or there are too many: tags are shown in lists and filters, where such values break the
/// layout or hide text.
pub fn validated_tags(tags: &[String]) -> Result<Vec<String>> {
    let tags = normalize_tags(tags);
    if let Some(t) = tags.iter().find(|t| t.chars().any(char::is_control)) {
        return Err(Error::invalid(format!(
            "tag {:?} contains a control character; use plain text",
            crate::error::shorten(t, 40)
        )));
    }
    if let Some(t) = tags.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(Error::invalid(format!(
            "tag {:?} is longer than {MAX_TAG_CHARS} characters",
            crate::error::shorten(t, 40)
        )));
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::invalid(format!(
            "{} tags given; a skill has at most {MAX_TAGS}",
            tags.len()
        )));
    }
    Ok(tags)
}

/// Trimmed, lower-cased, non-empty, de-duplicated, in first-seen order.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    tags.iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && seen.insert(t.clone()))
        .collect()
}

fn validate_purpose(p: &str) -> Result<()> {
    if PURPOSES.contains(&p) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "unknown purpose '{p}'; use one of: {}",
            PURPOSES.join(", ")
        )))
    }
}

fn validate_intake(j: &str) -> Result<()> {
    serde_json::from_str::<serde_json::Value>(j)
        .map(|_| ())
        .map_err(|e| Error::invalid(format!("intakeJson is not valid JSON: {e}")))
}

pub fn skill_id(conn: &rusqlite::Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM skills WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

fn replace_tags(tx: &Transaction<'_>, id: i64, name: &str, tags: &[String]) -> Result<()> {
    let tags = validated_tags(tags)?;
    skills_store::replace_tags(tx, id, name, &tags, &crate::db::now())
}

/// Folders of a skill: its workspace scratch folder and its output folder in skills_path.
pub fn skill_dirs(app: &App, name: &str) -> (PathBuf, PathBuf) {
    (
        app.workspace_path().join(name),
        app.skills_path().join(name),
    )
}

// ---- commands ----

pub fn get_workspace_path(app: &App, _: NoArgs) -> Result<String> {
    path_string(&app.workspace_path())
}

/// Creates the skill's folders and rows; on any failure neither remains.
pub fn create_skill(app: &App, a: CreateSkillArgs) -> Result<()> {
    validate_skill_name(&a.name)?;
    let purpose = a.purpose.clone().unwrap_or_else(|| "domain".into());
    validate_purpose(&purpose)?;
    if let Some(j) = &a.intake_json {
        validate_intake(j)?;
    }
    let (ws_dir, out_dir) = skill_dirs(app, &a.name);
    for d in [&ws_dir, &out_dir] {
        if d.exists() {
            return Err(Error::conflict(format!(
                "Skill '{}' already exists on disk at {}; pick another name or delete it first",
                a.name,
                d.display()
            )));
        }
    }
    let settings = crate::settings::load(app)?;
    let mut created: Vec<PathBuf> = Vec::new();
    let res = app.db.write(|tx| {
        if skill_id(tx, &a.name)?.is_some() {
            return Err(Error::conflict(format!(
                "Skill '{}' already exists",
                a.name
            )));
        }
        let now = crate::db::now();
        let id = skills_store::insert(
            tx,
            &NewSkill {
                name: &a.name,
                skill_source: "skill-builder",
                purpose: Some(&purpose),
                description: a.description.as_deref(),
                meta: &a.meta,
                created_at: Some(&now),
            },
        )?;
        workflow_store::insert_run(
            tx,
            &NewRun {
                skill_name: &a.name,
                skill_id: id,
                current_step: 0,
                status: "pending",
                purpose: &purpose,
                created_at: &now,
                author_login: settings.github_user_login.as_deref(),
                author_avatar: settings.github_user_avatar.as_deref(),
                intake_json: a.intake_json.as_deref(),
                description: None,
                version: None,
            },
        )?;
        if let Some(tags) = &a.tags {
            replace_tags(tx, id, &a.name, tags)?;
        }
        // Folders last, inside the transaction: if one cannot be made, the rows roll back.
        for d in [
            ws_dir.clone(),
            out_dir.join("context"),
            out_dir.join("references"),
        ] {
            std::fs::create_dir_all(&d).with_path(&d)?;
            created.push(d);
        }
        Ok(())
    });
    if let Err(e) = res {
        for d in [&ws_dir, &out_dir] {
            if created.iter().any(|c| c.starts_with(d)) {
                let _ = std::fs::remove_dir_all(d);
            }
        }
        return Err(e);
    }
    tracing::info!("skill '{}' created", a.name);
    Ok(())
}

/// Lists every skill of the library, newest change first.
pub fn list_skills(app: &App, _: WorkspaceArgs) -> Result<Vec<SkillSummary>> {
    let conn = app.db.conn();
    // Tags are sorted per skill in Rust (a few each; byte order = SQLite's BINARY collation)
    // rather than by an ORDER BY that sorts the whole table (docs/benchmarks.md › Profile).
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT skill_id, tag FROM skill_tags")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, t) = row?;
            tags.entry(id).or_default().push(t);
        }
    }
    let mut step_rows: HashMap<String, Vec<(i32, String)>> = HashMap::new();
    {
        let mut stmt =
            conn.prepare_cached("SELECT skill_name, step_id, status FROM workflow_steps")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (skill, id, status) = row?;
            step_rows.entry(skill).or_default().push((id, status));
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name, s.skill_source, s.purpose, s.updated_at, s.description, s.version,
                s.model, s.argument_hint, s.user_invocable, s.disable_model_invocation,
                r.id, r.current_step, r.status, r.updated_at, r.author_login, r.author_avatar,
                r.display_name, r.intake_json, r.source
         FROM skills s LEFT JOIN workflow_runs r ON r.skill_id = s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let id: i64 = r.get(0)?;
        let skill_source: String = r.get(2)?;
        let run_id: Option<i64> = r.get(11)?;
        let builder_run = skill_source == "skill-builder" && run_id.is_some();
        let s_updated: String = r.get(4)?;
        let name: String = r.get(1)?;
        let state_label = if builder_run {
            let run_status: String = r.get(13)?;
            let steps: Vec<(i32, &str)> = step_rows
                .get(&name)
                .map(|v| v.iter().map(|(id, st)| (*id, st.as_str())).collect())
                .unwrap_or_default();
            crate::workflow::labels::state_label(Some(&run_status), r.get(12)?, &steps)
        } else {
            crate::workflow::labels::state_label(None, 0, &[])
        };
        Ok(SkillSummary {
            name,
            state_label,
            current_step: Some(if builder_run {
                format!("Step {}", r.get::<_, i64>(12)?)
            } else {
                "Step 3".into()
            }),
            status: Some(if builder_run {
                r.get(13)?
            } else {
                "completed".into()
            }),
            last_modified: Some(if builder_run {
                // The newer of the two rows: metadata edits touch `skills`, steps the run.
                let run_updated: String = r.get(14)?;
                run_updated.max(s_updated)
            } else {
                s_updated
            }),
            tags: tags
                .remove(&id)
                .map(|mut t| {
                    t.sort_unstable();
                    t
                })
                .unwrap_or_default(),
            purpose: r.get(3)?,
            author_login: if builder_run { r.get(15)? } else { None },
            author_avatar: if builder_run { r.get(16)? } else { None },
            display_name: if builder_run { r.get(17)? } else { None },
            intake_json: if builder_run { r.get(18)? } else { None },
            source: if builder_run {
                r.get(19)?
            } else {
                Some(skill_source.clone())
            },
            skill_source: Some(skill_source),
            description: r.get(5)?,
            meta: SkillMeta {
                version: r.get(6)?,
                model: r.get(7)?,
                argument_hint: r.get(8)?,
                user_invocable: r.get(9)?,
                disable_model_invocation: r.get(10)?,
            },
        })
    })?;
    let mut out: Vec<SkillSummary> = rows.collect::<rusqlite::Result<_>>()?;
    out.sort_by(|a, b| {
        b.last_modified
            .cmp(&a.last_modified)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

/// Completed skills whose SKILL.md exists in the skills folder.
pub fn list_refinable_skills(app: &App, a: WorkspaceArgs) -> Result<Vec<SkillSummary>> {
    let root = app.skills_path();
    Ok(list_skills(app, a)?
        .into_iter()
        .filter(|s| s.status.as_deref() == Some("completed"))
        .filter(|s| root.join(&s.name).join("SKILL.md").is_file())
        .collect())
}

/// Moves `path` aside (same folder, hidden name) so it can be restored if a later step fails.
fn set_aside(path: &Path) -> Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(format!(".deleting-{name}-{}", uuid::Uuid::new_v4()));
    std::fs::rename(path, &aside).with_path(path)?;
    Ok(Some(aside))
}

/// Removes `path` without following it: a linked skill folder goes as a link.
fn remove_any(path: &Path) {
    if let Err(e) = crate::safe_fs::remove_no_follow(path) {
        tracing::warn!("could not remove {}: {e}", path.display());
    }
}

/// Deletes a skill's folders and rows. Usage history (agent runs, sessions) is kept for cost
/// reports. The folders are set aside first and put back if the database change fails.
pub fn delete_skill(app: &App, a: DeleteSkillArgs) -> Result<()> {
    validate_skill_name(&a.name)?;
    crate::locks::ensure_not_locked_by_other(app, &a.name)?;
    // An agent still running would write into the folders after they are gone.
    if app.agents.has_pending_for_skill(&a.name) {
        return Err(Error::locked(format!(
            "Skill '{}' has an agent running. Stop it (or wait until it finishes), then delete the skill.",
            a.name
        )));
    }
    let (ws_dir, out_dir) = skill_dirs(app, &a.name);
    let in_db = skill_id(&app.db.conn(), &a.name)?.is_some();
    if !in_db && !ws_dir.exists() && !out_dir.exists() {
        return Err(Error::not_found(format!("Skill '{}' not found", a.name)));
    }
    let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    let restore = |aside: &[(PathBuf, PathBuf)]| {
        for (orig, moved) in aside {
            if let Err(e) = std::fs::rename(moved, orig) {
                tracing::error!("could not restore {}: {e}", orig.display());
            }
        }
    };
    for d in [&ws_dir, &out_dir] {
        match set_aside(d) {
            Ok(Some(m)) => aside.push((d.clone(), m)),
            Ok(None) => {}
            Err(e) => {
                restore(&aside);
                return Err(e);
            }
        }
    }
    let res = app.db.write(|tx| {
        skills_store::delete_named(tx, &a.name)?;
        // Rows keyed only by name (never linked, or linked before the FK existed).
        workflow_store::delete_named(tx, &a.name)?;
        skills_store::delete_tags_named(tx, &a.name)?;
        crate::db::locks_store::delete_for_skill_name(tx, &a.name)?;
        crate::db::imports_store::delete_imported_named(tx, &a.name)
    });
    if let Err(e) = res {
        restore(&aside);
        return Err(e);
    }
    for (_, moved) in &aside {
        remove_any(moved);
    }
    crate::history::commit_skill(app, &a.name, &format!("{}: deleted", a.name));
    tracing::info!("skill '{}' deleted", a.name);
    Ok(())
}

pub fn update_skill_tags(app: &App, a: UpdateTagsArgs) -> Result<()> {
    app.db.write(|tx| {
        let id = skill_id(tx, &a.skill_name)?
            .ok_or_else(|| Error::not_found(format!("Skill '{}' not found", a.skill_name)))?;
        replace_tags(tx, id, &a.skill_name, &a.tags)?;
        skills_store::touch(tx, id, &crate::db::now())
    })
}

/// Updates the given fields only (absent = keep, null = clear).
pub fn update_skill_metadata(app: &App, a: UpdateMetadataArgs) -> Result<()> {
    if let Some(Some(p)) = &a.purpose {
        validate_purpose(p)?;
    }
    if let Some(Some(j)) = &a.intake_json {
        validate_intake(j)?;
    }
    app.db.write(|tx| {
        let id = skill_id(tx, &a.skill_name)?
            .ok_or_else(|| Error::not_found(format!("Skill '{}' not found", a.skill_name)))?;
        let set = |f: Field<'_>| skills_store::set_field(tx, id, f);
        if let Some(p) = &a.purpose {
            set(Field::Purpose(p.as_deref()))?;
            workflow_store::set_run_purpose(tx, id, p.as_deref())?;
        }
        if let Some(j) = &a.intake_json {
            workflow_store::set_run_intake(tx, id, j.as_deref())?;
        }
        if let Some(v) = &a.description {
            set(Field::Description(v.as_deref()))?;
        }
        if let Some(v) = &a.version {
            set(Field::Version(v.as_deref()))?;
        }
        if let Some(v) = &a.model {
            set(Field::Model(v.as_deref()))?;
        }
        if let Some(v) = &a.argument_hint {
            set(Field::ArgumentHint(v.as_deref()))?;
        }
        if let Some(v) = a.user_invocable {
            set(Field::UserInvocable(v))?;
        }
        if let Some(v) = a.disable_model_invocation {
            set(Field::DisableModelInvocation(v))?;
        }
        if let Some(tags) = &a.tags {
            replace_tags(tx, id, &a.skill_name, tags.as_deref().unwrap_or(&[]))?;
        }
        skills_store::touch(tx, id, &crate::db::now())
    })
}

/// Renames a skill on disk and in every table; if either side fails, both are undone.
pub fn rename_skill(app: &App, a: RenameSkillArgs) -> Result<()> {
    validate_skill_name(&a.new_name)?;
    if a.old_name == a.new_name {
        return Ok(());
    }
    if skill_id(&app.db.conn(), &a.old_name)?.is_none() {
        return Err(Error::not_found(format!(
            "Skill '{}' not found",
            a.old_name
        )));
    }
    if skill_id(&app.db.conn(), &a.new_name)?.is_some() {
        return Err(Error::conflict(format!(
            "Skill '{}' already exists",
            a.new_name
        )));
    }
    crate::locks::ensure_not_locked_by_other(app, &a.old_name)?;
    let (old_ws, old_out) = skill_dirs(app, &a.old_name);
    let (new_ws, new_out) = skill_dirs(app, &a.new_name);
    for d in [&new_ws, &new_out] {
        if std::fs::symlink_metadata(d).is_ok() {
            return Err(Error::conflict(format!(
                "Cannot rename to '{}': {} already exists",
                a.new_name,
                d.display()
            )));
        }
    }
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    let undo = |moved: &[(PathBuf, PathBuf)]| {
        for (from, to) in moved.iter().rev() {
            if let Err(e) = std::fs::rename(to, from) {
                tracing::error!("could not undo rename of {}: {e}", from.display());
            }
        }
    };
    for (from, to) in [(&old_ws, &new_ws), (&old_out, &new_out)] {
        if from.exists() {
            if let Err(e) = std::fs::rename(from, to).with_path(from) {
                undo(&moved);
                return Err(e);
            }
            moved.push((from.clone(), to.clone()));
        }
    }
    let new_out_str = path_string(&new_out)?;
    let res = app.db.write(|tx| {
        skills_store::rename(tx, &a.old_name, &a.new_name)?;
        crate::db::imports_store::rename_imported(tx, &a.old_name, &a.new_name, &new_out_str)?;
        workflow_store::rename(tx, &a.old_name, &a.new_name)?;
        crate::db::sessions_store::rename(tx, &a.old_name, &a.new_name)?;
        crate::db::runs_store::rename(tx, &a.old_name, &a.new_name)?;
        crate::db::locks_store::rename(tx, &a.old_name, &a.new_name)?;
        crate::evals::store::rename(tx, &a.old_name, &a.new_name)?;
        skills_store::touch_named(tx, &a.new_name, &crate::db::now())
    });
    if let Err(e) = res {
        undo(&moved);
        return Err(e);
    }
    crate::evals::store::rename_files(app, &a.old_name, &a.new_name);
    crate::history::commit_repo(app, &format!("{}: renamed from {}", a.new_name, a.old_name));
    tracing::info!("skill '{}' renamed to '{}'", a.old_name, a.new_name);
    Ok(())
}

pub fn get_all_tags(app: &App, _: NoArgs) -> Result<Vec<String>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare("SELECT DISTINCT tag FROM skill_tags ORDER BY tag")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Names known to the builder, the library imports and the workspace skills, sorted.
pub fn get_installed_skill_names(app: &App, _: NoArgs) -> Result<Vec<String>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare(
        "SELECT skill_name FROM workflow_runs
         UNION SELECT skill_name FROM imported_skills
         UNION SELECT skill_name FROM workspace_skills
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
