//! `skill-builder publish [--remote URL] [--branch B] [--pull] [--json]` against a bare
//! repository over `file://`: what it prints, the saved remote, and the error without one.

use crate::support::{last_stderr_json, run, run_ok, stdout_json, stdout_text};
use std::fs;
use std::path::Path;
use std::process::Command;

fn bare_remote(dir: &Path) -> String {
    let out = Command::new("git")
        .args(["init", "--bare", "-q", "-b", "main"])
        .arg(dir)
        .output()
        .expect("the git CLI is needed by this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("file://{}", dir.display())
}

/// A data folder whose library holds `cli-skill`, added the way discovery adds a folder.
fn library(data: &Path) {
    let skill = data.join("skills/cli-skill");
    fs::create_dir_all(skill.join("context")).unwrap();
    fs::write(
        skill.join("SKILL.md"),
        "---\nname: cli-skill\ndescription: d\n---\nbody\n",
    )
    .unwrap();
    fs::write(skill.join("context/notes.md"), "notes").unwrap();
    run_ok(
        data,
        &[
            "call",
            "resolve_discovery",
            r#"{"skillName":"cli-skill","action":"add-skill-builder"}"#,
        ],
    );
}

#[test]
fn publish_prints_a_summary_then_json_and_pull_reports_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    library(&data);
    let url = bare_remote(&tmp.path().join("remote.git"));

    let text = stdout_text(&run_ok(&data, &["publish", "--remote", &url]));
    assert!(
        text.contains(&format!("Published 1 skill(s) to {url} (main)")),
        "{text}"
    );
    assert!(text.contains("cli-skill"), "{text}");

    // The remote was saved: no --remote needed, and nothing new to push.
    let v = stdout_json(&run_ok(&data, &["publish", "--json"]));
    assert_eq!(v["pushed"], false);
    assert_eq!(v["remote"], url.as_str());
    assert_eq!(v["skills"], serde_json::json!(["cli-skill"]));

    let text = stdout_text(&run_ok(&data, &["publish", "--pull"]));
    assert_eq!(text, format!("Already up to date with {url} (main).\n"));
}

#[test]
fn publish_without_a_remote_fails_with_invalid_input() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(tmp.path(), &["publish"]);
    assert_eq!(o.status.code(), Some(2));
    let e = last_stderr_json(&o);
    assert_eq!(e["error"]["kind"], "invalid_input");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("--remote"),
        "{e}"
    );
}
