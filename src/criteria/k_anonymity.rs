//! k-anonymity: every equivalence class holds at least k records.

use serde::{Deserialize, Serialize};

use super::{ClassRule, Criterion};
use crate::classes::ClassTable;

/// The k values `analyze` checks: 2 and 3 (minimal), 5 (common research default), 11 (the CMS cell
/// size rule), 20 (conservative public release).
pub(crate) const COMMON_K: [u64; 5] = [2, 3, 5, 11, 20];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KCheck {
    pub k: u64,
    pub met: bool,
}

pub(crate) fn is_k_anonymous(table: &ClassTable, k: u64) -> bool {
    table.counts.iter().all(|&f| f >= k)
}

pub(crate) fn common_checks(table: &ClassTable) -> Vec<KCheck> {
    COMMON_K
        .iter()
        .map(|&k| KCheck {
            k,
            met: is_k_anonymous(table, k),
        })
        .collect()
}

/// The predicate: every class of at least k records.
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
