//! The eval files of a skill, in the formats skill-creator users already have:
//! `evals/evals.json` (`{"skill_name", "evals": [{"id", "prompt", "expected_output", "files",
//! "expectations"}]}`) and `evals/triggers.json` (`[{"query", "should_trigger"}]`).
//!
//! Both are read and written as they are: fields this app does not know are kept through a
//! save. Validation names the file, the entry and what to change.

use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

pub const EVALS_DIR: &str = "evals";
pub const EVALS_FILE: &str = "evals/evals.json";
pub const TRIGGERS_FILE: &str = "evals/triggers.json";

/// Generous caps: a suite bigger than this is a mistake (and a large bill), not a test.
pub const MAX_EVALS: usize = 200;
pub const MAX_TRIGGERS: usize = 200;
const MAX_TEXT: usize = 20_000;

/// `evals/evals.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalsFile {
    pub skill_name: String,
    #[serde(default)]
    pub evals: Vec<EvalCase>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One eval. `id` is skill-creator's integer; a non-empty string is accepted too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalCase {
    pub id: Value,
    pub prompt: String,
    #[serde(default)]
    pub expected_output: String,
    /// Paths relative to the skill folder, copied into each run's working folder.
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub expectations: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of `evals/triggers.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerQuery {
    pub query: String,
    pub should_trigger: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EvalCase {
    /// The id as people read it (`3`, `"pricing-edge"` → `pricing-edge`).
    pub fn id_text(&self) -> String {
        id_text(&self.id)
    }
}

pub fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How an expectation is checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Check<'a> {
    /// `regex: <pattern>`, matched in code against the output.
    Regex(&'a str),
    /// `contains: <text>`, a plain substring check in code.
    Contains(&'a str),
    /// Anything else: one blind judge call.
    Judge(&'a str),
}

/// Reads the prefix of an expectation (`regex:` / `contains:`, case-insensitive).
pub fn check_of(expectation: &str) -> Check<'_> {
    let t = expectation.trim_start();
    for (prefix, regex) in [("regex:", true), ("contains:", false)] {
        if t.len() >= prefix.len() && t[..prefix.len()].eq_ignore_ascii_case(prefix) {
            let rest = t[prefix.len()..].trim();
            return if regex {
                Check::Regex(rest)
            } else {
                Check::Contains(rest)
            };
        }
    }
    Check::Judge(expectation.trim())
}

fn parse_error(rel: &str, e: serde_json::Error) -> Error {
    Error::invalid(format!(
        "{rel} is not valid: {e}; fix it by hand or save the evals again"
    ))
}

/// Reads a JSON file of the skill's `evals/` folder; `None` when it does not exist. A linked
/// `evals/` folder or file is refused, so nothing outside the skill is ever read as evals.
fn read_json<T: serde::de::DeserializeOwned>(skill_dir: &Path, rel: &str) -> Result<Option<T>> {
    let path = skill_dir.join(rel);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::from(e).context(path.display())),
        Ok(_) => {}
    }
    let text = crate::safe_fs::read_to_string_inside(skill_dir, Path::new(rel))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| parse_error(rel, e))
}

pub fn read_evals(skill_dir: &Path) -> Result<Option<EvalsFile>> {
    read_json(skill_dir, EVALS_FILE)
}

pub fn read_triggers(skill_dir: &Path) -> Result<Option<Vec<TriggerQuery>>> {
    read_json(skill_dir, TRIGGERS_FILE)
}

/// Pretty JSON with a final newline, written through a temporary file and a rename so a
/// reader never sees half a file. A linked `evals/` folder or file is refused.
fn write_json<T: Serialize>(skill_dir: &Path, rel: &str, value: &T) -> Result<()> {
    let dir = skill_dir.join(EVALS_DIR);
    crate::safe_fs::refuse_symlink(&dir, "write the evals")?;
    std::fs::create_dir_all(&dir).with_path(&dir)?;
    let path = skill_dir.join(rel);
    crate::safe_fs::refuse_symlink(&path, "write the evals")?;
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("cannot encode {rel}: {e}")))?;
    text.push('\n');
    let tmp = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    std::fs::write(&tmp, text).with_path(&tmp)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::from(e).context(path.display())
    })
}

pub fn write_evals(skill_dir: &Path, evals: &EvalsFile) -> Result<()> {
    write_json(skill_dir, EVALS_FILE, evals)
}

pub fn write_triggers(skill_dir: &Path, triggers: &[TriggerQuery]) -> Result<()> {
    write_json(skill_dir, TRIGGERS_FILE, &triggers)
}

fn invalid(rel: &str, what: impl std::fmt::Display) -> Error {
    Error::invalid(format!("{rel}: {what}"))
}

fn check_text(rel: &str, at: &str, field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid(
            rel,
            format!("{at} has an empty {field}; write one"),
        ));
    }
    if text.len() > MAX_TEXT {
        return Err(invalid(
            rel,
            format!("{at}: {field} is longer than {MAX_TEXT} bytes; shorten it"),
        ));
    }
    Ok(())
}

/// A path of `files`: relative, inside the skill folder, no `..`.
fn plain_relative(p: &str) -> Option<PathBuf> {
    let path = Path::new(p);
    let ok = !p.trim().is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    ok.then(|| path.to_path_buf())
}

fn check_id(rel: &str, at: &str, id: &Value, seen: &mut HashSet<String>) -> Result<()> {
    let ok = match id {
        Value::Number(n) => n.is_u64() || n.is_i64(),
        Value::String(s) => !s.trim().is_empty(),
        _ => false,
    };
    if !ok {
        return Err(invalid(
            rel,
            format!("{at} has the id {id}; use a whole number (or a non-empty text)"),
        ));
    }
    if !seen.insert(id_text(id)) {
        return Err(invalid(
            rel,
            format!("two evals have the id {id}; give each its own"),
        ));
    }
    Ok(())
}

fn check_expectation(rel: &str, at: &str, e: &str) -> Result<()> {
    check_text(rel, at, "expectation", e)?;
    match check_of(e) {
        Check::Regex(p) => {
            super::grade::compile(p).map_err(|why| {
                invalid(
                    rel,
                    format!("{at}: the pattern of '{e}' is not valid: {why}"),
                )
            })?;
        }
        Check::Contains("") => {
            return Err(invalid(
                rel,
                format!("{at}: '{e}' names no text; write `contains: <text>`"),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Checks `evals.json` for `skill` at `skill_dir`: the skill name, unique ids, a prompt and at
/// least one expectation per eval, valid patterns, and `files` that are regular files inside
/// the skill folder with distinct names (they are copied side by side into each run).
pub fn validate_evals(skill: &str, skill_dir: &Path, f: &EvalsFile) -> Result<()> {
    let rel = EVALS_FILE;
    if f.skill_name != skill {
        return Err(invalid(
            rel,
            format!(
                "skill_name is '{}' but the skill is '{skill}'; set skill_name to '{skill}'",
                f.skill_name
            ),
        ));
    }
    if f.evals.len() > MAX_EVALS {
        return Err(invalid(
            rel,
            format!("{} evals; at most {MAX_EVALS} are allowed", f.evals.len()),
        ));
    }
    let mut ids = HashSet::new();
    for (i, e) in f.evals.iter().enumerate() {
        let at = format!("eval {} (id {})", i + 1, e.id);
        check_id(rel, &at, &e.id, &mut ids)?;
        check_text(rel, &at, "prompt", &e.prompt)?;
        if e.expectations.is_empty() {
            return Err(invalid(
                rel,
                format!("{at} has no expectations; add at least one statement to check"),
            ));
        }
        for x in &e.expectations {
            check_expectation(rel, &at, x)?;
        }
        check_files(rel, &at, skill_dir, &e.files)?;
    }
    Ok(())
}

fn check_files(rel: &str, at: &str, skill_dir: &Path, files: &[String]) -> Result<()> {
    let mut names = HashSet::new();
    for p in files {
        let Some(path) = plain_relative(p) else {
            return Err(invalid(
                rel,
                format!("{at}: the file '{p}' must be a path inside the skill folder (no '..', not absolute)"),
            ));
        };
        let full = crate::safe_fs::guard_inside(skill_dir, &path)
            .map_err(|e| invalid(rel, format!("{at}: {}", e.message)))?;
        if !crate::safe_fs::is_real_file(&skill_dir.join(&path)) || !full.is_file() {
            return Err(invalid(
                rel,
                format!("{at}: the file '{p}' does not exist in the skill folder (or is not a regular file); add it or remove it from files"),
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !names.insert(name.clone()) {
            return Err(invalid(
                rel,
                format!("{at}: two files are named '{name}'; they would overwrite each other in the working folder"),
            ));
        }
    }
    Ok(())
}

/// Checks `triggers.json`: each query has text; the list is not absurdly long.
pub fn validate_triggers(t: &[TriggerQuery]) -> Result<()> {
    let rel = TRIGGERS_FILE;
    if t.len() > MAX_TRIGGERS {
        return Err(invalid(
            rel,
            format!("{} queries; at most {MAX_TRIGGERS} are allowed", t.len()),
        ));
    }
    for (i, q) in t.iter().enumerate() {
        check_text(rel, &format!("query {}", i + 1), "query", &q.query)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> EvalsFile {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let v = json!({"skill_name": "s", "owner": "me", "evals": [
            {"id": 1, "prompt": "p", "expected_output": "e", "files": [], "expectations": ["x"], "weight": 2}
        ]});
        write_evals(dir.path(), &parse(v.clone())).unwrap();
        let text = std::fs::read_to_string(dir.path().join(EVALS_FILE)).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn validation_names_the_entry_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                json!({"skill_name": "other", "evals": []}),
                "set skill_name to 's'",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": "p", "expectations": ["a"]},
                                                    {"id": 1, "prompt": "q", "expectations": ["b"]}]}),
                "two evals have the id 1",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": " ", "expectations": ["a"]}]}),
                "empty prompt",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": "p", "expectations": []}]}),
                "no expectations",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1.5, "prompt": "p", "expectations": ["a"]}]}),
                "whole number",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": "p", "expectations": ["regex: ("]}]}),
                "is not valid",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": "p", "expectations": ["a"], "files": ["../x"]}]}),
                "inside the skill folder",
            ),
            (
                json!({"skill_name": "s", "evals": [{"id": 1, "prompt": "p", "expectations": ["a"], "files": ["evals/files/missing.csv"]}]}),
                "does not exist",
            ),
        ];
        for (v, want) in cases {
            let e = validate_evals("s", dir.path(), &parse(v.clone())).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::InvalidInput);
            assert!(e.message.contains(want), "{v}: {}", e.message);
            assert!(e.message.starts_with(EVALS_FILE), "{}", e.message);
        }
        let ok = json!({"skill_name": "s", "evals": [{"id": "a", "prompt": "p", "expectations": ["contains: x", "regex: ^a+$", "judge me"]}]});
        validate_evals("s", dir.path(), &parse(ok)).unwrap();
    }

    #[test]
    fn expectation_prefixes_pick_the_check() {
        assert_eq!(check_of("regex: ^a$"), Check::Regex("^a$"));
        assert_eq!(check_of("Contains:  BANANA "), Check::Contains("BANANA"));
        assert_eq!(
            check_of(" The answer is polite"),
            Check::Judge("The answer is polite")
        );
    }

    #[test]
    fn an_empty_trigger_query_is_refused() {
        let t: Vec<TriggerQuery> =
            serde_json::from_value(json!([{"query": "", "should_trigger": true}])).unwrap();
        let e = validate_triggers(&t).unwrap_err();
        assert!(e.message.contains("query 1"), "{}", e.message);
    }
}
