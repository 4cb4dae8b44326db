//! Reconciliation benchmark (not a test): `reconcile_startup` over 1,000 skills on disk and in
//! the database, in a mix of states, next to a baseline measured in the same run: a bare
//! walk of every file under `skills_path` plus `SELECT name FROM skills`.
//! Run: `cargo bench -p skill-builder-core --bench reconcile`.
//!
//! Each timed run gets a fresh copy of the fixture (so every run has the same work to do:
//! resets, advances, moved files, discoveries, a trash commit); then the same data dir is
//! reconciled again to time the steady state (nothing left to fix).

use rusqlite::params;
use skill_builder_core::{history, reconcile, App};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SKILLS: usize = 1000;
const RUNS: usize = 5;

/// A workflow run: current step, status, completed step rows.
type Run = (i32, &'static str, &'static [i32]);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn evidence(dir: &Path, steps: &[u32]) {
    for s in steps {
        match s {
            0 => {
                write(dir, "context/research-plan.md", "# plan\n");
                write(dir, "context/clarifications.json", "{}");
            }
            2 => write(dir, "context/decisions.md", "# decisions\n"),
            _ => {
                write(dir, "SKILL.md", "---\nname: x\ndescription: d\n---\nbody\n");
                write(dir, "references/a.md", "a\n");
                write(dir, "references/b.md", "b\n");
            }
        }
    }
}

/// 1,000 entries: 40 % finished, 20 % waiting for step 2, 10 % DB ahead (reset + a stray
/// SKILL.md), 10 % disk ahead (advance), 10 % fresh, 5 % marketplace, 3 % discovered
/// folders, 2 % folders without SKILL.md. Everything is committed first, like a real repo.
fn fixture(data: &Path) -> Arc<App> {
    let app = App::open_with(Some(data.to_path_buf()), Default::default()).unwrap();
    let skills = app.skills_path();
    let ws = app.workspace_path();
    {
        let mut conn = app.db.conn();
        let tx = conn.transaction().unwrap();
        for i in 0..SKILLS {
            let name = format!("skill-{i:04}");
            let dir = skills.join(&name);
            let kind = i % 100;
            let (source, run): (&str, Option<Run>) = match kind {
                0..=39 => ("skill-builder", Some((3, "completed", &[0, 1, 2, 3]))),
                40..=59 => ("skill-builder", Some((2, "pending", &[0, 1, 2]))),
                60..=69 => ("skill-builder", Some((3, "pending", &[0, 1, 2]))),
                70..=79 => ("skill-builder", Some((0, "pending", &[]))),
                80..=89 => ("skill-builder", Some((0, "pending", &[]))),
                90..=94 => ("marketplace", None),
                _ => ("", None),
            };
            match kind {
                0..=39 => evidence(&dir, &[0, 2, 3]),
                40..=59 => evidence(&dir, &[0, 2]),
                60..=69 => {
                    evidence(&dir, &[0]);
                    write(&dir, "SKILL.md", "stray");
                }
                70..=79 => evidence(&dir, &[0, 2]),
                80..=89 => std::fs::create_dir_all(dir.join("context")).unwrap(),
                90..=94 => evidence(&dir, &[3]),
                95..=97 => evidence(&dir, &[0, 3]),
                _ => write(&dir, "notes.md", "n"),
            }
            if source.is_empty() {
                continue;
            }
            std::fs::create_dir_all(ws.join(&name)).unwrap();
            tx.execute(
                "INSERT INTO skills (name, skill_source, purpose) VALUES (?1, ?2, 'domain')",
                params![name, source],
            )
            .unwrap();
            let id = tx.last_insert_rowid();
            if let Some((step, status, done)) = run {
                tx.execute(
                    "INSERT INTO workflow_runs (skill_name, current_step, status, skill_id) VALUES (?1, ?2, ?3, ?4)",
                    params![name, step, status, id],
                )
                .unwrap();
                let run_id = tx.last_insert_rowid();
                for s in done {
                    tx.execute(
                        "INSERT INTO workflow_steps (skill_name, step_id, status, completed_at, workflow_run_id)
                         VALUES (?1, ?2, 'completed', '2024-01-01T00:00:00.000Z', ?3)",
                        params![name, s, run_id],
                    )
                    .unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    history::commit_all(&skills, "bench fixture").unwrap();
    app
}

/// The floor: visit every file under the skills folder and read the skill names.
fn baseline(app: &App) -> usize {
    fn walk(dir: &Path, n: &mut usize) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                if e.file_name() != ".git" {
                    walk(&e.path(), n);
                }
            } else {
                *n += 1;
            }
        }
    }
    let mut files = 0;
    walk(&app.skills_path(), &mut files);
    let conn = app.db.conn();
    let mut stmt = conn.prepare("SELECT name FROM skills").unwrap();
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    files + names.len()
}

fn main() {
    let mut first = Vec::new();
    let mut steady = Vec::new();
    let mut base = Vec::new();
    let mut summary = String::new();
    for run in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let app = fixture(dir.path());

        let t = Instant::now();
        let n = baseline(&app);
        base.push(t.elapsed());
        assert!(n > SKILLS);

        let t = Instant::now();
        let r = reconcile::reconcile_startup(&app).unwrap();
        first.push(t.elapsed());
        if run == 0 {
            summary = format!(
                "{} notifications, {} discovered, {} cleaned",
                r.notifications.len(),
                r.discovered_skills.len(),
                r.auto_cleaned
            );
        }

        let t = Instant::now();
        let again = reconcile::reconcile_startup(&app).unwrap();
        steady.push(t.elapsed());
        assert!(again.notifications.is_empty() && again.auto_cleaned == 0);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (f, s, b) = (median(first), median(steady), median(base));
    println!("reconcile_startup, {SKILLS} skills (median of {RUNS} runs; first run: {summary})");
    println!(
        "  first reconcile (fixes + trash + commit): {:8.1} ms",
        ms(f)
    );
    println!(
        "  steady state (nothing to fix):            {:8.1} ms",
        ms(s)
    );
    println!(
        "  baseline (walk every file + SELECT name): {:8.1} ms",
        ms(b)
    );
    println!(
        "  ratio: first {:.1}x, steady {:.1}x the baseline",
        ms(f) / ms(b),
        ms(s) / ms(b)
    );
}
