//! Re-running a report's command from the options it records, on the data given and private
//! copies of its other files, and comparing every field a reader relies on.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::inputs::Inputs;
use super::Check;
use crate::error::{Error, Result};
use crate::options::PopulationOptions;
use crate::report::{build, Report};
use crate::risk::population::PopulationSpec;

/// Figure fields that legitimately differ between runs (time, where output went, the path the
/// data was given under).
const VOLATILE: [&str; 4] = ["seconds", "output", "records_written", "path"];

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

/// Copies every hierarchy the report lists into the private folder; one check each.
pub(super) fn hierarchies(report: &Report, inputs: &mut Inputs) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for h in &report.hierarchies {
        let (_, got) = inputs.hierarchy(&h.column, &h.path, &h.sha256)?;
        let ok = got == h.sha256;
        let name = Path::new(&h.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        checks.push(Check::new(
            format!("hierarchy of {}", h.column),
            ok,
            if ok {
                format!("{name}: SHA-256 {got}, as recorded")
            } else {
                format!("{name} has SHA-256 {got}, the report records {}", h.sha256)
            },
        ));
    }
    inputs.other_hierarchies()?;
    Ok(checks)
}

/// The private copy of a recorded population table, if the population is one.
fn population(p: &mut PopulationOptions, inputs: &mut Inputs) -> Result<()> {
    if let PopulationSpec::Table { path, .. } = &mut p.spec {
        *path = inputs.fetch(path, "population table")?;
    }
    Ok(())
}

/// The private copies of explicitly given hierarchy files (already in the hierarchy folder).
fn remap_files(files: &mut [(String, PathBuf)], inputs: &Inputs) -> Result<()> {
    for (col, path) in files.iter_mut() {
        let copy = inputs.hierarchy_dir().join(format!("hierarchy_{col}.csv"));
        if !copy.exists() {
            return Err(Error::Invalid(format!(
                "the report's options name a hierarchy file for {col:?} that its list of hierarchies lacks"
            )));
        }
        *path = copy;
    }
    Ok(())
}

/// Re-runs the recorded command on `data` (writing nothing outside the private folder) and
/// builds its report as the command did.
pub(super) fn again(
    report: &Report,
    data: &Path,
    inputs: &mut Inputs,
    progress: bool,
) -> Result<Report> {
    let again = run_again(report, data, inputs, progress)?;
    restore_paths(again, &inputs.renamed)
}

