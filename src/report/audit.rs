//! The audit log: one JSON line per run, chained by hashes.
//!
//! Each line holds the time, user, host, command line, the input's SHA-256, the report's content
//! hash and the verdict, the SHA-256 of the previous line (`prev_sha256`; 64 zeros for the first)
//! and its own hash (`sha256`, over the line's canonical JSON without that field). An edited line
//! no longer matches its own hash; a removed line breaks the chain at the next one. (Removing the
//! *last* lines leaves a valid shorter chain: keep the newest hash elsewhere, e.g. in the report
//! the run wrote, which records it, if that matters.)
//!
//! Appends take an exclusive lock on the file so that concurrent runs cannot interleave or both
//! chain to the same predecessor.

use std::io::{BufRead, Seek, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{canonical_json, sha256_bytes};
use crate::error::{Error, Result};

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub time: String,
    pub user: String,
    pub host: String,
    pub command: Vec<String>,
    pub input_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_sha256: Option<String>,
    pub verdict: String,
    pub prev_sha256: String,
    #[serde(default)]
    pub sha256: String,
}

fn entry_hash(e: &Entry) -> Result<String> {
    let mut v = serde_json::to_value(e).map_err(|e| Error::Invalid(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        m.remove("sha256");
    }
    Ok(sha256_bytes(canonical_json(&v).as_bytes()))
}

/// Appends an entry (its chain fields filled in here) and returns its hash.
pub(crate) fn append(path: &Path, mut entry: Entry) -> Result<String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.lock().map_err(|e| Error::io(path, e))?;
    f.rewind().map_err(|e| Error::io(path, e))?;
    let mut last: Option<String> = None;
    for line in std::io::BufReader::new(&f).lines() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if !line.trim().is_empty() {
            last = Some(line);
        }
    }
    entry.prev_sha256 = match last {
        Some(line) => {
            let prev: Entry = serde_json::from_str(&line).map_err(|e| {
                Error::Invalid(format!(
                    "{}: the last line is not an audit entry ({e}); refusing to extend a damaged log",
                    path.display()
                ))
            })?;
            prev.sha256
        }
        None => GENESIS.into(),
    };
    entry.sha256 = String::new();
    entry.sha256 = entry_hash(&entry)?;
    let mut line = serde_json::to_string(&entry).map_err(|e| Error::Invalid(e.to_string()))?;
    line.push('\n');
    f.write_all(line.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))?;
    Ok(entry.sha256)
}

/// One problem found in a log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Problem {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// Checks every line's own hash and the chain; returns the number of entries and the problems.
pub(crate) fn verify(path: &Path) -> Result<(usize, Vec<Problem>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut problems = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        let entry: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(e) => {
                problems.push(Problem {
                    line: i + 1,
                    message: format!("not an audit entry: {e}"),
                });
                prev = String::new();
                continue;
            }
        };
        if entry_hash(&entry)? != entry.sha256 {
            problems.push(Problem {
                line: i + 1,
                message: "the line was edited: its content does not match its sha256".into(),
            });
        }
        if entry.prev_sha256 != prev {
            problems.push(Problem {
                line: i + 1,
                message: if i == 0 || prev == GENESIS {
                    "the chain does not start here: lines before it were removed".into()
                } else {
                    "prev_sha256 does not match the line before: a line was removed, inserted or reordered".into()
                },
            });
        }
        prev = entry.sha256.clone();
    }
    Ok((n, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(verdict: &str) -> Entry {
        Entry {
            time: "2026-01-01T00:00:00Z".into(),
            user: "u".into(),
            host: "h".into(),
            command: vec!["reident".into(), "gate".into()],
            input_sha256: "ab".into(),
            report_sha256: None,
            verdict: verdict.into(),
            prev_sha256: String::new(),
            sha256: String::new(),
        }
    }

    #[test]
    fn chain_detects_edits_and_removals() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a/audit.log");
        for v in ["pass", "fail", "pass", "pass"] {
            append(&log, entry(v)).unwrap();
        }
        assert_eq!(verify(&log).unwrap(), (4, vec![]));
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Remove the second line.
        let removed = [lines[0], lines[2], lines[3]].join("\n");
        std::fs::write(&log, removed).unwrap();
        let (_, p) = verify(&log).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, 2);
        // Edit a verdict.
        let edited = text.replacen("\"verdict\":\"fail\"", "\"verdict\":\"pass\"", 1);
        std::fs::write(&log, edited).unwrap();
        let (_, p) = verify(&log).unwrap();
        assert_eq!(p[0].line, 2, "{p:?}");
        assert!(p[0].message.contains("edited"));
        // Remove the first line.
        std::fs::write(&log, lines[1..].join("\n")).unwrap();
        assert_eq!(verify(&log).unwrap().1[0].line, 1);
    }
}
