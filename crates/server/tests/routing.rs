//! Every command name of the catalog is routed; unknown names are 404 `unknown_command`.

mod common;

use serde_json::json;
use skill_builder_core::catalog;
use skill_builder_core::command_names::{EXTRA_COMMANDS, REFERENCE_COMMANDS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_name_is_routed() {
    // `common::start` keeps every command off the internet and the OS keychain.
    let h = common::start().await;
    let names: Vec<&str> = REFERENCE_COMMANDS
        .iter()
        .chain(EXTRA_COMMANDS.iter())
        .copied()
        .collect();
    assert_eq!(names.len(), 99);
    let mut implemented = 0;
    for name in names {
        // `{}` is harmless: commands with required arguments refuse it with 400.
        let (status, body) = h.call(name, json!({})).await;
        assert!(
            !(status == 404 && common::kind(&body) == "unknown_command"),
            "{name} is not routed: {status} {body}"
        );
        if catalog::find(name).is_some() {
            implemented += 1;
            assert_ne!(
                status, 501,
                "{name} is implemented but answered 501: {body}"
            );
        } else {
            assert_eq!(status, 501, "{name}: {body}");
            assert_eq!(common::kind(&body), "internal");
            assert_eq!(body["error"]["message"], "not implemented yet");
        }
    }
    eprintln!("99 routed names, {implemented} implemented");
    h.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_names_are_404_unknown_command() {
    let h = common::start().await;
    for name in ["no_such_command", "list_skillz", "LIST_SKILLS"] {
        let (status, body) = h.call(name, json!({})).await;
        assert_eq!(status, 404, "{name}");
        assert_eq!(common::kind(&body), "unknown_command", "{name}: {body}");
    }
    // Other API paths are JSON 404s too.
    let r = h.client.post(h.url("/api/a/b")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // A command is POST only.
    let r = h
        .client
        .get(h.url("/api/list_skills"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn openapi_lists_every_routed_command() {
    let h = common::start().await;
    let r = h
        .client
        .get(h.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for name in REFERENCE_COMMANDS.iter().chain(EXTRA_COMMANDS.iter()) {
        let op = &paths[&format!("/api/{name}")]["post"];
        assert_eq!(op["operationId"], *name);
        assert_eq!(op["x-implemented"], catalog::find(name).is_some());
    }
    for c in catalog::commands() {
        assert!(
            paths.contains_key(&format!("/api/{}", c.name)),
            "{}",
            c.name
        );
    }
    assert!(paths.contains_key("/api/events"));
}
