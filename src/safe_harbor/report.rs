//! What `safe-harbor` is asked to do ([`SafeHarborOptions`]) and what it reports: per column, the
//! transformation, why, and what it changed (counts, never values).

use serde::{Deserialize, Serialize};

use super::values::current_year;
use super::zip3::RestrictedZip3;
use crate::input::Format;
use crate::scan::{Level, SampleInfo, ScanOptions};
use crate::tool::ToolInfo;

/// Version of the JSON document `safe-harbor --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// What happens to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transformation {
    Drop,
    Pseudonymize,
    Year,
    BirthYear,
    TopCodeAge,
    Zip3,
    Keep,
}

impl Transformation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Transformation::Drop => "drop",
            Transformation::Pseudonymize => "pseudonymize",
            Transformation::Year => "year",
            Transformation::BirthYear => "birth-year",
            Transformation::TopCodeAge => "top-code-age",
            Transformation::Zip3 => "zip3",
            Transformation::Keep => "keep",
        }
    }
}

/// Why a column is transformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Named on the command line.
    Flag,
    /// Found by the scan.
    Scan,
    /// Kept: neither named nor found.
    None,
}

/// The scan finding a transformation rests on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanFinding {
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
    pub level: Level,
    pub evidence: String,
}

/// One column of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnReport {
    pub column: String,
    pub transformation: Transformation,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanFinding>,
    /// Non-null values read (0 for a dropped column, which is not read).
    pub values: u64,
    pub nulls: u64,
    /// Values the transformation changed.
    pub changed: u64,
    /// Values it could not read (not a date, age or ZIP code), left unchanged.
    pub unrecognized: u64,
    /// ZIP codes of a restricted area, written 000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted: Option<u64>,
    /// Four-digit ZIP codes read as having lost a leading zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padded: Option<u64>,
    /// Ages of 90 and over written 90+, or birth years aggregated into <=YYYY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_coded: Option<u64>,
}

/// Everything `safe-harbor` reports. Serialized as is for `--json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SafeHarborReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub input: String,
    pub output: String,
    pub format: Format,
    pub records: u64,
    pub columns_written: usize,
    /// The year birth years are measured against (ages over 89).
    pub reference_year: i32,
    pub restricted_zip3: RestrictedZip3,
    /// How pseudonyms were made (the key itself is never reported).
    pub pseudonyms: String,
    /// The scan's sample, when the scan ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_sample: Option<SampleInfo>,
    /// The columns of the output that hold pseudonyms (re-identification codes, 164.514(c));
    /// a Parquet output lists them in its metadata (`reident:pseudonymized`) too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pseudonymized: Vec<String>,
    /// Every column of the input, in order, with what was done to it.
    pub columns: Vec<ColumnReport>,
    /// Flagged columns left alone, values left unchanged: one line each, no values.
    pub warnings: Vec<String>,
}

/// What to do.
#[derive(Debug, Clone)]
pub struct SafeHarborOptions {
    pub drop: Vec<String>,
    pub pseudonymize: Vec<String>,
    pub dates: Vec<String>,
    pub birth_dates: Vec<String>,
    pub ages: Vec<String>,
    pub zips: Vec<String>,
    /// Apply the scan's findings (medium or high confidence) to the columns not named above.
    pub use_scan: bool,
    pub scan: ScanOptions,
    pub restricted_zip3: RestrictedZip3,
    /// Birth years up to `reference_year - 90` are aggregated; two-digit years pivot on it.
    pub reference_year: i32,
}

impl Default for SafeHarborOptions {
    fn default() -> Self {
        SafeHarborOptions {
            drop: Vec::new(),
            pseudonymize: Vec::new(),
            dates: Vec::new(),
            birth_dates: Vec::new(),
            ages: Vec::new(),
            zips: Vec::new(),
            use_scan: true,
            scan: ScanOptions::default(),
            restricted_zip3: RestrictedZip3::builtin(),
            reference_year: current_year(),
        }
    }
}
