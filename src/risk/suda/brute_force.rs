//! The exhaustive reference for the SUDA2 search, used by the tests.

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{bits, Msu, MAX_ATTRS};

/// The reference: every MSU of size at most `max_size`, found by testing every attribute subset
/// of every class of count 1 directly, sorted like [`suda2`](super::suda2)'s. For small numbers
/// of attributes (it visits all `2^M` subsets up to `max_size`).
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
