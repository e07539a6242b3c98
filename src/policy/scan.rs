//! A lexical view of Rego source for the linter and the load-time guard (`guard.rs`): tokens
//! without comments and string contents, the top-level statements, call sites, the names a
//! package defines, and the paths read from `input` (directly or through variables bound to a
//! part of it).
//!
//! This is a scanner, not a parser: regorus parses (and reports syntax errors); this only finds
//! what the checks need, with the line of each.

use std::collections::BTreeMap;

/// One token. Strings keep their (unescaped-enough) contents; comments are dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Num,
    Punct(char),
    Newline,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    /// Byte offsets in the source, to tell `f(` from `f (`.
    pub start: usize,
    pub end: usize,
    /// Starts at column 1.
    pub col0: bool,
}

impl Token {
    pub fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
    pub fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
}

/// Split Rego source into tokens (line numbers from 1).
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'\n' => {
                out.push(Token {
                    tok: Tok::Newline,
                    line,
                    start,
                    end: i + 1,
                    col0: false,
                });
                i += 1;
                line += 1;
                line_start = i;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'`' => {
                let first_line = line;
                i += 1;
                let mut s = Vec::new();
                while i < bytes.len() && bytes[i] != c {
                    if c == b'"' && bytes[i] == b'\\' && i + 1 < bytes.len() {
                        s.push(bytes[i + 1]);
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b'\n' {
                        if c == b'"' {
                            break;
                        }
                        line += 1;
                        line_start = i + 1;
                    }
                    s.push(bytes[i]);
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                out.push(Token {
                    tok: Tok::Str(String::from_utf8_lossy(&s).into_owned()),
                    line: first_line,
                    start,
                    end: i,
                    col0: start == line_start,
                });
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Ident(text[start..i].to_string()),
                    line,
                    start,
                    end: i,
                    col0: start == line_start,
                });
            }
            c if c.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Num,
                    line,
                    start,
                    end: i,
                    col0: start == line_start,
                });
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                i += ch.len_utf8();
                out.push(Token {
                    tok: Tok::Punct(ch),
                    line,
                    start,
                    end: i,
                    col0: start == line_start,
                });
            }
        }
    }
    out
}

pub const KEYWORDS: &[&str] = &[
    "as", "contains", "default", "else", "every", "false", "if", "import", "in", "not", "null",
    "package", "some", "true", "with",
];

/// A Rego file as the checks see it.
#[derive(Debug, Default)]
pub struct Module {
    pub package: String,
    /// Import alias → imported `data.` path without `data.` (`lib` → `driftgate.lib`).
    pub imports: BTreeMap<String, String>,
    /// Names of rules and functions defined at the top level.
    pub defines: Vec<String>,
    /// Call sites: dotted name and line.
    pub calls: Vec<(String, usize)>,
    /// Paths read from `input`: segments and the line of the last segment.
    pub input_reads: Vec<(Vec<Seg>, usize)>,
}

/// One step of a path into `input`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    /// `.name` or `["name"]`.
    Key(String),
    /// `[_]`, `[x]`, `some x in`: any element (or any value of an object).
    Elem,
}

/// Scan one module.
pub fn module(text: &str) -> Module {
    let toks = tokens(text);
    let mut m = Module::default();
    for st in statements(&toks) {
        statement(st, &mut m);
    }
    m.defines.sort();
    m.defines.dedup();
    m
}

