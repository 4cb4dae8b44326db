-- Migration 3: the start time of the process that wrote a row's `pid` (locks.rs
-- process_start_time). A PID can be reused by another program once its holder dies; with the
-- start time a lock or session of a dead holder is recognised as stale even then. NULL in rows
-- written before this version: those are judged by PID alone.
ALTER TABLE skill_locks ADD COLUMN pid_started_at INTEGER;
ALTER TABLE workflow_sessions ADD COLUMN pid_started_at INTEGER;
