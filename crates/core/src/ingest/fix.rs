//! `skill-builder lint --fix` and `lint_skill {fix: true}`: rewrites the SKILL.md of a skill
//! written before the metadata rule ([`frontmatter::fix_frontmatter`]) and, for a Skills
//! Library skill, commits the change. The one part of `ingest` that knows the [`App`]: a
//! library skill's history must record the rewrite like every other change.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::frontmatter::{self, FrontmatterFix};
use crate::ingest::names::skill_name_problem;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What fixing one skill folder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixOutcome {
    /// The SKILL.md that was read (and rewritten when `fix.changed`).
    #[serde(skip)]
    pub skill_md: PathBuf,
    #[serde(flatten)]
    pub fix: FrontmatterFix,
    /// The commit of a library skill's change (`None`: not a library skill, nothing changed,
    /// or the commit failed — that is logged).
    pub commit: Option<String>,
}

/// Fixes the SKILL.md (or `skill.md`) of `dir` in place. With an `app`, a folder directly in
/// its Skills Library that has a `skills` row is committed as `{name}: frontmatter fixed`.
///
/// Refused: a folder or SKILL.md that is a symbolic link (the rewrite would land outside the
/// folder the user named), a library skill an agent of this process is working on (`locked`),
/// a missing SKILL.md (`not_found`), malformed frontmatter (`invalid_input`).
pub fn fix_skill_dir(app: Option<&App>, dir: &Path) -> Result<FixOutcome> {
    refuse_link(dir, "skill folder")?;
    if !dir.is_dir() {
        return Err(Error::not_found(format!(
            "no skill folder at {}",
            dir.display()
        )));
    }
    let skill_md = ["SKILL.md", "skill.md"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| std::fs::symlink_metadata(p).is_ok())
        .ok_or_else(|| {
            Error::not_found(format!(
                "missing required file: SKILL.md in {}",
                dir.display()
            ))
        })?;
    refuse_link(&skill_md, "SKILL.md")?;
    let library_name = app.and_then(|a| library_skill_name(a, dir));
    if let (Some(app), Some(name)) = (app, library_name.as_deref()) {
        if app.agents.has_pending_for_skill(name) {
            return Err(Error::locked(format!(
                "an agent is working on skill '{name}'; fix its frontmatter when the agent has finished"
            )));
        }
    }
    let bytes = std::fs::read(&skill_md).with_path(&skill_md)?;
    let content = String::from_utf8(bytes).map_err(|_| {
        Error::invalid(format!(
            "{} is not valid UTF-8 text; it was left unchanged",
            skill_md.display()
        ))
    })?;
    let fix = frontmatter::fix_frontmatter(&content)
        .map_err(|e| e.context(format!("cannot fix {}", skill_md.display())))?;
    let mut commit = None;
    if fix.changed {
        write_atomic(&skill_md, &fix.text)?;
        if let (Some(app), Some(name)) = (app, library_name.as_deref()) {
            commit = crate::history::commit_skill(app, name, &format!("{name}: frontmatter fixed"));
        }
    }
    Ok(FixOutcome {
        skill_md,
        fix,
        commit,
    })
}

fn refuse_link(p: &Path, what: &str) -> Result<()> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::invalid(format!(
            "the {what} {} is a symbolic link; fix the folder it points to instead (nothing was changed)",
            p.display()
        ))),
        _ => Ok(()),
    }
}

/// The skill name when `dir` is a folder directly in the app's Skills Library that has a
/// `skills` row.
fn library_skill_name(app: &App, dir: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let root = std::fs::canonicalize(app.skills_path()).ok()?;
    if dir.parent()? != root {
        return None;
    }
    let name = dir.file_name()?.to_str()?.to_string();
    if skill_name_problem(&name).is_some() {
        return None;
    }
    let has_row: bool = app
        .db
        .conn()
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM skills WHERE name = ?1)",
            [&name],
            |r| r.get(0),
        )
        .ok()?;
    has_row.then_some(name)
}

/// Replaces `path` with `text` through a temp file in the same folder and a rename, so a
/// crash leaves either the old or the new file, never half of one. The old file's
/// permissions are kept.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::invalid(format!("{} has no parent folder", path.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.fix-{}.tmp", uuid::Uuid::new_v4()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_path(&tmp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions()).with_path(&tmp)?;
        }
        f.write_all(text.as_bytes()).with_path(&tmp)?;
        f.sync_all().with_path(&tmp)?;
        drop(f);
        std::fs::rename(&tmp, path).with_path(path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
