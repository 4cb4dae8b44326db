//! Safe extraction of an uploaded skill package (ingestion.md §2, with the limits of
//! architecture.md "Decisions that override the reference").
//!
//! - The input is sniffed, not trusted by extension: anything the `zip` crate cannot open
//!   is refused with "not a ZIP archive".
//! - Every entry name is checked before anything is written, and hostile ones are
//!   **refused**, not skipped: `..` components (zip-slip), absolute paths, drive letters,
//!   NUL bytes, symlinks, devices/FIFOs/sockets, encrypted entries. Junk (`__MACOSX/**`,
//!   `.DS_Store`, `Thumbs.db`) is skipped.
//! - Two entries that would land on the same path are **refused** before anything is
//!   written, naming the path: exact repeats (byte-identical names, which the `zip` crate
//!   would silently collapse to the *last* copy while `unzip` shows the first) and repeats
//!   after normalisation (`a/x`, `a//x`, `./a/x`, `a\x`). Paths that differ only in letter
//!   case (`a/X.md`, `a/x.md`; also via a folder: `Refs/a.md`, `refs/b.md`) are refused too,
//!   because they overwrite each other on the case-insensitive file systems of macOS and
//!   Windows. A folder entry repeated with the same spelling is harmless and allowed.
//!   Unicode normalisation (NFC/NFD) and Windows' trailing dots are not folded.
//! - Limits: entry count from the central directory; per-file and total sizes counted on
//!   the **real bytes** coming out of the decompressor (header sizes are never trusted).
//! - Layouts: `SKILL.md` at the root, or every entry inside exactly one top folder that
//!   holds `SKILL.md` (the folder is stripped).
//! - SKILL.md is read and validated (mandatory `name`/`description`, name rule) **before**
//!   anything touches the disk.
//! - Files go into a fresh temporary folder inside `dest_parent`; the caller renames it
//!   into place. On any failure that folder is removed, so nothing is left behind.
//! - The executable bit of entries (Unix mode) is kept.

use crate::error::{Error, IoContext, Result};
use crate::ingest::frontmatter::{self, FieldValue, Frontmatter, MAX_SKILL_MD_BYTES};
use crate::ingest::names::validate_skill_name;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Limits applied while extracting (defaults: architecture.md; settings may override).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ZipLimits {
    /// Most entries (files, folders, junk — everything in the central directory).
    pub max_entries: usize,
    /// Most uncompressed bytes in total, counted while extracting.
    pub max_total_bytes: u64,
    /// Most uncompressed bytes in one file, counted while extracting.
    pub max_file_bytes: u64,
}

impl ZipLimits {
    pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
    pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: Self::DEFAULT_MAX_ENTRIES,
            max_total_bytes: Self::DEFAULT_MAX_TOTAL_BYTES,
            max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// Where SKILL.md sat in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ZipLayout {
    /// `SKILL.md` at the root of the archive.
    Root,
    /// Everything inside one top folder (stripped on extraction).
    Folder { name: String },
}

/// A successfully extracted skill, still in its temporary folder.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedSkill {
    /// The temporary folder (a direct child of `dest_parent`) holding the skill's files;
    /// the caller renames it into place (or removes it).
    pub dir: PathBuf,
    /// SKILL.md's frontmatter (after a name override, if one was given).
    pub frontmatter: Frontmatter,
    /// The validated skill name (frontmatter `name`, or the override).
    pub name: String,
    pub layout: ZipLayout,
    /// Regular files written.
    pub files: usize,
    /// Uncompressed bytes written.
    pub bytes: u64,
    /// Junk entries that were skipped (`__MACOSX/…`, `.DS_Store`, `Thumbs.db`).
    pub skipped: Vec<String>,
}

/// Extracts a skill package. See the module documentation for the rules.
pub fn extract_skill_zip(
    zip_path: &Path,
    dest_parent: &Path,
    limits: ZipLimits,
) -> Result<ExtractedSkill> {
    extract_skill_zip_with_name(zip_path, dest_parent, limits, None)
}

