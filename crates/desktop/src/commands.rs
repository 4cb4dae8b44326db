//! The IPC boundary: every command of the catalog (commands.md + the "beyond the reference"
//! list of architecture.md) is a `#[tauri::command]` of the same name that hands its raw
//! camelCase arguments to core in one line — the same JSON the HTTP server passes on — so the
//! shells never invent argument or result shapes.
//!
//! The list below is the ONE place the names are written: the `commands!` macro turns it into
//! the command functions, `REGISTERED` and the `generate_handler!` call, so what is registered
//! is exactly this list. `tests_shared/command_names.rs` checks the list against
//! `skill_builder_core::command_names` (it parses this file between the BEGIN/END markers, so
//! it also runs from the root workspace without building Tauri); the unit test at the bottom
//! invokes every name through the real handler.

use serde_json::Value;
use skill_builder_core::{catalog, App, Error};
use std::sync::Arc;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

/// Runs one command: args = the invoke body (a JSON object of camelCase args), result = the
/// command's JSON, error = `{"error":{"kind","message"}}` (what the UI's transport expects).
async fn delegate(
    app: &Arc<App>,
    name: &'static str,
    request: &Request<'_>,
) -> Result<Value, Value> {
    let args = match request.body() {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(bytes) if bytes.is_empty() => Value::Null,
        InvokeBody::Raw(bytes) => serde_json::from_slice(bytes).map_err(|e| {
            Error::invalid(format!("arguments of {name} are not JSON ({e})")).to_json()
        })?,
    };
    if catalog::find(name).is_none() {
        // In the catalog of commands.md but not implemented by core yet (HTTP answers 501).
        return Err(serde_json::json!({"error": {
            "kind": "not_implemented",
            "message": format!("command '{name}' is not implemented yet"),
        }}));
    }
    catalog::call(app, name, args)
        .await
        .map_err(|e| e.to_json())
}

