//! The runtime log level change reaches the log file without a restart.

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, logging};

#[tokio::test]
async fn set_log_level_takes_effect_at_once() {
    if !support::in_own_process!() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(dir.path(), |_| {});
    logging::init(&app.paths.log_file(), "info", None);
    tracing::debug!("marker-before-change");
    catalog::call(&app, "set_log_level", json!({"level": "DEBUG"}))
        .await
        .unwrap();
    tracing::debug!("marker-after-change");
    catalog::call(&app, "set_log_level", json!({"level": "error"}))
        .await
        .unwrap();
    tracing::info!("marker-after-error-level");
    let log = std::fs::read_to_string(app.paths.log_file()).unwrap();
    assert!(!log.contains("marker-before-change"));
    assert!(log.contains("marker-after-change"));
    assert!(!log.contains("marker-after-error-level"));
    let e = catalog::call(&app, "set_log_level", json!({"level": 3}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, skill_builder_core::ErrorKind::InvalidInput);
}