/// Like [`extract_skill_zip`], with an optional name that replaces the frontmatter `name`
/// (ingestion.md §1.5: "upload gets an optional `name_override`"). The override is
/// validated instead of the file's name, and written into the extracted SKILL.md.
pub fn extract_skill_zip_with_name(
    zip_path: &Path,
    dest_parent: &Path,
    limits: ZipLimits,
    name_override: Option<&str>,
) -> Result<ExtractedSkill> {
    let file = File::open(zip_path).with_path(zip_path)?;
    if file.metadata().with_path(zip_path)?.is_dir() {
        return Err(Error::invalid(format!(
            "not a ZIP archive: '{}' is a folder",
            zip_path.display()
        )));
    }
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        Error::invalid(format!("not a ZIP archive: '{}' ({e})", zip_path.display()))
    })?;

    if archive.len() > limits.max_entries {
        return Err(Error::invalid(format!(
            "zip_limit_exceeded:entries: the archive has {} entries (at most {})",
            archive.len(),
            limits.max_entries
        )));
    }
    if archive.has_duplicate_names() {
        return Err(raw_duplicate_error(
            zip_path,
            archive.central_directory_start(),
        ));
    }

    // 1. Check every entry before writing anything.
    let mut entries = Vec::with_capacity(archive.len());
    let mut skipped = Vec::new();
    for i in 0..archive.len() {
        let e = archive
            .by_index_raw(i)
            .map_err(|e| Error::invalid(format!("corrupt ZIP archive: entry #{i}: {e}")))?;
        let name = e.name().map_err(|err| {
            Error::invalid(format!(
                "corrupt ZIP archive: entry #{i} has an unreadable name ({err})"
            ))
        })?;
        let name = name.into_owned();
        let comps = match checked_components(&name)? {
            Checked::Junk => {
                skipped.push(name);
                continue;
            }
            Checked::Path(c) => c,
        };
        if e.is_symlink() {
            return Err(Error::invalid(format!(
                "unsafe ZIP entry '{name}': symbolic links are not allowed in a skill package"
            )));
        }
        if let Some(mode) = e.unix_mode() {
            let kind = mode & 0o170000;
            if kind != 0 && kind != 0o100000 && kind != 0o040000 {
                return Err(Error::invalid(format!(
                    "unsafe ZIP entry '{name}': special files (devices, FIFOs, sockets) are not allowed"
                )));
            }
        }
        if e.encrypted() {
            return Err(Error::invalid(format!(
                "unsupported ZIP entry '{name}': encrypted entries are not supported"
            )));
        }
        let is_dir = e.is_dir() || e.unix_mode().is_some_and(|m| m & 0o170000 == 0o040000);
        let executable = e.unix_mode().is_some_and(|m| m & 0o111 != 0);
        entries.push(Entry {
            index: i,
            name,
            comps,
            is_dir,
            executable,
        });
    }

    refuse_clashing_paths(&entries)?;

    // 2. Layout.
    let (layout, skill_md_index) = find_layout(&entries)?;
    let strip = usize::from(matches!(layout, ZipLayout::Folder { .. }));

    // 3. SKILL.md: read (bounded), parse, validate, all before touching the disk.
    let content = {
        let mut f = archive
            .by_index(skill_md_index)
            .map_err(|e| Error::invalid(format!("cannot read SKILL.md from the archive: {e}")))?;
        let mut buf = Vec::new();
        (&mut f)
            .take(MAX_SKILL_MD_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::invalid(format!("cannot read SKILL.md from the archive: {e}")))?;
        if buf.len() > MAX_SKILL_MD_BYTES {
            return Err(Error::invalid(format!(
                "SKILL.md is too large (more than {MAX_SKILL_MD_BYTES} bytes)"
            )));
        }
        String::from_utf8(buf).map_err(|_| Error::invalid("SKILL.md is not valid UTF-8 text"))?
    };
    let mut fm = frontmatter::parse_skill_md(&content)
        .map_err(|e| e.context("SKILL.md"))?
        .frontmatter;
    let name = match name_override {
        Some(n) => n.to_string(),
        None => fm.name.clone().unwrap_or_default(),
    };
    let mut missing = Vec::new();
    if name.trim().is_empty() {
        missing.push("name");
    }
    if fm.description.is_none() {
        missing.push("description");
    }
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "missing_mandatory_fields:{}",
            missing.join(",")
        )));
    }
    validate_skill_name(&name)?;

    // 4. Extract into a fresh folder that is removed again on any failure.
    fs::create_dir_all(dest_parent).with_path(dest_parent)?;
    let tmp = dest_parent.join(crate::staging::unique_name(".zip-extract-"));
    fs::create_dir(&tmp).with_path(&tmp)?;
    let guard = RemoveOnDrop(Some(tmp.clone()));

    let mut total = 0u64;
    let mut files = 0usize;
    for entry in &entries {
        // An entry named `.` or `./` has no components at all (fuzz finding: slicing
        // panicked in the folder layout).
        let rel = entry.comps.get(strip..).unwrap_or_default();
        if rel.is_empty() {
            continue; // the stripped top folder itself
        }
        let target = rel.iter().fold(tmp.clone(), |p, c| p.join(c));
        if entry.is_dir {
            create_dirs(&target, &entry.name)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            create_dirs(parent, &entry.name)?;
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Error::invalid(format!(
                    "invalid ZIP archive: entry '{}' appears more than once",
                    entry.name
                )),
                _ => Error::from(e).context(target.display()),
            })?;
        let mut zf = archive
            .by_index(entry.index)
            .map_err(|e| Error::invalid(format!("cannot read ZIP entry '{}': {e}", entry.name)))?;
        copy_limited(&mut zf, &mut out, &entry.name, &target, &limits, &mut total)?;
        drop(out);
        files += 1;
        #[cfg(unix)]
        if entry.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).with_path(&target)?;
        }
        #[cfg(not(unix))]
        let _ = entry.executable;
    }

    if let Some(n) = name_override {
        if fm.name.as_deref() != Some(n) {
            let skill_md = tmp.join("SKILL.md");
            let rewritten =
                frontmatter::set_fields(&content, &[("name", FieldValue::Str(n.to_string()))])?;
            fs::write(&skill_md, &rewritten).with_path(&skill_md)?;
            fm = frontmatter::parse_skill_md(&rewritten)?.frontmatter;
        }
    }

    let dir = guard.disarm();
    Ok(ExtractedSkill {
        dir,
        frontmatter: fm,
        name,
        layout,
        files,
        bytes: total,
        skipped,
    })
}

