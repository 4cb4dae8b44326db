//! The app log: one file in the data dir with a size cap and rotation, and a level that can
//! change at run time. Shells call `init` once; values of secrets never reach it.
//!
//! Scrubbing is a property of the log itself, not of each call site: every registered secret
//! ([`register_secret`]: the configured API key and GitHub token, and the options'
//! `ANTHROPIC_API_KEY`, registered by `App::open_with`) is replaced in every line written to
//! the file or stderr, whatever the mode or level. The log files are owner-only on Unix.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, RwLock};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, Registry};

/// Size at which the log rotates, and how many rotated files are kept.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;
pub const KEEP_ROTATED: usize = 3;

static RELOAD: OnceLock<reload::Handle<LevelFilter, Registry>> = OnceLock::new();

/// Shorter values are not scrubbed: they would match ordinary words of the log.
pub const MIN_SECRET_LEN: usize = 8;
const REDACTED: &[u8] = b"[REDACTED]";

/// The values scrubbed from the log. Never shrinks: a replaced key stays scrubbed.
fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Adds a value to scrub from every later log line (ignored when shorter than
/// [`MIN_SECRET_LEN`]).
pub fn register_secret(value: &str) {
    if value.len() < MIN_SECRET_LEN {
        return;
    }
    // Settings are loaded often; the usual case is a value already known.
    if secrets()
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .any(|s| s == value)
    {
        return;
    }
    let mut all = secrets().write().unwrap_or_else(|p| p.into_inner());
    if !all.iter().any(|s| s == value) {
        all.push(value.to_string());
        // Longest first: a secret that contains another is replaced whole, not in part.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `buf` with every registered secret replaced; borrowed (no allocation) when none occurs.
fn scrub<'a>(buf: &'a [u8], secrets: &[String]) -> Cow<'a, [u8]> {
    let mut out: Cow<'a, [u8]> = Cow::Borrowed(buf);
    for s in secrets {
        if let Some(replaced) = replace_all(&out, s.as_bytes()) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

fn replace_all(hay: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let mut at = find(hay, needle)?;
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    loop {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(REDACTED);
        rest = &rest[at + needle.len()..];
        match find(rest, needle) {
            Some(i) => at = i,
            None => break,
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A writer that scrubs the registered secrets from what goes through it. The formatter
/// hands it one whole event per write, so a secret is never split across two writes.
pub struct Scrubbing<W>(pub W);

impl<W: Write> Write for Scrubbing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let clean = {
            let all = secrets().read().unwrap_or_else(|p| p.into_inner());
            scrub(buf, &all)
        };
        match clean {
            Cow::Borrowed(_) => self.0.write(buf),
            Cow::Owned(clean) => {
                self.0.write_all(&clean)?;
                Ok(buf.len())
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

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
        .with_writer(Mutex::new(Scrubbing(writer)));
    let stderr_layer = stderr_level.map(|lvl| {
        tracing_subscriber::fmt::layer()
            .with_writer(|| Scrubbing(io::stderr()))
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
/// Its files are owner-only (rotation renames them, keeping the mode).
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
            crate::paths::create_private_dir_all(parent)?;
        }
        let file = open_private(path)?;
        let written = file.metadata()?.len();
        let w = RotatingFile {
            path: path.to_path_buf(),
            file,
            written,
            max_bytes,
            keep,
        };
        // Files an older version left readable by others. A file system without modes is
        // no reason to lose the log.
        for p in std::iter::once(path.to_path_buf()).chain((1..=keep).map(|n| w.rotated(n))) {
            let _ = crate::paths::restrict_to_owner(&p);
        }
        Ok(w)
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
        self.file = open_private(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

fn open_private(path: &Path) -> io::Result<File> {
    crate::paths::private_file(OpenOptions::new().create(true).append(true)).open(path)
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
    fn scrub_replaces_every_occurrence_and_borrows_when_nothing_matches() {
        let secrets = vec!["sk-ant-0123456789".to_string(), "ghp_abcdefgh".to_string()];
        let line = b"a sk-ant-0123456789 b sk-ant-0123456789 ghp_abcdefgh\n";
        assert_eq!(
            &*scrub(line, &secrets),
            b"a [REDACTED] b [REDACTED] [REDACTED]\n"
        );
        assert!(matches!(scrub(b"clean line", &secrets), Cow::Borrowed(_)));
        assert!(matches!(scrub(b"sk-ant-", &secrets), Cow::Borrowed(_)));
    }

    #[cfg(unix)]
    #[test]
    fn log_files_are_owner_only_also_after_rotation() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("app.log");
        let mut w = RotatingFile::open(&path, 50, 2).unwrap();
        for i in 0..5 {
            writeln!(w, "line {i} {}", "x".repeat(30)).unwrap();
        }
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("logs/app.log.1")), 0o600);
        assert_eq!(mode(&dir.path().join("logs")), 0o700);
    }

    #[test]
    fn unknown_level_means_info() {
        assert_eq!(parse_level("DEBUG"), LevelFilter::DEBUG);
        assert_eq!(parse_level("verbose"), LevelFilter::INFO);
    }
}
