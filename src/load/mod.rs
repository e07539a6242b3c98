//! Loading: one module per source kind turns an export into normalised [`Identity`] records with
//! provenance. The registry below is the one place a kind is wired in.
//!
//! Loaders read files and record what they saw; they never judge (no thresholds, no findings) and
//! never drop a record silently: a record they cannot read is a [`LoadError`] naming file,
//! line or record, and field.

pub mod ad;
pub mod aws;
pub mod connectwise;
pub mod csvmap;
pub mod datto;
pub mod entra;
pub mod entra_audit;
pub mod gdap;
pub mod google;
pub mod itglue;
pub mod jumpcloud;
pub mod ninjaone;
pub mod okta;
pub mod okta_log;
pub mod provlog;
pub mod text;
pub mod time;

use crate::estate::{relative, SourceConfig};
use crate::model::{Capabilities, Identity, ProvLog, SourceFacts};
use std::path::{Path, PathBuf};

/// An input problem, always located: file, and line or record, and field where they apply.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadError {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(r) = self.record {
            write!(f, " record {r}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl From<crate::estate::ConfigError> for LoadError {
    fn from(e: crate::estate::ConfigError) -> Self {
        LoadError {
            file: e.file,
            line: e.line.map(|l| l as u64),
            record: None,
            field: e.key,
            message: e.message,
        }
    }
}

impl LoadError {
    pub fn file(file: &str, message: String) -> LoadError {
        LoadError {
            file: file.into(),
            line: None,
            record: None,
            field: None,
            message,
        }
    }
    pub fn at_line(file: &str, line: u64, field: Option<&str>, message: String) -> LoadError {
        LoadError {
            file: file.into(),
            line: Some(line),
            record: None,
            field: field.map(str::to_string),
            message,
        }
    }
    pub fn at_record(file: &str, record: u64, field: Option<&str>, message: String) -> LoadError {
        LoadError {
            file: file.into(),
            line: None,
            record: Some(record),
            field: field.map(str::to_string),
            message,
        }
    }
}

/// What a loader is given: the source's config, where its files are, and somewhere to put problems.
pub struct SourceCtx<'a> {
    pub source: &'a SourceConfig,
    /// Estate root: provenance paths are relative to it.
    pub root: &'a Path,
    /// The source's `path`, resolved against its toml's folder.
    pub path: PathBuf,
    pub errors: Vec<LoadError>,
    pub warnings: Vec<String>,
    pub files_read: Vec<String>,
    pub files_missing: Vec<String>,
    /// Set by a provisioning-log loader (`entra-audit`, `okta-log`, a `csv` event log).
    pub log: Option<ProvLog>,
    /// Tenant-wide policies, set by a directory loader that reads them (`entra`).
    pub policies: Option<Box<crate::model::DirectoryPolicies>>,
}

impl SourceCtx<'_> {
    /// Path of a file as reports show it (relative to the estate root).
    pub fn shown(&self, p: &Path) -> String {
        relative(self.root, p)
    }
    pub fn provenance(
        &self,
        file: &str,
        record: u64,
        line: Option<u64>,
    ) -> crate::model::Provenance {
        crate::model::Provenance {
            source: self.source.name.clone(),
            file: file.into(),
            record,
            line,
        }
    }
}

