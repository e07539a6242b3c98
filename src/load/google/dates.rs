//! Sign-in time rules: the Unix epoch (in any zone) and `Never` mean never signed in, and a
//! console date cell is read with the source's `date_format` / `locale`, else ISO, culture strings
//! or English month names.

use crate::load::csvmap::DateReader;
use crate::load::time::{any_text, iso, DateOrder};
use crate::model::*;
use chrono::{NaiveDate, NaiveDateTime};

/// What the console CSV and GAM write for "never signed in" ("Nunca" in localised exports).
pub(super) const NEVER: &[&str] = &["never", "never logged in", "nunca"];

/// The Unix epoch, in whatever zone it was rendered, is Google's "never logged in".
pub(super) fn never_if_epoch(ts: Ts) -> Ts {
    match ts.at {
        Some(t) if t.timestamp().abs() <= 86_400 => Ts::with(None, TimeQuality::Never, ts.raw),
        _ => ts,
    }
}

/// A console date cell. The format is undocumented: honour the source's `date_format` / `locale`,
/// else read ISO, culture strings and English month names; a trailing `UTC`/`GMT` makes it exact.
pub(super) fn console_time(raw: &str, dates: &DateReader) -> Result<Ts, String> {
    let s = raw.trim();
    if NEVER.contains(&s.to_ascii_lowercase().as_str()) {
        return Ok(Ts::with(None, TimeQuality::Never, Some(s.into())));
    }
    if !dates.is_default() {
        return dates.parse(s);
    }
    let (body, utc) = match s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        Some(b) => (b.trim(), true),
        None => (s, false),
    };
    let looks_iso = body.len() >= 10 && body.as_bytes()[4] == b'-';
    let parsed = if looks_iso {
        iso(body)
    } else {
        any_text(body, DateOrder::Infer).or_else(|e| month_names(body).ok_or(e))
    };
    let mut ts = parsed.map_err(|_| {
        format!("`{s}` is not a date this loader reads: set `date_format` (strftime) on the source")
    })?;
    if utc && ts.quality == TimeQuality::Local {
        ts.quality = TimeQuality::Exact;
    }
    ts.raw = Some(s.into());
    Ok(ts)
}

fn month_names(s: &str) -> Option<Ts> {
    const WITH_TIME: &[&str] = &[
        "%B %d, %Y, %I:%M:%S %p",
        "%B %d, %Y %I:%M:%S %p",
        "%B %d, %Y, %I:%M %p",
        "%B %d, %Y %I:%M %p",
        "%d %B %Y %H:%M:%S",
        "%d %B %Y %H:%M",
    ];
    const DATE_ONLY: &[&str] = &["%B %d, %Y", "%d %B %Y"];
    let local = |t: NaiveDateTime| Ts::with(Some(t.and_utc()), TimeQuality::Local, Some(s.into()));
    WITH_TIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATE_ONLY
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_in_any_zone_is_never() {
        for raw in [
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T19:00:00-05:00",
            "1970-01-01T01:00:00+01:00",
        ] {
            assert_eq!(
                never_if_epoch(iso(raw).unwrap()).quality,
                TimeQuality::Never,
                "{raw}"
            );
        }
        assert_eq!(
            never_if_epoch(iso("2024-01-02T15:04:05.000Z").unwrap()).quality,
            TimeQuality::Exact
        );
    }

    #[test]
    fn console_dates_month_names_and_utc_suffix() {
        let d = DateReader::new(None, None).unwrap();
        let t = console_time("January 2, 2024, 3:04:05 PM", &d).unwrap();
        assert_eq!(
            (t.at.unwrap().to_rfc3339().as_str(), t.quality),
            ("2024-01-02T15:04:05+00:00", TimeQuality::Local)
        );
        let t = console_time("2024/01/02 15:04:05 UTC", &d).unwrap();
        assert_eq!(
            (t.at.unwrap().to_rfc3339().as_str(), t.quality),
            ("2024-01-02T15:04:05+00:00", TimeQuality::Exact)
        );
        assert_eq!(
            console_time("03/04/2024 10:00", &d).unwrap().quality,
            TimeQuality::Ambiguous
        );
        assert_eq!(
            console_time("Never logged in", &d).unwrap().quality,
            TimeQuality::Never
        );
        assert!(console_time("sometime", &d).is_err());
    }
}
