//! Every CLI line of the README's "The CLI" block names a subcommand that exists and flags that
//! subcommand accepts (the README once showed `import zip … --library`, which the CLI refused).

use crate::support::bin;

/// The README's CLI usage lines, `[--data-dir DIR]` and trailing comments removed.
fn readme_cli_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let block = readme
        .split("## The CLI")
        .nth(1)
        .and_then(|s| s.split("```sh").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("a ```sh block under ## The CLI");
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("skill-builder "))
        .map(|l| {
            let l = l.split("  #").next().unwrap_or(l);
            l.replace("[--data-dir DIR]", "")
        })
        .collect()
}

/// (subcommand path, flags) for each `|`-separated usage of a line; a part that starts with a
/// flag continues the previous usage.
fn usages(line: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for part in line.split(" | ") {
        let tokens: Vec<&str> = part.split_whitespace().collect();
        let continues = tokens
            .first()
            .is_some_and(|t| t.starts_with('-') || t.starts_with('['));
        let path: Vec<String> = tokens
            .iter()
            .take_while(|t| {
                t.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !t.starts_with('-')
            })
            .map(|t| t.to_string())
            .collect();
        let flags: Vec<String> = tokens
            .iter()
            .map(|t| t.trim_matches(|c| c == '[' || c == ']'))
            .filter(|t| t.starts_with("--"))
            .map(|t| t.to_string())
            .collect();
        match out.last_mut() {
            Some(last) if continues => last.1.extend(flags),
            _ => out.push((path, flags)),
        }
    }
    out
}

#[test]
fn every_readme_cli_usage_is_accepted_by_the_cli() {
    let lines = readme_cli_lines();
    assert!(lines.len() >= 8, "README CLI block found: {lines:?}");
    let mut checked = 0;
    for line in &lines {
        for (path, flags) in usages(line) {
            assert!(!path.is_empty(), "no subcommand in README line {line:?}");
            let out = bin().args(&path).arg("--help").output().unwrap();
            let help = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "README shows `skill-builder {}` but the CLI refuses it: {}",
                path.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            for f in &flags {
                assert!(
                    help.contains(f.as_str()),
                    "README shows `{f}` for `skill-builder {}`, which does not accept it",
                    path.join(" ")
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} flags checked");
}

#[test]
fn the_parser_splits_alternatives_and_continuations() {
    let u = usages("import github <url> [--library] [--all | --skill <path>…]");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].0, ["import", "github"]);
    assert_eq!(u[0].1, ["--library", "--all", "--skill"]);
    let u = usages("list | create <name> | usage   [--json]");
    assert_eq!(u.len(), 3);
    assert_eq!(
        u[2],
        (vec!["usage".to_string()], vec!["--json".to_string()])
    );
}
