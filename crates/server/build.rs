//! Embeds the built web UI (`ui/dist`) into the binary, so a copied binary serves the real UI.
//!
//! `SB_UI_DIST` names the folder `include_dir!` embeds: `ui/dist` when it holds an
//! `index.html`, else an empty folder (the server then shows how to build the UI). Cargo reruns
//! this script when anything under `ui/dist` changes; `SB_UI_FINGERPRINT` changes with the
//! files' names, sizes and times, which makes Cargo recompile the crate that embeds them.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64, u128)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let Ok(m) = e.metadata() else { continue };
        if m.is_dir() {
            walk(&e.path(), out);
        } else {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            out.push((e.path(), m.len(), mtime));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dist = manifest.join("../../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let embedded = if dist.join("index.html").is_file() {
        dist.canonicalize().unwrap_or(dist)
    } else {
        let empty = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("no-ui");
        std::fs::create_dir_all(&empty).unwrap();
        empty
    };
    let mut files = Vec::new();
    walk(&embedded, &mut files);
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    files.hash(&mut h);
    println!("cargo:rustc-env=SB_UI_DIST={}", embedded.display());
    println!("cargo:rustc-env=SB_UI_FINGERPRINT={:016x}", h.finish());
}
