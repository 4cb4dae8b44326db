//! The known fields of a frontmatter as typed values (scalar source text, lenient booleans,
//! the `metadata` fallbacks), and YAML as JSON.

use super::rewrite::holds_number;
use super::Frontmatter;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::fmt;

pub(super) fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
    }
}

/// `raw` with every number (also inside maps and lists) replaced by its source text as a
/// string: `version: 1.10` → "1.10" (a `Value` would hold the float 1.1). `raw` itself when
/// it holds no number or the block cannot be walked again (an alias to a map, a merge key…).
pub(super) fn with_number_texts(yaml: &str, raw: &Mapping) -> Mapping {
    /// Walks the document with the already-parsed value as its map: only where that value
    /// holds a number is the scalar read again as text, so no non-scalar is ever read as one.
    struct Shaped<'a>(&'a Value);
    impl<'de> DeserializeSeed<'de> for Shaped<'_> {
        type Value = Value;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            match self.0 {
                Value::Number(_) => String::deserialize(d).map(Value::String),
                Value::Mapping(m) if holds_number(self.0) => d.deserialize_map(ShapedMap(m)),
                Value::Sequence(s) if holds_number(self.0) => d.deserialize_seq(ShapedSeq(s)),
                other => {
                    IgnoredAny::deserialize(d)?;
                    Ok(other.clone())
                }
            }
        }
    }
    struct ShapedMap<'a>(&'a Mapping);
    impl<'de> Visitor<'de> for ShapedMap<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut out = Mapping::new();
            let mut shape = self.0.iter();
            while a.next_key::<IgnoredAny>()?.is_some() {
                let (k, v) = shape
                    .next()
                    .ok_or_else(|| serde::de::Error::custom("mapping changed shape"))?;
                out.insert(k.clone(), a.next_value_seed(Shaped(v))?);
            }
            Ok(Value::Mapping(out))
        }
    }
    struct ShapedSeq<'a>(&'a [Value]);
    impl<'de> Visitor<'de> for ShapedSeq<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            for v in self.0 {
                match a.next_element_seed(Shaped(v))? {
                    Some(x) => out.push(x),
                    None => return Err(serde::de::Error::custom("sequence changed shape")),
                }
            }
            Ok(Value::Sequence(out))
        }
    }
    let whole = Value::Mapping(raw.clone());
    if !holds_number(&whole) {
        return raw.clone();
    }
    match Shaped(&whole).deserialize(serde_yaml_ng::Deserializer::from_str(yaml)) {
        Ok(Value::Mapping(m)) if m.len() == raw.len() => m,
        _ => raw.clone(),
    }
}

/// The text of a scalar (numbers as YAML wrote them when [`with_number_texts`] could not
/// recover the source); lists and maps as compact JSON so no value is ever dropped.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        Value::Tagged(t) => value_text(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => {
            serde_json::to_string(&yaml_to_json(v)).unwrap_or_default()
        }
    }
}

enum Scalar {
    Absent,
    Text(String),
    Complex,
}

fn scalar(raw: &Mapping, key: &str) -> Scalar {
    match raw.get(key) {
        None | Some(Value::Null) => Scalar::Absent,
        Some(Value::String(s)) => Scalar::Text(s.clone()),
        Some(Value::Bool(b)) => Scalar::Text(b.to_string()),
        Some(Value::Number(n)) => Scalar::Text(n.to_string()),
        Some(Value::Tagged(t)) => match &t.value {
            Value::String(s) => Scalar::Text(s.clone()),
            _ => Scalar::Complex,
        },
        Some(_) => Scalar::Complex,
    }
}

/// `metadata` read as a map of text (numbers as their source text); `Err` with a warning
/// when it is not a map.
fn metadata_texts(
    value: Option<&Value>,
    warnings: &mut Vec<String>,
) -> Option<BTreeMap<String, String>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Mapping(m)) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                match v {
                    Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => {
                        warnings.push(format!(
                            "metadata key '{}' should have a text value; it was ignored",
                            key_text(k)
                        ))
                    }
                    _ => {
                        out.insert(key_text(k), value_text(v));
                    }
                }
            }
            Some(out)
        }
        Some(_) => {
            warnings.push(
                "frontmatter key 'metadata' should be a map of keys to text; it was ignored".into(),
            );
            None
        }
    }
}

