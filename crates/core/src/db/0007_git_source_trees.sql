-- Migration 7: the id of an imported skill's folder tree at its pinned commit (issue 17), so a
-- listing says an update is available only when that folder changed, not whenever anything in
-- the repository moved on. NULL in rows written before it: those compare commits instead.
ALTER TABLE git_sources ADD COLUMN tree_sha TEXT;
