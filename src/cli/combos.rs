//! `reident combos DATA --qi ...`: which QI combinations single people out.

use reident::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Largest subset size (default: all subsets up to 12 QIs, otherwise 4).
    #[arg(long, value_name = "M")]
    pub max_size: Option<usize>,
    /// Per-size thresholds SIZE:K,...: flag subsets of that size whose smallest class is <= K.
    #[arg(long, value_name = "SIZE:K,...")]
    pub threshold: Option<String>,
    #[command(flatten)]
    pub population: super::PopulationArgs,
    /// Number of subsets listed in the table (all of them are in --json).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
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
    let options = reident::combos::Options {
        max_work: args.max_work,
        table: args.table.source(),
        settings: super::settings(&args.table.flags())?,
        max_size: args.max_size,
        thresholds: args.threshold.clone(),
        population: args.population.options(),
        progress,
    };
    let outcome = reident::combos::run(&options)?;
    super::publish(&report, false, |cl, _| {
        reident::report::build::combinations(&outcome, cl)
    })?;
    if args.json {
        println!("{}", outcome.json()?);
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::combos::combos(&outcome, args.top))
        );
    }
    Ok(0)
}
