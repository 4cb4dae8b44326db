//! Library benchmark (not a test): time to create 1,000 skills through the command, and
//! `list_skills` over 10,000 skills next to a bare rusqlite SELECT of the same rows.
//! Run: `cargo bench -p skill-builder-core --bench library`.

use serde_json::json;
use skill_builder_core::{catalog, skills, App};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf())).unwrap();

    // 1,000 skills through the full command (validation, rows, folders).
    let t = Instant::now();
    for i in 0..1000 {
        let args = json!({"name": format!("bench-skill-{i:05}"), "tags": ["bench", format!("t{}", i % 10)]});
        rt.block_on(catalog::call(&app, "create_skill", args))
            .unwrap();
    }
    let create = t.elapsed();
    println!(
        "create_skill x1000: {:.2} s total, {:.2} ms per skill",
        create.as_secs_f64(),
        create.as_secs_f64()
    );

    // Grow to 10,000 rows with plain inserts (the list cost does not depend on how they came).
    {
        let mut conn = app.db.conn();
        let tx = conn.transaction().unwrap();
        for i in 1000..10_000 {
            let name = format!("bench-skill-{i:05}");
            tx.execute("INSERT INTO skills (name, skill_source, purpose) VALUES (?1, 'skill-builder', 'domain')", [&name]).unwrap();
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO workflow_runs (skill_name, skill_id) VALUES (?1, ?2)",
                rusqlite::params![name, id],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO skill_tags (skill_name, tag, skill_id) VALUES (?1, 'bench', ?2)",
                rusqlite::params![name, id],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    let runs = 15;
    let mut list = Vec::new();
    let mut n_listed = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let v = skills::list_skills(&app, Default::default()).unwrap();
        list.push(t.elapsed());
        n_listed = v.len();
    }
    let mut bare = Vec::new();
    for _ in 0..runs {
        let conn = app.db.conn();
        let t = Instant::now();
        let mut stmt = conn
            .prepare("SELECT s.name, s.skill_source, s.purpose, s.updated_at, s.description, r.current_step, r.status
                      FROM skills s LEFT JOIN workflow_runs r ON r.skill_id = s.id")
            .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        bare.push(t.elapsed());
        assert_eq!(rows.len(), n_listed);
    }
    let (l, b) = (median(list), median(bare));
    println!(
        "list_skills over {n_listed} skills: {:.2} ms (median of {runs}); bare SELECT of the same rows: {:.2} ms; ratio {:.1}x",
        l.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        l.as_secs_f64() / b.as_secs_f64()
    );
}
