//! The static guard every policy file passes before regorus sees it (the policy set of an audit,
//! `policy lint`, `policy test`): two things regorus 0.14.1 cannot survive from an untrusted
//! policy.
//!
//! - **Recursion.** OPA rejects a rule or function that depends on itself at compile time
//!   (`rego_recursion_error`); regorus detects rule recursion only at run time, and a recursive
//!   function (`f(x) := f(x)`) overflows the stack, which aborts the process. The guard builds
//!   the graph of rules and functions across every loaded package (from the token scan of
//!   `scan.rs`: comments and strings never count, nor local variables, `with` clauses or field
//!   names) and rejects any cycle.
//! - **Deep nesting.** regorus' parser tries every `[`/`{` term as a comprehension first and
//!   backtracks, so parse time doubles with each level of nested literal (about 1 s at depth 16).
//!   The guard rejects a file whose bracket nesting exceeds [`MAX_DEPTH`], or whose literals
//!   together would cost more than [`MAX_PARSE_COST`] (many literals each just under the depth
//!   limit), before it is parsed; and a file over regorus' own size limits before it is scanned.
//!
//! It decides nothing else: regorus still parses and compiles what passes.

use super::scan::{self, Tok, Token};
use super::PolicyError;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Deepest bracket nesting (`(`, `[`, `{` outside strings and comments) a policy file may have.
/// The shipped pack needs 8; regorus parses a depth-12 literal in well under a second, and each
/// further level doubles that.
pub const MAX_DEPTH: usize = 12;

/// One rejected file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    pub file: String,
    pub line: usize,
    /// `recursion`, `nesting-too-deep` or `file-too-long`.
    pub check: &'static str,
    pub message: String,
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl From<GuardError> for PolicyError {
    fn from(e: GuardError) -> Self {
        PolicyError {
            rule: None,
            tenant: None,
            file: Some(e.file),
            line: Some(e.line),
            message: e.message,
        }
    }
}

/// Guard a set of files loaded together: each file's size and nesting, then recursion across
/// the files that passed. Sorted by file and line.
pub fn check<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<GuardError> {
    let mut errors = Vec::new();
    let mut ok = Vec::new();
    for (path, text) in files {
        match check_file(path, text) {
            Some(e) => errors.push(e),
            None => ok.push((path, text)),
        }
    }
    errors.extend(recursion(ok));
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    errors
}

/// Size (regorus' default [`regorus::PolicyLengthConfig`] limits on bytes and lines) and nesting
/// of one file.
pub fn check_file(path: &str, text: &str) -> Option<GuardError> {
    let limits = regorus::PolicyLengthConfig::default();
    let too_long = |message: String| GuardError {
        file: path.to_string(),
        line: 1,
        check: "file-too-long",
        message,
    };
    if text.len() > limits.max_file_bytes.get() {
        return Some(too_long(format!(
            "the file has {} bytes, over the limit of {}",
            text.len(),
            limits.max_file_bytes
        )));
    }
    let lines = text.lines().count();
    if lines > limits.max_lines.get() {
        return Some(too_long(format!(
            "the file has {lines} lines, over the limit of {}",
            limits.max_lines
        )));
    }
    let toks = scan::tokens(text);
    let (depth, line) = max_depth(&toks);
    if depth > MAX_DEPTH {
        return Some(GuardError {
            file: path.to_string(),
            line,
            check: "nesting-too-deep",
            message: format!(
                "nesting depth {depth} exceeds the limit of {MAX_DEPTH} (regorus' parse time doubles per level)"
            ),
        });
    }
    let (cost, line) = parse_cost(&toks);
    (cost > MAX_PARSE_COST).then(|| GuardError {
        file: path.to_string(),
        line,
        check: "nesting-too-deep",
        message: format!(
            "nested literals would cost regorus' parser about {cost} steps, over the limit of \
             {MAX_PARSE_COST} (its parse time doubles per level of nesting): flatten them or split the file"
        ),
    })
}

