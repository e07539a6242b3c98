//! Estate discovery: `estate.toml`, tenant folders found by their `tenant.toml`, `[[source]]`
//! entries, params with per-tenant overrides and `as_of` precedence.
//!
//! Parses raw TOML into typed config with unknown keys rejected (file, key, line). It does not read
//! any export: that is the loaders' job.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A config problem, always naming the file and, when known, the key and line.
#[derive(Debug, Clone, thiserror::Error, serde::Serialize, PartialEq)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

/// Source kinds driftgate knows (ESTATE.md). Some are accepted in config but not loadable yet.
pub const SOURCE_KINDS: &[&str] = &[
    "entra",
    "active-directory",
    "aws-iam",
    "okta",
    "google-workspace",
    "jumpcloud",
    "gdap",
    "connectwise",
    "ninjaone",
    "itglue",
    "datto-rmm",
    "csv",
    "entra-audit",
    "okta-log",
];

/// Tenant lifecycle states.
pub const TENANT_STATUSES: &[&str] = &[
    "prospect",
    "onboarding",
    "active",
    "offboarding",
    "departed",
];

/// One `[[source]]` entry.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique within its file; findings cite it.
    pub name: String,
    /// One of [`SOURCE_KINDS`].
    pub kind: String,
    /// File or folder, relative to the toml that declares it.
    pub path: String,
    /// Culture of date strings in a CSV (`en-US`, `en-GB`, `de-DE`, ...).
    pub locale: Option<String>,
    /// strftime format for dates in a `csv` source.
    pub date_format: Option<String>,
    /// Column mapping for a `csv` source: normalised field → column header.
    pub columns: Option<BTreeMap<String, String>>,
}

/// `[msp]` in estate.toml.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MspConfig {
    /// Name of the estate-level source that lists the MSP's own staff (technicians).
    pub staff_source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEstate {
    name: Option<String>,
    as_of: Option<AsOf>,
    msp: Option<MspConfig>,
    #[serde(default)]
    source: Vec<SourceConfig>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    baseline: toml::Table,
    #[serde(default)]
    entitlement: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    as_of: Option<AsOf>,
    #[serde(default)]
    directory_ids: Vec<String>,
    source_of_truth: Option<String>,
    #[serde(default)]
    source: Vec<SourceConfig>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    baseline: toml::Table,
    #[serde(default)]
    entitlement: Vec<toml::Table>,
    #[serde(default)]
    waiver: Vec<toml::Spanned<toml::Table>>,
}

/// A client tenant (or the MSP's own `_msp` pseudo-tenant).
#[derive(Debug, Clone)]
pub struct TenantConfig {
    pub id: String,
    pub name: String,
    pub status: String,
    /// Folder holding tenant.toml (estate root for `_msp`).
    pub dir: PathBuf,
    /// tenant.toml relative to the estate root, for messages.
    pub config_file: String,
    pub as_of: Option<DateTime<Utc>>,
    pub directory_ids: Vec<String>,
    pub source_of_truth: Option<String>,
    pub sources: Vec<SourceConfig>,
    /// Tenant overrides only; merged with estate params by the caller.
    pub params: toml::Table,
    /// This tenant's `[baseline]` over the estate's, validated (see [`crate::settings`]).
    pub baseline: crate::settings::Baseline,
    /// This tenant's own `[[entitlement]]`s; they add to the estate's (see
    /// [`Estate::entitlements_for`]).
    pub entitlements: Vec<crate::entitlement::Entitlement>,
    /// This tenant's own `[[waiver]]`s; waivers.toml's add to them (see [`Estate::waivers_for`]).
    pub waivers: Vec<crate::waiver::Waiver>,
}

