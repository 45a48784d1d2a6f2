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
//! The top-level items' sub-searches run in parallel (rayon), a batch of ranks at a time from the
//! highest down; the MSUs found are kept per class as sorted attribute masks (2 bytes each for up
//! to 16 attributes), the only memory that grows with their number. [`suda2_visit`] hands each
//! MSU to the caller (the scores tally them, [`ScoreTally`]); [`suda2`] collects and sorts them,
//! so both are the same for any number of threads.
//!
//! # Scores
//!
//! [`scores`] turns the MSUs into per-class scores (a record's scores are its class's): the
//! number of MSUs of each size, the SUDA score (Elliot et al., "SUDA: a program for detecting
//! special uniques": each MSU of size `s` adds `(M - s)!`), the DIS-SUDA score ([`Dis`]: as
//! sdcMicro computes it from a sampling fraction, or a file-level probability spread linearly),
//! each attribute's contribution to the total score, and a summary.
//!
//! [`brute_force_msus`] is an independent, exhaustive reference for tests.

use serde::{Deserialize, Serialize};

mod brute_force;
mod scores;
mod search;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use brute_force::brute_force_msus;
pub use scores::{
    scores, scores_with, Dis, ScoreTally, SudaScores, SudaSummary, DEFAULT_DIS,
    DEFAULT_DIS_FRACTION, DIS_THRESHOLDS, SCORE_QUANTILES,
};
pub use search::{suda2, suda2_visit};

/// The most attributes an analysis can have (itemsets are `u64` attribute masks).
pub(crate) const MAX_ATTRS: usize = 64;

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
    pub(crate) fn attributes(&self) -> impl Iterator<Item = usize> {
        bits(self.attrs)
    }
}

/// The set bits of `mask`, lowest first.
pub(super) fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let a = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            a
        })
    })
}
