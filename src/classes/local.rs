//! The classes of one chunk, grouped over the chunk's own small dictionaries.

use crate::classes::group::group_tuples;
use crate::input::Chunk;

/// What the columns of a chunk are: `n_qi` QIs, then `n_sensitive` sensitive columns, then the
/// weight column if `weight`. `row_classes` keeps each row's class, for per-record outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    pub n_qi: usize,
    pub n_sensitive: usize,
    pub weight: bool,
    pub row_classes: bool,
}

impl Layout {}

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
    /// Sum of the weight column per class, in row order.
    pub(super) weights: Option<Vec<f64>>,
    /// The local class of every row, when the layout asks for it.
    pub(super) row_classes: Option<Vec<u32>>,
}

impl LocalClasses {
    /// Groups the rows of one chunk laid out as `layout` says. The error is a weight value that
    /// is not a finite, non-negative number.
    pub fn from_chunk(chunk: Chunk, layout: &Layout) -> Result<Self, String> {
        let n_qi = layout.n_qi;
        let rows = chunk.rows;
        let mut cols = chunk.columns;
        let weight_col = if layout.weight { cols.pop() } else { None };
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
        let weights = match weight_col {
            Some(w) => {
                let values = w
                    .dict
                    .iter()
                    .map(|v| match v.parse::<f64>() {
                        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                        _ => Err(v.clone()),
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                let mut sums = vec![0.0f64; g.len()];
                for (&grp, &code) in g.group_of.iter().zip(&w.codes) {
                    sums[grp as usize] += values[code as usize];
                }
                Some(sums)
            }
            None => None,
        };
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
            weights,
            row_classes: layout.row_classes.then_some(g.group_of),
        };
        local.drop_unused_values(n_qi);
        Ok(local)
    }

    /// Keeps only the dictionary entries that some row uses: a Parquet dictionary may hold values
    /// that no row of the chunk has, and those must not enter the table's domains.
    pub(super) fn drop_unused_values(&mut self, n_qi: usize) {
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

    pub(crate) fn n_classes(&self) -> usize {
        self.counts.len()
    }
}
