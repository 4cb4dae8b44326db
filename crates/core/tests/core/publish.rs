//! Publishing the library through git (issue 17): `publish_library` to a local bare repository
//! over `file://`, a teammate working in a `git clone` of it, merges, conflicts, `pull`.
//! The git CLI plays the teammate; the app only ever uses libgit2.

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::{catalog, history, App, ErrorKind};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

// ---- helpers ----

fn open(dir: &Path) -> Arc<App> {
    support::open_at(dir, |_| {})
}

/// Runs the git CLI in `dir` with a fixed identity and no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Teammate",
            "-c",
            "user.email=teammate@example.com",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("the git CLI is needed by these tests (apt-get install git)");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository on `main`, and its `file://` URL.
fn bare_remote(parent: &Path) -> (PathBuf, String) {
    let bare = parent.join("team-skills.git");
    fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "--bare", "-q", "-b", "main"]);
    let url = format!("file://{}", bare.display());
    (bare, url)
}

fn clone(url: &str, into: &Path) -> PathBuf {
    git(
        into.parent().unwrap(),
        &["clone", "-q", url, &into.to_string_lossy()],
    );
    into.to_path_buf()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn skill_md(name: &str, description: &str, body: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\n---\n{body}\n")
}

async fn call(app: &Arc<App>, name: &str, args: Value) -> skill_builder_core::Result<Value> {
    catalog::call(app, name, args).await
}

/// A library skill (a row and a folder) with deployable files and its sources, committed.
async fn library_skill(app: &Arc<App>, name: &str) {
    call(app, "create_skill", json!({"name": name}))
        .await
        .unwrap();
    let dir = app.skills_path().join(name);
    write(
        &dir,
        "SKILL.md",
        &skill_md(name, &format!("{name} skill"), "v1"),
    );
    write(&dir, "references/guide.md", "guide");
    write(&dir, "context/decisions.md", "why we chose this");
    write(&dir, "evals/evals.json", "{\"evals\":[]}");
    history::commit_skill_at(&app.skills_path(), name, &format!("{name}: created")).unwrap();
}

/// Our own edit of a skill's SKILL.md, committed like the app commits.
fn edit(app: &App, name: &str, description: &str, body: &str) {
    let root = app.skills_path();
    write(
        &root.join(name),
        "SKILL.md",
        &skill_md(name, description, body),
    );
    history::commit_skill_at(&root, name, &format!("{name}: edited")).unwrap();
}

/// A teammate's change in their clone: files written, committed and pushed.
fn teammate_pushes(clone: &Path, files: &[(&str, &str)], message: &str) {
    git(clone, &["pull", "-q", "--no-rebase", "origin", "main"]);
    for (rel, text) in files {
        write(clone, rel, text);
    }
    git(clone, &["add", "-A"]);
    git(clone, &["commit", "-q", "-m", message]);
    git(clone, &["push", "-q", "origin", "main"]);
}

async fn publish(app: &Arc<App>, args: Value) -> skill_builder_core::Result<Value> {
    call(app, "publish_library", args).await
}

/// Every file under `dir` (`.git` left out), path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_name() == ".git" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn remote_head(bare: &Path) -> String {
    git(bare, &["rev-parse", "refs/heads/main"])
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

async fn library(app: &Arc<App>) -> Value {
    let mut skills = call(app, "list_skills", json!({})).await.unwrap();
    skills
        .as_array_mut()
        .unwrap()
        .sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    skills
}

fn description_of(list: &Value, name: &str) -> Option<String> {
    list.as_array()?
        .iter()
        .find(|s| s["name"] == name)?
        .get("description")?
        .as_str()
        .map(str::to_string)
}

/// A library with `alpha` and `beta` published to a new bare remote, and a teammate's clone.
struct Team {
    _tmp: tempfile::TempDir,
    app: Arc<App>,
    bare: PathBuf,
    url: String,
    mate: PathBuf,
}

async fn published_team() -> Team {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(&tmp.path().join("data"));
    library_skill(&app, "alpha").await;
    library_skill(&app, "beta").await;
    let (bare, url) = bare_remote(tmp.path());
    publish(&app, json!({"remote": url})).await.unwrap();
    let mate = clone(&url, &tmp.path().join("mate"));
    Team {
        _tmp: tmp,
        app,
        bare,
        url,
        mate,
    }
}

// ---- tests ----

#[tokio::test]
async fn publish_lists_every_skill_in_marketplace_json_and_a_clone_has_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(&tmp.path().join("data"));
    library_skill(&app, "alpha").await;
    library_skill(&app, "beta").await;
    // In the library but never built: no SKILL.md, so not listed.
    call(&app, "create_skill", json!({"name": "draft"}))
        .await
        .unwrap();
    let (bare, url) = bare_remote(tmp.path());

    let r = publish(&app, json!({"remote": url})).await.unwrap();
    assert_eq!(r["branch"], "main");
    assert_eq!(r["pushed"], true);
    assert_eq!(r["merged"], false);
    assert_eq!(names(&r["skills"]), ["alpha", "beta"]);
    let head = history::head_sha(&app.skills_path()).unwrap();
    assert_eq!(r["commit"], head.as_str());
    assert_eq!(remote_head(&bare), head, "the remote's main is our HEAD");

    let copy = clone(&url, &tmp.path().join("copy"));
    let m: Value =
        serde_json::from_slice(&fs::read(copy.join(".claude-plugin/marketplace.json")).unwrap())
            .unwrap();
    assert_eq!(m["name"], "team-skills", "named after the repository");
    assert!(m["owner"]["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(m["owner"]["email"]
        .as_str()
        .is_some_and(|s| s.contains('@')));
    assert!(m["metadata"]["description"].is_string());
    let plugins = m["plugins"].as_array().unwrap();
    assert_eq!(plugins.len(), 1);
    assert_eq!(plugins[0]["name"], "team-skills");
    assert!(plugins[0]["description"].is_string());
    assert_eq!(plugins[0]["source"], "./");
    assert_eq!(plugins[0]["strict"], false);
    assert_eq!(plugins[0]["skills"], json!(["./alpha", "./beta"]));
    for s in names(&plugins[0]["skills"]) {
        assert!(
            copy.join(&s).join("SKILL.md").is_file(),
            "{s} has a SKILL.md"
        );
    }

    let ours = files(&app.skills_path());
    let theirs = files(&copy);
    assert_eq!(
        ours, theirs,
        "the clone holds the library's files byte for byte"
    );
    assert!(theirs.contains_key("alpha/context/decisions.md"));
    assert!(theirs.contains_key("alpha/evals/evals.json"));

    // Nothing new: no commit, nothing pushed; the remote was saved as origin.
    let again = publish(&app, json!({})).await.unwrap();
    assert_eq!(again["pushed"], false);
    assert_eq!(again["commit"], head.as_str());
    assert_eq!(history::origin_url(&app.skills_path()).unwrap(), Some(url));
}

#[tokio::test]
async fn a_teammates_change_to_another_skill_is_merged_when_publishing() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[(
            "beta/SKILL.md",
            &skill_md("beta", "beta by the team", "v2 from mate"),
        )],
        "beta: improved",
    );
    edit(&t.app, "alpha", "alpha skill", "v2 from us");
    let before = history::head_sha(&t.app.skills_path()).unwrap();

    let r = publish(&t.app, json!({})).await.unwrap();
    assert_eq!(r["pushed"], true);
    assert_eq!(r["merged"], true);
    assert_eq!(names(&r["pulledSkills"]), ["beta"]);

    let root = t.app.skills_path();
    let local = |rel: &str| fs::read_to_string(root.join(rel)).unwrap();
    assert!(local("alpha/SKILL.md").contains("v2 from us"));
    assert!(local("beta/SKILL.md").contains("v2 from mate"));
    let head = history::head_sha(&root).unwrap();
    assert_eq!(remote_head(&t.bare), head);
    assert_eq!(r["commit"], head.as_str());
    // Our commit and the teammate's are both ancestors: nothing was rewritten.
    let mate_commit = git(&t.mate, &["rev-parse", "HEAD"]);
    git(&t.bare, &["merge-base", "--is-ancestor", &before, &head]);
    git(
        &t.bare,
        &["merge-base", "--is-ancestor", &mate_commit, &head],
    );

    let fresh = clone(&t.url, &t.mate.parent().unwrap().join("fresh"));
    let text = |rel: &str| fs::read_to_string(fresh.join(rel)).unwrap();
    assert!(text("alpha/SKILL.md").contains("v2 from us"));
    assert!(text("beta/SKILL.md").contains("v2 from mate"));
    assert_eq!(files(&fresh), files(&root), "remote and library agree");

    let list = library(&t.app).await;
    assert_eq!(
        description_of(&list, "beta").as_deref(),
        Some("beta by the team"),
        "a changed skill's row follows its SKILL.md"
    );
}

