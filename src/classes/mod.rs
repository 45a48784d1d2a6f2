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
//!    ([`ClassTable::from_locals`], a bounded buffer at a time: [`Merger`]). Dictionaries are then
//!    put in natural order (numbers by value, text by bytes, `NULL` last) and classes are kept in
//!    the order of their first record, so that the result does not depend on the thread count or
//!    the chunking.
//!
//! A coarser table (some QIs generalized through a recoding, some dropped) is made from a finer one
//! with [`ClassTable::rollup`], which groups classes, not rows. Both steps and the roll-up use the
//! same group-by (the group-by of the `group` module).

use std::sync::Arc;

use crate::classes::group::group_tuples;
use crate::input::encode::NULL_TEXT;

pub(crate) mod build;
mod command;
pub(crate) mod group;
pub mod io;
mod local;
mod merge;
pub mod people;
pub mod wildcard;

pub use build::{build_class_table, build_classes, Source};
pub use command::{run, Options, Outcome, PeopleWritten};
pub use local::{Layout, LocalClasses};
pub use merge::Merger;

/// The values of one column: code `c` stands for `values[c]` (canonical text).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Domain {
    pub name: String,
    /// Shared: roll-ups and lattice searches copy domains often, and never change them.
    pub values: Arc<[String]>,
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
    pub(crate) fn from_triples(
        domain: Domain,
        n_classes: usize,
        triples: &[(u32, u32, u64)],
    ) -> Self {
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
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// `weights[c]`: the sum of the sampling weights of class `c`'s records (its estimated
    /// population size), when a weight column was read.
    pub weights: Option<Vec<f64>>,
}

/// A recoding of one QI's codes into a coarser domain (a hierarchy level, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recode {
    /// `map[old_code]` is the new code.
    pub map: Vec<u32>,
    /// The new domain's values (shared: a lattice search hands the same recode to many
    /// roll-ups, and each result's domain points at it instead of copying the strings).
    pub values: Arc<[String]>,
}

/// One QI of a roll-up: which QI of the finer table it comes from, and how it is recoded.
#[derive(Debug, Clone, Copy)]
pub struct RollupQi<'a> {
    pub source: usize,
    pub recode: Option<&'a Recode>,
}

impl ClassTable {
    /// Merges the chunks' classes, in the order given, into one class table: a [`Merger`] fed
    /// one window.
    pub fn from_locals(names: &[String], n_qi: usize, locals: Vec<LocalClasses>) -> Self {
        let mut m = Merger::new(names, n_qi);
        m.push(locals);
        m.finish()
    }

    pub fn n_classes(&self) -> usize {
        self.counts.len()
    }

    /// The classes for which `keep(class)` holds, in their order (the table after suppression).
    pub(crate) fn retain(&self, keep: impl Fn(usize) -> bool) -> ClassTable {
        let kept: Vec<usize> = (0..self.n_classes()).filter(|&c| keep(c)).collect();
        // Each kept class keeps its histogram as it is (codes ascending), so slices are copied.
        let sensitive = self
            .sensitive
            .iter()
            .map(|h| {
                let mut offsets = Vec::with_capacity(kept.len() + 1);
                offsets.push(0);
                let (mut codes, mut counts) = (Vec::new(), Vec::new());
                for &c in &kept {
                    let (k, n) = h.of(c);
                    codes.extend_from_slice(k);
                    counts.extend_from_slice(n);
                    offsets.push(codes.len());
                }
                Histograms {
                    domain: h.domain.clone(),
                    offsets,
                    codes,
                    counts,
                }
            })
            .collect();
        ClassTable {
            n_records: kept.iter().map(|&c| self.counts[c]).sum(),
            qis: self.qis.clone(),
            codes: self
                .codes
                .iter()
                .map(|col| kept.iter().map(|&c| col[c]).collect())
                .collect(),
            counts: kept.iter().map(|&c| self.counts[c]).collect(),
            sensitive,
            weights: self
                .weights
                .as_ref()
                .map(|w| kept.iter().map(|&c| w[c]).collect()),
        }
    }

