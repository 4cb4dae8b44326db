//! Writes the bundled files (agent definitions, workspace CLAUDE.md, support skills) embedded
//! in the binary into the agent workspace's `.claude/` folder. It never touches user skills.
//!
//! The workspace may be a user's own project (issue 12), so the app only ever replaces or
//! removes what it put there itself:
//! - every file it deploys is listed with the SHA-256 of what it wrote in
//!   [`MANIFEST`]; a listed file is replaced only while its content is still what was
//!   written, and a file that exists but is not listed is never overwritten (skipped, logged);
//! - in `.claude/CLAUDE.md` the app owns only the text between [`SECTION_BEGIN`] and
//!   [`SECTION_END`]; everything outside is the user's and is kept byte for byte.
//!
//! The manifest is a file in the workspace rather than a database table because it describes
//! that folder's content: it stays right when the folder is moved, copied, shared by two data
//! folders or re-selected after a switch, and needs no migration.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::hashing::sha256_hex;
use include_dir::{include_dir, Dir};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

pub static ASSETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Support skills redeployed before every step, with the workspace-skill purpose that may
/// replace each.
pub const SUPPORT_SKILLS: [(&str, &str); 3] = [
    ("research", "research"),
    ("validate-skill", "validate"),
    ("skill-builder-practices", "skill-building"),
];

const CUSTOM_MARKER: &str = "<!-- custom-skills -->";
const CUSTOMIZATION: &str = "## Customization";

/// Workspace-relative path of the record of the files the app deployed into the workspace.
pub const MANIFEST: &str = ".claude/.skill-builder-manifest.json";
/// The app's part of `.claude/CLAUDE.md` starts after this line…
pub const SECTION_BEGIN: &str = "<!-- skill-builder:begin -->";
/// …and ends with this one.
pub const SECTION_END: &str = "<!-- skill-builder:end -->";

/// Deploys of one process never interleave their manifest read-modify-write.
static MANIFEST_LOCK: Mutex<()> = Mutex::new(());

/// Writes every file of an embedded folder under `dest` (replacing files of the same name).
/// Only for folders the app owns outright (fresh staging or sandbox folders); deploys into
/// the workspace go through the manifest ([`deploy_agents`]).
pub fn write_dir(dir: &Dir<'_>, dest: &Path) -> Result<()> {
    for f in dir.files() {
        let rel = f.path().strip_prefix(dir.path()).unwrap_or(f.path());
        let target = dest.join(rel);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p).with_path(p)?;
        }
        std::fs::write(&target, f.contents()).with_path(&target)?;
    }
    for d in dir.dirs() {
        let rel = d.path().strip_prefix(dir.path()).unwrap_or(d.path());
        write_dir(d, &dest.join(rel))?;
    }
    Ok(())
}

// ---- the manifest ----

/// What the app wrote into a workspace: workspace-relative path (`/`-separated) → SHA-256
/// of the bytes written.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, String>,
    /// Support-skill role folders (`.claude/skills/{role}`) holding a copy of the user's
    /// replacement skill: relative path → SHA-256 of what was written. Kept apart from
    /// `files` because removing the app's files (`clear_workspace`) never touches skills.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    support: BTreeMap<String, BTreeMap<String, String>>,
}

/// The workspace carries the app's manifest (the app has deployed into it before).
pub fn has_manifest(workspace: &Path) -> bool {
    std::fs::symlink_metadata(workspace.join(MANIFEST)).is_ok_and(|m| m.is_file())
}

/// The manifest, or `None` when there is none. An unreadable one counts as empty, so the
/// app then owns nothing there rather than guessing.
fn load_manifest(workspace: &Path) -> Option<Manifest> {
    let path = workspace.join(MANIFEST);
    let text = std::fs::read_to_string(&path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!(
            "{} is not a valid manifest ({e}); files it listed are treated as yours",
            path.display()
        );
        Manifest::default()
    }))
}

/// Written beside and renamed over, so a crash never leaves half a manifest.
fn save_manifest(workspace: &Path, m: &Manifest) -> Result<()> {
    let path = workspace.join(MANIFEST);
    let text = serde_json::to_string_pretty(m).map_err(|e| Error::internal(e.to_string()))?;
    write_replacing(&path, text.as_bytes())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_path(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp-{}", uuid::Uuid::new_v4()));
    std::fs::write(&tmp, bytes).with_path(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::from(e).context(path.display())
    })
}

