//! `reident verify REPORT.json [DATA]`, `reident verify --audit-log FILE`.
//!
//! Checks, each reported on its own line:
//! * the report's integrity: the SHA-256 of its canonical content equals the one stored in it (an
//!   edit anywhere in its content is caught; reformatting the JSON is not an edit);
//! * given the data: the data file's SHA-256 equals the recorded one, the hierarchy files the
//!   report lists still have their recorded hashes, and re-running the recorded command line on
//!   the data (with the recorded policy content, without writing anything) reproduces every
//!   figure section and every verdict exactly;
//! * an audit log: every line's own hash and the chain of `prev_sha256`.
//!
//! Exit status 0 when every check passes, 1 when one fails, 2 when a check cannot be made.

use std::path::PathBuf;

use clap::Parser;
use serde_json::Value;

use reident::error::{Error, Result};
use reident::report::{content_hash, sha256_file, Report};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report.json to check.
    pub report: Option<PathBuf>,
    /// The data the report was made from: its hash is checked and the analysis re-run.
    pub data: Option<PathBuf>,
    /// An audit log to check (alone or with a report).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Print the checks as one JSON document.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
struct Check {
    item: String,
    ok: bool,
    detail: String,
}

/// Figure fields that legitimately differ between runs (time, where output went).
const VOLATILE: [&str; 3] = ["seconds", "output", "records_written"];

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

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let mut checks: Vec<Check> = Vec::new();
    if args.report.is_none() && args.audit_log.is_none() {
        return Err(Error::Invalid(
            "give a report.json to check, or --audit-log FILE".into(),
        ));
    }
    if let Some(path) = &args.report {
        let (report, value) = Report::load(path)?;
        let hash = content_hash(&value);
        checks.push(Check {
            item: "report integrity".into(),
            ok: hash == report.integrity.sha256,
            detail: if hash == report.integrity.sha256 {
                format!("content SHA-256 {hash}")
            } else {
                format!(
                    "the report was edited: its content hashes to {hash}, it records {}",
                    report.integrity.sha256
                )
            },
        });
        if let Some(data) = &args.data {
            let got = sha256_file(data)?;
            let same = got == report.dataset.sha256;
            checks.push(Check {
                item: "data hash".into(),
                ok: same,
                detail: if same {
                    format!("{} has SHA-256 {got}", data.display())
                } else {
                    format!(
                        "{} has SHA-256 {got}, the report was made from {}",
                        data.display(),
                        report.dataset.sha256
                    )
                },
            });
            for h in &report.hierarchies {
                let p = PathBuf::from(&h.path);
                let (ok, detail) = match sha256_file(&p) {
                    Ok(got) if got == h.sha256 => (true, format!("{} unchanged", h.path)),
                    Ok(got) => (
                        false,
                        format!("{} has SHA-256 {got}, recorded {}", h.path, h.sha256),
                    ),
                    Err(e) => (false, format!("cannot read it: {e}")),
                };
                checks.push(Check {
                    item: format!("hierarchy of {}", h.column),
                    ok,
                    detail,
                });
            }
            if same {
                checks.extend(rerun(&report, data, quiet)?);
            }
        }
    }
    if let Some(log) = &args.audit_log {
        let (n, problems) = reident::report::audit::verify(log)?;
        if problems.is_empty() {
            checks.push(Check {
                item: "audit log".into(),
                ok: true,
                detail: format!("{}: {n} entries, chain intact", log.display()),
            });
        }
        for p in problems {
            checks.push(Check {
                item: format!("audit log line {}", p.line),
                ok: false,
                detail: p.message,
            });
        }
    }
    let ok = checks.iter().all(|c| c.ok);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"ok": ok, "checks": checks}))
                .map_err(|e| Error::Invalid(e.to_string()))?
        );
    } else {
        for c in &checks {
            println!(
                "{} {}: {}",
                if c.ok { "ok  " } else { "FAIL" },
                c.item,
                c.detail
            );
        }
        println!("{}", if ok { "VERIFIED" } else { "NOT VERIFIED" });
    }
    Ok(if ok { 0 } else { 1 })
}

