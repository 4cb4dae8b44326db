//! `parse_github_url`: every accepted form and every rejected one (pure, no network).

use skill_builder_core::github::{parse_github_url, GitHubRepoInfo};
use skill_builder_core::ErrorKind;

fn info(
    owner: &str,
    repo: &str,
    branch: &str,
    sub: Option<&str>,
    explicit: bool,
) -> GitHubRepoInfo {
    GitHubRepoInfo {
        owner: owner.into(),
        repo: repo.into(),
        branch: branch.into(),
        subpath: sub.map(str::to_string),
        branch_explicit: explicit,
    }
}

#[test]
fn github_url_accepted_forms() {
    let plain = info("anthropics", "skills", "main", None, false);
    for url in [
        "anthropics/skills",
        "  anthropics/skills  ",
        "anthropics/skills/",
        "anthropics/skills.git",
        "github.com/anthropics/skills",
        "www.github.com/anthropics/skills",
        "https://github.com/anthropics/skills",
        "http://github.com/anthropics/skills",
        "https://github.com/anthropics/skills/",
        "https://github.com/anthropics/skills.git",
        "https://github.com/anthropics/skills.git/",
        "https://github.com/anthropics/skills///",
        "HTTPS://GitHub.com/anthropics/skills",
        "https://www.github.com/anthropics/skills",
        "https://github.com/anthropics/skills?tab=readme",
        "https://github.com/anthropics/skills#readme",
        "git@github.com:anthropics/skills.git",
        "git@github.com:anthropics/skills",
    ] {
        assert_eq!(parse_github_url(url).unwrap(), plain, "{url}");
    }
    assert_eq!(
        parse_github_url("https://github.com/o/r/tree/dev").unwrap(),
        info("o", "r", "dev", None, true)
    );
    assert_eq!(
        parse_github_url("https://github.com/o/r/tree/dev/").unwrap(),
        info("o", "r", "dev", None, true)
    );
    assert_eq!(
        parse_github_url("github.com/o/r/tree/v2/packages/skills/x").unwrap(),
        info("o", "r", "v2", Some("packages/skills/x"), true)
    );
    assert_eq!(
        parse_github_url("o/r/tree/main/sub?x=1#frag").unwrap(),
        info("o", "r", "main", Some("sub"), true)
    );
    assert_eq!(
        parse_github_url("my-org/repo_name.v2").unwrap(),
        info("my-org", "repo_name.v2", "main", None, false)
    );
}

#[test]
fn github_url_rejected_forms() {
    for (url, needle) in [
        ("", "URL cannot be empty"),
        ("   ", "URL cannot be empty"),
        ("https://github.com/", "Could not extract owner/repo"),
        ("github.com", "Could not extract owner/repo"),
        ("anthropics", "expected at least owner/repo"),
        (
            "https://github.com/anthropics",
            "expected at least owner/repo",
        ),
        (
            "https://github.com/o/r/blob/main/README.md",
            "Unsupported GitHub URL format",
        ),
        (
            "https://github.com/o/r/tree",
            "Unsupported GitHub URL format",
        ),
        ("o/r/extra", "Unsupported GitHub URL format"),
        ("o/r/issues/1", "Unsupported GitHub URL format"),
        ("../r", "Invalid owner/repo"),
        ("o/..", "Invalid owner/repo"),
        ("o\\x/r", "Invalid owner/repo"),
        ("-bad/r", "Invalid owner/repo"),
        ("o/r r", "Invalid owner/repo"),
        ("https://gitlab.com/o/r", "is not github.com"),
        ("ftp://github.com/o/r", "only https://github.com"),
        ("o/r/tree/main/../../etc", "Invalid path"),
    ] {
        let e = parse_github_url(url).expect_err(url);
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{url}");
        assert!(e.message.contains(needle), "{url}: {}", e.message);
    }
}
