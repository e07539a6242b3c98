//! Timestamps as exports write them: ISO 8601 with 0-9 fractional digits, .NET `MinValue`
//! sentinels, Windows FILETIME, PowerShell culture strings, `\/Date(ms)\/` and bare epochs.
//!
//! Every parse yields a [`Ts`] with its quality; a value that cannot be read is an `Err` with the
//! reason, never a silent "never".

use crate::model::{TimeQuality, Ts};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Day/month order of a culture-formatted date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    MonthFirst,
    DayFirst,
    /// No locale given: infer from values above 12, else report ambiguity.
    Infer,
}

impl DateOrder {
    /// The order a .NET culture name writes short dates in.
    pub fn from_locale(locale: Option<&str>) -> Result<DateOrder, String> {
        let Some(l) = locale else {
            return Ok(DateOrder::Infer);
        };
        let l = l.trim().to_ascii_lowercase().replace('_', "-");
        const MONTH_FIRST: &[&str] = &["en-us", "en-ph", "en-ca-us"];
        const DAY_FIRST: &[&str] = &[
            "en-gb", "en-au", "en-nz", "en-ie", "en-in", "en-za", "de-de", "de-at", "de-ch",
            "fr-fr", "fr-be", "fr-ch", "fr-ca", "nl-nl", "nl-be", "es-es", "es-mx", "it-it",
            "pt-pt", "pt-br", "da-dk", "nb-no", "sv-se", "fi-fi", "pl-pl", "cs-cz", "ru-ru",
            "tr-tr",
        ];
        if MONTH_FIRST.contains(&l.as_str()) {
            Ok(DateOrder::MonthFirst)
        } else if DAY_FIRST.contains(&l.as_str()) {
            Ok(DateOrder::DayFirst)
        } else {
            Err(format!(
                "unknown locale `{l}`: use a .NET culture name such as en-US, en-GB or de-DE"
            ))
        }
    }
}

/// .NET `DateTime.MinValue`, which Graph writes for "never".
const DOTNET_MIN: &str = "0001-01-01";

/// Parse an ISO 8601 / RFC 3339 timestamp. `0001-01-01T00:00:00Z` is never.
pub fn iso(raw: &str) -> Result<Ts, String> {
    let s = raw.trim();
    if s.starts_with(DOTNET_MIN) {
        return Ok(Ts::with(None, TimeQuality::Never, Some(raw.into())));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Ts::exact(t.with_timezone(&Utc), raw));
    }
    // Offset written without a colon (+0000) or with a space instead of `T`.
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Ok(Ts::exact(t.with_timezone(&Utc), raw));
        }
    }
    // No zone at all: a local time, read as UTC.
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(Ts::with(
                Some(t.and_utc()),
                TimeQuality::Local,
                Some(raw.into()),
            ));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Ts::with(
            Some(midnight(d)),
            TimeQuality::Local,
            Some(raw.into()),
        ));
    }
    Err(format!("`{raw}` is not an ISO 8601 timestamp"))
}

/// Windows FILETIME (100 ns ticks since 1601-01-01 UTC). `0` and `i64::MAX` are never.
pub fn filetime(raw: &str) -> Result<Ts, String> {
    let ticks: i64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("`{raw}` is not a FILETIME integer"))?;
    if ticks == 0 || ticks == i64::MAX {
        return Ok(Ts::with(None, TimeQuality::Never, Some(raw.into())));
    }
    const EPOCH_DIFF_SECS: i64 = 11_644_473_600;
    let secs = ticks.div_euclid(10_000_000) - EPOCH_DIFF_SECS;
    let nanos = (ticks.rem_euclid(10_000_000) * 100) as u32;
    match Utc.timestamp_opt(secs, nanos).single() {
        Some(t) if ticks > 0 => Ok(Ts::exact(t, raw)),
        _ => Err(format!("FILETIME `{raw}` is out of range")),
    }
}

