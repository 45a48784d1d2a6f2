//! Statistical disclosure control by changing cells, the other half of sdcMicro's and
//! mu-Argus's toolkit beside global recoding ([`crate::search`]):
//!
//! * [`local`]: local suppression, the fewest QI cells (weighted by importance) blanked so that
//!   every record is matched by at least k records when a blank matches every value;
//! * [`mdav`]: microaggregation of numeric columns by multivariate MDAV, each value replaced by
//!   the mean (or median) of a group of k to 2k - 1 similar records.
//!
//! Local suppression works on the class table (a class's records share their tuple, so they
//! share their blanks); MDAV needs each record's numbers, read through [`crate::input`].

pub mod local;
pub mod mdav;

use serde::{Deserialize, Serialize};

/// What a blanked cell becomes in the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Blank {
    /// `*`, as reident writes suppressed values.
    #[default]
    Star,
    /// A missing value (`NULL`, an empty CSV field), as sdcMicro writes `NA`.
    Null,
}

/// Local suppression as asked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocalOptions {
    /// Each QI's importance rank (1 = most important, suppressed last), as sdcMicro's
    /// `importance`; empty: sdcMicro's default (more distinct values, less important).
    #[serde(default)]
    pub importance: Vec<(String, u32)>,
    #[serde(default)]
    pub blank: Blank,
}

/// What a local suppression did: a report's `anonymization.local_suppression`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalFigures {
    /// The k every record's matched size reaches (missing values and blanks are wildcards).
    pub k: u64,
    /// Per QI: its importance rank, the weight of one of its cells, and the cells blanked.
    pub qis: Vec<LocalQi>,
    /// Cells blanked in all, and the records with at least one.
    pub cells: u64,
    pub records: u64,
    /// Cells times their weights: what the search minimizes.
    pub cost: u64,
    /// Proven optimal (small tables, exact search), or the greedy's result.
    pub optimal: bool,
    /// The smallest matched size afterwards.
    pub smallest_matched: u64,
    /// `*` or `null`.
    pub blank: Blank,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalQi {
    pub qi: String,
    pub importance: u32,
    pub weight: u64,
    pub cells: u64,
}

/// Microaggregation as asked: `--microaggregate COL,COL,...:k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroOptions {
    pub columns: Vec<String>,
    pub k: usize,
    #[serde(default)]
    pub measure: mdav::Measure,
}

impl MicroOptions {
    /// The columns and k of `--microaggregate COL,COL,...:k` (the CLI's flag and the Python
    /// package's `microaggregate=`), with the measure.
    pub fn parse(spec: &str, measure: mdav::Measure) -> crate::Result<MicroOptions> {
        let bad = || {
            crate::Error::Invalid(format!(
                "--microaggregate {spec:?}: expected COL,COL,...:k (e.g. income,age:5)"
            ))
        };
        let (cols, k) = spec.rsplit_once(':').ok_or_else(bad)?;
        Ok(MicroOptions {
            columns: cols.split(',').map(|c| c.trim().to_string()).collect(),
            k: k.trim().parse().map_err(|_| bad())?,
            measure,
        })
    }
}

/// What a microaggregation did: a report's `anonymization.microaggregation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroFigures {
    pub columns: Vec<String>,
    pub k: usize,
    pub measure: mdav::Measure,
    /// The method in plain words.
    pub method: String,
    pub records: u64,
    pub groups: u64,
    pub smallest_group: u64,
    pub largest_group: u64,
    /// Within-group sum of squares over the total sum of squares, of the standardized columns.
    pub sse_sst: f64,
    /// The within-group sum of squares on the original scale (the groups' means).
    pub sse: f64,
    /// IL1 (Yancey, Winkler & Creecy 2002): the mean over records and columns of
    /// |x - x'| / (sqrt(2) s), `s` the column's standard deviation.
    pub il1: f64,
    /// Distinct output tuples of the aggregated columns.
    pub distinct: u64,
}

#[cfg(test)]
mod tests;
