//! `skill-builder serve`: the local web server. Prints the tokened URL as the only stdout
//! line, opens the browser unless `--no-open`, and shuts down gracefully on Ctrl-C.

use skill_builder_core::{catalog, App, Error, Result};
use skill_builder_server::{serve, ServerConfig};
use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Do not open the browser.
    #[arg(long)]
    no_open: bool,
    /// Address to bind (loopback by default; anything else exposes the server to the network).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
}

pub async fn run(app: &Arc<App>, a: ServeArgs) -> Result<()> {
    let cfg = ServerConfig {
        bind: a.bind,
        port: a.port,
        ..Default::default()
    };
    let server = serve(app.clone(), cfg)
        .await
        .map_err(|e| Error::io(format!("cannot listen on {}:{}: {e}", a.bind, a.port)))?;
    let url = server.url();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}").and_then(|_| out.flush())?;
    }
    eprintln!(
        "Skill Builder is running at {}; press Ctrl-C to stop.",
        server.origin()
    );
    if !a.no_open {
        open_browser(&url);
    }
    wait_for_signal().await;
    eprintln!("Stopping…");
    match tokio::time::timeout(Duration::from_secs(10), server.shutdown()).await {
        Ok(Err(e)) => tracing::warn!("server stopped with an error: {e}"),
        Err(_) => tracing::warn!("requests still running after 10 s; stopping anyway"),
        Ok(Ok(())) => {}
    }
    // Stop running agents (sidecars) once that command exists; locks are freed by
    // `app.shutdown()` in main.
    if catalog::find("graceful_shutdown").is_some() {
        if let Err(e) = catalog::call(app, "graceful_shutdown", serde_json::json!({})).await {
            tracing::warn!("stopping agents failed: {e}");
        }
    }
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Best effort: the URL is printed anyway.
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reap it in the background so no zombie stays behind.
        Ok(mut child) => {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
        Err(e) => tracing::info!("could not open a browser ({e}); open the URL yourself"),
    }
}
