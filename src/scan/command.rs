//! The `scan` command: opens the data and scans a bounded sample of it.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{scan, Level, Rules, ScanOptions, ScanReport, DEFAULT_SAMPLE_ROWS};
use crate::error::Result;
use crate::input::arrow::{ArrowTable, ARROW_NAME};
use crate::input::{Format, Input, InputOptions};

/// What to scan, with which rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// CSV delimiter (detected from the header line when not given).
    pub delimiter: Option<u8>,
    /// Rows to sample (Parquet: the first rows of a few row groups spread over the file; CSV:
    /// the first rows).
    pub sample: usize,
    /// A rules file (JSON, the schema of the built-in rules) instead of the built-in rules.
    pub rules: Option<PathBuf>,
    /// An in-memory table scanned in place of `data` (see [`Options::arrow`]). Not serialized.
    #[serde(skip)]
    pub arrow: Option<ArrowTable>,
}

impl Options {
    pub fn new(data: impl Into<PathBuf>) -> Options {
        Options {
            data: data.into(),
            delimiter: None,
            sample: DEFAULT_SAMPLE_ROWS,
            rules: None,
            arrow: None,
        }
    }

    /// A scan of an in-memory table (its data path is `<arrow stream>`; a report records the
    /// table's content hash).
    pub fn arrow(table: ArrowTable) -> Options {
        Options {
            arrow: Some(table),
            ..Options::new(ARROW_NAME)
        }
    }
}

/// The findings.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub options: Options,
    pub report: ScanReport,
    pub format: Format,
    pub started: SystemTime,
}

impl Outcome {
    /// The columns that still hold a Safe Harbor element: direct identifiers (medium or high
    /// confidence), and dates, ages or geography not in the form Safe Harbor allows (what
    /// `scan --fail-on-identifying` fails on). Pseudonyms that `safe-harbor` wrote and marked are
    /// permitted codes, not elements.
    pub fn remaining(&self) -> Vec<&str> {
        self.report
            .columns
            .iter()
            .filter(|c| c.holds_safe_harbor_element())
            .map(|c| c.column.as_str())
            .collect()
    }

    /// The columns flagged as direct identifiers with at least medium confidence.
    pub fn identifying(&self) -> Vec<&str> {
        self.report
            .columns
            .iter()
            .filter(|c| c.is_identifying(Level::Medium))
            .map(|c| c.column.as_str())
            .collect()
    }
}

/// Opens the data and scans its sample.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    let rules = Rules::from_file_or_builtin(options.rules.as_deref())?;
    let input = match &options.arrow {
        Some(table) => table.input(),
        None => Input::open(
            &options.data,
            &InputOptions {
                delimiter: options.delimiter,
            },
        )?,
    };
    let report = scan(
        &input,
        &rules,
        &ScanOptions {
            sample_rows: options.sample,
        },
    )?;
    Ok(Outcome {
        options: options.clone(),
        report,
        format: input.format(),
        started,
    })
}
