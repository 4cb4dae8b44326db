//! SKILL.md frontmatter (ingestion.md §1.5): split, parse with a real YAML parser, keep
//! every key, and rewrite selected keys in place.
//!
//! YAML crate: `serde_yaml_ng`. The original `serde_yaml` is archived/deprecated and
//! `serde_yml` is an unsound, unmaintained fork, so neither may be used. `serde_yaml_ng`
//! is the maintained continuation of `serde_yaml` with the same API (same `Value`,
//! `Mapping` that keeps key order, and errors that carry a line/column `Location`),
//! built on the same audited `unsafe-libyaml` parser. `serde_norway` would also have
//! done; we picked `serde_yaml_ng` because its API is a drop-in for code written
//! against `serde_yaml` 0.9 and its `deserialize_str` returns the *source text* of a
//! plain scalar, which we need for §1.5 "`version: 1.10` stays `"1.10"`".
//!
//! Rules implemented here:
//! - a leading UTF-8 BOM is stripped and CRLF is read as LF;
//! - frontmatter exists only when line 1 is `---`; it ends at the next line that is `---`
//!   or `...` (trailing blanks tolerated); an unclosed block is malformed;
//! - SKILL.md ≤ 1 MiB, frontmatter ≤ 64 KiB;
//! - YAML errors become `invalid_input` `invalid_frontmatter: <line>:<col> <reason>`, the
//!   line counted in the whole file;
//! - all top-level keys are kept in order in [`Frontmatter::raw`];
//! - `name`, `version`, `model`, `argument-hint` (and other scalar fields) are the
//!   scalar's source text; block scalars follow YAML semantics;
//! - booleans accept YAML booleans and `true|yes|1` / `false|no|0` (case-insensitive,
//!   quoted or not); anything else → absent plus a warning;
//! - `version`, `author`, `created`, `modified` live under `metadata` as strings (issue 13:
//!   the open spec and Claude.ai refuse them at the top level): [`set_fields`] writes them
//!   there, reading takes them from there when the top level has none, and
//!   [`fix_frontmatter`] (`lint --fix`) moves them — and every other non-spec key except
//!   Claude Code's own — out of the top level of older skills.

use crate::error::{Error, Result};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

pub use serde_yaml_ng::Mapping as YamlMapping;
pub use serde_yaml_ng::Value as YamlValue;

/// Largest SKILL.md we read, in bytes.
pub const MAX_SKILL_MD_BYTES: usize = 1024 * 1024;
/// Largest frontmatter block, in bytes.
pub const MAX_FRONTMATTER_BYTES: usize = 64 * 1024;

/// Frontmatter keys the backend understands (the rest are kept verbatim in `raw`).
pub const KNOWN_KEYS: &[&str] = &[
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
];

/// The frontmatter of a SKILL.md: the known fields, typed, plus the full key map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Frontmatter {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `version`, else `metadata.version` (where Skill Builder writes it).
    pub version: Option<String>,
    /// `author`, else `metadata.author`.
    pub author: Option<String>,
    /// `created`, else `metadata.created`.
    pub created: Option<String>,
    /// `modified`, else `metadata.modified`.
    pub modified: Option<String>,
    pub model: Option<String>,
    /// `argument-hint`
    pub argument_hint: Option<String>,
    /// `user-invocable`
    pub user_invocable: Option<bool>,
    /// `disable-model-invocation`
    pub disable_model_invocation: Option<bool>,
    pub license: Option<String>,
    pub compatibility: Option<String>,
    /// `metadata`: a map of string → string (non-scalar values are left out with a warning).
    pub metadata: Option<BTreeMap<String, String>>,
    /// `allowed-tools`: the string as written; a YAML list is joined with single spaces.
    pub allowed_tools: Option<String>,
    /// Every top-level key in file order, exactly as parsed (also the known ones).
    #[serde(skip)]
    pub raw: Mapping,
    /// Non-fatal problems found while reading the known fields.
    pub warnings: Vec<String>,
}

