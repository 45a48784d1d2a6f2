//! The `safe-harbor` command: resolves the rules and the restricted ZIP3 list, opens the data and
//! applies the Safe Harbor steps.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{current_year, safe_harbor, RestrictedZip3, SafeHarborOptions, SafeHarborReport};
use crate::error::Result;
use crate::input::{Format, Input, InputOptions};
use crate::progress::Progress;
use crate::scan::{Rules, ScanOptions, DEFAULT_SAMPLE_ROWS};

/// What to transform and where to write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// CSV delimiter (detected from the header line when not given).
    pub delimiter: Option<u8>,
    /// Where to write the result (`.parquet` or `.csv`); never the input.
    pub output: PathBuf,
    /// Direct identifiers to remove.
    pub drop: Vec<String>,
    /// Direct identifiers to replace by keyed pseudonyms.
    pub pseudonymize: Vec<String>,
    /// Date columns to reduce to the year.
    pub dates: Vec<String>,
    /// Dates of birth: the year, with years that reveal an age over 89 aggregated.
    pub birth_dates: Vec<String>,
    /// Age columns: ages of 90 and over become 90+.
    pub ages: Vec<String>,
    /// ZIP code columns: the first three digits, 000 for restricted areas.
    pub zips: Vec<String>,
    /// Apply the scan's findings to the columns not named above.
    pub use_scan: bool,
    /// Rows the scan samples.
    pub sample: usize,
    /// A rules file for the scan instead of the built-in rules.
    pub rules: Option<PathBuf>,
    /// The restricted three-digit ZIP areas (CSV with a zip3 column) instead of the shipped list.
    pub restricted_zip3: Option<PathBuf>,
    /// The year ages are measured at for dates of birth (default: this year).
    pub reference_year: Option<i32>,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
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
            drop: Vec::new(),
            pseudonymize: Vec::new(),
            dates: Vec::new(),
            birth_dates: Vec::new(),
            ages: Vec::new(),
            zips: Vec::new(),
            use_scan: true,
            sample: DEFAULT_SAMPLE_ROWS,
            rules: None,
            restricted_zip3: None,
            reference_year: None,
            progress: false,
            force: false,
        }
    }
}

/// What was done.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub options: Options,
    pub report: SafeHarborReport,
    pub format: Format,
    pub started: SystemTime,
}

/// Applies the Safe Harbor steps and writes the result.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    crate::output::check_output(&options.output, options.force, [&options.data])?;
    let rules = Rules::from_file_or_builtin(options.rules.as_deref())?;
    let restricted_zip3 = match &options.restricted_zip3 {
        Some(p) => RestrictedZip3::load(p)?,
        None => RestrictedZip3::builtin(),
    };
    let input = Input::open(
        &options.data,
        &InputOptions {
            delimiter: options.delimiter,
        },
    )?;
    let steps = SafeHarborOptions {
        drop: options.drop.clone(),
        pseudonymize: options.pseudonymize.clone(),
        dates: options.dates.clone(),
        birth_dates: options.birth_dates.clone(),
        ages: options.ages.clone(),
        zips: options.zips.clone(),
        use_scan: options.use_scan,
        scan: ScanOptions {
            sample_rows: options.sample,
        },
        restricted_zip3,
        reference_year: options.reference_year.unwrap_or_else(current_year),
    };
    let (total, unit) = input.progress_total();
    let report = safe_harbor(
        &input,
        &options.output,
        &rules,
        &steps,
        &Progress::new(total, unit, !options.progress),
    )?;
    Ok(Outcome {
        options: options.clone(),
        report,
        format: input.format(),
        started,
    })
}
