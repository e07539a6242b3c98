//! The evidence manifest (`manifest.json`) of a run folder, and `driftgate verify` over it.
//!
//! A manifest records the SHA-256 and size of every input file, policy file and report file of a
//! run, so the run can be re-checked later. This module hashes, writes and compares; it parses no
//! export format and judges nothing. Wall-clock times are given by the caller, never read here,
//! and never reach report.json (the run folder's name hashes report.json only).

use crate::estate::{relative, Estate};
use crate::policy::PolicySet;
use crate::report::Report;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bumped on any incompatible change to manifest.json.
pub const SCHEMA: &str = "driftgate.manifest/v1";
/// The manifest's name in a run folder; written last.
pub const FILE_NAME: &str = "manifest.json";

/// manifest.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    pub tool: Tool,
    /// The run folder's name.
    pub run_id: String,
    /// RFC 3339, as in report.json.
    pub as_of: String,
    /// flag | estate | now
    pub as_of_source: String,
    /// The command line as given.
    pub command_line: Vec<String>,
    /// Working directory of the run: user policy paths and a relative estate path are relative to it.
    pub working_dir: String,
    pub estate_root: EstateRoot,
    /// Wall clock (RFC 3339): the only wall time driftgate records.
    pub started_at: String,
    pub finished_at: String,
    /// SHA-256 over the sorted `path sha256` lines of every policy file loaded.
    pub policy_pack_revision: String,
    /// Every file read: estate.toml, each tenant.toml, every export; paths relative to the estate root.
    pub inputs: Vec<FileEntry>,
    /// Every policy file loaded: `builtin:policies/...` or the user's path.
    pub policies: Vec<FileEntry>,
    /// Every report file in the run folder except manifest.json.
    pub reports: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstateRoot {
    /// As given on the command line (its folder).
    pub given: String,
    /// Absolute; `verify` resolves input paths against it.
    pub absolute: String,
}

/// One hashed file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    /// Lower-case hex.
    pub sha256: String,
    pub size: u64,
}

/// A manifest or run-folder problem: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: not a driftgate run folder ({why})")]
    NotRunFolder { path: String, why: &'static str },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: cannot write: {source}")]
    Write {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: not valid JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file}: field `{field}`: {message}")]
    Field {
        file: String,
        field: String,
        message: String,
    },
    #[error("{dir}: an earlier run folder with a different report.json; not overwriting it")]
    Occupied { dir: String },
    #[error(
        "{dir}: exists and is not a driftgate run folder (no report.json); not writing into it"
    )]
    NotOurs { dir: String },
}

/// What the CLI edge knows about the run that the report does not hold.
pub struct RunContext {
    pub command_line: Vec<String>,
    pub working_dir: PathBuf,
    /// The estate argument as given (a folder or its estate.toml).
    pub estate_arg: PathBuf,
    pub started_at: String,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 and size of a file, streamed.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher)?;
    Ok((hex(&hasher.finalize()), size))
}

fn entry(path: &str, bytes: &[u8]) -> FileEntry {
    FileEntry {
        path: path.into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
    }
}

/// Every policy file of the set, hashed from the text that was loaded, sorted by path.
pub fn policy_entries(set: &PolicySet) -> Vec<FileEntry> {
    let mut out: Vec<FileEntry> = set
        .files
        .iter()
        .map(|f| entry(&f.path, f.text.as_bytes()))
        .collect();
    out.sort();
    out
}

/// The pack revision: SHA-256 over the sorted `path sha256\n` lines.
pub fn pack_revision(policies: &[FileEntry]) -> String {
    let mut lines: Vec<String> = policies
        .iter()
        .map(|e| format!("{} {}\n", e.path, e.sha256))
        .collect();
    lines.sort();
    sha256_hex(lines.concat().as_bytes())
}

