//! The Workflow command group: running the four steps on agents, their state in
//! `workflow_steps`/`workflow_runs`, outputs in `workflow_artifacts`, resets, guards, gates
//! and packages. Completion is decided by the backend from the files the agent wrote.

pub mod build;
pub mod context;
pub mod deploy;
mod gates;
pub mod labels;
mod package;
mod reset;
mod run;
pub mod sessions;
mod state;
pub mod steps;

pub use gates::{
    autofill_clarifications, autofill_refinements, log_gate_decision, run_answer_evaluator,
    GateArgs, EVALUATOR_VERDICTS, GATE_VERDICT_UNAVAILABLE,
};
pub use package::{package_skill, PackageResult};
pub use reset::{
    preview_step_reset, reset_legacy_skills, reset_workflow_step, scan_legacy_clarifications,
    ResetArgs, SkillNamesArgs, StepResetPreview,
};
pub use run::{run_workflow_step, start_step, RunStepArgs};
pub use state::{
    get_disabled_steps, get_workflow_state, save_workflow_state, verify_step_output, SaveStateArgs,
    SkillArgs, SkillStepArgs, StepStatusUpdate, WorkflowRunRow, WorkflowStateResponse,
    WorkflowStepRow,
};

// `build` fills the answers of a step it runs unattended.
use gates::autofill;
