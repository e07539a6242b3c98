//! How open a path is: each kind of record classified from the export's own facts into a
//! status and `remaining` / `closed` / `unknown`. Unknown is never closed: a path is closed only
//! when the export shows it removed (disabled, terminated, expired, deleted). Pure functions.

use crate::model::{AccessContainer, Credential, Identity, Status, TimeQuality};
use serde::Serialize;

/// The path's state as the export shows it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PathStatus {
    Active,
    /// Requested or approved, not yet active: not removed either.
    Pending,
    Disabled,
    Expired,
    Terminated,
    Deleted,
    Unknown,
}

impl PathStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PathStatus::Active => "active",
            PathStatus::Pending => "pending",
            PathStatus::Disabled => "disabled",
            PathStatus::Expired => "expired",
            PathStatus::Terminated => "terminated",
            PathStatus::Deleted => "deleted",
            PathStatus::Unknown => "unknown",
        }
    }
}

/// Whether a path still gives access.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Active and usable (or pending activation): the MSP can still get in.
    Remaining,
    /// The export shows the path was removed.
    Closed,
    /// The export does not say: never counted as closed.
    Unknown,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Remaining => "remaining",
            Access::Closed => "closed",
            Access::Unknown => "unknown",
        }
    }
}

/// Classify an account from its enabled flag and status.
pub fn account_state(id: &Identity) -> (PathStatus, Access, String) {
    let raw = id
        .status_raw
        .as_deref()
        .map(|s| format!(" (status `{s}`)"))
        .unwrap_or_default();
    let closed_status = match id.status {
        Status::Disabled | Status::Suspended | Status::Locked => Some(PathStatus::Disabled),
        Status::Expired => Some(PathStatus::Expired),
        Status::Deprovisioned | Status::Deleted => Some(PathStatus::Deleted),
        _ => None,
    };
    match (id.enabled, closed_status) {
        (Some(true), _) => (
            PathStatus::Active,
            Access::Remaining,
            format!("enabled in the export{raw}"),
        ),
        (Some(false), s) => (
            s.unwrap_or(PathStatus::Disabled),
            Access::Closed,
            format!("disabled in the export{raw}"),
        ),
        (None, Some(s)) => (
            s,
            Access::Closed,
            format!("the export's status says it can no longer sign in{raw}"),
        ),
        (None, None) => (
            PathStatus::Unknown,
            Access::Unknown,
            format!("the export does not say whether it is enabled{raw}"),
        ),
    }
}

/// Classify a GDAP relationship from its status (and end date when the status is missing).
pub fn relationship_state(id: &Identity) -> (PathStatus, Access, String) {
    let d = id.delegation.as_deref();
    let raw = d.and_then(|d| d.status.clone());
    let shown = raw.as_deref().unwrap_or("none");
    match (id.enabled, id.status) {
        (Some(true), _) => (
            PathStatus::Active,
            Access::Remaining,
            format!("relationship status `{shown}` grants access"),
        ),
        (Some(false), Status::Expired) => (
            PathStatus::Expired,
            Access::Closed,
            format!("relationship status `{shown}`: it ended"),
        ),
        (Some(false), Status::Deprovisioned) => (
            PathStatus::Terminated,
            Access::Closed,
            format!("relationship status `{shown}`: it was terminated"),
        ),
        (Some(false), _) => (
            PathStatus::Pending,
            Access::Remaining,
            format!(
                "relationship status `{shown}`: not active yet, but not terminated — it grants \
                 access once approved or activated"
            ),
        ),
        (None, _) => {
            let ends = d.map(|d| &d.ends);
            if let Some(e) = ends.filter(|e| {
                matches!(e.quality, TimeQuality::Exact) && e.days_ago.is_some_and(|n| n > 0)
            }) {
                let at = e.at.map(|t| t.format("%Y-%m-%d").to_string());
                (
                    PathStatus::Expired,
                    Access::Closed,
                    format!(
                        "relationship status `{shown}` is not one driftgate knows, but its \
                         endDateTime {} has passed",
                        at.unwrap_or_default()
                    ),
                )
            } else {
                (
                    PathStatus::Unknown,
                    Access::Unknown,
                    format!(
                        "relationship status `{shown}`: the export does not say whether it grants \
                         access"
                    ),
                )
            }
        }
    }
}

/// Classify an access container within its relationship.
pub fn container_state(
    c: &AccessContainer,
    rel: (PathStatus, Access),
) -> (PathStatus, Access, String) {
    let raw = c.status.as_deref().map(str::to_ascii_lowercase);
    if rel.1 == Access::Closed {
        return (
            rel.0,
            Access::Closed,
            format!("its relationship is {}", rel.0.as_str()),
        );
    }
    match raw.as_deref() {
        Some("deleted") | Some("removed") => (
            PathStatus::Deleted,
            Access::Closed,
            "access assignment status `deleted`".into(),
        ),
        Some("active") => (
            rel.0,
            rel.1,
            format!(
                "access assignment status `active` in a relationship that is {}",
                rel.0.as_str()
            ),
        ),
        Some("pending") | Some("created") => (
            PathStatus::Pending,
            if rel.1 == Access::Unknown {
                Access::Unknown
            } else {
                Access::Remaining
            },
            format!(
                "access assignment status `{}`: not removed",
                c.status.as_deref().unwrap_or_default()
            ),
        ),
        Some(other) => (
            PathStatus::Unknown,
            Access::Unknown,
            format!("access assignment status `{other}` is not one driftgate knows"),
        ),
        None => (
            PathStatus::Unknown,
            Access::Unknown,
            "the export gives no access assignment status".into(),
        ),
    }
}

/// Classify a credential: its own expiry and activation first, then the account holding it.
pub fn credential_state(c: &Credential, holder: Access) -> (PathStatus, Access, String) {
    match (c.derived.live, c.expired, c.active) {
        (_, Some(true), _) => (
            PathStatus::Expired,
            Access::Closed,
            "expired before as_of".into(),
        ),
        (_, _, Some(false)) => (
            PathStatus::Disabled,
            Access::Closed,
            "deactivated in the export".into(),
        ),
        _ if holder == Access::Closed => (
            PathStatus::Disabled,
            Access::Closed,
            "the account holding it can no longer sign in".into(),
        ),
        (Some(true), _, _) if holder == Access::Unknown => (
            PathStatus::Active,
            Access::Unknown,
            "live, but whether the account holding it is enabled is unknown".into(),
        ),
        (Some(true), _, _) => (
            PathStatus::Active,
            Access::Remaining,
            "live: not deactivated, not expired".into(),
        ),
        _ => (
            PathStatus::Unknown,
            Access::Unknown,
            "the export does not say whether it is active or when it expires".into(),
        ),
    }
}
