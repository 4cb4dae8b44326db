//! A secret saved with the default configuration comes back in the next process: what a user
//! meets after quitting and reopening the app. (CI has no keychain, so this is the database
//! fallback; the keychain probe itself is unit-tested in `secrets.rs`.)

use crate::support::{run, stdout_json};
use serde_json::Value;

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
