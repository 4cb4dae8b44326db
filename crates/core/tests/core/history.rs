//! Git history of the skills folder: repo creation, auto-commits, history, diff, restore and
//! the HEAD → working-tree refine diff.

use crate::support;

use skill_builder_core::history::{
    self, RefineDiff, RestoreSkillVersionArgs, SkillDiffArgs, SkillHistoryArgs,
};
use skill_builder_core::{App, ErrorKind};
use std::fs;
use std::path::Path;
use std::sync::Arc;

/// A temp folder for a test that may use `git2` before it opens an app: the machine's git
/// config (and so its identity) is hidden first.
fn tempdir() -> tempfile::TempDir {
    support::hermetic_git();
    tempfile::tempdir().unwrap()
}

fn open() -> (tempfile::TempDir, Arc<App>) {
    let dir = tempdir();
    let app = support::open_at(dir.path(), |_| {});
    history::ensure_repo(&app.skills_path()).unwrap();
    (dir, app)
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap()
}

fn history(app: &App, skill: &str, limit: Option<usize>) -> Vec<history::SkillCommit> {
    history::get_skill_history(
        app,
        SkillHistoryArgs {
            workspace_path: None,
            skill_name: skill.into(),
            limit,
        },
    )
    .unwrap()
}

fn messages(app: &App, skill: &str) -> Vec<String> {
    history(app, skill, None)
        .into_iter()
        .map(|c| c.message)
        .collect()
}

fn diff(
    app: &App,
    skill: &str,
    a: &str,
    b: &str,
) -> skill_builder_core::Result<history::SkillDiff> {
    history::get_skill_diff(
        app,
        SkillDiffArgs {
            workspace_path: None,
            skill_name: skill.into(),
            sha_a: a.into(),
            sha_b: b.into(),
        },
    )
}

fn restore(app: &App, skill: &str, sha: &str) -> skill_builder_core::Result<()> {
    history::restore_skill_version(
        app,
        RestoreSkillVersionArgs {
            workspace_path: None,
            skill_name: skill.into(),
            sha: sha.into(),
        },
    )
}

/// Number of commits reachable from HEAD.
fn commit_count(root: &Path) -> usize {
    let repo = git2::Repository::open(root).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.count()
}

/// Every file path (relative to `dir`) of the working tree under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(
                    p.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = vec![];
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Paths (relative to the skill) of the skill's files in commit `sha`.
fn files_in_commit(root: &Path, skill: &str, sha: &str) -> Vec<(String, Vec<u8>)> {
    let repo = git2::Repository::open(root).unwrap();
    let tree = repo
        .find_commit(git2::Oid::from_str(sha).unwrap())
        .unwrap()
        .tree()
        .unwrap();
    let sub = repo
        .find_tree(tree.get_path(Path::new(skill)).unwrap().id())
        .unwrap();
    let mut out = vec![];
    sub.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            let blob = repo.find_blob(e.id()).unwrap();
            out.push((
                format!("{dir}{}", e.name().unwrap()),
                blob.content().to_vec(),
            ));
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    out.sort();
    out
}

fn work_files(root: &Path, skill: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root.join(skill);
    files_under(&dir)
        .into_iter()
        .map(|r| {
            let data = fs::read(dir.join(&r)).unwrap();
            (r, data)
        })
        .collect()
}

// ---- repo creation ----

#[test]
fn new_repo_gets_gitignore_and_initial_commit() {
    let dir = tempdir();
    let root = dir.path().join("skills");
    let repo = history::ensure_repo(&root).unwrap();
    let gi = read(&root, ".gitignore");
    for line in [
        ".DS_Store",
        "._*",
        "Thumbs.db",
        "Desktop.ini",
        ".idea/",
        ".vscode/",
        "*.swp",
        "*.swo",
        "*~",
        "*.tmp",
        "*.bak",
        "logs/",
        "*.log",
        ".trash/",
        ".staging/",
        "*.skill",
        ".deleting-*",
        ".*.moving-*",
    ] {
        assert!(gi.lines().any(|l| l == line), "missing {line}: {gi}");
    }
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.message(), Some("Initial commit"));
    assert_eq!(head.parent_count(), 0);
    let tree = head.tree().unwrap();
    assert_eq!(tree.len(), 1);
    assert!(tree.get_name(".gitignore").is_some());
    assert_eq!(history::head_sha(&root), Some(head.id().to_string()));

    // Idempotent: opening again changes nothing.
    history::ensure_repo(&root).unwrap();
    assert_eq!(commit_count(&root), 1);
}

