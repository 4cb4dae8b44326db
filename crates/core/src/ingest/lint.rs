//! Lint of a skill folder against the open Agent Skills specification
//! (architecture.md: "default mode = the open Agent Skills specification exactly (verdicts
//! agree with its reference validator `skills-ref`); `--claude-code` mode also accepts
//! Claude Code's extension keys").
//!
//! The reference validator is `skills-ref` (PyPI, Apache-2.0, from the Agent Skills
//! project; CLI `agentskills validate <dir>`). An unofficial TypeScript port with the same
//! name exists on npm. Both apply the same rules, which [`LintMode::Spec`] reproduces as
//! **errors** (so `ok` matches their exit code):
//!
//! - `SKILL.md` (or `skill.md`) exists and starts with a YAML frontmatter block;
//! - only the keys `name`, `description`, `license`, `allowed-tools`, `metadata`,
//!   `compatibility`;
//! - `name`: present, non-empty; trimmed and **NFKC-normalised**, then at most 64
//!   characters, equal to its own Unicode lowercase, no leading/trailing hyphen, no `--`,
//!   only Unicode letters/digits and `-` (i18n names such as `café` are valid), and equal
//!   to the NFKC-normalised folder name;
//! - `description`: present, non-empty after trim, at most 1024 characters;
//! - `compatibility`: a string of at most 500 characters.
//!
//! Everything else is a **warning** (never changes `ok`): type checks of `license`,
//! `allowed-tools`, `metadata` that the reference does not make, relative links in the
//! body that point nowhere, a body over 500 lines, a name that Skill Builder itself cannot
//! use as a folder name (its stricter ASCII rule, see [`crate::ingest::names`]), …
//!
//! [`LintMode::ClaudeCode`] additionally accepts Claude Code's keys (`model`,
//! `argument-hint`, `user-invocable`, `disable-model-invocation`, `version`, `context`,
//! `agent`, `hooks`, `effort`…); other unknown keys are only warnings there, and the name
//! must be ASCII kebab-case as Claude Code documents.

use crate::ingest::frontmatter::{self, YamlValue};
use crate::ingest::names::skill_name_problem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Keys the Agent Skills specification allows (reference validator's `ALLOWED_FIELDS`).
pub const SPEC_KEYS: &[&str] = &[
    "name",
    "description",
    "license",
    "allowed-tools",
    "metadata",
    "compatibility",
];

/// Extra keys Claude Code understands in a SKILL.md.
pub const CLAUDE_CODE_KEYS: &[&str] = &[
    "model",
    "argument-hint",
    "user-invocable",
    "disable-model-invocation",
    "allowed-tools",
    "version",
    "context",
    "agent",
    "hooks",
    "effort",
];

/// Claude Code's own keys: they stay at the top level (`lint --fix` never moves them) and
/// make a skill valid for Claude Code only ([`LintReport::claude_code_only`]).
pub const CLAUDE_CODE_OWN_KEYS: &[&str] = &[
    "model",
    "argument-hint",
    "user-invocable",
    "disable-model-invocation",
    "context",
    "agent",
    "hooks",
    "effort",
];

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_DESCRIPTION_CHARS: usize = 1024;
pub const MAX_COMPATIBILITY_CHARS: usize = 500;
/// The specification recommends keeping SKILL.md's body under this many lines.
pub const RECOMMENDED_MAX_BODY_LINES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LintMode {
    /// The open Agent Skills specification, exactly.
    #[default]
    Spec,
    /// The specification plus Claude Code's extension keys.
    ClaudeCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable machine-readable code (`invalid_name`, `unknown_keys`, `broken_link`, …).
    pub code: String,
    /// The frontmatter key (or file) concerned, when there is one.
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
    /// True when there is no finding of severity `error`.
    pub ok: bool,
    /// The frontmatter uses Claude Code's own keys ([`CLAUDE_CODE_OWN_KEYS`]): the skill is
    /// meant for Claude Code only, is checked in `--claude-code` mode and shown as such.
    pub claude_code_only: bool,
}

#[derive(Default)]
struct Findings(Vec<Finding>, bool);

impl Findings {
    fn push(&mut self, severity: Severity, code: &str, field: Option<&str>, message: String) {
        self.0.push(Finding {
            severity,
            code: code.to_string(),
            field: field.map(str::to_string),
            message,
        });
    }
    fn error(&mut self, code: &str, field: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, code, field, message.into());
    }
    fn warn(&mut self, code: &str, field: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, code, field, message.into());
    }
    fn report(self) -> LintReport {
        let ok = !self.0.iter().any(|f| f.severity == Severity::Error);
        LintReport {
            findings: self.0,
            ok,
            claude_code_only: self.1,
        }
    }
}

