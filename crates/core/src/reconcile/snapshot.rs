//! The database state reconciliation reads first, before any disk or git work.

use super::sessions::live_session_skills;
use crate::app::App;
use crate::error::Result;
use std::collections::{HashMap, HashSet};

pub(super) struct SkillRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) source: String,
    pub(super) purpose: Option<String>,
}

pub(super) struct RunRow {
    pub(super) current_step: i32,
    pub(super) status: String,
}

pub(super) struct Snapshot {
    pub(super) skills: Vec<SkillRow>,
    pub(super) runs: HashMap<String, RunRow>,
    /// skill → (step id → status)
    pub(super) steps: HashMap<String, HashMap<i32, String>>,
    pub(super) live: HashSet<String>,
}

pub(super) fn read_snapshot(app: &App) -> Result<Snapshot> {
    let conn = app.db.conn();
    let skills = {
        let mut stmt =
            conn.prepare("SELECT id, name, skill_source, purpose FROM skills ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(SkillRow {
                id: r.get(0)?,
                name: r.get(1)?,
                source: r.get(2)?,
                purpose: r.get(3)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut runs = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT skill_name, current_step, status FROM workflow_runs")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                RunRow {
                    current_step: r.get(1)?,
                    status: r.get(2)?,
                },
            ))
        })?;
        for row in rows {
            let (k, v) = row?;
            runs.insert(k, v);
        }
    }
    let mut steps: HashMap<String, HashMap<i32, String>> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT skill_name, step_id, status FROM workflow_steps")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (k, id, st) = row?;
            steps.entry(k).or_default().insert(id, st);
        }
    }
    let live = live_session_skills(&conn)?;
    Ok(Snapshot {
        skills,
        runs,
        steps,
        live,
    })
}
