//! Symbolic links inside skill folders (issue 12, items 3 and 4) and the small file-command
//! refusals of the same issue. Deletion never follows a link; reads and archives go through
//! the path guard, so nothing outside the app's folders is deleted, returned or packed.

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::{catalog, App, Error, ErrorKind};
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SECRET: &str = "OUTSIDE-SECRET-7f3a";

struct Fx {
    _tmp: tempfile::TempDir,
    app: Arc<App>,
    /// `<tmp>/outside`: not an app folder; every file in it holds [`SECRET`].
    outside: PathBuf,
}

impl Fx {
    fn new() -> Fx {
        Fx::with(|_| {})
    }

    fn new_mock() -> Fx {
        Fx::with(|o| o.mock = true)
    }

    fn with(change: impl FnOnce(&mut skill_builder_core::options::Options)) -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let outside = base.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let app = support::open_at(&base.join("data"), change);
        let fx = Fx {
            _tmp: tmp,
            app,
            outside,
        };
        fx.put_outside("sentinel.txt");
        fx
    }

    /// Writes `outside/<rel>` holding the secret and returns its path.
    fn put_outside(&self, rel: &str) -> PathBuf {
        let p = self.outside.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("{SECRET} {rel}\n")).unwrap();
        p
    }

    fn skill(&self, name: &str) -> PathBuf {
        self.app.skills_path().join(name)
    }

    async fn call(&self, name: &str, args: Value) -> Result<Value, Error> {
        catalog::call(&self.app, name, args).await
    }

    /// A Skills Library skill with SKILL.md and one reference.
    async fn library_skill(&self, name: &str) -> PathBuf {
        self.call("create_skill", json!({"name": name}))
            .await
            .unwrap();
        let dir = self.skill(name);
        std::fs::write(
            dir.join("SKILL.md"),
            format!("---\nname: {name}\n---\nbody\n"),
        )
        .unwrap();
        std::fs::write(dir.join("references/a.md"), "reference a").unwrap();
        dir
    }

    /// Replaces `path` (a real folder) with a link to `target`.
    fn replace_with_link(&self, path: &Path, target: &Path) {
        std::fs::remove_dir_all(path).unwrap();
        symlink(target, path).unwrap();
    }

    /// Uploads a workspace skill (SKILL.md and `notes.md`) and returns its folder.
    async fn workspace_skill(&self, name: &str) -> PathBuf {
        let zip = support::zip_of(&[
            ("SKILL.md", support::minimal_skill_md(name).as_bytes()),
            ("notes.md", b"inside notes"),
        ]);
        let row = support::upload_zip(&self.app, &zip).await;
        PathBuf::from(row["disk_path"].as_str().unwrap())
    }

    fn sentinel(&self) -> PathBuf {
        self.outside.join("sentinel.txt")
    }
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn assert_invalid_naming(r: Result<Value, Error>, what: &str) -> Error {
    let e = r.expect_err("must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    assert!(e.message.contains(what), "message must name {what}: {e}");
    e
}

/// Every entry of a ZIP: name → bytes.
fn zip_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn holds_secret(bytes: &[u8]) -> bool {
    bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes())
}

// ---- deletion (item 3) ----

#[tokio::test]
async fn reset_removes_a_linked_references_folder_as_a_link() {
    let f = Fx::new();
    let dir = f.library_skill("linked-refs").await;
    f.replace_with_link(&dir.join("references"), &f.outside);
    f.call(
        "reset_workflow_step",
        json!({"skillName": "linked-refs", "fromStepId": 0}),
    )
    .await
    .unwrap();
    assert!(f.sentinel().exists(), "a file outside was deleted");
    let refs = std::fs::symlink_metadata(dir.join("references")).unwrap();
    assert!(refs.is_dir(), "references/ is a real folder again");
    assert!(
        !dir.join("SKILL.md").exists(),
        "the reset itself still happened"
    );
}

#[tokio::test]
async fn reset_refuses_a_linked_context_folder_and_deletes_nothing() {
    let f = Fx::new();
    let dir = f.library_skill("linked-ctx").await;
    let decisions = f.put_outside("decisions.md");
    f.replace_with_link(&dir.join("context"), &f.outside);
    let r = f
        .call(
            "reset_workflow_step",
            json!({"skillName": "linked-ctx", "fromStepId": 2}),
        )
        .await;
    assert_invalid_naming(r, "context");
    assert!(decisions.exists(), "a file outside was deleted");
    assert!(dir.join("SKILL.md").exists(), "a refusal deletes nothing");
}

