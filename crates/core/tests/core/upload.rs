//! `upload_skill` and `export_skill` through the catalog: both layouts, every hostile ZIP
//! kind refused with nothing written and no row, duplicates, export → re-upload round trip.

use crate::support::{call, call_err, open};
use serde_json::{json, Value};
use skill_builder_core::{settings, workspace_skills, App, ErrorKind};
use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zip::write::SimpleFileOptions;

fn rows(app: &App) -> i64 {
    app.db
        .conn()
        .query_row("SELECT COUNT(*) FROM workspace_skills", [], |r| r.get(0))
        .unwrap()
}

enum Item<'a> {
    File(&'a str, &'a [u8]),
    Exec(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
}
use Item::*;

fn build(items: &[Item]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for it in items {
        match it {
            File(n, d) => {
                w.start_file(*n, opts.unix_permissions(0o644)).unwrap();
                w.write_all(d).unwrap();
            }
            Exec(n, d) => {
                w.start_file(*n, opts.unix_permissions(0o755)).unwrap();
                w.write_all(d).unwrap();
            }
            Dir(n) => w.add_directory(*n, opts).unwrap(),
            Symlink(n, t) => w.add_symlink(*n, *t, opts).unwrap(),
        }
    }
    w.finish().unwrap().into_inner()
}

/// Writes bytes to a file outside the data dir (like ~/Downloads) and returns its path.
fn outside(dir: &tempfile::TempDir, file: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(file);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn skill_md(name: &str) -> String {
    format!("---\nname: {name}\ndescription: Does {name} things\nlicense: MIT\n---\n# {name}\n\nSee [x](references/x.md).\n")
}

/// Every file and folder under `root` with content hash and exec bit, skipping the
/// database and logs. The staging folder must be empty (or absent) and is left out.
fn listing(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let rel = p
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("skill-builder.db") || rel == "logs" {
            continue;
        }
        if rel.ends_with(".claude/skills/.staging") {
            assert_eq!(
                std::fs::read_dir(&p).unwrap().count(),
                0,
                "the staging folder must be empty after an upload"
            );
            continue;
        }
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            out.insert(rel, "dir".into());
            walk(root, &p, out);
        } else {
            out.insert(rel, file_sig(&p));
        }
    }
}

fn file_sig(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap();
    format!(
        "{}{}",
        workspace_skills::sha256_hex(&bytes),
        if is_exec(p) { " +x" } else { "" }
    )
}

fn is_exec(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}

/// The files of one folder: relative path → signature.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[tokio::test]
async fn upload_root_layout() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let zip = build(&[
        File("SKILL.md", skill_md("root-skill").as_bytes()),
        File("references/x.md", b"ref"),
        Exec("scripts/run.sh", b"#!/bin/sh\necho hi\n"),
    ]);
    let v = call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "root-skill.skill", &zip)}),
    )
    .await;
    let dest = d.path().join("workspace/.claude/skills/root-skill");
    assert_eq!(v["skill_name"], "root-skill");
    assert_eq!(v["description"], "Does root-skill things");
    assert_eq!(v["is_active"], true);
    assert_eq!(v["is_bundled"], false);
    assert_eq!(v["purpose"], Value::Null, "uploads keep purpose NULL (D7)");
    assert_eq!(v["disk_path"], dest.to_str().unwrap());
    assert!(v["skill_id"]
        .as_str()
        .unwrap()
        .starts_with("imp-root-skill-"));
    assert!(v["warnings"].is_array());
    assert!(v["imported_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        std::fs::read_to_string(dest.join("SKILL.md")).unwrap(),
        skill_md("root-skill")
    );
    assert_eq!(
        std::fs::read_to_string(dest.join("references/x.md")).unwrap(),
        "ref"
    );
    #[cfg(unix)]
    assert!(is_exec(&dest.join("scripts/run.sh")));
    let hash: String = app
        .db
        .conn()
        .query_row(
            "SELECT content_hash FROM workspace_skills WHERE skill_name = 'root-skill'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        hash,
        workspace_skills::sha256_hex(skill_md("root-skill").as_bytes())
    );
    let claude = std::fs::read_to_string(d.path().join("workspace/.claude/CLAUDE.md")).unwrap();
    assert!(claude.contains("### /root-skill"), "{claude}");
    let list = call(&app, "list_workspace_skills", json!({})).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["skill_name"], "root-skill");
    // Nothing left in staging.
    let staging = d.path().join("workspace/.claude/skills/.staging");
    assert!(!staging.exists() || std::fs::read_dir(&staging).unwrap().count() == 0);
}

