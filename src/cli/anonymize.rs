//! `reident anonymize DATA --qi ... --hierarchies DIR --k 5 -o OUT`: the optimal full-domain
//! generalization (with suppression) that meets the targets, and the transformed data.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use reident::tool::ToolInfo;
use reident::output::transformed::{write_transformed, Suppressed};
use reident::error::{Error, Result};
use reident::search::generalize::Generalizer;
use reident::hierarchy::build::Builder;
use reident::hierarchy::Hierarchy;
use reident::risk::population::Population;
use reident::progress::Progress;
use reident::criteria::predicates::ClassRule;
use reident::search::heuristic::heuristic;
use reident::search::metrics::{Aecs, Discernibility, Entropy, Loss, LossRank, Metric, Precision};
use reident::criteria::targets::{TargetContext, TargetSpec};
use reident::search::{evaluate, failing_classes, optimal_with_progress, Node, Target};
use reident::InputOptions;

/// Lattices larger than this are searched by the heuristic (not proven optimal).
const MAX_OPTIMAL_NODES: u64 = 100_000;

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
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
    /// Do not check the columns read or written for direct identifiers (see `reident scan`).
    #[arg(long)]
    pub no_scan: bool,
}

#[derive(Serialize)]
struct Level {
    qi: String,
    level: usize,
    levels: usize,
    example: String,
}

/// The figures of an anonymization (the `--json` output and the report's `anonymization`).
#[derive(Serialize)]
pub struct Summary {
    schema_version: u32,
    tool: ToolInfo,
    dataset: String,
    targets: Vec<String>,
    suppression_limit: f64,
    metric: &'static str,
    transformation: Vec<Level>,
    best: Node,
    top: Vec<Node>,
    before: Risk,
    after: Risk,
    /// Records in the input.
    before_records: u64,
    /// The metric on the untransformed data (every QI at level 0, nothing suppressed).
    utility_before: f64,
    nodes_in_lattice: u64,
    nodes_evaluated: u64,
    optimal: bool,
    seconds: f64,
    output: Option<String>,
    records_written: Option<u64>,
    /// The columns of the output, in order (identifying columns dropped).
    output_columns: Vec<String>,
    /// How the records of failing classes are suppressed, in terms `reident sql
    /// --transformation` turns into the SQL that produces the same release in an engine.
    suppression: Suppression,
}

#[derive(Serialize)]
struct Suppression {
    /// `remove` or `star`.
    suppressed: &'static str,
    /// A class is kept when it meets every rule.
    rules: Vec<ClassRule>,
    /// Criteria that decide suppression but have no SQL rule (entropy and recursive
    /// l-diversity, t-closeness): the SQL cannot reproduce this release.
    without_sql_rule: Vec<String>,
}

#[derive(Serialize)]
struct Risk {
    classes: u64,
    smallest_class: u64,
    highest_prosecutor_risk: f64,
    average_prosecutor_risk: f64,
}

/// A QI's hierarchy: `--hierarchy COL=FILE`, else one built by `--interval`, `--mask`, `--date`
/// or `--suppress`, else `hierarchy_<COL>.csv` in the hierarchy folder.
fn qi_hierarchy(
    args: &Args,
    qi: &str,
    domain: &reident::classes::Domain,
    dir: Option<&std::path::Path>,
) -> Result<Hierarchy> {
    let for_col = |specs: &[String]| -> Option<String> {
        specs.iter().find_map(|s| {
            s.split_once(':')
                .filter(|(c, _)| *c == qi)
                .map(|(_, v)| v.to_string())
        })
    };
    if let Some(file) = args
        .hierarchy
        .iter()
        .find_map(|s| s.split_once('=').filter(|(c, _)| *c == qi).map(|(_, f)| f))
    {
        return Hierarchy::load(std::path::Path::new(file));
    }
    let builder = if let Some(spec) = for_col(&args.interval) {
        Some(Builder::intervals(&spec)?)
    } else if let Some(spec) = for_col(&args.mask) {
        Some(Builder::mask(&spec)?)
    } else if let Some(spec) = for_col(&args.date) {
        Some(Builder::dates(&spec)?)
    } else if args.suppress.iter().any(|c| c == qi) {
        Some(Builder::Suppress)
    } else {
        None
    };
    if let Some(b) = builder {
        return b.build(qi, &domain.values);
    }
    match dir {
        Some(d) => Hierarchy::load(&d.join(format!("hierarchy_{qi}.csv"))),
        None => Err(Error::Invalid(format!(
            "no hierarchy for quasi-identifier {qi:?}: give --hierarchies DIR (or the policy's \"hierarchies\"), --hierarchy {qi}=FILE, or build one with --interval/--mask/--date/--suppress"
        ))),
    }
}