/// A parsed SKILL.md.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillMd {
    pub frontmatter: Frontmatter,
    /// False when the file does not start with a `---` line (all fields are then absent).
    pub has_frontmatter: bool,
    /// Everything after the closing marker line (BOM stripped, LF line ends).
    pub body: String,
    /// 1-based line number (in the file) where the body starts.
    pub body_line: usize,
}

/// A new value for [`set_fields`].
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Str(String),
    Bool(bool),
    /// Any YAML value (lists, maps…).
    Yaml(Value),
    /// Delete the key.
    Remove,
}

impl FieldValue {
    fn to_value(&self) -> Option<Value> {
        match self {
            FieldValue::Str(s) => Some(Value::String(s.clone())),
            FieldValue::Bool(b) => Some(Value::Bool(*b)),
            FieldValue::Yaml(v) => Some(v.clone()),
            FieldValue::Remove => None,
        }
    }
}

impl Frontmatter {
    /// Parses the frontmatter of a SKILL.md (see [`parse_skill_md`]).
    pub fn parse(content: &str) -> Result<Frontmatter> {
        Ok(parse_skill_md(content)?.frontmatter)
    }

    /// The full key map as JSON (non-string keys are written as their YAML text).
    pub fn raw_json(&self) -> serde_json::Value {
        yaml_to_json(&Value::Mapping(self.raw.clone()))
    }

    /// The raw YAML value of a top-level key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.raw.get(key)
    }

    /// Top-level keys in file order (non-string keys as their YAML text).
    pub fn keys(&self) -> Vec<String> {
        self.raw.keys().map(key_text).collect()
    }
}

/// The frontmatter split off a normalised SKILL.md text.
struct Split<'a> {
    /// The YAML between the marker lines (ends with `\n` unless empty); None = no frontmatter.
    yaml: Option<&'a str>,
    /// The opening and closing marker lines, as written (without `\n`).
    open: &'a str,
    close: &'a str,
    body: &'a str,
    /// 1-based line number of the first body line.
    body_line: usize,
}

/// File line of the first YAML line.
const YAML_FIRST_LINE: usize = 2;

fn normalize(content: &str) -> Cow<'_, str> {
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

fn split(text: &str) -> Result<Split<'_>> {
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

fn check_sizes(content: &str) -> Result<()> {
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
fn parse_mapping(yaml: &str, first_line: usize) -> Result<Mapping> {
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

// ---------------------------------------------------------------------------------
// Known fields

fn key_text(k: &Value) -> String {
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
fn with_number_texts(yaml: &str, raw: &Mapping) -> Mapping {
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
fn value_text(v: &Value) -> String {
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

fn typed_fields(yaml: &str, raw: Mapping) -> Frontmatter {
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

// ---------------------------------------------------------------------------------
// Rewriting

fn entry_yaml(key: &str, value: Value) -> Result<String> {
    let mut m = Mapping::new();
    m.insert(Value::String(key.to_string()), value);
    mapping_yaml(&m)
}

fn mapping_yaml(m: &Mapping) -> Result<String> {
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
fn duplicate_key_line(yaml: &str) -> Option<(usize, String)> {
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
fn holds_number(v: &Value) -> bool {
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
fn metadata_as_strings(current: Option<&Value>) -> Mapping {
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
fn insert_moved(meta: &mut Mapping, key: &str, text: String) {
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

fn metadata_field(meta: Mapping) -> FieldValue {
    if meta.is_empty() {
        FieldValue::Remove
    } else {
        FieldValue::Yaml(Value::Mapping(meta))
    }
}

/// The frontmatter YAML (LF line ends) with `overrides` applied: patched line by line when
/// that is exact, else the whole mapping written again (refused when that would change a
/// number's text in a field nobody asked to change).
fn rewrite_yaml(yaml: &str, overrides: &[(&str, FieldValue)]) -> Result<String> {
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

// ---------------------------------------------------------------------------------
// Fixing skills written before the metadata rule (`skill-builder lint --fix`)

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
    use crate::error::ErrorKind;

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
