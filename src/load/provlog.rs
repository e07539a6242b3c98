//! What every provisioning-log loader shares (`entra-audit`, `okta-log`, and a `csv` source whose
//! `[source.columns]` maps `event_time`): the files of a log, its records in every container
//! shape, the window it covers, and the CSV event log of any other provisioning tool.
//!
//! A log yields no identities: its events go to `SourceCtx::log`. Loaders record what each event
//! did, to whom and by whom; matching events to accounts is `provision.rs`. Every record widens the
//! covered window, whatever its activity or result, because the log saw that moment; only
//! successful creations and grants become events.

use super::csvmap::DateReader;
use super::text::{json_type, read_text, unflattened_type_name, CsvTable};
use super::{non_empty, parse_bool, LoadError, SourceCtx};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Collects a log's events and the earliest and latest record it holds.
pub struct LogBuilder {
    system: Option<&'static str>,
    events: Vec<LogEvent>,
    start: Option<Ts>,
    end: Option<Ts>,
}

impl LogBuilder {
    /// `system` names whose accounts the log records (`entra`, `okta`); None for any.
    pub fn new(system: Option<&'static str>) -> LogBuilder {
        LogBuilder {
            system,
            events: Vec::new(),
            start: None,
            end: None,
        }
    }

    /// A record at `at`, of any activity or result: the log covered that moment.
    pub fn saw(&mut self, at: &Ts) {
        let Some(t) = at.at else { return };
        if self.start.as_ref().and_then(|s| s.at).is_none_or(|s| t < s) {
            self.start = Some(at.clone());
        }
        if self.end.as_ref().and_then(|e| e.at).is_none_or(|e| t > e) {
            self.end = Some(at.clone());
        }
    }

    /// A successful creation or grant, with the raw keys of its targets and grants.
    pub fn push(&mut self, event: ProvEvent, targets: Vec<String>, grants: Vec<String>) {
        self.events.push(LogEvent {
            event,
            targets: keys(targets),
            grants: keys(grants),
            system: self.system.map(str::to_string),
        });
    }

    /// Hand the log to the context.
    pub fn finish(self, ctx: &mut SourceCtx) {
        if self.events.is_empty() && self.start.is_some() {
            ctx.warnings.push(
                "the log holds no successful account creation or access grant: every downstream account it covers will be reported as created outside the workflow".into(),
            );
        }
        ctx.log = Some(ProvLog {
            source: ctx.source.name.clone(),
            events: self.events,
            window: match (self.start, self.end) {
                (Some(start), Some(end)) => Some(ProvWindow { start, end }),
                _ => None,
            },
        });
    }
}

/// Lower-cased, trimmed, deduplicated, in first-seen order.
fn keys(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for k in raw {
        let k = k.trim().to_lowercase();
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The JSON files of a log source: the file itself, or every `*.json` in the folder (sorted:
/// daily or paged exports side by side). Read errors go to the context.
pub fn json_files(ctx: &mut SourceCtx) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    if ctx.path.is_dir() {
        match std::fs::read_dir(&ctx.path) {
            Ok(entries) => paths.extend(entries.flatten().map(|e| e.path()).filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            })),
            Err(e) => {
                let shown = ctx.shown(&ctx.path.clone());
                ctx.errors.push(LoadError::file(
                    &shown,
                    format!("cannot read the folder: {e}"),
                ));
            }
        }
        paths.sort();
        if paths.is_empty() {
            let shown = ctx.shown(&ctx.path.clone());
            ctx.errors.push(LoadError::file(
                &shown,
                "the log folder holds no .json file".into(),
            ));
        }
    } else {
        paths.push(ctx.path.clone());
    }
    let mut out = Vec::new();
    for path in paths {
        let shown = ctx.shown(&path);
        match read_text(&path, &shown) {
            Ok(d) => {
                ctx.files_read.push(shown.clone());
                ctx.warnings
                    .extend(d.warnings.iter().map(|w| format!("{shown}: {w}")));
                out.push((shown, d.text));
            }
            Err(e) => ctx.errors.push(e),
        }
    }
    out
}

