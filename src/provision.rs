//! Provision: tie each downstream account, and each of its privileged grants, to the event in the
//! tenant's provisioning logs that accounts for it, and count how many the automated workflow
//! made and how many were made by hand. Runs after correlation; judges nothing (GOV-003 does).
//!
//! **Which accounts.** Downstream accounts: correlation `matched`, `unmatched` or `ambiguous`.
//! The source of truth's own accounts are not judged (its audit log records every change to it,
//! by hand or not), nor are workloads or the accounts of a tenant without a source of truth.
//!
//! **What accounts for an account**, strongest first:
//! 1. an *account created* event in the account's own system naming it: by object id, or by
//!    sign-in name or e-mail when the log records that system (`entra-audit` ↔ `entra` accounts,
//!    `okta-log` ↔ `okta`; a `csv` tool log ↔ any), since the same address names a person's
//!    accounts in every system;
//! 2. an *access granted* event (app assignment, group membership) naming the account or, for a
//!    matched account, its source-of-truth identity, made no later than [`LAG_HOURS`] after the
//!    account was created: that is how an identity provider's workflow creates downstream
//!    accounts. A grant made later cannot have created it.
//!
//! Among candidates the one nearest the account's creation wins (else the earliest; then by id).
//! With none: `no_event` when the account was created inside the window the logs cover, else
//! `outside_window` (created before or after it, or when is unknown). A time without a zone
//! (`local`) or a lagged one must be a day inside the window to count as inside.
//!
//! **Privileged grants** (permanent, eligible or time-bound assignments of a privileged role
//! held by a downstream account; activations and delegations are not grants): a *role granted*
//! event in the account's system, or an *access granted* event, naming the account (or its
//! source-of-truth identity) and the role by id or name, or the group that carries it. Judged
//! against the window by the assignment's start; an unknown start is `outside_window`.
//!
//! **The window** is where every log the tenant has overlaps: a moment only some logs cover
//! cannot prove that no event exists.

use crate::load::time::days_between;
use crate::model::*;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How long after an account's creation a grant may still have caused it (provisioning cycles
/// of SCIM connectors run every 20-40 minutes; queued or retried ones take longer).
pub const LAG_HOURS: i64 = 24;

/// Fill `provisioning` on every identity of one tenant; the tenant's summary, None without logs.
pub fn provision(
    identities: &mut [Identity],
    logs: Vec<ProvLog>,
    as_of: DateTime<Utc>,
) -> Option<ProvisioningSummary> {
    if logs.is_empty() {
        return None;
    }
    let age = |t: &mut Ts| t.days_ago = t.at.map(|at| days_between(at, as_of));
    let mut window = overlap(&logs);
    if let Some(w) = window.as_mut() {
        age(&mut w.start);
        age(&mut w.end);
    }
    let mut summary = ProvisioningSummary {
        logs: logs.iter().map(|l| l.source.clone()).collect(),
        window: window.clone(),
        ..ProvisioningSummary::default()
    };
    let mut events: Vec<LogEvent> = logs.into_iter().flat_map(|l| l.events).collect();
    for e in &mut events {
        age(&mut e.event.at);
    }
    summary.events = events.len();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, e) in events.iter().enumerate() {
        for key in &e.targets {
            index.entry(key.as_str()).or_default().push(n);
        }
    }
    let sot: HashMap<&str, usize> = identities
        .iter()
        .enumerate()
        .filter(|(_, i)| i.correlation.state == MatchState::SourceOfTruth)
        .map(|(n, i)| (i.reference.as_str(), n))
        .collect();
    let search = Search {
        events: &events,
        index: &index,
        window: window.as_ref(),
    };
    let results: Vec<Provisioning> = identities
        .iter()
        .map(|id| {
            let downstream = matches!(
                id.correlation.state,
                MatchState::Matched | MatchState::Unmatched | MatchState::Ambiguous
            );
            if !downstream {
                return Provisioning {
                    state: ProvState::NotApplicable,
                    ..Provisioning::default()
                };
            }
            let via = id
                .correlation
                .sot_ref
                .as_deref()
                .filter(|_| id.correlation.state == MatchState::Matched)
                .and_then(|r| sot.get(r))
                .map(|&n| &identities[n]);
            search.account(id, via)
        })
        .collect();
    for (id, p) in identities.iter_mut().zip(results) {
        if p.state != ProvState::NotApplicable {
            count(&mut summary.accounts, p.state, p.event.as_deref());
            for g in &p.grants {
                count(&mut summary.grants, g.state, g.event.as_ref());
            }
        }
        id.provisioning = p;
    }
    Some(summary)
}