#[tokio::test]
async fn upload_folder_layout_and_lint_warnings() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    // `model` is a Claude Code key: fine; the broken link and the unknown key are warnings.
    let md = "---\nname: folder-skill\ndescription: In a folder\nmodel: sonnet\nfancy: 1\n---\nSee [gone](references/gone.md).\n";
    let zip = build(&[
        Dir("folder-skill/"),
        File("folder-skill/SKILL.md", md.as_bytes()),
        File("folder-skill/references/a.md", b"a"),
        File("__MACOSX/folder-skill/._a.md", b"junk"),
    ]);
    let v = call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "x.zip", &zip)}),
    )
    .await;
    assert_eq!(v["skill_name"], "folder-skill");
    assert_eq!(v["model"], "sonnet");
    let dest = d.path().join("workspace/.claude/skills/folder-skill");
    assert!(dest.join("SKILL.md").is_file());
    assert!(dest.join("references/a.md").is_file());
    assert!(!dest.join("folder-skill").exists());
    assert!(!d.path().join("workspace/.claude/skills/__MACOSX").exists());
    let warnings: Vec<String> = serde_json::from_value(v["warnings"].clone()).unwrap();
    assert!(
        warnings.iter().any(|w| w.contains("gone.md")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("fancy")), "{warnings:?}");
}

#[tokio::test]
async fn name_override_renames_the_skill() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let md = "---\nname: Not A Valid Name\ndescription: d\n---\nbody\n";
    let zip = build(&[File("SKILL.md", md.as_bytes())]);
    let f = outside(&src, "a.zip", &zip);
    let e = call_err(&app, "upload_skill", json!({"filePath": f})).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(
        e.message.starts_with("invalid_skill_name:"),
        "{}",
        e.message
    );
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": f, "nameOverride": "../x"}),
    )
    .await;
    assert!(
        e.message.starts_with("invalid_skill_name:../x"),
        "{}",
        e.message
    );
    let v = call(
        &app,
        "upload_skill",
        json!({"filePath": f, "nameOverride": "renamed"}),
    )
    .await;
    assert_eq!(v["skill_name"], "renamed");
    let text = std::fs::read_to_string(d.path().join("workspace/.claude/skills/renamed/SKILL.md"))
        .unwrap();
    assert!(text.contains("name: renamed"), "{text}");
}

#[tokio::test]
async fn hostile_zips_leave_nothing_behind() {
    let (d, app) = open();
    // A started app: bundled skills seeded, one skill already uploaded.
    workspace_skills::seed_bundled_skills(&app).unwrap();
    let src = tempfile::tempdir().unwrap();
    let good = build(&[File("SKILL.md", skill_md("present").as_bytes())]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "present.zip", &good)}),
    )
    .await;
    settings::update(&app, |s| {
        s.zip_max_entries = 5;
        s.zip_max_total_bytes = 1024 * 1024;
        s.zip_max_file_bytes = 512 * 1024;
    })
    .unwrap();

    let md = skill_md("evil");
    let md = md.as_bytes();
    let many: Vec<String> = (0..6).map(|i| format!("f{i}.txt")).collect();
    let mut many_items = vec![File("SKILL.md", md)];
    many_items.extend(many.iter().map(|n| File(n, b"x")));
    let chunk = vec![b'a'; 400 * 1024];
    let big = vec![0u8; 600 * 1024];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "zip-slip",
            build(&[File("SKILL.md", md), File("../evil.txt", b"pwned")]),
            "'..'",
        ),
        (
            "zip-slip nested",
            build(&[
                File("SKILL.md", md),
                File("references/../../../evil.txt", b"pwned"),
            ]),
            "'..'",
        ),
        (
            "absolute path",
            build(&[File("SKILL.md", md), File("/tmp/evil.txt", b"pwned")]),
            "absolute",
        ),
        (
            "symlink entry",
            build(&[File("SKILL.md", md), Symlink("link", "/etc/passwd")]),
            "symbolic link",
        ),
        (
            "too many entries",
            build(&many_items),
            "zip_limit_exceeded:entries",
        ),
        (
            "too many bytes",
            build(&[
                File("SKILL.md", md),
                File("a.bin", &chunk),
                File("b.bin", &chunk),
                File("c.bin", &chunk),
            ]),
            "zip_limit_exceeded:total_size",
        ),
        (
            "file too big",
            build(&[File("SKILL.md", md), File("big.bin", &big)]),
            "zip_limit_exceeded:file_size",
        ),
        ("not a zip", b"just some text".to_vec(), "not a ZIP archive"),
        (
            "invalid name",
            build(&[File(
                "SKILL.md",
                b"---\nname: ../../escape\ndescription: d\n---\n",
            )]),
            "invalid_skill_name:../../escape",
        ),
        (
            "missing name and description",
            build(&[File("SKILL.md", b"---\nversion: 1.0.0\n---\nbody\n")]),
            "missing_mandatory_fields:name,description",
        ),
        (
            "missing description",
            build(&[File("SKILL.md", b"---\nname: nodesc\n---\nbody\n")]),
            "missing_mandatory_fields:description",
        ),
        (
            "no SKILL.md",
            build(&[File("README.md", b"hello")]),
            "SKILL.md not found",
        ),
    ];
    let before = listing(d.path());
    let rows_before = rows(&app);
    for (what, bytes, want) in cases {
        let f = outside(&src, "hostile.zip", &bytes);
        let e = call_err(&app, "upload_skill", json!({"filePath": f})).await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{what}: {}", e.message);
        assert!(e.message.contains(want), "{what}: {}", e.message);
        assert_eq!(listing(d.path()), before, "{what}: something was written");
        assert_eq!(rows(&app), rows_before, "{what}: a row was inserted");
    }
    // Inputs that are not regular files.
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": src.path().to_str().unwrap()}),
    )
    .await;
    assert!(e.message.contains("a folder"), "{}", e.message);
    let e = call_err(&app, "upload_skill", json!({"filePath": "relative.zip"})).await;
    assert!(e.message.contains("absolute"), "{}", e.message);
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": src.path().join("nope.zip").to_str().unwrap()}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    #[cfg(unix)]
    {
        let link = src.path().join("null.zip");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let e = call_err(
            &app,
            "upload_skill",
            json!({"filePath": link.to_str().unwrap()}),
        )
        .await;
        assert!(e.message.contains("not a regular file"), "{}", e.message);
    }
    assert_eq!(listing(d.path()), before);
    assert_eq!(rows(&app), rows_before);
}