struct Entry {
    index: usize,
    /// The name as stored in the archive (for messages).
    name: String,
    /// Normal path components (no `.`, no empty ones).
    comps: Vec<String>,
    is_dir: bool,
    executable: bool,
}

enum Checked {
    Path(Vec<String>),
    Junk,
}

/// Checks one entry name; refuses hostile ones, flags junk.
fn checked_components(name: &str) -> Result<Checked> {
    let unsafe_entry = |why: &str| {
        Err(Error::invalid(format!(
            "unsafe ZIP entry '{}': {why}",
            name.escape_debug()
        )))
    };
    if name.contains('\0') {
        return unsafe_entry("the name contains a NUL byte");
    }
    // Some Windows tools write `\` separators: treat them as separators, so `..\x` is seen.
    let norm = name.replace('\\', "/");
    if norm.starts_with('/') {
        return unsafe_entry("absolute paths are not allowed");
    }
    let first = norm.split('/').next().unwrap_or("");
    let b = first.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return unsafe_entry("drive letters are not allowed");
    }
    let mut comps = Vec::new();
    for c in norm.split('/') {
        match c {
            "" | "." => {}
            ".." => return unsafe_entry("'..' path components are not allowed (path traversal)"),
            c => comps.push(c.to_string()),
        }
    }
    let junk = comps.first().is_some_and(|c| c == "__MACOSX")
        || comps
            .last()
            .is_some_and(|c| c == ".DS_Store" || c == "Thumbs.db");
    if junk {
        return Ok(Checked::Junk);
    }
    Ok(Checked::Path(comps))
}

/// The error for a name stored twice, byte for byte. `ZipArchive` keys entries by name and
/// keeps only the last copy, so the name is found by reading the central directory again.
fn raw_duplicate_error(zip_path: &Path, central_directory_start: u64) -> Error {
    let what = match first_repeated_raw_name(zip_path, central_directory_start) {
        Some(name) => format!("the entry '{}' appears", name.escape_debug()),
        None => "an entry name appears".to_string(),
    };
    Error::invalid(format!(
        "invalid ZIP archive: {what} more than once; tools disagree on which copy wins, \
         so the package is refused — rebuild the archive with each file once"
    ))
}

/// The first name that repeats in the central directory (raw bytes, as the `zip` crate
/// compares them). `None` when the directory cannot be read back.
fn first_repeated_raw_name(zip_path: &Path, central_directory_start: u64) -> Option<String> {
    const CENTRAL_HEADER: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let mut r = BufReader::new(File::open(zip_path).ok()?);
    r.seek(SeekFrom::Start(central_directory_start)).ok()?;
    let mut seen = HashSet::new();
    loop {
        let mut fixed = [0u8; 46];
        r.read_exact(&mut fixed).ok()?;
        if fixed[..4] != CENTRAL_HEADER {
            return None;
        }
        let le16 = |at: usize| u16::from_le_bytes([fixed[at], fixed[at + 1]]);
        let mut name = vec![0u8; usize::from(le16(28))];
        r.read_exact(&mut name).ok()?;
        if !seen.insert(name.clone()) {
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
        let rest = i64::from(le16(30)) + i64::from(le16(32)); // extra field + comment
        r.seek_relative(rest).ok()?;
    }
}

/// Refuses two entries that would land on the same path, exactly or up to letter case
/// (see the module documentation). Paths are walked as a tree of lower-cased components,
/// so the work stays linear in the length of the names.
fn refuse_clashing_paths(entries: &[Entry]) -> Result<()> {
    struct Node {
        id: usize,
        spelled: String,
        is_dir: bool,
        entry: usize,
    }
    let mut nodes: HashMap<(usize, String), Node> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let mut parent = 0; // the archive root
        for (depth, comp) in entry.comps.iter().enumerate() {
            let is_dir = depth + 1 < entry.comps.len() || entry.is_dir;
            let key = (parent, comp.to_lowercase());
            match nodes.get(&key) {
                None => {
                    let id = nodes.len() + 1;
                    nodes.insert(
                        key,
                        Node {
                            id,
                            spelled: comp.clone(),
                            is_dir,
                            entry: index,
                        },
                    );
                    parent = id;
                }
                Some(n) if n.spelled == *comp && n.is_dir && is_dir => parent = n.id,
                Some(n) => {
                    let first = &entries[n.entry];
                    let path = entry.comps[..=depth].join("/");
                    return Err(clash_error(first, entry, &path, n.spelled == *comp));
                }
            }
        }
    }
    Ok(())
}

fn clash_error(first: &Entry, second: &Entry, path: &str, same_spelling: bool) -> Error {
    let (a, b) = (first.name.escape_debug(), second.name.escape_debug());
    let path = path.escape_debug();
    let same_target = first.comps.join("/") == second.comps.join("/");
    Error::invalid(if !same_spelling {
        format!(
            "invalid ZIP archive: entries '{a}' and '{b}' differ only in letter case at \
             '{path}' and would overwrite each other on macOS and Windows — rename one and \
             rebuild the archive"
        )
    } else if same_target {
        format!(
            "invalid ZIP archive: entries '{a}' and '{b}' both extract to '{path}' (the path \
             appears more than once); tools disagree on which copy wins, so the package is \
             refused — rebuild the archive with each file once"
        )
    } else {
        format!(
            "invalid ZIP archive: entry '{b}' clashes with entry '{a}' at '{path}' (a path \
             cannot be both a file and a folder) — rebuild the archive"
        )
    })
}

