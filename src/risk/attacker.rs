//! Journalist and marketer risk (El Emam's attacker models, as ARX computes them).
//!
//! Both need the population size `F_c` of every sample class `c` (sample size `f_c`):
//! * **journalist**: the attacker does not know whether the target is in the sample, and matches a
//!   known person against it. A record's risk is `1 / F_c`; the highest is `1 / min F_c`; the
//!   success rate is `max(classes / sum F_c, sum_c (f_c / F_c) / n)`;
//! * **marketer**: the attacker tries to re-identify everyone; the expected share of correct matches
//!   is `sum_c (f_c / F_c) / n`.
//!
//! `F_c` comes, by preference, from a population frequency table, from the sum of sampling weights,
//! from scaling by the sampling fraction (`f_c / f`), or, with no population given, from the sample
//! itself (then both equal prosecutor risk). Which one was used is part of the output.

use serde::{Deserialize, Serialize};

use super::prosecutor::{records_above, RecordsAbove};
use crate::classes::ClassTable;
use crate::risk::population::Population;

/// Where the population size of each class came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassSizeSource {
    /// A population frequency table.
    Table,
    /// The sum of the sampling weights of the class's records.
    Weights,
    /// The sample size divided by the sampling fraction.
    Scaled,
    /// The sample (no population given).
    Sample,
}

/// The population size of every sample class, with its source.
#[derive(Debug, Clone)]
pub(crate) struct PopulationClassSizes {
    pub source: ClassSizeSource,
    pub sizes: Vec<f64>,
}

impl PopulationClassSizes {
    pub(crate) fn of(table: &ClassTable, population: &Population) -> Self {
        let counts = || table.counts.iter().map(|&f| f as f64);
        if let Some(sizes) = &population.class_sizes {
            return PopulationClassSizes {
                source: ClassSizeSource::Table,
                sizes: sizes.clone(),
            };
        }
        if let Some(w) = &table.weights {
            // A class cannot stand for fewer people than it has records.
            return PopulationClassSizes {
                source: ClassSizeSource::Weights,
                sizes: w.iter().zip(counts()).map(|(&w, f)| w.max(f)).collect(),
            };
        }
        if population.sampling_fraction < 1.0 {
            let pi = population.sampling_fraction;
            return PopulationClassSizes {
                source: ClassSizeSource::Scaled,
                sizes: counts().map(|f| f / pi).collect(),
            };
        }
        PopulationClassSizes {
            source: ClassSizeSource::Sample,
            sizes: counts().collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalistRisk {
    pub population_class_sizes: ClassSizeSource,
    pub highest: f64,
    pub success_rate: f64,
    pub records_above: Vec<RecordsAbove>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketerRisk {
    pub population_class_sizes: ClassSizeSource,
    pub success_rate: f64,
}

/// `sum_c f_c / F_c`: the expected number of correct matches of a marketer attack.
fn expected_matches(table: &ClassTable, sizes: &PopulationClassSizes) -> f64 {
    table
        .counts
        .iter()
        .zip(&sizes.sizes)
        .map(|(&f, &big_f)| f as f64 / big_f)
        .sum()
}

impl JournalistRisk {
    pub(crate) fn of(table: &ClassTable, sizes: &PopulationClassSizes) -> Self {
        let n = table.n_records as f64;
        let smallest = sizes.sizes.iter().copied().fold(f64::INFINITY, f64::min);
        let total: f64 = sizes.sizes.iter().sum();
        let records_above = records_above(&table.counts, |c| 1.0 / sizes.sizes[c], table.n_records);
        JournalistRisk {
            population_class_sizes: sizes.source,
            highest: 1.0 / smallest,
            success_rate: (table.n_classes() as f64 / total)
                .max(expected_matches(table, sizes) / n),
            records_above,
        }
    }
}

impl MarketerRisk {
    pub(crate) fn of(table: &ClassTable, sizes: &PopulationClassSizes) -> Self {
        MarketerRisk {
            population_class_sizes: sizes.source,
            success_rate: expected_matches(table, sizes) / table.n_records as f64,
        }
    }
}