#[tokio::test]
async fn both_sides_changing_one_skill_is_a_conflict_that_changes_nothing_here() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[(
            "alpha/SKILL.md",
            &skill_md("alpha", "theirs", "their alpha"),
        )],
        "alpha: theirs",
    );
    edit(&t.app, "alpha", "ours", "our alpha");
    let root = t.app.skills_path();
    let head = history::head_sha(&root).unwrap();
    let disk = files(&root);
    let rows = library(&t.app).await;
    let remote = remote_head(&t.bare);

    for args in [json!({}), json!({"pull": true})] {
        let e = publish(&t.app, args.clone()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{args}: {e}");
        assert!(
            e.message.contains("alpha"),
            "names the skill: {}",
            e.message
        );
        assert!(!e.message.contains("beta"), "{}", e.message);
        assert_eq!(history::head_sha(&root).unwrap(), head, "{args}: HEAD kept");
        assert_eq!(files(&root), disk, "{args}: files kept");
        assert_eq!(library(&t.app).await, rows, "{args}: database kept");
        assert_eq!(remote_head(&t.bare), remote, "{args}: remote kept");
    }
    assert!(fs::read_to_string(root.join("alpha/SKILL.md"))
        .unwrap()
        .contains("our alpha"));
}

#[tokio::test]
async fn pull_brings_a_teammates_new_skill_into_the_library() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[
            (
                "gamma/SKILL.md",
                &skill_md("gamma", "gamma from the team", "g"),
            ),
            ("gamma/context/decisions.md", "their notes"),
        ],
        "gamma: created",
    );
    let remote = remote_head(&t.bare);
    let r = publish(&t.app, json!({"pull": true})).await.unwrap();
    assert_eq!(r["pushed"], false);
    assert_eq!(r["merged"], true);
    assert_eq!(names(&r["pulledSkills"]), ["gamma"]);
    assert_eq!(names(&r["skills"]), ["alpha", "beta", "gamma"]);
    assert_eq!(remote_head(&t.bare), remote, "a pull pushes nothing");
    let root = t.app.skills_path();
    assert_eq!(
        fs::read_to_string(root.join("gamma/context/decisions.md")).unwrap(),
        "their notes"
    );
    let list = library(&t.app).await;
    assert_eq!(
        description_of(&list, "gamma").as_deref(),
        Some("gamma from the team"),
        "the new skill is in the library: {list}"
    );
    assert_eq!(history::head_sha(&root).unwrap(), remote, "a fast-forward");

    // A second library that has never published takes everything (unrelated histories).
    let tmp2 = tempfile::tempdir().unwrap();
    let other = open(tmp2.path());
    let r2 = publish(&other, json!({"remote": t.url, "pull": true}))
        .await
        .unwrap();
    assert_eq!(names(&r2["pulledSkills"]), ["alpha", "beta", "gamma"]);
    let list2: Vec<String> = library(&other)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(list2, ["alpha", "beta", "gamma"]);
    assert_eq!(
        fs::read(other.skills_path().join("beta/SKILL.md")).unwrap(),
        fs::read(root.join("beta/SKILL.md")).unwrap()
    );
}

