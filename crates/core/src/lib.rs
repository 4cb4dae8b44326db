//! Skill Builder core: everything the app does, with no knowledge of the shell
//! (Tauri, HTTP or CLI) that calls it.

pub mod agents;
pub mod anthropic;
pub mod app;
pub mod args;
pub mod catalog;
pub mod db;
pub mod error;
pub mod evals;
pub mod events;
pub mod files;
pub mod git_import;
pub mod github;
pub mod hashing;
pub mod history;
pub mod ingest;
pub mod installs;
pub mod locks;
pub mod logging;
pub mod node;
pub mod options;
pub mod path_guard;
pub mod paths;
pub mod placing;
pub mod publish;
pub mod reconcile;
pub mod refine;
pub mod safe_fs;
pub mod secrets;
pub mod settings;
pub mod skill_meta;
pub mod skill_zip;
pub mod skills;
pub mod skilltest;
pub mod staging;
pub mod startup;
pub mod usage;
pub mod workflow;
pub mod workspace_skills;

pub use app::App;
pub use error::{Error, ErrorKind, Result};
