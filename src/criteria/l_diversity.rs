//! l-diversity of a sensitive attribute (Machanavajjhala et al. 2007), per class and for the table.
//!
//! * **distinct l**: the number of distinct sensitive values in a class;
//! * **entropy l**: `exp(H)` with `H = -sum p ln p` over the class's value shares; a class is
//!   entropy-l-diverse when `H >= ln l`, i.e. when this number is at least `l`;
//! * **recursive (c,l)**: with the class's value counts sorted `r_1 >= r_2 >= ... >= r_m`, the
//!   class satisfies (c,l) when `r_1 < c (r_l + r_{l+1} + ... + r_m)`. For each `l` the smallest
//!   such `c` is any number above `max over classes of r_1 / (r_l + ... + r_m)`; a class with fewer
//!   than `l` distinct values satisfies no `c`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ClassRule, Criterion};
use crate::classes::{ClassTable, Histograms};

/// The l values for which the required recursive c is reported.
pub(crate) const RECURSIVE_L: [usize; 4] = [2, 3, 4, 5];

/// Per-class figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassDiversity {
    pub distinct: usize,
    pub entropy: f64,
}

pub fn class_diversity(h: &Histograms, class: usize) -> ClassDiversity {
    let (_, counts) = h.of(class);
    let total: u64 = counts.iter().sum();
    let entropy = -counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            p * p.ln()
        })
        .sum::<f64>();
    ClassDiversity {
        distinct: counts.iter().filter(|&&c| c > 0).count(),
        entropy,
    }
}

/// `r_1 / (r_l + ... + r_m)` for one class, `None` when it has fewer than `l` distinct values.
pub fn recursive_ratio(h: &Histograms, class: usize, l: usize) -> Option<f64> {
    let (_, counts) = h.of(class);
    let mut sorted: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    if l == 0 || sorted.len() < l {
        return None;
    }
    let tail: u64 = sorted[l - 1..].iter().sum();
    Some(sorted[0] as f64 / tail as f64)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violations {
    pub classes: u64,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistinctL {
    /// The smallest number of distinct values in a class: the table's l.
    pub l: usize,
    pub target: usize,
    pub below_target: Violations,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntropyL {
    /// `exp` of the smallest class entropy: the table's entropy l.
    pub l: f64,
    /// The smallest class entropy, in nats.
    pub min_entropy: f64,
    pub target: usize,
    pub below_target: Violations,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecursiveC {
    pub l: usize,
    /// (c,l)-diversity holds for every c above this; `None`: some class has fewer than l values.
    pub c_must_exceed: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecursiveTarget {
    pub c: f64,
    pub l: usize,
    pub holds: bool,
    pub violations: Violations,
}

/// The measurement: a sensitive attribute's l-diversity over the table, as `analyze` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LDiversityFigures {
    pub column: String,
    pub distinct: DistinctL,
    pub entropy: EntropyL,
    pub recursive: Vec<RecursiveC>,
    pub recursive_target: RecursiveTarget,
}

/// Everything l-diversity needs from one class, from one sort of its counts.
struct ClassFigures {
    distinct: usize,
    entropy: f64,
    /// `r_1 / (r_l + ... + r_m)` for each l of [`RECURSIVE_L`].
    ratios: [Option<f64>; RECURSIVE_L.len()],
    /// The same for the target l.
    target_ratio: Option<f64>,
}

fn figures(h: &Histograms, class: usize, target_l: usize, sorted: &mut Vec<u64>) -> ClassFigures {
    let (_, counts) = h.of(class);
    sorted.clear();
    sorted.extend(counts.iter().copied().filter(|&c| c > 0));
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = sorted.iter().sum();
    let entropy = -sorted
        .iter()
        .map(|&c| {
            let p = c as f64 / total as f64;
            p * p.ln()
        })
        .sum::<f64>();
    let ratio = |l: usize| {
        (l >= 1 && sorted.len() >= l)
            .then(|| sorted[0] as f64 / sorted[l - 1..].iter().sum::<u64>() as f64)
    };
    ClassFigures {
        distinct: sorted.len(),
        entropy,
        ratios: RECURSIVE_L.map(ratio),
        target_ratio: ratio(target_l),
    }
}

impl LDiversityFigures {
    /// `l` is the target for distinct and entropy l-diversity and the l of the (c, l) target.
    pub fn of(table: &ClassTable, s: usize, l: usize, c: f64) -> LDiversityFigures {
        let h = &table.sensitive[s];
        let per: Vec<ClassFigures> = (0..table.n_classes())
            .into_par_iter()
            .map_init(Vec::new, |buf, k| figures(h, k, l, buf))
            .collect();
        let count = |bad: &dyn Fn(&ClassFigures) -> bool| {
            let mut v = Violations {
                classes: 0,
                records: 0,
            };
            for (k, f) in per.iter().enumerate().filter(|(_, f)| bad(f)) {
                let _ = f;
                v.classes += 1;
                v.records += table.counts[k];
            }
            v
        };
        let min_entropy = per.iter().map(|f| f.entropy).fold(f64::INFINITY, f64::min);
        let recursive = RECURSIVE_L
            .iter()
            .enumerate()
            .map(|(i, &l)| RecursiveC {
                l,
                c_must_exceed: per
                    .iter()
                    .try_fold(0.0f64, |w, f| f.ratios[i].map(|r| w.max(r))),
            })
            .collect();
        let recursive_violations = count(&|f| f.target_ratio.is_none_or(|r| r >= c));
        LDiversityFigures {
            column: h.domain.name.clone(),
            distinct: DistinctL {
                l: per.iter().map(|f| f.distinct).min().unwrap_or(0),
                target: l,
                below_target: count(&|f| f.distinct < l),
            },
            entropy: EntropyL {
                l: min_entropy.exp(),
                min_entropy,
                target: l,
                below_target: count(&|f| f.entropy < (l as f64).ln() - 1e-12),
            },
            recursive,
            recursive_target: RecursiveTarget {
                c,
                l,
                holds: recursive_violations.classes == 0,
                violations: recursive_violations,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LVariant {
    Distinct,
    Entropy,
    /// Recursive (c, l).
    Recursive(f64),
}

/// The predicate: every class l-diverse in the given variant.
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
