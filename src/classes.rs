//! The class table: the data reduced to its equivalence classes over the quasi-identifiers.
//!
//! Every metric and every search in reident works on a [`ClassTable`], never on the rows. It holds,
//! for each equivalence class, its code tuple over the QIs (one dense code per QI, indexing that QI's
//! [`Domain`]), its size, and for each sensitive column a histogram of that column's codes.
//!
//! It is built in two steps so that the rows are read once and in parallel:
//! 1. each chunk of rows (a Parquet row group, a block of CSV lines) is grouped on its own, with its
//!    own small dictionaries ([`LocalClasses::from_chunk`]);
//! 2. the chunks' classes are merged, in chunk order, into global dictionaries and global classes
//!    ([`ClassTable::from_locals`]). Dictionaries are then put in natural order (numbers by value,
//!    text by bytes, `NULL` last) and classes sorted by code tuple, so that the result depends on the
//!    data alone: not on the thread count, chunking, or the order of values in the file.
//!
//! A coarser table (some QIs generalized through a recoding, some dropped) is made from a finer one
//! with [`ClassTable::rollup`], which groups classes, not rows. Both steps and the roll-up use the
//! same group-by ([`crate::group::group_tuples`]).

use std::cmp::Ordering;

use hashbrown::HashMap;
use rayon::prelude::*;

use crate::group::{group_folded, group_tuples, Grouping};
use crate::input::encode::NULL_TEXT;
use crate::input::Chunk;

/// The values of one column: code `c` stands for `values[c]` (canonical text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Domain {
    pub name: String,
    pub values: Vec<String>,
}

/// One histogram per class, in compressed sparse rows: class `c` holds the sensitive codes
/// `codes[offsets[c]..offsets[c + 1]]` (ascending) with their `counts`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histograms {
    pub domain: Domain,
    pub offsets: Vec<usize>,
    pub codes: Vec<u32>,
    pub counts: Vec<u64>,
}

impl Histograms {
    /// The histogram of one class: (codes, counts).
    pub fn of(&self, class: usize) -> (&[u32], &[u64]) {
        let r = self.offsets[class]..self.offsets[class + 1];
        (&self.codes[r.clone()], &self.counts[r])
    }

    /// Builds the histograms from (class, code, count) triples in any order; duplicates are summed.
    fn from_triples(domain: Domain, n_classes: usize, triples: &[(u32, u32, u64)]) -> Self {
        let mut offsets = vec![0usize; n_classes + 1];
        for &(c, _, _) in triples {
            offsets[c as usize + 1] += 1;
        }
        for i in 0..n_classes {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut pairs = vec![(0u32, 0u64); triples.len()];
        for &(c, code, count) in triples {
            pairs[fill[c as usize]] = (code, count);
            fill[c as usize] += 1;
        }
        let mut codes = Vec::with_capacity(pairs.len());
        let mut counts = Vec::with_capacity(pairs.len());
        let mut new_offsets = Vec::with_capacity(n_classes + 1);
        new_offsets.push(0);
        for c in 0..n_classes {
            let slice = &mut pairs[offsets[c]..offsets[c + 1]];
            slice.sort_unstable_by_key(|p| p.0);
            for &(code, count) in slice.iter() {
                if codes.last() == Some(&code) && codes.len() > *new_offsets.last().unwrap() {
                    *counts.last_mut().unwrap() += count;
                } else {
                    codes.push(code);
                    counts.push(count);
                }
            }
            new_offsets.push(codes.len());
        }
        Histograms {
            domain,
            offsets: new_offsets,
            codes,
            counts,
        }
    }
}

/// Equivalence classes over the quasi-identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassTable {
    /// Number of records (the sum of `counts`).
    pub n_records: u64,
    /// One domain per quasi-identifier, in the order the user gave them.
    pub qis: Vec<Domain>,
    /// `codes[q][c]`: the code of class `c` for quasi-identifier `q` (column-major, because every
    /// roll-up and metric walks one QI at a time).
    pub codes: Vec<Vec<u32>>,
    /// `counts[c]`: the number of records in class `c`.
    pub counts: Vec<u64>,
    /// One set of histograms per sensitive column.
    pub sensitive: Vec<Histograms>,
}

