//! Start-up reconciliation (lifecycle.md §2): the database is the list of skills, the disk is
//! the judge of how far each skill's workflow got. Plus the commands that resolve what it
//! reports (`resolve_orphan`, `resolve_discovery`) and `clear_workspace`.
//!
//! Only `skills_path` is scanned. `{workspace}/.claude/skills` (plugin and bundled workspace
//! skills) and the per-skill workspace folders are never scanned or touched by discovery.
//!
//! Where the reference is wrong (lifecycle.md §8) this module does better:
//! - orphans (a builder skill whose whole folder is gone) are reported, not silently reset
//!   (D12), and `auto_cleaned` counts what was cleaned up without asking;
//! - detection is a pure function; files it would have deleted (partial or out-of-order step
//!   outputs) are moved to `{skills}/.trash/{name}-{timestamp}/` and reported (D8);
//! - unknown folders without `SKILL.md` (9a; a folder whose name is not a valid skill name
//!   is left to Pass 3) and Pass-3 leftovers go to
//!   `{skills}/.trash/{name}` (replacing an older entry) instead of being deleted (D11);
//!   `.trash/` entries older than 30 days are purged;
//! - a step left `in_progress` by a crash is reported, its partial output moved to the trash,
//!   and the skill resumes at that step (steps completed before it stay completed);
//! - scenario 10 recreates the workspace marker before detecting and keeps the purpose (D7);
//! - non-detectable steps are marked over `d+1 .. c` (exclusive), steps 0–3 only (D9);
//! - Pass 2 never touches a discovered folder, and undecided discoveries are not committed
//!   (D6); the trash commit happens only when something was moved, scoped to those folders
//!   (D3); git goes through `history` (libgit2), never the git binary (D13);
//! - the marketplace row of scenario 12 is dropped with its `imported_skills` rows in one
//!   transaction, and `master_names` is recomputed after Pass 1 (D15, database.md defect 6);
//! - orphaned sessions end at the latest `completed_at` of their agent runs, joined on
//!   `workflow_session_id` (database.md defect 3);
//! - the DB state is read first, disk and git work happen without holding the connection, and
//!   the DB changes of Pass 1 and 2 land in one transaction (D14).
//!
//! `current_step` is the step to run next in this backend (a finished step `n` leaves the run
//! at `n + 1`, `pending`), so "the DB claims step `c`" only when step `c`'s row (or the run) is
//! `completed`; otherwise the DB claims `c - 1`. Scenario 2 compares the disk with that claim,
//! so a skill waiting to start step 2 is not reset just because `decisions.md` does not exist yet.

mod apply;
mod detect;
mod known;
mod legacy;
mod resolve;
mod run;
mod sessions;
mod snapshot;
mod trash;

pub use detect::{
    detect_furthest_step, detect_in, evidence_files, has_skill_output, DETECTABLE_STEPS,
};
pub use legacy::{clear_workspace, remove_legacy_workspace_files};
pub use resolve::{resolve_discovery, resolve_orphan};
pub use run::{keep_for_ui, reconcile_startup, reconcile_startup_cmd};
pub use sessions::close_orphaned_sessions;
pub use trash::{purge_trash, trash_folder, TRASH_COMMIT_MESSAGE, TRASH_DIR, TRASH_RETENTION};

use serde::{Deserialize, Serialize};

// ---- result types (contract, snake_case) ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReconciliationResult {
    pub orphans: Vec<OrphanSkill>,
    pub notifications: Vec<String>,
    pub auto_cleaned: u32,
    pub discovered_skills: Vec<DiscoveredSkill>,
}

/// A builder skill whose folder in `skills_path` is gone; the UI offers delete / keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrphanSkill {
    pub skill_name: String,
    pub purpose: String,
}

/// An unknown folder in `skills_path` with a `SKILL.md`, waiting for the user's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoveredSkill {
    pub name: String,
    /// Furthest step proven on disk, -1 = none.
    pub detected_step: i32,
    /// `"9b"` (step 3 proven) or `"9c"`.
    pub scenario: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveArgs {
    pub skill_name: String,
    pub action: String,
}
