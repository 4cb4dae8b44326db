//! `skill-builder install` / `install --sync` / `uninstall` with a temporary `$HOME`: exit
//! codes, what they print, and that the CLI never touches a folder it did not install.

use crate::support::{command, last_stderr_json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Fx {
    data: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Fx {
    /// A data folder whose library holds `cli-skill` (with a `context/` that must not be
    /// installed), and an empty home.
    fn new() -> Fx {
        let fx = Fx {
            data: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        let skill = fx.data.path().join("skills/cli-skill");
        fs::create_dir_all(skill.join("context")).unwrap();
        fs::write(
            skill.join("SKILL.md"),
            "---\nname: cli-skill\ndescription: d\n---\nbody\n",
        )
        .unwrap();
        fs::write(skill.join("context/notes.md"), "private").unwrap();
        fx
    }

    fn run(&self, args: &[&str]) -> Output {
        command(self.data.path())
            .args(args)
            .env("HOME", self.home.path())
            .output()
            .unwrap()
    }

    fn claude_folder(&self) -> PathBuf {
        self.home.path().join(".claude/skills/cli-skill")
    }
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The exit code and the kind of the JSON error that ends stderr.
fn failure(o: &Output) -> (i32, String) {
    let v = last_stderr_json(o);
    (
        o.status.code().unwrap(),
        v["error"]["kind"].as_str().unwrap().to_string(),
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn install_sync_and_uninstall_print_what_they_did() {
    let fx = Fx::new();
    let out = stdout(&fx.run(&["install", "cli-skill", "--agent", "claude-code"]));
    let folder = fx.claude_folder();
    assert!(
        out.contains(&format!(
            "Installed 'cli-skill' for claude-code (user) in {}",
            folder.display()
        )),
        "{out}"
    );
    assert_eq!(files(&folder), ["SKILL.md"], "context/ is never installed");

    let out = stdout(&fx.run(&["install", "--sync"]));
    assert!(out.contains("up to date"), "{out}");

    // A hand edit is reported with a conflict exit, and kept.
    fs::write(folder.join("SKILL.md"), "edited by hand").unwrap();
    let o = fx.run(&["install", "--sync"]);
    assert_eq!(failure(&o), (1, "conflict".into()));
    assert!(String::from_utf8_lossy(&o.stdout).contains("changed by hand"));
    assert_eq!(
        fs::read_to_string(folder.join("SKILL.md")).unwrap(),
        "edited by hand"
    );
    let out = stdout(&fx.run(&["install", "--sync", "--force"]));
    assert!(out.contains("moved to"), "{out}");
    assert!(out.contains("install-backups"), "{out}");
    assert!(fs::read_to_string(folder.join("SKILL.md"))
        .unwrap()
        .contains("body"));

    let out = stdout(&fx.run(&["uninstall", "cli-skill", "--agent", "claude-code"]));
    assert!(out.contains("Uninstalled 'cli-skill'"), "{out}");
    assert!(!folder.exists());
    let o = fx.run(&["uninstall", "cli-skill", "--agent", "claude-code"]);
    assert_eq!(failure(&o), (1, "not_found".into()));
}

#[test]
fn project_and_dir_installs_and_json_output() {
    let fx = Fx::new();
    let project = tempfile::tempdir().unwrap();
    let o = fx.run(&[
        "install",
        "cli-skill",
        "--agent",
        "copilot",
        "--project",
        project.path().to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["scope"], "project");
    assert_eq!(v[0]["state"], "current");
    assert!(project
        .path()
        .join(".github/skills/cli-skill/SKILL.md")
        .is_file());

    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&fx.run(&[
        "install",
        "cli-skill",
        "--dir",
        dir.path().to_str().unwrap(),
    ]));
    assert!(out.contains("custom (folder)"), "{out}");
    assert!(dir.path().join("cli-skill/SKILL.md").is_file());
}

#[test]
fn foreign_folders_and_bad_input_fail_with_their_kinds() {
    let fx = Fx::new();
    let foreign = fx.home.path().join(".agents/skills/cli-skill");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("SKILL.md"), "not from the app").unwrap();
    let o = fx.run(&["install", "cli-skill", "--agent", "codex", "--force"]);
    assert_eq!(failure(&o), (1, "conflict".into()));
    let o = fx.run(&["uninstall", "cli-skill", "--agent", "codex", "--force"]);
    assert_eq!(failure(&o), (1, "conflict".into()));
    assert_eq!(
        fs::read_to_string(foreign.join("SKILL.md")).unwrap(),
        "not from the app"
    );

    let o = fx.run(&["install", "cli-skill", "--agent", "vim"]);
    assert_eq!(failure(&o), (2, "invalid_input".into()));
    let o = fx.run(&["install", "no-such-skill", "--agent", "codex"]);
    assert_eq!(failure(&o), (1, "not_found".into()));
    // Missing names or agent, or --sync with names: refused by the argument parser.
    for args in [
        &["install", "--agent", "codex"][..],
        &["install", "cli-skill"],
        &["install", "cli-skill", "--sync"],
        &["uninstall", "cli-skill"],
    ] {
        assert_eq!(fx.run(args).status.code(), Some(2), "{args:?}");
    }
}