/// The whole estate as configured.
#[derive(Debug, Clone)]
pub struct Estate {
    pub root: PathBuf,
    pub name: String,
    pub as_of: Option<DateTime<Utc>>,
    pub msp: MspConfig,
    /// Estate-level params (tenant params override these).
    pub params: toml::Table,
    /// The MSP standard every tenant should match (tenants override it per key).
    pub baseline: crate::settings::Baseline,
    /// `[[entitlement]]`s that apply to every tenant.
    pub entitlements: Vec<crate::entitlement::Entitlement>,
    /// The `[[waiver]]`s of waivers.toml at the estate root (each names its tenants).
    pub waivers: Vec<crate::waiver::Waiver>,
    /// Estate-level sources, audited as the reserved tenant `_msp` when present.
    pub msp_sources: Vec<SourceConfig>,
    /// Tenants whose tenant.toml parsed, sorted by id.
    pub tenants: Vec<TenantConfig>,
    /// Problems that stopped a tenant.toml from being read: the tenant is reported, not audited.
    pub tenant_errors: Vec<(String, ConfigError)>,
}

/// The reserved id of the MSP's own systems.
pub const MSP_TENANT: &str = "_msp";

impl Estate {
    /// Read `estate.toml` (or a folder holding one) and every tenant below it.
    pub fn discover(path: &Path) -> Result<Estate, ConfigError> {
        let (root, estate_file) = if path.is_dir() {
            (path.to_path_buf(), path.join("estate.toml"))
        } else {
            (
                path.parent().unwrap_or(Path::new(".")).to_path_buf(),
                path.to_path_buf(),
            )
        };
        let shown = estate_file.display().to_string();
        if !estate_file.is_file() {
            return Err(ConfigError {
                file: shown,
                line: None,
                key: None,
                message: "no estate.toml here: pass an estate folder or its estate.toml".into(),
            });
        }
        let raw: RawEstate = parse_toml(&estate_file, &shown)?;
        check_sources(&raw.source, &shown)?;
        let mut estate = Estate {
            root: root.clone(),
            name: raw.name.unwrap_or_else(|| folder_name(&root)),
            as_of: raw
                .as_of
                .map(|t| toml_time(&t, &shown, "as_of"))
                .transpose()?,
            msp: raw.msp.unwrap_or_default(),
            params: raw.params,
            baseline: crate::settings::Baseline::parse(&raw.baseline, "estate.toml", false)
                .map_err(|e| ConfigError {
                    file: shown.clone(),
                    ..e
                })?,
            entitlements: crate::entitlement::parse(&raw.entitlement, &shown, "estate.toml")?,
            waivers: crate::waiver::read_estate_file(&root)?,
            msp_sources: raw.source,
            tenants: Vec::new(),
            tenant_errors: Vec::new(),
        };
        if let Some(staff) = &estate.msp.staff_source {
            if !estate.msp_sources.iter().any(|s| &s.name == staff) {
                return Err(ConfigError {
                    file: shown,
                    line: None,
                    key: Some("msp.staff_source".into()),
                    message: format!("`{staff}` is not the name of an estate-level [[source]]"),
                });
            }
        }
        let mut files = Vec::new();
        find_tenant_files(&root, &root, &mut files);
        files.sort();
        for file in files {
            let rel = relative(&root, &file);
            match read_tenant(&file, &rel) {
                Ok(t) => estate.tenants.push(t),
                Err(e) => estate.tenant_errors.push((tenant_dir_id(&file), e)),
            }
        }
        estate.tenants.sort_by(|a, b| a.id.cmp(&b.id));
        for t in &mut estate.tenants {
            t.baseline = std::mem::take(&mut t.baseline).over(&estate.baseline);
        }
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut duplicates = Vec::new();
        for t in &estate.tenants {
            if t.id == MSP_TENANT {
                duplicates.push((
                    t.id.clone(),
                    t.config_file.clone(),
                    "the id `_msp` is reserved for the MSP's own systems".to_string(),
                ));
            } else if let Some(first) = seen.insert(t.id.clone(), t.config_file.clone()) {
                duplicates.push((
                    t.id.clone(),
                    t.config_file.clone(),
                    format!("duplicate tenant id `{}`: already used by {first}", t.id),
                ));
            }
        }
        for (id, file, message) in duplicates {
            estate.tenants.retain(|t| t.config_file != file);
            estate.tenant_errors.push((
                id,
                ConfigError {
                    file,
                    line: None,
                    key: Some("id".into()),
                    message,
                },
            ));
        }
        estate
            .tenant_errors
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.file.cmp(&b.1.file)));
        crate::entitlement::check_sources(&mut estate)?;
        Ok(estate)
    }

    /// The `_msp` pseudo-tenant, when the estate declares sources of its own.
    pub fn msp_tenant(&self) -> Option<TenantConfig> {
        if self.msp_sources.is_empty() {
            return None;
        }
        Some(TenantConfig {
            id: MSP_TENANT.into(),
            name: format!("{} (MSP)", self.name),
            status: "active".into(),
            dir: self.root.clone(),
            config_file: "estate.toml".into(),
            as_of: None,
            directory_ids: Vec::new(),
            source_of_truth: self.msp.staff_source.clone(),
            sources: self.msp_sources.clone(),
            params: toml::Table::new(),
            // The MSP's own systems are not a client: the client baseline does not apply.
            baseline: crate::settings::Baseline::default(),
            entitlements: Vec::new(),
            waivers: Vec::new(),
        })
    }

    /// The waivers that apply to a tenant: its tenant.toml's, then waivers.toml's naming it.
    pub fn waivers_for(&self, tenant: &TenantConfig) -> Vec<crate::waiver::Waiver> {
        tenant
            .waivers
            .iter()
            .chain(
                self.waivers
                    .iter()
                    .filter(|w| w.applies_to_tenant(&tenant.id)),
            )
            .cloned()
            .collect()
    }

    /// The entitlements that apply to a tenant: the estate's, then the tenant's own.
    pub fn entitlements_for(&self, tenant: &TenantConfig) -> Vec<crate::entitlement::Entitlement> {
        self.entitlements
            .iter()
            .chain(&tenant.entitlements)
            .cloned()
            .collect()
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(file: &Path, shown: &str) -> Result<T, ConfigError> {
    parse_toml_text(file, shown).map(|(t, _)| t)
}

/// As [`parse_toml`], also returning the file's text (for line numbers of later checks).
pub fn parse_toml_text<T: serde::de::DeserializeOwned>(
    file: &Path,
    shown: &str,
) -> Result<(T, String), ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
        file: shown.into(),
        line: None,
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    let parsed = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().to_string();
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        ConfigError {
            file: shown.into(),
            line,
            key,
            message,
        }
    })?;
    Ok((parsed, text))
}

