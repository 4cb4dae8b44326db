//! Skill discovery in a repository tree, whatever brought the tree in (GitHub's REST API or a
//! git fetch), ingestion.md §4.3–4.4 with the backend rules: `marketplace.json` when present —
//! string sources relative to `metadata.pluginRoot`/`plugin_root`, each plugin's `skills` list
//! honoured, object sources reported — else every folder holding a SKILL.md. Every skill is
//! listed exactly once. The caller reads the files; this module only decides from paths and
//! contents.

use crate::error::{Error, Result};
use crate::ingest::frontmatter::parse_skill_md;
use crate::skill_meta::SkillMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// One entry of a recursive git tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    /// `100644`, `100755`, `120000` (symlink), `160000` (submodule), `040000` (tree).
    pub mode: String,
    /// `blob`, `tree` or `commit`.
    pub kind: String,
    pub size: Option<u64>,
}

impl TreeEntry {
    /// A regular file (symlinks and submodules are not files we import).
    pub fn is_file(&self) -> bool {
        self.kind == "blob" && (self.mode == "100644" || self.mode == "100755")
    }
    pub fn is_executable(&self) -> bool {
        self.mode == "100755"
    }
}

/// The regular files of a tree.
pub fn files(tree: &[TreeEntry]) -> impl Iterator<Item = &TreeEntry> {
    tree.iter().filter(|e| e.is_file())
}

pub fn has_file(tree: &[TreeEntry], path: &str) -> bool {
    files(tree).any(|e| e.path == path)
}

/// A skill the repository offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailableSkill {
    /// Repo-relative skill folder: the import key.
    pub path: String,
    pub name: String,
    pub plugin_name: Option<String>,
    pub description: Option<String>,
    pub purpose: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
    /// Every plugin listing this folder (the first one is `plugin_name`).
    #[serde(default)]
    pub plugins: Vec<String>,
    /// Why the SKILL.md could not be read (the entry stays listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// `./x/`, `x`, `./` → a clean repo-relative path; `..` anywhere → None.
