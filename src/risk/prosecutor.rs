//! Prosecutor risk: the attacker knows the target is in the data and matches on the QIs.
//!
//! A record in a class of size `f` is re-identified with probability `1/f`. The highest risk is
//! `1/k`; the average over records is `classes / n` (each class contributes `f * 1/f = 1`).
//! Definitions as in El Emam's and ARX's risk models.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;

/// Record-risk thresholds commonly used as release criteria (0.5 down to 0.05: public-release and
/// data-sharing guidance cited by El Emam, and ARX's risk wizard).
pub(crate) const THRESHOLDS: [f64; 7] = [0.5, 0.33, 0.2, 0.1, 0.09, 0.075, 0.05];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordsAbove {
    pub threshold: f64,
    /// Records whose risk is strictly greater than the threshold.
    pub records: u64,
    pub share: f64,
}

/// Records whose class risk is strictly above each of [`THRESHOLDS`], from per-class risks.
///
/// One parallel pass over the classes, each class's risk computed once (a table can have
/// millions of classes; integer sums, so the result does not depend on the split).
pub(crate) fn records_above(
    counts: &[u64],
    risk: impl Fn(usize) -> f64 + Sync,
    n: u64,
) -> Vec<RecordsAbove> {
    use rayon::prelude::*;
    let sums = (0..counts.len())
        .into_par_iter()
        .with_min_len(1 << 14)
        .fold(
            || [0u64; THRESHOLDS.len()],
            |mut acc, c| {
                let r = risk(c);
                for (a, &t) in acc.iter_mut().zip(&THRESHOLDS) {
                    if r > t {
                        *a += counts[c];
                    }
                }
                acc
            },
        )
        .reduce(
            || [0u64; THRESHOLDS.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    THRESHOLDS
        .iter()
        .zip(sums)
        .map(|(&t, records)| RecordsAbove {
            threshold: t,
            records,
            share: records as f64 / n as f64,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProsecutorRisk {
    pub highest: f64,
    pub average: f64,
    pub records_above: Vec<RecordsAbove>,
}

impl ProsecutorRisk {
    pub(crate) fn of(table: &ClassTable) -> ProsecutorRisk {
        let n = table.n_records as f64;
        let k = table.counts.iter().copied().min().unwrap_or(0);
        let records_above = records_above(
            &table.counts,
            |c| 1.0 / table.counts[c] as f64,
            table.n_records,
        );
        ProsecutorRisk {
            highest: if k == 0 { 0.0 } else { 1.0 / k as f64 },
            average: table.n_classes() as f64 / n,
            records_above,
        }
    }
}