/// The records of a log file: a bare array, a Graph page `{"value": [...]}`, an array of pages,
/// concatenated pages, or NDJSON with one event object per line (SIEM exports).
pub fn records(text: &str, shown: &str) -> Result<Vec<Map<String, Value>>, LoadError> {
    let mut out = Vec::new();
    let not_object = |v: &Value, n: usize| LoadError {
        file: shown.into(),
        line: None,
        record: Some(n as u64 + 1),
        field: None,
        message: format!("expected an event object, found {}", json_type(v)),
    };
    for item in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let value = item.map_err(|e| {
            LoadError::at_line(shown, e.line() as u64, None, format!("malformed JSON: {e}"))
        })?;
        let items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            match item {
                Value::Object(mut obj) => match obj.get_mut("value").map(Value::take) {
                    Some(Value::Array(page)) => {
                        for v in page {
                            match v {
                                Value::Object(o) => out.push(o),
                                other => return Err(not_object(&other, out.len())),
                            }
                        }
                    }
                    Some(other) => {
                        return Err(LoadError::file(
                            shown,
                            format!("`value` is {}, expected an array", json_type(&other)),
                        ))
                    }
                    None => out.push(obj),
                },
                other => return Err(not_object(&other, out.len())),
            }
        }
    }
    Ok(out)
}

/// Typed, located field access on one log record (keys matched without regard to case, so Graph
/// PowerShell's PascalCase reads like raw Graph).
pub struct Rec<'a> {
    pub obj: &'a Map<String, Value>,
    pub file: &'a str,
    pub index: u64,
    /// Path of `obj` inside the record (`initiatedBy.user.`), for error messages.
    pub prefix: String,
}

impl<'a> Rec<'a> {
    pub fn new(obj: &'a Map<String, Value>, file: &'a str, index: u64) -> Rec<'a> {
        Rec {
            obj,
            file,
            index,
            prefix: String::new(),
        }
    }
    /// An error at field `name`, spelled as the file spells it.
    pub fn err(&self, name: &str, message: String) -> LoadError {
        let name = self.spelled(name);
        LoadError::at_record(
            self.file,
            self.index,
            Some(&format!("{}{name}", self.prefix)),
            message,
        )
    }
    fn spelled<'n>(&self, name: &'n str) -> &'n str
    where
        'a: 'n,
    {
        self.obj
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map_or(name, String::as_str)
    }
    fn get(&self, name: &str) -> Option<&'a Value> {
        super::text::field(self.obj, name).filter(|v| !v.is_null())
    }
    /// Text, or None when missing, null or blank. Numbers are read as text (ids).
    pub fn str(&self, name: &str) -> Result<Option<String>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.err(name, format!("expected a string, found {}", json_type(v)))),
        }
    }
    /// A nested object, or None when missing or null.
    pub fn object(&self, name: &str) -> Result<Option<Rec<'a>>, LoadError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(Rec {
                obj: o,
                file: self.file,
                index: self.index,
                prefix: format!("{}{}.", self.prefix, self.spelled(name)),
            })),
            Some(v) if truncated(v) => Err(self.err(name, TRUNCATED.into())),
            Some(v) => Err(self.err(name, format!("expected an object, found {}", json_type(v)))),
        }
    }
    /// The objects of a nested array (empty when missing or null).
    pub fn objects(&self, name: &str) -> Result<Vec<Rec<'a>>, LoadError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(n, v)| match v {
                    Value::Object(o) => Ok(Rec {
                        obj: o,
                        file: self.file,
                        index: self.index,
                        prefix: format!("{}{}[{n}].", self.prefix, self.spelled(name)),
                    }),
                    other => Err(self.err(
                        &format!("{name}[{n}]"),
                        format!("expected an object, found {}", json_type(other)),
                    )),
                })
                .collect(),
            Some(v) if truncated(v) => Err(self.err(name, TRUNCATED.into())),
            Some(v) => Err(self.err(name, format!("expected an array, found {}", json_type(v)))),
        }
    }
    /// A required timestamp read by `parse`; a value without an instant is an error.
    pub fn time(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<Ts, String>,
    ) -> Result<Ts, LoadError> {
        let raw = self
            .str(name)?
            .ok_or_else(|| self.err(name, "missing: every log record has its time".into()))?;
        let t = parse(&raw).map_err(|m| self.err(name, m))?;
        if t.at.is_none() {
            return Err(self.err(name, format!("`{raw}` is not a point in time")));
        }
        Ok(t)
    }
}

/// A nested object (`initiatedBy`, `actor`) or array (`targetResources`) that PowerShell's
/// `ConvertTo-Json` (default `-Depth 2`) flattened into its .NET type name.
pub fn truncated(v: &Value) -> bool {
    v.as_str().is_some_and(unflattened_type_name)
}

/// The message for [`truncated`] values.
pub const TRUNCATED: &str = "holds a .NET type name instead of data (ConvertTo-Json's default -Depth 2 cut it off): re-export with ConvertTo-Json -Depth 10";