#[test]
fn existing_gitignore_is_kept_and_trash_appended() {
    let dir = tempdir();
    let root = dir.path();
    write(root, ".gitignore", "secret.txt");
    history::ensure_repo(root).unwrap();
    assert_eq!(read(root, ".gitignore"), "secret.txt\n.trash/\n");

    // Already has .trash/: left byte for byte.
    let dir2 = tempdir();
    write(dir2.path(), ".gitignore", "# mine\n.trash/\n");
    history::ensure_repo(dir2.path()).unwrap();
    assert_eq!(read(dir2.path(), ".gitignore"), "# mine\n.trash/\n");
}

#[test]
fn existing_skills_get_an_initial_snapshot() {
    let dir = tempdir();
    let root = dir.path();
    write(root, "old-skill/SKILL.md", "# old\n");
    write(root, "old-skill/.hidden", "dot\n");
    write(root, "old-skill/.DS_Store", "junk");
    let repo = history::ensure_repo(root).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.message(), Some("initial snapshot of existing skills"));
    let tree = head.tree().unwrap();
    assert!(tree.get_path(Path::new("old-skill/SKILL.md")).is_ok());
    assert!(tree.get_path(Path::new("old-skill/.hidden")).is_ok());
    assert!(tree.get_path(Path::new("old-skill/.DS_Store")).is_err());
    assert!(tree.get_path(Path::new(".gitignore")).is_ok());
    assert_eq!(commit_count(root), 1);
}

#[test]
fn commit_all_creates_the_repo_and_folder() {
    let dir = tempdir();
    let root = dir.path().join("not").join("yet");
    let sha = history::commit_all(&root, "x").unwrap();
    // The new repo's initial commit holds everything; nothing is left for "x".
    assert_eq!(sha, None);
    assert!(root.join(".git").is_dir());
    assert_eq!(commit_count(&root), 1);
}

// ---- commits ----

#[test]
fn commit_of_a_new_skill_and_no_change_skip() {
    let (_d, app) = open();
    let root = app.skills_path();
    let before = commit_count(&root);

    // A skill with only empty folders has nothing to commit.
    fs::create_dir_all(root.join("alpha/references")).unwrap();
    fs::create_dir_all(root.join("alpha/context")).unwrap();
    assert_eq!(history::commit_skill(&app, "alpha", "alpha: created"), None);
    assert!(!history::skill_in_head(&root, "alpha"));

    write(&root, "alpha/SKILL.md", "# Alpha\n");
    write(&root, "alpha/.env.example", "A=1\n");
    write(&root, "alpha/references/.DS_Store", "junk");
    write(&root, "alpha/debug.log", "log");
    let sha = history::commit_skill(&app, "alpha", "alpha: created").expect("a commit");
    assert_eq!(sha.len(), 40);
    assert_eq!(history::head_sha(&root).as_deref(), Some(sha.as_str()));
    assert!(history::skill_in_head(&root, "alpha"));
    assert_eq!(commit_count(&root), before + 1);
    let files: Vec<String> = files_in_commit(&root, "alpha", &sha)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(files, vec![".env.example", "SKILL.md"]);

    // Nothing changed → no commit, for both scopes.
    assert_eq!(history::commit_skill(&app, "alpha", "again"), None);
    assert_eq!(history::commit_all(&root, "again").unwrap(), None);
    assert_eq!(commit_count(&root), before + 1);

    let c = history(&app, "alpha", None);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].sha, sha);
    assert_eq!(c[0].message, "alpha: created");
    assert!(c[0].timestamp.ends_with("+00:00"), "{}", c[0].timestamp);
    assert!(chrono::DateTime::parse_from_rfc3339(&c[0].timestamp).is_ok());
}

