//! Grouping items by tuples of small integer codes: the one group-by that the whole engine uses.
//!
//! Rows of a chunk grouped into local classes, local classes merged into the global class table,
//! classes rolled up into coarser classes, (class, sensitive value) pairs counted: all of these are
//! "give every distinct code tuple a dense id". The tuple is folded into one `u64` in mixed radix
//! (column by column, `id * cardinality + code`), so that hashing works on a single machine word
//! however many columns there are. When the next column would overflow the `u64`, the ids so far
//! are densified first (their number is at most the number of items), and folding goes on.
//!
//! The final densification uses a direct lookup table when the id space is small (the common case
//! for generalized data, and much faster than hashing), a hash map otherwise. Dense ids are given in
//! order of first appearance, so the result depends only on the input order, never on threads.

use hashbrown::HashMap;
use rayon::prelude::*;

/// The result of a grouping: the group of every item, and the first item of every group.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    pub group_of: Vec<u32>,
    pub first_item: Vec<u32>,
}

impl Grouping {
    pub fn len(&self) -> usize {
        self.first_item.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first_item.is_empty()
    }

    /// Sum of `weight(item)` per group, in item order.
    pub fn sum_per_group(&self, weight: impl Fn(usize) -> u64) -> Vec<u64> {
        let mut sums = vec![0u64; self.len()];
        for (i, &g) in self.group_of.iter().enumerate() {
            sums[g as usize] += weight(i);
        }
        sums
    }
}

/// Groups `n` items by the tuple `(code(0, i), code(1, i), ...)`, where column `c` takes codes
/// `0..cards[c]`. `code` must return codes below the column's cardinality.
pub fn group_tuples(
    n: usize,
    cards: &[u64],
    code: impl Fn(usize, usize) -> u32 + Sync,
) -> Grouping {
    group_folded(n, cards, |c, card, ids| {
        let min_len = if ids.len() >= PAR_MIN { 1 } else { usize::MAX };
        ids.par_chunks_mut(PAR_BLOCK)
            .enumerate()
            .with_min_len(min_len)
            .for_each(|(b, block)| {
                let base = b * PAR_BLOCK;
                for (j, id) in block.iter_mut().enumerate() {
                    let v = code(c, base + j) as u64;
                    debug_assert!(v < card, "code {v} out of range {card} in column {c}");
                    *id = *id * card + v;
                }
            })
    })
}

/// Items below this count are grouped on one thread: the work is too small to split.
const PAR_MIN: usize = 1 << 18;
const PAR_BLOCK: usize = 1 << 15;

/// The general form of [`group_tuples`]: `fold(c, card, ids)` must set every
/// `ids[i] = ids[i] * card + code(c, i)`. Callers whose items live in several arrays (the chunks
/// of a merge) fold each array into its slice of `ids` without first copying them into one.
pub fn group_folded(n: usize, cards: &[u64], fold: impl Fn(usize, u64, &mut [u64])) -> Grouping {
    assert!(
        n < u32::MAX as usize,
        "more than 2^32 - 1 items in one grouping"
    );
    let mut ids = vec![0u64; n];
    let mut radix: u64 = 1;
    for (c, &card) in cards.iter().enumerate() {
        let card = card.max(1);
        if radix.checked_mul(card).is_none() {
            let g = densify(&ids, radix);
            radix = g.len().max(1) as u64;
            for (id, &grp) in ids.iter_mut().zip(&g.group_of) {
                *id = grp as u64;
            }
        }
        fold(c, card, &mut ids);
        radix *= card;
    }
    densify(&ids, radix)
}

/// Dense ids for `ids`, all of which are below `radix`.
fn densify(ids: &[u64], radix: u64) -> Grouping {
    let n = ids.len();
    // A table larger than a few times the item count costs more to clear than hashing saves.
    if radix <= (4 * n as u64).max(1 << 12) && radix <= (1 << 28) {
        let mut group_of = Vec::with_capacity(n);
        let mut first_item = Vec::new();
        let mut table = vec![u32::MAX; radix as usize];
        for (i, &id) in ids.iter().enumerate() {
            let slot = &mut table[id as usize];
            if *slot == u32::MAX {
                *slot = first_item.len() as u32;
                first_item.push(i as u32);
            }
            group_of.push(*slot);
        }
        Grouping {
            group_of,
            first_item,
        }
    } else if n >= PAR_MIN {
        densify_partitioned(ids)
    } else {
        densify_hashed(ids.iter().copied(), n)
    }
}

/// Hash-map densification of a sequence of ids, in order of first appearance.
fn densify_hashed(ids: impl Iterator<Item = u64>, n: usize) -> Grouping {
    let mut group_of = Vec::with_capacity(n);
    let mut first_item = Vec::new();
    let mut map: HashMap<u64, u32> = HashMap::with_capacity(n.min(1 << 20));
    for (i, id) in ids.enumerate() {
        let g = *map.entry(id).or_insert_with(|| {
            first_item.push(i as u32);
            (first_item.len() - 1) as u32
        });
        group_of.push(g);
    }
    Grouping {
        group_of,
        first_item,
    }
}