/// The classes of one chunk, over the chunk's own dictionaries.
#[derive(Debug, Clone, Default)]
pub struct LocalClasses {
    pub rows: usize,
    /// One dictionary per column: the QIs, then the sensitive columns.
    dicts: Vec<Vec<String>>,
    keys: Vec<Vec<u32>>,
    counts: Vec<u64>,
    sensitive: Vec<Vec<(u32, u32, u64)>>,
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
            .map(|col| g.first_item.iter().map(|&r| col.codes[r as usize]).collect())
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
                self.sensitive[c - n_qi].iter_mut().for_each(|t| mark(&mut t.1));
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
                self.keys[c].iter_mut().for_each(|k| *k = remap[*k as usize]);
            } else {
                self.sensitive[c - n_qi].iter_mut().for_each(|t| t.1 = remap[t.1 as usize]);
            }
        }
    }

    pub fn n_classes(&self) -> usize {
        self.counts.len()
    }
}

/// Interns canonical texts into global codes, in order of first appearance.
#[derive(Default)]
struct Interner {
    codes: HashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    fn map(&mut self, dict: &[String]) -> Vec<u32> {
        dict.iter()
            .map(|v| match self.codes.get(v.as_str()) {
                Some(&c) => c,
                None => {
                    let c = self.values.len() as u32;
                    self.codes.insert(v.clone(), c);
                    self.values.push(v.clone());
                    c
                }
            })
            .collect()
    }
}

/// A recoding of one QI's codes into a coarser domain (a hierarchy level, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recode {
    /// `map[old_code]` is the new code.
    pub map: Vec<u32>,
    /// The new domain's values.
    pub values: Vec<String>,
}

/// One QI of a roll-up: which QI of the finer table it comes from, and how it is recoded.
#[derive(Debug, Clone, Copy)]
pub struct RollupQi<'a> {
    pub source: usize,
    pub recode: Option<&'a Recode>,
}

impl ClassTable {
    pub fn n_classes(&self) -> usize {
        self.counts.len()
    }

    /// The code tuple of one class.
    pub fn key(&self, class: usize) -> Vec<u32> {
        self.codes.iter().map(|col| col[class]).collect()
    }

    /// The canonical texts of one class's QI values.
    pub fn key_text(&self, class: usize) -> Vec<&str> {
        self.qis
            .iter()
            .zip(&self.codes)
            .map(|(d, col)| d.values[col[class] as usize].as_str())
            .collect()
    }

