//! The shared reading layer every loader stands on: encodings and BOMs, `#TYPE` preambles,
//! delimiter sniffing, case-insensitive headers, and the JSON container shapes of real exports.
//!
//! It turns bytes into records with line numbers; it knows nothing of any product's fields.

use super::LoadError;
use serde_json::{Map, Value};

/// Upper bound on one export file; larger files are refused rather than exhausting memory.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// Text decoded from an export, with what the decoder noticed.
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    pub warnings: Vec<String>,
}

/// Read a file and decode it: UTF-8 / UTF-16LE / UTF-16BE by BOM, else UTF-8, else Windows-1252.
pub fn read_text(path: &std::path::Path, shown: &str) -> Result<Decoded, LoadError> {
    let meta =
        std::fs::metadata(path).map_err(|e| LoadError::file(shown, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::file(
            shown,
            format!(
                "file is {} bytes, over the {} byte limit",
                meta.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| LoadError::file(shown, format!("cannot read: {e}")))?;
    Ok(decode(&bytes))
}

pub fn decode(bytes: &[u8]) -> Decoded {
    let mut warnings = Vec::new();
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (String::from_utf8_lossy(rest).into_owned(), "utf-8-bom")
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        let (t, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            warnings.push("invalid UTF-16LE sequences were replaced with U+FFFD".into());
        }
        (t.into_owned(), "utf-16le")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        let (t, _, bad) = encoding_rs::UTF_16BE.decode(bytes);
        if bad {
            warnings.push("invalid UTF-16BE sequences were replaced with U+FFFD".into());
        }
        (t.into_owned(), "utf-16be")
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "utf-8"),
            Err(_) => {
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                warnings.push("not valid UTF-8: read as Windows-1252".into());
                (t.into_owned(), "windows-1252")
            }
        }
    };
    Decoded {
        text,
        encoding,
        warnings,
    }
}

/// A CSV file read into rows of cells, headers matched without regard to case, spaces or quotes.
pub struct CsvTable {
    pub headers: Vec<String>,
    norm_headers: Vec<String>,
    /// (1-based physical line, cells)
    pub rows: Vec<(u64, Vec<String>)>,
    pub delimiter: u8,
    pub warnings: Vec<String>,
}

fn norm_header(h: &str) -> String {
    h.trim().trim_matches('"').trim().to_ascii_lowercase()
}

impl CsvTable {
    /// Parse decoded text: drops a `#TYPE` line, sniffs `,` `;` or tab from the header line.
    pub fn parse(decoded: Decoded, shown: &str) -> Result<CsvTable, LoadError> {
        let mut warnings = decoded.warnings;
        let mut text = decoded.text.as_str();
        let mut skipped_lines = 0u64;
        if text.starts_with("#TYPE") {
            let end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
            text = &text[end..];
            skipped_lines = 1;
        }
        let header_line = text.lines().next().unwrap_or("");
        if header_line.trim().is_empty() {
            return Err(LoadError::file(
                shown,
                "empty CSV: no header line".to_string(),
            ));
        }
        let delimiter = sniff_delimiter(header_line);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| {
                LoadError::at_line(
                    shown,
                    1 + skipped_lines,
                    None,
                    format!("bad CSV header: {e}"),
                )
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let norm_headers: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
        // Physical line of a byte offset: the csv crate's own line count skips blank lines.
        let newlines: Vec<usize> = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        let bytes = text.as_bytes();
        let line_of = |byte: u64| {
            // The crate reports a record from the end of the previous terminator: skip line breaks.
            let mut at = byte as usize;
            while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                at += 1;
            }
            newlines.partition_point(|&nl| nl < at) as u64 + 1 + skipped_lines
        };
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let at = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = line_of(record.position().map(|p| p.byte()).unwrap_or(at));
                    if record.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    if record.len() != headers.len() {
                        return Err(LoadError::at_line(
                            shown,
                            line,
                            None,
                            format!("row has {} cells but the header has {} (wrong delimiter or a broken quote?)", record.len(), headers.len()),
                        ));
                    }
                    rows.push((line, record.iter().map(str::to_string).collect()));
                }
                Err(e) => {
                    let line = line_of(e.position().map(|p| p.byte()).unwrap_or(at));
                    return Err(LoadError::at_line(
                        shown,
                        line,
                        None,
                        format!("malformed CSV: {e}"),
                    ));
                }
            }
        }
        if decoded.encoding == "utf-8" && looks_like_ascii_loss(&rows) {
            warnings.push("looks like a Windows PowerShell 5.1 ASCII export: non-ASCII letters became `?` and are lost; re-export with -Encoding UTF8".into());
        }
        Ok(CsvTable {
            headers,
            norm_headers,
            rows,
            delimiter,
            warnings,
        })
    }

    /// Index of a column by any of its names (case-insensitive).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| {
            let n = norm_header(n);
            self.norm_headers.iter().position(|h| *h == n)
        })
    }

    /// Like [`column`](Self::column) but an error naming the column when absent.
    pub fn require(&self, names: &[&str], shown: &str) -> Result<usize, LoadError> {
        self.column(names).ok_or_else(|| LoadError {
            file: shown.into(),
            line: Some(1),
            record: None,
            field: Some(names[0].into()),
            message: format!(
                "missing column `{}` (header has: {})",
                names[0],
                self.headers.join(", ")
            ),
        })
    }
}