/// Read one tenant.toml (`shown`: the file as messages name it). Used by discovery, and by
/// `driftgate readiness` for a tenant folder outside any estate.
pub fn read_tenant(file: &Path, shown: &str) -> Result<TenantConfig, ConfigError> {
    let (raw, text): (RawTenant, String) = parse_toml_text(file, shown)?;
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let err = |key: &str, message: String| ConfigError {
        file: shown.into(),
        line: None,
        key: Some(key.into()),
        message,
    };
    let id = raw.id.unwrap_or_else(|| folder_name(&dir));
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(err(
            "id",
            format!("tenant id `{id}` must be a slug (letters, digits, - _ .)"),
        ));
    }
    let status = raw.status.unwrap_or_else(|| "active".into());
    if !TENANT_STATUSES.contains(&status.as_str()) {
        return Err(err(
            "status",
            format!(
                "unknown status `{status}`; expected one of {}",
                TENANT_STATUSES.join(", ")
            ),
        ));
    }
    check_sources(&raw.source, shown)?;
    if raw.source.is_empty() {
        return Err(err(
            "source",
            "tenant has no [[source]]: nothing to audit".into(),
        ));
    }
    if let Some(sot) = &raw.source_of_truth {
        if !raw.source.iter().any(|s| &s.name == sot) {
            return Err(err(
                "source_of_truth",
                format!("`{sot}` is not the name of a [[source]] in this file"),
            ));
        }
    }
    let entitlements = crate::entitlement::parse(&raw.entitlement, shown, shown)?;
    let waivers = crate::waiver::parse(&raw.waiver, &text, shown, Some(&id))?;
    Ok(TenantConfig {
        name: raw.name.unwrap_or_else(|| id.clone()),
        id,
        status,
        dir,
        config_file: shown.into(),
        as_of: raw
            .as_of
            .map(|t| toml_time(&t, shown, "as_of"))
            .transpose()?,
        directory_ids: raw.directory_ids,
        source_of_truth: raw.source_of_truth,
        sources: raw.source,
        params: raw.params,
        baseline: crate::settings::Baseline::parse(&raw.baseline, shown, true)?,
        entitlements,
        waivers,
    })
}

