//! `check_node` and `check_startup_deps` through the catalog, each app with its own Node and
//! sidecar options (`SKILL_BUILDER_NODE`, `SKILL_BUILDER_SIDECAR_DIR`).

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::options::Options;
use skill_builder_core::{catalog, App};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An app over `<tmp>/data` with the options changed by `change`.
fn app_in(tmp: &Path, change: impl FnOnce(&mut Options)) -> Arc<App> {
    support::open_at(&tmp.join("data"), change)
}

fn fake_node(dir: &Path, version: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("fake-node");
    std::fs::write(&p, format!("#!/bin/sh\necho {version}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

async fn check_node(app: &Arc<App>) -> Value {
    catalog::call(app, "check_node", json!({})).await.unwrap()
}

#[tokio::test]
async fn real_node_on_this_machine() {
    let (_t, app) = support::open();
    let v = check_node(&app).await;
    assert_eq!(v["available"], true, "{v}");
    assert_eq!(v["meets_minimum"], true, "{v}");
    assert_eq!(v["source"], "system");
    assert_eq!(v["error"], Value::Null);
    let version = v["version"].as_str().unwrap();
    assert!(version.starts_with("v20."), "{version}");
    assert!(skill_builder_core::node::find_node(&app.options).is_some());
}

#[tokio::test]
async fn env_node_too_old() {
    let t = tempfile::tempdir().unwrap();
    let fake = fake_node(t.path(), "v16.0.0");
    let app = app_in(t.path(), |o| o.node = Some(fake.clone()));
    let v = check_node(&app).await;
    assert_eq!(v["available"], true, "{v}");
    assert_eq!(v["version"], "v16.0.0");
    assert_eq!(v["meets_minimum"], false);
    assert_eq!(v["source"], "env");
    assert_eq!(
        v["error"],
        "Node.js v16.0.0 found (env) but version 18-24 is required"
    );
    assert_eq!(
        skill_builder_core::node::find_node(&app.options),
        Some(fake)
    );

    let deps = catalog::call(&app, "check_startup_deps", Value::Null)
        .await
        .unwrap();
    assert_eq!(deps["all_ok"], false);
    assert_eq!(deps["checks"][0]["name"], "Node.js");
    assert_eq!(deps["checks"][0]["ok"], false);
    assert!(deps["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("need 18-24"));
}

#[tokio::test]
async fn env_node_compatible() {
    let t = tempfile::tempdir().unwrap();
    let fake = fake_node(t.path(), "v22.14.0");
    let app = app_in(t.path(), |o| o.node = Some(fake));
    let v = check_node(&app).await;
    assert_eq!(v["meets_minimum"], true, "{v}");
    assert_eq!(v["source"], "env");
}

#[tokio::test]
async fn env_node_missing_is_reported_not_thrown() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("no-such-node");
    let app = app_in(t.path(), |o| o.node = Some(missing.clone()));
    let v = check_node(&app).await;
    assert_eq!(v["available"], false, "{v}");
    assert_eq!(v["meets_minimum"], false);
    assert_eq!(v["version"], Value::Null);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains(missing.to_str().unwrap()));
    assert_eq!(skill_builder_core::node::find_node(&app.options), None);
}

#[tokio::test]
async fn startup_deps_all_ok_with_a_complete_sidecar() {
    let t = tempfile::tempdir().unwrap();
    let sidecar = t.path().join("sidecar");
    std::fs::create_dir_all(sidecar.join("src")).unwrap();
    std::fs::write(sidecar.join("src/main.js"), "").unwrap();
    let sdk = sidecar.join("node_modules/@anthropic-ai/claude-agent-sdk");
    std::fs::create_dir_all(&sdk).unwrap();
    std::fs::write(sdk.join("package.json"), r#"{"version":"0.2.7"}"#).unwrap();
    let app = app_in(t.path(), |o| o.sidecar_dir = Some(sidecar.clone()));
    assert_eq!(
        skill_builder_core::node::sidecar_dir(&app.options),
        Some(sidecar.clone())
    );

    let v = catalog::call(&app, "check_startup_deps", json!({}))
        .await
        .unwrap();
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Node.js", "Agent sidecar", "Claude SDK", "Git"]);
    assert_eq!(v["all_ok"], true, "{v}");
    assert!(v["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .ends_with("(system)"));
    assert!(v["checks"][1]["detail"]
        .as_str()
        .unwrap()
        .ends_with("src/main.js"));
    assert!(v["checks"][2]["detail"].as_str().unwrap().contains("0.2.7"));
    assert!(v["checks"][3]["detail"]
        .as_str()
        .unwrap()
        .starts_with("libgit2 (built in)"));
}

#[tokio::test]
async fn startup_deps_report_a_missing_sidecar() {
    let t = tempfile::tempdir().unwrap();
    let empty = t.path().join("empty-sidecar");
    std::fs::create_dir_all(&empty).unwrap();
    let app = app_in(t.path(), |o| o.sidecar_dir = Some(empty));
    let v = catalog::call(&app, "check_startup_deps", json!({}))
        .await
        .unwrap();
    assert_eq!(v["all_ok"], false);
    assert_eq!(v["checks"][1]["ok"], false);
    assert!(v["checks"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("main.js"));
    assert_eq!(v["checks"][2]["ok"], false);
    assert!(v["checks"][2]["detail"]
        .as_str()
        .unwrap()
        .contains("npm ci"));
    assert_eq!(v["checks"][3]["ok"], true);
}

#[tokio::test]
async fn repo_sidecar_is_the_fallback() {
    let dir = skill_builder_core::node::sidecar_dir(&Options::default())
        .expect("the repository has sidecar/");
    assert!(dir.ends_with("sidecar"), "{}", dir.display());
    assert!(dir.join("package.json").is_file());
}