/// A manifest key as a path inside the workspace, or `None` for anything that could leave it.
fn key_path(workspace: &Path, key: &str) -> Option<PathBuf> {
    let rel = Path::new(key);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| workspace.join(rel))
}

/// What deploying one file found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Written,
    Unchanged,
    /// The file is the user's (never listed, or listed but edited since): left as it is.
    KeptUserFile,
}

/// Deploys one file, honouring ownership. `adopt_unlisted` lets the app replace an unlisted
/// file (only for its own default workspace before it kept a manifest).
fn deploy_file(
    workspace: &Path,
    key: &str,
    contents: &[u8],
    manifest: &mut Manifest,
    adopt_unlisted: bool,
) -> Result<Outcome> {
    let Some(target) = key_path(workspace, key) else {
        return Err(Error::internal(format!("bad deploy path {key}")));
    };
    let meta = match std::fs::symlink_metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::from(e).context(target.display())),
    };
    let new_hash = sha256_hex(contents);
    if let Some(meta) = meta {
        if !meta.is_file() {
            tracing::warn!(
                "not deploying {key}: {} exists and is not a regular file; it was left as it is",
                target.display()
            );
            return Ok(Outcome::KeptUserFile);
        }
        let current = std::fs::read(&target).with_path(&target)?;
        if current == contents {
            manifest.files.insert(key.to_string(), new_hash);
            return Ok(Outcome::Unchanged);
        }
        let ours = match manifest.files.get(key) {
            Some(recorded) => *recorded == sha256_hex(&current),
            None => adopt_unlisted,
        };
        if !ours {
            tracing::warn!(
                "not deploying {key}: {} was not written by Skill Builder or was edited since; \
                 it was kept as it is",
                target.display()
            );
            return Ok(Outcome::KeptUserFile);
        }
    }
    write_replacing(&target, contents)?;
    manifest.files.insert(key.to_string(), new_hash);
    Ok(Outcome::Written)
}

/// Deploys every file of an embedded folder to `{workspace}/{dest}` through the manifest.
fn deploy_dir(
    workspace: &Path,
    dir: &Dir<'_>,
    dest: &str,
    manifest: &mut Manifest,
    adopt_unlisted: bool,
) -> Result<Vec<(String, Outcome)>> {
    let mut out = Vec::new();
    for f in dir.files() {
        let rel = f.path().strip_prefix(dir.path()).unwrap_or(f.path());
        let key = format!("{dest}/{}", rel.to_string_lossy().replace('\\', "/"));
        let outcome = deploy_file(workspace, &key, f.contents(), manifest, adopt_unlisted)?;
        out.push((key, outcome));
    }
    for d in dir.dirs() {
        let rel = d.path().strip_prefix(dir.path()).unwrap_or(d.path());
        let sub = format!("{dest}/{}", rel.to_string_lossy().replace('\\', "/"));
        out.extend(deploy_dir(workspace, d, &sub, manifest, adopt_unlisted)?);
    }
    Ok(out)
}

/// `.claude/agents/*.md` from the bundled agents, recorded in the manifest. A file there that
/// the app did not write (or that the user edited) is kept and logged. Only the app's own
/// default workspace, the first time it gets a manifest, treats files at the bundled names as
/// the app's (they were written by an earlier version that kept no manifest).
pub fn deploy_agents(app: &App) -> Result<()> {
    let ws = app.workspace_path();
    let Some(agents) = ASSETS.get_dir("agents") else {
        return Ok(());
    };
    let _guard = MANIFEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let existing = load_manifest(&ws);
    let adopt_unlisted = existing.is_none() && ws == app.paths.default_workspace();
    let recorded = existing.as_ref().map(|m| m.files.clone());
    let mut manifest = existing.unwrap_or_default();
    manifest.version = 1;
    let outcomes = deploy_dir(&ws, agents, ".claude/agents", &mut manifest, adopt_unlisted);
    // Whatever was written before a failure is recorded, so it stays the app's.
    if recorded.as_ref() != Some(&manifest.files) {
        save_manifest(&ws, &manifest)?;
    }
    let kept: Vec<String> = outcomes?
        .into_iter()
        .filter(|(_, o)| *o == Outcome::KeptUserFile)
        .map(|(k, _)| k)
        .collect();
    if !kept.is_empty() {
        tracing::warn!(
            "bundled agents not deployed over your files: {}",
            kept.join(", ")
        );
    }
    Ok(())
}

