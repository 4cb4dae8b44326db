//! Importing skills from any git URL (issue 17): source repositories built with git2 in temp
//! folders and served as `file://` URLs, driven through `catalog::call` (the path every shell
//! takes). Hostile repositories must be refused with nothing written: the workspace, the
//! library (files and history), the staging areas and the database stay exactly as they were.

use crate::support;

use git2::{ObjectType, Oid, Repository, Signature};
use serde_json::{json, Value};
use skill_builder_core::{catalog, App, ErrorKind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const FILE: i32 = 0o100644;
const EXEC: i32 = 0o100755;
const LINK: i32 = 0o120000;
const TREE: i32 = 0o040000;

/// A tree entry to build: path components, object, mode.
type Entry<'a> = (Vec<&'a str>, Oid, i32);
/// Regular files of a folder: relative path → (bytes, executable).
type Files = BTreeMap<String, (Vec<u8>, bool)>;

/// A bare source repository whose `main` (its HEAD) gets commits built from in-memory trees.
struct Source {
    dir: tempfile::TempDir,
    repo: Repository,
}

impl Source {
    fn new() -> Source {
        support::hermetic_git();
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        Source { dir, repo }
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }

    fn blob(&self, bytes: &[u8]) -> Oid {
        self.repo.blob(bytes).unwrap()
    }

    /// Commits `files` (path, blob, mode) on `main` and returns the commit.
    fn commit(&self, files: &[(&str, Oid, i32)], message: &str) -> Oid {
        let entries: Vec<Entry<'_>> = files
            .iter()
            .map(|(p, o, m)| (p.split('/').collect(), *o, *m))
            .collect();
        let tree = self.repo.find_tree(self.tree(&entries)).unwrap();
        let sig = Signature::now("Source", "source@example.com").unwrap();
        let parent = self
            .repo
            .refname_to_id("refs/heads/main")
            .ok()
            .map(|id| self.repo.find_commit(id).unwrap());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        self.repo
            .commit(
                Some("refs/heads/main"),
                &sig,
                &sig,
                message,
                &tree,
                &parents,
            )
            .unwrap()
    }

    fn tree(&self, entries: &[Entry<'_>]) -> Oid {
        let mut tb = self.repo.treebuilder(None).unwrap();
        let mut folders: BTreeMap<&str, Vec<Entry<'_>>> = BTreeMap::new();
        for (parts, oid, mode) in entries {
            if parts.len() == 1 {
                tb.insert(parts[0], *oid, *mode).unwrap();
            } else {
                folders
                    .entry(parts[0])
                    .or_default()
                    .push((parts[1..].to_vec(), *oid, *mode));
            }
        }
        for (name, sub) in folders {
            tb.insert(name, self.tree(&sub), TREE).unwrap();
        }
        tb.write().unwrap()
    }

    /// Text files (all `100644`).
    fn commit_texts(&self, files: &[(&str, &str)], message: &str) -> Oid {
        let files: Vec<(&str, Oid, i32)> = files
            .iter()
            .map(|(p, t)| (*p, self.blob(t.as_bytes()), FILE))
            .collect();
        self.commit(&files, message)
    }

    fn annotated_tag(&self, name: &str, commit: Oid) {
        let sig = Signature::now("Source", "source@example.com").unwrap();
        let obj = self.repo.find_object(commit, None).unwrap();
        self.repo.tag(name, &obj, &sig, name, false).unwrap();
    }
}

fn skill_md(name: &str, description: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\nversion: 1.0.0\nlicense: MIT\n---\n# {name}\n\nBody.\n")
}

async fn call(app: &Arc<App>, name: &str, args: Value) -> skill_builder_core::Result<Value> {
    catalog::call(app, name, args).await
}

/// Everything an import could change: the files under the workspace skills and the library
/// (staging areas included, `.git` as its HEAD), and the rows of the tables imports write.
fn state(app: &App) -> String {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if e.file_name() == ".git" {
                continue;
            }
            let ty = e.file_type().unwrap();
            if ty.is_dir() {
                out.push(format!("{rel}/"));
                walk(root, &p, out);
            } else {
                let len = std::fs::symlink_metadata(&p).unwrap().len();
                out.push(format!("{rel} {len}"));
            }
        }
    }
    let mut out = Vec::new();
    for root in [
        app.workspace_path().join(".claude/skills"),
        app.skills_path(),
    ] {
        out.push(format!("== {}", root.display()));
        walk(&root, &root, &mut out);
    }
    out.push(format!(
        "library HEAD {:?}",
        skill_builder_core::history::head_sha(&app.skills_path())
    ));
    let conn = app.db.conn();
    for sql in [
        "SELECT skill_name || '|' || disk_path || '|' || IFNULL(content_hash,'') || '|' || IFNULL(marketplace_source_url,'') FROM workspace_skills ORDER BY 1",
        "SELECT skill_name || '|' || disk_path || '|' || IFNULL(content_hash,'') || '|' || IFNULL(marketplace_source_url,'') FROM imported_skills ORDER BY 1",
        "SELECT name || '|' || skill_source FROM skills ORDER BY 1",
        "SELECT target || '|' || skill_name || '|' || commit_sha FROM git_sources ORDER BY 1",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let rows: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.push(format!("{sql}: {rows:?}"));
    }
    out.join("\n")
}

