//! File-system primitives that never follow a symbolic link out of the app's folders
//! (issue 12, items 3 and 4).
//!
//! - Deletion never follows a link: a link is removed as a link ([`remove_no_follow`]), and
//!   nothing is deleted *through* a linked folder ([`remove_inside`]).
//! - Reads of a skill's files go through the one path guard ([`guard_inside`]): a file whose
//!   canonical path is outside the canonical skill folder is refused, naming the link.
//! - [`deployable_files`] is the one walker of a skill's deployable files (architecture.md).
//!
//! These checks are `lstat`-based, so a link swapped in by another process between the check
//! and the use is not caught; they stop links that already exist, which is what a user (or an
//! agent writing into the skill folder) creates.

use crate::error::{Error, IoContext, Result};
use crate::path_guard::{self, Intent};
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// `p` itself is a symbolic link (dangling or not).
pub fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

/// `p` is a folder and not a link to one.
pub fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir())
}

/// `p` is a regular file and not a link to one.
pub fn is_real_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
}

/// Removes whatever is at `p` without following it: a link is unlinked (its target stays), a
/// real folder is removed with everything in it (`remove_dir_all` unlinks inner links rather
/// than following them), a file is removed. Returns whether something was there.
pub fn remove_no_follow(p: &Path) -> std::io::Result<bool> {
    let meta = match std::fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        remove_link(p)?;
    } else if ft.is_dir() {
        std::fs::remove_dir_all(p)?;
    } else {
        std::fs::remove_file(p)?;
    }
    Ok(true)
}

fn remove_link(p: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(p) {
        // A Windows link to a folder is removed as a folder entry.
        Err(e) if cfg!(windows) => std::fs::remove_dir(p).map_err(|_| e),
        r => r,
    }
}

/// `rel` as plain components, refusing an absolute path, `..` and an empty path.
fn plain_components(rel: &Path) -> Result<Vec<&OsStr>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => {
                return Err(Error::invalid(format!(
                    "{} must be a plain relative path (no '..', not absolute)",
                    rel.display()
                )))
            }
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("an empty relative path names no file"));
    }
    Ok(out)
}

/// The first folder between `root` (excluded: the caller trusts it) and `root/rel` (excluded)
/// that is a symbolic link, if any.
pub fn link_between(root: &Path, rel: &Path) -> Result<Option<PathBuf>> {
    let parts = plain_components(rel)?;
    let mut cur = root.to_path_buf();
    for name in &parts[..parts.len() - 1] {
        cur.push(name);
        if is_symlink(&cur) {
            return Ok(Some(cur));
        }
    }
    Ok(None)
}

/// Refuses (`invalid_input`, naming the link) when a folder between `root` and `root/rel` is a
/// symbolic link, so a later deletion of `root/rel` cannot reach outside through it.
pub fn check_no_link_between(root: &Path, rel: &Path) -> Result<()> {
    match link_between(root, rel)? {
        None => Ok(()),
        Some(link) => Err(Error::invalid(format!(
            "refusing to delete {}: {} is a symbolic link{}, and the app never deletes through a link. \
             Replace the link with a real folder (or remove it) and retry",
            root.join(rel).display(),
            link.display(),
            link_target_note(&link)
        ))),
    }
}

/// Removes `root/rel` without following links: refused when a folder on the way is a link
/// (see [`check_no_link_between`]); the target itself, if a link, is removed as a link.
/// Returns whether something was removed.
pub fn remove_inside(root: &Path, rel: &Path) -> Result<bool> {
    check_no_link_between(root, rel)?;
    let target = root.join(rel);
    remove_no_follow(&target).with_path(&target)
}

/// Refuses (`invalid_input`, naming the link) when `p` itself is a symbolic link, for
/// operations that would otherwise work on whatever the link points to.
pub fn refuse_symlink(p: &Path, action: &str) -> Result<()> {
    if !is_symlink(p) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "refusing to {action}: {} is a symbolic link{}, and the app never deletes or reads \
         through a link there. Replace the link with the real folder or file and retry",
        p.display(),
        link_target_note(p)
    )))
}

