//! `reident combos DATA --qi ...`: which QI combinations single people out.

use std::fmt::Write as _;

use reident::risk::combos::{combos, default_max_size, parse_thresholds, Combos};
use reident::error::{Error, Result};
use reident::progress::Progress;
use reident::classes::Source;
use reident::InputOptions;

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
    #[command(flatten)]
    pub report: super::ReportArgs,
}

/// The combination figures (the `--json` document), and where they came from.
pub fn compute(args: &Args, quiet: bool) -> Result<(serde_json::Value, super::Source, String)> {
    let policy = super::load_policy(args.table.policy.as_ref(), &args.table.qi, &[], &[])?;
    let (input, mut roles, _) = super::open_with_roles(&args.table, &policy)?;
    roles.sensitive.clear();
    roles.weight = None;
    let thresholds = match &args.threshold {
        Some(t) => parse_thresholds(t)?,
        None => Vec::new(),
    };
    let (total, unit) = input.progress_total();
    let table = input.class_table(&roles, &Progress::new(total, unit, quiet))?;
    let max_size = args
        .max_size
        .unwrap_or_else(|| default_max_size(roles.qi.len()));
    let population = match args.population.spec() {
        reident::risk::population::PopulationSpec::Sample => None,
        spec => {
            let p = reident::risk::population::Population::resolve(
                &spec,
                &table,
                &InputOptions {
                    delimiter: args.table.delimiter,
                },
            )?;
            Some((p.size, args.population.snb_variant()))
        }
    };
    let result = combos(&table, max_size, &thresholds, population)?;
    let doc = serde_json::json!({
        "schema_version": 1,
        "tool": reident::tool::ToolInfo::current(),
        "dataset": { "path": input.path().display().to_string(), "format": input.format(), "records": table.n_records },
        "combos": result,
    });
    let text = render(&input, &result, args.top);
    Ok((
        doc,
        super::Source::of(&input, &roles, table.n_records),
        text,
    ))
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let (doc, source, text) = compute(&args, quiet)?;
    if args.report.report.is_some() || args.report.audit_log.is_some() {
        let r = super::section_report(
            "combos",
            "combinations",
            doc["combos"].clone(),
            &args.table,
            &source,
            super::command_line(),
            started,
        )?;
        super::publish(&r, &args.report, args.table.source(), started, false)?;
    }
    if args.json {
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        println!("{text}");
    } else {
        print!("{text}");
    }
    Ok(0)
}

fn render(input: &Source, c: &Combos, top: usize) -> String {
    let mut s = String::new();
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let _ = writeln!(
        s,
        "reident {} — {}",
        env!("CARGO_PKG_VERSION"),
        input.path().display()
    );
    let _ = writeln!(
        s,
        "all {} quasi-identifiers: {} classes, k = {}, {} sample uniques ({})",
        c.all.size,
        c.all.classes,
        c.all.k,
        c.all.sample_uniques,
        pct(c.all.uniqueness)
    );
    let _ = writeln!(s, "{} subsets of up to {} QIs", c.subsets.len(), c.max_size);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "marginal contribution: sample uniqueness without each QI"
    );
    let mut marginal = c.marginal.clone();
    marginal.sort_by(|a, b| b.drop.total_cmp(&a.drop));
    for m in &marginal {
        let _ = writeln!(
            s,
            "  {:<24} {:>8}  (drop {})",
            m.qi,
            pct(m.uniqueness_without),
            pct(m.drop)
        );
    }
    let mut ranked: Vec<_> = c.subsets.iter().collect();
    ranked.sort_by(|a, b| {
        b.uniqueness
            .total_cmp(&a.uniqueness)
            .then(a.size.cmp(&b.size))
    });
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "top {} subsets by sample uniqueness",
        top.min(ranked.len())
    );
    let _ = writeln!(
        s,
        "size   uniques   unique %  pop. uniq.  k      classes  distinct.  separation  QIs"
    );
    for f in ranked.iter().take(top) {
        let _ = writeln!(
            s,
            "{:<4} {:>9} {:>10} {:>11} {:<6} {:>8} {:>10.4} {:>11.6}  {}",
            f.size,
            f.sample_uniques,
            pct(f.uniqueness),
            f.population_uniqueness.map_or("-".to_string(), pct),
            f.k,
            f.classes,
            f.distinction,
            f.separation,
            f.qis.join(", ")
        );
    }
    let flagged: Vec<_> = c.subsets.iter().filter(|f| f.flagged.is_some()).collect();
    if !c.thresholds.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} subsets at or below their size's threshold",
            flagged.len()
        );
        for f in flagged.iter().take(top) {
            let fl = f.flagged.as_ref().unwrap();
            let _ = writeln!(
                s,
                "  size {} k = {} <= {}: {} records in small classes — {}",
                f.size,
                f.k,
                fl.threshold,
                fl.records,
                f.qis.join(", ")
            );
        }
    }
    s
}
