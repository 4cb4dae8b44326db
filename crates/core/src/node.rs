//! Node.js and dependency checks (commands.md › Node & dependencies, agents.md §4.8–4.9,
//! architecture.md › "Decisions that override the reference").
//!
//! Every variable below comes through [`Options`] (read once by the shell).
//!
//! - Node: `SKILL_BUILDER_NODE` when set (and then only that file: an explicit choice is not
//!   silently replaced by another Node), else `node` on `PATH`, `/usr/local/bin`,
//!   `/opt/homebrew/bin`, `/usr/bin`. There is no bundled Node, so `source` is `env` (from
//!   `SKILL_BUILDER_NODE`), `system`, or `""` when none was found. Compatible majors: 18–24.
//!   `check_node` prefers the first candidate with a compatible major, else reports the first
//!   one that ran.
//! - Sidecar: `SKILL_BUILDER_SIDECAR_DIR`, else `<exe dir>/sidecar`, else the repository's
//!   `sidecar/` (fixed at compile time). Its entry script is `src/main.js`.
//! - Git: history uses libgit2 built into the binary, so the check is always ok; a git CLI is
//!   mentioned when present.

use crate::app::App;
use crate::args::NoArgs;
use crate::options::Options;
use crate::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Oldest and newest Node major versions the sidecar supports.
pub const NODE_MIN_MAJOR: u32 = 18;
pub const NODE_MAX_MAJOR: u32 = 24;
pub use crate::options::{NODE_ENV, SIDECAR_ENV};
/// The repository's sidecar folder, fixed at compile time.
pub const REPO_SIDECAR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sidecar");
/// How long `node --version` / `git --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NodeStatus {
    pub available: bool,
    /// As printed, e.g. `v20.11.0`.
    pub version: Option<String>,
    pub meets_minimum: bool,
    pub error: Option<String>,
    /// `env` (SKILL_BUILDER_NODE), `system`, or `""` when not found.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DepStatus {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StartupDeps {
    pub all_ok: bool,
    pub checks: Vec<DepStatus>,
}

/// Where Node may be, in order, with the `source` each counts as.
enum Candidates {
    /// `SKILL_BUILDER_NODE` is set: only this path (it may not exist).
    Env(PathBuf),
    /// Existing executables found on PATH and the usual folders, deduplicated.
    System(Vec<PathBuf>),
}

fn node_file_name() -> &'static str {
    if cfg!(windows) {
        "node.exe"
    } else {
        "node"
    }
}

fn is_executable(p: &Path) -> bool {
    match std::fs::metadata(p) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            true
        }
        _ => false,
    }
}

fn candidates(options: &Options) -> Candidates {
    if let Some(v) = options.node.as_ref().filter(|v| !v.as_os_str().is_empty()) {
        return Candidates::Env(v.clone());
    }
    let name = node_file_name();
    let mut dirs: Vec<PathBuf> = options
        .path
        .as_ref()
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    if cfg!(unix) {
        for d in ["/usr/local/bin", "/opt/homebrew/bin", "/usr/bin"] {
            dirs.push(PathBuf::from(d));
        }
    }
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for d in dirs.into_iter().filter(|d| d.is_absolute()) {
        let p = d.join(name);
        if !is_executable(&p) {
            continue;
        }
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if !seen.contains(&key) {
            seen.push(key);
            out.push(p);
        }
    }
    Candidates::System(out)
}

/// The Node executable the app would use, without running it: `SKILL_BUILDER_NODE` (when it
/// names an executable file; `None` when it is set to anything else), else the first `node`
/// on PATH or in the usual folders. [`probe_node`] also checks the version.
pub fn find_node(options: &Options) -> Option<PathBuf> {
    match candidates(options) {
        Candidates::Env(p) => is_executable(&p).then_some(p),
        Candidates::System(list) => list.into_iter().next(),
    }
}