/// What [`remove_deployed`] did.
#[derive(Debug, Default)]
pub struct Removal {
    /// Workspace-relative paths removed.
    pub removed: Vec<String>,
    /// Listed files the user edited since the app wrote them: kept.
    pub kept_edited: Vec<String>,
}

/// Removes the files the manifest lists whose content is still exactly what the app wrote;
/// an edited one is kept (and logged). Folders are never removed.
pub fn remove_deployed(workspace: &Path) -> Result<Removal> {
    let _guard = MANIFEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let Some(mut manifest) = load_manifest(workspace) else {
        return Ok(Removal::default());
    };
    let mut r = Removal::default();
    let entries: Vec<(String, String)> = std::mem::take(&mut manifest.files).into_iter().collect();
    for (key, hash) in entries {
        let Some(path) = key_path(workspace, &key) else {
            continue;
        };
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if !is_file {
            continue;
        }
        let unchanged = std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == hash);
        if !unchanged {
            tracing::warn!("{key} was edited after Skill Builder wrote it; kept");
            r.kept_edited.push(key.clone());
            manifest.files.insert(key, hash);
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => r.removed.push(key),
            Err(e) => {
                tracing::warn!("could not remove {key}: {e}");
                manifest.files.insert(key, hash);
            }
        }
    }
    save_manifest(workspace, &manifest)?;
    Ok(r)
}

// ---- recognising the app's own content ----

/// `bytes` are exactly one of the files bundled with the app.
pub fn is_bundled_content(bytes: &[u8]) -> bool {
    fn walk(d: &Dir<'_>, bytes: &[u8]) -> bool {
        d.files().any(|f| f.contents() == bytes) || d.dirs().any(|s| walk(s, bytes))
    }
    walk(&ASSETS, bytes)
}

fn template() -> &'static str {
    ASSETS
        .get_file("workspace/CLAUDE.md")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("# Skill Builder workspace\n\n<!-- custom-skills -->\n\n## Customization\n\nAdd your own instructions here.\n")
}

/// The template's fixed opening (everything before the skills list), which every CLAUDE.md
/// the app wrote before it used markers starts with.
fn template_head() -> &'static str {
    let t = template();
    let end = t
        .find(CUSTOM_MARKER)
        .or_else(|| t.find(CUSTOMIZATION))
        .unwrap_or(t.len());
    &t[..end]
}

/// The default `## Customization` section of a new CLAUDE.md.
fn customization_stub() -> &'static str {
    let t = template();
    t.find(CUSTOMIZATION).map(|i| &t[i..]).unwrap_or("")
}

/// `text` is a whole CLAUDE.md written by an earlier version (no markers): it starts with the
/// bundled template's opening.
fn is_unmarked_app_claude_md(text: &str) -> bool {
    let head = template_head();
    !head.trim().is_empty() && text.starts_with(head) && !text.contains(SECTION_BEGIN)
}

/// A root-level `CLAUDE.md` the app can remove: a bundled file, or a copy written by an
/// earlier version whose `## Customization` text (if any) is in `current` (the workspace's
/// `.claude/CLAUDE.md`), so removing it loses nothing.
pub fn is_stale_app_claude_md(text: &str, current: &str) -> bool {
    if is_bundled_content(text.as_bytes()) {
        return true;
    }
    if !is_unmarked_app_claude_md(text) {
        return false;
    }
    let head = template_head().len();
    match text[head..].find(CUSTOMIZATION) {
        None => true,
        Some(i) => {
            let custom = &text[head + i..];
            custom == customization_stub() || current.contains(custom)
        }
    }
}

// ---- .claude/CLAUDE.md ----

