//! Control catalogues as data: each framework's control ids and short titles, shipped in
//! `policies/controls/*.toml` and extendable with a user's own `controls/*.toml`.
//!
//! A catalogue file is one framework:
//!
//! ```toml
//! key = "acme-sec"               # as rules' METADATA `controls` name it
//! title = "ACME Security Standard"
//! version = "3"                  # optional
//! source = "https://acme.example/standard"  # optional
//!
//! [[control]]
//! id = "ACME-1"
//! title = "Admins carry an employee id"
//! ```
//!
//! A user file whose `key` is already known (shipped, or an earlier user file) adds controls to
//! that framework; its `title` may then be left out, and if given must be the same. A control
//! it repeats with the same title is accepted (a copy of a shipped file); unknown keys, a control
//! id given two titles or twice in one file, and empty ids or titles are errors naming the file
//! and line. Under `--no-builtin` the user's files come first and a shipped framework fills in
//! only a key none of them defines (`--no-builtin --policies policies` reads the checkout's own
//! catalogues).
//! This module only reads and looks up titles; it never decides what a rule maps to.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One control of a framework.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
}

/// One framework: its key as rules' METADATA `controls` use it (`nist-csf-2.0`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Framework {
    pub key: String,
    pub title: String,
    /// The edition, when the file states one (`2.0`, `5.1.1`).
    pub version: Option<String>,
    /// Where the ids and titles come from, when the file states it.
    pub source: Option<String>,
    /// Where it was defined (`builtin:policies/controls/nist-csf-2.0.toml` or the user's path).
    pub file: String,
    pub controls: BTreeMap<String, Control>,
}

/// Every framework known to a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Catalogue {
    pub frameworks: BTreeMap<String, Framework>,
}

/// A catalogue file that could not be read: file, line, key, message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct CatalogueError {
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl From<CatalogueError> for crate::policy::PolicyError {
    fn from(e: CatalogueError) -> Self {
        crate::policy::PolicyError {
            rule: None,
            tenant: None,
            file: Some(e.file),
            line: e.line,
            message: match e.key {
                Some(key) if !e.message.contains(&format!("`{key}`")) => {
                    format!("{key}: {}", e.message)
                }
                _ => e.message,
            },
        }
    }
}

/// What a report says about one framework its rules reference: the framework's title and the
/// titles of the referenced controls the catalogue knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkRef {
    pub title: String,
    /// control id → short title.
    pub controls: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    key: toml::Spanned<String>,
    title: Option<toml::Spanned<String>>,
    version: Option<String>,
    source: Option<String>,
    #[serde(default)]
    control: Vec<RawControl>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: toml::Spanned<String>,
    title: toml::Spanned<String>,
}

/// The shipped catalogue files: (path relative to the repo, contents).
fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::policy::builtin_files()
        .filter(|(p, _)| p.starts_with("policies/controls/") && p.ends_with(".toml"))
}

/// `controls/*.toml` in a user policy folder, sorted.
fn user_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("controls")) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    out.sort();
    out
}

