//! `reident analyze DATA --qi ...`

use std::path::PathBuf;

use reident::analyze::{build_classes, AnalyzeReport, ModelOptions};
use reident::error::{Error, Result};
use reident::hierarchy::Hierarchy;
use reident::population::Population;
use reident::progress::Progress;
use reident::record_risk::RecordRisk;
use reident::risk::attacker::PopulationClassSizes;
use reident::risk::individual::IndividualRisk;
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
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let policy = super::load_policy(
        args.table.policy.as_ref(),
        &args.table.qi,
        &args.sensitive,
        &args.identifying,
    )?
    .with_weight(args.weight.as_ref());
    let (input, roles, options) = super::open_with_roles(&args.table, &policy)?;
    let spec = args.population.spec();
    let models = ModelOptions {
        l: args.l,
        c: args.c,
        t: args.t,
        sensitive_hierarchies: sensitive_hierarchies(&args, &roles)?,
        snb: args.population.snb_variant(),
    };
    let (total, unit) = input.progress_total();
    let progress = Progress::new(total, unit, quiet);
    let timing = std::env::var_os("REIDENT_TIMING").is_some();
    let started = std::time::Instant::now();
    let (table, row_classes) =
        build_classes(&input, &roles, args.record_risk.is_some(), &progress)?;
    let built = started.elapsed();
    let population = Population::resolve(&spec, &table, &options)?;
    if let (Some(path), Some(rows)) = (&args.record_risk, &row_classes) {
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
    let report = AnalyzeReport::with_models(&input, &roles, &table, population, &models)?;
    if timing {
        eprintln!(
            "timing: class table {:.3} s, population, models and per-record output {:.3} s",
            built.as_secs_f64(),
            (started.elapsed() - built).as_secs_f64()
        );
    }
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", report.render_text());
    }
    Ok(0)
}

/// Hierarchies for sensitive columns: explicit COLUMN=FILE pairs, then files found in --hierarchies.
fn sensitive_hierarchies(args: &Args, roles: &Roles) -> Result<Vec<(String, Hierarchy)>> {
    let sensitive = roles.names(&roles.sensitive);
    let mut out = Vec::new();
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
    }
    if let Some(dir) = &args.hierarchies {
        for col in &sensitive {
            let path = dir.join(format!("hierarchy_{col}.csv"));
            if path.exists() && !out.iter().any(|(c, _)| c == col) {
                out.push((col.clone(), Hierarchy::load(&path)?));
            }
        }
    }
    Ok(out)
}
