//! [`set_fields`]: rewriting selected keys of a frontmatter in place, every other line kept.

use super::fields::{key_text, value_text, with_number_texts};
use super::parse::{check_sizes, normalize, parse_mapping, split, YAML_FIRST_LINE};
use super::FieldValue;
use crate::error::{Error, Result};
use serde_yaml_ng::{Mapping, Value};
use std::collections::HashSet;

fn entry_yaml(key: &str, value: Value) -> Result<String> {
    let mut m = Mapping::new();
    m.insert(Value::String(key.to_string()), value);
    mapping_yaml(&m)
}

pub(super) fn mapping_yaml(m: &Mapping) -> Result<String> {
    if m.is_empty() {
        return Ok(String::new());
    }
    serde_yaml_ng::to_string(m)
        .map_err(|e| Error::internal(format!("cannot write frontmatter YAML: {e}")))
}

/// A top-level entry of a block mapping: its key and its line range `[start, end)`.
struct Entry {
    key: Option<Value>,
    start: usize,
    end: usize,
}

/// Finds the top-level entries of a block-mapping frontmatter, line by line: an entry
/// starts on a line that begins (column 0) with something other than a blank or a
/// comment and runs until the next such line; trailing blank/comment lines are left
/// outside. Each entry is parsed on its own to learn its key.
fn top_level_entries(lines: &[&str]) -> Vec<Entry> {
    let starts_entry = |l: &str| {
        let c = l.chars().next();
        !matches!(c, None | Some(' ' | '\t' | '#' | '\n'))
    };
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| starts_entry(lines[i]))
        .collect();
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let mut end = starts.get(n + 1).copied().unwrap_or(lines.len());
        while end > start + 1 {
            let t = lines[end - 1].trim();
            if t.is_empty() || (t.starts_with('#') && lines[end - 1].starts_with('#')) {
                end -= 1;
            } else {
                break;
            }
        }
        let text: String = lines[start..end].concat();
        let key = match serde_yaml_ng::from_str::<Value>(&text) {
            Ok(Value::Mapping(m)) if m.len() == 1 => m.keys().next().cloned(),
            _ => None,
        };
        out.push(Entry { key, start, end });
    }
    out
}

/// The 0-based line (within the YAML) of the first repeated top-level key, and the key.
pub(super) fn duplicate_key_line(yaml: &str) -> Option<(usize, String)> {
    let lines: Vec<&str> = yaml.split_inclusive('\n').collect();
    let mut seen = HashSet::new();
    for e in top_level_entries(&lines) {
        if let Some(k) = e.key {
            let t = key_text(&k);
            if !seen.insert(t.clone()) {
                return Some((e.start, t));
            }
        }
    }
    None
}

/// Patches the given keys line by line, leaving every other line untouched.
fn patch_lines(yaml: &str, overrides: &[(&str, FieldValue)]) -> Result<String> {
    let mut lines: Vec<String> = yaml.split_inclusive('\n').map(str::to_string).collect();
    if let Some(last) = lines.last_mut() {
        if !last.ends_with('\n') {
            last.push('\n');
        }
    }
    for (key, value) in overrides {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let entries = top_level_entries(&refs);
        let found = entries
            .iter()
            .find(|e| e.key.as_ref().and_then(Value::as_str) == Some(key));
        let replacement = match value.to_value() {
            Some(v) => vec![entry_yaml(key, v)?],
            None => Vec::new(),
        };
        match found {
            Some(e) => {
                let (s, end) = (e.start, e.end);
                lines.splice(s..end, replacement);
            }
            None => lines.extend(replacement),
        }
    }
    Ok(lines.concat())
}

/// Error code of `set_fields` when a rewrite would change values it was not asked to change.
pub const REWRITE_REFUSED: &str = "frontmatter_rewrite_refused";

/// Fields read by their source text (`version: 1.10` is "1.10"): a re-render must not touch them.
const TEXT_FIELDS: [&str; 9] = [
    "name",
    "description",
    "version",
    "model",
    "argument-hint",
    "license",
    "compatibility",
    "allowed-tools",
    "metadata",
];

/// Keys Skill Builder keeps under `metadata`, as strings: no agent reads them, and the open
/// Agent Skills specification (and Claude.ai uploads) refuse them at the top level.
pub const METADATA_FIELDS: [&str; 4] = ["version", "author", "created", "modified"];

