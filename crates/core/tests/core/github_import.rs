//! Listing and importing skills from a marketplace-layout repository served by the fake
//! GitHub (no internet). Each test has its own fake and passes its URLs in the app's options.

use crate::support;

use skill_builder_core::github::discovery::{self, ListGithubSkillsArgs};
use skill_builder_core::github::import::{
    self, CheckMarketplaceUpdatesArgs, CheckSkillCustomizedArgs, ImportGithubSkillsArgs,
    ImportMarketplaceToLibraryArgs, WorkspaceSkillImportRequest,
};
use skill_builder_core::github::{ImportStatus, SkillMetadataOverride};
use skill_builder_core::ingest::frontmatter::parse_skill_md;
use skill_builder_core::skill_meta::SkillMeta;
use skill_builder_core::{App, ErrorKind};
use skill_builder_testkit::fake_github::{files_from_dir, FakeGitHub};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

const SOURCE: &str = "https://github.com/acme/skills";

fn put(root: &Path, rel: &str, bytes: &[u8], exec: bool) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if exec { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn font_bytes() -> Vec<u8> {
    (0..=255u8).cycle().take(3000).collect()
}

/// A marketplace repository shaped like the real public one (ingestion.md §8): several
/// plugins with `source: "./"` and explicit `skills` lists, plus a bare source under
/// `metadata.pluginRoot`, an object source, and a `template/` that no plugin lists.
fn marketplace_repo(root: &Path) {
    put(
        root,
        ".claude-plugin/marketplace.json",
        serde_json::json!({
            "name": "Acme Skills",
            "owner": {"name": "Acme", "email": "a@example.com"},
            "metadata": {"description": "test", "version": "1.0.0", "pluginRoot": "plugins"},
            "plugins": [
                {"name": "document-skills", "source": "./", "strict": false,
                 "skills": ["./skills/xlsx", "./skills/docx"]},
                {"name": "example-skills", "source": "./", "strict": false,
                 "skills": ["./skills/art", "./skills/tool-runner", "./skills/broken"]},
                {"name": "api-skills", "source": "./", "author": "Acme",
                 "skills": ["./skills/claude-api", "./skills/xlsx"]},
                {"name": "extra", "source": "extras", "description": "Extra helpers"},
                {"name": "remote", "source": {"source": "github", "repo": "x/y"}}
            ]
        })
        .to_string()
        .as_bytes(),
        false,
    );
    put(
        root,
        "skills/xlsx/SKILL.md",
        b"---\nname: xlsx\ndescription: \"Spreadsheets with \\\"quotes\\\"\"\nlicense: Proprietary. LICENSE.txt has complete terms\nmetadata:\n  author: acme\n  tier: gold\n---\n\n# XLSX\n\nBody text.\n",
        false,
    );
    put(root, "skills/xlsx/LICENSE.txt", b"license terms\n", false);
    put(
        root,
        "skills/xlsx/scripts/recalc.py",
        b"#!/usr/bin/env python3\nprint('ok')\n",
        true,
    );
    put(
        root,
        "skills/docx/SKILL.md",
        b"---\nname: docx\ndescription: |-\n  Line one of the description.\n  Line two.\n  Line three.\nlicense: MIT\n---\nDocx body\n",
        false,
    );
    put(
        root,
        "skills/art/SKILL.md",
        b"---\nname: art\ndescription: Generative art\n---\nArt\n",
        false,
    );
    put(
        root,
        "skills/tool-runner/SKILL.md",
        b"---\nname: tool-runner\ndescription: Runs tools\nallowed-tools: Bash Read\n---\nRun ./run.sh\n",
        false,
    );
    put(
        root,
        "skills/tool-runner/run.sh",
        b"#!/bin/sh\necho run\n",
        true,
    );
    put(root, "skills/tool-runner/fonts/f.ttf", &font_bytes(), false);
    put(
        root,
        "skills/broken/SKILL.md",
        b"---\ndescription: no name here\n---\nx\n",
        false,
    );
    put(
        root,
        "skills/claude-api/SKILL.md",
        b"---\nname: claude-api\ndescription: Use the API\nversion: 1.0.0\nmodel: sonnet\nuser-invocable: true\n---\nAPI\n",
        false,
    );
    put(
        root,
        "plugins/extras/skills/helper/SKILL.md",
        b"---\nname: helper\ndescription: Helps\n---\nHelp\n",
        false,
    );
    put(
        root,
        "template/SKILL.md",
        b"---\nname: template\ndescription: t\n---\n",
        false,
    );
    put(root, "README.md", b"# Acme\n", false);
}

async fn setup() -> (FakeGitHub, Arc<App>, tempfile::TempDir, tempfile::TempDir) {
    let fake = FakeGitHub::start().await;
    let repo = tempfile::tempdir().unwrap();
    marketplace_repo(repo.path());
    fake.add_repo_from_dir("acme", "skills", "main", repo.path());
    let (data, app) = support::open_with(|o| support::use_github(o, &fake));
    (fake, app, repo, data)
}

/// Every file below `dir` with its bytes, exec bit and mtime.
fn disk_state(dir: &Path) -> BTreeMap<String, (Vec<u8>, bool, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    for (rel, f) in files_from_dir(dir) {
        let mtime = std::fs::metadata(dir.join(&rel))
            .unwrap()
            .modified()
            .unwrap();
        out.insert(rel, (f.bytes, f.executable, mtime));
    }
    out
}

fn table_dump(app: &App, sql: &str) -> Vec<Vec<String>> {
    let conn = app.db.conn();
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .unwrap()
    .collect::<rusqlite::Result<Vec<_>>>()
    .unwrap()
}

fn all_paths() -> Vec<String> {
    [
        "skills/xlsx",
        "skills/docx",
        "skills/art",
        "skills/tool-runner",
        "skills/claude-api",
        "skills/broken",
        "plugins/extras/skills/helper",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[tokio::test]
async fn github_marketplace_listing_lists_every_skill_once_with_its_plugin() {
    let (fake, app, _repo, _data) = setup().await;
    let skills = discovery::list_github_skills(
        &app,
        ListGithubSkillsArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "main".into(),
            subpath: None,
        },
    )
    .await
    .unwrap();
    let by_path: HashMap<&str, _> = skills.iter().map(|s| (s.path.as_str(), s)).collect();
    let mut paths: Vec<&str> = skills.iter().map(|s| s.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "plugins/extras/skills/helper",
            "skills/art",
            "skills/broken",
            "skills/claude-api",
            "skills/docx",
            "skills/tool-runner",
            "skills/xlsx"
        ],
        "each skill exactly once; template/ is not listed"
    );
    let xlsx = by_path["skills/xlsx"];
    assert_eq!(xlsx.name, "xlsx");
    assert_eq!(xlsx.plugin_name.as_deref(), Some("document-skills"));
    assert_eq!(xlsx.plugins, vec!["document-skills", "api-skills"]);
    assert_eq!(
        xlsx.description.as_deref(),
        Some("Spreadsheets with \"quotes\"")
    );
    assert_eq!(
        by_path["skills/art"].plugin_name.as_deref(),
        Some("example-skills")
    );
    assert_eq!(
        by_path["skills/claude-api"].plugin_name.as_deref(),
        Some("api-skills")
    );
    assert_eq!(
        by_path["skills/claude-api"].meta.version.as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        by_path["skills/claude-api"].meta.model.as_deref(),
        Some("sonnet")
    );
    assert_eq!(by_path["skills/claude-api"].meta.user_invocable, Some(true));
    assert_eq!(
        by_path["skills/docx"].description.as_deref(),
        Some("Line one of the description.\nLine two.\nLine three.")
    );
    let helper = by_path["plugins/extras/skills/helper"];
    assert_eq!(helper.plugin_name.as_deref(), Some("extra"));
    let broken = by_path["skills/broken"];
    assert!(broken
        .error
        .as_deref()
        .unwrap()
        .contains("missing the 'name'"));
    assert!(skills
        .iter()
        .filter(|s| s.path != "skills/broken")
        .all(|s| s.error.is_none()));

    // check_marketplace_url: the catalog name.
    let name = discovery::check_marketplace_url(
        &app,
        discovery::CheckMarketplaceUrlArgs { url: SOURCE.into() },
    )
    .await
    .unwrap();
    assert_eq!(name, "Acme Skills");
    let e = discovery::check_marketplace_url(
        &app,
        discovery::CheckMarketplaceUrlArgs {
            url: "https://github.com/acme/skills/tree/main/nope".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        e.message
            .contains("marketplace.json not found at nope/.claude-plugin/marketplace.json"),
        "{e}"
    );

    // An explicit branch is honoured (defect 6); the "main" placeholder falls back to the
    // default branch when the repository has no `main`.
    let dev = tempfile::tempdir().unwrap();
    put(
        dev.path(),
        "skills/only-dev/SKILL.md",
        b"---\nname: only-dev\ndescription: dev\n---\n",
        false,
    );
    fake.add_repo_from_dir("acme", "skills", "dev", dev.path());
    let on_dev = discovery::list_github_skills(
        &app,
        ListGithubSkillsArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "dev".into(),
            subpath: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        on_dev.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        vec!["only-dev"]
    );
    assert_eq!(
        on_dev[0].plugin_name, None,
        "no catalog: plain SKILL.md discovery"
    );
    fake.add_repo_from_dir("acme", "legacy", "master", dev.path());
    let legacy = discovery::list_github_skills(
        &app,
        ListGithubSkillsArgs {
            owner: "acme".into(),
            repo: "legacy".into(),
            branch: "main".into(),
            subpath: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(legacy.len(), 1);
    let missing = discovery::list_github_skills(
        &app,
        ListGithubSkillsArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "nope".into(),
            subpath: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);

    // A branch containing '/' in a /tree/ URL is found by probing (shortest first).
    let rel = tempfile::tempdir().unwrap();
    put(
        rel.path(),
        "cat/.claude-plugin/marketplace.json",
        br#"{"name": "Release catalog", "plugins": [{"name": "p", "source": "./"}]}"#,
        false,
    );
    put(
        rel.path(),
        "cat/skills/rel-skill/SKILL.md",
        b"---\nname: rel-skill\ndescription: r\n---\n",
        false,
    );
    fake.add_repo_from_dir("acme", "skills", "release/v2", rel.path());
    let name = discovery::check_marketplace_url(
        &app,
        discovery::CheckMarketplaceUrlArgs {
            url: "https://github.com/acme/skills/tree/release/v2/cat".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(name, "Release catalog");
    let on_release = discovery::list_github_skills(
        &app,
        ListGithubSkillsArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "release".into(),
            subpath: Some("v2/cat".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(on_release.len(), 1);
    assert_eq!(on_release[0].path, "cat/skills/rel-skill");
    assert_eq!(on_release[0].plugin_name.as_deref(), Some("p"));

    // Tree and files are read at the pinned commit sha, not the branch name.
    let reqs = fake.requests();
    assert!(reqs
        .iter()
        .any(|r| r.path.starts_with("/api/repos/acme/skills/branches/main")));
    assert!(reqs
        .iter()
        .filter(|r| r.path.starts_with("/raw/acme/skills/"))
        .all(|r| !r.path.starts_with("/raw/acme/skills/main/")));
    assert!(
        reqs.iter().all(|r| r.header("authorization").is_none()),
        "no token stored"
    );
}

#[tokio::test]
async fn github_library_import_reimport_exec_bits_partial_failure_and_conflicts() {
    let (fake, app, repo, _data) = setup().await;
    let skills_root = app.skills_path();

    // A builder skill named like a catalog skill: never replaced (defect 5).
    std::fs::create_dir_all(skills_root.join("art")).unwrap();
    std::fs::write(skills_root.join("art/SKILL.md"), "mine").unwrap();
    app.db
        .conn()
        .execute(
            "INSERT INTO skills (name, skill_source) VALUES ('art', 'skill-builder')",
            [],
        )
        .unwrap();

    let mut overrides = HashMap::new();
    overrides.insert(
        "skills/xlsx".to_string(),
        SkillMetadataOverride {
            purpose: Some("platform".into()),
            meta: SkillMeta {
                version: Some("2.0.0".into()),
                model: Some("opus".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    let args = || ImportMarketplaceToLibraryArgs {
        source_url: SOURCE.into(),
        skill_paths: all_paths(),
        metadata_overrides: Some(overrides.clone()),
    };
    let res = import::import_marketplace_to_library(&app, args())
        .await
        .unwrap();
    let status: Vec<(String, ImportStatus)> = res
        .iter()
        .map(|r| (r.skill_name.clone(), r.status))
        .collect();
    assert_eq!(
        status,
        vec![
            ("xlsx".into(), ImportStatus::Imported),
            ("docx".into(), ImportStatus::Imported),
            ("art".into(), ImportStatus::Failed),
            ("tool-runner".into(), ImportStatus::Imported),
            ("claude-api".into(), ImportStatus::Imported),
            ("skills/broken".into(), ImportStatus::Failed),
            ("helper".into(), ImportStatus::Imported),
        ]
    );
    assert!(
        res[2].error.as_deref().unwrap().contains("skill-builder"),
        "{:?}",
        res[2].error
    );
    assert!(!res[2].success);
    assert!(res[5]
        .error
        .as_deref()
        .unwrap()
        .contains("missing the 'name' frontmatter field"));
    assert_eq!(
        std::fs::read_to_string(skills_root.join("art/SKILL.md")).unwrap(),
        "mine"
    );
    assert!(!skills_root.join("broken").exists());
    assert!(!skills_root.join(".staging").exists(), "staging cleaned up");

    // Bytes and exec bits kept.
    let src = files_from_dir(&repo.path().join("skills/tool-runner"));
    let got = files_from_dir(&skills_root.join("tool-runner"));
    assert_eq!(src, got);
    assert!(got["run.sh"].executable);
    assert!(!got["SKILL.md"].executable);
    assert_eq!(got["fonts/f.ttf"].bytes, font_bytes());
    let xlsx_files = files_from_dir(&skills_root.join("xlsx"));
    assert!(xlsx_files["scripts/recalc.py"].executable);
    assert_eq!(xlsx_files["LICENSE.txt"].bytes, b"license terms\n");

    // SKILL.md keeps every frontmatter key; overrides are patched in. The version override
    // goes under `metadata` as a string (issue 13: only spec keys at the top level).
    let md = std::fs::read_to_string(skills_root.join("xlsx/SKILL.md")).unwrap();
    let fm = parse_skill_md(&md).unwrap().frontmatter;
    assert_eq!(
        fm.keys(),
        vec!["name", "description", "license", "metadata", "model"]
    );
    assert_eq!(fm.version.as_deref(), Some("2.0.0"));
    assert_eq!(fm.metadata.as_ref().unwrap()["version"], "2.0.0");
    assert_eq!(fm.model.as_deref(), Some("opus"));
    assert_eq!(
        fm.license.as_deref(),
        Some("Proprietary. LICENSE.txt has complete terms")
    );
    assert_eq!(fm.metadata.as_ref().unwrap()["tier"], "gold");
    assert!(md.ends_with("\n# XLSX\n\nBody text.\n"));
    let docx = std::fs::read(skills_root.join("docx/SKILL.md")).unwrap();
    assert_eq!(
        docx,
        std::fs::read(repo.path().join("skills/docx/SKILL.md")).unwrap(),
        "no override: bytes kept"
    );

    // Rows.
    let rows = table_dump(
        &app,
        "SELECT s.name, s.skill_source, s.purpose, s.description, s.version, s.model, i.version, i.model,
                i.marketplace_source_url, i.content_hash, i.disk_path, i.is_active, i.skill_master_id = s.id,
                i.user_invocable
         FROM skills s JOIN imported_skills i ON i.skill_name = s.name ORDER BY s.name",
    );
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Text(\"claude-api\")",
            "Text(\"docx\")",
            "Text(\"helper\")",
            "Text(\"tool-runner\")",
            "Text(\"xlsx\")"
        ]
    );
    let xlsx = rows.iter().find(|r| r[0] == "Text(\"xlsx\")").unwrap();
    assert_eq!(xlsx[1], "Text(\"marketplace\")");
    assert_eq!(xlsx[2], "Text(\"platform\")");
    assert_eq!(xlsx[3], "Text(\"Spreadsheets with \\\"quotes\\\"\")");
    assert_eq!(
        (xlsx[4].as_str(), xlsx[5].as_str()),
        ("Text(\"2.0.0\")", "Text(\"opus\")")
    );
    assert_eq!(
        (xlsx[6].as_str(), xlsx[7].as_str()),
        ("Text(\"2.0.0\")", "Text(\"opus\")")
    );
    assert_eq!(xlsx[8], format!("Text({SOURCE:?})"));
    let hash = import::sha256_hex(md.as_bytes());
    assert_eq!(xlsx[9], format!("Text({hash:?})"));
    assert_eq!(xlsx[12], "Integer(1)");
    let api = rows
        .iter()
        .find(|r| r[0] == "Text(\"claude-api\")")
        .unwrap();
    assert_eq!(api[2], "Text(\"domain\")");
    assert_eq!(api[13], "Integer(1)");
    assert_eq!(res[0].content_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(res[0].version.as_deref(), Some("2.0.0"));
    let mut dash = import::get_dashboard_skill_names(&app, Default::default()).unwrap();
    dash.sort();
    assert_eq!(
        dash,
        vec!["art", "claude-api", "docx", "helper", "tool-runner", "xlsx"]
    );

    // A git commit per imported skill.
    let head = skill_builder_core::history::skill_history(&skills_root, "xlsx", 5).unwrap();
    assert!(
        head[0]
            .message
            .starts_with("xlsx: imported from acme/skills@"),
        "{}",
        head[0].message
    );

    // Customisation baseline.
    let customized = |n: &str| {
        import::check_skill_customized(
            &app,
            CheckSkillCustomizedArgs {
                skill_name: n.into(),
            },
        )
        .unwrap()
    };
    assert!(!customized("xlsx"));
    assert!(!customized("nope"));

    // Re-import unchanged → skipped, nothing changes (files, mtimes, rows, git).
    let before_disk: Vec<_> = ["xlsx", "docx", "tool-runner", "claude-api", "helper"]
        .iter()
        .map(|n| disk_state(&skills_root.join(n)))
        .collect();
    let dump_sql = "SELECT * FROM skills ORDER BY name";
    let dump_sql2 = "SELECT * FROM imported_skills ORDER BY skill_name";
    let before_rows = (table_dump(&app, dump_sql), table_dump(&app, dump_sql2));
    let before_head = skill_builder_core::history::head_sha(&skills_root);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let again = import::import_marketplace_to_library(&app, args())
        .await
        .unwrap();
    let st: Vec<ImportStatus> = again.iter().map(|r| r.status).collect();
    use ImportStatus::*;
    assert_eq!(
        st,
        vec![Skipped, Skipped, Failed, Skipped, Skipped, Failed, Skipped]
    );
    assert!(again[0].success);
    let after_disk: Vec<_> = ["xlsx", "docx", "tool-runner", "claude-api", "helper"]
        .iter()
        .map(|n| disk_state(&skills_root.join(n)))
        .collect();
    assert_eq!(before_disk, after_disk);
    assert_eq!(
        before_rows,
        (table_dump(&app, dump_sql), table_dump(&app, dump_sql2))
    );
    assert_eq!(
        before_head,
        skill_builder_core::history::head_sha(&skills_root)
    );
    assert!(!skills_root.join(".staging").exists());

    // The user edits a skill → customised.
    std::fs::write(
        skills_root.join("docx/SKILL.md"),
        "---\nname: docx\ndescription: mine\n---\n",
    )
    .unwrap();
    assert!(customized("docx"));

    // Upstream changes tool-runner but one of its files cannot be downloaded: the update
    // fails and the installed copy is untouched.
    let before_tool = disk_state(&skills_root.join("tool-runner"));
    put(
        repo.path(),
        "skills/tool-runner/run.sh",
        b"#!/bin/sh\necho v2\n",
        true,
    );
    put(
        repo.path(),
        "skills/claude-api/SKILL.md",
        b"---\nname: claude-api\ndescription: Use the API v1.1\nversion: 1.1.0\n---\nAPI 2\n",
        false,
    );
    fake.add_repo_from_dir("acme", "skills", "main", repo.path());
    fake.hide_raw_file("skills/tool-runner/fonts/f.ttf");

    // Update check before importing: claude-api has a newer version upstream.
    let upd = import::check_marketplace_updates(
        &app,
        CheckMarketplaceUpdatesArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "main".into(),
            subpath: None,
            source_url: SOURCE.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(upd.registry_name.as_deref(), Some("Acme Skills"));
    assert_eq!(
        upd.library
            .iter()
            .map(|u| (u.name.as_str(), u.version.as_str()))
            .collect::<Vec<_>>(),
        vec![("claude-api", "1.1.0")]
    );
    assert!(upd.workspace.is_empty());

    let res = import::import_marketplace_to_library(
        &app,
        ImportMarketplaceToLibraryArgs {
            source_url: SOURCE.into(),
            skill_paths: vec!["skills/tool-runner".into(), "skills/claude-api".into()],
            metadata_overrides: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(res[0].status, Failed, "{:?}", res[0]);
    assert!(
        res[0].error.as_deref().unwrap().contains("fonts/f.ttf"),
        "{:?}",
        res[0].error
    );
    assert_eq!(disk_state(&skills_root.join("tool-runner")), before_tool);
    assert_eq!(res[1].status, Updated);
    assert_eq!(res[1].version.as_deref(), Some("1.1.0"));
    let api_md = std::fs::read_to_string(skills_root.join("claude-api/SKILL.md")).unwrap();
    assert!(api_md.contains("version: 1.1.0"));
    let (model, purpose): (Option<String>, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT i.model, s.purpose FROM imported_skills i JOIN skills s ON s.name = i.skill_name WHERE i.skill_name = 'claude-api'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        model.as_deref(),
        Some("sonnet"),
        "absent fields keep the installed values"
    );
    assert_eq!(purpose.as_deref(), Some("domain"));
    assert!(!skills_root.join(".staging").exists());
}

#[tokio::test]
async fn github_workspace_import_skips_unchanged_and_reports_per_skill() {
    let (fake, app, repo, _data) = setup().await;
    let ws = app.workspace_path().join(".claude/skills");
    let req = |path: &str, version: Option<&str>| WorkspaceSkillImportRequest {
        path: path.into(),
        purpose: None,
        metadata_override: None,
        version: version.map(str::to_string),
    };
    let args = |reqs: Vec<WorkspaceSkillImportRequest>| ImportGithubSkillsArgs {
        owner: "acme".into(),
        repo: "skills".into(),
        branch: "main".into(),
        skill_requests: reqs,
        source_url: Some(SOURCE.into()),
    };
    let mut with_purpose = req("skills/claude-api", None);
    with_purpose.purpose = Some("research".into());
    let out = import::import_github_skills(
        &app,
        args(vec![
            req("skills/xlsx", None),
            req("skills/broken", None),
            with_purpose,
        ]),
    )
    .await
    .unwrap();
    let st: Vec<(&str, ImportStatus)> = out
        .iter()
        .map(|s| (s.skill_name.as_str(), s.status))
        .collect();
    assert_eq!(
        st,
        vec![
            ("xlsx", ImportStatus::Imported),
            ("broken", ImportStatus::Failed),
            ("claude-api", ImportStatus::Imported)
        ]
    );
    assert!(out[1]
        .error
        .as_deref()
        .unwrap()
        .contains("missing the 'name'"));
    assert!(!ws.join("broken").exists());
    let claude_md =
        std::fs::read_to_string(app.workspace_path().join(".claude/CLAUDE.md")).unwrap();
    assert!(
        claude_md.contains("claude-api"),
        "CLAUDE.md lists the imported skills"
    );
    assert!(!ws.join(".staging").exists());
    assert!(files_from_dir(&ws.join("xlsx"))["scripts/recalc.py"].executable);
    let api = &out[2];
    assert!(api.is_active);
    assert_eq!(api.purpose.as_deref(), Some("research"));
    assert_eq!(api.meta.version.as_deref(), Some("1.0.0"));
    assert_eq!(api.marketplace_source_url.as_deref(), Some(SOURCE));
    assert!(api.skill_id.starts_with("imp-claude-api-"));
    assert_eq!(
        std::path::PathBuf::from(&api.disk_path),
        ws.join("claude-api")
    );
    let json = serde_json::to_value(api).unwrap();
    assert_eq!(json["status"], "imported");
    assert_eq!(json["description"], "Use the API");

    // Unchanged → skipped, nothing changes.
    let before = (
        disk_state(&ws.join("xlsx")),
        table_dump(&app, "SELECT * FROM workspace_skills ORDER BY skill_name"),
    );
    let mut again_api = req("skills/claude-api", None);
    again_api.purpose = Some("research".into());
    let again = import::import_github_skills(&app, args(vec![req("skills/xlsx", None), again_api]))
        .await
        .unwrap();
    assert!(
        again.iter().all(|s| s.status == ImportStatus::Skipped),
        "{again:?}"
    );
    assert_eq!(again[0].skill_id, out[0].skill_id, "returns the stored row");
    assert_eq!(
        before,
        (
            disk_state(&ws.join("xlsx")),
            table_dump(&app, "SELECT * FROM workspace_skills ORDER BY skill_name")
        )
    );

    // A requested version that is not newer is skipped before any download.
    let n = fake.requests().len();
    let v = import::import_github_skills(&app, args(vec![req("skills/claude-api", Some("1.0.0"))]))
        .await
        .unwrap();
    assert_eq!(v[0].status, ImportStatus::Skipped);
    assert!(
        fake.requests()[n..]
            .iter()
            .filter(|r| r.path.starts_with("/raw/"))
            .count()
            <= 1,
        "only SKILL.md was read"
    );

    // Upstream 1.1.0 → update check reports it, import updates in place, keeping the row id.
    put(
        repo.path(),
        "skills/claude-api/SKILL.md",
        b"---\nname: claude-api\ndescription: Use the API v1.1\nversion: 1.1.0\n---\nAPI 2\n",
        false,
    );
    fake.add_repo_from_dir("acme", "skills", "main", repo.path());
    let upd = import::check_marketplace_updates(
        &app,
        CheckMarketplaceUpdatesArgs {
            owner: "acme".into(),
            repo: "skills".into(),
            branch: "main".into(),
            subpath: None,
            source_url: SOURCE.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(upd.workspace.len(), 1);
    assert_eq!(upd.workspace[0].path, "skills/claude-api");
    assert!(upd.library.is_empty());
    let up =
        import::import_github_skills(&app, args(vec![req("skills/claude-api", Some("1.1.0"))]))
            .await
            .unwrap();
    assert_eq!(up[0].status, ImportStatus::Updated);
    assert_eq!(up[0].skill_id, api.skill_id);
    assert_eq!(up[0].imported_at, api.imported_at);
    assert_eq!(up[0].meta.version.as_deref(), Some("1.1.0"));
    assert_eq!(
        up[0].meta.model.as_deref(),
        Some("sonnet"),
        "absent fields keep installed values"
    );
    assert_eq!(up[0].purpose.as_deref(), Some("research"));
    assert!(std::fs::read_to_string(ws.join("claude-api/SKILL.md"))
        .unwrap()
        .contains("API 2"));

    // Everything failing → an error listing each failure.
    let e = import::import_github_skills(
        &app,
        args(vec![req("skills/broken", None), req("skills/none", None)]),
    )
    .await
    .unwrap_err();
    assert!(
        e.message.starts_with("All imports failed: skills/broken:"),
        "{e}"
    );
    assert!(e.message.contains("skills/none:"));
}

#[tokio::test]
async fn github_rate_limits_become_network_errors_and_the_token_is_sent_but_never_shown() {
    let (fake, app, _repo, _data) = setup().await;
    let token = "gho_secretTOKEN1234567890";
    skill_builder_core::settings::update(&app, |s| s.github_oauth_token = Some(token.into()))
        .unwrap();
    let list = |owner: &str| {
        discovery::list_github_skills(
            &app,
            ListGithubSkillsArgs {
                owner: owner.into(),
                repo: "skills".into(),
                branch: "main".into(),
                subpath: None,
            },
        )
    };
    assert_eq!(list("acme").await.unwrap().len(), 7);
    let reqs = fake.requests();
    assert!(reqs.iter().any(|r| r.path.starts_with("/raw/")));
    for r in reqs
        .iter()
        .filter(|r| r.path.starts_with("/api/") || r.path.starts_with("/raw/"))
    {
        assert_eq!(
            r.header("authorization").as_deref(),
            Some(format!("Bearer {token}").as_str()),
            "{}",
            r.path
        );
        assert_eq!(r.header("user-agent").as_deref(), Some("SkillBuilder"));
        assert_eq!(
            r.header("x-github-api-version").as_deref(),
            Some("2022-11-28")
        );
    }

    let e = list("nobody").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.contains("GitHub API error (404 Not Found)"),
        "{e}"
    );
    assert!(!e.message.contains(token));

    let reset = 1_900_000_000i64; // 2030-03-17T17:46:40Z
    fake.set_rate_limited(Some(reset));
    let e = list("acme").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(e.message.starts_with("github_rate_limited"), "{e}");
    assert!(e.message.contains("2030-03-17T17:46:40Z"), "{e}");
    assert!(!e.message.contains(token));
    let e = import::import_marketplace_to_library(
        &app,
        ImportMarketplaceToLibraryArgs {
            source_url: SOURCE.into(),
            skill_paths: vec!["skills/xlsx".into()],
            metadata_overrides: None,
        },
    )
    .await
    .unwrap_err();
    assert!(e.message.starts_with("github_rate_limited"), "{e}");
    fake.set_rate_limited(None);

    fake.set_retry_after(Some(120));
    let e = list("acme").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.contains("github_rate_limited") && e.message.contains("(in 12"),
        "{e}"
    );
    fake.set_retry_after(None);

    // Signed out: no Authorization header at all.
    skill_builder_core::github::auth::github_logout(&app, Default::default()).unwrap();
    let n = fake.requests().len();
    list("acme").await.unwrap();
    assert!(fake.requests()[n..]
        .iter()
        .all(|r| r.header("authorization").is_none()));
}