#[tokio::test]
async fn reset_refuses_a_linked_skill_folder() {
    let f = Fx::new();
    let dir = f.library_skill("linked-skill").await;
    let skill_md = f.put_outside("real/SKILL.md");
    let reference = f.put_outside("real/references/a.md");
    f.put_outside("real/context/decisions.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call(
            "reset_workflow_step",
            json!({"skillName": "linked-skill", "fromStepId": 0}),
        )
        .await;
    assert_invalid_naming(r, "linked-skill");
    assert!(skill_md.exists() && reference.exists());
    assert!(f.outside.join("real/context/decisions.md").exists());
}

#[tokio::test]
async fn reset_legacy_skills_never_deletes_through_links() {
    let f = Fx::new();
    // linked subfolders: removed as links, their targets stay
    let dir = f.library_skill("legacy-subs").await;
    let ctx_file = f.put_outside("ctx/clarifications.md");
    f.replace_with_link(&dir.join("context"), &f.outside.join("ctx"));
    f.replace_with_link(&dir.join("references"), &f.outside);
    f.call(
        "reset_legacy_skills",
        json!({"skillNames": ["legacy-subs"]}),
    )
    .await
    .unwrap();
    assert!(ctx_file.exists() && f.sentinel().exists());
    for sub in ["context", "references"] {
        let m = std::fs::symlink_metadata(dir.join(sub)).unwrap();
        assert!(m.is_dir(), "{sub}/ is a real folder again");
    }

    // a linked skill folder: refused, nothing outside touched
    let dir = f.library_skill("legacy-linked").await;
    let skill_md = f.put_outside("real/SKILL.md");
    let ctx = f.put_outside("real/context/clarifications.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call(
            "reset_legacy_skills",
            json!({"skillNames": ["legacy-linked"]}),
        )
        .await;
    assert_invalid_naming(r, "legacy-linked");
    assert!(skill_md.exists() && ctx.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_one_never_wipes_a_context_folder_through_a_linked_skill_folder() {
    let f = Fx::new_mock();
    let dir = f.library_skill("wipe-linked").await;
    let ctx = f.put_outside("real/context/research-plan.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call(
            "run_workflow_step",
            json!({"skillName": "wipe-linked", "stepId": 0}),
        )
        .await;
    assert_invalid_naming(r, "wipe-linked");
    assert!(ctx.exists(), "the context folder outside was wiped");
}

// ---- reads and archives (item 4) ----

#[tokio::test]
async fn refine_content_never_returns_outside_files() {
    let f = Fx::new();
    let dir = f.library_skill("refine-links").await;
    symlink(f.sentinel(), dir.join("references/pw.md")).unwrap();
    f.put_outside("ctx/notes.md");
    f.replace_with_link(&dir.join("context"), &f.outside.join("ctx"));
    // a link that stays inside the skill is read as usual
    symlink(dir.join("SKILL.md"), dir.join("references/alias.md")).unwrap();
    let v = f
        .call(
            "get_skill_content_for_refine",
            json!({"skillName": "refine-links"}),
        )
        .await
        .unwrap();
    let text = v.to_string();
    assert!(!text.contains(SECRET), "outside content returned: {text}");
    let paths: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["SKILL.md", "references/a.md", "references/alias.md"]
    );

    // the whole skill folder linked out: refused
    let dir = f.library_skill("refine-linked").await;
    f.put_outside("real/SKILL.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call(
            "get_skill_content_for_refine",
            json!({"skillName": "refine-linked"}),
        )
        .await;
    assert_invalid_naming(r, "refine-linked");
}

#[tokio::test]
async fn package_holds_the_deployable_files_and_nothing_outside() {
    let f = Fx::new();
    let dir = f.library_skill("pkg-links").await;
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::create_dir_all(dir.join("evals")).unwrap();
    std::fs::write(dir.join("scripts/run.py"), "print('hi')").unwrap();
    std::fs::write(dir.join("LICENSE.txt"), "MIT").unwrap();
    std::fs::write(dir.join("context/decisions.md"), "research notes").unwrap();
    std::fs::write(dir.join("evals/evals.json"), "{}").unwrap();
    std::fs::write(dir.join(".DS_Store"), "junk").unwrap();
    symlink(f.sentinel(), dir.join("references/pw.md")).unwrap();
    symlink(&f.outside, dir.join("assets")).unwrap();

    let r = f
        .call("package_skill", json!({"skillName": "pkg-links"}))
        .await
        .unwrap();
    let entries = zip_entries(Path::new(r["file_path"].as_str().unwrap()));
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "SKILL.md",
            "LICENSE.txt",
            "references/a.md",
            "scripts/run.py"
        ]
    );
    assert!(entries.iter().all(|(_, b)| !holds_secret(b)));
    assert_eq!(r["skipped"], json!(["assets", "references/pw.md"]));
}

