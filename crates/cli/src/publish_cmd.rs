//! `publish` and `publish --pull`: the library shared through git, through the catalog command
//! `publish_library`.

use clap::Args;
use serde_json::{json, Value};
use skill_builder_core::{catalog, App, Result};
use std::sync::Arc;

#[derive(Args)]
pub struct PublishArgs {
    /// The git remote (https://…, ssh://…, git@host:owner/repo.git, file://…); saved as
    /// `origin`, so later runs need no --remote.
    #[arg(long, value_name = "URL")]
    remote: Option<String>,
    /// The branch to publish to (default: main).
    #[arg(long, value_name = "B")]
    branch: Option<String>,
    /// Bring the remote's changes into the library; push nothing.
    #[arg(long)]
    pull: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(app: &Arc<App>, a: PublishArgs) -> Result<()> {
    let args = json!({"remote": a.remote, "branch": a.branch, "pull": a.pull});
    let v = catalog::call(app, "publish_library", args).await?;
    if a.json {
        crate::print_stdout(&serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", summary(&v, a.pull));
    }
    Ok(())
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// What a person reads: where, what moved, which skills came in.
fn summary(v: &Value, pull: bool) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let at = format!("{} ({})", s("remote"), s("branch"));
    let commit: String = s("commit").chars().take(8).collect();
    let mut out = String::new();
    let pulled = list(v, "pulledSkills");
    let removed = list(v, "removedSkills");
    if v["merged"] == true {
        out.push_str(&format!("Merged the changes of {at}.\n"));
    } else if pull {
        out.push_str(&format!("Already up to date with {at}.\n"));
    }
    if !pulled.is_empty() {
        out.push_str(&format!(
            "New or changed from the remote: {}\n",
            pulled.join(", ")
        ));
    }
    if !removed.is_empty() {
        out.push_str(&format!("Deleted on the remote: {}\n", removed.join(", ")));
    }
    if !pull {
        let skills = list(v, "skills");
        let what = if v["pushed"] == true {
            "Published"
        } else {
            "Already published"
        };
        out.push_str(&format!(
            "{what} {} skill(s) to {at} at {commit}: {}\n",
            skills.len(),
            skills.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_what_moved() {
        let v = json!({"remote": "file:///r.git", "branch": "main", "commit": "0123456789abcdef",
                       "pushed": true, "merged": true, "pulledSkills": ["b"], "removedSkills": [],
                       "skills": ["a", "b"]});
        let text = summary(&v, false);
        assert!(
            text.contains("Merged the changes of file:///r.git (main)"),
            "{text}"
        );
        assert!(text.contains("New or changed from the remote: b"), "{text}");
        assert!(text.contains("Published 2 skill(s) to file:///r.git (main) at 01234567: a, b"));
        let pulled = summary(
            &json!({"remote": "r", "branch": "main", "merged": false}),
            true,
        );
        assert_eq!(pulled, "Already up to date with r (main).\n");
    }
}
