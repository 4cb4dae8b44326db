//! The one table of commands: name → typed handler. The CLI `call`, the HTTP router and the
//! Tauri handler list all derive from it, so a command is declared exactly once.

use crate::app::App;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send>>;
pub type SyncFn = fn(&App, Value) -> Result<Value>;
pub type AsyncFn = fn(Arc<App>, Value) -> BoxFuture;

#[derive(Clone, Copy)]
pub enum Handler {
    /// Short work on the database or disk; shells run it on a blocking thread.
    Sync(SyncFn),
    /// Waits on the network or child processes.
    Async(AsyncFn),
}

#[derive(Clone, Copy)]
pub struct Command {
    pub name: &'static str,
    pub handler: Handler,
}

/// Arguments of a command that takes none (any object, or null, is accepted).
#[derive(Debug, Default, Deserialize)]
pub struct NoArgs {}

/// Decodes a command's JSON arguments (`null` = no arguments) with a clear error.
pub fn parse_args<T: DeserializeOwned>(command: &str, v: Value) -> Result<T> {
    let v = if v.is_null() {
        Value::Object(Default::default())
    } else {
        v
    };
    if !v.is_object() {
        return Err(Error::invalid(format!(
            "arguments of {command} must be a JSON object, got {}",
            json_type(&v)
        )));
    }
    serde_json::from_value(v)
        .map_err(|e| Error::invalid(format!("invalid arguments for {command}: {e}")))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn to_json<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::internal(format!("cannot encode result: {e}")))
}

macro_rules! sync_cmd {
    ($name:ident => $f:path) => {
        Command {
            name: stringify!($name),
            handler: Handler::Sync(|app, v| {
                let args = parse_args(stringify!($name), v)?;
                to_json($f(app, args)?)
            }),
        }
    };
}

macro_rules! async_cmd {
    ($name:ident => $f:path) => {
        Command {
            name: stringify!($name),
            handler: Handler::Async(|app, v| {
                Box::pin(async move {
                    let args = parse_args(stringify!($name), v)?;
                    to_json($f(&app, args).await?)
                })
            }),
        }
    };
}

