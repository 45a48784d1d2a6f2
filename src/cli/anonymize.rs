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
    /// Build these QIs' hierarchies from their values, the kind chosen from them (nice
    /// intervals for numbers, month/year/5y/decade for dates, masks for ZIP-like codes,
    /// suppression for text).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub auto: Vec<String>,
    /// Every QI without a hierarchy (no file, no builder, none in the folder) gets one built
    /// from its values, as --auto; the report lists them and its folder keeps them.
    #[arg(long)]
    pub auto_hierarchies: bool,
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
    /// Blank the fewest QI cells that make every record k-anonymous (blanks match every value)
    /// instead of removing the records of failing classes.
    #[arg(long)]
    pub local_suppression: bool,
    /// Local suppression's importance ranks, QI=RANK,... (1 = most important; default:
    /// sdcMicro's, fewer distinct values more important).
    #[arg(long, value_delimiter = ',', value_name = "QI=RANK")]
    pub importance: Vec<String>,
    /// What a blanked cell becomes.
    #[arg(long, value_enum, default_value = "star")]
    pub blank: BlankArg,
    /// Keep every QI at level 0 (no hierarchies): local suppression or microaggregation alone.
    #[arg(long)]
    pub no_generalization: bool,
    /// Microaggregate these numeric columns by MDAV, COL,COL,...:k.
    #[arg(long, value_name = "COLS:K")]
    pub microaggregate: Option<String>,
    /// What replaces a microaggregation group's values.
    #[arg(long, value_enum, default_value = "mean")]
    pub microaggregate_measure: MeasureArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BlankArg {
    Star,
    Null,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MeasureArg {
    Mean,
    Median,
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
            local_suppression: self.local_suppression.then(|| reident::sdc::LocalOptions {
                importance: Vec::new(),
                blank: match self.blank {
                    BlankArg::Star => reident::sdc::Blank::Star,
                    BlankArg::Null => reident::sdc::Blank::Null,
                },
            }),
            microaggregation: self.microaggregation()?,
            no_generalization: self.no_generalization,
            progress,
            force: self.report.force,
        })
        .and_then(|mut o| {
            if !self.importance.is_empty() && !self.local_suppression {
                return Err(reident::Error::Invalid("--importance ranks the QIs of --local-suppression: add it".into()));
            }
            if let Some(l) = o.local_suppression.as_mut() {
                for (qi, rank) in super::pairs("--importance", &self.importance, '=', "QI=RANK")? {
                    let r = rank.parse().map_err(|_| {
                        reident::Error::Invalid(format!("--importance {qi}={rank}: the rank is a whole number (1 = most important)"))
                    })?;
                    l.importance.push((qi, r));
                }
            }
            Ok(o)
        })
    }

    fn microaggregation(&self) -> Result<Option<reident::sdc::MicroOptions>> {
        let measure = match self.microaggregate_measure {
            MeasureArg::Mean => reident::sdc::mdav::Measure::Mean,
            MeasureArg::Median => reident::sdc::mdav::Measure::Median,
        };
        self.microaggregate
            .as_deref()
            .map(|spec| reident::sdc::MicroOptions::parse(spec, measure))
            .transpose()
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
        built.extend(self.auto.iter().map(|c| (c.clone(), Spec::Auto)));
        Ok(QiHierarchies {
            files: super::files("--hierarchy", &self.hierarchy)?,
            built,
            auto: self.auto_hierarchies,
        })
    }
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let report = args.report.prepare(args.table.policy.as_deref(), false)?;
    let outcome = reident::anonymize::run(&args.options(progress)?)?;
    super::warn(&outcome.warnings);
    super::warn(&outcome.notices);
    let built = reident::anonymize::built_hierarchy_files(&outcome)?;
    let (_, dir) = super::publish_with(&report, false, &built, |cl, show| {
        reident::report::build::anonymization(&outcome, cl, show)
    })?;
    if let (Some(dir), false) = (&dir, args.json) {
        eprintln!("report written to {}", dir.display());
        if !built.is_empty() {
            eprintln!(
                "{} built hierarchies written to {}",
                built.len(),
                dir.join(reident::report::publish::BUILT_HIERARCHIES)
                    .display()
            );
        }
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
