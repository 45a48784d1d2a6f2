//! `reident scan DATA`: which columns look like HIPAA Safe Harbor identifiers.

use std::path::PathBuf;

use reident::error::{Error, Result};
use reident::scan::{scan, Level, Rules, ScanOptions, DEFAULT_SAMPLE_ROWS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// Rows to sample (Parquet: the first rows of a few row groups spread over the file; CSV:
    /// the first rows).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLE_ROWS)]
    pub sample: usize,
    /// A rules file (JSON, the schema of the built-in src/scan/rules.json) instead of the built-in.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Exit with status 1 when a column is flagged as a direct identifier (medium or high
    /// confidence): for pipelines that must not publish one.
    #[arg(long)]
    pub fail_on_identifying: bool,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, _quiet: bool) -> Result<i32> {
    let loaded;
    let rules = match &args.rules {
        Some(p) => {
            loaded = Rules::load(p)?;
            &loaded
        }
        None => Rules::builtin(),
    };
    let input = reident::Input::open(
        &args.data,
        &reident::InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let report = scan(
        &input,
        rules,
        &ScanOptions {
            sample_rows: args.sample,
        },
    )?;
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", report.render_text());
    }
    let flagged = report
        .columns
        .iter()
        .any(|c| c.is_identifying(Level::Medium));
    Ok(if args.fail_on_identifying && flagged {
        1
    } else {
        0
    })
}
