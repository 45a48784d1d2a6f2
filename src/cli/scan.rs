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
    #[command(flatten)]
    pub report: super::ReportArgs,
}

/// Opens the data and scans its sample (what `verify` re-runs).
pub fn compute(args: &Args) -> Result<(reident::Input, reident::scan::ScanReport)> {
    let rules = Rules::from_file_or_builtin(args.rules.as_deref())?;
    let input = reident::Input::open(
        &args.data,
        &reident::InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let report = scan(
        &input,
        &rules,
        &ScanOptions {
            sample_rows: args.sample,
        },
    )?;
    Ok((input, report))
}

pub fn run(args: Args, _quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let (input, report) = compute(&args)?;
    if args.report.report.is_some() || args.report.audit_log.is_some() {
        // The common report: the scan's findings (never values) as its figures; the columns
        // with the roles the scan suggests; the verdict `fail` when a direct identifier is found.
        let mut figures = serde_json::Map::new();
        figures.insert(
            "scan".into(),
            serde_json::to_value(&report).map_err(|e| Error::Invalid(e.to_string()))?,
        );
        let identifying: Vec<&str> = report
            .columns
            .iter()
            .filter(|c| c.is_identifying(Level::Medium))
            .map(|c| c.column.as_str())
            .collect();
        let verdict = reident::criteria::verdict::Verdict {
            threshold:
                "no direct identifier (HIPAA Safe Harbor categories, medium or high confidence)"
                    .into(),
            measure: "columns flagged as direct identifiers".into(),
            measured: Some(identifying.len() as f64),
            classes_failing: 0,
            records_failing: 0,
            passed: identifying.is_empty(),
        };
        let r = reident::report::Report::new(
            reident::report::ReportInput {
                kind: "scan",
                command_line: super::command_line(),
                started,
                data: &args.data,
                format: input.format().as_str(),
                records: report.sample.rows_read,
                columns: report
                    .columns
                    .iter()
                    .map(|c| reident::report::ColumnRole {
                        name: c.column.clone(),
                        role: c.suggested_role.as_str().to_string(),
                    })
                    .collect(),
                policy: None,
                hierarchies: Vec::new(),
                disclosure_k: reident::criteria::targets::DEFAULT_DISCLOSURE_K,
                show_values: false,
            },
            figures,
            vec![verdict],
        )?;
        super::publish(&r, &args.report, &args.data, started, false)?;
    }
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", reident::text::scan::scan(&report));
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