/// ` (to <target>)` when the link can be read, for messages.
fn link_target_note(link: &Path) -> String {
    std::fs::read_link(link)
        .map(|t| format!(" (to {})", t.display()))
        .unwrap_or_default()
}

/// The canonical path of `dir`, refused (`invalid_input`, naming it) when `dir` resolves
/// outside `root` — a skill folder that is a link out of its store — or is not a folder.
pub fn guarded_dir(root: &Path, dir: &Path) -> Result<PathBuf> {
    let shown = crate::paths::path_string(dir)?;
    let resolved = path_guard::guard(&shown, &[root.to_path_buf()], Intent::Read).map_err(|e| {
        Error::invalid(format!(
            "refusing to use {shown}{}: it leads outside {} ({})",
            link_target_note(dir),
            root.display(),
            e.message
        ))
    })?;
    if !resolved.is_dir() {
        return Err(Error::not_found(format!("{shown} is not a folder")));
    }
    Ok(resolved)
}

/// The resolved path of `dir/rel` for reading, refused (`invalid_input`, naming the link)
/// when its canonical path is outside the canonical `dir`. Links that stay inside are fine.
pub fn guard_inside(dir: &Path, rel: &Path) -> Result<PathBuf> {
    plain_components(rel)?;
    let path = dir.join(rel);
    let shown = crate::paths::path_string(&path)?;
    path_guard::guard(&shown, &[dir.to_path_buf()], Intent::Read).map_err(|e| {
        Error::invalid(format!(
            "refusing to read {shown}: a symbolic link leads outside the skill folder {} ({})",
            dir.display(),
            e.message
        ))
    })
}

/// Reads `dir/rel` through [`guard_inside`]; a folder is refused.
pub fn read_inside(dir: &Path, rel: &Path) -> Result<Vec<u8>> {
    let p = guard_inside(dir, rel)?;
    if p.is_dir() {
        return Err(Error::invalid(format!(
            "{} is a folder, not a file",
            dir.join(rel).display()
        )));
    }
    std::fs::read(&p).with_path(&p)
}

/// [`read_inside`] as UTF-8 text.
pub fn read_to_string_inside(dir: &Path, rel: &Path) -> Result<String> {
    let bytes = read_inside(dir, rel)?;
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{} is not UTF-8 text", dir.join(rel).display())))
}

/// Top-level folders of a skill that are never deployed: research notes, evals, transcripts.
const NOT_DEPLOYED_TOP: [&str; 3] = ["context", "evals", "logs"];
/// Junk folders skipped at any depth.
const JUNK_DIRS: [&str; 3] = ["__pycache__", "node_modules", ".git"];

/// Whether an entry of a skill folder is junk (never deployed, at any depth).
pub fn is_junk(name: &OsStr, is_dir: bool) -> bool {
    let n = name.to_string_lossy();
    if is_dir {
        JUNK_DIRS.contains(&n.as_ref())
    } else {
        n == ".DS_Store" || n.ends_with(".pyc")
    }
}

/// What [`deployable_files`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deployable {
    /// Regular files, relative to the skill folder, sorted.
    pub files: Vec<PathBuf>,
    /// Symbolic links that were skipped (relative, sorted), so callers can say which.
    pub skipped_links: Vec<PathBuf>,
}

/// The deployable files of a skill (architecture.md): every regular file of the skill folder
/// except `context/`, `evals/`, `logs/`, symlinks, and junk (`.DS_Store`, `__pycache__/`,
/// `*.pyc`, `node_modules/`, `.git/`). Links are never followed; they are reported instead.
/// `skill_dir` itself must be a real folder (resolve it with [`guarded_dir`] first).
pub fn deployable_files(skill_dir: &Path) -> Result<Deployable> {
    let mut out = Deployable::default();
    walk_deployable(skill_dir, Path::new(""), &mut out)?;
    out.files.sort();
    out.skipped_links.sort();
    Ok(out)
}

