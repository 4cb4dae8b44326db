//! The two GitHub imports (ingestion.md §4.5–4.7 with the backend rules):
//! `import_github_skills` (Settings→Skills: `<workspace>/.claude/skills/<name>/`,
//! `workspace_skills`) and `import_marketplace_to_library` (Skills Library:
//! `<skills_path>/<name>/`, `skills` + `imported_skills`).
//!
//! Per skill: fetch and check SKILL.md (overrides patched into the YAML, every other key
//! kept), decide (ownership, versions) before touching the destination, download every file
//! into `<root>/.staging/<uuid>/<name>/` (bytes and exec bit kept), compare with the installed
//! copy (identical files and rows → `skipped`, nothing changes), then swap the folder in and
//! write the rows in one transaction (a DB failure puts the old folder back). A failure of one
//! skill never leaves a half-written folder and never stops the others.
//!
//! | file | what |
//! |---|---|
//! | `fetch.rs` | staging folders, fetching and checking SKILL.md, downloading a skill's files |
//! | `workspace.rs` | `import_github_skills` (Settings→Skills) |
//! | `library.rs` | `import_marketplace_to_library` (Skills Library) |
//! | `place.rs` | placing a skill into the Skills Library, its rows (also for the ZIP upload) |
//! | `update.rs` | versions, update checks, `check_skill_customized` |

mod fetch;
mod library;
mod place;
mod update;
mod workspace;

pub(crate) use fetch::{
    check_skill_md, clean_skill_path, skill_files, write_file, Fetched, Staging,
};
pub use library::{import_marketplace_to_library, ImportMarketplaceToLibraryArgs};
pub(crate) use place::{library_owner_check, place_in_library, LibraryCandidate, LibrarySource};
pub use update::{
    check_marketplace_updates, check_skill_customized, compare_versions, get_dashboard_skill_names,
    version_newer, CheckMarketplaceUpdatesArgs, CheckSkillCustomizedArgs, MarketplaceUpdateResult,
    SkillUpdateInfo,
};
pub use workspace::{import_github_skills, ImportGithubSkillsArgs};
pub(crate) use workspace::{place_workspace_import, plan_workspace_import, WsPlan};

use crate::error::Error;
pub use crate::hashing::sha256_hex;
use crate::ingest::frontmatter::Frontmatter;
use crate::ingest::lint::{lint_skill_dir, LintMode};
use crate::skill_meta::SkillMeta;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Limits per imported skill.
pub const MAX_SKILL_FILES: usize = 2_000;
pub const MAX_SKILL_BYTES: u64 = 100 * 1024 * 1024;

// ---------------------------------------------------------------------------------
// Types

/// Fields a user may override at import. `model: ""` clears the model ("app default");
/// `purpose` is stored in the DB, never written to SKILL.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkillMetadataOverride {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
}

/// What happened to one skill of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    Updated,
    Skipped,
    Failed,
}

/// A Settings→Skills import result: the stored `workspace_skills` row plus the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedSkill {
    pub skill_id: String,
    pub skill_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub is_active: bool,
    #[serde(default)]
    pub is_bundled: bool,
    pub disk_path: String,
    pub imported_at: String,
    pub purpose: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
    pub marketplace_source_url: Option<String>,
    /// Beyond the reference: the outcome, the repo path, why (skip/failure), lint warnings.
    pub status: ImportStatus,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSkillImportRequest {
    pub path: String,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub metadata_override: Option<SkillMetadataOverride>,
    #[serde(default)]
    pub version: Option<String>,
}

/// A Skills Library import result (reference fields + outcome details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceImportResult {
    /// The skill name, or the requested path when the name was never learned.
    pub skill_name: String,
    pub success: bool,
    pub error: Option<String>,
    pub status: ImportStatus,
    pub path: String,
    /// Where the skill is stored (when it is).
    #[serde(default)]
    pub disk_path: Option<String>,
    pub version: Option<String>,
    pub content_hash: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl ImportedSkill {
    /// The row reported for a workspace import that failed (GitHub and git imports alike).
    pub(crate) fn failed(path: &str, name: String, e: &Error) -> Self {
        ImportedSkill {
            skill_id: String::new(),
            skill_name: name,
            description: None,
            is_active: false,
            is_bundled: false,
            disk_path: String::new(),
            imported_at: String::new(),
            purpose: None,
            meta: SkillMeta::default(),
            marketplace_source_url: None,
            status: ImportStatus::Failed,
            path: path.to_string(),
            error: Some(e.message.clone()),
            warnings: Vec::new(),
        }
    }
}

impl MarketplaceImportResult {
    /// The row reported for a library import that failed (GitHub and git imports alike).
    pub(crate) fn failed(path: &str, name: String, e: &Error) -> Self {
        MarketplaceImportResult {
            skill_name: name,
            success: false,
            error: Some(e.message.clone()),
            status: ImportStatus::Failed,
            path: path.to_string(),
            disk_path: None,
            version: None,
            content_hash: None,
            warnings: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------
// Helpers shared by the import files

fn empty_none(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

pub(crate) fn lint_warnings(dir: &Path, fm: &Frontmatter) -> Vec<String> {
    let mut w: Vec<String> = fm.warnings.clone();
    w.extend(
        lint_skill_dir(dir, LintMode::ClaudeCode)
            .findings
            .into_iter()
            .map(|f| f.message),
    );
    w
}

fn millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
