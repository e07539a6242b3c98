//! `[[entitlement]]`: the MSP's group → role mapping, checked into typed config.
//!
//! Each entry says that membership of a group in a tenant's source of truth grants some roles in
//! one downstream system (a `[[source]]` name or a source kind). DRIFT-003 reports a downstream
//! privileged role no entry grants. Entries in estate.toml apply to every tenant; a tenant.toml's
//! add to them. This module validates the config only; it reads no export and judges nothing.

use crate::estate::{ConfigError, Estate, SOURCE_KINDS};
use serde::Serialize;
use std::collections::BTreeSet;

/// One group → roles mapping, normalised for comparison (group and roles lower-cased).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entitlement {
    /// A group of the source of truth, by id or name (lower-cased).
    pub group: String,
    /// The downstream `[[source]]` name or source kind the roles are granted in.
    pub source: String,
    /// Role names or ids that membership grants there (lower-cased, never empty).
    pub roles: Vec<String>,
    /// Where it was declared: `estate.toml entitlement[0]`, for evidence.
    pub declared: String,
}

const KEYS: &[&str] = &["group", "source", "roles"];

/// Validate the `[[entitlement]]` tables of one file: `shown` names it in errors, `declared` in
/// each entry (relative to the estate root, so evidence does not depend on the working folder).
pub fn parse(
    tables: &[toml::Table],
    shown: &str,
    declared: &str,
) -> Result<Vec<Entitlement>, ConfigError> {
    tables
        .iter()
        .enumerate()
        .map(|(n, table)| parse_one(n, table, shown, declared))
        .collect()
}

fn parse_one(
    n: usize,
    table: &toml::Table,
    shown: &str,
    declared: &str,
) -> Result<Entitlement, ConfigError> {
    let err = |key: &str, message: String| ConfigError {
        file: shown.into(),
        line: None,
        key: Some(if key.is_empty() {
            format!("entitlement[{n}]")
        } else {
            format!("entitlement[{n}].{key}")
        }),
        message,
    };
    if let Some(unknown) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            unknown,
            format!(
                "unknown field `{unknown}`, expected one of {}",
                KEYS.join(", ")
            ),
        ));
    }
    let text = |key: &str| -> Result<String, ConfigError> {
        match table.get(key) {
            None => Err(err(key, format!("`{key}` is missing"))),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(toml::Value::String(_)) => Err(err(key, format!("`{key}` is empty"))),
            Some(other) => Err(err(
                key,
                format!("`{key}` must be a string, found {}", other.type_str()),
            )),
        }
    };
    let group = text("group")?.to_lowercase();
    let source = text("source")?;
    let roles = match table.get("roles") {
        None => return Err(err("roles", "`roles` is missing".into())),
        Some(toml::Value::Array(items)) => {
            let mut roles = Vec::with_capacity(items.len());
            for (r, item) in items.iter().enumerate() {
                match item {
                    toml::Value::String(s) if !s.trim().is_empty() => {
                        roles.push(s.trim().to_lowercase())
                    }
                    toml::Value::String(_) => {
                        return Err(err("roles", format!("role {r} is empty")))
                    }
                    other => {
                        return Err(err(
                            "roles",
                            format!("role {r} must be a string, found {}", other.type_str()),
                        ))
                    }
                }
            }
            roles
        }
        Some(other) => {
            return Err(err(
                "roles",
                format!(
                    "`roles` must be a list of role names or ids, found {}",
                    other.type_str()
                ),
            ))
        }
    };
    if roles.is_empty() {
        return Err(err(
            "roles",
            "`roles` is empty: an entitlement must grant at least one role".into(),
        ));
    }
    Ok(Entitlement {
        group,
        source,
        roles,
        declared: format!("{declared} entitlement[{n}]"),
    })
}