#[tokio::test]
async fn duplicates_are_conflicts_and_change_nothing() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let first = build(&[File("SKILL.md", skill_md("dup").as_bytes())]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "1.zip", &first)}),
    )
    .await;
    let before = listing(d.path());
    let second = build(&[
        File("SKILL.md", skill_md("dup").as_bytes()),
        File("new.md", b"new"),
    ]);
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "2.zip", &second)}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.message, "Skill 'dup' has already been imported");
    assert_eq!(listing(d.path()), before);
    assert_eq!(rows(&app), 1);

    // Also a conflict when inactive.
    let id = call(&app, "list_workspace_skills", json!({})).await[0]["skill_id"].clone();
    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": id, "active": false}),
    )
    .await;
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "2.zip", &second)}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);

    // An untracked folder of that name is not overwritten either.
    let stray = d.path().join("workspace/.claude/skills/stray");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("mine.txt"), "mine").unwrap();
    let z = build(&[File("SKILL.md", skill_md("stray").as_bytes())]);
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "3.zip", &z)}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("already exists"), "{}", e.message);
    assert_eq!(std::fs::read_dir(&stray).unwrap().count(), 1);
    assert_eq!(rows(&app), 1);
}

/// Renames entry `from` to `to` (same length) in its local and central headers: the `zip`
/// writer refuses a repeated name, a hostile archive does not.
fn rename_entry(mut bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let n = from.len();
    let mut renamed = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let at = match &bytes[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => i + 30,
            [0x50, 0x4b, 0x01, 0x02] => i + 46,
            _ => {
                i += 1;
                continue;
            }
        };
        if bytes.get(at..at + n) == Some(from.as_bytes()) {
            bytes[at..at + n].copy_from_slice(to.as_bytes());
            renamed += 1;
        }
        i = at;
    }
    assert_eq!(renamed, 2, "entry {from} not found in both headers");
    bytes
}

