//! [`fix_frontmatter`] (`skill-builder lint --fix`): skills written before the metadata rule.

use super::fields::{key_text, value_text, with_number_texts};
use super::parse::{check_sizes, parse_mapping, split, YAML_FIRST_LINE};
use super::rewrite::{
    insert_moved, mapping_yaml, metadata_as_strings, metadata_field, rewrite_yaml, REWRITE_REFUSED,
};
use super::FieldValue;
use crate::error::Result;
use serde::Serialize;
use serde_yaml_ng::{Mapping, Value};

/// What [`fix_frontmatter`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontmatterFix {
    /// The new SKILL.md text (the input when nothing needed fixing).
    #[serde(skip)]
    pub text: String,
    /// Top-level keys moved under `metadata`, in file order.
    pub moved: Vec<String>,
    /// A leading UTF-8 byte-order mark was removed (the reference validator then finds no
    /// frontmatter at all).
    pub bom_removed: bool,
    /// Whether `text` differs from the input.
    pub changed: bool,
}

/// Moves every top-level key that is neither an Agent Skills key nor one of Claude Code's
/// own keys (`version`, `author`, `created`, `modified`, `tools`, custom keys…) under
/// `metadata`, each value as a string (`1.10` stays "1.10"; lists and maps as JSON text), and
/// turns the values already in `metadata` into strings. Nothing is dropped: a moved key that
/// collides with a different `metadata` value wins, the old one is kept as `<key>-previous`.
///
/// The body (everything after the closing `---` line) is kept byte for byte, and so are the
/// lines of the keys that stay; CRLF line ends are kept; a leading BOM is removed.
pub fn fix_frontmatter(content: &str) -> Result<FrontmatterFix> {
    use crate::ingest::lint::{CLAUDE_CODE_OWN_KEYS, SPEC_KEYS};
    check_sizes(content)?;
    let unchanged = || FrontmatterFix {
        text: content.to_string(),
        moved: Vec::new(),
        bom_removed: false,
        changed: false,
    };
    let bom_removed = content.starts_with('\u{feff}');
    let text = content.strip_prefix('\u{feff}').unwrap_or(content);
    let sp = split(text)?;
    let Some(yaml_raw) = sp.yaml else {
        return Ok(unchanged());
    };
    let crlf = sp.open.ends_with('\r');
    let yaml = yaml_raw.replace("\r\n", "\n");
    let raw = parse_mapping(&yaml, YAML_FIRST_LINE)?;
    let texts = with_number_texts(&yaml, &raw);

    let stays = |k: &Value| {
        k.as_str()
            .is_some_and(|k| SPEC_KEYS.contains(&k) || CLAUDE_CODE_OWN_KEYS.contains(&k))
    };
    let current_meta = texts.get("metadata");
    let mut meta = metadata_as_strings(current_meta);
    let mut moved = Vec::new();
    for (k, v) in texts.iter().filter(|(k, _)| !stays(k)) {
        let key = key_text(k);
        insert_moved(&mut meta, &key, value_text(v));
        moved.push(key);
    }
    let meta_value = (!meta.is_empty()).then(|| Value::Mapping(meta.clone()));
    let meta_changed = meta_value.as_ref() != current_meta.filter(|v| !v.is_null());
    if moved.is_empty() && !meta_changed && !bom_removed {
        return Ok(unchanged());
    }

    let new_yaml = if moved.is_empty() && !meta_changed {
        yaml.clone()
    } else if texts.keys().all(|k| k.as_str().is_some()) {
        let mut overrides: Vec<(&str, FieldValue)> = texts
            .keys()
            .filter(|k| !stays(k))
            .filter_map(|k| k.as_str().map(|k| (k, FieldValue::Remove)))
            .collect();
        overrides.push(("metadata", metadata_field(meta.clone())));
        match rewrite_yaml(&yaml, &overrides) {
            Ok(y) => y,
            Err(e) if e.message.starts_with(REWRITE_REFUSED) => {
                whole_fixed_yaml(&texts, &stays, meta_value)?
            }
            Err(e) => return Err(e),
        }
    } else {
        // A key that is not text (`1: x`) cannot be located line by line.
        whole_fixed_yaml(&texts, &stays, meta_value)?
    };
    let new_yaml = if crlf {
        new_yaml.replace('\n', "\r\n")
    } else {
        new_yaml
    };
    // `yaml_raw` is a slice of `text`: splice the new block in its place.
    let yaml_start = yaml_raw.as_ptr() as usize - text.as_ptr() as usize;
    let head = &text[..yaml_start];
    let tail = &text[yaml_start + yaml_raw.len()..];
    let out = format!("{head}{new_yaml}{tail}");
    Ok(FrontmatterFix {
        changed: out != content,
        text: out,
        moved,
        bom_removed,
    })
}

