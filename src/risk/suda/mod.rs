//! SUDA2: minimal sample uniques (MSUs) and the SUDA / DIS-SUDA risk scores.
//!
//! # Definitions
//!
//! An *item* is an (attribute, value) pair; an *itemset* holds at most one item per attribute. A
//! record contains an itemset when it has all of its values, and the itemset's *support* is the
//! number of records that contain it. A *minimal sample unique* (MSU) is an itemset of support 1
//! whose every proper subset (the empty set included) has support above 1. An MSU belongs to the
//! one record that contains it, and since a record has one value per attribute it is named by
//! that record and its set of attributes ([`Msu`]).
//!
//! The input is a class table, not rows: the distinct value tuples over the `M` attributes
//! (quasi-identifiers), each with its number of records. The support of an itemset is the sum of
//! the counts of the classes that contain it, so only classes of count 1 can hold MSUs.
//!
//! # The search (Manning, Haglin & Keane 2008)
//!
//! [`suda2`] implements the recursive search of "A recursive search algorithm for statistical
//! disclosure assessment" (Data Min Knowl Disc 16:165-196). For a table `T` of `n` records:
//!
//! 1. every item of support 1 is an MSU of size 1;
//! 2. an item of support `n` (in every record) can be in no MSU (removing it leaves the support
//!    unchanged), and an item of support 1 in no larger one: both are dropped;
//! 3. the remaining items are ranked by ascending support; for each item `i`, the search recurses
//!    into the subtable `T_i` of the records that contain `i`, restricted to the items ranked after
//!    `i` (so every MSU is found once, from its lowest-ranked item), looking for MSUs of size at
//!    most `max_size - 1`;
//! 4. an MSU `m` of `T_i` gives the MSU `m ∪ {i}` of `T` if and only if `m` is not unique in `T`,
//!    that is if `T` has a *special row*: a record that contains `m` but not `i`.
//!
//! Why step 4 is right: `m ∪ {i}` has support `support_{T_i}(m) = 1` in `T`. Its proper subsets
//! are of two kinds. Those holding `i`, `m' ∪ {i}` with `m' ⊂ m`, have support
//! `support_{T_i}(m') > 1` because `m` is minimal in `T_i`; those without `i` are subsets of `m`,
//! and all of them have support above 1 exactly when `m` itself does, i.e. when a record other
//! than `m`'s own contains `m` (such a record cannot contain `i`, or `m` would not be unique in
//! `T_i`). Conversely, if `u` is an MSU of `T` whose lowest-ranked item is `i`, then `u \ {i}` is
//! unique in `T_i`, minimal there (a proper subset `m'` has
//! `support_{T_i}(m') = support_T(m' ∪ {i}) > 1`) and not unique in `T`, so the search finds it.
//!
//! Pruning and shortcuts used here:
//!
//! * *Classes, not records.* Every class has count at least 1, so an item is in every record of
//!   a subtable exactly when it is in every class, and its support is 1 exactly when it is in one
//!   class, of count 1. The search therefore counts classes, and reads the counts only to tell
//!   those two cases apart; items are ranked by ascending number of classes.
//! * *Size bounds.* An MSU of size `k` needs `k + 1` distinct classes (its own, and for each of
//!   its items one holding the other `k - 1` items but not that one; these differ pairwise), so a
//!   subtable of `c` classes holds MSUs of size at most `c - 1`; and of size at most the number of
//!   attributes that still have items ranked after `i`. The recursion goes no deeper than these
//!   bounds, and at the last level only counts the items (its MSUs all have size 1).
//! * *Candidates of size 1* always pass the special-row test: their item was kept in `T`, so its
//!   support there is at least 2.
//! * *The special-row test at the top level.* A candidate `m` from `T_i` that is unique in `T` is
//!   itself an MSU of `T` (its proper subsets already have support above 1 in `T_i`), and all
//!   its items are ranked after `i`. Taking the top-level items from the highest rank down, "`m`
//!   has no special row" is then "`m` was already found": a hash look-up. In the subtables, which
//!   are small, the test scans the classes of `m`'s rarest item for one that contains `m`, other
//!   than `m`'s own.
//!
//! Each subtable is built once, as a compact row-major matrix of its classes over the attributes
//! it still has, holding local item ranks, with the list of classes of each of its items; the
//! subtables of its items count and copy rows of that matrix only.
//!
//! The top-level items' sub-searches run in parallel (rayon); the result is sorted, so it is the
//! same for any number of threads.
//!
//! # Scores
//!
//! [`scores`] turns the MSUs into per-class scores (a record's scores are its class's): the
//! number of MSUs of each size, the SUDA score (Elliot et al., "SUDA: a program for detecting
//! special uniques": each MSU of size `s` adds `(M - s)!`), the DIS-SUDA score (the file-level DIS
//! probability spread over the records in proportion to their SUDA scores), each attribute's
//! contribution to the total score, and a summary.
//!
//! [`brute_force_msus`] is an independent, exhaustive reference for tests.