fn sniff_delimiter(header: &str) -> u8 {
    let count = |c: char| {
        let mut in_quotes = false;
        header
            .chars()
            .filter(|&ch| {
                if ch == '"' {
                    in_quotes = !in_quotes;
                }
                !in_quotes && ch == c
            })
            .count()
    };
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|&(d, n)| (n, d == b','))
        .map(|(d, _)| d)
        .unwrap_or(b',')
}

fn looks_like_ascii_loss(rows: &[(u64, Vec<String>)]) -> bool {
    rows.iter().any(|(_, cells)| {
        cells.iter().any(|c| {
            let b = c.as_bytes();
            b.windows(3)
                .any(|w| w[0].is_ascii_alphabetic() && w[1] == b'?' && w[2].is_ascii_alphabetic())
        })
    })
}

/// A .NET type name that PowerShell wrote instead of a multi-valued property.
pub fn unflattened_type_name(cell: &str) -> bool {
    let c = cell.trim();
    (c.starts_with("Microsoft.") || c.starts_with("System."))
        && !c.contains(' ')
        && (c.ends_with("Collection")
            || c.ends_with("[]")
            || c.contains(".Models.")
            || c.contains(".Management."))
}

/// The records of a JSON export in any of the container shapes real tools write: a bare array,
/// one page `{"value": [...]}`, an array of pages, or several concatenated pages (NDJSON-like).
/// `list_keys` names the array key of non-Graph envelopes (`users`, `results`, `data`).
pub fn json_records(
    text: &str,
    shown: &str,
    list_keys: &[&str],
) -> Result<Vec<Map<String, Value>>, LoadError> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for item in stream {
        let value = item.map_err(|e| {
            LoadError::at_line(shown, e.line() as u64, None, format!("malformed JSON: {e}"))
        })?;
        collect_records(value, shown, list_keys, &mut out, 0)?;
    }
    Ok(out)
}

fn collect_records(
    value: Value,
    shown: &str,
    list_keys: &[&str],
    out: &mut Vec<Map<String, Value>>,
    depth: u32,
) -> Result<(), LoadError> {
    match value {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(obj) if depth == 0 && page_list(&obj, list_keys).is_some() => {
                        collect_records(Value::Object(obj), shown, list_keys, out, depth + 1)?
                    }
                    Value::Object(obj) => out.push(obj),
                    other => {
                        return Err(LoadError {
                            file: shown.into(),
                            line: None,
                            record: Some(out.len() as u64 + 1),
                            field: None,
                            message: format!("expected an object, found {}", json_type(&other)),
                        })
                    }
                }
            }
            Ok(())
        }
        Value::Object(mut obj) => match page_list(&obj, list_keys) {
            Some(key) => {
                let list = obj.remove(&key).unwrap_or(Value::Null);
                if !list.is_array() {
                    return Err(LoadError::file(shown, format!("`{key}` is {}, expected an array", json_type(&list))));
                }
                collect_records(list, shown, list_keys, out, depth + 1)
            }
            None => Err(LoadError::file(
                shown,
                format!("expected an array or a page object with `value` ({}), found an object with keys {}", list_keys.join(", "), keys_preview(&obj)),
            )),
        },
        other => Err(LoadError::file(shown, format!("expected an array or a page object, found {}", json_type(&other)))),
    }
}