/// The sidecar folder: `SKILL_BUILDER_SIDECAR_DIR` when set (returned as given, even if it
/// does not exist, so errors can name it), else `<exe dir>/sidecar` when that folder exists,
/// else the repository's `sidecar/` when it exists, else `None`.
pub fn sidecar_dir(options: &Options) -> Option<PathBuf> {
    if let Some(v) = options
        .sidecar_dir
        .as_ref()
        .filter(|v| !v.as_os_str().is_empty())
    {
        return Some(v.clone());
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("sidecar")))
    {
        if dir.is_dir() {
            return Some(dir);
        }
    }
    let repo = PathBuf::from(REPO_SIDECAR_DIR);
    if repo.is_dir() {
        return Some(std::fs::canonicalize(&repo).unwrap_or(repo));
    }
    None
}

/// The sidecar's entry script inside `dir`.
pub fn sidecar_entry(dir: &Path) -> PathBuf {
    dir.join("src").join("main.js")
}

/// `package.json` of the Claude Agent SDK installed in the sidecar folder.
pub fn sdk_package_json(dir: &Path) -> PathBuf {
    dir.join("node_modules")
        .join("@anthropic-ai")
        .join("claude-agent-sdk")
        .join("package.json")
}

/// The major version of a `node --version` output (`v20.11.0` → 20).
pub fn parse_major(version: &str) -> Option<u32> {
    let v = version.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    v.split('.').next()?.trim().parse().ok()
}

