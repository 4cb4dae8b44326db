-- Migration 5: stored eval runs (issue 15: run_evals, list_eval_runs, get_eval_run). One row per
-- run of a skill's evals, keyed by skill and skill version (the skills-repo commit measured,
-- `-dirty` when the folder had uncommitted changes). `benchmark` holds the whole benchmark.json;
-- a copy is written under <data dir>/evals/<skill>/<id>.json, outside the skills repository.
-- The summary columns repeat numbers of the benchmark so lists need not parse it.
CREATE TABLE eval_runs (
    id                       TEXT PRIMARY KEY,
    skill_name               TEXT NOT NULL,
    skill_id                 INTEGER REFERENCES skills(id) ON DELETE SET NULL,
    skill_version            TEXT NOT NULL,
    baseline                 TEXT NOT NULL,
    runs_per_configuration   INTEGER NOT NULL,
    with_skill_pass_rate     REAL,
    without_skill_pass_rate  REAL,
    should_trigger_rate      REAL,
    should_not_trigger_rate  REAL,
    regression_count         INTEGER NOT NULL DEFAULT 0,
    total_cost               REAL NOT NULL DEFAULT 0,
    benchmark                TEXT NOT NULL,
    created_at               TEXT NOT NULL
);
CREATE INDEX idx_eval_runs_skill ON eval_runs(skill_name, created_at);