    /// Merges the chunks' classes, in the order given, into one class table. Classes are in order
    /// of their first record.
    /// `names` are the QI names followed by the sensitive column names.
    pub fn from_locals(names: &[String], n_qi: usize, locals: Vec<LocalClasses>) -> Self {
        let n_cols = names.len();
        let mut interners: Vec<Interner> = (0..n_cols).map(|_| Interner::default()).collect();
        // Map every chunk's dictionaries into global codes (cheap: dictionaries are small).
        let maps: Vec<Vec<Vec<u32>>> = locals
            .iter()
            .map(|l| {
                l.dicts
                    .iter()
                    .zip(interners.iter_mut())
                    .map(|(d, i)| i.map(d))
                    .collect()
            })
            .collect();
        let n_items: usize = locals.iter().map(|l| l.n_classes()).sum();
        let n_records: u64 = locals.iter().map(|l| l.rows as u64).sum();
        // Codes follow the natural order of every dictionary: compose each chunk's map with it.
        let orders: Vec<Vec<u32>> = interners.iter().map(|i| rank(&i.values)).collect();
        let maps: Vec<Vec<Vec<u32>>> = maps
            .into_iter()
            .map(|m| {
                m.into_iter()
                    .zip(&orders)
                    .map(|(m, ord)| m.iter().map(|&c| ord[c as usize]).collect())
                    .collect()
            })
            .collect();
        let mut item_offset = Vec::with_capacity(locals.len() + 1);
        item_offset.push(0usize);
        for l in &locals {
            item_offset.push(item_offset.last().unwrap() + l.n_classes());
        }
        let cards: Vec<u64> = interners[..n_qi]
            .iter()
            .map(|i| i.values.len() as u64)
            .collect();
        // Group all chunks' classes by their global code tuples, each chunk folding its own keys
        // into its slice of the ids, in parallel.
        let g = group_folded(n_items, &cards, |q, card, ids| {
            let mut slices = Vec::with_capacity(locals.len());
            let mut rest = ids;
            for l in &locals {
                let (mine, tail) = rest.split_at_mut(l.n_classes());
                slices.push(mine);
                rest = tail;
            }
            slices
                .into_par_iter()
                .zip(locals.par_iter().zip(&maps))
                .for_each(|(ids, (l, m))| {
                    for (id, &k) in ids.iter_mut().zip(&l.keys[q]) {
                        *id = *id * card + m[q][k as usize] as u64;
                    }
                });
        });
        let mut counts = vec![0u64; g.len()];
        for (l, &off) in locals.iter().zip(&item_offset) {
            for (j, &n) in l.counts.iter().enumerate() {
                counts[g.group_of[off + j] as usize] += n;
            }
        }
        // Classes stay in order of first appearance in the file, which does not depend on
        // chunking or threads (sorting them cost more than the whole group-by).
        let origin: Vec<(u32, u32)> = g
            .first_item
            .iter()
            .map(|&i| {
                let li = item_offset.partition_point(|&o| o <= i as usize) - 1;
                (li as u32, (i as usize - item_offset[li]) as u32)
            })
            .collect();
        let codes: Vec<Vec<u32>> = (0..n_qi)
            .into_par_iter()
            .map(|q| {
                origin
                    .iter()
                    .map(|&(li, local)| {
                        let li = li as usize;
                        maps[li][q][locals[li].keys[q][local as usize] as usize]
                    })
                    .collect()
            })
            .collect();
        let n_classes = g.len();

        let sensitive = (n_qi..n_cols)
            .map(|col| {
                let s = col - n_qi;
                let triples: Vec<(u32, u32, u64)> = locals
                    .iter()
                    .enumerate()
                    .flat_map(|(li, l)| {
                        let off = item_offset[li];
                        let map = &maps[li][col];
                        let g = &g;
                        l.sensitive[s].iter().map(move |&(c, code, n)| {
                            (g.group_of[off + c as usize], map[code as usize], n)
                        })
                    })
                    .collect();
                let domain = Domain {
                    name: names[col].clone(),
                    values: sorted_values(&interners[col].values, &orders[col]),
                };
                Histograms::from_triples(domain, n_classes, &triples)
            })
            .collect();
        let qis = (0..n_qi)
            .map(|q| Domain {
                name: names[q].clone(),
                values: sorted_values(&interners[q].values, &orders[q]),
            })
            .collect();
        ClassTable {
            n_records,
            qis,
            codes,
            counts,
            sensitive,
        }
    }

    /// A coarser class table, from this one's classes: the QIs listed (in that order), each
    /// optionally recoded. QIs not listed are dropped. The classes of the result are in order of
    /// first appearance; [`ClassTable::sort`] puts them in canonical order when that matters.
    pub fn rollup(&self, qis: &[RollupQi]) -> ClassTable {
        let n = self.n_classes();
        let cards: Vec<u64> = qis
            .iter()
            .map(|q| match q.recode {
                Some(r) => r.values.len() as u64,
                None => self.qis[q.source].values.len() as u64,
            })
            .collect();
        let code = |c: usize, i: usize| {
            let old = self.codes[qis[c].source][i];
            match qis[c].recode {
                Some(r) => r.map[old as usize],
                None => old,
            }
        };
        let g = group_tuples(n, &cards, code);
        let codes = (0..qis.len())
            .map(|c| g.first_item.iter().map(|&i| code(c, i as usize)).collect())
            .collect();
        let counts = g.sum_per_group(|i| self.counts[i]);
        let sensitive = self
            .sensitive
            .iter()
            .map(|h| {
                let mut triples = Vec::with_capacity(h.codes.len());
                for class in 0..n {
                    let (codes, counts) = h.of(class);
                    let to = g.group_of[class];
                    triples.extend(codes.iter().zip(counts).map(|(&c, &k)| (to, c, k)));
                }
                Histograms::from_triples(h.domain.clone(), g.len(), &triples)
            })
            .collect();
        let domains = qis
            .iter()
            .map(|q| match q.recode {
                Some(r) => Domain {
                    name: self.qis[q.source].name.clone(),
                    values: r.values.clone(),
                },
                None => self.qis[q.source].clone(),
            })
            .collect();
        ClassTable {
            n_records: self.n_records,
            qis: domains,
            codes,
            counts,
            sensitive,
        }
    }

