//! The SUDA and DIS-SUDA scores of the MSUs, and the file-level summary.
//!
//! The scores are tallied one MSU at a time ([`ScoreTally`]), so that a search over millions of
//! MSUs never holds them: per class, the number of MSUs of each size; per attribute, the scores
//! of the MSUs that contain it.

use serde::{Deserialize, Serialize};

use super::Msu;

/// The default file-level DIS probability of the linear spreading ([`Dis::Linear`], [`scores`]).
pub const DEFAULT_DIS: f64 = 0.1;

/// sdcMicro's default sampling fraction for DIS-SUDA (`suda2(..., DisFraction = 0.01)`).
pub const DEFAULT_DIS_FRACTION: f64 = 0.01;

/// How DIS-SUDA turns the file-level disclosure risk into record scores.
///
/// * [`Dis::Sdcmicro`] (the default of `reident suda`): the method of Elliot, Manning, Mayes,
///   Gurd & Bane ("SUDA: a program for detecting special uniques", with the DIS measure of
///   Skinner & Elliot 2002), as sdcMicro's `suda2(..., DisFraction = fraction)` computes it.
///   `fraction` is the sampling fraction `f`. With `U` the sample uniques and `P` the records in
///   classes of exactly two, the file-level DIS is `U f / (U f + P (1 - f))`; it is spread over
///   the records with an MSU through the exponent `Q = 1 + (8 - M) / 20` (`M` attributes):
///   `dis_i = 1 / (1 + (U / DIS - U) / (s_i^Q A))`, `A = sum_j 1 / s_j^Q` over the records with
///   a SUDA score `s_j > 0`. `U / DIS - U = P (1 - f) / f`, so `U` cancels; `Q` is computed in
///   single precision, as sdcMicro does (`0.95` is `0.949999988...` for 9 attributes).
/// * [`Dis::Linear`]: a file-level DIS probability (not a sampling fraction) spread over the
///   records with an MSU in proportion to their scores, capped at 1: `min(1, p U s_i / sum s)`.
///   reident's earlier `--dis`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "DisRepr", into = "DisRepr")]
pub enum Dis {
    Sdcmicro { fraction: f64 },
    Linear { probability: f64 },
}

impl Default for Dis {
    fn default() -> Self {
        Dis::Sdcmicro {
            fraction: DEFAULT_DIS_FRACTION,
        }
    }
}

impl Dis {
    /// The parameter (a sampling fraction or a probability), which must be in [0, 1] (the
    /// fraction above 0).
    pub fn value(&self) -> f64 {
        match *self {
            Dis::Sdcmicro { fraction } => fraction,
            Dis::Linear { probability } => probability,
        }
    }

    /// The method in plain words, for reports and terminals.
    pub fn describe(&self) -> String {
        match *self {
            Dis::Sdcmicro { fraction } => format!(
                "sdcMicro's DIS-SUDA with sampling fraction {fraction} (Skinner-Elliot file-level DIS, spread with exponent Q = 1 + (8 - M)/20)"
            ),
            Dis::Linear { probability } => format!(
                "file-level DIS probability {probability} spread linearly over the records with an MSU"
            ),
        }
    }
}

/// The JSON form: a linear spreading is the bare probability (the form reports have always
/// had), sdcMicro's method an object naming it.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum DisRepr {
    Probability(f64),
    Method(DisMethod),
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
enum DisMethod {
    Sdcmicro { fraction: f64 },
    Linear { probability: f64 },
}

impl From<DisRepr> for Dis {
    fn from(r: DisRepr) -> Dis {
        match r {
            DisRepr::Probability(probability)
            | DisRepr::Method(DisMethod::Linear { probability }) => Dis::Linear { probability },
            DisRepr::Method(DisMethod::Sdcmicro { fraction }) => Dis::Sdcmicro { fraction },
        }
    }
}

impl From<Dis> for DisRepr {
    fn from(d: Dis) -> DisRepr {
        match d {
            Dis::Linear { probability } => DisRepr::Probability(probability),
            Dis::Sdcmicro { fraction } => DisRepr::Method(DisMethod::Sdcmicro { fraction }),
        }
    }
}

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
    /// How the DIS-SUDA scores were computed.
    pub dis: Dis,
    /// `msu_counts[class * max_size + size - 1]`: the number of MSUs of each size of each class
    /// (see `SudaScores::msus_of`).
    pub msu_counts: Vec<u32>,
    /// SUDA score of each class: `sum over its MSUs of (n_attrs - size)!`.
    pub score: Vec<f64>,
    /// DIS-SUDA score of each class (see [`Dis`]); 0 for the classes without an MSU, and for
    /// every class when no record has one.
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
/// searched up to `max_size`, with the file-level DIS probability `dis` spread linearly
/// ([`Dis::Linear`], e.g. [`DEFAULT_DIS`]).
///
/// The score of an MSU of size `s` is `(n_attrs - s)!` also when `max_size < n_attrs` (the sizes
/// are not rescaled). Each class that holds MSUs has count 1, so class and record scores agree.
pub fn scores(
    msus: &[Msu],
    counts: &[u64],
    n_attrs: usize,
    max_size: usize,
    dis: f64,
) -> SudaScores {
    scores_with(
        msus,
        counts,
        n_attrs,
        max_size,
        Dis::Linear { probability: dis },
    )
}

