//! `reident verify REPORT.json [DATA]`, `reident verify --audit-log FILE`: exit 0 when every
//! check passes, 1 when one fails, 2 when a check cannot be made.

use std::path::PathBuf;

use reident::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report.json to check.
    pub report: Option<PathBuf>,
    /// The data the report was made from: its hash is checked and the analysis re-run.
    pub data: Option<PathBuf>,
    /// An audit log to check (alone or with a report).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Print the checks as one JSON document.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let outcome = reident::verify::run(&reident::verify::Options {
        report: args.report.clone(),
        data: args.data.clone(),
        audit_log: args.audit_log.clone(),
        progress,
    })?;
    if args.json {
        super::print_json(&outcome)?;
    } else {
        print!("{}", reident::text::verify::verify(&outcome));
    }
    Ok(if outcome.ok { 0 } else { 1 })
}