    /// The canonical texts of one class's QI values.
    pub fn key_text(&self, class: usize) -> Vec<&str> {
        self.qis
            .iter()
            .zip(&self.codes)
            .map(|(d, col)| d.values[col[class] as usize].as_str())
            .collect()
    }

    /// A coarser class table, from this one's classes: the QIs listed (in that order), each
    /// optionally recoded. QIs not listed are dropped. The classes of the result are in order of
    /// first appearance in this table.
    pub fn rollup(&self, qis: &[RollupQi]) -> ClassTable {
        self.rollup_with_map(qis).0
    }

    /// [`ClassTable::rollup`], and the class of the result that each class of this table went to.
    pub fn rollup_with_map(&self, qis: &[RollupQi]) -> (ClassTable, Vec<u32>) {
        let n = self.n_classes();
        let cards: Vec<u64> = qis
            .iter()
            .map(|q| match q.recode {
                Some(r) => r.values.len() as u64,
                None => self.qis[q.source].values.len() as u64,
            })
            .collect();
        // Each QI's codes over this table's classes, recoded once into a plain slice, so that the
        // group-by's inner loops read one array (the search rolls up thousands of tables).
        let recoded: Vec<Option<Vec<u32>>> = qis
            .iter()
            .map(|q| {
                q.recode.map(|r| {
                    self.codes[q.source]
                        .iter()
                        .map(|&old| r.map[old as usize])
                        .collect()
                })
            })
            .collect();
        let cols: Vec<&[u32]> = qis
            .iter()
            .zip(&recoded)
            .map(|(q, r)| match r {
                Some(v) => v.as_slice(),
                None => self.codes[q.source].as_slice(),
            })
            .collect();
        let g = group_tuples(n, &cards, |c, i| cols[c][i]);
        let codes = cols
            .iter()
            .map(|col| g.first_item.iter().map(|&i| col[i as usize]).collect())
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
        let weights = self.weights.as_ref().map(|w| {
            let mut sums = vec![0.0; g.len()];
            for (i, &x) in w.iter().enumerate() {
                sums[g.group_of[i] as usize] += x;
            }
            sums
        });
        let table = ClassTable {
            n_records: self.n_records,
            qis: domains,
            codes,
            counts,
            sensitive,
            weights,
        };
        (table, g.group_of)
    }
}

impl ClassTable {
    /// The table after suppression of the `failing` classes: removed, or (`star`) with every QI
    /// value replaced by `*`, merged with any class whose values already are all `*` (as the
    /// records would group if the starred data were read back). What `anonymize` writes when
    /// its input is a class table.
    pub fn suppress(&self, failing: &[bool], star: bool) -> ClassTable {
        if !star {
            return self.retain(|c| !failing[c]);
        }
        // Every class is kept, its position unchanged: `failing[c]` still speaks of class c.
        let mut t = self.clone();
        // Each QI's domain with `*` in its natural place, the codes moved to match.
        for (d, col) in t.qis.iter_mut().zip(t.codes.iter_mut()) {
            let mut values: Vec<String> = d.values.to_vec();
            if !values.iter().any(|v| v == "*") {
                values.push("*".into());
            }
            let r = rank(&values);
            let star_code = r[values.iter().position(|v| v == "*").unwrap()];
            for (c, code) in col.iter_mut().enumerate() {
                *code = if failing[c] {
                    star_code
                } else {
                    r[*code as usize]
                };
            }
            d.values = sorted_values(&values, &r).into();
        }
        let all: Vec<RollupQi> = (0..t.qis.len())
            .map(|q| RollupQi {
                source: q,
                recode: None,
            })
            .collect();
        t.rollup(&all)
    }
}

/// `rank[i]` is the position of `values[i]` in natural order: when every value (but `NULL`) reads
/// as a number, by number (ties by text); otherwise by text. `NULL` sorts last.
pub(crate) fn rank(values: &[String]) -> Vec<u32> {
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
        None => idx.sort_by(|&a, &b| is_null(a).cmp(&is_null(b)).then(values[a].cmp(&values[b]))),
    }
    let mut rank = vec![0u32; values.len()];
    for (r, &i) in idx.iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

pub(crate) fn sorted_values(values: &[String], rank: &[u32]) -> Vec<String> {
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