/// What an anonymization computed, before anything is written.
pub struct Anonymized {
    pub summary: Summary,
    input: reident::classes::Source,
    roles: reident::Roles,
    hierarchies: Vec<Hierarchy>,
    levels: Vec<usize>,
    table: reident::ClassTable,
    failing: Vec<bool>,
    verdicts: Vec<reident::criteria::verdict::Verdict>,
    disclosure_k: u64,
    hierarchy_files: Vec<(String, PathBuf)>,
}

impl Anonymized {
    /// The report of this anonymization: the summary, and the targets checked on the output
    /// (the transformed classes that are kept).
    pub fn report(
        &self,
        args: &Args,
        command_line: Vec<String>,
        started: std::time::SystemTime,
    ) -> Result<reident::report::Report> {
        let mut figures = serde_json::Map::new();
        figures.insert(
            "anonymization".into(),
            reident::report::figures_section(&self.summary)?,
        );
        reident::report::Report::new(
            reident::report::ReportInput {
                kind: "anonymize",
                command_line,
                started,
                data: args.table.source(),
                format: self.input.format().as_str(),
                records: self.summary.before_records,
                columns: super::column_roles(&self.roles),
                policy: args.table.policy.as_deref(),
                hierarchies: self.hierarchy_files.clone(),
                disclosure_k: self.disclosure_k,
                show_values: args.report.show_values,
            },
            figures,
            self.verdicts.clone(),
        )
    }
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started_at = std::time::SystemTime::now();
    let mut a = compute(&args, quiet, true)?;
    if let Some(out) = &args.output {
        let written = if a.input.is_class_table() {
            // From a class table, the release is the generalized class table itself (same
            // format), what the SQL of `reident sql --transformation` groups its output into.
            reident::output::refuse_overwrite(a.input.path(), out)?;
            let released = a
                .table
                .suppress(&a.failing, matches!(args.suppressed, SuppressedArg::Star));
            reident::classes::io::write_class_table(
                &released,
                a.roles.weight.map(|w| a.roles.columns[w].as_str()),
                out,
            )?;
            released.n_records
        } else {
            write_transformed(
                a.input.require_records("the transformed data")?,
                &a.roles,
                &a.hierarchies,
                &a.levels,
                &a.table,
                &a.failing,
                match args.suppressed {
                    SuppressedArg::Remove => Suppressed::Remove,
                    SuppressedArg::Star => Suppressed::Star,
                },
                out,
            )?
        };
        a.summary.output = Some(out.display().to_string());
        a.summary.records_written = Some(written);
    }
    if args.report.report.is_some() || args.report.audit_log.is_some() {
        let r = a.report(&args, super::command_line(), started_at)?;
        if let Some(dir) = super::publish(&r, &args.report, args.table.source(), started_at, false)?
        {
            if !args.json {
                eprintln!("report written to {}", dir.display());
            }
        }
    }
    print_summary(&a.summary, args.json)?;
    Ok(0)
}