macro_rules! commands {
    ($($name:ident),* $(,)?) => {
        $(
            #[tauri::command]
            async fn $name(app: State<'_, Arc<App>>, request: Request<'_>) -> Result<Value, Value> {
                delegate(&app, stringify!($name), &request).await
            }
        )*

        /// Every command name registered with Tauri, in the order of commands.md.
        pub const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler registering exactly `REGISTERED`.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

// BEGIN COMMANDS
commands! {
    get_data_dir,
    get_settings,
    save_settings,
    test_api_key,
    list_models,
    set_log_level,
    get_log_file_path,
    get_default_skills_path,
    list_skills,
    list_refinable_skills,
    create_skill,
    delete_skill,
    update_skill_tags,
    update_skill_metadata,
    rename_skill,
    generate_suggestions,
    get_all_tags,
    get_installed_skill_names,
    acquire_lock,
    release_lock,
    get_locked_skills,
    check_lock,
    run_workflow_step,
    package_skill,
    reset_workflow_step,
    preview_step_reset,
    get_workflow_state,
    save_workflow_state,
    verify_step_output,
    get_disabled_steps,
    run_answer_evaluator,
    autofill_clarifications,
    autofill_refinements,
    log_gate_decision,
    scan_legacy_clarifications,
    reset_legacy_skills,
    start_agent,
    has_running_agents,
    cleanup_skill_sidecar,
    graceful_shutdown,
    save_raw_file,
    list_skill_files,
    read_file,
    write_file,
    copy_file,
    read_file_as_base64,
    write_base64_to_temp_file,
    get_workspace_path,
    clear_workspace,
    reconcile_startup,
    resolve_orphan,
    resolve_discovery,
    create_workflow_session,
    end_workflow_session,
    upload_skill,
    list_workspace_skills,
    toggle_skill_active,
    set_workspace_skill_purpose,
    delete_imported_skill,
    get_skill_content,
    export_skill,
    parse_github_url,
    check_marketplace_url,
    list_github_skills,
    import_github_skills,
    import_marketplace_to_library,
    get_dashboard_skill_names,
    check_marketplace_updates,
    check_skill_customized,
    github_start_device_flow,
    github_poll_for_token,
    github_get_user,
    github_logout,
    persist_agent_run,
    get_usage_summary,
    get_recent_runs,
    get_usage_by_step,
    get_usage_by_model,
    reset_usage,
    get_recent_workflow_sessions,
    get_session_agent_runs,
    get_step_agent_runs,
    get_skill_history,
    get_skill_diff,
    restore_skill_version,
    get_skill_content_for_refine,
    get_refine_diff,
    start_refine_session,
    send_refine_message,
    close_refine_session,
    check_node,
    check_startup_deps,
    create_github_issue,
    prepare_skill_test,
    cleanup_skill_test,
    // Beyond the reference (architecture.md)
    lint_skill,
    run_skill_test,
    list_skill_test_results,
    get_usage_by_day,
    install_to_agent,
    uninstall_from_agent,
    list_agent_installs,
    sync_agent_installs,
}
// END COMMANDS

#[cfg(test)]
mod tests {
    use super::*;
    use skill_builder_core::command_names::{EXTRA_COMMANDS, REFERENCE_COMMANDS};
    use std::collections::BTreeSet;
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    #[test]
    fn registered_names_equal_the_catalog() {
        let registered: BTreeSet<&str> = REGISTERED.iter().copied().collect();
        assert_eq!(
            registered.len(),
            REGISTERED.len(),
            "a name is registered twice"
        );
        let expected: BTreeSet<&str> = REFERENCE_COMMANDS
            .iter()
            .chain(EXTRA_COMMANDS.iter())
            .copied()
            .collect();
        let missing: Vec<_> = expected.difference(&registered).collect();
        let extra: Vec<_> = registered.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing: {missing:?}, extra: {extra:?}"
        );
        assert_eq!(REGISTERED.len(), 99);
    }

    fn invoke(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        body: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    /// Drives the real `generate_handler!` through Tauri's IPC (mock runtime): every catalog
    /// name reaches core's command of the same name (core answers with its own argument error,
    /// naming the command), and a name outside the catalog is refused by Tauri.
    #[test]
    fn every_catalog_name_is_routed_through_the_handler_to_core() {
        let dir = std::env::temp_dir().join(format!("sb-desktop-ipc-test-{}", std::process::id()));
        std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
        let core = App::open(Some(dir.clone())).expect("open app");
        let app = mock_builder()
            .manage(core)
            .invoke_handler(handler())
            .build(mock_context(noop_assets()))
            .expect("build mock app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window");

        for name in REFERENCE_COMMANDS.iter().chain(EXTRA_COMMANDS.iter()) {
            // An array is never valid arguments: core refuses it before doing anything.
            let err = invoke(&webview, name, serde_json::json!([]))
                .expect_err(&format!("{name}: an array of arguments must be refused"));
            let kind = err["error"]["kind"].as_str().unwrap_or_default();
            let message = err["error"]["message"].as_str().unwrap_or_default();
            if catalog::find(name).is_some() {
                assert_eq!(kind, "invalid_input", "{name}: {err}");
                assert!(
                    message.contains(name),
                    "{name}: core's error names the command: {err}"
                );
            } else {
                assert_eq!(kind, "not_implemented", "{name}: {err}");
            }
        }
        // A real call with camelCase args: the result is core's JSON.
        let data_dir =
            invoke(&webview, "get_data_dir", serde_json::json!({})).expect("get_data_dir");
        assert!(
            data_dir
                .as_str()
                .is_some_and(|d| d.contains("sb-desktop-ipc-test")),
            "{data_dir}"
        );
        // Not in the catalog → Tauri's own refusal (no handler), not core's.
        let err =
            invoke(&webview, "no_such_command", serde_json::json!({})).expect_err("unknown name");
        assert!(err.to_string().contains("not found"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
