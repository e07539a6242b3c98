//! Which functions a policy may call: an explicit allow-list of pure builtins, a reasoned deny
//! list (network, environment, clock, randomness, debug output), and the functions the packs
//! themselves define (by package, through imports or `data.` paths).

use super::{fields, scan};
use std::collections::{BTreeMap, BTreeSet};

/// Builtins a policy may call: pure functions of their arguments. Everything else is rejected;
/// [`FORBIDDEN_BUILTINS`] says why for the known dangerous ones.
pub const ALLOWED_BUILTINS: &[&str] = &[
    "abs",
    "array.concat",
    "array.reverse",
    "array.slice",
    "base64.decode",
    "base64.encode",
    "base64.is_valid",
    "base64url.decode",
    "base64url.encode",
    "base64url.encode_no_pad",
    "bits.and",
    "bits.lsh",
    "bits.negate",
    "bits.or",
    "bits.rsh",
    "bits.xor",
    "ceil",
    "concat",
    "contains",
    "count",
    "endswith",
    "floor",
    "format_int",
    "glob.match",
    "glob.quote_meta",
    "graph.reachable",
    "graph.reachable_paths",
    "hex.decode",
    "hex.encode",
    "indexof",
    "indexof_n",
    "intersection",
    "is_array",
    "is_boolean",
    "is_null",
    "is_number",
    "is_object",
    "is_set",
    "is_string",
    "json.filter",
    "json.is_valid",
    "json.marshal",
    "json.marshal_with_options",
    "json.patch",
    "json.remove",
    "json.unmarshal",
    "lower",
    "max",
    "min",
    "numbers.range",
    "numbers.range_step",
    "object.filter",
    "object.get",
    "object.keys",
    "object.remove",
    "object.subset",
    "object.union",
    "object.union_n",
    "product",
    "regex.find_all_string_submatch_n",
    "regex.find_n",
    "regex.globs_match",
    "regex.is_valid",
    "regex.match",
    "regex.replace",
    "regex.split",
    "regex.template_match",
    "replace",
    "round",
    "semver.compare",
    "semver.is_valid",
    "set",
    "sort",
    "split",
    "sprintf",
    "startswith",
    "strings.any_prefix_match",
    "strings.any_suffix_match",
    "strings.count",
    "strings.replace_n",
    "strings.reverse",
    "substring",
    "sum",
    "time.add_date",
    "time.clock",
    "time.date",
    "time.diff",
    "time.format",
    "time.parse_duration_ns",
    "time.parse_ns",
    "time.parse_rfc3339_ns",
    "time.weekday",
    "to_number",
    "trim",
    "trim_left",
    "trim_prefix",
    "trim_right",
    "trim_space",
    "trim_suffix",
    "type_name",
    "union",
    "units.parse",
    "units.parse_bytes",
    "upper",
    "urlquery.decode",
    "urlquery.decode_object",
    "urlquery.encode",
    "urlquery.encode_object",
    "walk",
];

/// Builtins rejected with a reason (anything else off [`ALLOWED_BUILTINS`] is `builtin-unknown`).
pub const FORBIDDEN_BUILTINS: &[(&str, &str)] = &[
    ("http.send", "reaches the network"),
    ("net.lookup_ip_addr", "reaches the network (DNS)"),
    (
        "opa.runtime",
        "reads the environment and runtime configuration",
    ),
    (
        "time.now_ns",
        "reads the clock: compare Rust-computed `*_days` or `input.as_of` instead",
    ),
    ("rand.intn", "is random: policies must be deterministic"),
    ("uuid.rfc4122", "is random: policies must be deterministic"),
    ("test.sleep", "waits on the wall clock"),
    ("trace", "is debug output: remove it"),
    ("print", "is debug output: remove it (tests may print)"),
    (
        "rego.metadata.rule",
        "is not supported by regorus: driftgate reads METADATA itself",
    ),
    (
        "rego.metadata.chain",
        "is not supported by regorus: driftgate reads METADATA itself",
    ),
];

/// `None` when the call is allowed.
pub fn check_call(
    name: &str,
    m: &scan::Module,
    defined: &BTreeMap<&str, BTreeSet<&str>>,
    is_test: bool,
) -> Option<(&'static str, String)> {
    let defines = |pkg: &str, f: &str| defined.get(pkg).is_some_and(|names| names.contains(f));
    let (head, rest) = match name.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (name, None),
    };
    // A package's own function, `data.pkg.f`, or `alias.f` through an import.
    let target = match rest {
        None if defines(&m.package, name) => return None,
        None => None,
        Some(r) if head == "data" => Some(r.to_string()),
        Some(r) => m.imports.get(head).map(|pkg| format!("{pkg}.{r}")),
    };
    if let Some(target) = target {
        let (pkg, f) = target.rsplit_once('.').unwrap_or(("", &target));
        if defines(pkg, f) {
            return None;
        }
        let known = defined.get(pkg).into_iter().flatten().copied();
        return Some((
            "builtin-unknown",
            format!(
                "`{name}` calls {f}, which package {pkg} does not define{}",
                fields::suggest(f, known)
            ),
        ));
    }
    if is_test && name == "print" {
        return None;
    }
    if let Some((_, why)) = FORBIDDEN_BUILTINS.iter().find(|(n, _)| *n == name) {
        return Some(("builtin-forbidden", format!("`{name}` {why}")));
    }
    if ALLOWED_BUILTINS.binary_search(&name).is_ok() {
        return None;
    }
    let own = defined
        .get(m.package.as_str())
        .into_iter()
        .flatten()
        .copied();
    Some((
        "builtin-unknown",
        format!(
            "`{name}` is neither an allowed builtin nor a function of the packs{}",
            fields::suggest(name, ALLOWED_BUILTINS.iter().copied().chain(own))
        ),
    ))
}
