//! The report of each command, built from its typed outcome: its figures, its verdicts, and
//! what it ran on (the data, the policy, the hierarchies, the resolved options).

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::{ColumnRole, Figures, Report, ReportInput, SmallClasses};
use crate::criteria::targets::DEFAULT_DISCLOSURE_K;
use crate::error::{Error, Result};
use crate::policy::Roles;

/// Classes listed with their values at most, with `--show-values`.
const SMALL_CLASSES_LISTED: usize = 1000;

/// The report of an analysis (`kind` is `analyze` or `gate`): its figures, the QI combinations
/// that single people out (every subset up to 10 QIs, else up to 3 QIs), and with
/// `show_values` the small classes and their values.
pub fn analysis(
    o: &crate::analyze::Outcome,
    kind: &str,
    command_line: Vec<String>,
    show_values: bool,
) -> Result<Report> {
    let n_qi = o.classes.rows.qis.len();
    let combinations =
        crate::risk::combos::combos_of(&o.classes, if n_qi <= 10 { n_qi } else { 3 }, &[], None)?;
    let figures = Figures {
        analysis: Some(o.report.figures.clone()),
        combinations: Some(combinations),
        small_classes: show_values
            .then(|| SmallClasses::of(o.classes.counted(), o.disclosure_k, SMALL_CLASSES_LISTED)),
        ..Figures::default()
    };
    Report::new(
        ReportInput {
            kind,
            command_line,
            options: options_value(&o.options)?,
            started: o.started,
            data: o.options.table.path(),
            content: o.options.table.content_digest()?,
            format: o.report.dataset.format.as_str(),
            records: o.report.dataset.records,
            columns: column_roles(&o.roles),
            policy: o.options.settings.policy.as_deref(),
            hierarchies: o.hierarchy_files.clone(),
            disclosure_k: o.disclosure_k,
            show_values,
            warnings: o.notices.clone(),
        },
        figures,
        o.verdicts.clone(),
    )
}

/// The report of an anonymization: the transformation and the targets checked on the output.
pub fn anonymization(
    o: &crate::anonymize::Outcome,
    command_line: Vec<String>,
    show_values: bool,
) -> Result<Report> {
    let figures = Figures {
        anonymization: Some(o.summary.figures.clone()),
        ..Figures::default()
    };
    Report::new(
        ReportInput {
            kind: "anonymize",
            command_line,
            options: options_value(&o.options)?,
            started: o.started,
            data: o.options.table.path(),
            content: o.options.table.content_digest()?,
            format: o.format.as_str(),
            records: o.summary.before_records,
            columns: column_roles(&o.roles),
            policy: o.options.settings.policy.as_deref(),
            hierarchies: o.hierarchy_files.clone(),
            disclosure_k: o.disclosure_k,
            show_values,
            warnings: o.notices.clone(),
        },
        figures,
        o.verdicts.clone(),
    )
}

/// The report of `combos`: every subset's figures, no thresholds.
pub fn combinations(o: &crate::combos::Outcome, command_line: Vec<String>) -> Result<Report> {
    let figures = Figures {
        combinations: Some(o.combos.clone()),
        ..Figures::default()
    };
    section_report(
        "combos",
        figures,
        options_value(&o.options)?,
        Section {
            command_line,
            started: o.started,
            data: o.options.table.path(),
            content: o.options.table.content_digest()?,
            format: o.format.as_str(),
            records: o.records,
            roles: &o.roles,
            policy: o.options.settings.policy.as_deref(),
        },
    )
}

/// The report of `suda`: the MSUs and scores, no thresholds.
pub fn suda(o: &crate::suda::Outcome, command_line: Vec<String>) -> Result<Report> {
    let figures = Figures {
        suda: Some(o.summary.figures.clone()),
        ..Figures::default()
    };
    section_report(
        "suda",
        figures,
        options_value(&o.options)?,
        Section {
            command_line,
            started: o.started,
            data: o.options.table.path(),
            content: o.options.table.content_digest()?,
            format: o.format.as_str(),
            records: o.records,
            roles: &o.roles,
            policy: o.options.settings.policy.as_deref(),
        },
    )
}

/// What a report of one figures section and no thresholds records of its run.
struct Section<'a> {
    command_line: Vec<String>,
    started: std::time::SystemTime,
    data: &'a Path,
    content: Option<(String, u64)>,
    format: &'a str,
    records: u64,
    roles: &'a Roles,
    policy: Option<&'a Path>,
}

