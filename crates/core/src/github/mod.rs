//! GitHub: URL parsing, the HTTP client, skill discovery in repositories and marketplaces,
//! imports into Settings→Skills and the Skills Library, update checks, device-flow sign-in
//! and feedback issues (ingestion.md §4–6).
//!
//! Commands (catalog name → function):
//! - `parse_github_url` (sync) → [`url::parse_github_url_cmd`]
//! - `check_marketplace_url` (async) → [`discovery::check_marketplace_url`]
//! - `list_github_skills` (async) → [`discovery::list_github_skills`]
//! - `import_github_skills` (async) → [`import::import_github_skills`]
//! - `import_marketplace_to_library` (async) → [`import::import_marketplace_to_library`]
//! - `get_dashboard_skill_names` (sync) → [`import::get_dashboard_skill_names`]
//! - `check_marketplace_updates` (async) → [`import::check_marketplace_updates`]
//! - `check_skill_customized` (sync) → [`import::check_skill_customized`]
//! - `github_start_device_flow` (async) → [`auth::github_start_device_flow`]
//! - `github_poll_for_token` (async) → [`auth::github_poll_for_token`]
//! - `github_get_user` (sync) → [`auth::github_get_user`]
//! - `github_logout` (sync) → [`auth::github_logout`]
//! - `create_github_issue` (async) → [`feedback::create_github_issue`]

pub mod auth;
pub mod client;
pub mod discovery;
pub mod feedback;
pub mod import;
pub mod url;

pub use auth::{GitHubAuthResult, GitHubUser};
pub use discovery::AvailableSkill;
pub use import::{ImportStatus, ImportedSkill, MarketplaceImportResult, SkillMetadataOverride};
pub use url::{parse_github_url, GitHubRepoInfo};
