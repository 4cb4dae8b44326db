//! The two GitHub imports (ingestion.md §4.5–4.7 with the backend rules):
//! `import_github_skills` (Settings→Skills: `<workspace>/.claude/skills/<name>/`,
//! `workspace_skills`) and `import_marketplace_to_library` (Skills Library:
//! `<skills_path>/<name>/`, `skills` + `imported_skills`).
//!
//! Per skill: fetch and check SKILL.md (overrides patched into the YAML, every other key
//! kept), decide (ownership, versions) before touching the destination, download every file
//! into `<root>/.staging/<uuid>/<name>/` (bytes and exec bit kept), compare with the installed
//! copy (identical files and rows → `skipped`, nothing changes), then swap the folder in and
//! write the rows in one transaction (a DB failure puts the old folder back). A failure of one
//! skill never leaves a half-written folder and never stops the others.

use super::client::GitHub;
use super::discovery::{snapshot, Snapshot, TreeEntry, MAX_PARALLEL};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
pub use crate::hashing::sha256_hex;
use crate::ingest::frontmatter::{parse_skill_md, set_fields, FieldValue, Frontmatter};
use crate::ingest::lint::{lint_skill_dir, LintMode};
use crate::ingest::names::validate_skill_name;
use crate::paths::path_string;
use crate::placing::{place_skill_folder, FolderMoves, PlaceMeta};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Limits per imported skill.
pub const MAX_SKILL_FILES: usize = 2_000;
pub const MAX_SKILL_BYTES: u64 = 100 * 1024 * 1024;
const MAX_SKILL_MD_BYTES: u64 = crate::ingest::frontmatter::MAX_SKILL_MD_BYTES as u64;

// ---------------------------------------------------------------------------------
// Types

/// Fields a user may override at import. `model: ""` clears the model ("app default");
/// `purpose` is stored in the DB, never written to SKILL.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkillMetadataOverride {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub argument_hint: Option<String>,
    #[serde(default)]
    pub user_invocable: Option<bool>,
    #[serde(default)]
    pub disable_model_invocation: Option<bool>,
}

/// What happened to one skill of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    Updated,
    Skipped,
    Failed,
}

/// A Settings→Skills import result: the stored `workspace_skills` row plus the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedSkill {
    pub skill_id: String,
    pub skill_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub is_active: bool,
    #[serde(default)]
    pub is_bundled: bool,
    pub disk_path: String,
    pub imported_at: String,
    pub purpose: Option<String>,
    pub version: Option<String>,
    pub model: Option<String>,
    pub argument_hint: Option<String>,
    pub user_invocable: Option<bool>,
    pub disable_model_invocation: Option<bool>,
    pub marketplace_source_url: Option<String>,
    /// Beyond the reference: the outcome, the repo path, why (skip/failure), lint warnings.
    pub status: ImportStatus,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSkillImportRequest {
    pub path: String,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub metadata_override: Option<SkillMetadataOverride>,
    #[serde(default)]
    pub version: Option<String>,
}

/// A Skills Library import result (reference fields + outcome details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceImportResult {
    /// The skill name, or the requested path when the name was never learned.
    pub skill_name: String,
    pub success: bool,
    pub error: Option<String>,
    pub status: ImportStatus,
    pub path: String,
    /// Where the skill is stored (when it is).
    #[serde(default)]
    pub disk_path: Option<String>,
    pub version: Option<String>,
    pub content_hash: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------
// Helpers

/// A lenient version: `v` stripped, missing parts are 0 (`1.0` = `1.0.0`), pre-release
/// after `-`, build metadata after `+` ignored. Non-numeric parts → unparsable.
fn parse_version(v: &str) -> Option<(u64, u64, u64, Option<String>)> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split('+').next()?;
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p.to_string())),
        None => (v, None),
    };
    let nums: Vec<u64> = core
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    if nums.is_empty() || nums.len() > 3 {
        return None;
    }
    Some((
        nums[0],
        nums.get(1).copied().unwrap_or(0),
        nums.get(2).copied().unwrap_or(0),
        pre,
    ))
}