fn section_report(kind: &str, figures: Figures, options: Value, s: Section) -> Result<Report> {
    Report::new(
        ReportInput {
            kind,
            command_line: s.command_line,
            options,
            started: s.started,
            data: s.data,
            content: s.content,
            format: s.format,
            records: s.records,
            columns: column_roles(s.roles),
            policy: s.policy,
            hierarchies: Vec::new(),
            disclosure_k: DEFAULT_DISCLOSURE_K,
            show_values: false,
            warnings: Vec::new(),
        },
        figures,
        Vec::new(),
    )
}

/// A command's options as the report records them.
pub(crate) fn options_value(options: &impl Serialize) -> Result<Value> {
    serde_json::to_value(options)
        .map_err(|e| Error::Invalid(format!("serializing the options: {e}")))
}

/// The roles of every column of the file, for the report.
pub(crate) fn column_roles(roles: &Roles) -> Vec<ColumnRole> {
    (0..roles.columns.len())
        .map(|i| ColumnRole {
            name: roles.columns[i].clone(),
            role: if roles.qi.contains(&i) {
                "quasi-identifier"
            } else if roles.sensitive.contains(&i) {
                "sensitive"
            } else if roles.identifying.contains(&i) {
                "identifying"
            } else if roles.weight == Some(i) {
                "weight"
            } else if roles.entity == Some(i) {
                "entity"
            } else {
                "insensitive"
            }
            .to_string(),
        })
        .collect()
}

/// The report of a scan: the findings (never values) as its figures, the columns with the roles
/// the scan suggests, and one verdict: `fail` when a direct identifier is found.
pub fn scan(o: &crate::scan::Outcome, command_line: Vec<String>) -> Result<Report> {
    let identifying = o.identifying();
    let verdict = crate::criteria::verdict::Verdict {
        threshold: "no direct identifier (HIPAA Safe Harbor categories, medium or high confidence)"
            .into(),
        measure: "columns flagged as direct identifiers".into(),
        measured: Some(identifying.len() as f64),
        classes_failing: 0,
        records_failing: 0,
        passed: identifying.is_empty(),
    };
    Report::new(
        ReportInput {
            kind: "scan",
            command_line,
            options: options_value(&o.options)?,
            started: o.started,
            data: &o.options.data,
            content: o
                .options
                .arrow
                .as_ref()
                .map(|t| t.content_digest())
                .transpose()?,
            format: o.format.as_str(),
            records: o.report.sample.rows_read,
            columns: o
                .report
                .columns
                .iter()
                .map(|c| ColumnRole {
                    name: c.column.clone(),
                    role: c.suggested_role.as_str().to_string(),
                })
                .collect(),
            policy: None,
            hierarchies: Vec::new(),
            disclosure_k: DEFAULT_DISCLOSURE_K,
            show_values: false,
            warnings: Vec::new(),
        },
        Figures {
            scan: Some(o.report.clone()),
            ..Figures::default()
        },
        vec![verdict],
    )
}

/// The report of a Safe Harbor run: every transformation, with the roles the columns had in it
/// (dropped or pseudonymized ones identifying, generalized ones quasi-identifiers).
pub fn safe_harbor(o: &crate::safe_harbor::Outcome, command_line: Vec<String>) -> Result<Report> {
    use crate::safe_harbor::Transformation as T;
    Report::new(
        ReportInput {
            kind: "safe-harbor",
            command_line,
            options: options_value(&o.options)?,
            started: o.started,
            data: &o.options.data,
            content: None,
            format: o.format.as_str(),
            records: o.report.records,
            columns: o
                .report
                .columns
                .iter()
                .map(|c| ColumnRole {
                    name: c.column.clone(),
                    role: match c.transformation {
                        T::Drop | T::Pseudonymize => "identifying",
                        T::Keep => "insensitive",
                        _ => "quasi-identifier",
                    }
                    .to_string(),
                })
                .collect(),
            policy: None,
            hierarchies: Vec::new(),
            disclosure_k: DEFAULT_DISCLOSURE_K,
            show_values: false,
            warnings: Vec::new(),
        },
        Figures {
            safe_harbor: Some(o.report.clone()),
            ..Figures::default()
        },
        Vec::new(),
    )
}
