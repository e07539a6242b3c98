//! report.junit.xml: JUnit XML for CI test views (GitLab, Jenkins, Azure DevOps).
//!
//! One `<testsuite>` per tenant, one `<testcase>` per tenant × rule: `fail` → `<failure>` listing
//! the findings, `not_evaluable` and `not_audited` → `<skipped>`, `error` → `<error>`, `pass` →
//! an empty testcase. Every text and attribute is XML-escaped; no wall-clock time is written, so
//! identical reports give identical bytes. Renders only.

use super::{Report, RuleVerdict, Verdict};
use crate::finding::Finding;
use std::collections::BTreeMap;
use std::io::Write;

/// XML-escape text or an attribute value; characters XML 1.0 cannot hold become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, v: Verdict) {
        self.tests += 1;
        match v {
            Verdict::Fail => self.failures += 1,
            Verdict::Error => self.errors += 1,
            Verdict::NotEvaluable | Verdict::NotAudited | Verdict::Waived => self.skipped += 1,
            Verdict::Pass => {}
        }
    }
    fn attrs(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// One finding as a line of a `<failure>` body: severity, subject, message, where it came from.
fn finding_line(f: &Finding) -> String {
    let mut line = format!(
        "[{}] {}: {}",
        f.severity.as_str(),
        f.subject.reference,
        f.message
    );
    if let Some(k) = &f.key {
        line.push_str(&format!(" (key {k})"));
    }
    for p in &f.provenance {
        line.push_str(&format!("\n    at {}", p.locator()));
    }
    line.push_str(&format!("\n    fingerprint {}", f.fingerprint));
    if let Some(w) = &f.waived {
        line.push_str(&format!("\n    waived by {} ({})", w.declared, w.reason));
    }
    escape(&line)
}

fn testcase(
    out: &mut dyn Write,
    report: &Report,
    tenant: &super::TenantReport,
    r: &RuleVerdict,
    findings: &[&Finding],
) -> std::io::Result<()> {
    let title = report
        .rules
        .iter()
        .find(|x| x.id == r.rule)
        .map(|x| x.title.as_str())
        .unwrap_or("");
    write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(&tenant.id),
        escape(format!("{} {title}", r.rule).trim_end())
    )?;
    match r.verdict {
        Verdict::Pass => writeln!(out, "/>"),
        Verdict::Fail => {
            let severity = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .map(|s| s.as_str())
                .unwrap_or("");
            writeln!(out, ">")?;
            write!(
                out,
                "      <failure message=\"{} findings\" type=\"{severity}\">",
                r.findings
            )?;
            for (i, f) in findings.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                write!(out, "{}", finding_line(f))?;
            }
            writeln!(out, "</failure>")?;
            writeln!(out, "    </testcase>")
        }
        Verdict::Waived => {
            writeln!(out, ">")?;
            let body: Vec<String> = findings.iter().map(|f| finding_line(f)).collect();
            writeln!(
                out,
                "      <skipped message=\"waived: {} findings\">{}</skipped>",
                r.waived,
                body.join("\n")
            )?;
            writeln!(out, "    </testcase>")
        }
        Verdict::NotEvaluable => {
            writeln!(out, ">")?;
            write!(
                out,
                "      <skipped message=\"not evaluable: {} subjects\"",
                r.not_evaluable
            )?;
            if r.not_evaluable_subjects.is_empty() {
                writeln!(out, "/>")?;
            } else {
                let body: Vec<String> = r
                    .not_evaluable_subjects
                    .iter()
                    .map(|n| match &n.key {
                        Some(k) => format!("{} ({k}): {}", n.subject, n.reason),
                        None => format!("{}: {}", n.subject, n.reason),
                    })
                    .collect();
                writeln!(out, ">{}</skipped>", escape(&body.join("\n")))?;
            }
            writeln!(out, "    </testcase>")
        }
        Verdict::NotAudited => {
            writeln!(out, ">")?;
            let why: Vec<String> = tenant.errors.iter().map(|e| e.to_string()).collect();
            let message = if why.is_empty() {
                "tenant not audited".to_string()
            } else {
                format!("tenant not audited: {}", why.join("; "))
            };
            writeln!(out, "      <skipped message=\"{}\"/>", escape(&message))?;
            writeln!(out, "    </testcase>")
        }
        Verdict::Error => {
            writeln!(out, ">")?;
            let body: Vec<String> = report
                .policy_errors
                .iter()
                .filter(|e| e.rule.as_deref() == Some(r.rule.as_str()))
                .filter(|e| e.tenant.is_none() || e.tenant.as_deref() == Some(tenant.id.as_str()))
                .map(|e| e.to_string())
                .collect();
            writeln!(
                out,
                "      <error message=\"policy error\" type=\"policy\">{}</error>",
                escape(&body.join("\n"))
            )?;
            writeln!(out, "    </testcase>")
        }
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut by_case: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_case
            .entry((f.tenant.as_str(), f.rule.as_str()))
            .or_default()
            .push(f);
    }
    let mut total = Counts::default();
    let per_tenant: Vec<Counts> = report
        .tenants
        .iter()
        .map(|t| {
            let mut c = Counts::default();
            for r in &t.rules {
                c.add(r.verdict);
                total.add(r.verdict);
            }
            c
        })
        .collect();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, "<testsuites name=\"driftgate\" {}>", total.attrs())?;
    for (t, counts) in report.tenants.iter().zip(&per_tenant) {
        writeln!(
            out,
            "  <testsuite name=\"{}\" {}>",
            escape(&t.id),
            counts.attrs()
        )?;
        writeln!(out, "    <properties>")?;
        for (name, value) in [
            ("estate", report.run.estate.as_str()),
            ("tenant_name", t.name.as_str()),
            ("as_of", t.as_of.as_deref().unwrap_or(&report.run.as_of)),
            ("driftgate_version", report.tool.version),
        ] {
            writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape(value)
            )?;
        }
        writeln!(out, "    </properties>")?;
        for r in &t.rules {
            let findings = by_case
                .get(&(t.id.as_str(), r.rule.as_str()))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            testcase(out, report, t, r, findings)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample;

    fn render_sample() -> String {
        let mut out = Vec::new();
        render(&sample(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hostile_text_is_escaped() {
        let xml = render_sample();
        assert!(!xml.contains("<script>"), "{xml}");
        assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt; | &amp; &quot;x&quot;"));
        assert!(xml.contains("name=\"PRIV-001 Standing &lt;admin&gt; &amp; more\""));
        assert!(xml.contains("undefined &lt;ref&gt; &amp; co"));
        assert_eq!(escape("a\u{1}b'"), "a\u{FFFD}b&apos;");
        // Every `&` starts an entity: nothing raw slipped through.
        for (i, _) in xml.match_indices('&') {
            let rest = &xml[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "raw & at {i}"
            );
        }
    }

    #[test]
    fn one_suite_per_tenant_one_case_per_rule_with_counts() {
        let xml = render_sample();
        assert!(xml.contains(
            "<testsuites name=\"driftgate\" tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"2\">"
        ));
        assert!(xml.contains(
            "<testsuite name=\"t\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"1\">"
        ));
        assert!(xml.contains(
            "<testsuite name=\"u\" tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"1\">"
        ));
        assert_eq!(xml.matches("<testcase ").count(), 6);
        assert!(xml.contains("<failure message=\"1 findings\" type=\"high\">"));
        assert!(xml.contains("at tenants/t/a b/users.csv:7 (record 6)"));
        assert!(xml.contains("<testcase classname=\"u\" name=\"BASE-001 MFA not enforced\"/>"));
        assert!(xml.contains("<skipped message=\"waived: 1 findings\">"));
        assert!(xml.contains(
            "waived by tenants/u/tenant.toml:9 (kept for &lt;legal&gt; hold &amp; audit)"
        ));
        assert_eq!(xml, render_sample(), "deterministic");
    }
}