#[test]
fn skill_commit_leaves_other_skills_out_and_records_deletions() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "one/SKILL.md", "1\n");
    write(&root, "two/SKILL.md", "2\n");
    let sha = history::commit_skill(&app, "one", "one: created").unwrap();
    let repo = git2::Repository::open(&root).unwrap();
    let tree = repo
        .find_commit(git2::Oid::from_str(&sha).unwrap())
        .unwrap()
        .tree()
        .unwrap();
    assert!(tree.get_path(Path::new("one/SKILL.md")).is_ok());
    assert!(tree.get_path(Path::new("two")).is_err());

    // Whole-repo commit picks up "two"; a deleted skill is recorded as deleted.
    assert!(history::commit_all(&root, "two: added").unwrap().is_some());
    fs::remove_dir_all(root.join("one")).unwrap();
    let del = history::commit_skill(&app, "one", "one: deleted").unwrap();
    assert!(!history::skill_in_head(&root, "one"));
    assert!(history::skill_in_head(&root, "two"));
    assert_eq!(messages(&app, "one"), vec!["one: deleted", "one: created"]);
    let d = diff(&app, "one", &sha, &del).unwrap();
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].status, "deleted");
    assert_eq!(d.files[0].new_content, None);
}

#[test]
fn author_is_git_identity_else_fallback() {
    let (_d, app) = open();
    let root = app.skills_path();
    let repo = git2::Repository::open(&root).unwrap();
    write(&root, "s/SKILL.md", "a\n");
    let sha = history::commit_skill(&app, "s", "s: created").unwrap();
    let c = repo
        .find_commit(git2::Oid::from_str(&sha).unwrap())
        .unwrap();
    assert_eq!(c.author().name(), Some("Skill Builder"));
    assert_eq!(c.author().email(), Some("noreply@skillbuilder.local"));
    assert_eq!(c.committer().name(), Some("Skill Builder"));
    assert_eq!(c.committer().email(), Some("noreply@skillbuilder.local"));

    // A repo-level identity wins.
    let mut cfg = repo.config().unwrap();
    cfg.set_str("user.name", "Ada Lovelace").unwrap();
    cfg.set_str("user.email", "ada@example.com").unwrap();
    write(&root, "s/SKILL.md", "b\n");
    let sha = history::commit_skill(&app, "s", "s: edited").unwrap();
    let c = repo
        .find_commit(git2::Oid::from_str(&sha).unwrap())
        .unwrap();
    assert_eq!(c.author().name(), Some("Ada Lovelace"));
    assert_eq!(c.author().email(), Some("ada@example.com"));
}

// ---- history ----

#[test]
fn history_is_per_skill_newest_first_with_limit() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "a/SKILL.md", "a1\n");
    history::commit_skill(&app, "a", "a: created").unwrap();
    write(&root, "ab/SKILL.md", "ab1\n");
    history::commit_skill(&app, "ab", "ab: created").unwrap();
    write(&root, "a/references/r.md", "r\n");
    history::commit_skill(&app, "a", "a: step 1 (Research) completed").unwrap();
    write(&root, "b/SKILL.md", "b1\n");
    history::commit_all(&root, "b: created").unwrap();
    write(&root, "a/SKILL.md", "a2\n");
    history::commit_skill(&app, "a", "a: step 2 (Detailed Research) completed").unwrap();

    assert_eq!(
        messages(&app, "a"),
        vec![
            "a: step 2 (Detailed Research) completed",
            "a: step 1 (Research) completed",
            "a: created"
        ]
    );
    assert_eq!(messages(&app, "ab"), vec!["ab: created"]);
    assert_eq!(messages(&app, "b"), vec!["b: created"]);
    assert!(messages(&app, "nobody").is_empty());
    let two = history(&app, "a", Some(2));
    assert_eq!(two.len(), 2);
    assert_eq!(two[0].message, "a: step 2 (Detailed Research) completed");
    assert_eq!(two[0].sha, history::head_sha(&root).unwrap());
    assert!(history(&app, "a", Some(0)).is_empty());
}

