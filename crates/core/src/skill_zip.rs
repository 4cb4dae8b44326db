//! The one ZIP writer of skill folders. `export_skill` (every file, under `<name>/`) and
//! `package_skill` (the deployable files at the root, SKILL.md first) choose the entries; this
//! writes them the same way: Deflate, Unix modes kept, and never a read through a symbolic
//! link (a folder on the way or the file itself that became a link is refused, so a skill
//! cannot pack a file from outside its folder).

use crate::error::{Error, IoContext, Result};
use crate::safe_fs;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One entry: a path relative to the skill folder, a folder or a regular file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ZipEntry {
    pub rel: PathBuf,
    pub is_dir: bool,
}

impl ZipEntry {
    pub fn file(rel: impl Into<PathBuf>) -> ZipEntry {
        ZipEntry {
            rel: rel.into(),
            is_dir: false,
        }
    }
}

/// Writes `entries` of `dir`, in the given order, as a ZIP at `dest`. With a `prefix` every
/// entry is under `<prefix>/`, which gets a folder entry of its own.
pub fn write_zip(
    dir: &Path,
    prefix: Option<&str>,
    entries: &[ZipEntry],
    dest: &Path,
) -> Result<()> {
    let file = fs::File::create(dest).with_path(dest)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let zerr =
        |e: zip::result::ZipError| Error::io(format!("cannot write {}: {e}", dest.display()));
    if let Some(prefix) = prefix {
        zip.add_directory(
            format!("{prefix}/"),
            zip::write::SimpleFileOptions::default().unix_permissions(0o755),
        )
        .map_err(zerr)?;
    }
    for entry in entries {
        let rel = safe_fs::slash_path(&entry.rel);
        let name = match prefix {
            Some(prefix) => format!("{prefix}/{rel}"),
            None => rel,
        };
        let full = dir.join(&entry.rel);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode(&full, entry.is_dir));
        if entry.is_dir {
            zip.add_directory(format!("{name}/"), opts).map_err(zerr)?;
        } else {
            let mut f = open_inside(dir, &entry.rel)?;
            zip.start_file(name, opts).map_err(zerr)?;
            std::io::copy(&mut f, &mut zip).with_path(dest)?;
        }
    }
    let mut w = zip.finish().map_err(zerr)?;
    w.flush().with_path(dest)?;
    Ok(())
}

/// Opens `dir/rel` for reading unless a folder on the way, or the file itself, is a link:
/// the entries were listed without following links, and one that became a link since is
/// refused rather than followed.
fn open_inside(dir: &Path, rel: &Path) -> Result<fs::File> {
    let path = dir.join(rel);
    let link = match safe_fs::link_between(dir, rel)? {
        Some(link) => Some(link),
        None => safe_fs::is_symlink(&path).then(|| path.clone()),
    };
    if let Some(link) = link {
        return Err(Error::invalid(format!(
            "refusing to pack {}: {} is a symbolic link, and a skill archive never holds what a \
             link points to. Replace the link with the real file and retry",
            path.display(),
            link.display()
        )));
    }
    if !safe_fs::is_real_file(&path) {
        return Err(Error::invalid(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    fs::File::open(&path).with_path(&path)
}

/// The entry's Unix mode (the executable bit of `scripts/` survives a round trip).
fn mode(p: &Path, is_dir: bool) -> u32 {
    let default = if is_dir { 0o755 } else { 0o644 };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(default)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        default
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn names(zip_path: &Path) -> Vec<String> {
        let f = fs::File::open(zip_path).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_file_that_became_a_link_is_refused_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let skill = tmp.path().join("skill");
        fs::create_dir_all(skill.join("references")).unwrap();
        fs::write(skill.join("SKILL.md"), "x").unwrap();
        fs::write(tmp.path().join("secret.txt"), "private").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), skill.join("references/a.md"))
            .unwrap();
        let dest = tmp.path().join("out.zip");
        let entries = [
            ZipEntry::file("SKILL.md"),
            ZipEntry::file("references/a.md"),
        ];
        let e = write_zip(&skill, None, &entries, &dest).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::InvalidInput, "{e}");
        assert!(e.message.contains("symbolic link"), "{e}");
    }

    #[test]
    fn entries_keep_their_order_and_the_prefix() {
        let tmp = tempfile::tempdir().unwrap();
        let skill = tmp.path().join("skill");
        fs::create_dir_all(skill.join("scripts")).unwrap();
        fs::write(skill.join("SKILL.md"), "x").unwrap();
        fs::write(skill.join("scripts/run.sh"), "#!/bin/sh\n").unwrap();
        let dest = tmp.path().join("out.zip");
        let entries = [
            ZipEntry::file("SKILL.md"),
            ZipEntry {
                rel: "scripts".into(),
                is_dir: true,
            },
            ZipEntry::file("scripts/run.sh"),
        ];
        write_zip(&skill, Some("s"), &entries, &dest).unwrap();
        assert_eq!(
            names(&dest),
            ["s/", "s/SKILL.md", "s/scripts/", "s/scripts/run.sh"]
        );
        write_zip(&skill, None, &entries[..1], &dest).unwrap();
        assert_eq!(names(&dest), ["SKILL.md"]);
    }
}
