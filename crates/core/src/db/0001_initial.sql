-- Migration 1: the whole schema of database.md, in its final shape.
-- Timestamps are one format: RFC 3339 UTC with milliseconds, so string order = time order.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE skills (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    name                     TEXT NOT NULL UNIQUE,
    skill_source             TEXT NOT NULL CHECK (skill_source IN ('skill-builder', 'marketplace', 'imported')),
    purpose                  TEXT,
    created_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    description              TEXT,
    version                  TEXT,
    model                    TEXT,
    argument_hint            TEXT,
    user_invocable           INTEGER,
    disable_model_invocation INTEGER
);

CREATE TABLE workflow_runs (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    skill_name               TEXT NOT NULL UNIQUE,
    current_step             INTEGER NOT NULL DEFAULT 0,
    status                   TEXT NOT NULL DEFAULT 'pending',
    purpose                  TEXT DEFAULT 'domain',
    created_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    source                   TEXT NOT NULL DEFAULT 'created',
    description              TEXT,
    version                  TEXT DEFAULT '1.0.0',
    model                    TEXT,
    argument_hint            TEXT,
    user_invocable           INTEGER DEFAULT 1,
    disable_model_invocation INTEGER DEFAULT 0,
    author_login             TEXT,
    author_avatar            TEXT,
    display_name             TEXT,
    intake_json              TEXT,
    skill_id                 INTEGER REFERENCES skills(id) ON DELETE CASCADE
);

CREATE TABLE workflow_steps (
    skill_name      TEXT NOT NULL,
    step_id         INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    started_at      TEXT,
    completed_at    TEXT,
    workflow_run_id INTEGER REFERENCES workflow_runs(id) ON DELETE CASCADE,
    PRIMARY KEY (skill_name, step_id)
);

CREATE TABLE workflow_artifacts (
    skill_name      TEXT NOT NULL,
    step_id         INTEGER NOT NULL,
    relative_path   TEXT NOT NULL,
    content         TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    workflow_run_id INTEGER REFERENCES workflow_runs(id) ON DELETE CASCADE,
    PRIMARY KEY (skill_name, step_id, relative_path)
);

CREATE TABLE agent_runs (
    agent_id            TEXT NOT NULL,
    skill_name          TEXT NOT NULL,
    step_id             INTEGER NOT NULL,
    model               TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'running',
    input_tokens        INTEGER,
    output_tokens       INTEGER,
    total_cost          REAL,
    session_id          TEXT,
    started_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    completed_at        TEXT,
    cache_read_tokens   INTEGER DEFAULT 0,
    cache_write_tokens  INTEGER DEFAULT 0,
    duration_ms         INTEGER,
    reset_marker        TEXT,
    workflow_session_id TEXT,
    num_turns           INTEGER DEFAULT 0,
    stop_reason         TEXT,
    duration_api_ms     INTEGER,
    tool_use_count      INTEGER DEFAULT 0,
    compaction_count    INTEGER DEFAULT 0,
    workflow_run_id     INTEGER REFERENCES workflow_runs(id) ON DELETE SET NULL,
    PRIMARY KEY (agent_id, model)
);

CREATE TABLE workflow_sessions (
    session_id   TEXT PRIMARY KEY,
    skill_name   TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at     TEXT,
    reset_marker TEXT,
    skill_id     INTEGER REFERENCES skills(id) ON DELETE SET NULL
);

CREATE TABLE skill_tags (
    skill_name TEXT NOT NULL,
    tag        TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    skill_id   INTEGER REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (skill_name, tag)
);

CREATE TABLE skill_locks (
    skill_name  TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    acquired_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    skill_id    INTEGER REFERENCES skills(id) ON DELETE CASCADE
);

CREATE TABLE imported_skills (
    skill_id                 TEXT PRIMARY KEY,
    skill_name               TEXT NOT NULL UNIQUE,
    is_active                INTEGER NOT NULL DEFAULT 1,
    disk_path                TEXT NOT NULL,
    imported_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    is_bundled               INTEGER NOT NULL DEFAULT 0,
    purpose                  TEXT,
    version                  TEXT,
    model                    TEXT,
    argument_hint            TEXT,
    user_invocable           INTEGER,
    disable_model_invocation INTEGER,
    skill_master_id          INTEGER REFERENCES skills(id) ON DELETE CASCADE,
    content_hash             TEXT,
    marketplace_source_url   TEXT
);

CREATE TABLE workspace_skills (
    skill_id                 TEXT PRIMARY KEY,
    skill_name               TEXT NOT NULL UNIQUE,
    description              TEXT,
    is_active                INTEGER NOT NULL DEFAULT 1,
    is_bundled               INTEGER NOT NULL DEFAULT 0,
    disk_path                TEXT NOT NULL,
    imported_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    purpose                  TEXT,
    version                  TEXT,
    model                    TEXT,
    argument_hint            TEXT,
    user_invocable           INTEGER,
    disable_model_invocation INTEGER,
    content_hash             TEXT,
    marketplace_source_url   TEXT
);

CREATE INDEX idx_agent_runs_workflow_session ON agent_runs(workflow_session_id);
CREATE INDEX idx_agent_runs_run_step ON agent_runs(workflow_run_id, step_id);
CREATE INDEX idx_workflow_sessions_skill ON workflow_sessions(skill_id);
CREATE INDEX idx_workflow_sessions_ended ON workflow_sessions(ended_at);
CREATE INDEX idx_skill_tags_skill ON skill_tags(skill_id);
CREATE INDEX idx_imported_skills_master ON imported_skills(skill_master_id);
