//! Library benchmark (not a test): time to create 1,000 skills through the command, and
//! `list_skills` over 10,000 skills (alone and through the catalog, JSON text out) next to a bare
//! rusqlite SELECT of the same rows and columns.
//! Run: `cargo bench -p skill-builder-core --bench library`.

use serde_json::json;
use skill_builder_core::{catalog, skills, App};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_with(Some(dir.path().to_path_buf()), Default::default()).unwrap();

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
    let list_once = || skills::list_skills(&app, Default::default()).unwrap().len();
    let bare_once = || {
        let conn = app.db.conn();
        let mut stmt = conn
            .prepare(
                "SELECT s.id, s.name, s.skill_source, s.purpose, s.updated_at, s.description, s.version,
                        s.model, s.argument_hint, s.user_invocable, s.disable_model_invocation,
                        r.id, r.current_step, r.status, r.updated_at, r.author_login, r.author_avatar,
                        r.display_name, r.intake_json, r.source
                 FROM skills s LEFT JOIN workflow_runs r ON r.skill_id = s.id",
            )
            .unwrap();
        let rows: Vec<Vec<rusqlite::types::Value>> = stmt
            .query_map([], |r| (0..20).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.len()
    };
    // The shells' path: the JSON text they send.
    let call_once = || {
        let raw = rt
            .block_on(catalog::call_raw(&app, "list_skills", json!({})))
            .unwrap();
        raw.get().len()
    };
    // Interleaved rounds, so a load change hits the three alike.
    let (mut list, mut bare, mut call) = (Vec::new(), Vec::new(), Vec::new());
    let mut n_listed = 0;
    for _ in 0..runs {
        let t = Instant::now();
        assert_eq!(bare_once(), 10_000);
        bare.push(t.elapsed());
        let t = Instant::now();
        n_listed = list_once();
        list.push(t.elapsed());
        let t = Instant::now();
        assert!(call_once() > 0);
        call.push(t.elapsed());
    }
    assert_eq!(n_listed, 10_000);
    let (l, b, c) = (median(list), median(bare), median(call));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "list_skills over {n_listed} skills (median of {runs}): {:.2} ms; through catalog::call_raw \
         (JSON text out): {:.2} ms; bare SELECT of the same 20 columns: {:.2} ms; ratios {:.1}x and {:.1}x",
        ms(l),
        ms(c),
        ms(b),
        l.as_secs_f64() / b.as_secs_f64(),
        c.as_secs_f64() / b.as_secs_f64()
    );
}