impl Catalogue {
    /// The built-in catalogues plus `controls/*.toml` in each user policy folder, in order: a
    /// later file with a known key extends that framework. Unless `builtin`, a shipped framework
    /// is used only when no user file defines its key (so a copy of `policies/` loads cleanly).
    pub fn load(
        builtin: bool,
        dirs: &[impl AsRef<Path>],
    ) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut cat = Catalogue::default();
        let mut errors = Vec::new();
        let mut shipped = Catalogue::default();
        for (path, text) in builtin_files() {
            if let Err(e) = shipped.add_file(&format!("builtin:{path}"), text) {
                errors.extend(e);
            }
        }
        if builtin {
            cat = shipped.clone();
        }
        for dir in dirs {
            for p in user_files(dir.as_ref()) {
                let shown = p.display().to_string();
                match std::fs::read_to_string(&p) {
                    Ok(text) => {
                        if let Err(e) = cat.add_file(&shown, &text) {
                            errors.extend(e);
                        }
                    }
                    Err(e) => errors.push(CatalogueError {
                        file: shown,
                        line: None,
                        key: None,
                        message: format!("cannot read: {e}"),
                    }),
                }
            }
        }
        if !builtin {
            // A complete pack (`--no-builtin --policies policies`) brings its own catalogues;
            // the shipped ones fill in only the frameworks the folders do not define.
            for (key, fw) in shipped.frameworks {
                cat.frameworks.entry(key).or_insert(fw);
            }
        }
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(errors)
        }
    }

    /// Read one catalogue file into this catalogue. Nothing of a file with errors is added.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), Vec<CatalogueError>> {
        let line_of = |span: std::ops::Range<usize>| {
            Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
        };
        let err = |span: std::ops::Range<usize>, key: &str, message: String| CatalogueError {
            file: file.into(),
            line: line_of(span),
            key: Some(key.into()),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            let key = message
                .strip_prefix("unknown field `")
                .or_else(|| message.strip_prefix("missing field `"))
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string);
            vec![CatalogueError {
                file: file.into(),
                line: e.span().and_then(line_of),
                key,
                message,
            }]
        })?;
        let mut errors = Vec::new();
        let key = raw.key.get_ref().trim().to_string();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errors.push(err(
                raw.key.span(),
                "key",
                format!("framework key `{key}` must be a slug (letters, digits, - _ .), as rules' METADATA `controls` name it"),
            ));
        }
        let existing = self.frameworks.get(&key);
        let title = match (&raw.title, existing) {
            (Some(t), Some(fw)) if t.get_ref().trim() != fw.title => {
                errors.push(err(
                    t.span(),
                    "title",
                    format!(
                        "framework `{key}` is already defined in {} with title `{}`; leave `title` out to add controls to it",
                        fw.file, fw.title
                    ),
                ));
                String::new()
            }
            (Some(t), _) if t.get_ref().trim().is_empty() => {
                errors.push(err(t.span(), "title", "`title` is empty".into()));
                String::new()
            }
            (Some(t), _) => t.get_ref().trim().to_string(),
            (None, Some(fw)) => fw.title.clone(),
            (None, None) => {
                errors.push(err(
                    raw.key.span(),
                    "title",
                    format!("framework `{key}` has no `title`"),
                ));
                String::new()
            }
        };
        let mut controls: BTreeMap<String, Control> = BTreeMap::new();
        for c in &raw.control {
            let id = c.id.get_ref().trim();
            let ctitle = c.title.get_ref().trim();
            if id.is_empty() {
                errors.push(err(c.id.span(), "id", "control `id` is empty".into()));
                continue;
            }
            if ctitle.is_empty() {
                errors.push(err(
                    c.title.span(),
                    "title",
                    format!("control `{id}` has an empty `title`"),
                ));
            }
            if let Some(first) = controls.get(id) {
                errors.push(err(
                    c.id.span(),
                    "id",
                    format!(
                        "control `{id}` of `{key}` is defined twice in this file (first as `{}`)",
                        first.title
                    ),
                ));
                continue;
            }
            if let Some((fw, before)) = existing.and_then(|fw| fw.controls.get(id).map(|b| (fw, b)))
            {
                // The same control again (a copy of a shipped file) adds nothing; a different
                // title would make the report depend on file order.
                if before.title != ctitle {
                    errors.push(err(
                        c.id.span(),
                        "id",
                        format!(
                            "control `{id}` of `{key}` is already defined in {} as `{}`",
                            fw.file, before.title
                        ),
                    ));
                }
                continue;
            }
            controls.insert(
                id.to_string(),
                Control {
                    id: id.to_string(),
                    title: ctitle.to_string(),
                },
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let fw = self
            .frameworks
            .entry(key.clone())
            .or_insert_with(|| Framework {
                key,
                title,
                version: raw.version.clone(),
                source: raw.source.clone(),
                file: file.into(),
                controls: BTreeMap::new(),
            });
        fw.controls.extend(controls);
        Ok(())
    }

    pub fn framework(&self, key: &str) -> Option<&Framework> {
        self.frameworks.get(key)
    }

    /// The control's short title, when the framework and control are known.
    pub fn title(&self, framework: &str, id: &str) -> Option<&str> {
        self.framework(framework)?
            .controls
            .get(id)
            .map(|c| c.title.as_str())
    }

    /// The frameworks and controls that `mappings` (rules' `controls`: framework → ids)
    /// reference, with their titles. Frameworks the catalogue does not know are left out, as
    /// are unknown controls of a known framework.
    pub fn referenced<'a>(
        &self,
        mappings: impl IntoIterator<Item = &'a BTreeMap<String, Vec<String>>>,
    ) -> BTreeMap<String, FrameworkRef> {
        let mut out: BTreeMap<String, FrameworkRef> = BTreeMap::new();
        for map in mappings {
            for (key, ids) in map {
                let Some(fw) = self.framework(key) else {
                    continue;
                };
                let entry = out.entry(key.clone()).or_insert_with(|| FrameworkRef {
                    title: fw.title.clone(),
                    controls: BTreeMap::new(),
                });
                for id in ids {
                    if let Some(c) = fw.controls.get(id) {
                        entry.controls.insert(id.clone(), c.title.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = "key = \"acme-sec\"\ntitle = \"ACME Security Standard\"\n\n[[control]]\nid = \"ACME-1\"\ntitle = \"Admins carry an employee id\"\n";

    fn one(text: &str) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut cat = Catalogue::default();
        cat.add_file("acme.toml", text).map(|_| cat)
    }

    #[test]
    fn shipped_catalogues_load_and_are_named_by_their_key() {
        let cat = Catalogue::load(true, &[] as &[&str]).unwrap();
        assert_eq!(
            cat.frameworks.keys().collect::<Vec<_>>(),
            [
                "cis-v8",
                "iso-27001-2022",
                "nist-csf-1.1",
                "nist-csf-2.0",
                "nist-sp-800-207",
                "nist-sp-800-53r5",
                "owasp-nhi-2025",
                "soc2-2017"
            ]
        );
        for fw in cat.frameworks.values() {
            assert_eq!(
                fw.file,
                format!("builtin:policies/controls/{}.toml", fw.key)
            );
        }
        assert_eq!(cat.title("cis-v8", "5.3"), Some("Disable Dormant Accounts"));
        assert_eq!(
            cat.title("nist-sp-800-53r5", "AC-2(3)"),
            Some("Disable Accounts")
        );
        assert_eq!(cat.title("nist-csf-2.0", "PR.AA-99"), None);
        assert_eq!(
            Catalogue::load(false, &[] as &[&str]).unwrap(),
            cat,
            "without user catalogues, --no-builtin keeps the shipped ones"
        );
    }

    #[test]
    fn every_control_a_shipped_rule_references_has_a_title() {
        let cat = Catalogue::load(true, &[] as &[&str]).unwrap();
        let set = crate::policy::PolicySet::load(true, &[] as &[&str]).unwrap();
        let mut missing = Vec::new();
        for rule in set.rules.values() {
            for (fw, ids) in rule.controls.iter() {
                for id in ids {
                    if cat.title(fw, id).is_none() {
                        missing.push(format!("{} {fw} {id}", rule.id));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "no catalogue entry for: {missing:?}");
    }

    #[test]
    fn a_user_file_adds_a_framework_or_extends_a_known_one() {
        let mut cat = one(ACME).unwrap();
        assert_eq!(
            cat.title("acme-sec", "ACME-1"),
            Some("Admins carry an employee id")
        );
        cat.add_file(
            "more.toml",
            "key = \"acme-sec\"\n[[control]]\nid = \"ACME-2\"\ntitle = \"Two\"\n",
        )
        .unwrap();
        assert_eq!(cat.framework("acme-sec").unwrap().controls.len(), 2);
        assert_eq!(cat.framework("acme-sec").unwrap().file, "acme.toml");
        let e = cat
            .add_file(
                "again.toml",
                "key = \"acme-sec\"\ntitle = \"Other\"\n[[control]]\nid = \"ACME-3\"\ntitle = \"x\"\n",
            )
            .unwrap_err();
        assert_eq!((e[0].line, e[0].key.as_deref()), (Some(2), Some("title")));
        assert!(
            e[0].message.contains("already defined in acme.toml"),
            "{e:?}"
        );
        assert!(
            cat.title("acme-sec", "ACME-3").is_none(),
            "nothing of a bad file is added"
        );
    }

    #[test]
    fn defects_are_errors_with_file_line_and_key() {
        let cases = [
            (
                ACME.replace("title = \"Admins", "titel = \"Admins"),
                6,
                "titel",
                "unknown field",
            ),
            (
                format!("{ACME}\n[[control]]\nid = \"ACME-1\"\ntitle = \"again\"\n"),
                9,
                "id",
                "defined twice in this file (first as `Admins carry an employee id`)",
            ),
            (
                ACME.replace("title = \"ACME Security Standard\"\n", ""),
                1,
                "title",
                "no `title`",
            ),
            (
                ACME.replace("acme-sec", "acme sec"),
                1,
                "key",
                "must be a slug",
            ),
            (
                ACME.replace("id = \"ACME-1\"", "id = \"\""),
                5,
                "id",
                "is empty",
            ),
            (
                format!("{ACME}owner = \"me\"\n"),
                7,
                "owner",
                "unknown field",
            ),
        ];
        for (text, line, key, says) in cases {
            let e = one(&text).unwrap_err();
            assert_eq!(
                (e[0].file.as_str(), e[0].line, e[0].key.as_deref()),
                ("acme.toml", Some(line), Some(key)),
                "{text}: {e:?}"
            );
            assert!(e[0].message.contains(says), "{text}: {}", e[0].message);
        }
        let mut cat = Catalogue::load(true, &[] as &[&str]).unwrap();
        let e = cat
            .add_file(
                "mine.toml",
                "key = \"cis-v8\"\n[[control]]\nid = \"5.3\"\ntitle = \"Mine\"\n",
            )
            .unwrap_err();
        assert!(e[0]
            .message
            .contains("already defined in builtin:policies/controls/cis-v8.toml"));
    }

    #[test]
    fn user_folders_are_read_from_their_controls_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("controls")).unwrap();
        std::fs::write(dir.path().join("controls/acme.toml"), ACME).unwrap();
        let cat = Catalogue::load(true, &[dir.path()]).unwrap();
        assert_eq!(cat.frameworks.len(), 9);
        assert!(cat.title("acme-sec", "ACME-1").is_some());
        std::fs::write(dir.path().join("controls/bad.toml"), "key = 1\n").unwrap();
        let e = Catalogue::load(false, &[dir.path()]).unwrap_err();
        assert!(e[0].file.ends_with("bad.toml"), "{e:?}");
        assert!(e[0].to_string().starts_with(&e[0].file), "{}", e[0]);
    }

    #[test]
    fn without_builtin_a_copy_of_the_shipped_catalogues_replaces_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("controls")).unwrap();
        for (path, text) in builtin_files() {
            let name = path.rsplit('/').next().unwrap();
            let text = text.replace("Disable Dormant Accounts", "Disable dormant accounts");
            std::fs::write(dir.path().join("controls").join(name), text).unwrap();
        }
        let cat = Catalogue::load(false, &[dir.path()]).unwrap();
        assert_eq!(cat.title("cis-v8", "5.3"), Some("Disable dormant accounts"));
        assert!(cat
            .framework("cis-v8")
            .unwrap()
            .file
            .ends_with("cis-v8.toml"));
        assert!(!cat
            .framework("cis-v8")
            .unwrap()
            .file
            .starts_with("builtin:"));
        let e = Catalogue::load(true, &[dir.path()]).unwrap_err();
        assert_eq!(e.len(), 1, "only the changed title: {e:?}");
        assert!(
            e[0].message.contains(
                "control `5.3` of `cis-v8` is already defined in builtin:policies/controls/cis-v8.toml as `Disable Dormant Accounts`"
            ),
            "{e:?}"
        );
        std::fs::remove_file(dir.path().join("controls/cis-v8.toml")).unwrap();
        assert_eq!(
            Catalogue::load(true, &[dir.path()]).unwrap(),
            Catalogue::load(true, &[] as &[&str]).unwrap(),
            "an unchanged copy adds nothing"
        );
    }

    #[test]
    fn referenced_keeps_only_what_rules_map_to() {
        let cat = one(ACME).unwrap();
        let rule = BTreeMap::from([
            (
                "acme-sec".to_string(),
                vec!["ACME-1".to_string(), "ACME-9".to_string()],
            ),
            ("unknown-fw".to_string(), vec!["X".to_string()]),
        ]);
        let r = cat.referenced([&rule]);
        assert_eq!(r.len(), 1);
        assert_eq!(r["acme-sec"].title, "ACME Security Standard");
        assert_eq!(
            r["acme-sec"].controls,
            BTreeMap::from([("ACME-1".into(), "Admins carry an employee id".into())])
        );
    }
}