/// [`scores`] with any DIS-SUDA method.
pub fn scores_with(
    msus: &[Msu],
    counts: &[u64],
    n_attrs: usize,
    max_size: usize,
    dis: Dis,
) -> SudaScores {
    let mut tally = ScoreTally::new(counts.len(), n_attrs, max_size);
    for &m in msus {
        tally.add(m);
    }
    tally.finish(counts, dis)
}

/// The scores, tallied one MSU at a time (see the module documentation).
pub struct ScoreTally {
    n_attrs: usize,
    max_size: usize,
    /// `weight[s]`: the score of an MSU of size `s`, `(n_attrs - s)!`.
    weight: Vec<f64>,
    msu_counts: Vec<u32>,
    score: Vec<f64>,
    by_attr: Vec<f64>,
    msus_by_size: Vec<u64>,
    msus: u64,
}

impl ScoreTally {
    /// An empty tally for `n_classes` classes over `n_attrs` attributes, MSUs up to `max_size`.
    pub fn new(n_classes: usize, n_attrs: usize, max_size: usize) -> ScoreTally {
        let max_size = max_size.min(n_attrs);
        ScoreTally {
            n_attrs,
            max_size,
            weight: (0..=n_attrs).map(|s| factorial(n_attrs - s)).collect(),
            msu_counts: vec![0; n_classes * max_size],
            score: vec![0.0; n_classes],
            by_attr: vec![0.0; n_attrs],
            msus_by_size: vec![0; max_size],
            msus: 0,
        }
    }

    /// Counts one MSU.
    pub fn add(&mut self, m: Msu) {
        let (c, s) = (m.class as usize, m.size());
        assert!(
            (1..=self.max_size).contains(&s),
            "an MSU of size {s} of class {c}"
        );
        self.msu_counts[c * self.max_size + s - 1] += 1;
        self.msus_by_size[s - 1] += 1;
        self.msus += 1;
        let w = self.weight[s];
        self.score[c] += w;
        for a in m.attributes() {
            self.by_attr[a] += w;
        }
    }

    /// Whether every MSU counted is in a class of one record, as SUDA2 finds them: a class
    /// table whose counts are not what they say (crafted) can break it, which `suda` reports as
    /// an error before [`ScoreTally::finish`] (which asserts it).
    pub fn consistent(&self, counts: &[u64]) -> bool {
        counts.len() == self.score.len()
            && (0..counts.len()).all(|c| self.score[c] == 0.0 || counts[c] == 1)
    }

    /// The scores of the class table whose class sizes are `counts`.
    pub fn finish(self, counts: &[u64], dis: Dis) -> SudaScores {
        let ScoreTally {
            n_attrs,
            max_size,
            msu_counts,
            score,
            by_attr,
            msus_by_size,
            msus,
            ..
        } = self;
        let n_classes = counts.len();
        assert!(
            (0..n_classes).all(|c| score[c] == 0.0 || counts[c] == 1),
            "an MSU of a class of more than one record"
        );
        let total_score: f64 = score.iter().sum();
        let with_msu: Vec<usize> = (0..n_classes).filter(|&c| score[c] > 0.0).collect();
        let dis_score = dis_scores(&score, counts, n_attrs, with_msu.len(), total_score, dis);
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
            msus,
            msus_by_size,
            total_score,
            max_score: sorted.last().copied().unwrap_or(0.0),
            score_quantiles,
            dis_above,
        };
        SudaScores {
            n_attrs,
            max_size,
            dis,
            msu_counts,
            score,
            dis_score,
            attribute_contribution,
            summary,
        }
    }
}

/// The DIS-SUDA score of each class (see [`Dis`]); `with_msu` classes have a score.
fn dis_scores(
    score: &[f64],
    counts: &[u64],
    n_attrs: usize,
    with_msu: usize,
    total_score: f64,
    dis: Dis,
) -> Vec<f64> {
    if total_score <= 0.0 {
        return vec![0.0; score.len()];
    }
    match dis {
        Dis::Linear { probability } => {
            let u = with_msu as f64;
            // Spread in proportion to the scores; a share above 1 is not a probability: capped.
            score
                .iter()
                .map(|s| (probability * u * s / total_score).min(1.0))
                .collect()
        }
        Dis::Sdcmicro { fraction } => {
            // Records in classes of exactly two (sdcMicro's NbDuplicatePair).
            let pairs: u64 = counts.iter().filter(|&&f| f == 2).map(|_| 2).sum();
            // sdcMicro computes Q in single precision.
            let q = (1.0f32 + (8.0f32 - n_attrs as f32) / 20.0f32) as f64;
            let adj: f64 = score
                .iter()
                .filter(|&&s| s > 0.0)
                .map(|&s| 1.0 / s.powf(q))
                .sum();
            let odds = pairs as f64 * (1.0 - fraction) / fraction;
            score
                .iter()
                .map(|&s| {
                    if s > 0.0 {
                        1.0 / (1.0 + odds / (s.powf(q) * adj))
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::suda::test_support::msu;

    #[test]
    fn an_msu_of_a_class_that_is_not_unique_is_inconsistent() {
        let mut t = ScoreTally::new(3, 3, 3);
        t.add(msu(2, &[0]));
        assert!(!t.consistent(&[1, 1, 2]));
        assert!(t.consistent(&[1, 1, 1]));
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
        let s = scores(&msus, &counts, 10, 10, 0.5);
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
