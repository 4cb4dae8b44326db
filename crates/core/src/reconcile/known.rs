//! Pass 1: each skill the database knows, compared with what its folder proves.

use super::apply::Op;
use super::detect::{detect_furthest_step, has_skill_output, step_files, DETECTABLE_STEPS};
use super::snapshot::{SkillRow, Snapshot};
use super::trash::trash_files;
use super::{OrphanSkill, ReconciliationResult};
use std::path::{Path, PathBuf};

pub(super) struct Ctx<'a> {
    pub(super) workspace: &'a Path,
    pub(super) skills: &'a Path,
    pub(super) ops: Vec<Op>,
    pub(super) result: ReconciliationResult,
}

/// "step 1 (Research)": one-based with the name, as people read it (`step` is the 0-based id).
fn label(step: i32) -> String {
    crate::workflow::labels::step_label(step)
}

fn files_note(files: &[(PathBuf, String)]) -> String {
    let names: Vec<&str> = files.iter().map(|(_, r)| r.as_str()).collect();
    names.join(", ")
}

/// Pass 1 for one builder skill (lifecycle.md §2.4, with the fixes listed at the top).
pub(super) fn reconcile_builder(ctx: &mut Ctx<'_>, snap: &Snapshot, skill: &SkillRow) {
    let name = skill.name.as_str();
    // Scenario 7: another live instance (or this one) is working on it.
    if snap.live.contains(name) {
        ctx.result.notifications.push(format!(
            "'{name}' skipped — active session running in another instance"
        ));
        return;
    }
    let run = snap.runs.get(name);
    let step_rows = snap.steps.get(name);
    let row_status = |id: i32| step_rows.and_then(|m| m.get(&id)).map(String::as_str);
    let mut interrupted: Vec<i32> = step_rows
        .map(|m| {
            m.iter()
                .filter(|(_, s)| s.as_str() == "in_progress")
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default();
    interrupted.sort_unstable();
    if !interrupted.is_empty() || run.is_some_and(|r| r.status == "in_progress") {
        ctx.ops.push(Op::ResetInProgress { skill: name.into() });
    }

    let skill_dir = ctx.skills.join(name);
    let ws_dir = ctx.workspace.join(name);
    // D12: the whole output folder is gone → the user decides (delete or keep).
    if !skill_dir.is_dir() {
        ctx.result.orphans.push(OrphanSkill {
            skill_name: name.into(),
            purpose: skill.purpose.clone().unwrap_or_else(|| "domain".into()),
        });
        return;
    }
    // Scenario 5, before anything detects (D7).
    if !ws_dir.is_dir() {
        let ctx_dir = ws_dir.join("context");
        if let Err(e) = std::fs::create_dir_all(&ctx_dir) {
            tracing::warn!("could not recreate {}: {e}", ctx_dir.display());
        }
    }

    // A step left in progress by a crash: its output is partial, whatever is on disk.
    let mut interrupted_trash: Option<String> = None;
    if !interrupted.is_empty() {
        let files: Vec<(PathBuf, String)> = interrupted
            .iter()
            .filter(|s| DETECTABLE_STEPS.contains(&(**s as u32)))
            .flat_map(|s| step_files(&skill_dir, &ws_dir, *s as u32))
            .collect();
        interrupted_trash = trash_files(ctx.skills, name, &files).map(|e| {
            ctx.result.auto_cleaned += 1;
            format!("{e} ({})", files_note(&files))
        });
    }

    let d = detect_furthest_step(ctx.workspace, name, ctx.skills);
    let Some(run) = run else {
        // Scenario 10: master row without a run.
        let step = d.map(|d| d as i32).unwrap_or(0);
        let status = if step >= 3 { "completed" } else { "pending" };
        ctx.ops.push(Op::CreateRun {
            skill: name.into(),
            skill_id: skill.id,
            step,
            status,
            purpose: skill.purpose.clone().unwrap_or_else(|| "domain".into()),
        });
        if let Some(d) = d {
            for s in 0..=d as i32 {
                ctx.ops.push(Op::CompleteStep {
                    skill: name.into(),
                    step: s,
                });
            }
        }
        ctx.result.notifications.push(format!(
            "'{name}' workflow record recreated at {}",
            label(step)
        ));
        push_interrupted_note(ctx, name, &interrupted, &interrupted_trash, step);
        return;
    };

    let c = run.current_step;
    let status_before = if run.status == "in_progress" {
        "pending"
    } else {
        run.status.as_str()
    };
    // What the DB claims is done: `c` itself only when its row (or the run) is completed.
    let claimed = if status_before == "completed" || row_status(c) == Some("completed") {
        c
    } else {
        c - 1
    };
    let mut final_step = c;
    let mut final_status = status_before.to_string();
    let mut future_from: Option<u32> = None;
    match d {
        Some(d) => {
            let d_i = d as i32;
            let mut reset = false;
            if d_i > c {
                // Scenario 3: the disk is ahead.
                ctx.ops.push(Op::SetRun {
                    skill: name.into(),
                    step: d_i,
                    status: "pending",
                });
                final_step = d_i;
                final_status = "pending".into();
                ctx.result.notifications.push(format!(
                    "'{name}' was advanced from {} to {} (disk state ahead of DB)",
                    label(c),
                    label(d_i)
                ));
            } else if c > d_i {
                let last_expected = DETECTABLE_STEPS
                    .iter()
                    .map(|s| *s as i32)
                    .filter(|s| *s <= claimed)
                    .max();
                if last_expected.is_some_and(|le| d_i < le) {
                    // Scenario 2 (and 6): the DB is ahead of what the disk proves.
                    ctx.ops.push(Op::SetRun {
                        skill: name.into(),
                        step: d_i,
                        status: "pending",
                    });
                    ctx.ops.push(Op::ResetStepsFrom {
                        skill: name.into(),
                        from: d_i,
                    });
                    final_step = d_i;
                    final_status = "pending".into();
                    reset = true;
                    ctx.result.notifications.push(format!(
                        "'{name}' was reset from {} to {} (disk state behind DB)",
                        label(c),
                        label(d_i)
                    ));
                }
                // Otherwise scenario 2′: the DB is accepted as is.
            }
            // Every step up to `d` is proven (step 1 is implied by step 2).
            for s in 0..=d_i {
                ctx.ops.push(Op::CompleteStep {
                    skill: name.into(),
                    step: s,
                });
            }
            if !reset {
                // Non-detectable steps between the proof and the DB step (exclusive, D9).
                for s in (d_i + 1)..c.min(4) {
                    if !DETECTABLE_STEPS.contains(&(s as u32)) {
                        ctx.ops.push(Op::CompleteStep {
                            skill: name.into(),
                            step: s,
                        });
                    }
                }
            }
            if d >= 3 && status_before != "completed" {
                final_step = final_step.max(d_i).max(c);
                final_status = "completed".into();
                ctx.ops.push(Op::SetRun {
                    skill: name.into(),
                    step: final_step,
                    status: "completed",
                });
            }
            if d < 3 {
                future_from = Some(d + 1);
            }
        }
        None if c > 0 => {
            // Scenario 4: nothing proven although the DB is past step 0.
            ctx.ops.push(Op::SetRun {
                skill: name.into(),
                step: 0,
                status: "pending",
            });
            ctx.ops.push(Op::ResetStepsFrom {
                skill: name.into(),
                from: 0,
            });
            final_step = 0;
            final_status = "pending".into();
            future_from = Some(0);
            ctx.result.notifications.push(format!(
                "'{name}' was reset from {} to {} (no output files found)",
                label(c),
                label(0)
            ));
        }
        None => {
            // Scenario 8: a fresh skill; clear stray completions. Only a half-written step 0
            // is moved aside.
            ctx.ops.push(Op::ResetStepsFrom {
                skill: name.into(),
                from: 0,
            });
            let partial = step_files(&skill_dir, &ws_dir, 0);
            if let Some(entry) = trash_files(ctx.skills, name, &partial) {
                ctx.result.auto_cleaned += 1;
                ctx.result.notifications.push(format!(
                    "'{name}': an incomplete {} ({}) was moved to .trash/{entry}. Run it again.",
                    label(0),
                    files_note(&partial)
                ));
            }
        }
    }
    // Outputs of steps the disk does not prove go to the trash (cleanup_future_steps, D8).
    if let Some(from) = future_from {
        let files: Vec<(PathBuf, String)> = (from..=3)
            .flat_map(|s| step_files(&skill_dir, &ws_dir, s))
            .collect();
        if let Some(entry) = trash_files(ctx.skills, name, &files) {
            ctx.result.auto_cleaned += 1;
            ctx.result.notifications.push(format!(
                "'{name}': {} moved to .trash/{entry} — they belong to steps the skill has not \
                 completed. Restore them from there if you need them; the workflow continues at {}.",
                files_note(&files),
                label(final_step)
            ));
        }
    }
    push_interrupted_note(ctx, name, &interrupted, &interrupted_trash, final_step);
    if final_status == "completed" && !has_skill_output(&skill_dir) {
        tracing::warn!("'{name}' is completed but has no SKILL.md, references/ or context/");
    }
}

fn push_interrupted_note(
    ctx: &mut Ctx<'_>,
    name: &str,
    interrupted: &[i32],
    trashed: &Option<String>,
    resume: i32,
) {
    let Some(&step) = interrupted.first() else {
        return;
    };
    let moved = match trashed {
        Some(entry) => format!(" Its partial output was moved to .trash/{entry}."),
        None => String::new(),
    };
    ctx.result.notifications.push(format!(
        "'{name}' was interrupted during {} — the app stopped before the step finished.{moved} \
         The workflow continues at {}; run it again.",
        label(step),
        label(resume)
    ));
}

/// Pass 1 for a marketplace skill: scenario 11 (nothing) or 12 (row dropped).
pub(super) fn reconcile_marketplace(ctx: &mut Ctx<'_>, skill: &SkillRow) {
    if ctx.skills.join(&skill.name).join("SKILL.md").is_file() {
        return;
    }
    ctx.ops.push(Op::DeleteMaster {
        skill: skill.name.clone(),
        id: skill.id,
    });
    ctx.result.auto_cleaned += 1;
    ctx.result.notifications.push(format!(
        "'{}' marketplace skill removed — SKILL.md not found on disk",
        skill.name
    ));
}
