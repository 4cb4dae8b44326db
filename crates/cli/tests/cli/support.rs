//! What every CLI test needs: the `skill-builder` binary run on a data folder with the
//! keychain off and nothing inherited that would change its answers (a data folder or an API
//! key from the developer's environment), and readers of its stdout and stderr.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// The binary with a hermetic environment and no data folder: each child gets its own
/// environment, so tests running side by side never share one.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_skill-builder"));
    c.env("SKILL_BUILDER_KEYCHAIN", "0")
        .env_remove("SKILL_BUILDER_DATA_DIR")
        .env_remove("ANTHROPIC_API_KEY");
    c
}

/// [`bin`] on the data folder `data`; add arguments and environment, then run it.
pub fn command(data: &Path) -> Command {
    let mut c = bin();
    c.arg("--data-dir").arg(data);
    c
}

/// Runs `skill-builder --data-dir <data> <args…>` to the end.
pub fn run(data: &Path, args: &[&str]) -> Output {
    command(data).args(args).output().unwrap()
}

/// Like [`run`], and fails the test (showing stderr) unless the command succeeded.
pub fn run_ok(data: &Path, args: &[&str]) -> Output {
    let o = run(data, args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Stdout as text, whatever the exit code.
pub fn stdout_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The one JSON document on stdout of a command that succeeded.
pub fn stdout_json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("stdout is exactly one JSON document")
}

/// The one JSON document on stdout, whatever the exit code (a gate that fails still prints
/// its report).
pub fn stdout_json_any_exit(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The JSON error line that ends stderr.
pub fn last_stderr_json(o: &Output) -> Value {
    let err = String::from_utf8_lossy(&o.stderr);
    serde_json::from_str(err.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("last stderr line is not JSON ({e}):\n{err}"))
}

/// A failure of the `call` contract: non-zero exit, nothing on stdout, a JSON error line at
/// the end of stderr (returned).
pub fn error_line(o: &Output) -> Value {
    assert!(!o.status.success());
    assert!(o.stdout.is_empty(), "nothing on stdout on failure");
    last_stderr_json(o)
}

/// Writes `text` to `root/rel`, creating the folders on the way.
pub fn write_file(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Writes `dir/SKILL.md` and returns `dir` as an argument for the CLI.
pub fn write_skill(dir: &Path, md: &str) -> String {
    write_file(dir, "SKILL.md", md);
    dir.to_str().unwrap().to_string()
}