// ---------- the `csv` event log of any other provisioning tool ----------

/// The fields a `csv` event log's `[source.columns]` may map; `event_time` makes the file a log.
pub const CSV_FIELDS: &[(&str, &str)] = &[
    ("event_time", "when the event happened (required)"),
    (
        "target",
        "the account's sign-in name or e-mail, `;`-separated",
    ),
    ("target_id", "the account's id in its system"),
    ("activity", "what the tool did, as it writes it"),
    (
        "role",
        "role or group granted, `;`-separated: a grant event",
    ),
    ("actor", "who or what performed it"),
    (
        "actor_type",
        "user/admin/person (by hand) or app/service/connector/system/workflow (automated)",
    ),
    ("automated", "true/false: overrides actor_type"),
    (
        "result",
        "success/ok/succeeded/completed keep the row; anything else is a failed attempt",
    ),
    ("event_id", "the tool's id for the event"),
];

const SUCCESS: &[&str] = &[
    "success",
    "succeeded",
    "successful",
    "ok",
    "completed",
    "complete",
    "done",
    "true",
    "1",
];

/// Read a `csv` source whose mapping has `event_time`: one provisioning event per row. Rows with a
/// `role` are grants of it, others create the target account. Events may concern any system.
pub fn load_csv(
    ctx: &mut SourceCtx,
    mapping: &BTreeMap<String, String>,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let caps = Capabilities::default();
    let path = ctx.path.clone();
    let shown = ctx.shown(&path);
    let err = |field: String, message: String| LoadError {
        file: shown.clone(),
        line: None,
        record: None,
        field: Some(field),
        message,
    };
    let names = || {
        CSV_FIELDS
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for field in mapping.keys() {
        if !CSV_FIELDS.iter().any(|(f, _)| f == field) {
            ctx.errors.push(err(
                format!("columns.{field}"),
                format!("`{field}` is not a field of a provisioning event log (a mapping with `event_time`): use one of {}", names()),
            ));
        }
    }
    if !mapping.contains_key("target") && !mapping.contains_key("target_id") {
        ctx.errors.push(err(
            "columns".into(),
            "an event log must name the account each event acted on: map `target` or `target_id`"
                .into(),
        ));
    }
    let dates = DateReader::new(
        ctx.source.date_format.as_deref(),
        ctx.source.locale.as_deref(),
    )
    .map_err(|(key, m)| err(key.into(), m));
    let dates = match dates {
        Ok(d) => d,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), caps, None);
        }
    };
    if !ctx.errors.is_empty() {
        return (Vec::new(), caps, None);
    }
    let table = match read_text(&path, &shown).and_then(|d| CsvTable::parse(d, &shown)) {
        Ok(t) => t,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), caps, None);
        }
    };
    ctx.files_read.push(shown.clone());
    ctx.warnings
        .extend(table.warnings.iter().map(|w| format!("{shown}: {w}")));
    let mut cols: BTreeMap<&str, usize> = BTreeMap::new();
    for (field, column) in mapping {
        match table.column(&[column.as_str()]) {
            Some(i) => {
                cols.insert(field.as_str(), i);
            }
            None => ctx.errors.push(LoadError::at_line(
                &shown,
                1,
                Some(field),
                format!(
                    "field `{field}` maps to column `{column}`, which is not in the file (columns present: {})",
                    table.headers.join(", ")
                ),
            )),
        }
    }
    if !ctx.errors.is_empty() {
        return (Vec::new(), caps, None);
    }
    let mut log = LogBuilder::new(None);
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        let record = index as u64 + 1;
        let cell = |f: &str| cols.get(f).and_then(|&i| non_empty(&cells[i]));
        let list = |f: &str| -> Vec<String> {
            cell(f)
                .map(|v| v.split(';').filter_map(non_empty).collect())
                .unwrap_or_default()
        };
        let row_err = |f: &str, m: String| {
            let column = mapping.get(f).map(String::as_str).unwrap_or(f);
            LoadError {
                file: shown.clone(),
                line: Some(*line),
                record: Some(record),
                field: Some(f.into()),
                message: format!("column `{column}`: {m}"),
            }
        };
        let at = match cell("event_time").map(|raw| dates.parse(&raw)) {
            Some(Ok(t)) if t.at.is_some() => t,
            Some(Ok(_)) => {
                ctx.errors.push(row_err(
                    "event_time",
                    "ambiguous date: set `locale` or `date_format` on the source".into(),
                ));
                continue;
            }
            Some(Err(m)) => {
                ctx.errors.push(row_err("event_time", m));
                continue;
            }
            None => {
                ctx.errors.push(row_err(
                    "event_time",
                    "empty: every event needs its time".into(),
                ));
                continue;
            }
        };
        log.saw(&at);
        if cell("result").is_some_and(|r| !SUCCESS.contains(&r.to_ascii_lowercase().as_str())) {
            continue;
        }
        let actor_type = cell("actor_type")
            .map(|t| actor_word(&t))
            .unwrap_or(ActorType::Unknown);
        let automated = match cell("automated") {
            Some(v) => match parse_bool(&v) {
                Some(b) => Some(b),
                None => {
                    ctx.errors.push(row_err(
                        "automated",
                        format!("`{v}` is not a boolean: expected true/false, yes/no or 1/0"),
                    ));
                    continue;
                }
            },
            None => automated_by(actor_type),
        };
        let grants = list("role");
        let mut targets = list("target");
        targets.extend(cell("target_id"));
        let event = ProvEvent {
            id: cell("event_id").unwrap_or_else(|| format!("line {line}")),
            activity: cell("activity").unwrap_or_else(|| {
                if grants.is_empty() {
                    "create account"
                } else {
                    "grant role"
                }
                .into()
            }),
            action: if grants.is_empty() {
                ProvAction::AccountCreated
            } else {
                ProvAction::RoleGranted
            },
            actor: cell("actor"),
            actor_type,
            automated,
            at,
            prov: ctx.provenance(&shown, record, Some(*line)),
        };
        log.push(event, targets, grants);
    }
    log.finish(ctx);
    (Vec::new(), caps, None)
}