/// Lints a skill folder. Never fails: problems (including a missing folder) are findings.
pub fn lint_skill_dir(dir: &Path, mode: LintMode) -> LintReport {
    let mut f = Findings::default();
    lint_into(dir, mode, &mut f);
    f.report()
}

fn lint_into(dir: &Path, mode: LintMode, f: &mut Findings) {
    if !dir.exists() {
        return f.error(
            "not_found",
            None,
            format!("path does not exist: {}", dir.display()),
        );
    }
    if !dir.is_dir() {
        return f.error(
            "not_a_directory",
            None,
            format!("not a directory: {}", dir.display()),
        );
    }
    let Some(skill_md) = find_skill_md(dir) else {
        return f.error(
            "missing_skill_md",
            Some("SKILL.md"),
            "missing required file: SKILL.md",
        );
    };
    if skill_md.file_name().is_some_and(|n| n != "SKILL.md") {
        f.warn(
            "lowercase_skill_md",
            Some("SKILL.md"),
            "the file is named skill.md; name it SKILL.md (Skill Builder's ZIP upload and many agents look for SKILL.md only)",
        );
    }
    let bytes = match std::fs::read(&skill_md) {
        Ok(b) => b,
        Err(e) => {
            return f.error(
                "unreadable",
                Some("SKILL.md"),
                format!("cannot read SKILL.md: {e}"),
            )
        }
    };
    let Ok(content) = String::from_utf8(bytes) else {
        return f.error(
            "not_utf8",
            Some("SKILL.md"),
            "SKILL.md is not valid UTF-8 text",
        );
    };
    if content.starts_with('\u{feff}') {
        // The reference validator reads the BOM as text and then finds no frontmatter.
        let msg = "SKILL.md starts with a UTF-8 byte-order mark; the reference validator then finds no frontmatter — save the file without a BOM";
        match mode {
            LintMode::Spec => f.error("bom", Some("SKILL.md"), msg),
            LintMode::ClaudeCode => f.warn("bom", Some("SKILL.md"), msg),
        }
    }
    let parsed = match frontmatter::parse_skill_md(&content) {
        Ok(p) => p,
        Err(e) => return f.error("invalid_frontmatter", Some("SKILL.md"), e.message),
    };
    if !parsed.has_frontmatter {
        return f.error(
            "no_frontmatter",
            Some("SKILL.md"),
            "SKILL.md must start with YAML frontmatter (a first line '---', the keys, then a line '---')",
        );
    }
    let fm = &parsed.frontmatter;

    // The official reference parses with strictyaml, which refuses some YAML features.
    if mode == LintMode::Spec {
        let yaml_lines: Vec<&str> = content
            .trim_start_matches('\u{feff}')
            .lines()
            .take(parsed.body_line.saturating_sub(2))
            .skip(1)
            .collect();
        if let Some((line, what)) = strictyaml_incompatibility(&yaml_lines) {
            f.error(
                "unsupported_yaml",
                Some("SKILL.md"),
                format!(
                    "line {}: {what} — the reference validator (strictyaml) refuses it; use block style, or quote the text",
                    line + 2
                ),
            );
        }
    }

    // Keys.
    let keys = fm.keys();
    f.1 = keys
        .iter()
        .any(|k| CLAUDE_CODE_OWN_KEYS.contains(&k.as_str()));
    let unknown: BTreeSet<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|k| !SPEC_KEYS.contains(k))
        .collect();
    match mode {
        LintMode::Spec => {
            if !unknown.is_empty() {
                f.error(
                    "unknown_keys",
                    None,
                    format!(
                        "unexpected keys in frontmatter: {}; the Agent Skills specification allows only {} (`skill-builder lint --fix` moves other keys under metadata; use --claude-code to accept Claude Code's keys)",
                        join(&unknown),
                        SPEC_KEYS.join(", ")
                    ),
                );
            }
        }
        LintMode::ClaudeCode => {
            let other: BTreeSet<&str> = unknown
                .into_iter()
                .filter(|k| !CLAUDE_CODE_KEYS.contains(k))
                .collect();
            if !other.is_empty() {
                f.warn(
                    "unknown_keys",
                    None,
                    format!(
                        "keys neither in the Agent Skills specification nor known to Claude Code: {} (they are ignored)",
                        join(&other)
                    ),
                );
            }
            lint_claude_code_values(fm, f);
        }
    }

    lint_name(dir, fm.get("name"), fm.name.as_deref(), mode, f);
    lint_description(fm.get("description"), f);

    // compatibility
    match fm.get("compatibility") {
        None => {}
        Some(v) => match scalar_text(v) {
            Some(s) => {
                let n = s.chars().count();
                if n > MAX_COMPATIBILITY_CHARS {
                    f.error(
                        "compatibility_too_long",
                        Some("compatibility"),
                        format!("compatibility exceeds {MAX_COMPATIBILITY_CHARS} characters ({n})"),
                    );
                }
            }
            None => f.error(
                "invalid_type",
                Some("compatibility"),
                "'compatibility' must be a string",
            ),
        },
    }
    // license, allowed-tools: strings (the reference does not check: warnings).
    for key in ["license", "allowed-tools"] {
        if let Some(v) = fm.get(key) {
            if scalar_text(v).is_none() {
                f.warn(
                    "invalid_type",
                    Some(key),
                    format!("'{key}' should be a string"),
                );
            }
        }
    }
    // metadata: map of string -> string.
    match fm.get("metadata") {
        None => {}
        Some(YamlValue::Mapping(m)) => {
            for (k, v) in m {
                if scalar_text(v).is_none() {
                    f.warn(
                        "invalid_type",
                        Some("metadata"),
                        format!(
                            "metadata value of '{}' should be a string",
                            scalar_text(k).unwrap_or_default()
                        ),
                    );
                }
            }
        }
        Some(_) => f.warn(
            "invalid_type",
            Some("metadata"),
            "'metadata' should be a map of string keys to string values",
        ),
    }

    // Body.
    let lines = parsed.body.lines().count();
    if lines > RECOMMENDED_MAX_BODY_LINES {
        f.warn(
            "body_too_long",
            Some("SKILL.md"),
            format!(
                "the SKILL.md body has {lines} lines; the specification recommends under {RECOMMENDED_MAX_BODY_LINES} (move detail into references/)"
            ),
        );
    }
    for (line, target) in body_links(&parsed.body) {
        let at = line + parsed.body_line - 1;
        match resolve_relative(dir, &target) {
            None => f.warn(
                "link_outside_skill",
                Some("SKILL.md"),
                format!("line {at}: '{target}' points outside the skill folder"),
            ),
            Some(p) if !p.exists() => f.warn(
                "broken_link",
                Some("SKILL.md"),
                format!("line {at}: '{target}' does not exist in the skill folder"),
            ),
            Some(_) => {}
        }
    }
}