/// Picks the layout and the index of the SKILL.md entry.
fn find_layout(entries: &[Entry]) -> Result<(ZipLayout, usize)> {
    let not_found =
        || Error::invalid("Invalid skill package: SKILL.md not found at root or one level deep");
    if let Some(e) = entries
        .iter()
        .find(|e| !e.is_dir && e.comps.len() == 1 && e.comps[0] == "SKILL.md")
    {
        return Ok((ZipLayout::Root, e.index));
    }
    let mut candidates: Vec<(&str, usize)> = entries
        .iter()
        .filter(|e| !e.is_dir && e.comps.len() == 2 && e.comps[1] == "SKILL.md")
        .map(|e| (e.comps[0].as_str(), e.index))
        .collect();
    candidates.sort();
    candidates.dedup_by(|a, b| a.0 == b.0);
    match candidates.as_slice() {
        [] => Err(not_found()),
        [(folder, index)] => {
            for e in entries {
                let inside = e.comps.first().map(String::as_str) == Some(*folder)
                    && (e.comps.len() > 1 || e.is_dir);
                if !inside && !e.comps.is_empty() {
                    return Err(Error::invalid(format!(
                        "invalid skill package: entry '{}' is outside the skill folder '{folder}/' \
                         (a package holds either SKILL.md at its root or exactly one folder)",
                        e.name
                    )));
                }
            }
            Ok((
                ZipLayout::Folder {
                    name: folder.to_string(),
                },
                *index,
            ))
        }
        many => Err(Error::invalid(format!(
            "ambiguous_skill_package: the archive holds several skill folders: {}",
            many.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn create_dirs(path: &Path, entry: &str) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => Error::invalid(
            format!("invalid ZIP archive: entry '{entry}' clashes with a file of the same name"),
        ),
        _ => Error::from(e).context(path.display()),
    })
}

/// Copies an entry, counting the bytes actually produced by the decompressor.
fn copy_limited<R: Read, W: Write>(
    from: &mut R,
    to: &mut W,
    entry: &str,
    target: &Path,
    limits: &ZipLimits,
    total: &mut u64,
) -> Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::invalid(format!("corrupt ZIP entry '{entry}': {e}"))),
        };
        written += n as u64;
        *total += n as u64;
        if written > limits.max_file_bytes {
            return Err(Error::invalid(format!(
                "zip_limit_exceeded:file_size: entry '{entry}' is larger than {} bytes uncompressed",
                limits.max_file_bytes
            )));
        }
        if *total > limits.max_total_bytes {
            return Err(Error::invalid(format!(
                "zip_limit_exceeded:total_size: the archive holds more than {} bytes uncompressed (reached at entry '{entry}')",
                limits.max_total_bytes
            )));
        }
        to.write_all(&buf[..n]).with_path(target)?;
    }
    Ok(())
}