/// A tool's word for who acted.
fn actor_word(raw: &str) -> ActorType {
    match raw
        .trim()
        .to_ascii_lowercase()
        .replace(['_', '-'], " ")
        .as_str()
    {
        "user" | "person" | "human" | "admin" | "administrator" | "technician" | "manual" => {
            ActorType::User
        }
        "app" | "application" | "service" | "service principal" | "serviceprincipal"
        | "connector" | "api" | "integration" | "scim" => ActorType::App,
        "system" | "automation" | "automated" | "workflow" | "scheduler" | "job" | "rule" => {
            ActorType::System
        }
        _ => ActorType::Unknown,
    }
}

/// Applications, connectors and the platform are the workflow; a person is by hand.
pub fn automated_by(actor: ActorType) -> Option<bool> {
    match actor {
        ActorType::User => Some(false),
        ActorType::App | ActorType::System => Some(true),
        ActorType::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_every_log_shape() {
        let shapes = [
            r#"[{"id":"1"},{"id":"2"}]"#,
            r#"{"@odata.context":"x","value":[{"id":"1"},{"id":"2"}]}"#,
            r#"[{"value":[{"id":"1"}]},{"value":[{"id":"2"}]}]"#,
            "{\"value\":[{\"id\":\"1\"}]}\n{\"value\":[{\"id\":\"2\"}]}\n",
            "{\"id\":\"1\"}\n{\"id\":\"2\"}\n",
        ];
        for s in shapes {
            assert_eq!(records(s, "f.json").unwrap().len(), 2, "{s}");
        }
        assert_eq!(records("[1]", "f.json").unwrap_err().record, Some(1));
        assert_eq!(
            records("[\n{\"id\":\n", "f.json").unwrap_err().line,
            Some(3)
        );
    }

    #[test]
    fn window_spans_the_earliest_and_latest_record() {
        let mut b = LogBuilder::new(None);
        let t = |s: &str| super::super::time::iso(s).unwrap();
        b.saw(&t("2026-10-02T00:00:00Z"));
        b.saw(&t("2026-09-01T00:00:00Z"));
        b.saw(&Ts::of(TimeQuality::Absent));
        b.saw(&t("2026-11-19T00:00:00Z"));
        assert_eq!(b.start.unwrap().at, t("2026-09-01T00:00:00Z").at);
        assert_eq!(b.end.unwrap().at, t("2026-11-19T00:00:00Z").at);
    }

    #[test]
    fn actor_words() {
        assert_eq!(automated_by(actor_word("Admin")), Some(false));
        assert_eq!(automated_by(actor_word("service_principal")), Some(true));
        assert_eq!(automated_by(actor_word("Workflow")), Some(true));
        assert_eq!(automated_by(actor_word("bob")), None);
    }
}
