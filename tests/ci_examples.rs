//! The CI examples in docs/ci/ are specs: every `driftgate` command they run is run here, in
//! order, in a git repository holding this repository's `policies/` and `fixtures/demo`, with
//! `BASE_REF=HEAD`; each must succeed, and the reports the pipelines publish must exist.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::copy_dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `driftgate …` command lines of a CI file: a `run:` value, a line of a `run: |` block, or
/// a `- ` list item of a GitLab script.
fn commands(yaml: &str) -> Vec<String> {
    yaml.lines()
        .map(str::trim_start)
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .map(|l| l.strip_prefix("run: ").unwrap_or(l))
        .filter(|l| l.starts_with("driftgate "))
        .map(str::to_string)
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=ci", "-c", "user.email=ci@example.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn run_example(file: &str) {
    let yaml = std::fs::read_to_string(root().join("docs/ci").join(file)).unwrap();
    let cmds = commands(&yaml);
    for needed in [
        "driftgate policy lint",
        "driftgate policy test",
        "--threshold 90",
        "driftgate policy impact",
        "--fail-on-new",
        "driftgate audit",
    ] {
        assert!(
            cmds.iter().any(|c| c.contains(needed)),
            "{file} runs `{needed}`: {cmds:?}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    copy_dir(&root().join("policies"), &repo.join("policies"));
    copy_dir(&root().join("fixtures/demo"), &repo.join("fixtures/demo"));
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_driftgate"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for cmd in &cmds {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", cmd])
            .current_dir(repo)
            .env("PATH", &path)
            .env("BASE_REF", "HEAD")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: `{cmd}` exited {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let impact = std::fs::read_to_string(repo.join("impact.md")).unwrap();
    assert!(!impact.trim().is_empty(), "impact.md is written");
    let runs: Vec<PathBuf> = std::fs::read_dir(repo.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(runs.len(), 1, "one run folder");
    for report in ["report.sarif", "report.junit.xml"] {
        assert!(runs[0].join(report).is_file(), "{report} for the pipeline");
    }
}

#[test]
fn the_github_actions_example_runs() {
    run_example("github-actions.yml");
}

#[test]
fn the_gitlab_ci_example_runs() {
    run_example("gitlab-ci.yml");
}

#[test]
fn commands_are_found_in_every_yaml_shape() {
    let yaml = "steps:\n  - run: driftgate a\n  - run: |\n      driftgate b > x\n      cat x\nscript:\n  - driftgate c\n  - echo d\n";
    assert_eq!(
        commands(yaml),
        ["driftgate a", "driftgate b > x", "driftgate c"]
    );
}