fn page_list(obj: &Map<String, Value>, list_keys: &[&str]) -> Option<String> {
    std::iter::once("value")
        .chain(list_keys.iter().copied())
        .find(|k| obj.get(*k).is_some_and(Value::is_array))
        .map(str::to_string)
}

fn keys_preview(obj: &Map<String, Value>) -> String {
    let keys: Vec<&str> = obj.keys().take(6).map(String::as_str).collect();
    format!("[{}]", keys.join(", "))
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Field access that tolerates PascalCase (Graph PowerShell) as well as camelCase (raw Graph).
pub fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_bom_and_falls_back_to_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFa,b").text, "a,b");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Jos\u{e9};x".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = decode(&utf16);
        assert_eq!((d.text.as_str(), d.encoding), ("Jos\u{e9};x", "utf-16le"));
        let d = decode(b"Jos\xE9");
        assert_eq!((d.text.as_str(), d.encoding), ("Jos\u{e9}", "windows-1252"));
    }

    #[test]
    fn csv_drops_type_line_sniffs_semicolon_and_counts_lines() {
        let text = "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n\"A\";\"B\"\r\n\"1\";\"x;y\"\r\n\r\n\"2\";\"z\"\r\n";
        let t = CsvTable::parse(decode(text.as_bytes()), "f.csv").unwrap();
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.column(&["b"]), Some(1));
        assert_eq!(
            t.rows,
            vec![
                (3, vec!["1".into(), "x;y".into()]),
                (5, vec!["2".into(), "z".into()])
            ]
        );
    }

    #[test]
    fn csv_ragged_row_names_its_line() {
        let e = CsvTable::parse(decode(b"a,b\n1,2\n3\n"), "f.csv")
            .err()
            .unwrap();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn json_accepts_every_container_shape() {
        let shapes = [
            r#"[{"id":"1"},{"id":"2"}]"#,
            r#"{"@odata.context":"x","value":[{"id":"1"},{"id":"2"}]}"#,
            r#"[{"value":[{"id":"1"}]},{"value":[{"id":"2"}]}]"#,
            "{\"value\":[{\"id\":\"1\"}]}\n{\"value\":[{\"id\":\"2\"}]}\n",
            r#"{"kind":"admin#directory#users","users":[{"id":"1"},{"id":"2"}]}"#,
        ];
        for s in shapes {
            let r = json_records(s, "f.json", &["users"]).unwrap();
            assert_eq!(r.len(), 2, "{s}");
        }
    }

    #[test]
    fn json_errors_name_line_or_shape() {
        assert_eq!(
            json_records("[\n{\"id\":\n", "f.json", &[])
                .unwrap_err()
                .line,
            Some(3)
        );
        assert!(json_records("{\"x\":1}", "f.json", &[])
            .unwrap_err()
            .message
            .contains("keys [x]"));
        assert_eq!(
            json_records("[{}, 3]", "f.json", &[]).unwrap_err().record,
            Some(2)
        );
    }

    #[test]
    fn detects_unflattened_properties() {
        assert!(unflattened_type_name(
            "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection"
        ));
        assert!(unflattened_type_name("System.String[]"));
        assert!(unflattened_type_name(
            "Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInActivity"
        ));
        assert!(!unflattened_type_name(
            "CN=Domain Admins,CN=Users,DC=contoso,DC=com"
        ));
    }
}
