//! The sample's figures every model starts from, and the answers that need no model.

use super::{Estimate, Fit, FreqOfFreq, Model, Status};

/// The sample's figures every model starts from.
pub(super) struct Sample<'a> {
    pub(super) freq: &'a FreqOfFreq,
    pub(super) n: f64,
    pub(super) u: f64,
    pub(super) c1: f64,
    pub(super) population: f64,
    /// Sampling fraction `n / N`, in `(0, 1)`.
    pub(super) fraction: f64,
}

/// Answers the cases that need no model, or prepares the sample for one.
pub(super) fn prepare<'a>(
    model: Model,
    freq: &'a FreqOfFreq,
    population: u64,
) -> Result<Sample<'a>, Estimate> {
    let answer = |uniques: Option<u64>, status: Status| Estimate {
        model,
        population_uniques: uniques.map(|u| u as f64),
        share: uniques.map(|u| u as f64 / population as f64),
        status,
        fit: None,
    };
    if freq.n() == 0 {
        return Err(answer(
            None,
            Status::Invalid("empty sample: there are no records to estimate from".into()),
        ));
    }
    if population < freq.n() {
        return Err(answer(
            None,
            Status::Invalid(format!(
                "population size {population} is smaller than the sample size {}",
                freq.n()
            )),
        ));
    }
    let c1 = freq.sample_uniques();
    if population == freq.n() {
        return Err(answer(
            Some(c1),
            Status::Exact(
                "the sample is the whole population: its uniques are the population uniques".into(),
            ),
        ));
    }
    if c1 == 0 {
        return Err(answer(
            Some(0),
            Status::Exact(
                "no sample uniques: as in ARX every model reports 0 (a record that shares its \
                 class in the sample cannot be unique in the population)"
                    .into(),
            ),
        ));
    }
    Ok(Sample {
        freq,
        n: freq.n() as f64,
        u: freq.classes() as f64,
        c1: c1 as f64,
        population: population as f64,
        fraction: freq.n() as f64 / population as f64,
    })
}

impl Sample<'_> {
    /// Classes of each size, as floating-point `(i, c_i)`.
    pub(super) fn sizes(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.freq.pairs().iter().map(|&(s, c)| (s as f64, c as f64))
    }

    /// An estimate of `uniques` population uniques, or `Invalid` when the figure is not a
    /// finite number within `[0, N]`.
    pub(super) fn estimate(
        &self,
        model: Model,
        uniques: f64,
        status: Status,
        fit: Option<Fit>,
    ) -> Estimate {
        if uniques.is_finite() && (0.0..=self.population).contains(&uniques) {
            Estimate {
                model,
                population_uniques: Some(uniques),
                share: Some(uniques / self.population),
                status,
                fit,
            }
        } else {
            invalid(
                model,
                format!(
                    "the estimate {uniques} is not within [0, N = {}]",
                    self.population
                ),
                fit,
            )
        }
    }
}

pub(super) fn invalid(model: Model, reason: String, fit: Option<Fit>) -> Estimate {
    Estimate {
        model,
        population_uniques: None,
        share: None,
        status: Status::Invalid(reason),
        fit,
    }
}