/// Whether a YAML value is or contains a number (whose source text a re-render may change).
pub(super) fn holds_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Sequence(s) => s.iter().any(holds_number),
        Value::Mapping(m) => m.iter().any(|(k, v)| holds_number(k) || holds_number(v)),
        Value::Tagged(t) => holds_number(&t.value),
        _ => false,
    }
}

/// `metadata` as a map of strings (what the specification allows). A `metadata` that is not
/// a map is kept whole under the key `metadata`.
pub(super) fn metadata_as_strings(current: Option<&Value>) -> Mapping {
    let mut out = Mapping::new();
    match current {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                out.insert(Value::String(key_text(k)), Value::String(value_text(v)));
            }
        }
        Some(other) => {
            out.insert("metadata".into(), Value::String(value_text(other)));
        }
    }
    out
}

/// Puts a value moved from the top level into `meta`. The top-level value wins the key (it is
/// the one readers showed); a different value already there is kept as `<key>-previous`.
pub(super) fn insert_moved(meta: &mut Mapping, key: &str, text: String) {
    let new = Value::String(text);
    match meta.get(key) {
        None => {
            meta.insert(key.into(), new);
        }
        Some(old) if *old == new => {}
        Some(old) => {
            let old = old.clone();
            let mut spare = format!("{key}-previous");
            let mut n = 2;
            while meta.contains_key(spare.as_str()) {
                spare = format!("{key}-previous-{n}");
                n += 1;
            }
            meta.insert(spare.into(), old);
            meta.insert(key.into(), new);
        }
    }
}

