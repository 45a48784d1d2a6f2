//! The distribution of equivalence-class sizes: the first thing a statistician looks at.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;

/// Class-size buckets (inclusive bounds; `None` is open-ended), as reports and ARX's risk
/// histogram show them.
pub(crate) const BUCKETS: [(u64, Option<u64>); 7] = [
    (1, Some(1)),
    (2, Some(2)),
    (3, Some(4)),
    (5, Some(9)),
    (10, Some(19)),
    (20, Some(49)),
    (50, None),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeBucket {
    /// The sizes in this bucket as text: `1`, `3-4`, `50+`.
    pub sizes: String,
    pub min: u64,
    pub max: Option<u64>,
    pub classes: u64,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSizes {
    pub records: u64,
    pub classes: u64,
    /// The smallest class: the k of k-anonymity.
    pub smallest: u64,
    pub largest: u64,
    pub histogram: Vec<SizeBucket>,
}

impl ClassSizes {
    pub(crate) fn of(table: &ClassTable) -> ClassSizes {
        ClassSizes::by_sizes(table, &table.counts)
    }

    /// The histogram and extremes when each class `c` (holding `table.counts[c]` records)
    /// counts as size `sizes[c]`: its own count, or a matched size under wildcard counting.
    pub(crate) fn by_sizes(table: &ClassTable, sizes: &[u64]) -> ClassSizes {
        let mut histogram: Vec<SizeBucket> = BUCKETS
            .iter()
            .map(|&(min, max)| SizeBucket {
                sizes: match max {
                    Some(m) if m == min => min.to_string(),
                    Some(m) => format!("{min}-{m}"),
                    None => format!("{min}+"),
                },
                min,
                max,
                classes: 0,
                records: 0,
            })
            .collect();
        for (&f, &size) in table.counts.iter().zip(sizes) {
            if let Some(b) = histogram
                .iter_mut()
                .find(|b| size >= b.min && b.max.is_none_or(|m| size <= m))
            {
                b.classes += 1;
                b.records += f;
            }
        }
        ClassSizes {
            records: table.n_records,
            classes: table.n_classes() as u64,
            smallest: sizes.iter().copied().min().unwrap_or(0),
            largest: sizes.iter().copied().max().unwrap_or(0),
            histogram,
        }
    }
}
