//! `reident safe-harbor DATA -o OUT`: the HIPAA Safe Harbor transformations.

use std::path::PathBuf;

use reident::error::{Error, Result};
use reident::progress::Progress;
use reident::safe_harbor::{current_year, safe_harbor, RestrictedZip3, SafeHarborOptions};
use reident::scan::{Rules, ScanOptions, DEFAULT_SAMPLE_ROWS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
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

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let report_args = args.report.clone();
    let data = args.data.clone();
    let rules = Rules::from_file_or_builtin(args.rules.as_deref())?;
    let restricted_zip3 = match &args.restricted_zip3 {
        Some(p) => RestrictedZip3::load(p)?,
        None => RestrictedZip3::builtin(),
    };
    let input = reident::Input::open(
        &args.data,
        &reident::InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let options = SafeHarborOptions {
        drop: args.drop,
        pseudonymize: args.pseudonymize,
        dates: args.dates,
        birth_dates: args.birth_dates,
        ages: args.ages,
        zips: args.zips,
        use_scan: !args.no_scan,
        scan: ScanOptions {
            sample_rows: args.sample,
        },
        restricted_zip3,
        reference_year: args.reference_year.unwrap_or_else(current_year),
    };
    let (total, unit) = input.progress_total();
    let report = safe_harbor(
        &input,
        &args.output,
        &rules,
        &options,
        &Progress::new(total, unit, quiet),
    )?;
    if report_args.report.is_some() || report_args.audit_log.is_some() {
        // The common report lists every transformation (figures.safe_harbor), with the roles
        // the columns had in it: dropped or pseudonymized ones identifying, generalized ones
        // quasi-identifiers.
        use reident::safe_harbor::Transformation as T;
        let mut figures = serde_json::Map::new();
        figures.insert(
            "safe_harbor".into(),
            serde_json::to_value(&report).map_err(|e| Error::Invalid(e.to_string()))?,
        );
        let r = reident::report::Report::new(
            reident::report::ReportInput {
                kind: "safe-harbor",
                command_line: super::command_line(),
                started,
                data: &data,
                format: input.format().as_str(),
                records: report.records,
                columns: report
                    .columns
                    .iter()
                    .map(|c| reident::report::ColumnRole {
                        name: c.column.clone(),
                        role: match c.transformation {
                            T::Drop | T::Pseudonymize => "identifying",
                            T::Keep => "insensitive",
                            _ => "quasi-identifier",
                        }
                        .to_string(),
                    })
                    .collect(),
                policy: None,
                hierarchies: Vec::new(),
                disclosure_k: reident::criteria::targets::DEFAULT_DISCLOSURE_K,
                show_values: false,
            },
            figures,
            Vec::new(),
        )?;
        super::publish(&r, &report_args, &data, started, false)?;
    }
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", reident::text::safe_harbor::safe_harbor(&report));
    }
    Ok(0)
}
