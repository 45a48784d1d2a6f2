//! Population uniqueness: how many people in the population are alone in their equivalence
//! class, estimated from the class sizes of a sample drawn from it.
//!
//! Every estimator here reads only the sample's *frequency of frequencies* (`FreqOfFreq`):
//! `c_i`, the number of equivalence classes of size `i`, with `u = Σ c_i` classes and
//! `n = Σ i·c_i` records, plus the population size `N ≥ n` and so the sampling fraction
//! `f = n / N`. The models and the decision rule follow ARX's implementation
//! (`org.deidentifier.arx.risk`), whose published figures are this module's golden tests:
//!
//! * `zayatz`: Zayatz (1991), "Estimation of the number of unique population elements using
//!   a sample", a closed form.
//! * `pitman`: Hoshino (2001), "Applying Pitman's sampling formula to microdata disclosure
//!   risk assessment", a maximum-likelihood fit of the Pitman sampling formula.
//! * `snb`: Chen & Keller-McNulty (1998), "Estimation of identification disclosure risk in
//!   microdata", the shifted negative binomial model fitted by moments.
//! * `dankar`: Dankar, El Emam, Neisa & Roffey (2012), "Estimating the re-identification
//!   risk of clinical data sets", which picks one of the three by the sampling fraction.
//!
//! ARX's SNB model departs from the published formulas in two places; [`SnbVariant`] chooses
//! between ARX's figures and the papers' (they differ on the Adult data, where ARX's SNB has
//! no solution and the published one has).
//!
//! The share reported with each estimate is, as in ARX, the estimated number of population
//! uniques divided by the population size `N` (not by `n`). For Zayatz both are the same,
//! because its count is `c_1·P/f`; for Pitman only `/N` reproduces ARX's figures.
//!
//! Unlike ARX, which reports a failed model as `0`, a model that cannot give an estimate says
//! so ([`Status::Invalid`], `population_uniques: None`). Every figure returned is finite and
//! within `[0, N]`. Cases that need no model are answered exactly ([`Status::Exact`]): when
//! the sample is the whole population (`N = n`) every model returns the sample uniques, and
//! when the sample has no uniques every model returns 0, as ARX does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod dankar;
mod newton;
mod pitman;
mod sample;
mod snb;
mod summary;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
mod zayatz;

pub(crate) use dankar::dankar;
pub use summary::PopulationUniqueness;

/// The frequency of frequencies of a sample's equivalence classes: for each class size, how
/// many classes have that size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FreqOfFreq {
    /// `(class size, number of classes of that size)`, sizes strictly ascending, both > 0.
    pairs: Vec<(u64, u64)>,
    n: u64,
    classes: u64,
}

impl FreqOfFreq {
    /// Counts the given class sizes (one entry per equivalence class). Sizes of 0 are ignored.
    pub(crate) fn from_class_sizes(sizes: impl IntoIterator<Item = u64>) -> Self {
        // Most classes are small: count those in an array, the rare large ones in a map (a
        // map insertion per class was a tenth of the models' time on 2M classes).
        const DENSE: usize = 1 << 12;
        let mut dense = vec![0u64; DENSE];
        let mut large: BTreeMap<u64, u64> = BTreeMap::new();
        for size in sizes {
            match dense.get_mut(size as usize) {
                Some(c) => *c += 1,
                None => *large.entry(size).or_default() += 1,
            }
        }
        Self::from_pairs(
            dense
                .into_iter()
                .enumerate()
                .map(|(s, c)| (s as u64, c))
                .chain(large),
        )
    }

    /// Builds the table from `(class size, number of classes)` pairs in any order; pairs with
    /// the same size are added up and pairs with a size or count of 0 are ignored.
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (u64, u64)>) -> Self {
        let mut counts = BTreeMap::new();
        for (size, count) in pairs {
            if size > 0 && count > 0 {
                let c: &mut u64 = counts.entry(size).or_default();
                *c = c.saturating_add(count);
            }
        }
        let pairs: Vec<(u64, u64)> = counts.into_iter().collect();
        let n = pairs
            .iter()
            .fold(0u64, |n, &(s, c)| n.saturating_add(s.saturating_mul(c)));
        let classes = pairs.iter().fold(0u64, |u, &(_, c)| u.saturating_add(c));
        FreqOfFreq { pairs, n, classes }
    }

    /// The `(class size, number of classes)` pairs, sizes ascending.
    pub(crate) fn pairs(&self) -> &[(u64, u64)] {
        &self.pairs
    }

    /// The sample size `n`: the number of records.
    pub(crate) fn n(&self) -> u64 {
        self.n
    }

    /// The number of equivalence classes `u`.
    pub(crate) fn classes(&self) -> u64 {
        self.classes
    }

    /// The number of classes of exactly this size.
    pub(crate) fn classes_of_size(&self, size: u64) -> u64 {
        self.pairs
            .binary_search_by_key(&size, |&(s, _)| s)
            .map_or(0, |i| self.pairs[i].1)
    }

    /// The number of sample uniques `c_1`: records alone in their class.
    pub(crate) fn sample_uniques(&self) -> u64 {
        self.classes_of_size(1)
    }
}

