//! `reident analyze DATA --qi ...`

use std::path::PathBuf;

use reident::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Sensitive attributes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub sensitive: Vec<String>,
    /// Direct identifiers: listed in the output, never analysed.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub identifying: Vec<String>,
    /// A sampling-weight column: enables the weighted individual risk.
    #[arg(long, value_name = "COLUMN")]
    pub weight: Option<String>,
    #[command(flatten)]
    pub population: super::PopulationArgs,
    #[command(flatten)]
    pub targets: super::TargetArgs,
    /// Target l for distinct, entropy and recursive (c,l) l-diversity.
    #[arg(long, default_value_t = 2)]
    pub l: usize,
    /// Target c for recursive (c,l)-diversity.
    #[arg(long, default_value_t = 3.0)]
    pub c: f64,
    /// Target t for t-closeness.
    #[arg(long, default_value_t = 0.2)]
    pub t: f64,
    /// Hierarchy of a sensitive column, COLUMN=FILE (ARX format), for hierarchical t-closeness.
    #[arg(long = "sensitive-hierarchy", value_name = "COLUMN=FILE")]
    pub sensitive_hierarchy: Vec<String>,
    /// A folder of hierarchy_<column>.csv files; those of sensitive columns are used.
    #[arg(long, value_name = "DIR")]
    pub hierarchies: Option<PathBuf>,
    /// Write one row per record (row number, class size, risks; no values) to this Parquet file.
    #[arg(long, value_name = "FILE")]
    pub record_risk: Option<PathBuf>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
    /// Do not check the columns read for direct identifiers (see `reident scan`).
    #[arg(long)]
    pub no_scan: bool,
}

impl Args {
    /// The options of the analysis (`gate` takes the same).
    pub fn options(&self, progress: bool) -> Result<reident::analyze::Options> {
        let settings = super::settings(&reident::options::Flags {
            sensitive: self.sensitive.clone(),
            identifying: self.identifying.clone(),
            weight: self.weight.clone(),
            targets: self.targets.spec(),
            hierarchies: self.hierarchies.clone(),
            ..self.table.flags()
        })?;
        Ok(reident::analyze::Options {
            table: self.table.source(),
            settings,
            population: self.population.options(),
            l: self.l,
            c: self.c,
            t: self.t,
            sensitive_hierarchies: super::files(
                "--sensitive-hierarchy",
                &self.sensitive_hierarchy,
            )?,
            record_risk: self.record_risk.clone(),
            scan: !self.no_scan,
            progress,
            force: self.report.force,
        })
    }
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let report = args.report.prepare(args.table.policy.as_deref(), false)?;
    let outcome = reident::analyze::run(&args.options(progress)?)?;
    super::warn(&outcome.warnings);
    super::warn(&outcome.notices);
    let (_, dir) = super::publish(&report, false, |cl, show| {
        reident::report::build::analysis(&outcome, "analyze", cl, show)
    })?;
    if let Some(dir) = dir.filter(|_| !args.json) {
        eprintln!("report written to {}", dir.display());
    }
    if args.json {
        super::print_json(&outcome.report)?;
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::analyze::analyze(&outcome.report))
        );
        for v in &outcome.verdicts {
            println!("{}", reident::text::terminal(&v.line()));
        }
    }
    Ok(0)
}
