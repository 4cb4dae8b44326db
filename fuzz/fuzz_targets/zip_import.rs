//! The ZIP importer, on archives built in memory from fuzz input.
//!
//! The input is decoded (with `arbitrary`) into a list of entries — names made of hostile
//! and ordinary parts (`..`, absolute paths, `\`, drive letters, NUL, junk names…), file
//! bytes (often a valid SKILL.md), Unix modes including special file types, symlinks and
//! folders — plus a few raw byte patches applied to the finished archive (corrupt headers).
//! (Input that already is a ZIP archive, starting with `PK\x03\x04`, is used as is.)
//! The archive is written with the `zip` crate to a temp file and extracted by
//! `extract_skill_zip` into `work/dest` with small limits, next to an empty `work/canary`.
//!
//! Invariants:
//! - never panics;
//! - nothing is created outside `dest`: `work` holds only `dest`, `canary` (still empty)
//!   and the archive;
//! - no symlink, FIFO or device is created; every path under `dest` is component-wise inside
//!   `dest`, and its canonical form is too;
//! - on error, `dest` is empty (the temporary folder was removed);
//! - on success, `dest` holds exactly one folder, the returned `dir`, with a SKILL.md that
//!   parses with a valid name and a description, and the reported file count and byte
//!   total match what is on disk and stay within the limits.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use skill_builder_core::ingest::frontmatter::parse_skill_md;
use skill_builder_core::ingest::names::validate_skill_name;
use skill_builder_core::ingest::zip_extract::{extract_skill_zip, ZipLimits};
use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const PARTS: &[&str] = &[
    "SKILL.md",
    "skill",
    "my-skill",
    "..",
    ".",
    "",
    "references",
    "a.md",
    "run.sh",
    "__MACOSX",
    ".DS_Store",
    "Thumbs.db",
    "C:",
    "/",
    "\\",
    "..\\..",
    "x\u{0}y",
    "dest",
    "canary",
    "../canary",
    "/tmp",
    "SKILL.MD",
    "é",
    "a/b",
];

const SKILL_MD: &[&str] = &[
    "---\nname: fuzz-skill\ndescription: A fuzzed skill\n---\n# Body\n",
    "---\nname: other\ndescription: d\nversion: 1.10\n---\n",
    "---\nname: Bad Name\ndescription: d\n---\n",
    "---\ndescription: no name\n---\n",
    "---\nname: x\n",
    "no frontmatter at all\n",
];

#[derive(Arbitrary, Debug)]
enum Name {
    Parts(Vec<u8>, bool),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Data {
    Skill(u8),
    Bytes(Vec<u8>),
    /// A run of one byte (compresses well: exercises the size limits).
    Run(u8, u16),
}

#[derive(Arbitrary, Debug)]
enum Kind {
    File {
        mode: Option<u16>,
        deflate: bool,
    },
    /// A file whose external attributes carry this raw Unix mode (devices, FIFOs…).
    RawMode(u32),
    Dir,
    Symlink(String),
}

#[derive(Arbitrary, Debug)]
struct Entry {
    name: Name,
    data: Data,
    kind: Kind,
}

#[derive(Arbitrary, Debug)]
struct Input {
    entries: Vec<Entry>,
    patches: Vec<(u16, u8)>,
}

fn name_of(n: &Name) -> String {
    match n {
        Name::Parts(idx, backslash) => {
            let sep = if *backslash { "\\" } else { "/" };
            idx.iter()
                .take(6)
                .map(|i| PARTS[*i as usize % PARTS.len()])
                .collect::<Vec<_>>()
                .join(sep)
        }
        Name::Raw(s) => s.chars().take(64).collect(),
    }
}

fn bytes_of(d: &Data) -> Vec<u8> {
    match d {
        Data::Skill(i) => SKILL_MD[*i as usize % SKILL_MD.len()].as_bytes().to_vec(),
        Data::Bytes(b) => b.clone(),
        Data::Run(b, n) => vec![*b; *n as usize * 4],
    }
}

/// Builds the archive; None when the `zip` writer itself refuses the entries.
fn build(input: &Input) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for e in input.entries.iter().take(16) {
        let name = name_of(&e.name);
        let base = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        match &e.kind {
            Kind::File { mode, deflate } => {
                let mut o = base;
                if *deflate {
                    o = o.compression_method(CompressionMethod::Deflated);
                }
                if let Some(m) = mode {
                    o = o.unix_permissions(u32::from(*m));
                }
                w.start_file(name, o).ok()?;
                w.write_all(&bytes_of(&e.data)).ok()?;
            }
            Kind::RawMode(m) => {
                w.start_file(name, base.external_attributes(*m << 16))
                    .ok()?;
                w.write_all(&bytes_of(&e.data)).ok()?;
            }
            Kind::Dir => {
                w.add_directory(name, base).ok()?;
            }
            Kind::Symlink(target) => {
                w.add_symlink(name, target, base).ok()?;
            }
        }
    }
    let mut bytes = w.finish().ok()?.into_inner();
    for (off, val) in input.patches.iter().take(4) {
        if !bytes.is_empty() {
            let i = *off as usize % bytes.len();
            bytes[i] = *val;
        }
    }
    Some(bytes)
}

