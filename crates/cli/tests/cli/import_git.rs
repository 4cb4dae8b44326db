//! `skill-builder import git` against a repository made with the git CLI, served as a
//! `file://` URL: the listing, a tag-pinned import into the library with identical files, and
//! an unchanged re-import into Settings→Skills that is skipped.

use crate::support::{last_stderr_json, run, run_ok, stdout_json};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=Source",
            "-c",
            "user.email=source@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("the git CLI");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn skill_md(name: &str, description: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\nversion: 1.0.0\n---\n# {name}\n")
}

#[test]
fn import_git_lists_then_imports_pinned_and_skips_an_unchanged_reimport() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q", "-b", "main"]);
    write(r, "skills/alpha/SKILL.md", &skill_md("alpha", "Alpha."));
    write(r, "skills/alpha/scripts/run.sh", "#!/bin/sh\necho alpha\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = r.join("skills/alpha/scripts/run.sh");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(r, "skills/beta/SKILL.md", &skill_md("beta", "Beta."));
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    git(r, &["tag", "-a", "v1", "-m", "v1"]);
    let v1 = git(r, &["rev-parse", "v1^{commit}"]);
    write(
        r,
        "skills/alpha/SKILL.md",
        &skill_md("alpha", "Alpha, later."),
    );
    git(r, &["commit", "-q", "-am", "two"]);
    let url = format!("file://{}", r.display());
    let data = tempfile::tempdir().unwrap();

    // Without a choice it lists the skills and asks.
    let o = run(data.path(), &["import", "git", &url]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("skills/alpha") && err.contains("skills/beta"),
        "{err}"
    );
    assert_eq!(last_stderr_json(&o)["error"]["kind"], "invalid_input");

    let o = run_ok(
        data.path(),
        &[
            "import",
            "git",
            &url,
            "--ref",
            "v1",
            "--skill",
            "skills/alpha",
            "--library",
            "--json",
        ],
    );
    let v = stdout_json(&o);
    assert_eq!(v["commit"], v1.as_str(), "pinned to the tag: {v}");
    assert_eq!(v["results"][0]["status"], "imported");
    let lib = data.path().join("skills/alpha");
    assert_eq!(
        std::fs::read_to_string(lib.join("SKILL.md")).unwrap(),
        skill_md("alpha", "Alpha."),
        "the tagged version, byte for byte"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(lib.join("scripts/run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0, "the executable bit is kept");
    }

    // Listed again at HEAD: alpha is pinned to the tag, and HEAD changed its folder.
    let o = run(data.path(), &["import", "git", &url]);
    let err = String::from_utf8_lossy(&o.stderr);
    let line = |path: &str| err.lines().find(|l| l.contains(path)).unwrap_or("");
    assert!(
        line("skills/alpha").contains(&format!("[library @{}, update available]", &v1[..8])),
        "{err}"
    );
    assert!(!line("skills/beta").contains('['), "not imported: {err}");

    let v = stdout_json(&run_ok(
        data.path(),
        &["import", "git", &url, "--all", "--json"],
    ));
    assert_eq!(v["target"], "workspace");
    let statuses: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["imported", "imported"], "{v}");
    let o = run_ok(data.path(), &["import", "git", &url, "--all"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        text.matches("skipped").count(),
        2,
        "an unchanged re-import: {text}"
    );

    let o = run(
        data.path(),
        &["import", "git", &url, "--skill", "skills/nope"],
    );
    assert_eq!(last_stderr_json(&o)["error"]["kind"], "not_found");
}
