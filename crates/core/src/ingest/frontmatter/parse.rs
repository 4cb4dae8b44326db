//! Splitting the frontmatter off a SKILL.md, size limits, YAML errors, [`parse_skill_md`].

use super::fields::typed_fields;
use super::rewrite::duplicate_key_line;
use super::{Frontmatter, SkillMd, MAX_FRONTMATTER_BYTES, MAX_SKILL_MD_BYTES};
use crate::error::{Error, Result};
use serde_yaml_ng::{Mapping, Value};
use std::borrow::Cow;

/// The frontmatter split off a normalised SKILL.md text.
pub(super) struct Split<'a> {
    /// The YAML between the marker lines (ends with `\n` unless empty); None = no frontmatter.
    pub(super) yaml: Option<&'a str>,
    /// The opening and closing marker lines, as written (without `\n`).
    pub(super) open: &'a str,
    pub(super) close: &'a str,
    pub(super) body: &'a str,
    /// 1-based line number of the first body line.
    pub(super) body_line: usize,
}

/// File line of the first YAML line.
pub(super) const YAML_FIRST_LINE: usize = 2;

pub(super) fn normalize(content: &str) -> Cow<'_, str> {
    let s = content.strip_prefix('\u{feff}').unwrap_or(content);
    if s.contains("\r\n") {
        Cow::Owned(s.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(s)
    }
}

fn is_marker(line: &str, markers: &[&str]) -> bool {
    let l = line.strip_suffix('\n').unwrap_or(line);
    let l = l.trim_end_matches([' ', '\t', '\r']);
    markers.contains(&l)
}

