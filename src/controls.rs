//! Control catalogues as data: each framework's control ids and short titles, shipped in
//! `policies/controls/*.toml` and extendable with a user's own `controls/*.toml`.

use std::collections::BTreeMap;
use std::path::PathBuf;

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

impl Catalogue {
    /// The built-in catalogues (unless `builtin` is false) plus `controls/*.toml` in each user
    /// policy folder.
    pub fn load(_builtin: bool, _dirs: &[PathBuf]) -> Result<Catalogue, Vec<CatalogueError>> {
        Ok(Catalogue::default())
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
}
