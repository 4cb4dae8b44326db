//! Importing skills from any git URL (issue 17), not only GitHub's REST API: `https://`,
//! `ssh://`, `git@host:path`, `file://` or a local path.
//!
//! Commands (catalog name → function):
//! - `list_git_skills` (async) → [`list_git_skills`]
//! - `import_git_skills` (async) → [`import_git_skills`]
//!
//! One listing or import = one fetch ([`crate::history::clone`]): the ref (branch, tag or
//! commit; default the remote's HEAD) is pinned to a commit, fetched shallow where the
//! transport allows into a bare folder in the destination's `.staging/` (removed at the end,
//! swept at start-up after a crash), and read from the object database without a checkout.
//! Discovery is the GitHub import's ([`crate::ingest::repo_skills`]), and so is the placing of
//! each skill (ownership, versions, `skipped` when nothing changed, the folder swap, the rows,
//! the history commit of a library import).
//!
//! Safety, checked before anything is written (each refusal is `invalid_input` and leaves the
//! workspace, the library, the database and the staging area as they were):
//! - the whole tree within the ZIP limits (settings `zip_max_*`: entries, bytes per file from
//!   the object header — a 2 GiB blob is refused without being inflated — and bytes in
//!   total), no unsafe name (`..`, `.git`, separators) in it;
//! - **symlinks**: one whose target leaves the repository refuses the whole repository; in an
//!   imported skill, one whose target leaves the skill folder refuses that skill. A link that
//!   stays inside is not imported (like the GitHub import, and as ZIP import and the
//!   deployable files never carry links) — so no link is ever written;
//! - `marketplace.json`: a plugin source, `skills` entry or plugin root that is absolute or
//!   has a `..` refuses the whole repository (the GitHub import only skips those entries);
//! - per skill, the GitHub import's limits (files, bytes) and SKILL.md checks.
//!
//! Each imported skill records its URL (without credentials), the ref asked for, the pinned
//! commit, its folder in the repository and that folder's tree id (`git_sources`). Updates are
//! seen by listing again (the spec lists no separate command): each listed skill says where
//! it is imported, its pinned commit, and `updateAvailable` when the listed commit's folder
//! tree differs from the pinned one (commits are compared for a pin recorded without a tree).
//!
//! | file | what |
//! |---|---|
//! | `source.rs` | the fetch into staging, the link rules, the listing |
//! | `import.rs` | `list_git_skills`, `import_git_skills` |
//! | `update.rs` | the pins of a listing's skills and whether they are behind |

mod import;
mod source;
mod update;

pub use import::{
    import_git_skills, list_git_skills, GitImportResult, GitImportResults, GitSkillListing,
    ImportGitSkillsArgs, ListGitSkillsArgs,
};
pub use update::{Compared, GitListedSkill, GitPin};

use crate::app::App;
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Where imported skills go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Settings→Skills: the agents' workspace skills.
    Workspace,
    /// The Skills Library.
    Library,
}

impl Target {
    fn parse(t: Option<&str>) -> Result<Target> {
        match t.map(str::trim).filter(|t| !t.is_empty()) {
            None | Some("workspace") => Ok(Target::Workspace),
            Some("library") => Ok(Target::Library),
            Some(other) => Err(Error::invalid(format!(
                "unknown target '{other}': use \"workspace\" (Settings→Skills) or \"library\""
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Target::Workspace => "workspace",
            Target::Library => "library",
        }
    }

    /// The skills root; its `.staging/` also holds the fetch.
    fn root(self, app: &App) -> PathBuf {
        match self {
            Target::Workspace => app.workspace_path().join(".claude").join("skills"),
            Target::Library => app.skills_path(),
        }
    }
}

/// Runs blocking git and file work off the async runtime.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("{what} failed: {e}")))?
}
