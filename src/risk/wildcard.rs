//! The risk figures when missing values are wildcards ([`crate::classes::wildcard`]).
//!
//! Each record of class `c` is matched by `m_c` records (its class's matched size), so every
//! figure that reads a class size reads `m_c`: the class-size histogram (the distinct tuples by
//! matched size, and their records), the smallest class (the k of k-anonymity), prosecutor risk
//! `1/m_c` (its average is the mean over records, `sum_c f_c/m_c / n`), sample uniques (records
//! matched by no other), journalist and marketer risk from the matched population sizes, and the
//! weighted individual risk from the matched size and weight sum (sdcMicro's `fk` and `Fk` with
//! `alpha = 1`). The population-uniqueness models rest on a partition of the records into
//! classes, which matched sizes are not: they are reported as invalid, with the reason.

use super::attacker::{ClassSizeSource, JournalistRisk, MarketerRisk};
use super::class_sizes::ClassSizes;
use super::estimators::{
    DankarEstimate, Estimate, Model, PopulationUniqueness, SnbVariant, Status,
};
use super::individual::{individual_risk, IndividualRisk};
use super::population::Population;
use super::prosecutor::{records_above, ProsecutorRisk};
use super::uniqueness::SampleUniques;
use crate::classes::wildcard::Matched;
use crate::classes::ClassTable;

/// Why the population models give no figure under wildcard counting.
const NO_PARTITION: &str = "missing values are wildcards (--missing wildcard): a record counts towards several classes' sizes, and the population models need a partition of the records into classes";

/// The class-size histogram and extremes, by matched size.
pub(crate) fn class_sizes(t: &ClassTable, m: &Matched) -> ClassSizes {
    ClassSizes::by_sizes(t, &m.sizes)
}

pub(crate) fn prosecutor(t: &ClassTable, m: &Matched) -> ProsecutorRisk {
    let k = m.sizes.iter().copied().min().unwrap_or(0);
    let expected: f64 = t
        .counts
        .iter()
        .zip(&m.sizes)
        .map(|(&f, &s)| f as f64 / s as f64)
        .sum();
    ProsecutorRisk {
        highest: if k == 0 { 0.0 } else { 1.0 / k as f64 },
        average: expected / t.n_records as f64,
        records_above: records_above(&t.counts, |c| 1.0 / m.sizes[c] as f64, t.n_records),
    }
}

pub(crate) fn sample_uniques(t: &ClassTable, m: &Matched) -> SampleUniques {
    let records: u64 = t
        .counts
        .iter()
        .zip(&m.sizes)
        .filter(|(_, &s)| s == 1)
        .map(|(&f, _)| f)
        .sum();
    SampleUniques {
        records,
        share: records as f64 / t.n_records as f64,
    }
}

/// The population size each class's records are matched by: the matched weight sum (at least
/// the matched size), the matched size over the sampling fraction, or the matched size.
pub(crate) fn population_sizes(
    m: &Matched,
    population: &Population,
) -> (ClassSizeSource, Vec<f64>) {
    let sizes = m.sizes.iter().map(|&s| s as f64);
    if let Some(w) = &m.weights {
        return (
            ClassSizeSource::Weights,
            w.iter().zip(sizes).map(|(&w, s)| w.max(s)).collect(),
        );
    }
    if population.sampling_fraction < 1.0 {
        let pi = population.sampling_fraction;
        return (ClassSizeSource::Scaled, sizes.map(|s| s / pi).collect());
    }
    (ClassSizeSource::Sample, sizes.collect())
}

/// Journalist and marketer risk from the matched population sizes `big`: a record's journalist
/// risk is `1/F_c`; both success rates are the expected share of correct matches,
/// `sum_c f_c/F_c / n` (with overlapping classes there is no count of classes to bound it by).
pub(crate) fn attackers(
    t: &ClassTable,
    source: ClassSizeSource,
    big: &[f64],
) -> (JournalistRisk, MarketerRisk) {
    let n = t.n_records as f64;
    let expected: f64 = t
        .counts
        .iter()
        .zip(big)
        .map(|(&f, &b)| f as f64 / b)
        .sum::<f64>()
        / n;
    let smallest = big.iter().copied().fold(f64::INFINITY, f64::min);
    (
        JournalistRisk {
            population_class_sizes: source,
            highest: 1.0 / smallest,
            success_rate: expected,
            records_above: records_above(&t.counts, |c| 1.0 / big[c], t.n_records),
        },
        MarketerRisk {
            population_class_sizes: source,
            success_rate: expected,
        },
    )
}

/// The weighted individual risk from each class's matched size and weight sum.
pub(crate) fn individual(
    t: &ClassTable,
    m: &Matched,
    weight_column: &str,
) -> Option<IndividualRisk> {
    let w = m.weights.as_ref()?;
    let risks: Vec<f64> = m
        .sizes
        .iter()
        .zip(w)
        .map(|(&s, &big)| individual_risk(s, big))
        .collect();
    let global_risk: f64 = t
        .counts
        .iter()
        .zip(&risks)
        .map(|(&f, &r)| f as f64 * r)
        .sum();
    Some(IndividualRisk {
        weight_column: weight_column.to_string(),
        global_risk,
        global_share: global_risk / t.n_records as f64,
        highest: risks.iter().copied().fold(0.0, f64::max),
        records_above: records_above(&t.counts, |c| risks[c], t.n_records),
    })
}

/// The population models, each invalid with the reason.
pub(crate) fn population_uniqueness(
    t: &ClassTable,
    m: &Matched,
    population: u64,
    variant: SnbVariant,
) -> PopulationUniqueness {
    let invalid = |model| Estimate {
        model,
        population_uniques: None,
        share: None,
        status: Status::Invalid(NO_PARTITION.to_string()),
        fit: None,
    };
    let n = t.n_records;
    PopulationUniqueness {
        population_size: population,
        sampling_fraction: if population == 0 {
            0.0
        } else {
            n as f64 / population as f64
        },
        snb_variant: variant,
        sample_uniqueness: sample_uniques(t, m).share,
        zayatz: invalid(Model::Zayatz),
        snb: invalid(Model::Snb),
        pitman: invalid(Model::Pitman),
        dankar: DankarEstimate {
            estimate: invalid(Model::Dankar),
            chosen: None,
            reason: NO_PARTITION.to_string(),
            candidates: Vec::new(),
        },
    }
}
