//! The worker processes of `policy test`: the CLI re-runs its own binary with `--worker-from N`;
//! the worker runs the suite from test N and streams one JSON line per event on stdout. The
//! supervisor kills a worker whose test outlives the hard deadline, records a worker that dies
//! (stack overflow: regorus has no recursion limit for functions) as an ERROR of the test it
//! was running, and starts a new worker at the next test.
//!
//! It does not load policies or evaluate Rego itself; `test_suite.rs` does.

use super::suite::{self, Coverage, Event, Options, Suite};
use super::{Args, Outcome, TestResult};
use crate::report::exit;
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// One line of the worker protocol.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Message {
    Start(usize),
    Done {
        index: usize,
        result: TestResult,
        coverage: Coverage,
    },
    End,
}

pub fn worker(suite: &Suite, opts: &Options, from: usize) -> i32 {
    let stdout = std::io::stdout();
    let send = |m: &Message| {
        let mut out = stdout.lock();
        let _ = serde_json::to_writer(&mut out, m);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    };
    suite.execute(opts, from, &mut |e| match e {
        Event::Start(i) => send(&Message::Start(i)),
        Event::Done(index, result, coverage) => send(&Message::Done {
            index,
            result,
            coverage,
        }),
    });
    send(&Message::End);
    exit::CLEAN
}

/// The worker command line for a run resuming at test `from`.
fn worker_command(args: &Args, from: usize) -> std::io::Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["policy", "test", "--worker-from", &from.to_string()]);
    cmd.args(["--timeout", &format!("{}", args.timeout.as_secs_f64())]);
    if args.no_builtin {
        cmd.arg("--no-builtin");
    }
    if args.strict {
        cmd.arg("--strict");
    }
    if args.coverage || args.threshold.is_some() {
        cmd.arg("--coverage");
    }
    if let Some(r) = &args.run {
        cmd.args(["--run", r]);
    }
    cmd.arg("--").args(&args.dirs);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Ok(cmd)
}

/// Run the suite in worker processes; see the module doc. Returns the results so far and, when
/// no worker could be started, the index to go on from in this process.
pub fn supervise(args: &Args, suite: &Suite) -> (Vec<Option<TestResult>>, Coverage, Option<usize>) {
    let total = suite.tests.len();
    let mut results: Vec<Option<TestResult>> = vec![None; total];
    let mut coverage = Coverage::new();
    // The hard deadline: the cooperative limit should have fired well before.
    let hard = args.timeout * 2 + Duration::from_secs(1);
    let mut next = 0;
    while next < total {
        let spawned = worker_command(args, next).and_then(|mut c| c.spawn());
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                eprintln!("warning: cannot start a test worker ({e}); running in this process");
                return (results, coverage, Some(next));
            }
        };
        let (tx, rx) = mpsc::channel::<Option<String>>();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        let mut stderr = child.stderr.take().expect("piped");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut running: Option<(usize, Instant)> = None;
        let started_at = next;
        let mut ended = false;
        let mut timed_out = false;
        loop {
            let wait = match running {
                Some((_, t)) => hard.saturating_sub(t.elapsed()),
                // Loading and compiling before the first test: generous.
                None => Duration::from_secs(120),
            };
            match rx.recv_timeout(wait) {
                Ok(Some(line)) => match serde_json::from_str::<Message>(&line) {
                    Ok(Message::Start(i)) => running = Some((i, Instant::now())),
                    Ok(Message::Done {
                        index,
                        result,
                        coverage: c,
                    }) => {
                        if let Some(slot) = results.get_mut(index) {
                            *slot = Some(result);
                        }
                        suite::merge_coverage(&mut coverage, c);
                        next = index + 1;
                        running = None;
                    }
                    Ok(Message::End) => ended = true,
                    Err(_) => {}
                },
                Ok(None) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    timed_out = true;
                    let _ = child.kill();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait();
        let stderr = stderr.join().unwrap_or_default();
        if ended {
            break;
        }
        let Some((i, t)) = running else {
            // The worker died between tests or before the first one.
            if next == started_at {
                let why = crash_text(&status, &stderr);
                fail_rest(
                    suite,
                    &mut results,
                    next,
                    &format!("the test worker failed: {why}"),
                );
                break;
            }
            continue;
        };
        let message = if timed_out {
            format!(
                "timed out after {:.1}s (--timeout {}): the test did not stop at its time limit and its worker process was killed",
                t.elapsed().as_secs_f64(),
                suite::seconds(args.timeout)
            )
        } else {
            crash_text(&status, &stderr)
        };
        results[i] = Some(case_error(suite, i, message, t.elapsed()));
        next = i + 1;
    }
    (results, coverage, None)
}

pub fn case_error(suite: &Suite, i: usize, message: String, took: Duration) -> TestResult {
    let case = &suite.tests[i];
    TestResult {
        name: case.name.clone(),
        file: case.file.clone(),
        line: Some(case.line),
        outcome: Outcome::Error,
        message: Some(message),
        duration_ms: took.as_secs_f64() * 1000.0,
    }
}

fn fail_rest(suite: &Suite, results: &mut [Option<TestResult>], from: usize, why: &str) {
    for (i, slot) in results.iter_mut().enumerate().skip(from) {
        if slot.is_none() {
            *slot = Some(case_error(suite, i, why.to_string(), Duration::ZERO));
        }
    }
}

/// Why a worker died, from its exit status and stderr.
fn crash_text(status: &std::io::Result<std::process::ExitStatus>, stderr: &str) -> String {
    if stderr.contains("overflowed its stack") {
        return "stack overflow: unbounded recursion (a function that calls itself, directly or through other functions, without end); the evaluator aborted and the suite went on in a new worker".into();
    }
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    let status = match status {
        Ok(s) => s.to_string(),
        Err(e) => e.to_string(),
    };
    format!(
        "the evaluator crashed ({status}){}{}",
        if tail.is_empty() { "" } else { ": " },
        tail.join("\n")
    )
}