pub(super) fn split(text: &str) -> Result<Split<'_>> {
    let mut lines = text.split_inclusive('\n');
    let first = match lines.next() {
        Some(l) if is_marker(l, &["---"]) => l,
        _ => {
            return Ok(Split {
                yaml: None,
                open: "",
                close: "",
                body: text,
                body_line: 1,
            })
        }
    };
    let start = first.len();
    let mut offset = start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_marker(line, &["---", "..."]) {
            let yaml = &text[start..offset];
            let end = offset + line.len();
            return Ok(Split {
                yaml: Some(yaml),
                open: first.trim_end_matches('\n'),
                close: line.trim_end_matches('\n'),
                body: &text[end..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(Error::invalid(
        "invalid_frontmatter: 1:1 the frontmatter opened by '---' on line 1 is never closed \
         (no later line is exactly '---')",
    ))
}

pub(super) fn check_sizes(content: &str) -> Result<()> {
    if content.len() > MAX_SKILL_MD_BYTES {
        return Err(Error::invalid(format!(
            "SKILL.md is too large: {} bytes (at most {MAX_SKILL_MD_BYTES})",
            content.len()
        )));
    }
    Ok(())
}

fn yaml_error(e: &serde_yaml_ng::Error, first_line: usize) -> Error {
    let reason = strip_location(&e.to_string());
    let (line, col) = match e.location() {
        Some(loc) => (loc.line() + first_line - 1, loc.column()),
        None => (first_line, 1),
    };
    Error::invalid(format!("invalid_frontmatter: {line}:{col} {reason}"))
}

/// Removes libyaml's " at line N column M" (its numbers count from the YAML block, not
/// the file; we put the file position in front instead).
fn strip_location(msg: &str) -> String {
    let mut out = msg.to_string();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n1 = digits(rest);
        let after = &rest[n1..];
        let Some(col) = after.strip_prefix(" column ") else {
            break;
        };
        let n2 = digits(col);
        if n1 == 0 || n2 == 0 {
            break;
        }
        let end = i + " at line ".len() + n1 + " column ".len() + n2;
        out.replace_range(i..end, "");
    }
    out
}

/// Parses a YAML block that must be a mapping (empty / comments only → empty mapping).
pub(super) fn parse_mapping(yaml: &str, first_line: usize) -> Result<Mapping> {
    if yaml.len() > MAX_FRONTMATTER_BYTES {
        return Err(Error::invalid(format!(
            "invalid_frontmatter: {first_line}:1 the frontmatter is too large: {} bytes (at most {MAX_FRONTMATTER_BYTES})",
            yaml.len()
        )));
    }
    let value: Value = if yaml.trim().is_empty() {
        Value::Null
    } else {
        serde_yaml_ng::from_str(yaml).map_err(|e| {
            let err = yaml_error(&e, first_line);
            match duplicate_key_line(yaml) {
                // libyaml reports a duplicate at the start of the mapping; point at the
                // repeated key instead.
                Some((line, key)) if e.to_string().contains("duplicate entry") => {
                    Error::invalid(format!(
                        "invalid_frontmatter: {}:1 duplicate key '{key}'",
                        line + first_line
                    ))
                }
                _ => err,
            }
        })?
    };
    match value {
        Value::Null => Ok(Mapping::new()),
        Value::Mapping(m) => Ok(m),
        _ => Err(Error::invalid(format!(
            "invalid_frontmatter: {first_line}:1 the frontmatter must be a YAML mapping of keys to values"
        ))),
    }
}

/// Parses a SKILL.md: BOM/CRLF tolerant, YAML frontmatter, typed known fields.
///
/// No frontmatter is not an error (all fields are absent, `has_frontmatter` is false);
/// malformed frontmatter is (`invalid_input`, `invalid_frontmatter: <line>:<col> <reason>`).
pub fn parse_skill_md(content: &str) -> Result<SkillMd> {
    check_sizes(content)?;
    let text = normalize(content);
    let sp = split(&text)?;
    let Some(yaml) = sp.yaml else {
        return Ok(SkillMd {
            frontmatter: Frontmatter::default(),
            has_frontmatter: false,
            body: sp.body.to_string(),
            body_line: sp.body_line,
        });
    };
    let raw = parse_mapping(yaml, YAML_FIRST_LINE)?;
    let frontmatter = typed_fields(yaml, raw);
    Ok(SkillMd {
        frontmatter,
        has_frontmatter: true,
        body: sp.body.to_string(),
        body_line: sp.body_line,
    })
}

/// The body of a SKILL.md: everything after the frontmatter's closing line (the whole
/// text when there is no frontmatter or it is never closed). BOM stripped, LF line ends.
pub fn body(content: &str) -> String {
    let text = normalize(content);
    match split(&text) {
        Ok(sp) => sp.body.to_string(),
        Err(_) => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::ingest::frontmatter::*;

    #[test]
    fn crlf_and_bom_are_tolerated() {
        let s = "\u{feff}---\r\nname: win\r\ndescription: >\r\n  folded\r\n  text\r\n---\r\nBody\r\nline\r\n";
        let p = parse_skill_md(s).unwrap();
        assert!(p.has_frontmatter);
        assert_eq!(p.frontmatter.name.as_deref(), Some("win"));
        assert_eq!(p.frontmatter.description.as_deref(), Some("folded text"));
        assert_eq!(p.body, "Body\nline\n");
        assert_eq!(p.body_line, 7);
    }

    #[test]
    fn no_frontmatter_means_all_absent() {
        for s in [
            "# Title\n",
            "",
            "  ---\nname: x\n---\n",
            "----\nname: x\n----\n",
        ] {
            let p = parse_skill_md(s).unwrap();
            assert!(!p.has_frontmatter, "{s:?}");
            assert_eq!(p.frontmatter, Frontmatter::default());
            assert_eq!(p.body, s);
        }
        // Empty block is a frontmatter with no keys.
        let p = parse_skill_md("---\n---\nbody").unwrap();
        assert!(p.has_frontmatter);
        assert!(p.frontmatter.raw.is_empty());
        assert_eq!(p.body, "body");
        // `...` closes too; `----` does not.
        let p = parse_skill_md("---\nname: a\n...\nrest").unwrap();
        assert_eq!(p.body, "rest");
        assert_eq!(p.frontmatter.name.as_deref(), Some("a"));
        let e = parse_skill_md("---\nname: a\n----\nrest").unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);
    }

    #[test]
    fn malformed_frontmatter_names_the_line() {
        let s = "---\nname: ok\ndescription: fine\nbad: [unclosed\nmore: x\n---\nbody\n";
        let e = Frontmatter::parse(s).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(
            e.message.starts_with("invalid_frontmatter: "),
            "{}",
            e.message
        );
        let pos = e.message["invalid_frontmatter: ".len()..]
            .split(' ')
            .next()
            .unwrap();
        let line: usize = pos.split(':').next().unwrap().parse().unwrap();
        assert!((4..=6).contains(&line), "{}", e.message);
        assert!(e.message.contains("flow sequence"), "{}", e.message);
        assert!(!e.message.contains(" at line "), "{}", e.message);

        // A bad indentation on file line 4.
        let e = Frontmatter::parse("---\nname: a\ndescription: b\n  oops: c\n---\n").unwrap_err();
        assert!(
            e.message.starts_with("invalid_frontmatter: 4:"),
            "{}",
            e.message
        );

        // Same with CRLF and a BOM: still file line numbers.
        let e =
            Frontmatter::parse("\u{feff}---\r\nname: a\r\ndescription: b\r\n  oops: c\r\n---\r\n")
                .unwrap_err();
        assert!(
            e.message.starts_with("invalid_frontmatter: 4:"),
            "{}",
            e.message
        );

        let e = Frontmatter::parse("---\nname: a\nname: b\n---\n").unwrap_err();
        assert!(
            e.message.starts_with("invalid_frontmatter: 3:"),
            "{}",
            e.message
        );

        let e = Frontmatter::parse("---\n- a\n- b\n---\n").unwrap_err();
        assert!(e.message.contains("mapping"), "{}", e.message);

        let e = Frontmatter::parse("---\nname: a\ndescription: never closed\n").unwrap_err();
        assert!(
            e.message.starts_with("invalid_frontmatter: 1:1"),
            "{}",
            e.message
        );
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn size_limits() {
        let big = format!("---\nname: a\n---\n{}", "x".repeat(MAX_SKILL_MD_BYTES));
        assert_eq!(
            Frontmatter::parse(&big).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        let big_fm = format!(
            "---\nname: a\ndescription: {}\n---\n",
            "y".repeat(MAX_FRONTMATTER_BYTES)
        );
        let e = Frontmatter::parse(&big_fm).unwrap_err();
        assert!(e.message.contains("too large"), "{}", e.message);
    }
}
