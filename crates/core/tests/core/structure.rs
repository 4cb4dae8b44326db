//! The structure rules of issue 14, measured per top-level module of `crates/core/src` (a file
//! `x.rs` and a folder `x/` are one module) on sources without comments and test code:
//! - the command names are listed in one place (`catalog.rs`'s `for_each_command!`);
//! - every table has at most one writing module;
//! - only `history` uses `git2`;
//! - no core module but `lib.rs` imports `catalog`;
//! - no core file has more than 800 lines;
//! - nothing but the shells changes the process environment, and core reads it only in
//!   `options` (tests pass `Options`, so they can share one process);
//! - each crate has one integration test binary, `tests/<crate>/main.rs` with a module per
//!   concern (one build and link instead of one per file), and every file beside it is one of
//!   its modules.
//!
//! Each rule reports every offender, so a failure says what to move where.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | "node_modules" | "dist" | "tests" | "benches"
            ) {
                files_under(&p, exts, out);
            }
        } else if exts.iter().any(|x| name.ends_with(x)) {
            out.push(p);
        }
    }
}

/// The source without test code (from the first `#[cfg(test)]`), `//` comment lines and
/// blank lines; files marked `@generated` in their first lines count as empty.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if text.lines().take(5).any(|l| l.contains("@generated")) {
        return String::new();
    }
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("//") && !l.starts_with("/*") && !l.starts_with('*')
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level module of a core source file: `x` for `x.rs` and for anything under `x/`.
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(core_src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn core_files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    files_under(&core_src(), &[".rs"], &mut v);
    v.sort();
    v
}

fn command_names() -> BTreeSet<String> {
    skill_builder_core::catalog::commands()
        .iter()
        .map(|c| c.name.to_string())
        .collect()
}

