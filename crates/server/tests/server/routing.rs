//! Every command name of the catalog is routed; unknown names are 404 `unknown_command`.

use crate::common;
use serde_json::json;
use skill_builder_core::catalog;

/// The names of core's one declaration, expanded here independently of the catalog table.
macro_rules! declared_names {
    ($($kind:tt $name:ident => $path:path [$($tag:ident)*];)*) => {
        [$(stringify!($name)),*]
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_name_is_routed() {
    // `common::start` keeps every command off the internet and the OS keychain.
    let h = common::start().await;
    let names = skill_builder_core::for_each_command!(declared_names);
    assert_eq!(names.len(), catalog::commands().len());
    for name in names {
        // `{}` is harmless: commands with required arguments refuse it with 400.
        let (status, body) = h.call(name, json!({})).await;
        assert!(
            !(status == 404 && common::kind(&body) == "unknown_command"),
            "{name} is not routed: {status} {body}"
        );
        assert!(catalog::find(name).is_some(), "{name}");
        assert_ne!(
            status, 501,
            "{name}: nothing answers 'not implemented': {body}"
        );
    }
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
    for c in catalog::commands() {
        let op = &paths[&format!("/api/{}", c.name)]["post"];
        assert_eq!(op["operationId"], c.name);
        let group = if c.is_extra() { "extra" } else { "reference" };
        assert_eq!(op["tags"], json!([group]), "{}", c.name);
        assert!(
            op["responses"].get("501").is_none(),
            "no command is unimplemented"
        );
    }
    assert_eq!(paths.len(), catalog::commands().len() + 2);
    assert!(paths.contains_key("/api/events"));
}