/// Lenient version order; `None` when either side is unparsable.
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let (a, b) = (parse_version(a)?, parse_version(b)?);
    let base = (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2));
    if base != std::cmp::Ordering::Equal {
        return Some(base);
    }
    Some(match (&a.3, &b.3) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// True when `new` is strictly newer than `old` (both parsable).
pub fn version_newer(new: &str, old: &str) -> bool {
    compare_versions(new, old) == Some(std::cmp::Ordering::Greater)
}

fn empty_none(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// The staging folder of a skills root.
const STAGING: &str = ".staging";

/// `{root}/.staging/{uuid}/{name}` plus its removal on drop.
pub(crate) struct Staging {
    pub(crate) base: PathBuf,
    dir: PathBuf,
}

impl Staging {
    fn new(root: &Path, name: &str) -> Result<Staging> {
        let mut s = Staging::empty(root)?;
        s.dir = s.base.join(name);
        std::fs::create_dir_all(&s.dir).with_path(&s.dir)?;
        Ok(s)
    }

    /// Only `{root}/.staging/{uuid}/`, for a caller that fills it itself (a ZIP extraction).
    pub(crate) fn empty(root: &Path) -> Result<Staging> {
        let staging_root = root.join(STAGING);
        std::fs::create_dir_all(&staging_root).with_path(&staging_root)?;
        let ignore = staging_root.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n").with_path(&ignore)?;
        }
        let base = staging_root.join(crate::staging::unique_name(""));
        std::fs::create_dir_all(&base).with_path(&base)?;
        Ok(Staging {
            dir: base.clone(),
            base,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
        if let Some(root) = self.base.parent() {
            // Remove `.staging` when only our .gitignore is left.
            let only_ignore = std::fs::read_dir(root)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .all(|e| e.file_name() == ".gitignore")
                })
                .unwrap_or(false);
            if only_ignore {
                let _ = std::fs::remove_dir_all(root);
            }
        }
    }
}

/// A fetched, checked SKILL.md and the skill's file list.
struct Fetched {
    name: String,
    skill_md: String,
    fm: Frontmatter,
    /// (path relative to the skill folder, tree entry)
    files: Vec<(String, TreeEntry)>,
}

fn clean_skill_path(p: &str) -> Result<String> {
    let mut parts = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(Error::invalid(format!("Invalid skill path '{p}'"))),
            s if s.contains('\\') => {
                return Err(Error::invalid(format!("Invalid skill path '{p}'")))
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(Error::invalid(
            "An empty skill path would import the whole repository; choose a skill folder",
        ));
    }
    Ok(parts.join("/"))
}

fn overrides_of(o: &SkillMetadataOverride) -> Vec<(&'static str, FieldValue)> {
    let mut v = Vec::new();
    if let Some(n) = &o.name {
        v.push(("name", FieldValue::Str(n.trim().to_string())));
    }
    if let Some(d) = &o.description {
        v.push(("description", FieldValue::Str(d.clone())));
    }
    if let Some(x) = &o.version {
        v.push(("version", FieldValue::Str(x.trim().to_string())));
    }
    if let Some(m) = &o.model {
        v.push((
            "model",
            if m.trim().is_empty() {
                FieldValue::Remove
            } else {
                FieldValue::Str(m.trim().to_string())
            },
        ));
    }
    if let Some(a) = &o.argument_hint {
        v.push((
            "argument-hint",
            if a.is_empty() {
                FieldValue::Remove
            } else {
                FieldValue::Str(a.clone())
            },
        ));
    }
    if let Some(b) = o.user_invocable {
        v.push(("user-invocable", FieldValue::Bool(b)));
    }
    if let Some(b) = o.disable_model_invocation {
        v.push(("disable-model-invocation", FieldValue::Bool(b)));
    }
    v
}

/// Lists the skill's files, downloads and checks SKILL.md, applies the overrides.
async fn fetch_skill(
    gh: &GitHub,
    snap: &Snapshot,
    skill_path: &str,
    ov: Option<&SkillMetadataOverride>,
) -> Result<Fetched> {
    let prefix = format!("{skill_path}/");
    let files: Vec<(String, TreeEntry)> = snap
        .tree
        .iter()
        .filter(|e| e.kind == "blob")
        .filter_map(|e| {
            let rel = e.path.strip_prefix(&prefix)?;
            if !e.is_file() {
                tracing::info!("skipping {} (mode {}: not a regular file)", e.path, e.mode);
                return None;
            }
            Some((rel.to_string(), e.clone()))
        })
        .collect();
    if files.is_empty() {
        return Err(Error::not_found(format!(
            "No files found in skill directory '{skill_path}'"
        )));
    }
    if !files.iter().any(|(r, _)| r == "SKILL.md") {
        return Err(Error::not_found(format!(
            "SKILL.md not found in skill directory '{skill_path}'"
        )));
    }
    if files.len() > MAX_SKILL_FILES {
        return Err(Error::invalid(format!(
            "Skill '{skill_path}' has {} files (max {MAX_SKILL_FILES})",
            files.len()
        )));
    }
    let total: u64 = files.iter().filter_map(|(_, e)| e.size).sum();
    if total > MAX_SKILL_BYTES {
        return Err(Error::invalid(format!(
            "Skill '{skill_path}' is {total} bytes (max {MAX_SKILL_BYTES})"
        )));
    }
    let md_path = format!("{skill_path}/SKILL.md");
    let bytes = gh
        .raw_get(
            &snap.owner,
            &snap.repo,
            &snap.reference,
            &md_path,
            MAX_SKILL_MD_BYTES,
        )
        .await?
        .ok_or_else(|| Error::not_found(format!("SKILL.md not found at '{md_path}'")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("SKILL.md at '{skill_path}' is not valid UTF-8")))?;
    parse_skill_md(&text).map_err(|e| e.context(format!("SKILL.md at '{skill_path}'")))?;
    let changes = ov.map(overrides_of).unwrap_or_default();
    let skill_md = if changes.is_empty() {
        text
    } else {
        set_fields(&text, &changes)?
    };
    let fm = parse_skill_md(&skill_md)?.frontmatter;
    let name = empty_none(fm.name.clone()).ok_or_else(|| {
        Error::invalid(format!(
            "SKILL.md at '{skill_path}' is missing the 'name' frontmatter field"
        ))
    })?;
    validate_skill_name(&name)?;
    if empty_none(fm.description.clone()).is_none() {
        return Err(Error::invalid("missing_mandatory_fields:description"));
    }
    Ok(Fetched {
        name,
        skill_md,
        fm,
        files,
    })
}

/// Downloads every file of the skill into `dir` (≤ MAX_PARALLEL at once), keeping the exec
/// bit; SKILL.md is written from the (possibly patched) text.
async fn download_into(gh: &GitHub, snap: &Snapshot, f: &Fetched, dir: &Path) -> Result<()> {
    for (rel, entry) in &f.files {
        for seg in rel.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\') {
                return Err(Error::invalid(format!(
                    "Unsafe file path '{}' in the repository",
                    entry.path
                )));
            }
        }
    }
    let sem = Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL));
    // Set on the first failure: queued downloads are skipped, running ones finish (they are
    // never aborted, so no write lands after the staging folder is removed).
    let stop = Arc::new(AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    for (rel, entry) in f.files.iter().filter(|(r, _)| r != "SKILL.md") {
        let (gh, sem, stop) = (gh.clone(), sem.clone(), stop.clone());
        let (owner, repo, reference) = (
            snap.owner.clone(),
            snap.repo.clone(),
            snap.reference.clone(),
        );
        let (path, dest, exec) = (entry.path.clone(), dir.join(rel), entry.is_executable());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            if stop.load(Ordering::SeqCst) {
                return Ok(0);
            }
            let bytes = gh
                .raw_get(&owner, &repo, &reference, &path, MAX_SKILL_BYTES)
                .await?
                .ok_or_else(|| {
                    Error::not_found(format!("File '{path}' not found in {owner}/{repo}"))
                })?;
            let n = bytes.len() as u64;
            tokio::task::spawn_blocking(move || write_file(&dest, &bytes, exec))
                .await
                .map_err(|e| Error::internal(e.to_string()))??;
            Ok::<u64, Error>(n)
        });
    }
    let mut total = 0u64;
    let mut first_err = None;
    while let Some(j) = set.join_next().await {
        let r = j.unwrap_or_else(|e| Err(Error::internal(format!("download task failed: {e}"))));
        match r {
            Ok(n) => total += n,
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                first_err.get_or_insert(e);
            }
        }
        if total > MAX_SKILL_BYTES && first_err.is_none() {
            stop.store(true, Ordering::SeqCst);
            first_err = Some(Error::invalid(format!(
                "Skill is larger than {MAX_SKILL_BYTES} bytes"
            )));
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    write_file(&dir.join("SKILL.md"), f.skill_md.as_bytes(), false)
}