/// The first YAML feature that strictyaml (the reference validator's parser) refuses:
/// flow collections (`[a, b]`, `{a: b}`), anchors/aliases, tags. Returns the 0-based line
/// within the frontmatter. Only value positions (after `key:` or `- `) are looked at, and
/// block scalar contents are skipped, so text that merely contains brackets is fine.
fn strictyaml_incompatibility(lines: &[&str]) -> Option<(usize, &'static str)> {
    let mut block_indent: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if let Some(bi) = block_indent {
            if t.is_empty() || indent > bi {
                continue;
            }
            block_indent = None;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut rest = t;
        let mut in_item = false;
        while let Some(r) = rest.strip_prefix("- ") {
            rest = r.trim_start();
            in_item = true;
        }
        let value = if in_item && !has_key(rest) {
            rest
        } else {
            match key_end(rest) {
                Some(end) => rest[end..].trim_start(),
                None => continue,
            }
        };
        match value.chars().next() {
            Some('[' | '{') => return Some((i, "flow-style YAML ([…] or {…})")),
            Some('&' | '*') => return Some((i, "a YAML anchor or alias")),
            Some('!') => return Some((i, "a YAML tag")),
            Some('|' | '>') => block_indent = Some(indent),
            _ => {}
        }
    }
    None
}

/// Where the value starts after `key:` on a line (past the colon), if the line has a key.
fn key_end(s: &str) -> Option<usize> {
    let start = match s.chars().next()? {
        q @ ('"' | '\'') => 1 + s[1..].find(q)? + 1,
        _ => 0,
    };
    let rest = &s[start..];
    let mut prev_colon = None;
    for (j, c) in rest.char_indices() {
        if prev_colon.is_some() && (c == ' ' || c == '\t') {
            return prev_colon;
        }
        prev_colon = (c == ':').then_some(start + j + 1);
    }
    prev_colon
}

