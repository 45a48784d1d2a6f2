//! k-anonymity: every equivalence class holds at least k records.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;

/// The k values `analyze` checks: 2 and 3 (minimal), 5 (common research default), 11 (the CMS cell
/// size rule), 20 (conservative public release).
pub const COMMON_K: [u64; 5] = [2, 3, 5, 11, 20];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KCheck {
    pub k: u64,
    pub met: bool,
}

pub fn is_k_anonymous(table: &ClassTable, k: u64) -> bool {
    table.counts.iter().all(|&f| f >= k)
}

pub fn common_checks(table: &ClassTable) -> Vec<KCheck> {
    COMMON_K
        .iter()
        .map(|&k| KCheck {
            k,
            met: is_k_anonymous(table, k),
        })
        .collect()
}
