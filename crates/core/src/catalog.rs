//! The one table of commands: name → typed handler. The CLI `call`, the HTTP router, the OpenAPI
//! description and the Tauri handler list all derive from it, so a command is declared exactly
//! once — in `for_each_command!` below.

use crate::app::App;
use crate::args::parse_args;
use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

/// A command's result, serialised once by core: shells send this text as it is.
pub type RawJson = Box<RawValue>;
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<RawJson>> + Send>>;
pub type SyncFn = fn(&App, Value) -> Result<RawJson>;
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
    /// The markers of its declaration: `reference` (commands.md) or `extra` (added beyond the
    /// reference, architecture.md), and `foundation` (needed by every shell from day one).
    pub tags: &'static [&'static str],
}

impl Command {
    /// Added beyond the reference catalog of commands.md.
    pub fn is_extra(&self) -> bool {
        self.tags.contains(&"extra")
    }

    /// One of the commands every shell needs from day one (Settings, Skill management, Usage,
    /// Files, Node & dependencies, `get_workspace_path`).
    pub fn is_foundation(&self) -> bool {
        self.tags.contains(&"foundation")
    }
}

/// Every command, declared once: `sync|async name => handler [markers];`, in the order
/// `call --list` prints. Expands `$callback! { … }` with that list, so each consumer generates
/// what it needs from the same tokens: the catalog's table (below), the desktop shell's
/// `#[tauri::command]` functions and `generate_handler!` list, tests.
///
/// Markers: `reference` or `extra` (one of the two), optionally `foundation`.
#[macro_export]
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            // Settings
            sync get_data_dir => $crate::settings::get_data_dir [reference foundation];
            sync get_settings => $crate::settings::get_settings_cmd [reference foundation];
            sync save_settings => $crate::settings::save_settings [reference foundation];
            async test_api_key => $crate::anthropic::test_api_key [reference foundation];
            async list_models => $crate::anthropic::list_models [reference foundation];
            sync set_log_level => $crate::settings::set_log_level [reference foundation];
            sync get_log_file_path => $crate::settings::get_log_file_path [reference foundation];
            sync get_default_skills_path => $crate::settings::get_default_skills_path [reference foundation];
            // Skill management
            sync list_skills => $crate::skills::list_skills [reference foundation];
            sync list_refinable_skills => $crate::skills::list_refinable_skills [reference foundation];
            sync create_skill => $crate::skills::create_skill [reference foundation];
            sync delete_skill => $crate::skills::delete_skill [reference foundation];
            sync update_skill_tags => $crate::skills::update_skill_tags [reference foundation];
            sync update_skill_metadata => $crate::skills::update_skill_metadata [reference foundation];
            sync rename_skill => $crate::skills::rename_skill [reference foundation];
            async generate_suggestions => $crate::anthropic::generate_suggestions [reference foundation];
            sync get_all_tags => $crate::skills::get_all_tags [reference foundation];
            sync get_installed_skill_names => $crate::skills::get_installed_skill_names [reference foundation];
            sync acquire_lock => $crate::locks::acquire_lock [reference foundation];
            sync release_lock => $crate::locks::release_lock [reference foundation];
            sync get_locked_skills => $crate::locks::get_locked_skills [reference foundation];
            sync check_lock => $crate::locks::check_lock [reference foundation];
            // Workflow
            async run_workflow_step => $crate::workflow::run_workflow_step [reference];
            sync package_skill => $crate::workflow::package_skill [reference];
            sync reset_workflow_step => $crate::workflow::reset_workflow_step [reference];
            sync preview_step_reset => $crate::workflow::preview_step_reset [reference];
            sync get_workflow_state => $crate::workflow::get_workflow_state [reference];
            sync save_workflow_state => $crate::workflow::save_workflow_state [reference];
            sync verify_step_output => $crate::workflow::verify_step_output [reference];
            sync get_disabled_steps => $crate::workflow::get_disabled_steps [reference];
            async run_answer_evaluator => $crate::workflow::run_answer_evaluator [reference];
            sync autofill_clarifications => $crate::workflow::autofill_clarifications [reference];
            sync autofill_refinements => $crate::workflow::autofill_refinements [reference];
            sync log_gate_decision => $crate::workflow::log_gate_decision [reference];
            sync scan_legacy_clarifications => $crate::workflow::scan_legacy_clarifications [reference];
            sync reset_legacy_skills => $crate::workflow::reset_legacy_skills [reference];
            // Refine
            sync get_skill_content_for_refine => $crate::refine::get_skill_content_for_refine [reference];
            sync get_refine_diff => $crate::refine::get_refine_diff [reference];
            sync start_refine_session => $crate::refine::start_refine_session [reference];
            async send_refine_message => $crate::refine::send_refine_message [reference];
            async close_refine_session => $crate::refine::close_refine_session [reference];
            // Feedback & testing
            sync prepare_skill_test => $crate::skilltest::prepare_skill_test [reference];
            sync cleanup_skill_test => $crate::skilltest::cleanup_skill_test [reference];
            async run_skill_test => $crate::skilltest::run_skill_test [extra];
            sync list_skill_test_results => $crate::skilltest::list_skill_test_results [extra];
            // Evals (issue 15)
            sync get_evals => $crate::evals::get_evals [extra];
            sync save_evals => $crate::evals::save_evals [extra];
            async run_evals => $crate::evals::run_evals [extra];
            sync list_eval_runs => $crate::evals::list_eval_runs [extra];
            sync get_eval_run => $crate::evals::get_eval_run [extra];
            async optimize_description => $crate::evals::optimize_description [extra];
            // Agents & lifecycle
            async start_agent => $crate::agents::commands::start_agent [reference];
            async has_running_agents => $crate::agents::commands::has_running_agents [reference];
            async cleanup_skill_sidecar => $crate::agents::commands::cleanup_skill_sidecar [reference];
            async graceful_shutdown => $crate::agents::commands::graceful_shutdown [reference];
            // Files
            sync save_raw_file => $crate::files::save_raw_file [reference foundation];
            sync list_skill_files => $crate::files::list_skill_files [reference foundation];
            sync read_file => $crate::files::read_file [reference foundation];
            sync write_file => $crate::files::write_file [reference foundation];
            sync copy_file => $crate::files::copy_file [reference foundation];
            sync read_file_as_base64 => $crate::files::read_file_as_base64 [reference foundation];
            sync write_base64_to_temp_file => $crate::files::write_base64_to_temp_file [reference foundation];
            // Workspace skills
            sync upload_skill => $crate::workspace_skills::upload_skill [reference];
            sync list_workspace_skills => $crate::workspace_skills::list_workspace_skills [reference];
            sync toggle_skill_active => $crate::workspace_skills::toggle_skill_active [reference];
            sync set_workspace_skill_purpose => $crate::workspace_skills::set_workspace_skill_purpose [reference];
            sync delete_imported_skill => $crate::workspace_skills::delete_imported_skill [reference];
            sync get_skill_content => $crate::workspace_skills::get_skill_content [reference];
            sync export_skill => $crate::workspace_skills::export_skill [reference];
            sync lint_skill => $crate::workspace_skills::lint_skill [extra];
            // Workspace & reconciliation
            sync get_workspace_path => $crate::skills::get_workspace_path [reference foundation];
            sync clear_workspace => $crate::reconcile::clear_workspace [reference];
            sync reconcile_startup => $crate::reconcile::reconcile_startup_cmd [reference];
            sync resolve_orphan => $crate::reconcile::resolve_orphan [reference];
            sync resolve_discovery => $crate::reconcile::resolve_discovery [reference];
            sync create_workflow_session => $crate::workflow::sessions::create_workflow_session [reference];
            sync end_workflow_session => $crate::workflow::sessions::end_workflow_session [reference];
            // Git history
            sync get_skill_history => $crate::history::get_skill_history [reference];
            sync get_skill_diff => $crate::history::get_skill_diff [reference];
            sync restore_skill_version => $crate::history::restore_skill_version [reference];
            // Usage
            sync persist_agent_run => $crate::usage::persist_agent_run [reference foundation];
            sync get_usage_summary => $crate::usage::get_usage_summary [reference foundation];
            sync get_recent_runs => $crate::usage::get_recent_runs [reference foundation];
            sync get_usage_by_step => $crate::usage::get_usage_by_step [reference foundation];
            sync get_usage_by_model => $crate::usage::get_usage_by_model [reference foundation];
            sync get_usage_by_day => $crate::usage::get_usage_by_day [extra];
            sync reset_usage => $crate::usage::reset_usage [reference foundation];
            sync get_recent_workflow_sessions => $crate::usage::get_recent_workflow_sessions [reference foundation];
            sync get_session_agent_runs => $crate::usage::get_session_agent_runs [reference foundation];
            sync get_step_agent_runs => $crate::usage::get_step_agent_runs [reference foundation];
            // GitHub import & marketplace
            sync parse_github_url => $crate::github::url::parse_github_url_cmd [reference];
            async check_marketplace_url => $crate::github::discovery::check_marketplace_url [reference];
            async list_github_skills => $crate::github::discovery::list_github_skills [reference];
            async import_github_skills => $crate::github::import::import_github_skills [reference];
            async import_marketplace_to_library => $crate::github::import::import_marketplace_to_library [reference];
            sync get_dashboard_skill_names => $crate::github::import::get_dashboard_skill_names [reference];
            async check_marketplace_updates => $crate::github::import::check_marketplace_updates [reference];
            sync check_skill_customized => $crate::github::import::check_skill_customized [reference];
            // GitHub sign-in
            async github_start_device_flow => $crate::github::auth::github_start_device_flow [reference];
            async github_poll_for_token => $crate::github::auth::github_poll_for_token [reference];
            sync github_get_user => $crate::github::auth::github_get_user [reference];
            sync github_logout => $crate::github::auth::github_logout [reference];
            async create_github_issue => $crate::github::feedback::create_github_issue [reference];
            // Installs into agents
            sync install_to_agent => $crate::installs::install_to_agent [extra];
            sync uninstall_from_agent => $crate::installs::uninstall_from_agent [extra];
            sync list_agent_installs => $crate::installs::list_agent_installs [extra];
            sync sync_agent_installs => $crate::installs::sync_agent_installs [extra];
            // Sharing through git
            async publish_library => $crate::publish::publish_library [extra];
            // Import from any git URL (issue 17)
            async list_git_skills => $crate::git_import::list_git_skills [extra];
            async import_git_skills => $crate::git_import::import_git_skills [extra];
            // Node & dependencies
            async check_node => $crate::node::check_node [reference foundation];
            async check_startup_deps => $crate::node::check_startup_deps [reference foundation];
        }
    };
}

