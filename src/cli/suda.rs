//! `reident suda DATA --qi ...`: minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use reident::tool::ToolInfo;
use reident::error::{Error, Result};
use reident::progress::Progress;
use reident::output::record_risk::RecordRisk;
use reident::risk::suda::{
    scores, suda2, SudaSummary, DEFAULT_DIS, DIS_THRESHOLDS, SCORE_QUANTILES,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Largest MSU size searched (default: the number of QIs).
    #[arg(long, value_name = "M")]
    pub max_size: Option<usize>,
    /// File-level DIS probability that DIS-SUDA spreads over the records.
    #[arg(long, default_value_t = DEFAULT_DIS)]
    pub dis: f64,
    /// Riskiest records listed (row numbers only, never values).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Write one row per record with its SUDA figures to this Parquet file.
    #[arg(long, value_name = "FILE")]
    pub record_risk: Option<PathBuf>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
}

#[derive(Serialize)]
struct Contribution {
    attribute: String,
    percent: f64,
}

#[derive(Serialize)]
struct RiskyRecord {
    /// None when the input is a class table (it has no row numbers).
    row: Option<u64>,
    suda_score: f64,
    dis_suda_score: f64,
    msus_by_size: Vec<u32>,
}

#[derive(Serialize)]
struct SudaReport {
    schema_version: u32,
    tool: ToolInfo,
    dataset: String,
    attributes: Vec<String>,
    max_size: usize,
    dis: f64,
    summary: SudaSummary,
    score_quantiles_at: Vec<f64>,
    dis_thresholds: Vec<f64>,
    attribute_contributions: Vec<Contribution>,
    riskiest_records: Vec<RiskyRecord>,
}

