//! Two servers (two app instances) on one data dir, hammered by concurrent clients that mix
//! writes and reads, plus an in-process writer on a third instance: no request may surface
//! SQLITE_BUSY ("database is locked") or fail at all, and both servers end up agreeing.

use crate::common;
use serde_json::{json, Value};
use skill_builder_core::{catalog, App};
use skill_builder_server::{serve, ServerConfig};

const CLIENTS: usize = 16;
const ROUNDS: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn two_servers_on_one_data_dir_never_surface_sqlite_busy() {
    let h = common::start().await;
    let data = h.app.paths.data_dir.clone();
    // The second instance: its own App (own connection, instance id) and server.
    let app2 = App::open_with(Some(data.clone()), common::options()).unwrap();
    let server2 = serve(
        app2.clone(),
        ServerConfig {
            ui_dir: Some(data.join("no-ui")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let targets = [
        (h.base.clone(), h.client.clone()),
        (server2.origin(), common::token_client(&server2.token)),
    ];

    // A third instance writes directly through the command table meanwhile.
    let app3 = App::open_with(Some(data.clone()), common::options()).unwrap();
    let direct = tokio::spawn(async move {
        let mut errors = Vec::new();
        for i in 0..(ROUNDS * 4) {
            let name = format!("direct-{i}");
            for (cmd, args) in [
                ("create_skill", json!({"name": name})),
                (
                    "update_skill_tags",
                    json!({"skillName": name, "tags": ["direct"]}),
                ),
                ("delete_skill", json!({"name": name})),
            ] {
                if let Err(e) = catalog::call(&app3, cmd, args).await {
                    errors.push(format!("direct {cmd}: {}", e.message));
                }
            }
        }
        errors
    });

    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (base, client) = targets[c % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            let mut calls = 0;
            for r in 0..ROUNDS {
                let name = format!("c{c}-{r}");
                let mut ops: Vec<(&str, Value)> = vec![
                    ("create_skill", json!({"name": name, "tags": ["load"]})),
                    ("acquire_lock", json!({"skillName": name})),
                    (
                        "update_skill_tags",
                        json!({"skillName": name, "tags": [format!("t{r}")]}),
                    ),
                    (
                        "update_skill_metadata",
                        json!({"skillName": name, "description": format!("d{r}")}),
                    ),
                    ("list_skills", json!({})),
                    ("get_locked_skills", json!({})),
                    ("release_lock", json!({"skillName": name})),
                ];
                if r % 3 == 2 {
                    ops.push(("delete_skill", json!({"name": name})));
                }
                for (cmd, args) in ops {
                    calls += 1;
                    match client
                        .post(format!("{base}/api/{cmd}"))
                        .json(&args)
                        .send()
                        .await
                    {
                        Ok(resp) => {
                            let status = resp.status();
                            let body = resp.text().await.unwrap_or_default();
                            if !status.is_success() {
                                errors.push(format!("{cmd} {name}: {status} {body}"));
                            }
                        }
                        Err(e) => errors.push(format!("{cmd} {name}: {e}")),
                    }
                }
            }
            (calls, errors)
        }));
    }
    let mut calls = 0;
    let mut errors = Vec::new();
    for t in tasks {
        let (c, e) = t.await.unwrap();
        calls += c;
        errors.extend(e);
    }
    errors.extend(direct.await.unwrap());
    let busy: Vec<&String> = errors
        .iter()
        .filter(|e| {
            let l = e.to_lowercase();
            l.contains("database is locked") || l.contains("sqlite_busy") || l.contains("busy")
        })
        .collect();
    assert!(busy.is_empty(), "SQLITE_BUSY surfaced: {busy:?}");
    assert!(
        errors.is_empty(),
        "{} of {calls} calls failed: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );

    // Both servers see the same library: every client kept 2 of each 3 skills.
    let expected = CLIENTS * (ROUNDS - ROUNDS / 3);
    for (base, client) in &targets {
        let v: Value = client
            .post(format!("{base}/api/list_skills"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v.as_array().unwrap().len(), expected, "{base}");
    }
    server2.shutdown().await.unwrap();
    h.server.shutdown().await.unwrap();
}

/// docs/security.md claim (kept here, the one server test file of the reliability suite): a
/// default server binds loopback only, with a fresh 64-hex-character token per run and a
/// bounded request body.
#[test]
fn default_server_config_is_loopback_with_a_fresh_token_and_a_body_limit() {
    let a = ServerConfig::default();
    let b = ServerConfig::default();
    assert!(a.bind.is_loopback(), "{}", a.bind);
    assert_eq!(a.token.len(), 64);
    assert!(a.token.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a.token, b.token, "a token per run");
    assert_eq!(a.body_limit, skill_builder_server::DEFAULT_BODY_LIMIT);
    assert!(a.body_limit > 0 && a.body_limit <= 64 * 1024 * 1024);
}