/// Runs `<program> --version` with a timeout; the trimmed stdout, or why it failed.
async fn run_version(program: &Path) -> std::result::Result<String, String> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let out = match tokio::time::timeout(VERSION_TIMEOUT, child.wait_with_output()).await {
        Err(_) => {
            return Err(format!(
                "{} --version did not answer within {}s",
                program.display(),
                VERSION_TIMEOUT.as_secs()
            ))
        }
        Ok(Err(e)) => return Err(format!("cannot run {}: {e}", program.display())),
        Ok(Ok(o)) => o,
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(format!(
            "{} --version failed ({}){}",
            program.display(),
            out.status,
            if err.is_empty() {
                String::new()
            } else {
                format!(": {err}")
            }
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn not_found_text() -> String {
    format!(
        "Node.js not found. Install Node.js {NODE_MIN_MAJOR}-{NODE_MAX_MAJOR} \
         (https://nodejs.org) and put `node` on PATH, or set {NODE_ENV} to its path."
    )
}

fn status_for(version: String, source: &str) -> NodeStatus {
    let meets =
        parse_major(&version).is_some_and(|m| (NODE_MIN_MAJOR..=NODE_MAX_MAJOR).contains(&m));
    NodeStatus {
        available: true,
        error: (!meets).then(|| {
            format!(
                "Node.js {version} found ({source}) but version {NODE_MIN_MAJOR}-{NODE_MAX_MAJOR} is required"
            )
        }),
        version: Some(version),
        meets_minimum: meets,
        source: source.into(),
    }
}

/// Finds Node and checks its version. Returns the status and the executable it describes
/// (`None` when no Node ran). Never fails.
pub async fn probe_node(options: &Options) -> (NodeStatus, Option<PathBuf>) {
    match candidates(options) {
        Candidates::Env(p) => {
            if !is_executable(&p) {
                let status = NodeStatus {
                    available: false,
                    version: None,
                    meets_minimum: false,
                    error: Some(format!(
                        "{NODE_ENV} is set to {}, but no executable file is there",
                        p.display()
                    )),
                    source: "env".into(),
                };
                return (status, None);
            }
            match run_version(&p).await {
                Ok(v) => (status_for(v, "env"), Some(p)),
                Err(e) => (
                    NodeStatus {
                        available: false,
                        version: None,
                        meets_minimum: false,
                        error: Some(format!("{NODE_ENV}: {e}")),
                        source: "env".into(),
                    },
                    None,
                ),
            }
        }
        Candidates::System(list) => {
            let mut first_ran: Option<(NodeStatus, PathBuf)> = None;
            let mut last_err: Option<String> = None;
            for p in list {
                match run_version(&p).await {
                    Ok(v) => {
                        let st = status_for(v, "system");
                        if st.meets_minimum {
                            return (st, Some(p));
                        }
                        if first_ran.is_none() {
                            first_ran = Some((st, p));
                        }
                    }
                    Err(e) => last_err = Some(e),
                }
            }
            if let Some((st, p)) = first_ran {
                return (st, Some(p));
            }
            let error = match last_err {
                Some(e) => format!("{} ({e})", not_found_text()),
                None => not_found_text(),
            };
            (
                NodeStatus {
                    available: false,
                    version: None,
                    meets_minimum: false,
                    error: Some(error),
                    source: String::new(),
                },
                None,
            )
        }
    }
}

/// `check_node`: never fails; problems are reported in `error`.
pub async fn check_node(app: &App, _a: NoArgs) -> Result<NodeStatus> {
    Ok(probe_node(&app.options).await.0)
}

/// `check_startup_deps`: `Node.js`, `Agent sidecar`, `Claude SDK`, `Git`, in that order.
pub async fn check_startup_deps(app: &App, _a: NoArgs) -> Result<StartupDeps> {
    let mut checks = Vec::with_capacity(4);

    let (node, _) = probe_node(&app.options).await;
    checks.push(DepStatus {
        name: "Node.js".into(),
        ok: node.available && node.meets_minimum,
        detail: match (&node.version, node.meets_minimum) {
            (Some(v), true) => format!("{v} ({})", node.source),
            (Some(v), false) => format!(
                "{v} ({}) — need {NODE_MIN_MAJOR}-{NODE_MAX_MAJOR}",
                node.source
            ),
            (None, _) => node.error.clone().unwrap_or_else(not_found_text),
        },
    });

    let dir = sidecar_dir(&app.options);
    checks.push(match &dir {
        None => DepStatus {
            name: "Agent sidecar".into(),
            ok: false,
            detail: format!(
                "sidecar folder not found; set {SIDECAR_ENV} or place `sidecar/` next to the executable"
            ),
        },
        Some(d) => {
            let entry = sidecar_entry(d);
            let ok = entry.is_file();
            DepStatus {
                name: "Agent sidecar".into(),
                ok,
                detail: if ok {
                    entry.display().to_string()
                } else {
                    format!("missing {}", entry.display())
                },
            }
        }
    });

    checks.push(match &dir {
        None => DepStatus {
            name: "Claude SDK".into(),
            ok: false,
            detail: "no sidecar folder, so no SDK".into(),
        },
        Some(d) => {
            let pj = sdk_package_json(d);
            match std::fs::read_to_string(&pj) {
                Ok(text) => {
                    let version = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v.get("version")?.as_str().map(str::to_owned));
                    match version {
                        Some(v) => DepStatus {
                            name: "Claude SDK".into(),
                            ok: true,
                            detail: format!("@anthropic-ai/claude-agent-sdk {v}"),
                        },
                        None => DepStatus {
                            name: "Claude SDK".into(),
                            ok: false,
                            detail: format!("{} has no version", pj.display()),
                        },
                    }
                }
                Err(_) => DepStatus {
                    name: "Claude SDK".into(),
                    ok: false,
                    detail: format!(
                        "not installed (missing {}); run `npm ci` in {}",
                        pj.display(),
                        d.display()
                    ),
                },
            }
        }
    });

    let git_cli = match run_version(Path::new("git")).await {
        Ok(v) if !v.is_empty() => format!("; git CLI: {v}"),
        _ => String::new(),
    };
    checks.push(DepStatus {
        name: "Git".into(),
        ok: true,
        detail: format!("libgit2 (built in){git_cli}"),
    });

    Ok(StartupDeps {
        all_ok: checks.iter().all(|c| c.ok),
        checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_majors() {
        assert_eq!(parse_major("v20.11.0"), Some(20));
        assert_eq!(parse_major("v16.0.0\n"), Some(16));
        assert_eq!(parse_major("22"), Some(22));
        assert_eq!(parse_major("garbage"), None);
        assert_eq!(parse_major(""), None);
    }

    #[test]
    fn status_bounds() {
        assert!(!status_for("v17.9.1".into(), "system").meets_minimum);
        assert!(status_for("v18.0.0".into(), "system").meets_minimum);
        assert!(status_for("v24.1.0".into(), "system").meets_minimum);
        let s = status_for("v25.0.0".into(), "env");
        assert!(!s.meets_minimum && s.available);
        assert_eq!(
            s.error.as_deref(),
            Some("Node.js v25.0.0 found (env) but version 18-24 is required")
        );
        assert!(!status_for("weird".into(), "system").meets_minimum);
    }
}
