//! What a command returns to Python: its typed outcome, serialized exactly as the CLI's `--json`
//! serializes it, and its report.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;

use reident::report::{build, Report, ReportOptions};

use crate::error::{invalid, to_py};

/// One command's outcome.
pub enum Kind {
    Analyze(Box<reident::analyze::Outcome>),
    /// A gate and its report (built at once: it is the gate's `--json` document).
    Gate(Box<reident::gate::Outcome>, Box<Report>),
    Anonymize(Box<reident::anonymize::Outcome>),
    Combos(Box<reident::combos::Outcome>),
    Suda(Box<reident::suda::Outcome>),
    Scan(Box<reident::scan::Outcome>),
    SafeHarbor(Box<reident::safe_harbor::Outcome>),
    Verify(Box<reident::verify::Outcome>),
}

/// The outcome of one command (see the `reident` package for the result classes built on it).
#[pyclass(frozen, module = "reident._reident")]
pub struct Outcome {
    kind: Kind,
    command_line: Vec<String>,
}

impl Outcome {
    pub fn new(kind: Kind, command_line: Vec<String>) -> Outcome {
        Outcome { kind, command_line }
    }

    /// The policy file the command ran with (a report's signing key may be named there).
    fn policy(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Analyze(o) => o.options.settings.policy.as_deref(),
            Kind::Gate(o, _) => o.analysis.options.settings.policy.as_deref(),
            Kind::Anonymize(o) => o.options.settings.policy.as_deref(),
            Kind::Combos(o) => o.options.settings.policy.as_deref(),
            Kind::Suda(o) => o.options.settings.policy.as_deref(),
            _ => None,
        }
    }

    /// The report of this outcome, built as the CLI builds it.
    fn build_report(&self, show_values: bool) -> reident::Result<Report> {
        let cl = self.command_line.clone();
        match &self.kind {
            Kind::Analyze(o) => build::analysis(o, "analyze", cl, show_values),
            Kind::Gate(o, report) => {
                if report.shows_values == show_values {
                    Ok(report.as_ref().clone())
                } else {
                    build::analysis(&o.analysis, "gate", cl, show_values)
                }
            }
            Kind::Anonymize(o) => build::anonymization(o, cl, show_values),
            Kind::Combos(o) => build::combinations(o, cl),
            Kind::Suda(o) => build::suda(o, cl),
            Kind::Scan(o) => build::scan(o, cl),
            Kind::SafeHarbor(o) => build::safe_harbor(o, cl),
            Kind::Verify(_) => Err(reident::Error::Invalid(
                "verify makes no report: its checks are its result".into(),
            )),
        }
    }
}

/// Where a report goes and how, as the CLI's `--report DIR --show-values --audit-log FILE
/// --force --sign KEY` state it: the folder is refused at once if it exists (without `force`),
/// and the signing key (`sign`, else `$REIDENT_SIGNING_KEY`, else the policy's `signing_key`)
/// is loaded before the command runs, its password from `$REIDENT_KEY_PASSWORD`. Without
/// `audit` no key is looked for unless `sign` names one, which is refused (a signed report has
/// a signed audit line).
pub struct ReportRequest {
    pub dir: Option<PathBuf>,
    pub show_values: bool,
    pub audit_log: Option<PathBuf>,
    pub audit: bool,
    pub force: bool,
    pub sign: Option<PathBuf>,
}

impl ReportRequest {
    pub fn prepare(self, policy: Option<&Path>) -> reident::Result<(ReportOptions, bool)> {
        use reident::report::sign::{SigningKey, PASSWORD_ENV, SIGNING_KEY_ENV};
        let mut options = ReportOptions {
            dir: self.dir,
            show_values: self.show_values,
            audit_log: self.audit_log,
            force: self.force,
            sign: None,
        };
        options.check_folder().map_err(|e| match e {
            reident::Error::Invalid(m) => {
                reident::Error::Invalid(m.replace("--force", "force=True"))
            }
            other => other,
        })?;
        if !self.audit {
            if self.sign.is_some() {
                return Err(reident::Error::Invalid(
                    "sign= signs the report and its audit line: leave the audit log on (audit_log=None or a file)".into(),
                ));
            }
            return Ok((options, false));
        }
        let env = std::env::var_os(SIGNING_KEY_ENV).map(PathBuf::from);
        if let Some(key) =
            reident::report::publish::signing_key_path(self.sign.as_deref(), env, policy)?
        {
            let password = std::env::var(PASSWORD_ENV).ok();
            options.sign = Some(SigningKey::load(&key, password.as_deref())?);
        }
        Ok((options, true))
    }
}

/// Writes the report folder (when `dir` is given) with the hierarchies an anonymization built
/// (`built`, kept in its `hierarchies/`), and with `audit` appends the audit line (to
/// `reports/audit.log` unless another log is named), as the CLI's `--report` does. Returns the
/// report as written (with `audit`, it records the log's head and is sealed again).
pub fn publish(
    report: &Report,
    options: &ReportOptions,
    audit: bool,
    built: &[(String, Vec<u8>)],
) -> reident::Result<Report> {
    if audit {
        return Ok(reident::report::publish_with(report, options, true, built)?.report);
    }
    if let Some(dir) = &options.dir {
        report.write_dir(dir)?;
        if !built.is_empty() {
            let folder = dir.join(reident::report::publish::BUILT_HIERARCHIES);
            std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
            for (name, text) in built {
                // Through a temporary name: never a half-written hierarchy under its own.
                let path = folder.join(name);
                let tmp = folder.join(format!(".{name}.tmp"));
                std::fs::write(&tmp, text)
                    .and_then(|_| std::fs::rename(&tmp, &path))
                    .map_err(|e| io(&path, e))?;
            }
        }
    }
    Ok(report.clone())
}