    /// Puts the classes in canonical order (ascending code tuples).
    pub fn sort(&mut self) {
        let mut perm: Vec<u32> = (0..self.n_classes() as u32).collect();
        perm.par_sort_unstable_by(|&a, &b| cmp_tuple(&self.codes, a as usize, b as usize));
        for col in &mut self.codes {
            *col = perm.iter().map(|&p| col[p as usize]).collect();
        }
        self.counts = perm.iter().map(|&p| self.counts[p as usize]).collect();
        for h in &mut self.sensitive {
            let mut triples = Vec::with_capacity(h.codes.len());
            for (new, &old) in perm.iter().enumerate() {
                let (codes, counts) = h.of(old as usize);
                triples.extend(codes.iter().zip(counts).map(|(&c, &k)| (new as u32, c, k)));
            }
            *h = Histograms::from_triples(std::mem::take(&mut h.domain), perm.len(), &triples);
        }
    }

    /// The grouping of this table's classes by a subset of its QIs, without building the coarser
    /// table: for metrics that only need class sizes.
    pub fn group_by(&self, qis: &[RollupQi]) -> Grouping {
        let cards: Vec<u64> = qis
            .iter()
            .map(|q| match q.recode {
                Some(r) => r.values.len() as u64,
                None => self.qis[q.source].values.len() as u64,
            })
            .collect();
        group_tuples(self.n_classes(), &cards, |c, i| {
            let old = self.codes[qis[c].source][i];
            qis[c].recode.map_or(old, |r| r.map[old as usize])
        })
    }
}

fn cmp_tuple(codes: &[Vec<u32>], a: usize, b: usize) -> Ordering {
    for col in codes {
        match col[a].cmp(&col[b]) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// `rank[i]` is the position of `values[i]` in natural order: when every value (but `NULL`) reads
/// as a number, by number (ties by text); otherwise by text. `NULL` sorts last.
fn rank(values: &[String]) -> Vec<u32> {
    let nums: Option<Vec<f64>> = values
        .iter()
        .filter(|v| v.as_str() != NULL_TEXT)
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let mut idx: Vec<usize> = (0..values.len()).collect();
    let is_null = |i: usize| values[i] == NULL_TEXT;
    match nums {
        Some(_) => {
            let num = |i: usize| values[i].parse::<f64>().unwrap_or(f64::INFINITY);
            idx.sort_by(|&a, &b| {
                is_null(a)
                    .cmp(&is_null(b))
                    .then(num(a).total_cmp(&num(b)))
                    .then(values[a].cmp(&values[b]))
            });
        }
        None => idx.sort_by(|&a, &b| {
            is_null(a)
                .cmp(&is_null(b))
                .then(values[a].cmp(&values[b]))
        }),
    }
    let mut rank = vec![0u32; values.len()];
    for (r, &i) in idx.iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

fn sorted_values(values: &[String], rank: &[u32]) -> Vec<String> {
    let mut out = vec![String::new(); values.len()];
    for (v, &r) in values.iter().zip(rank) {
        out[r as usize] = v.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_numbers_by_value_null_last() {
        let v: Vec<String> = ["10", "9", "NULL", "-1", "9.5"].map(String::from).into();
        assert_eq!(rank(&v), vec![3, 1, 4, 0, 2]);
        let t: Vec<String> = ["b", "NULL", "a", "10"].map(String::from).into();
        assert_eq!(rank(&t), vec![2, 3, 1, 0]);
    }

    #[test]
    fn histogram_triples_are_summed_and_sorted() {
        let h = Histograms::from_triples(
            Domain::default(),
            3,
            &[(2, 5, 1), (0, 3, 2), (2, 1, 4), (2, 5, 3), (0, 1, 1)],
        );
        assert_eq!(h.of(0), (&[1u32, 3][..], &[1u64, 2][..]));
        assert_eq!(h.of(1), (&[][..], &[][..]));
        assert_eq!(h.of(2), (&[1u32, 5][..], &[4u64, 4][..]));
    }
}
