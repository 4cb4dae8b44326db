//! Which version of a skill is measured, what it is compared with, and how versions order.
//!
//! A skill's version is the last skills-repo commit that touched its folder (its "HEAD
//! commit"), with `-dirty` appended when the folder has uncommitted changes, and
//! `uncommitted` for a skill never committed. Versions order along the skill's history:
//! an older commit is earlier, and `<sha>-dirty` comes right after `<sha>`.

use crate::app::App;
use crate::error::{Error, Result};
use crate::history;
use std::path::Path;

pub const UNCOMMITTED: &str = "uncommitted";
const DIRTY: &str = "-dirty";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// What is stored and shown: `<sha>`, `<sha>-dirty` or `uncommitted`.
    pub label: String,
    pub sha: Option<String>,
    pub dirty: bool,
}

/// The version of `skill` in the skills folder right now.
pub fn current(app: &App, skill: &str) -> Result<Version> {
    let root = app.skills_path();
    let sha = history::skill_history(&root, skill, 1)?
        .into_iter()
        .next()
        .map(|c| c.sha);
    let dirty = sha.is_some() && !history::refine_diff(&root, skill)?.files.is_empty();
    let label = match &sha {
        Some(s) if dirty => format!("{s}{DIRTY}"),
        Some(s) => s.clone(),
        None => UNCOMMITTED.to_string(),
    };
    Ok(Version { label, sha, dirty })
}

/// What the baseline runs get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSpec {
    /// No skill at all (the default).
    None,
    /// The version before the measured one.
    Previous,
    /// The skill as it was at this commit (4 to 40 hex digits).
    Commit(String),
}

impl BaselineSpec {
    pub fn parse(s: Option<&str>) -> Result<BaselineSpec> {
        let s = s.map(str::trim).unwrap_or("none");
        match s {
            "" | "none" => Ok(BaselineSpec::None),
            "previous" => Ok(BaselineSpec::Previous),
            sha if (4..=40).contains(&sha.len()) && sha.chars().all(|c| c.is_ascii_hexdigit()) => {
                Ok(BaselineSpec::Commit(sha.to_ascii_lowercase()))
            }
            other => Err(Error::invalid(format!(
                "baseline '{other}' is not understood; use none, previous or a commit sha"
            ))),
        }
    }

    /// `none`, `previous` or `commit`: how the baseline was chosen.
    pub fn source(&self) -> &'static str {
        match self {
            BaselineSpec::None => "none",
            BaselineSpec::Previous => "previous",
            BaselineSpec::Commit(_) => "commit",
        }
    }
}

/// The commit a `previous` / `<sha>` baseline stands for, exported into `dest` (deployable
/// files are picked from there later). `None` for no baseline skill.
pub fn export_baseline(
    app: &App,
    skill: &str,
    spec: &BaselineSpec,
    current: &Version,
    dest: &Path,
) -> Result<Option<String>> {
    let root = app.skills_path();
    let sha = match spec {
        BaselineSpec::None => return Ok(None),
        BaselineSpec::Commit(sha) => sha.clone(),
        BaselineSpec::Previous => {
            // The measured version is the folder as it is; the one before it is its last
            // commit when the folder changed since, else the commit before that.
            let skip = if current.dirty { 0 } else { 1 };
            history::skill_history(&root, skill, skip + 1)?
                .into_iter()
                .nth(skip)
                .map(|c| c.sha)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "'{skill}' has no earlier version in the skills history to compare with; \
                         use --baseline none, or commit a change first"
                    ))
                })?
        }
    };
    history::export_skill_version(&root, skill, &sha, dest).map(Some)
}

/// Position of a version along `history` (the skill's commits, newest first): larger is
/// newer; `None` for a version that is not in it (history rewritten, another branch).
pub fn rank(label: &str, history: &[String]) -> Option<f64> {
    if label == UNCOMMITTED {
        return None;
    }
    let (sha, dirty) = match label.strip_suffix(DIRTY) {
        Some(s) => (s, true),
        None => (label, false),
    };
    let at = history.iter().position(|h| h == sha)?;
    let rank = -(at as f64);
    Some(if dirty { rank + 0.5 } else { rank })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_parse_and_bad_ones_are_refused() {
        assert_eq!(BaselineSpec::parse(None).unwrap(), BaselineSpec::None);
        assert_eq!(
            BaselineSpec::parse(Some("previous")).unwrap(),
            BaselineSpec::Previous
        );
        assert_eq!(
            BaselineSpec::parse(Some("ABCDEF12")).unwrap(),
            BaselineSpec::Commit("abcdef12".into())
        );
        let e = BaselineSpec::parse(Some("latest")).unwrap_err();
        assert!(e.message.contains("none, previous or a commit sha"));
    }

    #[test]
    fn versions_order_along_the_history_with_dirty_after_its_commit() {
        let h: Vec<String> = vec!["c3".into(), "c2".into(), "c1".into()];
        let r = |l: &str| rank(l, &h);
        assert!(r("c1") < r("c2") && r("c2") < r("c2-dirty") && r("c2-dirty") < r("c3"));
        assert_eq!(r("zz"), None);
        assert_eq!(r(UNCOMMITTED), None);
    }
}
