//! Staging folders, fetching and checking a skill's SKILL.md (overrides applied), and
//! downloading its files.

use super::{empty_none, SkillMetadataOverride, MAX_SKILL_BYTES, MAX_SKILL_FILES};
use crate::error::{Error, IoContext, Result};
use crate::github::client::GitHub;
use crate::github::discovery::{Snapshot, TreeEntry, MAX_PARALLEL};
use crate::ingest::frontmatter::{parse_skill_md, set_fields, FieldValue, Frontmatter};
use crate::ingest::names::validate_skill_name;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const MAX_SKILL_MD_BYTES: u64 = crate::ingest::frontmatter::MAX_SKILL_MD_BYTES as u64;

/// The staging folder of a skills root.
pub(crate) const STAGING: &str = ".staging";

/// `{root}/.staging/{uuid}/{name}` plus its removal on drop.
pub(crate) struct Staging {
    pub(crate) base: PathBuf,
    pub(crate) dir: PathBuf,
}

impl Staging {
    pub(crate) fn new(root: &Path, name: &str) -> Result<Staging> {
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
pub(crate) struct Fetched {
    pub(crate) name: String,
    pub(crate) skill_md: String,
    pub(crate) fm: Frontmatter,
    /// (path relative to the skill folder, tree entry)
    pub(crate) files: Vec<(String, TreeEntry)>,
}

pub(crate) fn clean_skill_path(p: &str) -> Result<String> {
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
    if let Some(x) = &o.meta.version {
        v.push(("version", FieldValue::Str(x.trim().to_string())));
    }
    if let Some(m) = &o.meta.model {
        v.push((
            "model",
            if m.trim().is_empty() {
                FieldValue::Remove
            } else {
                FieldValue::Str(m.trim().to_string())
            },
        ));
    }
    if let Some(a) = &o.meta.argument_hint {
        v.push((
            "argument-hint",
            if a.is_empty() {
                FieldValue::Remove
            } else {
                FieldValue::Str(a.clone())
            },
        ));
    }
    if let Some(b) = o.meta.user_invocable {
        v.push(("user-invocable", FieldValue::Bool(b)));
    }
    if let Some(b) = o.meta.disable_model_invocation {
        v.push(("disable-model-invocation", FieldValue::Bool(b)));
    }
    v
}

/// Lists the skill's files, downloads and checks SKILL.md, applies the overrides.
pub(super) async fn fetch_skill(
    gh: &GitHub,
    snap: &Snapshot,
    skill_path: &str,
    ov: Option<&SkillMetadataOverride>,
) -> Result<Fetched> {
    let files = skill_files(&snap.tree, skill_path)?;
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
    check_skill_md(bytes, skill_path, ov, files)
}

/// The regular files of the skill folder `skill_path` of a tree (relative path, entry),
/// within the per-skill limits; symlinks and submodules are left out.
pub(crate) fn skill_files(
    tree: &[TreeEntry],
    skill_path: &str,
) -> Result<Vec<(String, TreeEntry)>> {
    let prefix = format!("{skill_path}/");
    let files: Vec<(String, TreeEntry)> = tree
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
    Ok(files)
}

/// Checks a skill's SKILL.md (UTF-8, frontmatter, the name rule, a description) after
/// applying the overrides.
pub(crate) fn check_skill_md(
    bytes: Vec<u8>,
    skill_path: &str,
    ov: Option<&SkillMetadataOverride>,
    files: Vec<(String, TreeEntry)>,
) -> Result<Fetched> {
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
pub(super) async fn download_into(
    gh: &GitHub,
    snap: &Snapshot,
    f: &Fetched,
    dir: &Path,
) -> Result<()> {
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

pub(crate) fn write_file(dest: &Path, bytes: &[u8], exec: bool) -> Result<()> {
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

pub(crate) fn same_files(a: &Path, b: &Path) -> bool {
    match (snapshot_dir(a), snapshot_dir(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_paths() {
        assert_eq!(clean_skill_path("./skills/x/").unwrap(), "skills/x");
        assert!(clean_skill_path("").is_err());
        assert!(clean_skill_path("./").is_err());
        assert!(clean_skill_path("a/../b").is_err());
    }
}
