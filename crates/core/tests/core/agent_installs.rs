//! Installs into agents (issue 17) with a temporary home (the apps' `HOME` option): the folders
//! of each agent and scope, deployable files only, sync, hand edits, foreign folders and
//! uninstall. The tests share that home, so each uses its own skill names.

use crate::support;

use skill_builder_core::history::{self, RestoreSkillVersionArgs};
use skill_builder_core::installs::{
    self, InstallState, InstallToAgentArgs, ListAgentInstallsArgs, PlacementArgs,
    SyncAgentInstallsArgs, SyncOutcome, UninstallFromAgentArgs,
};
use skill_builder_core::{db, App, ErrorKind};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The temporary home of these tests (the apps' `HOME` option).
fn home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        fs::canonicalize(dir).unwrap()
    })
}

fn open() -> (tempfile::TempDir, Arc<App>) {
    support::open_with(|o| o.home = Some(home().to_path_buf()))
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A library skill with deployable files plus everything an install must leave out, committed.
fn library_skill(app: &App, name: &str) -> PathBuf {
    let dir = app.skills_path().join(name);
    write(
        &dir,
        "SKILL.md",
        &format!("---\nname: {name}\ndescription: test skill\n---\nv1\n"),
    );
    write(&dir, "references/guide.md", "guide");
    write(&dir, "scripts/x.sh", "#!/bin/sh\necho hi\n");
    write(&dir, "context/decisions.md", "private notes");
    write(&dir, "evals/evals.json", "[]");
    write(&dir, "logs/step0.jsonl", "{}");
    write(&dir, ".DS_Store", "junk");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.join("scripts/x.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("references/link.md")).unwrap();
    }
    history::commit_skill_at(&app.skills_path(), name, &format!("{name}: created")).unwrap();
    dir
}

/// Changes the library skill and commits the change; returns the new commit.
fn change_library(app: &App, name: &str, text: &str) -> String {
    write(&app.skills_path().join(name), "SKILL.md", text);
    history::commit_skill_at(&app.skills_path(), name, &format!("{name}: edited"))
        .unwrap()
        .expect("a commit")
}

fn placement(agent: &str, project: Option<&Path>, dir: Option<&Path>) -> PlacementArgs {
    PlacementArgs {
        agent: Some(agent.to_string()),
        project_path: project.map(|p| p.to_string_lossy().into_owned()),
        dir: dir.map(|p| p.to_string_lossy().into_owned()),
    }
}

fn install(
    app: &App,
    name: &str,
    p: PlacementArgs,
    force: bool,
) -> skill_builder_core::Result<installs::InstallResult> {
    installs::install_to_agent(
        app,
        InstallToAgentArgs {
            skill_name: name.into(),
            placement: p,
            force: Some(force),
        },
    )
}

fn uninstall(
    app: &App,
    name: &str,
    p: PlacementArgs,
    force: bool,
) -> skill_builder_core::Result<installs::UninstallResult> {
    installs::uninstall_from_agent(
        app,
        UninstallFromAgentArgs {
            skill_name: name.into(),
            placement: p,
            force: Some(force),
        },
    )
}

fn list(app: &App, name: &str) -> Vec<installs::AgentInstall> {
    installs::list_agent_installs(
        app,
        ListAgentInstallsArgs {
            skill_name: Some(name.into()),
        },
    )
    .unwrap()
}

fn sync(app: &App, name: &str, force: bool) -> Vec<installs::SyncResult> {
    installs::sync_agent_installs(
        app,
        SyncAgentInstallsArgs {
            skill_name: Some(name.into()),
            force: Some(force),
        },
    )
    .unwrap()
}

/// Every entry under `dir` (files and links, `/`-separated), sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                walk(root, &e.path(), out);
            } else {
                let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

const DEPLOYED: [&str; 3] = ["SKILL.md", "references/guide.md", "scripts/x.sh"];

/// No staging or replaced-copy folder of the app is left in an agent's skills folder.
fn no_leftovers(root: &Path) {
    for e in fs::read_dir(root).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".skill-builder-"), "leftover {name}");
    }
}

