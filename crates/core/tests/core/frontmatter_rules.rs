//! Issue 13, "Generated skills must be valid Agent Skills": a generated skill passes the
//! default (open-spec) lint; `lint --fix` turns a skill written before the metadata rule into
//! a clean one without losing a value; `version`/`author`/dates are read from `metadata`.

use crate::support::{open, open_mock, zip_of};
use serde_json::json;
use skill_builder_core::ingest::frontmatter::parse_skill_md;
use skill_builder_core::ingest::lint::{lint_skill_dir, LintMode, Severity};
use skill_builder_core::ingest::{fix_skill_dir, Frontmatter};
use skill_builder_core::{catalog, history, workflow};
use std::path::Path;

fn errors(dir: &Path, mode: LintMode) -> Vec<String> {
    lint_skill_dir(dir, mode)
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect()
}

/// Written the way generate-skill (and the mock) wrote skills before the rule: `version: 1.10`
/// unquoted (YAML would read the float 1.1), `tools`, `author`, `created`, a custom key, and
/// Claude Code's own keys, which must stay.
const BODY: &str =
    "# Old Skill\r\n\nKeep   this  body\n\u{00e9}xactly.\n\n---\nnot frontmatter: x\n";

fn old_style(name: &str) -> String {
    format!(
        "---\nname: {name}\ndescription: Explains old skills. Use when fixing them.\n\
         tools: Read, Grep, Glob\nversion: 1.10\nauthor: octocat\ncreated: 2024-05-01\n\
         model: sonnet\nargument-hint: \"[file]\"\nuser-invocable: false\n\
         trigger:\n  - when asked\n  - on review\n---\n{BODY}"
    )
}

fn assert_fixed(md: &str, name: &str) {
    let p = parse_skill_md(md).unwrap();
    let f = &p.frontmatter;
    assert_eq!(
        f.keys(),
        vec![
            "name",
            "description",
            "model",
            "argument-hint",
            "user-invocable",
            "metadata"
        ],
        "{md}"
    );
    assert_eq!(f.name.as_deref(), Some(name));
    // Claude Code's keys untouched, byte for byte.
    assert!(
        md.contains("model: sonnet\nargument-hint: \"[file]\"\nuser-invocable: false\n"),
        "{md}"
    );
    let meta = f.metadata.as_ref().unwrap();
    assert_eq!(meta["version"], "1.10", "the source text, not 1.1");
    assert_eq!(meta["author"], "octocat");
    assert_eq!(meta["created"], "2024-05-01");
    assert_eq!(meta["tools"], "Read, Grep, Glob");
    assert_eq!(meta["trigger"], "[\"when asked\",\"on review\"]");
    // Every metadata value is a YAML string (the spec's map of string to string).
    match f.raw.get("metadata") {
        Some(serde_yaml_ng::Value::Mapping(m)) => {
            assert!(m.values().all(|v| v.is_string()), "{md}")
        }
        other => panic!("metadata is not a map: {other:?}"),
    }
    // What the app shows is unchanged.
    assert_eq!(f.version.as_deref(), Some("1.10"));
    assert_eq!(f.author.as_deref(), Some("octocat"));
    assert_eq!(f.created.as_deref(), Some("2024-05-01"));
    assert!(
        md.ends_with(&format!("---\n{BODY}")),
        "body kept byte for byte"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_build_writes_a_skill_that_passes_the_default_lint() {
    let (_d, app) = open_mock();
    catalog::call(
        &app,
        "create_skill",
        json!({"name": "churn-model", "purpose": "domain", "description": "Customer churn"}),
    )
    .await
    .unwrap();
    workflow::build::build_skill(&app, "churn-model", |_| {})
        .await
        .unwrap();
    let dir = app.skills_path().join("churn-model");
    assert_eq!(errors(&dir, LintMode::Spec), Vec::<String>::new());
    let report = lint_skill_dir(&dir, LintMode::Spec);
    assert!(!report.claude_code_only);
    let md = std::fs::read_to_string(dir.join("SKILL.md")).unwrap();
    let f = Frontmatter::parse(&md).unwrap();
    assert_eq!(f.version.as_deref(), Some("1.0.0"), "{md}");
    assert!(f.author.is_some() && f.created.is_some() && f.modified.is_some());
    assert!(f.get("tools").is_none() && f.get("version").is_none());
}

#[tokio::test]
async fn lint_fix_moves_old_keys_under_metadata_and_commits_a_library_skill() {
    let (_d, app) = open();
    catalog::call(&app, "create_skill", json!({"name": "old-skill"}))
        .await
        .unwrap();
    let dir = app.skills_path().join("old-skill");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), old_style("old-skill")).unwrap();
    history::commit_skill(&app, "old-skill", "old-skill: old style");
    assert!(!errors(&dir, LintMode::Spec).is_empty(), "broken before");

    let v = catalog::call(
        &app,
        "lint_skill",
        json!({"skillName": "old-skill", "fix": true}),
    )
    .await
    .unwrap();
    assert_eq!(v["ok"], false, "Claude Code's keys remain: {v}");
    assert_eq!(v["claude_code_only"], true);
    assert_eq!(
        v["fix"]["moved"],
        json!(["tools", "version", "author", "created", "trigger"])
    );
    let md = std::fs::read_to_string(dir.join("SKILL.md")).unwrap();
    assert_fixed(&md, "old-skill");
    // Only Claude Code's keys are left to complain about; in its mode the skill is clean.
    let errs = errors(&dir, LintMode::Spec);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("argument-hint, model, user-invocable"),
        "{errs:?}"
    );
    assert_eq!(errors(&dir, LintMode::ClaudeCode), Vec::<String>::new());

    let log = history::skill_history(&app.skills_path(), "old-skill", 10).unwrap();
    assert_eq!(log[0].message.trim(), "old-skill: frontmatter fixed");
    assert!(v["fix"]["commit"].is_string());
    // Nothing left to do: no new commit.
    let again = fix_skill_dir(Some(&app), &dir).unwrap();
    assert!(!again.fix.changed && again.commit.is_none());
    let log2 = history::skill_history(&app.skills_path(), "old-skill", 10).unwrap();
    assert_eq!(log2.len(), log.len());
}