/// The app's section: the template up to `## Customization`, with the list of active
/// workspace skills in place of the marker.
fn app_section(skills: &[(String, Option<String>)]) -> String {
    let base = template();
    let base = base.find(CUSTOMIZATION).map(|i| &base[..i]).unwrap_or(base);
    let mut list = String::from("## Custom Skills\n");
    for (name, desc) in skills {
        list.push_str(&format!(
            "\n### /{name}\n{}\n",
            desc.as_deref().unwrap_or("")
        ));
    }
    let text = if base.contains(CUSTOM_MARKER) {
        base.replace(CUSTOM_MARKER, &list)
    } else {
        format!("{base}\n{list}")
    };
    format!(
        "{SECTION_BEGIN}\n{}\n{SECTION_END}",
        text.trim_end_matches('\n')
    )
}

/// The new file text for `existing` with `section` as the app's part, or `None` when the
/// markers are damaged (more than one pair, or out of order) and the file is left alone.
/// User text outside the markers is kept byte for byte; a file without markers gets the
/// section in front of its text (an earlier version's whole-file text is replaced, keeping
/// its `## Customization` section).
pub fn compose_claude_md(existing: Option<&str>, section: &str) -> Option<String> {
    let text = existing.unwrap_or("");
    let begins = text.matches(SECTION_BEGIN).count();
    let ends = text.matches(SECTION_END).count();
    if begins == 1 && ends == 1 {
        let b = text.find(SECTION_BEGIN)?;
        let e = text.find(SECTION_END)?;
        if e < b {
            return None;
        }
        let after = &text[e + SECTION_END.len()..];
        return Some(format!("{}{section}{after}", &text[..b]));
    }
    if begins != 0 || ends != 0 {
        return None;
    }
    let user: &str = if text.trim().is_empty() {
        customization_stub()
    } else if is_unmarked_app_claude_md(text) {
        let head = template_head().len();
        text[head..]
            .find(CUSTOMIZATION)
            .map_or(customization_stub(), |i| &text[head + i..])
    } else {
        text
    };
    Some(format!("{section}\n\n{user}"))
}

/// Rebuilds the app's section of `.claude/CLAUDE.md` (bundled base text and the list of
/// active workspace skills). The user's text outside the section, including their
/// `## Customization` section, is kept as it was.
pub fn write_claude_md(app: &App) -> Result<()> {
    let path = app.workspace_path().join(".claude/CLAUDE.md");
    let existing = match std::fs::symlink_metadata(&path) {
        Ok(m) if !m.is_file() => {
            tracing::warn!(
                "{} is not a regular file (a link?); it was left as it is",
                path.display()
            );
            return Ok(());
        }
        Ok(_) => Some(std::fs::read_to_string(&path).with_path(&path)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::from(e).context(path.display())),
    };
    let skills: Vec<(String, Option<String>)> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(
            "SELECT skill_name, description FROM workspace_skills WHERE is_active = 1 ORDER BY skill_name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let Some(text) = compose_claude_md(existing.as_deref(), &app_section(&skills)) else {
        tracing::warn!(
            "{} has damaged {SECTION_BEGIN} / {SECTION_END} markers; it was left as it is \
             (keep exactly one pair, in order, to let Skill Builder update its section)",
            path.display()
        );
        return Ok(());
    };
    if existing.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    write_replacing(&path, text.as_bytes())
}

/// Makes `.claude/skills/{role}/` hold what the prompts load under each support role
/// ([`SUPPORT_SKILLS`]): the user's replacement — the active workspace skill holding the
/// role's purpose (its deployable files, regular files only) — else the bundled skill.
///
/// The role folder is only ever replaced while it is the app's: absent, the bundled files,
/// or a replacement copy the app wrote (recorded in the manifest's `support` list). A user's
/// own skill of that name, a folder with files the app did not write, or a link is left as it
/// is (logged). Seeding still owns the bundled rows: a deactivated bundled role skill gets no
/// bundled copy here, and a withdrawn replacement is put back to the bundled files.
pub fn deploy_support_skills(app: &App) -> Result<()> {
    for (role, purpose) in SUPPORT_SKILLS {
        deploy_support_skill(app, role, purpose)?;
    }
    Ok(())
}

/// What the role folder should hold: relative path (`/`-separated) → bytes.
type Files = BTreeMap<String, Vec<u8>>;

