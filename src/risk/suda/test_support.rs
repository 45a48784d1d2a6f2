//! Class tables and MSUs for the SUDA tests.

use hashbrown::HashMap;

use super::Msu;

/// Groups rows of codes into a class table (classes in order of first record).
pub(super) fn class_table(
    rows: &[Vec<u32>],
    n_attrs: usize,
) -> (Vec<Vec<u32>>, Vec<u32>, Vec<u64>) {
    let mut index: HashMap<&[u32], usize> = HashMap::new();
    let mut codes = vec![Vec::new(); n_attrs];
    let mut counts = Vec::new();
    for row in rows {
        let next = counts.len();
        let c = *index.entry(row.as_slice()).or_insert(next);
        if c == next {
            counts.push(0);
            for (a, &v) in row.iter().enumerate() {
                codes[a].push(v);
            }
        }
        counts[c] += 1;
    }
    let cards = codes
        .iter()
        .map(|col| col.iter().max().map_or(0, |&v| v + 1))
        .collect();
    (codes, cards, counts)
}

pub(super) fn msu(class: u32, attrs: &[usize]) -> Msu {
    Msu {
        class,
        attrs: attrs.iter().map(|&a| 1u64 << a).sum(),
    }
}
