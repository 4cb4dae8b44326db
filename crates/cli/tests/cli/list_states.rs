//! `skill-builder list` shows each skill's state in words with one-based step numbers
//! ("Running 2/4 (Detailed Research)", "Needs your answers", "Built"), never the 0-based
//! `step_id` of the database ("Step 0"); commit messages read the same way (architecture.md,
//! "Step numbers").

use crate::support::run_ok;
use serde_json::{json, Value};
use std::path::Path;

fn create(data: &Path, name: &str) {
    run_ok(data, &["create", name, "--purpose", "domain"]);
}

/// Saves a workflow state through the same command the UI uses, after a change to the skill's
/// folder so the commit it makes is not empty.
fn save_state(data: &Path, name: &str, current: i32, status: &str, steps: &[(i32, &str)]) {
    let context = data.join("skills").join(name).join("context");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("research-plan.md"), format!("# {status}\n")).unwrap();
    let steps: Vec<Value> = steps
        .iter()
        .map(|(id, st)| json!({"step_id": id, "status": st}))
        .collect();
    let args = json!({
        "skillName": name, "currentStep": current, "status": status,
        "purpose": "domain", "stepStatuses": steps,
    });
    run_ok(data, &["call", "save_workflow_state", &args.to_string()]);
}

/// The STATE cell of `name`'s row in the `list` table.
fn state_of(table: &str, name: &str) -> String {
    let header = table.lines().next().unwrap();
    let (start, end) = (header.find("STATE").unwrap(), header.find("TAGS").unwrap());
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no row for {name} in\n{table}"));
    row[start..end.min(row.len())].trim().to_string()
}

#[test]
fn list_shows_states_with_one_based_steps() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path();
    for name in ["fresh", "answers", "running", "built"] {
        create(data, name);
    }
    save_state(
        data,
        "answers",
        1,
        "pending",
        &[(0, "completed"), (1, "pending")],
    );
    save_state(
        data,
        "running",
        1,
        "pending",
        &[(0, "completed"), (1, "in_progress")],
    );
    let all_done: Vec<(i32, &str)> = (0..4).map(|i| (i, "completed")).collect();
    save_state(data, "built", 3, "completed", &all_done);

    let out = run_ok(data, &["list"]);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.lines().next().unwrap().contains("STATE"), "{table}");
    assert_eq!(state_of(&table, "fresh"), "Not started", "{table}");
    assert_eq!(state_of(&table, "answers"), "Needs your answers", "{table}");
    assert_eq!(
        state_of(&table, "running"),
        "Running 2/4 (Detailed Research)",
        "{table}"
    );
    assert_eq!(state_of(&table, "built"), "Built", "{table}");
    assert!(
        !table.contains("Step 0") && !table.contains("Step 3"),
        "{table}"
    );

    // The same words for other shells, and `current_step` unchanged for the API.
    let v: Value = serde_json::from_slice(&run_ok(data, &["list", "--json"]).stdout).unwrap();
    let item = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(
        item("running")["state_label"],
        "Running 2/4 (Detailed Research)"
    );
    assert_eq!(item("running")["current_step"], "Step 1");

    // Commit messages: one-based, with the step's name.
    let history = |n: &str| -> Vec<String> {
        let args = json!({"skillName": n}).to_string();
        let v: Value =
            serde_json::from_slice(&run_ok(data, &["call", "get_skill_history", &args]).stdout)
                .unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        history("answers")[0],
        "answers: step 1 (Research) completed"
    );
    assert_eq!(
        history("built")[0],
        "built: steps 1 (Research), 2 (Detailed Research), 3 (Confirm Decisions) and \
         4 (Generate Skill) completed"
    );
}
