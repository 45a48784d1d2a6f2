//! Every model's estimate for one class table and population.

use serde::{Deserialize, Serialize};

use super::dankar::dankar;
use super::pitman::pitman;
use super::snb::snb;
use super::zayatz::zayatz;
use super::{DankarEstimate, Estimate, FreqOfFreq, SnbVariant};

/// Every model's estimate for one class table and population, as `analyze` reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationUniqueness {
    pub population_size: u64,
    pub sampling_fraction: f64,
    pub snb_variant: SnbVariant,
    /// Sample uniques / n, for comparison: every model equals it when the sample is the population.
    pub sample_uniqueness: f64,
    pub zayatz: Estimate,
    pub snb: Estimate,
    pub pitman: Estimate,
    pub dankar: DankarEstimate,
}

impl PopulationUniqueness {
    pub fn of(class_sizes: &[u64], population: u64, variant: SnbVariant) -> Self {
        let freq = FreqOfFreq::from_class_sizes(class_sizes.iter().copied());
        let n = freq.n();
        PopulationUniqueness {
            population_size: population,
            sampling_fraction: if population == 0 {
                0.0
            } else {
                n as f64 / population as f64
            },
            snb_variant: variant,
            sample_uniqueness: if n == 0 {
                0.0
            } else {
                freq.sample_uniques() as f64 / n as f64
            },
            zayatz: zayatz(&freq, population),
            snb: snb(&freq, population, variant),
            pitman: pitman(&freq, population),
            dankar: dankar(&freq, population, variant),
        }
    }
}
