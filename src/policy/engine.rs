//! The sandboxed regorus engine: built once per policy set and `as_of` on each worker thread
//! (regorus is compiled without `arc`, so its values and engines stay on the thread that made them).
//!
//! regorus is compiled without `http`, `opa-runtime`, `uuid`, `net` or the RVM (see Cargo.toml); what
//! remains non-deterministic is shadowed here: `time.now_ns` answers the run's `as_of`, and
//! `rand.intn` fails. Evaluation has a cooperative time limit per call.

use super::{PolicyError, PolicySet};
use chrono::{DateTime, Utc};
use regorus::{Engine, Value};
use std::num::NonZeroU32;
use std::time::Duration;

/// Wall-clock limit for one evaluation of one rule over one chunk (cooperative).
pub const EVAL_TIME_LIMIT: Duration = Duration::from_secs(10);

/// A compiled, sandboxed engine holding every non-test policy file of the set.
#[derive(Clone)]
pub struct PolicyEngine {
    engine: Engine,
}

/// Turn a regorus error into text without its leading noise.
pub fn error_text(e: &anyhow::Error) -> String {
    format!("{e:#}").trim().to_string()
}

/// `file:line` from a regorus message (`--> file.rego:5:1`), when it carries one.
pub fn error_location(message: &str) -> Option<(String, usize)> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let loc = rest.split_whitespace().next()?;
    let mut parts = loc.rsplitn(3, ':');
    let _col = parts.next()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, line))
}

/// The package that evaluates every rule of one scope in a single call:
/// `{rule id: [findings, not_evaluable]}`. `identity` holds every identity rule, `tenant` every
/// tenant rule, and `group_<n>` the identity rules of one applicability group (see
/// `custom.applies_to`). A rule error fails the whole call, and the caller then falls back to
/// one call per rule to attribute it.
pub const BATCH_PACKAGE: &str = "data.driftgate_internal.batch";

fn batch_rule(name: &str, rules: &[&super::metadata::RuleMeta]) -> String {
    let mut text = format!("\n{name} := {{\n");
    for rule in rules {
        let ne = if rule.has_not_evaluable {
            format!("{}.not_evaluable", rule.package)
        } else {
            "set()".into()
        };
        text.push_str(&format!(
            "\t{:?}: [{}.findings, {ne}],\n",
            rule.id, rule.package
        ));
    }
    text.push_str("}\n");
    text
}

fn batch_module(set: &PolicySet, groups: &[Vec<String>]) -> String {
    use super::metadata::Scope;
    let mut text = String::from("package driftgate_internal.batch\n\nimport rego.v1\n");
    for (scope, name) in [(Scope::Identity, "identity"), (Scope::Tenant, "tenant")] {
        let rules: Vec<_> = set.rules.values().filter(|r| r.scope == scope).collect();
        text.push_str(&batch_rule(name, &rules));
    }
    for (n, ids) in groups.iter().enumerate() {
        let rules: Vec<_> = ids.iter().filter_map(|id| set.rules.get(id)).collect();
        text.push_str(&batch_rule(&format!("group_{n}"), &rules));
    }
    text
}

/// A new engine with the sandbox settings and no policies.
pub fn sandboxed_engine(as_of: DateTime<Utc>) -> Engine {
    let mut engine = Engine::new();
    engine.set_gather_prints(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: EVAL_TIME_LIMIT,
        check_interval: NonZeroU32::new(256).expect("non-zero"),
    });
    let now_ns = as_of.timestamp_nanos_opt().unwrap_or(0);
    engine
        .add_extension(
            "time.now_ns".into(),
            0,
            Box::new(move |_: Vec<Value>| Ok(Value::from(now_ns))),
        )
        .expect("fresh engine accepts the extension");
    engine
        .add_extension(
            "rand.intn".into(),
            2,
            Box::new(|_: Vec<Value>| {
                anyhow::bail!("rand.intn is disabled in driftgate: policies must be deterministic")
            }),
        )
        .expect("fresh engine accepts the extension");
    engine
}

impl PolicyEngine {
    /// Parse every non-test file and compile once (a warm-up evaluation prepares the schedule).
    pub fn build(set: &PolicySet, as_of: DateTime<Utc>) -> Result<PolicyEngine, Vec<PolicyError>> {
        Self::build_with_groups(set, as_of, &[])
    }

