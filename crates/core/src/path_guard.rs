//! The one path guard (ingestion.md §7.2). Every command that reads or writes a path it was
//! given calls [`guard`] first and then touches only the path it returns.
//!
//! Invariant: a returned path is absolute, free of `..`, canonical up to its deepest existing
//! ancestor, and component-wise inside one of the (canonicalised) roots. A symlink inside a
//! root that points outside of it is therefore refused: canonicalisation follows it and the
//! result is no longer under the root.
//!
//! What is checked, in order:
//! 1. before touching the disk: not empty, no NUL byte, absolute, no `..` component (and, on
//!    Windows, no device names such as `CON` or `NUL.txt`);
//! 2. the path is resolved: an existing path is canonicalised whole; for a path that does not
//!    exist yet, the deepest existing ancestor is canonicalised and the remaining (normal)
//!    components are appended. An ancestor that exists only as a dangling symlink is refused
//!    (writing "through" it could create a file outside the roots);
//! 3. the result must start (component-wise, so `/tmp/rootX` is not inside `/tmp/root`) with
//!    one of the roots, resolved the same way;
//! 4. for [`Intent::Write`], the final component must not be a symlink: writes never follow a
//!    link, even one that points inside a root.
//!
//! Every refusal is `invalid_input` and names the rejected path and the allowed roots.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// What the caller is about to do with the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Read an existing file or walk a folder.
    Read,
    /// Create or replace a file (parents may be created afterwards, inside the root).
    Write,
}

/// Checks `path` against `roots` and returns the resolved path to use instead of `path`.
pub fn guard(path: &str, roots: &[PathBuf], intent: Intent) -> Result<PathBuf> {
    let refuse = |why: &str| Error::invalid(format!("{why}: {path:?} {}", roots_note(roots)));

    if path.is_empty() {
        return Err(refuse("path is empty"));
    }
    if path.contains('\0') {
        return Err(refuse("path contains a NUL byte"));
    }
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(refuse("path must be absolute"));
    }
    if p.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(refuse("path must not contain '..'"));
    }
    #[cfg(windows)]
    if p.components()
        .any(|c| is_windows_device_name(c.as_os_str()))
    {
        return Err(refuse("path names a Windows device"));
    }

    let resolved = resolve(p).map_err(|why| refuse(&why))?;
    let inside = roots
        .iter()
        .filter_map(|r| resolve(r).ok())
        .any(|r| resolved.starts_with(&r));
    if !inside {
        return Err(Error::invalid(format!(
            "path outside allowed roots: {path} (resolves to {}) {}",
            resolved.display(),
            roots_note(roots)
        )));
    }
    if intent == Intent::Write {
        let is_link =
            |q: &Path| std::fs::symlink_metadata(q).is_ok_and(|m| m.file_type().is_symlink());
        let plain: PathBuf = p.components().collect(); // without a trailing `/`
        if is_link(p) || is_link(&plain) || is_link(&resolved) {
            return Err(refuse("refusing to write through a symlink"));
        }
    }
    Ok(resolved)
}

/// The roots as shown in error messages: `(allowed roots: /a, /b)`.
pub fn roots_note(roots: &[PathBuf]) -> String {
    let list: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    if list.is_empty() {
        "(no allowed roots)".into()
    } else {
        format!("(allowed roots: {})", list.join(", "))
    }
}

/// Canonicalises `p` if it exists; otherwise canonicalises its deepest existing ancestor and
/// appends the rest. `p` must be absolute and free of `..`. The error is a short reason.
pub fn resolve(p: &Path) -> std::result::Result<PathBuf, String> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Ok(c);
    }
    // Walk up to the deepest ancestor that exists as a directory entry (a symlink counts,
    // even a dangling one, so it can be detected rather than written through).
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let mut cur = p;
    loop {
        if std::fs::symlink_metadata(cur).is_ok() {
            break;
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                cur = parent;
            }
            _ => return Err("no part of the path exists".into()),
        }
    }
    let mut out = std::fs::canonicalize(cur).map_err(|e| {
        if std::fs::symlink_metadata(cur).is_ok_and(|m| m.file_type().is_symlink()) {
            format!("{} is a dangling symlink", cur.display())
        } else {
            format!("cannot resolve {}: {e}", cur.display())
        }
    })?;
    if !rest.is_empty() && !out.is_dir() {
        return Err(format!("{} is not a folder", out.display()));
    }
    for name in rest.iter().rev() {
        out.push(name);
    }
    // A trailing `/` makes lstat fail on an existing file or symlink, so the walk above
    // stopped one level too high: resolve a link that exists after all (fuzz finding).
    if std::fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) {
        return std::fs::canonicalize(&out)
            .map_err(|_| format!("{} is a dangling symlink", out.display()));
    }
    Ok(out)
}