#[test]
fn history_without_repo_is_empty() {
    let dir = tempdir();
    let app = support::open_at(dir.path(), |_| {});
    let git = app.skills_path().join(".git");
    if git.exists() {
        fs::remove_dir_all(&git).unwrap();
    }
    assert!(history(&app, "x", None).is_empty());
    assert_eq!(history::head_sha(&app.skills_path()), None);
    let rd = history::refine_diff(&app.skills_path(), "x").unwrap();
    assert_eq!(
        rd,
        RefineDiff {
            stat: "no git repository".into(),
            files: vec![]
        }
    );
    let e = restore(&app, "x", "0123456789abcdef0123456789abcdef01234567").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

// ---- diff ----

#[test]
fn diff_between_two_versions() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "s/SKILL.md", "one\ntwo\n");
    write(&root, "s/references/old.md", "old\n");
    write(&root, "s/bin.dat", "a\0b");
    write(&root, "other/SKILL.md", "x\n");
    let v1 = history::commit_all(&root, "v1").unwrap().unwrap();
    write(&root, "s/SKILL.md", "one\nTWO\n");
    fs::remove_file(root.join("s/references/old.md")).unwrap();
    write(&root, "s/references/new.md", "new\n");
    write(&root, "s/bin.dat", "c\0d");
    write(&root, "other/SKILL.md", "y\n");
    let v2 = history::commit_all(&root, "v2").unwrap().unwrap();

    let d = diff(&app, "s", &v1, &v2).unwrap();
    let summary: Vec<(&str, &str)> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("s/SKILL.md", "modified"),
            ("s/bin.dat", "modified"),
            ("s/references/new.md", "added"),
            ("s/references/old.md", "deleted"),
        ]
    );
    let f = &d.files[0];
    assert_eq!(f.old_content.as_deref(), Some("one\ntwo\n"));
    assert_eq!(f.new_content.as_deref(), Some("one\nTWO\n"));
    assert_eq!(d.files[1].old_content, None, "binary → null");
    assert_eq!(d.files[1].new_content, None, "binary → null");
    assert_eq!(d.files[2].old_content, None);
    assert_eq!(d.files[2].new_content.as_deref(), Some("new\n"));
    assert_eq!(d.files[3].old_content.as_deref(), Some("old\n"));
    assert_eq!(d.files[3].new_content, None);

    // Reverse direction swaps added/deleted; same version → nothing.
    let back = diff(&app, "s", &v2, &v1).unwrap();
    assert_eq!(back.files[2].status, "deleted");
    assert_eq!(back.files[3].status, "added");
    assert!(diff(&app, "s", &v1, &v1).unwrap().files.is_empty());

    // JSON shape (snake_case contract).
    let j = serde_json::to_value(&d).unwrap();
    assert!(j["files"][0].get("old_content").is_some());
    assert!(j["files"][0].get("new_content").is_some());
}

