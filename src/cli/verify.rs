//! `reident verify REPORT.json [DATA [FILE...]]`, `reident verify --audit-log FILE`: exit 0 when
//! every check passes, 1 when one fails, 2 when a check cannot be made.

use std::path::PathBuf;

use reident::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report.json to check.
    pub report: Option<PathBuf>,
    /// The data the report was made from: its hash is checked and the command re-run.
    pub data: Option<PathBuf>,
    /// The other files the run read (hierarchies, a population table, a rules file) when they
    /// are not beside the report; verify reads no file the report names but these.
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// The report to find in --audit-log (the same as the first argument).
    #[arg(long = "report", value_name = "REPORT", conflicts_with = "report")]
    pub report_flag: Option<PathBuf>,
    /// An audit log to check (alone or with a report: the report's run must be in it).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// The signer's public key (minisign format): the report's files and the log's lines must
    /// be signed by it. Checked first.
    #[arg(long, value_name = "PUB", conflicts_with = "trusted_keys")]
    pub public_key: Option<PathBuf>,
    /// A folder of trusted public keys (*.pub): signed by any of them.
    #[arg(long, value_name = "DIR")]
    pub trusted_keys: Option<PathBuf>,
    /// Fail (status 2) unless a key is given to check signatures with.
    #[arg(long)]
    pub require_signature: bool,
    /// Print the checks as one JSON document.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let outcome = reident::verify::run(&reident::verify::Options {
        report: args.report.clone().or(args.report_flag.clone()),
        data: args.data.clone(),
        inputs: args.inputs.clone(),
        audit_log: args.audit_log.clone(),
        public_key: args.public_key.clone(),
        trusted_keys: args.trusted_keys.clone(),
        require_signature: args.require_signature,
        progress,
    })?;
    if args.json {
        super::print_json(&outcome)?;
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::verify::verify(&outcome))
        );
    }
    Ok(if outcome.ok { 0 } else { 1 })
}