fn check_sources(sources: &[SourceConfig], shown: &str) -> Result<(), ConfigError> {
    let mut names = std::collections::BTreeSet::new();
    for (i, s) in sources.iter().enumerate() {
        let err = |key: &str, message: String| ConfigError {
            file: shown.into(),
            line: None,
            key: Some(format!("source[{i}].{key}")),
            message,
        };
        if !SOURCE_KINDS.contains(&s.kind.as_str()) {
            return Err(err(
                "kind",
                format!(
                    "unknown source kind `{}`; expected one of {}",
                    s.kind,
                    SOURCE_KINDS.join(", ")
                ),
            ));
        }
        if s.name.is_empty() || s.name.contains('/') {
            return Err(err(
                "name",
                format!(
                    "source name `{}` must be non-empty and contain no `/`",
                    s.name
                ),
            ));
        }
        if !names.insert(s.name.clone()) {
            return Err(err("name", format!("duplicate source name `{}`", s.name)));
        }
        if s.columns.is_some() && s.kind != "csv" {
            return Err(err(
                "columns",
                format!(
                    "[source.columns] only applies to kind `csv`, not `{}`",
                    s.kind
                ),
            ));
        }
    }
    Ok(())
}

/// `as_of` written as a TOML datetime or as a quoted string (ESTATE.md shows both).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AsOf {
    Datetime(toml::value::Datetime),
    Text(String),
}

/// Parse an `as_of` (offset required, or a bare date read as UTC midnight).
fn toml_time(t: &AsOf, file: &str, key: &str) -> Result<DateTime<Utc>, ConfigError> {
    let text = match t {
        AsOf::Datetime(d) => d.to_string(),
        AsOf::Text(s) => s.clone(),
    };
    parse_as_of(&text).map_err(|message| ConfigError {
        file: file.into(),
        line: None,
        key: Some(key.into()),
        message,
    })
}

/// Parse an `as_of` value: RFC 3339 with an offset, or a date (UTC midnight).
pub fn parse_as_of(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(format!("`{text}` is not an RFC 3339 time with an offset (e.g. 2026-11-20T06:00:00Z) or a date (2026-11-20)"))
}

fn find_tenant_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            find_tenant_files(root, &path, out);
        } else if entry.file_name() == "tenant.toml" && dir != root {
            out.push(path);
        }
    }
}

fn folder_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "estate".into())
}

fn tenant_dir_id(file: &Path) -> String {
    folder_name(file.parent().unwrap_or(Path::new(".")))
}

