//! The path guard.
//!
//! Fixture (created once per process, under a fresh temp dir `base`):
//! ```text
//! base/root/a.txt  base/root/sub/b.txt  base/root/sub/deeper/
//! base/root/out-link  -> base/outside      (dir symlink pointing outside)
//! base/root/file-link -> base/outside/secret.txt
//! base/root/in-link   -> base/root/sub     (symlink staying inside)
//! base/root/dangling  -> base/nowhere      (dangling symlink)
//! base/root/loop      -> base/root/loop    (symlink loop)
//! base/root-link      -> base/root         (a root given through a symlink)
//! base/rootX/x.txt    base/outside/secret.txt
//! ```
//! Invariants, for any path built from fuzz input and any intent:
//! - `guard` never panics and never creates or removes anything;
//! - whenever it returns `Ok(p)`: `p` is absolute, has no `.`/`..` component, and is
//!   component-wise inside one of the canonicalised roots; resolving `p` again (following
//!   every symlink of its existing part) still lands inside that root; for `Intent::Write`,
//!   `p` itself is not a symlink.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use skill_builder_core::path_guard::{guard, resolve, Intent};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    root: PathBuf,
    snapshot: Vec<PathBuf>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        out.push(p.clone());
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            walk(&p, out);
        }
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::write(root.join("sub/b.txt"), "b").unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret.txt"), "s").unwrap();
        std::fs::create_dir_all(base.join("rootX")).unwrap();
        std::fs::write(base.join("rootX/x.txt"), "x").unwrap();
        symlink(base.join("outside"), root.join("out-link")).unwrap();
        symlink(base.join("outside/secret.txt"), root.join("file-link")).unwrap();
        symlink(root.join("sub"), root.join("in-link")).unwrap();
        symlink(base.join("nowhere"), root.join("dangling")).unwrap();
        symlink(root.join("loop"), root.join("loop")).unwrap();
        symlink(&root, base.join("root-link")).unwrap();
        let mut snapshot = Vec::new();
        walk(&base, &mut snapshot);
        Fixture {
            _tmp: tmp,
            base,
            root,
            snapshot,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Start {
    Root,
    RootLink,
    Base,
    Slash,
    RootX,
    Outside,
    Relative,
}

#[derive(Arbitrary, Debug)]
enum Part {
    Known(u8),
    Raw(String),
}

const WORDS: &[&str] = &[
    "a.txt",
    "sub",
    "b.txt",
    "deeper",
    "out-link",
    "file-link",
    "in-link",
    "dangling",
    "loop",
    "..",
    ".",
    "",
    "new",
    "root",
    "rootX",
    "root-link",
    "outside",
    "secret.txt",
    "nowhere",
    "x.txt",
    "a.txt/child",
    "//",
    "\u{0}",
];

#[derive(Arbitrary, Debug)]
enum Roots {
    Root,
    ViaLink,
    Missing,
    Both,
}

#[derive(Arbitrary, Debug)]
struct Input {
    start: Start,
    parts: Vec<Part>,
    trailing_slash: bool,
    write: bool,
    roots: Roots,
}

fn inside(p: &Path, root: &Path) -> bool {
    p.starts_with(root)
}

fuzz_target!(|input: Input| {
    let f = fixture();
    let mut s = match input.start {
        Start::Root => f.root.display().to_string(),
        Start::RootLink => f.base.join("root-link").display().to_string(),
        Start::Base => f.base.display().to_string(),
        Start::Slash => String::new(),
        Start::RootX => f.base.join("rootX").display().to_string(),
        Start::Outside => f.base.join("outside").display().to_string(),
        Start::Relative => ".".into(),
    };
    for part in input.parts.iter().take(12) {
        s.push('/');
        match part {
            Part::Known(i) => s.push_str(WORDS[*i as usize % WORDS.len()]),
            Part::Raw(r) => s.push_str(r),
        }
    }
    if input.trailing_slash {
        s.push('/');
    }
    let missing = f.base.join("missing-root");
    let roots: Vec<PathBuf> = match input.roots {
        Roots::Root => vec![f.root.clone()],
        Roots::ViaLink => vec![f.base.join("root-link")],
        Roots::Missing => vec![missing.clone()],
        Roots::Both => vec![missing.clone(), f.root.clone()],
    };
    // The canonical roots, computed independently of the guard.
    let canonical: Vec<PathBuf> = match input.roots {
        Roots::Root | Roots::ViaLink => vec![f.root.clone()],
        Roots::Missing => vec![missing.clone()],
        Roots::Both => vec![missing.clone(), f.root.clone()],
    };
    let intent = if input.write {
        Intent::Write
    } else {
        Intent::Read
    };

    if let Ok(p) = guard(&s, &roots, intent) {
        assert!(p.is_absolute(), "{s:?} -> {p:?}");
        assert!(
            p.components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_))),
            "{s:?} -> {p:?} has a '.' or '..' component"
        );
        let root = canonical
            .iter()
            .find(|r| inside(&p, r))
            .unwrap_or_else(|| panic!("{s:?} -> {p:?} is outside the roots {canonical:?}"));
        let again =
            resolve(&p).unwrap_or_else(|e| panic!("{s:?} -> {p:?} no longer resolves: {e}"));
        assert!(
            inside(&again, root),
            "{s:?} -> {p:?} really is {again:?}, outside {root:?}"
        );
        // The real file-system location of the deepest existing ancestor, independently.
        let mut cur = p.as_path();
        while std::fs::symlink_metadata(cur).is_err() {
            cur = cur.parent().unwrap();
        }
        if let Ok(real) = std::fs::canonicalize(cur) {
            assert!(
                inside(&real, root) || (root == &missing && real == f.base),
                "{s:?} -> {p:?}: existing ancestor {cur:?} really is {real:?}"
            );
        }
        if intent == Intent::Write {
            let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
            assert!(!link, "{s:?} -> {p:?}: write through a symlink");
        }
    }
    // Never creates or removes anything.
    let mut now = Vec::new();
    walk(&f.base, &mut now);
    assert_eq!(
        now, f.snapshot,
        "the guard changed the file system for {s:?}"
    );
});