fn count(c: &mut ProvCounts, state: ProvState, event: Option<&ProvEvent>) {
    c.total += 1;
    match state {
        ProvState::Matched => {
            c.matched += 1;
            match event.and_then(|e| e.automated) {
                Some(true) => c.automated += 1,
                Some(false) => c.manual += 1,
                None => {}
            }
        }
        ProvState::NoEvent => c.no_event += 1,
        ProvState::OutsideWindow => c.outside_window += 1,
        ProvState::NoLog | ProvState::NotApplicable => {}
    }
}

/// The span every log covers; None when a log is empty or two of them do not overlap.
fn overlap(logs: &[ProvLog]) -> Option<ProvWindow> {
    let mut out: Option<ProvWindow> = None;
    for log in logs {
        let w = log.window.as_ref()?;
        out = Some(match out {
            None => w.clone(),
            Some(o) => ProvWindow {
                start: if w.start.at > o.start.at {
                    w.start.clone()
                } else {
                    o.start
                },
                end: if w.end.at < o.end.at {
                    w.end.clone()
                } else {
                    o.end
                },
            },
        });
    }
    out.filter(|w| w.start.at <= w.end.at)
}

/// Whether `t` lies inside the window, with a day's margin for times that are not exact.
fn inside(window: Option<&ProvWindow>, t: &Ts) -> bool {
    let (Some(w), Some(at)) = (window, t.at) else {
        return false;
    };
    let margin = match t.quality {
        TimeQuality::Exact => Duration::zero(),
        TimeQuality::Lagged | TimeQuality::Local => Duration::days(1),
        _ => return false,
    };
    match (w.start.at, w.end.at) {
        (Some(s), Some(e)) => at - margin >= s && at + margin <= e,
        _ => false,
    }
}

/// A key an account is looked up by: its value, which field it came from, and whether it is
/// the source-of-truth identity's.
struct Key {
    value: String,
    field: &'static str,
    sot: bool,
}

struct Search<'a> {
    events: &'a [LogEvent],
    index: &'a HashMap<&'a str, Vec<usize>>,
    window: Option<&'a ProvWindow>,
}

