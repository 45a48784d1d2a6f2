//! The signatures of a report's files, and the audit log (with its link to a report).

use std::path::{Path, PathBuf};

use super::Check;
use crate::error::Result;
use crate::input::regular::read_regular;
use crate::report::audit;
use crate::report::sign::{PublicKeys, SIGNATURE_SUFFIX};
use crate::report::Report;

/// A signature file is a few hundred bytes.
const SIGNATURE_LIMIT: u64 = 64 * 1024;

fn signature_of(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(SIGNATURE_SUFFIX);
    file.with_file_name(name)
}

/// The signature of each of the report's files present (report.json first): with keys, each
/// must be there and hold, its trusted comment naming this report; without, their presence is
/// noted as unchecked.
pub(super) fn report_files(
    report_path: &Path,
    report_bytes: &[u8],
    report: &Report,
    renderings: &[(&'static str, String)],
    keys: Option<&PublicKeys>,
    signed_by: &mut Option<String>,
) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let mut holds = true;
    let mut by = None;
    for (name, _) in renderings {
        let (file, bytes) = if name.ends_with(".json") {
            (report_path.to_path_buf(), Some(report_bytes.to_vec()))
        } else {
            let f = super::sibling(report_path, name);
            let b = read_regular(&f, super::REPORT_LIMIT).ok();
            (f, b)
        };
        let Some(bytes) = bytes else {
            continue; // absent: the rendering check says so
        };
        let sig_path = signature_of(&file);
        let shown = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let item = format!("signature of {shown}");
        let sig = read_regular(&sig_path, SIGNATURE_LIMIT)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let Some(keys) = keys else {
            if sig.is_some() {
                checks.push(Check::new(
                    item,
                    true,
                    "present, not checked: give the signer's --public-key PUB (or --trusted-keys DIR)",
                ));
            }
            continue;
        };
        let Some(sig) = sig else {
            holds = false;
            checks.push(Check::new(
                item,
                false,
                format!("{} is missing: the file is not signed", sig_path.display()),
            ));
            continue;
        };
        match keys.verify(&bytes, &sig) {
            // reident's comment names the report, its data and its verdict, and must be this
            // report's; another signer's comment (`minisign -S`'s timestamp) is shown as is.
            Ok(v)
                if v.trusted_comment.starts_with("reident ")
                    && v.trusted_comment != report.signature_comment(name) =>
            {
                holds = false;
                checks.push(Check::new(
                    item,
                    false,
                    format!(
                        "made by key {} for another report: its signed comment says {:?}",
                        v.key_id, v.trusted_comment
                    ),
                ));
            }
            Ok(v) => {
                by = Some(format!("{} ({})", v.key_id, v.key_file.display()));
                checks.push(Check::new(
                    item,
                    true,
                    format!("by key {}: {}", v.key_id, v.trusted_comment),
                ));
            }
            Err(e) => {
                holds = false;
                checks.push(Check::new(item, false, e));
            }
        }
    }
    if holds {
        *signed_by = by;
    }
    Ok(checks)
}

/// The audit log's chain (and with keys its signatures), and with a report the line of its run.
pub(super) fn audit_log(
    log: &Path,
    keys: Option<&PublicKeys>,
    report: Option<&Report>,
    established: &mut Option<String>,
) -> Result<Vec<Check>> {
    let c = audit::check(log, keys)?;
    let mut checks = Vec::new();
    let n = c.entries.len();
    if c.problems.is_empty() {
        checks.push(Check::new(
            "audit log",
            true,
            match keys {
                Some(_) => format!(
                    "{}: {n} entries, chain intact, every line signed",
                    log.display()
                ),
                None => format!(
                    "{}: {n} entries, chain intact (signatures not checked: no key)",
                    log.display()
                ),
            },
        ));
    }
    for p in &c.problems {
        checks.push(Check::new(
            format!("audit log line {}", p.line),
            false,
            p.message.clone(),
        ));
    }
    if let Some(r) = report {
        checks.push(report_line(r, &c));
    }
    *established = Some(match keys {
        Some(_) => format!("audit log: {n} signed lines chained"),
        None => {
            "audit log: chain only (without the key, a log rewritten with recomputed hashes passes)"
                .into()
        }
    });
    Ok(checks)
}

/// The report's run in the log: its line, where the report says the log stood.
fn report_line(r: &Report, c: &audit::LogCheck) -> Check {
    let item = "report in the audit log";
    let Some(a) = &r.audit else {
        return Check::new(
            item,
            false,
            "the report records no audit head (made without an audit log, or by an older reident): it cannot be linked to the log",
        );
    };
    let pos = c
        .entries
        .iter()
        .position(|(_, e)| e.report_sha256.as_deref() == Some(r.integrity.sha256.as_str()));
    let expected = a.entries_before as usize;
    match pos {
        Some(i) => {
            let (line, e) = &c.entries[i];
            if i == expected && e.prev_sha256 == a.previous_sha256 {
                Check::new(
                    item,
                    true,
                    format!(
                        "line {line} is this report's run, after the {expected} entries the report says the log had"
                    ),
                )
            } else {
                Check::new(
                    item,
                    false,
                    format!(
                        "line {line} is this report's run, but the report says it followed {expected} entries ending in {}: lines before it were removed or added",
                        short_hash(&a.previous_sha256)
                    ),
                )
            }
        }
        None if c.entries.len() <= expected => Check::new(
            item,
            false,
            format!(
                "the log has {} entries; this report's run was entry {}: the log was truncated before it (or it is another log)",
                c.entries.len(),
                expected + 1
            ),
        ),
        None => Check::new(
            item,
            false,
            format!(
                "no line of the log is this report's run (report SHA-256 {}): its line was removed or rewritten, or this is another log",
                short_hash(&r.integrity.sha256)
            ),
        ),
    }
}

fn short_hash(h: &str) -> String {
    h.chars().take(16).collect()
}
