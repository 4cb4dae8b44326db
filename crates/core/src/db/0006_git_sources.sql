-- Migration 6: where the skills imported from a git URL came from (issue 17, `import_git_skills`).
-- One row per imported skill and destination: the URL (without credentials), the ref asked for
-- (NULL: the remote's HEAD), the commit the import was pinned to, and the skill's folder in that
-- repository. Update checks compare `commit_sha` with the commit the ref points to on the remote
-- now, without fetching. The skill's own row (`workspace_skills` / `imported_skills`) still
-- carries the URL in `marketplace_source_url`; a row here whose skill no longer names this URL
-- (deleted, or replaced from another source) is stale and ignored.
CREATE TABLE git_sources (
    target       TEXT NOT NULL CHECK (target IN ('workspace', 'library')),
    skill_name   TEXT NOT NULL,
    url          TEXT NOT NULL,
    ref_name     TEXT,
    commit_sha   TEXT NOT NULL,
    path         TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (target, skill_name)
);