/// Every regular file below `dir`: relative path → (bytes, executable).
fn files_of(dir: &Path) -> Files {
    fn walk(root: &Path, dir: &Path, out: &mut Files) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let ty = e.file_type().unwrap();
            assert!(!ty.is_symlink(), "no link is ever written: {}", p.display());
            if ty.is_dir() {
                walk(root, &p, out);
            } else {
                #[cfg(unix)]
                let exec = {
                    use std::os::unix::fs::PermissionsExt;
                    e.metadata().unwrap().permissions().mode() & 0o111 != 0
                };
                #[cfg(not(unix))]
                let exec = false;
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, (std::fs::read(&p).unwrap(), exec));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Two skills under `skills/` (one with an executable script and a nested reference) and a
/// README; returns the source, its commit and the files of `alpha` as the import must write
/// them.
fn two_skills() -> (Source, Oid, Files) {
    let src = Source::new();
    let alpha_md = skill_md("alpha", "The alpha skill.");
    let script = b"#!/bin/sh\necho alpha\n".to_vec();
    let reference = (0..=255u8).cycle().take(5000).collect::<Vec<u8>>();
    let commit = src.commit(
        &[
            ("README.md", src.blob(b"# Skills\n"), FILE),
            ("skills/alpha/SKILL.md", src.blob(alpha_md.as_bytes()), FILE),
            ("skills/alpha/scripts/run.sh", src.blob(&script), EXEC),
            (
                "skills/alpha/references/deep/data.bin",
                src.blob(&reference),
                FILE,
            ),
            (
                "skills/beta/SKILL.md",
                src.blob(skill_md("beta", "The beta skill.").as_bytes()),
                FILE,
            ),
        ],
        "two skills",
    );
    let expected = BTreeMap::from([
        ("SKILL.md".to_string(), (alpha_md.into_bytes(), false)),
        ("scripts/run.sh".to_string(), (script, cfg!(unix))),
        ("references/deep/data.bin".to_string(), (reference, false)),
    ]);
    (src, commit, expected)
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["skill_name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_then_imports_into_the_workspace_with_identical_files_and_skips_an_unchanged_reimport(
) {
    let (src, commit, alpha_files) = two_skills();
    let (_data, app) = support::open();

    let listed = call(&app, "list_git_skills", json!({"url": src.url()}))
        .await
        .unwrap();
    assert_eq!(listed["commit"], commit.to_string());
    assert_eq!(listed["ref"], "refs/heads/main");
    let skills: Vec<(&str, &str)> = listed["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(skills, [("skills/alpha", "alpha"), ("skills/beta", "beta")]);
    assert_eq!(listed["skills"][0]["description"], "The alpha skill.");

    let v = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "all": true}),
    )
    .await
    .unwrap();
    assert_eq!(v["commit"], commit.to_string());
    assert_eq!(v["target"], "workspace");
    assert_eq!(
        statuses(&v),
        [
            ("alpha".into(), "imported".into()),
            ("beta".into(), "imported".into())
        ]
    );
    let ws = app.workspace_path().join(".claude/skills");
    assert_eq!(
        files_of(&ws.join("alpha")),
        alpha_files,
        "files identical to the source"
    );
    let rows = support::count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM workspace_skills WHERE marketplace_source_url = '{}'",
            src.url()
        ),
    );
    assert_eq!(rows, 2);
    let pinned = support::count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM git_sources WHERE target = 'workspace' AND commit_sha = '{commit}' AND ref_name IS NULL"
        ),
    );
    assert_eq!(pinned, 2, "each import records the pinned commit");
    let claude_md =
        std::fs::read_to_string(app.workspace_path().join(".claude/CLAUDE.md")).unwrap();
    assert!(claude_md.contains("alpha"), "{claude_md}");

    let before = state(&app);
    let again = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "paths": ["skills/alpha", "./skills/beta/"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        statuses(&again),
        [
            ("alpha".into(), "skipped".into()),
            ("beta".into(), "skipped".into())
        ]
    );
    assert_eq!(
        state(&app),
        before,
        "an unchanged re-import changes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_a_marketplace_into_the_library_with_its_history_and_source() {
    let src = Source::new();
    let manifest = json!({
        "name": "Team Skills",
        "owner": {"name": "Team", "email": "t@example.com"},
        "plugins": [
            {"name": "team", "source": "./", "strict": false, "skills": ["./skills/xlsx", "./skills/docx"]},
            {"name": "remote", "source": {"source": "github", "repo": "x/y"}}
        ]
    });
    let commit = src.commit_texts(
        &[
            (".claude-plugin/marketplace.json", &manifest.to_string()),
            ("skills/xlsx/SKILL.md", &skill_md("xlsx", "Spreadsheets.")),
            ("skills/xlsx/LICENSE.txt", "terms\n"),
            ("skills/docx/SKILL.md", &skill_md("docx", "Documents.")),
            ("template/SKILL.md", &skill_md("template", "Not listed.")),
        ],
        "marketplace",
    );
    let (_data, app) = support::open();
    let listed = call(&app, "list_git_skills", json!({"url": src.url()}))
        .await
        .unwrap();
    assert_eq!(listed["registry_name"], "Team Skills");
    let paths: Vec<&str> = listed["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["skills/xlsx", "skills/docx"], "the catalog decides");
    assert_eq!(listed["skills"][0]["plugin_name"], "team");
    assert_eq!(listed["unsupported_sources"], json!(["remote (github)"]));

    let v = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "all": true, "target": "library"}),
    )
    .await
    .unwrap();
    assert_eq!(v["target"], "library");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r["success"] == true && r["status"] == "imported"),
        "{v}"
    );
    let lib = app.skills_path();
    assert_eq!(
        files_of(&lib.join("xlsx")),
        BTreeMap::from([
            (
                "SKILL.md".to_string(),
                (skill_md("xlsx", "Spreadsheets.").into_bytes(), false)
            ),
            ("LICENSE.txt".to_string(), (b"terms\n".to_vec(), false)),
        ])
    );
    assert_eq!(
        support::count(
            &app,
            "SELECT COUNT(*) FROM skills WHERE skill_source = 'marketplace'"
        ),
        2
    );
    assert_eq!(
        support::count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM imported_skills WHERE marketplace_source_url = '{}'",
                src.url()
            )
        ),
        2
    );
    let history = call(&app, "get_skill_history", json!({"skillName": "xlsx"}))
        .await
        .unwrap();
    let message = history[0]["message"].as_str().unwrap();
    assert!(
        message.contains("imported from") && message.contains(&commit.to_string()[..7]),
        "{message}"
    );

    let before = state(&app);
    let again = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "paths": ["skills/docx"], "target": "library"}),
    )
    .await
    .unwrap();
    assert_eq!(again["results"][0]["status"], "skipped", "{again}");
    assert_eq!(state(&app), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_pins_a_tag_or_a_commit() {
    let src = Source::new();
    let first = src.commit_texts(&[("solo/SKILL.md", &skill_md("solo", "First."))], "first");
    src.annotated_tag("v1", first);
    let second = src.commit_texts(&[("solo/SKILL.md", &skill_md("solo", "Second."))], "second");
    let (_data, app) = support::open();
    let list = |r: Option<String>| {
        let app = app.clone();
        let url = src.url();
        async move {
            let mut args = json!({"url": url});
            if let Some(r) = r {
                args["ref"] = json!(r);
            }
            call(&app, "list_git_skills", args).await
        }
    };
    let head = list(None).await.unwrap();
    assert_eq!(head["commit"], second.to_string());
    assert_eq!(head["skills"][0]["description"], "Second.");
    assert_eq!(
        head["skills"][0]["path"], "solo",
        "a skill folder at the root"
    );

    let tagged = list(Some("v1".into())).await.unwrap();
    assert_eq!(
        tagged["commit"],
        first.to_string(),
        "an annotated tag is peeled"
    );
    assert_eq!(tagged["ref"], "refs/tags/v1");
    assert_eq!(tagged["skills"][0]["description"], "First.");

    for id in [first.to_string(), first.to_string()[..8].to_string()] {
        let pinned = list(Some(id.clone())).await.unwrap();
        assert_eq!(pinned["commit"], first.to_string(), "{id}");
    }
    // A plain path borrows the source's objects instead of fetching them.
    let path = src.dir.path().display().to_string();
    for r in [json!(null), json!(&first.to_string()[..8])] {
        let v = call(&app, "list_git_skills", json!({"url": path, "ref": r}))
            .await
            .unwrap();
        let want = if r.is_null() { second } else { first };
        assert_eq!(v["commit"], want.to_string(), "{r}");
    }
    let e = list(Some("no-such-branch".into())).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");

    let v = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "ref": "v1", "paths": ["solo"], "target": "library"}),
    )
    .await
    .unwrap();
    assert_eq!(v["commit"], first.to_string());
    let text = std::fs::read_to_string(app.skills_path().join("solo/SKILL.md")).unwrap();
    assert!(text.contains("First."), "{text}");
    assert_eq!(
        support::count(
            &app,
            &format!("SELECT COUNT(*) FROM git_sources WHERE ref_name = 'v1' AND commit_sha = '{first}' AND path = 'solo'")
        ),
        1
    );
}

