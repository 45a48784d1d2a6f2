//! `convert`: CSV to Parquet and back, keeping the column order and every value's canonical text.
//!
//! A CSV column whose every value is an integer written the canonical way (no leading zeros, no
//! `+`) becomes Int64; everything else becomes a string column (dictionary-encoded by the Parquet
//! writer). A ZIP code such as `02134` therefore stays text. Missing values (empty or `NULL`) become
//! Parquet nulls, and nulls become empty CSV fields, so a round trip gives back the same file.
//!
//! The output is written to a temporary file next to it and renamed when complete: a failure never
//! leaves a half-written file under the requested name.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::input::{Format, Input, InputOptions};
use crate::output::table::{write_chunks, WriteOptions};
use crate::output::{output_format, refuse_overwrite};
use crate::progress::Progress;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConvertSummary {
    pub rows: u64,
    pub columns: usize,
    pub format: Format,
}

pub fn convert(
    input: &Input,
    out: &Path,
    options: &WriteOptions,
    progress: &Progress,
) -> Result<ConvertSummary> {
    let format = output_format(out)?;
    refuse_overwrite(input.path(), out)?;
    let all: Vec<usize> = (0..input.columns().len()).collect();
    let chunks = input.map_chunks(&all, progress, |c| c)?;
    progress.finish();
    let rows: u64 = chunks.iter().map(|c| c.rows as u64).sum();
    write_chunks(out, input.columns(), &chunks, options)?;
    Ok(ConvertSummary {
        rows,
        columns: all.len(),
        format,
    })
}

/// What to convert, and how to write it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// The input table (Parquet or CSV).
    pub input: PathBuf,
    /// Delimiter of a CSV input (detected when not given).
    pub delimiter: Option<u8>,
    /// The output file; `.parquet` or `.csv` decides the format.
    pub output: PathBuf,
    /// Parquet compression and the delimiter of a CSV output.
    pub write: WriteOptions,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

/// Converts the input to the output's format.
pub fn run(options: &Options) -> Result<ConvertSummary> {
    output_format(&options.output)?;
    crate::output::check_output(&options.output, options.force, [&options.input])?;
    let input = Input::open(
        &options.input,
        &InputOptions {
            delimiter: options.delimiter,
        },
    )?;
    let (total, unit) = input.progress_total();
    let progress = Progress::new(total, unit, !options.progress);
    convert(&input, &options.output, &options.write, &progress)
}