/// The re-run's report with each private copy's path replaced by the path the report records
/// for it (figures that describe a file name it as given).
fn restore_paths(again: Report, renamed: &[(String, String)]) -> Result<Report> {
    fn walk(v: &mut Value, renamed: &[(String, String)]) {
        match v {
            Value::String(s) => {
                for (copy, original) in renamed {
                    if s.contains(copy.as_str()) {
                        *s = s.replace(copy.as_str(), original);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, renamed)),
            Value::Object(m) => m.values_mut().for_each(|x| walk(x, renamed)),
            _ => {}
        }
    }
    if renamed.is_empty() {
        return Ok(again);
    }
    let mut v = to_json(&again)?;
    walk(&mut v, renamed);
    serde_json::from_value(v).map_err(|e| Error::Invalid(format!("the re-run's report: {e}")))
}

fn run_again(report: &Report, data: &Path, inputs: &mut Inputs, progress: bool) -> Result<Report> {
    let command_line = report.run.command_line.clone();
    let hierarchy_dir =
        |had: &Option<PathBuf>, inputs: &Inputs| had.as_ref().map(|_| inputs.hierarchy_dir());
    match report.kind.as_str() {
        "analyze" | "gate" => {
            let mut o: crate::analyze::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.settings.hierarchies = hierarchy_dir(&o.settings.hierarchies, inputs);
            remap_files(&mut o.sensitive_hierarchies, inputs)?;
            population(&mut o.population, inputs)?;
            o.record_risk = None;
            o.scan = false;
            o.progress = progress;
            let outcome = crate::analyze::run(&o)?;
            build::analysis(&outcome, &report.kind, command_line, report.shows_values)
        }
        "anonymize" => {
            let mut o: crate::anonymize::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.settings.hierarchies = hierarchy_dir(&o.settings.hierarchies, inputs);
            remap_files(&mut o.hierarchies.files, inputs)?;
            population(&mut o.population, inputs)?;
            o.output = None;
            o.scan = false;
            o.progress = progress;
            let outcome = crate::anonymize::run(&o)?;
            build::anonymization(&outcome, command_line, report.shows_values)
        }
        "combos" => {
            let mut o: crate::combos::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.settings.hierarchies = hierarchy_dir(&o.settings.hierarchies, inputs);
            population(&mut o.population, inputs)?;
            o.progress = progress;
            build::combinations(&crate::combos::run(&o)?, command_line)
        }
        "suda" => {
            let mut o: crate::suda::Options = recorded(report)?;
            o.table = o.table.with_path(data.to_path_buf());
            o.settings.policy = None;
            o.settings.hierarchies = hierarchy_dir(&o.settings.hierarchies, inputs);
            o.record_risk = None;
            o.progress = progress;
            build::suda(&crate::suda::run(&o)?, command_line)
        }
        "scan" => {
            let mut o: crate::scan::Options = recorded(report)?;
            o.data = data.to_path_buf();
            if let Some(r) = &o.rules {
                o.rules = Some(inputs.fetch(r, "rules file")?);
            }
            build::scan(&crate::scan::run(&o)?, command_line)
        }
        other => Err(Error::Invalid(format!(
            "reports of `{other}` cannot be re-run by verify"
        ))),
    }
}

/// Anything serializable, as JSON.
pub(super) fn to_json<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Invalid(e.to_string()))
}

fn file_name(s: &str) -> String {
    Path::new(s)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One check: `ok` when equal, else the first difference.
fn same(item: &str, a: &Value, b: &Value, ok_detail: String) -> Check {
    let ok = a == b;
    Check::new(
        item,
        ok,
        if ok {
            ok_detail
        } else {
            first_difference(a, b, String::new()).unwrap_or_else(|| "differs".into())
        },
    )
}

/// Every field of the report that a reader relies on, against the re-run's: the data's name,
/// format, size, records, columns and roles; the tool; the population; the disclosure k; the
/// hierarchies' names and hashes; every figure section; every threshold and its verdict; the
/// overall verdict. (Where and when it ran, who ran it and the paths given differ by nature.)
pub(super) fn compare(report: &Report, again: &Report) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let (r, g) = (&report.dataset, &again.dataset);
    if r.format == crate::input::Format::Arrow.as_str() {
        checks.extend(in_memory_data(report, again));
    } else {
        checks.extend(data_file(report, again)?);
    }
    checks.push(same(
        "records",
        &to_json(&r.records)?,
        &to_json(&g.records)?,
        format!("{} again", g.records),
    ));
    checks.push(same(
        "columns and roles",
        &to_json(&r.columns)?,
        &to_json(&g.columns)?,
        format!("{} columns, the same roles", g.columns.len()),
    ));
    checks.push(same(
        "tool",
        &to_json(&report.tool)?,
        &to_json(&again.tool)?,
        format!("{} {}", again.tool.name, again.tool.version),
    ));
    checks.push(same(
        "notice",
        &to_json(&(&report.notice, report.shows_values))?,
        &to_json(&(&again.notice, again.shows_values))?,
        if report.shows_values {
            "shows values, and says so first".into()
        } else {
            "no values of small classes".into()
        },
    ));
    checks.push(same(
        "population",
        &to_json(&report.population)?,
        &to_json(&again.population)?,
        "the same assumption".into(),
    ));
    checks.push(same(
        "disclosure k",
        &to_json(&report.disclosure_k)?,
        &to_json(&again.disclosure_k)?,
        format!("{} again", again.disclosure_k),
    ));
    let names = |r: &Report| -> Vec<(String, String, String)> {
        r.hierarchies
            .iter()
            .map(|h| (h.column.clone(), file_name(&h.path), h.sha256.clone()))
            .collect()
    };
    let (hr, hg) = (names(report), names(again));
    let hr_cols: Vec<(String, String)> =
        hr.iter().map(|(c, _, s)| (c.clone(), s.clone())).collect();
    let hg_cols: Vec<(String, String)> =
        hg.iter().map(|(c, _, s)| (c.clone(), s.clone())).collect();
    checks.push(same(
        "hierarchies",
        &to_json(&hr_cols)?,
        &to_json(&hg_cols)?,
        format!("{} read again, the same hashes", hg.len()),
    ));
    checks.extend(figures(report, again)?);
    checks.extend(thresholds(report, again));
    checks.push(same(
        "verdict",
        &Value::String(report.verdict.clone()),
        &Value::String(again.verdict.clone()),
        format!("{} again", again.verdict),
    ));
    Ok(checks)
}

