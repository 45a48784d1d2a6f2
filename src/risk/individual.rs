//! Weighted individual risk (the sdcMicro / mu-Argus individual risk model).
//!
//! With sampling weights, the population size of class `k` is estimated by `F_k`, the sum of its
//! records' weights. Under the negative-binomial superpopulation model of Benedetti and Franconi
//! (1998) a record's risk is `E[1 / F | f_k]`; with `p_k = f_k / F_k` the usual approximations
//! (Franconi & Polettini 2004, "Individual risk estimation in mu-Argus: a review") are
//!
//! * `f_k = 1`: `r = p / (1 - p) * ln(1 / p)`
//! * `f_k = 2`: `r = p / (1 - p) - (p / (1 - p))^2 * ln(1 / p)`
//! * `f_k >= 3`: `r = p / (f_k - (1 - p))`
//!
//! When the weights say a class stands for no more people than it has records (`p = 1`), the
//! limits are used: `1 / f_k`. The global risk is the expected number of re-identifications,
//! `sum_k f_k r_k`, also given as a share of the records.

use serde::{Deserialize, Serialize};

use super::prosecutor::{records_above, RecordsAbove};
use crate::classes::ClassTable;

/// The individual risk of a record in a class of `f` records standing for `big_f` people.
pub fn individual_risk(f: u64, big_f: f64) -> f64 {
    let f_real = f as f64;
    let p = (f_real / big_f).min(1.0);
    let q = 1.0 - p;
    // ln(1/p) = -ln(1 - q), accurate for small q.
    let log_inv_p = -(-q).ln_1p();
    match f {
        0 => 0.0,
        1 if q < 1e-12 => 1.0,
        1 => p / q * log_inv_p,
        2 if q < 1e-4 => {
            // p/q - (p/q)^2 ln(1/p) cancels badly as q -> 0; its series: p (1 - p (1/2 + q/3 + q^2/4)).
            p * (1.0 - p * (0.5 + q / 3.0 + q * q / 4.0))
        }
        2 => {
            let odds = p / q;
            odds - odds * odds * log_inv_p
        }
        _ => p / (f_real - q),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndividualRisk {
    pub weight_column: String,
    /// Expected number of re-identifications: the sum of the records' risks.
    pub global_risk: f64,
    /// `global_risk / n`.
    pub global_share: f64,
    pub highest: f64,
    pub records_above: Vec<RecordsAbove>,
}

impl IndividualRisk {
    /// Per-class risks, or `None` without weights.
    pub(crate) fn per_class(table: &ClassTable) -> Option<Vec<f64>> {
        let w = table.weights.as_ref()?;
        Some(
            table
                .counts
                .iter()
                .zip(w)
                .map(|(&f, &big_f)| individual_risk(f, big_f))
                .collect(),
        )
    }

    pub(crate) fn of(table: &ClassTable, weight_column: &str) -> Option<Self> {
        let risks = Self::per_class(table)?;
        let n = table.n_records as f64;
        let global_risk: f64 = table
            .counts
            .iter()
            .zip(&risks)
            .map(|(&f, &r)| f as f64 * r)
            .sum();
        let records_above = records_above(&table.counts, |c| risks[c], table.n_records);
        Some(IndividualRisk {
            weight_column: weight_column.to_string(),
            global_risk,
            global_share: global_risk / n,
            highest: risks.iter().copied().fold(0.0, f64::max),
            records_above,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E[1/F | f] = sum_x P(X = x) / (f + x), X ~ NegBin(f, p): the definition the formulas
    /// approximate; exact for f = 1 and 2.
    fn exact(f: u64, big_f: f64) -> f64 {
        let p = f as f64 / big_f;
        let (mut term, mut sum) = (p.powi(f as i32), 0.0);
        for x in 0..200_000u64 {
            sum += term / (f + x) as f64;
            term *= (x + f) as f64 / (x + 1) as f64 * (1.0 - p);
            if term < 1e-18 {
                break;
            }
        }
        sum
    }

    #[test]
    fn closed_forms_equal_the_series_for_one_and_two() {
        for big_f in [1.5, 3.0, 10.0, 250.0] {
            assert!(
                (individual_risk(1, big_f) - exact(1, big_f)).abs() < 1e-9,
                "{big_f}"
            );
        }
        for big_f in [2.5, 4.0, 10.0, 250.0] {
            assert!(
                (individual_risk(2, big_f) - exact(2, big_f)).abs() < 1e-9,
                "{big_f}"
            );
        }
    }

    #[test]
    fn approximation_is_close_for_larger_classes() {
        for (f, big_f) in [(3, 30.0), (5, 100.0), (10, 40.0)] {
            let (a, e) = (individual_risk(f, big_f), exact(f, big_f));
            assert!((a - e).abs() / e < 0.05, "f={f} F={big_f}: {a} vs {e}");
        }
    }

    #[test]
    fn limits_at_p_one() {
        assert_eq!(individual_risk(1, 1.0), 1.0);
        assert!((individual_risk(2, 2.0) - 0.5).abs() < 1e-12);
        assert!((individual_risk(2, 2.0000001) - 0.5).abs() < 1e-6);
        assert!((individual_risk(4, 4.0) - 0.25).abs() < 1e-12);
        // Weights below the class size are clamped: risk 1/f.
        assert_eq!(individual_risk(1, 0.5), 1.0);
    }
}
