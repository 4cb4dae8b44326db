//! Usage commands against a real database in a temp data dir: persisting agent runs (upsert,
//! shutdown guard, reset survival, workflow-run FK) and every report with exact numbers.

use crate::support::open;
use rusqlite::params;
use serde_json::{json, Value};
use skill_builder_core::args::NoArgs;
use skill_builder_core::catalog;
use skill_builder_core::usage::{self, *};
use skill_builder_core::{App, ErrorKind};

/// A builder skill: master row + workflow run. Returns the workflow run id.
fn add_skill(app: &App, name: &str) -> i64 {
    let conn = app.db.conn();
    conn.execute(
        "INSERT INTO skills (name, skill_source) VALUES (?1, 'skill-builder')",
        [name],
    )
    .unwrap();
    let skill_id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO workflow_runs (skill_name, skill_id) VALUES (?1, ?2)",
        params![name, skill_id],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn add_session(app: &App, id: &str, skill: &str, started_at: &str) {
    app.db
        .conn()
        .execute(
            "INSERT INTO workflow_sessions (session_id, skill_name, pid, started_at)
             VALUES (?1, ?2, 4242, ?3)",
            params![id, skill, started_at],
        )
        .unwrap();
}

fn exec(app: &App, sql: &str) {
    app.db.conn().execute_batch(sql).unwrap();
}

fn count(app: &App, sql: &str) -> i64 {
    app.db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn run(
    agent: &str,
    skill: &str,
    step: i32,
    model: &str,
    status: &str,
    cost: f64,
    session: Option<&str>,
) -> PersistAgentRunArgs {
    PersistAgentRunArgs {
        agent_id: agent.into(),
        skill_name: skill.into(),
        step_id: step,
        model: model.into(),
        status: status.into(),
        input_tokens: 100,
        output_tokens: 20,
        cache_read_tokens: 3,
        cache_write_tokens: 4,
        total_cost: cost,
        duration_ms: 1000,
        num_turns: 2,
        stop_reason: Some("end_turn".into()),
        duration_api_ms: Some(800),
        tool_use_count: 5,
        compaction_count: 1,
        session_id: Some(format!("sdk-{agent}")),
        workflow_session_id: session.map(str::to_string),
    }
}

fn persist(app: &App, args: PersistAgentRunArgs) {
    usage::persist_agent_run(app, args).unwrap();
}

fn hide(h: bool) -> HideCancelledArgs {
    HideCancelledArgs { hide_cancelled: h }
}

fn kind(k: &str, name: &str, cost: f64, n: i32) -> UsageByKind {
    UsageByKind {
        kind: k.into(),
        kind_name: name.into(),
        total_cost: cost,
        run_count: n,
    }
}

fn summary(app: &App, h: bool) -> UsageSummary {
    usage::get_usage_summary(app, hide(h)).unwrap()
}

fn sessions(app: &App, limit: usize, h: bool) -> Vec<WorkflowSessionRecord> {
    usage::get_recent_workflow_sessions(
        app,
        RecentSessionsArgs {
            limit,
            hide_cancelled: h,
        },
    )
    .unwrap()
}

fn session_runs(app: &App, id: &str) -> Vec<AgentRunRecord> {
    usage::get_session_agent_runs(
        app,
        SessionIdArgs {
            session_id: id.into(),
        },
    )
    .unwrap()
}

fn step_runs(app: &App, skill: &str, step: i32) -> Vec<AgentRunRecord> {
    usage::get_step_agent_runs(
        app,
        StepRunsArgs {
            skill_name: skill.into(),
            step_id: step,
        },
    )
    .unwrap()
}

fn by_day(app: &App, h: bool, days: Option<u32>) -> Vec<UsageByDay> {
    usage::get_usage_by_day(
        app,
        UsageByDayArgs {
            hide_cancelled: h,
            days,
        },
    )
    .unwrap()
}

fn ids(runs: &[AgentRunRecord]) -> Vec<String> {
    runs.iter()
        .map(|r| format!("{}/{}", r.agent_id, r.model))
        .collect()
}

/// `n` days before today (UTC) as `YYYY-MM-DD`.
fn day(n: u64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Days::new(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// The scenario most report tests share:
/// - s1 (alpha, oldest): a1 step 0 sonnet 1.0, a1 step 0 haiku 0.5, a2 step 1 sonnet 0.0 (cancelled run)
/// - s2 (beta): b1 step 2 opus 0.0 (a session whose agents cost nothing)
/// - s3 (beta, newest): no runs
/// - outside any session: r1 refine 4.0; ghost session id: g1 8.0
fn seed_reports(app: &App) {
    add_skill(app, "alpha");
    add_skill(app, "beta");
    add_session(app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    add_session(app, "s2", "beta", "2025-01-02T10:00:00.000Z");
    add_session(app, "s3", "beta", "2025-01-03T10:00:00.000Z");
    persist(
        app,
        run("a1", "alpha", 0, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        app,
        run("a1", "alpha", 0, "haiku", "completed", 0.5, Some("s1")),
    );
    persist(
        app,
        run("a2", "alpha", 1, "sonnet", "error", 0.0, Some("s1")),
    );
    persist(
        app,
        run("b1", "beta", 2, "opus", "shutdown", 0.0, Some("s2")),
    );
    persist(app, run("r1", "alpha", 3, "opus", "completed", 4.0, None));
    persist(
        app,
        run("g1", "alpha", 3, "opus", "completed", 8.0, Some("ghost")),
    );
}

// ---------------------------------------------------------------------------------------------
// persist_agent_run
// ---------------------------------------------------------------------------------------------

#[test]
fn persist_sets_workflow_run_id_and_keeps_started_at() {
    let (_d, app) = open();
    add_skill(&app, "other");
    let run_id = add_skill(&app, "alpha");
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");

    persist(
        &app,
        run("a1", "alpha", 1, "sonnet", "running", 0.0, Some("s1")),
    );
    let (wr, started, completed): (Option<i64>, String, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT workflow_run_id, started_at, completed_at FROM agent_runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(wr, Some(run_id));
    assert_eq!(completed, None, "a running row has no completed_at");
    assert_eq!(started.len(), "2025-01-31T14:05:09.123Z".len());
    assert!(started.ends_with('Z'));

    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut done = run("a1", "alpha", 1, "sonnet", "completed", 0.75, None);
    done.input_tokens = 1000;
    done.session_id = None;
    done.stop_reason = None;
    done.duration_api_ms = None;
    persist(&app, done);

    let rows = session_runs(&app, "s1");
    assert_eq!(rows.len(), 1, "upsert, not a second row");
    let r = &rows[0];
    assert_eq!(
        *r,
        AgentRunRecord {
            agent_id: "a1".into(),
            skill_name: "alpha".into(),
            step_id: 1,
            model: "sonnet".into(),
            status: "completed".into(),
            input_tokens: 1000,
            output_tokens: 20,
            cache_read_tokens: 3,
            cache_write_tokens: 4,
            total_cost: 0.75,
            duration_ms: 1000,
            num_turns: 2,
            stop_reason: None,
            duration_api_ms: None,
            tool_use_count: 5,
            compaction_count: 1,
            // omitted ids keep the earlier value (the workflow session too: still in s1)
            session_id: Some("sdk-a1".into()),
            started_at: started.clone(),
            completed_at: r.completed_at.clone(),
        }
    );
    let completed = r
        .completed_at
        .clone()
        .expect("terminal status sets completed_at");
    assert!(completed > started, "{completed} > {started}");
    assert_eq!(
        count(&app, "SELECT workflow_run_id FROM agent_runs"),
        run_id
    );
}

#[test]
fn persist_without_workflow_run_leaves_fk_null() {
    let (_d, app) = open();
    persist(
        &app,
        run(
            "refine-x-1",
            "imported-x",
            0,
            "sonnet",
            "completed",
            0.25,
            None,
        ),
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE workflow_run_id IS NULL"
        ),
        1
    );
}

#[test]
fn shutdown_never_replaces_completed_or_error_but_replaces_running() {
    let (_d, app) = open();
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    persist(
        &app,
        run("a", "alpha", 0, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("b", "alpha", 0, "sonnet", "error", 0.5, Some("s1")),
    );
    persist(
        &app,
        run("c", "alpha", 0, "sonnet", "running", 0.0, Some("s1")),
    );
    let before: Vec<AgentRunRecord> = session_runs(&app, "s1");

    for agent in ["a", "b", "c"] {
        persist(
            &app,
            run(agent, "alpha", 0, "sonnet", "shutdown", 2.0, Some("s1")),
        );
    }
    let after = session_runs(&app, "s1");
    let get =
        |rows: &[AgentRunRecord], id: &str| rows.iter().find(|r| r.agent_id == id).unwrap().clone();
    assert_eq!(get(&after, "a"), get(&before, "a"));
    assert_eq!(get(&after, "b"), get(&before, "b"));
    let c = get(&after, "c");
    assert_eq!(c.status, "shutdown");
    assert_eq!(c.total_cost, 2.0);
    assert!(c.completed_at.is_some());

    // A completed write still replaces an error (only shutdown is guarded).
    persist(
        &app,
        run("b", "alpha", 0, "sonnet", "completed", 0.125, Some("s1")),
    );
    let b = get(&session_runs(&app, "s1"), "b");
    assert_eq!((b.status.as_str(), b.total_cost), ("completed", 0.125));
}

#[test]
fn rewrite_after_reset_does_not_resurrect_the_row() {
    let (_d, app) = open();
    add_skill(&app, "alpha");
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    persist(
        &app,
        run("a1", "alpha", 0, "sonnet", "running", 0.0, Some("s1")),
    );
    usage::reset_usage(&app, NoArgs::default()).unwrap();
    persist(
        &app,
        run("a1", "alpha", 0, "sonnet", "completed", 3.0, Some("s1")),
    );

    let (status, cost, marker): (String, f64, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT status, total_cost, reset_marker FROM agent_runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), cost),
        ("completed", 3.0),
        "the write landed"
    );
    assert!(marker.is_some(), "reset_marker survived the rewrite");

    assert_eq!(
        summary(&app, false),
        UsageSummary {
            total_cost: 0.0,
            total_runs: 0,
            avg_cost_per_run: 0.0,
            by_kind: vec![]
        }
    );
    assert!(usage::get_recent_runs(&app, LimitArgs { limit: 10 })
        .unwrap()
        .is_empty());
    assert!(session_runs(&app, "s1").is_empty());
    assert!(step_runs(&app, "alpha", 0).is_empty());
    assert!(usage::get_usage_by_model(&app, hide(false))
        .unwrap()
        .is_empty());
    assert!(by_day(&app, false, None).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/// Updated for issue 13 ("Honest numbers"): the total is every live run (the outside-session
/// r1 and the ghost-session g1 included), while the session count and the per-session average
/// still describe sessions.
#[test]
fn summary_counts_live_sessions_and_hide_cancelled_drops_costless_ones() {
    let (_d, app) = open();
    seed_reports(&app);
    assert_eq!(
        summary(&app, false),
        UsageSummary {
            total_cost: 13.5,
            total_runs: 3,
            avg_cost_per_run: 0.5,
            by_kind: vec![kind("workflow_step", "Workflow steps", 13.5, 6)]
        }
    );
    assert_eq!(
        summary(&app, true),
        UsageSummary {
            total_cost: 13.5,
            total_runs: 1,
            avg_cost_per_run: 1.5,
            by_kind: vec![kind("workflow_step", "Workflow steps", 13.5, 4)]
        }
    );
}

#[test]
fn summary_of_an_empty_database_is_zero() {
    let (_d, app) = open();
    for h in [false, true] {
        assert_eq!(
            summary(&app, h),
            UsageSummary {
                total_cost: 0.0,
                total_runs: 0,
                avg_cost_per_run: 0.0,
                by_kind: vec![]
            }
        );
    }
}

#[test]
fn recent_sessions_have_exact_totals_order_and_limit() {
    let (_d, app) = open();
    seed_reports(&app);
    exec(
        &app,
        "UPDATE workflow_sessions SET ended_at = '2025-01-01T11:00:00.000Z' WHERE session_id = 's1'",
    );
    let all = sessions(&app, 10, false);
    assert_eq!(
        all.iter()
            .map(|s| s.session_id.as_str())
            .collect::<Vec<_>>(),
        ["s3", "s2", "s1"],
        "newest started_at first"
    );
    assert_eq!(
        all[2],
        WorkflowSessionRecord {
            session_id: "s1".into(),
            skill_name: "alpha".into(),
            min_step: 0,
            max_step: 1,
            steps_csv: "0,1".into(),
            agent_count: 2,
            total_cost: 1.5,
            total_input_tokens: 300,
            total_output_tokens: 60,
            total_cache_read: 9,
            total_cache_write: 12,
            total_duration_ms: 3000,
            started_at: "2025-01-01T10:00:00.000Z".into(),
            completed_at: Some("2025-01-01T11:00:00.000Z".into()),
        }
    );
    assert_eq!(
        all[1],
        WorkflowSessionRecord {
            session_id: "s2".into(),
            skill_name: "beta".into(),
            min_step: 2,
            max_step: 2,
            steps_csv: "2".into(),
            agent_count: 1,
            total_cost: 0.0,
            total_input_tokens: 100,
            total_output_tokens: 20,
            total_cache_read: 3,
            total_cache_write: 4,
            total_duration_ms: 1000,
            started_at: "2025-01-02T10:00:00.000Z".into(),
            completed_at: None,
        }
    );
    assert_eq!(
        all[0],
        WorkflowSessionRecord {
            session_id: "s3".into(),
            skill_name: "beta".into(),
            min_step: 0,
            max_step: 0,
            steps_csv: String::new(),
            agent_count: 0,
            total_cost: 0.0,
            total_input_tokens: 0,
            total_output_tokens: 0,
            total_cache_read: 0,
            total_cache_write: 0,
            total_duration_ms: 0,
            started_at: "2025-01-03T10:00:00.000Z".into(),
            completed_at: None,
        }
    );

    let two = sessions(&app, 2, false);
    assert_eq!(
        two.iter()
            .map(|s| s.session_id.as_str())
            .collect::<Vec<_>>(),
        ["s3", "s2"]
    );
    assert!(sessions(&app, 0, false).is_empty());

    let shown = sessions(&app, 10, true);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0], all[2]);
}

#[test]
fn usage_by_step_uses_current_names_and_row_level_cancelled() {
    let (_d, app) = open();
    seed_reports(&app);
    // Another cost for step 2 and an unknown step, in session s2.
    persist(
        &app,
        run("b2", "beta", 2, "opus", "completed", 0.25, Some("s2")),
    );
    persist(
        &app,
        run("b3", "beta", 7, "haiku", "completed", 0.125, Some("s2")),
    );

    let all = usage::get_usage_by_step(&app, hide(false)).unwrap();
    let row = |id: i32, name: &str, cost: f64, n: i32| UsageByStep {
        step_id: id,
        step_name: name.into(),
        total_cost: cost,
        run_count: n,
    };
    // Updated for issue 13: step 3's runs outside a live session (r1, g1) count too.
    assert_eq!(
        all,
        vec![
            row(3, "Generate Skill", 12.0, 2),
            row(0, "Research", 1.5, 2),
            row(2, "Confirm Decisions", 0.25, 2),
            row(7, "Step 8", 0.125, 1),
            row(1, "Detailed Research", 0.0, 1),
        ]
    );
    let shown = usage::get_usage_by_step(&app, hide(true)).unwrap();
    assert_eq!(
        shown,
        vec![
            row(3, "Generate Skill", 12.0, 2),
            row(0, "Research", 1.5, 2),
            row(2, "Confirm Decisions", 0.25, 1),
            row(7, "Step 8", 0.125, 1),
        ]
    );
}

#[test]
fn usage_by_model_orders_by_cost_and_hides_costless_rows() {
    let (_d, app) = open();
    seed_reports(&app);
    let row = |m: &str, cost: f64, n: i32| UsageByModel {
        model: m.into(),
        total_cost: cost,
        run_count: n,
    };
    assert_eq!(
        usage::get_usage_by_model(&app, hide(false)).unwrap(),
        vec![
            row("opus", 12.0, 3),
            row("sonnet", 1.0, 2),
            row("haiku", 0.5, 1),
        ]
    );
    assert_eq!(
        usage::get_usage_by_model(&app, hide(true)).unwrap(),
        vec![
            row("opus", 12.0, 2),
            row("sonnet", 1.0, 1),
            row("haiku", 0.5, 1)
        ]
    );
}

#[test]
fn reports_agree_with_each_other() {
    let (_d, app) = open();
    seed_reports(&app);
    persist(
        &app,
        run("b2", "beta", 2, "opus", "completed", 0.25, Some("s2")),
    );
    for h in [false, true] {
        let total = summary(&app, h).total_cost;
        let steps: f64 = usage::get_usage_by_step(&app, hide(h))
            .unwrap()
            .iter()
            .map(|r| r.total_cost)
            .sum();
        let models: f64 = usage::get_usage_by_model(&app, hide(h))
            .unwrap()
            .iter()
            .map(|r| r.total_cost)
            .sum();
        let kinds: f64 = summary(&app, h).by_kind.iter().map(|k| k.total_cost).sum();
        let sess: f64 = sessions(&app, 100, h).iter().map(|s| s.total_cost).sum();
        let days: f64 = by_day(&app, h, None).iter().map(|d| d.total_cost).sum();
        // Updated for issue 13: every live run counts (r1 4.0 and g1 8.0 run outside a
        // live session), so the sessions hold only part of the total.
        assert_eq!(total, 13.75);
        assert_eq!((steps, models, kinds, days), (13.75, 13.75, 13.75, 13.75));
        let detail: f64 = ["s1", "s2", "s3"]
            .iter()
            .flat_map(|s| session_runs(&app, s))
            .map(|r| r.total_cost)
            .sum();
        assert_eq!((sess, detail), (1.75, 1.75));
        let live: f64 = app
            .db
            .conn()
            .query_row(
                "SELECT SUM(total_cost) FROM agent_runs WHERE reset_marker IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(total, live);
    }
    // Hiding cancelled changes counts only.
    assert_eq!(summary(&app, false).total_runs, 3);
    assert_eq!(summary(&app, true).total_runs, 2);
}

#[test]
fn usage_by_day_groups_by_utc_date_within_the_window() {
    let (_d, app) = open();
    add_skill(&app, "alpha");
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    persist(
        &app,
        run("t1", "alpha", 0, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("t2", "alpha", 1, "sonnet", "completed", 0.5, Some("s1")),
    );
    persist(
        &app,
        run("y1", "alpha", 2, "sonnet", "completed", 0.25, Some("s1")),
    );
    persist(
        &app,
        run("y2", "alpha", 2, "haiku", "error", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("old", "alpha", 3, "sonnet", "completed", 2.0, Some("s1")),
    );
    persist(
        &app,
        run("live", "alpha", 3, "haiku", "running", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("nosess", "alpha", 3, "haiku", "completed", 4.0, None),
    );
    let (today, yesterday, old) = (day(0), day(1), day(40));
    {
        let conn = app.db.conn();
        let set = |agent: &str, ts: String| {
            conn.execute(
                "UPDATE agent_runs SET completed_at = ?2 WHERE agent_id = ?1",
                params![agent, ts],
            )
            .unwrap();
        };
        set("t1", format!("{today}T00:00:00.000Z"));
        set("t2", format!("{today}T00:00:01.500Z"));
        set("y1", format!("{yesterday}T23:59:59.999Z"));
        set("y2", format!("{yesterday}T08:00:00.000Z"));
        set("old", format!("{old}T12:00:00.000Z"));
        set("nosess", format!("{today}T12:00:00.000Z"));
    }
    let d = |date: &str, cost: f64, n: i32| UsageByDay {
        date: date.into(),
        total_cost: cost,
        run_count: n,
    };
    // Updated for issue 13: "nosess" (outside a session, today, 4.0) counts too.
    assert_eq!(
        by_day(&app, false, None),
        vec![d(&yesterday, 0.25, 2), d(&today, 5.5, 3)]
    );
    assert_eq!(
        by_day(&app, true, None),
        vec![d(&yesterday, 0.25, 1), d(&today, 5.5, 3)]
    );
    assert_eq!(
        by_day(&app, false, Some(60)),
        vec![d(&old, 2.0, 1), d(&yesterday, 0.25, 2), d(&today, 5.5, 3)]
    );
    assert_eq!(by_day(&app, false, Some(1)), vec![d(&today, 5.5, 3)]);
    assert_eq!(
        by_day(&app, false, Some(41))
            .first()
            .map(|x| x.date.clone()),
        Some(old.clone()),
        "the window includes today and the days-1 days before it"
    );
    assert_eq!(by_day(&app, false, Some(40)).len(), 2);
    assert_eq!(by_day(&app, false, Some(u32::MAX)).len(), 3);

    let e = usage::get_usage_by_day(
        &app,
        UsageByDayArgs {
            hide_cancelled: false,
            days: Some(0),
        },
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[test]
fn recent_runs_are_live_newest_first_limited_and_nulls_read_as_zero() {
    let (_d, app) = open();
    persist(&app, run("a", "alpha", 0, "sonnet", "completed", 1.0, None));
    persist(
        &app,
        run("b", "alpha", 0, "sonnet", "completed", 2.0, Some("x")),
    );
    persist(&app, run("c", "alpha", 1, "haiku", "running", 0.0, None));
    exec(
        &app,
        "UPDATE agent_runs SET completed_at = '2025-03-01T00:00:00.000Z' WHERE agent_id = 'a';
         UPDATE agent_runs SET completed_at = '2025-03-03T00:00:00.000Z' WHERE agent_id = 'b';
         UPDATE agent_runs SET started_at = '2025-03-02T00:00:00.000Z' WHERE agent_id = 'c';
         INSERT INTO agent_runs (agent_id, skill_name, step_id, model, status, started_at,
                                 completed_at, cache_read_tokens, cache_write_tokens, num_turns,
                                 tool_use_count, compaction_count)
         VALUES ('n', 'alpha', 2, 'opus', 'completed', '2025-02-01T00:00:00.000Z',
                 '2025-03-04T00:00:00.000Z', NULL, NULL, NULL, NULL, NULL);
         INSERT INTO agent_runs (agent_id, skill_name, step_id, model, status, total_cost,
                                 completed_at, reset_marker)
         VALUES ('gone', 'alpha', 2, 'opus', 'completed', 9.0, '2025-03-05T00:00:00.000Z',
                 '2025-03-06T00:00:00.000Z');",
    );
    let all = usage::get_recent_runs(&app, LimitArgs { limit: 10 }).unwrap();
    assert_eq!(
        ids(&all),
        ["n/opus", "b/sonnet", "c/haiku", "a/sonnet"],
        "by last write time; the running row by its start"
    );
    let n = &all[0];
    assert_eq!(
        (
            n.input_tokens,
            n.output_tokens,
            n.cache_read_tokens,
            n.cache_write_tokens,
            n.total_cost,
            n.duration_ms,
            n.num_turns,
            n.tool_use_count,
            n.compaction_count,
            n.duration_api_ms,
            n.stop_reason.clone(),
            n.session_id.clone(),
        ),
        (0, 0, 0, 0, 0.0, 0, 0, 0, 0, None, None, None)
    );
    assert_eq!(
        ids(&usage::get_recent_runs(&app, LimitArgs { limit: 2 }).unwrap()),
        ["n/opus", "b/sonnet"]
    );
    assert!(usage::get_recent_runs(&app, LimitArgs { limit: 0 })
        .unwrap()
        .is_empty());
}

#[test]
fn session_agent_runs_are_live_rows_oldest_first() {
    let (_d, app) = open();
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    persist(
        &app,
        run("x", "alpha", 1, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("y", "alpha", 0, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("z", "alpha", 0, "sonnet", "completed", 1.0, Some("s2")),
    );
    exec(
        &app,
        "UPDATE agent_runs SET started_at = '2025-01-01T10:05:00.000Z' WHERE agent_id = 'x';
         UPDATE agent_runs SET started_at = '2025-01-01T10:01:00.000Z' WHERE agent_id = 'y';",
    );
    assert_eq!(ids(&session_runs(&app, "s1")), ["y/sonnet", "x/sonnet"]);
    assert!(session_runs(&app, "nope").is_empty());

    usage::reset_usage(&app, NoArgs::default()).unwrap();
    assert!(session_runs(&app, "s1").is_empty(), "reset rows are hidden");
    persist(
        &app,
        run("w", "alpha", 2, "sonnet", "completed", 1.0, Some("s1")),
    );
    assert_eq!(ids(&session_runs(&app, "s1")), ["w/sonnet"]);
}

#[test]
fn step_agent_runs_find_finished_live_runs_by_run_id_or_name() {
    let (_d, app) = open();
    let run_id = add_skill(&app, "alpha");
    add_skill(&app, "beta");
    persist(
        &app,
        run("a1", "alpha", 1, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("a2", "alpha", 1, "haiku", "error", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("a3", "alpha", 1, "opus", "running", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("a4", "alpha", 1, "opus", "shutdown", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("a5", "alpha", 2, "sonnet", "completed", 1.0, Some("s1")),
    );
    persist(
        &app,
        run("b1", "beta", 1, "sonnet", "completed", 1.0, Some("s2")),
    );
    // A row written before the skill had a workflow run (no FK): found by name.
    exec(
        &app,
        "INSERT INTO agent_runs (agent_id, skill_name, step_id, model, status, total_cost,
                                 started_at, completed_at)
         VALUES ('legacy', 'alpha', 1, 'sonnet', 'completed', 0.5,
                 '2024-12-01T00:00:00.000Z', '2024-12-01T00:01:00.000Z');
         UPDATE agent_runs SET completed_at = '2025-02-01T00:00:00.000Z' WHERE agent_id = 'a1';
         UPDATE agent_runs SET completed_at = '2025-02-02T00:00:00.000Z' WHERE agent_id = 'a2';",
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM agent_runs WHERE workflow_run_id = {run_id}")
        ),
        5
    );
    assert_eq!(
        ids(&step_runs(&app, "alpha", 1)),
        ["a2/haiku", "a1/sonnet", "legacy/sonnet"]
    );
    assert_eq!(ids(&step_runs(&app, "alpha", 2)), ["a5/sonnet"]);
    assert!(step_runs(&app, "alpha", 0).is_empty());
    assert_eq!(ids(&step_runs(&app, "beta", 1)), ["b1/sonnet"]);

    // A skill without a workflow run (imported / refined): by name only.
    persist(
        &app,
        run("i1", "imported", 0, "sonnet", "completed", 1.0, None),
    );
    assert_eq!(ids(&step_runs(&app, "imported", 0)), ["i1/sonnet"]);
    assert!(step_runs(&app, "missing", 0).is_empty());

    usage::reset_usage(&app, NoArgs::default()).unwrap();
    assert!(step_runs(&app, "alpha", 1).is_empty());
}

#[test]
fn reset_usage_hides_all_history_and_later_sessions_count_again() {
    let (_d, app) = open();
    seed_reports(&app);
    let rows_before = count(&app, "SELECT COUNT(*) FROM agent_runs");
    usage::reset_usage(&app, NoArgs::default()).unwrap();

    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM agent_runs"),
        rows_before,
        "nothing deleted"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_sessions"), 3);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE reset_marker IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE reset_marker IS NULL"
        ),
        0
    );
    for h in [false, true] {
        assert_eq!(summary(&app, h).total_runs, 0);
        assert_eq!(summary(&app, h).total_cost, 0.0);
        assert!(sessions(&app, 10, h).is_empty());
        assert!(usage::get_usage_by_step(&app, hide(h)).unwrap().is_empty());
        assert!(usage::get_usage_by_model(&app, hide(h)).unwrap().is_empty());
        assert!(by_day(&app, h, None).is_empty());
    }
    assert!(usage::get_recent_runs(&app, LimitArgs { limit: 10 })
        .unwrap()
        .is_empty());

    // The marker of the first reset is kept by a second one.
    let marker: String = app
        .db
        .conn()
        .query_row("SELECT MIN(reset_marker) FROM agent_runs", [], |r| r.get(0))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    usage::reset_usage(&app, NoArgs::default()).unwrap();
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM agent_runs WHERE reset_marker <> '{marker}'")
        ),
        0
    );

    add_session(&app, "s9", "alpha", "2025-02-01T10:00:00.000Z");
    persist(
        &app,
        run("n1", "alpha", 3, "opus", "completed", 2.0, Some("s9")),
    );
    assert_eq!(
        summary(&app, true),
        UsageSummary {
            total_cost: 2.0,
            total_runs: 1,
            avg_cost_per_run: 2.0,
            by_kind: vec![kind("workflow_step", "Workflow steps", 2.0, 1)]
        }
    );
    assert_eq!(
        usage::get_usage_by_step(&app, hide(false)).unwrap(),
        vec![UsageByStep {
            step_id: 3,
            step_name: "Generate Skill".into(),
            total_cost: 2.0,
            run_count: 1
        }]
    );
}

#[test]
fn has_running_agents_in_db_sees_live_running_rows_of_the_session() {
    let (_d, app) = open();
    assert!(!usage::has_running_agents_in_db(&app, "s1").unwrap());
    persist(
        &app,
        run("a", "alpha", 0, "sonnet", "running", 0.0, Some("s1")),
    );
    persist(
        &app,
        run("b", "alpha", 0, "sonnet", "running", 0.0, Some("s2")),
    );
    assert!(usage::has_running_agents_in_db(&app, "s1").unwrap());
    persist(
        &app,
        run("a", "alpha", 0, "sonnet", "completed", 1.0, Some("s1")),
    );
    assert!(!usage::has_running_agents_in_db(&app, "s1").unwrap());
    assert!(usage::has_running_agents_in_db(&app, "s2").unwrap());
    usage::reset_usage(&app, NoArgs::default()).unwrap();
    assert!(
        !usage::has_running_agents_in_db(&app, "s2").unwrap(),
        "reset rows are ignored, as in every usage read"
    );
}

// ---------------------------------------------------------------------------------------------
// Through the catalog: JSON shapes and bad input
// ---------------------------------------------------------------------------------------------

fn run_json() -> Value {
    json!({
        "agentId": "a1", "skillName": "alpha", "stepId": 0, "model": "sonnet",
        "status": "completed", "inputTokens": 10, "outputTokens": 5, "cacheReadTokens": 1,
        "cacheWriteTokens": 2, "totalCost": 0.5, "durationMs": 100, "numTurns": 1,
        "stopReason": null, "durationApiMs": 90, "toolUseCount": 0, "compactionCount": 0,
        "sessionId": "sdk", "workflowSessionId": "s1"
    })
}

#[tokio::test]
async fn catalog_round_trip_uses_camel_case_args_and_snake_case_results() {
    let (_d, app) = open();
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    let out = catalog::call(&app, "persist_agent_run", run_json())
        .await
        .unwrap();
    assert_eq!(out, Value::Null);
    // Optional args may be omitted.
    let mut minimal = run_json();
    for k in [
        "stopReason",
        "durationApiMs",
        "sessionId",
        "workflowSessionId",
    ] {
        minimal.as_object_mut().unwrap().remove(k);
    }
    minimal["agentId"] = json!("a2");
    catalog::call(&app, "persist_agent_run", minimal)
        .await
        .unwrap();

    let s = catalog::call(&app, "get_usage_summary", json!({"hideCancelled": false}))
        .await
        .unwrap();
    // a2 has no workflow session: it is in the total (issue 13), not in the session count.
    assert_eq!(
        s,
        json!({"total_cost": 1.0, "total_runs": 1, "avg_cost_per_run": 0.5, "by_kind": [
            {"kind": "workflow_step", "kind_name": "Workflow steps", "total_cost": 1.0, "run_count": 2}
        ]})
    );
    let runs = catalog::call(&app, "get_session_agent_runs", json!({"sessionId": "s1"}))
        .await
        .unwrap();
    let r = &runs[0];
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "agent_id",
            "skill_name",
            "step_id",
            "model",
            "status",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "total_cost",
            "duration_ms",
            "num_turns",
            "stop_reason",
            "duration_api_ms",
            "tool_use_count",
            "compaction_count",
            "session_id",
            "started_at",
            "completed_at"
        ]
    );
    assert_eq!(r["duration_api_ms"], json!(90));
    assert_eq!(r["stop_reason"], Value::Null);

    let by_day_json = catalog::call(&app, "get_usage_by_day", json!({"hideCancelled": true}))
        .await
        .unwrap();
    assert_eq!(
        by_day_json,
        json!([{"date": day(0), "total_cost": 1.0, "run_count": 2}])
    );
    let sess = catalog::call(
        &app,
        "get_recent_workflow_sessions",
        json!({"limit": 5, "hideCancelled": false}),
    )
    .await
    .unwrap();
    assert_eq!(sess[0]["steps_csv"], json!("0"));
    assert_eq!(sess[0]["completed_at"], Value::Null);
    let step = catalog::call(
        &app,
        "get_step_agent_runs",
        json!({"skillName": "alpha", "stepId": 0}),
    )
    .await
    .unwrap();
    assert_eq!(step.as_array().unwrap().len(), 2);
    for name in ["get_usage_by_step", "get_usage_by_model"] {
        let v = catalog::call(&app, name, json!({"hideCancelled": false}))
            .await
            .unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1, "{name}");
    }
    let recent = catalog::call(&app, "get_recent_runs", json!({"limit": 1}))
        .await
        .unwrap();
    assert_eq!(recent.as_array().unwrap().len(), 1);
    assert_eq!(
        catalog::call(&app, "reset_usage", Value::Null)
            .await
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        catalog::call(&app, "get_recent_runs", json!({"limit": 5}))
            .await
            .unwrap(),
        json!([])
    );
}

#[tokio::test]
async fn bad_input_is_invalid_input_and_changes_nothing() {
    let (_d, app) = open();
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    catalog::call(&app, "persist_agent_run", run_json())
        .await
        .unwrap();
    let snapshot = || -> Vec<(String, String, f64, Option<String>)> {
        let conn = app.db.conn();
        let mut st = conn
            .prepare(
                "SELECT agent_id, status, total_cost, reset_marker FROM agent_runs
                 ORDER BY agent_id, model",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    let before = snapshot();

    let with = |k: &str, v: Value| {
        let mut j = run_json();
        j[k] = v;
        j
    };
    let without = |k: &str| {
        let mut j = run_json();
        j.as_object_mut().unwrap().remove(k);
        j
    };
    let bad_persist = vec![
        with("status", json!("finished")),
        with("status", json!(1)),
        with("inputTokens", json!(-1)),
        with("cacheWriteTokens", json!(-3)),
        with("totalCost", json!(-0.01)),
        with("totalCost", json!("0.5")),
        with("durationMs", json!(-1)),
        with("durationApiMs", json!(-1)),
        with("numTurns", json!(1.5)),
        with("stepId", json!("zero")),
        with("inputTokens", json!(i64::from(i32::MAX) + 1)),
        with("agentId", json!("")),
        with("model", json!(null)),
        without("agentId"),
        without("totalCost"),
        without("status"),
        json!([1, 2]),
        json!("persist"),
    ];
    for args in bad_persist {
        let e = catalog::call(&app, "persist_agent_run", args.clone())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{args}: {e}");
    }
    // The guarded shutdown of a completed row is not an error, just a no-op.
    catalog::call(&app, "persist_agent_run", with("status", json!("shutdown")))
        .await
        .unwrap();

    let bad_queries = [
        ("get_usage_summary", json!({})),
        ("get_usage_summary", json!({"hideCancelled": "yes"})),
        ("get_usage_by_step", json!({"hide_cancelled": true})),
        ("get_usage_by_model", json!({"hideCancelled": 1})),
        (
            "get_usage_by_day",
            json!({"hideCancelled": false, "days": -1}),
        ),
        (
            "get_usage_by_day",
            json!({"hideCancelled": false, "days": 0}),
        ),
        ("get_usage_by_day", json!({"days": 7})),
        ("get_recent_runs", json!({})),
        ("get_recent_runs", json!({"limit": -1})),
        ("get_recent_runs", json!({"limit": "10"})),
        ("get_recent_workflow_sessions", json!({"limit": 10})),
        (
            "get_recent_workflow_sessions",
            json!({"hideCancelled": true}),
        ),
        ("get_session_agent_runs", json!({})),
        ("get_session_agent_runs", json!({"sessionId": 5})),
        ("get_step_agent_runs", json!({"skillName": "alpha"})),
        (
            "get_step_agent_runs",
            json!({"skillName": "alpha", "stepId": "1"}),
        ),
        ("reset_usage", json!(42)),
    ];
    for (name, args) in bad_queries {
        let e = catalog::call(&app, name, args.clone()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{name} {args}: {e}");
    }
    assert_eq!(snapshot(), before, "no row changed");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE reset_marker IS NULL"
        ),
        1
    );
}

/// Issue 13 ("Honest numbers"): refine turns, skill tests and one-off agents run outside any
/// workflow session; they were spent but never shown. Every live row counts, by kind.
#[test]
fn runs_outside_a_workflow_session_count_in_the_total_and_by_kind() {
    let (_d, app) = open();
    add_skill(&app, "alpha");
    add_session(&app, "s1", "alpha", "2025-01-01T10:00:00.000Z");
    persist(
        &app,
        run(
            "alpha-step0-1",
            "alpha",
            0,
            "sonnet",
            "completed",
            1.0,
            Some("s1"),
        ),
    );
    let refine = skill_builder_core::refine::REFINE_STEP_ID;
    let test = skill_builder_core::skilltest::SKILL_TEST_STEP_ID;
    persist(
        &app,
        run(
            "refine-alpha-1",
            "alpha",
            refine,
            "sonnet",
            "completed",
            0.5,
            None,
        ),
    );
    persist(
        &app,
        run(
            "with-plan-1",
            "alpha",
            test,
            "sonnet",
            "completed",
            0.25,
            None,
        ),
    );
    persist(
        &app,
        run(
            "without-plan-1",
            "alpha",
            test,
            "sonnet",
            "completed",
            0.25,
            None,
        ),
    );
    persist(
        &app,
        run(
            "evaluator-1",
            "alpha",
            test,
            "haiku",
            "completed",
            0.125,
            None,
        ),
    );
    persist(&app, run("adhoc", "alpha", -1, "haiku", "error", 0.0, None));

    let all = summary(&app, false);
    assert_eq!(all.total_cost, 2.125);
    assert_eq!(all.total_runs, 1, "one workflow session");
    assert_eq!(all.avg_cost_per_run, 1.0, "per session: its own runs only");
    assert_eq!(
        all.by_kind,
        vec![
            kind("workflow_step", "Workflow steps", 1.0, 1),
            kind("skill_test", "Skill tests", 0.625, 3),
            kind("refine", "Refine", 0.5, 1),
            kind("other", "Other", 0.0, 1),
        ]
    );
    let shown = summary(&app, true);
    assert_eq!(
        shown.total_cost, 2.125,
        "hiding cancelled never changes the total"
    );
    assert!(shown.by_kind.iter().all(|k| k.kind != "other"));
    let steps = usage::get_usage_by_step(&app, hide(false)).unwrap();
    assert!(steps
        .iter()
        .any(|s| s.step_name == "Skill Test" && s.total_cost == 0.625 && s.run_count == 3));
    assert!(steps
        .iter()
        .any(|s| s.step_name == "Refine" && s.total_cost == 0.5));

    usage::reset_usage(&app, NoArgs::default()).unwrap();
    assert_eq!(summary(&app, false).total_cost, 0.0);
    assert!(summary(&app, false).by_kind.is_empty());
}
