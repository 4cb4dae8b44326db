//! An exported `.skill` package uploads back unchanged (same files, same bytes).

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, workflow};
use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packaged_skill_uploads_back_unchanged() {
    let (_dir, app) = support::open_mock();
    catalog::call(&app, "create_skill", json!({"name": "round-trip"}))
        .await
        .unwrap();
    workflow::build::build_skill(&app, "round-trip", |_| {})
        .await
        .unwrap();
    let src = app.skills_path().join("round-trip");
    let pkg = catalog::call(&app, "package_skill", json!({"skillName": "round-trip"}))
        .await
        .unwrap();
    let uploaded = catalog::call(&app, "upload_skill", json!({"filePath": pkg["file_path"]}))
        .await
        .unwrap();
    assert_eq!(uploaded["skill_name"], "round-trip");
    let dest = Path::new(uploaded["disk_path"].as_str().unwrap());
    let mut want = files(&src);
    want.retain(|k, _| k == "SKILL.md" || k.starts_with("references/"));
    assert!(want.len() > 1);
    assert_eq!(
        files(dest),
        want,
        "uploaded files equal the packaged skill byte for byte"
    );
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}
