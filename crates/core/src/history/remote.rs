//! The skills repository's remote (issue 17, publish): the `origin` URL in its git config,
//! fetching one branch, pushing one commit to a branch. Never changes HEAD or the work tree.
//!
//! Credentials and the wording of errors follow [`super::auth`]'s rule, as the import's fetch
//! does.

use super::auth::{callbacks, redact_url, remote_err, scrub, RemoteTarget};
use super::repo::require_repo;
use crate::error::{Error, Result};
use git2::{AutotagOption, ErrorCode, FetchOptions, FetchPrune, Oid, PushOptions, Repository};
use std::cell::{Cell, RefCell};
use std::path::Path;

/// The remote publish and pull use.
pub const ORIGIN: &str = "origin";
/// Where a fetched branch lands: `refs/remotes/origin/<branch>`, as the git CLI keeps it.
const TRACKING_PREFIX: &str = "refs/remotes/origin/";
/// The ref a commit is pushed from (libgit2 pushes refs, not bare commits).
const PUSH_REF: &str = "refs/skill-builder/publish";
/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote branch moved to the commit (or was created).
    Updated,
    /// The remote branch already was at the commit.
    UpToDate,
    /// The remote branch has commits the pushed one does not contain (fetch and merge first).
    Rejected,
}

/// `refs/heads/<branch>` is a valid ref name (`main`, `team/skills`; not `a..b`, `-x`, ``).
pub fn validate_branch(branch: &str) -> Result<()> {
    let ok = !branch.is_empty()
        && !branch.starts_with('-')
        && git2::Reference::is_valid_name(&format!("refs/heads/{branch}"));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "'{branch}' is not a valid branch name; use a name like 'main' or 'team/skills'"
        )))
    }
}

/// The URL of `origin` in the repository at `root`; `None` without a repository or an origin.
pub fn origin_url(root: &Path) -> Result<Option<String>> {
    let Some(repo) = super::repo::open_existing(root)? else {
        return Ok(None);
    };
    let url = match repo.find_remote(ORIGIN) {
        Ok(r) => r.url().map(str::to_string),
        Err(e) if e.code() == ErrorCode::NotFound => None,
        Err(e) => return Err(super::git_err("cannot read the origin remote", e)),
    };
    Ok(url.filter(|u| !u.trim().is_empty()))
}

/// Sets `origin` of the repository at `root` to `url` (creating it with git's usual fetch
/// refspec), so later publishes need no `--remote`.
pub fn set_origin_url(root: &Path, url: &str) -> Result<()> {
    let repo = require_repo(root)?;
    let result = match repo.find_remote(ORIGIN) {
        Ok(_) => repo.remote_set_url(ORIGIN, url),
        Err(e) if e.code() == ErrorCode::NotFound => repo.remote(ORIGIN, url).map(|_| ()),
        Err(e) => Err(e),
    };
    result.map_err(|e| {
        Error::internal(format!(
            "cannot save {} as the origin remote: {}",
            redact_url(url),
            scrub(
                e.message(),
                RemoteTarget {
                    url,
                    github_token: None
                }
            )
        ))
    })
}

/// Fetches `branch` from the remote into `refs/remotes/origin/<branch>`; the commit it points
/// to, or `None` when the remote has no such branch (an empty repository).
pub fn fetch_branch(root: &Path, target: RemoteTarget<'_>, branch: &str) -> Result<Option<String>> {
    validate_branch(branch)?;
    let repo = require_repo(root)?;
    let tracking = format!("{TRACKING_PREFIX}{branch}");
    let spec = format!("+refs/heads/{branch}:{tracking}");
    let mut remote = repo
        .remote_anonymous(target.url)
        .map_err(|e| remote_err(target, "fetch from", e))?;
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(callbacks(target))
        .download_tags(AutotagOption::None)
        // A branch deleted on the remote must not leave a stale tip behind.
        .prune(FetchPrune::On)
        .update_fetchhead(false);
    remote
        .fetch(&[spec.as_str()], Some(&mut fo), None)
        .map_err(|e| remote_err(target, "fetch from", e))?;
    match repo.refname_to_id(&tracking) {
        Ok(oid) => Ok(Some(oid.to_string())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(super::git_err(format!("cannot read {tracking}"), e)),
    }
}

/// Pushes commit `sha` to `refs/heads/<branch>` of the remote, never forced: a remote that has
/// commits `sha` does not contain answers [`PushOutcome::Rejected`].
pub fn push_commit(
    root: &Path,
    target: RemoteTarget<'_>,
    sha: &str,
    branch: &str,
) -> Result<PushOutcome> {
    validate_branch(branch)?;
    let repo = require_repo(root)?;
    let oid =
        Oid::from_str(sha).map_err(|_| Error::invalid(format!("'{sha}' is not a commit id")))?;
    repo.reference(PUSH_REF, oid, true, "publish")
        .map_err(|e| super::git_err("cannot prepare the push", e))?;
    let outcome = push_ref(&repo, target, branch);
    if let Err(e) = repo.find_reference(PUSH_REF).and_then(|mut r| r.delete()) {
        tracing::debug!("could not delete {PUSH_REF}: {}", e.message());
    }
    let outcome = outcome?;
    if outcome != PushOutcome::Rejected {
        // Keep the tracking ref current, as `git push` does.
        let tracking = format!("{TRACKING_PREFIX}{branch}");
        if let Err(e) = repo.reference(&tracking, oid, true, "publish") {
            tracing::debug!("could not update {tracking}: {}", e.message());
        }
    }
    Ok(outcome)
}

fn push_ref(repo: &Repository, target: RemoteTarget<'_>, branch: &str) -> Result<PushOutcome> {
    let mut remote = repo
        .remote_anonymous(target.url)
        .map_err(|e| remote_err(target, "push to", e))?;
    let moved = Cell::new(false);
    let refused: RefCell<Option<String>> = RefCell::new(None);
    let mut cb = callbacks(target);
    cb.push_negotiation(|updates| {
        if updates.iter().any(|u| u.src() != u.dst()) {
            moved.set(true);
        }
        Ok(())
    });
    cb.push_update_reference(|_, status| {
        if let Some(s) = status {
            *refused.borrow_mut() = Some(s.to_string());
        }
        Ok(())
    });
    let mut po = PushOptions::new();
    po.remote_callbacks(cb);
    let spec = format!("{PUSH_REF}:refs/heads/{branch}");
    let pushed = remote.push(&[spec.as_str()], Some(&mut po));
    drop(po);
    match pushed {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::NotFastForward => return Ok(PushOutcome::Rejected),
        Err(e) => return Err(remote_err(target, "push to", e)),
    }
    if let Some(why) = refused.take() {
        return Err(Error::conflict(format!(
            "{} refused the push to branch '{branch}': {}; check the branch's protection rules and your access",
            redact_url(target.url),
            scrub(&why, target)
        )));
    }
    Ok(if moved.get() {
        PushOutcome::Updated
    } else {
        PushOutcome::UpToDate
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_checked() {
        assert!(validate_branch("main").is_ok());
        assert!(validate_branch("team/skills").is_ok());
        for bad in ["", "-x", "a..b", "a b", "x.lock"] {
            assert!(validate_branch(bad).is_err(), "{bad}");
        }
    }
}
