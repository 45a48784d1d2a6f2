//! The audit log: one JSON line per run, chained by hashes, each line signed when the run was.
//!
//! Each line holds the time, user, host, command line, the input's SHA-256, the report's content
//! hash and the verdict, the SHA-256 of the previous line (`prev_sha256`; 64 zeros for the first)
//! and its own hash (`sha256`, over the line's canonical JSON without `sha256` and `signature`).
//! A run that signs its report (`--sign KEY`) also writes its key id (`key_id`) and a minisign
//! signature of its `sha256` (`signature`).
//!
//! What each protection catches: an edited line no longer matches its own hash; a removed line
//! breaks the chain at the next one. Both can be hidden by recomputing the later hashes, unless
//! the lines are signed: a line rewritten and rehashed no longer matches its signature, and the
//! signature of every later line covers its `prev_sha256`, so nothing before a signed line can be
//! rewritten either. Removing the *last* lines leaves a valid shorter chain: a report records
//! the log's head at its run (`audit` in the report), so `verify --audit-log LOG REPORT` finds a
//! log truncated before that report's run.
//!
//! A run holds an exclusive lock on the file from reading its head to appending its line, so
//! that concurrent runs cannot interleave or chain to the same predecessor.

use std::fs::File;
use std::io::{BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::sign::{PublicKeys, SigningKey};
use super::{canonical_json, sha256_bytes};
use crate::error::{Error, Result};

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Audit logs larger than this are not read by `verify` (a guard against a device given as one).
const LOG_LIMIT: u64 = 4 << 30;

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
    /// The id of the key that signed the run's report and this line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub prev_sha256: String,
    #[serde(default)]
    pub sha256: String,
    /// A minisign signature of `sha256` by the key `key_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

fn entry_hash(e: &Entry) -> Result<String> {
    let mut v = serde_json::to_value(e).map_err(|e| Error::Invalid(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        m.remove("sha256");
        m.remove("signature");
    }
    Ok(sha256_bytes(canonical_json(&v).as_bytes()))
}

/// The trusted comment of a line's signature.
fn line_comment(sha256: &str) -> String {
    format!("reident audit entry sha256:{sha256}")
}

/// An audit log opened for one append, locked until then: its head is known and stays so.
pub(crate) struct LockedLog {
    file: File,
    path: PathBuf,
    /// Lines already in the log.
    pub entries: u64,
    /// The hash of its last line (`GENESIS` when empty): the `prev_sha256` of the next.
    pub head: String,
}

impl LockedLog {
    /// Opens (creating it and its folder if needed) and locks the log, and reads its head.
    pub(crate) fn open(path: &Path) -> Result<LockedLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        if !f.metadata().map_err(|e| Error::io(path, e))?.is_file() {
            return Err(Error::Invalid(format!(
                "{}: the audit log is not a regular file",
                path.display()
            )));
        }
        f.lock().map_err(|e| Error::io(path, e))?;
        f.rewind().map_err(|e| Error::io(path, e))?;
        let mut last: Option<String> = None;
        let mut entries = 0;
        for line in std::io::BufReader::new(&f).lines() {
            let line = line.map_err(|e| Error::io(path, e))?;
            if !line.trim().is_empty() {
                entries += 1;
                last = Some(line);
            }
        }
        let head = match last {
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
        Ok(LockedLog {
            file: f,
            path: path.to_path_buf(),
            entries,
            head,
        })
    }

    /// Appends `entry` (its chain fields, key id and signature filled in here) and returns its
    /// hash; the lock goes with the file.
    pub(crate) fn append(mut self, mut entry: Entry, key: Option<&SigningKey>) -> Result<String> {
        entry.prev_sha256 = self.head.clone();
        entry.key_id = key.map(SigningKey::id);
        entry.sha256 = String::new();
        entry.signature = None;
        entry.sha256 = entry_hash(&entry)?;
        if let Some(k) = key {
            entry.signature = Some(k.sign(entry.sha256.as_bytes(), &line_comment(&entry.sha256))?);
        }
        let mut line = serde_json::to_string(&entry).map_err(|e| Error::Invalid(e.to_string()))?;
        line.push('\n');
        let path = &self.path;
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| Error::io(path, e))?;
        self.file.sync_all().map_err(|e| Error::io(path, e))?;
        Ok(entry.sha256)
    }
}

/// Appends an entry, unsigned (its chain fields filled in here), and returns its hash.
#[cfg(test)]
pub(crate) fn append(path: &Path, entry: Entry) -> Result<String> {
    LockedLog::open(path)?.append(entry, None)
}

/// Checks a log without keys: the number of entries and the problems.
#[cfg(test)]
pub(crate) fn verify(path: &Path) -> Result<(usize, Vec<Problem>)> {
    let c = check(path, None)?;
    Ok((c.entries.len(), c.problems))
}

/// One problem found in a log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Problem {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// What checking a log found.
#[derive(Debug, Clone, Default)]
pub(crate) struct LogCheck {
    /// Every line that is an entry, with its 1-based line number.
    pub entries: Vec<(usize, Entry)>,
    pub problems: Vec<Problem>,
    /// Lines whose signature was checked and holds.
    pub signed: usize,
}

/// Checks every line's own hash and the chain, and with `keys` every line's signature.
pub(crate) fn check(path: &Path, keys: Option<&PublicKeys>) -> Result<LogCheck> {
    let mut f = crate::input::regular::open_regular(path)?;
    let mut text = String::new();
    (&mut f)
        .take(LOG_LIMIT)
        .read_to_string(&mut text)
        .map_err(|e| Error::io(path, e))?;
    let mut out = LogCheck::default();
    let mut prev = GENESIS.to_string();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut problem = |message: String| {
            out.problems.push(Problem {
                line: i + 1,
                message,
            })
        };
        let entry: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(e) => {
                problem(format!(
                    "not an audit entry: {}",
                    crate::error::one_line(&e.to_string())
                ));
                prev = String::new();
                continue;
            }
        };
        if entry_hash(&entry)? != entry.sha256 {
            problem("the line was edited: its content does not match its sha256".into());
        }
        if entry.prev_sha256 != prev {
            problem(if out.entries.is_empty() || prev == GENESIS {
                "the chain does not start here: lines before it were removed".into()
            } else {
                "prev_sha256 does not match the line before: a line was removed, inserted or reordered".into()
            });
        }
        if let Some(keys) = keys {
            match (&entry.signature, &entry.key_id) {
                (Some(sig), Some(id)) => match keys.verify(entry.sha256.as_bytes(), sig) {
                    Ok(v) if &v.key_id != id => problem(format!(
                        "signed by key {}, but the line names key {id}",
                        v.key_id
                    )),
                    Ok(v) if v.trusted_comment != line_comment(&entry.sha256) => {
                        problem("the signature's comment is not this line's".into())
                    }
                    Ok(_) => out.signed += 1,
                    Err(e) => problem(format!(
                        "its signature does not hold: {e} (the line was rewritten, or signed by another key)"
                    )),
                },
                _ => problem(
                    "the line is not signed (a run without --sign, or a line added by hand)".into(),
                ),
            }
        }
        prev = entry.sha256.clone();
        out.entries.push((i + 1, entry));
    }
    Ok(out)
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
            key_id: None,
            prev_sha256: String::new(),
            sha256: String::new(),
            signature: None,
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

    #[test]
    fn signed_lines_cannot_be_rewritten_even_rehashed() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::report::sign::generate(dir.path(), None, false).unwrap();
        let key = SigningKey::load(&files.secret, None).unwrap();
        let keys = PublicKeys::file(&files.public).unwrap();
        let log = dir.path().join("audit.log");
        for v in ["fail", "pass", "pass"] {
            LockedLog::open(&log)
                .unwrap()
                .append(entry(v), Some(&key))
                .unwrap();
        }
        let c = check(&log, Some(&keys)).unwrap();
        assert_eq!((c.entries.len(), c.signed), (3, 3), "{:?}", c.problems);
        // Rewrite line 1's verdict and recompute every hash after it, as an attacker can.
        let text = std::fs::read_to_string(&log).unwrap();
        let mut prev = GENESIS.to_string();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let mut e: Entry = serde_json::from_str(line).unwrap();
            if i == 0 {
                e.verdict = "pass".into();
            }
            e.prev_sha256 = prev.clone();
            e.sha256 = entry_hash(&e).unwrap();
            prev = e.sha256.clone();
            out.push_str(&serde_json::to_string(&e).unwrap());
            out.push('\n');
        }
        std::fs::write(&log, &out).unwrap();
        // The chain alone holds; the signatures do not, from the rewritten line on.
        assert!(check(&log, None).unwrap().problems.is_empty());
        let c = check(&log, Some(&keys)).unwrap();
        let lines: Vec<usize> = c.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 2, 3], "{:?}", c.problems);
        assert!(c.problems[0].message.contains("signature does not hold"));
        // An unsigned line fails a check with keys.
        let plain = dir.path().join("plain.log");
        append(&plain, entry("pass")).unwrap();
        let c = check(&plain, Some(&keys)).unwrap();
        assert!(c.problems[0].message.contains("not signed"));
    }
}