#[test]
fn no_core_file_is_over_800_lines() {
    let big: Vec<String> = core_files()
        .iter()
        .map(|p| (p, code_of(p).lines().count()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(p, n)| format!("{} has {n} lines", p.display()))
        .collect();
    assert!(big.is_empty(), "split by concern: {big:#?}");
}

#[test]
fn only_history_uses_git2() {
    let users: BTreeSet<String> = core_files()
        .iter()
        .filter(|p| code_of(p).contains("git2::") || code_of(p).contains("use git2"))
        .map(|p| module_of(p))
        .collect();
    assert_eq!(
        users,
        BTreeSet::from(["history".to_string()]),
        "git goes through history"
    );
}

#[test]
fn no_core_module_but_lib_imports_the_catalog() {
    let importers: Vec<String> = core_files()
        .iter()
        .filter(|p| !matches!(module_of(p).as_str(), "lib" | "catalog"))
        .filter(|p| code_of(p).contains("crate::catalog"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        importers.is_empty(),
        "argument helpers live in args: {importers:#?}"
    );
}

#[test]
fn every_table_has_one_writing_module() {
    let mut schema = String::new();
    for e in std::fs::read_dir(core_src().join("db")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "sql") {
            schema.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
    }
    let tables: Vec<String> = regex_lite_tables(&schema);
    assert!(tables.len() >= 12, "tables found: {tables:?}");
    let mut writers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in core_files() {
        let code = code_of(&p).to_ascii_uppercase();
        let words: Vec<&str> = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        for (i, w) in words.iter().enumerate() {
            let target = match (*w, words.get(i + 1), words.get(i + 2), words.get(i + 3)) {
                ("INTO", Some(t), _, _)
                    if i > 0
                        && matches!(
                            words[i - 1],
                            "INSERT" | "REPLACE" | "IGNORE" | "ABORT" | "FAIL" | "ROLLBACK"
                        ) =>
                {
                    Some(*t)
                }
                ("UPDATE", Some(t), Some(&"SET"), _) => Some(*t),
                ("DELETE", Some(&"FROM"), Some(t), _) => Some(*t),
                _ => None,
            };
            if let Some(t) = target {
                let t = t.to_ascii_lowercase();
                if tables.contains(&t) {
                    writers.entry(t).or_default().insert(module_of(&p));
                }
            }
        }
    }
    let shared: Vec<String> = writers
        .iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|(t, m)| format!("{t}: {m:?}"))
        .collect();
    assert!(shared.is_empty(), "one owner per table: {shared:#?}");
}

/// `CREATE TABLE [IF NOT EXISTS] name` of the migrations.
fn regex_lite_tables(schema: &str) -> Vec<String> {
    let up = schema.to_ascii_uppercase();
    let words: Vec<&str> = up.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if *w == "TABLE" && i > 0 && words[i - 1] == "CREATE" {
            let mut j = i + 1;
            if words.get(j) == Some(&"IF") {
                j += 3;
            }
            if let Some(name) = words.get(j) {
                let name = name.trim_end_matches('(').to_ascii_lowercase();
                if !name.starts_with("sqlite_") {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// A run of at least five quoted command names separated only by commas and white space.
fn lists_command_names(code: &str, names: &BTreeSet<String>) -> Option<String> {
    let mut run: Vec<String> = Vec::new();
    let mut longest: Vec<String> = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = rest.as_bytes()[start] as char;
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        let token = &after[..end];
        let gap_before = &rest[..start];
        let separated = gap_before.trim().is_empty() || gap_before.trim() == ",";
        if names.contains(token) {
            if !separated {
                run.clear();
            }
            run.push(token.to_string());
            if run.len() > longest.len() {
                longest = run.clone();
            }
        } else {
            run.clear();
        }
        rest = &after[end + 1..];
    }
    (longest.len() >= 5).then(|| longest.join(", "))
}

#[test]
fn command_names_are_listed_only_in_the_catalog() {
    let names = command_names();
    assert!(names.len() >= 99);
    let mut sources = Vec::new();
    for dir in ["crates", "ui/src"] {
        files_under(&repo().join(dir), &[".rs", ".ts", ".tsx"], &mut sources);
    }
    let lists: Vec<String> = sources
        .iter()
        .filter(|p| !p.ends_with("crates/core/src/catalog.rs"))
        .filter_map(|p| {
            lists_command_names(&code_of(p), &names).map(|l| format!("{}: {l}", p.display()))
        })
        .collect();
    assert!(
        lists.is_empty(),
        "derive from for_each_command! instead: {lists:#?}"
    );
}

#[test]
fn the_list_detector_finds_a_list_and_ignores_single_uses() {
    let names: BTreeSet<String> = ["a_b", "c_d", "e_f", "g_h", "i_j"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(
        lists_command_names(r#"const X = ["a_b", "c_d", "e_f", "g_h", "i_j"];"#, &names).is_some()
    );
    assert!(lists_command_names(
        r#"call("a_b", x); call("c_d", y); call("e_f"); call("g_h"); call("i_j")"#,
        &names
    )
    .is_none());
}

/// A call that changes the process environment (`set_var` / `remove_var`), found in raw text
/// (test code and comments included); the needles are split so this file does not match.
fn changes_env(text: &str) -> Option<&'static str> {
    const CALLS: [&str; 2] = [concat!("set", "_var("), concat!("remove", "_var(")];
    CALLS.into_iter().find(|c| text.contains(c))
}

#[test]
fn no_test_and_no_core_code_changes_the_process_environment() {
    let mut files = core_files();
    for entry in std::fs::read_dir(repo().join("crates")).unwrap().flatten() {
        files_under(&entry.path().join("tests"), &[".rs"], &mut files);
    }
    files_under(&repo().join("crates/testkit/src"), &[".rs"], &mut files);
    assert!(files
        .iter()
        .any(|p| p.ends_with("crates/core/tests/core/support.rs")));
    let offenders: Vec<String> = files
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            changes_env(&text).map(|c| format!("{}: {c}", p.display()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "pass skill_builder_core::options::Options to App::open_with (or Command::env to a \
         child) instead: {offenders:#?}"
    );
}

#[test]
fn core_reads_the_environment_only_in_options() {
    let readers: Vec<String> = core_files()
        .iter()
        .filter(|p| module_of(p) != "options")
        .filter(|p| code_of(p).contains(concat!("env", "::var")))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        readers.is_empty(),
        "read the variable in Options::from_env and the option here: {readers:#?}"
    );
}

#[test]
fn the_environment_detector_finds_changes_and_ignores_a_child_env() {
    let call = |verb: &str| format!("std::env::{verb}_var(\"X\", \"1\");");
    assert!(changes_env(&call("set")).is_some());
    assert!(changes_env(&call("remove")).is_some());
    assert!(changes_env(r#"Command::new("x").env("X", "1").env_remove("Y")"#).is_none());
}

#[test]
fn each_crate_has_one_integration_test_binary() {
    let mut strays = Vec::new();
    for krate in std::fs::read_dir(repo().join("crates")).unwrap().flatten() {
        let name = krate.file_name().to_string_lossy().into_owned();
        let tests = krate.path().join("tests");
        if !tests.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&tests).unwrap().flatten() {
            let entry = entry.file_name().to_string_lossy().into_owned();
            if entry != name && !entry.starts_with('.') {
                strays.push(format!("crates/{name}/tests/{entry}"));
            }
        }
        if !tests.join(&name).join("main.rs").is_file() {
            strays.push(format!("crates/{name}/tests/{name}/main.rs is missing"));
        }
        for file in undeclared_modules(&tests.join(&name)) {
            strays.push(format!(
                "crates/{name}/tests/{name}/{file} is not a module of main.rs"
            ));
        }
    }
    assert!(
        strays.is_empty(),
        "make it a module of tests/<crate>/main.rs (helpers in its support module): {strays:#?}"
    );
}

/// The files of a test binary's folder that its `main.rs` does not declare as a module (`x.rs`
/// or `x/mod.rs` without `mod x;`): cargo compiles only `main.rs`, so their tests would never
/// run while the file still looks like a test file.
fn undeclared_modules(dir: &Path) -> Vec<String> {
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap_or_default();
    let declared = |m: &str| {
        main.lines()
            .map(str::trim)
            .any(|l| l == format!("mod {m};") || l == format!("pub mod {m};"))
    };
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let module = match file.strip_suffix(".rs") {
            Some("main") => continue,
            Some(m) => m.to_string(),
            None if e.path().join("mod.rs").is_file() => file.clone(),
            None => continue,
        };
        if !declared(&module) {
            out.push(file);
        }
    }
    out.sort();
    out
}

#[test]
fn a_test_file_that_main_rs_does_not_declare_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.rs"),
        "mod support;\n#[cfg(unix)]\nmod a;\n",
    )
    .unwrap();
    for f in ["support.rs", "a.rs", "forgotten.rs"] {
        std::fs::write(dir.path().join(f), "").unwrap();
    }
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("nested/mod.rs"), "").unwrap();
    assert_eq!(undeclared_modules(dir.path()), ["forgotten.rs", "nested"]);
}
