//! Workflow sessions at start-up: ending those whose process is gone, finding live ones.

use crate::app::App;
use crate::error::Result;
use std::collections::HashSet;

/// Ends every open workflow session whose process is gone, at the latest `completed_at` of
/// its agent runs (joined on `workflow_session_id`), else its `started_at`, else now.
/// Returns how many were closed.
pub fn close_orphaned_sessions(app: &App) -> Result<usize> {
    let open: Vec<(String, u32, Option<i64>)> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(
            "SELECT session_id, pid, pid_started_at FROM workflow_sessions WHERE ended_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let dead: Vec<String> = open
        .into_iter()
        .filter(|(_, pid, started)| !crate::locks::holder_alive(*pid, *started))
        .map(|(s, _, _)| s)
        .collect();
    if dead.is_empty() {
        return Ok(0);
    }
    app.db.write(|tx| {
        let now = crate::db::now();
        let mut n = 0;
        for s in &dead {
            n += crate::db::sessions_store::end_orphaned(tx, s, &now)?;
        }
        Ok(n)
    })
}

/// Names of skills with an open session of a live process (our own PID counts as live).
pub(super) fn live_session_skills(conn: &rusqlite::Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT COALESCE(k.name, s.skill_name), s.pid, s.pid_started_at FROM workflow_sessions s
         LEFT JOIN skills k ON k.id = s.skill_id
         WHERE s.ended_at IS NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
    let mut out = HashSet::new();
    for row in rows {
        let (name, pid, started) = row?;
        if crate::locks::holder_alive(pid, started) {
            out.insert(name);
        }
    }
    Ok(out)
}