use std::sync::Mutex;

use hashbrown::{HashMap, HashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The default file-level DIS probability for [`scores`] (sdcMicro's `DisFraction` defaults to 0.01).
pub const DEFAULT_DIS: f64 = 0.1;

/// The most attributes an analysis can have (itemsets are `u64` attribute masks).
pub const MAX_ATTRS: usize = 64;

/// Thresholds of the DIS-SUDA score distribution in [`SudaSummary::dis_above`] (those of
/// sdcMicro's summary of `suda2` results).
pub const DIS_THRESHOLDS: [f64; 8] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

/// Quantiles of the SUDA score in [`SudaSummary::score_quantiles`].
pub const SCORE_QUANTILES: [f64; 7] = [0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0];

/// A minimal sample unique: the values of class `class` on the attributes of `attrs` (bit `a` set
/// for attribute `a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Msu {
    pub class: u32,
    pub attrs: u64,
}

impl Msu {
    /// The number of attributes (items) of the MSU.
    pub fn size(&self) -> usize {
        self.attrs.count_ones() as usize
    }

    /// The attributes of the MSU, in increasing order.
    pub fn attributes(&self) -> impl Iterator<Item = usize> {
        bits(self.attrs)
    }
}

/// The set bits of `mask`, lowest first.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let a = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            a
        })
    })
}

/// Checks the shape of a class table: as many code columns as cardinalities (at most
/// [`MAX_ATTRS`]), each as long as `counts`, codes below their cardinality, counts at least 1.
fn check_table(codes: &[Vec<u32>], cards: &[u32], counts: &[u64]) {
    assert!(
        codes.len() <= MAX_ATTRS,
        "SUDA2 takes at most {MAX_ATTRS} attributes, not {}",
        codes.len()
    );
    assert_eq!(codes.len(), cards.len(), "one cardinality per attribute");
    assert!(u32::try_from(counts.len()).is_ok(), "too many classes");
    for (column, &card) in codes.iter().zip(cards) {
        assert_eq!(column.len(), counts.len(), "one code per class");
        assert!(column.iter().all(|&v| v < card), "code out of range");
    }
    assert!(counts.iter().all(|&f| f >= 1), "class counts must be >= 1");
}

/// All minimal sample uniques of size at most `max_size`, sorted by class and attribute mask.
///
/// `codes[attr][class]` is the code (`0..cards[attr]`) of class `class` on attribute `attr`, and
/// `counts[class]` its number of records (at least 1). Pass `max_size = codes.len()` for MSUs of
/// every size; a larger value is taken as that, and 0 finds none. A table of fewer than 2 records
/// has no MSUs (the empty itemset already singles out its record).
///
/// Panics on a malformed table (see the module documentation) or more than [`MAX_ATTRS`]
/// attributes.
pub fn suda2(codes: &[Vec<u32>], cards: &[u32], counts: &[u64], max_size: usize) -> Vec<Msu> {
    check_table(codes, cards, counts);
    let n_attrs = codes.len();
    let max_size = max_size.min(n_attrs);
    let n: u64 = counts.iter().sum();
    if max_size == 0 || n < 2 {
        return Vec::new();
    }
    let search = Search::new(codes, cards, counts);
    search.run(max_size)
}

/// Per-item tallies while a subtable is counted.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// Rows (classes) of the subtable that contain the item.
    rows: u32,
    /// The last of them: the item's owner when it is in one class only.
    last: u32,
}

/// One (sub)table of the search, as a compact row-major matrix, with its kept items in rank
/// order and their rows.
///
/// Items are named by their *id*, their top-level rank plus one (0 for an item the top level
/// dropped, which no subtable has either); within a level, by their *local rank*. Supports are
/// counted in rows (classes): an item is in every record of a subtable exactly when it is in
/// every class, and a subtable of `n` classes holds MSUs of size at most `n - 1` (module docs).
#[derive(Default)]
struct Level {
    /// The class of each row of the subtable.
    class: Vec<u32>,
    /// The attribute of each column.
    cols: Vec<u8>,
    /// `matrix[row * cols.len() + col]`: the local rank + 1 of the row's item on the column's
    /// attribute, 0 when that item is not kept in this level.
    matrix: Vec<u32>,
    /// The id of the item of each local rank.
    id: Vec<u32>,
    /// `tids[start[r]..start[r + 1]]`: the rows that contain the item of local rank `r`.
    start: Vec<usize>,
    tids: Vec<u32>,
    /// `suffix[r]`: the attributes of the items of local rank `r` and above (`suffix[len] = 0`).
    suffix: Vec<u64>,
    /// Item id -> local rank + 1 (0: not in this level). All 0 while the level is unused.
    rank: Vec<u32>,
    // Scratch space for building this level from its parent.
    tally: Vec<Tally>,
    kept: Vec<(u32, u32)>,
    remap: Vec<u32>,
    scan: Vec<u8>,
    pos: Vec<usize>,
}