#[test]
fn bad_shas_and_names_are_errors() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "s/SKILL.md", "x\n");
    let v = history::commit_skill(&app, "s", "s: created").unwrap();

    let e = diff(&app, "s", "not-a-sha", &v).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("not-a-sha"), "{}", e.message);

    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let e = diff(&app, "s", &v, unknown).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains(unknown), "{}", e.message);

    let e = restore(&app, "s", unknown).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = restore(&app, "s", "").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);

    // A tree sha is not a commit.
    let repo = git2::Repository::open(&root).unwrap();
    let tree = repo
        .head()
        .unwrap()
        .peel_to_tree()
        .unwrap()
        .id()
        .to_string();
    let e = diff(&app, "s", &tree, &v).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains(&tree), "{}", e.message);

    for bad in ["../etc", "a/b", "", "S", "*", "."] {
        let e = history::get_skill_history(
            &app,
            SkillHistoryArgs {
                workspace_path: None,
                skill_name: bad.into(),
                limit: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
        assert_eq!(
            diff(&app, bad, &v, &v).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            restore(&app, bad, &v).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            history::refine_diff(&root, bad).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(history::commit_skill(&app, bad, "m"), None);
    }

    // A skill absent from that commit cannot be restored from it.
    let first = history(&app, "s", None).last().unwrap().sha.clone();
    let init = {
        let c = repo
            .find_commit(git2::Oid::from_str(&first).unwrap())
            .unwrap();
        c.parent(0).unwrap().id().to_string()
    };
    let e = restore(&app, "s", &init).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(read(&root, "s/SKILL.md"), "x\n", "nothing touched");
}

// ---- restore ----

#[test]
fn restore_is_a_new_commit_matching_the_old_tree() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "s/SKILL.md", "v1\n");
    write(&root, "s/references/kept.md", "k\n");
    write(&root, "s/references/dropped-later.md", "d\n");
    let v1 = history::commit_skill(&app, "s", "s: created").unwrap();
    write(&root, "s/SKILL.md", "v2\n");
    fs::remove_file(root.join("s/references/dropped-later.md")).unwrap();
    write(&root, "s/references/added-later.md", "a\n");
    write(&root, "s/extra/deep/file.md", "deep\n");
    let v2 = history::commit_skill(&app, "s", "s: step 2 (Detailed Research) completed").unwrap();
    // Uncommitted and ignored files in the skill folder.
    write(&root, "s/untracked.md", "u\n");
    write(&root, "s/logs/run.jsonl", "{}\n");
    write(&root, "s/.DS_Store", "junk");
    write(&root, "other/SKILL.md", "o\n");

    let count = commit_count(&root);
    let hist_before = history(&app, "s", None);
    restore(&app, "s", &v1).unwrap();

    assert_eq!(commit_count(&root), count + 1, "one new commit");
    let hist = history(&app, "s", None);
    assert_eq!(hist.len(), hist_before.len() + 1);
    assert_eq!(hist[0].message, format!("s: restored to {}", &v1[..8]));
    assert_eq!(&hist[1..], &hist_before[..], "nothing rewritten");
    let head = history::head_sha(&root).unwrap();
    assert_eq!(hist[0].sha, head);

    // The new commit's skill tree is the old version's.
    let repo = git2::Repository::open(&root).unwrap();
    let tree_of = |sha: &str| {
        repo.find_commit(git2::Oid::from_str(sha).unwrap())
            .unwrap()
            .tree()
            .unwrap()
            .get_path(Path::new("s"))
            .unwrap()
            .id()
    };
    assert_eq!(tree_of(&head), tree_of(&v1));
    assert_ne!(tree_of(&head), tree_of(&v2));
    assert_eq!(
        files_in_commit(&root, "s", &head),
        files_in_commit(&root, "s", &v1)
    );

    // Working tree: old files back, later ones gone, ignored junk kept, other skills untouched.
    assert_eq!(read(&root, "s/SKILL.md"), "v1\n");
    assert_eq!(read(&root, "s/references/dropped-later.md"), "d\n");
    assert!(!root.join("s/references/added-later.md").exists());
    assert!(!root.join("s/extra").exists());
    assert!(!root.join("s/untracked.md").exists());
    assert_eq!(read(&root, "s/logs/run.jsonl"), "{}\n");
    assert!(root.join("s/.DS_Store").exists());
    assert_eq!(read(&root, "other/SKILL.md"), "o\n");
    // The other skill's untracked files are not part of the restore commit.
    assert!(!history::skill_in_head(&root, "other"));

    // Restoring the current version again: no commit.
    restore(&app, "s", &head).unwrap();
    assert_eq!(commit_count(&root), count + 1);

    // Forward again to v2: history keeps growing.
    restore(&app, "s", &v2).unwrap();
    assert_eq!(commit_count(&root), count + 2);
    assert_eq!(read(&root, "s/SKILL.md"), "v2\n");
    assert_eq!(read(&root, "s/extra/deep/file.md"), "deep\n");
    assert_eq!(
        history(&app, "s", Some(1))[0].message,
        format!("s: restored to {}", &v2[..8])
    );
}

#[cfg(unix)]
#[test]
fn exec_bit_and_symlinks_survive_restore() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "s/SKILL.md", "v1\n");
    write(&root, "s/scripts/run.sh", "#!/bin/sh\necho hi\n");
    let script = root.join("s/scripts/run.sh");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("SKILL.md", root.join("s/link.md")).unwrap();
    let v1 = history::commit_skill(&app, "s", "s: created").unwrap();

    fs::remove_file(&script).unwrap();
    fs::remove_file(root.join("s/link.md")).unwrap();
    write(&root, "s/SKILL.md", "v2\n");
    history::commit_skill(&app, "s", "s: edited").unwrap();

    restore(&app, "s", &v1).unwrap();
    let mode = fs::metadata(&script).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "exec bit restored: {mode:o}");
    let link = root.join("s/link.md");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("SKILL.md"));
    // Same tree as v1 (modes included) → the restored commit's tree equals v1's.
    let repo = git2::Repository::open(&root).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    let old = repo
        .find_commit(git2::Oid::from_str(&v1).unwrap())
        .unwrap()
        .tree()
        .unwrap();
    assert_eq!(
        head.get_path(Path::new("s")).unwrap().id(),
        old.get_path(Path::new("s")).unwrap().id()
    );
}

