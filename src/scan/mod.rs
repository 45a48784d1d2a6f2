//! `scan`: which columns look like HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i)(A)-(R)).
//!
//! Before anyone measures quasi-identifier risk, the table must not hold direct identifiers. A
//! careless export leaves them in under every name, so the scan judges each column twice: from its
//! name (normalized: `patientSSN`, `Patient SSN` and `patient_ssn` are all `patient_ssn`) and from
//! a bounded sample of its values (patterns, then check digits or calendar validity where the
//! identifier has them, share of distinct values, lengths).
//!
//! The rules are data, not code: [`rules.json`](rules.json) holds the 18 categories (with the role
//! and the Safe Harbor step each implies) and every name and value rule (a regex, optionally a
//! named check from [`checks`]), with its weight. It is compiled into the binary, parsed and
//! validated once ([`Rules::builtin`]); `--rules FILE` loads another file of the same schema, so
//! a reviewer can read, change and extend the rules without touching the engine.
//!
//! Scoring: a value rule *fires* when the share of sampled non-null values that pass it reaches its
//! `min_share` (and the column's distinct share its `min_distinct_share`); its score is its weight,
//! scaled down linearly when the share is below `full_share` (0.9 unless given). A name rule scores
//! its weight when the name matches. A category's confidence is `1 - prod(1 - score)` over its
//! fired rules (independent pieces of evidence, each able to raise it), the column gets the
//! category with the highest confidence when it reaches the report threshold, and the confidence
//! is also given as a word (high, medium, low: thresholds in the rules file).
//!
//! The report never holds a value: only rule names, shares of the sample, distinct shares and
//! length statistics. A scan reads at most `sample_rows` rows (`crate::input::Input::sample`):
//! Parquet from the first rows of a few row groups spread over the file, CSV from its first rows.
//!
//! A Parquet file that `safe-harbor --pseudonymize` wrote marks its pseudonym columns in its
//! metadata (`reident:pseudonymized`); such a column whose sampled values are all pseudonyms (20
//! lowercase hex digits) is reported as a re-identification code permitted by 45 CFR 164.514(c)
//! ([`ColumnScan::pseudonymized`]), not as an identifier. A CSV file carries no metadata: its
//! columns are judged by their names and values alone, never by a guess that they are pseudonyms.
//!
//! The room's files, each using only those listed before it: `terms` (roles, Safe Harbor steps,
//! confidence words), [`dates`] (the one date reader), `safe_forms` (the forms Safe Harbor
//! allows), [`checks`] (the named value checks, and the name lists they read), `rules`
//! (the rules file: model, loading, compiling), `sample` (a bounded sample of some columns),
//! `report` (what a scan reports), `score` (judging one column), `roles` (the role check of
//! `analyze` and `anonymize`); this file holds the [`scan`] entry point.

pub mod checks;
mod command;
pub mod dates;
mod report;
mod roles;
mod rules;
mod safe_forms;
mod sample;
mod score;
mod terms;

pub use command::{run, Options, Outcome};
pub use report::{
    Alternative, ColumnScan, DatasetInfo, Evidence, LengthStats, SampleInfo, ScanReport, Summary,
    SCHEMA_VERSION,
};
pub(crate) use roles::{identifier_warnings, row_counting_warnings};
pub use rules::{Category, Rule, Rules, Thresholds, BUILTIN_RULES, HIPAA_LETTERS};
pub(crate) use sample::sample_columns;
pub use terms::{Action, Level, On, Role};

use crate::error::{Error, Result};
use crate::input::Input;
use crate::tool::ToolInfo;

/// Rows sampled per column unless told otherwise.
pub const DEFAULT_SAMPLE_ROWS: usize = 10_000;

/// What `scan` reads.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// At most this many rows are read (see `crate::input::Input::sample`).
    pub sample_rows: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            sample_rows: DEFAULT_SAMPLE_ROWS,
        }
    }
}

/// Scans every column of `input`.
pub fn scan(input: &Input, rules: &Rules, options: &ScanOptions) -> Result<ScanReport> {
    let all: Vec<usize> = (0..input.columns().len()).collect();
    let (samples, read, method) = sample_columns(input, &all, options.sample_rows)?;
    if read == 0 {
        return Err(Error::EmptyTable {
            path: input.path().clone(),
        });
    }
    let marked = input.pseudonymized();
    let columns: Vec<ColumnScan> = samples
        .iter()
        .zip(input.columns())
        .map(|(s, name)| {
            let scan = rules.scan_column(name, s);
            if marked.contains(name) {
                permitted_code(scan, s)
            } else {
                scan
            }
        })
        .collect();
    let by = |f: &dyn Fn(&ColumnScan) -> bool| {
        columns
            .iter()
            .filter(|c| f(c))
            .map(|c| c.column.clone())
            .collect::<Vec<_>>()
    };
    let summary = Summary {
        identifying: by(&|c| c.suggested_role == Role::Identifying),
        quasi_identifiers: by(&|c| c.suggested_role == Role::Qi),
        sensitive: by(&|c| c.suggested_role == Role::Sensitive),
        insensitive: by(&|c| c.suggested_role == Role::Insensitive),
        review: by(&|c| {
            c.action == Some(Action::Review)
                || (c.suggested_role == Role::Identifying && c.level == Some(Level::Low))
        }),
        permitted_codes: by(&|c| c.pseudonymized),
    };
    Ok(ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        dataset: DatasetInfo {
            path: input.path().display().to_string(),
            format: input.format(),
            records: match input {
                Input::Parquet(p) => Some(p.num_rows()),
                Input::Csv(_) => None,
                Input::Arrow(a) => Some(a.num_rows()),
            },
            columns: input.columns().len(),
        },
        sample: SampleInfo {
            rows_requested: options.sample_rows,
            rows_read: read,
            method,
        },
        rules: rules.source.clone(),
        columns,
        summary,
    })
}

