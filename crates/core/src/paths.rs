//! Where the app keeps things on disk: data dir, database, logs, default workspace and
//! skills folders. Path arithmetic, plus the owner-only permissions of what the app keeps
//! there: without a keychain the database holds the API key and the GitHub token, so on Unix
//! the data dir is 0700 and the database and logs 0600 (Windows keeps the user profile's ACL).

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};

/// The OS app-data folder name of the reference app identifier.
const APP_ID: &str = "com.skillbuilder.app";

#[derive(Debug, Clone)]
pub struct DataPaths {
    pub data_dir: PathBuf,
}

impl DataPaths {
    /// `explicit` (the `--data-dir` flag, else `SKILL_BUILDER_DATA_DIR` through
    /// [`crate::options::Options`]) wins, then the OS app-data folder.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<DataPaths> {
        let dir = match explicit {
            Some(d) => d,
            None => dirs::data_dir()
                .ok_or_else(|| {
                    Error::io(
                        "no OS data directory found; pass --data-dir or set SKILL_BUILDER_DATA_DIR",
                    )
                })?
                .join(APP_ID),
        };
        let dir = absolute(&dir)?;
        Ok(DataPaths { data_dir: dir })
    }

    pub fn db_file(&self) -> PathBuf {
        self.data_dir.join("skill-builder.db")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
    pub fn log_file(&self) -> PathBuf {
        self.log_dir().join("skill-builder.log")
    }
    pub fn default_workspace(&self) -> PathBuf {
        self.data_dir.join("workspace")
    }
    pub fn default_skills(&self) -> PathBuf {
        self.data_dir.join("skills")
    }
    /// Packages (`.skill` files) live outside the skills git repo so they are never committed.
    pub fn exports_dir(&self) -> PathBuf {
        self.data_dir.join("exports")
    }

    /// Creates the data dir and the log folder owner-only, and tightens them when an older
    /// version left them readable by others. A folder whose mode cannot be changed (another
    /// owner, a file system without modes) is only warned about: the files inside are
    /// created owner-only anyway.
    pub fn ensure_dirs(&self) -> Result<()> {
        for d in [self.data_dir.clone(), self.log_dir()] {
            create_private_dir_all(&d).with_path(&d)?;
            if let Err(e) = restrict_to_owner(&d) {
                tracing::warn!("cannot make {} private: {e}", d.display());
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
const PRIVATE_DIR_MODE: u32 = 0o700;
#[cfg(unix)]
const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` (owner-only on Unix) after its missing parents (default permissions: they
/// may be shared OS folders such as `~/.local/share`). An existing `dir` is left as it is.
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match private_dir_builder().create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(unix)]
fn private_dir_builder() -> std::fs::DirBuilder {
    use std::os::unix::fs::DirBuilderExt;
    let mut b = std::fs::DirBuilder::new();
    b.mode(PRIVATE_DIR_MODE);
    b
}

#[cfg(not(unix))]
fn private_dir_builder() -> std::fs::DirBuilder {
    std::fs::DirBuilder::new()
}

/// Makes `opts` create its file owner-only (Unix), so no secret is ever written to a file
/// others can read, not even between creation and a later chmod.
pub fn private_file(opts: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(opts, PRIVATE_FILE_MODE);
    opts
}

/// Removes group and other permissions from an existing file or folder (no-op when it is
/// absent, or on Windows). A symlink is left alone: the app never changes what a link points to.
pub fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() || mode & 0o077 == 0 {
            return Ok(());
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Makes a path absolute against the current directory without touching the disk.
pub fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(format!("bad path {}: {e}", p.display())))
}

/// A path as the UTF-8 string the API returns.
pub fn path_string(p: &Path) -> Result<String> {
    p.to_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid(format!("path is not valid UTF-8: {}", p.display())))
}

/// Removes trailing separators (`/x/skills/` → `/x/skills`), keeping a bare root.
pub fn normalize_user_path(s: &str) -> String {
    let trimmed = s.trim().trim_end_matches(['/', '\\']);
    if trimmed.is_empty() && !s.trim().is_empty() {
        return s.trim()[..1].to_string();
    }
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_strips_trailing_separators_but_keeps_repeated_segments() {
        assert_eq!(normalize_user_path("/x/skills/"), "/x/skills");
        assert_eq!(normalize_user_path("/data/x/x"), "/data/x/x");
        assert_eq!(normalize_user_path("C:\\s\\"), "C:\\s");
        assert_eq!(normalize_user_path("/"), "/");
    }
}
