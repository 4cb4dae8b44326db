//! Settings commands: defaults, merge-save, secrets, the skills-folder move.

use crate::support::{self, call, open};
use serde_json::json;
use skill_builder_core::{catalog, settings, ErrorKind};

#[tokio::test]
async fn fresh_data_dir_gives_effective_defaults() {
    let (d, app) = open();
    let s = call(&app, "get_settings", json!({})).await;
    assert_eq!(
        s["workspace_path"],
        json!(d.path().join("workspace").to_str().unwrap())
    );
    assert_eq!(
        s["skills_path"],
        json!(d.path().join("skills").to_str().unwrap())
    );
    assert_eq!(s["log_level"], "info");
    assert_eq!(s["max_dimensions"], 5);
    assert_eq!(s["marketplace_initialized"], true);
    assert_eq!(
        s["marketplace_registries"][0]["source_url"],
        settings::DEFAULT_REGISTRY_URL
    );
    assert_eq!(
        call(&app, "get_data_dir", json!({})).await,
        json!(d.path().to_str().unwrap())
    );
    assert_eq!(
        call(&app, "get_default_skills_path", json!({})).await,
        json!(d.path().join("skills").to_str().unwrap())
    );
    assert_eq!(
        call(&app, "get_log_file_path", json!({})).await,
        json!(d.path().join("logs/skill-builder.log").to_str().unwrap())
    );
    for cmd in [
        "get_settings",
        "get_data_dir",
        "get_default_skills_path",
        "get_log_file_path",
    ] {
        let e = catalog::call(&app, cmd, json!("x")).await.unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::InvalidInput,
            "{cmd} with a non-object argument"
        );
    }
}

#[tokio::test]
async fn save_merges_keeps_unknown_keys_and_protects_sign_in_fields() {
    let (_d, app) = open();
    settings::update(&app, |s| {
        s.github_oauth_token = Some("gho_secret".into());
        s.github_user_login = Some("octo".into());
    })
    .unwrap();
    call(
        &app,
        "save_settings",
        json!({"settings": {"preferred_model": "opus", "future_key": {"a": 1}}}),
    )
    .await;
    // A stale full snapshot from the UI must not sign the user out or reset the latch.
    call(
        &app,
        "save_settings",
        json!({"settings": {"github_oauth_token": null, "github_user_login": null,
        "marketplace_initialized": false, "industry": "Retail"}}),
    )
    .await;
    let s = call(&app, "get_settings", json!({})).await;
    assert_eq!(s["preferred_model"], "opus");
    assert_eq!(s["industry"], "Retail");
    assert_eq!(s["future_key"], json!({"a": 1}));
    assert_eq!(s["github_oauth_token"], "gho_secret");
    assert_eq!(s["github_user_login"], "octo");
    assert_eq!(s["marketplace_initialized"], true);
}

#[tokio::test]
async fn invalid_settings_are_refused_and_nothing_changes() {
    let (_d, app) = open();
    let before = call(&app, "get_settings", json!({})).await;
    for bad in [
        json!({"settings": {"max_dimensions": "many"}}),
        json!({"settings": 3}),
        json!({}),
    ] {
        let e = catalog::call(&app, "save_settings", bad.clone())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
    }
    assert_eq!(call(&app, "get_settings", json!({})).await, before);
}

#[tokio::test]
async fn api_key_lands_in_the_fallback_store_and_never_in_the_log() {
    // The log is this app's only when its logger is the process's.
    if !support::in_own_process!() {
        return;
    }
    let (_d, app) = open();
    skill_builder_core::logging::init(&app.paths.log_file(), "debug", None);
    let key = "sk-ant-test-0123456789-SECRET";
    call(
        &app,
        "save_settings",
        json!({"settings": {"anthropic_api_key": key, "log_level": "debug"}}),
    )
    .await;
    assert_eq!(
        call(&app, "get_settings", json!({})).await["anthropic_api_key"],
        key
    );
    tracing::debug!("settings test: the log is written");
    let log = std::fs::read_to_string(app.paths.log_file()).unwrap();
    assert!(log.contains("settings test: the log is written"));
    assert!(!log.contains(key));
}

#[tokio::test]
async fn changing_skills_path_moves_every_skill_folder() {
    let (d, app) = open();
    call(&app, "create_skill", json!({"name": "one"})).await;
    std::fs::write(app.skills_path().join("one/SKILL.md"), "body").unwrap();
    let new = d.path().join("elsewhere/my-skills");
    call(
        &app,
        "save_settings",
        json!({"settings": {"skills_path": format!("{}/", new.display())}}),
    )
    .await;
    assert_eq!(
        std::fs::read_to_string(new.join("one/SKILL.md")).unwrap(),
        "body"
    );
    assert!(!d.path().join("skills/one").exists());
    assert_eq!(app.skills_path(), new);
    let s = call(&app, "get_settings", json!({})).await;
    assert_eq!(
        s["skills_path"],
        json!(new.to_str().unwrap()),
        "trailing slash normalised"
    );
}

#[tokio::test]
async fn moving_into_a_folder_with_content_is_refused_and_nothing_moves() {
    let (d, app) = open();
    call(&app, "create_skill", json!({"name": "one"})).await;
    let busy = d.path().join("busy");
    std::fs::create_dir_all(busy.join("something")).unwrap();
    let e = catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"skills_path": busy}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("already has content"));
    assert!(d.path().join("skills/one").is_dir());
    assert_eq!(
        call(&app, "get_settings", json!({})).await["skills_path"],
        json!(d.path().join("skills").to_str().unwrap())
    );
}

#[cfg(unix)]
#[test]
fn a_copy_that_fails_half_way_loses_nothing() {
    let d = tempfile::tempdir().unwrap();
    let old = d.path().join("old");
    std::fs::create_dir_all(old.join("a-skill/references")).unwrap();
    std::fs::write(old.join("a-skill/SKILL.md"), "keep me").unwrap();
    // A socket cannot be copied: the copy fails after SKILL.md was already copied.
    let _sock = std::os::unix::net::UnixListener::bind(old.join("zz-socket")).unwrap();
    let new = d.path().join("new");
    let e = settings::copy_then_swap(&old, &new).unwrap_err();
    assert!(e.message.contains("nothing was changed"), "{}", e.message);
    assert_eq!(
        std::fs::read_to_string(old.join("a-skill/SKILL.md")).unwrap(),
        "keep me"
    );
    assert!(!new.exists());
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("old")],
        "no staging folder left"
    );
}
