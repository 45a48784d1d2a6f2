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
pub(crate) struct Grouping {
    pub group_of: Vec<u32>,
    pub first_item: Vec<u32>,
}

impl Grouping {
    pub(crate) fn len(&self) -> usize {
        self.first_item.len()
    }

    /// Sum of `weight(item)` per group, in item order.
    pub(crate) fn sum_per_group(&self, weight: impl Fn(usize) -> u64) -> Vec<u64> {
        let mut sums = vec![0u64; self.len()];
        for (i, &g) in self.group_of.iter().enumerate() {
            // Saturating: a class file's counts are checked against a cap after the sum.
            sums[g as usize] = sums[g as usize].saturating_add(weight(i));
        }
        sums
    }
}

/// Groups `n` items by the tuple `(code(0, i), code(1, i), ...)`, where column `c` takes codes
/// `0..cards[c]`. `code` must return codes below the column's cardinality.
pub(crate) fn group_tuples(
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
pub(crate) fn group_folded(
    n: usize,
    cards: &[u64],
    fold: impl Fn(usize, u64, &mut [u64]),
) -> Grouping {
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
///
/// The counting sort into partitions and the final write of every item's group run in parallel
/// over fixed blocks of items: the output of partition `p` is laid out block by block, so the
/// slice that block `b` fills for partition `p` is known in advance and every block writes only
/// its own slices (a sequential counting sort was a quarter of a 10M-row merge).
fn densify_partitioned(ids: &[u64]) -> Grouping {
    const BITS: u32 = 6;
    const PARTS: usize = 1 << BITS;
    const BLOCK: usize = 1 << 16;
    let part_of = |id: u64| (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize;
    let n = ids.len();
    let blocks: Vec<&[u64]> = ids.chunks(BLOCK).collect();
    // counts[b][p]: items of block b in partition p.
    let counts: Vec<[usize; PARTS]> = blocks
        .par_iter()
        .map(|blk| {
            let mut c = [0usize; PARTS];
            for &id in blk.iter() {
                c[part_of(id)] += 1;
            }
            c
        })
        .collect();
    // Partition p occupies offsets[p]..offsets[p + 1]; within it, block b's items come in block
    // order, so item order is kept within each partition.
    let mut offsets = vec![0usize; PARTS + 1];
    for p in 0..PARTS {
        offsets[p + 1] = offsets[p] + counts.iter().map(|c| c[p]).sum::<usize>();
    }
    // Ids are moved with their items so that each partition reads its own contiguous slice.
    let mut items = vec![0u32; n];
    let mut sorted_ids = vec![0u64; n];
    {
        let mut item_slices = segments(&mut items, &counts);
        let mut id_slices = segments(&mut sorted_ids, &counts);
        blocks
            .par_iter()
            .zip(item_slices.par_iter_mut())
            .zip(id_slices.par_iter_mut())
            .enumerate()
            .for_each(|(b, ((blk, its), ids_out))| {
                let mut fill = [0usize; PARTS];
                for (j, &id) in blk.iter().enumerate() {
                    let p = part_of(id);
                    its[p][fill[p]] = (b * BLOCK + j) as u32;
                    ids_out[p][fill[p]] = id;
                    fill[p] += 1;
                }
            });
    }
    let local: Vec<Grouping> = (0..PARTS)
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
    let mut first_of_part = vec![u8::MAX; n];
    for (p, g) in local.iter().enumerate() {
        let mine = &items[offsets[p]..offsets[p + 1]];
        for &f in &g.first_item {
            first_of_part[mine[f as usize] as usize] = p as u8;
        }
    }
    let mut remap: Vec<Vec<u32>> = local.iter().map(|g| vec![0; g.len()]).collect();
    let mut next_local = [0usize; PARTS];
    let mut first_item = Vec::with_capacity(local.iter().map(|g| g.len()).sum());
    for (item, &p) in first_of_part.iter().enumerate() {
        if p != u8::MAX {
            let p = p as usize;
            remap[p][next_local[p]] = first_item.len() as u32;
            next_local[p] += 1;
            first_item.push(item as u32);
        }
    }
    drop(first_of_part);
    // Every item's group, block by block: block b's items of partition p are the segment that
    // block filled above, and their local groups sit at the same positions.
    let mut starts = vec![[0usize; PARTS]; counts.len()];
    for p in 0..PARTS {
        let mut at = offsets[p];
        for (b, c) in counts.iter().enumerate() {
            starts[b][p] = at;
            at += c[p];
        }
    }
    let mut group_of = vec![0u32; n];
    group_of
        .par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, out)| {
            let base = b * BLOCK;
            for p in 0..PARTS {
                let seg = starts[b][p]..starts[b][p] + counts[b][p];
                let lg_base = offsets[p];
                for k in seg {
                    let item = items[k] as usize;
                    let lg = local[p].group_of[k - lg_base];
                    out[item - base] = remap[p][lg as usize];
                }
            }
        });
    Grouping {
        group_of,
        first_item,
    }
}

/// Splits `out` (laid out partition by partition, each block by block) into one slice per
/// (block, partition): `result[b][p]` has `counts[b][p]` elements.
fn segments<'a, T, const P: usize>(
    out: &'a mut [T],
    counts: &[[usize; P]],
) -> Vec<Vec<&'a mut [T]>> {
    let mut per_block: Vec<Vec<&'a mut [T]>> =
        (0..counts.len()).map(|_| Vec::with_capacity(P)).collect();
    let mut rest = out;
    for p in 0..P {
        for (b, c) in counts.iter().enumerate() {
            let (seg, tail) = std::mem::take(&mut rest).split_at_mut(c[p]);
            per_block[b].push(seg);
            rest = tail;
        }
    }
    per_block
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