#[test]
fn installs_for_each_agent_and_scope_land_in_the_right_folder_with_only_deployable_files() {
    let (_d, app) = open();
    let name = "placed-skill";
    library_skill(&app, name);
    let project = tempfile::tempdir().unwrap();
    let project = fs::canonicalize(project.path()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let version = history::skill_history(&app.skills_path(), name, 1).unwrap()[0]
        .sha
        .clone();
    let cases: Vec<(PlacementArgs, PathBuf, &str)> = vec![
        (
            placement("claude-code", None, None),
            home().join(".claude/skills"),
            "user",
        ),
        (
            placement("claude-code", Some(&project), None),
            project.join(".claude/skills"),
            "project",
        ),
        (
            placement("codex", None, None),
            home().join(".agents/skills"),
            "user",
        ),
        (
            placement("codex", Some(&project), None),
            project.join(".agents/skills"),
            "project",
        ),
        (
            placement("copilot", None, None),
            home().join(".copilot/skills"),
            "user",
        ),
        (
            placement("copilot", Some(&project), None),
            project.join(".github/skills"),
            "project",
        ),
        (
            placement("cursor", None, Some(other.path())),
            other.path().to_path_buf(),
            "dir",
        ),
    ];
    for (p, root, scope) in cases {
        let agent = p.agent.clone().unwrap();
        let r = install(&app, name, p, false).unwrap();
        let folder = root.join(name);
        assert_eq!(PathBuf::from(&r.install.path), folder, "{agent} {scope}");
        assert_eq!(tree(&folder), DEPLOYED, "{agent} {scope}");
        no_leftovers(&root);
        let row = list(&app, name)
            .into_iter()
            .find(|i| Path::new(&i.path) == folder)
            .expect("recorded");
        assert_eq!(row.agent, agent);
        assert_eq!(serde_json::to_value(row.scope).unwrap(), scope);
        assert_eq!(row.state, InstallState::Current);
        assert_eq!(row.version.as_deref(), Some(version.as_str()));
        assert_eq!(row.content_hash.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(folder.join("scripts/x.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "the script stays executable");
        }
    }
    assert_eq!(list(&app, name).len(), 7);
}

#[test]
fn sync_brings_installs_to_the_library_version() {
    let (_d, app) = open();
    let name = "synced-skill";
    library_skill(&app, name);
    let dir = tempfile::tempdir().unwrap();
    install(&app, name, placement("claude-code", None, None), false).unwrap();
    install(&app, name, placement("x", None, Some(dir.path())), false).unwrap();
    let new_sha = change_library(&app, name, "---\nname: synced-skill\n---\nv2\n");
    write(&app.skills_path().join(name), "references/new.md", "new");
    history::commit_skill_at(&app.skills_path(), name, "more").unwrap();
    let states: Vec<_> = list(&app, name).iter().map(|i| i.state).collect();
    assert_eq!(states, [InstallState::Outdated; 2]);

    let report = sync(&app, name, false);
    assert_eq!(report.len(), 2);
    assert!(
        report.iter().all(|r| r.outcome == SyncOutcome::Updated),
        "{report:?}"
    );
    for folder in [
        home().join(".claude/skills").join(name),
        dir.path().join(name),
    ] {
        assert!(fs::read_to_string(folder.join("SKILL.md"))
            .unwrap()
            .contains("v2"));
        assert_eq!(
            fs::read_to_string(folder.join("references/new.md")).unwrap(),
            "new"
        );
        no_leftovers(folder.parent().unwrap());
    }
    let rows = list(&app, name);
    assert!(rows.iter().all(|i| i.state == InstallState::Current));
    let head = history::skill_history(&app.skills_path(), name, 1).unwrap()[0]
        .sha
        .clone();
    assert_ne!(head, new_sha);
    assert!(rows
        .iter()
        .all(|i| i.version.as_deref() == Some(head.as_str())));
    // A second sync has nothing to do.
    assert!(sync(&app, name, false)
        .iter()
        .all(|r| r.outcome == SyncOutcome::UpToDate));
}

#[test]
fn a_hand_edited_copy_is_reported_not_overwritten_and_force_backs_it_up() {
    let (data, app) = open();
    let name = "edited-skill";
    library_skill(&app, name);
    install(&app, name, placement("codex", None, None), false).unwrap();
    let folder = home().join(".agents/skills").join(name);
    write(&folder, "SKILL.md", "my own edit");
    change_library(&app, name, "---\nname: edited-skill\n---\nv2\n");
    assert_eq!(list(&app, name)[0].state, InstallState::ChangedByHand);

    let report = sync(&app, name, false);
    assert_eq!(report[0].outcome, SyncOutcome::ChangedByHand);
    assert!(report[0].message.as_deref().unwrap().contains("--force"));
    assert_eq!(
        fs::read_to_string(folder.join("SKILL.md")).unwrap(),
        "my own edit"
    );
    let e = install(&app, name, placement("codex", None, None), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("--force"), "{e}");
    let e = uninstall(&app, name, placement("codex", None, None), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        fs::read_to_string(folder.join("SKILL.md")).unwrap(),
        "my own edit"
    );

    let report = sync(&app, name, true);
    assert_eq!(report[0].outcome, SyncOutcome::Replaced);
    let backup = PathBuf::from(report[0].backup.as_deref().expect("a backup"));
    assert!(backup.starts_with(data.path().join("install-backups")));
    assert!(backup.ends_with(Path::new("codex").join(name)));
    assert_eq!(
        fs::read_to_string(backup.join("SKILL.md")).unwrap(),
        "my own edit"
    );
    assert!(fs::read_to_string(folder.join("SKILL.md"))
        .unwrap()
        .contains("v2"));
    assert_eq!(list(&app, name)[0].state, InstallState::Current);
}

#[test]
fn files_added_to_a_copy_count_as_hand_changes() {
    let (_d, app) = open();
    let name = "added-to-skill";
    library_skill(&app, name);
    let dir = tempfile::tempdir().unwrap();
    install(&app, name, placement("x", None, Some(dir.path())), false).unwrap();
    let folder = dir.path().join(name);
    // Junk a file manager leaves is not a change; notes in context/ are.
    write(&folder, ".DS_Store", "finder");
    assert_eq!(list(&app, name)[0].state, InstallState::Current);
    write(&folder, "context/mine.md", "notes");
    assert_eq!(list(&app, name)[0].state, InstallState::ChangedByHand);
    let e = uninstall(&app, name, placement("x", None, Some(dir.path())), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(folder.join("context/mine.md").exists());
}

#[test]
fn a_foreign_folder_is_never_changed_or_removed() {
    let (_d, app) = open();
    let name = "foreign-skill";
    library_skill(&app, name);
    let root = home().join(".claude/skills");
    write(&root.join(name), "SKILL.md", "someone else's");
    write(&root.join(name), "notes.txt", "theirs");
    let before = tree(&root.join(name));
    for force in [false, true] {
        let e = install(&app, name, placement("claude-code", None, None), force).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(
            e.message.contains("was not installed by Skill Builder"),
            "{e}"
        );
        assert!(e.message.contains("Remove or rename"), "{e}");
        let e = uninstall(&app, name, placement("claude-code", None, None), force).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
    }
    assert_eq!(tree(&root.join(name)), before);
    assert_eq!(
        fs::read_to_string(root.join(name).join("SKILL.md")).unwrap(),
        "someone else's"
    );
    no_leftovers(&root);
    assert!(list(&app, name).is_empty());
}

#[cfg(unix)]
#[test]
fn a_link_where_the_copy_would_go_is_left_alone_and_nothing_is_written_through_it() {
    let (_d, app) = open();
    let name = "linked-skill";
    library_skill(&app, name);
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write(elsewhere.path(), "keep.txt", "keep");
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(name)).unwrap();
    let e = install(&app, name, placement("x", None, Some(dir.path())), true).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(fs::symlink_metadata(dir.path().join(name))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(tree(elsewhere.path()), ["keep.txt"]);
}

#[test]
fn uninstall_removes_only_what_was_installed() {
    let (data, app) = open();
    let name = "removed-skill";
    library_skill(&app, name);
    let project = tempfile::tempdir().unwrap();
    let p = || placement("copilot", Some(project.path()), None);
    install(&app, name, p(), false).unwrap();
    let root = project.path().join(".github/skills");
    write(&root.join("neighbour"), "SKILL.md", "not ours");
    let r = uninstall(&app, name, p(), false).unwrap();
    assert_eq!(r.backup, None);
    assert!(!root.join(name).exists());
    assert_eq!(tree(&root), ["neighbour/SKILL.md"]);
    assert!(list(&app, name).is_empty());
    let e = uninstall(&app, name, p(), false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);

    // A hand-changed copy is moved to a backup with --force, never deleted.
    install(&app, name, p(), false).unwrap();
    write(&root.join(name), "references/mine.md", "mine");
    let r = uninstall(&app, name, p(), true).unwrap();
    let backup = PathBuf::from(r.backup.expect("backed up"));
    assert!(backup.starts_with(data.path().join("install-backups")));
    assert_eq!(
        fs::read_to_string(backup.join("references/mine.md")).unwrap(),
        "mine"
    );
    assert!(!root.join(name).exists());
    assert!(list(&app, name).is_empty());
}

#[test]
fn a_deleted_copy_is_missing_until_forced_back() {
    let (_d, app) = open();
    let name = "deleted-skill";
    library_skill(&app, name);
    let dir = tempfile::tempdir().unwrap();
    install(&app, name, placement("x", None, Some(dir.path())), false).unwrap();
    fs::remove_dir_all(dir.path().join(name)).unwrap();
    assert_eq!(list(&app, name)[0].state, InstallState::Missing);
    assert_eq!(sync(&app, name, false)[0].outcome, SyncOutcome::Missing);
    assert!(!dir.path().join(name).exists());
    assert_eq!(sync(&app, name, true)[0].outcome, SyncOutcome::Reinstalled);
    assert_eq!(tree(&dir.path().join(name)), DEPLOYED);
}

#[test]
fn with_auto_sync_on_a_restore_updates_the_installs() {
    let (_d, app) = open();
    let name = "restored-skill";
    library_skill(&app, name);
    let dir = tempfile::tempdir().unwrap();
    install(&app, name, placement("x", None, Some(dir.path())), false).unwrap();
    let installed = dir.path().join(name).join("SKILL.md");
    let v1 = fs::read_to_string(&installed).unwrap();
    let v2_sha = change_library(&app, name, "v2");
    let restore = |sha: &str| {
        history::restore_skill_version(
            &app,
            RestoreSkillVersionArgs {
                workspace_path: None,
                skill_name: name.into(),
                sha: sha.into(),
            },
        )
        .unwrap()
    };

    // Off (the default): a restore leaves the copy as it was.
    restore(&v2_sha);
    assert_eq!(fs::read_to_string(&installed).unwrap(), v1);
    assert_eq!(list(&app, name)[0].state, InstallState::Outdated);

    skill_builder_core::settings::update(&app, |s| s.auto_sync_installs = true).unwrap();
    change_library(&app, name, "v3");
    restore(&v2_sha);
    assert_eq!(fs::read_to_string(&installed).unwrap(), "v2");
    assert_eq!(list(&app, name)[0].state, InstallState::Current);
}

#[test]
fn the_installs_table_migrates_from_version_3_and_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    {
        let mut conn = db::open_connection(&path).unwrap();
        assert_eq!(db::migrate_to(&mut conn, 3).unwrap(), vec![1, 2, 3]);
    }
    let mut conn = db::open_connection(&path).unwrap();
    // Migration 4 (and any later one) applies on top of version 3.
    assert_eq!(db::migrate(&mut conn).unwrap().first(), Some(&4));
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('agent_installs') ORDER BY cid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        cols,
        [
            "id",
            "skill_name",
            "agent",
            "scope",
            "path",
            "version",
            "content_hash",
            "installed_at"
        ]
    );
    let fresh = tempfile::tempdir().unwrap();
    let mut conn = db::open_connection(&fresh.path().join("y.db")).unwrap();
    assert!(db::migrate(&mut conn).unwrap().contains(&4));
}