/// Every file the run read, relative to the estate root: the estate file, waivers.toml, every
/// tenant.toml (discovery reads them all), every export file of every audited source, and every
/// access-review worksheet recorded.
pub fn input_paths(estate: &Estate, estate_file: &Path, report: &Report) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(relative(&estate.root, estate_file));
    if estate.root.join("waivers.toml").is_file() {
        out.insert("waivers.toml".into());
    }
    for r in report.tenants.iter().filter_map(|t| t.review.as_ref()) {
        out.extend(r.worksheets.iter().cloned());
    }
    out.extend(estate.tenants.iter().map(|t| t.config_file.clone()));
    for (_, e) in &estate.tenant_errors {
        if estate.root.join(&e.file).is_file() {
            out.insert(e.file.clone());
        }
    }
    for t in &report.tenants {
        for s in &t.sources {
            out.extend(s.files_read.iter().cloned());
        }
    }
    out
}

fn absolute(p: &Path) -> PathBuf {
    let p = if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    };
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

impl Manifest {
    /// Everything but the run id, the report files and the end time: hashes the inputs now.
    pub fn begin(
        ctx: &RunContext,
        estate: &Estate,
        set: &PolicySet,
        report: &Report,
    ) -> Result<Manifest, ManifestError> {
        let estate_file = if ctx.estate_arg.is_dir() {
            ctx.estate_arg.join("estate.toml")
        } else {
            ctx.estate_arg.clone()
        };
        // Hashed on every core: a large estate is hundreds of MB of exports.
        use rayon::prelude::*;
        let paths: Vec<String> = input_paths(estate, &estate_file, report)
            .into_iter()
            .collect();
        let inputs = paths
            .into_par_iter()
            .map(|rel| {
                let path = estate.root.join(&rel);
                let (sha256, size) = hash_file(&path).map_err(|source| ManifestError::Read {
                    file: path.display().to_string(),
                    source,
                })?;
                Ok(FileEntry {
                    path: rel,
                    sha256,
                    size,
                })
            })
            .collect::<Result<Vec<_>, ManifestError>>()?;
        let policies = policy_entries(set);
        Ok(Manifest {
            schema: SCHEMA.into(),
            tool: Tool {
                name: "driftgate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            run_id: String::new(),
            as_of: report.run.as_of.clone(),
            as_of_source: report.run.as_of_source.clone(),
            command_line: ctx.command_line.clone(),
            working_dir: ctx.working_dir.display().to_string(),
            estate_root: EstateRoot {
                given: estate.root.display().to_string(),
                absolute: absolute(&estate.root).display().to_string(),
            },
            started_at: ctx.started_at.clone(),
            finished_at: String::new(),
            policy_pack_revision: pack_revision(&policies),
            inputs,
            policies,
            reports: Vec::new(),
        })
    }

    /// Hash every report file now in `dir` and write manifest.json there, atomically, last.
    pub fn finish(mut self, dir: &Path, finished_at: String) -> Result<(), ManifestError> {
        self.run_id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.finished_at = finished_at;
        self.reports = report_entries(dir)?;
        let mut json = serde_json::to_string_pretty(&self).expect("a manifest serialises");
        json.push('\n');
        let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
        let target = dir.join(FILE_NAME);
        let write_err = |source| ManifestError::Write {
            file: target.display().to_string(),
            source,
        };
        std::fs::write(&tmp, json).map_err(write_err)?;
        std::fs::rename(&tmp, &target).map_err(write_err)
    }
}

/// The report files of a run folder: every regular file but manifest.json and hidden (temporary)
/// files, sorted by name.
pub fn report_entries(dir: &Path) -> Result<Vec<FileEntry>, ManifestError> {
    let read_err = |p: &Path| {
        let file = p.display().to_string();
        move |source| ManifestError::Read { file, source }
    };
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).map_err(read_err(dir))? {
        let e = e.map_err(read_err(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == FILE_NAME || name.starts_with('.') || !e.path().is_file() {
            continue;
        }
        names.push(name);
    }
    use rayon::prelude::*;
    let mut out = names
        .into_par_iter()
        .map(|name| {
            let path = dir.join(&name);
            let (sha256, size) = hash_file(&path).map_err(read_err(&path))?;
            Ok(FileEntry {
                path: name,
                sha256,
                size,
            })
        })
        .collect::<Result<Vec<_>, ManifestError>>()?;
    out.sort();
    Ok(out)
}

/// Make `dir` ready for a run's files. A new or empty folder is created or used; an existing run
/// folder with the identical report.json is reused (the same report lands in the same folder, its
/// files are rewritten atomically with the same bytes and its manifest replaced); anything else is
/// refused before a byte is written.
pub fn prepare_run_dir(dir: &Path, report_json: &[u8]) -> Result<(), ManifestError> {
    let shown = dir.display().to_string();
    if dir.exists() {
        let report = dir.join("report.json");
        if report.is_file() {
            let existing = std::fs::read(&report).map_err(|source| ManifestError::Read {
                file: report.display().to_string(),
                source,
            })?;
            return if existing == report_json {
                Ok(())
            } else {
                Err(ManifestError::Occupied { dir: shown })
            };
        }
        let holds_files = std::fs::read_dir(dir)
            .map_err(|_| ManifestError::NotOurs { dir: shown.clone() })?
            .flatten()
            .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
        if holds_files || !dir.is_dir() {
            return Err(ManifestError::NotOurs { dir: shown });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| ManifestError::Write {
        file: shown,
        source,
    })
}

/// Read a run folder's manifest.json, checking its schema before anything else.
pub fn load(dir: &Path) -> Result<Manifest, ManifestError> {
    let path = dir.join(FILE_NAME);
    let file = path.display().to_string();
    if !path.is_file() {
        return Err(ManifestError::NotRunFolder {
            path: dir.display().to_string(),
            why: if dir.is_dir() {
                "no manifest.json"
            } else {
                "no such folder"
            },
        });
    }
    let bytes = std::fs::read(&path).map_err(|source| ManifestError::Read {
        file: file.clone(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| ManifestError::Json {
            file: file.clone(),
            message: e.to_string(),
        })?;
    let field = |field: &str, message: String| ManifestError::Field {
        file: file.clone(),
        field: field.into(),
        message,
    };
    match value.get("schema") {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(other) => {
            return Err(field(
                "schema",
                format!("is {other}, expected \"{SCHEMA}\" (unsupported manifest version)"),
            ))
        }
        None => return Err(field("schema", format!("missing, expected \"{SCHEMA}\""))),
    }
    serde_json::from_value(value).map_err(|e| ManifestError::Json {
        file,
        message: e.to_string(),
    })
}

/// Which list of the manifest a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Input,
    Policy,
    Report,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Policy => "policy",
            Kind::Report => "report",
        }
    }
}

/// A file as found now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Unchanged,
    Changed {
        sha256: String,
        size: u64,
    },
    /// Not found or unreadable, and why.
    Missing(String),
}

/// One file compared with its manifest entry.
#[derive(Debug, Clone)]
pub struct Check {
    pub kind: Kind,
    pub expected: FileEntry,
    pub status: Status,
}

/// The result of `driftgate verify`.
#[derive(Debug, Clone)]
pub struct Verification {
    pub checks: Vec<Check>,
    /// Context for a reader: the binary's pack or version differs from the run's.
    pub notes: Vec<String>,
}

fn compare(kind: Kind, expected: &FileEntry, found: std::io::Result<(String, u64)>) -> Check {
    let status = match found {
        Ok((sha256, size)) if sha256 == expected.sha256 && size == expected.size => {
            Status::Unchanged
        }
        Ok((sha256, size)) => Status::Changed { sha256, size },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Status::Missing("not found".into()),
        Err(e) => Status::Missing(format!("cannot read: {e}")),
    };
    Check {
        kind,
        expected: expected.clone(),
        status,
    }
}

/// Re-hash every file of `m`: inputs against `estate_root` (default: the recorded absolute
/// root), built-in policies from this binary, user policies against the recorded working
/// directory, reports in `run_dir`.
pub fn verify(m: &Manifest, run_dir: &Path, estate_root: Option<&Path>) -> Verification {
    let root =
        estate_root.map_or_else(|| PathBuf::from(&m.estate_root.absolute), Path::to_path_buf);
    let mut checks = Vec::new();
    for e in &m.inputs {
        checks.push(compare(Kind::Input, e, hash_file(&root.join(&e.path))));
    }
    let mut builtin_differs = false;
    for e in &m.policies {
        let found = match e.path.strip_prefix("builtin:") {
            Some(p) => crate::policy::builtin_files()
                .find(|(path, _)| *path == p)
                .map(|(_, text)| (sha256_hex(text.as_bytes()), text.len() as u64))
                .ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not in this binary's built-in pack",
                    )
                }),
            None => hash_file(&Path::new(&m.working_dir).join(&e.path)),
        };
        let check = compare(Kind::Policy, e, found);
        builtin_differs |= e.path.starts_with("builtin:") && check.status != Status::Unchanged;
        checks.push(check);
    }
    for e in &m.reports {
        checks.push(compare(Kind::Report, e, hash_file(&run_dir.join(&e.path))));
    }
    let mut notes = Vec::new();
    if builtin_differs {
        notes.push(format!(
            "this binary's built-in policy pack differs from the one that made the run (driftgate {} then, {} now)",
            m.tool.version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    Verification { checks, notes }
}

impl Verification {
    /// (changed, missing, unchanged)
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for check in &self.checks {
            match check.status {
                Status::Changed { .. } => c.0 += 1,
                Status::Missing(_) => c.1 += 1,
                Status::Unchanged => c.2 += 1,
            }
        }
        c
    }

    /// 0 everything matches, 1 something changed or is missing.
    pub fn exit_code(&self) -> i32 {
        match self.counts() {
            (0, 0, _) => crate::report::exit::CLEAN,
            _ => crate::report::exit::FINDINGS,
        }
    }

    /// One line per changed or missing file (expected → actual, short sha256 and size), the
    /// notes, then the counts.
    pub fn render(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let short = |s: &str| s.chars().take(12).collect::<String>();
        for c in &self.checks {
            let (kind, e) = (c.kind.as_str(), &c.expected);
            match &c.status {
                Status::Unchanged => {}
                Status::Changed { sha256, size } => writeln!(
                    w,
                    "changed  {kind:<6} {}  sha256 {} -> {}  size {} -> {}",
                    e.path,
                    short(&e.sha256),
                    short(sha256),
                    e.size,
                    size
                )?,
                Status::Missing(why) => writeln!(
                    w,
                    "missing  {kind:<6} {}  sha256 {}  size {}  ({why})",
                    e.path,
                    short(&e.sha256),
                    e.size
                )?,
            }
        }
        for n in &self.notes {
            writeln!(w, "note: {n}")?;
        }
        let (changed, missing, unchanged) = self.counts();
        writeln!(
            w,
            "changed: {changed}, missing: {missing}, unchanged: {unchanged}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_revision_ignores_order_and_sees_every_byte() {
        let a = entry("builtin:a.rego", b"package a");
        let b = entry("x/b.rego", b"package b");
        let rev = pack_revision(&[a.clone(), b.clone()]);
        assert_eq!(rev, pack_revision(&[b.clone(), a.clone()]));
        assert_ne!(rev, pack_revision(&[a, entry("x/b.rego", b"package c")]));
    }

    #[test]
    fn prepare_refuses_a_folder_that_is_not_a_run_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("notes.txt"), "mine").unwrap();
        let e = prepare_run_dir(d.path(), b"{}").unwrap_err();
        assert!(matches!(e, ManifestError::NotOurs { .. }), "{e}");
        let empty = d.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        prepare_run_dir(&empty, b"{}").unwrap();
    }

    #[test]
    fn load_names_file_and_field_of_a_bad_manifest() {
        let d = tempfile::tempdir().unwrap();
        let e = load(d.path()).unwrap_err();
        assert!(matches!(e, ManifestError::NotRunFolder { .. }), "{e}");
        std::fs::write(d.path().join(FILE_NAME), "{not json").unwrap();
        let e = load(d.path()).unwrap_err().to_string();
        assert!(
            e.contains("manifest.json") && e.contains("not valid JSON"),
            "{e}"
        );
        std::fs::write(
            d.path().join(FILE_NAME),
            r#"{"schema": "driftgate.manifest/v0"}"#,
        )
        .unwrap();
        let e = load(d.path()).unwrap_err().to_string();
        assert!(e.contains("manifest.json") && e.contains("`schema`"), "{e}");
        assert!(e.contains("driftgate.manifest/v0"), "{e}");
    }
}
