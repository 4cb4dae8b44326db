//! The four workflow steps: their agents, limits and output files, the guards read from the
//! context folder, and the checks that decide a step really produced its outputs.

use crate::safe_fs;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct StepDef {
    pub id: u32,
    pub name: &'static str,
    pub agent: &'static str,
    pub max_turns: u32,
    pub thinking_budget: u32,
    /// Output files relative to the skill output dir (step 3 also owns `references/`).
    pub outputs: &'static [&'static str],
}

pub const STEPS: [StepDef; 4] = [
    StepDef {
        id: 0,
        name: "Research",
        agent: "research-orchestrator",
        max_turns: 50,
        thinking_budget: 8_000,
        outputs: &["context/research-plan.md", "context/clarifications.json"],
    },
    StepDef {
        id: 1,
        name: "Detailed Research",
        agent: "detailed-research",
        max_turns: 50,
        thinking_budget: 8_000,
        outputs: &[],
    },
    StepDef {
        id: 2,
        name: "Confirm Decisions",
        agent: "confirm-decisions",
        max_turns: 100,
        thinking_budget: 32_000,
        outputs: &["context/decisions.md"],
    },
    StepDef {
        id: 3,
        name: "Generate Skill",
        agent: "generate-skill",
        max_turns: 120,
        thinking_budget: 16_000,
        outputs: &["SKILL.md", "context/evaluations.md"],
    },
];

pub const TOOLS: [&str; 8] = [
    "Read", "Write", "Edit", "Glob", "Grep", "Bash", "Task", "Skill",
];

pub fn step(id: u32) -> crate::Result<&'static StepDef> {
    STEPS
        .get(id as usize)
        .ok_or_else(|| crate::Error::invalid(format!("Unknown step_id {id}. Valid steps are 0-3.")))
}

pub fn context_dir(skill_dir: &Path) -> PathBuf {
    skill_dir.join("context")
}

fn read_json(p: &Path) -> Option<Value> {
    std::fs::read_to_string(p)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
}

/// `clarifications.json` parses and says the scope is too broad.
pub fn scope_too_broad(skill_dir: &Path) -> bool {
    read_json(&skill_dir.join("context/clarifications.json"))
        .is_some_and(|v| v["metadata"]["scope_recommendation"] == Value::Bool(true))
}

/// The frontmatter lines of a Markdown file (between the first two `---`).
fn frontmatter_lines(text: &str) -> Vec<&str> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("---") {
        return Vec::new();
    }
    lines.take_while(|l| l.trim() != "---").collect()
}

/// `decisions.md` frontmatter carries `contradictory_inputs: true`.
pub fn contradictory(skill_dir: &Path) -> bool {
    std::fs::read_to_string(skill_dir.join("context/decisions.md")).is_ok_and(|t| {
        frontmatter_lines(&t)
            .iter()
            .any(|l| l.trim() == "contradictory_inputs: true")
    })
}

/// Steps the UI must not start, from the guard files.
pub fn disabled_steps(skill_dir: &Path) -> Vec<u32> {
    if scope_too_broad(skill_dir) {
        vec![1, 2, 3]
    } else if contradictory(skill_dir) {
        vec![3]
    } else {
        Vec::new()
    }
}

/// Whether the step's outputs exist on disk (the reference's lenient check, kept for
/// `verify_step_output`): step 0 any of its files, step 2 `decisions.md`, step 3 `SKILL.md`.
pub fn outputs_present(skill_dir: &Path, id: u32) -> bool {
    match id {
        0 => STEPS[0].outputs.iter().any(|f| skill_dir.join(f).is_file()),
        2 => skill_dir.join("context/decisions.md").is_file(),
        3 => skill_dir.join("SKILL.md").is_file(),
        _ => true,
    }
}