fn has_key(s: &str) -> bool {
    !s.starts_with(['[', '{', '&', '*', '!', '|', '>']) && key_end(s).is_some()
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

/// `SKILL.md`, else `skill.md` (as the reference validator), matched exactly.
fn find_skill_md(dir: &Path) -> Option<PathBuf> {
    let names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    ["SKILL.md", "skill.md"]
        .into_iter()
        .find(|n| names.iter().any(|x| x == n))
        .map(|n| dir.join(n))
}

/// The text of a scalar (numbers/bools as written by YAML), `None` for lists and maps.
fn scalar_text(v: &YamlValue) -> Option<String> {
    match v {
        YamlValue::String(s) => Some(s.clone()),
        YamlValue::Number(n) => Some(n.to_string()),
        YamlValue::Bool(b) => Some(b.to_string()),
        YamlValue::Null => Some(String::new()),
        YamlValue::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

fn lint_name(
    dir: &Path,
    value: Option<&YamlValue>,
    source_text: Option<&str>,
    mode: LintMode,
    f: &mut Findings,
) {
    let field = Some("name");
    let Some(value) = value else {
        return f.error(
            "missing_name",
            field,
            "missing required key in frontmatter: name",
        );
    };
    let Some(raw) = scalar_text(value) else {
        return f.error("invalid_name", field, "'name' must be a non-empty string");
    };
    // Source text for numbers (`name: 1.10`), as the reference's strictyaml reads it.
    let raw = match (value, source_text) {
        (YamlValue::Number(_), Some(src)) => src.to_string(),
        _ => raw,
    };
    if raw.trim().is_empty() {
        return f.error("invalid_name", field, "'name' must be a non-empty string");
    }
    let name: String = raw.trim().nfkc().collect();
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        f.error(
            "invalid_name",
            field,
            format!("skill name '{name}' exceeds {MAX_NAME_CHARS} characters ({n})"),
        );
    }
    if name != name.to_lowercase() {
        f.error(
            "invalid_name",
            field,
            format!("skill name '{name}' must be lowercase"),
        );
    }
    if name.starts_with('-') || name.ends_with('-') {
        f.error(
            "invalid_name",
            field,
            "skill name cannot start or end with a hyphen",
        );
    }
    if name.contains("--") {
        f.error(
            "invalid_name",
            field,
            "skill name cannot contain consecutive hyphens",
        );
    }
    if !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
        f.error(
            "invalid_name",
            field,
            format!(
                "skill name '{name}' contains invalid characters; only letters, digits and hyphens are allowed"
            ),
        );
    }
    let folder = folder_name(dir);
    let folder_nfkc: String = folder.nfkc().collect();
    if folder_nfkc != name {
        f.error(
            "name_folder_mismatch",
            field,
            format!("folder name '{folder}' must match skill name '{name}'"),
        );
    }
    // Skill Builder's own (stricter, ASCII) rule for names used as folder names.
    if let Some(why) = skill_name_problem(&name) {
        let ascii_issue = !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if mode == LintMode::ClaudeCode && ascii_issue {
            f.error(
                "invalid_name",
                field,
                format!(
                    "Claude Code skill names use only lowercase letters a-z, digits and hyphens: {why}"
                ),
            );
        } else {
            f.warn(
                "name_not_importable",
                field,
                format!("Skill Builder cannot import a skill under the name '{name}': {why}"),
            );
        }
    }
}

/// The folder's own name (resolving `.` and friends).
fn folder_name(dir: &Path) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    match name {
        Some(n) if !n.is_empty() && n != "." && n != ".." => n,
        _ => std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default(),
    }
}

fn lint_description(value: Option<&YamlValue>, f: &mut Findings) {
    let field = Some("description");
    let Some(value) = value else {
        return f.error(
            "missing_description",
            field,
            "missing required key in frontmatter: description",
        );
    };
    let Some(text) = scalar_text(value) else {
        return f.error(
            "invalid_description",
            field,
            "'description' must be a non-empty string",
        );
    };
    if text.trim().is_empty() {
        return f.error(
            "invalid_description",
            field,
            "'description' must be a non-empty string",
        );
    }
    // Counted on the value as YAML produced it (untrimmed), like the reference.
    let n = text.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        f.error(
            "description_too_long",
            field,
            format!("description exceeds {MAX_DESCRIPTION_CHARS} characters ({n})"),
        );
    }
}