#[cfg(windows)]
fn is_windows_device_name(c: &std::ffi::OsStr) -> bool {
    let s = c.to_string_lossy().to_ascii_lowercase();
    let stem = s.split('.').next().unwrap_or("").trim_end();
    crate::ingest::names::RESERVED_SKILL_NAMES.contains(&stem)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::ErrorKind;

    struct Fx {
        _tmp: tempfile::TempDir,
        base: PathBuf,
        root: PathBuf,
    }

    /// `<tmp>/root` (the allowed root, holding `a.txt` and `sub/b.txt`), `<tmp>/rootX` and
    /// `<tmp>/outside/secret.txt` (siblings that must stay out of reach).
    fn fixture() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::write(root.join("sub/b.txt"), "b").unwrap();
        std::fs::create_dir_all(base.join("rootX")).unwrap();
        std::fs::write(base.join("rootX/x.txt"), "x").unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret.txt"), "s").unwrap();
        Fx {
            _tmp: tmp,
            base,
            root,
        }
    }

    fn s(p: &Path) -> String {
        p.to_str().unwrap().to_string()
    }

    fn assert_refused(path: &str, roots: &[PathBuf], intent: Intent) {
        let e = guard(path, roots, intent).expect_err(path);
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
        let shown = format!("{path:?}");
        assert!(
            e.message.contains(path) || e.message.contains(&shown),
            "message must name the path: {e}"
        );
        for r in roots {
            assert!(
                e.message.contains(&r.display().to_string()),
                "message must name the roots: {e}"
            );
        }
    }

    #[test]
    fn accepts_paths_inside_the_root() {
        let f = fixture();
        let roots = [f.root.clone()];
        let got = guard(&s(&f.root.join("a.txt")), &roots, Intent::Read).unwrap();
        assert_eq!(got, f.root.join("a.txt"));
        let got = guard(&s(&f.root.join("sub/b.txt")), &roots, Intent::Write).unwrap();
        assert_eq!(got, f.root.join("sub/b.txt"));
        // the root itself
        assert_eq!(guard(&s(&f.root), &roots, Intent::Read).unwrap(), f.root);
        // `.` components are harmless
        let got = guard(
            &format!("{}/./sub/./b.txt", s(&f.root)),
            &roots,
            Intent::Read,
        )
        .unwrap();
        assert_eq!(got, f.root.join("sub/b.txt"));
    }

    #[test]
    fn new_nested_write_target_is_resolved_under_the_root() {
        let f = fixture();
        let roots = [f.root.clone()];
        let target = f.root.join("new/deeper/file.md");
        let got = guard(&s(&target), &roots, Intent::Write).unwrap();
        assert_eq!(got, target);
        assert!(
            !f.root.join("new").exists(),
            "the guard never creates anything"
        );
    }

    #[test]
    fn root_is_canonicalised_too() {
        let f = fixture();
        // a root given through a symlink still admits paths under its real location
        let link = f.base.join("root-link");
        std::os::unix::fs::symlink(&f.root, &link).unwrap();
        let got = guard(
            &s(&f.root.join("a.txt")),
            std::slice::from_ref(&link),
            Intent::Read,
        )
        .unwrap();
        assert_eq!(got, f.root.join("a.txt"));
        let got = guard(&s(&link.join("a.txt")), &[link], Intent::Read).unwrap();
        assert_eq!(got, f.root.join("a.txt"));
    }

    #[test]
    fn refuses_dotdot() {
        let f = fixture();
        let roots = [f.root.clone()];
        for p in [
            format!("{}/../outside/secret.txt", s(&f.root)),
            format!("{}/sub/../a.txt", s(&f.root)),
            format!("{}/..", s(&f.root)),
        ] {
            assert_refused(&p, &roots, Intent::Read);
            assert_refused(&p, &roots, Intent::Write);
        }
    }

    #[test]
    fn refuses_paths_outside() {
        let f = fixture();
        let roots = [f.root.clone()];
        for p in ["/etc/passwd", "/", "/etc/new-file"] {
            assert_refused(p, &roots, Intent::Read);
            assert_refused(p, &roots, Intent::Write);
        }
        assert_refused(&s(&f.base.join("outside/secret.txt")), &roots, Intent::Read);
        assert_refused(&s(&f.base), &roots, Intent::Read);
    }

    #[test]
    fn refuses_sibling_with_the_root_as_prefix() {
        let f = fixture();
        let roots = [f.root.clone()];
        assert_refused(&s(&f.base.join("rootX/x.txt")), &roots, Intent::Read);
        assert_refused(&s(&f.base.join("rootX/new.txt")), &roots, Intent::Write);
        assert_refused(&s(&f.base.join("rootX")), &roots, Intent::Read);
    }

    #[test]
    fn refuses_empty_nul_and_relative() {
        let f = fixture();
        let roots = [f.root.clone()];
        let e = guard("", &roots, Intent::Read).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("empty") && e.message.contains(&s(&f.root)));
        assert_refused(
            &format!("{}/a.txt\0/etc/passwd", s(&f.root)),
            &roots,
            Intent::Read,
        );
        assert_refused("a.txt", &roots, Intent::Read);
        assert_refused("root/a.txt", &roots, Intent::Write);
        assert_refused("./a.txt", &roots, Intent::Write);
        assert_refused("~/a.txt", &roots, Intent::Write);
    }

    #[test]
    fn refuses_symlink_to_outside() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("evil");
        std::os::unix::fs::symlink(f.base.join("outside/secret.txt"), &link).unwrap();
        assert_refused(&s(&link), &roots, Intent::Read);
        assert_refused(&s(&link), &roots, Intent::Write);
    }

    #[test]
    fn refuses_symlinked_parent_dir() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("out-dir");
        std::os::unix::fs::symlink(f.base.join("outside"), &link).unwrap();
        assert_refused(&s(&link.join("secret.txt")), &roots, Intent::Read);
        assert_refused(&s(&link.join("new.txt")), &roots, Intent::Write);
        assert_refused(&s(&link.join("new/deep.txt")), &roots, Intent::Write);
    }

    #[test]
    fn refuses_dangling_symlink_to_outside() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("dangling");
        std::os::unix::fs::symlink(f.base.join("outside/not-yet.txt"), &link).unwrap();
        assert_refused(&s(&link), &roots, Intent::Write);
        assert_refused(&s(&link.join("below.txt")), &roots, Intent::Write);
        assert!(!f.base.join("outside/not-yet.txt").exists());
    }

    #[test]
    fn write_never_follows_a_final_symlink_even_inside() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("alias.txt");
        std::os::unix::fs::symlink(f.root.join("a.txt"), &link).unwrap();
        // reading through an inside link is fine
        assert_eq!(
            guard(&s(&link), &roots, Intent::Read).unwrap(),
            f.root.join("a.txt")
        );
        assert_refused(&s(&link), &roots, Intent::Write);
    }

    #[test]
    fn symlinked_dir_inside_the_root_is_allowed() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("sub-alias");
        std::os::unix::fs::symlink(f.root.join("sub"), &link).unwrap();
        assert_eq!(
            guard(&s(&link.join("b.txt")), &roots, Intent::Read).unwrap(),
            f.root.join("sub/b.txt")
        );
    }

    #[test]
    fn several_roots_and_missing_roots() {
        let f = fixture();
        let missing = f.base.join("not-created-yet");
        let roots = [missing.clone(), f.root.clone()];
        assert!(guard(&s(&f.root.join("a.txt")), &roots, Intent::Read).is_ok());
        // a root that does not exist yet still admits new targets below it
        let got = guard(&s(&missing.join("x/y.txt")), &roots, Intent::Write).unwrap();
        assert_eq!(got, missing.join("x/y.txt"));
        assert_refused("/etc/passwd", &roots, Intent::Read);
        assert_refused("/etc/passwd", &[], Intent::Read);
    }

    #[test]
    fn file_used_as_a_folder_is_refused() {
        let f = fixture();
        let roots = [f.root.clone()];
        let e = guard(&s(&f.root.join("a.txt/child")), &roots, Intent::Write).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn result_is_always_inside_a_root() {
        let f = fixture();
        let roots = [f.root.clone()];
        let link = f.root.join("out-dir");
        std::os::unix::fs::symlink(f.base.join("outside"), &link).unwrap();
        let candidates = [
            s(&f.root.join("a.txt")),
            s(&f.root.join("new/x")),
            s(&link),
            s(&link.join("secret.txt")),
            format!("{}/../root/a.txt", s(&f.root)),
            s(&f.base.join("rootX/x.txt")),
            "/etc/passwd".into(),
            "/".into(),
            "relative".into(),
        ];
        for c in candidates {
            for intent in [Intent::Read, Intent::Write] {
                if let Ok(p) = guard(&c, &roots, intent) {
                    assert!(p.starts_with(&f.root), "{c} -> {}", p.display());
                }
            }
        }
    }
}
