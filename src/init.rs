//! `init`: a starter policy from the scan, for the statistician to review.
//!
//! [`run`] scans the data ([`crate::scan`]) and writes a policy file with every column's role as
//! the scan suggests it: direct identifiers (at any confidence: a guess errs towards dropping),
//! quasi-identifiers (dates, ages, geography, and the columns named like sex, race, ...),
//! sensitive attributes (named like a diagnosis), the entity when there is one, a target (`k`,
//! 11 unless told, and a suppression limit, 0.05 unless told, ARX's Loss as the metric), and a
//! `hierarchies/` folder beside the policy with every QI's hierarchy chosen from its values
//! ([`crate::hierarchy::build::Spec::Auto`]).
//!
//! The entity: a column of the pseudonyms `safe-harbor --pseudonymize` wrote (marked in a
//! Parquet file) whose values repeat, else a column the scan takes for a person identifier
//! (medical record, health plan, other unique code, SSN, name, in that order of preference)
//! whose values repeat. Classes then count people. A raw identifier as the entity is never
//! written to a release (`anonymize` drops it unless `--keep-entity`).
//!
//! Every guess comes with its reason ([`Guess`]); nothing is written over an existing policy or
//! hierarchy file without `force`, and nothing at all when a hierarchy cannot be built.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hierarchy::build::Spec;
use crate::hierarchy::Hierarchy;
use crate::input::{Input, InputOptions};
use crate::policy::{Anonymization, Policy, Roles};
use crate::progress::Progress;
use crate::scan::{ColumnScan, Level, Role, Rules, ScanOptions, DEFAULT_SAMPLE_ROWS};

/// The k of the starter policy unless told (the CMS cell-size rule).
pub const DEFAULT_K: u64 = 11;
/// The suppression limit of the starter policy unless told.
pub const DEFAULT_SUPPRESSION_LIMIT: f64 = 0.05;

/// What to scan, where to write the policy, and its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// CSV delimiter (detected from the header line when not given).
    pub delimiter: Option<u8>,
    /// The policy file to write; the hierarchies go to `hierarchies/` beside it.
    pub output: PathBuf,
    pub k: u64,
    pub suppression_limit: f64,
    /// Rows the scan samples.
    pub sample: usize,
    /// Replace an existing policy file and hierarchy files.
    pub force: bool,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl Options {
    pub fn new(data: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Options {
        Options {
            data: data.into(),
            delimiter: None,
            output: output.into(),
            k: DEFAULT_K,
            suppression_limit: DEFAULT_SUPPRESSION_LIMIT,
            sample: DEFAULT_SAMPLE_ROWS,
            force: false,
            progress: false,
        }
    }
}

/// One column's role, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    pub column: String,
    /// `identifying`, `quasi-identifier`, `sensitive`, `entity` or `insensitive`.
    pub role: String,
    pub why: String,
}

/// A hierarchy written to the folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyFile {
    pub qi: String,
    /// The builder chosen from the values.
    pub builder: Spec,
    /// Levels, the original values and `*` included.
    pub levels: usize,
    pub values: usize,
    pub path: PathBuf,
}

/// What was guessed and written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub options: Options,
    /// The policy written.
    pub policy: Policy,
    /// Every column, in file order, with its role and why.
    pub guesses: Vec<Guess>,
    pub hierarchies: Vec<HierarchyFile>,
}

