//! Every test `docs/security.md` names for a claim exists: a renamed or deleted test would
//! otherwise leave a claim that nothing checks while the document still says it is proven.

use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir` (skipping build output).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() && name != "target" && name != "node_modules" {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `a/b.rs` as written (from the repository root), or the one file under `crates/` whose path
/// ends with it.
fn resolve(file: &str, all: &[PathBuf]) -> Result<PathBuf, String> {
    let direct = repo_root().join(file);
    if direct.is_file() {
        return Ok(direct);
    }
    let hits: Vec<&PathBuf> = all
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(&format!("/{file}")))
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no file {file}")),
        many => Err(format!("{file} is ambiguous: {many:?}")),
    }
}

/// The code spans of the "Test" column (the last cell) of every claim row.
fn test_references(doc: &str) -> Vec<String> {
    doc.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #") && !l.starts_with("|---"))
        .filter_map(|l| l.trim_end_matches('|').rsplit('|').next())
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_test_named_in_the_security_review_exists() {
    let doc = std::fs::read_to_string(repo_root().join("docs/security.md")).unwrap();
    let mut all = Vec::new();
    rust_files(&repo_root().join("crates"), &mut all);
    let mut problems = Vec::new();
    let mut checked = 0;
    // `::name` continues the file of the previous reference in the same document.
    let mut current: Option<PathBuf> = None;
    for r in test_references(&doc) {
        let (file, test) = match r.split_once("::") {
            Some((f, t)) => (f, Some(t)),
            None => (r.as_str(), None),
        };
        let path = if file.is_empty() {
            current.clone()
        } else if file.ends_with(".rs") {
            match resolve(file, &all) {
                Ok(p) => Some(p),
                Err(e) => {
                    problems.push(e);
                    None
                }
            }
        } else {
            // Non-Rust evidence (sidecar JS tests, fuzz targets): the file or folder exists.
            if !repo_root().join(file).exists() {
                problems.push(format!("{file} does not exist"));
            }
            None
        };
        if file.ends_with(".rs") || file.is_empty() {
            current = path.clone();
        }
        let (Some(path), Some(test)) = (path, test) else {
            continue;
        };
        let name = test.rsplit("::").next().unwrap_or(test);
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        if !src.contains(&format!("fn {name}(")) {
            problems.push(format!("{} has no test `{name}`", path.display()));
        }
        checked += 1;
    }
    assert!(problems.is_empty(), "docs/security.md: {problems:#?}");
    assert!(checked >= 40, "only {checked} test references found");
}