/// Serialises a command's result once, straight from its typed value (no `Value` in between).
pub fn to_raw_json<T: Serialize>(v: T) -> Result<RawJson> {
    serde_json::value::to_raw_value(&v)
        .map_err(|e| Error::internal(format!("cannot encode result: {e}")))
}

macro_rules! command {
    (sync $name:ident => $f:path [$($tag:ident)*]) => {
        Command {
            name: stringify!($name),
            handler: Handler::Sync(|app, v| {
                let args = parse_args(stringify!($name), v)?;
                to_raw_json($f(app, args)?)
            }),
            tags: &[$(stringify!($tag)),*],
        }
    };
    (async $name:ident => $f:path [$($tag:ident)*]) => {
        Command {
            name: stringify!($name),
            handler: Handler::Async(|app, v| {
                Box::pin(async move {
                    let args = parse_args(stringify!($name), v)?;
                    to_raw_json($f(&app, args).await?)
                })
            }),
            tags: &[$(stringify!($tag)),*],
        }
    };
}

macro_rules! command_table {
    ($($kind:tt $name:ident => $f:path [$($tag:ident)*];)*) => {
        vec![$(command!($kind $name => $f [$($tag)*])),*]
    };
}

fn build() -> Vec<Command> {
    crate::for_each_command!(command_table)
}