/// Issue 12 item 7: an archive holding one path twice installed the last copy while
/// `unzip` shows the first. Every form of repeat is refused, naming the path, with
/// nothing written and no row.
#[tokio::test]
async fn repeated_entry_names_are_refused_naming_the_path() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let shown = skill_md("twin");
    let hidden = skill_md("other");
    let byte_identical = rename_entry(
        build(&[
            File("twin/SKILL.md", shown.as_bytes()),
            File("twin/SKILL.mX", hidden.as_bytes()),
        ]),
        "twin/SKILL.mX",
        "twin/SKILL.md",
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "byte-identical names",
            byte_identical,
            "the entry 'twin/SKILL.md' appears more than once",
        ),
        (
            "same path after normalisation",
            build(&[
                File("twin/SKILL.md", shown.as_bytes()),
                File("./twin/SKILL.md", hidden.as_bytes()),
            ]),
            "both extract to 'twin/SKILL.md'",
        ),
        (
            "same path up to letter case",
            build(&[
                File("twin/SKILL.md", shown.as_bytes()),
                File("twin/references/Notes.md", b"1"),
                File("twin/references/notes.md", b"2"),
            ]),
            "'twin/references/Notes.md' and 'twin/references/notes.md' differ only in letter case",
        ),
    ];
    let before = listing(d.path());
    for (what, bytes, want) in cases {
        let f = outside(&src, "twin.zip", &bytes);
        let e = call_err(&app, "upload_skill", json!({"filePath": f})).await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{what}: {}", e.message);
        assert!(e.message.contains(want), "{what}: {}", e.message);
        assert_eq!(listing(d.path()), before, "{what}: something was written");
        assert_eq!(rows(&app), 0, "{what}: a row was inserted");
    }
}

#[tokio::test]
async fn export_then_reupload_gives_the_same_files() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let zip = build(&[
        File("SKILL.md", skill_md("round-trip").as_bytes()),
        File("references/x.md", b"ref"),
        Exec("scripts/run.sh", b"#!/bin/sh\necho hi\n"),
        File("assets/font.bin", &binary),
        Dir("empty/"),
    ]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "rt.zip", &zip)}),
    )
    .await;
    let dir = d.path().join("workspace/.claude/skills/round-trip");
    let original = tree(&dir);
    assert!(original.contains_key("empty"));
    #[cfg(unix)]
    assert!(original["scripts/run.sh"].ends_with(" +x"));

    let path = call(&app, "export_skill", json!({"skillName": "round-trip"})).await;
    let path = PathBuf::from(path.as_str().unwrap());
    assert_eq!(path, d.path().join("exports/round-trip.zip"));
    // Entries all under `round-trip/`.
    let mut ar = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    for i in 0..ar.len() {
        let n = ar.by_index(i).unwrap().name().unwrap().into_owned();
        assert!(n.starts_with("round-trip/"), "{n}");
    }
    // Delete, re-upload the export: identical files.
    let id = call(&app, "list_workspace_skills", json!({})).await[0]["skill_id"].clone();
    call(&app, "delete_imported_skill", json!({"skillId": id})).await;
    assert!(!dir.exists());
    call(
        &app,
        "upload_skill",
        json!({"filePath": path.to_str().unwrap()}),
    )
    .await;
    assert_eq!(tree(&dir), original);

    // Export errors.
    let e = call_err(&app, "export_skill", json!({"skillName": "nope"})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Skill 'nope' not found");
}

#[tokio::test]
async fn export_skips_symlinks() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let zip = build(&[File("SKILL.md", skill_md("linky").as_bytes())]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "l.zip", &zip)}),
    )
    .await;
    #[cfg(unix)]
    {
        let dir = d.path().join("workspace/.claude/skills/linky");
        std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd")).unwrap();
        let path = call(&app, "export_skill", json!({"skillName": "linky"})).await;
        let ar =
            zip::ZipArchive::new(std::fs::File::open(path.as_str().unwrap()).unwrap()).unwrap();
        let names: Vec<String> = ar.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert!(!names.iter().any(|n| n.contains("passwd")), "{names:?}");
        assert!(names.iter().any(|n| n == "linky/SKILL.md"));
    }
    let _ = d;
}

// ---- target: "library" (the Skills Library instead of the agents' workspace skills) ----

fn library_rows(app: &App, name: &str) -> (i64, i64) {
    let conn = app.db.conn();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [name], |r| r.get(0)).unwrap() };
    (
        count("SELECT COUNT(*) FROM skills WHERE name = ?1"),
        count("SELECT COUNT(*) FROM imported_skills WHERE skill_name = ?1"),
    )
}

async fn history_messages(app: &Arc<App>, name: &str) -> Vec<String> {
    let h = call(
        app,
        "get_skill_history",
        json!({"skillName": name, "limit": 20}),
    )
    .await;
    h.as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap().trim().to_string())
        .collect()
}