// ---- refine diff ----

#[test]
fn refine_diff_shows_modified_and_untracked_files() {
    let (_d, app) = open();
    let root = app.skills_path();
    write(&root, "s/SKILL.md", "a\nb\nc\n");
    write(&root, "s/references/gone.md", "bye\n");
    write(&root, "t/SKILL.md", "t\n");
    history::commit_all(&root, "base").unwrap().unwrap();

    let none = history::refine_diff(&root, "s").unwrap();
    assert_eq!(none.stat, "no changes");
    assert!(none.files.is_empty());

    write(&root, "s/SKILL.md", "a\nB\nc\nd\n");
    write(&root, "s/references/new.md", "n1\nn2\n");
    fs::remove_file(root.join("s/references/gone.md")).unwrap();
    write(&root, "s/debug.log", "ignored\n");
    fs::create_dir_all(root.join("s/empty-dir")).unwrap();
    write(&root, "t/SKILL.md", "other skill\n");

    let d = history::refine_diff(&root, "s").unwrap();
    let summary: Vec<(&str, &str)> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("s/SKILL.md", "modified"),
            ("s/references/gone.md", "deleted"),
            ("s/references/new.md", "added"),
        ]
    );
    assert_eq!(d.files[0].diff, "@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
    assert_eq!(d.files[1].diff, "@@ -1 +0,0 @@\n-bye\n");
    assert_eq!(d.files[2].diff, "@@ -0,0 +1,2 @@\n+n1\n+n2\n");
    assert_eq!(
        d.stat,
        "3 file(s) changed, 4 insertion(s)(+), 2 deletion(s)(-)"
    );

    // Staged changes count too (index included).
    let repo = git2::Repository::open(&root).unwrap();
    let mut idx = repo.index().unwrap();
    idx.add_path(Path::new("s/references/new.md")).unwrap();
    idx.write().unwrap();
    let d2 = history::refine_diff(&root, "s").unwrap();
    assert_eq!(d2, d);

    // After a commit, nothing left.
    history::commit_skill(&app, "s", "s: refined").unwrap();
    assert_eq!(history::refine_diff(&root, "s").unwrap().stat, "no changes");
}

#[test]
fn build_refine_diff_snapshot_style() {
    let d = history::build_refine_diff(vec![
        (
            "s/z.md".to_string(),
            Some(b"same\n".to_vec()),
            Some(b"same\n".to_vec()),
        ),
        (
            "s/b.md".to_string(),
            Some(b"x\n".to_vec()),
            Some(b"y".to_vec()),
        ),
        ("s/a.md".to_string(), None, Some(b"new\n".to_vec())),
        ("s/bin".to_string(), Some(vec![0, 1]), Some(vec![0, 2])),
    ]);
    let paths: Vec<&str> = d.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["s/a.md", "s/b.md", "s/bin"]);
    assert_eq!(d.files[1].diff, "@@ -1 +1 @@\n-x\n+y\n");
    assert_eq!(d.files[2].status, "modified");
    assert_eq!(
        d.stat,
        "3 file(s) changed, 2 insertion(s)(+), 1 deletion(s)(-)"
    );
    assert_eq!(history::build_refine_diff(vec![]).stat, "no changes");
}

// ---- a whole lifecycle ----

