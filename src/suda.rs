//! `suda`: minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores per record.
//!
//! [`run`] builds the class table over the QIs, finds every minimal sample unique up to the
//! largest size asked for ([`crate::risk::suda`]), scores the records, and lists the riskiest by
//! row number (never by value). With a per-record path it writes every record's scores.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::Format;
use crate::options::{Settings, TableSource};
use crate::output::record_risk::RecordRisk;
use crate::policy::Roles;
use crate::risk::suda::{
    suda2_visit, Dis, ScoreTally, SudaScores, SudaSummary, DIS_THRESHOLDS, MAX_ATTRS,
    SCORE_QUANTILES,
};
use crate::tool::ToolInfo;
use crate::ClassTable;

/// What to search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub table: TableSource,
    /// The roles (only the QIs are read).
    pub settings: Settings,
    /// Largest MSU size searched (default: the number of QIs).
    pub max_size: Option<usize>,
    /// How the DIS-SUDA scores are computed: sdcMicro's method from a sampling fraction (the
    /// default, fraction 0.01 as sdcMicro's), or a file-level probability spread linearly. (A
    /// bare number, as reports before reident 0.1 recorded it, is the linear spreading.)
    pub dis: Dis,
    /// Riskiest records listed (row numbers only, never values).
    pub top: usize,
    /// Write one row per record with its SUDA figures to this Parquet file.
    pub record_risk: Option<PathBuf>,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// The work budget (default [`crate::options::DEFAULT_MAX_WORK`]): a run estimated past
    /// it is refused before it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_work: Option<f64>,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl Options {
    pub fn new(table: TableSource, settings: Settings) -> Options {
        Options {
            table,
            settings,
            max_size: None,
            dis: Dis::default(),
            top: 10,
            record_risk: None,
            progress: false,
            max_work: None,
            force: false,
        }
    }
}

/// An attribute's share of the total SUDA score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub attribute: String,
    pub percent: f64,
}

/// One of the riskiest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskyRecord {
    /// None when the input is a class table (it has no row numbers).
    pub row: Option<u64>,
    pub suda_score: f64,
    pub dis_suda_score: f64,
    pub msus_by_size: Vec<u32>,
}

/// The figures with their envelope: the `--json` document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: String,
    #[serde(flatten)]
    pub figures: Figures,
}

impl std::ops::Deref for Summary {
    type Target = Figures;
    fn deref(&self) -> &Figures {
        &self.figures
    }
}

/// The figures of a SUDA run: a report's `suda` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub attributes: Vec<String>,
    pub max_size: usize,
    /// The DIS-SUDA method and its parameter.
    pub dis: Dis,
    pub summary: SudaSummary,
    pub score_quantiles_at: Vec<f64>,
    pub dis_thresholds: Vec<f64>,
    pub attribute_contributions: Vec<Contribution>,
    pub riskiest_records: Vec<RiskyRecord>,
}

/// What a SUDA run computed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub options: Options,
    pub summary: Summary,
    pub roles: Roles,
    pub format: Format,
    pub records: u64,
    pub started: SystemTime,
}

impl Outcome {
    /// The `--json` document.
    pub fn json(&self) -> Result<String> {
        let v = serde_json::to_value(&self.summary)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        serde_json::to_string_pretty(&v)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))
    }
}

