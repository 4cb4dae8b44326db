-- Migration 4: copies of library skills installed into agents' skills folders (issue 17).
-- One row per installed folder: what was written there (content_hash over relative paths and
-- bytes) tells an outdated copy (the library moved on) from one changed by hand (the folder
-- moved on), and a folder with no row is someone else's and is never touched.
-- No foreign key to `skills`: an install outlives the library skill it came from until it is
-- uninstalled.
CREATE TABLE agent_installs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    skill_name    TEXT NOT NULL,
    agent         TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('user', 'project', 'dir')),
    path          TEXT NOT NULL UNIQUE,
    version       TEXT,
    content_hash  TEXT NOT NULL,
    installed_at  TEXT NOT NULL
);
CREATE INDEX idx_agent_installs_skill ON agent_installs(skill_name);
