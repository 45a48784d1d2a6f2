//! `reident safe-harbor DATA -o OUT`: the HIPAA Safe Harbor transformations.

use std::path::PathBuf;

use reident::error::Result;
use reident::scan::DEFAULT_SAMPLE_ROWS;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: Option<PathBuf>,
    /// Where to write the result (.parquet or .csv); never the input.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Direct identifiers to remove, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub drop: Vec<String>,
    /// Direct identifiers to replace by random pseudonyms (keyed by a per-run random key that is
    /// never stored; the same value gets the same pseudonym within the run).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub pseudonymize: Vec<String>,
    /// Date columns to reduce to the year.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub dates: Vec<String>,
    /// Dates of birth: the year, with years that reveal an age over 89 aggregated (<=YYYY).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub birth_dates: Vec<String>,
    /// Age columns: ages of 90 and over become 90+.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub ages: Vec<String>,
    /// ZIP code columns: the first three digits, 000 for restricted areas.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub zips: Vec<String>,
    /// Transform only the columns named above (the scan still runs, and warns about the others).
    #[arg(long)]
    pub no_scan: bool,
    /// Rows the scan samples.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLE_ROWS)]
    pub sample: usize,
    /// A rules file for the scan instead of the built-in rules.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// The restricted three-digit ZIP areas (CSV with a zip3 column) instead of the shipped list
    /// (HHS 2012 guidance, 2000 Census; see datasets/hipaa/README.md).
    #[arg(long, value_name = "FILE")]
    pub restricted_zip3: Option<PathBuf>,
    /// The year ages are measured at for dates of birth (default: this year).
    #[arg(long, value_name = "YEAR")]
    pub reference_year: Option<i32>,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let report = args.report.prepare(None, false)?;
    let outcome = reident::safe_harbor::run(&reident::safe_harbor::Options {
        data: args.data.clone().unwrap_or_default(),
        delimiter: args.delimiter,
        output: args.output.clone(),
        drop: args.drop.clone(),
        pseudonymize: args.pseudonymize.clone(),
        dates: args.dates.clone(),
        birth_dates: args.birth_dates.clone(),
        ages: args.ages.clone(),
        zips: args.zips.clone(),
        use_scan: !args.no_scan,
        sample: args.sample,
        rules: args.rules.clone(),
        restricted_zip3: args.restricted_zip3.clone(),
        reference_year: args.reference_year,
        progress,
        force: args.report.force,
    })?;
    super::publish(&report, false, |cl, _| {
        reident::report::build::safe_harbor(&outcome, cl)
    })?;
    if args.json {
        super::print_json(&outcome.report)?;
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::safe_harbor::safe_harbor(&outcome.report))
        );
    }
    Ok(0)
}
