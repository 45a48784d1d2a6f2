//! The classes of one chunk, grouped over the chunk's own small dictionaries.

use crate::group::group_tuples;
use crate::input::Chunk;

/// The classes of one chunk, over the chunk's own dictionaries.
#[derive(Debug, Clone, Default)]
pub struct LocalClasses {
    pub rows: usize,
    /// One dictionary per column: the QIs, then the sensitive columns.
    pub(super) dicts: Vec<Vec<String>>,
    /// `keys[q][c]`: local code of class `c` for QI `q`.
    pub(super) keys: Vec<Vec<u32>>,
    pub(super) counts: Vec<u64>,
    /// Per sensitive column: (local class, local code, count).
    pub(super) sensitive: Vec<Vec<(u32, u32, u64)>>,
}

impl LocalClasses {
    /// Groups the rows of one chunk. The chunk's first `n_qi` columns are the QIs, the rest are
    /// sensitive columns.
    pub fn from_chunk(chunk: Chunk, n_qi: usize) -> Self {
        let rows = chunk.rows;
        let cols = chunk.columns;
        let cards: Vec<u64> = cols[..n_qi].iter().map(|c| c.dict.len() as u64).collect();
        let g = group_tuples(rows, &cards, |c, i| cols[c].codes[i]);
        let keys = cols[..n_qi]
            .iter()
            .map(|col| {
                g.first_item
                    .iter()
                    .map(|&r| col.codes[r as usize])
                    .collect()
            })
            .collect();
        let counts = g.sum_per_group(|_| 1);
        let sensitive = cols[n_qi..]
            .iter()
            .map(|s| {
                let pairs = group_tuples(rows, &[g.len() as u64, s.dict.len() as u64], |c, i| {
                    if c == 0 {
                        g.group_of[i]
                    } else {
                        s.codes[i]
                    }
                });
                let n = pairs.sum_per_group(|_| 1);
                pairs
                    .first_item
                    .iter()
                    .zip(n)
                    .map(|(&r, n)| (g.group_of[r as usize], s.codes[r as usize], n))
                    .collect()
            })
            .collect();
        let mut local = LocalClasses {
            rows,
            dicts: cols.into_iter().map(|c| c.dict).collect(),
            keys,
            counts,
            sensitive,
        };
        local.drop_unused_values(n_qi);
        local
    }

    /// Keeps only the dictionary entries that some row uses: a Parquet dictionary may hold values
    /// that no row of the chunk has, and those must not enter the table's domains.
    fn drop_unused_values(&mut self, n_qi: usize) {
        for (c, dict) in self.dicts.iter_mut().enumerate() {
            let mut remap = vec![u32::MAX; dict.len()];
            let mut mark = |code: &mut u32| {
                if remap[*code as usize] == u32::MAX {
                    remap[*code as usize] = 0;
                }
            };
            if c < n_qi {
                self.keys[c].iter_mut().for_each(&mut mark);
            } else {
                self.sensitive[c - n_qi]
                    .iter_mut()
                    .for_each(|t| mark(&mut t.1));
            }
            if remap.iter().all(|&r| r != u32::MAX) {
                continue;
            }
            let mut kept = Vec::new();
            for (old, r) in remap.iter_mut().enumerate() {
                if *r != u32::MAX {
                    *r = kept.len() as u32;
                    kept.push(std::mem::take(&mut dict[old]));
                }
            }
            *dict = kept;
            if c < n_qi {
                self.keys[c]
                    .iter_mut()
                    .for_each(|k| *k = remap[*k as usize]);
            } else {
                self.sensitive[c - n_qi]
                    .iter_mut()
                    .for_each(|t| t.1 = remap[t.1 as usize]);
            }
        }
    }

    pub fn n_classes(&self) -> usize {
        self.counts.len()
    }
}