/// A population-uniqueness model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    Zayatz,
    Snb,
    Pitman,
    Dankar,
}

/// How an estimate was obtained, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum Status {
    /// The model's closed form, or its solver converged by the primary method.
    Estimated,
    /// Known without a model (the sample is the population, or it has no uniques).
    Exact(String),
    /// A valid estimate, obtained by a documented fallback after the primary method failed.
    Fallback(String),
    /// No estimate: the model does not apply to this input or has no solution.
    Invalid(String),
}

/// One model's estimate of the number of population uniques.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub model: Model,
    /// Estimated number of records that are unique in the population; `None` when invalid.
    pub population_uniques: Option<f64>,
    /// `population_uniques / N`, as ARX reports population uniqueness; `None` when invalid.
    pub share: Option<f64>,
    pub status: Status,
    /// The fitted parameters, for the models that have some.
    pub fit: Option<Fit>,
}

/// The parameters a model fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Fit {
    Pitman(PitmanFit),
    Snb(SnbFit),
}

/// Maximum-likelihood parameters of the Pitman sampling formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitmanFit {
    pub theta: f64,
    pub alpha: f64,
    pub method: PitmanMethod,
    /// Newton iterations, or outer bisection steps of the profile search.
    pub iterations: u32,
}

/// Which solver found the Pitman parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PitmanMethod {
    /// Damped two-dimensional Newton-Raphson on the likelihood (the primary method).
    Newton,
    /// Bisection on the profile likelihood in alpha (the fallback).
    ProfileLikelihood,
}

/// The shifted negative binomial fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnbFit {
    /// `K`, the estimated number of non-empty classes in the population (Shlosser).
    pub population_classes: f64,
    /// Shape `α` of the negative binomial; `None` when no fit was found.
    pub alpha: Option<f64>,
    /// Probability `β` of the negative binomial; `None` when no fit was found.
    pub beta: Option<f64>,
    /// Newton iterations of the start point that converged, or of all starts tried.
    pub iterations: u32,
}

/// Which formulas the SNB model uses.
///
/// ARX's SNB code departs from the published model in two places. `Arx` keeps them, so that
/// the SNB model and Dankar's rule reproduce ARX's figures; `Published` follows the papers.
///
/// 1. Shlosser's estimator of `K` (Haas, Naughton, Seshadri & Stokes 1995, their `D_Sh3`) has
///    `Σ_i (1-f)^i ((1+f)^i - 1) c_i` in a denominator; ARX computes
///    `Σ_i ((1-f)^i (1+f)^i c_i - 1)`, subtracting 1 per distinct class size instead of
///    `(1-f)^i c_i` per class. Its `K` comes out close to `u`, far too small when there are
///    many sample uniques, so that `c_1 / K` exceeds what any SNB population can produce and
///    the model has no solution (this is why ARX's SNB fails on the Adult data).
/// 2. The expected number of sample classes of size 2 divides by `(1 - (1-f)(1-β))^(α+2)`;
///    ARX's equation multiplies by it (its Jacobian, though, is that of the division).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnbVariant {
    Arx,
    Published,
}

/// The result of Dankar et al.'s decision rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DankarEstimate {
    /// The figure the rule settles on, as an estimate of [`Model::Dankar`].
    pub estimate: Estimate,
    /// The model whose figure was taken; `None` when no model was needed or none applied.
    pub chosen: Option<Model>,
    /// Why that model was chosen.
    pub reason: String,
    /// The estimates the rule computed, in the order it computed them.
    pub candidates: Vec<Estimate>,
}