/// SUDA2 and the scores; writes the per-record file when asked (`side_effects`).
pub fn compute(
    args: &Args,
    quiet: bool,
    side_effects: bool,
) -> Result<(serde_json::Value, super::Source, String)> {
    let policy = super::load_policy(args.table.policy.as_ref(), &args.table.qi, &[], &[])?;
    let (input, mut roles, _) = super::open_with_roles(&args.table, &policy)?;
    roles.sensitive.clear();
    roles.weight = None;
    if roles.qi.len() > reident::risk::suda::MAX_ATTRS {
        return Err(Error::Invalid(format!(
            "{} quasi-identifiers: SUDA2 handles at most {}",
            roles.qi.len(),
            reident::risk::suda::MAX_ATTRS
        )));
    }
    if !(0.0..=1.0).contains(&args.dis) {
        return Err(Error::Invalid(format!(
            "--dis {}: must be in [0, 1]",
            args.dis
        )));
    }
    let (total, unit) = input.progress_total();
    // A class table has no row numbers: the riskiest classes are listed without them, and
    // --record-risk is refused by build_classes.
    let want_rows = !input.is_class_table() || args.record_risk.is_some();
    let (table, rows) = input.build(
        &roles,
        want_rows,
        &Progress::new(total, unit, quiet),
    )?;
    let rows = rows.unwrap_or_default();
    let m = roles.qi.len();
    let max_size = args.max_size.unwrap_or(m).clamp(1, m);
    let cards: Vec<u32> = table.qis.iter().map(|d| d.values.len() as u32).collect();
    let msus = suda2(&table.codes, &cards, &table.counts, max_size);
    let sc = scores(&msus, &table.counts, m, max_size, args.dis);
    let names = roles.names(&roles.qi);

    // The riskiest records: classes of one record, by score; their row numbers.
    let mut row_of_class = vec![u64::MAX; table.n_classes()];
    for (r, &c) in rows.iter().enumerate() {
        if table.counts[c as usize] == 1 {
            row_of_class[c as usize] = r as u64;
        }
    }
    let mut risky: Vec<usize> = (0..table.n_classes())
        .filter(|&c| sc.score[c] > 0.0)
        .collect();
    risky.sort_by(|&a, &b| {
        sc.score[b]
            .total_cmp(&sc.score[a])
            .then(row_of_class[a].cmp(&row_of_class[b]))
    });
    let riskiest = risky
        .iter()
        .take(args.top)
        .map(|&c| RiskyRecord {
            row: (row_of_class[c] != u64::MAX).then_some(row_of_class[c]),
            suda_score: sc.score[c],
            dis_suda_score: sc.dis_score[c],
            msus_by_size: sc.msus_of(c).to_vec(),
        })
        .collect();

    if let Some(path) = args.record_risk.as_ref().filter(|_| side_effects) {
        let per_size: Vec<Vec<f64>> = (0..max_size)
            .map(|s| {
                (0..table.n_classes())
                    .map(|c| sc.msus_of(c)[s] as f64)
                    .collect()
            })
            .collect();
        let names_by_size: Vec<&'static str> = (1..=max_size)
            .map(|s| &*Box::leak(format!("msus_size_{s}").into_boxed_str()))
            .collect();
        let mut per_class: Vec<(&'static str, &[f64])> =
            vec![("suda_score", &sc.score), ("dis_suda_score", &sc.dis_score)];
        for (name, v) in names_by_size.iter().zip(&per_size) {
            per_class.push((name, v));
        }
        RecordRisk {
            row_classes: &rows,
            class_sizes: &table.counts,
            per_class,
        }
        .write(path)?;
    }

    let report = SudaReport {
        schema_version: 1,
        tool: ToolInfo::current(),
        dataset: input.path().display().to_string(),
        attributes: names.clone(),
        max_size,
        dis: args.dis,
        summary: sc.summary.clone(),
        score_quantiles_at: SCORE_QUANTILES.to_vec(),
        dis_thresholds: DIS_THRESHOLDS.to_vec(),
        attribute_contributions: names
            .iter()
            .zip(&sc.attribute_contribution)
            .map(|(a, &p)| Contribution {
                attribute: a.clone(),
                percent: p,
            })
            .collect(),
        riskiest_records: riskiest,
    };
    let text = render(&report);
    let doc = serde_json::to_value(&report)
        .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
    Ok((
        doc,
        super::Source::of(&input, &roles, table.n_records),
        text,
    ))
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let (doc, source, text) = compute(&args, quiet, true)?;
    if args.report.report.is_some() || args.report.audit_log.is_some() {
        let r = super::section_report(
            "suda",
            "suda",
            doc.clone(),
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

fn render(r: &SudaReport) -> String {
    let mut s = String::new();
    let su = &r.summary;
    let _ = writeln!(s, "reident {} — {}", r.tool.version, r.dataset);
    let _ = writeln!(
        s,
        "SUDA2 over {} attributes, MSUs up to size {}",
        r.attributes.len(),
        r.max_size
    );
    let _ = writeln!(
        s,
        "records with at least one MSU  {} of {}",
        su.records_with_msu, su.records
    );
    let sizes: Vec<String> = su
        .msus_by_size
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}:{n}", i + 1))
        .collect();
    let _ = writeln!(
        s,
        "MSUs                           {} (by size {})",
        su.msus,
        sizes.join(" ")
    );
    let _ = writeln!(s, "total SUDA score               {}", su.total_score);
    let q: Vec<String> = r
        .score_quantiles_at
        .iter()
        .zip(&su.score_quantiles)
        .map(|(p, v)| format!("{}%: {v}", p * 100.0))
        .collect();
    let _ = writeln!(s, "score quantiles (records with an MSU)  {}", q.join(", "));
    let d: Vec<String> = r
        .dis_thresholds
        .iter()
        .zip(&su.dis_above)
        .map(|(t, n)| format!("> {t}: {n}"))
        .collect();
    let _ = writeln!(s, "records by DIS-SUDA score      {}", d.join(", "));
    let _ = writeln!(s);
    let _ = writeln!(s, "contribution to the total SUDA score");
    for c in &r.attribute_contributions {
        let _ = writeln!(s, "  {:<24} {:>7.2}%", c.attribute, c.percent);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "riskiest records (row numbers, 0-based)");
    if r.riskiest_records.iter().any(|rec| rec.row.is_none()) {
        let _ = writeln!(s, "  (row numbers are unavailable from a class table)");
    }
    for rec in &r.riskiest_records {
        let row = rec.row.map_or("-".to_string(), |r| r.to_string());
        let _ = writeln!(
            s,
            "  row {:<10} SUDA {:<12} DIS-SUDA {:.6}  MSUs by size {:?}",
            row, rec.suda_score, rec.dis_suda_score, rec.msus_by_size
        );
    }
    s
}
