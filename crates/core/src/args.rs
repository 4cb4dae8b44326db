//! Decoding a command's JSON arguments into its typed argument struct. Every command module
//! uses these; they live apart from `catalog` so the catalog, which names every module, is
//! imported by none of them.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// Arguments of a command that takes none (any object, or null, is accepted).
#[derive(Debug, Default, Deserialize)]
pub struct NoArgs {}

/// Decodes a command's JSON arguments (`null` = no arguments) with a clear error.
pub fn parse_args<T: DeserializeOwned>(command: &str, v: Value) -> Result<T> {
    let v = if v.is_null() {
        Value::Object(Default::default())
    } else {
        v
    };
    if !v.is_object() {
        return Err(Error::invalid(format!(
            "arguments of {command} must be a JSON object, got {}",
            json_type(&v)
        )));
    }
    serde_json::from_value(v)
        .map_err(|e| Error::invalid(format!("invalid arguments for {command}: {e}")))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
