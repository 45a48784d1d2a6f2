//! `verify`: checks a report, and with the data re-runs it; or checks an audit log.
//!
//! Checks, each one [`Check`]:
//! * the report's integrity: the SHA-256 of its canonical content equals the one stored in it (an
//!   edit anywhere in its content is caught; reformatting the JSON is not an edit);
//! * given the data: the data file's SHA-256 equals the recorded one (for a report of an
//!   in-memory Arrow table, the file's content hash equals the table's), the hierarchy files the
//!   report lists still have their recorded hashes, and re-running the command from the options
//!   the report records (without writing anything) reproduces every figure section and every
//!   verdict exactly;
//! * an audit log: every line's own hash and the chain of `prev_sha256`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::{Format, Input, InputOptions};
use crate::report::{content_hash, sha256_file, Report};

/// What to check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The report.json to check.
    pub report: Option<PathBuf>,
    /// The data the report was made from: its hash is checked and the command re-run.
    pub data: Option<PathBuf>,
    /// An audit log to check (alone or with a report).
    pub audit_log: Option<PathBuf>,
    /// Show progress bars on stderr while re-running.
    #[serde(skip)]
    pub progress: bool,
}

/// One check and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub item: String,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    fn new(item: impl Into<String>, ok: bool, detail: impl Into<String>) -> Check {
        Check {
            item: item.into(),
            ok,
            detail: detail.into(),
        }
    }
}

/// Every check made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// Figure fields that legitimately differ between runs (time, where output went).
const VOLATILE: [&str; 3] = ["seconds", "output", "records_written"];

/// Makes every check the options ask for.
pub fn run(options: &Options) -> Result<Outcome> {
    if options.report.is_none() && options.audit_log.is_none() {
        return Err(Error::Invalid(
            "give a report.json to check, or --audit-log FILE".into(),
        ));
    }
    let mut checks = Vec::new();
    if let Some(path) = &options.report {
        checks.extend(check_report(
            path,
            options.data.as_deref(),
            options.progress,
        )?);
    }
    if let Some(log) = &options.audit_log {
        checks.extend(check_audit_log(log)?);
    }
    Ok(Outcome {
        ok: checks.iter().all(|c| c.ok),
        checks,
    })
}

/// The report's integrity, and with the data its hashes and a re-run.
fn check_report(path: &Path, data: Option<&Path>, progress: bool) -> Result<Vec<Check>> {
    let (report, value) = Report::load(path)?;
    let hash = content_hash(&value);
    let intact = hash == report.integrity.sha256;
    let mut checks = vec![Check::new(
        "report integrity",
        intact,
        if intact {
            format!("content SHA-256 {hash}")
        } else {
            format!(
                "the report was edited: its content hashes to {hash}, it records {}",
                report.integrity.sha256
            )
        },
    )];
    let Some(data) = data else {
        return Ok(checks);
    };
    // A report of an in-memory table records its content hash (canonical values), not a file's:
    // the file given must hold the same values.
    let (got, what) = if report.dataset.format == Format::Arrow.as_str() {
        let input = Input::open(data, &InputOptions::default())?;
        (input.content_sha256()?, "content SHA-256")
    } else {
        (sha256_file(data)?, "SHA-256")
    };
    let same = got == report.dataset.sha256;
    checks.push(Check::new(
        "data hash",
        same,
        if same {
            format!("{} has {what} {got}", data.display())
        } else {
            format!(
                "{} has {what} {got}, the report was made from {}",
                data.display(),
                report.dataset.sha256
            )
        },
    ));
    for h in &report.hierarchies {
        let (ok, detail) = match sha256_file(Path::new(&h.path)) {
            Ok(got) if got == h.sha256 => (true, format!("{} unchanged", h.path)),
            Ok(got) => (
                false,
                format!("{} has SHA-256 {got}, recorded {}", h.path, h.sha256),
            ),
            Err(e) => (false, format!("cannot read it: {e}")),
        };
        checks.push(Check::new(format!("hierarchy of {}", h.column), ok, detail));
    }
    if same {
        checks.extend(rerun(&report, data, progress)?);
    }
    Ok(checks)
}

fn check_audit_log(log: &Path) -> Result<Vec<Check>> {
    let (n, problems) = crate::report::audit::verify(log)?;
    if problems.is_empty() {
        return Ok(vec![Check::new(
            "audit log",
            true,
            format!("{}: {n} entries, chain intact", log.display()),
        )]);
    }
    Ok(problems
        .into_iter()
        .map(|p| Check::new(format!("audit log line {}", p.line), false, p.message))
        .collect())
}

