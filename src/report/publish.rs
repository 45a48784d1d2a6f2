//! Publishing a report: its folder (report.json, report.md, report.html, and with a key their
//! minisign signatures) and its audit line.
//!
//! The audit log is locked from reading its head to appending the run's line; the report records
//! that head (`audit`) before it is sealed and signed, so the report and the log vouch for each
//! other. The folder is written at once (`output::folder`): a fresh temporary folder,
//! renamed into place, never over an existing folder unless `force` (and then only over one that
//! holds a report's files alone).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::audit::{Entry, LockedLog};
use super::sign::{SigningKey, SIGNATURE_SUFFIX};
use super::{AuditRecord, Report};
use crate::error::{Error, Result};
use crate::output::folder::{write_folder, Existing};

/// Where a report goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// The report folder. `Some` of an empty path: `reports/<data file stem>-<UTC time>/` (with
    /// `-2`, `-3`, ... when a run of the same second took that name).
    pub dir: Option<PathBuf>,
    /// Let the report show the QI values of classes smaller than the disclosure k (its first
    /// line then says so).
    pub show_values: bool,
    /// The audit log each reporting run appends one line to (default: `reports/audit.log`).
    pub audit_log: Option<PathBuf>,
    /// Replace the report folder if it exists (only if it holds nothing but a report's files).
    #[serde(default)]
    pub force: bool,
    /// Sign the report's files and its audit line with this key.
    #[serde(skip)]
    pub sign: Option<SigningKey>,
}

impl ReportOptions {
    /// Whether a report is to be made at all (a folder or an audit log was asked for).
    pub fn wanted(&self) -> bool {
        self.dir.is_some() || self.audit_log.is_some()
    }

    /// Refuses at once a report folder that exists (without `force`), before the command runs
    /// and writes anything else. (Publishing refuses it again, atomically.)
    pub fn check_folder(&self) -> Result<()> {
        match &self.dir {
            Some(d) if !d.as_os_str().is_empty() && !self.force && d.exists() => {
                Err(Error::Invalid(format!(
                    "{}: the folder exists; name another, or give --force to replace it",
                    d.display()
                )))
            }
            _ => Ok(()),
        }
    }
}

/// What publishing wrote.
#[derive(Debug, Clone)]
pub struct Published {
    /// The report as written: it records the audit log's head, and is sealed again.
    pub report: Report,
    /// The report folder, if one was written.
    pub dir: Option<PathBuf>,
    /// The audit log the run's line went to, if any.
    pub audit_log: Option<PathBuf>,
}

/// The folder of a report folder that keeps the hierarchies a run built (see
/// [`publish_with`]).
pub const BUILT_HIERARCHIES: &str = "hierarchies";

/// The names a report folder holds (what `force` may replace).
fn report_file(name: &str) -> bool {
    let base = name.strip_suffix(SIGNATURE_SUFFIX).unwrap_or(name);
    matches!(
        base,
        "report.json" | "report.md" | "report.html" | BUILT_HIERARCHIES
    )
}

/// The signing key a run uses: `flag` (`--sign`), else `env` (`REIDENT_SIGNING_KEY`), else the
/// policy file's `signing_key` (relative to the policy file).
pub fn signing_key_path(
    flag: Option<&Path>,
    env: Option<PathBuf>,
    policy: Option<&Path>,
) -> Result<Option<PathBuf>> {
    if let Some(f) = flag {
        return Ok(Some(f.to_path_buf()));
    }
    if let Some(e) = env.filter(|e| !e.as_os_str().is_empty()) {
        return Ok(Some(e));
    }
    let Some(p) = policy else {
        return Ok(None);
    };
    let policy = crate::policy::Policy::load(p)?;
    Ok(policy.signing_key.map(|k| {
        p.parent()
            .map(|d| d.join(&k))
            .unwrap_or_else(|| PathBuf::from(k))
    }))
}

/// Writes the report folder (when asked) and appends the audit line (when a folder or a log is
/// asked for, or `always_audit`); returns the report as written and where it went.
pub fn publish(report: &Report, options: &ReportOptions, always_audit: bool) -> Result<Published> {
    publish_with(report, options, always_audit, &[])
}

/// [`publish`], with `built` hierarchies (file name, ARX text) kept in the report folder's
/// [`BUILT_HIERARCHIES`] folder, written with the report at once.
pub fn publish_with(
    report: &Report,
    options: &ReportOptions,
    always_audit: bool,
    built: &[(String, Vec<u8>)],
) -> Result<Published> {
    let mut report = report.clone();
    let dir = options.dir.as_ref().map(|d| {
        if d.as_os_str().is_empty() {
            let started = humantime::parse_rfc3339(&report.run.started_at)
                .unwrap_or_else(|_| std::time::SystemTime::now());
            (
                super::default_dir(Path::new(&report.dataset.path), started),
                Existing::NextFree,
            )
        } else if options.force {
            (d.clone(), Existing::Replace)
        } else {
            (d.clone(), Existing::Refuse)
        }
    });
    let log_path = (dir.is_some() || always_audit || options.audit_log.is_some()).then(|| {
        options
            .audit_log
            .clone()
            .unwrap_or_else(|| PathBuf::from("reports/audit.log"))
    });
    // Held until the line is appended: the head recorded stays the head.
    let log = match &log_path {
        Some(p) => {
            let log = LockedLog::open(p)?;
            report.audit = Some(AuditRecord {
                log: p.display().to_string(),
                entries_before: log.entries,
                previous_sha256: log.head.clone(),
            });
            report.seal()?;
            Some(log)
        }
        None => None,
    };
    let written = match dir {
        Some((target, existing)) => {
            let mut files = folder_files(&report, options.sign.as_ref())?;
            files.extend(
                built
                    .iter()
                    .map(|(name, text)| (format!("{BUILT_HIERARCHIES}/{name}"), text.clone())),
            );
            // A report that shows the values of small classes holds protected data: 0600.
            Some(write_folder(
                &target,
                &files,
                existing,
                report_file,
                options.show_values,
            )?)
        }
        None => None,
    };
    if let Some(log) = log {
        log.append(
            Entry {
                time: report.run.started_at.clone(),
                user: report.run.user.clone(),
                host: report.run.host.clone(),
                command: report.run.command_line.clone(),
                input_sha256: report.dataset.sha256.clone(),
                report_sha256: Some(report.integrity.sha256.clone()),
                verdict: report.verdict.clone(),
                key_id: None,
                prev_sha256: String::new(),
                sha256: String::new(),
                signature: None,
            },
            options.sign.as_ref(),
        )?;
    }
    Ok(Published {
        report,
        dir: written,
        audit_log: log_path,
    })
}

/// The files of the folder: each rendering, and with a key its signature.
fn folder_files(report: &Report, key: Option<&SigningKey>) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for (name, text) in report.render()? {
        if let Some(k) = key {
            let sig = k.sign(text.as_bytes(), &report.signature_comment(name))?;
            files.push((format!("{name}{SIGNATURE_SUFFIX}"), sig.into_bytes()));
        }
        files.push((name.to_string(), text.into_bytes()));
    }
    if files.is_empty() {
        return Err(Error::Invalid("no report format to write".into()));
    }
    Ok(files)
}
