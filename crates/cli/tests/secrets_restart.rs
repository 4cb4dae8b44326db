//! A secret saved with the default configuration comes back in the next process: what a user
//! meets after quitting and reopening the app. (CI has no keychain, so this is the database
//! fallback; the keychain probe itself is unit-tested in `secrets.rs`.)

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skill-builder"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("SKILL_BUILDER_KEYCHAIN", "0")
        .env_remove("SKILL_BUILDER_DATA_DIR")
        .output()
        .unwrap()
}

fn stdout_json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("stdout is exactly one JSON document")
}

#[test]
fn api_key_saved_in_one_process_is_there_in_the_next() {
    let d = tempfile::tempdir().unwrap();
    let key = "sk-ant-restart-0123456789";
    let save = format!(
        r#"{{"settings":{{"anthropic_api_key":"{key}","github_oauth_client_id":"Ov23liRestart","feedback_repository":"acme/feedback"}}}}"#
    );
    stdout_json(&run(d.path(), &["call", "save_settings", &save]));

    let s = stdout_json(&run(d.path(), &["call", "get_settings"]));
    assert_eq!(s["anthropic_api_key"], key);
    assert_eq!(s["github_oauth_client_id"], "Ov23liRestart");
    assert_eq!(s["feedback_repository"], "acme/feedback");

    // Another data folder is another profile: it starts without the key.
    let other = tempfile::tempdir().unwrap();
    let s = stdout_json(&run(other.path(), &["call", "get_settings"]));
    assert_eq!(s["anthropic_api_key"], Value::Null);
}