/// The fixed frontmatter written out whole: the keys that stay (numbers as their source
/// text, so nothing changes its text) and the new `metadata` where the old one was (or last).
fn whole_fixed_yaml(
    texts: &Mapping,
    stays: &dyn Fn(&Value) -> bool,
    meta: Option<Value>,
) -> Result<String> {
    let mut out = Mapping::new();
    let mut meta = meta;
    for (k, v) in texts {
        if k.as_str() == Some("metadata") {
            if let Some(m) = meta.take() {
                out.insert(k.clone(), m);
            }
        } else if stays(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    if let Some(m) = meta {
        out.insert("metadata".into(), m);
    }
    mapping_yaml(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::frontmatter::*;

    #[test]
    fn fix_moves_extra_keys_under_metadata_as_strings() {
        let s = "---\nname: a\n# kept comment\ndescription: d\nversion: 1.10\nauthor: me\ncreated: 2024-01-02\ntools: Read, Grep\nmodel: sonnet\nuser-invocable: true\ncustom:\n  - x\n  - 2\nmetadata:\n  author: someone-else\n  rev: 3\n---\r\nbody \u{1F600}\r\n\n";
        let fix = fix_frontmatter(s).unwrap();
        assert!(fix.changed);
        assert_eq!(
            fix.moved,
            ["version", "author", "created", "tools", "custom"]
        );
        let p = parse_skill_md(&fix.text).unwrap();
        let f = &p.frontmatter;
        assert_eq!(
            f.keys(),
            vec!["name", "description", "model", "user-invocable", "metadata"],
            "{}",
            fix.text
        );
        let md = f.metadata.as_ref().unwrap();
        assert_eq!(md["version"], "1.10");
        assert_eq!(md["author"], "me");
        assert_eq!(md["author-previous"], "someone-else");
        assert_eq!(md["created"], "2024-01-02");
        assert_eq!(md["tools"], "Read, Grep");
        assert_eq!(md["custom"], "[\"x\",\"2\"]");
        assert_eq!(md["rev"], "3");
        assert!(fix.text.contains("# kept comment\n"));
        assert!(fix.text.contains("model: sonnet\nuser-invocable: true\n"));
        assert!(
            fix.text.ends_with("---\r\nbody \u{1F600}\r\n\n"),
            "{:?}",
            fix.text
        );
        // A second run has nothing to do.
        let again = fix_frontmatter(&fix.text).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, fix.text);
    }

    #[test]
    fn fix_handles_flow_layouts_crlf_bom_and_no_frontmatter() {
        let fix = fix_frontmatter("---\n{name: a, description: d, version: 1.10}\n---\nB").unwrap();
        let f = Frontmatter::parse(&fix.text).unwrap();
        assert_eq!(f.keys(), vec!["name", "description", "metadata"]);
        assert_eq!(f.version.as_deref(), Some("1.10"));
        assert!(fix.text.ends_with("---\nB"));

        let fix = fix_frontmatter("\u{feff}---\r\nname: a\r\ntools: Read\r\n---\r\nB\r\n").unwrap();
        assert!(fix.bom_removed);
        assert_eq!(
            fix.text,
            "---\r\nname: a\r\nmetadata:\r\n  tools: Read\r\n---\r\nB\r\n"
        );

        let fix = fix_frontmatter("# no frontmatter\n").unwrap();
        assert!(!fix.changed);
        let clean = "---\nname: a\ndescription: d\nmetadata:\n  version: '1.0'\n---\nB";
        assert!(!fix_frontmatter(clean).unwrap().changed);
        assert!(fix_frontmatter("---\nname: [\n---\n").is_err());
    }
}
