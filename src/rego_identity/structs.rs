//! One conversion per model struct, each destructuring its struct without `..` (a new field
//! fails the build here) and listing every field with its value: a flat table.

use super::{memo_code, Memo};
use super::{object, opt_bool, opt_i64, opt_str, str_value, time_value, tri, Builder, Keys};
use crate::model::*;
use regorus::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Two timestamps with the same value (the raw text is not part of it).
fn same_instant(a: &Ts, b: &Ts) -> bool {
    a.at == b.at && a.quality == b.quality && a.days_ago == b.days_ago
}

impl Builder {
    fn ts(&mut self, k: &Keys, t: &Ts) -> Value {
        let Ts {
            at,
            quality,
            days_ago,
            raw: _,
        } = t;
        let blank = at.is_none() && days_ago.is_none();
        if blank {
            if let Some(Some(v)) = self.null_ts.get(*quality as usize) {
                return v.clone();
            }
        }
        let at = match at {
            Some(at) => time_value(at),
            None => Value::Null,
        };
        let v = object(
            [
                (&k.at, at),
                (&k.days_ago, opt_i64(*days_ago)),
                (&k.quality, self.time_quality(*quality)),
            ],
            &mut self.shapes.ts,
        );
        if blank {
            if let Some(slot) = self.null_ts.get_mut(*quality as usize) {
                *slot = Some(v.clone());
            }
        }
        v
    }

    fn prov(&mut self, k: &Keys, p: &Provenance) -> Value {
        let Provenance {
            source,
            file,
            record,
            line,
        } = p;
        match line {
            Some(line) => object(
                [
                    (&k.file, self.shared(file)),
                    (&k.line, Value::from(*line)),
                    (&k.record, Value::from(*record)),
                    (&k.source, self.shared(source)),
                ],
                &mut self.shapes.prov_line,
            ),
            None => object(
                [
                    (&k.file, self.shared(file)),
                    (&k.record, Value::from(*record)),
                    (&k.source, self.shared(source)),
                ],
                &mut self.shapes.prov,
            ),
        }
    }

    /// One top-level field of an identity, built exactly as in [`Builder::identity`]; None for
    /// a name the model does not have.
    pub(super) fn field(&mut self, k: &Keys, i: &Identity, name: &str) -> Option<Value> {
        let opt = |v: Option<Value>| v.unwrap_or(Value::Null);
        Some(match name {
            "ref" => str_value(&i.reference),
            "source" => self.shared(&i.source),
            "source_kind" => self.shared(&i.source_kind),
            "object_id" => str_value(&i.object_id),
            "alt_ids" => self.alt_ids(&i.alt_ids),
            "principal_name" => opt_str(&i.principal_name),
            "principal_name_norm" => opt_str(&i.principal_name_norm),
            "emails" => self.list(&i.emails),
            "display_name" => opt_str(&i.display_name),
            "kind" => self.kind(i.kind),
            "kind_evidence" => self.shared_list(&i.kind_evidence),
            "non_human" => Value::from(i.non_human),
            "status" => self.status(i.status),
            "status_raw" => self.opt_shared(&i.status_raw),
            "enabled" => opt_bool(i.enabled),
            "created" => self.ts(k, &i.created),
            "activity" => self.activity(k, &i.activity),
            "password" => self.password(k, &i.password),
            "account_expires" => self.ts(k, &i.account_expires),
            "employment" => self.employment(k, &i.employment),
            "mfa" => self.mfa(k, &i.mfa),
            "privileged" => opt_bool(i.privileged),
            "top_role" => opt_bool(i.top_role),
            "roles" => self.each(k, &i.roles, Builder::role),
            "groups" => self.each(k, &i.groups, Builder::group),
            "credentials" => self.each(k, &i.credentials, Builder::credential),
            "owners" => opt(i.owners.as_ref().map(|o| self.each(k, o, Builder::owner))),
            "clients" => self.clients(k, &i.clients),
            "correlation" => self.correlation(k, &i.correlation),
            "delegation" => opt(i.delegation.as_ref().map(|d| self.delegation(k, d))),
            "staff" => opt(i.staff.as_ref().map(|s| self.staff(k, s))),
            "reuse" => opt(i.reuse.as_ref().map(|r| self.reuse(k, r))),
            "provisioning" => self.provisioning(k, &i.provisioning),
            "derived" => self.derived(k, &i.derived),
            "prov" => self.prov(k, &i.prov),
            _ => return None,
        })
    }

