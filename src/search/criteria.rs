//! Privacy models as search targets: each decides, class by class, whether a class of a
//! generalized table is acceptable. Records in unacceptable classes are suppressed, up to the
//! suppression limit. All of these are monotone: merging acceptable classes gives an acceptable
//! class, which is what lets a search tag whole regions of the lattice at once.

use crate::classes::ClassTable;
use crate::criteria::l_diversity::{class_diversity, recursive_ratio};
use crate::criteria::t_closeness::{Distribution, GroundDistance};

/// A per-class privacy criterion.
pub trait Criterion: Sync + Send {
    /// A short description for reports: `5-anonymity`, `recursive (4,3)-diversity on occupation`.
    fn describe(&self) -> String;
    /// Whether class `c` of `t` satisfies the criterion.
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool;
}

pub struct KAnonymity(pub u64);

impl Criterion for KAnonymity {
    fn describe(&self) -> String {
        format!("{}-anonymity", self.0)
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        t.counts[c] >= self.0
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
}