/// Parallel hash densification: items are split by a hash of their id into a fixed number of
/// partitions (so the split does not depend on the thread count), each partition is densified on
/// its own, and groups are then numbered by their first item, as the sequential version does.
fn densify_partitioned(ids: &[u64]) -> Grouping {
    const BITS: u32 = 6;
    let part_of = |id: u64| (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize;
    let parts = 1usize << BITS;
    // Counting sort of the item indices by partition, keeping item order within a partition.
    let mut offsets = vec![0usize; parts + 1];
    for &id in ids {
        offsets[part_of(id) + 1] += 1;
    }
    for p in 0..parts {
        offsets[p + 1] += offsets[p];
    }
    // Ids are moved with their items so that each partition reads its own contiguous slice.
    let mut fill = offsets.clone();
    let mut items = vec![0u32; ids.len()];
    let mut sorted_ids = vec![0u64; ids.len()];
    for (i, &id) in ids.iter().enumerate() {
        let p = part_of(id);
        items[fill[p]] = i as u32;
        sorted_ids[fill[p]] = id;
        fill[p] += 1;
    }
    let local: Vec<Grouping> = (0..parts)
        .into_par_iter()
        .map(|p| {
            let mine = &sorted_ids[offsets[p]..offsets[p + 1]];
            densify_hashed(mine.iter().copied(), mine.len())
        })
        .collect();
    drop(sorted_ids);
    // Number the groups by their first item (an item index of the whole input). Within a
    // partition, items keep their input order, so its groups' first items are increasing: the
    // k-th first item of partition p met in a scan of the input is p's local group k. One scan
    // over a mark per item replaces a sort of the groups (which cost a tenth of a 10M-row run).
    let mut first_of_part = vec![u32::MAX; ids.len()];
    for (p, g) in local.iter().enumerate() {
        let mine = &items[offsets[p]..offsets[p + 1]];
        for &f in &g.first_item {
            first_of_part[mine[f as usize] as usize] = p as u32;
        }
    }
    let mut remap: Vec<Vec<u32>> = local.iter().map(|g| vec![0; g.len()]).collect();
    let mut next_local = vec![0usize; parts];
    let mut first_item = Vec::with_capacity(local.iter().map(|g| g.len()).sum());
    for (item, &p) in first_of_part.iter().enumerate() {
        if p != u32::MAX {
            let p = p as usize;
            remap[p][next_local[p]] = first_item.len() as u32;
            next_local[p] += 1;
            first_item.push(item as u32);
        }
    }
    drop(first_of_part);
    let mut group_of = vec![0u32; ids.len()];
    for (p, g) in local.iter().enumerate() {
        let mine = &items[offsets[p]..offsets[p + 1]];
        for (&item, &lg) in mine.iter().zip(&g.group_of) {
            group_of[item as usize] = remap[p][lg as usize];
        }
    }
    Grouping {
        group_of,
        first_item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_first_appearance_order() {
        let a = [1u32, 0, 1, 1, 0];
        let b = [2u32, 2, 2, 0, 2];
        let g = group_tuples(5, &[2, 3], |c, i| if c == 0 { a[i] } else { b[i] });
        assert_eq!(g.group_of, vec![0, 1, 0, 2, 1]);
        assert_eq!(g.first_item, vec![0, 1, 3]);
        assert_eq!(g.sum_per_group(|_| 1), vec![2, 2, 1]);
    }

    #[test]
    fn wide_tuples_densify_instead_of_overflowing() {
        // 10 columns of cardinality 2^20: the product overflows u64 twice over.
        let n = 1000;
        let code = |c: usize, i: usize| ((i * 7919 + c * 104_729) % 3 * (1 << 18)) as u32;
        let g = group_tuples(n, &[1 << 20; 10], code);
        let mut naive = std::collections::BTreeMap::new();
        for i in 0..n {
            let key: Vec<u32> = (0..10).map(|c| code(c, i)).collect();
            let next = naive.len();
            naive.entry(key).or_insert(next);
        }
        assert_eq!(g.len(), naive.len());
        for i in 0..n {
            assert_eq!(
                g.group_of[i] as usize,
                naive[&(0..10).map(|c| code(c, i)).collect::<Vec<_>>()]
            );
        }
        for i in 0..n {
            let key: Vec<u32> = (0..10).map(|c| code(c, i)).collect();
            assert_eq!(g.group_of[i] as usize, naive[&key]);
        }
    }
}

#[cfg(test)]
mod partition_tests {
    use super::*;

    #[test]
    fn partitioned_densify_equals_sequential() {
        let n = PAR_MIN + 12_345;
        let ids: Vec<u64> = (0..n as u64)
            .map(|i| (i.wrapping_mul(2_654_435_761) % 100_003) << 33)
            .collect();
        let a = densify_partitioned(&ids);
        let b = densify_hashed(ids.iter().copied(), n);
        assert_eq!(a.group_of, b.group_of);
        assert_eq!(a.first_item, b.first_item);
    }
}
