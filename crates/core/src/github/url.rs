//! `parse_github_url` (ingestion.md §4.1): pure string work, no network.

use crate::app::App;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Where a GitHub URL points. `branch` is the `"main"` placeholder unless the URL named one
/// (`branch_explicit`); callers resolve the placeholder to the repository's default branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitHubRepoInfo {
    pub owner: String,
    pub repo: String,
    pub branch: String,
    pub subpath: Option<String>,
    #[serde(default)]
    pub branch_explicit: bool,
}

/// The branch placeholder of a URL that names none.
pub const PLACEHOLDER_BRANCH: &str = "main";

fn valid_owner(s: &str) -> bool {
    // ^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 39
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !s.contains("--")
}

fn valid_repo(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Strips a scheme and a `github.com` host (any case, optional `www.`), or the
/// `git@github.com:` SSH form. Returns the path part, or an error for another host.
fn strip_host(url: &str, original: &str) -> Result<String> {
    let lower = url.to_ascii_lowercase();
    for ssh in ["git@github.com:", "ssh://git@github.com/"] {
        if lower.starts_with(ssh) {
            return Ok(url[ssh.len()..].to_string());
        }
    }
    let (rest, had_scheme) = if let Some(i) = lower.find("://") {
        let scheme = &lower[..i];
        if scheme != "https" && scheme != "http" {
            return Err(Error::invalid(format!(
                "Unsupported GitHub URL '{original}': only https://github.com/… URLs are accepted"
            )));
        }
        (&url[i + 3..], true)
    } else {
        (url, false)
    };
    let lower_rest = rest.to_ascii_lowercase();
    for host in ["www.github.com", "github.com"] {
        if lower_rest == host {
            return Ok(String::new());
        }
        if lower_rest.starts_with(host) && lower_rest[host.len()..].starts_with('/') {
            return Ok(rest[host.len() + 1..].to_string());
        }
    }
    if had_scheme {
        let host = rest.split('/').next().unwrap_or_default();
        return Err(Error::invalid(format!(
            "Unsupported GitHub URL '{original}': host '{host}' is not github.com"
        )));
    }
    Ok(rest.to_string())
}

/// Parses the GitHub URL forms the UI accepts (see ingestion.md §4.1 and its backend rules).
pub fn parse_github_url(url: &str) -> Result<GitHubRepoInfo> {
    let original = url.trim();
    if original.is_empty() {
        return Err(Error::invalid("URL cannot be empty"));
    }
    // Drop ?query and #fragment.
    let cut = original.find(['?', '#']).unwrap_or(original.len());
    let no_query = &original[..cut];
    let path = strip_host(no_query, original)?;
    let mut path = path.trim_end_matches('/').to_string();
    if let Some(p) = path.strip_suffix(".git") {
        path = p.trim_end_matches('/').to_string();
    }
    if path.is_empty() {
        return Err(Error::invalid(format!(
            "Could not extract owner/repo from URL '{original}'"
        )));
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() < 2 {
        return Err(Error::invalid(format!(
            "Invalid GitHub URL '{original}': expected at least owner/repo"
        )));
    }
    // `owner/repo.git/tree/…`: the `.git` suffix was only stripped from the whole path.
    // Every `.git` goes (GitHub names never end in it), so parsing is idempotent.
    let repo = segs[1].trim_end_matches(".git");
    let (owner, repo) = (segs[0], repo);
    if !valid_owner(owner) || !valid_repo(repo) {
        return Err(Error::invalid(format!(
            "Invalid owner/repo in URL '{original}'"
        )));
    }
    let unsupported = || {
        Error::invalid(format!(
            "Unsupported GitHub URL format '{original}': expected owner/repo or \
             owner/repo/tree/branch[/path]"
        ))
    };
    let (branch, subpath, explicit) = match segs.len() {
        2 => (PLACEHOLDER_BRANCH.to_string(), None, false),
        n if n >= 4 && segs[2] == "tree" => {
            let rest = &segs[4..];
            if rest
                .iter()
                .chain(std::iter::once(&segs[3]))
                .any(|s| *s == "." || *s == ".." || s.contains('\\'))
            {
                return Err(Error::invalid(format!(
                    "Invalid path in GitHub URL '{original}': '.', '..' and '\\' are not allowed"
                )));
            }
            let sub = (!rest.is_empty()).then(|| rest.join("/"));
            (segs[3].to_string(), sub, true)
        }
        _ => return Err(unsupported()),
    };
    Ok(GitHubRepoInfo {
        owner: owner.to_string(),
        repo: repo.to_string(),
        branch,
        subpath,
        branch_explicit: explicit,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseGithubUrlArgs {
    pub url: String,
}

/// Command `parse_github_url` (sync).
pub fn parse_github_url_cmd(_app: &App, args: ParseGithubUrlArgs) -> Result<GitHubRepoInfo> {
    parse_github_url(&args.url)
}
