//! The control view of report.html: each framework control's verdict per tenant (lead
//! access-permission controls first), linked to the findings behind it. Renders only.

use super::{anchor, escape};
use crate::report::{Report, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Controls shown first in the control view: the access-permissions controls MSP audits ask for.
const LEAD_CONTROLS: [(&str, &str); 2] =
    [("nist-csf-1.1", "PR.AC-4"), ("nist-csf-2.0", "PR.AA-05")];

/// Every (framework, control) the rules map to, with the rules: lead controls first, then by
/// framework and control.
fn controls(r: &Report) -> Vec<((String, String), Vec<String>)> {
    let mut map: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for rule in &r.rules {
        for (fw, ids) in &rule.controls {
            for id in ids {
                map.entry((fw.clone(), id.clone()))
                    .or_default()
                    .insert(rule.id.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (fw, id) in LEAD_CONTROLS {
        if let Some(rules) = map.remove(&(fw.to_string(), id.to_string())) {
            out.push((
                (fw.to_string(), id.to_string()),
                rules.into_iter().collect(),
            ));
        }
    }
    out.extend(map.into_iter().map(|(k, v)| (k, v.into_iter().collect())));
    out
}

pub(super) fn control_view(r: &Report, o: &mut String) {
    o.push_str("<section id=controls><h2>Control view</h2>\n<p>Per control and tenant: <span class=fail>fail</span> when a mapped rule failed, else <span class=ne>not evaluable</span> when one could not be judged (or errored, or the tenant was not audited), else <span class=waived>waived</span> when a mapped rule's findings are all waived, else <span class=pass>pass</span>. Links lead to the findings.</p>\n");
    let list = controls(r);
    if list.is_empty() {
        o.push_str("<p>No rule maps to a control.</p></section>\n");
        return;
    }
    let mut framework = "";
    for ((fw, id), rules) in &list {
        let lead = LEAD_CONTROLS.contains(&(fw.as_str(), id.as_str()));
        let group = if lead { "lead" } else { fw.as_str() };
        if group != framework {
            if !framework.is_empty() {
                o.push_str("</table>\n");
            }
            framework = group;
            let title = if lead {
                "Access permissions (NIST CSF 1.1 PR.AC-4, CSF 2.0 PR.AA-05)".to_string()
            } else {
                match r.frameworks.get(fw) {
                    Some(f) => format!("{} ({})", escape(&f.title), escape(fw)),
                    None => escape(fw),
                }
            };
            let _ = write!(
                o,
                "<h3>{title}</h3>\n<table><tr><th>control</th><th>rules</th>"
            );
            for t in &r.tenants {
                let _ = write!(o, "<th>{}</th>", escape(&t.id));
            }
            o.push_str("</tr>\n");
        }
        // The control's title from the catalogue; an unknown control shows its id alone.
        let ctitle = r
            .frameworks
            .get(fw)
            .and_then(|f| f.controls.get(id))
            .map(|t| format!(" <span class=meta>{}</span>", escape(t)))
            .unwrap_or_default();
        let _ = write!(
            o,
            "<tr><th>{} {}{ctitle}</th><td>{}</td>",
            escape(fw),
            escape(id),
            escape(&rules.join(", "))
        );
        for t in &r.tenants {
            let mapped: Vec<_> = t.rules.iter().filter(|v| rules.contains(&v.rule)).collect();
            let (class, word) = if mapped.iter().any(|v| v.verdict == Verdict::Fail) {
                ("fail", "fail")
            } else if mapped
                .iter()
                .any(|v| !matches!(v.verdict, Verdict::Pass | Verdict::Waived))
                || mapped.is_empty()
            {
                ("ne", "not evaluable")
            } else if mapped.iter().any(|v| v.verdict == Verdict::Waived) {
                ("waived", "waived")
            } else {
                ("pass", "pass")
            };
            let _ = write!(o, "<td><span class={class}>{word}</span>");
            for v in mapped.iter().filter(|v| v.findings + v.waived > 0) {
                let waived = if v.waived > 0 {
                    format!(" (+{} waived)", v.waived)
                } else {
                    String::new()
                };
                let _ = write!(
                    o,
                    "<br><a href=\"#{}\">{}</a> ×{}{waived}",
                    anchor(&["findings", &t.id, &v.rule]),
                    escape(&v.rule),
                    v.findings
                );
            }
            o.push_str("</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table></section>\n");
}