pub(super) fn typed_fields(yaml: &str, raw: Mapping) -> Frontmatter {
    // Every field is read from this copy, so `1.10` is "1.10"; `raw` keeps the typed values.
    let texts = with_number_texts(yaml, &raw);
    let mut warnings = Vec::new();

    let mut text = |key: &str, trim: bool| -> Option<String> {
        match scalar(&texts, key) {
            Scalar::Absent => None,
            Scalar::Complex => {
                warnings.push(format!(
                    "frontmatter key '{key}' should be a text value; it was ignored"
                ));
                None
            }
            Scalar::Text(s) => {
                let s = if trim { s.trim().to_string() } else { s };
                (!s.trim().is_empty()).then_some(s)
            }
        }
    };
    let name = text("name", true);
    let description = text("description", true);
    let top_version = text("version", true);
    let model = text("model", true);
    let argument_hint = text("argument-hint", true);
    let license = text("license", true);
    let compatibility = text("compatibility", true);

    let mut boolean = |key: &str| -> Option<bool> {
        let t = match scalar(&texts, key) {
            Scalar::Absent => return None,
            Scalar::Text(t) => t,
            Scalar::Complex => String::from("(a list or map)"),
        };
        match t.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => {
                warnings.push(format!(
                    "frontmatter key '{key}' should be true or false, not '{}'; it was ignored",
                    t.trim()
                ));
                None
            }
        }
    };
    let user_invocable = boolean("user-invocable");
    let disable_model_invocation = boolean("disable-model-invocation");

    let allowed_tools = match texts.get("allowed-tools") {
        None | Some(Value::Null) => None,
        Some(Value::Sequence(items)) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            if parts.len() != items.len() {
                warnings.push(
                    "frontmatter key 'allowed-tools' has entries that are not text; they were ignored"
                        .into(),
                );
            }
            Some(parts.join(" "))
        }
        Some(_) => match scalar(&texts, "allowed-tools") {
            Scalar::Text(s) => Some(s.trim().to_string()),
            _ => {
                warnings.push(
                    "frontmatter key 'allowed-tools' should be a text value; it was ignored".into(),
                );
                None
            }
        },
    };

    let metadata = metadata_texts(texts.get("metadata"), &mut warnings);

    // Skill Builder writes these under `metadata` (the open spec allows no such top-level
    // keys); a skill written before that has them at the top level, which then wins.
    let display = |key: &str, top: Option<String>| -> Option<String> {
        let top = top.or_else(|| match scalar(&texts, key) {
            Scalar::Text(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            _ => None,
        });
        top.or_else(|| {
            metadata
                .as_ref()
                .and_then(|m| m.get(key))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
    };
    let version = display("version", top_version);
    let author = display("author", None);
    let created = display("created", None);
    let modified = display("modified", None);

    Frontmatter {
        name,
        description,
        version,
        author,
        created,
        modified,
        model,
        argument_hint,
        user_invocable,
        disable_model_invocation,
        license,
        compatibility,
        metadata,
        allowed_tools,
        raw,
        warnings,
    }
}

/// Converts a YAML value to JSON (non-string keys become their YAML text; tags dropped).
pub fn yaml_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(J::Number)
                    .unwrap_or_else(|| J::String(n.to_string()))
            }
        }
        Value::String(s) => J::String(s.clone()),
        Value::Sequence(items) => J::Array(items.iter().map(yaml_to_json).collect()),
        Value::Mapping(m) => J::Object(
            m.iter()
                .map(|(k, v)| (key_text(k), yaml_to_json(v)))
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::frontmatter::*;

    fn fm(s: &str) -> Frontmatter {
        Frontmatter::parse(s).unwrap()
    }

    #[test]
    fn parses_all_known_fields() {
        let s = "---\nname: my-skill\ndescription: Does things\nversion: 1.10\nmodel: sonnet\n\
                 argument-hint: \"[file]\"\nuser-invocable: yes\ndisable-model-invocation: \"False\"\n\
                 license: Apache-2.0\ncompatibility: Needs git\nmetadata:\n  author: me\n  rev: 2\n\
                 allowed-tools: Read Bash(git:*)\ntrigger: >\n  when asked\ntools: [a, b]\n---\n# Body\n";
        let f = fm(s);
        assert_eq!(f.name.as_deref(), Some("my-skill"));
        assert_eq!(f.description.as_deref(), Some("Does things"));
        assert_eq!(f.version.as_deref(), Some("1.10"), "source text, not 1.1");
        assert_eq!(f.model.as_deref(), Some("sonnet"));
        assert_eq!(f.argument_hint.as_deref(), Some("[file]"));
        assert_eq!(f.user_invocable, Some(true));
        assert_eq!(f.disable_model_invocation, Some(false));
        assert_eq!(f.license.as_deref(), Some("Apache-2.0"));
        assert_eq!(f.compatibility.as_deref(), Some("Needs git"));
        let md = f.metadata.as_ref().unwrap();
        assert_eq!(md["author"], "me");
        assert_eq!(md["rev"], "2");
        assert_eq!(f.allowed_tools.as_deref(), Some("Read Bash(git:*)"));
        assert_eq!(
            f.keys(),
            vec![
                "name",
                "description",
                "version",
                "model",
                "argument-hint",
                "user-invocable",
                "disable-model-invocation",
                "license",
                "compatibility",
                "metadata",
                "allowed-tools",
                "trigger",
                "tools"
            ]
        );
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let j = f.raw_json();
        assert_eq!(j["tools"], serde_json::json!(["a", "b"]));
        assert_eq!(j["trigger"], "when asked\n");
        assert_eq!(body(s), "# Body\n");
    }

    #[test]
    fn block_scalars_follow_yaml() {
        let folded = fm("---\nname: a\ndescription: >\n  one\n  two\n\n  three\n---\n");
        assert_eq!(folded.description.as_deref(), Some("one two\nthree"));
        let literal = fm("---\nname: a\ndescription: |-\n  line 1\n  line 2\nx: 1\n---\n");
        assert_eq!(literal.description.as_deref(), Some("line 1\nline 2"));
        let keep = fm("---\ndescription: |+\n  kept\n\n---\n");
        assert_eq!(keep.description.as_deref(), Some("kept"));
        let indent = fm("---\ndescription: |2\n    indented\n---\n");
        assert_eq!(indent.description.as_deref(), Some("indented"));
        let plain = fm("---\ndescription: a plain\n  multi-line scalar\n---\n");
        assert_eq!(
            plain.description.as_deref(),
            Some("a plain multi-line scalar")
        );
    }

    #[test]
    fn quoting_and_escapes() {
        let f = fm("---\nname: 'my-skill'\ndescription: \"Say \\\"hi\\\" # not a comment\" # comment\nversion: '1.0'\n---\n");
        assert_eq!(f.name.as_deref(), Some("my-skill"));
        assert_eq!(f.description.as_deref(), Some("Say \"hi\" # not a comment"));
        assert_eq!(f.version.as_deref(), Some("1.0"));
        let n = fm("---\nname: 123\nversion: 2\n---\n");
        assert_eq!(n.name.as_deref(), Some("123"));
        assert_eq!(n.version.as_deref(), Some("2"));
    }

    #[test]
    fn booleans() {
        for (v, want) in [
            ("true", Some(true)),
            ("True", Some(true)),
            ("\"yes\"", Some(true)),
            ("1", Some(true)),
            ("'1'", Some(true)),
            ("false", Some(false)),
            ("NO", Some(false)),
            ("0", Some(false)),
            ("'false'", Some(false)),
            ("maybe", None),
            ("2", None),
            ("[true]", None),
        ] {
            let f = fm(&format!("---\nuser-invocable: {v}\n---\n"));
            assert_eq!(f.user_invocable, want, "{v}");
            assert_eq!(f.warnings.len(), usize::from(want.is_none()), "{v}");
        }
        assert_eq!(fm("---\nuser-invocable:\n---\n").user_invocable, None);
    }

    #[test]
    fn empty_strings_are_absent_and_non_scalars_warn() {
        let f = fm("---\nname: \"\"\nargument-hint: \"\"\ndescription: '   '\nmodel: [a]\nmetadata: 3\n---\n");
        assert_eq!(f.name, None);
        assert_eq!(f.argument_hint, None);
        assert_eq!(f.description, None);
        assert_eq!(f.model, None);
        assert_eq!(f.metadata, None);
        assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
        let f = fm("---\nallowed-tools:\n  - Read\n  - Write\n---\n");
        assert_eq!(f.allowed_tools.as_deref(), Some("Read Write"));
    }

    #[test]
    fn version_author_and_dates_fall_back_to_metadata() {
        let f = fm("---\nname: a\nmetadata:\n  version: 1.10\n  author: me\n  created: 2024-01-02\n  modified: '2024-02-03'\n---\n");
        assert_eq!(f.version.as_deref(), Some("1.10"));
        assert_eq!(f.author.as_deref(), Some("me"));
        assert_eq!(f.created.as_deref(), Some("2024-01-02"));
        assert_eq!(f.modified.as_deref(), Some("2024-02-03"));
        assert_eq!(f.metadata.as_ref().unwrap()["version"], "1.10");
        // The top level wins when both are there.
        let f = fm(
            "---\nversion: 2.0\nauthor: top\nmetadata:\n  version: '1.0'\n  author: meta\n---\n",
        );
        assert_eq!(f.version.as_deref(), Some("2.0"));
        assert_eq!(f.author.as_deref(), Some("top"));
    }
}
