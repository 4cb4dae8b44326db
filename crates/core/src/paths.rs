//! Where the app keeps things on disk: data dir, database, logs, default workspace and
//! skills folders. Pure path arithmetic; it creates folders only in `ensure_dirs`.

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};

/// The OS app-data folder name of the reference app identifier.
const APP_ID: &str = "com.skillbuilder.app";

#[derive(Debug, Clone)]
pub struct DataPaths {
    pub data_dir: PathBuf,
}

impl DataPaths {
    /// `explicit` (the `--data-dir` flag) wins, then `SKILL_BUILDER_DATA_DIR`, then the
    /// OS app-data folder.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<DataPaths> {
        let dir = match explicit {
            Some(d) => d,
            None => match std::env::var_os("SKILL_BUILDER_DATA_DIR").filter(|v| !v.is_empty()) {
                Some(d) => PathBuf::from(d),
                None => dirs::data_dir()
                    .ok_or_else(|| {
                        Error::io("no OS data directory found; pass --data-dir or set SKILL_BUILDER_DATA_DIR")
                    })?
                    .join(APP_ID),
            },
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

    pub fn ensure_dirs(&self) -> Result<()> {
        for d in [self.data_dir.clone(), self.log_dir()] {
            std::fs::create_dir_all(&d).with_path(&d)?;
        }
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
