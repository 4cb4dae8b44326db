//! The one skill-name validator (ingestion.md §1.5).
//!
//! Every entry point that turns a skill name into a folder name (ZIP upload, GitHub and
//! marketplace imports, create, rename, toggle, delete…) must call
//! [`validate_skill_name`] before touching the disk.

use crate::error::{Error, Result};

/// Longest accepted skill name, in characters (= bytes: the name is ASCII).
pub const MAX_SKILL_NAME_LEN: usize = 64;

/// Windows device names: a folder with one of these names cannot be created (or is
/// dangerous to create) on Windows, whatever the extension.
pub const RESERVED_SKILL_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Why `name` breaks the rule, or `None` when it is a valid skill name.
///
/// The rule: `^[a-z0-9]+(-[a-z0-9]+)*$`, 1–64 characters, not a Windows device name.
/// (`.inactive`, `.`, `..` and anything with a path separator are impossible by the pattern.)
pub fn skill_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a skill name cannot be empty".into());
    }
    let len = name.chars().count();
    if len > MAX_SKILL_NAME_LEN {
        return Some(format!(
            "a skill name has at most {MAX_SKILL_NAME_LEN} characters (this one has {len})"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let what = if c.is_ascii_uppercase() {
            "uppercase letters are not allowed".to_string()
        } else {
            format!("the character {c:?} is not allowed")
        };
        return Some(format!(
            "{what}; use only lowercase letters a-z, digits 0-9 and single hyphens"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("a skill name cannot start or end with a hyphen".into());
    }
    if name.contains("--") {
        return Some("a skill name cannot contain consecutive hyphens".into());
    }
    if RESERVED_SKILL_NAMES.contains(&name) {
        return Some(format!(
            "'{name}' is a reserved device name on Windows and cannot be used as a folder name"
        ));
    }
    None
}

/// Validates a skill name (ingestion.md §1.5).
///
/// Error: `invalid_input` with the message `invalid_skill_name:<name>: <explanation>`, so a
/// UI can recognise the prefix and offer a rename.
pub fn validate_skill_name(name: &str) -> Result<()> {
    match skill_name_problem(name) {
        None => Ok(()),
        Some(why) => Err(Error::invalid(format!(
            "invalid_skill_name:{}: {why}",
            crate::error::shorten(name, 2 * MAX_SKILL_NAME_LEN)
        ))),
    }
}

/// True when `name` passes [`validate_skill_name`].
pub fn is_valid_skill_name(name: &str) -> bool {
    skill_name_problem(name).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn accepts_kebab_case_names() {
        for ok in [
            "a",
            "x1",
            "claude-api",
            "my-skill-2",
            "0",
            "anthropic",
            "com10",
            "console",
            &"a".repeat(64),
        ] {
            assert!(validate_skill_name(ok).is_ok(), "{ok} should be valid");
        }
    }

    #[test]
    fn rejects_bad_names_with_the_stable_prefix() {
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "My-Skill",
            "my_skill",
            "my skill",
            ".",
            "..",
            ".inactive",
            "../x",
            "a/b",
            "a\\b",
            "/abs",
            "café",
            "a\0b",
            "con",
            "nul",
            "lpt9",
            "com1",
            &"a".repeat(65),
        ] {
            let err = validate_skill_name(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad:?}");
            assert!(
                err.message
                    .starts_with(&format!("invalid_skill_name:{bad}")),
                "{bad:?}: {}",
                err.message
            );
            // There is a human explanation after the prefix.
            assert!(err.message.len() > format!("invalid_skill_name:{bad}: ").len());
        }
    }

    #[test]
    fn explanations_are_specific() {
        assert!(skill_name_problem("Abc").unwrap().contains("uppercase"));
        assert!(skill_name_problem("a--b").unwrap().contains("consecutive"));
        assert!(skill_name_problem("-a").unwrap().contains("hyphen"));
        assert!(skill_name_problem(&"a".repeat(65)).unwrap().contains("65"));
        assert!(skill_name_problem("aux").unwrap().contains("reserved"));
        assert!(is_valid_skill_name("ok-name"));
    }

    #[test]
    fn an_over_long_name_is_not_echoed_whole() {
        let e = validate_skill_name(&"a".repeat(100_000)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.len() < 300, "{} bytes", e.message.len());
        assert!(e.message.contains("100000"), "{}", e.message);
    }
}