/// One JSON export file of a folder source, read and split into records.
pub struct ExportFile {
    /// The file as reports show it.
    pub shown: String,
    /// The decoded text (for envelope fields the records do not carry).
    pub text: String,
    pub records: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl SourceCtx<'_> {
    /// Read `name` from the source's folder: any encoding, any JSON container shape (page keys
    /// `list_keys`). A missing file is a located error when required (`hides` None), else listed
    /// in `files_missing` with what it hides; a 0-byte file is an error, never an empty list.
    pub fn read_export(
        &mut self,
        name: &str,
        hides: Option<&str>,
        list_keys: &[&str],
    ) -> Option<ExportFile> {
        let path = self.path.join(name);
        let shown = self.shown(&path);
        if !path.is_file() {
            match hides {
                Some(hides) => self.files_missing.push(format!("{name}: {hides}")),
                None => self.errors.push(LoadError::file(
                    &shown,
                    format!(
                        "required file `{name}` is missing from the {} export folder",
                        self.source.kind
                    ),
                )),
            }
            return None;
        }
        let decoded = match text::read_text(&path, &shown) {
            Ok(d) => d,
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        self.warnings
            .extend(decoded.warnings.iter().map(|w| format!("{shown}: {w}")));
        if decoded.text.trim().is_empty() {
            // A 0-byte file is a failed export, not an empty list (that is `[]`).
            self.errors.push(LoadError::file(
                &shown,
                "file is empty: expected a JSON array (`[]` when there is nothing to list)".into(),
            ));
            return None;
        }
        match text::json_records(&decoded.text, &shown, list_keys) {
            Ok(records) => {
                self.files_read.push(shown.clone());
                Some(ExportFile {
                    shown,
                    text: decoded.text,
                    records,
                })
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// A loaded source: its identities and what it could show, or its provisioning log.
pub struct SourceData {
    pub identities: Vec<Identity>,
    pub facts: SourceFacts,
    pub warnings: Vec<String>,
    /// The provisioning events of a log source; None for every other source.
    pub log: Option<ProvLog>,
}

type LoadFn = fn(&mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>);

/// The registry: source kind → loader.
fn loader_for(kind: &str) -> Option<LoadFn> {
    match kind {
        "entra" => Some(entra::load),
        "active-directory" => Some(ad::load),
        "aws-iam" => Some(aws::load),
        "google-workspace" => Some(google::load),
        "csv" => Some(csvmap::load),
        "jumpcloud" => Some(jumpcloud::load),
        "okta" => Some(okta::load),
        "connectwise" => Some(connectwise::load),
        "datto-rmm" => Some(datto::load),
        "ninjaone" => Some(ninjaone::load),
        "itglue" => Some(itglue::load),
        "entra-audit" => Some(entra_audit::load),
        "okta-log" => Some(okta_log::load),
        "gdap" => Some(gdap::load),
        _ => None,
    }
}

/// Load one source. `Err` holds every problem found; partial data is not returned, so a tenant
/// is never audited on a silently shortened list.
pub fn load_source(
    source: &SourceConfig,
    base_dir: &Path,
    root: &Path,
) -> Result<SourceData, Vec<LoadError>> {
    let path = base_dir.join(&source.path);
    let mut ctx = SourceCtx {
        source,
        root,
        path: path.clone(),
        errors: Vec::new(),
        warnings: Vec::new(),
        files_read: Vec::new(),
        files_missing: Vec::new(),
        log: None,
        policies: None,
    };
    let Some(load) = loader_for(&source.kind) else {
        return Err(vec![LoadError {
            file: ctx.shown(&path),
            line: None,
            record: None,
            field: Some("kind".into()),
            message: format!(
                "source `{}`: kind `{}` is part of the estate contract but has no loader in this version of driftgate",
                source.name, source.kind
            ),
        }]);
    };
    if !path.exists() {
        return Err(vec![LoadError {
            file: ctx.shown(&path),
            line: None,
            record: None,
            field: Some("path".into()),
            message: format!(
                "source `{}`: path `{}` does not exist",
                source.name, source.path
            ),
        }]);
    }
    let (identities, capabilities, top_role_name) = load(&mut ctx);
    let mut errors = ctx.errors;
    let mut seen = std::collections::HashMap::with_capacity(identities.len());
    for id in &identities {
        if let Some(first) = seen.insert(id.reference.as_str(), &id.prov) {
            errors.push(LoadError {
                file: id.prov.file.clone(),
                line: id.prov.line,
                record: Some(id.prov.record),
                field: Some("id".into()),
                message: format!(
                    "duplicate id `{}`: already at {}",
                    id.object_id,
                    first.locator()
                ),
            });
        }
    }
    if !errors.is_empty() {
        for e in &mut errors {
            e.message = printable(&e.message);
        }
        return Err(errors);
    }
    let warnings = ctx
        .warnings
        .iter()
        .map(|w| format!("source `{}`: {w}", source.name))
        .collect();
    Ok(SourceData {
        facts: SourceFacts {
            name: source.name.clone(),
            kind: source.kind.clone(),
            path: relative(root, &path),
            files_read: ctx.files_read,
            files_missing: ctx.files_missing,
            identities: identities.len(),
            capabilities,
            top_role_name,
            policies: ctx.policies,
        },
        identities,
        warnings,
        log: ctx.log,
    })
}

/// Message text safe for a terminal and a report: control characters from export cells
/// (escape sequences, NUL) are shown escaped, never emitted.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Parse a boolean the way exports write them: `true`/`True`/`TRUE`/`1`/`yes`, and their opposites.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Non-empty trimmed text, or None.
pub fn non_empty(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Kind hint from a naming convention (`svc-`, `sa_`, `-svc`, `service`): evidence, not proof.
pub fn service_name_hint(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let local = n.split('@').next().unwrap_or(&n);
    [
        "svc", "sa-", "sa_", "srv-", "srv_", "service", "app-", "bot-",
    ]
    .iter()
    .any(|p| local.starts_with(p))
        || ["-svc", "_svc", ".svc", "-service", "-bot"]
            .iter()
            .any(|s| local.ends_with(s))
}