/// `path` relative to `root`, with `/` separators, for messages and provenance.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn unknown_key_names_file_key_and_line() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "estate.toml", "name = \"x\"\nstale = 3\n");
        let e = Estate::discover(d.path()).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("stale"));
        assert_eq!(e.line, Some(2));
        assert!(e.file.ends_with("estate.toml"));
    }

    #[test]
    fn tenants_found_at_any_depth_and_duplicates_reported() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "estate.toml", "name = \"x\"\n");
        let src = "[[source]]\nname = \"aws\"\nkind = \"aws-iam\"\npath = \"c.csv\"\n";
        write(
            d.path(),
            "a/deep/t1/tenant.toml",
            &format!("id = \"same\"\n{src}"),
        );
        write(
            d.path(),
            "b/t2/tenant.toml",
            &format!("id = \"same\"\n{src}"),
        );
        write(d.path(), "c/t3/tenant.toml", src);
        let e = Estate::discover(d.path()).unwrap();
        let ids: Vec<_> = e.tenants.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["same", "t3"]);
        assert_eq!(e.tenant_errors.len(), 1);
        assert!(e.tenant_errors[0]
            .1
            .message
            .contains("duplicate tenant id `same`"));
    }

    #[test]
    fn unknown_kind_and_bad_source_of_truth_are_tenant_errors() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "estate.toml", "");
        write(
            d.path(),
            "t/tenant.toml",
            "[[source]]\nname = \"x\"\nkind = \"ldap\"\npath = \"p\"\n",
        );
        write(d.path(), "u/tenant.toml", "source_of_truth = \"nope\"\n[[source]]\nname = \"x\"\nkind = \"entra\"\npath = \"p\"\n");
        let e = Estate::discover(d.path()).unwrap();
        assert!(e.tenants.is_empty());
        assert_eq!(e.tenant_errors[0].1.key.as_deref(), Some("source[0].kind"));
        assert_eq!(e.tenant_errors[1].1.key.as_deref(), Some("source_of_truth"));
    }

    #[test]
    fn as_of_may_be_quoted_as_in_the_contract() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "estate.toml",
            "as_of = \"2026-11-20T06:00:00Z\"\n",
        );
        assert_eq!(
            Estate::discover(d.path())
                .unwrap()
                .as_of
                .unwrap()
                .to_rfc3339(),
            "2026-11-20T06:00:00+00:00"
        );
    }

    #[test]
    fn as_of_accepts_offset_and_date() {
        assert_eq!(
            parse_as_of("2026-11-20T07:00:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-20T06:00:00+00:00"
        );
        assert_eq!(
            parse_as_of("2026-11-20").unwrap().to_rfc3339(),
            "2026-11-20T00:00:00+00:00"
        );
        assert!(parse_as_of("yesterday").is_err());
    }

    #[test]
    fn baseline_is_validated_and_merged_per_tenant() {
        let d = tempfile::tempdir().unwrap();
        let src = "[[source]]\nname = \"x\"\nkind = \"entra\"\npath = \"p\"\n";
        write(
            d.path(),
            "estate.toml",
            "[baseline]\nmfa_enforced = true\ngdap_role = []\n",
        );
        let e = Estate::discover(d.path()).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("baseline.gdap_role"));
        assert!(e.file.ends_with("estate.toml"));
        write(
            d.path(),
            "estate.toml",
            "[baseline]\nmfa_enforced = true\nguest_invites = \"none\"\n",
        );
        write(
            d.path(),
            "a/tenant.toml",
            &format!("{src}[baseline]\nmfa_enforced = \"any\"\n"),
        );
        write(
            d.path(),
            "b/tenant.toml",
            &format!("{src}[baseline]\nguest_invites = false\n"),
        );
        let e = Estate::discover(d.path()).unwrap();
        let a = &e.tenants[0].baseline.entries;
        assert!(a["mfa_enforced"].exempt);
        assert_eq!(a["guest_invites"].from, "estate.toml");
        assert_eq!(e.tenant_errors[0].0, "b");
        assert_eq!(
            e.tenant_errors[0].1.key.as_deref(),
            Some("baseline.guest_invites")
        );
        assert_eq!(e.tenant_errors[0].1.file, "b/tenant.toml");
    }
}