impl Search<'_> {
    fn account(&self, id: &Identity, sot: Option<&Identity>) -> Provisioning {
        let keys = keys(id, sot);
        let found = self.best(&keys, id.created.at, |e, k| match e.event.action {
            ProvAction::AccountCreated => !k.sot && same_system(e, id, k),
            ProvAction::AccessGranted => match (id.created.at, e.event.at.at) {
                (Some(created), Some(at)) => at <= created + Duration::hours(LAG_HOURS),
                _ => true,
            },
            ProvAction::RoleGranted => false,
        });
        let grants = id
            .roles
            .iter()
            .filter(|r| {
                r.privileged
                    && matches!(
                        r.assignment,
                        AssignmentKind::Permanent
                            | AssignmentKind::Eligible
                            | AssignmentKind::TimeBound
                    )
            })
            .map(|r| self.grant(id, r, &keys))
            .collect::<Vec<_>>();
        let state = self.state(found.is_some(), &id.created);
        let gap = |s: ProvState| matches!(s, ProvState::NoEvent | ProvState::OutsideWindow);
        Provisioning {
            gap: gap(state) || grants.iter().any(|g| gap(g.state)),
            state,
            matched_on: found.as_ref().map(|(_, on)| on.clone()),
            event: found.map(|(n, _)| Box::new(self.events[n].event.clone())),
            window: self.window.cloned().map(Box::new),
            keys: {
                let mut v: Vec<String> = Vec::with_capacity(keys.len());
                for k in &keys {
                    if !v.contains(&k.value) {
                        v.push(k.value.clone());
                    }
                }
                v
            },
            grants,
        }
    }

    fn grant(&self, id: &Identity, r: &RoleAssignment, keys: &[Key]) -> GrantProvisioning {
        let mut names: Vec<String> = vec![r.role_id.to_lowercase()];
        names.extend(r.role_name.as_deref().map(str::to_lowercase));
        if let Some(g) = &r.via_group {
            names.push(g.to_lowercase());
            names.extend(
                id.groups
                    .iter()
                    .filter(|x| x.id.eq_ignore_ascii_case(g))
                    .filter_map(|x| x.name.as_deref().map(str::to_lowercase)),
            );
        }
        let found = self.best(keys, r.start.at, |e, k| {
            let names_it = e.grants.iter().any(|g| names.contains(g));
            names_it
                && match e.event.action {
                    ProvAction::RoleGranted => same_system(e, id, k),
                    ProvAction::AccessGranted => true,
                    ProvAction::AccountCreated => false,
                }
        });
        GrantProvisioning {
            role_id: r.role_id.clone(),
            role_name: r.role_name.clone(),
            assignment: r.assignment,
            via_group: r.via_group.clone(),
            state: self.state(found.is_some(), &r.start),
            event: found.map(|(n, _)| self.events[n].event.clone()),
            granted: r.start.clone(),
            prov: r.prov.clone(),
        }
    }

    fn state(&self, found: bool, made: &Ts) -> ProvState {
        if found {
            ProvState::Matched
        } else if inside(self.window, made) {
            ProvState::NoEvent
        } else {
            ProvState::OutsideWindow
        }
    }

    /// The event for `keys` that `fits`, nearest `near` (else earliest), and the key it matched.
    fn best(
        &self,
        keys: &[Key],
        near: Option<DateTime<Utc>>,
        fits: impl Fn(&LogEvent, &Key) -> bool,
    ) -> Option<(usize, String)> {
        let rank = |n: usize| {
            let e = &self.events[n];
            let tier = match e.event.action {
                ProvAction::AccountCreated | ProvAction::RoleGranted => 0,
                ProvAction::AccessGranted => 1,
            };
            let distance = match (near, e.event.at.at) {
                (Some(t), Some(at)) => (at - t).num_seconds().abs(),
                (None, Some(at)) => at.timestamp(),
                _ => i64::MAX,
            };
            (tier, distance, e.event.id.clone())
        };
        let mut best: Option<(usize, &Key)> = None;
        for k in keys {
            for &n in self.index.get(k.value.as_str()).into_iter().flatten() {
                if !fits(&self.events[n], k) {
                    continue;
                }
                if best.is_none_or(|(b, _)| rank(n) < rank(b)) {
                    best = Some((n, k));
                }
            }
        }
        best.map(|(n, k)| {
            let on = if k.sot {
                format!("source_of_truth.{}", k.field)
            } else {
                k.field.to_string()
            };
            (n, on)
        })
    }
}

/// Whether an event may name `id` by this key: object ids are unique to their system, while a
/// sign-in name or e-mail names the person in every system, so it counts only in a log of the
/// account's own system (or a generic tool's log).
fn same_system(e: &LogEvent, id: &Identity, k: &Key) -> bool {
    (k.field == "object_id" && !k.sot && !k.value.contains('@'))
        || e.system.as_deref().is_none_or(|s| s == id.source_kind)
}

