//! `reident analyze DATA --qi ...`

use std::path::PathBuf;

use reident::analyze::{AnalyzeReport, ModelOptions};
use reident::error::{Error, Result};
use reident::criteria::verdict::Verdict;
use reident::hierarchy::Hierarchy;
use reident::risk::population::Population;
use reident::progress::Progress;
use reident::output::record_risk::RecordRisk;
use reident::report::{Report, ReportInput};
use reident::risk::attacker::PopulationClassSizes;
use reident::risk::individual::IndividualRisk;
use reident::criteria::targets::{TargetContext, TargetSpec};
use reident::Roles;

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

/// What an analysis computed, before it is printed or reported.
pub struct Computed {
    pub analysis: AnalyzeReport,
    pub table: reident::ClassTable,
    pub roles: Roles,
    pub format: &'static str,
    pub spec: TargetSpec,
    pub verdicts: Vec<Verdict>,
    pub hierarchy_files: Vec<(String, PathBuf)>,
}

/// Reads the data and computes every figure and verdict; writes the per-record file when asked
/// (`side_effects`; `verify` re-runs with it off).
pub fn compute(args: &Args, quiet: bool, side_effects: bool) -> Result<Computed> {
    let mut policy = super::load_policy(
        args.table.policy.as_ref(),
        &args.table.qi,
        &args.sensitive,
        &args.identifying,
    )?
    .with_weight(args.weight.as_ref());
    let (spec, hierarchy_dir) = super::targets_and_hierarchies(
        &policy,
        args.table.policy.as_ref(),
        &args.targets,
        args.hierarchies.as_ref(),
    );
    // The sensitive columns that l-diversity and t-closeness thresholds name are read too.
    for col in spec.sensitive_columns() {
        if !policy.sensitive.contains(&col) {
            policy.sensitive.push(col);
        }
    }
    let (input, roles, options) = super::open_with_roles(&args.table, &policy)?;
    if !args.no_scan && side_effects {
        super::warn_identifiers(&input, &roles, false);
    }
    let pop_spec = args.population.spec();
    let (sensitive_hierarchies, hierarchy_files) =
        sensitive_hierarchies(args, &roles, hierarchy_dir.as_deref())?;
    let models = ModelOptions {
        l: args.l,
        c: args.c,
        t: args.t,
        sensitive_hierarchies,
        snb: args.population.snb_variant(),
    };
    let (total, unit) = input.progress_total();
    let progress = Progress::new(total, unit, quiet);
    let timing = std::env::var_os("REIDENT_TIMING").is_some();
    let started = std::time::Instant::now();
    let record_risk = args.record_risk.as_ref().filter(|_| side_effects);
    let (table, row_classes) = input.build(&roles, record_risk.is_some(), &progress)?;
    let built = started.elapsed();
    let population = Population::resolve(&pop_spec, &table, &options)?;
    if let (Some(path), Some(rows)) = (record_risk, &row_classes) {
        let sizes = PopulationClassSizes::of(&table, &population);
        let journalist: Vec<f64> = sizes.sizes.iter().map(|&f| 1.0 / f).collect();
        let individual = IndividualRisk::per_class(&table);
        let mut per_class: Vec<(&'static str, &[f64])> = vec![("journalist_risk", &journalist)];
        if let Some(ind) = &individual {
            per_class.push(("individual_risk", ind));
        }
        RecordRisk {
            row_classes: rows,
            class_sizes: &table.counts,
            per_class,
        }
        .write(path)?;
    }
    let population_size = population.size;
    let analysis = AnalyzeReport::with_models(&input, &roles, &table, population, &models)?;
    let sensitive_names = roles.names(&roles.sensitive);
    let (criteria, table_criteria) = spec.build(
        &table,
        &TargetContext {
            sensitive: &sensitive_names,
            hierarchy_dir: hierarchy_dir.as_deref(),
            population: Some(population_size),
            snb: args.population.snb_variant(),
        },
    )?;
    let verdicts = reident::criteria::verdict::check(&table, &criteria, &table_criteria);
    if timing {
        eprintln!(
            "timing: class table {:.3} s, population, models and per-record output {:.3} s",
            built.as_secs_f64(),
            (started.elapsed() - built).as_secs_f64()
        );
    }
    Ok(Computed {
        analysis,
        table,
        format: input.format().as_str(),
        roles,
        spec,
        verdicts,
        hierarchy_files,
    })
}

/// The report of an analysis (also `gate`'s).
pub fn report(
    args: &Args,
    c: &Computed,
    kind: &str,
    command_line: Vec<String>,
    started: std::time::SystemTime,
) -> Result<Report> {
    let mut figures = serde_json::Map::new();
    figures.insert(
        "analysis".into(),
        reident::report::figures_section(&c.analysis)?,
    );
    // Which QI combinations single people out (all subsets up to 10 QIs, else up to 3 QIs).
    let n_qi = c.table.qis.len();
    let qi_only = reident::ClassTable {
        sensitive: Vec::new(),
        ..c.table.clone()
    };
    let combos = reident::risk::combos::combos(&qi_only, if n_qi <= 10 { n_qi } else { 3 }, &[], None)?;
    figures.insert(
        "combinations".into(),
        serde_json::to_value(&combos)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?,
    );
    let k = c.spec.disclosure_k();
    if args.report.show_values {
        figures.insert(
            "small_classes".into(),
            reident::report::small_classes(&c.table, k, 1000),
        );
    }
    Report::new(
        ReportInput {
            kind,
            command_line,
            started,
            data: args.table.source(),
            format: c.format,
            records: c.table.n_records,
            columns: super::column_roles(&c.roles),
            policy: args.table.policy.as_deref(),
            hierarchies: c.hierarchy_files.clone(),
            disclosure_k: k,
            show_values: args.report.show_values,
        },
        figures,
        c.verdicts.clone(),
    )
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let c = compute(&args, quiet, true)?;
    if args.report.report.is_some() || args.report.audit_log.is_some() {
        let r = report(&args, &c, "analyze", super::command_line(), started)?;
        if let Some(dir) = super::publish(&r, &args.report, args.table.source(), started, false)? {
            if !args.json {
                eprintln!("report written to {}", dir.display());
            }
        }
    }
    if args.json {
        let text = serde_json::to_string_pretty(&c.analysis)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", c.analysis.render_text());
        for v in &c.verdicts {
            println!("{}", v.line());
        }
    }
    Ok(0)
}

/// Hierarchies for sensitive columns: explicit COLUMN=FILE pairs, then files found in --hierarchies.
fn sensitive_hierarchies(
    args: &Args,
    roles: &Roles,
    dir: Option<&std::path::Path>,
) -> Result<(Vec<(String, Hierarchy)>, Vec<(String, PathBuf)>)> {
    let sensitive = roles.names(&roles.sensitive);
    let mut out = Vec::new();
    let mut files = Vec::new();
    for pair in &args.sensitive_hierarchy {
        let (col, file) = pair.split_once('=').ok_or_else(|| {
            Error::Invalid(format!(
                "--sensitive-hierarchy {pair:?}: expected COLUMN=FILE"
            ))
        })?;
        if !sensitive.iter().any(|s| s == col) {
            return Err(Error::Invalid(format!(
                "--sensitive-hierarchy: {col:?} is not a sensitive column"
            )));
        }
        out.push((
            col.to_string(),
            Hierarchy::load(std::path::Path::new(file))?,
        ));
        files.push((col.to_string(), PathBuf::from(file)));
    }
    if let Some(dir) = dir {
        for col in &sensitive {
            let path = dir.join(format!("hierarchy_{col}.csv"));
            if path.exists() && !out.iter().any(|(c, _)| c == col) {
                out.push((col.clone(), Hierarchy::load(&path)?));
                files.push((col.clone(), path));
            }
        }
    }
    Ok((out, files))
}