fn entries(dir: &Path) -> Vec<std::fs::DirEntry> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Walks `dir` without following links; checks every entry; returns (files, bytes).
fn check_tree(dir: &Path, dest: &Path, real_dest: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    for e in entries(dir) {
        let p = e.path();
        assert!(p.starts_with(dest), "{p:?} is outside {dest:?}");
        let m = std::fs::symlink_metadata(&p).unwrap();
        let t = m.file_type();
        assert!(
            t.is_file() || t.is_dir(),
            "{p:?} is neither a file nor a folder: {t:?}"
        );
        let real = std::fs::canonicalize(&p).unwrap();
        assert!(real.starts_with(real_dest), "{p:?} really is {real:?}");
        if t.is_dir() {
            let (f, b) = check_tree(&p, dest, real_dest);
            files += f;
            bytes += b;
        } else {
            files += 1;
            bytes += m.len();
        }
    }
    (files, bytes)
}

/// Input starting with a ZIP local-header signature is used as the archive as is (the
/// seed corpus holds real archives); anything else is decoded into an [`Input`].
fn archive_of(data: &[u8]) -> Option<Vec<u8>> {
    if data.starts_with(b"PK\x03\x04") {
        return Some(data.to_vec());
    }
    let input = Input::arbitrary_take_rest(arbitrary::Unstructured::new(data)).ok()?;
    build(&input)
}

fuzz_target!(|data: &[u8]| {
    let Some(archive) = archive_of(data) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dest = work.path().join("dest");
    let canary = work.path().join("canary");
    std::fs::create_dir(&dest).unwrap();
    std::fs::create_dir(&canary).unwrap();
    let zip_path = work.path().join("in.zip");
    std::fs::write(&zip_path, &archive).unwrap();
    let limits = ZipLimits {
        max_entries: 12,
        max_total_bytes: 64 * 1024,
        max_file_bytes: 16 * 1024,
    };

    let result = extract_skill_zip(&zip_path, &dest, limits);

    let mut top: Vec<String> = entries(work.path())
        .iter()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["canary", "dest", "in.zip"],
        "something was created beside dest"
    );
    assert!(
        entries(&canary).is_empty(),
        "the canary folder was written to"
    );
    let real_dest = std::fs::canonicalize(&dest).unwrap();
    let (files, bytes) = check_tree(&dest, &dest, &real_dest);

    match result {
        Err(_) => assert!(
            entries(&dest).is_empty(),
            "dest is not empty after an error: {:?}",
            entries(&dest).iter().map(|e| e.path()).collect::<Vec<_>>()
        ),
        Ok(x) => {
            let inside = entries(&dest);
            assert_eq!(inside.len(), 1, "dest holds more than the extracted folder");
            assert_eq!(inside[0].path(), x.dir);
            let md = std::fs::read_to_string(x.dir.join("SKILL.md")).expect("SKILL.md extracted");
            let fm = parse_skill_md(&md)
                .expect("extracted SKILL.md parses")
                .frontmatter;
            assert_eq!(fm.name.as_deref(), Some(x.name.as_str()));
            assert!(validate_skill_name(&x.name).is_ok());
            assert!(fm.description.is_some());
            assert_eq!(
                (x.files, x.bytes),
                (files, bytes),
                "reported counts differ from disk"
            );
            assert!(x.bytes <= limits.max_total_bytes);
        }
    }
});