/// Searches the transformation and measures it; writes nothing.
pub fn compute(args: &Args, quiet: bool, side_effects: bool) -> Result<Anonymized> {
    let started = Instant::now();
    let mut policy = super::load_policy(
        args.table.policy.as_ref(),
        &args.table.qi,
        &[],
        &args.identifying,
    )?;
    // The policy's anonymization section, where no flag says otherwise.
    let an = policy.anonymization.clone().unwrap_or_default();
    let policy_dir = args
        .table
        .policy
        .as_ref()
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let hierarchy_dir: Option<PathBuf> = args
        .hierarchies
        .clone()
        .or_else(|| an.hierarchies.as_ref().map(|h| policy_dir.join(h)));
    let mut spec = TargetSpec::from_policy(&an).overridden_by(&args.targets.spec());
    // Every anonymization is at least 2-anonymous unless told otherwise.
    spec.k = Some(spec.k.unwrap_or(2));
    let suppression_limit = args
        .suppression_limit
        .or(an.suppression_limit)
        .unwrap_or(0.0);
    let metric_arg = match (args.metric, &an.metric) {
        (Some(m), _) => m,
        (None, Some(name)) => <MetricArg as clap::ValueEnum>::from_str(name, true)
            .map_err(|_| Error::Invalid(format!("policy metric {name:?}: use loss, loss-rank, discernibility, aecs, precision or entropy")))?,
        (None, None) => MetricArg::Loss,
    };
    // Sensitive columns: the policy's, and those the l-diversity and t-closeness targets name.
    for col in spec.sensitive_columns() {
        if !policy.sensitive.contains(&col) {
            policy.sensitive.push(col);
        }
    }
    let sensitive = policy.sensitive.clone();
    let (input, roles, _) = super::open_with_roles(&args.table, &policy)?;
    if !args.no_scan && side_effects {
        // Insensitive columns are copied to the output, so they count as read when there is one.
        super::warn_identifiers(&input, &roles, args.output.is_some());
    }
    if !(0.0..=1.0).contains(&suppression_limit) {
        return Err(Error::Invalid(
            "--suppression-limit must be between 0 and 1".into(),
        ));
    }
    let qi_names = roles.names(&roles.qi);
    let (total, unit) = input.progress_total();
    let base = input.class_table(&roles, &Progress::new(total, unit, quiet))?;
    let hierarchies = qi_names
        .iter()
        .zip(&base.qis)
        .map(|(q, domain)| qi_hierarchy(&args, q, domain, hierarchy_dir.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    let g = Generalizer::new(base, &hierarchies)?;
    let lattice: u64 = g.heights().iter().map(|&h| h as u64).product();
    let population = match spec.max_population_uniqueness {
        Some(_) => Some(
            Population::resolve(
                &args.population.spec(),
                &g.base,
                &InputOptions {
                    delimiter: args.table.delimiter,
                },
            )?
            .size,
        ),
        None => None,
    };
    let (criteria, table_criteria) = spec.build(
        &g.base,
        &TargetContext {
            sensitive: &sensitive,
            hierarchy_dir: hierarchy_dir.as_deref(),
            population,
            snb: args.population.snb_variant(),
        },
    )?;
    let metric: &dyn Metric = match metric_arg {
        MetricArg::Loss => &Loss,
        MetricArg::LossRank => &LossRank,
        MetricArg::Discernibility => &Discernibility,
        MetricArg::Aecs => &Aecs,
        MetricArg::Precision => &Precision,
        MetricArg::Entropy => &Entropy,
    };
    let suppression = Suppression {
        suppressed: match args.suppressed {
            SuppressedArg::Remove => "remove",
            SuppressedArg::Star => "star",
        },
        rules: criteria.iter().filter_map(|c| c.class_rule()).collect(),
        without_sql_rule: criteria
            .iter()
            .filter(|c| c.class_rule().is_none())
            .map(|c| c.describe())
            .collect(),
    };
    let targets: Vec<String> = criteria
        .iter()
        .map(|c| c.describe())
        .chain(table_criteria.iter().map(|c| c.describe()))
        .collect();
    let target = Target {
        criteria,
        table_criteria,
        suppression_limit,
        metric,
    };
    let result = if lattice > MAX_OPTIMAL_NODES || args.heuristic {
        heuristic(
            &g,
            &target,
            args.top,
            std::time::Duration::from_secs_f64(args.time_limit),
        )
    } else {
        optimal_with_progress(
            &g,
            &target,
            args.top,
            &Progress::new(lattice, "transformations", quiet),
        )
    };
    let Some(best) = result.solutions.first().cloned() else {
        return Err(Error::Invalid(
            "no transformation meets the targets within the suppression limit".into(),
        ));
    };
    let table = g.table(&best.levels, None);
    let node = evaluate(&g, &best.levels, &table, &target);
    let failing = failing_classes(&table, &target);
    let risk = |t: &reident::ClassTable, failing: Option<&[bool]>| {
        let kept: Vec<u64> = t
            .counts
            .iter()
            .enumerate()
            .filter(|(c, _)| failing.is_none_or(|f| !f[*c]))
            .map(|(_, &k)| k)
            .collect();
        let n: u64 = kept.iter().sum();
        let k = kept.iter().copied().min().unwrap_or(0);
        Risk {
            classes: kept.len() as u64,
            smallest_class: k,
            highest_prosecutor_risk: if k == 0 { 0.0 } else { 1.0 / k as f64 },
            average_prosecutor_risk: if n == 0 {
                0.0
            } else {
                kept.len() as f64 / n as f64
            },
        }
    };
    let kept_table = table.retain(|c| !failing[c]);
    let disclosure_k = spec.disclosure_k();
    let transformation = qi_names
        .iter()
        .enumerate()
        .map(|(q, name)| Level {
            qi: name.clone(),
            level: best.levels[q],
            levels: g.qis[q].levels(),
            example: example_value(&kept_table, q, disclosure_k),
        })
        .collect();
    let verdicts = reident::criteria::verdict::check(&kept_table, &target.criteria, &target.table_criteria);
    let hierarchy_files = qi_names
        .iter()
        .filter_map(|q| hierarchy_file(args, q, hierarchy_dir.as_deref()).map(|f| (q.clone(), f)))
        .collect();
    let output_columns: Vec<String> = if input.is_class_table() {
        qi_names.iter().chain(&sensitive).cloned().collect()
    } else {
        (0..input.columns().len())
            .filter(|c| !roles.identifying.contains(c))
            .map(|c| input.columns()[c].clone())
            .collect()
    };
    let summary = Summary {
        schema_version: 1,
        tool: ToolInfo::current(),
        dataset: input.path().display().to_string(),
        targets,
        suppression_limit,
        metric: metric.name(),
        transformation,
        best: node,
        top: result.solutions.clone(),
        before: risk(&g.base, None),
        utility_before: metric.loss(
            &g,
            &vec![0; qi_names.len()],
            &g.base,
            &vec![false; g.base.n_classes()],
        ),
        after: risk(&table, Some(&failing)),
        before_records: g.base.n_records,
        nodes_in_lattice: result.nodes_in_lattice,
        nodes_evaluated: result.nodes_evaluated,
        optimal: result.optimal,
        seconds: started.elapsed().as_secs_f64(),
        output: None,
        records_written: None,
        output_columns,
        suppression,
    };
    Ok(Anonymized {
        summary,
        input,
        roles,
        hierarchies,
        levels: best.levels.clone(),
        table,
        failing,
        verdicts,
        disclosure_k,
        hierarchy_files,
    })
}

/// An example of a generalized value: the QI's most frequent value in the output, shown only
/// if at least `k` records have it (a rare value is the kind a report must not show).
fn example_value(t: &reident::ClassTable, q: usize, k: u64) -> String {
    let mut records = vec![0u64; t.qis[q].values.len()];
    for (&code, &n) in t.codes[q].iter().zip(&t.counts) {
        records[code as usize] += n;
    }
    match records
        .iter()
        .enumerate()
        .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
    {
        Some((code, &n)) if n >= k => t.qis[q].values[code].clone(),
        _ => format!("(withheld: no value has {k} records)"),
    }
}

/// The file a QI's hierarchy was read from, if it came from a file.
fn hierarchy_file(args: &Args, qi: &str, dir: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(f) = args
        .hierarchy
        .iter()
        .find_map(|s| s.split_once('=').filter(|(c, _)| *c == qi).map(|(_, f)| f))
    {
        return Some(PathBuf::from(f));
    }
    let built = [&args.interval, &args.mask, &args.date]
        .iter()
        .any(|specs| {
            specs
                .iter()
                .any(|s| s.split_once(':').is_some_and(|(c, _)| c == qi))
        })
        || args.suppress.iter().any(|c| c == qi);
    if built {
        return None;
    }
    dir.map(|d| d.join(format!("hierarchy_{qi}.csv")))
}

fn print_summary(report: &Summary, json: bool) -> Result<()> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?
        );
    } else {
        println!("reident {} — {}", report.tool.version, report.dataset);
        println!(
            "targets: {} (suppression limit {})",
            report.targets.join(", "),
            report.suppression_limit
        );
        println!(
            "{} transformation ({} of {} nodes evaluated, {:.3} s):",
            if report.optimal {
                "optimal"
            } else {
                "best found (heuristic, not proven optimal)"
            },
            report.nodes_evaluated,
            report.nodes_in_lattice,
            report.seconds
        );
        for l in &report.transformation {
            println!(
                "  {:<24} level {} of {}  (e.g. {:?})",
                l.qi,
                l.level,
                l.levels - 1,
                l.example
            );
        }
        println!(
            "{} = {:.15}, {} records suppressed, {} classes (smallest {})",
            report.metric,
            report.best.loss.unwrap_or(f64::NAN),
            report.best.suppressed,
            report.best.classes,
            report.best.smallest
        );
        println!("{} before: {:.15}", report.metric, report.utility_before);
        println!(
            "prosecutor risk before: highest {:.4}, average {:.6}; after: highest {:.4}, average {:.6}",
            report.before.highest_prosecutor_risk, report.before.average_prosecutor_risk, report.after.highest_prosecutor_risk, report.after.average_prosecutor_risk
        );
        if report.top.len() > 1 {
            println!("best {} transformations:", report.top.len());
            for n in &report.top {
                println!(
                    "  {:?}  {} = {:.12}  suppressed {}",
                    n.levels,
                    report.metric,
                    n.loss.unwrap_or(f64::NAN),
                    n.suppressed
                );
            }
        }
        if let (Some(o), Some(w)) = (&report.output, report.records_written) {
            println!("wrote {w} records to {o}");
        }
    }
    Ok(())
}
