//! Settings→Skills commands (list, toggle, purpose slots, delete, content), bundled-skill
//! seeding and `lint_skill`, through the catalog as every shell calls them.

use crate::support::{call, call_err, minimal_skill_md, open, upload_zip, zip_of};
use serde_json::{json, Value};
use skill_builder_core::workspace_skills::{self, SeedStatus};
use skill_builder_core::{App, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const BUNDLED: [&str; 4] = [
    "research",
    "skill-builder-practices",
    "skill-test",
    "validate-skill",
];

fn skills_dir(d: &Path) -> PathBuf {
    d.join("workspace/.claude/skills")
}

/// Uploads a one-file skill and returns its row.
async fn upload(app: &Arc<App>, name: &str) -> Value {
    upload_zip(
        app,
        &zip_of(&[("SKILL.md", minimal_skill_md(name).as_bytes())]),
    )
    .await
}

async fn row(app: &Arc<App>, name: &str) -> Value {
    call(app, "list_workspace_skills", json!({}))
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["skill_name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no row {name}"))
}

fn claude_md(d: &Path) -> String {
    std::fs::read_to_string(d.join("workspace/.claude/CLAUDE.md")).unwrap_or_default()
}

fn stored_hash(app: &App, name: &str) -> Option<String> {
    app.db
        .conn()
        .query_row(
            "SELECT content_hash FROM workspace_skills WHERE skill_name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
}

fn set_stored_hash(app: &App, name: &str, hash: &str) {
    app.db
        .conn()
        .execute(
            "UPDATE workspace_skills SET content_hash = ?2 WHERE skill_name = ?1",
            [name, hash],
        )
        .unwrap();
}

#[tokio::test]
async fn list_works_without_seeding() {
    let (_d, app) = open();
    assert_eq!(
        call(&app, "list_workspace_skills", json!({})).await,
        json!([])
    );
    let e = call_err(&app, "get_skill_content", json!({"skillName": "x"})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Workspace skill 'x' not found");
}

#[tokio::test]
async fn toggle_moves_the_folder_and_updates_claude_md() {
    let (d, app) = open();
    let v = upload(&app, "alpha").await;
    let id = v["skill_id"].clone();
    let active = skills_dir(d.path()).join("alpha");
    let inactive = skills_dir(d.path()).join(".inactive/alpha");
    assert!(claude_md(d.path()).contains("### /alpha"));

    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": id, "active": false}),
    )
    .await;
    assert!(!active.exists());
    assert!(inactive.join("SKILL.md").is_file());
    let r = row(&app, "alpha").await;
    assert_eq!(r["is_active"], false);
    assert_eq!(r["disk_path"], inactive.to_str().unwrap());
    assert!(!claude_md(d.path()).contains("### /alpha"));
    // Content still readable while inactive.
    let text = call(&app, "get_skill_content", json!({"skillName": "alpha"})).await;
    assert!(text.as_str().unwrap().contains("# alpha"));

    // Idempotent.
    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": id, "active": false}),
    )
    .await;
    assert!(inactive.join("SKILL.md").is_file());

    // Back, replacing a stale copy at the destination.
    std::fs::create_dir_all(&active).unwrap();
    std::fs::write(active.join("stale.txt"), "stale").unwrap();
    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": id, "active": true}),
    )
    .await;
    assert!(active.join("SKILL.md").is_file());
    assert!(!active.join("stale.txt").exists());
    assert!(!inactive.exists());
    assert_eq!(
        row(&app, "alpha").await["disk_path"],
        active.to_str().unwrap()
    );
    assert!(claude_md(d.path()).contains("### /alpha"));

    let e = call_err(
        &app,
        "toggle_skill_active",
        json!({"skillId": "nope", "active": true}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Workspace skill with id 'nope' not found");
}

#[tokio::test]
async fn a_failed_move_reverts_the_row() {
    let (d, app) = open();
    let id = upload(&app, "beta").await["skill_id"].clone();
    // `.inactive` is a file: the folder cannot move there.
    std::fs::write(skills_dir(d.path()).join(".inactive"), "in the way").unwrap();
    let e = call_err(
        &app,
        "toggle_skill_active",
        json!({"skillId": id, "active": false}),
    )
    .await;
    assert!(e.message.contains("beta"), "{}", e.message);
    let r = row(&app, "beta").await;
    assert_eq!(r["is_active"], true);
    assert_eq!(
        r["disk_path"],
        skills_dir(d.path()).join("beta").to_str().unwrap()
    );
    assert!(skills_dir(d.path()).join("beta/SKILL.md").is_file());
}

#[tokio::test]
async fn one_active_skill_per_purpose_slot() {
    let (d, app) = open();
    let a = upload(&app, "res-a").await["skill_id"].clone();
    let b = upload(&app, "res-b").await["skill_id"].clone();
    let c = upload(&app, "other").await["skill_id"].clone();

    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": a, "purpose": "research"}),
    )
    .await;
    assert_eq!(row(&app, "res-a").await["purpose"], "research");
    // Giving the slot to another active skill deactivates the holder.
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": b, "purpose": "research"}),
    )
    .await;
    assert_eq!(row(&app, "res-a").await["is_active"], false);
    assert!(skills_dir(d.path()).join(".inactive/res-a").is_dir());
    assert_eq!(row(&app, "res-b").await["is_active"], true);

    // Activating a holder deactivates the other.
    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": a, "active": true}),
    )
    .await;
    assert_eq!(row(&app, "res-a").await["is_active"], true);
    assert_eq!(row(&app, "res-b").await["is_active"], false);
    assert!(skills_dir(d.path()).join("res-a").is_dir());
    assert!(skills_dir(d.path()).join(".inactive/res-b").is_dir());
    assert!(!claude_md(d.path()).contains("### /res-b"));

    // Skills without a slot are unaffected.
    assert_eq!(row(&app, "other").await["is_active"], true);
    // Only the four slots are accepted; empty/null clears.
    let e = call_err(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": c, "purpose": "skill-builder"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("research, validate"), "{}", e.message);
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": a, "purpose": null}),
    )
    .await;
    assert_eq!(row(&app, "res-a").await["purpose"], Value::Null);
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": a, "purpose": ""}),
    )
    .await;
    // Unknown id: silent no-op (reference behaviour).
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": "ghost", "purpose": "validate"}),
    )
    .await;
    // An inactive skill may hold a slot without displacing anyone.
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": c, "purpose": "validate"}),
    )
    .await;
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": b, "purpose": "validate"}),
    )
    .await;
    assert_eq!(row(&app, "other").await["is_active"], true);
    assert_eq!(row(&app, "res-b").await["is_active"], false);
}