pub(crate) fn clean_rel(p: &str) -> Option<String> {
    let mut parts = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

pub fn manifest_path(subpath: Option<&str>) -> String {
    join(
        &subpath.and_then(clean_rel).unwrap_or_default(),
        ".claude-plugin/marketplace.json",
    )
}

/// Parses a `marketplace.json` read from `path` in `place` (`owner/repo`, a URL).
pub fn parse_manifest(bytes: &[u8], path: &str, place: &str) -> Result<Value> {
    let v: Value = serde_json::from_slice(bytes).map_err(|_| {
        Error::invalid(format!(
            "marketplace.json at {path} in {place} is not valid JSON."
        ))
    })?;
    if !v.is_object() {
        return Err(Error::invalid(format!(
            "Failed to parse marketplace.json: expected an object at {path} in {place}"
        )));
    }
    Ok(v)
}

/// The plugin name a `plugin.json` gives.
pub fn plugin_json_name(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
}

/// Strict check of a catalog's paths, for sources that refuse rather than skip: a plugin
/// `source`, a `skills` entry or the plugin root that is absolute or has a `..` component
/// refuses the whole catalog (`invalid_input`).
pub fn check_manifest_paths(manifest: &Value) -> Result<()> {
    let mut paths: Vec<(String, &str)> = Vec::new();
    if let Some(md) = manifest.get("metadata") {
        for key in ["pluginRoot", "plugin_root"] {
            if let Some(p) = md.get(key).and_then(Value::as_str) {
                paths.push((format!("metadata.{key}"), p));
            }
        }
    }
    let plugins = manifest.get("plugins").and_then(Value::as_array);
    for (i, p) in plugins.into_iter().flatten().enumerate() {
        if let Some(s) = p.get("source").and_then(Value::as_str) {
            paths.push((format!("plugins[{i}].source"), s));
        }
        match p.get("skills") {
            Some(Value::String(s)) => paths.push((format!("plugins[{i}].skills"), s)),
            Some(Value::Array(a)) => {
                for (j, s) in a.iter().filter_map(Value::as_str).enumerate() {
                    paths.push((format!("plugins[{i}].skills[{j}]"), s));
                }
            }
            _ => {}
        }
    }
    for (key, p) in paths {
        let absolute =
            p.starts_with(['/', '\\']) || p.as_bytes().get(1) == Some(&b':') || p.contains('\0');
        if absolute || p.split(['/', '\\']).any(|s| s == "..") {
            return Err(Error::invalid(format!(
                "refused marketplace.json: {key} '{p}' leaves the repository (absolute paths and '..' are not allowed); nothing was imported"
            )));
        }
    }
    Ok(())
}

/// A candidate skill folder and the plugins that list it.
pub struct Candidate {
    pub path: String,
    pub plugins: Vec<String>,
    pub plugin_description: Option<String>,
}

/// Skill folders of a plugin: its `skills` list (each entry a skill folder, or a folder of
/// skill folders) or, when absent, the folders one level below `{plugin}/skills/`.
fn plugin_skill_dirs(tree: &[TreeEntry], plugin_path: &str, skills: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let children = |dir: &str| -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut v: Vec<String> = files(tree)
            .filter_map(|e| {
                let rest = e.path.strip_prefix(&prefix)?;
                let (child, file) = rest.split_once('/')?;
                (file == "SKILL.md").then(|| join(dir, child))
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let entries: Option<Vec<&str>> = match skills {
        Some(Value::String(s)) => Some(vec![s.as_str()]),
        Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_str).collect()),
        _ => None,
    };
    match entries {
        Some(list) => {
            for e in list {
                let Some(rel) = clean_rel(e) else {
                    tracing::warn!("marketplace skills entry '{e}' escapes the plugin; skipped");
                    continue;
                };
                let dir = join(plugin_path, &rel);
                if !dir.is_empty() && has_file(tree, &join(&dir, "SKILL.md")) {
                    out.push(dir);
                } else {
                    let kids = children(&dir);
                    if kids.is_empty() {
                        tracing::warn!("marketplace skills entry '{e}' holds no SKILL.md; skipped");
                    }
                    out.extend(kids);
                }
            }
        }
        None => out.extend(children(&join(plugin_path, "skills"))),
    }
    out
}

/// The candidate skill folders of a tree, each with the folder of the plugin listing it (no
/// I/O: the caller read the catalog).
pub fn candidates(
    tree: &[TreeEntry],
    subpath: Option<&str>,
    manifest: Option<&Value>,
    unsupported: &mut Vec<String>,
) -> Result<Vec<(Candidate, Option<String>)>> {
    let sub = subpath.and_then(clean_rel).unwrap_or_default();
    let mut found: Vec<(Candidate, Option<String>)> = Vec::new();
    let mut push = |path: String,
                    plugin: Option<String>,
                    desc: Option<String>,
                    plugin_path: Option<String>| {
        if let Some((c, _)) = found.iter_mut().find(|(c, _)| c.path == path) {
            if let Some(p) = plugin {
                if !c.plugins.contains(&p) {
                    c.plugins.push(p);
                }
            }
            return;
        }
        found.push((
            Candidate {
                path,
                plugins: plugin.into_iter().collect(),
                plugin_description: desc,
            },
            plugin_path,
        ));
    };
    let Some(m) = manifest else {
        let prefix = if sub.is_empty() {
            String::new()
        } else {
            format!("{sub}/")
        };
        let mut dirs: Vec<String> = files(tree)
            .filter_map(|e| {
                let dir = e.path.strip_suffix("/SKILL.md")?;
                dir.starts_with(&prefix).then(|| dir.to_string())
            })
            .collect();
        dirs.sort();
        for d in dirs {
            push(d, None, None, None);
        }
        return Ok(found);
    };
    let plugins = m.get("plugins").and_then(Value::as_array).ok_or_else(|| {
        Error::invalid("Failed to parse marketplace.json: missing 'plugins' array")
    })?;
    let meta = m.get("metadata");
    let plugin_root = meta
        .and_then(|md| md.get("pluginRoot").or_else(|| md.get("plugin_root")))
        .and_then(Value::as_str)
        .and_then(clean_rel)
        .unwrap_or_default();
    for (i, p) in plugins.iter().enumerate() {
        let pname = p.get("name").and_then(Value::as_str).map(str::to_string);
        let label = pname.clone().unwrap_or_else(|| format!("plugins[{i}]"));
        let src = match p.get("source") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                let kind = other
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or("object");
                unsupported.push(format!("{label} ({kind})"));
                continue;
            }
            None => {
                unsupported.push(format!("{label} (no source)"));
                continue;
            }
        };
        let Some(rel) = clean_rel(src) else {
            unsupported.push(format!("{label} (source escapes the repository)"));
            continue;
        };
        let explicit_rel = src.starts_with("./") || src == "." || src.is_empty();
        let base = if explicit_rel {
            rel
        } else {
            join(&plugin_root, &rel)
        };
        let plugin_path = join(&sub, &base);
        let desc = p
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        for dir in plugin_skill_dirs(tree, &plugin_path, p.get("skills")) {
            push(dir, pname.clone(), desc.clone(), Some(plugin_path.clone()));
        }
    }
    Ok(found)
}

