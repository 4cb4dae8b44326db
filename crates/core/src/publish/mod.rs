//! `publish_library` (issue 17): shares the skills library with a team through git. Publish
//! writes `.claude-plugin/marketplace.json`, commits it and pushes the branch; when the remote
//! is ahead it fetches and merges (skills changed on one side only), or stops with `conflict`.
//! `pull` fetches and merges only. Git goes through `history`; this module never moves HEAD or
//! writes a file itself.
//!
//! What is pushed is built as commits first; the library takes them (HEAD, files, database)
//! only once the push went through, so a failed publish leaves everything local as it was.

mod library;
pub mod marketplace;

use crate::app::App;
use crate::error::{Error, Result};
use crate::history::{self, MergeKind, PushOutcome, RemoteTarget, UnitChange, MARKETPLACE_PATH};
use crate::ingest::names::is_valid_skill_name;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The branch published to when none is given.
pub const DEFAULT_BRANCH: &str = history::DEFAULT_BRANCH;
/// Commit message of the marketplace file.
pub const PUBLISH_MESSAGE: &str = "publish: marketplace.json";
/// Push attempts while the remote keeps moving (each rejection fetches and merges again).
const MAX_ROUNDS: usize = 3;

/// One publish or pull at a time in this process (they share the remote-tracking ref).
static PUBLISHING: Mutex<()> = Mutex::new(());

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishLibraryArgs {
    /// The remote URL (https, ssh, `file://`); saved as `origin`. Default: the saved `origin`.
    #[serde(default)]
    pub remote: Option<String>,
    /// Default `main`.
    #[serde(default)]
    pub branch: Option<String>,
    /// Fetch and merge only; nothing is pushed.
    #[serde(default)]
    pub pull: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishResult {
    /// The remote, without any credential a URL may carry.
    pub remote: String,
    pub branch: String,
    /// The library's HEAD afterwards.
    pub commit: String,
    /// The remote branch moved (false when it already had everything, and for a pull).
    pub pushed: bool,
    /// Remote changes were brought into the library.
    pub merged: bool,
    /// Skills new or changed from the remote.
    pub pulled_skills: Vec<String>,
    /// Skills the remote deleted; their folders are gone, their rows are left for start-up
    /// reconciliation to report.
    pub removed_skills: Vec<String>,
    /// The skills `marketplace.json` lists (for a pull: what a publish would list).
    pub skills: Vec<String>,
}

/// `publish_library`: see the module docs. The git work runs on a blocking thread.
pub async fn publish_library(app: &Arc<App>, args: PublishLibraryArgs) -> Result<PublishResult> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || publish(&app, args))
        .await
        .map_err(|e| Error::internal(format!("publish stopped unexpectedly: {e}")))?
}

/// What one run works with.
struct Run<'a> {
    app: &'a App,
    root: &'a Path,
    target: RemoteTarget<'a>,
    branch: &'a str,
}

/// The blocking body of [`publish_library`].
pub fn publish(app: &App, args: PublishLibraryArgs) -> Result<PublishResult> {
    let _one = PUBLISHING.lock().unwrap_or_else(|p| p.into_inner());
    let root = app.skills_path();
    history::ensure_repo(&root)?;
    let branch = args
        .branch
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or(DEFAULT_BRANCH)
        .to_string();
    history::validate_branch(&branch)?;
    let given = args
        .remote
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let url = match given {
        Some(u) => history::check_remote_url(u)?.to_string(),
        None => history::origin_url(&root)?.ok_or_else(|| {
            Error::invalid(
                "no remote to publish to: pass --remote URL (e.g. git@github.com:team/skills.git \
                 or https://github.com/team/skills.git) once; it is saved as 'origin'",
            )
        })?,
    };
    let token = crate::settings::load(app)
        .ok()
        .and_then(|s| s.github_oauth_token)
        .filter(|t| !t.is_empty());
    let run = Run {
        app,
        root: &root,
        target: RemoteTarget {
            url: &url,
            github_token: token.as_deref(),
        },
        branch: &branch,
    };
    let result = if args.pull.unwrap_or(false) {
        pull(&run)?
    } else {
        push(&run)?
    };
    // Saved only once it worked, so a mistyped URL does not replace a good origin.
    if given.is_some() && history::origin_url(&root)?.as_deref() != Some(url.as_str()) {
        history::set_origin_url(&root, &url)?;
    }
    tracing::info!(
        "publish to {} ({}): pushed {}, merged {}, {} skill(s) from the remote",
        result.remote,
        result.branch,
        result.pushed,
        result.merged,
        result.pulled_skills.len()
    );
    Ok(result)
}

fn merge_message(run: &Run<'_>) -> String {
    format!(
        "merge {} of {}",
        run.branch,
        history::redact_url(run.target.url)
    )
}