#[tokio::test]
async fn a_skill_held_by_another_instance_is_not_merged() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[("beta/SKILL.md", &skill_md("beta", "beta", "v2 from mate"))],
        "beta: improved",
    );
    // A second instance on the same data folder (this process is alive) edits beta.
    let other = open(&t.app.paths.data_dir);
    skill_builder_core::locks::acquire(&other, "beta").unwrap();
    let head = history::head_sha(&t.app.skills_path()).unwrap();
    let remote = remote_head(&t.bare);
    for args in [json!({"pull": true}), json!({})] {
        let e = publish(&t.app, args.clone()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Locked, "{args}: {e}");
        assert!(e.message.contains("beta"), "{}", e.message);
        assert_eq!(history::head_sha(&t.app.skills_path()).unwrap(), head);
        assert_eq!(remote_head(&t.bare), remote, "{args}: nothing pushed");
        assert!(
            !fs::read_to_string(t.app.skills_path().join("beta/SKILL.md"))
                .unwrap()
                .contains("from mate")
        );
    }
}

#[tokio::test]
async fn publish_without_a_remote_is_invalid_input() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path());
    let e = publish(&app, json!({})).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("--remote"), "{}", e.message);
    let e = publish(&app, json!({"remote": "file:///nowhere", "branch": "a..b"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "a bad branch name: {e}");
}

#[tokio::test]
async fn the_token_never_appears_in_an_error_and_a_failed_push_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path());
    library_skill(&app, "alpha").await;
    let token = "gho_publishTestToken1234567890";
    skill_builder_core::settings::update(&app, |s| s.github_oauth_token = Some(token.into()))
        .unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let root = app.skills_path();
    let head = history::head_sha(&root).unwrap();
    let in_url = "s3cretInUrl42";
    for url in [
        format!("https://127.0.0.1:{port}/team/skills.git"),
        format!("https://x-access-token:{in_url}@127.0.0.1:{port}/team/skills.git"),
    ] {
        let e = publish(&app, json!({"remote": url})).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Network, "{e}");
        assert!(e.message.contains("127.0.0.1"), "says where: {}", e.message);
        assert!(!e.message.contains(token), "{}", e.message);
        assert!(!e.message.contains(in_url), "{}", e.message);
        assert_eq!(history::head_sha(&root).unwrap(), head, "no local commit");
        assert!(!root.join(".claude-plugin").exists(), "no file written");
        assert_eq!(
            history::origin_url(&root).unwrap(),
            None,
            "a failed URL is not saved"
        );
    }
}