fn build() -> Vec<Command> {
    use crate::{
        agents, files, history, locks, node, refine, settings, skills, skilltest, usage, workflow,
    };
    vec![
        // Settings
        sync_cmd!(get_data_dir => settings::get_data_dir),
        sync_cmd!(get_settings => settings::get_settings_cmd),
        sync_cmd!(save_settings => settings::save_settings),
        async_cmd!(test_api_key => crate::anthropic::test_api_key),
        async_cmd!(list_models => crate::anthropic::list_models),
        sync_cmd!(set_log_level => settings::set_log_level),
        sync_cmd!(get_log_file_path => settings::get_log_file_path),
        sync_cmd!(get_default_skills_path => settings::get_default_skills_path),
        // Skill management
        sync_cmd!(list_skills => skills::list_skills),
        sync_cmd!(list_refinable_skills => skills::list_refinable_skills),
        sync_cmd!(create_skill => skills::create_skill),
        sync_cmd!(delete_skill => skills::delete_skill),
        sync_cmd!(update_skill_tags => skills::update_skill_tags),
        sync_cmd!(update_skill_metadata => skills::update_skill_metadata),
        sync_cmd!(rename_skill => skills::rename_skill),
        async_cmd!(generate_suggestions => crate::anthropic::generate_suggestions),
        sync_cmd!(get_all_tags => skills::get_all_tags),
        sync_cmd!(get_installed_skill_names => skills::get_installed_skill_names),
        sync_cmd!(acquire_lock => locks::acquire_lock),
        sync_cmd!(release_lock => locks::release_lock),
        sync_cmd!(get_locked_skills => locks::get_locked_skills),
        sync_cmd!(check_lock => locks::check_lock),
        // Workflow
        async_cmd!(run_workflow_step => workflow::run_workflow_step),
        sync_cmd!(package_skill => workflow::package_skill),
        sync_cmd!(reset_workflow_step => workflow::reset_workflow_step),
        sync_cmd!(preview_step_reset => workflow::preview_step_reset),
        sync_cmd!(get_workflow_state => workflow::get_workflow_state),
        sync_cmd!(save_workflow_state => workflow::save_workflow_state),
        sync_cmd!(verify_step_output => workflow::verify_step_output),
        sync_cmd!(get_disabled_steps => workflow::get_disabled_steps),
        async_cmd!(run_answer_evaluator => workflow::run_answer_evaluator),
        sync_cmd!(autofill_clarifications => workflow::autofill_clarifications),
        sync_cmd!(autofill_refinements => workflow::autofill_refinements),
        sync_cmd!(log_gate_decision => workflow::log_gate_decision),
        sync_cmd!(scan_legacy_clarifications => workflow::scan_legacy_clarifications),
        sync_cmd!(reset_legacy_skills => workflow::reset_legacy_skills),
        // Refine
        sync_cmd!(get_skill_content_for_refine => refine::get_skill_content_for_refine),
        sync_cmd!(get_refine_diff => refine::get_refine_diff),
        sync_cmd!(start_refine_session => refine::start_refine_session),
        async_cmd!(send_refine_message => refine::send_refine_message),
        async_cmd!(close_refine_session => refine::close_refine_session),
        // Feedback & testing
        sync_cmd!(prepare_skill_test => skilltest::prepare_skill_test),
        sync_cmd!(cleanup_skill_test => skilltest::cleanup_skill_test),
        async_cmd!(run_skill_test => skilltest::run_skill_test),
        sync_cmd!(list_skill_test_results => skilltest::list_skill_test_results),
        // Agents & lifecycle
        async_cmd!(start_agent => agents::commands::start_agent),
        async_cmd!(has_running_agents => agents::commands::has_running_agents),
        async_cmd!(cleanup_skill_sidecar => agents::commands::cleanup_skill_sidecar),
        async_cmd!(graceful_shutdown => agents::commands::graceful_shutdown),
        // Files
        sync_cmd!(save_raw_file => files::save_raw_file),
        sync_cmd!(list_skill_files => files::list_skill_files),
        sync_cmd!(read_file => files::read_file),
        sync_cmd!(write_file => files::write_file),
        sync_cmd!(copy_file => files::copy_file),
        sync_cmd!(read_file_as_base64 => files::read_file_as_base64),
        sync_cmd!(write_base64_to_temp_file => files::write_base64_to_temp_file),
        // Workspace skills
        sync_cmd!(upload_skill => crate::workspace_skills::upload_skill),
        sync_cmd!(list_workspace_skills => crate::workspace_skills::list_workspace_skills),
        sync_cmd!(toggle_skill_active => crate::workspace_skills::toggle_skill_active),
        sync_cmd!(set_workspace_skill_purpose => crate::workspace_skills::set_workspace_skill_purpose),
        sync_cmd!(delete_imported_skill => crate::workspace_skills::delete_imported_skill),
        sync_cmd!(get_skill_content => crate::workspace_skills::get_skill_content),
        sync_cmd!(export_skill => crate::workspace_skills::export_skill),
        sync_cmd!(lint_skill => crate::workspace_skills::lint_skill),
        // Workspace & reconciliation
        sync_cmd!(get_workspace_path => skills::get_workspace_path),
        sync_cmd!(clear_workspace => crate::reconcile::clear_workspace),
        sync_cmd!(reconcile_startup => crate::reconcile::reconcile_startup_cmd),
        sync_cmd!(resolve_orphan => crate::reconcile::resolve_orphan),
        sync_cmd!(resolve_discovery => crate::reconcile::resolve_discovery),
        sync_cmd!(create_workflow_session => workflow::sessions::create_workflow_session),
        sync_cmd!(end_workflow_session => workflow::sessions::end_workflow_session),
        // Git history
        sync_cmd!(get_skill_history => history::get_skill_history),
        sync_cmd!(get_skill_diff => history::get_skill_diff),
        sync_cmd!(restore_skill_version => history::restore_skill_version),
        // Usage
        sync_cmd!(persist_agent_run => usage::persist_agent_run),
        sync_cmd!(get_usage_summary => usage::get_usage_summary),
        sync_cmd!(get_recent_runs => usage::get_recent_runs),
        sync_cmd!(get_usage_by_step => usage::get_usage_by_step),
        sync_cmd!(get_usage_by_model => usage::get_usage_by_model),
        sync_cmd!(get_usage_by_day => usage::get_usage_by_day),
        sync_cmd!(reset_usage => usage::reset_usage),
        sync_cmd!(get_recent_workflow_sessions => usage::get_recent_workflow_sessions),
        sync_cmd!(get_session_agent_runs => usage::get_session_agent_runs),
        sync_cmd!(get_step_agent_runs => usage::get_step_agent_runs),
        // GitHub import & marketplace
        sync_cmd!(parse_github_url => crate::github::url::parse_github_url_cmd),
        async_cmd!(check_marketplace_url => crate::github::discovery::check_marketplace_url),
        async_cmd!(list_github_skills => crate::github::discovery::list_github_skills),
        async_cmd!(import_github_skills => crate::github::import::import_github_skills),
        async_cmd!(import_marketplace_to_library => crate::github::import::import_marketplace_to_library),
        sync_cmd!(get_dashboard_skill_names => crate::github::import::get_dashboard_skill_names),
        async_cmd!(check_marketplace_updates => crate::github::import::check_marketplace_updates),
        sync_cmd!(check_skill_customized => crate::github::import::check_skill_customized),
        // GitHub sign-in
        async_cmd!(github_start_device_flow => crate::github::auth::github_start_device_flow),
        async_cmd!(github_poll_for_token => crate::github::auth::github_poll_for_token),
        sync_cmd!(github_get_user => crate::github::auth::github_get_user),
        sync_cmd!(github_logout => crate::github::auth::github_logout),
        async_cmd!(create_github_issue => crate::github::feedback::create_github_issue),
        // Installs into agents
        sync_cmd!(install_to_agent => crate::installs::install_to_agent),
        sync_cmd!(uninstall_from_agent => crate::installs::uninstall_from_agent),
        sync_cmd!(list_agent_installs => crate::installs::list_agent_installs),
        sync_cmd!(sync_agent_installs => crate::installs::sync_agent_installs),
        // Node & dependencies
        async_cmd!(check_node => node::check_node),
        async_cmd!(check_startup_deps => node::check_startup_deps),
    ]
}

/// Every implemented command.
pub fn commands() -> &'static [Command] {
    static TABLE: OnceLock<Vec<Command>> = OnceLock::new();
    TABLE.get_or_init(build)
}

pub fn find(name: &str) -> Option<Command> {
    commands().iter().find(|c| c.name == name).copied()
}

fn unknown(name: &str) -> Error {
    Error::new(
        crate::ErrorKind::UnknownCommand,
        format!("unknown command '{name}'; `skill-builder call --list` shows the commands"),
    )
}

/// Runs a command by name with JSON arguments. Sync commands run on a blocking thread.
pub async fn call(app: &Arc<App>, name: &str, args: Value) -> Result<Value> {
    let cmd = find(name).ok_or_else(|| unknown(name))?;
    tracing::debug!("command {name}");
    match cmd.handler {
        Handler::Sync(f) => {
            let app = app.clone();
            tokio::task::spawn_blocking(move || f(&app, args))
                .await
                .map_err(|e| Error::internal(format!("command {name} panicked: {e}")))?
        }
        Handler::Async(f) => f(app.clone(), args).await,
    }
}