/// One pin of a listed skill: `(target, commit, updateAvailable, compared)`.
type Pin = (String, String, bool, String);

/// The listed skills' pins: `(path, pins, updateAvailable)`.
fn pins(listed: &Value) -> Vec<(String, Vec<Pin>, bool)> {
    listed["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let pins = s["imported"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["target"].as_str().unwrap().to_string(),
                        p["commit"].as_str().unwrap().to_string(),
                        p["updateAvailable"].as_bool().unwrap(),
                        p["compared"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let path = s["path"].as_str().unwrap().to_string();
            (path, pins, s["updateAvailable"].as_bool().unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_shows_each_pin_and_an_update_only_when_the_skill_folder_changed() {
    let src = Source::new();
    let first = src.commit_texts(
        &[
            ("skills/alpha/SKILL.md", &skill_md("alpha", "One.")),
            ("skills/beta/SKILL.md", &skill_md("beta", "One.")),
            ("skills/gamma/SKILL.md", &skill_md("gamma", "One.")),
        ],
        "first",
    );
    src.annotated_tag("v1", first);
    let (_data, app) = support::open();
    let list = || call(&app, "list_git_skills", json!({"url": src.url()}));
    let untouched = list().await.unwrap();
    assert!(
        pins(&untouched)
            .iter()
            .all(|(_, p, up)| p.is_empty() && !up),
        "nothing imported yet: {untouched}"
    );
    call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "paths": ["skills/alpha"]}),
    )
    .await
    .unwrap();
    call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "ref": "v1", "paths": ["skills/alpha", "skills/beta"], "target": "library"}),
    )
    .await
    .unwrap();
    let listed = list().await.unwrap();
    let (f, tree) = (first.to_string(), "tree".to_string());
    let pin = |target: &str, commit: &str, up: bool, how: &str| {
        (target.to_string(), commit.to_string(), up, how.to_string())
    };
    assert_eq!(
        pins(&listed),
        [
            (
                "skills/alpha".to_string(),
                vec![
                    pin("workspace", &f, false, &tree),
                    pin("library", &f, false, &tree)
                ],
                false
            ),
            (
                "skills/beta".to_string(),
                vec![pin("library", &f, false, &tree)],
                false
            ),
            ("skills/gamma".to_string(), vec![], false),
        ],
        "{listed}"
    );
    let alpha = &listed["skills"][0]["imported"];
    assert_eq!(alpha[0]["skillName"], "alpha");
    assert_eq!(alpha[0]["ref"], Value::Null, "imported from HEAD");
    assert_eq!(alpha[1]["ref"], "v1");

    // Only alpha's folder changes; the repository moves on around beta.
    let alpha2 = skill_md("alpha", "Two.").replace("1.0.0", "1.1.0");
    let second = src.commit_texts(
        &[
            ("README.md", "# Skills\n"),
            ("skills/alpha/SKILL.md", &alpha2),
            ("skills/beta/SKILL.md", &skill_md("beta", "One.")),
            ("skills/gamma/SKILL.md", &skill_md("gamma", "One.")),
        ],
        "second",
    );
    let moved = list().await.unwrap();
    assert_eq!(moved["commit"], second.to_string());
    assert_eq!(
        pins(&moved)[..2],
        [
            (
                "skills/alpha".to_string(),
                vec![
                    pin("workspace", &f, true, &tree),
                    pin("library", &f, true, &tree)
                ],
                true
            ),
            (
                "skills/beta".to_string(),
                vec![pin("library", &f, false, &tree)],
                false
            ),
        ],
        "beta's folder is the same at the new commit: {moved}"
    );
    // The tag did not move: listed at v1, nothing is behind.
    let at_v1 = call(
        &app,
        "list_git_skills",
        json!({"url": src.url(), "ref": "v1"}),
    )
    .await
    .unwrap();
    assert!(pins(&at_v1).iter().all(|(_, _, up)| !up), "{at_v1}");

    let v = call(
        &app,
        "import_git_skills",
        json!({"url": src.url(), "paths": ["skills/alpha"]}),
    )
    .await
    .unwrap();
    assert_eq!(v["results"][0]["status"], "updated");
    let text = std::fs::read_to_string(app.workspace_path().join(".claude/skills/alpha/SKILL.md"))
        .unwrap();
    assert!(text.contains("Two."), "{text}");
    let after = list().await.unwrap();
    assert_eq!(
        pins(&after)[0].1,
        [
            pin("workspace", &second.to_string(), false, &tree),
            pin("library", &f, true, &tree)
        ],
        "{after}"
    );

    // A pin recorded without a tree id (before migration 7) compares commits.
    app.db
        .conn()
        .execute(
            "UPDATE git_sources SET tree_sha = NULL WHERE skill_name = 'beta'",
            [],
        )
        .unwrap();
    let by_commit = list().await.unwrap();
    assert_eq!(
        pins(&by_commit)[1].1,
        [pin("library", &f, true, "commit")],
        "{by_commit}"
    );
    // A skill deleted since its import is no longer listed as imported.
    call(&app, "delete_skill", json!({"name": "beta"}))
        .await
        .unwrap();
    let gone = list().await.unwrap();
    assert_eq!(pins(&gone)[1].1, [], "{gone}");
}