fn write_file(dest: &Path, bytes: &[u8], exec: bool) -> Result<()> {
    if let Some(p) = dest.parent() {
        std::fs::create_dir_all(p).with_path(p)?;
    }
    std::fs::write(dest, bytes).with_path(dest)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if exec { 0o755 } else { 0o644 };
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(mode)).with_path(dest)?;
    }
    #[cfg(not(unix))]
    let _ = exec;
    Ok(())
}

/// Every regular file below `dir`: relative path → (bytes, exec bit). Symlinks count as
/// a difference (they are never imported).
fn snapshot_dir(dir: &Path) -> Option<BTreeMap<String, (Vec<u8>, bool)>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, bool)>) -> Option<()> {
        for e in std::fs::read_dir(dir).ok()? {
            let e = e.ok()?;
            let ty = e.file_type().ok()?;
            let p = e.path();
            if ty.is_dir() {
                walk(root, &p, out)?;
            } else if ty.is_file() {
                let rel = p
                    .strip_prefix(root)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/");
                #[cfg(unix)]
                let exec = {
                    use std::os::unix::fs::PermissionsExt;
                    e.metadata().ok()?.permissions().mode() & 0o111 != 0
                };
                #[cfg(not(unix))]
                let exec = false;
                out.insert(rel, (std::fs::read(&p).ok()?, exec));
            } else {
                return None;
            }
        }
        Some(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Some(out)
}

fn same_files(a: &Path, b: &Path) -> bool {
    match (snapshot_dir(a), snapshot_dir(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn lint_warnings(dir: &Path, fm: &Frontmatter) -> Vec<String> {
    let mut w: Vec<String> = fm.warnings.clone();
    w.extend(
        lint_skill_dir(dir, LintMode::ClaudeCode)
            .findings
            .into_iter()
            .map(|f| f.message),
    );
    w
}

fn bool_col(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

fn millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

// ---------------------------------------------------------------------------------
// import_github_skills (Settings→Skills)

#[derive(Debug, Clone, PartialEq)]
struct WsRow {
    skill_id: String,
    skill_name: String,
    description: Option<String>,
    is_active: bool,
    is_bundled: bool,
    disk_path: String,
    imported_at: String,
    purpose: Option<String>,
    version: Option<String>,
    model: Option<String>,
    argument_hint: Option<String>,
    user_invocable: Option<bool>,
    disable_model_invocation: Option<bool>,
    content_hash: Option<String>,
    marketplace_source_url: Option<String>,
}

const WS_COLS: &str = "skill_id, skill_name, description, is_active, is_bundled, disk_path, \
    imported_at, purpose, version, model, argument_hint, user_invocable, \
    disable_model_invocation, content_hash, marketplace_source_url";

fn ws_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WsRow> {
    Ok(WsRow {
        skill_id: r.get(0)?,
        skill_name: r.get(1)?,
        description: r.get(2)?,
        is_active: r.get(3)?,
        is_bundled: r.get(4)?,
        disk_path: r.get(5)?,
        imported_at: r.get(6)?,
        purpose: r.get(7)?,
        version: r.get(8)?,
        model: r.get(9)?,
        argument_hint: r.get(10)?,
        user_invocable: r.get(11)?,
        disable_model_invocation: r.get(12)?,
        content_hash: r.get(13)?,
        marketplace_source_url: r.get(14)?,
    })
}

fn ws_find(app: &App, name: &str) -> Result<Option<WsRow>> {
    Ok(app
        .db
        .conn()
        .query_row(
            &format!("SELECT {WS_COLS} FROM workspace_skills WHERE skill_name = ?1"),
            [name],
            ws_row,
        )
        .optional()?)
}

impl WsRow {
    fn result(
        &self,
        status: ImportStatus,
        path: &str,
        error: Option<String>,
        warnings: Vec<String>,
    ) -> ImportedSkill {
        ImportedSkill {
            skill_id: self.skill_id.clone(),
            skill_name: self.skill_name.clone(),
            description: self.description.clone(),
            is_active: self.is_active,
            is_bundled: self.is_bundled,
            disk_path: self.disk_path.clone(),
            imported_at: self.imported_at.clone(),
            purpose: self.purpose.clone(),
            version: self.version.clone(),
            model: self.model.clone(),
            argument_hint: self.argument_hint.clone(),
            user_invocable: self.user_invocable,
            disable_model_invocation: self.disable_model_invocation,
            marketplace_source_url: self.marketplace_source_url.clone(),
            status,
            path: path.to_string(),
            error,
            warnings,
        }
    }
}

fn failed_ws(path: &str, name: Option<&str>, e: &Error) -> ImportedSkill {
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
    ImportedSkill {
        skill_id: String::new(),
        skill_name: name,
        description: None,
        is_active: false,
        is_bundled: false,
        disk_path: String::new(),
        imported_at: String::new(),
        purpose: None,
        version: None,
        model: None,
        argument_hint: None,
        user_invocable: None,
        disable_model_invocation: None,
        marketplace_source_url: None,
        status: ImportStatus::Failed,
        path: path.to_string(),
        error: Some(e.message.clone()),
        warnings: Vec::new(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportGithubSkillsArgs {
    pub owner: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    pub skill_requests: Vec<WorkspaceSkillImportRequest>,
    #[serde(default)]
    pub source_url: Option<String>,
}

/// Command `import_github_skills` (async): one result per request, in order (`imported`,
/// `updated`, `skipped` carry the stored row; `failed` carries `error`). Error only when
/// every request failed.
pub async fn import_github_skills(
    app: &App,
    args: ImportGithubSkillsArgs,
) -> Result<Vec<ImportedSkill>> {
    if args.skill_requests.is_empty() {
        return Ok(Vec::new());
    }
    let gh = GitHub::from_app(app)?;
    let snap = snapshot(&gh, &args.owner, &args.repo, Some(&args.branch)).await?;
    let root = app.workspace_path().join(".claude").join("skills");
    std::fs::create_dir_all(&root).with_path(&root)?;
    let mut out = Vec::new();
    for req in &args.skill_requests {
        let mut learned_name = None;
        let r = import_one_ws(
            app,
            &gh,
            &snap,
            &root,
            req,
            args.source_url.as_deref(),
            &mut learned_name,
        )
        .await;
        out.push(match r {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(
                    "import of '{}' from {}/{} failed: {e}",
                    req.path,
                    args.owner,
                    args.repo
                );
                failed_ws(&req.path, learned_name.as_deref(), &e)
            }
        });
    }
    if out
        .iter()
        .any(|s| matches!(s.status, ImportStatus::Imported | ImportStatus::Updated))
    {
        if let Err(e) = crate::workflow::deploy::write_claude_md(app) {
            tracing::warn!("could not rebuild the workspace CLAUDE.md: {e}");
        }
    }
    if out.iter().all(|s| s.status == ImportStatus::Failed) {
        let detail: Vec<String> = out
            .iter()
            .map(|s| format!("{}: {}", s.path, s.error.clone().unwrap_or_default()))
            .collect();
        return Err(Error::invalid(format!(
            "All imports failed: {}",
            detail.join("; ")
        )));
    }
    Ok(out)
}

async fn import_one_ws(
    app: &App,
    gh: &GitHub,
    snap: &Snapshot,
    root: &Path,
    req: &WorkspaceSkillImportRequest,
    source_url: Option<&str>,
    learned_name: &mut Option<String>,
) -> Result<ImportedSkill> {
    let path = clean_skill_path(&req.path)?;
    let ov = req.metadata_override.as_ref();
    let f = fetch_skill(gh, snap, &path, ov).await?;
    *learned_name = Some(f.name.clone());
    let name = f.name.clone();
    let existing = ws_find(app, &name)?;
    // Decide before touching anything.
    if let Some(ex) = &existing {
        if ex.is_bundled {
            return Err(Error::conflict(format!(
                "Skill '{name}' is a bundled skill and cannot be replaced by an import"
            )));
        }
        let installed = ex.version.as_deref().filter(|v| !v.trim().is_empty());
        if let (Some(want), Some(have)) = (
            req.version.as_deref().filter(|v| !v.trim().is_empty()),
            installed,
        ) {
            if !version_newer(want, have) {
                let mut r = ex.result(ImportStatus::Skipped, &path, None, Vec::new());
                r.error = Some(format!("installed version {have} is not older than {want}"));
                return Ok(r);
            }
        }
        match (empty_none(f.fm.version.clone()), installed) {
            (Some(new), Some(have))
                if compare_versions(&new, have) == Some(std::cmp::Ordering::Less) =>
            {
                let mut r = ex.result(ImportStatus::Skipped, &path, None, Vec::new());
                r.error = Some(format!("installed version {have} is newer than {new}"));
                return Ok(r);
            }
            (None, Some(have)) => {
                let mut r = ex.result(ImportStatus::Skipped, &path, None, Vec::new());
                r.error = Some(format!(
                    "the incoming skill has no version; installed {have} kept"
                ));
                return Ok(r);
            }
            _ => {}
        }
    }
    let active_dir = root.join(&name);
    let inactive_dir = root.join(".inactive").join(&name);
    let dest = match &existing {
        Some(ex) if !ex.is_active => inactive_dir.clone(),
        Some(_) => active_dir.clone(),
        None => {
            for d in [&active_dir, &inactive_dir] {
                if d.exists() {
                    return Err(Error::conflict(format!(
                        "A folder '{}' exists that is not a tracked workspace skill; remove it or rename the skill",
                        d.display()
                    )));
                }
            }
            active_dir.clone()
        }
    };

    let staging = Staging::new(root, &name)?;
    download_into(gh, snap, &f, &staging.dir).await?;
    let warnings = lint_warnings(&staging.dir, &f.fm);
    let hash = sha256_hex(f.skill_md.as_bytes());
    let fm = &f.fm;
    let ex = existing.as_ref();
    let pick = |new: &Option<String>, old: Option<&Option<String>>| -> Option<String> {
        empty_none(new.clone()).or_else(|| old.cloned().flatten())
    };
    let row = WsRow {
        skill_id: ex
            .map(|e| e.skill_id.clone())
            .unwrap_or_else(|| format!("imp-{name}-{}", millis())),
        skill_name: name.clone(),
        description: pick(&fm.description, ex.map(|e| &e.description)),
        is_active: ex.map(|e| e.is_active).unwrap_or(true),
        is_bundled: false,
        disk_path: path_string(&dest)?,
        imported_at: ex
            .map(|e| e.imported_at.clone())
            .unwrap_or_else(crate::db::now),
        purpose: req
            .purpose
            .clone()
            .or_else(|| ov.and_then(|o| o.purpose.clone()))
            .or_else(|| ex.and_then(|e| e.purpose.clone())),
        version: pick(&fm.version, ex.map(|e| &e.version)),
        model: if ov
            .and_then(|o| o.model.as_deref())
            .is_some_and(|m| m.trim().is_empty())
        {
            None
        } else {
            pick(&fm.model, ex.map(|e| &e.model))
        },
        argument_hint: pick(&fm.argument_hint, ex.map(|e| &e.argument_hint)),
        user_invocable: fm.user_invocable.or(ex.and_then(|e| e.user_invocable)),
        disable_model_invocation: fm
            .disable_model_invocation
            .or(ex.and_then(|e| e.disable_model_invocation)),
        content_hash: Some(hash),
        marketplace_source_url: source_url
            .map(str::to_string)
            .or_else(|| ex.and_then(|e| e.marketplace_source_url.clone())),
    };
    let files_same = dest.exists() && same_files(&staging.dir, &dest);
    if files_same && ex == Some(&row) {
        return Ok(row.result(ImportStatus::Skipped, &path, None, warnings));
    }
    let mut moves = FolderMoves::new(root.join(STAGING));
    if !files_same {
        let meta = PlaceMeta {
            name: &name,
            dest: &dest,
            replace: existing.is_some(),
        };
        place_skill_folder(&mut moves, &staging.dir, &meta)?;
    }
    let db = app.db.write(|tx| {
        tx.execute(
            "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active, is_bundled,
                disk_path, imported_at, purpose, version, model, argument_hint, user_invocable,
                disable_model_invocation, content_hash, marketplace_source_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(skill_name) DO UPDATE SET
                description = excluded.description, disk_path = excluded.disk_path,
                purpose = excluded.purpose, version = excluded.version, model = excluded.model,
                argument_hint = excluded.argument_hint, user_invocable = excluded.user_invocable,
                disable_model_invocation = excluded.disable_model_invocation,
                content_hash = excluded.content_hash,
                marketplace_source_url = excluded.marketplace_source_url",
            params![
                row.skill_id,
                row.skill_name,
                row.description,
                row.is_active,
                row.is_bundled,
                row.disk_path,
                row.imported_at,
                row.purpose,
                row.version,
                row.model,
                row.argument_hint,
                bool_col(row.user_invocable),
                bool_col(row.disable_model_invocation),
                row.content_hash,
                row.marketplace_source_url
            ],
        )?;
        Ok(())
    });
    if let Err(e) = db {
        moves.undo();
        return Err(e);
    }
    moves.keep();
    drop(staging);
    let stored = ws_find(app, &name)?.ok_or_else(|| Error::internal("imported row vanished"))?;
    let status = if existing.is_some() {
        ImportStatus::Updated
    } else {
        ImportStatus::Imported
    };
    Ok(stored.result(status, &path, None, warnings))
}

// ---------------------------------------------------------------------------------
// import_marketplace_to_library (Skills Library)

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LibRow {
    // skills (master)
    pub(crate) purpose: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) argument_hint: Option<String>,
    pub(crate) user_invocable: Option<bool>,
    pub(crate) disable_model_invocation: Option<bool>,
    // imported_skills
    pub(crate) skill_id: String,
    pub(crate) is_active: bool,
    pub(crate) is_bundled: bool,
    pub(crate) disk_path: String,
    pub(crate) imported_at: String,
    pub(crate) content_hash: Option<String>,
    pub(crate) marketplace_source_url: Option<String>,
}

struct LibExisting {
    master: Option<(i64, String)>, // (id, skill_source)
    row: Option<LibRow>,
}

fn lib_find(app: &App, name: &str) -> Result<LibExisting> {
    let conn = app.db.conn();
    let master: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, skill_source FROM skills WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let row = conn
        .query_row(
            "SELECT s.purpose, s.description, i.version, i.model, i.argument_hint,
                    i.user_invocable, i.disable_model_invocation, i.skill_id, i.is_active,
                    i.is_bundled, i.disk_path, i.imported_at, i.content_hash,
                    i.marketplace_source_url
             FROM imported_skills i LEFT JOIN skills s ON s.name = i.skill_name
             WHERE i.skill_name = ?1",
            [name],
            |r| {
                Ok(LibRow {
                    purpose: r.get(0)?,
                    description: r.get(1)?,
                    version: r.get(2)?,
                    model: r.get(3)?,
                    argument_hint: r.get(4)?,
                    user_invocable: r.get(5)?,
                    disable_model_invocation: r.get(6)?,
                    skill_id: r.get(7)?,
                    is_active: r.get(8)?,
                    is_bundled: r.get(9)?,
                    disk_path: r.get(10)?,
                    imported_at: r.get(11)?,
                    content_hash: r.get(12)?,
                    marketplace_source_url: r.get(13)?,
                })
            },
        )
        .optional()?;
    Ok(LibExisting { master, row })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportMarketplaceToLibraryArgs {
    pub source_url: String,
    pub skill_paths: Vec<String>,
    #[serde(default)]
    pub metadata_overrides: Option<HashMap<String, SkillMetadataOverride>>,
}

/// Command `import_marketplace_to_library` (async): one result per path, in request order.
pub async fn import_marketplace_to_library(
    app: &App,
    args: ImportMarketplaceToLibraryArgs,
) -> Result<Vec<MarketplaceImportResult>> {
    let mut info = super::url::parse_github_url(&args.source_url)?;
    if args.skill_paths.is_empty() {
        return Ok(Vec::new());
    }
    let gh = GitHub::from_app(app)?;
    if info.branch_explicit {
        (info.branch, info.subpath) = super::discovery::split_tree_ref(
            &gh,
            &info.owner,
            &info.repo,
            &info.branch,
            info.subpath.as_deref(),
        )
        .await?;
    }
    let branch = info.branch_explicit.then_some(info.branch.as_str());
    let snap = snapshot(&gh, &info.owner, &info.repo, branch).await?;
    let root = app.skills_path();
    std::fs::create_dir_all(&root).with_path(&root)?;
    let overrides = args.metadata_overrides.unwrap_or_default();
    let mut out = Vec::new();
    for p in &args.skill_paths {
        let mut learned = None;
        let r = import_one_lib(
            app,
            &gh,
            &snap,
            &root,
            p,
            overrides.get(p),
            &args.source_url,
            &mut learned,
        )
        .await;
        out.push(r.unwrap_or_else(|e| {
            tracing::warn!("library import of '{p}' failed: {e}");
            MarketplaceImportResult {
                skill_name: learned.unwrap_or_else(|| p.clone()),
                success: false,
                error: Some(e.message),
                status: ImportStatus::Failed,
                path: p.clone(),
                disk_path: None,
                version: None,
                content_hash: None,
                warnings: Vec::new(),
            }
        }));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn import_one_lib(
    app: &App,
    gh: &GitHub,
    snap: &Snapshot,
    root: &Path,
    raw_path: &str,
    ov: Option<&SkillMetadataOverride>,
    source_url: &str,
    learned: &mut Option<String>,
) -> Result<MarketplaceImportResult> {
    let path = clean_skill_path(raw_path)?;
    let f = fetch_skill(gh, snap, &path, ov).await?;
    *learned = Some(f.name.clone());
    let name = f.name.clone();
    // Decided before downloading anything: an import that cannot land costs no traffic.
    let existing = library_owner_check(app, root, &name, LibrarySource::Marketplace)?;
    let staging = Staging::new(root, &name)?;
    download_into(gh, snap, &f, &staging.dir).await?;
    let warnings = lint_warnings(&staging.dir, &f.fm);
    let placed = place_in_library(
        app,
        root,
        existing,
        &LibraryCandidate {
            name: &name,
            staged: &staging.dir,
            fm: &f.fm,
            skill_md_hash: sha256_hex(f.skill_md.as_bytes()),
            source: LibrarySource::Marketplace,
            source_url: Some(source_url),
            overrides: ov,
            commit_message: format!(
                "{name}: imported from {}/{}@{}",
                snap.owner,
                snap.repo,
                snap.short_sha()
            ),
        },
    )?;
    drop(staging);
    let row = &placed.row;
    Ok(MarketplaceImportResult {
        skill_name: name,
        success: true,
        error: None,
        status: placed.status,
        path,
        disk_path: Some(row.disk_path.clone()),
        version: row.version.clone(),
        content_hash: row.content_hash.clone(),
        warnings,
    })
}

// ---------------------------------------------------------------------------------
// Placing a skill into the Skills Library (shared by the GitHub import and the ZIP upload)

/// Where a library skill came from: its `skills.skill_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LibrarySource {
    /// A GitHub repository or marketplace.
    Marketplace,
    /// A ZIP uploaded by the user.
    Imported,
}

impl LibrarySource {
    fn as_str(self) -> &'static str {
        match self {
            LibrarySource::Marketplace => "marketplace",
            LibrarySource::Imported => "imported",
        }
    }
}

/// The Skills Library's rows of one skill, read before placing it.
pub(crate) struct LibraryExisting(LibExisting);

/// Ownership (defect 5): a library skill of another source, or a folder without a library
/// row, is never replaced by an import. Returns what is there now.
pub(crate) fn library_owner_check(
    app: &App,
    root: &Path,
    name: &str,
    source: LibrarySource,
) -> Result<LibraryExisting> {
    let existing = lib_find(app, name)?;
    let dest = root.join(name);
    match &existing.master {
        Some((_, src)) if src != source.as_str() => Err(Error::conflict(format!(
            "Skill '{name}' already exists in the library as a '{src}' skill; an import never replaces it. Rename or delete that skill first, or import under another name"
        ))),
        None if dest.exists() => Err(Error::conflict(format!(
            "A folder '{}' exists that is not a library skill; remove it or rename the skill",
            dest.display()
        ))),
        _ => Ok(LibraryExisting(existing)),
    }
}

/// A skill whose files are ready in a staging folder under the library root.
pub(crate) struct LibraryCandidate<'a> {
    pub name: &'a str,
    /// The folder holding the skill's files; renamed to `<root>/<name>`.
    pub staged: &'a Path,
    pub fm: &'a Frontmatter,
    /// SHA-256 of the SKILL.md as placed (the customisation baseline).
    pub skill_md_hash: String,
    pub source: LibrarySource,
    pub source_url: Option<&'a str>,
    pub overrides: Option<&'a SkillMetadataOverride>,
    pub commit_message: String,
}

/// What placing a skill did, and the `imported_skills` row it now has.
pub(crate) struct PlacedInLibrary {
    pub status: ImportStatus,
    pub row: LibRow,
}

/// Moves `c.staged` to `<root>/<name>` and writes the `skills` and `imported_skills` rows
/// in one transaction (a DB failure puts the previous folder back). Identical files and rows
/// are `skipped` (nothing changes); otherwise the change is committed to the skill's history
/// and its installs into agents are synced when the setting says so.
pub(crate) fn place_in_library(
    app: &App,
    root: &Path,
    existing: LibraryExisting,
    c: &LibraryCandidate<'_>,
) -> Result<PlacedInLibrary> {
    let existing = existing.0;
    let name = c.name;
    let dest = root.join(name);
    let fm = c.fm;
    let ov = c.overrides;
    let ex = existing.row.as_ref();
    let pick = |new: &Option<String>, old: Option<&Option<String>>| -> Option<String> {
        empty_none(new.clone()).or_else(|| old.cloned().flatten())
    };
    let row = LibRow {
        purpose: ov
            .and_then(|o| empty_none(o.purpose.clone()))
            .or_else(|| ex.and_then(|e| e.purpose.clone()))
            .or_else(|| Some("domain".into())),
        description: pick(&fm.description, ex.map(|e| &e.description)),
        version: empty_none(fm.version.clone()),
        model: if ov
            .and_then(|o| o.model.as_deref())
            .is_some_and(|m| m.trim().is_empty())
        {
            None
        } else {
            pick(&fm.model, ex.map(|e| &e.model))
        },
        argument_hint: pick(&fm.argument_hint, ex.map(|e| &e.argument_hint)),
        user_invocable: fm.user_invocable.or(ex.and_then(|e| e.user_invocable)),
        disable_model_invocation: fm
            .disable_model_invocation
            .or(ex.and_then(|e| e.disable_model_invocation)),
        skill_id: ex
            .map(|e| e.skill_id.clone())
            .unwrap_or_else(|| format!("imp-{name}-{}", millis())),
        is_active: ex.map(|e| e.is_active).unwrap_or(true),
        is_bundled: ex.map(|e| e.is_bundled).unwrap_or(false),
        disk_path: path_string(&dest)?,
        imported_at: ex
            .map(|e| e.imported_at.clone())
            .unwrap_or_else(crate::db::now),
        content_hash: Some(c.skill_md_hash.clone()),
        marketplace_source_url: c.source_url.map(str::to_string),
    };
    let files_same = dest.exists() && same_files(c.staged, &dest);
    if files_same && existing.master.is_some() && ex == Some(&row) {
        return Ok(PlacedInLibrary {
            status: ImportStatus::Skipped,
            row,
        });
    }
    let mut moves = FolderMoves::new(root.join(STAGING));
    if !files_same {
        let meta = PlaceMeta {
            name,
            dest: &dest,
            replace: existing.master.is_some(),
        };
        place_skill_folder(&mut moves, c.staged, &meta)?;
    }
    let db = write_library_rows(app, name, c.source, existing.master.as_ref(), &row);
    if let Err(e) = db {
        moves.undo();
        return Err(e);
    }
    moves.keep();
    if !files_same {
        crate::history::commit_skill(app, name, &c.commit_message);
        crate::installs::after_library_change(app, name);
    }
    let status = if existing.master.is_some() {
        ImportStatus::Updated
    } else {
        ImportStatus::Imported
    };
    Ok(PlacedInLibrary { status, row })
}

/// Upserts the `skills` (master) and `imported_skills` rows of a placed library skill.
fn write_library_rows(
    app: &App,
    name: &str,
    source: LibrarySource,
    master: Option<&(i64, String)>,
    row: &LibRow,
) -> Result<()> {
    app.db.write(|tx| {
        let master_id: i64 = match master {
            Some((id, _)) => {
                tx.execute(
                    "UPDATE skills SET purpose = ?2, description = ?3, version = ?4, model = ?5,
                        argument_hint = ?6, user_invocable = ?7, disable_model_invocation = ?8,
                        updated_at = ?9
                     WHERE id = ?1",
                    params![
                        id,
                        row.purpose,
                        row.description,
                        row.version,
                        row.model,
                        row.argument_hint,
                        bool_col(row.user_invocable),
                        bool_col(row.disable_model_invocation),
                        crate::db::now()
                    ],
                )?;
                *id
            }
            None => {
                tx.execute(
                    "INSERT INTO skills (name, skill_source, purpose, description, version, model,
                        argument_hint, user_invocable, disable_model_invocation)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        name,
                        source.as_str(),
                        row.purpose,
                        row.description,
                        row.version,
                        row.model,
                        row.argument_hint,
                        bool_col(row.user_invocable),
                        bool_col(row.disable_model_invocation)
                    ],
                )?;
                tx.last_insert_rowid()
            }
        };
        tx.execute(
            "INSERT INTO imported_skills (skill_id, skill_name, is_active, disk_path, imported_at,
                is_bundled, purpose, version, model, argument_hint, user_invocable,
                disable_model_invocation, skill_master_id, content_hash, marketplace_source_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(skill_name) DO UPDATE SET
                disk_path = excluded.disk_path, purpose = excluded.purpose,
                version = excluded.version, model = excluded.model,
                argument_hint = excluded.argument_hint, user_invocable = excluded.user_invocable,
                disable_model_invocation = excluded.disable_model_invocation,
                skill_master_id = excluded.skill_master_id, content_hash = excluded.content_hash,
                marketplace_source_url = excluded.marketplace_source_url",
            params![
                row.skill_id,
                name,
                row.is_active,
                row.disk_path,
                row.imported_at,
                row.is_bundled,
                row.purpose,
                row.version,
                row.model,
                row.argument_hint,
                bool_col(row.user_invocable),
                bool_col(row.disable_model_invocation),
                master_id,
                row.content_hash,
                row.marketplace_source_url
            ],
        )?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------
// Update checks and customisation

/// Command `get_dashboard_skill_names` (sync): every name in `skills`.
pub fn get_dashboard_skill_names(app: &App, _: crate::args::NoArgs) -> Result<Vec<String>> {
    let conn = app.db.conn();
    let mut st = conn.prepare("SELECT name FROM skills ORDER BY name")?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillUpdateInfo {
    pub name: String,
    pub path: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceUpdateResult {
    pub library: Vec<SkillUpdateInfo>,
    pub workspace: Vec<SkillUpdateInfo>,
    pub registry_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckMarketplaceUpdatesArgs {
    pub owner: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub subpath: Option<String>,
    pub source_url: String,
}

/// Command `check_marketplace_updates` (async).
pub async fn check_marketplace_updates(
    app: &App,
    args: CheckMarketplaceUpdatesArgs,
) -> Result<MarketplaceUpdateResult> {
    let gh = GitHub::from_app(app)?;
    let (_, listing) = super::discovery::list_skills(
        &gh,
        &args.owner,
        &args.repo,
        Some(&args.branch),
        args.subpath.as_deref(),
    )
    .await?;
    let conn = app.db.conn();
    let installed = |table: &str, name: &str| -> Result<Option<Option<String>>> {
        Ok(conn
            .query_row(
                &format!(
                    "SELECT version FROM {table} WHERE skill_name = ?1 AND marketplace_source_url = ?2"
                ),
                params![name, args.source_url],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?)
    };
    let mut res = MarketplaceUpdateResult {
        library: Vec::new(),
        workspace: Vec::new(),
        registry_name: listing.registry_name.clone(),
    };
    for s in listing.skills.iter().filter(|s| s.error.is_none()) {
        let Some(v) = s.version.as_deref().filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let info = SkillUpdateInfo {
            name: s.name.clone(),
            path: s.path.clone(),
            version: v.to_string(),
        };
        let outdated = |have: Option<String>| match have.filter(|h| !h.trim().is_empty()) {
            None => true,
            Some(h) => version_newer(v, &h),
        };
        if let Some(have) = installed("workspace_skills", &s.name)? {
            if outdated(have) {
                res.workspace.push(info.clone());
            }
        }
        if let Some(have) = installed("imported_skills", &s.name)? {
            if outdated(have) {
                res.library.push(info);
            }
        }
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckSkillCustomizedArgs {
    pub skill_name: String,
}

/// Command `check_skill_customized` (sync): true iff a stored baseline hash exists and
/// differs from SHA-256 of the current SKILL.md. Anything missing → false.
pub fn check_skill_customized(app: &App, args: CheckSkillCustomizedArgs) -> Result<bool> {
    let found: Option<(String, Option<String>)> = {
        let conn = app.db.conn();
        let q = |table: &str| {
            conn.query_row(
                &format!("SELECT disk_path, content_hash FROM {table} WHERE skill_name = ?1"),
                [&args.skill_name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        };
        match q("workspace_skills")? {
            Some(x) => Some(x),
            None => q("imported_skills")?,
        }
    };
    let Some((disk_path, Some(baseline))) = found else {
        return Ok(false);
    };
    let Ok(dir) = std::fs::canonicalize(&disk_path) else {
        return Ok(false);
    };
    let roots = [
        app.workspace_path().join(".claude").join("skills"),
        app.skills_path(),
    ];
    let inside = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .any(|r| dir.starts_with(&r) && dir != r);
    if !inside {
        return Ok(false);
    }
    match std::fs::read(dir.join("SKILL.md")) {
        Ok(bytes) => Ok(sha256_hex(&bytes) != baseline),
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_versions() {
        assert!(version_newer("1.0.1", "1.0.0"));
        assert!(version_newer("v2", "1.9.9"));
        assert!(!version_newer("1.0", "1.0.0"));
        assert!(version_newer("1.0.0", "1.0.0-beta"));
        assert!(!version_newer("abc", "1.0.0"));
        assert!(!version_newer("", "1.0.0"));
        assert_eq!(
            compare_versions("1.10", "1.9"),
            Some(std::cmp::Ordering::Greater)
        );
    }

    #[test]
    fn skill_paths() {
        assert_eq!(clean_skill_path("./skills/x/").unwrap(), "skills/x");
        assert!(clean_skill_path("").is_err());
        assert!(clean_skill_path("./").is_err());
        assert!(clean_skill_path("a/../b").is_err());
    }
}
