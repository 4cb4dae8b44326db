//! The CLI's integration tests, one binary: each module drives the built `skill-builder`
//! binary through [`support`], a child process with its own environment and data folder, so
//! the tests run side by side without sharing anything.

mod support;

mod contract;
mod eval;
mod import_git;
mod import_github;
mod ingest;
mod install;
mod lint_fix;
mod list_states;
mod publish;
mod readme_agrees;
mod secrets_restart;
#[cfg(unix)]
mod serve;