#[tokio::test]
async fn delete_removes_folders_and_row_but_not_bundled() {
    let (d, app) = open();
    let id = upload(&app, "gone").await["skill_id"].clone();
    // A leftover in the inactive store goes too.
    std::fs::create_dir_all(skills_dir(d.path()).join(".inactive/gone")).unwrap();
    call(&app, "delete_imported_skill", json!({"skillId": id})).await;
    assert!(!skills_dir(d.path()).join("gone").exists());
    assert!(!skills_dir(d.path()).join(".inactive/gone").exists());
    assert_eq!(
        call(&app, "list_workspace_skills", json!({})).await,
        json!([])
    );
    assert!(!claude_md(d.path()).contains("### /gone"));
    let staging = skills_dir(d.path()).join(".staging");
    assert!(!staging.exists() || std::fs::read_dir(&staging).unwrap().count() == 0);

    let e = call_err(&app, "delete_imported_skill", json!({"skillId": id})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);

    workspace_skills::seed_bundled_skills(&app).unwrap();
    let e = call_err(
        &app,
        "delete_imported_skill",
        json!({"skillId": "bundled-research"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        e.message,
        "Cannot delete bundled skill 'research'. Deactivate it instead."
    );
    assert!(skills_dir(d.path()).join("research/SKILL.md").is_file());
}

#[tokio::test]
async fn seeding_installs_bundled_skills_once() {
    let (d, app) = open();
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    for n in BUNDLED {
        assert_eq!(r.status_of(n), Some(SeedStatus::Installed), "{r:?}");
        assert!(skills_dir(d.path()).join(n).join("SKILL.md").is_file());
        assert!(skills_dir(d.path()).join(n).join("references").is_dir());
        let row = row(&app, n).await;
        assert_eq!(row["skill_id"], format!("bundled-{n}"));
        assert_eq!(row["is_bundled"], true);
        assert_eq!(row["is_active"], true);
        assert_eq!(row["imported_at"], "2000-01-01T00:00:00Z");
        assert_eq!(row["purpose"], Value::Null);
        assert!(row["description"].as_str().is_some_and(|s| !s.is_empty()));
        let md = std::fs::read(skills_dir(d.path()).join(n).join("SKILL.md")).unwrap();
        assert_eq!(
            stored_hash(&app, n),
            Some(workspace_skills::sha256_hex(&md))
        );
        assert!(claude_md(d.path()).contains(&format!("### /{n}")));
    }

    // Bundled rows sort after uploads.
    upload(&app, "newer").await;
    let list = call(&app, "list_workspace_skills", json!({})).await;
    assert_eq!(list[0]["skill_name"], "newer");

    // Idempotent: second run changes nothing.
    let before = snapshot(d.path());
    let rows_before = call(&app, "list_workspace_skills", json!({})).await;
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    for n in BUNDLED {
        assert_eq!(r.status_of(n), Some(SeedStatus::Unchanged), "{r:?}");
    }
    assert!(!r.changed());
    assert_eq!(snapshot(d.path()), before);
    assert_eq!(
        call(&app, "list_workspace_skills", json!({})).await,
        rows_before
    );
}

/// Files under the skills workspace with their contents.
fn snapshot(d: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                out.push((rel, Vec::new()));
                walk(root, &p, out);
            } else {
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let root = skills_dir(d);
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.retain(|(r, _)| r != ".staging");
    out.sort();
    out
}

#[tokio::test]
async fn reseeding_on_a_new_bundled_version_keeps_purpose_and_state() {
    let (d, app) = open();
    workspace_skills::seed_bundled_skills(&app).unwrap();
    let research = skills_dir(d.path()).join("research/SKILL.md");
    let original = std::fs::read(&research).unwrap();
    let hash = stored_hash(&app, "research").unwrap();

    // The user gives research a purpose and deactivates skill-test.
    call(
        &app,
        "set_workspace_skill_purpose",
        json!({"skillId": "bundled-research", "purpose": "research"}),
    )
    .await;
    call(
        &app,
        "toggle_skill_active",
        json!({"skillId": "bundled-skill-test", "active": false}),
    )
    .await;

    // Simulate an older deployed version: the stored hash (and the disk copy) differ from
    // the embedded one.
    std::fs::write(
        &research,
        b"---\nname: research\ndescription: old\n---\nold\n",
    )
    .unwrap();
    let old_hash = workspace_skills::sha256_hex(&std::fs::read(&research).unwrap());
    set_stored_hash(&app, "research", &old_hash);
    set_stored_hash(&app, "skill-test", "0000");
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("research"), Some(SeedStatus::Updated), "{r:?}");
    assert_eq!(std::fs::read(&research).unwrap(), original);
    assert_eq!(stored_hash(&app, "research"), Some(hash));
    let row_r = row(&app, "research").await;
    assert_eq!(row_r["purpose"], "research", "purpose survives re-seeding");
    assert_ne!(row_r["description"], "old");

    // skill-test: re-seeded where it lives (inactive), not re-activated.
    assert_eq!(
        r.status_of("skill-test"),
        Some(SeedStatus::Updated),
        "{r:?}"
    );
    assert!(!skills_dir(d.path()).join("skill-test").exists());
    assert!(skills_dir(d.path())
        .join(".inactive/skill-test/SKILL.md")
        .is_file());
    assert_eq!(row(&app, "skill-test").await["is_active"], false);

    // A deleted folder is restored.
    std::fs::remove_dir_all(skills_dir(d.path()).join("validate-skill")).unwrap();
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("validate-skill"), Some(SeedStatus::Restored));
    assert!(skills_dir(d.path())
        .join("validate-skill/SKILL.md")
        .is_file());
}

