//! A Google Workspace CSV: GAM `print users` output (dotted API names such as `name.fullName`,
//! `aliases.0`) is unflattened into Admin SDK objects and read as such; anything else is the
//! admin console's *Download users* CSV, read by `console`.

use super::api::api_users;
use super::console::console_users;
use super::record::Rec;
use crate::load::text::{CsvTable, Decoded};
use crate::load::SourceCtx;
use crate::model::*;
use serde_json::{Map, Value};

pub(super) fn csv_users(
    ctx: &mut SourceCtx,
    shown: &str,
    decoded: Decoded,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let table = match CsvTable::parse(decoded, shown) {
        Ok(t) => t,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    ctx.files_read.push(shown.to_string());
    ctx.warnings
        .extend(table.warnings.iter().map(|w| format!("{shown}: {w}")));
    if table.column(&["primaryEmail"]).is_some() {
        let objects: Vec<Map<String, Value>> = table
            .rows
            .iter()
            .map(|(_, cells)| unflatten(&table.headers, cells))
            .collect();
        let recs: Vec<Rec> = objects
            .iter()
            .zip(&table.rows)
            .enumerate()
            .map(|(i, (obj, (line, _)))| Rec {
                obj,
                file: shown,
                record: i as u64 + 1,
                line: Some(*line),
            })
            .collect();
        return api_users(ctx, &recs);
    }
    console_users(ctx, shown, &table)
}

/// A GAM row (`name.fullName`, `aliases.0`, `externalIds.0.value`) as the API object it came from.
fn unflatten(headers: &[String], cells: &[String]) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    for (h, cell) in headers.iter().zip(cells) {
        let value = cell.trim();
        if !value.is_empty() {
            let path: Vec<&str> = h.trim().split('.').collect();
            insert(&mut root, &path, value);
        }
    }
    match arrays(root) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn insert(node: &mut Value, path: &[&str], value: &str) {
    let (Value::Object(map), Some((head, rest))) = (node, path.split_first()) else {
        return;
    };
    if rest.is_empty() {
        // A list's count column (`aliases`) never overwrites the list (`aliases.0`).
        if !map.get(*head).is_some_and(Value::is_object) {
            map.insert(head.to_string(), Value::String(value.into()));
        }
        return;
    }
    let child = map
        .entry(head.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    insert(child, rest, value);
}

fn arrays(v: Value) -> Value {
    let Value::Object(m) = v else {
        return v;
    };
    let m: Map<String, Value> = m.into_iter().map(|(k, v)| (k, arrays(v))).collect();
    if m.is_empty() || !m.keys().all(|k| k.parse::<usize>().is_ok()) {
        return Value::Object(m);
    }
    let mut items: Vec<(usize, Value)> = m
        .into_iter()
        .map(|(k, v)| (k.parse().unwrap_or(usize::MAX), v))
        .collect();
    items.sort_by_key(|(i, _)| *i);
    Value::Array(items.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gam_rows_unflatten_into_api_objects() {
        let headers: Vec<String> = [
            "primaryEmail",
            "name.fullName",
            "aliases",
            "aliases.0",
            "aliases.1",
            "externalIds.0.type",
            "externalIds.0.value",
        ]
        .map(String::from)
        .to_vec();
        let cells: Vec<String> = [
            "a@x.com",
            "A X",
            "2",
            "b@x.com",
            "c@x.com",
            "organization",
            "E1",
        ]
        .map(String::from)
        .to_vec();
        let v = Value::Object(unflatten(&headers, &cells));
        assert_eq!(
            v,
            serde_json::json!({"primaryEmail":"a@x.com","name":{"fullName":"A X"},"aliases":["b@x.com","c@x.com"],"externalIds":[{"type":"organization","value":"E1"}]})
        );
    }
}
