//! End-to-end throughput: a synthetic estate (deterministic seed) on disk → load → normalise →
//! Rego evaluation with the shipped pack → report. Prints identities/s and peak memory.
//!
//! `cargo bench --bench e2e` (100 tenants × 1,000 identities); `-- TENANTS IDENTITIES` to change.

use driftgate::audit::{self, Options};
use driftgate::estate::Estate;
use driftgate::policy::PolicySet;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Eval-only on `driftgate input` files (the inputs given to OPA in docs/performance.md): parse
/// each file and evaluate every identity rule in one call, in parallel; prints the time and a
/// per-rule count of findings so the two engines' results can be compared.
fn eval_only(dir: &str) {
    use rayon::prelude::*;
    let set = PolicySet::load(true, &[] as &[&str]).expect("shipped pack loads");
    let as_of = driftgate::estate::parse_as_of("2026-11-20T06:00:00Z").unwrap();
    // regorus values are per thread: each worker compiles its own engine.
    let engine = || driftgate::policy::engine::PolicyEngine::build(&set, as_of).expect("engine");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("inputs")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mut best = f64::INFINITY;
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..3 {
        let start = Instant::now();
        let results: Vec<serde_json::Value> = texts
            .par_iter()
            .map_init(engine, |e, t| {
                e.eval_batch(&regorus::Value::from_json_str(t).unwrap(), "identity")
                    .expect("evaluates")
            })
            .collect();
        best = best.min(start.elapsed().as_secs_f64());
        counts.clear();
        for r in &results {
            for (rule, pair) in r.as_object().unwrap() {
                *counts.entry(rule.clone()).or_insert(0) += pair[0].as_array().unwrap().len();
            }
        }
    }
    println!(
        "eval-only: {} inputs, best of 3: {best:.3} s, {} threads; findings per rule: {counts:?}",
        files.len(),
        rayon::current_num_threads()
    );
}

/// driftgate's evaluation stage alone on the first `n` tenants of the estate at `dir`: the
/// identities `driftgate input` prints for those tenants, evaluated by every shipped rule (Rego
/// values built from the model, `applies_to` grouping, findings assembled). Loading is not timed.
fn eval_stage(dir: &std::path::Path, n: usize) {
    let set = PolicySet::load(true, &[] as &[&str]).expect("shipped pack loads");
    let estate = Estate::discover(dir).expect("estate");
    let params = audit::merge_params(&set.default_params(), &[(&estate.params, "estate.toml")])
        .expect("params");
    let (as_of, _) = audit::run_as_of(&estate, None);
    let jobs: Vec<_> = estate
        .tenants
        .iter()
        .take(n)
        .filter_map(
            |t| match audit::load_tenant(&estate, t, &params, as_of, false) {
                audit::Loaded::Ready(job, _) => Some(*job),
                audit::Loaded::Failed(..) => None,
            },
        )
        .collect();
    let identities: usize = jobs.iter().map(|j| j.model.identities.len()).sum();
    let mut best = f64::INFINITY;
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..3 {
        let start = Instant::now();
        let results = driftgate::evaluate::evaluate(&jobs, &set).expect("evaluates");
        best = best.min(start.elapsed().as_secs_f64());
        counts.clear();
        for r in &results {
            for (rule, o) in &r.rules {
                *counts.entry(rule.clone()).or_insert(0) += o.findings.len();
            }
        }
    }
    println!(
        "eval-stage: {} tenants, {identities} identities, best of 3: {best:.3} s, {} threads; findings per rule: {counts:?}",
        jobs.len(),
        rayon::current_num_threads()
    );
}

fn main() {
    if let Ok(dir) = std::env::var("DRIFTGATE_BENCH_INPUTS") {
        return eval_only(&dir);
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let tenants: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let identities: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let reps: usize = std::env::var("DRIFTGATE_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let dir = std::env::temp_dir().join(format!(
        "driftgate-bench-v{}-{tenants}x{identities}",
        driftgate::synth::VERSION
    ));
    if !dir.join("estate.toml").exists() {
        driftgate::synth::write_estate(&dir, tenants, identities, 42)
            .expect("write synthetic estate");
    }
    if let Some(n) = std::env::var("DRIFTGATE_BENCH_EVAL")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return eval_stage(&dir, n);
    }
    let mut set = PolicySet::load(
        std::env::var("DRIFTGATE_BENCH_NO_RULES").is_err(),
        &std::env::var("DRIFTGATE_BENCH_POLICIES")
            .map(|p| vec![p])
            .unwrap_or_default(),
    )
    .expect("shipped pack loads");
    if let Ok(only) = std::env::var("DRIFTGATE_BENCH_RULE") {
        set.rules.retain(|id, _| *id == only);
    }
    let mut best = f64::INFINITY;
    let mut total = 0;
    let mut findings = 0;
    for _ in 0..reps {
        let start = Instant::now();
        let estate = Estate::discover(&dir).expect("estate");
        let report = audit::run(
            &estate,
            &set,
            &Options {
                as_of: None,
                tenants: vec![],
                progress: false,
                reviews: vec![],
            },
        )
        .expect("audit runs");
        let render = Instant::now();
        let json = driftgate::report::to_json(&report);
        if std::env::var_os("DRIFTGATE_TIMING").is_some() {
            eprintln!(
                "timing: report.json: {:.3} s",
                render.elapsed().as_secs_f64()
            );
        }
        let secs = start.elapsed().as_secs_f64();
        assert!(
            report.run.complete,
            "synthetic estate must audit cleanly: {:?}",
            report.policy_errors.first()
        );
        total = report.summary.identities;
        findings = report.findings.len();
        std::hint::black_box(json);
        best = best.min(secs);
    }
    println!(
        "e2e: {tenants} tenants x {identities} identities = {total} identities, {findings} findings, best of {reps}: {best:.2} s, {:.0} identities/s, {} threads, peak RSS {:.0} MB",
        total as f64 / best,
        rayon::current_num_threads(),
        peak_rss_mb()
    );
}