#[tokio::test]
async fn user_modified_bundled_copy_is_never_overwritten() {
    let (d, app) = open();
    workspace_skills::seed_bundled_skills(&app).unwrap();
    let dir = skills_dir(d.path()).join("validate-skill");
    let embedded = std::fs::read(dir.join("SKILL.md")).unwrap();
    let mine = b"---\nname: validate-skill\ndescription: my own rules\n---\nmine\n";
    std::fs::write(dir.join("SKILL.md"), mine).unwrap();

    // Same app version: kept, reported as modified.
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("validate-skill"), Some(SeedStatus::Modified));
    assert_eq!(std::fs::read(dir.join("SKILL.md")).unwrap(), mine);

    // New app version (stored hash = an older bundled version): still kept; the new
    // bundled copy is written beside, outside the skill folder.
    set_stored_hash(&app, "validate-skill", "older-version-hash");
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(
        r.status_of("validate-skill"),
        Some(SeedStatus::KeptUserCopy),
        "{r:?}"
    );
    assert_eq!(std::fs::read(dir.join("SKILL.md")).unwrap(), mine);
    let upd = skills_dir(d.path()).join(".bundled-updates/validate-skill");
    assert_eq!(std::fs::read(upd.join("SKILL.md")).unwrap(), embedded);
    assert!(upd.join("references").is_dir());
    // Reported once: the next start sees the current version as handled.
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("validate-skill"), Some(SeedStatus::Modified));
    assert_eq!(std::fs::read(dir.join("SKILL.md")).unwrap(), mine);
}