/// Check that every entitlement names a source that exists: a source kind, an estate-level
/// source, or (for a tenant's own) one of its sources; estate entitlements may name any tenant's.
/// A tenant whose entitlements name none is moved to `tenant_errors`; an estate entitlement
/// naming none is an error of estate.toml.
pub fn check_sources(estate: &mut Estate) -> Result<(), ConfigError> {
    let mut known: BTreeSet<&str> = SOURCE_KINDS.iter().copied().collect();
    known.extend(estate.msp_sources.iter().map(|s| s.name.as_str()));
    let tenant_names: BTreeSet<&str> = estate
        .tenants
        .iter()
        .flat_map(|t| t.sources.iter().map(|s| s.name.as_str()))
        .collect();
    for (n, e) in estate.entitlements.iter().enumerate() {
        if !known.contains(e.source.as_str()) && !tenant_names.contains(e.source.as_str()) {
            return Err(ConfigError {
                file: estate.root.join("estate.toml").display().to_string(),
                line: None,
                key: Some(format!("entitlement[{n}].source")),
                message: format!(
                    "`{}` is neither a source kind nor the name of any [[source]] in the estate",
                    e.source
                ),
            });
        }
    }
    let mut bad = Vec::new();
    for t in &estate.tenants {
        let own: BTreeSet<&str> = t.sources.iter().map(|s| s.name.as_str()).collect();
        if let Some((n, e)) =
            t.entitlements.iter().enumerate().find(|(_, e)| {
                !known.contains(e.source.as_str()) && !own.contains(e.source.as_str())
            })
        {
            bad.push((
                t.config_file.clone(),
                t.id.clone(),
                ConfigError {
                    file: t.config_file.clone(),
                    line: None,
                    key: Some(format!("entitlement[{n}].source")),
                    message: format!(
                        "`{}` is neither a source kind nor the name of a [[source]] of this tenant or of estate.toml",
                        e.source
                    ),
                },
            ));
        }
    }
    if !bad.is_empty() {
        for (file, id, e) in bad {
            estate.tenants.retain(|t| t.config_file != file);
            estate.tenant_errors.push((id, e));
        }
        estate
            .tenant_errors
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.file.cmp(&b.1.file)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(text: &str) -> Vec<toml::Table> {
        #[derive(serde::Deserialize)]
        struct Doc {
            entitlement: Vec<toml::Table>,
        }
        toml::from_str::<Doc>(text).unwrap().entitlement
    }

    fn key_of(text: &str) -> (Option<String>, String) {
        let e = parse(&tables(text), "tenant.toml", "tenant.toml").unwrap_err();
        assert_eq!(e.file, "tenant.toml");
        (e.key, e.message)
    }

    #[test]
    fn entries_are_normalised_for_comparison() {
        let list = parse(
            &tables(
                "[[entitlement]]\ngroup = \" Cloud Admins \"\nsource = \"aws\"\nroles = [\"AdministratorAccess\", \"ReadOnly\"]\n",
            ),
            "/x/estate.toml",
            "estate.toml",
        )
        .unwrap();
        assert_eq!(
            list,
            [Entitlement {
                group: "cloud admins".into(),
                source: "aws".into(),
                roles: vec!["administratoraccess".into(), "readonly".into()],
                declared: "estate.toml entitlement[0]".into(),
            }]
        );
    }

    #[test]
    fn bad_entries_name_file_and_key() {
        let ok = "[[entitlement]]\ngroup = \"g\"\nsource = \"aws\"\nroles = [\"r\"]\n";
        let (key, message) = key_of(&format!(
            "{ok}{ok}[[entitlement]]\ngroup = \"g\"\nsource = \"aws\"\nroles = []\n"
        ));
        assert_eq!(key.as_deref(), Some("entitlement[2].roles"));
        assert!(message.contains("empty"), "{message}");
        let (key, message) = key_of(&format!(
            "{ok}[[entitlement]]\ngroup = \"g\"\nsource = \"aws\"\nroles = [\"r\"]\nrole = \"x\"\n"
        ));
        assert_eq!(key.as_deref(), Some("entitlement[1].role"));
        assert!(message.contains("unknown field `role`"), "{message}");
        let (key, _) = key_of("[[entitlement]]\ngroup = 3\nsource = \"aws\"\nroles = [\"r\"]\n");
        assert_eq!(key.as_deref(), Some("entitlement[0].group"));
        let (key, message) =
            key_of("[[entitlement]]\ngroup = \"g\"\nsource = \"aws\"\nroles = \"r\"\n");
        assert_eq!(key.as_deref(), Some("entitlement[0].roles"));
        assert!(message.contains("must be a list"), "{message}");
        let (key, _) =
            key_of("[[entitlement]]\ngroup = \"g\"\nsource = \"aws\"\nroles = [\"r\", 1]\n");
        assert_eq!(key.as_deref(), Some("entitlement[0].roles"));
        let (key, message) = key_of("[[entitlement]]\ngroup = \"g\"\nroles = [\"r\"]\n");
        assert_eq!(key.as_deref(), Some("entitlement[0].source"));
        assert!(message.contains("missing"), "{message}");
        let (key, _) =
            key_of("[[entitlement]]\ngroup = \"  \"\nsource = \"aws\"\nroles = [\"r\"]\n");
        assert_eq!(key.as_deref(), Some("entitlement[0].group"));
    }

    fn write(dir: &std::path::Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    const TENANT: &str = "source_of_truth = \"entra\"\n[[source]]\nname = \"entra\"\nkind = \"entra\"\npath = \"e\"\n[[source]]\nname = \"rmm\"\nkind = \"csv\"\npath = \"r.csv\"\n";

    #[test]
    fn sources_must_exist_and_tenant_entries_add_to_the_estate() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "estate.toml",
            "[[entitlement]]\ngroup = \"IT\"\nsource = \"aws-iam\"\nroles = [\"AdministratorAccess\"]\n[[entitlement]]\ngroup = \"IT\"\nsource = \"rmm\"\nroles = [\"Admin\"]\n",
        );
        write(
            d.path(),
            "a/tenant.toml",
            &format!(
                "{TENANT}[[entitlement]]\ngroup = \"Ops\"\nsource = \"rmm\"\nroles = [\"Tech\"]\n"
            ),
        );
        write(
            d.path(),
            "b/tenant.toml",
            &format!(
                "{TENANT}[[entitlement]]\ngroup = \"Ops\"\nsource = \"rnm\"\nroles = [\"Tech\"]\n"
            ),
        );
        write(
            d.path(),
            "c/tenant.toml",
            &format!("{TENANT}[[entitlement]]\ngroup = \"Ops\"\nsource = \"rmm\"\nroles = []\n"),
        );
        let e = Estate::discover(d.path()).unwrap();
        assert_eq!(e.entitlements.len(), 2);
        let ids: Vec<&str> = e.tenants.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        assert_eq!(e.tenants[0].entitlements[0].group, "ops");
        assert_eq!(
            e.entitlements_for(&e.tenants[0])
                .iter()
                .map(|x| x.group.as_str())
                .collect::<Vec<_>>(),
            ["it", "it", "ops"]
        );
        let errors: Vec<(&str, Option<&str>)> = e
            .tenant_errors
            .iter()
            .map(|(id, err)| (id.as_str(), err.key.as_deref()))
            .collect();
        assert_eq!(
            errors,
            [
                ("b", Some("entitlement[0].source")),
                ("c", Some("entitlement[0].roles"))
            ]
        );
        // An estate entitlement naming no source anywhere is an error of estate.toml.
        write(
            d.path(),
            "estate.toml",
            "[[entitlement]]\ngroup = \"IT\"\nsource = \"nowhere\"\nroles = [\"x\"]\n",
        );
        let err = Estate::discover(d.path()).unwrap_err();
        assert!(err.file.ends_with("estate.toml"));
        assert_eq!(err.key.as_deref(), Some("entitlement[0].source"));
    }
}