/// Who should fill a role folder.
enum RoleSource {
    /// The active workspace skill holding the role's purpose.
    Replacement(String),
    Bundled,
    /// Nothing: the bundled role skill was deactivated and no replacement holds the purpose.
    Nothing,
    /// A user skill carries the role's name: the folder is theirs.
    UserOwned,
}

fn role_source(app: &App, role: &str, purpose: &str) -> Result<RoleSource> {
    let conn = app.db.conn();
    let replacement: Option<String> = conn
        .query_row(
            "SELECT skill_name FROM workspace_skills WHERE purpose = ?1 AND is_active = 1
             AND skill_name <> ?2 ORDER BY skill_name LIMIT 1",
            [purpose, role],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(name) = replacement.filter(|n| crate::ingest::names::is_valid_skill_name(n)) {
        return Ok(RoleSource::Replacement(name));
    }
    let row: Option<(bool, bool)> = conn
        .query_row(
            "SELECT is_bundled, is_active FROM workspace_skills WHERE skill_name = ?1",
            [role],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        None | Some((true, true)) => RoleSource::Bundled,
        Some((true, false)) => RoleSource::Nothing,
        Some((false, _)) => RoleSource::UserOwned,
    })
}

fn bundled_files(role: &str) -> Files {
    fn walk(d: &Dir<'_>, base: &Path, out: &mut Files) {
        for f in d.files() {
            let rel = f.path().strip_prefix(base).unwrap_or(f.path());
            out.insert(crate::safe_fs::slash_path(rel), f.contents().to_vec());
        }
        for s in d.dirs() {
            walk(s, base, out);
        }
    }
    let mut out = Files::new();
    if let Some(d) = ASSETS.get_dir(format!("skills/{role}")) {
        walk(d, d.path(), &mut out);
    }
    out
}

/// The deployable files of a workspace skill (links are skipped, and named in the log).
fn replacement_files(app: &App, name: &str) -> Result<Option<Files>> {
    let src = crate::workspace_skills::skill_location(app, name, true);
    if !crate::safe_fs::is_real_dir(&src) {
        tracing::warn!(
            "the workspace skill '{name}' holds a support purpose but {} is not a folder; \
             the bundled skill is used instead",
            src.display()
        );
        return Ok(None);
    }
    let found = crate::safe_fs::deployable_files(&src)?;
    for link in &found.skipped_links {
        tracing::warn!(
            "support skill '{name}': not deploying the symbolic link {}",
            crate::safe_fs::slash_path(link)
        );
    }
    let mut out = Files::new();
    for rel in &found.files {
        let p = src.join(rel);
        out.insert(
            crate::safe_fs::slash_path(rel),
            std::fs::read(&p).with_path(&p)?,
        );
    }
    Ok(Some(out))
}

/// The files of a real folder, or `None` when something in it is not a regular file or a
/// folder (a link, a device): then the folder is never treated as the app's.
fn folder_files(dir: &Path) -> Result<Option<Files>> {
    let mut out = Files::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_path(&d)? {
            let e = e.with_path(&d)?;
            let p = e.path();
            let ft = e.file_type().with_path(&p)?;
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let rel = p.strip_prefix(dir).unwrap_or(&p);
                out.insert(
                    crate::safe_fs::slash_path(rel),
                    std::fs::read(&p).with_path(&p)?,
                );
            } else {
                return Ok(None);
            }
        }
    }
    Ok(Some(out))
}

/// Every file is one the app put there: a bundled file of the role, or a file of the
/// replacement copy it recorded (unchanged since).
fn is_apps_copy(
    current: &Files,
    bundled: &Files,
    recorded: Option<&BTreeMap<String, String>>,
) -> bool {
    current.iter().all(|(rel, bytes)| {
        bundled.get(rel) == Some(bytes)
            || recorded
                .and_then(|r| r.get(rel))
                .is_some_and(|h| *h == sha256_hex(bytes))
    })
}

