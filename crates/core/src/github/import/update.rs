//! Versions, update checks against a marketplace, and whether a skill was customised.

use super::sha256_hex;
use crate::app::App;
use crate::error::Result;
use crate::github::client::GitHub;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A lenient version: `v` stripped, missing parts are 0 (`1.0` = `1.0.0`), pre-release
/// after `-`, build metadata after `+` ignored. Non-numeric parts → unparsable.
fn parse_version(v: &str) -> Option<(u64, u64, u64, Option<String>)> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split('+').next()?;
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p.to_string())),
        None => (v, None),
    };
    let nums: Vec<u64> = core
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    if nums.is_empty() || nums.len() > 3 {
        return None;
    }
    Some((
        nums[0],
        nums.get(1).copied().unwrap_or(0),
        nums.get(2).copied().unwrap_or(0),
        pre,
    ))
}

/// Lenient version order; `None` when either side is unparsable.
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let (a, b) = (parse_version(a)?, parse_version(b)?);
    let base = (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2));
    if base != std::cmp::Ordering::Equal {
        return Some(base);
    }
    Some(match (&a.3, &b.3) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// True when `new` is strictly newer than `old` (both parsable).
pub fn version_newer(new: &str, old: &str) -> bool {
    compare_versions(new, old) == Some(std::cmp::Ordering::Greater)
}

/// Command `get_dashboard_skill_names` (sync): every name in `skills`.
pub fn get_dashboard_skill_names(app: &App, _: crate::args::NoArgs) -> Result<Vec<String>> {
    let conn = app.db.conn();
    let mut st = conn.prepare("SELECT name FROM skills ORDER BY name")?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillUpdateInfo {
    pub name: String,
    pub path: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceUpdateResult {
    pub library: Vec<SkillUpdateInfo>,
    pub workspace: Vec<SkillUpdateInfo>,
    pub registry_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckMarketplaceUpdatesArgs {
    pub owner: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub subpath: Option<String>,
    pub source_url: String,
}

/// Command `check_marketplace_updates` (async).
pub async fn check_marketplace_updates(
    app: &App,
    args: CheckMarketplaceUpdatesArgs,
) -> Result<MarketplaceUpdateResult> {
    let gh = GitHub::from_app(app)?;
    let (_, listing) = crate::github::discovery::list_skills(
        &gh,
        &args.owner,
        &args.repo,
        Some(&args.branch),
        args.subpath.as_deref(),
    )
    .await?;
    let conn = app.db.conn();
    let installed = |table: &str, name: &str| -> Result<Option<Option<String>>> {
        Ok(conn
            .query_row(
                &format!(
                    "SELECT version FROM {table} WHERE skill_name = ?1 AND marketplace_source_url = ?2"
                ),
                params![name, args.source_url],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?)
    };
    let mut res = MarketplaceUpdateResult {
        library: Vec::new(),
        workspace: Vec::new(),
        registry_name: listing.registry_name.clone(),
    };
    for s in listing.skills.iter().filter(|s| s.error.is_none()) {
        let Some(v) = s.meta.version.as_deref().filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let info = SkillUpdateInfo {
            name: s.name.clone(),
            path: s.path.clone(),
            version: v.to_string(),
        };
        let outdated = |have: Option<String>| match have.filter(|h| !h.trim().is_empty()) {
            None => true,
            Some(h) => version_newer(v, &h),
        };
        if let Some(have) = installed("workspace_skills", &s.name)? {
            if outdated(have) {
                res.workspace.push(info.clone());
            }
        }
        if let Some(have) = installed("imported_skills", &s.name)? {
            if outdated(have) {
                res.library.push(info);
            }
        }
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckSkillCustomizedArgs {
    pub skill_name: String,
}

/// Command `check_skill_customized` (sync): true iff a stored baseline hash exists and
/// differs from SHA-256 of the current SKILL.md. Anything missing → false.
pub fn check_skill_customized(app: &App, args: CheckSkillCustomizedArgs) -> Result<bool> {
    let found: Option<(String, Option<String>)> = {
        let conn = app.db.conn();
        let q = |table: &str| {
            conn.query_row(
                &format!("SELECT disk_path, content_hash FROM {table} WHERE skill_name = ?1"),
                [&args.skill_name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        };
        match q("workspace_skills")? {
            Some(x) => Some(x),
            None => q("imported_skills")?,
        }
    };
    let Some((disk_path, Some(baseline))) = found else {
        return Ok(false);
    };
    let Ok(dir) = std::fs::canonicalize(&disk_path) else {
        return Ok(false);
    };
    let roots = [
        app.workspace_path().join(".claude").join("skills"),
        app.skills_path(),
    ];
    let inside = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .any(|r| dir.starts_with(&r) && dir != r);
    if !inside {
        return Ok(false);
    }
    match std::fs::read(dir.join("SKILL.md")) {
        Ok(bytes) => Ok(sha256_hex(&bytes) != baseline),
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_versions() {
        assert!(version_newer("1.0.1", "1.0.0"));
        assert!(version_newer("v2", "1.9.9"));
        assert!(!version_newer("1.0", "1.0.0"));
        assert!(version_newer("1.0.0", "1.0.0-beta"));
        assert!(!version_newer("abc", "1.0.0"));
        assert!(!version_newer("", "1.0.0"));
        assert_eq!(
            compare_versions("1.10", "1.9"),
            Some(std::cmp::Ordering::Greater)
        );
    }
}