#[test]
fn create_steps_refine_restore_sequence() {
    let (_d, app) = open();
    let root = app.skills_path();
    let skill = "sales-pipeline";

    // create: empty folders only → no commit yet.
    fs::create_dir_all(root.join(skill).join("context")).unwrap();
    fs::create_dir_all(root.join(skill).join("references")).unwrap();
    assert_eq!(
        history::commit_skill(&app, skill, &format!("{skill}: created")),
        None
    );
    assert!(history(&app, skill, None).is_empty());

    // step 0 output.
    write(
        &root,
        &format!("{skill}/context/research.md"),
        "# Research\n",
    );
    let msg = if history::skill_in_head(&root, skill) {
        format!("{skill}: step 1 (Research) completed")
    } else {
        format!("{skill}: created")
    };
    let c_created = history::commit_skill(&app, skill, &msg).unwrap();
    assert_eq!(msg, format!("{skill}: created"));

    // step 2/3 outputs.
    write(
        &root,
        &format!("{skill}/context/decisions.md"),
        "# Decisions\n",
    );
    write(
        &root,
        &format!("{skill}/SKILL.md"),
        "---\nname: sales-pipeline\n---\nv1\n",
    );
    write(&root, &format!("{skill}/references/a.md"), "ref a\n");
    let c_steps = history::commit_skill(
        &app,
        skill,
        &format!("{skill}: steps 3 (Confirm Decisions) and 4 (Generate Skill) completed"),
    )
    .unwrap();
    let v_steps = work_files(&root, skill);

    // refine edit: SKILL.md changed, a new reference, refine diff shows both.
    write(
        &root,
        &format!("{skill}/SKILL.md"),
        "---\nname: sales-pipeline\n---\nv2\n",
    );
    write(&root, &format!("{skill}/references/b.md"), "ref b\n");
    let rd = history::refine_diff(&root, skill).unwrap();
    assert_eq!(
        rd.files
            .iter()
            .map(|f| (f.path.as_str(), f.status.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("sales-pipeline/SKILL.md", "modified"),
            ("sales-pipeline/references/b.md", "added"),
        ]
    );
    assert_eq!(
        rd.stat,
        "2 file(s) changed, 2 insertion(s)(+), 1 deletion(s)(-)"
    );
    let c_refined = history::commit_skill(&app, skill, &format!("{skill}: refined")).unwrap();
    let v_refined = work_files(&root, skill);
    assert_eq!(
        history::refine_diff(&root, skill).unwrap().stat,
        "no changes"
    );

    // restore to the step version.
    restore(&app, skill, &c_steps).unwrap();
    assert_eq!(work_files(&root, skill), v_steps);
    let c_restored = history::head_sha(&root).unwrap();

    let hist = history(&app, skill, None);
    let got: Vec<(&str, &str)> = hist
        .iter()
        .map(|c| (c.sha.as_str(), c.message.as_str()))
        .collect();
    let restored_msg = format!("{skill}: restored to {}", &c_steps[..8]);
    assert_eq!(
        got,
        vec![
            (c_restored.as_str(), restored_msg.as_str()),
            (c_refined.as_str(), "sales-pipeline: refined"),
            (
                c_steps.as_str(),
                "sales-pipeline: steps 3 (Confirm Decisions) and 4 (Generate Skill) completed"
            ),
            (c_created.as_str(), "sales-pipeline: created"),
        ]
    );

    // Contents at each version.
    let names = |sha: &str| -> Vec<String> {
        files_in_commit(&root, skill, sha)
            .into_iter()
            .map(|f| f.0)
            .collect()
    };
    assert_eq!(names(&c_created), vec!["context/research.md"]);
    assert_eq!(
        names(&c_steps),
        vec![
            "SKILL.md",
            "context/decisions.md",
            "context/research.md",
            "references/a.md"
        ]
    );
    assert_eq!(files_in_commit(&root, skill, &c_refined), v_refined);
    assert_eq!(files_in_commit(&root, skill, &c_restored), v_steps);

    // The diff refined → restored undoes the refine edit.
    let d = diff(&app, skill, &c_refined, &c_restored).unwrap();
    assert_eq!(
        d.files
            .iter()
            .map(|f| (f.path.as_str(), f.status.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("sales-pipeline/SKILL.md", "modified"),
            ("sales-pipeline/references/b.md", "deleted"),
        ]
    );
    assert_eq!(
        d.files[0].new_content.as_deref(),
        Some("---\nname: sales-pipeline\n---\nv1\n")
    );
    assert_eq!(
        d.files[0].old_content.as_deref(),
        Some("---\nname: sales-pipeline\n---\nv2\n")
    );
}
