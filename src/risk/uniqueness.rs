//! Sample uniqueness: records alone in their equivalence class.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleUniques {
    pub records: u64,
    /// Share of records that are sample uniques.
    pub share: f64,
}

impl SampleUniques {
    pub(crate) fn of(table: &ClassTable) -> SampleUniques {
        let records = table.counts.iter().filter(|&&f| f == 1).count() as u64;
        SampleUniques {
            records,
            share: records as f64 / table.n_records as f64,
        }
    }
}
