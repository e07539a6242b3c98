//! Where `policy impact` gets its two policy sets: a folder holding a complete pack, the
//! built-in pack, or a git revision of the policies folder, copied into a temporary folder
//! (removed again when the [`Checkout`] is dropped).
//!
//! Reads git with read-only plumbing (`rev-parse`, `ls-tree`, `cat-file`); never changes a repo.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git revision's policies folder written to a temporary folder.
#[derive(Debug)]
pub struct Checkout {
    /// The temporary folder (removed on drop).
    temp: PathBuf,
    /// The pack inside it (`<temp>/policies`).
    pub pack: PathBuf,
    /// `git REV (short sha) PATH`, for reports.
    pub describe: String,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.temp);
    }
}

fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        // Written from a thread: git answers while it reads, and both pipes would fill.
        std::thread::spawn(move || pipe.write_all(&bytes));
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("git {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// Copy the `.rego` (and `.toml`: control catalogues) files of `rev`'s policies folder into a new temporary folder. The folder is
/// the head pack's path within its repository (`start` is the head folder), or `policies/` at
/// the top of the repository holding the current directory.
pub fn checkout(rev: &str, head: Option<&Path>) -> Result<Checkout, String> {
    let fail = |why: String| format!("--base `{rev}`: not a folder and not a git revision: {why}");
    if rev.is_empty() || rev.starts_with('-') {
        return Err(fail("not a revision name".into()));
    }
    let cwd = std::env::current_dir().map_err(|e| fail(e.to_string()))?;
    let start = head.unwrap_or(&cwd);
    let top = PathBuf::from(text(
        git(start, &["rev-parse", "--show-toplevel"], None).map_err(fail)?,
    ));
    let prefix = match head {
        Some(dir) => text(git(dir, &["rev-parse", "--show-prefix"], None).map_err(fail)?),
        None => "policies/".to_string(),
    };
    let sha = text(
        git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
            None,
        )
        .map_err(|e| {
            fail(if e.is_empty() {
                "unknown revision".into()
            } else {
                e
            })
        })?,
    );
    let mut ls = vec!["ls-tree", "-r", "-z", &sha];
    if !prefix.is_empty() {
        ls.extend(["--", &prefix]);
    }
    let listing = git(&top, &ls, None).map_err(fail)?;
    // `<mode> <type> <oid>\t<path>`, NUL-terminated.
    let mut blobs: Vec<(String, String)> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (_, kind, oid) = (parts.next(), parts.next(), parts.next());
        if kind == Some("blob") && (path.ends_with(".rego") || path.ends_with(".toml")) {
            if let Some(oid) = oid {
                blobs.push((oid.to_string(), path.to_string()));
            }
        }
    }
    let short = &sha[..sha.len().min(12)];
    let shown = if prefix.is_empty() { "." } else { &prefix };
    if blobs.is_empty() {
        return Err(format!(
            "--base `{rev}` ({short}): no policy files under `{shown}` in that revision"
        ));
    }
    let ids: String = blobs.iter().map(|(oid, _)| format!("{oid}\n")).collect();
    let contents = git(&top, &["cat-file", "--batch"], Some(ids.as_bytes())).map_err(fail)?;
    let temp = std::env::temp_dir().join(format!(
        "driftgate-impact-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let checkout = Checkout {
        pack: temp.join(prefix.trim_end_matches('/')),
        temp,
        describe: format!("git {rev} ({short}) {shown}"),
    };
    // `<oid> blob <size>\n<bytes>\n` per object, in request order.
    let mut at = 0;
    for (oid, path) in &blobs {
        let header_end = contents[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|n| at + n)
            .ok_or_else(|| format!("git cat-file: short output for {path}"))?;
        let header = String::from_utf8_lossy(&contents[at..header_end]).to_string();
        let size: usize = header
            .strip_prefix(oid.as_str())
            .and_then(|h| h.trim().strip_prefix("blob "))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| format!("git cat-file: unexpected `{header}` for {path}"))?;
        let body = contents
            .get(header_end + 1..header_end + 1 + size)
            .ok_or_else(|| format!("git cat-file: short output for {path}"))?;
        let dest = checkout.temp.join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&dest, body).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
        at = header_end + 1 + size + 1;
    }
    Ok(checkout)
}