/// A PowerShell culture string (`1/2/2024 3:04:05 PM`, `02.01.2024 15:04:05`), local time.
pub fn culture(raw: &str, order: DateOrder) -> Result<Ts, String> {
    let s = raw.trim();
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, t.trim()),
        None => (s, ""),
    };
    let sep = if date.contains('.') {
        '.'
    } else if date.contains('/') {
        '/'
    } else if date.contains('-') {
        '-'
    } else {
        ' '
    };
    let parts: Vec<&str> = date.split(sep).collect();
    if parts.len() != 3 {
        return Err(format!("`{raw}` is not a date"));
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{raw}` is not a date"))?;
    let (a, b, year) = if parts[0].len() == 4 {
        (nums[2], nums[1], nums[0])
    } else {
        (nums[0], nums[1], nums[2])
    };
    let order = if parts[0].len() == 4 || sep == '.' {
        // yyyy-mm-dd and dd.mm.yyyy are never month-first.
        DateOrder::DayFirst
    } else {
        order
    };
    let (day, month) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
        DateOrder::Infer => {
            if a > 12 && b <= 12 {
                (a, b)
            } else if b > 12 && a <= 12 {
                (b, a)
            } else if a == b {
                (a, b)
            } else {
                return Ok(Ts::with(None, TimeQuality::Ambiguous, Some(raw.into())));
            }
        }
    };
    let year = if year < 100 {
        2000 + year as i32
    } else {
        year as i32
    };
    let d = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("`{raw}` is not a valid date for the configured locale"))?;
    let secs = if time.is_empty() {
        0
    } else {
        clock_seconds(time).ok_or_else(|| format!("`{raw}` has an unreadable time of day"))?
    };
    let t = midnight(d) + chrono::Duration::seconds(secs as i64);
    Ok(Ts::with(Some(t), TimeQuality::Local, Some(raw.into())))
}

fn clock_seconds(time: &str) -> Option<u32> {
    let upper = time.to_ascii_uppercase();
    let (clock, pm) = if let Some(c) = upper.strip_suffix("PM") {
        (c.trim().to_string(), Some(true))
    } else if let Some(c) = upper.strip_suffix("AM") {
        (c.trim().to_string(), Some(false))
    } else {
        (upper.trim().to_string(), None)
    };
    let mut it = clock
        .split(':')
        .map(|p| p.split('.').next().unwrap_or("").parse::<u32>());
    let mut h = it.next()?.ok()?;
    let m = it.next().unwrap_or(Ok(0)).ok()?;
    let sec = it.next().unwrap_or(Ok(0)).ok()?;
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    (h < 24 && m < 60 && sec < 61).then_some(h * 3600 + m * 60 + sec)
}

/// Anything a CSV date cell may hold: ISO, FILETIME, `\/Date(ms)\/` or a culture string.
pub fn any_text(raw: &str, order: DateOrder) -> Result<Ts, String> {
    let s = raw.trim();
    if let Some(ms) = s
        .strip_prefix("\\/Date(")
        .or_else(|| s.strip_prefix("/Date("))
    {
        let digits: String = ms
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let ms: i64 = digits
            .parse()
            .map_err(|_| format!("`{raw}` is not a /Date(ms)/ value"))?;
        return Utc
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| Ts::exact(t, raw))
            .ok_or_else(|| format!("`{raw}` is out of range"));
    }
    if s.len() >= 15 && s.bytes().all(|b| b.is_ascii_digit()) {
        return filetime(s);
    }
    if s.len() >= 15 && s.as_bytes()[..14].iter().all(u8::is_ascii_digit) && s.ends_with('Z') {
        // LDAP GeneralizedTime (csvde, ldifde): 20210314091244.0Z
        return NaiveDateTime::parse_from_str(&s[..14], "%Y%m%d%H%M%S")
            .map(|t| Ts::exact(t.and_utc(), raw))
            .map_err(|_| format!("`{raw}` is not a valid GeneralizedTime"));
    }
    if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        return iso(s);
    }
    culture(s, order)
}

/// A bare epoch integer whose unit is told by its magnitude (seconds, or ms above 1e11).
pub fn epoch(n: i64, raw: &str) -> Result<Ts, String> {
    if n == 0 {
        return Ok(Ts::with(None, TimeQuality::Never, Some(raw.into())));
    }
    let t = if n.abs() > 100_000_000_000 {
        Utc.timestamp_millis_opt(n).single()
    } else {
        Utc.timestamp_opt(n, 0).single()
    };
    t.map(|t| Ts::exact(t, raw))
        .ok_or_else(|| format!("epoch `{raw}` is out of range"))
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Whole days from `t` to `as_of` (floor), as staleness rules read them.
pub fn days_between(t: DateTime<Utc>, as_of: DateTime<Utc>) -> i64 {
    (as_of - t).num_seconds().div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ts: &Ts) -> String {
        ts.at
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| format!("{:?}", ts.quality))
    }

    #[test]
    fn iso_forms_and_dotnet_never() {
        assert_eq!(
            at(&iso("2024-01-02T15:04:05Z").unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            at(&iso("2024-01-02T15:04:05.1234567Z").unwrap()),
            "2024-01-02T15:04:05.123456700+00:00"
        );
        assert_eq!(
            at(&iso("2024-01-02T17:04:05+02:00").unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            iso("0001-01-01T00:00:00Z").unwrap().quality,
            TimeQuality::Never
        );
        assert_eq!(
            iso("2024-01-02T15:04:05").unwrap().quality,
            TimeQuality::Local
        );
        assert!(iso("yesterday").is_err());
    }

    #[test]
    fn filetime_and_its_two_nevers() {
        assert_eq!(
            at(&filetime("133486814450000000").unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(filetime("0").unwrap().quality, TimeQuality::Never);
        assert_eq!(
            filetime("9223372036854775807").unwrap().quality,
            TimeQuality::Never
        );
        assert!(filetime("12x").is_err());
        assert!(filetime("-5").is_err());
    }

    #[test]
    fn culture_strings_by_locale() {
        let us = DateOrder::from_locale(Some("en-US")).unwrap();
        let de = DateOrder::from_locale(Some("de-DE")).unwrap();
        let gb = DateOrder::from_locale(Some("en-GB")).unwrap();
        assert_eq!(
            at(&culture("1/2/2024 3:04:05 PM", us).unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            at(&culture("12/31/2023 12:00:00 AM", us).unwrap()),
            "2023-12-31T00:00:00+00:00"
        );
        assert_eq!(
            at(&culture("02.01.2024 15:04:05", de).unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            at(&culture("02/01/2024 15:04:05", gb).unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert!(culture("31/12/2023 10:00:00", us).is_err());
        assert!(DateOrder::from_locale(Some("xx-YY")).is_err());
    }

    #[test]
    fn without_locale_infers_or_says_ambiguous() {
        assert_eq!(
            at(&culture("31/12/2023", DateOrder::Infer).unwrap()),
            "2023-12-31T00:00:00+00:00"
        );
        assert_eq!(
            at(&culture("12/31/2023", DateOrder::Infer).unwrap()),
            "2023-12-31T00:00:00+00:00"
        );
        assert_eq!(
            culture("03/04/2024", DateOrder::Infer).unwrap().quality,
            TimeQuality::Ambiguous
        );
    }

    #[test]
    fn powershell_json_date_and_epoch_magnitude() {
        assert_eq!(
            at(&any_text("\\/Date(1704207845000)\\/", DateOrder::Infer).unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            at(&epoch(1704207845, "x").unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
        assert_eq!(
            at(&any_text("20210314091244.0Z", DateOrder::Infer).unwrap()),
            "2021-03-14T09:12:44+00:00"
        );
        assert_eq!(
            at(&epoch(1704207845000, "x").unwrap()),
            "2024-01-02T15:04:05+00:00"
        );
    }

    #[test]
    fn days_floor() {
        let a = iso("2026-11-20T06:00:00Z").unwrap().at.unwrap();
        let t = iso("2026-08-22T07:00:00Z").unwrap().at.unwrap();
        assert_eq!(days_between(t, a), 89);
    }
}
