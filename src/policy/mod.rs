//! The policy set: the shipped pack (embedded at build time) plus user packs, their METADATA,
//! and one compiled regorus engine that evaluation clones per worker.
//!
//! This module decides which Rego runs and how safely; it does not know what a finding means.

pub mod engine;
pub mod guard;
pub mod lint;
pub mod metadata;
pub mod scan;
pub mod test;

use metadata::{MetaError, RuleMeta};
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
}

/// Where a policy file came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Builtin,
    User,
}

/// One Rego file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// `builtin:policies/rules/...` or the user's path.
    pub path: String,
    pub text: String,
    pub origin: Origin,
}

impl PolicyFile {
    /// Tests and their shared test data are loaded by `policy test`, never into an audit.
    pub fn is_test(&self) -> bool {
        self.path.ends_with("_test.rego") || self.path.ends_with("/testdata.rego")
    }
}

/// A policy problem: exit code 3.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PolicyError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule {rule}: ")?;
        }
        if let Some(t) = &self.tenant {
            write!(f, "tenant {t}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl From<MetaError> for PolicyError {
    fn from(e: MetaError) -> Self {
        PolicyError {
            rule: None,
            tenant: None,
            file: Some(e.file),
            line: Some(e.line),
            message: e.message,
        }
    }
}

/// The shipped pack's files: every `.rego`, and the rule docs (`.md`) by path.
pub fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::BUILTIN.iter().copied()
}

/// A rule's doc from the shipped pack (`<rule file>.md`), if any.
pub fn builtin_doc(rule_file: &str) -> Option<&'static str> {
    let doc = rule_file
        .strip_prefix("builtin:")?
        .strip_suffix(".rego")?
        .to_string()
        + ".md";
    builtin_files().find(|(p, _)| *p == doc).map(|(_, t)| t)
}

/// Policies selected for a run.
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub files: Vec<PolicyFile>,
    /// Rules by id (sorted).
    pub rules: BTreeMap<String, RuleMeta>,
    /// Control titles: the shipped catalogues plus each folder's `controls/*.toml` (see
    /// [`crate::controls`]).
    pub catalogue: crate::controls::Catalogue,
}

impl PolicySet {
    /// The shipped library is always loaded (user rules may use it); `builtin` adds the shipped
    /// rules; each of `dirs` adds a user pack.
    pub fn load(builtin: bool, dirs: &[impl AsRef<Path>]) -> Result<PolicySet, Vec<PolicyError>> {
        Self::load_from(builtin, true, dirs)
    }

    /// One complete pack from a folder, e.g. a checkout of `policies/` (`policy impact` compares
    /// two): its own `driftgate.lib` replaces the shipped one, since two versions of one library
    /// would merge into a third. A folder that declares no `driftgate.lib` package gets the
    /// shipped library, as with `--no-builtin --policies DIR`.
    pub fn load_pack(dir: &Path) -> Result<PolicySet, Vec<PolicyError>> {
        let mut found = Vec::new();
        collect_rego(dir, &mut found);
        let own_lib = found.iter().any(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                t.lines().any(|l| {
                    let l = l.trim_start();
                    l == "package driftgate.lib" || l.starts_with("package driftgate.lib.")
                })
            })
        });
        Self::load_from(false, !own_lib, &[dir])
    }

    fn load_from(
        builtin: bool,
        builtin_lib: bool,
        dirs: &[impl AsRef<Path>],
    ) -> Result<PolicySet, Vec<PolicyError>> {
        let mut files = Vec::new();
        for (path, text) in builtin_files() {
            let is_lib = path.starts_with("policies/lib/") && builtin_lib;
            if path.ends_with(".rego") && (builtin || is_lib) {
                files.push(PolicyFile {
                    path: format!("builtin:{path}"),
                    text: text.to_string(),
                    origin: Origin::Builtin,
                });
            }
        }
        let mut errors = Vec::new();
        for dir in dirs {
            let dir = dir.as_ref();
            if !dir.exists() {
                errors.push(PolicyError {
                    rule: None,
                    tenant: None,
                    file: Some(dir.display().to_string()),
                    line: None,
                    message: "policy folder does not exist".into(),
                });
                continue;
            }
            let mut found = Vec::new();
            collect_rego(dir, &mut found);
            found.sort();
            for p in found {
                match std::fs::read_to_string(&p) {
                    Ok(text) => files.push(PolicyFile {
                        path: p.display().to_string(),
                        text,
                        origin: Origin::User,
                    }),
                    Err(e) => errors.push(PolicyError {
                        rule: None,
                        tenant: None,
                        file: Some(p.display().to_string()),
                        line: None,
                        message: format!("cannot read: {e}"),
                    }),
                }
            }
        }
        // Before regorus sees them: recursion (a stack overflow in regorus), deep nesting (an
        // exponential parse) and oversized files (see `guard`).
        let evaluated = files.iter().filter(|f| !f.is_test());
        let guarded = guard::check(evaluated.map(|f| (f.path.as_str(), f.text.as_str())));
        errors.extend(guarded.into_iter().map(PolicyError::from));
        let mut rules: BTreeMap<String, RuleMeta> = BTreeMap::new();
        for f in files.iter().filter(|f| !f.is_test()) {
            match metadata::parse(&f.path, &f.text) {
                Ok(Some(meta)) => {
                    if let Some(first) = rules.get(&meta.id) {
                        errors.push(PolicyError {
                            rule: Some(meta.id.clone()),
                            tenant: None,
                            file: Some(f.path.clone()),
                            line: Some(meta.line),
                            message: format!(
                                "duplicate rule id: already defined in {}:{}",
                                first.file, first.line
                            ),
                        });
                    } else {
                        rules.insert(meta.id.clone(), meta);
                    }
                }
                Ok(None) => {}
                Err(e) => errors.push(e.into()),
            }
        }
        let catalogue = crate::controls::Catalogue::load(builtin, dirs).unwrap_or_else(|e| {
            errors.extend(e.into_iter().map(PolicyError::from));
            Default::default()
        });
        if errors.is_empty() {
            Ok(PolicySet {
                files,
                rules,
                catalogue,
            })
        } else {
            Err(errors)
        }
    }

    /// Default params: every loaded rule's declared defaults, plus the shipped rules' (so an
    /// estate's thresholds stay valid under `--no-builtin`).
    pub fn default_params(&self) -> BTreeMap<String, serde_json::Value> {
        let mut out = BTreeMap::new();
        let shipped =
            builtin_files().filter(|(p, _)| p.ends_with(".rego") && !p.ends_with("_test.rego"));
        let shipped = shipped.filter_map(|(p, t)| metadata::parse(p, t).ok().flatten());
        for r in self.rules.values().cloned().chain(shipped) {
            for (k, v) in r.params {
                out.entry(k).or_insert(v);
            }
        }
        out
    }
}

/// Every `.rego` file under `dir` (or `dir` itself when it is a file), unsorted.
pub(crate) fn collect_rego(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_rego(&p, out);
        } else if p.extension().is_some_and(|e| e == "rego") {
            out.push(p);
        }
    }
}