    /// As [`PolicyEngine::build`], with one batch rule `group_<n>` per list of identity-rule ids.
    pub fn build_with_groups(
        set: &PolicySet,
        as_of: DateTime<Utc>,
        groups: &[Vec<String>],
    ) -> Result<PolicyEngine, Vec<PolicyError>> {
        let mut engine = sandboxed_engine(as_of);
        let mut errors = Vec::new();
        for f in set.files.iter().filter(|f| !f.is_test()) {
            if let Err(e) = engine.add_policy(f.path.clone(), f.text.clone()) {
                let message = error_text(&e);
                let (file, line) = error_location(&message)
                    .map(|(f, l)| (Some(f), Some(l)))
                    .unwrap_or((Some(f.path.clone()), None));
                errors.push(PolicyError {
                    rule: None,
                    tenant: None,
                    file,
                    line,
                    message,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !set.rules.is_empty() {
            engine
                .add_policy("driftgate:batch.rego".into(), batch_module(set, groups))
                .map_err(|e| {
                    vec![PolicyError {
                        rule: None,
                        tenant: None,
                        file: None,
                        line: None,
                        message: format!("internal batch module: {}", error_text(&e)),
                    }]
                })?;
        }
        engine.set_input(Value::new_object());
        for rule in set.rules.values() {
            // Compile-time problems (unsafe variables, conflicts) surface on first evaluation.
            if let Err(e) = engine.eval_rule(format!("{}.findings", rule.package)) {
                let message = error_text(&e);
                if message.contains("not a valid rule path") {
                    errors.push(PolicyError {
                        rule: Some(rule.id.clone()),
                        tenant: None,
                        file: Some(rule.file.clone()),
                        line: Some(rule.line),
                        message: format!(
                            "package {} defines no `findings` rule",
                            rule.package.trim_start_matches("data.")
                        ),
                    });
                } else if message.contains("unsafe")
                    || message.contains("conflict")
                    || message.contains("undefined variable")
                {
                    let (file, line) = error_location(&message)
                        .map(|(f, l)| (Some(f), Some(l)))
                        .unwrap_or((Some(rule.file.clone()), None));
                    errors.push(PolicyError {
                        rule: Some(rule.id.clone()),
                        tenant: None,
                        file,
                        line,
                        message,
                    });
                }
            }
        }
        let _ = engine.take_prints();
        if errors.is_empty() {
            Ok(PolicyEngine { engine })
        } else {
            Err(errors)
        }
    }

    /// Evaluate `rule_path` (e.g. `data.driftgate.rules.stale_001.findings`) on `input`.
    /// Undefined comes back as an empty list.
    pub fn eval(
        &mut self,
        input: &Value,
        rule_path: &str,
    ) -> Result<Vec<serde_json::Value>, String> {
        self.engine.set_input(input.clone());
        let out = self
            .engine
            .eval_rule(rule_path.to_string())
            .map_err(|e| error_text(&e));
        let _ = self.engine.take_prints();
        match out? {
            Value::Undefined => Ok(Vec::new()),
            v @ (Value::Set(_) | Value::Array(_)) => match serde_json::to_value(&v) {
                Ok(serde_json::Value::Array(items)) => Ok(items),
                _ => Err(format!("{rule_path} did not produce a list")),
            },
            other => Err(format!(
                "{rule_path} must be a set of objects, found {}",
                kind_of(&other)
            )),
        }
    }

    /// Evaluate a batch rule (`identity`, `tenant` or `group_<n>`) in one call.
    pub fn eval_batch(&mut self, input: &Value, scope: &str) -> Result<serde_json::Value, String> {
        self.engine.set_input(input.clone());
        let out = self
            .engine
            .eval_rule(format!("{BATCH_PACKAGE}.{scope}"))
            .map_err(|e| error_text(&e));
        let _ = self.engine.take_prints();
        serde_json::to_value(&out?).map_err(|e| e.to_string())
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Object(_) => "an object",
        Value::Null => "null",
        _ => "another value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> DateTime<Utc> {
        crate::estate::parse_as_of("2026-11-20T06:00:00Z").unwrap()
    }

    #[test]
    fn now_is_as_of_and_outbound_builtins_are_gone() {
        let mut e = sandboxed_engine(as_of());
        e.add_policy(
            "t.rego".into(),
            "package t\nimport rego.v1\nnow := time.now_ns()\nhttp := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"})\nrt := opa.runtime()\nenv := opa.runtime().env\nr := rand.intn(\"x\", 10)\n".into(),
        )
        .unwrap();
        e.set_input(Value::new_object());
        let now = e.eval_rule("data.t.now".into()).unwrap();
        assert_eq!(
            now.as_i64().unwrap(),
            as_of().timestamp_nanos_opt().unwrap()
        );
        for rule in ["http", "rt", "env", "r"] {
            assert!(
                e.eval_rule(format!("data.t.{rule}")).is_err(),
                "{rule} must not evaluate"
            );
        }
    }

    #[test]
    fn locations_are_read_from_regorus_messages() {
        assert_eq!(
            error_location("error\n --> builtin:policies/x.rego:12:5\n  |"),
            Some(("builtin:policies/x.rego".into(), 12))
        );
        assert_eq!(error_location("no location"), None);
    }
}
