-- Migration 2: stored skill-test results (beyond the reference: run_skill_test,
-- list_skill_test_results), so runs can be compared across versions of a skill.
CREATE TABLE skill_test_results (
    id                 TEXT PRIMARY KEY,
    skill_name         TEXT NOT NULL,
    skill_id           INTEGER REFERENCES skills(id) ON DELETE SET NULL,
    skill_version      TEXT,
    prompt             TEXT NOT NULL,
    baseline_output    TEXT NOT NULL DEFAULT '',
    with_skill_output  TEXT NOT NULL DEFAULT '',
    evaluation         TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_skill_test_results_skill ON skill_test_results(skill_name, created_at);
