//! The `skill-builder` binary: parses arguments, calls core commands and prints results.
//! It holds no behaviour of its own beyond formatting.

mod build;
mod eval_cmd;
mod human;
mod ingest_cmd;
mod install_cmd;
mod publish_cmd;
mod serve;

use clap::{Parser, Subcommand};
use serde_json::Value;
use skill_builder_core::{catalog, App, Error};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "skill-builder",
    version,
    about = "Create, import, version, refine and test Claude Agent Skills"
)]
struct Cli {
    /// Folder for the database, logs, workspace and skills (default: the OS app-data folder).
    #[arg(long, global = true, env = "SKILL_BUILDER_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Also print log lines at this level on stderr (error, warn, info, debug).
    #[arg(long, global = true)]
    log: Option<String>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Invoke any command of the catalog by name with JSON arguments.
    Call {
        /// List the implemented command names, one per line.
        #[arg(long)]
        list: bool,
        /// Command name, e.g. `list_skills`.
        command: Option<String>,
        /// JSON object of camelCase arguments (default `{}`); `-` reads it from stdin.
        args: Option<String>,
    },
    /// Create a skill (if needed) and build it through all four workflow steps.
    Build {
        name: String,
        /// What kind of knowledge: domain, source, data-engineering, platform.
        #[arg(long)]
        purpose: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Tags, comma separated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Use mock agents (no API key, no network).
        #[arg(long)]
        mock: bool,
        /// Print the build report as JSON instead of progress.
        #[arg(long)]
        json: bool,
    },
    /// Test a skill: the same task planned with and without it, then compared; the result is stored.
    Test {
        skill: String,
        /// The task to plan.
        #[arg(long)]
        prompt: String,
        #[arg(long)]
        model: Option<String>,
        /// Use mock agents (no API key, no network).
        #[arg(long)]
        mock: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run a skill's evals with and without it and its trigger queries; a CI gate with
    /// --fail-on-regression (exit 0 ok, 1 regression, 2 bad usage or a run that failed).
    Eval(eval_cmd::EvalArgs),
    /// Run the local web server and open the UI in the browser.
    Serve(serve::ServeArgs),
    /// Check skill folders against the Agent Skills specification (exit 1 on errors).
    Lint(ingest_cmd::LintArgs),
    /// Import skills (a ZIP into Settings→Skills).
    Import {
        #[command(subcommand)]
        what: ingest_cmd::ImportWhat,
    },
    /// Install library skills into an agent's skills folder (a copy of their deployable files).
    Install(install_cmd::InstallArgs),
    /// Remove skills this app installed from an agent's skills folder.
    Uninstall(install_cmd::UninstallArgs),
    /// Share the library through git: push it with a Claude Code marketplace.json, merging a
    /// teammate's changes to other skills (--pull: bring them in, push nothing).
    Publish(publish_cmd::PublishArgs),
    #[command(flatten)]
    Human(human::HumanCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut options = skill_builder_core::options::Options::from_env();
    // `--mock` is the same switch as SKILL_BUILDER_MOCK_AGENTS, for this run only.
    options.mock |= matches!(
        cli.command,
        Cmd::Build { mock: true, .. } | Cmd::Test { mock: true, .. }
    ) || matches!(&cli.command, Cmd::Eval(a) if a.mock);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&Error::internal(format!("cannot start runtime: {e}"))),
    };
    if let Cmd::Call { list: true, .. } = cli.command {
        for c in catalog::commands() {
            println!("{}", c.name);
        }
        return ExitCode::SUCCESS;
    }
    let app = match App::open_with(cli.data_dir.clone(), options) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let level = skill_builder_core::settings::load(&app)
        .map(|s| s.log_level)
        .unwrap_or_else(|_| "info".into());
    skill_builder_core::logging::init(
        &app.paths.log_file(),
        &level,
        cli.log
            .as_deref()
            .map(skill_builder_core::logging::parse_level),
    );
    let code = runtime.block_on(async {
        let code = run(&app, cli.command).await;
        // Commands like `call run_workflow_step` return an agent id at once; the agent keeps
        // working in this process, so finish its requests before exiting.
        if app.agents.has_pending(None) {
            eprintln!("waiting for the running agent request(s) to finish…");
            while app.agents.has_pending(None) {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        app.agents.shutdown_all(&app).await;
        code
    });
    app.shutdown();
    code
}

async fn run(app: &Arc<App>, cmd: Cmd) -> ExitCode {
    // The app-like entry points run the shared start-up sequence (bundled files, pruning,
    // stale locks, reconciliation). One-shot `call`s don't: reconciling from a short-lived
    // process could reset a step another process is running without a session.
    if matches!(cmd, Cmd::Build { .. } | Cmd::Test { .. } | Cmd::Serve(_)) {
        let app2 = app.clone();
        let report =
            tokio::task::spawn_blocking(move || skill_builder_core::startup::run_startup(&app2))
                .await;
        if let Ok(Ok(r)) = report {
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
        }
    }
    match cmd {
        Cmd::Call { command, args, .. } => {
            let Some(name) = command else {
                return fail(&Error::invalid(
                    "missing command name; usage: skill-builder call <command> ['<json>'] (or --list)",
                ));
            };
            let args = match parse_json_arg(args) {
                Ok(v) => v,
                Err(e) => return fail(&e),
            };
            match catalog::call_raw(app, &name, args).await {
                Ok(raw) => {
                    print_stdout(&pretty_json(raw.get()));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Cmd::Build {
            name,
            purpose,
            description,
            tags,
            json,
            ..
        } => {
            let opts = build::BuildOpts {
                name,
                purpose,
                description,
                tags,
                json,
            };
            match build::run(app, opts).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Cmd::Test {
            skill,
            prompt,
            model,
            json,
            ..
        } => {
            let args = serde_json::json!({"skillName": skill, "prompt": prompt, "model": model});
            eprintln!("Testing '{skill}' (with and without the skill)…");
            match catalog::call(app, "run_skill_test", args).await {
                Ok(v) if json => {
                    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Ok(v) => {
                    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
                    println!("## With the skill\n\n{}\n", s("with_skill_output"));
                    println!("## Without the skill\n\n{}\n", s("baseline_output"));
                    println!("## Evaluation\n\n{}\n", s("evaluation"));
                    println!(
                        "Stored as test {} (skill version {})",
                        s("id"),
                        s("skill_version")
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Cmd::Eval(a) => eval_cmd::run(app, a).await,
        Cmd::Serve(a) => match serve::run(app, a).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Cmd::Lint(a) => ingest_cmd::lint(app, a),
        Cmd::Import { what } => match ingest_cmd::import(app, what).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Cmd::Install(a) => match install_cmd::install(app, a).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Cmd::Uninstall(a) => match install_cmd::uninstall(app, a).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Cmd::Publish(a) => match publish_cmd::run(app, a).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Cmd::Human(h) => match human::run(app, h).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
    }
}

fn parse_json_arg(arg: Option<String>) -> Result<Value, Error> {
    let text = match arg.as_deref() {
        None => return Ok(Value::Object(Default::default())),
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| Error::io(format!("cannot read arguments from stdin: {e}")))?;
            s
        }
        Some(s) => s.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid(format!(
            "arguments are not valid JSON ({e}); pass one JSON object, e.g. '{{\"skillName\":\"my-skill\"}}'"
        ))
    })
}

/// The layout of `serde_json::to_string_pretty` (two-space indent, `[]` and `{}` when empty)
/// applied to the compact JSON text core returns, so `call` never decodes a result into a
/// `Value` just to print it.
fn pretty_json(compact: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(compact.len() + compact.len() / 2);
    let (mut depth, mut opened, mut in_string, mut escaped) = (0usize, false, false, false);
    for c in compact.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let closing = matches!(c, '}' | ']');
        if opened && !closing {
            newline(&mut out, depth);
        }
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if !opened {
                    newline(&mut out, depth);
                }
            }
            '"' => in_string = true,
            _ => {}
        }
        opened = matches!(c, '{' | '[');
        match c {
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// Prints one document on stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
}

/// The CLI error contract: the last stderr line is `{"error":{"kind","message"}}`.
pub(crate) fn fail(e: &Error) -> ExitCode {
    eprintln!("{}", e.to_json());
    ExitCode::from(match e.kind {
        skill_builder_core::ErrorKind::InvalidInput
        | skill_builder_core::ErrorKind::UnknownCommand => 2,
        _ => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::pretty_json;
    use serde_json::json;

    #[test]
    fn pretty_json_matches_serde_json_pretty() {
        let v = json!({
            "name": "a \"quoted\" {name} [x], y: z",
            "escapes": "back\\slash\\\" tab\t é 😀 \u{1}",
            "empty_object": {},
            "empty_array": [],
            "nested": [{"a": [1, 2.5, -3e-7, null, true, false]}, [], [[]], {"b": {}}],
            "n": 0,
        });
        for doc in [
            v.clone(),
            json!([]),
            json!({}),
            json!(null),
            json!("text"),
            json!(42),
            json!([v]),
        ] {
            let compact = serde_json::to_string(&doc).unwrap();
            assert_eq!(
                pretty_json(&compact),
                serde_json::to_string_pretty(&doc).unwrap(),
                "{compact}"
            );
        }
    }
}