#[test]
fn lint_fix_of_a_spec_only_skill_lints_clean_and_a_plain_folder_is_not_committed() {
    let (_d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("plain-skill");
    std::fs::create_dir_all(&dir).unwrap();
    let md = "---\nname: plain-skill\ndescription: Plain. Use when testing.\nversion: 2.0\n\
              author: me\nmodified: 2024-06-01\ntools: [Read, Write]\nmetadata:\n  tier: 3\n---\nBody\n";
    std::fs::write(dir.join("SKILL.md"), md).unwrap();
    let out = fix_skill_dir(Some(&app), &dir).unwrap();
    assert!(out.fix.changed);
    assert!(out.commit.is_none(), "not a library skill");
    assert_eq!(errors(&dir, LintMode::Spec), Vec::<String>::new());
    let f = Frontmatter::parse(&std::fs::read_to_string(dir.join("SKILL.md")).unwrap()).unwrap();
    let meta = f.metadata.unwrap();
    assert_eq!(
        (meta["tier"].as_str(), meta["version"].as_str()),
        ("3", "2.0")
    );
    assert_eq!(meta["tools"], "[\"Read\",\"Write\"]");
    assert_eq!(meta["modified"], "2024-06-01");
}

#[cfg(unix)]
#[test]
fn lint_fix_never_writes_through_a_symlink() {
    let (_d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let real = src.path().join("real.md");
    std::fs::write(&real, old_style("linked")).unwrap();
    let dir = src.path().join("linked");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("SKILL.md")).unwrap();
    let e = fix_skill_dir(Some(&app), &dir).unwrap_err();
    assert!(e.message.contains("symbolic link"), "{}", e.message);
    assert_eq!(std::fs::read_to_string(&real).unwrap(), old_style("linked"));
    let folder_link = src.path().join("folder-link");
    std::os::unix::fs::symlink(&dir, &folder_link).unwrap();
    assert!(fix_skill_dir(None, &folder_link).is_err());
}

#[tokio::test]
async fn version_author_and_dates_are_read_from_metadata() {
    let md = "---\nname: meta-skill\ndescription: Keeps its version in metadata.\nmetadata:\n  \
              version: 1.10\n  author: octocat\n  created: \"2024-01-02\"\n  modified: \"2024-03-04\"\n---\nBody\n";
    let f = Frontmatter::parse(md).unwrap();
    assert_eq!(f.version.as_deref(), Some("1.10"));
    assert_eq!(f.author.as_deref(), Some("octocat"));
    assert_eq!(f.created.as_deref(), Some("2024-01-02"));
    assert_eq!(f.modified.as_deref(), Some("2024-03-04"));

    // An upload shows (and stores) the version from metadata.
    let (_d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let zip = src.path().join("meta-skill.zip");
    std::fs::write(&zip, zip_of(&[("meta-skill/SKILL.md", md.as_bytes())])).unwrap();
    let v = catalog::call(
        &app,
        "upload_skill",
        json!({"filePath": zip.to_str().unwrap()}),
    )
    .await
    .unwrap();
    assert_eq!(v["version"], "1.10", "{v}");
}
