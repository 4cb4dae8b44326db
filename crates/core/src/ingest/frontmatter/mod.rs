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
//!
//! | file | what |
//! |---|---|
//! | `parse.rs` | splitting the frontmatter off, size limits, YAML errors, [`parse_skill_md`] |
//! | `fields.rs` | the known fields as typed values, [`yaml_to_json`] |
//! | `rewrite.rs` | [`set_fields`]: rewriting selected keys in place |
//! | `fix.rs` | [`fix_frontmatter`] (`lint --fix`) |

mod fields;
mod fix;
mod parse;
mod rewrite;

pub use fields::yaml_to_json;
pub use fix::{fix_frontmatter, FrontmatterFix};
pub use parse::{body, parse_skill_md};
pub use rewrite::{set_fields, METADATA_FIELDS, REWRITE_REFUSED};

use crate::error::Result;
use fields::key_text;
use serde::Serialize;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;

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
