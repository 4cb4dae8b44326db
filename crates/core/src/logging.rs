//! The app log: one file in the data dir with a size cap and rotation, and a level that can
//! change at run time. Shells call `init` once; values of secrets never reach it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, Registry};

/// Size at which the log rotates, and how many rotated files are kept.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;
pub const KEEP_ROTATED: usize = 3;

static RELOAD: OnceLock<reload::Handle<LevelFilter, Registry>> = OnceLock::new();

/// Parses a level name; anything unknown means `info` (the reference's rule).
pub fn parse_level(level: &str) -> LevelFilter {
    match level.trim().to_ascii_lowercase().as_str() {
        "error" => LevelFilter::ERROR,
        "warn" | "warning" => LevelFilter::WARN,
        "debug" => LevelFilter::DEBUG,
        "trace" => LevelFilter::TRACE,
        _ => LevelFilter::INFO,
    }
}

/// Installs the global subscriber writing to `file` (rotating) and, when `stderr_level` is
/// given, also to stderr at that level. Later calls are ignored (one subscriber per process).
pub fn init(file: &Path, level: &str, stderr_level: Option<LevelFilter>) {
    if RELOAD.get().is_some() {
        return;
    }
    let writer = match RotatingFile::open(file, MAX_LOG_BYTES, KEEP_ROTATED) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("warning: cannot open log file {}: {e}", file.display());
            return;
        }
    };
    let (filter, handle) = reload::Layer::new(parse_level(level));
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(true)
        .with_writer(Mutex::new(writer));
    let stderr_layer = stderr_level.map(|lvl| {
        tracing_subscriber::fmt::layer()
            .with_writer(io::stderr)
            .with_target(false)
            .with_filter(lvl)
    });
    use tracing_subscriber::Layer;
    let ok = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .is_ok();
    if ok {
        let _ = RELOAD.set(handle);
    }
}

/// Changes the level of the running subscriber. Returns the level applied.
pub fn set_level(level: &str) -> LevelFilter {
    let lvl = parse_level(level);
    if let Some(h) = RELOAD.get() {
        let _ = h.modify(|f| *f = lvl);
    }
    lvl
}

/// A file writer that renames `x.log` → `x.log.1` (… `.N`) when it would exceed `max_bytes`.
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    written: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingFile {
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let written = file.metadata()?.len();
        Ok(RotatingFile {
            path: path.to_path_buf(),
            file,
            written,
            max_bytes,
            keep,
        })
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut s = self.path.clone().into_os_string();
        s.push(format!(".{n}"));
        PathBuf::from(s)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        std::fs::rename(&self.path, self.rotated(1))?;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotating_file_caps_size_and_keeps_n_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut w = RotatingFile::open(&path, 100, 2).unwrap();
        for i in 0..10 {
            writeln!(w, "line {i:02} {}", "x".repeat(40)).unwrap();
        }
        w.flush().unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() <= 100);
        assert!(dir.path().join("app.log.1").exists());
        assert!(dir.path().join("app.log.2").exists());
        assert!(!dir.path().join("app.log.3").exists());
        let current = std::fs::read_to_string(&path).unwrap();
        assert!(
            current.contains("line 09"),
            "newest line stays in the live file"
        );
    }

    #[test]
    fn unknown_level_means_info() {
        assert_eq!(parse_level("DEBUG"), LevelFilter::DEBUG);
        assert_eq!(parse_level("verbose"), LevelFilter::INFO);
    }
}