/// Every command, in declaration order.
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

/// Runs a command by name with JSON arguments and returns its result as serialised JSON — the
/// path of the shells, which send that text on unchanged. Sync commands run on a blocking thread.
pub async fn call_raw(app: &Arc<App>, name: &str, args: Value) -> Result<RawJson> {
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

/// `call_raw` decoded into a `Value`: for callers that read fields of the result (tests, the
/// CLI's human subcommands), not for shells that only pass it on.
pub async fn call(app: &Arc<App>, name: &str, args: Value) -> Result<Value> {
    let raw = call_raw(app, name, args).await?;
    serde_json::from_str(raw.get())
        .map_err(|e| Error::internal(format!("cannot decode the result of {name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The declaration expanded a second way: (name, is_async, markers).
    macro_rules! declared {
        ($($kind:tt $name:ident => $f:path [$($tag:ident)*];)*) => {
            vec![$((stringify!($name), stringify!($kind) == "async", vec![$(stringify!($tag)),*])),*]
        };
    }

    #[test]
    fn the_table_is_the_declaration() {
        let declared = crate::for_each_command!(declared);
        let table: Vec<_> = commands()
            .iter()
            .map(|c| {
                let is_async = matches!(c.handler, Handler::Async(_));
                (c.name, is_async, c.tags.to_vec())
            })
            .collect();
        assert_eq!(table, declared);
        let names: BTreeSet<&str> = table.iter().map(|(n, ..)| *n).collect();
        assert_eq!(names.len(), table.len(), "a name is declared twice");
        for (name, _, tags) in &table {
            let groups = tags.iter().filter(|t| ["reference", "extra"].contains(t));
            assert_eq!(groups.count(), 1, "{name}: reference or extra");
            assert!(
                tags.iter()
                    .all(|t| ["reference", "extra", "foundation"].contains(t)),
                "{name}: unknown marker in {tags:?}"
            );
        }
        // commands.md's 95 commands are fixed; the extras grow with architecture.md.
        assert_eq!(commands().iter().filter(|c| !c.is_extra()).count(), 95);
        for extra in [
            "run_skill_test",
            "list_skill_test_results",
            "lint_skill",
            "get_usage_by_day",
            "get_evals",
            "save_evals",
            "run_evals",
            "list_eval_runs",
            "get_eval_run",
            "optimize_description",
        ] {
            assert!(find(extra).is_some_and(|c| c.is_extra()), "{extra}");
        }
        assert_eq!(commands().iter().filter(|c| c.is_foundation()).count(), 41);
    }
}
