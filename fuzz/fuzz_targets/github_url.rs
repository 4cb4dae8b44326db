//! GitHub URL parser.
//!
//! Invariants: never panics; on success owner and repo are non-empty, hold no `/` or `\`
//! and are each one normal path component (never `.` or `..`; a `..` *inside* a name such
//! as `a..b` is a legal GitHub repo name and harmless), with no whitespace or NUL; the branch is non-empty with no `\` and is not `.`/`..`,
//! and the subpath has no empty, `.`, `..` or `\`-holding segment. The pair is stable:
//! `https://github.com/{owner}/{repo}` parses back to the same owner and repo.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skill_builder_core::github::url::{parse_github_url, PLACEHOLDER_BRANCH};

/// Owner and repo end up in API paths and folder names: each must be exactly one normal
/// path component (not `.`/`..`, no separator), with no whitespace or NUL.
fn clean_name(s: &str) {
    assert!(!s.is_empty());
    assert!(
        !s.contains('/') && !s.contains('\\') && s != "." && s != "..",
        "{s:?}"
    );
    let comps: Vec<_> = std::path::Path::new(s).components().collect();
    assert!(
        matches!(comps.as_slice(), [std::path::Component::Normal(c)] if *c == std::ffi::OsStr::new(s)),
        "{s:?} is not one normal path component"
    );
    assert!(!s.chars().any(|c| c.is_whitespace() || c == '\0'), "{s:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(info) = parse_github_url(url) else {
        return;
    };
    clean_name(&info.owner);
    clean_name(&info.repo);
    assert!(!info.branch.is_empty());
    assert!(!info.branch.contains('\\') && info.branch != "." && info.branch != "..");
    if !info.branch_explicit {
        assert_eq!(info.branch, PLACEHOLDER_BRANCH);
        assert!(info.subpath.is_none());
    }
    if let Some(sub) = &info.subpath {
        for seg in sub.split('/') {
            assert!(
                !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\\'),
                "{sub:?}"
            );
        }
    }
    // The owner/repo pair is stable: its canonical URL parses back to the same pair.
    let canonical = format!("https://github.com/{}/{}", info.owner, info.repo);
    let again = parse_github_url(&canonical)
        .unwrap_or_else(|e| panic!("canonical form {canonical:?} of {url:?} does not parse: {e}"));
    assert_eq!(
        (&again.owner, &again.repo),
        (&info.owner, &info.repo),
        "{url:?} -> {canonical:?}"
    );
});