fn deploy_support_skill(app: &App, role: &str, purpose: &str) -> Result<()> {
    let ws = app.workspace_path();
    let target = crate::workspace_skills::skills_root(app).join(role);
    let bundled = bundled_files(role);
    let (desired, replacement) = match role_source(app, role, purpose)? {
        RoleSource::UserOwned => return Ok(()),
        RoleSource::Nothing => (None, false),
        RoleSource::Bundled => (Some(bundled.clone()), false),
        RoleSource::Replacement(name) => match replacement_files(app, &name)? {
            Some(files) => (Some(files), true),
            None => (Some(bundled.clone()), false),
        },
    };
    let key = format!(".claude/skills/{role}");
    let _guard = MANIFEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let mut manifest = load_manifest(&ws);
    let recorded = manifest.as_ref().and_then(|m| m.support.get(&key));
    match std::fs::symlink_metadata(&target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && desired.is_none() => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::from(e).context(target.display())),
        Ok(m) if !m.is_dir() => {
            tracing::warn!(
                "support skill '{role}' not deployed: {} is not a folder (a link?); it was left as it is",
                target.display()
            );
            return Ok(());
        }
        Ok(_) => {
            let current = folder_files(&target)?;
            if current.is_some() && current == desired {
                return Ok(());
            }
            let ours = current.is_some_and(|c| is_apps_copy(&c, &bundled, recorded));
            if !ours {
                if replacement {
                    tracing::warn!(
                        "support skill '{role}': your replacement was not deployed because {} holds files \
                         Skill Builder did not write; move them away to use the replacement",
                        target.display()
                    );
                }
                return Ok(());
            }
        }
    }
    write_role_folder(app, &target, desired.as_ref())?;
    let now: Option<BTreeMap<String, String>> = desired.filter(|_| replacement).map(|files| {
        files
            .iter()
            .map(|(rel, bytes)| (rel.clone(), sha256_hex(bytes)))
            .collect()
    });
    if now.as_ref() == recorded {
        return Ok(());
    }
    let m = manifest.get_or_insert_with(Manifest::default);
    m.version = m.version.max(1);
    match now {
        Some(hashes) => m.support.insert(key, hashes),
        None => m.support.remove(&key),
    };
    save_manifest(&ws, m)
}

/// Replaces the (app-owned) role folder by `files` (or removes it): staged beside, then
/// swapped in, so a failed write never leaves half a skill.
fn write_role_folder(app: &App, target: &Path, files: Option<&Files>) -> Result<()> {
    let staged = match files {
        Some(files) => {
            let dir = crate::workspace_skills::staging_root(app)
                .join(format!("support-{}", uuid::Uuid::new_v4()));
            let written = (|| -> Result<()> {
                for (rel, bytes) in files {
                    let p = dir.join(rel);
                    if let Some(parent) = p.parent() {
                        std::fs::create_dir_all(parent).with_path(parent)?;
                    }
                    std::fs::write(&p, bytes).with_path(&p)?;
                }
                std::fs::create_dir_all(&dir).with_path(&dir)
            })();
            if let Err(e) = written {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
            Some(dir)
        }
        None => None,
    };
    crate::safe_fs::remove_no_follow(target).with_path(target)?;
    if let Some(dir) = staged {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_path(parent)?;
        }
        std::fs::rename(&dir, target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            Error::from(e).context(target.display())
        })?;
    }
    Ok(())
}