    pub(super) fn identity(&mut self, k: &Keys, i: &Identity) -> Value {
        let Identity {
            reference,
            source,
            source_kind,
            object_id,
            alt_ids,
            principal_name,
            principal_name_norm,
            emails,
            display_name,
            kind,
            kind_evidence,
            non_human,
            status,
            status_raw,
            enabled,
            created,
            activity,
            password,
            account_expires,
            employment,
            mfa,
            privileged,
            top_role,
            roles,
            groups,
            credentials,
            owners,
            clients,
            correlation,
            delegation,
            staff,
            reuse,
            provisioning,
            derived,
            prov,
        } = i;
        let principal_name = opt_str(principal_name);
        // Mostly the same text as the principal name: share it.
        let principal_name_norm = match (principal_name_norm, &principal_name) {
            (Some(n), Value::String(p)) if **p == **n => principal_name.clone(),
            (n, _) => opt_str(n),
        };
        object(
            [
                (&k.reference, str_value(reference)),
                (&k.source, self.shared(source)),
                (&k.source_kind, self.shared(source_kind)),
                (&k.object_id, str_value(object_id)),
                (&k.alt_ids, self.alt_ids(alt_ids)),
                (&k.principal_name, principal_name),
                (&k.principal_name_norm, principal_name_norm),
                (&k.emails, self.list(emails)),
                (&k.display_name, opt_str(display_name)),
                (&k.kind, self.kind(*kind)),
                (&k.kind_evidence, self.shared_list(kind_evidence)),
                (&k.non_human, Value::from(*non_human)),
                (&k.status, self.status(*status)),
                (&k.status_raw, self.opt_shared(status_raw)),
                (&k.enabled, opt_bool(*enabled)),
                (&k.created, self.ts(k, created)),
                (&k.activity, self.activity(k, activity)),
                (&k.password, self.password(k, password)),
                (&k.account_expires, self.ts(k, account_expires)),
                (&k.employment, self.employment(k, employment)),
                (&k.mfa, self.mfa(k, mfa)),
                (&k.privileged, opt_bool(*privileged)),
                (&k.top_role, opt_bool(*top_role)),
                (&k.roles, self.each(k, roles, Builder::role)),
                (&k.groups, self.each(k, groups, Builder::group)),
                (
                    &k.credentials,
                    self.each(k, credentials, Builder::credential),
                ),
                (
                    &k.owners,
                    match owners {
                        Some(owners) => self.each(k, owners, Builder::owner),
                        None => Value::Null,
                    },
                ),
                (&k.clients, self.clients(k, clients)),
                (&k.correlation, self.correlation(k, correlation)),
                (
                    &k.delegation,
                    match delegation {
                        Some(d) => self.delegation(k, d),
                        None => Value::Null,
                    },
                ),
                (
                    &k.staff,
                    match staff {
                        Some(s) => self.staff(k, s),
                        None => Value::Null,
                    },
                ),
                (
                    &k.reuse,
                    match reuse {
                        Some(r) => self.reuse(k, r),
                        None => Value::Null,
                    },
                ),
                (&k.provisioning, self.provisioning(k, provisioning)),
                (&k.derived, self.derived(k, derived)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.identity,
        )
    }

    fn alt_ids(&mut self, ids: &BTreeMap<String, String>) -> Value {
        if ids.is_empty() {
            return self.empty_object.clone();
        }
        // The names repeat (sid, arn, provider); the values mostly do not.
        Value::from(
            ids.iter()
                .map(|(name, v)| (self.shared(name), str_value(v)))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn activity(&mut self, k: &Keys, a: &Activity) -> Value {
        let Activity {
            last_interactive,
            last_non_interactive,
            last_successful,
            last_any,
            known,
        } = a;
        let interactive = self.ts(k, last_interactive);
        let non_interactive = self.ts(k, last_non_interactive);
        let successful = self.ts(k, last_successful);
        // The latest is one of the others: share its value.
        let any = [
            (last_interactive, &interactive),
            (last_non_interactive, &non_interactive),
            (last_successful, &successful),
        ]
        .into_iter()
        .find(|(t, _)| same_instant(t, last_any))
        .map(|(_, v)| v.clone());
        let any = any.unwrap_or_else(|| self.ts(k, last_any));
        object(
            [
                (&k.last_interactive, interactive),
                (&k.last_non_interactive, non_interactive),
                (&k.last_successful, successful),
                (&k.last_any, any),
                (&k.known, Value::from(*known)),
            ],
            &mut self.shapes.activity,
        )
    }

    fn password(&mut self, k: &Keys, p: &Password) -> Value {
        let Password {
            enabled,
            last_set,
            never_expires,
            not_required,
            must_change,
        } = p;
        let code = if last_set.at.is_none() && last_set.days_ago.is_none() {
            memo_code(
                Memo::Password,
                &[
                    tri(*enabled),
                    tri(*never_expires),
                    tri(*not_required),
                    tri(*must_change),
                    last_set.quality as u64,
                ],
            )
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [
                (&k.enabled, opt_bool(*enabled)),
                (&k.last_set, self.ts(k, last_set)),
                (&k.never_expires, opt_bool(*never_expires)),
                (&k.not_required, opt_bool(*not_required)),
                (&k.must_change, opt_bool(*must_change)),
            ],
            &mut self.shapes.password,
        );
        self.remember(code, &v);
        v
    }

    fn employment(&mut self, k: &Keys, e: &Employment) -> Value {
        let Employment {
            employee_id,
            employee_type,
            department,
            title,
            manager,
            hire_date,
            leave_date,
        } = e;
        let blank = employee_id.is_none()
            && employee_type.is_none()
            && department.is_none()
            && title.is_none()
            && manager.is_none()
            && hire_date.at.is_none()
            && hire_date.days_ago.is_none()
            && leave_date.at.is_none()
            && leave_date.days_ago.is_none();
        let code = if blank {
            memo_code(
                Memo::Employment,
                &[hire_date.quality as u64, leave_date.quality as u64],
            )
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [
                (&k.employee_id, opt_str(employee_id)),
                (&k.employee_type, self.opt_shared(employee_type)),
                (&k.department, self.opt_shared(department)),
                (&k.title, self.opt_shared(title)),
                (&k.manager, self.opt_shared(manager)),
                (&k.hire_date, self.ts(k, hire_date)),
                (&k.leave_date, self.ts(k, leave_date)),
            ],
            &mut self.shapes.employment,
        );
        self.remember(code, &v);
        v
    }

    fn mfa(&mut self, k: &Keys, m: &Mfa) -> Value {
        let Mfa {
            registered,
            capable,
            methods,
            source,
            enforced,
        } = m;
        let code = if methods.is_empty() && source.is_none() {
            memo_code(
                Memo::Mfa,
                &[tri(*registered), tri(*capable), tri(*enforced)],
            )
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [
                (&k.registered, opt_bool(*registered)),
                (&k.capable, opt_bool(*capable)),
                (&k.methods, self.shared_list(methods)),
                (&k.source, opt_str(source)),
                (&k.enforced, opt_bool(*enforced)),
            ],
            &mut self.shapes.mfa,
        );
        self.remember(code, &v);
        v
    }

    fn role(&mut self, k: &Keys, r: &RoleAssignment) -> Value {
        let RoleAssignment {
            role_id,
            role_name,
            scope,
            assignment,
            privileged,
            top,
            via_group,
            start,
            end,
            prov,
        } = r;
        object(
            [
                (&k.role_id, self.shared(role_id)),
                (&k.role_name, self.opt_shared(role_name)),
                (&k.scope, self.shared(scope)),
                (&k.assignment, self.assignment(*assignment)),
                (&k.privileged, Value::from(*privileged)),
                (&k.top, Value::from(*top)),
                (&k.via_group, self.opt_shared(via_group)),
                (&k.start, self.ts(k, start)),
                (&k.end, self.ts(k, end)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.role,
        )
    }

    fn group(&mut self, k: &Keys, g: &GroupRef) -> Value {
        let GroupRef { id, name } = g;
        object(
            [(&k.id, self.shared(id)), (&k.name, self.opt_shared(name))],
            &mut self.shapes.group,
        )
    }

    fn credential(&mut self, k: &Keys, c: &Credential) -> Value {
        let Credential {
            id,
            kind,
            display_name,
            hint,
            active,
            created,
            rotated,
            expires,
            last_used,
            last_used_where,
            origin,
            lifetime_days,
            expired,
            derived,
            prov,
        } = c;
        let created_v = self.ts(k, created);
        // Mostly the creation itself.
        let rotated_v = if same_instant(rotated, created) {
            created_v.clone()
        } else {
            self.ts(k, rotated)
        };
        object(
            [
                (&k.id, str_value(id)),
                (&k.kind, self.credential_kind(*kind)),
                (&k.display_name, self.opt_shared(display_name)),
                (&k.hint, opt_str(hint)),
                (&k.active, opt_bool(*active)),
                (&k.created, created_v.clone()),
                (&k.rotated, rotated_v),
                (&k.expires, self.ts(k, expires)),
                (&k.last_used, self.ts(k, last_used)),
                (&k.last_used_where, self.opt_shared(last_used_where)),
                (&k.origin, self.opt_shared(origin)),
                (&k.lifetime_days, opt_i64(*lifetime_days)),
                (&k.expired, opt_bool(*expired)),
                (&k.derived, self.credential_derived(k, derived)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.credential,
        )
    }

    fn credential_derived(&mut self, k: &Keys, d: &CredentialDerived) -> Value {
        let CredentialDerived {
            live,
            age_days,
            use_state,
            unused_days,
            no_expiry,
        } = d;
        object(
            [
                (&k.live, opt_bool(*live)),
                (&k.age_days, opt_i64(*age_days)),
                (&k.use_state, self.use_state(*use_state)),
                (&k.unused_days, opt_i64(*unused_days)),
                (&k.no_expiry, Value::from(*no_expiry)),
            ],
            &mut self.shapes.credential_derived,
        )
    }

    fn owner(&mut self, k: &Keys, o: &Owner) -> Value {
        let Owner {
            id,
            principal_name,
            enabled,
        } = o;
        object(
            [
                (&k.id, str_value(id)),
                (&k.principal_name, opt_str(principal_name)),
                (&k.enabled, opt_bool(*enabled)),
            ],
            &mut self.shapes.owner,
        )
    }

    fn clients(&mut self, k: &Keys, c: &Clients) -> Value {
        let Clients { ids, all } = c;
        let code = if ids.is_empty() {
            memo_code(Memo::Clients, &[tri(*all)])
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [(&k.ids, self.shared_list(ids)), (&k.all, opt_bool(*all))],
            &mut self.shapes.clients,
        );
        self.remember(code, &v);
        v
    }

    fn correlation(&mut self, k: &Keys, c: &Correlation) -> Value {
        let Correlation {
            state,
            method,
            value,
            sot_ref,
            candidates,
            sot,
        } = c;
        let blank = method.is_none()
            && value.is_none()
            && sot_ref.is_none()
            && candidates.is_empty()
            && sot.is_none();
        let code = if blank {
            memo_code(Memo::Correlation, &[*state as u64])
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [
                (&k.state, self.match_state(*state)),
                (
                    &k.method,
                    match method {
                        Some(m) => self.match_key(*m),
                        None => Value::Null,
                    },
                ),
                (&k.value, opt_str(value)),
                (&k.sot_ref, opt_str(sot_ref)),
                (&k.candidates, self.list(candidates)),
                (
                    &k.sot,
                    match sot {
                        Some(s) => self.sot(k, s),
                        None => Value::Null,
                    },
                ),
            ],
            &mut self.shapes.correlation,
        );
        self.remember(code, &v);
        v
    }

    fn sot(&mut self, k: &Keys, s: &SotFacts) -> Value {
        let SotFacts {
            gone,
            enabled,
            status,
            leave_date,
            principal_name,
            groups,
            prov,
        } = s;
        object(
            [
                (&k.gone, opt_bool(*gone)),
                (&k.enabled, opt_bool(*enabled)),
                (&k.status, self.status(*status)),
                (&k.leave_date, self.ts(k, leave_date)),
                (&k.principal_name, opt_str(principal_name)),
                (
                    &k.groups,
                    match groups {
                        Some(g) => self.shared_list(g),
                        None => Value::Null,
                    },
                ),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.sot,
        )
    }

    fn staff(&mut self, k: &Keys, s: &StaffLink) -> Value {
        let StaffLink {
            state,
            staff_ref,
            method,
            value,
            principal_name,
            gone,
        } = s;
        object(
            [
                (&k.state, self.staff_state(*state)),
                (&k.staff_ref, opt_str(staff_ref)),
                (
                    &k.method,
                    match method {
                        Some(m) => self.match_key(*m),
                        None => Value::Null,
                    },
                ),
                (&k.value, opt_str(value)),
                (&k.principal_name, opt_str(principal_name)),
                (&k.gone, opt_bool(*gone)),
            ],
            &mut self.shapes.staff,
        )
    }

    fn reuse(&mut self, k: &Keys, r: &Reuse) -> Value {
        let Reuse { found, keys } = r;
        object(
            [
                (&k.found, Value::from(*found)),
                (&k.keys, self.each(k, keys, |b, k, key| b.reuse_key(k, key))),
            ],
            &mut self.shapes.reuse,
        )
    }

    fn reuse_key(&mut self, k: &Keys, key: &Arc<ReuseKey>) -> Value {
        let ReuseKey {
            kind,
            value,
            tenants,
            accounts,
            account_count,
        } = &**key;
        object(
            [
                (&k.kind, self.reuse_kind(*kind)),
                (&k.value, str_value(value)),
                (&k.tenants, self.shared_list(tenants)),
                (&k.accounts, self.each(k, accounts, Builder::reuse_account)),
                (&k.account_count, Value::from(*account_count as u64)),
            ],
            &mut self.shapes.reuse_key,
        )
    }

    fn reuse_account(&mut self, k: &Keys, a: &ReuseAccount) -> Value {
        let ReuseAccount {
            tenant,
            reference,
            prov,
        } = a;
        object(
            [
                (&k.tenant, self.shared(tenant)),
                (&k.reference, str_value(reference)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.reuse_account,
        )
    }

    fn delegation(&mut self, k: &Keys, d: &Delegation) -> Value {
        let Delegation {
            customer_id,
            customer_name,
            status,
            duration,
            duration_days,
            auto_extend_days,
            ends,
            access_containers,
        } = d;
        object(
            [
                (&k.customer_id, opt_str(customer_id)),
                (&k.customer_name, opt_str(customer_name)),
                (&k.status, self.opt_shared(status)),
                (&k.duration, self.opt_shared(duration)),
                (&k.duration_days, opt_i64(*duration_days)),
                (&k.auto_extend_days, opt_i64(*auto_extend_days)),
                (&k.ends, self.ts(k, ends)),
                (
                    &k.access_containers,
                    self.each(k, access_containers, Builder::access_container),
                ),
            ],
            &mut self.shapes.delegation,
        )
    }

    fn access_container(&mut self, k: &Keys, a: &AccessContainer) -> Value {
        let AccessContainer {
            group_id,
            group_name,
            role_ids,
            status,
            technicians,
            departed,
        } = a;
        object(
            [
                (&k.group_id, self.shared(group_id)),
                (&k.group_name, self.opt_shared(group_name)),
                (&k.role_ids, self.shared_list(role_ids)),
                (&k.status, self.opt_shared(status)),
                (&k.technicians, self.shared_list(technicians)),
                (&k.departed, self.shared_list(departed)),
            ],
            &mut self.shapes.access_container,
        )
    }

    fn provisioning(&mut self, k: &Keys, p: &Provisioning) -> Value {
        let Provisioning {
            state,
            gap,
            event,
            matched_on,
            window,
            keys,
            grants,
        } = p;
        let blank = event.is_none()
            && matched_on.is_none()
            && window.is_none()
            && keys.is_empty()
            && grants.is_empty();
        let code = if blank {
            memo_code(Memo::Provisioning, &[*state as u64, *gap as u64])
        } else {
            None
        };
        if let Some(v) = self.memo_get(code) {
            return v;
        }
        let v = object(
            [
                (&k.state, self.prov_state(*state)),
                (&k.gap, Value::from(*gap)),
                (
                    &k.event,
                    match event {
                        Some(e) => self.prov_event(k, e),
                        None => Value::Null,
                    },
                ),
                (&k.matched_on, self.opt_shared(matched_on)),
                (
                    &k.window,
                    match window {
                        Some(w) => self.prov_window(k, w),
                        None => Value::Null,
                    },
                ),
                (&k.keys, self.list(keys)),
                (&k.grants, self.each(k, grants, Builder::grant)),
            ],
            &mut self.shapes.provisioning,
        );
        self.remember(code, &v);
        v
    }

    fn prov_event(&mut self, k: &Keys, e: &ProvEvent) -> Value {
        let ProvEvent {
            id,
            activity,
            action,
            actor,
            actor_type,
            automated,
            at,
            prov,
        } = e;
        object(
            [
                (&k.id, str_value(id)),
                (&k.activity, self.shared(activity)),
                (&k.action, self.prov_action(*action)),
                (&k.actor, self.opt_shared(actor)),
                (&k.actor_type, self.actor_type(*actor_type)),
                (&k.automated, opt_bool(*automated)),
                (&k.at, self.ts(k, at)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.prov_event,
        )
    }

    fn prov_window(&mut self, k: &Keys, w: &ProvWindow) -> Value {
        if let Some((last, v)) = &self.window {
            if last == w {
                return v.clone();
            }
        }
        let ProvWindow { start, end } = w;
        let v = object(
            [(&k.start, self.ts(k, start)), (&k.end, self.ts(k, end))],
            &mut self.shapes.prov_window,
        );
        self.window = Some((w.clone(), v.clone()));
        v
    }

    fn grant(&mut self, k: &Keys, g: &GrantProvisioning) -> Value {
        let GrantProvisioning {
            role_id,
            role_name,
            assignment,
            via_group,
            state,
            event,
            granted,
            prov,
        } = g;
        object(
            [
                (&k.role_id, self.shared(role_id)),
                (&k.role_name, self.opt_shared(role_name)),
                (&k.assignment, self.assignment(*assignment)),
                (&k.via_group, self.opt_shared(via_group)),
                (&k.state, self.prov_state(*state)),
                (
                    &k.event,
                    match event {
                        Some(e) => self.prov_event(k, e),
                        None => Value::Null,
                    },
                ),
                (&k.granted, self.ts(k, granted)),
                (&k.prov, self.prov(k, prov)),
            ],
            &mut self.shapes.grant,
        )
    }

    fn derived(&mut self, k: &Keys, d: &Derived) -> Value {
        let Derived {
            user_account,
            activity,
            activity_days,
            created_days,
            standing_privileged,
            has_roles,
            has_credentials,
        } = d;
        object(
            [
                (&k.user_account, Value::from(*user_account)),
                (&k.activity, self.use_state(*activity)),
                (&k.activity_days, opt_i64(*activity_days)),
                (&k.created_days, opt_i64(*created_days)),
                (&k.standing_privileged, Value::from(*standing_privileged)),
                (&k.has_roles, Value::from(*has_roles)),
                (&k.has_credentials, Value::from(*has_credentials)),
            ],
            &mut self.shapes.derived,
        )
    }
}
