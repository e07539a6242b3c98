//! report.html in a real browser: headless Chromium renders the demo report with no console
//! message (a blocked script, a blocked fetch or a CSP violation would log one), the DOM holds the
//! heat map, and the screenshot is not blank. Skipped, with a message, when no Chromium is
//! installed (`.ci/run` installs it). With DRIFTGATE_UPDATE_SNAPSHOTS=1 the screenshot is saved
//! as docs/demo-report.png.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `$DRIFTGATE_CHROMIUM`, else the first of `chromium` / `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DRIFTGATE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

fn headless(browser: &Path, profile: &Path, args: &[&str], page: &Path) -> Output {
    Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

#[test]
fn the_demo_report_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped: no chromium binary on PATH (apt-get install chromium, or set DRIFTGATE_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(["audit", "fixtures/demo", "--no-out", "--format", "html"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let page = dir.path().join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let profile = dir.path().join("profile");

    let png = dir.path().join("report.png");
    let shot = headless(
        &browser,
        &profile,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
        ],
        &page,
    );
    let log = String::from_utf8_lossy(&shot.stderr);
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let bytes = std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot: {log}"));
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    // A blank 1280×2000 page compresses to a few kB; the demo report's text and heat map to
    // well over 100 kB.
    assert!(
        bytes.len() > 50_000,
        "screenshot looks blank: {} bytes",
        bytes.len()
    );
    if std::env::var("DRIFTGATE_UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(root().join("docs/demo-report.png"), &bytes).unwrap();
    }

    let dom = headless(&browser, &profile, &["--dump-dom"], &page);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<table class=\"heat\">"),
        "no heat map in the DOM"
    );
    assert!(
        dom.contains("id=\"controls\""),
        "no control view in the DOM"
    );
}
