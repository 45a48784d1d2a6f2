//! `reident anonymize DATA --qi ... --hierarchies DIR --k 5 -o OUT`

use std::path::PathBuf;

use reident::anonymize::QiHierarchies;
use reident::anonymize::Suppressed;
use reident::error::Result;
use reident::hierarchy::build::Spec;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MetricArg {
    Loss,
    /// Loss with ARX's RANK aggregation (worst attribute first).
    LossRank,
    Discernibility,
    Aecs,
    Precision,
    Entropy,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SuppressedArg {
    Remove,
    Star,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Direct identifiers: dropped from the output.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub identifying: Vec<String>,
    /// Folder of hierarchy_<column>.csv files (ARX format), one per QI (or the policy's).
    #[arg(long, value_name = "DIR")]
    pub hierarchies: Option<PathBuf>,
    /// A QI's hierarchy file, COLUMN=FILE (repeatable).
    #[arg(long, value_name = "COL=FILE")]
    pub hierarchy: Vec<String>,
    /// Build a QI's hierarchy of intervals, COLUMN:WIDTHS[@LOW..HIGH] (e.g. age:5,10,20@18..90).
    #[arg(long, value_name = "COL:SPEC")]
    pub interval: Vec<String>,
    /// Build a QI's hierarchy by masking the last characters, COLUMN:K,... (e.g. zip:1,2,3,5).
    #[arg(long, value_name = "COL:SPEC")]
    pub mask: Vec<String>,
    /// Build a date QI's hierarchy, COLUMN:LEVELS (e.g. visit:month,year,5y,decade).
    #[arg(long, value_name = "COL:SPEC")]
    pub date: Vec<String>,
    /// A QI generalized only by suppression (value, then `*`).
    #[arg(long, value_name = "COLUMN")]
    pub suppress: Vec<String>,
    #[command(flatten)]
    pub targets: super::TargetArgs,
    /// Share of records that may be suppressed, 0 to 1 (default: the policy's, else 0).
    #[arg(long)]
    pub suppression_limit: Option<f64>,
    /// Use the heuristic search even when the lattice is small enough for the optimal one.
    #[arg(long)]
    pub heuristic: bool,
    /// Time budget of the heuristic's improvement phase, in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub time_limit: f64,
    #[command(flatten)]
    pub population: super::PopulationArgs,
    /// The utility metric the search minimizes (default: the policy's, else loss).
    #[arg(long, value_enum)]
    pub metric: Option<MetricArg>,
    /// List the N best transformations that meet the targets.
    #[arg(long, default_value_t = 1)]
    pub top: usize,
    /// Where to write the transformed data (.parquet or .csv).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Suppressed records: removed, or kept with their QIs replaced by `*`.
    #[arg(long, value_enum, default_value = "remove")]
    pub suppressed: SuppressedArg,
    /// With --entity: write the entity column to the output (it is dropped otherwise).
    #[arg(long)]
    pub keep_entity: bool,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// The work budget: a run estimated past it is refused before it starts, naming the
    /// estimate (default 1e11, about 10^11 class visits).
    #[arg(long, value_name = "N")]
    pub max_work: Option<f64>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    /// Do not check the columns read or written for direct identifiers (see `reident scan`).
    #[arg(long)]
    pub no_scan: bool,
}

impl Args {
    fn options(&self, progress: bool) -> Result<reident::anonymize::Options> {
        let settings = super::settings(&reident::options::Flags {
            identifying: self.identifying.clone(),
            targets: self.targets.spec(),
            hierarchies: self.hierarchies.clone(),
            suppression_limit: self.suppression_limit,
            metric: self.metric.map(|m| {
                clap::ValueEnum::to_possible_value(&m)
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            }),
            ..self.table.flags()
        })?;
        Ok(reident::anonymize::Options {
            max_work: self.max_work,
            table: self.table.source(),
            settings,
            hierarchies: self.hierarchies()?,
            heuristic: self.heuristic,
            time_limit: self.time_limit,
            population: self.population.options(),
            top: self.top,
            output: self.output.clone(),
            suppressed: match self.suppressed {
                SuppressedArg::Remove => Suppressed::Remove,
                SuppressedArg::Star => Suppressed::Star,
            },
            keep_entity: self.keep_entity,
            scan: !self.no_scan,
            progress,
            force: self.report.force,
        })
    }

    /// The hierarchies stated per QI: files, and the builders of `--interval`, `--mask`,
    /// `--date` and `--suppress`.
    fn hierarchies(&self) -> Result<QiHierarchies> {
        let mut built = Vec::new();
        for (flag, specs, make) in [
            (
                "--interval",
                &self.interval,
                Spec::Intervals as fn(String) -> Spec,
            ),
            ("--mask", &self.mask, Spec::Mask),
            ("--date", &self.date, Spec::Dates),
        ] {
            for (col, spec) in super::pairs(flag, specs, ':', "COLUMN:SPEC")? {
                built.push((col, make(spec)));
            }
        }
        built.extend(self.suppress.iter().map(|c| (c.clone(), Spec::Suppress)));
        Ok(QiHierarchies {
            files: super::files("--hierarchy", &self.hierarchy)?,
            built,
        })
    }
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let report = args.report.prepare(args.table.policy.as_deref(), false)?;
    let outcome = reident::anonymize::run(&args.options(progress)?)?;
    super::warn(&outcome.warnings);
    super::warn(&outcome.notices);
    let (_, dir) = super::publish(&report, false, |cl, show| {
        reident::report::build::anonymization(&outcome, cl, show)
    })?;
    if let Some(dir) = dir.filter(|_| !args.json) {
        eprintln!("report written to {}", dir.display());
    }
    if args.json {
        super::print_json(&outcome.summary)?;
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::anonymize::anonymize(&outcome.summary))
        );
    }
    Ok(0)
}
