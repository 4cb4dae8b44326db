//! The desktop shell registers exactly the catalog: the names inside `commands! { … }` of
//! `crates/desktop/src/commands.rs` (the one list that feeds `tauri::generate_handler!`) equal
//! `REFERENCE_COMMANDS` + `EXTRA_COMMANDS` — none missing, none extra, none twice.
//!
//! It reads the source text, so it needs no Tauri/GTK: the desktop crate runs it
//! (`[[test]] path = "tests_shared/command_names.rs"`) and so can any crate of the root
//! workspace that depends on skill-builder-core and sits beside `crates/desktop` (the path is
//! `$CARGO_MANIFEST_DIR/../desktop/src/commands.rs`, right from `crates/core` or `crates/desktop`).

use skill_builder_core::command_names::{EXTRA_COMMANDS, REFERENCE_COMMANDS};
use std::collections::BTreeSet;

const SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../desktop/src/commands.rs"
));

const MAIN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../desktop/src/main.rs"
));

/// The identifiers listed between `// BEGIN COMMANDS` and `// END COMMANDS` inside `commands! {}`.
fn registered() -> Vec<String> {
    let start = SOURCE
        .find("// BEGIN COMMANDS")
        .expect("BEGIN COMMANDS marker");
    let end = SOURCE.find("// END COMMANDS").expect("END COMMANDS marker");
    let block = &SOURCE[start..end];
    let open = block.find("commands! {").expect("commands! { invocation") + "commands! {".len();
    let close = block.rfind('}').expect("closing brace");
    block[open..close]
        .lines()
        .map(|l| l.split("//").next().unwrap_or("").trim())
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "not a command name: {s:?}"
            );
            s.to_string()
        })
        .collect()
}

#[test]
fn desktop_registers_exactly_the_catalog() {
    let names = registered();
    let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(
        set.len(),
        names.len(),
        "a command is registered twice in crates/desktop/src/commands.rs"
    );
    let expected: BTreeSet<&str> = REFERENCE_COMMANDS
        .iter()
        .chain(EXTRA_COMMANDS.iter())
        .copied()
        .collect();
    let missing: Vec<_> = expected.difference(&set).collect();
    let extra: Vec<_> = set.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "commands missing from the desktop shell: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "desktop shell commands outside the catalog: {extra:?}"
    );
    assert_eq!(names.len(), REFERENCE_COMMANDS.len() + EXTRA_COMMANDS.len());
}

#[test]
fn the_handler_is_generated_from_that_list() {
    // The macro must feed the same list to generate_handler! and REGISTERED.
    assert!(SOURCE.contains("tauri::generate_handler![$($name),*]"));
    assert!(SOURCE.contains("pub const REGISTERED: &[&str] = &[$(stringify!($name)),*];"));
    assert_eq!(
        SOURCE.matches("generate_handler![").count(),
        1,
        "one handler list only"
    );
    // …and the app registers that handler and no other.
    assert_eq!(
        MAIN.matches(".invoke_handler(").count(),
        1,
        "one invoke handler in main.rs"
    );
    assert!(MAIN.contains(".invoke_handler(commands::handler())"));
}