/// The account's keys, then its source-of-truth identity's (sign-in name, e-mails, object id).
fn keys(id: &Identity, sot: Option<&Identity>) -> Vec<Key> {
    let mut out = Vec::new();
    for (of, is_sot) in std::iter::once((id, false)).chain(sot.map(|s| (s, true))) {
        let mut push = |value: String, field: &'static str| {
            let value = value.trim().to_lowercase();
            if !value.is_empty()
                && !out
                    .iter()
                    .any(|k: &Key| k.value == value && k.sot == is_sot)
            {
                out.push(Key {
                    value,
                    field,
                    sot: is_sot,
                });
            }
        };
        if let Some(p) = &of.principal_name_norm {
            push(p.clone(), "principal_name");
        }
        for e in &of.emails {
            push(e.clone(), "email");
        }
        // Last: a generic CSV's object id is its sign-in name, an address rather than an id.
        push(of.object_id.clone(), "object_id");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::time::iso;

    fn t(s: &str) -> Ts {
        iso(s).unwrap()
    }

    fn as_of() -> DateTime<Utc> {
        t("2026-11-20T06:00:00Z").at.unwrap()
    }

    fn prov(source: &str) -> Provenance {
        Provenance {
            source: source.into(),
            file: "f".into(),
            record: 1,
            line: None,
        }
    }

    /// An account of `source` (kind `kind`) created at `created` ("" for unknown).
    fn account(source: &str, kind: &str, oid: &str, upn: &str, created: &str) -> Identity {
        let mut i = Identity::new(source, kind, oid.into(), prov(source));
        i.set_principal_name(Some(upn.into()));
        i.created = if created.is_empty() {
            Ts::of(TimeQuality::Absent)
        } else {
            t(created)
        };
        i.correlation = Correlation::state(MatchState::Unmatched);
        i
    }

    fn sot(oid: &str, upn: &str) -> Identity {
        let mut i = account("entra", "entra", oid, upn, "2024-01-01T00:00:00Z");
        i.correlation = Correlation::state(MatchState::SourceOfTruth);
        i
    }

    fn matched_to(mut i: Identity, sot: &Identity) -> Identity {
        i.correlation.state = MatchState::Matched;
        i.correlation.sot_ref = Some(sot.reference.clone());
        i
    }

    fn event(
        id: &str,
        action: ProvAction,
        at: &str,
        automated: Option<bool>,
        targets: &[&str],
        grants: &[&str],
        system: Option<&str>,
    ) -> LogEvent {
        LogEvent {
            event: ProvEvent {
                id: id.into(),
                activity: id.into(),
                action,
                actor: None,
                actor_type: ActorType::Unknown,
                automated,
                at: t(at),
                prov: prov("log"),
            },
            targets: targets.iter().map(|s| s.to_lowercase()).collect(),
            grants: grants.iter().map(|s| s.to_lowercase()).collect(),
            system: system.map(str::to_string),
        }
    }

    fn log(source: &str, start: &str, end: &str, events: Vec<LogEvent>) -> ProvLog {
        ProvLog {
            source: source.into(),
            events,
            window: Some(ProvWindow {
                start: t(start),
                end: t(end),
            }),
        }
    }

    fn states(ids: &[Identity]) -> Vec<(&str, ProvState)> {
        ids.iter()
            .map(|i| (i.reference.as_str(), i.provisioning.state))
            .collect()
    }

    const START: &str = "2026-10-20T00:00:00Z";
    const END: &str = "2026-11-19T00:00:00Z";

    #[test]
    fn without_a_log_nothing_is_judged() {
        let mut ids = vec![account(
            "rmm",
            "csv",
            "a",
            "a@x.example",
            "2026-11-01T00:00:00Z",
        )];
        assert_eq!(provision(&mut ids, Vec::new(), as_of()), None);
        assert_eq!(ids[0].provisioning.state, ProvState::NoLog);
        assert!(!ids[0].provisioning.gap);
    }

    #[test]
    fn creation_in_the_accounts_own_system_matches_and_an_address_does_not_cross_systems() {
        let ada = sot("guid-ada", "ada@x.example");
        let okta = matched_to(
            account(
                "okta",
                "okta",
                "00u1",
                "ada@x.example",
                "2026-11-01T10:00:00Z",
            ),
            &ada,
        );
        let okta2 = account(
            "okta",
            "okta",
            "00u2",
            "bo@x.example",
            "2026-11-02T10:00:00Z",
        );
        let mut ids = vec![ada, okta, okta2];
        let logs = vec![
            log(
                "okta-log",
                START,
                END,
                vec![event(
                    "create-ada",
                    ProvAction::AccountCreated,
                    "2026-11-01T10:00:00Z",
                    Some(true),
                    &["00u1", "ada@x.example"],
                    &[],
                    Some("okta"),
                )],
            ),
            // The Entra account of the same address: not the Okta account's creation.
            log(
                "entra-audit",
                START,
                END,
                vec![event(
                    "add-bo",
                    ProvAction::AccountCreated,
                    "2026-11-02T09:00:00Z",
                    Some(false),
                    &["guid-bo", "bo@x.example"],
                    &[],
                    Some("entra"),
                )],
            ),
        ];
        let summary = provision(&mut ids, logs, as_of()).unwrap();
        assert_eq!(
            states(&ids),
            [
                ("entra/guid-ada", ProvState::NotApplicable),
                ("okta/00u1", ProvState::Matched),
                ("okta/00u2", ProvState::NoEvent),
            ]
        );
        let p = &ids[1].provisioning;
        assert_eq!(p.matched_on.as_deref(), Some("principal_name"));
        assert_eq!(p.event.as_ref().unwrap().id, "create-ada");
        assert_eq!(p.keys, ["ada@x.example", "00u1", "guid-ada"]);
        assert!(!p.gap && ids[2].provisioning.gap);
        assert_eq!(
            summary.accounts,
            ProvCounts {
                total: 2,
                matched: 1,
                automated: 1,
                no_event: 1,
                ..ProvCounts::default()
            }
        );
        assert_eq!(summary.logs, ["okta-log", "entra-audit"]);
        assert_eq!(summary.events, 2);
    }

    #[test]
    fn an_access_grant_to_the_person_accounts_for_a_downstream_account_made_after_it() {
        let ada = sot("guid-ada", "ada@x.example");
        let rmm = matched_to(
            account("rmm", "csv", "rmm-7", "ada.l", "2026-11-01T10:30:00Z"),
            &ada,
        );
        let late = matched_to(
            account("vault", "csv", "v-7", "ada.l", "2026-11-01T10:30:00Z"),
            &ada,
        );
        let mut late_only = vec![ada.clone(), late];
        let assign = |at: &str| {
            event(
                "assign",
                ProvAction::AccessGranted,
                at,
                Some(false),
                &["guid-ada", "ada@x.example"],
                &["RMM"],
                Some("entra"),
            )
        };
        let mut ids = vec![ada, rmm];
        provision(
            &mut ids,
            vec![log("a", START, END, vec![assign("2026-11-01T10:00:00Z")])],
            as_of(),
        );
        let p = &ids[1].provisioning;
        assert_eq!(p.state, ProvState::Matched);
        assert_eq!(
            p.matched_on.as_deref(),
            Some("source_of_truth.principal_name")
        );
        // Assigned two days after the account existed: it did not create it.
        provision(
            &mut late_only,
            vec![log("a", START, END, vec![assign("2026-11-03T10:00:00Z")])],
            as_of(),
        );
        assert_eq!(late_only[1].provisioning.state, ProvState::NoEvent);
    }

    #[test]
    fn outside_or_unknown_creation_and_disjoint_logs_cannot_be_judged() {
        let mut ids = vec![
            account("rmm", "csv", "old", "old@x.example", "2025-01-01T00:00:00Z"),
            account("rmm", "csv", "undated", "u@x.example", ""),
            account("rmm", "csv", "edge", "e@x.example", "2026-10-20T05:00:00Z"),
            account(
                "rmm",
                "csv",
                "inside",
                "i@x.example",
                "2026-10-20T05:00:00Z",
            ),
        ];
        // A local time (no zone) within a day of the window's start is not clearly inside.
        ids[2].created.quality = TimeQuality::Local;
        let one = || vec![log("a", START, END, vec![])];
        let summary = provision(&mut ids, one(), as_of()).unwrap();
        assert_eq!(
            ids.iter().map(|i| i.provisioning.state).collect::<Vec<_>>(),
            [
                ProvState::OutsideWindow,
                ProvState::OutsideWindow,
                ProvState::OutsideWindow,
                ProvState::NoEvent,
            ]
        );
        assert_eq!(summary.accounts.outside_window, 3);
        assert_eq!(
            summary.window.unwrap().start.days_ago,
            Some(31),
            "aged from as_of"
        );
        let disjoint = vec![
            log("a", START, "2026-10-25T00:00:00Z", vec![]),
            log("b", "2026-11-01T00:00:00Z", END, vec![]),
        ];
        let summary = provision(&mut ids, disjoint, as_of()).unwrap();
        assert_eq!(summary.window, None);
        assert_eq!(ids[3].provisioning.state, ProvState::OutsideWindow);
        // Two logs: only where both record is covered.
        let both = vec![
            log("a", START, END, vec![]),
            log("b", "2026-11-01T00:00:00Z", END, vec![]),
        ];
        let summary = provision(&mut ids, both, as_of()).unwrap();
        assert_eq!(
            summary.window.unwrap().start.at,
            t("2026-11-01T00:00:00Z").at
        );
        assert_eq!(ids[3].provisioning.state, ProvState::OutsideWindow);
    }

    #[test]
    fn privileged_grants_need_a_grant_naming_the_role() {
        let role = |id: &str, start: &str, assignment: AssignmentKind| RoleAssignment {
            role_id: id.into(),
            role_name: Some(format!("{id} name")),
            scope: "/".into(),
            assignment,
            privileged: true,
            top: false,
            via_group: None,
            start: if start.is_empty() {
                Ts::of(TimeQuality::Absent)
            } else {
                t(start)
            },
            end: Ts::of(TimeQuality::Never),
            prov: prov("okta"),
        };
        let mut admin = account(
            "okta",
            "okta",
            "00u9",
            "it@x.example",
            "2025-01-01T00:00:00Z",
        );
        admin.roles = vec![
            role(
                "SUPER_ADMIN",
                "2026-11-05T00:00:00Z",
                AssignmentKind::Permanent,
            ),
            role(
                "ORG_ADMIN",
                "2026-11-06T00:00:00Z",
                AssignmentKind::Permanent,
            ),
            role("APP_ADMIN", "", AssignmentKind::Permanent),
            role(
                "HELP_DESK_ADMIN",
                "2026-11-07T00:00:00Z",
                AssignmentKind::Activated,
            ),
        ];
        admin.roles[0].privileged = true;
        let mut plain = admin.clone();
        plain.roles.iter_mut().for_each(|r| r.privileged = false);
        plain.reference = "okta/plain".into();
        let mut ids = vec![admin, plain];
        let grant = event(
            "grant",
            ProvAction::RoleGranted,
            "2026-11-05T00:00:00Z",
            Some(false),
            &["00u9"],
            &["super_admin name"],
            Some("okta"),
        );
        let summary =
            provision(&mut ids, vec![log("l", START, END, vec![grant])], as_of()).unwrap();
        let g: Vec<(&str, ProvState)> = ids[0]
            .provisioning
            .grants
            .iter()
            .map(|g| (g.role_id.as_str(), g.state))
            .collect();
        assert_eq!(
            g,
            [
                ("SUPER_ADMIN", ProvState::Matched),
                ("ORG_ADMIN", ProvState::NoEvent),
                ("APP_ADMIN", ProvState::OutsideWindow),
            ],
            "an activation is not a grant"
        );
        // The account itself predates the window; its grants still make it a gap.
        assert_eq!(ids[0].provisioning.state, ProvState::OutsideWindow);
        assert!(ids[0].provisioning.gap);
        assert!(ids[1].provisioning.grants.is_empty());
        assert_eq!(
            summary.grants,
            ProvCounts {
                total: 3,
                matched: 1,
                manual: 1,
                no_event: 1,
                outside_window: 1,
                ..ProvCounts::default()
            }
        );
        assert_eq!(
            crate::report::drift::automated_share(Some(&summary)),
            Some(0.0)
        );
    }
}
