//! `skill-builder import github` against the fake GitHub server on 127.0.0.1.

use crate::support::{command, write_file};
use skill_builder_testkit::fake_github::FakeGitHub;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_github_lists_then_imports_into_the_library_and_skips_unchanged() {
    let repo = tempfile::tempdir().unwrap();
    for name in ["alpha-skill", "beta-skill"] {
        write_file(
            repo.path(),
            &format!("skills/{name}/SKILL.md"),
            &format!("---\nname: {name}\ndescription: The {name}.\nlicense: MIT\n---\n# {name}\n"),
        );
    }
    let fake = FakeGitHub::start().await;
    fake.add_repo_from_dir("acme", "tools", "main", repo.path());
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        command(data.path())
            .args(args)
            .env("SKILL_BUILDER_GITHUB_API_URL", fake.api_url())
            .env("SKILL_BUILDER_GITHUB_RAW_URL", fake.raw_url())
            .env("SKILL_BUILDER_GITHUB_OAUTH_URL", fake.oauth_url())
            .output()
            .unwrap()
    };
    // Without a choice it lists the skills and asks.
    let o = run(&["import", "github", "acme/tools"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("skills/alpha-skill") && err.contains("skills/beta-skill"),
        "{err}"
    );
    assert!(err.lines().last().unwrap().contains("invalid_input"));

    let o = run(&[
        "import",
        "github",
        "acme/tools",
        "--library",
        "--all",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let skill_md = data.path().join("skills/alpha-skill/SKILL.md");
    assert!(
        std::fs::read_to_string(&skill_md)
            .unwrap()
            .contains("license: MIT"),
        "every frontmatter key kept"
    );

    let o = run(&[
        "import",
        "github",
        "acme/tools",
        "--library",
        "--skill",
        "skills/beta-skill",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v[0]["status"], "skipped",
        "unchanged re-import is skipped: {v}"
    );
    let o = run(&["import", "github", "acme/tools", "--skill", "skills/nope"]);
    assert!(!o.status.success());
}