#[tokio::test]
async fn zip_into_the_library_is_placed_recorded_and_committed() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    let zip = build(&[
        Dir("lib-skill/"),
        File("lib-skill/SKILL.md", skill_md("lib-skill").as_bytes()),
        File("lib-skill/references/x.md", b"ref"),
    ]);
    let v = call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "lib-skill.zip", &zip), "target": "library"}),
    )
    .await;
    let dest = d.path().join("skills/lib-skill");
    assert_eq!(v["skill_name"], "lib-skill");
    assert_eq!(v["disk_path"], dest.to_str().unwrap());
    assert_eq!(v["description"], "Does lib-skill things");
    assert_eq!(
        std::fs::read_to_string(dest.join("SKILL.md")).unwrap(),
        skill_md("lib-skill")
    );
    assert_eq!(std::fs::read(dest.join("references/x.md")).unwrap(), b"ref");
    // Not a workspace skill, and no staging folder left in the library.
    assert!(!d.path().join("workspace/.claude/skills/lib-skill").exists());
    assert_eq!(rows(&app), 0);
    assert!(!d.path().join("skills/.staging").exists());

    let (source, hash): (String, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT s.skill_source, i.content_hash FROM skills s
             JOIN imported_skills i ON i.skill_master_id = s.id WHERE s.name = 'lib-skill'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(source, "imported");
    assert_eq!(
        hash.as_deref(),
        Some(workspace_skills::sha256_hex(skill_md("lib-skill").as_bytes()).as_str())
    );
    let listed = call(&app, "list_skills", json!({})).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "lib-skill"),
        "{listed}"
    );
    assert_eq!(
        history_messages(&app, "lib-skill")
            .await
            .first()
            .map(String::as_str),
        Some("lib-skill: imported")
    );

    // Uploading a changed copy updates it; the history keeps both versions.
    let changed = build(&[
        File("SKILL.md", skill_md("lib-skill").as_bytes()),
        File("references/x.md", b"ref v2"),
    ]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "v2.zip", &changed), "target": "library"}),
    )
    .await;
    assert_eq!(
        std::fs::read(dest.join("references/x.md")).unwrap(),
        b"ref v2"
    );
    assert_eq!(library_rows(&app, "lib-skill"), (1, 1));
    let msgs = history_messages(&app, "lib-skill").await;
    assert_eq!(
        msgs.iter().filter(|m| *m == "lib-skill: imported").count(),
        2,
        "{msgs:?}"
    );
}

#[tokio::test]
async fn a_bad_zip_for_the_library_leaves_nothing() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    // A library that already holds an uploaded skill (so its folder and repository exist).
    let good = build(&[File("SKILL.md", skill_md("present").as_bytes())]);
    call(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "present.zip", &good), "target": "library"}),
    )
    .await;
    let md = skill_md("evil");
    let md = md.as_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not a zip", b"just some text".to_vec()),
        (
            "zip-slip",
            build(&[File("SKILL.md", md), File("../evil.txt", b"pwned")]),
        ),
        (
            "symlink entry",
            build(&[File("SKILL.md", md), Symlink("link", "/etc/passwd")]),
        ),
        (
            "missing description",
            build(&[File("SKILL.md", b"---\nname: nodesc\n---\nbody\n")]),
        ),
        ("no SKILL.md", build(&[File("README.md", b"hello")])),
    ];
    let before = listing(d.path());
    for (what, bytes) in cases {
        let f = outside(&src, "hostile.zip", &bytes);
        let e = call_err(
            &app,
            "upload_skill",
            json!({"filePath": f, "target": "library"}),
        )
        .await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{what}: {}", e.message);
        assert_eq!(listing(d.path()), before, "{what}: something was written");
        assert_eq!(
            library_rows(&app, "evil"),
            (0, 0),
            "{what}: a row was written"
        );
        assert_eq!(library_rows(&app, "nodesc"), (0, 0), "{what}");
    }
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "ok.zip", &good), "target": "elsewhere"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("'library'"), "{}", e.message);
    assert_eq!(listing(d.path()), before);
}

#[tokio::test]
async fn a_zip_never_replaces_a_library_skill_of_another_source() {
    let (d, app) = open();
    let src = tempfile::tempdir().unwrap();
    call(&app, "create_skill", json!({"name": "built-here"})).await;
    let before = listing(d.path());
    let zip = build(&[File("SKILL.md", skill_md("built-here").as_bytes())]);
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "b.zip", &zip), "target": "library"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("'skill-builder' skill"), "{}", e.message);
    assert_eq!(listing(d.path()), before);
    assert_eq!(library_rows(&app, "built-here"), (1, 0));

    // A folder the library does not know is not replaced either.
    let stray = d.path().join("skills/stray");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("mine.txt"), "mine").unwrap();
    let z = build(&[File("SKILL.md", skill_md("stray").as_bytes())]);
    let e = call_err(
        &app,
        "upload_skill",
        json!({"filePath": outside(&src, "s.zip", &z), "target": "library"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(std::fs::read_dir(&stray).unwrap().count(), 1);
    assert_eq!(library_rows(&app, "stray"), (0, 0));
}
