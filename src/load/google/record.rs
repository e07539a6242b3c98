//! A JSON user record (an Admin SDK object, or a GAM row unflattened into one) with located,
//! type-checked field readers: every error names the file, record, line and field.

use super::dates::NEVER;
use crate::load::text::{field, json_type};
use crate::load::time::iso;
use crate::load::{non_empty, parse_bool, LoadError};
use crate::model::*;
use serde_json::{Map, Value};

/// A JSON user record with located, type-checked field readers.
pub(super) struct Rec<'a> {
    pub(super) obj: &'a Map<String, Value>,
    pub(super) file: &'a str,
    pub(super) record: u64,
    pub(super) line: Option<u64>,
}

impl<'a> Rec<'a> {
    pub(super) fn err(&self, name: &str, message: String) -> LoadError {
        LoadError {
            file: self.file.into(),
            line: self.line,
            record: Some(self.record),
            field: Some(name.into()),
            message,
        }
    }
    pub(super) fn get(&self, name: &str) -> Option<&'a Value> {
        field(self.obj, name).filter(|v| !v.is_null())
    }
    pub(super) fn sub(&self, obj: &'a Map<String, Value>) -> Rec<'a> {
        Rec { obj, ..*self }
    }
    pub(super) fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    pub(super) fn bool(&self, name: &str) -> Result<Option<bool>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.err(name, format!("expected a boolean, found `{s}`"))),
            Some(v) => Err(self.err(name, format!("expected a boolean, found {}", json_type(v)))),
        }
    }
    /// A timestamp: missing, null or empty → `missing`; GAM's `Never` → never; else ISO 8601.
    pub(super) fn time(&self, name: &str, missing: TimeQuality) -> Result<Ts, LoadError> {
        let raw = match self.get(name) {
            None => return Ok(Ts::of(missing)),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(Ts::of(missing)),
            Some(Value::String(s)) => s.trim(),
            Some(v) => {
                return Err(self.err(
                    name,
                    format!("expected a timestamp string, found {}", json_type(v)),
                ))
            }
        };
        if NEVER.contains(&raw.to_ascii_lowercase().as_str()) {
            return Ok(Ts::with(None, TimeQuality::Never, Some(raw.into())));
        }
        iso(raw).map_err(|m| self.err(name, m))
    }
    /// A list of strings; GAM may also write one cell separated by spaces, commas or `;`.
    pub(super) fn strings(&self, name: &str) -> Result<Vec<String>, LoadError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter_map(non_empty)
                .collect()),
            Some(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_string()),
                    other => Err(self.err(
                        name,
                        format!("expected strings in the list, found {}", json_type(other)),
                    )),
                })
                .filter(|s| !matches!(s, Ok(s) if s.is_empty()))
                .collect(),
            Some(v) => Err(self.err(name, format!("expected a list, found {}", json_type(v)))),
        }
    }
    pub(super) fn objects(&self, name: &str) -> Result<Vec<&'a Map<String, Value>>, LoadError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| {
                    v.as_object().ok_or_else(|| {
                        self.err(
                            name,
                            format!("expected objects in the list, found {}", json_type(v)),
                        )
                    })
                })
                .collect(),
            Some(Value::Object(o)) => Ok(vec![o]),
            Some(v) => Err(self.err(name, format!("expected a list, found {}", json_type(v)))),
        }
    }
}
