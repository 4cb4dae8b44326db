//! Skill Builder core: everything the app does, with no knowledge of the shell
//! (Tauri, HTTP or CLI) that calls it.

pub mod error;
pub mod ingest;

pub use error::{Error, ErrorKind, Result};
