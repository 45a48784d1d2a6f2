//! `reident suda DATA --qi ...`: minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores.

use std::path::PathBuf;

use reident::error::Result;
use reident::risk::suda::{Dis, DEFAULT_DIS_FRACTION};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Largest MSU size searched (default: the number of QIs).
    #[arg(long, value_name = "M")]
    pub max_size: Option<usize>,
    /// DIS-SUDA as sdcMicro computes it, from this sampling fraction (sdcMicro's DisFraction;
    /// default 0.01).
    #[arg(long, value_name = "F", conflicts_with = "dis_linear")]
    pub dis_fraction: Option<f64>,
    /// DIS-SUDA as a file-level DIS probability P spread linearly over the records with an MSU
    /// (reident's earlier method; `--dis` is the same).
    #[arg(long, alias = "dis", value_name = "P")]
    pub dis_linear: Option<f64>,
    /// Riskiest records listed (row numbers only, never values).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Write one row per record with its SUDA figures to this Parquet file.
    #[arg(long, value_name = "FILE")]
    pub record_risk: Option<PathBuf>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The work budget: a run estimated past it is refused before it starts, naming the
    /// estimate (default 1e11, about 10^11 class visits).
    #[arg(long, value_name = "N")]
    pub max_work: Option<f64>,
    #[command(flatten)]
    pub report: super::ReportArgs,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let report = args.report.prepare(args.table.policy.as_deref(), false)?;
    let options = reident::suda::Options {
        max_work: args.max_work,
        table: args.table.source(),
        settings: super::settings(&args.table.flags())?,
        max_size: args.max_size,
        dis: match (args.dis_fraction, args.dis_linear) {
            (_, Some(probability)) => Dis::Linear { probability },
            (fraction, None) => Dis::Sdcmicro {
                fraction: fraction.unwrap_or(DEFAULT_DIS_FRACTION),
            },
        },
        top: args.top,
        record_risk: args.record_risk.clone(),
        progress,
        force: args.report.force,
    };
    let outcome = reident::suda::run(&options)?;
    super::publish(&report, false, |cl, _| {
        reident::report::build::suda(&outcome, cl)
    })?;
    if args.json {
        println!("{}", outcome.json()?);
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::suda::suda(&outcome.summary))
        );
    }
    Ok(0)
}
