//! `skill-builder lint` (verdicts, exit codes, --claude-code, --json) and
//! `skill-builder import zip`.

use crate::support::{bin, last_stderr_json, run, stdout_text, write_skill};
use serde_json::Value;

struct Fixture {
    data: tempfile::TempDir,
    src: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let src = tempfile::tempdir().unwrap();
    write_skill(
        &src.path().join("good-skill"),
        "---\nname: good-skill\ndescription: A good skill.\nlicense: MIT\n---\n# Good\n",
    );
    write_skill(
        &src.path().join("cc-skill"),
        "---\nname: cc-skill\ndescription: Uses Claude Code keys.\nmodel: sonnet\nuser-invocable: true\n---\nbody\n",
    );
    write_skill(
        &src.path().join("bad-skill"),
        "---\nname: wrong-name\n---\nbody\n",
    );
    Fixture {
        data: tempfile::tempdir().unwrap(),
        src,
    }
}

impl Fixture {
    fn dir(&self, n: &str) -> String {
        self.src.path().join(n).to_str().unwrap().to_string()
    }
}

#[test]
fn lint_good_skill_exits_zero() {
    let f = fixture();
    let o = run(f.data.path(), &["lint", &f.dir("good-skill")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout_text(&o);
    assert!(text.contains("ok"), "{text}");
    assert!(text.contains("1 ok, 0 with errors"), "{text}");
}

#[test]
fn lint_bad_skill_exits_one_with_findings() {
    let f = fixture();
    let o = run(
        f.data.path(),
        &["lint", &f.dir("good-skill"), &f.dir("bad-skill")],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout_text(&o);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("name_folder_mismatch"), "{text}");
    assert!(text.contains("description"), "{text}");
    assert!(text.contains("1 ok, 1 with errors"), "{text}");
    let e = last_stderr_json(&o);
    assert_eq!(e["error"]["kind"], "invalid_input");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1 of 2 skills has lint errors"));
}

#[test]
fn lint_claude_code_mode_accepts_extension_keys() {
    let f = fixture();
    let o = run(f.data.path(), &["lint", &f.dir("cc-skill")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout_text(&o));
    assert!(stdout_text(&o).contains("unknown_keys"));
    let o = run(
        f.data.path(),
        &["lint", "--claude-code", &f.dir("cc-skill")],
    );
    assert!(o.status.success(), "{}", stdout_text(&o));
}

#[test]
fn lint_json_and_missing_folder() {
    let f = fixture();
    let missing = f.src.path().join("nope");
    let o = run(
        f.data.path(),
        &[
            "lint",
            "--json",
            &f.dir("good-skill"),
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["ok"], true);
    assert_eq!(a[0]["mode"], "spec");
    assert_eq!(a[1]["ok"], false);
    assert_eq!(a[1]["findings"][0]["code"], "not_found");
    // No folder at all is a usage error.
    let o = run(f.data.path(), &["lint"]);
    assert!(!o.status.success());
}

#[test]
fn import_zip_prints_the_skill_and_warnings() {
    let f = fixture();
    // A package made by the core's own writer (folder layout).
    let zip = f.src.path().join("cc-skill.zip");
    skill_builder_core::workspace_skills::write_skill_zip(
        &f.src.path().join("cc-skill"),
        "cc-skill",
        &zip,
    )
    .unwrap();
    let o = run(
        f.data.path(),
        &["import", "zip", zip.to_str().unwrap(), "--json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["skill_name"], "cc-skill");
    assert_eq!(v["is_active"], true);
    assert!(f
        .data
        .path()
        .join("workspace/.claude/skills/cc-skill/SKILL.md")
        .is_file());

    // Again → conflict, JSON error line, non-zero exit.
    let o = run(f.data.path(), &["import", "zip", zip.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = last_stderr_json(&o);
    assert_eq!(e["error"]["kind"], "conflict");

    // With --name: installed under the new name, readable output.
    let o = run(
        f.data.path(),
        &["import", "zip", zip.to_str().unwrap(), "--name", "cc-copy"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout_text(&o);
    assert!(text.contains("Imported 'cc-copy'"), "{text}");
    assert!(text.contains("Uses Claude Code keys."), "{text}");

    // A relative path works (resolved against the current folder) and a bad file fails.
    let junk = f.src.path().join("junk.zip");
    std::fs::write(&junk, "not a zip").unwrap();
    let o = bin()
        .current_dir(f.src.path())
        .args(["--data-dir", f.data.path().to_str().unwrap()])
        .args(["import", "zip", "junk.zip"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = last_stderr_json(&o);
    assert_eq!(e["error"]["kind"], "invalid_input");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a ZIP archive"));
}