/// Scans the data, guesses the roles, builds the hierarchies and writes the policy.
pub fn run(options: &Options) -> Result<Outcome> {
    check(options)?;
    let input = Input::open(
        &options.data,
        &InputOptions {
            delimiter: options.delimiter,
        },
    )?;
    let scan = crate::scan::scan(
        &input,
        Rules::builtin(),
        &ScanOptions {
            sample_rows: options.sample,
        },
    )?;
    let entity = entity(&input, &scan.columns)?;
    let mut guesses = Vec::new();
    let mut policy = Policy {
        schema_version: crate::policy::POLICY_SCHEMA_VERSION,
        ..Policy::default()
    };
    for c in &scan.columns {
        let (role, why) = if Some(&c.column) == entity.as_ref().map(|(e, _)| e) {
            policy.entity = Some(c.column.clone());
            (
                "entity",
                entity.as_ref().map(|(_, w)| w.clone()).unwrap_or_default(),
            )
        } else {
            guess(c)
        };
        match role {
            "identifying" => policy.identifying.push(c.column.clone()),
            "quasi-identifier" => policy.quasi_identifiers.push(c.column.clone()),
            "sensitive" => policy.sensitive.push(c.column.clone()),
            "insensitive" => policy.insensitive.push(c.column.clone()),
            _ => {}
        }
        guesses.push(Guess {
            column: c.column.clone(),
            role: role.to_string(),
            why,
        });
    }
    if policy.quasi_identifiers.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: init found no quasi-identifier (no column looks like a date, an age, a ZIP code, sex, race, ...): write the policy by hand (see the README)",
            options.data.display()
        )));
    }
    let dir = hierarchy_dir(&options.output);
    let built = hierarchies(&input, &policy, &dir, options.progress)?;
    policy.anonymization = Some(Anonymization {
        hierarchies: Some("hierarchies".into()),
        k: Some(options.k),
        suppression_limit: Some(options.suppression_limit),
        metric: Some("loss".into()),
        ..Anonymization::default()
    });
    write(options, &policy, &built, &dir)?;
    Ok(Outcome {
        options: options.clone(),
        policy,
        guesses,
        hierarchies: built.into_iter().map(|(f, _)| f).collect(),
    })
}

/// The target within range, and nothing overwritten without `force` (checked before reading).
fn check(options: &Options) -> Result<()> {
    if options.k < 2 {
        return Err(Error::Invalid("--k must be at least 2".into()));
    }
    if !(0.0..=1.0).contains(&options.suppression_limit) {
        return Err(Error::Invalid(
            "--suppression-limit must be between 0 and 1".into(),
        ));
    }
    if !options.force && options.output.exists() {
        return Err(Error::Invalid(format!(
            "{}: the file exists; name another, or give --force to replace it",
            options.output.display()
        )));
    }
    Ok(())
}

/// The `hierarchies/` folder beside the policy file.
fn hierarchy_dir(policy: &Path) -> PathBuf {
    policy
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join("hierarchies")
}

/// A column's role from its scan, and why (the entity aside).
fn guess(c: &ColumnScan) -> (&'static str, String) {
    let finding = || match (&c.category, &c.hipaa, c.level) {
        (Some(cat), Some(h), Some(l)) => format!(
            "{cat}, 164.514(b)(2)(i)({h}), {} confidence {:.2}: {}",
            l.as_str(),
            c.confidence,
            c.main_evidence()
        ),
        _ => c
            .evidence
            .first()
            .map(|e| format!("{} (column name)", e.rule))
            .unwrap_or_default(),
    };
    if c.pseudonymized {
        return (
            "insensitive",
            "pseudonyms written by safe-harbor, one per row: a permitted code, copied as it is"
                .into(),
        );
    }
    match c.suggested_role {
        Role::Identifying => {
            let low = if c.level == Some(Level::Low) {
                " (low confidence: dropped to be safe; review it)"
            } else {
                ""
            };
            ("identifying", format!("{}{low}", finding()))
        }
        Role::Qi => ("quasi-identifier", finding()),
        Role::Sensitive => ("sensitive", finding()),
        Role::Insensitive => ("insensitive", "no rule or name hint matched".into()),
    }
}

/// Person-identifier categories in the order an entity is preferred.
const ENTITY_CATEGORIES: [&str; 5] = [
    "medical_record",
    "health_plan",
    "other_unique",
    "ssn",
    "names",
];