/// Everything an agent run needs in the workspace.
pub fn prepare_workspace(app: &App) -> Result<()> {
    deploy_agents(app)?;
    if !app.workspace_path().join(".claude/CLAUDE.md").exists() {
        write_claude_md(app)?;
    }
    deploy_support_skills(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> String {
        app_section(&[("alpha".into(), Some("Does alpha.".into()))])
    }

    #[test]
    fn a_new_file_gets_the_section_and_the_default_customization() {
        let t = compose_claude_md(None, &section()).unwrap();
        assert!(t.starts_with(SECTION_BEGIN));
        assert!(t.contains("### /alpha\nDoes alpha."));
        assert!(t.ends_with(customization_stub()));
    }

    #[test]
    fn user_text_outside_the_markers_is_kept_byte_for_byte() {
        let user = "My notes\r\n\tno newline at end";
        let first = compose_claude_md(Some(user), &section()).unwrap();
        assert_eq!(first, format!("{}\n\n{user}", section()));
        let edited = format!("Above\n{first}\nBelow\n");
        let other = app_section(&[]);
        let again = compose_claude_md(Some(&edited), &other).unwrap();
        assert_eq!(again, format!("Above\n{other}\n\n{user}\nBelow\n"));
    }

    #[test]
    fn an_earlier_unmarked_app_file_keeps_only_its_customization() {
        let old = format!(
            "{}## Custom Skills\n\n### /x\nold\n\n## Customization\n\nMine.\n",
            template_head()
        );
        let t = compose_claude_md(Some(&old), &section()).unwrap();
        assert_eq!(t, format!("{}\n\n## Customization\n\nMine.\n", section()));
    }

    #[test]
    fn damaged_markers_leave_the_file_alone() {
        let two = format!("{SECTION_BEGIN}\n{SECTION_BEGIN}\n{SECTION_END}\n");
        assert_eq!(compose_claude_md(Some(&two), &section()), None);
        let reversed = format!("{SECTION_END}\n{SECTION_BEGIN}\n");
        assert_eq!(compose_claude_md(Some(&reversed), &section()), None);
    }

    fn set_replacement(app: &App, purpose: Option<&str>) {
        app.db
            .conn()
            .execute(
                "UPDATE workspace_skills SET purpose = ?1 WHERE skill_name = 'acme-research'",
                [purpose],
            )
            .unwrap();
    }

    /// A user's skill holding the `research` purpose is what agents load as `research`; the
    /// bundled copy comes back when the purpose is withdrawn; a role folder the user changed
    /// is never overwritten (issue 13, item 5).
    #[test]
    fn a_purpose_replacement_is_deployed_under_the_role_name_and_withdrawn_again() {
        let data = tempfile::tempdir().unwrap();
        let app = App::open_with(Some(data.path().to_path_buf()), Default::default()).unwrap();
        crate::workspace_skills::seed_bundled_skills(&app).unwrap();
        let root = crate::workspace_skills::skills_root(&app);
        let role = root.join("research");
        let bundled = std::fs::read(role.join("SKILL.md")).unwrap();

        let mine = root.join("acme-research");
        std::fs::create_dir_all(mine.join("scripts")).unwrap();
        std::fs::create_dir_all(mine.join("context")).unwrap();
        std::fs::write(
            mine.join("SKILL.md"),
            "---\nname: acme-research\ndescription: Mine.\n---\nAcme\n",
        )
        .unwrap();
        std::fs::write(mine.join("scripts/x.sh"), "echo hi\n").unwrap();
        std::fs::write(mine.join("context/notes.md"), "private").unwrap();
        app.db
            .conn()
            .execute(
                "INSERT INTO workspace_skills (skill_id, skill_name, is_active, is_bundled, disk_path)
                 VALUES ('acme', 'acme-research', 1, 0, ?1)",
                [mine.to_string_lossy().to_string()],
            )
            .unwrap();
        set_replacement(&app, Some("research"));
        deploy_support_skills(&app).unwrap();
        assert_eq!(
            std::fs::read_to_string(role.join("SKILL.md")).unwrap(),
            "---\nname: acme-research\ndescription: Mine.\n---\nAcme\n"
        );
        assert!(role.join("scripts/x.sh").is_file());
        assert!(!role.join("context").exists());
        assert!(
            !role.join("references").exists(),
            "bundled files left behind"
        );
        // Removing the app's deployed files never touches skills.
        remove_deployed(&app.workspace_path()).unwrap();
        assert!(role.join("SKILL.md").is_file());

        set_replacement(&app, None);
        deploy_support_skills(&app).unwrap();
        assert_eq!(std::fs::read(role.join("SKILL.md")).unwrap(), bundled);
        assert!(!role.join("scripts").exists());

        // The user edits the bundled copy: it is theirs now, a replacement does not overwrite it.
        std::fs::write(role.join("SKILL.md"), "my own edit").unwrap();
        set_replacement(&app, Some("research"));
        deploy_support_skills(&app).unwrap();
        assert_eq!(
            std::fs::read_to_string(role.join("SKILL.md")).unwrap(),
            "my own edit"
        );
        set_replacement(&app, None);
        deploy_support_skills(&app).unwrap();
        assert_eq!(
            std::fs::read_to_string(role.join("SKILL.md")).unwrap(),
            "my own edit"
        );
    }
}
