//! `skill-builder lint --fix` (issue 13): exit 0 when the fixed skill lints clean, 1 when
//! errors remain; values kept under `metadata`; the body unchanged.

use crate::support::{run, write_skill};
use serde_json::Value;

const OLD: &str = "---\nname: old-skill\ndescription: Old. Use when testing.\ntools: Read, Grep\n\
                   version: 1.10\nauthor: me\ncreated: 2024-01-01\nmodified: 2024-02-01\n---\n# Body\n\nText.\n";

#[test]
fn lint_fix_exits_zero_when_the_fixed_skill_is_clean() {
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let dir = write_skill(&src.path().join("old-skill"), OLD);

    let o = run(data.path(), &["lint", &dir]);
    assert_eq!(o.status.code(), Some(1), "old style fails the default lint");

    let o = run(data.path(), &["lint", "--fix", "--json", &dir]);
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["ok"], true);
    assert_eq!(v[0]["fix"]["changed"], true);
    assert_eq!(
        v[0]["fix"]["moved"],
        serde_json::json!(["tools", "version", "author", "created", "modified"])
    );
    let md = std::fs::read_to_string(src.path().join("old-skill/SKILL.md")).unwrap();
    assert!(md.contains("  version: '1.10'\n"), "{md}");
    assert!(md.ends_with("---\n# Body\n\nText.\n"), "{md}");

    // Fixed once: a plain lint passes and a second --fix changes nothing.
    assert!(run(data.path(), &["lint", &dir]).status.success());
    let o = run(data.path(), &["lint", "--fix", &dir]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("nothing to change"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn lint_fix_exits_one_when_errors_remain() {
    let data = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    // Fixable keys, but a name that does not match the folder: still an error after --fix.
    let wrong = write_skill(
        &src.path().join("some-folder"),
        &OLD.replace("name: old-skill", "name: other-name"),
    );
    let o = run(data.path(), &["lint", "--fix", &wrong]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("name_folder_mismatch"), "{text}");
    assert!(
        !text.contains("unknown_keys"),
        "the keys were fixed: {text}"
    );
    assert!(text.contains("moved under metadata"), "{text}");

    // Claude Code's own keys are never moved: in default mode they remain errors…
    let cc = write_skill(
        &src.path().join("cc-skill"),
        "---\nname: cc-skill\ndescription: d\nmodel: sonnet\nversion: 1.0\n---\nB\n",
    );
    let o = run(data.path(), &["lint", "--fix", &cc]);
    assert_eq!(o.status.code(), Some(1));
    let md = std::fs::read_to_string(src.path().join("cc-skill/SKILL.md")).unwrap();
    assert!(md.contains("\nmodel: sonnet\n"), "{md}");
    // …and the skill is clean for Claude Code.
    assert!(run(data.path(), &["lint", "--claude-code", &cc])
        .status
        .success());
}
