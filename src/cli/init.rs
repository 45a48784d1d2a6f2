//! `reident init DATA -o policy.json`: a starter policy from the scan, with every QI's hierarchy.

use std::path::PathBuf;

use reident::error::Result;
use reident::init::{DEFAULT_K, DEFAULT_SUPPRESSION_LIMIT};
use reident::scan::DEFAULT_SAMPLE_ROWS;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// The policy file to write (the hierarchies go to hierarchies/ beside it).
    #[arg(short, long)]
    pub output: PathBuf,
    /// k of k-anonymity (by people when there is an entity).
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: u64,
    /// Share of records (or people) that may be suppressed, 0 to 1.
    #[arg(long, default_value_t = DEFAULT_SUPPRESSION_LIMIT)]
    pub suppression_limit: f64,
    /// Rows the scan samples.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLE_ROWS)]
    pub sample: usize,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Replace an existing policy file and hierarchy files.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let outcome = reident::init::run(&reident::init::Options {
        data: args.data.clone(),
        delimiter: args.delimiter,
        output: args.output.clone(),
        k: args.k,
        suppression_limit: args.suppression_limit,
        sample: args.sample,
        force: args.force,
        progress,
    })?;
    if args.json {
        super::print_json(&outcome)?;
    } else {
        print!("{}", reident::text::init::init(&outcome));
    }
    Ok(0)
}
