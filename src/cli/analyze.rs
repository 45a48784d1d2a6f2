//! `reident analyze DATA --qi ...`

use std::path::PathBuf;

use reident::analyze::{build_class_table, AnalyzeReport};
use reident::error::Result;
use reident::progress::Progress;
use reident::{Input, InputOptions, Policy, Roles};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// Quasi-identifiers, comma-separated (or repeat the flag). Names with commas: use --policy.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub qi: Vec<String>,
    /// Sensitive attributes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub sensitive: Vec<String>,
    /// Direct identifiers: listed in the output, never analysed.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub identifying: Vec<String>,
    /// A JSON policy file with the column roles; flags given here replace its lists.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    }
    .override_with(&args.qi, &args.sensitive, &args.identifying);
    let input = Input::open(
        &args.data,
        &InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let roles = Roles::resolve(&policy, input.columns())?;
    let (total, unit) = input.progress_total();
    let progress = Progress::new(total, unit, quiet);
    let table = build_class_table(&input, &roles, &progress)?;
    let report = AnalyzeReport::new(&input, &roles, &table);
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| reident::Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", report.render_text());
    }
    Ok(0)
}
