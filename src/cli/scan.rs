//! `reident scan DATA`: which columns look like HIPAA Safe Harbor identifiers.

use std::path::PathBuf;

use reident::error::Result;
use reident::scan::DEFAULT_SAMPLE_ROWS;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: Option<PathBuf>,
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
    /// Exit with status 1 when a Safe Harbor element remains: a direct identifier (medium or high
    /// confidence), or dates, ages over 89 or geography below a state not in the form Safe Harbor
    /// allows. Pseudonyms that safe-harbor marked in a Parquet file are permitted codes.
    #[arg(long)]
    pub fail_on_identifying: bool,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
}

pub fn run(args: Args) -> Result<i32> {
    let report = args.report.prepare(None, false)?;
    let outcome = reident::scan::run(&reident::scan::Options {
        data: args.data.clone().unwrap_or_default(),
        delimiter: args.delimiter,
        sample: args.sample,
        rules: args.rules.clone(),
        arrow: None,
    })?;
    super::publish(&report, false, |cl, _| {
        reident::report::build::scan(&outcome, cl)
    })?;
    if args.json {
        super::print_json(&outcome.report)?;
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::scan::scan(&outcome.report))
        );
    }
    Ok(
        if args.fail_on_identifying && !outcome.remaining().is_empty() {
            1
        } else {
            0
        },
    )
}
