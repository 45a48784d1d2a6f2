//! The SUDA and DIS-SUDA scores of the MSUs, and the file-level summary.

use serde::{Deserialize, Serialize};

use super::Msu;

/// The default file-level DIS probability for [`scores`] (sdcMicro's `DisFraction` defaults to 0.01).
pub const DEFAULT_DIS: f64 = 0.1;

/// Thresholds of the DIS-SUDA score distribution in [`SudaSummary::dis_above`] (those of
/// sdcMicro's summary of `suda2` results).
pub const DIS_THRESHOLDS: [f64; 8] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

/// Quantiles of the SUDA score in [`SudaSummary::score_quantiles`].
pub const SCORE_QUANTILES: [f64; 7] = [0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0];

/// Per-class scores from the MSUs (see [`scores`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SudaScores {
    pub n_attrs: usize,
    pub max_size: usize,
    /// The file-level DIS probability the DIS-SUDA scores spread.
    pub dis: f64,
    /// `msu_counts[class * max_size + size - 1]`: the number of MSUs of each size of each class
    /// (see `SudaScores::msus_of`).
    pub msu_counts: Vec<u32>,
    /// SUDA score of each class: `sum over its MSUs of (n_attrs - size)!`.
    pub score: Vec<f64>,
    /// DIS-SUDA score of each class: `min(1, dis * U * score / total_score)`, `U` the number of
    /// records with at least one MSU and `total_score` the sum of all records' SUDA scores (0 when
    /// no record has an MSU): the file-level probability `dis`, on average over those records,
    /// spread in proportion to their scores and capped at 1, since it is a probability.
    pub dis_score: Vec<f64>,
    /// Each attribute's contribution to the total SUDA score, in percent: the summed scores of
    /// the MSUs that contain it over the total (sdcMicro's convention: the contributions add up to
    /// more than 100 when MSUs have several attributes). All 0 without MSUs.
    pub attribute_contribution: Vec<f64>,
    pub summary: SudaSummary,
}

impl SudaScores {
    /// The number of MSUs of sizes `1..=max_size` of `class`.
    pub(crate) fn msus_of(&self, class: usize) -> &[u32] {
        &self.msu_counts[class * self.max_size..][..self.max_size]
    }
}

/// File-level figures of a SUDA analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SudaSummary {
    pub records: u64,
    /// Records with at least one MSU (`U`): all in classes of count 1.
    pub records_with_msu: u64,
    /// The total number of MSUs, and of each size `1..=max_size`.
    pub msus: u64,
    pub msus_by_size: Vec<u64>,
    /// The sum of the records' SUDA scores, and the highest.
    pub total_score: f64,
    pub max_score: f64,
    /// The SUDA scores of the records with at least one MSU at the quantiles
    /// [`SCORE_QUANTILES`] (nearest rank); empty without such records.
    pub score_quantiles: Vec<f64>,
    /// The number of records whose DIS-SUDA score is above each of [`DIS_THRESHOLDS`].
    pub dis_above: Vec<u64>,
}

/// `n!` as a float (exact up to 22!, then rounded).
fn factorial(n: usize) -> f64 {
    (2..=n).map(|k| k as f64).product()
}