/// The data's name, format and size against the re-run's (a report of a file).
fn data_file(report: &Report, again: &Report) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let (r, g) = (&report.dataset, &again.dataset);
    checks.push(same(
        "data name",
        &Value::String(r.file_name.clone()),
        &Value::String(g.file_name.clone()),
        format!("{} (as given)", g.file_name),
    ));
    if file_name(&r.path) != r.file_name {
        checks.push(Check::new(
            "data name",
            false,
            format!(
                "the report names the data {:?} but records the path {:?}",
                r.file_name, r.path
            ),
        ));
    }
    checks.push(same(
        "data format and size",
        &to_json(&(&r.format, r.bytes))?,
        &to_json(&(&g.format, g.bytes))?,
        format!("{}, {} bytes", g.format, g.bytes),
    ));
    Ok(checks)
}

/// A report of an in-memory Arrow table names no file and records the table's size in memory,
/// which no file reproduces: its name must be the in-memory name, and the file given (whose
/// content hash was checked before the re-run) is described as what stood in for the table.
fn in_memory_data(report: &Report, again: &Report) -> Vec<Check> {
    let (r, g) = (&report.dataset, &again.dataset);
    let named = r.file_name == crate::input::arrow::ARROW_NAME && r.path == r.file_name;
    vec![Check::new(
        "data name",
        named,
        if named {
            format!(
                "{} (an in-memory table of {} bytes; {} holds the same values: {}, {} bytes)",
                r.file_name, r.bytes, g.file_name, g.format, g.bytes
            )
        } else {
            format!(
                "the report says it was made from an in-memory table but names it {:?} at {:?}",
                r.file_name, r.path
            )
        },
    )]
}

/// Every figure section of the re-run against the report's.
fn figures(report: &Report, again: &Report) -> Result<Vec<Check>> {
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
        for x in [&mut a, &mut b] {
            strip_volatile(x);
            if s == "scan" {
                // The rules file is named as given; its content shows in the findings.
                if let Some(Value::String(rules)) = x.get_mut("rules") {
                    *rules = file_name(rules);
                }
            }
        }
        checks.push(same(
            &format!("figures: {s}"),
            &a,
            &b,
            "reproduced exactly".into(),
        ));
    }
    Ok(checks)
}

fn thresholds(report: &Report, again: &Report) -> Vec<Check> {
    let mut checks = Vec::new();
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
                format!("recorded {}, the re-run gives {}", r.line(), g.line())
            },
        ));
    }
    checks
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
        _ => Some(format!(
            "{}: recorded {}, the re-run gives {}",
            if at.is_empty() { "/" } else { &at },
            short(a),
            short(b)
        )),
    }
}

/// A value in a message: whole if short.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}...", s.chars().take(117).collect::<String>())
    } else {
        s
    }
}