fn io(path: &Path, source: std::io::Error) -> reident::Error {
    reident::Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn json(value: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string_pretty(value).map_err(|e| invalid(format!("serializing: {e}")))
}

#[pymethods]
impl Outcome {
    /// The command: `analyze`, `gate`, `anonymize`, `combos`, `suda`, `scan`, `safe_harbor` or
    /// `verify`.
    #[getter]
    fn command(&self) -> &'static str {
        match self.kind {
            Kind::Analyze(_) => "analyze",
            Kind::Gate(..) => "gate",
            Kind::Anonymize(_) => "anonymize",
            Kind::Combos(_) => "combos",
            Kind::Suda(_) => "suda",
            Kind::Scan(_) => "scan",
            Kind::SafeHarbor(_) => "safe_harbor",
            Kind::Verify(_) => "verify",
        }
    }

    /// The CLI's `--json` document of this run, as text.
    fn json(&self) -> PyResult<String> {
        match &self.kind {
            Kind::Analyze(o) => json(&o.report),
            Kind::Gate(_, report) => json(report.as_ref()),
            Kind::Anonymize(o) => json(&o.summary),
            Kind::Combos(o) => o.json().map_err(to_py),
            Kind::Suda(o) => o.json().map_err(to_py),
            Kind::Scan(o) => json(&o.report),
            Kind::SafeHarbor(o) => json(&o.report),
            Kind::Verify(o) => json(o.as_ref()),
        }
    }

    /// The verdicts of the targets checked, as JSON (empty for commands without targets).
    fn verdicts_json(&self) -> PyResult<String> {
        match &self.kind {
            Kind::Analyze(o) => json(&o.verdicts),
            Kind::Gate(o, _) => json(&o.analysis.verdicts),
            Kind::Anonymize(o) => json(&o.verdicts),
            _ => Ok("[]".into()),
        }
    }

    /// Warnings the CLI prints on stderr (direct identifiers read as something else; rows
    /// counted where a person may have several rows).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        match &self.kind {
            Kind::Analyze(o) => [&o.warnings[..], &o.notices[..]].concat(),
            Kind::Gate(o, _) => [&o.analysis.warnings[..], &o.analysis.notices[..]].concat(),
            Kind::Anonymize(o) => [&o.warnings[..], &o.notices[..]].concat(),
            _ => Vec::new(),
        }
    }

    /// gate: whether every threshold holds (the CLI's exit status 0, else 1). verify: whether
    /// every check passed. Other commands: `None`.
    #[getter]
    fn passed(&self) -> Option<bool> {
        match &self.kind {
            Kind::Gate(o, _) => Some(o.passed()),
            Kind::Verify(o) => Some(o.ok),
            _ => None,
        }
    }

    /// The report (report.json's content) as JSON text, without writing anything.
    #[pyo3(signature = (show_values=false))]
    fn report_json(&self, py: Python<'_>, show_values: bool) -> PyResult<String> {
        let report = py
            .detach(|| self.build_report(show_values))
            .map_err(to_py)?;
        json(&report)
    }

    /// Writes report.json, report.md and report.html into `dir` (refused if it exists, unless
    /// `force` and it holds a report's files alone), and with `audit` appends the audit line (to
    /// `audit_log`, default `reports/audit.log`), signed with `sign` (or the key
    /// `$REIDENT_SIGNING_KEY` or the policy names). Returns the files written.
    #[pyo3(signature = (dir, show_values=false, audit_log=None, audit=true, force=false, sign=None))]
    #[allow(clippy::too_many_arguments)]
    fn write_report(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        show_values: bool,
        audit_log: Option<PathBuf>,
        audit: bool,
        force: bool,
        sign: Option<PathBuf>,
    ) -> PyResult<Vec<String>> {
        py.detach(|| -> reident::Result<Vec<String>> {
            let request = ReportRequest {
                dir: Some(dir.clone()),
                show_values,
                audit_log,
                audit,
                force,
                sign,
            };
            let (options, audit) = request.prepare(self.policy())?;
            let report = self.build_report(show_values)?;
            let built = match &self.kind {
                Kind::Anonymize(o) => reident::anonymize::built_hierarchy_files(o)?,
                _ => Vec::new(),
            };
            publish(&report, &options, audit, &built)?;
            let mut names = vec!["report.json", "report.md", "report.html"];
            if options.sign.is_some() {
                names.extend([
                    "report.json.minisig",
                    "report.md.minisig",
                    "report.html.minisig",
                ]);
            }
            Ok(names
                .iter()
                .map(|f| dir.join(f).display().to_string())
                .collect())
        })
        .map_err(to_py)
    }
}