/// `pull: true`: fetch and merge; nothing is pushed.
fn pull(run: &Run<'_>) -> Result<PublishResult> {
    let fetched = history::fetch_branch(run.root, run.target, run.branch)?;
    let (merged, followed) = match fetched {
        Some(theirs) => take_in(run, &theirs)?,
        None => (false, library::Followed::default()),
    };
    let head = head(run.root)?;
    let skills = listed_skills(run.app, run.root, &head, &[])?;
    Ok(result(run, head, false, merged, followed, skills))
}

/// Publish: marketplace commit, push; a rejected push fetches, merges and tries again.
fn push(run: &Run<'_>) -> Result<PublishResult> {
    let mut theirs: Option<String> = None;
    for _ in 0..MAX_ROUNDS {
        let start = head(run.root)?;
        let (base, incoming) = match &theirs {
            Some(t) => {
                let plan = history::plan_merge(run.root, t)?;
                // Checked before the push too, so a refused merge leaves the remote as it was.
                library::check_not_busy(run.app, &plan.changes)?;
                history::ensure_committed(run.root, &plan.changes)?;
                let merged = history::merged_commit(run.root, &plan, &merge_message(run))?;
                (merged, plan.changes)
            }
            None => (start, Vec::new()),
        };
        let skills = listed_skills(run.app, run.root, &base, &incoming)?;
        let commit = marketplace_commit(run, &base, &skills)?;
        match history::push_commit(run.root, run.target, &commit, run.branch)? {
            PushOutcome::Rejected => {
                theirs = Some(history::fetch_branch(run.root, run.target, run.branch)?.ok_or_else(
                    || Error::conflict(format!(
                        "{} refused the push but has no branch '{}'; check the remote and publish again",
                        history::redact_url(run.target.url),
                        run.branch
                    )),
                )?);
            }
            outcome => {
                let (merged, followed) = take_in(run, &commit)?;
                let head = head(run.root)?;
                let pushed = outcome == PushOutcome::Updated;
                return Ok(result(run, head, pushed, merged, followed, skills));
            }
        }
    }
    Err(Error::conflict(format!(
        "{} kept changing while publishing ({MAX_ROUNDS} tries); nothing was changed here. Publish again",
        history::redact_url(run.target.url)
    )))
}

/// Brings `commit` into the library: HEAD and files (refused when busy, `conflict` when both
/// sides changed a skill), then the database. Whether anything came in from elsewhere.
fn take_in(run: &Run<'_>, commit: &str) -> Result<(bool, library::Followed)> {
    let app = run.app;
    let applied = history::bring_in(run.root, commit, &merge_message(run), |changes| {
        library::check_not_busy(app, changes)
    })?;
    if applied.kind == MergeKind::UpToDate {
        return Ok((false, library::Followed::default()));
    }
    let followed = library::follow(app, &applied)?;
    let from_remote = applied.changes.iter().any(|c| c.path != MARKETPLACE_PATH);
    Ok((from_remote, followed))
}

/// `commit` with the marketplace file listing `skills` on top (itself when the file is current).
fn marketplace_commit(run: &Run<'_>, base: &str, skills: &[String]) -> Result<String> {
    let existing = history::file_at(run.root, base, MARKETPLACE_PATH)?;
    let (name, email) = history::identity(run.root)?;
    let bytes = marketplace::render(
        existing.as_deref(),
        &marketplace::name_from_url(run.target.url),
        (&name, &email),
        skills,
    );
    let made = history::commit_file_on(run.root, base, MARKETPLACE_PATH, &bytes, PUBLISH_MESSAGE)?;
    Ok(made.unwrap_or_else(|| base.to_string()))
}

/// Skill folders of commit `sha` with a SKILL.md that are library skills or arrive with
/// `incoming` (a merge's changes, registered when it is taken in).
fn listed_skills(
    app: &App,
    root: &Path,
    sha: &str,
    incoming: &[UnitChange],
) -> Result<Vec<String>> {
    let known = library::library_names(app)?;
    Ok(history::skill_folders_at(root, sha)?
        .into_iter()
        .filter(|n| is_valid_skill_name(n))
        .filter(|n| known.contains(n) || incoming.iter().any(|c| &c.path == n && c.is_skill))
        .collect())
}

fn head(root: &Path) -> Result<String> {
    history::head_sha(root).ok_or_else(|| Error::internal("the skills repository has no commit"))
}

fn result(
    run: &Run<'_>,
    commit: String,
    pushed: bool,
    merged: bool,
    followed: library::Followed,
    skills: Vec<String>,
) -> PublishResult {
    PublishResult {
        remote: history::redact_url(run.target.url),
        branch: run.branch.to_string(),
        commit,
        pushed,
        merged,
        pulled_skills: followed.pulled,
        removed_skills: followed.removed,
        skills,
    }
}
