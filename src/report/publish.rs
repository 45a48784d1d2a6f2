//! Publishing a report: its folder (report.json, report.md, report.html) and its audit line.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::audit::{append, Entry};
use super::Report;
use crate::error::Result;

/// Where a report goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// The report folder. `Some` of an empty path: `reports/<data file stem>-<UTC time>/`.
    pub dir: Option<PathBuf>,
    /// Let the report show the QI values of classes smaller than the disclosure k (its first
    /// line then says so).
    pub show_values: bool,
    /// The audit log each reporting run appends one line to (default: `reports/audit.log`).
    pub audit_log: Option<PathBuf>,
}

impl ReportOptions {
    /// Whether a report is to be made at all (a folder or an audit log was asked for).
    pub fn wanted(&self) -> bool {
        self.dir.is_some() || self.audit_log.is_some()
    }
}

/// Writes the report folder (when asked) and appends the audit line (when a folder or a log is
/// asked for, or `always_audit`); returns the folder.
pub fn publish(
    report: &Report,
    options: &ReportOptions,
    always_audit: bool,
) -> Result<Option<PathBuf>> {
    let dir = options.dir.as_ref().map(|d| {
        if d.as_os_str().is_empty() {
            let started = humantime::parse_rfc3339(&report.run.started_at)
                .unwrap_or_else(|_| std::time::SystemTime::now());
            super::default_dir(std::path::Path::new(&report.dataset.path), started)
        } else {
            d.clone()
        }
    });
    if let Some(dir) = &dir {
        report.write_dir(dir)?;
    }
    if dir.is_some() || always_audit || options.audit_log.is_some() {
        let log = options
            .audit_log
            .clone()
            .unwrap_or_else(|| PathBuf::from("reports/audit.log"));
        append(
            &log,
            Entry {
                time: report.run.started_at.clone(),
                user: report.run.user.clone(),
                host: report.run.host.clone(),
                command: report.run.command_line.clone(),
                input_sha256: report.dataset.sha256.clone(),
                report_sha256: Some(report.integrity.sha256.clone()),
                verdict: report.verdict.clone(),
                prev_sha256: String::new(),
                sha256: String::new(),
            },
        )?;
    }
    Ok(dir)
}
