//! File commands through the catalog: success cases, bad input, and hostile paths
//! (ingestion.md §7.2). Every refusal must be `invalid_input`, name the path, and write nothing.

use crate::support;

use base64::Engine;
use serde_json::{json, Value};
use skill_builder_core::{catalog, App, Error, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Fx {
    _tmp: tempfile::TempDir,
    app: Arc<App>,
    /// canonical temp base: `<base>/data` is the data dir, `<base>/home` the user's home (the
    /// `HOME` option), `<base>/outside` is not a root.
    base: PathBuf,
}

impl Fx {
    fn new() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret.txt"), "secret").unwrap();
        std::fs::create_dir_all(base.join("home")).unwrap();
        let app = support::open_at(&base.join("data"), |o| o.home = Some(base.join("home")));
        Fx {
            _tmp: tmp,
            app,
            base,
        }
    }
    fn skills(&self) -> PathBuf {
        self.app.skills_path()
    }
    fn workspace(&self) -> PathBuf {
        self.app.workspace_path()
    }
    fn outside(&self) -> PathBuf {
        self.base.join("outside")
    }
    async fn call(&self, name: &str, args: Value) -> Result<Value, Error> {
        catalog::call(&self.app, name, args).await
    }
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// `invalid_input`, naming `path` (as given or debug-quoted).
fn assert_refused(r: Result<Value, Error>, path: &str) {
    let e = r.expect_err("must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    assert!(
        e.message.contains(path) || e.message.contains(&format!("{path:?}")),
        "message must name {path}: {}",
        e.message
    );
}

/// Hostile write targets for a fixture: (path as sent, file that must not appear).
fn hostile_targets(f: &Fx) -> Vec<(String, PathBuf)> {
    let skills = f.skills();
    // `<data>X`: the data dir (a root) is a string prefix of it, but not a parent
    let sibling = PathBuf::from(format!("{}X", s(&f.app.paths.data_dir)));
    std::fs::create_dir_all(&sibling).unwrap();
    let link_dir = skills.join("escape-dir");
    if !link_dir.exists() {
        std::os::unix::fs::symlink(f.outside(), &link_dir).unwrap();
    }
    vec![
        (
            format!("{}/../../outside/dotdot.txt", s(&skills)),
            f.outside().join("dotdot.txt"),
        ),
        (
            s(&f.outside().join("plain.txt")),
            f.outside().join("plain.txt"),
        ),
        (
            s(&link_dir.join("via-link.txt")),
            f.outside().join("via-link.txt"),
        ),
        (
            s(&link_dir.join("new/deep.txt")),
            f.outside().join("new/deep.txt"),
        ),
        (s(&sibling.join("prefix.txt")), sibling.join("prefix.txt")),
        (
            "relative/file.txt".into(),
            PathBuf::from("relative/file.txt"),
        ),
        (format!("{}/nul\0.txt", s(&skills)), skills.join("nul")),
        (
            "/etc/skill-builder-test.txt".into(),
            "/etc/skill-builder-test.txt".into(),
        ),
    ]
}

// ------------------------------------------------------------------------------------------
// write_file

#[tokio::test]
async fn write_file_creates_parents_and_overwrites() {
    let f = Fx::new();
    let target = f.skills().join("my-skill/references/a.md");
    f.call("write_file", json!({"path": s(&target), "content": "one"}))
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "one");
    f.call("write_file", json!({"path": s(&target), "content": "two"}))
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "two");
    // no temp files left behind
    let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // workspace and data dir are roots too
    let ws = f.workspace().join("my-skill/gate-result.json");
    f.call("write_file", json!({"path": s(&ws), "content": "{}"}))
        .await
        .unwrap();
    assert!(ws.is_file());
}