#[tokio::test]
async fn package_refuses_a_linked_skill_md_or_skill_folder() {
    let f = Fx::new();
    let dir = f.library_skill("pkg-md-link").await;
    std::fs::remove_file(dir.join("SKILL.md")).unwrap();
    symlink(f.put_outside("SKILL.md"), dir.join("SKILL.md")).unwrap();
    let r = f
        .call("package_skill", json!({"skillName": "pkg-md-link"}))
        .await;
    assert_invalid_naming(r, "SKILL.md");

    let dir = f.library_skill("pkg-dir-link").await;
    f.put_outside("real/SKILL.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call("package_skill", json!({"skillName": "pkg-dir-link"}))
        .await;
    assert_invalid_naming(r, "pkg-dir-link");
    let exports = f.app.paths.exports_dir();
    for name in ["pkg-md-link.skill", "pkg-dir-link.skill"] {
        assert!(!exports.join(name).exists(), "{name} was written");
    }
}

#[tokio::test]
async fn export_skill_packs_nothing_from_outside() {
    let f = Fx::new();
    // links inside the skill folder are skipped
    let dir = f.workspace_skill("export-inner").await;
    symlink(f.sentinel(), dir.join("pw.md")).unwrap();
    symlink(&f.outside, dir.join("assets")).unwrap();
    let out = f
        .call("export_skill", json!({"skillName": "export-inner"}))
        .await
        .unwrap();
    let entries = zip_entries(Path::new(out.as_str().unwrap()));
    assert!(entries.iter().all(|(_, b)| !holds_secret(b)));
    assert!(entries.iter().any(|(n, _)| n == "export-inner/notes.md"));

    // a skill folder that links out is refused
    let dir = f.workspace_skill("export-linked").await;
    f.put_outside("real/SKILL.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call("export_skill", json!({"skillName": "export-linked"}))
        .await;
    assert_invalid_naming(r, "export-linked");
    assert!(!f.app.paths.exports_dir().join("export-linked.zip").exists());
}

#[tokio::test]
async fn get_skill_content_refuses_a_skill_md_that_links_out() {
    let f = Fx::new();
    let dir = f.workspace_skill("content-link").await;
    std::fs::remove_file(dir.join("SKILL.md")).unwrap();
    symlink(f.put_outside("SKILL.md"), dir.join("SKILL.md")).unwrap();
    let r = f
        .call("get_skill_content", json!({"skillName": "content-link"}))
        .await;
    let e = assert_invalid_naming(r, "SKILL.md");
    assert!(!e.message.contains(SECRET));

    let dir = f.workspace_skill("content-dir-link").await;
    f.put_outside("real/SKILL.md");
    f.replace_with_link(&dir, &f.outside.join("real"));
    let r = f
        .call(
            "get_skill_content",
            json!({"skillName": "content-dir-link"}),
        )
        .await;
    assert_invalid_naming(r, "content-dir-link");
}

// ---- file commands ----

#[tokio::test]
async fn read_file_refuses_a_trailing_slash_on_a_file() {
    let f = Fx::new();
    let dir = f.library_skill("slash").await;
    let path = format!("{}/", s(&dir.join("SKILL.md")));
    let r = f.call("read_file", json!({"filePath": path})).await;
    assert_invalid_naming(r, &path);
    // without the slash it reads
    f.call("read_file", json!({"filePath": s(&dir.join("SKILL.md"))}))
        .await
        .unwrap();
}

#[tokio::test]
async fn write_file_refuses_the_repo_history_the_log_and_the_database() {
    let f = Fx::new();
    f.library_skill("history").await;
    let git_config = f.app.skills_path().join(".git/config");
    let before = std::fs::read(&git_config).ok();
    let log = f.app.paths.log_file();
    let targets = [
        git_config.clone(),
        f.app.skills_path().join(".git/hooks/post-commit"),
        log.clone(),
        f.app.paths.log_dir().join("new.log"),
        f.app.paths.db_file(),
        PathBuf::from(format!("{}-wal", s(&f.app.paths.db_file()))),
    ];
    for t in &targets {
        let r = f
            .call("write_file", json!({"path": s(t), "content": "hijack"}))
            .await;
        let e = r.expect_err(&s(t));
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{}: {e}", t.display());
        assert!(e.message.contains("refusing"), "{e}");
    }
    assert_eq!(std::fs::read(&git_config).ok(), before);
    assert!(!f.app.skills_path().join(".git/hooks/post-commit").exists());
    assert!(!f.app.paths.log_dir().join("new.log").exists());
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!log_text.contains("hijack"));
    // an ordinary skill file is still written
    f.call(
        "write_file",
        json!({"path": s(&f.skill("history").join("notes.md")), "content": "ok"}),
    )
    .await
    .unwrap();
}