/// Value checks of Claude Code's keys (warnings only).
fn lint_claude_code_values(fm: &frontmatter::Frontmatter, f: &mut Findings) {
    for w in &fm.warnings {
        f.warn("invalid_value", None, w.clone());
    }
    if let Some(v) = fm.get("context") {
        let t = scalar_text(v).unwrap_or_default();
        if t != "fork" && t != "inherit" {
            f.warn(
                "invalid_value",
                Some("context"),
                format!("'context' should be 'fork' (or 'inherit'), not '{t}'"),
            );
        }
    }
    if fm.get("agent").is_some()
        && fm.get("context").and_then(scalar_text).as_deref() != Some("fork")
    {
        f.warn(
            "invalid_value",
            Some("agent"),
            "'agent' only has an effect with 'context: fork'",
        );
    }
    if let Some(v) = fm.get("hooks") {
        if !matches!(v, YamlValue::Mapping(_)) {
            f.warn(
                "invalid_type",
                Some("hooks"),
                "'hooks' should be a map of hook events",
            );
        }
    }
}

/// Relative link targets in a Markdown body, with their 1-based body line: inline links
/// and images `[t](target)`, reference definitions `[id]: target`, and code spans that
/// name a file in the standard folders (`` `references/x.md` ``). Fenced code blocks are
/// skipped.
fn body_links(body: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in body.lines().enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if indent <= 3 {
            for marker in ["```", "~~~"] {
                if t.starts_with(marker) {
                    fence = match fence {
                        None => Some(marker),
                        Some(m) if m == marker => None,
                        other => other,
                    };
                }
            }
            if t.starts_with("```") || t.starts_with("~~~") {
                continue;
            }
        }
        if fence.is_some() {
            continue;
        }
        let mut targets = Vec::new();
        // Reference definition.
        if let Some(rest) = t.strip_prefix('[') {
            if let Some(close) = rest.find("]:") {
                if !rest[..close].contains(']') {
                    if let Some(target) = rest[close + 2..].split_whitespace().next() {
                        targets.push(target.trim_matches(['<', '>']).to_string());
                    }
                }
            }
        }
        // Inline links / images.
        let mut rest = line;
        while let Some(p) = rest.find("](") {
            let after = &rest[p + 2..];
            let target = if let Some(a) = after.strip_prefix('<') {
                a.find('>').map(|e| &a[..e])
            } else {
                let mut depth = 0i32;
                let mut end = None;
                for (j, c) in after.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' if depth == 0 => {
                            end = Some(j);
                            break;
                        }
                        ')' => depth -= 1,
                        _ => {}
                    }
                }
                end.map(|e| after[..e].split_whitespace().next().unwrap_or(""))
            };
            if let Some(tg) = target {
                targets.push(tg.to_string());
            }
            rest = after;
        }
        // Code spans naming a bundled file.
        let mut parts = line.split('`');
        parts.next();
        while let (Some(code), Some(_)) = (parts.next(), parts.next()) {
            let c = code.trim();
            let standard = ["references/", "scripts/", "assets/"]
                .iter()
                .any(|d| c.starts_with(d) && c.len() > d.len());
            if standard && !c.contains(char::is_whitespace) && !c.contains(['*', '<', '{', '$']) {
                targets.push(c.to_string());
            }
        }
        for tg in targets {
            if let Some(clean) = relative_target(&tg) {
                out.push((i + 1, clean));
            }
        }
    }
    out
}

/// A link target reduced to a relative file path, or `None` for URLs, anchors, absolute
/// paths and the like.
fn relative_target(target: &str) -> Option<String> {
    let t = target.trim();
    if t.is_empty() || t.starts_with('#') || t.starts_with('/') || t.starts_with('\\') {
        return None;
    }
    // A URI scheme (`https:`, `mailto:`, `file:`…). Single letters are drive letters.
    if let Some(colon) = t.find(':') {
        let scheme = &t[..colon];
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return None;
        }
    }
    let t = t.split(['#', '?']).next().unwrap_or("");
    if t.is_empty() {
        return None;
    }
    Some(t.replace("%20", " "))
}