#[tokio::test]
async fn seeding_never_takes_over_a_user_skill_and_prunes_retired_ones() {
    let (d, app) = open();
    // The user uploaded their own `research` before the first seeding.
    upload(&app, "research").await;
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("research"), Some(SeedStatus::Conflict), "{r:?}");
    let row_r = row(&app, "research").await;
    assert_eq!(row_r["is_bundled"], false);
    assert_eq!(row_r["description"], "The research skill");

    // A bundled skill the app no longer ships: unmodified → removed.
    let old = skills_dir(d.path()).join("retired");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(
        old.join("SKILL.md"),
        "---\nname: retired\ndescription: x\n---\n",
    )
    .unwrap();
    let h = workspace_skills::sha256_hex(&std::fs::read(old.join("SKILL.md")).unwrap());
    let changed = skills_dir(d.path()).join("retired-changed");
    std::fs::create_dir_all(&changed).unwrap();
    std::fs::write(changed.join("SKILL.md"), "edited").unwrap();
    for (n, dir) in [("retired", &old), ("retired-changed", &changed)] {
        app.db
            .conn()
            .execute(
                "INSERT INTO workspace_skills (skill_id, skill_name, is_active, is_bundled,
                    disk_path, imported_at, content_hash)
                 VALUES (?1, ?2, 1, 1, ?3, '2000-01-01T00:00:00Z', ?4)",
                [
                    format!("bundled-{n}"),
                    n.to_string(),
                    dir.to_str().unwrap().to_string(),
                    h.clone(),
                ],
            )
            .unwrap();
    }
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(r.status_of("retired"), Some(SeedStatus::Removed), "{r:?}");
    assert!(!old.exists());
    assert_eq!(r.status_of("retired-changed"), Some(SeedStatus::Released));
    assert!(changed.join("SKILL.md").is_file());
    assert_eq!(row(&app, "retired-changed").await["is_bundled"], false);
    // Released skills can be deleted by the user.
    call(
        &app,
        "delete_imported_skill",
        json!({"skillId": "bundled-retired-changed"}),
    )
    .await;
}

#[tokio::test]
async fn adopting_an_identical_deployed_copy() {
    let (d, app) = open();
    // The workflow deploys support skills before seeding ever ran.
    skill_builder_core::workflow::deploy::deploy_support_skills(&app).unwrap();
    let r = workspace_skills::seed_bundled_skills(&app).unwrap();
    assert_eq!(
        r.status_of("research"),
        Some(SeedStatus::Installed),
        "{r:?}"
    );
    assert!(!skills_dir(d.path())
        .join(".bundled-updates/research")
        .exists());
}

fn write_skill(dir: &Path, md: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), md).unwrap();
}

#[tokio::test]
async fn lint_skill_command() {
    let (d, app) = open();
    let lib = d.path().join("skills");
    write_skill(
        &lib.join("good-skill"),
        "---\nname: good-skill\ndescription: Good.\nlicense: MIT\n---\nbody\n",
    );
    write_skill(
        &lib.join("cc-skill"),
        "---\nname: cc-skill\ndescription: Uses Claude Code keys.\nmodel: sonnet\nargument-hint: '[file]'\n---\nbody\n",
    );
    write_skill(
        &lib.join("bad-skill"),
        "---\nname: Other_Name\ndescription: ''\n---\nbody\n",
    );

    let v = call(&app, "lint_skill", json!({"skillName": "good-skill"})).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["mode"], "spec");
    assert_eq!(v["path"], lib.join("good-skill").to_str().unwrap());

    let v = call(&app, "lint_skill", json!({"skillName": "cc-skill"})).await;
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "unknown_keys" && f["severity"] == "error"));
    let v = call(
        &app,
        "lint_skill",
        json!({"skillName": "cc-skill", "mode": "claude-code"}),
    )
    .await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["mode"], "claude_code");

    let v = call(
        &app,
        "lint_skill",
        json!({"path": lib.join("bad-skill").to_str().unwrap()}),
    )
    .await;
    assert_eq!(v["ok"], false);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.len() >= 2, "{codes:?}");

    // Path guard, argument errors, unknown skill.
    let outside = tempfile::tempdir().unwrap();
    write_skill(
        &outside.path().join("x"),
        "---\nname: x\ndescription: d\n---\n",
    );
    let e = call_err(
        &app,
        "lint_skill",
        json!({"path": outside.path().join("x").to_str().unwrap()}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("outside allowed roots"), "{}", e.message);
    let e = call_err(&app, "lint_skill", json!({})).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(&app, "lint_skill", json!({"path": "/x", "skillName": "y"})).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(&app, "lint_skill", json!({"skillName": "missing"})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = call_err(
        &app,
        "lint_skill",
        json!({"skillName": "good-skill", "mode": "strict"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(&app, "lint_skill", json!({"skillName": "../etc"})).await;
    assert!(
        e.message.starts_with("invalid_skill_name:"),
        "{}",
        e.message
    );
}