/// Rewrites overrides of [`METADATA_FIELDS`] into an update of `metadata` plus the removal of
/// the top-level key, so `set_fields(…, [("version", "2.0")])` writes `metadata.version: '2.0'`.
/// `current` is the frontmatter with numbers as their source text.
fn route_metadata_fields<'a>(
    current: &Mapping,
    overrides: &[(&'a str, FieldValue)],
) -> Vec<(&'a str, FieldValue)> {
    let is_meta = |k: &str| METADATA_FIELDS.contains(&k);
    if !overrides.iter().any(|(k, _)| is_meta(k)) {
        return overrides.to_vec();
    }
    let mut out: Vec<(&'a str, FieldValue)> = Vec::new();
    let mut base = current.get("metadata").cloned();
    for (k, v) in overrides {
        if *k == "metadata" {
            // An explicit new `metadata` is the base the routed fields are added to.
            base = v.to_value();
        } else if !is_meta(k) {
            out.push((*k, v.clone()));
        }
    }
    let mut meta = metadata_as_strings(base.as_ref());
    for (k, v) in overrides.iter().filter(|(k, _)| is_meta(k)) {
        match v {
            FieldValue::Remove => {
                meta.shift_remove(*k);
            }
            FieldValue::Str(s) => {
                meta.insert((*k).into(), Value::String(s.clone()));
            }
            FieldValue::Bool(b) => {
                meta.insert((*k).into(), Value::String(b.to_string()));
            }
            FieldValue::Yaml(y) => {
                meta.insert((*k).into(), Value::String(value_text(y)));
            }
        }
        out.push((*k, FieldValue::Remove));
    }
    out.push(("metadata", metadata_field(meta)));
    out
}

pub(super) fn metadata_field(meta: Mapping) -> FieldValue {
    if meta.is_empty() {
        FieldValue::Remove
    } else {
        FieldValue::Yaml(Value::Mapping(meta))
    }
}

/// The frontmatter YAML (LF line ends) with `overrides` applied: patched line by line when
/// that is exact, else the whole mapping written again (refused when that would change a
/// number's text in a field nobody asked to change).
pub(super) fn rewrite_yaml(yaml: &str, overrides: &[(&str, FieldValue)]) -> Result<String> {
    let mut expected = parse_mapping(yaml, YAML_FIRST_LINE)?;
    for (k, v) in overrides {
        match v.to_value() {
            Some(val) => {
                expected.insert(Value::String(k.to_string()), val);
            }
            None => {
                expected.shift_remove(*k);
            }
        }
    }
    let patched = patch_lines(yaml, overrides)?;
    // Verify the line patch means exactly what we want; if the layout was too
    // unusual for it (flow mapping, odd continuation lines…), write the whole
    // mapping out again instead: formatting is lost, keys and values are not.
    let ok = parse_mapping(&patched, YAML_FIRST_LINE)
        .map(|m| m == expected && m.keys().eq(expected.keys()))
        .unwrap_or(false);
    if ok {
        return Ok(patched);
    }
    // Writing the mapping out again re-renders numbers (`1.10` → `1.1`), which
    // would change values nobody asked to change: refuse instead.
    let at_risk = |k: &Value| {
        k.as_str()
            .is_some_and(|k| TEXT_FIELDS.contains(&k) && !overrides.iter().any(|(o, _)| *o == k))
    };
    if expected.iter().any(|(k, v)| at_risk(k) && holds_number(v)) {
        return Err(Error::invalid(format!(
            "{REWRITE_REFUSED}: this SKILL.md frontmatter layout cannot be updated without \
             changing its other values; rewrite it in block style (one `key: value` per line)"
        )));
    }
    mapping_yaml(&expected)
}

/// Rewrites the given top-level frontmatter keys of a SKILL.md, keeping the body, every
/// other key and (where possible) the other lines byte for byte, comments included.
///
/// `FieldValue::Remove` deletes a key; a key that is not there yet is appended at the end
/// of the frontmatter; a file without frontmatter gets one. [`METADATA_FIELDS`] are written
/// under `metadata` as strings (and removed from the top level). A BOM and CRLF line ends
/// are kept when the input had them. Malformed frontmatter → the `invalid_frontmatter` error
/// of [`parse_skill_md`].
pub fn set_fields(content: &str, overrides: &[(&str, FieldValue)]) -> Result<String> {
    check_sizes(content)?;
    let had_bom = content.starts_with('\u{feff}');
    let crlf = content.contains("\r\n");
    let text = normalize(content);
    let sp = split(&text)?;

    let out = match sp.yaml {
        None => {
            let overrides = route_metadata_fields(&Mapping::new(), overrides);
            let mut m = Mapping::new();
            for (k, v) in &overrides {
                match v.to_value() {
                    Some(val) => {
                        m.insert(Value::String(k.to_string()), val);
                    }
                    None => {
                        m.shift_remove(*k);
                    }
                }
            }
            if m.is_empty() {
                text.to_string()
            } else {
                format!("---\n{}---\n{}", mapping_yaml(&m)?, text)
            }
        }
        Some(yaml) => {
            let current = with_number_texts(yaml, &parse_mapping(yaml, YAML_FIRST_LINE)?);
            let overrides = route_metadata_fields(&current, overrides);
            let new_yaml = rewrite_yaml(yaml, &overrides)?;
            format!("{}\n{}{}\n{}", sp.open, new_yaml, sp.close, sp.body)
        }
    };
    let out = if crlf { out.replace('\n', "\r\n") } else { out };
    Ok(if had_bom {
        format!("\u{feff}{out}")
    } else {
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::frontmatter::*;

    #[test]
    fn set_fields_patches_in_place() {
        let s = "---\n# leading comment\nname: old\ndescription: |-\n  multi\n  line\nlicense: MIT # trailing\nmetadata:\n  a: b\n\n# about version\nversion: 1.10\n---\n# Body\n\ntext\n";
        let out = set_fields(
            s,
            &[
                ("name", FieldValue::Str("new-name".into())),
                ("description", FieldValue::Str("one\ntwo".into())),
                ("user-invocable", FieldValue::Bool(true)),
                ("model", FieldValue::Remove),
            ],
        )
        .unwrap();
        let p = parse_skill_md(&out).unwrap();
        assert_eq!(p.frontmatter.name.as_deref(), Some("new-name"));
        assert_eq!(p.frontmatter.description.as_deref(), Some("one\ntwo"));
        assert_eq!(p.frontmatter.user_invocable, Some(true));
        assert_eq!(p.frontmatter.license.as_deref(), Some("MIT"));
        assert_eq!(p.frontmatter.version.as_deref(), Some("1.10"));
        assert_eq!(p.body, "# Body\n\ntext\n");
        // Untouched lines are byte-identical, comments kept.
        for kept in [
            "# leading comment\n",
            "license: MIT # trailing\n",
            "metadata:\n  a: b\n\n# about version\nversion: 1.10\n",
        ] {
            assert!(out.contains(kept), "{kept:?} missing in:\n{out}");
        }
        assert_eq!(
            p.frontmatter.keys(),
            vec![
                "name",
                "description",
                "license",
                "metadata",
                "version",
                "user-invocable"
            ]
        );
        // Removing works and keeps the rest.
        let out2 = set_fields(&out, &[("metadata", FieldValue::Remove)]).unwrap();
        let f2 = Frontmatter::parse(&out2).unwrap();
        assert!(f2.metadata.is_none());
        assert_eq!(f2.version.as_deref(), Some("1.10"));
        assert!(out2.contains("# about version\nversion: 1.10\n"));
    }

    #[test]
    fn set_fields_quotes_what_needs_quoting() {
        let s = "---\nname: a\n---\n";
        let out = set_fields(
            s,
            &[
                ("version", FieldValue::Str("1.10".into())),
                ("description", FieldValue::Str("x: y # z".into())),
                ("argument-hint", FieldValue::Str("true".into())),
            ],
        )
        .unwrap();
        let f = Frontmatter::parse(&out).unwrap();
        assert_eq!(f.version.as_deref(), Some("1.10"));
        assert_eq!(f.description.as_deref(), Some("x: y # z"));
        assert_eq!(f.argument_hint.as_deref(), Some("true"));
        assert_eq!(
            f.raw.get("argument-hint"),
            Some(&Value::String("true".into()))
        );
    }

    #[test]
    fn set_fields_keeps_crlf_bom_and_creates_frontmatter() {
        let s = "\u{feff}---\r\nname: a\r\nextra: keep\r\n---\r\nbody\r\n";
        let out = set_fields(s, &[("name", FieldValue::Str("b".into()))]).unwrap();
        assert_eq!(
            out,
            "\u{feff}---\r\nname: b\r\nextra: keep\r\n---\r\nbody\r\n"
        );

        let out = set_fields("# Just a body\n", &[("name", FieldValue::Str("x".into()))]).unwrap();
        assert_eq!(out, "---\nname: x\n---\n# Just a body\n");
        assert_eq!(
            set_fields("# Just a body\n", &[("name", FieldValue::Remove)]).unwrap(),
            "# Just a body\n"
        );
        assert_eq!(
            set_fields("---\n---\nb", &[("name", FieldValue::Str("x".into()))]).unwrap(),
            "---\nname: x\n---\nb"
        );
    }

    #[test]
    fn set_fields_falls_back_for_unusual_layouts() {
        let s = "---\n{name: a, description: b, other: [1, 2]}\n---\nbody";
        let out = set_fields(s, &[("name", FieldValue::Str("z".into()))]).unwrap();
        let f = Frontmatter::parse(&out).unwrap();
        assert_eq!(f.name.as_deref(), Some("z"));
        assert_eq!(f.description.as_deref(), Some("b"));
        assert_eq!(f.keys(), vec!["name", "description", "other"]);
        assert!(out.ends_with("---\nbody"));
    }

    #[test]
    fn set_fields_rejects_malformed_input() {
        let e = set_fields(
            "---\nname: [\n---\n",
            &[("name", FieldValue::Str("a".into()))],
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("invalid_frontmatter: "),
            "{}",
            e.message
        );
    }

    #[test]
    fn set_fields_writes_version_under_metadata() {
        let s = "---\nname: a\nversion: 1.0\nmetadata:\n  tier: gold\n  rev: 1.10\n---\nbody\n";
        let out = set_fields(s, &[("version", FieldValue::Str("1.10".into()))]).unwrap();
        let f = Frontmatter::parse(&out).unwrap();
        assert_eq!(f.keys(), vec!["name", "metadata"], "{out}");
        assert_eq!(f.version.as_deref(), Some("1.10"));
        let md = f.metadata.unwrap();
        assert_eq!(md["tier"], "gold");
        assert_eq!(md["rev"], "1.10", "source text kept: {out}");
        assert!(out.ends_with("---\nbody\n"));
        let out = set_fields("# b\n", &[("author", FieldValue::Str("x".into()))]).unwrap();
        assert_eq!(
            Frontmatter::parse(&out).unwrap().author.as_deref(),
            Some("x")
        );
        assert!(!out.contains("\nauthor:"), "{out}");
    }
}
