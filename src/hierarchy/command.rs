//! `hierarchy`: builds a generalization hierarchy from a column's values (with a builder stated,
//! or chosen from the values with `--auto`) and writes it in the ARX format, to review and edit
//! before a search uses it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::build::Spec;
use crate::error::Result;
use crate::input::{Input, InputOptions};
use crate::policy::{Policy, Roles};

/// The column and the builder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// CSV delimiter of the input (detected when not given).
    pub delimiter: Option<u8>,
    /// The column to build a hierarchy for.
    pub column: String,
    pub builder: Spec,
    /// The hierarchy file to write (ARX format).
    pub output: PathBuf,
    /// The work budget (`--max-work`; default [`crate::work::DEFAULT_MAX_WORK`]): the build
    /// is estimated before it starts and refused past it.
    #[serde(default)]
    pub max_work: Option<f64>,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

/// The hierarchy written.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub values: usize,
    pub levels: usize,
    pub output: PathBuf,
    /// The builder used (for [`Spec::Auto`], the one chosen from the values).
    pub builder: Spec,
}

/// Reads the column's distinct values, builds the hierarchy and writes it.
pub fn run(options: &Options) -> Result<Outcome> {
    crate::output::check_output(&options.output, options.force, [&options.data])?;
    // A budget that is not a positive number is refused before the data is read.
    crate::work::check_work(0.0, options.max_work, "", "")?;
    if options.builder != Spec::Auto {
        options.builder.builder()?;
    }
    let input = Input::open(
        &options.data,
        &InputOptions {
            delimiter: options.delimiter,
        },
    )?;
    let policy = Policy::default().override_with(std::slice::from_ref(&options.column), &[], &[]);
    let roles = Roles::resolve(&policy, input.columns())?;
    let (total, unit) = input.progress_total();
    let progress = crate::progress::Progress::new(total, unit, !options.progress);
    let table = crate::classes::build_class_table(&input, &roles, &progress)?;
    let column = input.column_index(&options.column)?;
    let (hierarchy, builder) = options.builder.build(
        &options.column,
        &table.qis[0].values,
        &super::locator(&input, column),
        options.max_work,
    )?;
    hierarchy.write(&options.output)?;
    Ok(Outcome {
        values: hierarchy.rows.len(),
        levels: hierarchy.levels(),
        output: options.output.clone(),
        builder,
    })
}