/// Joins a relative target onto the skill folder; `None` when it leaves the folder.
fn resolve_relative(dir: &Path, target: &str) -> Option<PathBuf> {
    let mut depth = 0usize;
    let mut p = dir.to_path_buf();
    for c in Path::new(target).components() {
        match c {
            Component::Normal(s) => {
                depth += 1;
                p.push(s);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                depth = depth.checked_sub(1)?;
                p.pop();
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn skill(parent: &Path, folder: &str, skill_md: &str) -> PathBuf {
        let d = parent.join(folder);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("SKILL.md"), skill_md).unwrap();
        d
    }

    fn codes(r: &LintReport, sev: Severity) -> Vec<String> {
        r.findings
            .iter()
            .filter(|f| f.severity == sev)
            .map(|f| f.code.clone())
            .collect()
    }

    fn lint(folder: &str, md: &str, mode: LintMode) -> LintReport {
        let t = tempfile::tempdir().unwrap();
        let d = skill(t.path(), folder, md);
        lint_skill_dir(&d, mode)
    }

    const OK: &str =
        "---\nname: my-skill\ndescription: Does a thing. Use when asked.\n---\n# Body\n";

    #[test]
    fn valid_skill_passes_cleanly() {
        let r = lint("my-skill", OK, LintMode::Spec);
        assert!(r.ok, "{r:?}");
        assert!(r.findings.is_empty(), "{r:?}");
        let full = "---\nname: my-skill\ndescription: >\n  Multi\n  line\nlicense: MIT\ncompatibility: Needs git\nmetadata:\n  author: me\n  version: \"1.0\"\nallowed-tools: Read Bash(git:*)\n---\nbody\n";
        let r = lint("my-skill", full, LintMode::Spec);
        assert!(r.ok && r.findings.is_empty(), "{r:?}");
    }

    #[test]
    fn missing_things() {
        let t = tempfile::tempdir().unwrap();
        let r = lint_skill_dir(&t.path().join("nope"), LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["not_found"]);
        let empty = t.path().join("empty");
        fs::create_dir(&empty).unwrap();
        let r = lint_skill_dir(&empty, LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["missing_skill_md"]);
        assert!(!r.ok);
        let r = lint("my-skill", "# no frontmatter\n", LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["no_frontmatter"]);
        let r = lint("my-skill", "---\ndescription: d\n---\n", LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["missing_name"]);
        let r = lint("my-skill", "---\nname: my-skill\n---\n", LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["missing_description"]);
        let r = lint(
            "my-skill",
            "---\nname: my-skill\ndescription: '  '\n---\n",
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["invalid_description"]);
    }

    #[test]
    fn malformed_yaml_reports_the_line() {
        let r = lint(
            "my-skill",
            "---\nname: my-skill\ndescription: [oops\n---\n",
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["invalid_frontmatter"]);
        assert!(r.findings[0].message.starts_with("invalid_frontmatter: "));
    }

    #[test]
    fn name_rules() {
        for (folder, name, code) in [
            ("My-Skill", "My-Skill", "invalid_name"),
            ("bad_name", "bad_name", "invalid_name"),
            ("-lead", "-lead", "invalid_name"),
            ("a--b", "a--b", "invalid_name"),
            ("other", "my-skill", "name_folder_mismatch"),
        ] {
            let r = lint(
                folder,
                &format!("---\nname: {name}\ndescription: d\n---\n"),
                LintMode::Spec,
            );
            assert!(!r.ok, "{name}");
            assert!(
                codes(&r, Severity::Error).contains(&code.to_string()),
                "{name}: {r:?}"
            );
        }
        let long = "a".repeat(65);
        let r = lint(
            &long,
            &format!("---\nname: {long}\ndescription: d\n---\n"),
            LintMode::Spec,
        );
        assert!(!r.ok);
        assert!(r.findings[0].message.contains("65"));
        let ok64 = "a".repeat(64);
        let r = lint(
            &ok64,
            &format!("---\nname: {ok64}\ndescription: d\n---\n"),
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
    }

    #[test]
    fn i18n_and_nfkc_names_follow_the_reference() {
        // Unicode lowercase letters are valid in the spec, but Skill Builder cannot import
        // them under that name: a warning, not an error.
        let r = lint(
            "café",
            "---\nname: café\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
        assert_eq!(codes(&r, Severity::Warning), ["name_not_importable"]);
        let r = lint(
            "技能",
            "---\nname: 技能\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
        // NFKC: full-width letters normalise to ASCII.
        let r = lint(
            "foo",
            "---\nname: ｆｏｏ\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
        // Decomposed é in the name vs composed in the folder: NFKC makes them equal.
        let r = lint(
            "caf\u{e9}",
            "---\nname: cafe\u{301}\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
        // Unicode uppercase is refused.
        let r = lint(
            "ÉCOLE",
            "---\nname: ÉCOLE\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(!r.ok);
        // Claude Code mode wants ASCII.
        let r = lint(
            "café",
            "---\nname: café\ndescription: d\n---\n",
            LintMode::ClaudeCode,
        );
        assert!(!r.ok, "{r:?}");
        // Reserved device names: a warning in both modes.
        let r = lint(
            "con",
            "---\nname: con\ndescription: d\n---\n",
            LintMode::ClaudeCode,
        );
        assert!(r.ok, "{r:?}");
        assert_eq!(codes(&r, Severity::Warning), ["name_not_importable"]);
        // Numbers keep their source text.
        let r = lint(
            "1.10",
            "---\nname: 1.10\ndescription: d\n---\n",
            LintMode::Spec,
        );
        assert!(
            r.findings.iter().any(|f| f.message.contains("'1.10'")),
            "{r:?}"
        );
    }

    #[test]
    fn description_and_compatibility_limits() {
        let d = "x".repeat(1025);
        let r = lint(
            "my-skill",
            &format!("---\nname: my-skill\ndescription: {d}\n---\n"),
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["description_too_long"]);
        let d = "é".repeat(1024); // characters, not bytes
        let r = lint(
            "my-skill",
            &format!("---\nname: my-skill\ndescription: {d}\n---\n"),
            LintMode::Spec,
        );
        assert!(r.ok, "{r:?}");
        let c = "c".repeat(501);
        let r = lint(
            "my-skill",
            &format!("---\nname: my-skill\ndescription: d\ncompatibility: {c}\n---\n"),
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["compatibility_too_long"]);
        let r = lint(
            "my-skill",
            "---\nname: my-skill\ndescription: d\ncompatibility:\n  os: linux\n---\n",
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["invalid_type"]);
    }

    #[test]
    fn unknown_keys_by_mode() {
        let md = "---\nname: my-skill\ndescription: d\nmodel: sonnet\nargument-hint: '[x]'\nuser-invocable: true\nversion: 1.0.0\ncustom: x\n---\n";
        let r = lint("my-skill", md, LintMode::Spec);
        assert_eq!(codes(&r, Severity::Error), ["unknown_keys"]);
        let msg = &r.findings[0].message;
        assert!(
            msg.contains("argument-hint, custom, model, user-invocable, version"),
            "{msg}"
        );
        let r = lint("my-skill", md, LintMode::ClaudeCode);
        assert!(r.ok, "{r:?}");
        assert_eq!(codes(&r, Severity::Warning), ["unknown_keys"]);
        assert!(r.findings[0].message.contains("custom"));
        assert!(!r.findings[0].message.contains("model"));
    }

    #[test]
    fn claude_code_value_warnings() {
        let md = "---\nname: my-skill\ndescription: d\nuser-invocable: maybe\ncontext: spoon\nhooks: 3\n---\n";
        let r = lint("my-skill", md, LintMode::ClaudeCode);
        assert!(r.ok, "{r:?}");
        assert_eq!(
            codes(&r, Severity::Warning),
            ["invalid_value", "invalid_value", "invalid_type"]
        );
    }

    #[test]
    fn type_warnings_do_not_fail() {
        let md = "---\nname: my-skill\ndescription: d\nlicense:\n  - MIT\nmetadata:\n  a:\n    nested: x\nallowed-tools:\n  - Read\n---\n";
        let r = lint("my-skill", md, LintMode::Spec);
        assert!(r.ok, "{r:?}");
        assert_eq!(codes(&r, Severity::Warning).len(), 3, "{r:?}");
        let r = lint(
            "my-skill",
            "---\nname: my-skill\ndescription: d\nmetadata: text\n---\n",
            LintMode::Spec,
        );
        assert!(r.ok);
        assert_eq!(codes(&r, Severity::Warning), ["invalid_type"]);
    }

    #[test]
    fn links_in_the_body() {
        let t = tempfile::tempdir().unwrap();
        let md = "---\nname: my-skill\ndescription: d\n---\n# Title\n\
                  See [api](references/api.md) and ![img](assets/logo.png \"Logo\").\n\
                  Missing: [gone](references/gone.md#section) and `scripts/missing.sh`.\n\
                  Fine: [web](https://example.com) [anchor](#x) [mail](mailto:a@b.c) `references/api.md`\n\
                  Outside: [up](../other/SKILL.md)\n\
                  [def]: references/nope.md\n\
                  ```\n[in code](references/in-code.md)\n```\n\
                  Spaces: [s](<references/with space.md>) [enc](references/with%20space.md)\n";
        let d = skill(t.path(), "my-skill", md);
        fs::create_dir_all(d.join("references")).unwrap();
        fs::create_dir_all(d.join("assets")).unwrap();
        fs::write(d.join("references/api.md"), "x").unwrap();
        fs::write(d.join("references/with space.md"), "x").unwrap();
        fs::write(d.join("assets/logo.png"), "x").unwrap();
        let r = lint_skill_dir(&d, LintMode::Spec);
        assert!(r.ok, "{r:?}");
        let msgs: Vec<(&str, &str)> = r
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            msgs,
            [
                (
                    "broken_link",
                    "line 7: 'references/gone.md' does not exist in the skill folder"
                ),
                (
                    "broken_link",
                    "line 7: 'scripts/missing.sh' does not exist in the skill folder"
                ),
                (
                    "link_outside_skill",
                    "line 9: '../other/SKILL.md' points outside the skill folder"
                ),
                (
                    "broken_link",
                    "line 10: 'references/nope.md' does not exist in the skill folder"
                ),
            ],
            "{r:#?}"
        );
    }

    #[test]
    fn bom_crlf_and_lowercase_file() {
        let r = lint(
            "my-skill",
            "\u{feff}---\r\nname: my-skill\r\ndescription: d\r\n---\r\n",
            LintMode::Spec,
        );
        assert_eq!(codes(&r, Severity::Error), ["bom"]);
        let r = lint(
            "my-skill",
            "\u{feff}---\r\nname: my-skill\r\ndescription: d\r\n---\r\n",
            LintMode::ClaudeCode,
        );
        assert!(r.ok);
        let r = lint(
            "my-skill",
            "---\r\nname: my-skill\r\ndescription: d\r\n---\r\nbody\r\n",
            LintMode::Spec,
        );
        assert!(r.ok && r.findings.is_empty(), "{r:?}");

        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("my-skill");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("skill.md"), OK).unwrap();
        let r = lint_skill_dir(&d, LintMode::Spec);
        assert!(r.ok, "{r:?}");
        assert_eq!(codes(&r, Severity::Warning), ["lowercase_skill_md"]);
    }

    #[test]
    fn strictyaml_features_are_errors_in_spec_mode() {
        for (extra, bad_line) in [
            ("allowed-tools: [Read, Write]", Some(4)),
            ("metadata: {a: b}", Some(4)),
            ("metadata:\n  b:\n    - {c: d}", Some(6)),
            ("license: &l MIT", Some(4)),
            ("license: !!str MIT", Some(4)),
            ("metadata:\n  - [x]", Some(5)),
            ("license: \"[MIT]\"", None),
            ("compatibility: needs [x] and {y}", None),
            (
                "metadata:\n  note: |\n    [not flow]\n    {nor this}\n  a: b",
                None,
            ),
            ("license: a\n  [continuation] text", None),
        ] {
            let md = format!("---\nname: my-skill\ndescription: d\n{extra}\n---\n");
            let r = lint("my-skill", &md, LintMode::Spec);
            let found = r.findings.iter().find(|f| f.code == "unsupported_yaml");
            match (bad_line, found) {
                (None, None) => {}
                (Some(l), Some(f)) => {
                    assert!(f.message.starts_with(&format!("line {l}:")), "{f:?}");
                    assert!(!r.ok);
                }
                _ => panic!("{extra:?}: {r:?}"),
            }
            let r = lint("my-skill", &md, LintMode::ClaudeCode);
            assert!(!codes(&r, Severity::Error).contains(&"unsupported_yaml".to_string()));
        }
    }

    #[test]
    fn long_body_warns() {
        let md = format!("{OK}{}", "line\n".repeat(600));
        let r = lint("my-skill", &md, LintMode::Spec);
        assert!(r.ok);
        assert_eq!(codes(&r, Severity::Warning), ["body_too_long"]);
    }

    #[test]
    fn report_serializes() {
        let r = lint("other", OK, LintMode::Spec);
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["ok"], false);
        assert_eq!(j["findings"][0]["severity"], "error");
        assert_eq!(j["findings"][0]["field"], "name");
        assert_eq!(
            serde_json::to_value(LintMode::ClaudeCode).unwrap(),
            "claude_code"
        );
    }
}