#[tokio::test]
async fn a_new_repository_is_on_main_and_an_existing_one_on_master_publishes_to_main() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = open(&tmp.path().join("fresh"));
    history::ensure_repo(&fresh.skills_path()).unwrap();
    assert_eq!(
        git(&fresh.skills_path(), &["symbolic-ref", "HEAD"]),
        "refs/heads/main"
    );

    let data = tmp.path().join("old");
    let skills = data.join("skills");
    fs::create_dir_all(&skills).unwrap();
    git(&skills, &["init", "-q", "-b", "master"]);
    let app = open(&data);
    library_skill(&app, "alpha").await;
    let (bare, url) = bare_remote(tmp.path());
    let r = publish(&app, json!({"remote": url})).await.unwrap();
    assert_eq!(r["pushed"], true);
    assert_eq!(git(&skills, &["symbolic-ref", "HEAD"]), "refs/heads/master");
    assert_eq!(remote_head(&bare), git(&skills, &["rev-parse", "HEAD"]));
}

#[tokio::test]
async fn uncommitted_edits_in_a_skill_the_remote_changed_stop_pull_and_publish() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[("beta/SKILL.md", &skill_md("beta", "beta", "v2 from mate"))],
        "beta: improved",
    );
    let root = t.app.skills_path();
    // An edit not committed yet (an agent at work, a hand edit).
    write(&root.join("beta"), "references/draft.md", "half written");
    let head = history::head_sha(&root).unwrap();
    let disk = files(&root);
    let remote = remote_head(&t.bare);
    for args in [json!({"pull": true}), json!({})] {
        let e = publish(&t.app, args.clone()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{args}: {e}");
        assert!(e.message.contains("beta"), "{}", e.message);
        assert_eq!(history::head_sha(&root).unwrap(), head, "{args}");
        assert_eq!(
            files(&root),
            disk,
            "{args}: the draft and the old SKILL.md are kept"
        );
        assert_eq!(remote_head(&t.bare), remote, "{args}: nothing pushed");
    }
}

#[tokio::test]
async fn when_the_library_cannot_take_a_pulled_skill_the_merge_is_undone() {
    let t = published_team().await;
    teammate_pushes(
        &t.mate,
        &[
            ("gamma/SKILL.md", &skill_md("gamma", "gamma", "g")),
            (
                "beta/SKILL.md",
                &skill_md("beta", "beta by the team", "v2 from mate"),
            ),
        ],
        "gamma and beta",
    );
    // The workspace folder gamma needs is blocked by a file: adding gamma to the library fails.
    write(&t.app.workspace_path(), "gamma", "not a folder");
    let root = t.app.skills_path();
    let head = history::head_sha(&root).unwrap();
    let disk = files(&root);
    let rows = library(&t.app).await;
    let e = publish(&t.app, json!({"pull": true})).await.unwrap_err();
    assert_ne!(e.kind, ErrorKind::Conflict, "{e}");
    assert!(e.message.contains("gamma"), "{}", e.message);
    assert!(e.message.contains("nothing was changed"), "{}", e.message);
    assert_eq!(history::head_sha(&root).unwrap(), head, "HEAD back");
    assert_eq!(files(&root), disk, "gamma removed, beta as it was");
    assert!(!root.join("gamma").exists());
    assert_eq!(library(&t.app).await, rows, "no row left behind");
}

#[tokio::test]
async fn a_skill_deleted_on_the_remote_is_reported_and_its_folder_goes() {
    let t = published_team().await;
    git(&t.mate, &["rm", "-r", "-q", "beta"]);
    git(&t.mate, &["commit", "-q", "-m", "beta: deleted"]);
    git(&t.mate, &["push", "-q", "origin", "main"]);
    let r = publish(&t.app, json!({"pull": true})).await.unwrap();
    assert_eq!(names(&r["removedSkills"]), ["beta"]);
    assert_eq!(names(&r["pulledSkills"]), Vec::<String>::new());
    assert!(!t.app.skills_path().join("beta").exists());
    assert!(t.app.skills_path().join("alpha/SKILL.md").is_file());
    // The next publish lists what is left.
    let r = publish(&t.app, json!({})).await.unwrap();
    assert_eq!(names(&r["skills"]), ["alpha"]);
}
