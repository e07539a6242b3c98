//! The admin console's *Download users* CSV: columns matched on their base name (suffixes such
//! as `[Required]` dropped, case-insensitive, spaces collapsed), rows read into identities, admin
//! roles from an `Admin Role(s)` / `Admin Status` column where one was downloaded.

use super::dates::{console_time, never_if_epoch};
use super::{activity, push_role, set_status, KIND, TOP_ROLE};
use crate::load::csvmap::DateReader;
use crate::load::text::CsvTable;
use crate::load::{non_empty, parse_bool, service_name_hint, LoadError, SourceCtx};
use crate::model::*;

/// A console header's base name: `[...]` suffixes dropped, lower-case, spaces collapsed.
pub fn base_name(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in header.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_matches(|c: char| c == '"' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

struct Console {
    email: usize,
    first: Option<usize>,
    last: Option<usize>,
    status: Option<usize>,
    last_sign_in: Option<usize>,
    enrolled: Option<usize>,
    enforced: Option<usize>,
    employee_id: Option<usize>,
    employee_type: Option<usize>,
    title: Option<usize>,
    manager: Option<usize>,
    department: Option<usize>,
    org_unit: Option<usize>,
    must_change: Option<usize>,
    admin: Option<usize>,
}

pub(super) fn console_users(
    ctx: &mut SourceCtx,
    shown: &str,
    table: &CsvTable,
) -> (Vec<Identity>, Capabilities, Option<String>) {
    let bases: Vec<String> = table.headers.iter().map(|h| base_name(h)).collect();
    let col = |names: &[&str]| names.iter().find_map(|n| bases.iter().position(|b| b == n));
    let Some(email) = col(&["email address", "email"]) else {
        ctx.errors.push(LoadError::at_line(
            shown,
            1,
            Some("Email Address [Required]"),
            format!(
                "not a Google Workspace user export: no `Email Address [Required]` column (admin console) or `primaryEmail` column (GAM); header has: {}",
                table.headers.join(", ")
            ),
        ));
        return (Vec::new(), Capabilities::default(), None);
    };
    let dates = match DateReader::new(
        ctx.source.date_format.as_deref(),
        ctx.source.locale.as_deref(),
    ) {
        Ok(d) => d,
        Err((key, message)) => {
            ctx.errors.push(LoadError {
                file: shown.into(),
                line: None,
                record: None,
                field: Some(key.into()),
                message,
            });
            return (Vec::new(), Capabilities::default(), None);
        }
    };
    let c = Console {
        email,
        first: col(&["first name"]),
        last: col(&["last name"]),
        status: col(&["status"]),
        last_sign_in: col(&["last sign in", "last login"]),
        enrolled: col(&["2sv enrolled", "2sv enrollment status", "2sv enrollment"]),
        enforced: col(&["2sv enforced", "2sv enforcement status", "2sv enforcement"]),
        employee_id: col(&["employee id"]),
        employee_type: col(&["employee type"]),
        title: col(&["employee title"]),
        manager: col(&["manager email"]),
        department: col(&["department"]),
        org_unit: col(&["org unit path"]),
        must_change: col(&[
            "change password at next sign-in",
            "change password at next sign in",
        ]),
        admin: col(&["admin roles", "admin role", "admin status"]),
    };
    let caps = Capabilities {
        sign_in: c.last_sign_in.is_some(),
        mfa: c.enrolled.is_some(),
        top_role_countable: c.admin.is_some(),
        ..Capabilities::default()
    };
    let mut out = Vec::with_capacity(table.rows.len());
    for (index, (line, cells)) in table.rows.iter().enumerate() {
        let row = ConsoleRow {
            shown,
            table,
            cells,
            record: index as u64 + 1,
            line: *line,
        };
        match console_user(ctx, &row, &c, &dates) {
            Ok(u) => out.push(u),
            Err(e) => ctx.errors.push(e),
        }
    }
    let top = caps.top_role_countable.then(|| TOP_ROLE.to_string());
    (out, caps, top)
}

struct ConsoleRow<'a> {
    shown: &'a str,
    table: &'a CsvTable,
    cells: &'a [String],
    record: u64,
    line: u64,
}

impl ConsoleRow<'_> {
    fn get(&self, col: Option<usize>) -> Option<String> {
        col.and_then(|i| non_empty(&self.cells[i]))
    }
    fn err(&self, col: usize, message: String) -> LoadError {
        LoadError {
            file: self.shown.into(),
            line: Some(self.line),
            record: Some(self.record),
            field: Some(self.table.headers[col].clone()),
            message,
        }
    }
    /// `True`/`False`, or the words `Enrolled` / `Not enrolled`, `Enforced`, `On` / `Off`.
    fn flag(&self, col: Option<usize>) -> Result<Option<bool>, LoadError> {
        let Some(v) = self.get(col) else {
            return Ok(None);
        };
        let word = v.to_ascii_lowercase();
        parse_bool(&v)
            .or(match word.as_str() {
                "enrolled" | "enforced" | "on" => Some(true),
                "not enrolled" | "not enforced" | "off" => Some(false),
                _ => None,
            })
            .map(Some)
            .ok_or_else(|| {
                self.err(
                    col.unwrap_or(0),
                    format!("expected True or False, found `{v}`"),
                )
            })
    }
    fn time(
        &self,
        col: Option<usize>,
        empty: TimeQuality,
        dates: &DateReader,
    ) -> Result<Ts, LoadError> {
        let Some(i) = col else {
            return Ok(Ts::of(TimeQuality::Absent));
        };
        match non_empty(&self.cells[i]) {
            None => Ok(Ts::of(empty)),
            Some(raw) => console_time(&raw, dates).map_err(|m| self.err(i, m)),
        }
    }
}

