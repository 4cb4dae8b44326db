//! Words people read about a workflow: one-based step numbers with the step's name
//! ("step 1 (Research)") and a skill's state ("Needs your answers", "Running 2/4 (Detailed
//! Research)", "Built"). `step_id` stays 0–3 in the database and the API (architecture.md,
//! "Step numbers"); only what is printed is one-based. Every shell (CLI, web UI via
//! `list_skills.state_label`, commit messages, notifications) uses these so they agree.

use super::steps::STEPS;

/// How many steps a build has, for "2/4".
pub const STEP_COUNT: usize = STEPS.len();

/// The name of a step id, or `None` for an id outside the four-step workflow.
pub fn step_name(step_id: i32) -> Option<&'static str> {
    usize::try_from(step_id)
        .ok()
        .and_then(|i| STEPS.get(i))
        .map(|s| s.name)
}

/// "step 1 (Research)"; an id outside the workflow (a legacy row) reads "step 7".
pub fn step_label(step_id: i32) -> String {
    match step_name(step_id) {
        Some(name) => format!("step {} ({name})", step_id + 1),
        None => format!("step {}", step_id.saturating_add(1)),
    }
}

/// "steps 3 (Confirm Decisions) and 4 (Generate Skill)" for several ids, `step_label` for one.
pub fn steps_label(step_ids: &[i32]) -> String {
    let parts: Vec<String> = step_ids
        .iter()
        .map(|&id| step_label(id).trim_start_matches("step ").to_string())
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => format!("step {one}"),
        [init @ .., last] => format!("steps {} and {last}", init.join(", ")),
    }
}

/// A skill's state in a few words, from its `workflow_runs` row (`run_status`,
/// `current_step`) and its steps' `(step_id, status)`. `run_status` is `None` when the skill
/// was not built here (imported or from a marketplace): it is ready as it is.
pub fn state_label(run_status: Option<&str>, current_step: i32, steps: &[(i32, &str)]) -> String {
    let Some(run_status) = run_status else {
        return "Ready".into();
    };
    let status_of = |id: i32| {
        steps
            .iter()
            .find(|(s, _)| *s == id)
            .map(|(_, st)| *st)
            .unwrap_or("pending")
    };
    let last = STEP_COUNT as i32 - 1;
    if run_status == "completed" || status_of(last) == "completed" {
        return "Built".into();
    }
    let of_four = |id: i32| format!("{}/{STEP_COUNT} ({})", id + 1, step_name(id).unwrap_or("?"));
    if let Some((id, _)) = steps
        .iter()
        .find(|(id, st)| *st == "in_progress" && (0..=last).contains(id))
    {
        return format!("Running {}", of_four(*id));
    }
    let cur = current_step.clamp(0, last);
    if status_of(cur) == "error" {
        return format!("Failed at {}", of_four(cur));
    }
    if steps.iter().any(|(_, st)| *st == "waiting_for_user") {
        return "Needs your answers".into();
    }
    match cur {
        0 => "Not started".into(),
        // The question gates: after Research and after Detailed Research.
        1 | 2 => "Needs your answers".into(),
        _ => "Review decisions".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_based_with_names() {
        assert_eq!(step_label(0), "step 1 (Research)");
        assert_eq!(step_label(3), "step 4 (Generate Skill)");
        assert_eq!(step_label(6), "step 7");
        assert_eq!(steps_label(&[0]), "step 1 (Research)");
        assert_eq!(
            steps_label(&[0, 1, 2]),
            "steps 1 (Research), 2 (Detailed Research) and 3 (Confirm Decisions)"
        );
    }

    #[test]
    fn states_read_as_words() {
        assert_eq!(state_label(Some("pending"), 0, &[]), "Not started");
        assert_eq!(
            state_label(Some("pending"), 1, &[(0, "in_progress")]),
            "Running 1/4 (Research)"
        );
        assert_eq!(
            state_label(Some("pending"), 1, &[(0, "completed"), (1, "in_progress")]),
            "Running 2/4 (Detailed Research)"
        );
        assert_eq!(
            state_label(Some("pending"), 1, &[(0, "completed")]),
            "Needs your answers"
        );
        assert_eq!(
            state_label(
                Some("pending"),
                3,
                &[(0, "completed"), (1, "completed"), (2, "completed")]
            ),
            "Review decisions"
        );
        assert_eq!(
            state_label(
                Some("pending"),
                2,
                &[(0, "completed"), (1, "completed"), (2, "error")]
            ),
            "Failed at 3/4 (Confirm Decisions)"
        );
        assert_eq!(state_label(Some("completed"), 3, &[]), "Built");
        assert_eq!(state_label(None, 0, &[]), "Ready");
    }
}