/// The entity column and why: marked pseudonyms that repeat, else the preferred person
/// identifier that repeats.
fn entity(input: &Input, columns: &[ColumnScan]) -> Result<Option<(String, String)>> {
    let mut candidates: Vec<(usize, &ColumnScan)> = Vec::new();
    for c in columns {
        let rank = if c.pseudonymized {
            0
        } else if c.suggested_role == Role::Identifying {
            match ENTITY_CATEGORIES
                .iter()
                .position(|&k| Some(k) == c.category.as_deref())
            {
                Some(p) => p + 1,
                None => continue,
            }
        } else {
            continue;
        };
        candidates.push((rank, c));
    }
    candidates.sort_by_key(|(rank, _)| *rank);
    for (_, c) in candidates {
        let Some((people, rows)) = repeats(input, c)? else {
            continue;
        };
        let what = if c.pseudonymized {
            "pseudonyms written by safe-harbor (marked in the file)".to_string()
        } else {
            format!(
                "a person identifier ({}; anonymize drops it from the release, pseudonymize it with safe-harbor to keep it)",
                c.category.as_deref().unwrap_or_default()
            )
        };
        return Ok(Some((
            c.column.clone(),
            format!("{what} that repeat: {people} people in {rows} rows, so classes count people"),
        )));
    }
    Ok(None)
}

/// Distinct values and rows of a column when its values repeat (`None`: they do not): from the
/// sample when it shows a repeat, else from the whole column.
fn repeats(input: &Input, c: &ColumnScan) -> Result<Option<(u64, u64)>> {
    if c.non_null > c.distinct {
        return Ok(Some((c.distinct, c.non_null)));
    }
    let policy = Policy::default().override_with(std::slice::from_ref(&c.column), &[], &[]);
    let roles = Roles::resolve(&policy, input.columns())?;
    let t = crate::classes::build_class_table(input, &roles, &Progress::hidden())?;
    Ok(((t.n_classes() as u64) < t.n_records).then(|| (t.n_classes() as u64, t.n_records)))
}

/// Every QI's hierarchy, chosen from its values (one pass over the QIs).
fn hierarchies(
    input: &Input,
    policy: &Policy,
    dir: &Path,
    progress: bool,
) -> Result<Vec<(HierarchyFile, Hierarchy)>> {
    let qis = Policy::default().override_with(&policy.quasi_identifiers, &[], &[]);
    let roles = Roles::resolve(&qis, input.columns())?;
    let (total, unit) = input.progress_total();
    let table =
        crate::classes::build_class_table(input, &roles, &Progress::new(total, unit, !progress))?;
    table
        .qis
        .iter()
        .zip(&roles.qi)
        .map(|(domain, &column)| {
            let (h, spec) = Spec::Auto.build(
                &domain.name,
                &domain.values,
                &crate::hierarchy::locator(input, column),
                None,
            )?;
            Ok((
                HierarchyFile {
                    qi: domain.name.clone(),
                    builder: spec,
                    levels: h.levels(),
                    values: h.rows.len(),
                    path: dir.join(Hierarchy::file_name(&domain.name)),
                },
                h,
            ))
        })
        .collect()
}

/// Writes the hierarchies, then the policy (each atomically); without `force`, refuses first
/// if any of their files exists.
fn write(
    options: &Options,
    policy: &Policy,
    built: &[(HierarchyFile, Hierarchy)],
    dir: &Path,
) -> Result<()> {
    if !options.force {
        if let Some((f, _)) = built.iter().find(|(f, _)| f.path.exists()) {
            return Err(Error::Invalid(format!(
                "{}: the file exists; remove the hierarchy folder, or give --force to replace its files",
                f.path.display()
            )));
        }
    }
    let text = serde_json::to_string_pretty(policy)
        .map_err(|e| Error::Invalid(format!("serializing the policy: {e}")))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (f, h) in built {
        h.write(&f.path)?;
    }
    crate::output::write_atomically(&options.output, |w| {
        use std::io::Write;
        writeln!(w, "{text}").map_err(|e| Error::io(&options.output, e))
    })
}
