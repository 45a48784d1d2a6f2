//! Privacy models as search targets: each decides, class by class, whether a class of a
//! generalized table is acceptable. Records in unacceptable classes are suppressed, up to the
//! suppression limit. All of these are monotone: merging acceptable classes gives an acceptable
//! class, which is what lets a search tag whole regions of the lattice at once.
//!
//! With suppression, monotonicity of "anonymous within the suppression limit" needs more: a
//! merge of an acceptable class with a failing one must stay acceptable, so that generalizing
//! never suppresses more records. That holds for k-anonymity (and the highest-risk bound, the
//! same test) and distinct l-diversity (a union has at least the distinct values of each part),
//! not for entropy or recursive l-diversity or t-closeness, where a failing class can drag an
//! acceptable one below the bar. [`Criterion::monotone_with_suppression`] says which.

use crate::classes::ClassTable;
use crate::criteria::l_diversity::{class_diversity, recursive_ratio};
use crate::criteria::t_closeness::{Distribution, GroundDistance};

/// A per-class privacy criterion.
pub trait Criterion: Sync + Send {
    /// A short description for reports: `5-anonymity`, `recursive (4,3)-diversity on occupation`.
    fn describe(&self) -> String;
    /// Whether class `c` of `t` satisfies the criterion.
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool;
    /// Whether the union of an acceptable class and any other class is acceptable (see the
    /// module documentation). Every criterion here is monotone without suppression.
    fn monotone_with_suppression(&self) -> bool {
        false
    }
    /// The figure a report shows for this criterion (`"smallest class"`, ...), and whether the
    /// worst class is the one with the lowest value of [`Criterion::class_measure`].
    fn measure(&self) -> (&'static str, bool);
    /// Class `c`'s figure; `None` where it has none (recursive l on a class with fewer than l
    /// values: no c makes it diverse).
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64>;
    /// The criterion as a rule that an SQL engine checks per class with window functions
    /// (`reident sql --transformation`), when it is one.
    fn class_rule(&self) -> Option<ClassRule> {
        None
    }
}

/// A per-class criterion in the terms of SQL window functions over the generalized QIs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassRule {
    /// The class has at least this many records.
    MinSize(u64),
    /// The class has at least `l` distinct values of a sensitive column (`NULL` is one value).
    MinDistinct { column: String, l: usize },
}

pub struct KAnonymity(pub u64);

impl Criterion for KAnonymity {
    fn describe(&self) -> String {
        format!("{}-anonymity", self.0)
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        t.counts[c] >= self.0
    }
    fn monotone_with_suppression(&self) -> bool {
        true
    }
    fn measure(&self) -> (&'static str, bool) {
        ("smallest class", true)
    }
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64> {
        Some(t.counts[c] as f64)
    }
    fn class_rule(&self) -> Option<ClassRule> {
        Some(ClassRule::MinSize(self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LVariant {
    Distinct,
    Entropy,
    /// Recursive (c, l).
    Recursive(f64),
}

pub struct LDiversity {
    /// Index of the sensitive column in the class table.
    pub sensitive: usize,
    pub column: String,
    pub l: usize,
    pub variant: LVariant,
}

impl Criterion for LDiversity {
    fn describe(&self) -> String {
        match self.variant {
            LVariant::Distinct => format!("distinct {}-diversity on {}", self.l, self.column),
            LVariant::Entropy => format!("entropy {}-diversity on {}", self.l, self.column),
            LVariant::Recursive(c) => {
                format!("recursive ({c},{})-diversity on {}", self.l, self.column)
            }
        }
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        let h = &t.sensitive[self.sensitive];
        match self.variant {
            LVariant::Distinct => class_diversity(h, c).distinct >= self.l,
            LVariant::Entropy => class_diversity(h, c).entropy >= (self.l as f64).ln() - 1e-12,
            LVariant::Recursive(cc) => recursive_ratio(h, c, self.l).is_some_and(|r| r < cc),
        }
    }
    fn monotone_with_suppression(&self) -> bool {
        self.variant == LVariant::Distinct
    }
    fn measure(&self) -> (&'static str, bool) {
        match self.variant {
            LVariant::Distinct => ("fewest distinct values in a class", true),
            LVariant::Entropy => ("lowest entropy l (exp of the class entropy)", true),
            LVariant::Recursive(_) => ("highest r1 / (r_l + ... + r_m) of a class", false),
        }
    }
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64> {
        let h = &t.sensitive[self.sensitive];
        match self.variant {
            LVariant::Distinct => Some(class_diversity(h, c).distinct as f64),
            LVariant::Entropy => Some(class_diversity(h, c).entropy.exp()),
            LVariant::Recursive(_) => recursive_ratio(h, c, self.l),
        }
    }
    fn class_rule(&self) -> Option<ClassRule> {
        (self.variant == LVariant::Distinct).then(|| ClassRule::MinDistinct {
            column: self.column.clone(),
            l: self.l,
        })
    }
}

pub struct TCloseness {
    pub sensitive: usize,
    pub column: String,
    pub t: f64,
    pub ground: GroundDistance,
    /// The distribution of the whole (original) table.
    pub distribution: Distribution,
}

impl Criterion for TCloseness {
    fn describe(&self) -> String {
        format!(
            "{}-closeness ({} distance) on {}",
            self.t,
            format!("{:?}", self.ground).to_lowercase(),
            self.column
        )
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        self.distribution
            .distance(&t.sensitive[self.sensitive], c, self.ground)
            <= self.t + 1e-12
    }
    fn measure(&self) -> (&'static str, bool) {
        ("largest distance of a class to the table", false)
    }
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64> {
        Some(
            self.distribution
                .distance(&t.sensitive[self.sensitive], c, self.ground),
        )
    }
}

/// Highest prosecutor risk at most `max`: every class has at least `1/max` records.
pub struct MaxProsecutorRisk(pub f64);

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
        if !(self.0 > 0.0) {
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

/// A property of the whole table after suppression (average risk, population uniqueness).
pub trait TableCriterion: Sync + Send {
    fn describe(&self) -> String;
    /// `kept`: the sizes of the classes that are not suppressed.
    fn table_ok(&self, kept: &[u64]) -> bool;
    /// Whether a table that meets it still meets it after any generalization, with or without
    /// suppression. Unknown is `false`: the search then evaluates every node.
    fn monotone(&self, _with_suppression: bool) -> bool {
        false
    }
    /// The figure compared with the threshold (for reports), when there is one.
    fn measure(&self, kept: &[u64]) -> Option<f64>;
}

/// Average prosecutor risk (classes / records, after suppression) at most `max`.
pub struct MaxAverageRisk(pub f64);

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
pub struct MaxPopulationUniqueness {
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
pub fn preset(name: &str) -> Option<Box<dyn Criterion>> {
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
