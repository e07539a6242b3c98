//! `google-workspace`: Google Workspace users, from the Admin SDK Directory API (`users.json` in a
//! folder, or a `.json` file), from the admin console's *Download users* CSV, or from GAM
//! `print users` CSV (dotted API names such as `name.fullName`, `aliases.0`).
//!
//! JSON: the `{"kind": "admin#directory#users", "users": [...]}` page (a page with no users omits
//! `users`), a bare array, an array of pages or concatenated pages. `id` is a 21-digit string and
//! must stay one: a JSON number has lost digits and is an error. `lastLoginTime`
//! `1970-01-01T00:00:00.000Z` (in any zone, or GAM's `Never`) means never; a key missing from every
//! record means sign-in data was not exported (unknown). The console CSV's headers carry suffixes
//! (`Email Address [Required]`, `Last Sign In [READ ONLY]`) and change order: columns are matched on
//! the base name, case-insensitive, spaces collapsed. `Never logged in` is never; its date format is
//! not documented, so the source's `date_format` / `locale` are honoured, and without them ISO,
//! culture strings (ambiguous day/month is reported, not guessed) and English month names are read.
//!
//! Privilege: `isAdmin` is the super admin, the top role (privileged, top). `isDelegatedAdmin` is
//! "holds some other admin role" (privileged; which role and scope are not in the users export).
//! The super admin role cannot be assigned to a group, so `isAdmin` on every record makes the top
//! role countable and `false` a real "not a super admin". Other admin roles can be held through
//! groups, which the users export does not show, so `privileged` stays null for a user with neither
//! flag. The console CSV carries privilege only in an `Admin Role(s)` / `Admin Status` column where
//! one was selected for download (its values are an assumption: `Super Admin`, `None`, role names).
//!
//! MFA: `isEnrolledIn2Sv` / `2sv Enrolled` is `mfa.registered`; `isEnforcedIn2Sv` /
//! `2sv Enforced` (the 2-Step Verification policy of the user's OU or group) is `mfa.enforced`,
//! from which the tenant's MFA enforcement is derived (`src/enforcement.rs`). A missing key or
//! column is unknown. Passwords and hashes are never read.
//!
//! Layout: this module finds the file and picks the reader, and holds the identity-building
//! helpers both shapes share (status, activity, admin roles). `api` reads the Admin SDK user
//! shape (JSON pages) through the located field readers of `record`; `gam` reads a CSV, turning
//! GAM rows into that same shape or handing console downloads to `console`; `dates` holds the
//! sign-in time rules (epoch and `Never` as never, console date cells).

mod api;
mod console;
mod dates;
mod gam;
mod record;

use super::text::read_text;
use super::{LoadError, SourceCtx};
use crate::model::*;

pub use console::base_name;

/// Google's name for the top role.
pub const TOP_ROLE: &str = "Super Admin";
const KIND: &str = "google-workspace";

pub fn load(ctx: &mut SourceCtx) -> (Vec<Identity>, Capabilities, Option<String>) {
    let path = ctx.path.clone();
    let file = if path.is_dir() {
        let f = path.join("users.json");
        if !f.is_file() {
            let shown = ctx.shown(&f);
            ctx.errors.push(LoadError::file(
                &shown,
                "required file `users.json` (Admin SDK users.list) is missing from the google-workspace export folder; point `path` at the admin console CSV instead if that is what you have".into(),
            ));
            return (Vec::new(), Capabilities::default(), None);
        }
        f
    } else {
        path
    };
    let shown = ctx.shown(&file);
    let decoded = match read_text(&file, &shown) {
        Ok(d) => d,
        Err(e) => {
            ctx.errors.push(e);
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let head = decoded.text.trim_start_matches('\u{feff}').trim_start();
    let is_json =
        ext == "json" || (ext != "csv" && (head.starts_with('{') || head.starts_with('[')));
    if is_json {
        api::json_users(ctx, &shown, &decoded.text)
    } else {
        gam::csv_users(ctx, &shown, decoded)
    }
}

fn set_status(
    u: &mut Identity,
    deleted: bool,
    suspended: Option<bool>,
    archived: Option<bool>,
    reason: Option<String>,
) {
    let (status, enabled, raw) = match (deleted, suspended, archived) {
        (true, _, _) => (Status::Deleted, Some(false), "deleted".to_string()),
        (_, Some(true), _) => (
            Status::Suspended,
            Some(false),
            match reason {
                Some(r) => format!("suspended ({r})"),
                None => "suspended".into(),
            },
        ),
        (_, _, Some(true)) => (Status::Disabled, Some(false), "archived".into()),
        // `archived` is a newer field: its absence on an active user means not archived.
        (_, Some(false), _) => (Status::Active, Some(true), "active".into()),
        (_, None, _) => {
            u.status = Status::Unknown;
            return;
        }
    };
    u.status = status;
    u.enabled = enabled;
    u.status_raw = Some(raw);
}

fn activity(known: bool, last: Ts) -> Activity {
    Activity {
        known,
        last_interactive: last.clone(),
        last_non_interactive: Ts::of(TimeQuality::Absent),
        last_successful: Ts::of(TimeQuality::Absent),
        last_any: last,
    }
}

fn push_role(u: &mut Identity, id: &str, name: &str, top: bool, scope: &str) {
    u.privileged = Some(true);
    u.roles.push(RoleAssignment {
        role_id: id.into(),
        role_name: Some(name.into()),
        scope: scope.into(),
        // The users export cannot show a time-bound assignment.
        assignment: AssignmentKind::Permanent,
        privileged: true,
        top,
        via_group: None,
        start: Ts::of(TimeQuality::Absent),
        end: Ts::of(TimeQuality::Absent),
        prov: u.prov.clone(),
    });
}
