//! The IPC boundary: every command of the catalog is a `#[tauri::command]` of the same name that
//! hands its raw camelCase arguments to core in one line — the same JSON the HTTP server passes
//! on — so the shells never invent argument or result shapes.
//!
//! The names are not written here: `skill_builder_core::for_each_command!` (the one declaration
//! of the commands, in core's `catalog.rs`) expands `desktop_commands!` below into the command
//! functions, `REGISTERED` and the `generate_handler!` call (Tauri needs literal function names),
//! so what is registered is the catalog by construction. The unit tests at the bottom compare
//! `REGISTERED` with the catalog at run time and invoke every name through the real handler.

use serde_json::value::RawValue;
use serde_json::Value;
use skill_builder_core::{catalog, App, Error};
use std::sync::Arc;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

/// Runs one command: args = the invoke body (a JSON object of camelCase args), result = the
/// command's JSON as core serialised it (passed through, never re-parsed), error =
/// `{"error":{"kind","message"}}` (what the UI's transport expects).
async fn delegate(
    app: &Arc<App>,
    name: &'static str,
    request: &Request<'_>,
) -> Result<Box<RawValue>, Value> {
    let args = match request.body() {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(bytes) if bytes.is_empty() => Value::Null,
        InvokeBody::Raw(bytes) => serde_json::from_slice(bytes).map_err(|e| {
            Error::invalid(format!("arguments of {name} are not JSON ({e})")).to_json()
        })?,
    };
    catalog::call_raw(app, name, args)
        .await
        .map_err(|e| e.to_json())
}

macro_rules! desktop_commands {
    ($($kind:tt $name:ident => $path:path [$($tag:ident)*];)*) => {
        $(
            #[tauri::command]
            async fn $name(
                app: State<'_, Arc<App>>,
                request: Request<'_>,
            ) -> Result<Box<RawValue>, Value> {
                delegate(&app, stringify!($name), &request).await
            }
        )*

        /// Every command name registered with Tauri, in the catalog's order.
        pub const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler registering exactly `REGISTERED`.
        pub fn handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

skill_builder_core::for_each_command!(desktop_commands);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    fn catalog_names() -> Vec<&'static str> {
        catalog::commands().iter().map(|c| c.name).collect()
    }

    /// Registered by construction from the same declaration; this cheap check catches a
    /// catalog that stopped expanding `for_each_command!` (or a shell that filters it).
    #[test]
    fn registered_names_equal_the_catalog() {
        let registered: BTreeSet<&str> = REGISTERED.iter().copied().collect();
        assert_eq!(
            registered.len(),
            REGISTERED.len(),
            "a name is registered twice"
        );
        assert_eq!(REGISTERED, catalog_names().as_slice());
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
        // Default options: no keychain, nothing read from the environment.
        let core = App::open_with(Some(dir.clone()), Default::default()).expect("open app");
        let app = mock_builder()
            .manage(core)
            .invoke_handler(handler())
            .build(mock_context(noop_assets()))
            .expect("build mock app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window");

        for name in catalog_names() {
            // An array is never valid arguments: core refuses it before doing anything.
            let err = invoke(&webview, name, serde_json::json!([]))
                .expect_err(&format!("{name}: an array of arguments must be refused"));
            let kind = err["error"]["kind"].as_str().unwrap_or_default();
            let message = err["error"]["message"].as_str().unwrap_or_default();
            assert_eq!(kind, "invalid_input", "{name}: {err}");
            assert!(
                message.contains(name),
                "{name}: core's error names the command: {err}"
            );
        }
        // A real call with camelCase args: the result is core's JSON, passed through as is.
        let data_dir =
            invoke(&webview, "get_data_dir", serde_json::json!({})).expect("get_data_dir");
        assert!(
            data_dir
                .as_str()
                .is_some_and(|d| d.contains("sb-desktop-ipc-test")),
            "{data_dir}"
        );
        let skill = invoke(
            &webview,
            "create_skill",
            serde_json::json!({"name": "ipc-raw"}),
        )
        .expect("create_skill");
        let listed = invoke(&webview, "list_skills", serde_json::json!({})).expect("list_skills");
        assert_eq!(listed[0]["name"], "ipc-raw", "{skill} / {listed}");
        // Not in the catalog → Tauri's own refusal (no handler), not core's.
        let err =
            invoke(&webview, "no_such_command", serde_json::json!({})).expect_err("unknown name");
        assert!(err.to_string().contains("not found"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