/// The deepest bracket nesting of a token stream and the line where it is first reached.
pub fn max_depth(toks: &[Token]) -> (usize, usize) {
    let (mut depth, mut max, mut line) = (0usize, 0usize, 1usize);
    for t in toks {
        match t.tok {
            Tok::Punct('(' | '[' | '{') => {
                depth += 1;
                if depth > max {
                    max = depth;
                    line = t.line;
                }
            }
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (max, line)
}

/// Most estimated parse steps one file may cost (see [`parse_cost`]): about 3 s of regorus'
/// parser. One literal nested [`MAX_DEPTH`] deep costs 8,190; the shipped pack's costliest file
/// under 1,000; a thousand objects nested 6 deep about 126,000.
pub const MAX_PARSE_COST: u64 = 1 << 17;

/// regorus' parser tries each `[`/`{` term as a comprehension first and parses it again as a
/// literal, so a term nested `d` terms deep is parsed about `2^d` times: the sum of that over
/// every term of the file, and the line where it first passes [`MAX_PARSE_COST`] (else the last
/// line). A `{` opening a query (after `if`, `else`, a name or a closing bracket, as in
/// `every x in xs {`) is no term; parentheses are parsed once.
pub fn parse_cost(toks: &[Token]) -> (u64, usize) {
    // Open brackets: whether each is a term.
    let mut open: Vec<bool> = Vec::new();
    let mut terms = 0u32;
    let (mut cost, mut line) = (0u64, toks.last().map_or(1, |t| t.line));
    let mut passed = false;
    for (k, t) in toks.iter().enumerate() {
        let term = match t.tok {
            Tok::Punct('[') => true,
            Tok::Punct('{') => match toks[..k].iter().rev().find(|p| p.tok != Tok::Newline) {
                Some(p) => match &p.tok {
                    Tok::Ident(s) => {
                        s != "if" && s != "else" && scan::KEYWORDS.contains(&s.as_str())
                    }
                    Tok::Punct(')' | ']' | '}') | Tok::Str(_) | Tok::Num => false,
                    _ => true,
                },
                None => true,
            },
            Tok::Punct('(') => false,
            Tok::Punct(')' | ']' | '}') => {
                if open.pop() == Some(true) {
                    terms -= 1;
                }
                continue;
            }
            _ => continue,
        };
        open.push(term);
        if term {
            terms += 1;
            cost = cost.saturating_add(1u64 << terms.min(62));
            if cost > MAX_PARSE_COST && !passed {
                passed = true;
                line = t.line;
            }
        }
    }
    (cost, line)
}

/// A rule or function: package (without `data.`) and name (a ref head `a.b` without brackets).
type Node = (String, String);

/// One rule or function definition: its name and the dotted names its head and body refer to,
/// with their lines.
struct Def {
    name: String,
    refs: Vec<(String, usize)>,
    /// Its variables (an `else` at the start of a line shares its rule's arguments).
    locals: BTreeSet<String>,
}

/// What the graph needs from one file.
struct FileDefs {
    package: String,
    imports: BTreeMap<String, String>,
    defs: Vec<Def>,
}

fn file_defs(text: &str) -> FileDefs {
    let m = scan::module(text);
    let toks = scan::tokens(text);
    let mut defs: Vec<Def> = Vec::new();
    for st in scan::statements(&toks) {
        let Some(head) = st[0].ident() else { continue };
        if matches!(head, "package" | "import") {
            continue;
        }
        let (name, body_at) = match head {
            "else" => match defs.last() {
                Some(d) => (d.name.clone(), 1),
                None => continue,
            },
            "default" => match ref_name(st, 1) {
                Some((n, j)) => (n, j),
                None => continue,
            },
            _ => ref_name(st, 0).expect("an identifier"),
        };
        let mut locals = locals(st, body_at);
        if head == "else" {
            locals.extend(
                defs.last()
                    .into_iter()
                    .flat_map(|d| d.locals.iter().cloned()),
            );
        }
        let refs = references(st, body_at, &locals);
        defs.push(Def { name, refs, locals });
    }
    FileDefs {
        package: m.package,
        imports: m.imports,
        defs,
    }
}

/// A reference at `k` as a dotted name: `a.b`, with constant string keys as segments
/// (`docs["url"].x` is `docs.url.x`); it ends at a variable key or a call. The name and the index
/// after it.
fn ref_name(st: &[Token], k: usize) -> Option<(String, usize)> {
    let mut name = st.get(k)?.ident()?.to_string();
    let adjacent = |i: usize| st.get(i).is_some_and(|t| t.start == st[i - 1].end);
    let mut j = k + 1;
    loop {
        if adjacent(j) && st[j].is('.') && adjacent(j + 1) {
            if let Some(id) = st[j + 1].ident() {
                name = format!("{name}.{id}");
                j += 2;
                continue;
            }
        }
        if adjacent(j) && st[j].is('[') {
            if let (Some(Tok::Str(key)), Some(true)) = (
                st.get(j + 1).map(|t| &t.tok),
                st.get(j + 2).map(|t| t.is(']')),
            ) {
                name = format!("{name}.{key}");
                j += 3;
                continue;
            }
        }
        return Some((name, j));
    }
}

/// The index of the bracket matching the one at `k` (or the end).
fn matching(st: &[Token], k: usize) -> usize {
    let mut d = 0i32;
    for (j, t) in st.iter().enumerate().skip(k) {
        match t.tok {
            Tok::Punct('(' | '[' | '{') => d += 1,
            Tok::Punct(')' | ']' | '}') => {
                d -= 1;
                if d == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    st.len()
}

/// The index of the bracket opening the group that closes at `k`.
fn opening(st: &[Token], k: usize) -> usize {
    let mut d = 0i32;
    for j in (0..=k).rev() {
        match st[j].tok {
            Tok::Punct(')' | ']' | '}') => d += 1,
            Tok::Punct('(' | '[' | '{') => {
                d -= 1;
                if d == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    0
}

fn field(st: &[Token], k: usize) -> bool {
    k > 0 && st[k - 1].is('.')
}

/// Variables a statement declares: function arguments, `some`/`every` variables and the
/// left-hand side of `:=` (a name or a destructured array/object). A name bound only by `=` is
/// not counted: Rego reads a rule of that name there.
fn locals(st: &[Token], body_at: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let group = |out: &mut BTreeSet<String>, from: usize, to: usize| {
        for k in from..to.min(st.len()) {
            if let Some(id) = st[k].ident() {
                if !field(st, k) && !scan::KEYWORDS.contains(&id) {
                    out.insert(id.to_string());
                }
            }
        }
    };
    // `f(x, [y, z])`: every name in the head's arguments.
    if st.get(body_at).is_some_and(|t| t.is('(')) && body_at > 0 {
        group(&mut out, body_at, matching(st, body_at));
    }
    for k in 0..st.len() {
        match st[k].ident() {
            Some("some" | "every") => {
                let mut j = k + 1;
                while let Some(t) = st.get(j) {
                    match &t.tok {
                        Tok::Ident(s) if s == "in" => break,
                        Tok::Ident(s) => {
                            out.insert(s.clone());
                        }
                        Tok::Punct(',') => {}
                        _ => break,
                    }
                    j += 1;
                }
            }
            _ if st[k].is(':') && st.get(k + 1).is_some_and(|t| t.is('=')) && k > body_at => {
                let lhs = &st[k - 1];
                if lhs.ident().is_some() && !field(st, k - 1) {
                    group(&mut out, k - 1, k);
                } else if matches!(lhs.tok, Tok::Punct(']' | '}')) {
                    let open = opening(st, k - 1);
                    if open >= body_at {
                        group(&mut out, open, k - 1);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Dotted names a statement refers to from `body_at` on, except keywords, `input`, locals,
/// field names and `with` clauses.
fn references(st: &[Token], body_at: usize, locals: &BTreeSet<String>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut k = body_at;
    while k < st.len() {
        let Some(id) = st[k].ident() else {
            k += 1;
            continue;
        };
        if field(st, k) {
            k += 1;
            continue;
        }
        if id == "with" {
            // `with target as value`: neither is a dependency of the rule.
            let mut j = k + 1;
            while j < st.len() && st[j].ident() != Some("as") && st[j].tok != Tok::Newline {
                j += 1;
            }
            j += 1;
            match st.get(j) {
                Some(t) if t.ident().is_some() => {
                    j = scan::dotted(st, j).map(|(_, e)| e).unwrap_or(j + 1);
                }
                Some(t) if matches!(t.tok, Tok::Punct('(' | '[' | '{')) => j = matching(st, j) + 1,
                _ => j += 1,
            }
            k = j;
            continue;
        }
        let (name, j) = ref_name(st, k).expect("an identifier");
        let first = name.split('.').next().unwrap_or_default();
        if !scan::KEYWORDS.contains(&first) && first != "input" && !locals.contains(first) {
            out.push((name, st[k].line));
        }
        k = j;
    }
    out
}

/// Whether a reference (segments after the package) reaches a rule head (`a.b` of a ref head
/// `a.b contains x`): one is a prefix of the other.
fn reaches(reference: &[&str], head: &str) -> bool {
    reference.iter().zip(head.split('.')).all(|(r, h)| *r == h)
}

/// The rules and functions a dotted name refers to, from a file of `package` with `imports`.
fn resolve(
    name: &str,
    package: &str,
    imports: &BTreeMap<String, String>,
    defined: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Node> {
    let in_package = |pkg: &str, rest: &[&str]| -> Vec<Node> {
        let heads = defined.get(pkg).into_iter().flatten();
        heads
            .filter(|h| reaches(rest, h))
            .map(|h| (pkg.to_string(), h.clone()))
            .collect()
    };
    let segs: Vec<&str> = name.split('.').collect();
    let path: Vec<&str> = match segs[0] {
        "data" => segs[1..].to_vec(),
        head => match imports.get(head) {
            Some(imported) => imported
                .split('.')
                .chain(segs[1..].iter().copied())
                .collect(),
            None => return in_package(package, &segs),
        },
    };
    // Every package the path goes into (`data.a.b.c`: package `a.b` rule `c`, package `a` rule
    // `b.c` or `b`). A path to a whole package or a subtree of packages is no edge.
    (1..path.len())
        .flat_map(|i| in_package(&path[..i].join("."), &path[i..]))
        .collect()
}

/// Recursion across `files` (path, text): for each cycle, one error per file on it, at the
/// first reference of that file that closes the cycle.
pub fn recursion<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<GuardError> {
    let scanned: Vec<(&str, FileDefs)> =
        files.into_iter().map(|(p, t)| (p, file_defs(t))).collect();
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, f) in &scanned {
        let names = defined.entry(f.package.clone()).or_default();
        names.extend(f.defs.iter().map(|d| d.name.clone()));
    }
    let nodes: Vec<Node> = defined
        .iter()
        .flat_map(|(p, names)| names.iter().map(move |n| (p.clone(), n.clone())))
        .collect();
    let index: BTreeMap<&Node, usize> = nodes.iter().enumerate().map(|(i, n)| (n, i)).collect();
    // Edges with where they are written: the first occurrence of each.
    let mut edges: Vec<BTreeMap<usize, (usize, usize)>> = vec![BTreeMap::new(); nodes.len()];
    for (fi, (_, f)) in scanned.iter().enumerate() {
        for d in &f.defs {
            let from = index[&(f.package.clone(), d.name.clone())];
            for (name, line) in &d.refs {
                for to in resolve(name, &f.package, &f.imports, &defined) {
                    edges[from].entry(index[&to]).or_insert((fi, *line));
                }
            }
        }
    }
    let adj: Vec<Vec<usize>> = edges.iter().map(|e| e.keys().copied().collect()).collect();
    let mut out = Vec::new();
    for comp in components(&adj) {
        let start = comp[0];
        let in_comp: BTreeSet<usize> = comp.iter().copied().collect();
        let Some(cycle) = shortest_cycle(&adj, start, &in_comp) else {
            continue;
        };
        // cycle: start, a, b, ..., start
        let mut seen_files = BTreeSet::new();
        for w in 0..cycle.len() - 1 {
            let (from, to) = (cycle[w], cycle[w + 1]);
            let (fi, line) = edges[from][&to];
            if !seen_files.insert(fi) {
                continue;
            }
            let rotated: Vec<usize> = cycle[w..cycle.len() - 1]
                .iter()
                .chain(cycle[..=w].iter())
                .copied()
                .collect();
            let (pkg, name) = &nodes[from];
            let chain: Vec<String> = rotated
                .iter()
                .map(|&n| {
                    let (p, r) = &nodes[n];
                    if p == pkg {
                        r.clone()
                    } else {
                        format!("{p}.{r}")
                    }
                })
                .collect();
            out.push(GuardError {
                file: scanned[fi].0.to_string(),
                line,
                check: "recursion",
                message: format!(
                    "recursive rule or function `{pkg}.{name}` ({}): Rego forbids recursion",
                    chain.join(" → ")
                ),
            });
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// Strongly connected components (Kosaraju, iterative), each sorted, smallest node first.
fn components(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for s in 0..n {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        let mut stack = vec![(s, 0usize)];
        while let Some((v, i)) = stack.pop() {
            if let Some(&w) = adj[v].get(i) {
                stack.push((v, i + 1));
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
            }
        }
    }
    let mut rev = vec![Vec::new(); n];
    for (v, ws) in adj.iter().enumerate() {
        for &w in ws {
            rev[w].push(v);
        }
    }
    let mut comp_of = vec![usize::MAX; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for &s in order.iter().rev() {
        if comp_of[s] != usize::MAX {
            continue;
        }
        let c = comps.len();
        comp_of[s] = c;
        let mut members = vec![s];
        let mut stack = vec![s];
        while let Some(v) = stack.pop() {
            for &w in &rev[v] {
                if comp_of[w] == usize::MAX {
                    comp_of[w] = c;
                    members.push(w);
                    stack.push(w);
                }
            }
        }
        members.sort();
        comps.push(members);
    }
    comps.sort();
    comps
}

/// The shortest path from `start` back to itself within `within` (`[start, ..., start]`).
fn shortest_cycle(
    adj: &[Vec<usize>],
    start: usize,
    within: &BTreeSet<usize>,
) -> Option<Vec<usize>> {
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if w == start {
                let mut path = vec![v];
                while let Some(&p) = prev.get(path.last().expect("non-empty")) {
                    path.push(p);
                }
                // v, ..., start (or just start for a self-reference)
                path.reverse();
                if path[0] != start {
                    path.insert(0, start);
                }
                path.push(start);
                return Some(path);
            }
            if within.contains(&w) && !prev.contains_key(&w) && w != start {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(files: &[(&str, &str)]) -> Vec<String> {
        recursion(files.iter().copied())
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn a_function_calling_itself_is_recursion() {
        let src =
            "package p\n\nimport rego.v1\n\nf(x) := f(x)\n\nfindings contains 1 if f(1) == 2\n";
        assert_eq!(
            rec(&[("p.rego", src)]),
            vec!["p.rego:5: recursive rule or function `p.f` (f → f): Rego forbids recursion"]
        );
    }

    #[test]
    fn mutual_recursion_through_rules_and_else_is_found_once() {
        let src = "package p\n\nimport rego.v1\n\ng(x) := y if {\n\ty := h(x)\n}\n\nh(x) := 1 if x > 3\n\nelse := v if {\n\tv := g(x)\n}\n\nok := 1\n\nx := h(5)\n";
        assert_eq!(
            rec(&[("p.rego", src)]),
            vec!["p.rego:6: recursive rule or function `p.g` (g → h → g): Rego forbids recursion"]
        );
        let rules = "package q\n\nimport rego.v1\n\ndefault a := false\n\na if b\n\nb if {\n\tsome x in input.xs\n\tx == c\n}\n\nc := a\n";
        assert_eq!(
            rec(&[("q.rego", rules)]),
            vec!["q.rego:7: recursive rule or function `q.a` (a → b → c → a): Rego forbids recursion"]
        );
    }

    #[test]
    fn recursion_across_packages_through_imports_and_data_paths() {
        let a = "package x.a\n\nimport rego.v1\nimport data.x.b as other\n\nf(n) := other.g(n)\n";
        let b = "package x.b\n\nimport rego.v1\n\ng(n) := data.x.a.f(n)\n";
        assert_eq!(
            rec(&[("a.rego", a), ("b.rego", b)]),
            vec![
                "a.rego:6: recursive rule or function `x.a.f` (f → x.b.g → f): Rego forbids recursion",
                "b.rego:5: recursive rule or function `x.b.g` (g → x.a.f → g): Rego forbids recursion",
            ]
        );
        // `import data.x.b` aliases it as `b`; a reference that does not lead back is fine.
        let c =
            "package x.c\n\nimport rego.v1\nimport data.x.b\n\nh(n) := b.g(n)\n\nr := data.x.b\n";
        let b2 = "package x.b\n\nimport rego.v1\n\ng(n) := n + 1\n\nt := data.x.c.h(1)\n";
        assert_eq!(rec(&[("c.rego", c), ("b.rego", b2)]), Vec::<String>::new());
        let back = "package x.b\n\nimport rego.v1\n\ng(n) := data.x.c.h(n)\n";
        assert_eq!(rec(&[("c.rego", c), ("b.rego", back)]).len(), 2);
    }

    #[test]
    fn locals_strings_comments_keys_fields_and_with_are_not_references() {
        let src = r#"package p

import rego.v1

# f(x) calls itself in this comment: f(x)
f(x) := y if {
	g := x + 1
	some h in [1, 2]
	[k, m] := [g, h]
	y := {"f": sprintf("f(%v)", [k + m]), "g": x.f}
}

g := f(1)

h contains v if {
	some v in input.xs
	v.h
}

k(x) := {v | some v in x; v.k}

m := k([1]) with k as f with data.p.m as 1

test_f if {
	f(1) with f as g
}
"#;
        assert_eq!(rec(&[("p.rego", src)]), Vec::<String>::new());
    }

    #[test]
    fn ref_heads_are_rules_of_their_own() {
        let ok = "package p\n\nimport rego.v1\n\na.b := 1\n\na.c := a.b + 1\n\nall := a\n";
        assert_eq!(rec(&[("p.rego", ok)]), Vec::<String>::new());
        let bad = "package p\n\nimport rego.v1\n\na.b := a.c\n\na.c := data.p.a.b\n";
        assert_eq!(
            rec(&[("p.rego", bad)]),
            vec!["p.rego:5: recursive rule or function `p.a.b` (a.b → a.c → a.b): Rego forbids recursion"]
        );
    }

    #[test]
    fn constant_keys_of_ref_heads_are_part_of_the_name() {
        let ok = "package p\n\nimport rego.v1\n\ndocs[\"base\"] := \"u\"\n\ndocs[\"resolve\"](url) := concat(\"/\", [docs.base, url])\n\nx := docs[\"resolve\"](\"a\")\n";
        assert_eq!(rec(&[("p.rego", ok)]), Vec::<String>::new());
        let bad =
            "package p\n\nimport rego.v1\n\ndocs[\"a\"] := docs[\"b\"]\n\ndocs.b := docs[\"a\"]\n";
        assert_eq!(
            rec(&[("p.rego", bad)]),
            vec!["p.rego:5: recursive rule or function `p.docs.a` (docs.a → docs.b → docs.a): Rego forbids recursion"]
        );
    }

    #[test]
    fn shipped_pack_passes_with_margin() {
        let files: Vec<(&str, &str)> = crate::policy::builtin_files()
            .filter(|(p, _)| p.ends_with(".rego"))
            .collect();
        assert!(files.len() > 20);
        assert_eq!(check(files.iter().copied()), Vec::<GuardError>::new());
        let deepest = files
            .iter()
            .map(|(_, t)| max_depth(&scan::tokens(t)).0)
            .max()
            .unwrap();
        assert!(
            deepest + 2 <= MAX_DEPTH,
            "the shipped pack nests {deepest} deep: keep a margin below {MAX_DEPTH}"
        );
    }

    #[test]
    fn depth_counts_brackets_outside_strings_and_comments() {
        let src =
            "package p\n\n# [[[[[[[[[[[[[[[[\nx := \"{{{{{{{{{{{{{{{{{\"\ny := [{\"a\": (1)}]\n";
        assert_eq!(max_depth(&scan::tokens(src)), (3, 5));
        assert_eq!(check_file("p.rego", src), None);
        let deep = format!(
            "package p\n\nx := 1\n\ny := {}1{}\n",
            "[".repeat(13),
            "]".repeat(13)
        );
        let e = check_file("d.rego", &deep).unwrap();
        assert_eq!(
            e.to_string(),
            "d.rego:5: nesting depth 13 exceeds the limit of 12 (regorus' parse time doubles per level)"
        );
        assert_eq!(e.check, "nesting-too-deep");
        let ok = format!("package p\n\ny := {}1{}\n", "{".repeat(12), "}".repeat(12));
        assert_eq!(check_file("ok.rego", &ok), None);
    }

    #[test]
    fn parse_cost_doubles_per_term_level_and_skips_query_braces() {
        let cost = |src: &str| parse_cost(&scan::tokens(src)).0;
        let deep = format!("x := {}1{}\n", "[".repeat(12), "]".repeat(12));
        assert_eq!(cost(&deep), 8190);
        assert_eq!(cost("p if {\n\tx := [1]\n}\n"), 2);
        assert_eq!(
            cost("p if {\n\tevery x in xs {\n\t\t[x] == {\"a\": f(x)}\n\t}\n}\n"),
            4
        );
        assert_eq!(
            cost("q contains {\"a\": [1]} if true\n\nr := x if { x := {1} } else {\n\ttrue\n}\n"),
            8
        );
        // Many literals: each parses fast, together they would stall the parser.
        let mut many = String::from("package p\n\nimport rego.v1\n\n");
        for k in 0..200 {
            many.push_str(&format!(
                "x{k} := {}1{}\n",
                "{\"a\": ".repeat(10),
                "}".repeat(10)
            ));
        }
        let e = check_file("m.rego", &many).unwrap();
        assert_eq!(e.check, "nesting-too-deep");
        assert!(e.to_string().starts_with("m.rego:69: nested literals would cost regorus' parser about 409200 steps, over the limit of 131072"), "{e}");
        let shipped = crate::policy::builtin_files()
            .filter(|(p, _)| p.ends_with(".rego"))
            .map(|(_, t)| cost(t))
            .max()
            .unwrap();
        assert!(shipped * 100 < MAX_PARSE_COST, "{shipped}");
    }

    #[test]
    fn oversized_files_are_rejected_before_scanning() {
        let long = format!("package p\n\nx := 1\n{}", "\n".repeat(20_001));
        let e = check_file("l.rego", &long).unwrap();
        assert_eq!(e.check, "file-too-long");
        assert!(
            e.message.contains("over the limit of 20000"),
            "{}",
            e.message
        );
        let big = format!("package p\n\nx := \"{}\"\n", "a".repeat(1_048_577));
        assert_eq!(check_file("b.rego", &big).unwrap().check, "file-too-long");
    }
}