/// Re-runs the recorded command on `data` and compares every figure section and verdict.
fn rerun(report: &Report, data: &std::path::Path, quiet: bool) -> Result<Vec<Check>> {
    let cli = super::Cli::try_parse_from(&report.run.command_line).map_err(|e| {
        Error::Invalid(format!(
            "the report's command line cannot be re-run by this reident: {}",
            e.to_string().lines().next().unwrap_or_default()
        ))
    })?;
    // The policy as recorded in the report, not as the file may read now.
    let policy_file = match &report.policy {
        Some(p) => {
            // Next to the recorded file when its folder is there, so that the policy's relative
            // paths (its hierarchy folder) resolve as they did.
            let recorded = PathBuf::from(&p.path);
            let content = serde_json::to_vec(&p.content).unwrap_or_default();
            let beside = recorded
                .parent()
                .filter(|d| d.as_os_str().is_empty() || d.is_dir())
                .map(|d| d.join(format!(".reident-verify-{}.json", std::process::id())))
                .filter(|f| std::fs::write(f, &content).is_ok());
            let f = match beside {
                Some(f) => f,
                // A read-only folder: a private temporary one (relative paths may then fail).
                None => {
                    let f = tempfile_path("policy.json");
                    std::fs::write(&f, &content).map_err(|e| Error::io(&f, e))?;
                    f
                }
            };
            Some(f)
        }
        None => None,
    };
    // Removed however the re-run ends.
    let _cleanup = Cleanup(policy_file.clone());
    let started = std::time::SystemTime::now();
    // The command pointed at `data` and the recorded policy, writing nothing.
    let retarget = |table: &mut super::TableArgs, out: &mut super::ReportArgs| {
        table.set_source(data.to_path_buf());
        if let Some(f) = &policy_file {
            table.policy = Some(f.clone());
        }
        *out = super::ReportArgs {
            show_values: report.shows_values,
            ..Default::default()
        };
    };
    let command_line = report.run.command_line.clone();
    let again = match cli.command {
        super::Command::Analyze(mut a) | super::Command::Gate(mut a) => {
            retarget(&mut a.table, &mut a.report);
            a.record_risk = None;
            let c = super::analyze::compute(&a, quiet, false)?;
            super::analyze::report(&a, &c, &report.kind, command_line, started)?
        }
        super::Command::Anonymize(mut a) => {
            retarget(&mut a.table, &mut a.report);
            a.output = None;
            super::anonymize::compute(&a, quiet, false)?.report(&a, command_line, started)?
        }
        super::Command::Combos(mut a) => {
            retarget(&mut a.table, &mut a.report);
            let (doc, source, _) = super::combos::compute(&a, quiet)?;
            super::section_report(
                &report.kind,
                "combinations",
                doc["combos"].clone(),
                &a.table,
                &source,
                command_line,
                started,
            )?
        }
        super::Command::Suda(mut a) => {
            retarget(&mut a.table, &mut a.report);
            a.record_risk = None;
            let (doc, source, _) = super::suda::compute(&a, quiet, false)?;
            super::section_report(
                &report.kind,
                "suda",
                doc,
                &a.table,
                &source,
                command_line,
                started,
            )?
        }
        super::Command::Scan(mut a) => {
            a.data = data.to_path_buf();
            let (_, scan) = super::scan::compute(&a)?;
            let mut v = serde_json::to_value(&scan).map_err(|e| Error::Invalid(e.to_string()))?;
            let mut recorded = report.figures.get("scan").cloned().unwrap_or(Value::Null);
            // The scan's own dataset block names the path it was given.
            for x in [&mut v, &mut recorded] {
                if let Value::Object(m) = x {
                    m.remove("dataset");
                }
            }
            let ok = v == recorded;
            return Ok(vec![Check {
                item: "figures: scan".into(),
                ok,
                detail: if ok {
                    "reproduced exactly".into()
                } else {
                    first_difference(&recorded, &v, String::new())
                        .unwrap_or_else(|| "differs".into())
                },
            }]);
        }
        super::Command::SafeHarbor(_) => {
            return Ok(vec![Check {
                item: "re-run".into(),
                ok: true,
                detail: "not applicable: a safe-harbor run's pseudonyms come from a per-run random key, so only the hashes are checked".into(),
            }]);
        }
        _ => {
            return Err(Error::Invalid(format!(
                "reports of `{}` cannot be re-run by verify",
                report.kind
            )))
        }
    };

    let mut checks = Vec::new();
    let mut sections: Vec<&String> = report.figures.keys().chain(again.figures.keys()).collect();
    sections.sort();
    sections.dedup();
    for s in sections {
        let mut a = report.figures.get(s).cloned().unwrap_or(Value::Null);
        let mut b = again.figures.get(s).cloned().unwrap_or(Value::Null);
        strip_volatile(&mut a);
        strip_volatile(&mut b);
        let ok = a == b;
        checks.push(Check {
            item: format!("figures: {s}"),
            ok,
            detail: if ok {
                "reproduced exactly".into()
            } else {
                first_difference(&a, &b, String::new()).unwrap_or_else(|| "differs".into())
            },
        });
    }
    let same_len = report.thresholds.len() == again.thresholds.len();
    if !same_len {
        checks.push(Check {
            item: "thresholds".into(),
            ok: false,
            detail: format!(
                "{} verdicts recorded, {} on re-running",
                report.thresholds.len(),
                again.thresholds.len()
            ),
        });
    }
    for (r, g) in report.thresholds.iter().zip(&again.thresholds) {
        checks.push(Check {
            item: format!("threshold: {}", r.threshold),
            ok: r == g,
            detail: if r == g {
                format!("{} again", if r.passed { "passes" } else { "fails" })
            } else {
                format!("recorded {r:?}, re-run {g:?}")
            },
        });
    }
    Ok(checks)
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

/// Removes the temporary policy file (and its private folder) when dropped.
struct Cleanup(Option<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(f) = &self.0 {
            let _ = std::fs::remove_file(f);
            if let Some(d) = f.parent().filter(|d| d.starts_with(std::env::temp_dir())) {
                let _ = std::fs::remove_dir(d);
            }
        }
    }
}

/// A fresh private path for a temporary file.
fn tempfile_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "reident-verify-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}