fn walk_deployable(root: &Path, rel: &Path, out: &mut Deployable) -> Result<()> {
    let here = root.join(rel);
    for e in std::fs::read_dir(&here).with_path(&here)? {
        let e = e.with_path(&here)?;
        // DirEntry::file_type does not follow links.
        let ft = e.file_type().with_path(&e.path())?;
        let name = e.file_name();
        let r = rel.join(&name);
        if ft.is_symlink() {
            out.skipped_links.push(r);
        } else if ft.is_dir() {
            let top_excluded =
                rel.as_os_str().is_empty() && NOT_DEPLOYED_TOP.iter().any(|t| name == *t);
            if !top_excluded && !is_junk(&name, true) {
                walk_deployable(root, &r, out)?;
            }
        } else if ft.is_file() && !is_junk(&name, false) {
            out.files.push(r);
        }
    }
    Ok(())
}

/// `/`-separated form of a relative path, for archives and messages.
pub fn slash_path(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::os::unix::fs::symlink;

    struct Fx {
        _tmp: tempfile::TempDir,
        /// `<tmp>/root/skill` with `SKILL.md` and `references/a.md`.
        root: PathBuf,
        skill: PathBuf,
        /// `<tmp>/outside` with `sentinel.txt`.
        outside: PathBuf,
    }

    fn fixture() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("root");
        let skill = root.join("skill");
        std::fs::create_dir_all(skill.join("references")).unwrap();
        std::fs::write(skill.join("SKILL.md"), "skill").unwrap();
        std::fs::write(skill.join("references/a.md"), "a").unwrap();
        let outside = base.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("sentinel.txt"), "keep me").unwrap();
        Fx {
            _tmp: tmp,
            root,
            skill,
            outside,
        }
    }

    #[test]
    fn remove_no_follow_unlinks_a_link_to_a_folder() {
        let f = fixture();
        let link = f.skill.join("context");
        symlink(&f.outside, &link).unwrap();
        assert!(remove_no_follow(&link).unwrap());
        assert!(!is_symlink(&link));
        assert!(f.outside.join("sentinel.txt").exists());
    }

    #[test]
    fn remove_no_follow_keeps_the_targets_of_inner_links() {
        let f = fixture();
        symlink(&f.outside, f.skill.join("references/out")).unwrap();
        symlink(
            f.outside.join("sentinel.txt"),
            f.skill.join("references/s.md"),
        )
        .unwrap();
        assert!(remove_no_follow(&f.skill.join("references")).unwrap());
        assert!(!f.skill.join("references").exists());
        assert!(f.outside.join("sentinel.txt").exists());
    }

    #[test]
    fn remove_no_follow_of_a_missing_path_is_ok() {
        let f = fixture();
        assert!(!remove_no_follow(&f.skill.join("nope")).unwrap());
        assert!(remove_no_follow(&f.skill.join("SKILL.md")).unwrap());
        assert!(!f.skill.join("SKILL.md").exists());
    }

    #[test]
    fn remove_inside_refuses_a_linked_folder_on_the_way() {
        let f = fixture();
        symlink(&f.outside, f.skill.join("context")).unwrap();
        let e = remove_inside(&f.root, Path::new("skill/context/sentinel.txt")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("context"), "{e}");
        assert!(f.outside.join("sentinel.txt").exists());

        // a linked skill folder is refused the same way
        let linked = f.root.join("linked");
        symlink(&f.outside, &linked).unwrap();
        assert!(remove_inside(&f.root, Path::new("linked/sentinel.txt")).is_err());
        assert!(f.outside.join("sentinel.txt").exists());
        // ... but the link itself may be removed, as a link
        assert!(remove_inside(&f.root, Path::new("linked")).unwrap());
        assert!(f.outside.join("sentinel.txt").exists());
    }

    #[test]
    fn remove_inside_refuses_dotdot_and_absolute() {
        let f = fixture();
        for rel in ["../outside/sentinel.txt", "/etc/passwd", ""] {
            let e = remove_inside(&f.skill, Path::new(rel)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{rel}");
        }
        assert!(remove_inside(&f.skill, Path::new("references/a.md")).unwrap());
    }

    #[test]
    fn real_dir_and_file_do_not_follow_links() {
        let f = fixture();
        symlink(&f.outside, f.skill.join("d")).unwrap();
        symlink(f.outside.join("sentinel.txt"), f.skill.join("s")).unwrap();
        assert!(!is_real_dir(&f.skill.join("d")));
        assert!(!is_real_file(&f.skill.join("s")));
        assert!(is_real_dir(&f.skill.join("references")));
        assert!(is_real_file(&f.skill.join("SKILL.md")));
    }

    #[test]
    fn guard_inside_refuses_links_out_and_allows_links_in() {
        let f = fixture();
        symlink(
            f.outside.join("sentinel.txt"),
            f.skill.join("references/pw.md"),
        )
        .unwrap();
        symlink(
            f.skill.join("SKILL.md"),
            f.skill.join("references/alias.md"),
        )
        .unwrap();
        let e = read_inside(&f.skill, Path::new("references/pw.md")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("references/pw.md"), "{e}");
        assert_eq!(
            read_to_string_inside(&f.skill, Path::new("references/alias.md")).unwrap(),
            "skill"
        );
        assert!(read_inside(&f.skill, Path::new("../outside/sentinel.txt")).is_err());
    }

    #[test]
    fn guarded_dir_refuses_a_skill_folder_that_links_out() {
        let f = fixture();
        let linked = f.root.join("linked");
        symlink(&f.outside, &linked).unwrap();
        let e = guarded_dir(&f.root, &linked).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("linked"), "{e}");
        assert_eq!(guarded_dir(&f.root, &f.skill).unwrap(), f.skill);
    }

    #[test]
    fn deployable_files_follow_the_architecture_definition() {
        let f = fixture();
        let s = &f.skill;
        for d in [
            "scripts",
            "assets/img",
            "context",
            "evals",
            "logs",
            "scripts/__pycache__",
            "node_modules/x",
            ".git",
            "references/deep",
        ] {
            std::fs::create_dir_all(s.join(d)).unwrap();
        }
        for file in [
            "LICENSE.txt",
            "scripts/run.py",
            "scripts/run.pyc",
            "scripts/__pycache__/run.cpython.pyc",
            "assets/img/logo.png",
            "context/decisions.md",
            "evals/evals.json",
            "logs/step0.jsonl",
            "node_modules/x/index.js",
            ".git/config",
            ".DS_Store",
            "references/.DS_Store",
            "references/deep/b.md",
        ] {
            std::fs::write(s.join(file), "x").unwrap();
        }
        symlink(&f.outside, s.join("references/out")).unwrap();
        symlink(f.outside.join("sentinel.txt"), s.join("scripts/pw.txt")).unwrap();
        let d = deployable_files(s).unwrap();
        let files: Vec<String> = d.files.iter().map(|p| slash_path(p)).collect();
        assert_eq!(
            files,
            [
                "LICENSE.txt",
                "SKILL.md",
                "assets/img/logo.png",
                "references/a.md",
                "references/deep/b.md",
                "scripts/run.py",
            ]
        );
        let links: Vec<String> = d.skipped_links.iter().map(|p| slash_path(p)).collect();
        assert_eq!(links, ["references/out", "scripts/pw.txt"]);
    }

    #[test]
    fn nested_folders_named_like_excluded_top_folders_are_deployed() {
        let f = fixture();
        std::fs::create_dir_all(f.skill.join("references/context")).unwrap();
        std::fs::write(f.skill.join("references/context/c.md"), "c").unwrap();
        let d = deployable_files(&f.skill).unwrap();
        assert!(d.files.contains(&PathBuf::from("references/context/c.md")));
    }
}
