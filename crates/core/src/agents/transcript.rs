//! One JSONL transcript per agent request: the redacted config first, then every message.
//! Secrets are removed before a line reaches the disk; old transcripts are pruned by age.

use crate::app::App;
use crate::error::Result;
use crate::ingest::names::is_valid_skill_name;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub const REDACTED: &str = "[REDACTED]";

/// Keys whose values are secrets wherever they appear in a config or message.
const SECRET_KEYS: [&str; 4] = [
    "apiKey",
    "api_key",
    "anthropic_api_key",
    "github_oauth_token",
];

/// Replaces secret-named values (recursively) by `[REDACTED]`.
pub fn redact_value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if SECRET_KEYS.contains(&k.as_str()) && !val.is_null() {
                    *val = Value::String(REDACTED.into());
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// Removes every occurrence of each secret from a text (belt and braces for free text).
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

pub struct Transcript {
    path: PathBuf,
    out: BufWriter<File>,
    secrets: Vec<String>,
}

impl Transcript {
    /// Creates `{dir}/{label}-{timestamp}.jsonl` and writes the redacted config line.
    pub fn create(
        dir: &Path,
        label: &str,
        config: &Value,
        secrets: Vec<String>,
    ) -> std::io::Result<Transcript> {
        std::fs::create_dir_all(dir)?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let path = dir.join(format!("{label}-{stamp}.jsonl"));
        let mut t = Transcript {
            out: BufWriter::new(File::create(&path)?),
            path,
            secrets,
        };
        let mut cfg = config.clone();
        redact_value(&mut cfg);
        t.write(&serde_json::json!({"type": "config", "config": cfg}));
        Ok(t)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one message (redacted) as a line. Write failures are logged, never fatal.
    pub fn write(&mut self, msg: &Value) {
        let mut m = msg.clone();
        redact_value(&mut m);
        let line = scrub(&m.to_string(), &self.secrets);
        if let Err(e) = writeln!(self.out, "{line}").and_then(|_| self.out.flush()) {
            tracing::warn!("transcript {} write failed: {e}", self.path.display());
        }
    }
}

/// The skills whose workspace folders hold transcripts: every name in `skills`,
/// `workflow_runs`, `agent_runs` and `skill_test_results` that is a valid skill name (so it
/// is one folder name).
pub fn known_skill_names(app: &App) -> Result<BTreeSet<String>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare(
        "SELECT name FROM skills UNION SELECT skill_name FROM workflow_runs
         UNION SELECT skill_name FROM agent_runs UNION SELECT skill_name FROM skill_test_results",
    )?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = BTreeSet::new();
    for n in names {
        let n = n?;
        if is_valid_skill_name(&n) {
            out.insert(n);
        }
    }
    Ok(out)
}

/// [`prune`] of the app's workspace for its known skills. A database error prunes nothing.
pub fn prune_known(app: &App, max_age: Duration) -> usize {
    match known_skill_names(app) {
        Ok(skills) => prune(&app.workspace_path(), &skills, max_age),
        Err(e) => {
            tracing::warn!("transcripts not pruned: cannot list the skills: {e}");
            0
        }
    }
}

/// Deletes the `*.jsonl` transcripts in `{workspace}/{skill}/logs/` of the given skills that
/// are older than `max_age` (by modification time). Nothing else is looked at: the workspace
/// may be a user's project with `.jsonl` files of its own. Links are never followed (a linked
/// skill or `logs` folder is skipped, a linked file is not a transcript). Returns how many
/// were removed.
pub fn prune(workspace: &Path, skills: &BTreeSet<String>, max_age: Duration) -> usize {
    let now = SystemTime::now();
    let mut removed = 0;
    for skill in skills.iter().filter(|s| is_valid_skill_name(s)) {
        let dir = workspace.join(skill);
        let logs = dir.join("logs");
        if !is_real_dir(&dir) || !is_real_dir(&logs) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&logs) else {
            continue;
        };
        for f in entries.flatten() {
            let p = f.path();
            if p.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            // DirEntry::metadata does not follow a link, so a link is never "a file".
            let Ok(meta) = f.metadata() else { continue };
            let old = meta.is_file()
                && meta
                    .modified()
                    .ok()
                    .and_then(|m| now.duration_since(m).ok())
                    .is_some_and(|age| age > max_age);
            if old && std::fs::remove_file(&p).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_by_key_and_by_value() {
        let dir = tempfile::tempdir().unwrap();
        let key = "sk-ant-api-very-secret-123".to_string();
        let mut t = Transcript::create(
            dir.path(),
            "step0",
            &serde_json::json!({"apiKey": key, "prompt": "p"}),
            vec![key.clone()],
        )
        .unwrap();
        t.write(&serde_json::json!({"type": "assistant", "text": format!("the key is {key}")}));
        let text = std::fs::read_to_string(t.path()).unwrap();
        assert!(!text.contains(&key));
        assert_eq!(text.matches(REDACTED).count(), 2);
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn prune_removes_only_old_jsonl_files_of_known_skills() {
        let ws = tempfile::tempdir().unwrap();
        let logs = ws.path().join("s/logs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::create_dir_all(ws.path().join("not-a-skill/logs")).unwrap();
        let old = logs.join("old.jsonl");
        let new = logs.join("new.jsonl");
        let other = logs.join("keep.txt");
        let foreign = ws.path().join("not-a-skill/logs/old.jsonl");
        for p in [&old, &new, &other, &foreign] {
            std::fs::write(p, "{}").unwrap();
        }
        let past = SystemTime::now() - Duration::from_secs(31 * 24 * 3600);
        for p in [&old, &other, &foreign] {
            File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(past)
                .unwrap();
        }
        let known = BTreeSet::from(["s".to_string(), "gone".to_string()]);
        assert_eq!(
            prune(ws.path(), &known, Duration::from_secs(30 * 24 * 3600)),
            1
        );
        assert!(!old.exists() && new.exists() && other.exists() && foreign.exists());
    }
}
