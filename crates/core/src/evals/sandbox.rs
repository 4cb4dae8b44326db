//! Working folders of an eval run under `<temp>/skill-builder-eval-<run id>/`: one per agent
//! run, holding the eval's input files and, for a configuration with a skill, that skill's
//! deployable files in `.claude/skills/<name>/` — nothing else of ours. The whole tree goes
//! when the run ends (also on error or cancellation: [`Sandbox`] removes it on drop).

use super::grade::{WrittenFile, MAX_FILES_CHARS, MAX_FILE_CHARS};
use crate::error::{IoContext, Result};
use crate::safe_fs;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Sandbox {
    pub root: PathBuf,
}

impl Sandbox {
    pub fn new(run_id: &str) -> Result<Sandbox> {
        let root = std::env::temp_dir().join(format!("skill-builder-eval-{run_id}"));
        crate::paths::create_private_dir_all(&root).with_path(&root)?;
        Ok(Sandbox { root })
    }
}

/// A fresh working folder `root/name` with `skill` (its name and a real folder to deploy
/// from) and the input `files` (source path, file name).
pub fn workdir(
    root: &Path,
    name: &str,
    skill: Option<(&str, &Path)>,
    files: &[(PathBuf, String)],
) -> Result<PathBuf> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).with_path(&dir)?;
    if let Some((skill_name, src)) = skill {
        deploy(src, &dir.join(".claude/skills").join(skill_name))?;
    }
    for (src, file_name) in files {
        let to = dir.join(file_name);
        std::fs::copy(src, &to).with_path(&to)?;
    }
    Ok(dir)
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("could not remove {}: {e}", self.root.display());
            }
        }
    }
}

/// Copies the deployable files of the skill folder `src` (architecture.md: no `context/`,
/// `evals/`, `logs/`, links or junk) into `dest`: the expected answers and the evals
/// themselves never reach the agent under test.
pub fn deploy(src: &Path, dest: &Path) -> Result<()> {
    let found = safe_fs::deployable_files(src)?;
    std::fs::create_dir_all(dest).with_path(dest)?;
    for rel in &found.files {
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_path(parent)?;
        }
        std::fs::copy(src.join(rel), &to).with_path(&to)?;
    }
    Ok(())
}

/// Hash of every regular file under `dir` outside `.claude/` (relative `/` path → hash).
pub fn snapshot(dir: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (rel, path) in files_outside_claude(dir) {
        if let Ok(bytes) = std::fs::read(&path) {
            out.insert(rel, crate::hashing::sha256_hex(&bytes));
        }
    }
    out
}

/// The files a run created or changed since `before`, sorted, with their text (capped per
/// file and in total) — what the grader and the judge see.
pub fn written_files(dir: &Path, before: &HashMap<String, String>) -> Vec<WrittenFile> {
    let mut found: Vec<(String, PathBuf)> = files_outside_claude(dir);
    found.sort();
    let mut budget = MAX_FILES_CHARS;
    let mut out = Vec::new();
    for (rel, path) in found {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if before.get(&rel) == Some(&crate::hashing::sha256_hex(&bytes)) {
            continue;
        }
        let text = String::from_utf8(bytes.clone()).ok().map(|t| {
            let cap = MAX_FILE_CHARS.min(budget);
            let cut: String = t.chars().take(cap).collect();
            budget = budget.saturating_sub(cut.chars().count());
            cut
        });
        out.push(WrittenFile {
            path: rel,
            text,
            size: bytes.len() as u64,
        });
    }
    out
}

/// Regular files under `dir`, links never followed, `.claude/` skipped.
fn files_outside_claude(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let r = rel.join(e.file_name());
            if ft.is_dir() {
                if !(rel.as_os_str().is_empty() && e.file_name() == ".claude") {
                    stack.push(r);
                }
            } else if ft.is_file() {
                out.push((safe_fs::slash_path(&r), dir.join(&r)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_folder_gets_deployable_files_and_inputs_and_reports_what_changed() {
        let skill = tempfile::tempdir().unwrap();
        for d in ["evals", "context", "references"] {
            std::fs::create_dir_all(skill.path().join(d)).unwrap();
        }
        std::fs::write(skill.path().join("SKILL.md"), "---\nname: s\n---\n").unwrap();
        std::fs::write(skill.path().join("evals/evals.json"), "{}").unwrap();
        std::fs::write(skill.path().join("evals/in.csv"), "a,b\n").unwrap();
        std::fs::write(skill.path().join("context/decisions.md"), "D1").unwrap();
        std::fs::write(skill.path().join("references/r.md"), "# R").unwrap();

        let sb = Sandbox::new(&uuid::Uuid::new_v4().to_string()).unwrap();
        let root = sb.root.clone();
        let inputs = [(skill.path().join("evals/in.csv"), "in.csv".to_string())];
        let dir = workdir(&sb.root, "e1-with-r1", Some(("s", skill.path())), &inputs).unwrap();
        let deployed = dir.join(".claude/skills/s");
        assert!(deployed.join("SKILL.md").is_file() && deployed.join("references/r.md").is_file());
        assert!(!deployed.join("evals").exists() && !deployed.join("context").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("in.csv")).unwrap(),
            "a,b\n"
        );

        let before = snapshot(&dir);
        std::fs::write(dir.join("out.md"), "result").unwrap();
        std::fs::write(dir.join(".claude/skills/s/extra.md"), "x").unwrap();
        let written = written_files(&dir, &before);
        assert_eq!(written.len(), 1, "{written:?}");
        assert_eq!(
            (written[0].path.as_str(), written[0].text.as_deref()),
            ("out.md", Some("result"))
        );
        drop(sb);
        assert!(!root.exists(), "the sandbox is removed on drop");
    }
}
