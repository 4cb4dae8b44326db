//! Our lint (`LintMode::Spec`) must give the same valid/invalid verdict as the Agent
//! Skills reference validator `skills-ref` (architecture.md, "Lint").
//!
//! Runs only when `SKILLS_REF_BIN` names the reference CLI (`agentskills` from the PyPI
//! package `skills-ref`, or `skills-ref` from the npm port); both take `validate <dir>` and
//! exit 0 for a valid skill, 1 otherwise. `scripts/skills-ref-check.sh` installs them into
//! a temporary folder and runs this test against each. Without the variable the test only
//! prints a note, so `cargo test` stays offline.

use skill_builder_core::ingest::lint::{lint_skill_dir, LintMode};
use std::path::Path;
use std::process::Command;

/// (folder, SKILL.md content, what we expect from both validators)
fn fixtures() -> Vec<(String, String, bool)> {
    let long_desc = "x".repeat(1025);
    let max_desc = "y".repeat(1024);
    let long_name = "a".repeat(65);
    let mut all: Vec<(String, String, bool)> = vec![(
        // 65 characters
        long_name.clone(),
        format!("---\nname: {long_name}\ndescription: Name too long\n---\n"),
        false,
    )];
    let fixed: Vec<(&str, String, bool)> = vec![
        (
            "valid-skill",
            "---\nname: valid-skill\ndescription: Does a thing. Use when asked.\n---\n# Body\n".into(),
            true,
        ),
        (
            "all-spec-keys",
            "---\nname: all-spec-keys\ndescription: >\n  A folded\n  description.\nlicense: Apache-2.0\ncompatibility: Requires git and network access\nmetadata:\n  author: someone\n  version: \"1.0\"\nallowed-tools: Read Bash(git:*)\n---\nBody\n".into(),
            true,
        ),
        (
            "literal-desc",
            "---\nname: literal-desc\ndescription: |-\n  Line one.\n  Line two.\n---\n".into(),
            true,
        ),
        (
            "crlf-skill",
            "---\r\nname: crlf-skill\r\ndescription: Windows line ends\r\n---\r\nBody\r\n".into(),
            true,
        ),
        (
            "bad_name",
            "---\nname: bad_name\ndescription: Underscore is not allowed\n---\n".into(),
            false,
        ),
        (
            "Upper-Case",
            "---\nname: Upper-Case\ndescription: Uppercase is not allowed\n---\n".into(),
            false,
        ),
        (
            "folder-name",
            "---\nname: other-name\ndescription: Name differs from folder\n---\n".into(),
            false,
        ),
        (
            "-leading",
            "---\nname: -leading\ndescription: Leading hyphen\n---\n".into(),
            false,
        ),
        (
            "double--hyphen",
            "---\nname: double--hyphen\ndescription: Consecutive hyphens\n---\n".into(),
            false,
        ),
        (
            "long-desc",
            format!("---\nname: long-desc\ndescription: {long_desc}\n---\n"),
            false,
        ),
        (
            "max-desc",
            format!("---\nname: max-desc\ndescription: {max_desc}\n---\n"),
            true,
        ),
        (
            "unknown-key",
            "---\nname: unknown-key\ndescription: Has a Claude Code key\nmodel: sonnet\n---\n".into(),
            false,
        ),
        (
            "missing-desc",
            "---\nname: missing-desc\n---\n".into(),
            false,
        ),
        (
            "missing-name",
            "---\ndescription: No name\n---\n".into(),
            false,
        ),
        (
            "empty-desc",
            "---\nname: empty-desc\ndescription: \"\"\n---\n".into(),
            false,
        ),
        (
            "no-frontmatter",
            "# Just a body\n".into(),
            false,
        ),
        (
            "long-compat",
            format!(
                "---\nname: long-compat\ndescription: d\ncompatibility: {}\n---\n",
                "c".repeat(501)
            ),
            false,
        ),
        (
            "café",
            "---\nname: café\ndescription: i18n lowercase letters are allowed\n---\n".into(),
            true,
        ),
        (
            "ÉCOLE",
            "---\nname: ÉCOLE\ndescription: i18n uppercase is not\n---\n".into(),
            false,
        ),
        (
            "nfkc",
            // Full-width letters, NFKC-normalised to "nfkc" by both validators.
            "---\nname: ｎｆｋｃ\ndescription: NFKC normalisation\n---\n".into(),
            true,
        ),
        (
            "bom-skill",
            // The reference reads a byte-order mark as text: no frontmatter.
            "\u{feff}---\nname: bom-skill\ndescription: d\n---\n".into(),
            false,
        ),
        (
            "dup-key",
            "---\nname: dup-key\nname: dup-key\ndescription: d\n---\n".into(),
            false,
        ),
        (
            "bad-yaml",
            "---\nname: bad-yaml\ndescription: d\n  oops: x\n---\n".into(),
            false,
        ),
        (
            "123",
            "---\nname: 123\ndescription: A number is read as text\n---\n".into(),
            true,
        ),
        (
            "broken-link",
            "---\nname: broken-link\ndescription: A missing reference is only a warning\n---\nSee [x](references/missing.md)\n".into(),
            true,
        ),
    ];
    all.extend(fixed.into_iter().map(|(f, m, ok)| (f.to_string(), m, ok)));
    all
}

/// Fixtures only the official (PyPI, strictyaml-based) validator judges this way: the npm
/// port parses with js-yaml and accepts flow-style YAML.
fn official_only_fixtures() -> Vec<(String, String, bool)> {
    vec![(
        "flow-tools".into(),
        "---\nname: flow-tools\ndescription: d\nallowed-tools: [Read, Write]\n---\n".into(),
        false,
    )]
}

fn reference_verdict(bin: &str, dir: &Path) -> (bool, String) {
    let out = Command::new(bin)
        .arg("validate")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run SKILLS_REF_BIN={bin}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn lint_agrees_with_skills_ref() {
    let Some(bin) = std::env::var_os("SKILLS_REF_BIN") else {
        eprintln!(
            "note: SKILLS_REF_BIN is not set; skipping the comparison with the reference \
             validator (run scripts/skills-ref-check.sh)"
        );
        return;
    };
    let bin = bin.to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    let official = Path::new(&bin)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("agentskills"));
    let mut all = fixtures();
    if official {
        all.extend(official_only_fixtures());
    }
    for (folder, md, expected) in all {
        let dir = tmp.path().join(&folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), &md).unwrap();
        let ours = lint_skill_dir(&dir, LintMode::Spec);
        let (theirs, their_text) = reference_verdict(&bin, &dir);
        checked += 1;
        eprintln!(
            "{folder:>20}: ours={} reference={} expected={}",
            ours.ok, theirs, expected
        );
        if ours.ok != theirs || ours.ok != expected {
            disagreements.push(format!(
                "{folder}: ours={} reference={theirs} expected={expected}\n  ours: {:?}\n  reference: {}",
                ours.ok,
                ours.findings,
                their_text.trim()
            ));
        }
    }
    assert!(checked >= 12);
    assert!(
        disagreements.is_empty(),
        "verdicts differ from {bin}:\n{}",
        disagreements.join("\n")
    );
}
