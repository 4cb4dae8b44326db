//! The core's integration tests, one binary: each module is a former test file and opens its
//! apps through [`support`] with explicit options (keychain off, its own data folder), so the
//! tests run side by side in one process without sharing an environment variable or a folder.

mod support;

mod agent_installs;
mod anthropic;
mod bad_input_matrix;
mod concurrency;
mod db;
mod decisions_gate;
mod delete_running;
mod evals;
mod export_roundtrip;
mod files;
mod frontmatter_rules;
mod fuzz_regressions;
mod git_import;
mod github_auth;
mod github_import;
mod github_url;
mod history;
mod keychain;
mod lint_agrees_with_skills_ref;
mod locks;
mod logging;
mod node;
mod pool_faults;
#[cfg(unix)]
mod private_data;
mod publish;
mod real_agents;
mod reconcile;
mod refine_mock;
mod refine_sdk;
mod security_claims;
mod security_doc;
mod settings;
mod skills;
mod structure;
#[cfg(unix)]
mod symlink_safety;
mod upload;
mod usage;
mod user_folders;
mod workflow_crash;
mod workflow_mock;
mod workflow_sdk;
mod workspace_skills;