impl Level {
    fn new(n_ids: usize) -> Level {
        Level {
            rank: vec![0; n_ids + 1],
            ..Level::default()
        }
    }

    fn len(&self) -> usize {
        self.id.len()
    }

    fn rows_of(&self, r: usize) -> &[u32] {
        &self.tids[self.start[r]..self.start[r + 1]]
    }

    fn row(&self, i: u32) -> &[u32] {
        let w = self.cols.len();
        &self.matrix[i as usize * w..][..w]
    }

    /// Sets the items from `kept`, (rows, key) pairs sorted in rank order, whose item ids
    /// `id_of(key)` gives. The rows of the items are then added by the caller.
    fn set_items(&mut self, attr_of: &[u8], id_of: impl Fn(u32) -> u32) {
        let k = self.kept.len();
        self.id.clear();
        self.start.clear();
        self.suffix.clear();
        self.suffix.resize(k + 1, 0);
        let mut total = 0;
        for (r, &(rows, key)) in self.kept.iter().enumerate() {
            let id = id_of(key);
            self.id.push(id);
            self.start.push(total);
            total += rows as usize;
            self.rank[id as usize] = r as u32 + 1;
        }
        self.start.push(total);
        for r in (0..k).rev() {
            self.suffix[r] = self.suffix[r + 1] | 1u64 << attr_of[self.id[r] as usize];
        }
        // One more slot for the dummy of `pos[0]` (see `Search::build`).
        self.tids.clear();
        self.tids.resize(total + 1, 0);
        self.pos.clear();
        self.pos.push(total);
        self.pos.extend_from_slice(&self.start[..k]);
    }

    /// Empties the level, leaving its rank map all 0.
    fn clear(&mut self) {
        for &id in &self.id {
            self.rank[id as usize] = 0;
        }
        self.id.clear();
    }
}

/// The search over one class table.
struct Search<'a> {
    counts: &'a [u64],
    /// Attribute of each item id (index 0 unused).
    attr_of: Vec<u8>,
    /// MSUs of size 1 of the whole table.
    singletons: Vec<Msu>,
    /// The top level: every class, with the items of support in `2..n`; its matrix has one
    /// column per attribute and holds item ids (ids are top-level ranks + 1).
    top: Level,
}

