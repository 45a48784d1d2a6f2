//! Bounds on re-identification risk as privacy models: the highest prosecutor risk (a per-class
//! bound: every class of at least 1/max records), the average prosecutor risk and the estimated
//! population uniqueness (whole-table bounds, after suppression), and the named presets.

use super::{ClassRule, Criterion, KAnonymity, TableCriterion};
use crate::classes::ClassTable;

/// Highest prosecutor risk at most `max`: every class has at least `1/max` records.
pub(crate) struct MaxProsecutorRisk(pub f64);

impl Criterion for MaxProsecutorRisk {
    fn describe(&self) -> String {
        format!("highest prosecutor risk <= {}", self.0)
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        1.0 / t.counts[c] as f64 <= self.0 + 1e-12
    }
    fn monotone_with_suppression(&self) -> bool {
        true
    }
    fn measure(&self) -> (&'static str, bool) {
        ("highest prosecutor risk", false)
    }
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64> {
        Some(1.0 / t.counts[c] as f64)
    }
    /// The smallest class size that passes [`Criterion::class_ok`], found with the same test.
    fn class_rule(&self) -> Option<ClassRule> {
        let ok = |n: u64| 1.0 / n as f64 <= self.0 + 1e-12;
        if self.0.is_nan() || self.0 <= 0.0 {
            return Some(ClassRule::MinSize(u64::MAX));
        }
        let mut n = (1.0 / (self.0 + 1e-12)).ceil().max(1.0) as u64;
        while !ok(n) {
            n += 1;
        }
        while n > 1 && ok(n - 1) {
            n -= 1;
        }
        Some(ClassRule::MinSize(n))
    }
}

/// Average prosecutor risk (classes / records, after suppression) at most `max`.
pub(crate) struct MaxAverageRisk(pub f64);

impl TableCriterion for MaxAverageRisk {
    fn describe(&self) -> String {
        format!("average prosecutor risk <= {}", self.0)
    }
    fn table_ok(&self, kept: &[u64]) -> bool {
        let n: u64 = kept.iter().sum();
        n > 0 && kept.len() as f64 / n as f64 <= self.0 + 1e-12
    }
    /// Without suppression, generalizing merges classes: fewer classes over the same records.
    /// With suppression, un-suppressing records can raise the average.
    fn monotone(&self, with_suppression: bool) -> bool {
        !with_suppression
    }
    fn measure(&self, kept: &[u64]) -> Option<f64> {
        let n: u64 = kept.iter().sum();
        (n > 0).then(|| kept.len() as f64 / n as f64)
    }
}

/// Estimated population uniqueness (Dankar et al.'s rule) at most `max`, for a population of
/// `population` people.
pub(crate) struct MaxPopulationUniqueness {
    pub max: f64,
    pub population: u64,
    pub snb: crate::risk::estimators::SnbVariant,
}

impl TableCriterion for MaxPopulationUniqueness {
    fn describe(&self) -> String {
        format!(
            "population uniqueness <= {} (N = {})",
            self.max, self.population
        )
    }
    fn table_ok(&self, kept: &[u64]) -> bool {
        use crate::risk::estimators::{dankar, FreqOfFreq};
        let freq = FreqOfFreq::from_class_sizes(kept.iter().copied());
        dankar(&freq, self.population, self.snb)
            .estimate
            .share
            .is_some_and(|s| s <= self.max + 1e-12)
    }
    fn measure(&self, kept: &[u64]) -> Option<f64> {
        use crate::risk::estimators::{dankar, FreqOfFreq};
        let freq = FreqOfFreq::from_class_sizes(kept.iter().copied());
        dankar(&freq, self.population, self.snb).estimate.share
    }
}

/// Named targets, with their sources: `k11-cms` (k >= 11: the CMS cell-size suppression policy,
/// no cell under 11); `risk-0.2`, `risk-0.09`, `risk-0.05` (highest prosecutor risk thresholds
/// from El Emam's guide to the de-identification of personal health information: 0.2 for data
/// shared with trusted recipients, 0.09 for public release, 0.05 the strictest).
pub(crate) fn preset(name: &str) -> Option<Box<dyn Criterion>> {
    match name {
        "k11-cms" => Some(Box::new(KAnonymity(11))),
        "risk-0.2" => Some(Box::new(MaxProsecutorRisk(0.2))),
        "risk-0.09" => Some(Box::new(MaxProsecutorRisk(0.09))),
        "risk-0.05" => Some(Box::new(MaxProsecutorRisk(0.05))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_bounds_become_class_sizes() {
        let size = |x: f64| MaxProsecutorRisk(x).class_rule();
        assert_eq!(size(0.2), Some(ClassRule::MinSize(5)));
        assert_eq!(size(0.09), Some(ClassRule::MinSize(12)));
        assert_eq!(size(0.05), Some(ClassRule::MinSize(20)));
        assert_eq!(size(1.0), Some(ClassRule::MinSize(1)));
        assert_eq!(size(0.3), Some(ClassRule::MinSize(4)));
        assert_eq!(KAnonymity(11).class_rule(), Some(ClassRule::MinSize(11)));
    }
}