/// Scores from the MSUs of a class table of `counts.len()` classes over `n_attrs` attributes,
/// searched up to `max_size`, with the file-level DIS probability `dis` (e.g. [`DEFAULT_DIS`]).
///
/// The score of an MSU of size `s` is `(n_attrs - s)!` also when `max_size < n_attrs` (the sizes
/// are not rescaled). Each class that holds MSUs has count 1, so class and record scores agree.
pub fn scores(
    msus: &[Msu],
    counts: &[u64],
    n_attrs: usize,
    max_size: usize,
    dis: f64,
) -> crate::Result<SudaScores> {
    let n_classes = counts.len();
    let max_size = max_size.min(n_attrs);
    let weight: Vec<f64> = (0..=n_attrs).map(|s| factorial(n_attrs - s)).collect();
    let mut msu_counts = vec![0u32; n_classes * max_size];
    let mut score = vec![0.0f64; n_classes];
    let mut by_attr = vec![0.0f64; n_attrs];
    let mut msus_by_size = vec![0u64; max_size];
    for m in msus {
        let (c, s) = (m.class as usize, m.size());
        // SUDA2 finds MSUs in unique classes only; anything else comes from counts that are
        // not what they say (a crafted class table): an error, not a panic.
        if !(1..=max_size).contains(&s) || counts.get(c) != Some(&1) {
            return Err(crate::Error::Invalid(format!(
                "SUDA2 found a minimal sample unique of size {s} in class {c}, whose count is not 1: the class table's counts are inconsistent"
            )));
        }
        msu_counts[c * max_size + s - 1] += 1;
        msus_by_size[s - 1] += 1;
        score[c] += weight[s];
        for a in m.attributes() {
            by_attr[a] += weight[s];
        }
    }
    let total_score: f64 = score.iter().sum();
    let with_msu: Vec<usize> = (0..n_classes).filter(|&c| score[c] > 0.0).collect();
    let u = with_msu.len() as f64;
    let dis_score: Vec<f64> = if total_score > 0.0 {
        // Spread in proportion to the scores; a share above 1 is not a probability: capped.
        score
            .iter()
            .map(|s| (dis * u * s / total_score).min(1.0))
            .collect()
    } else {
        vec![0.0; n_classes]
    };
    let attribute_contribution = by_attr
        .iter()
        .map(|&s| {
            if total_score > 0.0 {
                100.0 * s / total_score
            } else {
                0.0
            }
        })
        .collect();
    let mut sorted: Vec<f64> = with_msu.iter().map(|&c| score[c]).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let score_quantiles = if sorted.is_empty() {
        Vec::new()
    } else {
        SCORE_QUANTILES
            .iter()
            .map(|q| {
                let rank = (q * sorted.len() as f64).ceil() as usize;
                sorted[rank.clamp(1, sorted.len()) - 1]
            })
            .collect()
    };
    let dis_above = DIS_THRESHOLDS
        .iter()
        .map(|&t| {
            (0..n_classes)
                .filter(|&c| dis_score[c] > t)
                .map(|c| counts[c])
                .sum()
        })
        .collect();
    let summary = SudaSummary {
        records: counts.iter().sum(),
        records_with_msu: with_msu.len() as u64,
        msus: msus.len() as u64,
        msus_by_size,
        total_score,
        max_score: sorted.last().copied().unwrap_or(0.0),
        score_quantiles,
        dis_above,
    };
    Ok(SudaScores {
        n_attrs,
        max_size,
        dis,
        msu_counts,
        score,
        dis_score,
        attribute_contribution,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::suda::test_support::msu;

    #[test]
    fn an_msu_of_a_class_that_is_not_unique_is_an_error() {
        let err = scores(&[msu(2, &[0])], &[1, 1, 2], 3, 3, 0.5).unwrap_err();
        assert!(err.to_string().contains("inconsistent"), "{err}");
        assert!(scores(&[msu(5, &[0])], &[1], 3, 3, 0.5).is_err());
    }

    #[test]
    fn scores_weigh_sizes_by_factorials() {
        assert_eq!(factorial(0), 1.0);
        assert_eq!(factorial(1), 1.0);
        assert_eq!(factorial(5), 120.0);
        // Ten attributes: an MSU of size 1 scores 9!, of size 10 scores 0! = 1.
        let counts = [1, 1, 2];
        let msus = [
            msu(0, &[3]),
            msu(0, &[0, 1]),
            msu(1, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ];
        let s = scores(&msus, &counts, 10, 10, 0.5).unwrap();
        assert_eq!(s.score, vec![362_880.0 + 40_320.0, 1.0, 0.0]);
        assert_eq!(s.summary.records, 4);
        assert_eq!(s.summary.records_with_msu, 2);
        assert_eq!(s.summary.msus, 3);
        assert_eq!(s.summary.max_score, 403_200.0);
        let total = 403_201.0;
        assert_eq!(s.dis_score[1], 0.5 * 2.0 / total);
        assert!(s.dis_score.iter().all(|&d| d <= 1.0));
        assert_eq!(s.attribute_contribution[3], 100.0 * 362_881.0 / total);
        assert_eq!(s.attribute_contribution[9], 100.0 / total);
    }
}