/// The strict check run when an agent finishes: every output exists and is usable.
pub fn step_complete(skill_dir: &Path, id: u32) -> Result<(), String> {
    let need = |rel: &str| -> Result<String, String> {
        let p = skill_dir.join(rel);
        match std::fs::read_to_string(&p) {
            Ok(t) if !t.trim().is_empty() => Ok(t),
            Ok(_) => Err(format!("{rel} is empty")),
            Err(_) => Err(format!("{rel} was not written")),
        }
    };
    match id {
        0 => {
            need("context/research-plan.md")?;
            let c = need("context/clarifications.json")?;
            serde_json::from_str::<Value>(&c)
                .map(|_| ())
                .map_err(|e| format!("context/clarifications.json is not valid JSON: {e}"))
        }
        1 => {
            let c = need("context/clarifications.json")?;
            serde_json::from_str::<Value>(&c)
                .map(|_| ())
                .map_err(|e| format!("context/clarifications.json is not valid JSON: {e}"))
        }
        2 => need("context/decisions.md").map(|_| ()),
        3 => {
            let s = need("SKILL.md")?;
            let stub = frontmatter_lines(&s).iter().any(|l| {
                let l = l.trim();
                l == "scope_recommendation: true" || l == "contradictory_inputs: true"
            });
            if stub {
                Err("SKILL.md is a guard stub (scope too broad or contradictory inputs)".into())
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// Files a step produced, relative to the skill dir (for artifacts and reset previews).
/// Only regular files reached without a symbolic link count: a linked `references/` (or a
/// linked file in it) is never listed, so nothing outside the skill is stored or deleted.
pub fn produced_files(skill_dir: &Path, id: u32) -> Vec<String> {
    let mut files: Vec<String> = match id {
        1 => vec!["context/clarifications.json".to_string()],
        _ => STEPS[id as usize]
            .outputs
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let refs = skill_dir.join("references");
    if id == 3 && safe_fs::is_real_dir(&refs) {
        if let Ok(rd) = std::fs::read_dir(&refs) {
            let mut names: Vec<String> = rd
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| format!("references/{}", e.file_name().to_string_lossy()))
                .collect();
            names.sort();
            files.extend(names);
        }
    }
    files.retain(|f| {
        safe_fs::is_real_file(&skill_dir.join(f))
            && safe_fs::link_between(skill_dir, Path::new(f)).is_ok_and(|l| l.is_none())
    });
    files
}

/// Model id for a step: the per-step override, else the preferred model.
pub fn model_for(settings: &crate::settings::AppSettings, id: u32) -> String {
    let over = settings
        .step_overrides
        .get(&id.to_string())
        .and_then(|o| o.model.as_deref());
    crate::anthropic::resolve_model(over.or(settings.preferred_model.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_read_the_context_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("context")).unwrap();
        assert!(disabled_steps(d.path()).is_empty());
        std::fs::write(
            d.path().join("context/decisions.md"),
            "---\ndecision_count: 2\ncontradictory_inputs: true\n---\nx",
        )
        .unwrap();
        assert_eq!(disabled_steps(d.path()), vec![3]);
        std::fs::write(
            d.path().join("context/decisions.md"),
            "---\ncontradictory_inputs: revised\n---\n",
        )
        .unwrap();
        assert!(disabled_steps(d.path()).is_empty());
        std::fs::write(
            d.path().join("context/clarifications.json"),
            r#"{"metadata":{"scope_recommendation":true}}"#,
        )
        .unwrap();
        assert_eq!(disabled_steps(d.path()), vec![1, 2, 3]);
    }

    #[cfg(unix)]
    #[test]
    fn produced_files_never_lists_files_reached_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let skill = d.path().join("skill");
        let outside = d.path().join("outside");
        std::fs::create_dir_all(skill.join("references")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.md"), "outside").unwrap();
        std::fs::write(skill.join("SKILL.md"), "skill").unwrap();
        std::fs::write(skill.join("references/a.md"), "a").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.md"), skill.join("references/pw.md"))
            .unwrap();
        assert_eq!(produced_files(&skill, 3), ["SKILL.md", "references/a.md"]);
        std::fs::remove_dir_all(skill.join("references")).unwrap();
        std::os::unix::fs::symlink(&outside, skill.join("references")).unwrap();
        assert_eq!(produced_files(&skill, 3), ["SKILL.md"]);
    }

    #[test]
    fn strict_completion_rejects_stubs_and_bad_json() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("context")).unwrap();
        assert!(step_complete(d.path(), 0).is_err());
        std::fs::write(d.path().join("context/research-plan.md"), "plan").unwrap();
        std::fs::write(d.path().join("context/clarifications.json"), "{oops").unwrap();
        assert!(step_complete(d.path(), 0)
            .unwrap_err()
            .contains("not valid JSON"));
        std::fs::write(d.path().join("context/clarifications.json"), "{}").unwrap();
        assert!(step_complete(d.path(), 0).is_ok());
        std::fs::write(
            d.path().join("SKILL.md"),
            "---\nname: x\nscope_recommendation: true\n---\n",
        )
        .unwrap();
        assert!(step_complete(d.path(), 3).is_err());
        std::fs::write(d.path().join("SKILL.md"), "---\nname: x\n---\nbody").unwrap();
        assert!(step_complete(d.path(), 3).is_ok());
    }
}
