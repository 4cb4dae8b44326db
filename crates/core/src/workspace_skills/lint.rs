//! `lint_skill`: a folder inside the app's roots, or a Skills Library skill.

use crate::app::App;
use crate::error::{Error, Result};
use crate::ingest::lint::{lint_skill_dir, LintMode, LintReport};
use crate::ingest::names::validate_skill_name;
use crate::paths::path_string;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LintSkillArgs {
    /// A skill folder inside the app's roots (path guard).
    #[serde(default)]
    pub path: Option<String>,
    /// A Skills Library skill (`<skills_path>/<name>`).
    #[serde(default)]
    pub skill_name: Option<String>,
    /// `spec` (default) or `claude-code`.
    #[serde(default)]
    pub mode: Option<String>,
    /// First move non-spec frontmatter keys under `metadata` (`lint --fix`); a library
    /// skill's rewrite is committed.
    #[serde(default)]
    pub fix: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintSkillResult {
    /// The folder that was linted.
    pub path: String,
    pub mode: LintMode,
    #[serde(flatten)]
    pub report: LintReport,
    /// What `fix` did (absent without `fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::ingest::FixOutcome>,
}

/// `spec` / `claude-code` (also `claude_code`); empty or absent → `spec`.
pub fn parse_lint_mode(mode: Option<&str>) -> Result<LintMode> {
    match mode.map(|m| m.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("spec") => Ok(LintMode::Spec),
        Some("claude-code") | Some("claude_code") | Some("claudecode") => Ok(LintMode::ClaudeCode),
        Some(other) => Err(Error::invalid(format!(
            "invalid lint mode '{other}': use 'spec' or 'claude-code'"
        ))),
    }
}

/// Command `lint_skill` (sync, beyond the reference): lints a folder (`path`, inside the
/// app's roots) or a Skills Library skill (`skillName`) → findings with severity.
pub fn lint_skill(app: &App, a: LintSkillArgs) -> Result<LintSkillResult> {
    let mode = parse_lint_mode(a.mode.as_deref())?;
    let dir = match (a.path.as_deref(), a.skill_name.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "lint_skill takes either 'path' or 'skillName', not both",
            ))
        }
        (None, None) => {
            return Err(Error::invalid(
                "lint_skill needs 'path' (a skill folder) or 'skillName' (a library skill)",
            ))
        }
        (Some(p), None) => crate::path_guard::guard(
            p,
            &crate::files::app_roots(app),
            crate::path_guard::Intent::Read,
        )?,
        (None, Some(n)) => {
            validate_skill_name(n)?;
            let d = app.skills_path().join(n);
            if !d.is_dir() {
                return Err(Error::not_found(format!(
                    "skill '{n}' not found in the Skills Library ({})",
                    d.display()
                )));
            }
            d
        }
    };
    let fix = match a.fix {
        Some(true) => Some(crate::ingest::fix_skill_dir(Some(app), &dir)?),
        _ => None,
    };
    let report = lint_skill_dir(&dir, mode);
    Ok(LintSkillResult {
        path: path_string(&dir)?,
        mode,
        report,
        fix,
    })
}