/// SUDA2 and the scores; writes the per-record file when asked.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    if let Some(p) = &options.record_risk {
        crate::output::check_output(
            p,
            options.force,
            options.table.data.iter().chain(&options.table.classes),
        )?;
    }
    if options.settings.entity.is_some() {
        return Err(Error::Invalid(
            "suda with --entity: SUDA's minimal sample uniques are defined over records, not over people's collections of records; run suda without --entity (or analyze and combos with it)".into(),
        ));
    }
    if options.settings.missing == crate::policy::Missing::Wildcard {
        return Err(Error::Invalid(
            "suda counts a missing value as one value (as sdcMicro's suda2 does with its missing code); --missing wildcard (or the policy's \"missing\") is for analyze, gate and anonymize: leave it out here".into(),
        ));
    }
    let (source, mut roles) = options.table.open(&options.settings.roles())?;
    roles.sensitive.clear();
    roles.weight = None;
    if roles.qi.len() > MAX_ATTRS {
        return Err(Error::Invalid(format!(
            "{} quasi-identifiers: SUDA2 handles at most {}",
            roles.qi.len(),
            MAX_ATTRS
        )));
    }
    match options.dis {
        Dis::Sdcmicro { fraction } if !(fraction > 0.0 && fraction <= 1.0) => {
            return Err(Error::Invalid(format!(
                "--dis-fraction {fraction}: a sampling fraction must be above 0 and at most 1"
            )));
        }
        Dis::Linear { probability } if !(0.0..=1.0).contains(&probability) => {
            return Err(Error::Invalid(format!(
                "--dis-linear {probability}: a probability must be in [0, 1]"
            )));
        }
        _ => {}
    }
    // A class table has no row numbers: the riskiest classes are listed without them, and a
    // per-record output is refused by the build.
    let want_rows = !source.is_class_table() || options.record_risk.is_some();
    let (table, rows) = source.build(&roles, want_rows, &source.progress(!options.progress))?;
    let rows = rows.unwrap_or_default();
    let m = roles.qi.len();
    let max_size = options.max_size.unwrap_or(m).clamp(1, m);
    let cards: Vec<u32> = table.qis.iter().map(|d| d.values.len() as u32).collect();
    // SUDA2 searches the subsets of the QIs up to max_size, each over the unique classes at
    // most: the bound it cannot pass (its pruning usually does far better).
    let classes = table.counts.len() as f64;
    crate::options::check_work(
        crate::options::subsets(m, max_size) * (classes + 1000.0),
        options.max_work,
        &format!(
            "{:.3e} subsets of {m} quasi-identifiers up to size {max_size} x ({classes} classes + 1000)",
            crate::options::subsets(m, max_size)
        ),
        "lower --max-size",
    )?;
    // The MSUs are counted as they are found, never held.
    let mut tally = ScoreTally::new(table.n_classes(), m, max_size);
    suda2_visit(&table.codes, &cards, &table.counts, max_size, &mut |msu| {
        tally.add(msu)
    });
    if !tally.consistent(&table.counts) {
        return Err(Error::Invalid(
            "SUDA2 found a minimal sample unique in a class whose count is not 1: the class table's counts are inconsistent".into(),
        ));
    }
    let sc = tally.finish(&table.counts, options.dis);
    if let Some(path) = &options.record_risk {
        write_record_risk(path, &rows, &table, &sc, max_size)?;
    }
    let names = roles.names(&roles.qi);
    let figures = Figures {
        attributes: names.clone(),
        max_size,
        dis: options.dis,
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
        riskiest_records: riskiest(&table, &rows, &sc, options.top),
    };
    Ok(Outcome {
        options: options.clone(),
        summary: Summary {
            schema_version: 1,
            tool: ToolInfo::current(),
            dataset: source.path().display().to_string(),
            figures,
        },
        format: source.format(),
        records: table.n_records,
        roles,
        started,
    })
}

/// The riskiest records: classes of one record, by score, with their row numbers.
fn riskiest(table: &ClassTable, rows: &[u32], sc: &SudaScores, top: usize) -> Vec<RiskyRecord> {
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
    risky
        .iter()
        .take(top)
        .map(|&c| RiskyRecord {
            row: (row_of_class[c] != u64::MAX).then_some(row_of_class[c]),
            suda_score: sc.score[c],
            dis_suda_score: sc.dis_score[c],
            msus_by_size: sc.msus_of(c).to_vec(),
        })
        .collect()
}

/// One row per record: its class size, SUDA and DIS-SUDA scores and MSUs by size.
fn write_record_risk(
    path: &std::path::Path,
    rows: &[u32],
    table: &ClassTable,
    sc: &SudaScores,
    max_size: usize,
) -> Result<()> {
    let per_size: Vec<Vec<f64>> = (0..max_size)
        .map(|s| {
            (0..table.n_classes())
                .map(|c| sc.msus_of(c)[s] as f64)
                .collect()
        })
        .collect();
    let names_by_size: Vec<String> = (1..=max_size).map(|s| format!("msus_size_{s}")).collect();
    let mut per_class: Vec<(&str, &[f64])> =
        vec![("suda_score", &sc.score), ("dis_suda_score", &sc.dis_score)];
    for (name, v) in names_by_size.iter().zip(&per_size) {
        per_class.push((name, v));
    }
    RecordRisk {
        row_classes: rows,
        class_sizes: &table.counts,
        per_class,
    }
    .write(path)
}