/// What reading a candidate's SKILL.md gave.
pub enum SkillText {
    Bytes(Vec<u8>),
    Missing,
    Failed(String),
}

/// The listing entries of `cands`, given each one's SKILL.md (`texts`, same order) and the
/// names the plugins' `plugin.json` give (by plugin folder). An unreadable SKILL.md keeps its
/// entry, with `error` set.
pub fn available_skills(
    cands: Vec<(Candidate, Option<String>)>,
    texts: Vec<SkillText>,
    plugin_json_names: &BTreeMap<String, Option<String>>,
) -> Vec<AvailableSkill> {
    let mut skills = Vec::new();
    let mut seen = HashSet::new();
    for ((c, pp), text) in cands.into_iter().zip(texts) {
        if !seen.insert(c.path.clone()) {
            continue;
        }
        let folder = c.path.rsplit('/').next().unwrap_or(&c.path).to_string();
        let plugin_name = pp
            .as_ref()
            .and_then(|p| plugin_json_names.get(p).cloned().flatten())
            .or_else(|| c.plugins.first().cloned());
        let mut s = AvailableSkill {
            path: c.path.clone(),
            name: folder,
            plugin_name,
            description: c.plugin_description.clone(),
            purpose: None,
            meta: SkillMeta::default(),
            plugins: c.plugins.clone(),
            error: None,
        };
        match text {
            SkillText::Bytes(bytes) => fill_from_skill_md(&mut s, bytes),
            SkillText::Missing => s.error = Some("SKILL.md not found".into()),
            SkillText::Failed(e) => s.error = Some(e),
        }
        skills.push(s);
    }
    skills
}

fn fill_from_skill_md(s: &mut AvailableSkill, bytes: Vec<u8>) {
    let t = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            s.error = Some("SKILL.md is not valid UTF-8".into());
            return;
        }
    };
    let f = match parse_skill_md(&t) {
        Ok(md) => md.frontmatter,
        Err(e) => {
            s.error = Some(e.message);
            return;
        }
    };
    match f.name {
        Some(n) => s.name = n,
        None => {
            s.error = Some(format!(
                "SKILL.md at '{}' is missing the 'name' frontmatter field",
                s.path
            ))
        }
    }
    if f.description.is_some() {
        s.description = f.description;
    }
    s.meta.version = f.version;
    s.meta.model = f.model;
    s.meta.argument_hint = f.argument_hint;
    s.meta.user_invocable = f.user_invocable;
    s.meta.disable_model_invocation = f.disable_model_invocation;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escaping_catalog_paths_are_refused() {
        for bad in [
            json!({"plugins": [{"source": "../outside"}]}),
            json!({"plugins": [{"source": "/etc"}]}),
            json!({"plugins": [{"source": "./", "skills": ["./skills/../../x"]}]}),
            json!({"plugins": [{"source": "./", "skills": "C:\\x"}]}),
            json!({"metadata": {"pluginRoot": "../p"}, "plugins": []}),
        ] {
            let e = check_manifest_paths(&bad).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::InvalidInput, "{bad}");
        }
        let ok = json!({"metadata": {"pluginRoot": "plugins"},
            "plugins": [{"source": "./", "skills": ["./skills/a"]}, {"source": {"source": "github"}}]});
        check_manifest_paths(&ok).unwrap();
    }
}
