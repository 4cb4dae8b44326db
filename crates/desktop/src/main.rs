//! Skill Builder desktop app: the Tauri 2 shell around `skill-builder-core` and the web UI
//! (`ui/dist`). Commands: `commands.rs`. Events: every core event is re-emitted with
//! `AppHandle::emit` under its own name. Close: the window never closes itself — a close request
//! emits `close-requested` and the UI decides (it calls `graceful_shutdown`, then destroys the
//! window). Exit (last window gone, SIGTERM/SIGINT, `app.exit`): sidecars are stopped if the UI
//! did not already, then locks are released and this process's sessions are ended.

#![cfg_attr(
    all(not(debug_assertions), target_os = "windows"),
    windows_subsystem = "windows"
)]

mod commands;

use skill_builder_core::events::{Event, EventSink, CLOSE_REQUESTED};
use skill_builder_core::App;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{Emitter, RunEvent, WebviewUrl, WebviewWindowBuilder, WindowEvent};

const WINDOW_LABEL: &str = "main";
const WINDOW_TITLE: &str = "Skill Builder";
/// Lifecycle §6.3: the exit hook's own sidecar shutdown gets at most 5 s.
const EXIT_SHUTDOWN_BUDGET: Duration = Duration::from_secs(5);

/// Core events → the webview (`window.__TAURI__.event.listen(name, …)`).
struct TauriSink(tauri::AppHandle);

impl EventSink for TauriSink {
    fn emit(&self, event: &Event) {
        if let Err(e) = self.0.emit(event.name, event.payload.clone()) {
            tracing::warn!("cannot emit {} to the webview: {e}", event.name);
        }
    }
}

/// The shared start-up sequence of lifecycle.md §1 (settings, folders, bundled files, pruning,
/// stale locks and sessions, reconciliation). It never fails; problems are logged as warnings.
fn run_startup(app: &App) {
    match skill_builder_core::startup::run_startup(app) {
        Ok(report) => tracing::info!(
            "start-up done: workspace {}, skills {}, {} warning(s)",
            report.workspace_path,
            report.skills_path,
            report.warnings.len()
        ),
        Err(e) => tracing::error!("start-up failed: {e}"),
    }
    // Start-up applies the `log_level` setting; the environment override wins.
    if let Some(level) = env_log_level() {
        skill_builder_core::logging::set_level(&level);
    }
}

fn env_log_level() -> Option<String> {
    std::env::var("SKILL_BUILDER_LOG_LEVEL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The log level at start: `SKILL_BUILDER_LOG_LEVEL` if set, else the `log_level` setting.
fn start_log_level(app: &App) -> String {
    env_log_level()
        .or_else(|| {
            skill_builder_core::settings::load(app)
                .ok()
                .map(|s| s.log_level)
        })
        .unwrap_or_else(|| "info".into())
}

/// The exit hook (lifecycle §6.3 step 4): stop sidecars still running (the UI normally did
/// that through `graceful_shutdown`), then release locks and end sessions. Never panics.
fn exit_hook(app: &Arc<App>) -> bool {
    let mut ok = true;
    if !app.agents.pids().is_empty() {
        tracing::info!("exit: stopping {} sidecar(s)", app.agents.pids().len());
        let stopped = tauri::async_runtime::block_on(async {
            tokio::time::timeout(EXIT_SHUTDOWN_BUDGET, app.agents.shutdown_all(app)).await
        });
        if stopped.is_err() {
            tracing::error!("exit: sidecar shutdown timed out after 5s; killing them");
            ok = false;
        }
    }
    app.agents.kill_all_now();
    app.shutdown();
    tracing::info!("exit: shutdown complete");
    ok
}

/// SIGTERM / SIGINT (and Ctrl-C) end the app through the normal exit path, so the exit hook runs.
fn exit_on_signals(handle: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                tracing::warn!("cannot install signal handlers");
                return;
            };
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!("{name} received: exiting");
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            tracing::info!("Ctrl-C received: exiting");
        }
        handle.exit(0);
    });
}

fn main() -> ExitCode {
    // The data dir: SKILL_BUILDER_DATA_DIR, else the OS app-data dir (resolved by core).
    let app = match App::open(None) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Skill Builder cannot start: {}", e.to_json());
            return ExitCode::FAILURE;
        }
    };
    skill_builder_core::logging::init(
        &app.paths.log_file(),
        &start_log_level(&app),
        Some(skill_builder_core::logging::parse_level("warn")),
    );
    tracing::info!(
        "Skill Builder desktop {} starting (pid {}, {} commands registered)",
        env!("CARGO_PKG_VERSION"),
        app.pid,
        commands::REGISTERED.len()
    );

    let setup_app = app.clone();
    let built = tauri::Builder::default()
        // Log plugin first: its `log` command carries the webview's console into tracing (target
        // `webview`), i.e. into the same log file; core's subscriber stays the only logger.
        .plugin(tauri_plugin_log::Builder::new().skip_logger().build())
        .manage(app.clone())
        .invoke_handler(commands::handler())
        .setup(move |tauri_app| {
            let handle = tauri_app.handle().clone();
            setup_app
                .events
                .subscribe(Arc::new(TauriSink(handle.clone())));
            exit_on_signals(handle);
            run_startup(&setup_app);
            // The window (the dashboard) appears only after start-up.
            WebviewWindowBuilder::new(
                tauri_app,
                WINDOW_LABEL,
                WebviewUrl::App("index.html".into()),
            )
            .title(WINDOW_TITLE)
            .inner_size(1280.0, 820.0)
            .min_inner_size(800.0, 560.0)
            .initialization_script(include_str!("console_forward.js"))
            .build()?;
            Ok(())
        })
        .on_window_event({
            let app = app.clone();
            move |window, event| {
                if let WindowEvent::CloseRequested { api, .. } = event {
                    if window.label() == WINDOW_LABEL {
                        // The window never closes itself: the UI decides (lifecycle §6.3).
                        api.prevent_close();
                        tracing::info!("window close requested: emitting {CLOSE_REQUESTED}");
                        app.events.emit(Event {
                            name: CLOSE_REQUESTED,
                            payload: serde_json::Value::Null,
                        });
                    }
                }
            }
        })
        .build(tauri::generate_context!());
    let tauri_app = match built {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("cannot start the desktop shell: {e}");
            eprintln!("Skill Builder cannot start the desktop shell: {e}");
            app.shutdown();
            return ExitCode::FAILURE;
        }
    };
    let clean = Arc::new(AtomicBool::new(true));
    let (exit_app, exit_clean) = (app.clone(), clean.clone());
    let code = tauri_app.run_return(move |_handle, event| {
        if let RunEvent::Exit = event {
            exit_clean.store(exit_hook(&exit_app), Ordering::SeqCst);
        }
    });
    if clean.load(Ordering::SeqCst) && code == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