impl<'a> Search<'a> {
    /// Counts the items of the whole table, keeps the MSUs of size 1 and builds the top level.
    fn new(codes: &[Vec<u32>], cards: &[u32], counts: &'a [u64]) -> Search<'a> {
        let n_attrs = codes.len();
        let n_classes = counts.len();
        let mut offset = Vec::with_capacity(n_attrs + 1);
        let mut total = 0usize;
        for &card in cards {
            offset.push(total);
            total += card as usize;
        }
        offset.push(total);
        let mut tally = vec![Tally::default(); total];
        for (a, column) in codes.iter().enumerate() {
            for (class, &v) in column.iter().enumerate() {
                let t = &mut tally[offset[a] + v as usize];
                t.rows += 1;
                t.last = class as u32;
            }
        }
        let mut singletons = Vec::new();
        let mut top = Level::default();
        let mut attr_of_global = vec![0u8; total];
        for a in 0..n_attrs {
            for g in offset[a]..offset[a + 1] {
                attr_of_global[g] = a as u8;
                let t = tally[g];
                if t.rows == 1 && counts[t.last as usize] == 1 {
                    singletons.push(Msu {
                        class: t.last,
                        attrs: 1 << a,
                    });
                } else if t.rows > 0 && (t.rows as usize) < n_classes {
                    top.kept.push((t.rows, g as u32));
                }
            }
        }
        top.kept.sort_unstable();
        let n_ids = top.kept.len();
        let mut id_of_global = vec![0u32; total];
        let mut attr_of = vec![0u8; n_ids + 1];
        for (r, &(_, g)) in top.kept.iter().enumerate() {
            id_of_global[g as usize] = r as u32 + 1;
            attr_of[r + 1] = attr_of_global[g as usize];
        }
        top.rank = vec![0; n_ids + 1];
        top.set_items(&attr_of, |g| id_of_global[g as usize]);
        top.cols = (0..n_attrs as u8).collect();
        top.class = (0..n_classes as u32).collect();
        top.matrix = vec![0u32; n_classes * n_attrs];
        for (a, column) in codes.iter().enumerate() {
            for (class, &v) in column.iter().enumerate() {
                let id = id_of_global[offset[a] + v as usize];
                top.matrix[class * n_attrs + a] = id;
                if id != 0 {
                    let p = &mut top.pos[id as usize];
                    top.tids[*p] = class as u32;
                    *p += 1;
                }
            }
        }
        top.tids.pop();
        top.kept = Vec::new();
        Search {
            counts,
            attr_of,
            singletons,
            top,
        }
    }

    /// The attributes of the items ranked after the item of rank `r` of `level` (bar its own),
    /// and the largest MSU size to look for in its subtable when `level`'s own search is bounded
    /// by `max_k`.
    fn sub_bounds(&self, level: &Level, r: usize, max_k: usize) -> (u64, usize) {
        let bit = 1u64 << self.attr_of[level.id[r] as usize];
        let mask = level.suffix[r + 1] & !bit;
        let by_rows = level.rows_of(r).len() - 1;
        (
            mask,
            (max_k - 1).min(mask.count_ones() as usize).min(by_rows),
        )
    }

    /// Runs the whole search for MSUs of size at most `max_size` (>= 1).
    fn run(&self, max_size: usize) -> Vec<Msu> {
        let top = &self.top;
        let n_ids = top.len();
        // Scratch levels, one set per running task.
        let pool: Mutex<Vec<Vec<Level>>> = Mutex::new(Vec::new());
        let candidates: Vec<Vec<Msu>> = (0..n_ids)
            .into_par_iter()
            .with_max_len(1)
            .map(|r| {
                let (mask, sub_max) = self.sub_bounds(top, r, max_size);
                let mut out = Vec::new();
                if sub_max == 0 {
                    return out;
                }
                let popped = pool.lock().unwrap().pop();
                let mut levels =
                    popped.unwrap_or_else(|| (1..max_size).map(|_| Level::new(n_ids)).collect());
                self.sub_search(top, r, mask, sub_max, &mut levels, &mut out);
                pool.lock().unwrap().push(levels);
                out
            })
            .collect();
        // The special-row test of the top level: from the highest rank down, a candidate is
        // unique in the whole table exactly when it is an MSU already found (module docs).
        let mut found: HashSet<Msu> = HashSet::new();
        for (r, cands) in candidates.iter().enumerate().rev() {
            let bit = 1u64 << self.attr_of[top.id[r] as usize];
            for m in cands {
                if m.size() == 1 || !found.contains(m) {
                    found.insert(Msu {
                        class: m.class,
                        attrs: m.attrs | bit,
                    });
                }
            }
        }
        let mut msus: Vec<Msu> = self.singletons.iter().copied().chain(found).collect();
        msus.sort_unstable();
        msus
    }

    /// Searches the subtable of the item of rank `r` of `parent` (its rows that contain the item,
    /// restricted to the items ranked after it, on the attributes `mask`) for its MSUs of size at
    /// most `max_k` (>= 1), and appends them to `out` without the item itself: they are the
    /// candidates for `parent`. `levels[0]` is the scratch level for the subtable, `levels[1..]`
    /// for the deeper ones.
    fn sub_search(
        &self,
        parent: &Level,
        r: usize,
        mask: u64,
        max_k: usize,
        levels: &mut [Level],
        out: &mut Vec<Msu>,
    ) {
        let (level, deeper) = levels.split_first_mut().expect("one level per MSU size");
        if !self.build(parent, r, mask, max_k, level, out) {
            return;
        }
        for k in (0..level.len()).rev() {
            let (sub_mask, sub_max) = self.sub_bounds(level, k, max_k);
            if sub_max == 0 {
                continue;
            }
            let start = out.len();
            self.sub_search(level, k, sub_mask, sub_max, deeper, out);
            // Keep the candidates with a special row, adding the item.
            let bit = 1u64 << self.attr_of[level.id[k] as usize];
            let mut kept = start;
            for i in start..out.len() {
                let m = out[i];
                if m.size() == 1 || self.has_special_row(level, m) {
                    out[kept] = Msu {
                        class: m.class,
                        attrs: m.attrs | bit,
                    };
                    kept += 1;
                }
            }
            out.truncate(kept);
        }
        level.clear();
    }

    /// Counts the subtable of the item of rank `r` of `parent` on the items ranked after it
    /// (attributes `mask`) and appends its MSUs of size 1 to `out`. When `max_k > 1` and some
    /// items are in neither one nor all of its rows, builds it in `level` with those items,
    /// ranked by ascending support, and returns true.
    fn build(
        &self,
        parent: &Level,
        r: usize,
        mask: u64,
        max_k: usize,
        level: &mut Level,
        out: &mut Vec<Msu>,
    ) -> bool {
        let rows = parent.rows_of(r);
        let n = rows.len() as u32;
        let w = parent.cols.len();
        level.scan.clear();
        for (c, &a) in parent.cols.iter().enumerate() {
            if mask >> a & 1 == 1 {
                level.scan.push(c as u8);
            }
        }
        // The parent's matrix holds ranks + 1: the items after `r` have values `base..`, and
        // `value - base` indexes the tallies. The items before `r` (and those dropped) count in
        // one dummy tally per column, so the loop has no branch.
        let base = r as u32 + 2;
        let after = parent.len() - r - 1;
        let tallies = after + level.scan.len();
        if level.tally.len() < tallies {
            level.tally.resize(tallies, Tally::default());
        }
        let tally = &mut level.tally[..tallies];
        for &i in rows {
            let row = &parent.matrix[i as usize * w..][..w];
            for (d, &c) in level.scan.iter().enumerate() {
                let j = row[c as usize].wrapping_sub(base) as usize;
                let t = &mut tally[if j < after { j } else { after + d }];
                t.rows += 1;
                t.last = i;
            }
        }
        tally[after..].fill(Tally::default());
        level.kept.clear();
        for j in 0..after {
            let t = std::mem::take(&mut level.tally[j]);
            if t.rows == 0 {
                continue;
            }
            let class = parent.class[t.last as usize];
            if t.rows == 1 && self.counts[class as usize] == 1 {
                let id = parent.id[r + 1 + j];
                out.push(Msu {
                    class,
                    attrs: 1 << self.attr_of[id as usize],
                });
            } else if t.rows < n && max_k > 1 {
                level.kept.push((t.rows, j as u32));
            }
        }
        if level.kept.is_empty() {
            return false;
        }
        level.kept.sort_unstable();
        level.set_items(&self.attr_of, |j| parent.id[r + 1 + j as usize]);
        // The new ranks of the parent's items (0: dropped), by `value - base`; the last entry
        // stands for all the items before `r`.
        level.remap.clear();
        level.remap.resize(after + 1, 0);
        for (k, &(_, j)) in level.kept.iter().enumerate() {
            level.remap[j as usize] = k as u32 + 1;
        }
        // The columns: those of the attributes of the kept items.
        let kept_attrs = level.suffix[0];
        level
            .scan
            .retain(|&c| kept_attrs >> parent.cols[c as usize] & 1 == 1);
        level.cols.clear();
        level
            .cols
            .extend(level.scan.iter().map(|&c| parent.cols[c as usize]));
        let lw = level.cols.len();
        level.class.clear();
        level.matrix.clear();
        level.matrix.resize(rows.len() * lw, 0);
        // `pos[k]`: where the next row of local rank k - 1 goes; `pos[0]` is a dummy slot past the
        // end, written over and over by the cells of no item, so the loop has no branch.
        let (scan, remap, pos, tids) = (&level.scan, &level.remap, &mut level.pos, &mut level.tids);
        for (li, &i) in rows.iter().enumerate() {
            level.class.push(parent.class[i as usize]);
            let row = &parent.matrix[i as usize * w..][..w];
            let new_row = &mut level.matrix[li * lw..][..lw];
            for (cell, &c) in new_row.iter_mut().zip(scan) {
                let j = (row[c as usize].wrapping_sub(base) as usize).min(after);
                let k = remap[j];
                *cell = k;
                let p = &mut pos[k as usize];
                tids[*p] = li as u32;
                *p += (k != 0) as usize;
            }
        }
        tids.pop();
        true
    }

    /// Whether `level` has a row, other than the class `m.class`, that contains the itemset `m`
    /// (whose items are all in `level`): the special row of the module documentation. Scans the
    /// rows of `m`'s rarest item.
    fn has_special_row(&self, level: &Level, m: Msu) -> bool {
        let own = self.top.row(m.class);
        let rarest = bits(m.attrs)
            .map(|a| level.rank[own[a] as usize] as usize - 1)
            .min_by_key(|&r| level.start[r + 1] - level.start[r])
            .expect("a candidate has items");
        level.rows_of(rarest).iter().any(|&i| {
            let class = level.class[i as usize];
            class != m.class && {
                let row = self.top.row(class);
                bits(m.attrs).all(|a| row[a] == own[a])
            }
        })
    }
}

/// The reference: every MSU of size at most `max_size`, found by testing every attribute subset
/// of every class of count 1 directly, sorted like [`suda2`]'s. For small numbers of attributes
/// (it visits all `2^M` subsets up to `max_size`).
///
/// For each attribute set `S` (by increasing size) the classes are grouped by their values on `S`;
/// a class's projection is unique when its group holds one record. The projection of class `c` on
/// `S` is an MSU when it is unique and its projection on every `S \ {a}` is not (support falls as
/// attributes are added, so the subsets of size `|S| - 1` are enough; the empty set has support
/// `n`).
pub fn brute_force_msus(codes: &[Vec<u32>], counts: &[u64], max_size: usize) -> Vec<Msu> {
    let n_attrs = codes.len();
    assert!(
        n_attrs < MAX_ATTRS,
        "too many attributes for the brute force"
    );
    let n_classes = counts.len();
    let n: u64 = counts.iter().sum();
    // unique[S][c]: the projection of class c on S has support 1.
    let mut previous: HashMap<u64, Vec<bool>> = HashMap::new();
    previous.insert(0, vec![n == 1; n_classes]);
    let mut msus = Vec::new();
    for size in 1..=max_size.min(n_attrs) {
        let sets: Vec<u64> = (1u64..1 << n_attrs)
            .filter(|s| s.count_ones() as usize == size)
            .collect();
        let unique: Vec<(u64, Vec<bool>)> = sets
            .par_iter()
            .map(|&set| {
                let key = |c: usize| bits(set).map(|a| codes[a][c]).collect::<Vec<u32>>();
                let mut support: HashMap<Vec<u32>, u64> = HashMap::new();
                for (c, &count) in counts.iter().enumerate() {
                    *support.entry(key(c)).or_default() += count;
                }
                (set, (0..n_classes).map(|c| support[&key(c)] == 1).collect())
            })
            .collect();
        for (set, flags) in &unique {
            for (c, &is_unique) in flags.iter().enumerate() {
                if is_unique && bits(*set).all(|a| !previous[&(set & !(1 << a))][c]) {
                    msus.push(Msu {
                        class: c as u32,
                        attrs: *set,
                    });
                }
            }
        }
        previous = unique.into_iter().collect();
    }
    msus.sort_unstable();
    msus
}

/// Per-class scores from the MSUs (see [`scores`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SudaScores {
    pub n_attrs: usize,
    pub max_size: usize,
    /// The file-level DIS probability the DIS-SUDA scores spread.
    pub dis: f64,
    /// `msu_counts[class * max_size + size - 1]`: the number of MSUs of each size of each class
    /// (see [`SudaScores::msus_of`]).
    pub msu_counts: Vec<u32>,
    /// SUDA score of each class: `sum over its MSUs of (n_attrs - size)!`.
    pub score: Vec<f64>,
    /// DIS-SUDA score of each class: `min(1, dis * U * score / total_score)`, `U` the number of
    /// records with at least one MSU and `total_score` the sum of all records' SUDA scores (0 when
    /// no record has an MSU): the file-level probability `dis`, on average over those records,
    /// spread in proportion to their scores and capped at 1, since it is a probability.
    pub dis_score: Vec<f64>,
    /// Each attribute's contribution to the total SUDA score, in percent: the summed scores of
    /// the MSUs that contain it over the total (sdcMicro's convention: the contributions add up to
    /// more than 100 when MSUs have several attributes). All 0 without MSUs.
    pub attribute_contribution: Vec<f64>,
    pub summary: SudaSummary,
}

