//! The one error type of the core: a stable machine-readable kind plus a human message.
//! Shells map kinds to exit codes / HTTP statuses; they never parse the message.

use serde::Serialize;
use std::fmt;

/// Stable error kinds. Their snake_case names are part of the CLI and HTTP contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    Conflict,
    Locked,
    Io,
    Network,
    Agent,
    Internal,
    UnknownCommand,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Locked => "locked",
            ErrorKind::Io => "io",
            ErrorKind::Network => "network",
            ErrorKind::Agent => "agent",
            ErrorKind::Internal => "internal",
            ErrorKind::UnknownCommand => "unknown_command",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, m)
    }
    pub fn invalid(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, m)
    }
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, m)
    }
    pub fn locked(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Locked, m)
    }
    pub fn io(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, m)
    }
    pub fn network(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, m)
    }
    pub fn agent(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Agent, m)
    }
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, m)
    }

    /// Prefixes the message with where the error happened (a path, a skill…).
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// The JSON document shells print / send: `{"error":{"kind","message"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"error": {"kind": self.kind, "message": self.message}})
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation {
                return Error::conflict(format!("database constraint violated: {e}"));
            }
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) {
                return Error::locked(format!("the database is busy (another instance?): {e}"));
            }
            if f.code == rusqlite::ErrorCode::DiskFull {
                return Error::io(format!("the disk is full: {e}"));
            }
        }
        Error::internal(format!("database error: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => Error::not_found(e.to_string()),
            _ => Error::io(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::invalid(format!("invalid JSON: {e}"))
    }
}

/// Adds a path (or other subject) to io errors at the boundary where it is known.
pub trait IoContext<T> {
    fn with_path(self, path: &std::path::Path) -> Result<T>;
}

/// `s` cut to at most `max_chars` characters (with "…" when cut): user input echoed in an
/// error message must not make the message as long as the input.
pub fn shorten(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn with_path(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| Error::from(e).context(path.display()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shorten_cuts_on_a_character_boundary() {
        assert_eq!(super::shorten("abc", 3), "abc");
        assert_eq!(super::shorten("abcd", 3), "abc…");
        assert_eq!(super::shorten("ééé", 2), "éé…");
    }
}