fn console_user(
    ctx: &SourceCtx,
    r: &ConsoleRow,
    c: &Console,
    dates: &DateReader,
) -> Result<Identity, LoadError> {
    let email = r
        .get(Some(c.email))
        .ok_or_else(|| r.err(c.email, "row has no email address".into()))?;
    let mut u = Identity::new(
        &ctx.source.name,
        KIND,
        email.to_lowercase(),
        ctx.provenance(r.shown, r.record, Some(r.line)),
    );
    u.set_principal_name(Some(email.clone()));
    u.emails = vec![email];
    let name: Vec<String> = [r.get(c.first), r.get(c.last)]
        .into_iter()
        .flatten()
        .collect();
    u.display_name = (!name.is_empty()).then(|| name.join(" "));
    u.kind = if u.principal_name.as_deref().is_some_and(service_name_hint) {
        u.kind_evidence.push("service naming convention".into());
        Kind::ServiceAccount
    } else {
        u.kind_evidence.push("Google Workspace user".into());
        Kind::Human
    };
    if let Some(v) = r.get(c.status) {
        let (suspended, archived, deleted) = match v.to_ascii_lowercase().as_str() {
            "active" => (false, false, false),
            "suspended" | "blocked" => (true, false, false),
            "archived" => (false, true, false),
            "deleted" => (false, false, true),
            _ => {
                return Err(r.err(
                    c.status.unwrap_or(0),
                    format!("`{v}` is not a user status: expected Active, Suspended or Archived"),
                ))
            }
        };
        set_status(&mut u, deleted, Some(suspended), Some(archived), None);
        u.status_raw = Some(v);
    }
    let last = never_if_epoch(r.time(c.last_sign_in, TimeQuality::Unavailable, dates)?);
    u.activity = if c.last_sign_in.is_some() {
        activity(true, last)
    } else {
        activity(false, Ts::of(TimeQuality::Unavailable))
    };
    u.mfa.registered = r.flag(c.enrolled)?;
    if u.mfa.registered.is_some() {
        u.mfa.source = Some(format!("{}:{}", r.shown, r.line));
    }
    u.mfa.enforced = r.flag(c.enforced)?;
    u.password.must_change = r.flag(c.must_change)?;
    u.employment.employee_id = r.get(c.employee_id);
    u.employment.employee_type = r.get(c.employee_type);
    u.employment.title = r.get(c.title);
    u.employment.manager = r.get(c.manager);
    u.employment.department = r.get(c.department);
    if let Some(ou) = r.get(c.org_unit) {
        u.alt_ids.insert("org_unit_path".into(), ou);
    }
    if c.admin.is_some() {
        let cell = r.get(c.admin).unwrap_or_default();
        let mut top = false;
        for role in cell.split([';', ',']).filter_map(non_empty) {
            let lower = role.to_ascii_lowercase();
            if matches!(lower.as_str(), "none" | "no" | "-" | "false") {
                continue;
            }
            let is_top = matches!(
                lower.as_str(),
                "super admin" | "super administrator" | "_seed_admin_role"
            );
            top |= is_top;
            let id = if is_top {
                "super-admin".to_string()
            } else {
                role.clone()
            };
            push_role(
                &mut u,
                &id,
                if is_top { TOP_ROLE } else { &role },
                is_top,
                "unknown",
            );
        }
        u.top_role = Some(top);
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_suffixes_case_and_spacing() {
        assert_eq!(base_name("Last Sign In [READ ONLY]"), "last sign in");
        assert_eq!(base_name("\"Email  Address [Required]\""), "email address");
        assert_eq!(
            base_name("Recovery Phone [MUST BE IN THE E.164 FORMAT]"),
            "recovery phone"
        );
        assert_eq!(base_name("2sv Enrolled [READ ONLY]"), "2sv enrolled");
    }
}
