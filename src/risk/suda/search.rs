//! The SUDA2 search for minimal sample uniques (Manning, Haglin & Keane 2008), as the
//! documentation of the `suda` module describes it.

use std::sync::Mutex;

use hashbrown::HashSet;
use rayon::prelude::*;

use super::{bits, Msu, MAX_ATTRS};

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
/// Panics on a malformed table (see the module documentation) or more than `MAX_ATTRS`
/// attributes.
pub fn suda2(codes: &[Vec<u32>], cards: &[u32], counts: &[u64], max_size: usize) -> Vec<Msu> {
    let mut msus = Vec::new();
    suda2_visit(codes, cards, counts, max_size, &mut |m| msus.push(m));
    msus.sort_unstable();
    msus
}

/// [`suda2`] without collecting the MSUs: each is handed to `visit` once, in an order that does
/// not depend on the number of threads. A caller that needs counts (a [`super::ScoreTally`])
/// never holds the MSUs.
pub fn suda2_visit(
    codes: &[Vec<u32>],
    cards: &[u32],
    counts: &[u64],
    max_size: usize,
    visit: &mut dyn FnMut(Msu),
) {
    check_table(codes, cards, counts);
    let n_attrs = codes.len();
    let max_size = max_size.min(n_attrs);
    let n: u64 = counts.iter().sum();
    if max_size == 0 || n < 2 {
        return;
    }
    let search = Search::new(codes, cards, counts);
    search.run(max_size, visit);
}

/// The MSUs found so far, per class as sorted attribute masks in the narrowest integer that
/// holds every attribute.
enum MaskStore {
    U16(Vec<Vec<u16>>),
    U32(Vec<Vec<u32>>),
    U64(Vec<Vec<u64>>),
}

impl MaskStore {
    fn new(n_classes: usize, n_attrs: usize) -> MaskStore {
        match n_attrs {
            0..=16 => MaskStore::U16(vec![Vec::new(); n_classes]),
            17..=32 => MaskStore::U32(vec![Vec::new(); n_classes]),
            _ => MaskStore::U64(vec![Vec::new(); n_classes]),
        }
    }

    fn contains(&self, m: Msu) -> bool {
        let c = m.class as usize;
        match self {
            MaskStore::U16(v) => v[c].binary_search(&(m.attrs as u16)).is_ok(),
            MaskStore::U32(v) => v[c].binary_search(&(m.attrs as u32)).is_ok(),
            MaskStore::U64(v) => v[c].binary_search(&m.attrs).is_ok(),
        }
    }

    /// Adds MSUs not in the store yet.
    fn insert(&mut self, mut new: Vec<Msu>) {
        new.sort_unstable();
        fn merge<W: Copy + Ord>(lists: &mut [Vec<W>], new: &[Msu], cast: impl Fn(u64) -> W) {
            for group in new.chunk_by(|a, b| a.class == b.class) {
                let list = &mut lists[group[0].class as usize];
                let mut merged = Vec::with_capacity(list.len() + group.len());
                let (mut i, mut j) = (0, 0);
                while i < list.len() || j < group.len() {
                    let take_old =
                        j == group.len() || (i < list.len() && list[i] < cast(group[j].attrs));
                    if take_old {
                        merged.push(list[i]);
                        i += 1;
                    } else {
                        merged.push(cast(group[j].attrs));
                        j += 1;
                    }
                }
                *list = merged;
            }
        }
        match self {
            MaskStore::U16(v) => merge(v, &new, |a| a as u16),
            MaskStore::U32(v) => merge(v, &new, |a| a as u32),
            MaskStore::U64(v) => merge(v, &new, |a| a),
        }
    }
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

    /// Runs the whole search for MSUs of size at most `max_size` (>= 1), handing each MSU to
    /// `visit` (the MSUs of size 1 first, then the others in no particular order, but the same
    /// order for any number of threads).
    ///
    /// The top-level items' sub-searches run in parallel, a batch of ranks at a time from the
    /// highest down; each batch's candidates are then tested in rank order (module docs) against
    /// the MSUs already found, which are kept per class as sorted attribute masks of 2, 4 or 8
    /// bytes ([`MaskStore`]), not as a hash set of whole MSUs: on 73,489 records over 16
    /// attributes (58 million MSUs) the store takes 116 MB where the set took gigabytes.
    fn run(&self, max_size: usize, visit: &mut dyn FnMut(Msu)) {
        let top = &self.top;
        let n_ids = top.len();
        for &m in &self.singletons {
            visit(m);
        }
        // Scratch levels, one set per running task.
        let pool: Mutex<Vec<Vec<Level>>> = Mutex::new(Vec::new());
        let mut store = MaskStore::new(self.counts.len(), top.cols.len());
        let batch = (2 * rayon::current_num_threads()).max(2);
        let mut hi = n_ids;
        while hi > 0 {
            let lo = hi.saturating_sub(batch);
            let candidates: Vec<Vec<Msu>> = (lo..hi)
                .into_par_iter()
                .with_max_len(1)
                .map(|r| {
                    let (mask, sub_max) = self.sub_bounds(top, r, max_size);
                    let mut out = Vec::new();
                    if sub_max == 0 {
                        return out;
                    }
                    let popped = pool.lock().unwrap().pop();
                    let mut levels = popped
                        .unwrap_or_else(|| (1..max_size).map(|_| Level::new(n_ids)).collect());
                    self.sub_search(top, r, mask, sub_max, &mut levels, &mut out);
                    pool.lock().unwrap().push(levels);
                    // Drop the candidates already known to be unique in the whole table (an
                    // MSU found by an earlier batch), in parallel.
                    out.retain(|m| m.size() == 1 || !store.contains(*m));
                    out
                })
                .collect();
            // The special-row test of the top level: from the highest rank down, a candidate is
            // unique in the whole table exactly when it is an MSU already found (module docs):
            // by an earlier batch (dropped above) or by a higher rank of this one.
            let mut found: HashSet<Msu> = HashSet::new();
            for (r, cands) in (lo..hi).zip(&candidates).rev() {
                let bit = 1u64 << self.attr_of[top.id[r] as usize];
                for m in cands {
                    if m.size() == 1 || !found.contains(m) {
                        let u = Msu {
                            class: m.class,
                            attrs: m.attrs | bit,
                        };
                        found.insert(u);
                        visit(u);
                    }
                }
            }
            drop(candidates);
            store.insert(found.into_iter().collect());
            hi = lo;
        }
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