/// The recorded options of a command, read back.
fn recorded<T: serde::de::DeserializeOwned>(report: &Report) -> Result<T> {
    if report.run.options.is_null() {
        return Err(Error::Invalid(format!(
            "the report records no options to re-run (it was written by a reident before {}): check its integrity without the data, or make it again",
            env!("CARGO_PKG_VERSION")
        )));
    }
    serde_json::from_value(report.run.options.clone()).map_err(|e| {
        Error::Invalid(format!(
            "the report's options cannot be re-run by this reident: {e}"
        ))
    })
}

/// Re-runs the recorded command on `data` (writing nothing) and compares every figure section
/// and verdict.
fn rerun(report: &Report, data: &Path, progress: bool) -> Result<Vec<Check>> {
    use crate::report::build;
    let command_line = report.run.command_line.clone();
    let again = match report.kind.as_str() {
        "analyze" | "gate" => {
            let mut o: crate::analyze::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.record_risk = None;
            o.scan = false;
            o.progress = progress;
            let outcome = crate::analyze::run(&o)?;
            build::analysis(&outcome, &report.kind, command_line, report.shows_values)?
        }
        "anonymize" => {
            let mut o: crate::anonymize::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.output = None;
            o.scan = false;
            o.progress = progress;
            let outcome = crate::anonymize::run(&o)?;
            build::anonymization(&outcome, command_line, report.shows_values)?
        }
        "combos" => {
            let mut o: crate::combos::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.progress = progress;
            build::combinations(&crate::combos::run(&o)?, command_line)?
        }
        "suda" => {
            let mut o: crate::suda::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.record_risk = None;
            o.progress = progress;
            build::suda(&crate::suda::run(&o)?, command_line)?
        }
        "scan" => return rerun_scan(report, data),
        "safe-harbor" => {
            return Ok(vec![Check::new(
                "re-run",
                true,
                "not applicable: a safe-harbor run's pseudonyms come from a per-run random key, so only the hashes are checked",
            )])
        }
        other => {
            return Err(Error::Invalid(format!(
                "reports of `{other}` cannot be re-run by verify"
            )))
        }
    };
    compare(report, &again)
}

/// A scan's findings again (its own dataset block names the path it was given, so it is left
/// out of the comparison).
fn rerun_scan(report: &Report, data: &Path) -> Result<Vec<Check>> {
    let mut o: crate::scan::Options = recorded(report)?;
    o.data = data.to_path_buf();
    let outcome = crate::scan::run(&o)?;
    let mut again = to_json(&outcome.report)?;
    let mut before = match &report.figures.scan {
        Some(s) => to_json(s)?,
        None => Value::Null,
    };
    for x in [&mut again, &mut before] {
        if let Value::Object(m) = x {
            m.remove("dataset");
        }
    }
    let ok = again == before;
    Ok(vec![Check::new(
        "figures: scan",
        ok,
        if ok {
            "reproduced exactly".into()
        } else {
            first_difference(&before, &again, String::new()).unwrap_or_else(|| "differs".into())
        },
    )])
}

/// Anything serializable, as JSON.
fn to_json<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Invalid(e.to_string()))
}

/// Every figure section and verdict of the re-run against the report's.
fn compare(report: &Report, again: &Report) -> Result<Vec<Check>> {
    let sections = |r: &Report| -> Result<serde_json::Map<String, Value>> {
        match to_json(&r.figures)? {
            Value::Object(m) => Ok(m),
            _ => Ok(serde_json::Map::new()),
        }
    };
    let (before, after) = (sections(report)?, sections(again)?);
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let mut checks = Vec::new();
    for s in names {
        let mut a = before.get(s).cloned().unwrap_or(Value::Null);
        let mut b = after.get(s).cloned().unwrap_or(Value::Null);
        strip_volatile(&mut a);
        strip_volatile(&mut b);
        let ok = a == b;
        checks.push(Check::new(
            format!("figures: {s}"),
            ok,
            if ok {
                "reproduced exactly".into()
            } else {
                first_difference(&a, &b, String::new()).unwrap_or_else(|| "differs".into())
            },
        ));
    }
    if report.thresholds.len() != again.thresholds.len() {
        checks.push(Check::new(
            "thresholds",
            false,
            format!(
                "{} verdicts recorded, {} on re-running",
                report.thresholds.len(),
                again.thresholds.len()
            ),
        ));
    }
    for (r, g) in report.thresholds.iter().zip(&again.thresholds) {
        checks.push(Check::new(
            format!("threshold: {}", r.threshold),
            r == g,
            if r == g {
                format!("{} again", if r.passed { "passes" } else { "fails" })
            } else {
                format!("recorded {r:?}, re-run {g:?}")
            },
        ));
    }
    Ok(checks)
}

fn strip_volatile(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in VOLATILE {
                m.remove(k);
            }
            m.values_mut().for_each(strip_volatile);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_volatile),
        _ => {}
    }
}

/// The JSON pointer of the first place where two values differ, with both values.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    format!("{at}/{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: recorded {a}, re-run gives {b}")),
    }
}
