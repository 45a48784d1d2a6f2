#![allow(dead_code)]
//! Helpers of the tests that attack reports as a forger would (`trust_*.rs`).

use std::path::{Path, PathBuf};
use std::process::Output;

use reident::report::Report;
use serde_json::Value;

/// Runs reident in `dir` with `env` set (and REIDENT_* unset otherwise).
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reident"));
    c.args(args)
        .current_dir(dir)
        .env_remove("REIDENT_SIGNING_KEY")
        .env_remove("REIDENT_KEY_PASSWORD")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run reident")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_env(dir, args, &[])
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The shipped Adult subset (3,016 records) copied into `dir`.
pub fn subset(dir: &Path) -> PathBuf {
    let to = dir.join("adult_subset.csv");
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/adult/adult_subset.csv"),
        &to,
    )
    .unwrap();
    to
}

pub fn adult(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/adult")
        .join(name)
}

/// Rewrites a report folder as a forger with reident's own code would: `edit` the JSON, seal it
/// again (the integrity hash recomputed) and render report.md and report.html from it, so that
/// every file agrees with every other.
pub fn forge(folder: &Path, edit: impl FnOnce(&mut Value)) {
    let path = folder.join("report.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    let mut r: Report = serde_json::from_value(v).unwrap();
    r.seal().unwrap();
    r.write_dir(folder).unwrap();
}

/// The failing check lines of a verify run.
pub fn failures(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(str::to_string)
        .collect()
}

/// Canonical JSON (keys sorted, no whitespace), as reident hashes it.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        Value::String((*k).clone()),
                        canonical(&m[k.as_str()])
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rewrites an audit log as an attacker without the key can: `edit` each line (by index), then
/// recompute every line's hash and the chain. Signatures are left as they were.
pub fn rewrite_log(log: &Path, mut edit: impl FnMut(usize, &mut Value)) {
    let text = std::fs::read_to_string(log).unwrap();
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        edit(i, &mut v);
        v["prev_sha256"] = Value::String(prev.clone());
        let mut bare = v.clone();
        bare.as_object_mut().unwrap().remove("sha256");
        bare.as_object_mut().unwrap().remove("signature");
        let h = sha256_hex(canonical(&bare).as_bytes());
        v["sha256"] = Value::String(h.clone());
        prev = h;
        out.push_str(&serde_json::to_string(&v).unwrap());
        out.push('\n');
    }
    std::fs::write(log, out).unwrap();
}

/// Every file under `dir`, recursively (to show nothing was written).
pub fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}
