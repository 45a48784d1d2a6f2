//! The role check that `analyze` and `anonymize` run: a column read as a quasi-identifier, a
//! sensitive attribute, the weight (or copied to the output) that the built-in rules flag as a
//! direct identifier with high confidence gets a warning.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::rules::Rules;
use super::sample::sample_columns;
use super::terms::Level;
use crate::error::Result;
use crate::input::Input;
use crate::policy::Roles;

/// A column used as something other than identifying although `scan` flags it as a direct
/// identifier with high confidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RoleWarning {
    pub column: String,
    /// The role it is used as.
    pub used_as: &'static str,
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
    pub evidence: String,
}

impl fmt::Display for RoleWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column {:?} is used as {} but looks like a direct identifier ({}, 164.514(b)(2)(i)({}); confidence {:.2}: {}); mark it --identifying, or check it with reident scan",
            self.column, self.used_as, self.category, self.hipaa, self.confidence, self.evidence
        )
    }
}

/// Rows the role check in `analyze` and `anonymize` samples: enough for the value rules'
/// shares, small enough to cost a few milliseconds on any file.
pub(crate) const ROLE_CHECK_SAMPLE_ROWS: usize = 2_000;

/// The columns `roles` reads as quasi-identifiers, sensitive attributes or the weight (and, with
/// `insensitive_read`, the insensitive ones, which `anonymize` copies to its output), scanned on a
/// bounded sample; one warning for each that the built-in rules flag as a direct identifier with
/// high confidence. Identifying columns are never read.
pub(crate) fn role_warnings(
    input: &Input,
    roles: &Roles,
    insensitive_read: bool,
    sample_rows: usize,
) -> Result<Vec<RoleWarning>> {
    let used = columns_used(roles, insensitive_read);
    if used.is_empty() {
        return Ok(Vec::new());
    }
    let cols: Vec<usize> = used.iter().map(|(c, _)| *c).collect();
    let (samples, _, _) = sample_columns(input, &cols, sample_rows)?;
    let rules = Rules::builtin();
    Ok(used
        .iter()
        .zip(&samples)
        .filter_map(|(&(c, used_as), s)| {
            let scan = rules.scan_column(&input.columns()[c], s);
            scan.is_identifying(Level::High).then(|| RoleWarning {
                column: scan.column.clone(),
                used_as,
                category: scan.category.clone().unwrap_or_default(),
                hipaa: scan.hipaa.clone().unwrap_or_default(),
                confidence: scan.confidence,
                evidence: scan.main_evidence(),
            })
        })
        .collect())
}

/// The columns read, each with the role it is used as (in words).
fn columns_used(roles: &Roles, insensitive_read: bool) -> Vec<(usize, &'static str)> {
    let mut used: Vec<(usize, &'static str)> = Vec::new();
    used.extend(roles.qi.iter().map(|&c| (c, "a quasi-identifier")));
    used.extend(
        roles
            .sensitive
            .iter()
            .map(|&c| (c, "a sensitive attribute")),
    );
    used.extend(roles.weight.iter().map(|&c| (c, "the weight")));
    if insensitive_read {
        used.extend(
            roles
                .insensitive
                .iter()
                .filter(|c| Some(**c) != roles.weight)
                .map(|&c| (c, "an insensitive column (copied to the output)")),
        );
    }
    used
}

/// Warnings (one line per column, no values) for columns that `scan` flags as direct identifiers
/// with high confidence but that are read as something other than identifying. Advisory: when
/// the check cannot read its sample it says nothing, because the run reads the same rows next
/// and reports the problem in its one error line. A class table has no records to check.
pub(crate) fn identifier_warnings(
    source: &crate::classes::Source,
    roles: &Roles,
    insensitive_read: bool,
) -> Vec<String> {
    let Some(input) = source.records() else {
        return Vec::new();
    };
    let started = std::time::Instant::now();
    let result = role_warnings(input, roles, insensitive_read, ROLE_CHECK_SAMPLE_ROWS);
    if std::env::var_os("REIDENT_TIMING").is_some() {
        eprintln!(
            "timing: identifier check {:.4} s",
            started.elapsed().as_secs_f64()
        );
    }
    result
        .unwrap_or_default()
        .iter()
        .map(|w| w.to_string())
        .collect()
}

/// Scan categories of identifiers that name a person (a row with one of these values is that
/// person's row): names, SSNs, medical record numbers, health plan (member) ids, other unique ids.
const PERSON_CATEGORIES: [&str; 5] = [
    "names",
    "ssn",
    "medical_record",
    "health_plan",
    "other_unique",
];

/// Whether a column's name reads like a person identifier: `*_id` / `*id`, `patient*`,
/// `member*`, `person*`, `subject*`, `pid`, `mrn`.
fn person_like_name(name: &str) -> bool {
    let n = super::score::normalize_name(name);
    n == "id"
        || n.ends_with("_id")
        || n.ends_with("id") && n.len() <= 6
        || [
            "patient",
            "member",
            "person",
            "subject",
            "client",
            "beneficiary",
            "mrn",
        ]
        .iter()
        .any(|p| n.starts_with(p))
}

/// The columns, other than the QIs, that look like person identifiers (by the scan's name and
/// value rules, or by their name) and whose values repeat over the rows: a person may then have
/// several rows, and classes of rows are not classes of people. A repeat in the scan's sample
/// settles it; otherwise repeats are counted over the whole column, with the one class-table
/// engine.
pub(crate) fn person_columns(input: &Input, roles: &Roles) -> Result<Vec<String>> {
    let candidates: Vec<usize> = (0..input.columns().len())
        .filter(|c| !roles.qi.contains(c) && roles.weight != Some(*c))
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let (samples, _, _) = sample_columns(input, &candidates, ROLE_CHECK_SAMPLE_ROWS)?;
    let rules = Rules::builtin();
    let mut out = Vec::new();
    for (&c, s) in candidates.iter().zip(&samples) {
        let name = &input.columns()[c];
        let scan = rules.scan_column(name, s);
        let by_scan = scan
            .category
            .as_deref()
            .is_some_and(|cat| PERSON_CATEGORIES.contains(&cat))
            && scan.level.is_some();
        if !(by_scan || person_like_name(name)) {
            continue;
        }
        // A repeat in the sample settles it; otherwise the whole column is counted.
        if s.values.iter().any(|(_, n)| *n > 1) {
            out.push(name.clone());
            continue;
        }
        let one = Roles {
            qi: vec![c],
            sensitive: Vec::new(),
            weight: None,
            entity: None,
            ..roles.clone()
        };
        let t =
            crate::classes::build_class_table(input, &one, &crate::progress::Progress::hidden())?;
        if (t.n_classes() as u64) < t.n_records {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// The warning for a table whose rows may not be people: one line per column that looks like a
/// person identifier with repeating values (see [`person_columns`]). Advisory: a table that cannot
/// be read says so in the run's own error.
pub(crate) fn row_counting_warnings(source: &crate::classes::Source, roles: &Roles) -> Vec<String> {
    let Some(input) = source.records() else {
        return Vec::new();
    };
    if roles.entity.is_some() {
        return Vec::new();
    }
    person_columns(input, roles)
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            format!(
                "rows share values of {c}: if a person can have several rows, give --entity {c}; classes count rows, not people"
            )
        })
        .collect()
}
