//! Merging chunks' classes into the global class table, in bounded memory.
//!
//! Chunks' classes are buffered until they hold [`FLUSH_ITEMS`] chunk-local classes (or twice the
//! number of global classes, if more); then the
//! global classes found so far and the buffered ones are grouped together with the engine's one
//! group-by ([`crate::classes::group::group_folded`]), and the buffer is dropped. Memory is therefore the
//! class table plus one buffer, however long the file.
//!
//! * Values are interned into provisional global codes in order of first appearance; those codes
//!   never change while merging. Natural order is applied once, at the end.
//! * In each grouping the global classes come first, in their order, and groups are numbered by
//!   their first item: old classes keep their numbers and new ones follow in file order. The final
//!   order of classes is thus the order of their first record in the file, whatever the thread
//!   count, chunking or buffer size.

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{rank, sorted_values, ClassTable, Domain, Histograms, LocalClasses};
use crate::classes::group::{group_folded, group_tuples};

/// Chunk-local classes buffered before they are merged (about 45 bytes each with 9 QIs).
pub(crate) const FLUSH_ITEMS: usize = 8 << 20;

/// Interns canonical texts into global codes, in order of first appearance.
#[derive(Default)]
pub(super) struct Interner {
    codes: HashMap<String, u32>,
    pub(super) values: Vec<String>,
}