/// Tries every way in (list, import into the workspace and the library, all or one path)
/// and checks each is refused with `invalid_input` and leaves everything as it was.
async fn assert_refused(app: &Arc<App>, url: &str, path: &str, needle: &str) {
    let before = state(app);
    let e = call(app, "list_git_skills", json!({"url": url}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    assert!(e.message.contains(needle), "{e}");
    for args in [
        json!({"url": url, "all": true}),
        json!({"url": url, "all": true, "target": "library"}),
        json!({"url": url, "paths": [path], "target": "library"}),
    ] {
        let e = call(app, "import_git_skills", args.clone())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{args}: {e}");
        assert!(e.message.contains(needle), "{args}: {e}");
        assert_eq!(state(app), before, "{args}: nothing written");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_out_of_the_repository_or_the_skill_is_refused() {
    let out_of_repo = Source::new();
    out_of_repo.commit(
        &[
            (
                "skills/evil/SKILL.md",
                out_of_repo.blob(skill_md("evil", "Evil.").as_bytes()),
                FILE,
            ),
            (
                "skills/evil/passwd",
                out_of_repo.blob(b"../../../../../../etc/passwd"),
                LINK,
            ),
        ],
        "link out",
    );
    let (_data, app) = support::open();
    assert_refused(
        &app,
        &out_of_repo.url(),
        "skills/evil",
        "outside the repository",
    )
    .await;

    let out_of_skill = Source::new();
    out_of_skill.commit(
        &[
            ("shared/notes.md", out_of_skill.blob(b"shared\n"), FILE),
            (
                "skills/sly/SKILL.md",
                out_of_skill.blob(skill_md("sly", "Sly.").as_bytes()),
                FILE,
            ),
            (
                "skills/sly/notes.md",
                out_of_skill.blob(b"../../shared/notes.md"),
                LINK,
            ),
        ],
        "link out of the skill",
    );
    let before = state(&app);
    for target in ["workspace", "library"] {
        let e = call(
            &app,
            "import_git_skills",
            json!({"url": out_of_skill.url(), "all": true, "target": target}),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
        assert!(e.message.contains("outside the skill folder"), "{e}");
        assert_eq!(state(&app), before);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_of_20000_files_is_refused_before_anything_is_written() {
    let src = Source::new();
    let t = Instant::now();
    let one = src.blob(b"x\n");
    let names: Vec<String> = (0..20_000)
        .map(|i| format!("skills/big/f{i:05}.md"))
        .collect();
    let mut files: Vec<(&str, Oid, i32)> = names.iter().map(|n| (n.as_str(), one, FILE)).collect();
    let md = src.blob(skill_md("big", "Big.").as_bytes());
    files.push(("skills/big/SKILL.md", md, FILE));
    src.commit(&files, "20,000 files");
    eprintln!("building the 20,000-file repository took {:?}", t.elapsed());
    let (_data, app) = support::open();
    let t = Instant::now();
    assert_refused(
        &app,
        &src.url(),
        "skills/big",
        "more than 10000 files and folders",
    )
    .await;
    eprintln!("refusing it 4 times took {:?}", t.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_gib_file_is_refused_from_its_object_header() {
    const SIZE: usize = 2 << 30;
    let src = Source::new();
    let t = Instant::now();
    let big = {
        let odb = src.repo.odb().unwrap();
        let mut w = odb.writer(SIZE, ObjectType::Blob).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..SIZE / zeros.len() {
            w.write_all(&zeros).unwrap();
        }
        w.finalize().unwrap()
    };
    eprintln!("writing the 2 GiB blob took {:?}", t.elapsed());
    let md = src.blob(skill_md("huge", "Huge.").as_bytes());
    src.commit(
        &[
            ("skills/huge/SKILL.md", md, FILE),
            ("skills/huge/data.bin", big, FILE),
        ],
        "a 2 GiB file",
    );
    let (_data, app) = support::open();
    let t = Instant::now();
    let needle = format!("'skills/huge/data.bin' is {SIZE} bytes");
    // A plain path: its objects are borrowed, so the blob is judged by its header alone (a
    // `file://` fetch would inflate and repack the 2 GiB through libgit2's local transport).
    let path = src.dir.path().display().to_string();
    assert_refused(&app, &path, "skills/huge", &needle).await;
    eprintln!("refusing it 4 times took {:?}", t.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotdot_or_absolute_paths_in_marketplace_json_refuse_the_whole_import() {
    let (_data, app) = support::open();
    for (key, plugin) in [
        (
            "plugins[0].skills[1]",
            json!({"name": "p", "source": "./", "skills": ["./skills/ok", "./skills/../../outside"]}),
        ),
        (
            "plugins[0].source",
            json!({"name": "p", "source": "../other-repo"}),
        ),
        ("plugins[0].source", json!({"name": "p", "source": "/etc"})),
    ] {
        let src = Source::new();
        src.commit_texts(
            &[
                (
                    ".claude-plugin/marketplace.json",
                    &json!({"name": "m", "plugins": [plugin]}).to_string(),
                ),
                ("skills/ok/SKILL.md", &skill_md("ok", "Fine on its own.")),
            ],
            "catalog",
        );
        assert_refused(&app, &src.url(), "skills/ok", key).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_are_refused_before_fetching() {
    let (_data, app) = support::open();
    let (src, ..) = two_skills();
    for (args, kind) in [
        (json!({"url": src.url()}), ErrorKind::InvalidInput),
        (
            json!({"url": src.url(), "all": true, "paths": ["skills/alpha"]}),
            ErrorKind::InvalidInput,
        ),
        (
            json!({"url": src.url(), "all": true, "target": "elsewhere"}),
            ErrorKind::InvalidInput,
        ),
        (json!({"url": "", "all": true}), ErrorKind::InvalidInput),
        (
            json!({"url": src.url(), "paths": ["skills/../x"]}),
            ErrorKind::InvalidInput,
        ),
        (
            json!({"url": src.url(), "paths": ["skills/nope"]}),
            ErrorKind::NotFound,
        ),
    ] {
        let e = call(&app, "import_git_skills", args.clone())
            .await
            .unwrap_err();
        assert_eq!(e.kind, kind, "{args}: {e}");
    }
    let gone = format!("file://{}/missing", src.dir.path().display());
    let e = call(&app, "list_git_skills", json!({"url": gone}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::NotFound | ErrorKind::Network | ErrorKind::Io
        ),
        "{e}"
    );
}