/// Removes a folder when dropped, unless disarmed.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) -> PathBuf {
        self.0.take().expect("armed")
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            if let Err(e) = fs::remove_dir_all(&p) {
                tracing::warn!("could not remove the temporary folder {}: {e}", p.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::io::Cursor;
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;

    const SKILL: &str = "---\nname: my-skill\ndescription: A test skill\n---\n# Body\n";

    enum Item<'a> {
        File(&'a str, &'a [u8]),
        Exec(&'a str, &'a [u8]),
        Dir(&'a str),
        Symlink(&'a str, &'a str),
        Mode(&'a str, u32),
    }
    use Item::*;

    fn build(items: &[Item]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for it in items {
            match it {
                File(n, d) => {
                    w.start_file(*n, opts.unix_permissions(0o644)).unwrap();
                    w.write_all(d).unwrap();
                }
                Exec(n, d) => {
                    w.start_file(*n, opts.unix_permissions(0o755)).unwrap();
                    w.write_all(d).unwrap();
                }
                Dir(n) => w.add_directory(*n, opts).unwrap(),
                Symlink(n, t) => w.add_symlink(*n, *t, opts).unwrap(),
                Mode(n, m) => {
                    w.start_file(*n, opts.unix_permissions(*m)).unwrap();
                    w.write_all(b"x").unwrap();
                }
            }
        }
        w.finish().unwrap().into_inner()
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        zip: PathBuf,
        dest: PathBuf,
    }

    fn fixture(bytes: &[u8]) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let zip = tmp.path().join("upload.skill");
        fs::write(&zip, bytes).unwrap();
        let dest = tmp.path().join("dest");
        fs::create_dir(&dest).unwrap();
        Fixture {
            _tmp: tmp,
            zip,
            dest,
        }
    }

    fn run(bytes: &[u8]) -> (Fixture, Result<ExtractedSkill>) {
        run_with(bytes, ZipLimits::default())
    }

    fn run_with(bytes: &[u8], limits: ZipLimits) -> (Fixture, Result<ExtractedSkill>) {
        let f = fixture(bytes);
        let r = extract_skill_zip(&f.zip, &f.dest, limits);
        (f, r)
    }

    fn dest_is_empty(f: &Fixture) -> bool {
        fs::read_dir(&f.dest).unwrap().next().is_none()
    }

    /// Runs, expects an `invalid_input` error containing `needle`, and nothing left behind.
    fn refused(bytes: &[u8], limits: ZipLimits, needle: &str) -> Error {
        let (f, r) = run_with(bytes, limits);
        let e = r.expect_err("should be refused");
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{}", e.message);
        assert!(
            e.message.contains(needle),
            "expected {needle:?} in {:?}",
            e.message
        );
        assert!(dest_is_empty(&f), "something was left behind");
        e
    }

    fn read(dir: &Path, rel: &str) -> String {
        fs::read_to_string(dir.join(rel)).unwrap()
    }

    #[test]
    fn root_layout() {
        let bytes = build(&[
            File("SKILL.md", SKILL.as_bytes()),
            Dir("references/"),
            File("references/api.md", b"api"),
            Exec("scripts/run.sh", b"#!/bin/sh\necho hi\n"),
            File("__MACOSX/._SKILL.md", b"junk"),
            File(".DS_Store", b"junk"),
            File("references/Thumbs.db", b"junk"),
        ]);
        let (f, r) = run(&bytes);
        let x = r.unwrap();
        assert_eq!(x.layout, ZipLayout::Root);
        assert_eq!(x.name, "my-skill");
        assert_eq!(x.frontmatter.description.as_deref(), Some("A test skill"));
        assert_eq!(x.dir.parent().unwrap(), f.dest);
        assert_eq!(read(&x.dir, "SKILL.md"), SKILL);
        assert_eq!(read(&x.dir, "references/api.md"), "api");
        assert_eq!(x.files, 3);
        assert_eq!(x.skipped.len(), 3);
        assert!(!x.dir.join(".DS_Store").exists());
        assert!(!x.dir.join("__MACOSX").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = fs::metadata(x.dir.join("scripts/run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(m & 0o111, 0o111, "exec bit kept: {m:o}");
            let m = fs::metadata(x.dir.join("references/api.md"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(m & 0o111, 0, "no exec bit: {m:o}");
        }
        // Only the temp folder is in dest.
        assert_eq!(fs::read_dir(&f.dest).unwrap().count(), 1);
    }

    #[test]
    fn folder_layout_is_stripped() {
        let bytes = build(&[
            Dir("my-skill/"),
            File("my-skill/SKILL.md", SKILL.as_bytes()),
            File("my-skill/references/x.md", b"x"),
            File("__MACOSX/my-skill/._x.md", b"junk"),
        ]);
        let (_f, r) = run(&bytes);
        let x = r.unwrap();
        assert_eq!(
            x.layout,
            ZipLayout::Folder {
                name: "my-skill".into()
            }
        );
        assert_eq!(read(&x.dir, "SKILL.md"), SKILL);
        assert_eq!(read(&x.dir, "references/x.md"), "x");
        assert!(!x.dir.join("my-skill").exists());
    }

    #[test]
    fn dot_slash_root_and_backslashes() {
        let bytes = build(&[
            File("./SKILL.md", SKILL.as_bytes()),
            File("references\\y.md", b"y"),
        ]);
        let (_f, r) = run(&bytes);
        let x = r.unwrap();
        assert_eq!(x.layout, ZipLayout::Root);
        assert_eq!(read(&x.dir, "references/y.md"), "y");
    }

    #[test]
    fn zip_slip_is_refused() {
        for evil in [
            "../evil.txt",
            "references/../../evil.txt",
            "a/../../b",
            "..\\evil.txt",
        ] {
            let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), File(evil, b"pwned")]);
            let e = refused(&bytes, ZipLimits::default(), "'..'");
            assert!(e.message.contains("unsafe ZIP entry"), "{}", e.message);
        }
    }

    #[test]
    fn absolute_paths_and_drive_letters_are_refused() {
        for (evil, why) in [
            ("/etc/evil", "absolute"),
            ("\\windows\\evil", "absolute"),
            ("C:/evil.txt", "drive letter"),
            ("c:\\evil.txt", "drive letter"),
            ("D:evil.txt", "drive letter"),
        ] {
            let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), File(evil, b"pwned")]);
            let e = refused(&bytes, ZipLimits::default(), why);
            assert!(e.message.contains("unsafe ZIP entry"), "{}", e.message);
        }
    }

    #[test]
    fn symlinks_and_special_files_are_refused() {
        let bytes = build(&[
            File("SKILL.md", SKILL.as_bytes()),
            Symlink("references/link", "/etc/passwd"),
        ]);
        let e = refused(&bytes, ZipLimits::default(), "symbolic link");
        assert!(e.message.contains("references/link"), "{}", e.message);

        // The writer only stores permission bits, so set the file type by hand.
        for kind in [0o010000, 0o020000, 0o060000, 0o140000] {
            let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), Mode("special", 0o644)]);
            let bytes = set_unix_mode(bytes, "special", kind | 0o644);
            refused(&bytes, ZipLimits::default(), "special files");
        }
        // A symlink marked only by its mode bits (no writer help) is refused too.
        let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), Mode("link", 0o644)]);
        let bytes = set_unix_mode(bytes, "link", 0o120777);
        refused(&bytes, ZipLimits::default(), "symbolic link");
    }

    #[test]
    fn nul_bytes_are_refused() {
        let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), File("a\0b", b"x")]);
        refused(&bytes, ZipLimits::default(), "NUL");
    }

    #[test]
    fn entry_count_limit() {
        let mut items = vec![File("SKILL.md", SKILL.as_bytes())];
        let names: Vec<String> = (0..10).map(|i| format!("f{i}.txt")).collect();
        for n in &names {
            items.push(File(n, b"x"));
        }
        let bytes = build(&items);
        let limits = ZipLimits {
            max_entries: 10,
            ..ZipLimits::default()
        };
        let e = refused(&bytes, limits, "zip_limit_exceeded:entries");
        assert!(e.message.contains("11 entries"), "{}", e.message);
        // Exactly at the limit is fine.
        let limits = ZipLimits {
            max_entries: 11,
            ..ZipLimits::default()
        };
        run_with(&bytes, limits).1.unwrap();
    }

    #[test]
    fn per_file_limit_counts_real_bytes() {
        let big = vec![0u8; 2 * 1024 * 1024]; // deflates to a few KiB
        let bytes = build(&[File("SKILL.md", SKILL.as_bytes()), File("big.bin", &big)]);
        let limits = ZipLimits {
            max_file_bytes: 1024 * 1024,
            ..ZipLimits::default()
        };
        let e = refused(&bytes, limits, "zip_limit_exceeded:file_size");
        assert!(e.message.contains("big.bin"), "{}", e.message);
    }

    #[test]
    fn total_limit_counts_real_bytes() {
        let chunk = vec![b'a'; 600 * 1024];
        let bytes = build(&[
            File("SKILL.md", SKILL.as_bytes()),
            File("a.bin", &chunk),
            File("b.bin", &chunk),
        ]);
        let limits = ZipLimits {
            max_total_bytes: 1024 * 1024,
            ..ZipLimits::default()
        };
        refused(&bytes, limits, "zip_limit_exceeded:total_size");
    }

    /// Sets the Unix mode (external attributes, "made by Unix") of the central-directory
    /// entry called `name`.
    fn set_unix_mode(mut bytes: Vec<u8>, name: &str, mode: u32) -> Vec<u8> {
        let mut i = 0;
        while i + 46 <= bytes.len() {
            if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
                let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
                if &bytes[i + 46..i + 46 + n] == name.as_bytes() {
                    bytes[i + 5] = 3; // made by: Unix
                    bytes[i + 38..i + 42].copy_from_slice(&(mode << 16).to_le_bytes());
                    return bytes;
                }
                i += 46;
            } else {
                i += 1;
            }
        }
        panic!("entry {name} not found");
    }

    /// Rewrites the "uncompressed size" fields of the headers of entry `name` to `fake`,
    /// so the archive lies about that entry's size.
    fn lie_about_size(mut bytes: Vec<u8>, name: &str, fake: u32) -> Vec<u8> {
        let fake = fake.to_le_bytes();
        let n = name.len();
        let mut i = 0;
        while i + 4 <= bytes.len() {
            match &bytes[i..i + 4] {
                [0x50, 0x4b, 0x03, 0x04]
                    if bytes.get(i + 30..i + 30 + n) == Some(name.as_bytes()) =>
                {
                    bytes[i + 22..i + 26].copy_from_slice(&fake);
                    i += 30;
                }
                [0x50, 0x4b, 0x01, 0x02]
                    if bytes.get(i + 46..i + 46 + n) == Some(name.as_bytes()) =>
                {
                    bytes[i + 24..i + 28].copy_from_slice(&fake);
                    i += 46;
                }
                _ => i += 1,
            }
        }
        bytes
    }

    #[test]
    fn lying_headers_do_not_bypass_the_limits() {
        let big = vec![0u8; 3 * 1024 * 1024];
        let honest = build(&[File("SKILL.md", SKILL.as_bytes()), File("bomb.bin", &big)]);
        let bytes = lie_about_size(honest, "bomb.bin", 10);
        let limits = ZipLimits {
            max_file_bytes: 1024 * 1024,
            max_total_bytes: 1024 * 1024,
            ..ZipLimits::default()
        };
        let (f, r) = run_with(&bytes, limits);
        let e = r.expect_err("a lying archive must not extract");
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{}", e.message);
        // Refused by our byte count or by the zip crate's own size check, never extracted.
        assert!(
            e.message.contains("zip_limit_exceeded") || e.message.contains("declared"),
            "{}",
            e.message
        );
        assert!(e.message.contains("bomb.bin"), "{}", e.message);
        assert!(dest_is_empty(&f));
    }

    #[test]
    fn not_a_zip() {
        refused(
            b"this is plain text, not a zip",
            ZipLimits::default(),
            "not a ZIP archive",
        );
        refused(b"", ZipLimits::default(), "not a ZIP archive");
        let mut truncated = build(&[File("SKILL.md", SKILL.as_bytes())]);
        truncated.truncate(truncated.len() / 2);
        refused(&truncated, ZipLimits::default(), "not a ZIP archive");
    }

    #[test]
    fn missing_skill_md() {
        let msg = "SKILL.md not found at root or one level deep";
        refused(
            &build(&[File("README.md", b"x")]),
            ZipLimits::default(),
            msg,
        );
        refused(
            &build(&[File("repo/skills/x/SKILL.md", SKILL.as_bytes())]),
            ZipLimits::default(),
            msg,
        );
        refused(
            &build(&[File("skill.md", SKILL.as_bytes())]),
            ZipLimits::default(),
            msg,
        );
        refused(&build(&[]), ZipLimits::default(), msg);
    }

    #[test]
    fn ambiguous_and_stray_entries() {
        let e = refused(
            &build(&[
                File("b-skill/SKILL.md", SKILL.as_bytes()),
                File("a-skill/SKILL.md", SKILL.as_bytes()),
            ]),
            ZipLimits::default(),
            "ambiguous_skill_package",
        );
        assert!(e.message.contains("a-skill, b-skill"), "{}", e.message);
        let e = refused(
            &build(&[
                File("my-skill/SKILL.md", SKILL.as_bytes()),
                File("README.md", b"stray"),
            ]),
            ZipLimits::default(),
            "outside the skill folder",
        );
        assert!(e.message.contains("README.md"), "{}", e.message);
    }

    #[test]
    fn mandatory_fields() {
        for (fm, want) in [
            (
                "---\nversion: 1\n---\n",
                "missing_mandatory_fields:name,description",
            ),
            (
                "---\nname: a\n---\n",
                "missing_mandatory_fields:description",
            ),
            (
                "---\ndescription: d\n---\n",
                "missing_mandatory_fields:name",
            ),
            (
                "no frontmatter at all\n",
                "missing_mandatory_fields:name,description",
            ),
            (
                "---\nname: a\ndescription: '  '\n---\n",
                "missing_mandatory_fields:description",
            ),
        ] {
            let e = refused(
                &build(&[File("SKILL.md", fm.as_bytes())]),
                ZipLimits::default(),
                want,
            );
            assert_eq!(e.message, want);
        }
    }

    #[test]
    fn invalid_names_and_malformed_frontmatter() {
        for bad in ["../../x", "/abs/x", ".", ".inactive", "Bad_Name", "con"] {
            let md = format!("---\nname: '{bad}'\ndescription: d\n---\n");
            refused(
                &build(&[File("SKILL.md", md.as_bytes())]),
                ZipLimits::default(),
                &format!("invalid_skill_name:{bad}"),
            );
        }
        let e = refused(
            &build(&[File("SKILL.md", b"---\nname: a\ndescription: [x\n---\n")]),
            ZipLimits::default(),
            "invalid_frontmatter: ",
        );
        assert!(
            e.message.starts_with("SKILL.md: invalid_frontmatter: 4:1 "),
            "{}",
            e.message
        );
        let e = refused(
            &build(&[File(
                "SKILL.md",
                b"---\nname: a\ndescription: b\n  bad: indent\n---\n",
            )]),
            ZipLimits::default(),
            "invalid_frontmatter: ",
        );
        assert!(
            e.message.starts_with("SKILL.md: invalid_frontmatter: 4:"),
            "{}",
            e.message
        );
        refused(
            &build(&[File(
                "SKILL.md",
                b"---\nname: a\ndescription: \xff\xfe\n---\n",
            )]),
            ZipLimits::default(),
            "not valid UTF-8",
        );
    }

    #[test]
    fn crlf_bom_multiline_frontmatter() {
        let md = "\u{feff}---\r\nname: crlf-skill\r\ndescription: >-\r\n  line one\r\n  line two\r\n---\r\nbody\r\n";
        let (_f, r) = run(&build(&[File("SKILL.md", md.as_bytes())]));
        let x = r.unwrap();
        assert_eq!(x.name, "crlf-skill");
        assert_eq!(
            x.frontmatter.description.as_deref(),
            Some("line one line two")
        );
        // The file itself is extracted byte for byte.
        assert_eq!(read(&x.dir, "SKILL.md"), md);
    }

    #[test]
    fn duplicate_entries_are_refused() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default();
        w.start_file("SKILL.md", opts).unwrap();
        w.write_all(SKILL.as_bytes()).unwrap();
        w.start_file("a.txt", opts).unwrap();
        w.write_all(b"1").unwrap();
        // A file, then a path that needs it to be a folder.
        w.start_file("a.txt/b.txt", opts).unwrap();
        w.write_all(b"2").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        refused(&bytes, ZipLimits::default(), "clashes");
    }

    /// Renames entry `from` to `to` (same length) in both its local and central headers:
    /// the `zip` writer refuses a repeated name, hostile archives do not.
    fn rename_entry(mut bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let n = from.len();
        let mut renamed = 0;
        let mut i = 0;
        while i + 4 <= bytes.len() {
            let at = match &bytes[i..i + 4] {
                [0x50, 0x4b, 0x03, 0x04] => i + 30,
                [0x50, 0x4b, 0x01, 0x02] => i + 46,
                _ => {
                    i += 1;
                    continue;
                }
            };
            if bytes.get(at..at + n) == Some(from.as_bytes()) {
                bytes[at..at + n].copy_from_slice(to.as_bytes());
                renamed += 1;
            }
            i = at;
        }
        assert_eq!(renamed, 2, "entry {from} not found in both headers");
        bytes
    }

    #[test]
    fn byte_identical_duplicate_names_are_refused() {
        let other = "---\nname: other-skill\ndescription: The hidden copy\n---\n";
        for layout in ["", "my-skill/"] {
            let first = format!("{layout}SKILL.md");
            let second = format!("{layout}SKILL.mX");
            let bytes = build(&[
                File(&first, SKILL.as_bytes()),
                File(&second, other.as_bytes()),
            ]);
            let bytes = rename_entry(bytes, &second, &first);
            // The zip crate silently keeps only the last copy: the bug this guards against.
            let archive = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
            assert!(archive.has_duplicate_names());
            let e = refused(&bytes, ZipLimits::default(), "more than once");
            assert!(
                e.message.contains(&format!("the entry '{first}' appears")),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn duplicates_after_normalisation_are_refused_before_writing() {
        for twin in [
            "my-skill//SKILL.md",
            "./my-skill/SKILL.md",
            "my-skill\\SKILL.md",
        ] {
            let bytes = build(&[
                File("my-skill/SKILL.md", SKILL.as_bytes()),
                File(twin, b"---\nname: my-skill\ndescription: twin\n---\n"),
            ]);
            let e = refused(
                &bytes,
                ZipLimits::default(),
                "both extract to 'my-skill/SKILL.md'",
            );
            assert!(
                e.message.contains(&twin.escape_debug().to_string()),
                "{}",
                e.message
            );
        }
        // A repeated folder entry is harmless.
        let bytes = build(&[
            Dir("references/"),
            Dir("./references/"),
            File("SKILL.md", SKILL.as_bytes()),
            File("references/x.md", b"x"),
        ]);
        let (_f, r) = run(&bytes);
        assert_eq!(read(&r.unwrap().dir, "references/x.md"), "x");
    }

    #[test]
    fn paths_that_differ_only_in_case_are_refused() {
        for (a, b, at) in [
            (
                "references/Api.md",
                "references/api.md",
                "references/api.md",
            ),
            ("Refs/a.md", "refs/b.md", "refs"),
            ("notes.md", "NOTES.MD", "NOTES.MD"),
        ] {
            let bytes = build(&[
                File("SKILL.md", SKILL.as_bytes()),
                File(a, b"1"),
                File(b, b"2"),
            ]);
            let e = refused(&bytes, ZipLimits::default(), "differ only in letter case");
            assert!(
                e.message.contains(&format!("'{a}' and '{b}'")),
                "{}",
                e.message
            );
            assert!(e.message.contains(&format!("at '{at}'")), "{}", e.message);
        }
        // SKILL.md itself against a lower-case twin, in either order.
        let bytes = build(&[File("skill.md", b"x"), File("SKILL.md", SKILL.as_bytes())]);
        refused(&bytes, ZipLimits::default(), "differ only in letter case");
    }

    #[test]
    fn name_override() {
        let md = "---\nname: Bad Name\ndescription: d\nlicense: MIT\n---\nbody\n";
        let bytes = build(&[File("SKILL.md", md.as_bytes())]);
        // Without an override the file's name is refused…
        refused(&bytes, ZipLimits::default(), "invalid_skill_name:Bad Name");
        // …with one, it is replaced (other keys kept) and the override is validated.
        let f = fixture(&bytes);
        let x =
            extract_skill_zip_with_name(&f.zip, &f.dest, ZipLimits::default(), Some("good-name"))
                .unwrap();
        assert_eq!(x.name, "good-name");
        assert_eq!(x.frontmatter.name.as_deref(), Some("good-name"));
        assert_eq!(x.frontmatter.license.as_deref(), Some("MIT"));
        assert!(read(&x.dir, "SKILL.md").contains("name: good-name\n"));
        assert!(read(&x.dir, "SKILL.md").ends_with("---\nbody\n"));
        let f = fixture(&bytes);
        let e = extract_skill_zip_with_name(&f.zip, &f.dest, ZipLimits::default(), Some("../x"))
            .unwrap_err();
        assert!(
            e.message.starts_with("invalid_skill_name:../x"),
            "{}",
            e.message
        );
        assert!(dest_is_empty(&f));
    }

    #[test]
    fn missing_input_file_and_folder_input() {
        let tmp = tempfile::tempdir().unwrap();
        let e = extract_skill_zip(
            &tmp.path().join("nope.zip"),
            tmp.path(),
            ZipLimits::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e =
            extract_skill_zip(tmp.path(), &tmp.path().join("d"), ZipLimits::default()).unwrap_err();
        assert!(e.message.contains("not a ZIP archive"), "{}", e.message);
    }

    #[test]
    fn default_limits_match_architecture() {
        let l = ZipLimits::default();
        assert_eq!(l.max_entries, 10_000);
        assert_eq!(l.max_total_bytes, 1 << 30);
        assert_eq!(l.max_file_bytes, 256 << 20);
    }
}