#[tokio::test]
async fn write_file_refuses_hostile_paths_and_writes_nothing() {
    let f = Fx::new();
    for (p, must_not_exist) in hostile_targets(&f) {
        let r = f
            .call("write_file", json!({"path": p, "content": "pwned"}))
            .await;
        assert_refused(r, &p);
        assert!(
            !must_not_exist.exists(),
            "{} was written",
            must_not_exist.display()
        );
    }
    assert!(!f.outside().join("new").exists());
    // empty path, missing args
    assert_refused(
        f.call("write_file", json!({"path": "", "content": "x"}))
            .await,
        "",
    );
    let e = f
        .call("write_file", json!({"path": "/x"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn write_file_refuses_final_symlink_and_keeps_target() {
    let f = Fx::new();
    let link = f.skills().join("evil.md");
    std::os::unix::fs::symlink(f.outside().join("secret.txt"), &link).unwrap();
    let r = f
        .call("write_file", json!({"path": s(&link), "content": "pwned"}))
        .await;
    assert_refused(r, &s(&link));
    assert_eq!(
        std::fs::read_to_string(f.outside().join("secret.txt")).unwrap(),
        "secret"
    );
    // a dangling link to a new file outside
    let dangling = f.skills().join("dangling.md");
    std::os::unix::fs::symlink(f.outside().join("created.txt"), &dangling).unwrap();
    let r = f
        .call(
            "write_file",
            json!({"path": s(&dangling), "content": "pwned"}),
        )
        .await;
    assert_refused(r, &s(&dangling));
    assert!(!f.outside().join("created.txt").exists());
}

#[tokio::test]
async fn write_file_refuses_the_database() {
    let f = Fx::new();
    let db = f.app.paths.db_file();
    let before = std::fs::read(&db).unwrap();
    let e = f
        .call("write_file", json!({"path": s(&db), "content": "x"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[tokio::test]
async fn write_file_size_cap() {
    let f = Fx::new();
    let target = f.skills().join("big.txt");
    let big = "a".repeat(10 * 1024 * 1024 + 1);
    let e = f
        .call("write_file", json!({"path": s(&target), "content": big}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(!target.exists());
}

// ------------------------------------------------------------------------------------------
// save_raw_file

#[tokio::test]
async fn save_raw_file_writes_when_parent_exists() {
    let f = Fx::new();
    let target = f.skills().join("raw.txt");
    f.call(
        "save_raw_file",
        json!({"filePath": s(&target), "content": "raw"}),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "raw");

    let missing_parent = f.skills().join("nope/raw.txt");
    let e = f
        .call(
            "save_raw_file",
            json!({"filePath": s(&missing_parent), "content": "raw"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(!f.skills().join("nope").exists());
}

#[tokio::test]
async fn save_raw_file_refuses_hostile_paths() {
    let f = Fx::new();
    for (p, must_not_exist) in hostile_targets(&f) {
        let r = f
            .call("save_raw_file", json!({"filePath": p, "content": "pwned"}))
            .await;
        assert_refused(r, &p);
        assert!(!must_not_exist.exists(), "{}", must_not_exist.display());
    }
}

// ------------------------------------------------------------------------------------------
// read_file

#[tokio::test]
async fn read_file_reads_text_inside_roots() {
    let f = Fx::new();
    let p = f.skills().join("s/SKILL.md");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, "# héllo").unwrap();
    let v = f
        .call("read_file", json!({"filePath": s(&p)}))
        .await
        .unwrap();
    assert_eq!(v, json!("# héllo"));
    let e = f
        .call(
            "read_file",
            json!({"filePath": s(&f.skills().join("missing.md"))}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn read_file_refuses_hostile_paths() {
    let f = Fx::new();
    let skills = f.skills();
    let link = skills.join("secret-link");
    std::os::unix::fs::symlink(f.outside().join("secret.txt"), &link).unwrap();
    let link_dir = skills.join("out");
    std::os::unix::fs::symlink(f.outside(), &link_dir).unwrap();
    for p in [
        "/etc/passwd".to_string(),
        format!("{}/../../outside/secret.txt", s(&skills)),
        s(&link),
        s(&link_dir.join("secret.txt")),
        s(&f.outside().join("secret.txt")),
        "secret.txt".into(),
        format!("{}/a\0b", s(&skills)),
    ] {
        let r = f.call("read_file", json!({"filePath": p})).await;
        assert_refused(r, &p);
    }
}

#[tokio::test]
async fn read_file_caps_size_and_requires_utf8() {
    let f = Fx::new();
    let big = f.skills().join("big.txt");
    std::fs::write(&big, vec![b'a'; 5 * 1024 * 1024 + 1]).unwrap();
    let e = f
        .call("read_file", json!({"filePath": s(&big)}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("5 MB"), "{e}");
    let exact = f.skills().join("exact.txt");
    std::fs::write(&exact, vec![b'a'; 5 * 1024 * 1024]).unwrap();
    assert!(f
        .call("read_file", json!({"filePath": s(&exact)}))
        .await
        .is_ok());
    let bin = f.skills().join("bin.dat");
    std::fs::write(&bin, [0xff, 0xfe, 0x00]).unwrap();
    let e = f
        .call("read_file", json!({"filePath": s(&bin)}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("UTF-8"), "{e}");
}

// ------------------------------------------------------------------------------------------
// read_file_as_base64

#[tokio::test]
async fn read_file_as_base64_roundtrip_and_cap() {
    let f = Fx::new();
    let p = f.workspace().join("img.png");
    std::fs::write(&p, [0u8, 1, 2, 255]).unwrap();
    let v = f
        .call("read_file_as_base64", json!({"filePath": s(&p)}))
        .await
        .unwrap();
    assert_eq!(v, json!("AAEC/w=="));

    let big = f.workspace().join("big.bin");
    std::fs::write(&big, vec![0u8; 5_242_881]).unwrap();
    let e = f
        .call("read_file_as_base64", json!({"filePath": s(&big)}))
        .await
        .unwrap_err();
    assert!(e.message.starts_with("File exceeds 5 MB limit"), "{e}");

    let e = f
        .call(
            "read_file_as_base64",
            json!({"filePath": s(&f.workspace().join("missing.bin"))}),
        )
        .await
        .unwrap_err();
    assert!(e.message.starts_with("Cannot read file"), "{e}");
}

#[tokio::test]
async fn read_file_as_base64_refuses_hostile_paths() {
    let f = Fx::new();
    let link = f.workspace().join("secret-link");
    std::os::unix::fs::symlink(f.outside().join("secret.txt"), &link).unwrap();
    for p in [
        "/etc/passwd".to_string(),
        format!("{}/../outside/secret.txt", s(&f.base.join("data"))),
        s(&link),
        "relative.bin".into(),
    ] {
        let r = f.call("read_file_as_base64", json!({"filePath": p})).await;
        assert_refused(r, &p);
    }
}

// ------------------------------------------------------------------------------------------
// copy_file

#[tokio::test]
async fn copy_file_inside_roots_and_to_home() {
    let f = Fx::new();
    let src = f.app.paths.exports_dir().join("s.skill");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    std::fs::write(&src, b"PK zip").unwrap();
    let dest = f.workspace().join("copy.skill");
    f.call("copy_file", json!({"src": s(&src), "dest": s(&dest)}))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"PK zip");

    // the "save as" target may be under the user's home directory
    let dir = tempfile::tempdir_in(f.base.join("home")).unwrap();
    let dest = dir.path().join("saved.skill");
    f.call("copy_file", json!({"src": s(&src), "dest": s(&dest)}))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"PK zip");
    // ...but only export files: no dotfiles or other files outside the app roots
    let rc = dir.path().join(".bashrc");
    let r = f
        .call("copy_file", json!({"src": s(&src), "dest": s(&rc)}))
        .await;
    assert_refused(r, &s(&rc));
    assert!(!rc.exists());

    // dest parent must exist
    let e = f
        .call(
            "copy_file",
            json!({"src": s(&src), "dest": s(&f.workspace().join("no/such/dir.skill"))}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(!f.workspace().join("no").exists());
}

#[tokio::test]
async fn copy_file_refuses_hostile_src_and_dest() {
    let f = Fx::new();
    let src = f.skills().join("ok.txt");
    std::fs::write(&src, "ok").unwrap();
    // hostile dest
    for (p, must_not_exist) in hostile_targets(&f) {
        let r = f
            .call("copy_file", json!({"src": s(&src), "dest": p}))
            .await;
        assert_refused(r, &p);
        assert!(!must_not_exist.exists(), "{}", must_not_exist.display());
    }
    // hostile src
    let inside_dest = f.skills().join("stolen.txt");
    for p in [
        "/etc/passwd".to_string(),
        s(&f.outside().join("secret.txt")),
        format!("{}/../../outside/secret.txt", s(&f.skills())),
        s(&f.skills().join("escape-dir/secret.txt")),
    ] {
        let r = f
            .call("copy_file", json!({"src": p, "dest": s(&inside_dest)}))
            .await;
        assert_refused(r, &p);
        assert!(!inside_dest.exists());
    }
}

// ------------------------------------------------------------------------------------------
// write_base64_to_temp_file

#[tokio::test]
async fn write_base64_to_temp_file_writes_attachment() {
    let f = Fx::new();
    let name = format!("att-{}.bin", std::process::id());
    let content = base64::engine::general_purpose::STANDARD.encode(b"\x00hello\xff");
    let v = f
        .call(
            "write_base64_to_temp_file",
            json!({"fileName": name, "base64Content": content}),
        )
        .await
        .unwrap();
    let path = PathBuf::from(v.as_str().unwrap());
    assert!(path.ends_with(format!("skill-builder-attachments/{name}")));
    assert_eq!(std::fs::read(&path).unwrap(), b"\x00hello\xff");
    // overwrite
    f.call(
        "write_base64_to_temp_file",
        json!({"fileName": name, "base64Content": "YQ=="}),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"a");
    // the attachments dir is a root for reading it back
    let v = f
        .call("read_file_as_base64", json!({"filePath": s(&path)}))
        .await
        .unwrap();
    assert_eq!(v, json!("YQ=="));
    std::fs::remove_file(&path).unwrap();

    let e = f
        .call(
            "write_base64_to_temp_file",
            json!({"fileName": "x.bin", "base64Content": "not base64!!"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.starts_with("Invalid base64"), "{e}");
}

#[tokio::test]
async fn write_base64_to_temp_file_refuses_traversal() {
    let f = Fx::new();
    let att = std::env::temp_dir().join("skill-builder-attachments");
    for name in [
        "../escape.bin",
        "..",
        "a/b.bin",
        "a\\b.bin",
        "/etc/passwd",
        "",
        ".",
        "x\0y",
    ] {
        let e = f
            .call(
                "write_base64_to_temp_file",
                json!({"fileName": name, "base64Content": "YQ=="}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{name}: {e}");
        assert!(
            e.message
                .starts_with("Invalid file name: path traversal not allowed"),
            "{e}"
        );
        assert!(e.message.contains(&format!("{name:?}")), "{e}");
    }
    assert!(!std::env::temp_dir().join("escape.bin").exists());
    assert!(!att.join("a").exists());
}

// ------------------------------------------------------------------------------------------
// list_skill_files

#[tokio::test]
async fn list_skill_files_lists_sorted_and_reports_symlinks() {
    let f = Fx::new();
    let skill = f.skills().join("my-skill");
    std::fs::create_dir_all(skill.join("references")).unwrap();
    std::fs::write(skill.join("SKILL.md"), "12345").unwrap();
    std::fs::write(skill.join("references/b.md"), "b").unwrap();
    std::fs::write(skill.join("references/a.md"), "aa").unwrap();
    std::os::unix::fs::symlink(f.outside(), skill.join("zz-link")).unwrap();

    let v = f
        .call(
            "list_skill_files",
            json!({"workspacePath": s(&f.skills()), "skillName": "my-skill"}),
        )
        .await
        .unwrap();
    let rels: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["relative_path"].as_str().unwrap())
        .collect();
    assert_eq!(
        rels,
        [
            "SKILL.md",
            "references",
            "references/a.md",
            "references/b.md",
            "zz-link"
        ]
    );
    let first = &v[0];
    assert_eq!(first["name"], "SKILL.md");
    assert_eq!(first["size_bytes"], 5);
    assert_eq!(first["is_directory"], false);
    assert_eq!(first["is_readonly"], false);
    assert_eq!(first["absolute_path"], json!(s(&skill.join("SKILL.md"))));
    assert_eq!(v[1]["is_directory"], true);
    assert_eq!(v[1]["size_bytes"], 0);
    let link = &v[4];
    assert_eq!(link["is_symlink"], true);
    assert_eq!(link["absolute_path"], json!(s(&skill.join("zz-link"))));
    // the link was not followed
    assert!(!rels.iter().any(|r| r.contains("secret")));

    // default workspacePath = the workspace; a missing folder is []
    let v = f
        .call("list_skill_files", json!({"skillName": "my-skill"}))
        .await
        .unwrap();
    assert_eq!(v, json!([]));
}

#[tokio::test]
async fn list_skill_files_refuses_bad_names_and_roots() {
    let f = Fx::new();
    for name in ["../outside", "..", "a/b", "a\\b", ""] {
        let e = f
            .call(
                "list_skill_files",
                json!({"workspacePath": s(&f.skills()), "skillName": name}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{name}: {e}");
    }
    // workspacePath must be a root itself, not outside nor a folder inside a root
    let sub = f.skills().join("my-skill");
    std::fs::create_dir_all(&sub).unwrap();
    for p in [
        s(&f.base),
        s(&f.outside()),
        s(&sub),
        "/".into(),
        "relative".into(),
    ] {
        let r = f
            .call(
                "list_skill_files",
                json!({"workspacePath": p, "skillName": "outside"}),
            )
            .await;
        assert_refused(r, &p);
    }
    // a skill folder that is a symlink out of the root
    std::os::unix::fs::symlink(f.outside(), f.skills().join("linked")).unwrap();
    let e = f
        .call(
            "list_skill_files",
            json!({"workspacePath": s(&f.skills()), "skillName": "linked"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}