/// Hex digits of the pseudonyms `safe-harbor --pseudonymize` writes.
pub(crate) const PSEUDONYM_HEX: usize = 20;

/// Whether a value has the form of a pseudonym that `safe-harbor --pseudonymize` writes.
pub(crate) fn is_pseudonym(v: &str) -> bool {
    v.len() == PSEUDONYM_HEX
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A column the file marks as pseudonymized: when every sampled value is a pseudonym, a
/// permitted re-identification code (164.514(c)) with no category or step, the rules' finding
/// kept among the alternatives; otherwise the rules' finding stands, with a note that the mark
/// does not hold.
fn permitted_code(mut scan: ColumnScan, sample: &sample::ColumnSample) -> ColumnScan {
    let pseudonyms: u64 = sample
        .values
        .iter()
        .filter(|(v, _)| is_pseudonym(v))
        .map(|(_, n)| n)
        .sum();
    let share = if scan.non_null == 0 {
        0.0
    } else {
        pseudonyms as f64 / scan.non_null as f64
    };
    if share < 1.0 {
        scan.evidence.push(Evidence {
            rule: "pseudonym-mark".into(),
            on: On::Values,
            matched_share: Some(share),
            fired: false,
            score: 0.0,
            description: "the file marks the column as pseudonymized by safe-harbor, but not every sampled value is a pseudonym (20 hex digits): the mark is ignored".into(),
        });
        return scan;
    }
    if let (Some(category), Some(hipaa)) = (scan.category.take(), scan.hipaa.take()) {
        scan.alternatives.insert(
            0,
            Alternative {
                category,
                hipaa,
                confidence: scan.confidence,
            },
        );
    }
    scan.title = None;
    scan.confidence = 0.0;
    scan.level = None;
    scan.action = None;
    scan.safe_harbor_form = false;
    scan.suggested_role = Role::Insensitive;
    scan.pseudonymized = true;
    scan.evidence = vec![Evidence {
        rule: "pseudonym-mark".into(),
        on: On::Values,
        matched_share: Some(share),
        fired: true,
        score: 0.0,
        description: "pseudonyms written by safe-harbor --pseudonymize (marked in the file's metadata, every sampled value 20 hex digits): a re-identification code permitted by 45 CFR 164.514(c), not an identifier".into(),
    }];
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::encode::LocalColumn;
    use crate::input::Chunk;
    use crate::output::table::{write_chunks_with_text, WriteOptions};

    /// A Parquet file with columns `mrn` and `ssn`, both marked as pseudonymized.
    fn marked_file(dir: &std::path::Path, mrn: &[&str], ssn: &[&str]) -> std::path::PathBuf {
        let path = dir.join("marked.parquet");
        let col = |v: &[&str]| LocalColumn {
            dict: v.iter().map(|s| s.to_string()).collect(),
            codes: (0..v.len() as u32).collect(),
        };
        let chunk = Chunk {
            rows: mrn.len(),
            columns: vec![col(mrn), col(ssn)],
        };
        write_chunks_with_text(
            &path,
            &["mrn".to_string(), "ssn".to_string()],
            &[chunk],
            &WriteOptions::default(),
            &[true, true],
            &[(
                crate::input::parquet::PSEUDONYMIZED_KEY.to_string(),
                r#"["mrn","ssn"]"#.to_string(),
            )],
        )
        .unwrap();
        path
    }

    #[test]
    fn a_mark_holds_only_over_pseudonyms() {
        let dir = tempfile::tempdir().unwrap();
        let path = marked_file(
            dir.path(),
            &[
                "0123456789abcdef0123",
                "fedcba98765432100123",
                "00000000000000000000",
            ],
            &["123-45-6789", "234-56-7890", "345-67-8901"],
        );
        let input = Input::open(&path, &crate::input::InputOptions::default()).unwrap();
        let r = scan(&input, Rules::builtin(), &ScanOptions::default()).unwrap();
        let mrn = &r.columns[0];
        assert!(mrn.pseudonymized);
        assert_eq!(mrn.suggested_role, Role::Insensitive);
        assert_eq!(mrn.alternatives[0].category, "medical_record");
        assert!(!mrn.holds_safe_harbor_element());
        // SSNs under a pseudonym mark are still SSNs.
        let ssn = &r.columns[1];
        assert!(!ssn.pseudonymized);
        assert_eq!(ssn.category.as_deref(), Some("ssn"));
        assert!(ssn.holds_safe_harbor_element());
        assert_eq!(r.summary.permitted_codes, ["mrn"]);
        assert_eq!(r.summary.identifying, ["ssn"]);
        assert!(ssn
            .evidence
            .iter()
            .any(|e| e.rule == "pseudonym-mark" && !e.fired));
    }

    #[test]
    fn pseudonym_form() {
        assert!(is_pseudonym("0123456789abcdef0123"));
        assert!(!is_pseudonym("0123456789ABCDEF0123"));
        assert!(!is_pseudonym("0123456789abcdef012"));
        assert!(!is_pseudonym("0123456789abcdef012g"));
    }
}