/// The top-level statements: a token at column 1 at bracket depth 0 starts one (tokens before
/// the first are dropped).
pub fn statements(toks: &[Token]) -> Vec<&[Token]> {
    let mut starts = Vec::new();
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate() {
        if depth <= 0 && t.col0 && matches!(t.tok, Tok::Ident(_)) {
            starts.push(k);
        }
        match t.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    starts.push(toks.len());
    starts.windows(2).map(|w| &toks[w[0]..w[1]]).collect()
}

/// A dotted name `a.b.c` starting at `k` (no spaces around the dots): the name and the index
/// after it.
pub fn dotted(toks: &[Token], k: usize) -> Option<(String, usize)> {
    let mut name = toks.get(k)?.ident()?.to_string();
    let mut j = k + 1;
    while j + 1 < toks.len()
        && toks[j].is('.')
        && toks[j].start == toks[j - 1].end
        && toks[j + 1].start == toks[j].end
    {
        let Some(next) = toks[j + 1].ident() else {
            break;
        };
        name.push('.');
        name.push_str(next);
        j += 2;
    }
    Some((name, j))
}

fn statement(st: &[Token], m: &mut Module) {
    let Some(head) = st.first().and_then(|t| t.ident()) else {
        return;
    };
    match head {
        "package" => {
            if let Some((name, _)) = dotted(st, 1) {
                m.package = name;
            }
            return;
        }
        "import" => {
            if let Some((path, j)) = dotted(st, 1) {
                if let Some(rest) = path.strip_prefix("data.") {
                    let alias = match (st.get(j).and_then(|t| t.ident()), st.get(j + 1)) {
                        (Some("as"), Some(t)) => t.ident().unwrap_or_default().to_string(),
                        _ => rest.rsplit('.').next().unwrap_or(rest).to_string(),
                    };
                    m.imports.insert(alias, rest.to_string());
                }
            }
            return;
        }
        _ => {}
    }
    // The head: `name`, `default name`, `name(args)`; `else` continues the previous rule.
    let def_at = if head == "default" { 1 } else { 0 };
    if head != "else" {
        if let Some(name) = st.get(def_at).and_then(|t| t.ident()) {
            m.defines.push(name.to_string());
        }
    }
    // Calls: a dotted name not preceded by `.` and followed directly by `(`.
    let mut k = 0;
    while k < st.len() {
        let preceded_by_dot = k > 0 && st[k - 1].is('.');
        if st[k].ident().is_some() && !preceded_by_dot {
            let (name, j) = dotted(st, k).expect("an identifier");
            let is_head = k == def_at && head != "else";
            let called = st
                .get(j)
                .is_some_and(|t| t.is('(') && t.start == st[j - 1].end);
            if called && !is_head && !KEYWORDS.contains(&name.as_str()) {
                m.calls.push((name, st[k].line));
            }
            k = j;
        } else {
            k += 1;
        }
    }
    input_reads(st, m);
}

/// A path expression at `k`: `base(.key | [...])*`; the segments after the base, with the line of
/// each, and the index after it.
fn path_at(st: &[Token], k: usize) -> (Vec<(Seg, usize)>, usize) {
    let mut segs = Vec::new();
    let mut j = k + 1;
    while let Some(t) = st.get(j) {
        if t.is('.') && t.start == st[j - 1].end {
            match st.get(j + 1).and_then(|n| n.ident().map(|s| (s, n.line))) {
                Some((name, line)) => {
                    segs.push((Seg::Key(name.to_string()), line));
                    j += 2;
                }
                None => break,
            }
        } else if t.is('[') && t.start == st[j - 1].end {
            // Find the matching `]`.
            let mut d = 0;
            let mut e = j;
            while e < st.len() {
                match st[e].tok {
                    Tok::Punct('[') => d += 1,
                    Tok::Punct(']') => {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                e += 1;
            }
            let seg = match (&st.get(j + 1).map(|t| &t.tok), e == j + 2) {
                (Some(Tok::Str(s)), true) => Seg::Key(s.clone()),
                _ => Seg::Elem,
            };
            segs.push((seg, t.line));
            j = e + 1;
        } else {
            break;
        }
    }
    (segs, j)
}

/// Variables bound to a part of `input` in one statement, and every path read through `input`
/// or those variables. A variable bound twice to different paths is not followed.
fn input_reads(st: &[Token], m: &mut Module) {
    let mut bound: BTreeMap<String, Option<Vec<Seg>>> = BTreeMap::new();
    let resolve = |bound: &BTreeMap<String, Option<Vec<Seg>>>, k: usize| -> Option<Vec<Seg>> {
        let name = st[k].ident()?;
        if k > 0 && st[k - 1].is('.') {
            return None;
        }
        if name == "input" {
            return Some(Vec::new());
        }
        bound.get(name).cloned().flatten()
    };
    let bind = |bound: &mut BTreeMap<String, Option<Vec<Seg>>>, var: &str, path: Vec<Seg>| {
        if var == "_" {
            return;
        }
        match bound.get(var) {
            Some(Some(p)) if *p != path => {
                bound.insert(var.to_string(), None);
            }
            Some(_) => {}
            None => {
                bound.insert(var.to_string(), Some(path));
            }
        }
    };
    // Bindings, in order of appearance.
    for k in 0..st.len() {
        let id = st[k].ident();
        // `some v in p` / `some k, v in p` / `every v in p`
        if matches!(id, Some("some" | "every")) {
            let mut j = k + 1;
            let mut var = None;
            while let Some(t) = st.get(j) {
                match &t.tok {
                    Tok::Ident(s) if s == "in" => break,
                    Tok::Ident(s) => var = Some(s.clone()),
                    Tok::Punct(',') => {}
                    _ => {
                        var = None;
                        break;
                    }
                }
                j += 1;
            }
            if let (Some(var), true) = (var, st.get(j).and_then(|t| t.ident()) == Some("in")) {
                if let Some(mut base) = st.get(j + 1).and_then(|_| resolve(&bound, j + 1)) {
                    let (segs, end) = path_at(st, j + 1);
                    if ends_expression(st, end) {
                        base.extend(segs.into_iter().map(|(s, _)| s));
                        base.push(Seg::Elem);
                        bind(&mut bound, &var, base);
                    }
                }
            }
        }
        // `v := p` / `v = p`
        if let Some(var) = id {
            let assign = match (st.get(k + 1), st.get(k + 2)) {
                (Some(a), Some(b)) if a.is(':') && b.is('=') => Some(k + 3),
                (Some(a), Some(b)) if a.is('=') && !b.is('=') => Some(k + 2),
                _ => None,
            };
            let not_field = k == 0 || !st[k - 1].is('.');
            if let (Some(at), true) = (assign, not_field) {
                if at < st.len() {
                    if let Some(mut base) = resolve(&bound, at) {
                        let (segs, end) = path_at(st, at);
                        if ends_expression(st, end) {
                            base.extend(segs.into_iter().map(|(s, _)| s));
                            bind(&mut bound, var, base);
                        }
                    }
                }
            }
        }
    }
    // Reads.
    let mut k = 0;
    while k < st.len() {
        match resolve(&bound, k) {
            Some(mut base) => {
                let (segs, end) = path_at(st, k);
                if !segs.is_empty() {
                    let line = segs.last().map(|s| s.1).unwrap_or(st[k].line);
                    base.extend(segs.into_iter().map(|(s, _)| s));
                    m.input_reads.push((base, line));
                }
                k = end.max(k + 1);
            }
            None => k += 1,
        }
    }
}

/// Whether a path expression ends an expression (so `v := input.x + 1` binds nothing).
fn ends_expression(st: &[Token], end: usize) -> bool {
    match st.get(end).map(|t| &t.tok) {
        None | Some(Tok::Newline) => true,
        Some(Tok::Punct(c)) => matches!(c, ';' | '}' | ']' | '|' | ')' | ','),
        Some(Tok::Ident(s)) => s == "if",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_calls_definitions_imports_and_reads() {
        let src = "package a.b\n\nimport data.driftgate.lib\nimport rego.v1\n\n# http.send(x) in a comment\nf(x) := y if {\n\ty := sprintf(\"%s time.now_ns()\", [x])\n}\n\nfindings contains v if {\n\tsome i in input.identities\n\ti.kind == \"human\"\n\tsome r in i.roles\n\tr.top\n\tt := i.activity.last_any\n\tt.at\n\tlib.name(i)\n\tinput.tenant[\"id\"]\n\tv := f(input.params.limit)\n}\n";
        let m = module(src);
        assert_eq!(m.package, "a.b");
        assert_eq!(m.imports["lib"], "driftgate.lib");
        assert_eq!(m.defines, vec!["f", "findings"]);
        assert_eq!(
            m.calls,
            vec![
                ("sprintf".to_string(), 8),
                ("lib.name".to_string(), 18),
                ("f".to_string(), 20)
            ]
        );
        let reads: Vec<String> = m
            .input_reads
            .iter()
            .map(|(p, l)| {
                let p: Vec<String> = p
                    .iter()
                    .map(|s| match s {
                        Seg::Key(k) => k.clone(),
                        Seg::Elem => "[_]".into(),
                    })
                    .collect();
                format!("{}:{l}", p.join("."))
            })
            .collect();
        assert_eq!(
            reads,
            vec![
                "identities:12",
                "identities.[_].kind:13",
                "identities.[_].roles:14",
                "identities.[_].roles.[_].top:15",
                "identities.[_].activity.last_any:16",
                "identities.[_].activity.last_any.at:17",
                "tenant.id:19",
                "params.limit:20",
            ]
        );
    }
}