impl Interner {
    pub(super) fn map(&mut self, dict: &[String]) -> Vec<u32> {
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

/// A buffered chunk and its dictionaries' maps into provisional global codes.
struct Buffered {
    local: LocalClasses,
    maps: Vec<Vec<u32>>,
}

/// Streams chunks' classes into one class table.
pub struct Merger {
    names: Vec<String>,
    n_qi: usize,
    interners: Vec<Interner>,
    /// Global classes so far: `keys[q][c]` in provisional codes.
    keys: Vec<Vec<u32>>,
    counts: Vec<u64>,
    /// Per sensitive column: (class, provisional code, count), one triple per pair.
    sensitive: Vec<Vec<(u32, u32, u64)>>,
    /// Weight sums per class, when the chunks carry a weight column.
    weights: Option<Vec<f64>>,
    /// The class of every row so far, when the chunks carry their rows' classes.
    row_classes: Option<Vec<u32>>,
    buffer: Vec<Buffered>,
    buffered_items: usize,
    records: u64,
    flush_items: usize,
}

impl Merger {
    /// `names`: the QIs, then the sensitive columns.
    pub(crate) fn new(names: &[String], n_qi: usize) -> Self {
        Self::with_flush_items(names, n_qi, FLUSH_ITEMS)
    }

    /// A merger that merges its buffer every `flush_items` chunk-local classes (tests use small
    /// values to exercise many merges).
    pub fn with_flush_items(names: &[String], n_qi: usize, flush_items: usize) -> Self {
        Merger {
            names: names.to_vec(),
            n_qi,
            interners: (0..names.len()).map(|_| Interner::default()).collect(),
            keys: vec![Vec::new(); n_qi],
            counts: Vec::new(),
            sensitive: vec![Vec::new(); names.len() - n_qi],
            weights: None,
            row_classes: None,
            buffer: Vec::new(),
            buffered_items: 0,
            records: 0,
            flush_items: flush_items.max(1),
        }
    }

    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Adds chunks' classes, in file order.
    pub fn push(&mut self, locals: Vec<LocalClasses>) {
        for local in locals {
            if local.weights.is_some() && self.weights.is_none() {
                self.weights = Some(Vec::new());
            }
            if local.row_classes.is_some() && self.row_classes.is_none() {
                self.row_classes = Some(Vec::new());
            }
            let maps = local
                .dicts
                .iter()
                .zip(self.interners.iter_mut())
                .map(|(d, i)| i.map(d))
                .collect();
            // Saturating: class files check their total against a cap (`io::check_total`).
            self.records = self.records.saturating_add(local.rows as u64);
            self.buffered_items += local.n_classes();
            self.buffer.push(Buffered { local, maps });
        }
        // Regrouping the global classes is amortized: the buffer grows with the table.
        if self.buffered_items >= self.flush_items.max(2 * self.counts.len()) {
            self.flush();
        }
    }

    /// Groups the global classes and the buffered ones together.
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let n_qi = self.n_qi;
        let n_old = self.counts.len();
        let buffer = std::mem::take(&mut self.buffer);
        self.buffered_items = 0;
        let mut offsets = Vec::with_capacity(buffer.len() + 1);
        offsets.push(n_old);
        for b in &buffer {
            offsets.push(offsets.last().unwrap() + b.local.n_classes());
        }
        let n_items = *offsets.last().unwrap();
        let cards: Vec<u64> = self.interners[..n_qi]
            .iter()
            .map(|i| i.values.len() as u64)
            .collect();
        let keys = &self.keys;
        let g = group_folded(n_items, &cards, |q, card, ids| {
            // The global classes, then each buffered chunk into its own slice, in parallel.
            let (old, mut rest) = ids.split_at_mut(n_old);
            for (id, &k) in old.iter_mut().zip(&keys[q]) {
                *id = *id * card + k as u64;
            }
            let mut slices = Vec::with_capacity(buffer.len());
            for b in &buffer {
                let (mine, tail) = rest.split_at_mut(b.local.n_classes());
                slices.push(mine);
                rest = tail;
            }
            slices.into_par_iter().zip(&buffer).for_each(|(ids, b)| {
                for (id, &k) in ids.iter_mut().zip(&b.local.keys[q]) {
                    *id = *id * card + b.maps[q][k as usize] as u64;
                }
            });
        });
        // Old classes are distinct and come first, so they keep their numbers.
        debug_assert!((0..n_old).all(|i| g.group_of[i] as usize == i));
        let n_classes = g.len();
        let origin = |item: usize| {
            let bi = offsets.partition_point(|&o| o <= item) - 1;
            (bi, item - offsets[bi])
        };
        let new_origins: Vec<(usize, usize)> = g.first_item[n_old..]
            .iter()
            .map(|&i| origin(i as usize))
            .collect();
        for q in 0..n_qi {
            let col = &mut self.keys[q];
            col.extend(
                new_origins
                    .iter()
                    .map(|&(bi, j)| buffer[bi].maps[q][buffer[bi].local.keys[q][j] as usize]),
            );
        }
        self.counts.resize(n_classes, 0);
        for (b, &off) in buffer.iter().zip(&offsets) {
            for (j, &n) in b.local.counts.iter().enumerate() {
                let c = &mut self.counts[g.group_of[off + j] as usize];
                *c = c.saturating_add(n);
            }
        }
        if let Some(w) = &mut self.weights {
            w.resize(n_classes, 0.0);
            for (b, &off) in buffer.iter().zip(&offsets) {
                for (j, &x) in b.local.weights.iter().flatten().enumerate() {
                    w[g.group_of[off + j] as usize] += x;
                }
            }
        }
        // Class numbers given here are final (old classes keep theirs), so rows can be mapped now.
        if let Some(rc) = &mut self.row_classes {
            for (b, &off) in buffer.iter().zip(&offsets) {
                rc.extend(
                    b.local
                        .row_classes
                        .iter()
                        .flatten()
                        .map(|&lc| g.group_of[off + lc as usize]),
                );
            }
        }
        for (s, acc) in self.sensitive.iter_mut().enumerate() {
            for (b, &off) in buffer.iter().zip(&offsets) {
                let map = &b.maps[n_qi + s];
                acc.extend(
                    b.local.sensitive[s]
                        .iter()
                        .map(|&(c, code, n)| (g.group_of[off + c as usize], map[code as usize], n)),
                );
            }
            *acc = sum_pairs(acc, n_classes, self.interners[n_qi + s].values.len());
        }
    }

    /// The class table: codes in the natural order of each domain, classes in order of their
    /// first record.
    pub fn finish(self) -> ClassTable {
        self.finish_with_rows().0
    }

    /// [`Merger::finish`], and the class of every row (in file order) if the chunks kept them.
    pub(crate) fn finish_with_rows(mut self) -> (ClassTable, Option<Vec<u32>>) {
        self.flush();
        let row_classes = self.row_classes.take();
        let n_qi = self.n_qi;
        let n_classes = self.counts.len();
        let orders: Vec<Vec<u32>> = self.interners.iter().map(|i| rank(&i.values)).collect();
        let codes: Vec<Vec<u32>> = self
            .keys
            .into_par_iter()
            .zip(&orders)
            .map(|(col, ord)| col.into_iter().map(|c| ord[c as usize]).collect())
            .collect();
        let sensitive = self
            .sensitive
            .iter()
            .enumerate()
            .map(|(s, triples)| {
                let col = n_qi + s;
                let ord = &orders[col];
                let triples: Vec<(u32, u32, u64)> = triples
                    .iter()
                    .map(|&(c, code, n)| (c, ord[code as usize], n))
                    .collect();
                let domain = Domain {
                    name: self.names[col].clone(),
                    values: sorted_values(&self.interners[col].values, ord).into(),
                };
                Histograms::from_triples(domain, n_classes, &triples)
            })
            .collect();
        let qis = (0..n_qi)
            .map(|q| Domain {
                name: self.names[q].clone(),
                values: sorted_values(&self.interners[q].values, &orders[q]).into(),
            })
            .collect();
        let table = ClassTable {
            n_records: self.records,
            qis,
            codes,
            counts: self.counts,
            sensitive,
            weights: self.weights,
        };
        (table, row_classes)
    }
}

/// One triple per (class, code) pair, counts summed.
fn sum_pairs(
    triples: &[(u32, u32, u64)],
    n_classes: usize,
    n_codes: usize,
) -> Vec<(u32, u32, u64)> {
    let g = group_tuples(
        triples.len(),
        &[n_classes as u64, n_codes as u64],
        |c, i| {
            if c == 0 {
                triples[i].0
            } else {
                triples[i].1
            }
        },
    );
    let sums = g.sum_per_group(|i| triples[i].2);
    g.first_item
        .iter()
        .zip(sums)
        .map(|(&i, n)| (triples[i as usize].0, triples[i as usize].1, n))
        .collect()
}