impl SudaScores {
    /// The number of MSUs of sizes `1..=max_size` of `class`.
    pub fn msus_of(&self, class: usize) -> &[u32] {
        &self.msu_counts[class * self.max_size..][..self.max_size]
    }
}

/// File-level figures of a SUDA analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SudaSummary {
    pub records: u64,
    /// Records with at least one MSU (`U`): all in classes of count 1.
    pub records_with_msu: u64,
    /// The total number of MSUs, and of each size `1..=max_size`.
    pub msus: u64,
    pub msus_by_size: Vec<u64>,
    /// The sum of the records' SUDA scores, and the highest.
    pub total_score: f64,
    pub max_score: f64,
    /// The SUDA scores of the records with at least one MSU at the quantiles
    /// [`SCORE_QUANTILES`] (nearest rank); empty without such records.
    pub score_quantiles: Vec<f64>,
    /// The number of records whose DIS-SUDA score is above each of [`DIS_THRESHOLDS`].
    pub dis_above: Vec<u64>,
}

/// `n!` as a float (exact up to 22!, then rounded).
fn factorial(n: usize) -> f64 {
    (2..=n).map(|k| k as f64).product()
}

/// Scores from the MSUs of a class table of `counts.len()` classes over `n_attrs` attributes,
/// searched up to `max_size`, with the file-level DIS probability `dis` (e.g. [`DEFAULT_DIS`]).
///
/// The score of an MSU of size `s` is `(n_attrs - s)!` also when `max_size < n_attrs` (the sizes
/// are not rescaled). Each class that holds MSUs has count 1, so class and record scores agree.
pub fn scores(
    msus: &[Msu],
    counts: &[u64],
    n_attrs: usize,
    max_size: usize,
    dis: f64,
) -> SudaScores {
    let n_classes = counts.len();
    let max_size = max_size.min(n_attrs);
    let weight: Vec<f64> = (0..=n_attrs).map(|s| factorial(n_attrs - s)).collect();
    let mut msu_counts = vec![0u32; n_classes * max_size];
    let mut score = vec![0.0f64; n_classes];
    let mut by_attr = vec![0.0f64; n_attrs];
    let mut msus_by_size = vec![0u64; max_size];
    for m in msus {
        let (c, s) = (m.class as usize, m.size());
        assert!(
            (1..=max_size).contains(&s) && counts[c] == 1,
            "an MSU of size {s} of class {c}"
        );
        msu_counts[c * max_size + s - 1] += 1;
        msus_by_size[s - 1] += 1;
        score[c] += weight[s];
        for a in m.attributes() {
            by_attr[a] += weight[s];
        }
    }
    let total_score: f64 = score.iter().sum();
    let with_msu: Vec<usize> = (0..n_classes).filter(|&c| score[c] > 0.0).collect();
    let u = with_msu.len() as f64;
    let dis_score: Vec<f64> = if total_score > 0.0 {
        // Spread in proportion to the scores; a share above 1 is not a probability: capped.
        score
            .iter()
            .map(|s| (dis * u * s / total_score).min(1.0))
            .collect()
    } else {
        vec![0.0; n_classes]
    };
    let attribute_contribution = by_attr
        .iter()
        .map(|&s| {
            if total_score > 0.0 {
                100.0 * s / total_score
            } else {
                0.0
            }
        })
        .collect();
    let mut sorted: Vec<f64> = with_msu.iter().map(|&c| score[c]).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let score_quantiles = if sorted.is_empty() {
        Vec::new()
    } else {
        SCORE_QUANTILES
            .iter()
            .map(|q| {
                let rank = (q * sorted.len() as f64).ceil() as usize;
                sorted[rank.clamp(1, sorted.len()) - 1]
            })
            .collect()
    };
    let dis_above = DIS_THRESHOLDS
        .iter()
        .map(|&t| {
            (0..n_classes)
                .filter(|&c| dis_score[c] > t)
                .map(|c| counts[c])
                .sum()
        })
        .collect();
    let summary = SudaSummary {
        records: counts.iter().sum(),
        records_with_msu: with_msu.len() as u64,
        msus: msus.len() as u64,
        msus_by_size,
        total_score,
        max_score: sorted.last().copied().unwrap_or(0.0),
        score_quantiles,
        dis_above,
    };
    SudaScores {
        n_attrs,
        max_size,
        dis,
        msu_counts,
        score,
        dis_score,
        attribute_contribution,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Groups rows of codes into a class table (classes in order of first record).
    fn class_table(rows: &[Vec<u32>], n_attrs: usize) -> (Vec<Vec<u32>>, Vec<u32>, Vec<u64>) {
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

    fn msu(class: u32, attrs: &[usize]) -> Msu {
        Msu {
            class,
            attrs: attrs.iter().map(|&a| 1u64 << a).sum(),
        }
    }

    /// Columns as sdcMicro's data frame: the rows are their transposes.
    fn columns_to_rows(columns: &[&[u32]]) -> Vec<Vec<u32>> {
        (0..columns[0].len())
            .map(|r| columns.iter().map(|col| col[r]).collect())
            .collect()
    }

    #[test]
    fn sdcmicro_contribution_example() {
        // sdcMicro's test: a = (2, 1, 1), b = (0, 3, 0), c = (0, 6, 0). Record 0 has {a}, record 1
        // {b} and {c}, record 2 {a, b} and {a, c}; scores 2, 2 + 2, 1 + 1 (M = 3).
        let rows = columns_to_rows(&[&[2, 1, 1], &[0, 3, 0], &[0, 6, 0]]);
        let (codes, cards, counts) = class_table(&rows, 3);
        let found = suda2(&codes, &cards, &counts, 3);
        let expected = vec![
            msu(0, &[0]),
            msu(1, &[1]),
            msu(1, &[2]),
            msu(2, &[0, 1]),
            msu(2, &[0, 2]),
        ];
        assert_eq!(found, expected);
        assert_eq!(brute_force_msus(&codes, &counts, 3), expected);
        let s = scores(&found, &counts, 3, 3, DEFAULT_DIS);
        assert_eq!(s.attribute_contribution, vec![50.0, 37.5, 37.5]);
        assert_eq!(s.score, vec![2.0, 4.0, 2.0]);
        assert_eq!(s.msus_of(1), &[2, 0, 0]);
        assert_eq!(s.msus_of(2), &[0, 2, 0]);
        assert_eq!(s.summary.total_score, 8.0);
        assert_eq!(s.summary.records_with_msu, 3);
        assert_eq!(s.summary.msus_by_size, vec![3, 2, 0]);
        for (d, sc) in s.dis_score.iter().zip(&s.score) {
            assert!((d - 0.1 * 3.0 * sc / 8.0).abs() < 1e-15);
        }
        // DIS-SUDA scores 0.075, 0.15, 0.075.
        assert_eq!(s.summary.dis_above, vec![3, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            s.summary.score_quantiles,
            vec![2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.0]
        );

        // The same with the columns a, c, b.
        let rows = columns_to_rows(&[&[2, 1, 1], &[0, 6, 0], &[0, 3, 0]]);
        let (codes, cards, counts) = class_table(&rows, 3);
        let s = scores(&suda2(&codes, &cards, &counts, 3), &counts, 3, 3, 0.01);
        assert_eq!(s.attribute_contribution, vec![50.0, 37.5, 37.5]);
    }

    #[test]
    fn shared_tuples_hold_no_msus() {
        // Class 0 (count 2) shares its tuple; class 1 differs from it on attribute 1 only.
        let rows = vec![vec![0, 0], vec![0, 0], vec![0, 1]];
        let (codes, cards, counts) = class_table(&rows, 2);
        assert_eq!(counts, vec![2, 1]);
        assert_eq!(suda2(&codes, &cards, &counts, 2), vec![msu(1, &[1])]);
        // One record, or only copies of one tuple: no MSUs.
        assert!(suda2(&[vec![0]], &[1], &[1], 1).is_empty());
        assert!(suda2(&[vec![0], vec![3]], &[1, 4], &[5], 2).is_empty());
        assert!(brute_force_msus(&[vec![0]], &[1], 1).is_empty());
        // No attributes, or max_size 0.
        assert!(suda2(&[], &[], &[3], 0).is_empty());
        assert!(suda2(&codes, &cards, &counts, 0).is_empty());
        let s = scores(&[], &counts, 2, 2, DEFAULT_DIS);
        assert_eq!(s.dis_score, vec![0.0, 0.0]);
        assert_eq!(s.attribute_contribution, vec![0.0, 0.0]);
        assert!(s.summary.score_quantiles.is_empty());
    }

    #[test]
    fn max_size_limits_the_search() {
        // The full cube {0, 1}^3: every pair of values is shared by two records, so each record's
        // one MSU is its whole tuple.
        let rows = vec![
            vec![0, 0, 0],
            vec![1, 1, 0],
            vec![1, 0, 1],
            vec![0, 1, 1],
            vec![1, 1, 1],
            vec![0, 0, 1],
            vec![0, 1, 0],
            vec![1, 0, 0],
        ];
        let (codes, cards, counts) = class_table(&rows, 3);
        for max_size in 0..=4 {
            let found = suda2(&codes, &cards, &counts, max_size);
            assert_eq!(found, brute_force_msus(&codes, &counts, max_size));
            // Every record of the full cube is unique only on all three attributes.
            let expected = if max_size >= 3 { 8 } else { 0 };
            assert_eq!(found.len(), expected);
            assert!(found.iter().all(|m| m.size() == 3));
        }
    }

    /// A deterministic pseudo-random table (xorshift).
    fn random_rows(n_rows: usize, cards: &[u32], mut seed: u64) -> Vec<Vec<u32>> {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..n_rows)
            .map(|_| {
                // Skewed values: the low codes are the common ones.
                cards
                    .iter()
                    .map(|&k| {
                        let x = (next() % k as u64) as u32;
                        x.min((next() % k as u64) as u32)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn same_result_on_any_number_of_threads() {
        let cards = [3, 7, 2, 5, 9, 4, 3, 6, 2, 8];
        let rows = random_rows(600, &cards, 0x9e37_79b9_7f4a_7c15);
        let (codes, cards, counts) = class_table(&rows, cards.len());
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| suda2(&codes, &cards, &counts, 10))
        };
        let one = run(1);
        assert!(one.len() > 100);
        assert_eq!(run(2), one);
        assert_eq!(run(5), one);
        assert_eq!(one, brute_force_msus(&codes, &counts, 10));
    }

    #[test]
    fn scores_weigh_sizes_by_factorials() {
        assert_eq!(factorial(0), 1.0);
        assert_eq!(factorial(1), 1.0);
        assert_eq!(factorial(5), 120.0);
        // Ten attributes: an MSU of size 1 scores 9!, of size 10 scores 0! = 1.
        let counts = [1, 1, 2];
        let msus = [
            msu(0, &[3]),
            msu(0, &[0, 1]),
            msu(1, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ];
        let s = scores(&msus, &counts, 10, 10, 0.5);
        assert_eq!(s.score, vec![362_880.0 + 40_320.0, 1.0, 0.0]);
        assert_eq!(s.summary.records, 4);
        assert_eq!(s.summary.records_with_msu, 2);
        assert_eq!(s.summary.msus, 3);
        assert_eq!(s.summary.max_score, 403_200.0);
        let total = 403_201.0;
        assert_eq!(s.dis_score[1], 0.5 * 2.0 / total);
        assert!(s.dis_score.iter().all(|&d| d <= 1.0));
        assert_eq!(s.attribute_contribution[3], 100.0 * 362_881.0 / total);
        assert_eq!(s.attribute_contribution[9], 100.0 / total);
    }

    fn table_strategy() -> impl Strategy<Value = (Vec<Vec<u32>>, usize)> {
        (1usize..=8)
            .prop_flat_map(|n_attrs| prop::collection::vec(2u32..=5, n_attrs))
            .prop_flat_map(|cards| {
                let n_attrs = cards.len();
                let row = cards.iter().map(|&k| 0..k).collect::<Vec<_>>();
                (prop::collection::vec(row, 1..200), 0..=n_attrs + 1)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn suda2_matches_the_brute_force((rows, max_size) in table_strategy()) {
            let n_attrs = rows[0].len();
            let (codes, cards, counts) = class_table(&rows, n_attrs);
            let found = suda2(&codes, &cards, &counts, max_size);
            let expected = brute_force_msus(&codes, &counts, max_size);
            prop_assert_eq!(&found, &expected);
            prop_assert_eq!(
                scores(&found, &counts, n_attrs, max_size, DEFAULT_DIS),
                scores(&expected, &counts, n_attrs, max_size, DEFAULT_DIS)
            );
        }
    }
}
