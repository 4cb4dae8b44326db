//! Which workflow steps a skill folder proves done, and the files each step owns.

use std::path::{Path, PathBuf};

/// Steps whose completion can be proven from files (step 1 edits a step-0 file in place).
pub const DETECTABLE_STEPS: [u32; 3] = [0, 2, 3];

/// Evidence files of a step, relative to `{skills}/{name}/` (all are required).
pub fn evidence_files(step: u32) -> &'static [&'static str] {
    match step {
        0 => &["context/research-plan.md", "context/clarifications.json"],
        2 => &["context/decisions.md"],
        3 => &["SKILL.md"],
        _ => &[],
    }
}

fn step_proven(skill_dir: &Path, step: u32) -> bool {
    let files = evidence_files(step);
    !files.is_empty() && files.iter().all(|f| skill_dir.join(f).is_file())
}

/// Furthest step proven by the files of one skill folder (steps 0, 2, 3 in that order; the
/// walk stops at the first step that is not complete). Pure: reads only.
pub fn detect_in(skill_dir: &Path) -> Option<u32> {
    let mut furthest = None;
    for step in DETECTABLE_STEPS {
        if !step_proven(skill_dir, step) {
            break;
        }
        furthest = Some(step);
    }
    furthest
}

/// `detect_furthest_step` of lifecycle.md §2.3: `None` at once when the workspace marker
/// `{workspace}/{name}` is missing, else [`detect_in`] on `{skills}/{name}`. Unlike the
/// reference it never deletes anything (D8).
pub fn detect_furthest_step(workspace: &Path, name: &str, skills: &Path) -> Option<u32> {
    if !workspace.join(name).is_dir() {
        return None;
    }
    detect_in(&skills.join(name))
}

/// `SKILL.md` exists, or `references/` or `context/` is a folder.
pub fn has_skill_output(skill_dir: &Path) -> bool {
    skill_dir.join("SKILL.md").is_file()
        || skill_dir.join("references").is_dir()
        || skill_dir.join("context").is_dir()
}

/// Files a step owns, as (absolute path, path inside a trash entry). Steps 0–2: their
/// evidence files in `{skills}/{name}/` and legacy copies in `{workspace}/{name}/`; step 3:
/// `SKILL.md` and every entry of `references/` (the empty folder stays).
pub(super) fn step_files(skill_dir: &Path, ws_dir: &Path, step: u32) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    let mut push = |p: PathBuf, rel: String| {
        if std::fs::symlink_metadata(&p).is_ok() {
            out.push((p, rel));
        }
    };
    match step {
        0 | 2 => {
            for f in evidence_files(step) {
                push(skill_dir.join(f), f.to_string());
                if ws_dir != skill_dir {
                    push(ws_dir.join(f), format!("workspace/{f}"));
                }
            }
        }
        3 => {
            push(skill_dir.join("SKILL.md"), "SKILL.md".into());
            if let Ok(rd) = std::fs::read_dir(skill_dir.join("references")) {
                let mut entries: Vec<_> = rd.flatten().map(|e| e.file_name()).collect();
                entries.sort();
                for n in entries {
                    let n = n.to_string_lossy().into_owned();
                    push(
                        skill_dir.join("references").join(&n),
                        format!("references/{n}"),
                    );
                }
            }
        }
        _ => {}
    }
    out
}
