//! Local suppression: the fewest QI cells, weighted by importance, blanked so that every record
//! is matched by at least k records when a blank (or missing) value matches every value.
//!
//! It works on the class table: all the records of a class have the same QI tuple, so they get
//! the same cells suppressed, and a class's state is the set of its QIs that are missing
//! (its *mask*, the missing values it came with included). A class is safe when its matched
//! size ([`crate::classes::wildcard`]) is at least k; suppressing a cell only makes tuples
//! compatible with more, so a safe class stays safe and only the initially unsafe classes are
//! ever looked at.
//!
//! # The greedy pass
//!
//! The unsafe classes are taken smallest matched size first (sdcMicro takes the riskiest
//! records first too). For each one still unsafe when its turn comes, the cells to blank are the
//! cheapest set of its QIs (the cost of a cell is its QI's weight, see [`weights`]; ties go to
//! fewer cells, then to the lower QIs) whose blanking gives the class a matched size of at least
//! k: the candidate sets are tried in order of cost, each costing one hash look-up per mask in
//! use. The class then counts for every class it now matches, which is what lets one
//! suppression make two records safe (sdcMicro blanks both).
//!
//! A class of mask `P` matches the tuple `t` with mask `S` when they agree on the QIs outside
//! `P ∪ S`; so for every mask `P` in use and set `A` of QIs, a hash map counts the records of
//! mask `P` by their values on `A`, built when first asked for and kept up to date as classes
//! change masks. The QI codes of a class are packed into one 128-bit key, and a projection is a
//! bitwise and.
//!
//! # The exact search
//!
//! On small tables (at most 24 classes) a branch and bound over the classes'
//! masks finds the optimum, starting from the greedy's cost: it takes an unsafe class and
//! branches on every single cell that could raise its matched size (one of its own, or one that
//! removes a disagreement between another class and it), pruning by cost and by states already
//! seen. The result says whether it is proven optimal.

use hashbrown::{HashMap, HashSet};

use crate::classes::wildcard::patterns;
use crate::classes::ClassTable;
use crate::error::{Error, Result};

/// Tables with at most this many classes are searched exactly.
pub(crate) const EXACT_CLASSES: usize = 24;
/// The exact search gives up (keeping the greedy result) after this many states.
const EXACT_BUDGET: usize = 400_000;

/// The importance of each QI, as sdcMicro's `localSuppression(importance = ...)`: a rank, 1 the
/// most important (suppressed last). A cell of a QI of rank `r` costs `R + 1 - r`, `R` the
/// largest rank, so that the search trades `R` cells of the least important QI for one of the
/// most important.
pub fn weights(ranks: &[u32]) -> Vec<u64> {
    let top = ranks.iter().copied().max().unwrap_or(1);
    ranks
        .iter()
        .map(|&r| (top + 1 - r.min(top)) as u64)
        .collect()
}

/// sdcMicro's default importance: QIs with more distinct values are less important (ranked
/// higher), ties in column order. `distinct[q]`: the number of distinct non-missing values.
pub fn default_ranks(distinct: &[usize]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    order.sort_by_key(|&q| distinct[q]);
    let mut ranks = vec![0u32; distinct.len()];
    for (r, &q) in order.iter().enumerate() {
        ranks[q] = r as u32 + 1;
    }
    ranks
}

/// The outcome of a local suppression on a class table.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressions {
    /// `masks[c]`: the QIs of class `c` that are blank afterwards (missing before, or blanked).
    pub masks: Vec<u128>,
    /// `added[c]`: the QIs blanked by the suppression (a subset of `masks[c]`).
    pub added: Vec<u128>,
    /// Cells blanked per QI (records, not classes).
    pub per_qi: Vec<u64>,
    /// The weighted cost: cells times their QI's weight.
    pub cost: u64,
    /// Proven optimal by the exact search.
    pub optimal: bool,
    /// The smallest matched size afterwards.
    pub smallest: u64,
}

impl Suppressions {
    pub fn cells(&self) -> u64 {
        self.per_qi.iter().sum()
    }
}

/// Blanks the cheapest cells of `t` (cost per cell `weights[q]`) that make every class's
/// matched size at least `k`. Fails when the table has fewer than `k` records.
pub fn suppress(t: &ClassTable, k: u64, weights: &[u64]) -> Result<Suppressions> {
    let n_qi = t.qis.len();
    if n_qi > 128 {
        return Err(Error::Invalid(format!(
            "local suppression takes at most 128 quasi-identifiers, not {n_qi}"
        )));
    }
    if t.n_records < k {
        return Err(Error::Invalid(format!(
            "local suppression to k = {k}: the table has {} records; no suppression makes fewer than k records k-anonymous",
            t.n_records
        )));
    }
    let start = patterns(t);
    let mut state = State::new(t, &start)?;
    state.greedy(k, weights);
    let mut masks = state.mask.clone();
    let mut optimal = false;
    if t.n_classes() <= EXACT_CLASSES {
        let greedy_cost = cost_of(t, &start, &masks, weights);
        if let Some((best, proven)) = exact(t, &start, k, weights, greedy_cost) {
            if let Some(b) = best {
                masks = b;
            }
            optimal = proven;
        }
    }
    let added: Vec<u128> = masks.iter().zip(&start).map(|(m, s)| m & !s).collect();
    let mut per_qi = vec![0u64; n_qi];
    for (c, a) in added.iter().enumerate() {
        for (q, cells) in per_qi.iter_mut().enumerate() {
            if a >> q & 1 == 1 {
                *cells += t.counts[c];
            }
        }
    }
    let sizes = matched(t, &masks);
    Ok(Suppressions {
        cost: cost_of(t, &start, &masks, weights),
        smallest: sizes.iter().copied().min().unwrap_or(0),
        masks,
        added,
        per_qi,
        optimal,
    })
}

fn cost_of(t: &ClassTable, start: &[u128], masks: &[u128], weights: &[u64]) -> u64 {
    masks
        .iter()
        .zip(start)
        .enumerate()
        .map(|(c, (m, s))| t.counts[c] * mask_cost(m & !s, weights))
        .sum()
}

fn mask_cost(mask: u128, weights: &[u64]) -> u64 {
    weights
        .iter()
        .enumerate()
        .filter(|(q, _)| mask >> q & 1 == 1)
        .map(|(_, &w)| w)
        .sum()
}

/// Matched sizes of the classes of `t` with the given masks, pair by pair (small tables).
pub(crate) fn matched(t: &ClassTable, masks: &[u128]) -> Vec<u64> {
    let n = t.n_classes();
    if n > 4096 {
        let mut state = State::new(t, masks).expect("checked by the caller");
        return (0..n).map(|c| state.size(c, masks[c])).collect();
    }
    (0..n)
        .map(|c| {
            (0..n)
                .filter(|&d| compatible(t, c, masks[c], d, masks[d]))
                .map(|d| t.counts[d])
                .sum()
        })
        .collect()
}

fn compatible(t: &ClassTable, c: usize, mc: u128, d: usize, md: u128) -> bool {
    (0..t.qis.len()).all(|q| (mc | md) >> q & 1 == 1 || t.codes[q][c] == t.codes[q][d])
}

/// The greedy pass's state: masks, packed keys, and the count maps.
struct State<'a> {
    t: &'a ClassTable,
    mask: Vec<u128>,
    key: Vec<u128>,
    /// The bits of each QI in a key.
    field: Vec<u128>,
    all: u128,
    /// Classes by mask (lazily: a class listed under a mask it left is skipped).
    members: HashMap<u128, Vec<u32>>,
    /// Records per mask in use.
    records: HashMap<u128, u64>,
    /// `(mask, agree-set) -> projected key -> records`.
    maps: HashMap<(u128, u128), HashMap<u128, u64>>,
}

impl<'a> State<'a> {
    fn new(t: &'a ClassTable, masks: &[u128]) -> Result<State<'a>> {
        let n_qi = t.qis.len();
        let mut field = Vec::with_capacity(n_qi);
        let mut offset = 0u32;
        for d in &t.qis {
            let bits = 32 - (d.values.len().max(2) as u32 - 1).leading_zeros();
            if offset + bits > 128 {
                return Err(Error::Invalid(
                    "local suppression: the QIs' values need more than 128 bits per record (too many QIs or values); use fewer quasi-identifiers".into(),
                ));
            }
            field.push(((1u128 << bits) - 1) << offset);
            offset += bits;
        }
        let mut shift = Vec::with_capacity(n_qi);
        let mut o = 0u32;
        for f in &field {
            shift.push(o);
            o += f.count_ones();
        }
        let key: Vec<u128> = (0..t.n_classes())
            .map(|c| {
                (0..n_qi)
                    .map(|q| (t.codes[q][c] as u128) << shift[q])
                    .fold(0, |a, b| a | b)
            })
            .collect();
        let mut members: HashMap<u128, Vec<u32>> = HashMap::new();
        let mut records: HashMap<u128, u64> = HashMap::new();
        for (c, &m) in masks.iter().enumerate() {
            members.entry(m).or_default().push(c as u32);
            *records.entry(m).or_default() += t.counts[c];
        }
        let all = if n_qi == 128 {
            u128::MAX
        } else {
            (1u128 << n_qi) - 1
        };
        Ok(State {
            t,
            mask: masks.to_vec(),
            key,
            field,
            all,
            members,
            records,
            maps: HashMap::new(),
        })
    }

    /// The key bits of the QIs in `set`.
    fn bits(&self, set: u128) -> u128 {
        self.field
            .iter()
            .enumerate()
            .filter(|(q, _)| set >> q & 1 == 1)
            .fold(0, |a, (_, f)| a | f)
    }

    fn map(&mut self, p: u128, agree: u128) -> &HashMap<u128, u64> {
        if !self.maps.contains_key(&(p, agree)) {
            let bits = self.bits(agree);
            let mut m: HashMap<u128, u64> = HashMap::new();
            for &c in &self.members[&p] {
                if self.mask[c as usize] == p {
                    *m.entry(self.key[c as usize] & bits).or_default() += self.t.counts[c as usize];
                }
            }
            self.maps.insert((p, agree), m);
        }
        &self.maps[&(p, agree)]
    }

    /// The matched size of class `c`'s tuple with mask `s`.
    fn size(&mut self, c: usize, s: u128) -> u64 {
        let in_use: Vec<u128> = self
            .records
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(&p, _)| p)
            .collect();
        let mut total = 0;
        for p in in_use {
            let agree = self.all & !(s | p);
            let probe = self.key[c] & self.bits(agree);
            total += self.map(p, agree).get(&probe).copied().unwrap_or(0);
        }
        total
    }

    /// Moves class `c` to mask `s`, keeping the maps up to date.
    fn set_mask(&mut self, c: usize, s: u128) {
        let old = self.mask[c];
        let n = self.t.counts[c];
        let key = self.key[c];
        let field = &self.field;
        let bits = |set: u128| {
            field
                .iter()
                .enumerate()
                .filter(|(q, _)| set >> q & 1 == 1)
                .fold(0u128, |a, (_, f)| a | f)
        };
        for (&(p, agree), m) in self.maps.iter_mut() {
            if p == old {
                let e = m.get_mut(&(key & bits(agree))).expect("counted");
                *e -= n;
            } else if p == s {
                *m.entry(key & bits(agree)).or_default() += n;
            }
        }
        *self.records.get_mut(&old).expect("in use") -= n;
        *self.records.entry(s).or_default() += n;
        self.members.entry(s).or_default().push(c as u32);
        self.mask[c] = s;
    }

    /// The greedy pass (module documentation).
    fn greedy(&mut self, k: u64, weights: &[u64]) {
        let n = self.t.n_classes();
        let n_qi = self.t.qis.len();
        let mut unsafe_classes: Vec<(u64, usize)> = Vec::new();
        for c in 0..n {
            let s = self.size(c, self.mask[c]);
            if s < k {
                unsafe_classes.push((s, c));
            }
        }
        unsafe_classes.sort_unstable();
        let candidates = candidate_sets(n_qi, weights);
        for &(_, c) in &unsafe_classes {
            let own = self.mask[c];
            if self.size(c, own) >= k {
                continue;
            }
            let mut chosen = self.all;
            for &extra in &candidates {
                if extra & own != 0 {
                    continue;
                }
                if self.size(c, own | extra) >= k {
                    chosen = own | extra;
                    break;
                }
            }
            self.set_mask(c, chosen);
        }
    }
}

/// Sets of QIs to blank, cheapest first (cost, then fewer cells, then lower QIs): every
/// non-empty set for up to 16 QIs; beyond, the sets of at most 3 QIs (blanking every QI, which
/// always succeeds, is the last resort).
fn candidate_sets(n_qi: usize, weights: &[u64]) -> Vec<u128> {
    let mut sets: Vec<u128> = if n_qi <= 16 {
        (1u128..1 << n_qi).collect()
    } else {
        let mut v = Vec::new();
        for a in 0..n_qi {
            v.push(1u128 << a);
            for b in a + 1..n_qi {
                v.push(1u128 << a | 1 << b);
                for c in b + 1..n_qi {
                    v.push(1u128 << a | 1 << b | 1 << c);
                }
            }
        }
        v
    };
    sets.sort_by_key(|&s| (mask_cost(s, weights), s.count_ones(), s));
    sets
}

/// The exact search (module documentation): the best masks found below `bound` (None when
/// none beats it) and whether the search finished (the result, or the greedy's, is optimal).
#[allow(clippy::type_complexity)]
fn exact(
    t: &ClassTable,
    start: &[u128],
    k: u64,
    weights: &[u64],
    bound: u64,
) -> Option<(Option<Vec<u128>>, bool)> {
    struct Search<'a> {
        t: &'a ClassTable,
        k: u64,
        weights: &'a [u64],
        best_cost: u64,
        best: Option<Vec<u128>>,
        seen: HashSet<Vec<u128>>,
        budget: usize,
    }
    impl Search<'_> {
        fn go(&mut self, masks: &mut Vec<u128>, cost: u64) -> bool {
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            if cost >= self.best_cost || !self.seen.insert(masks.clone()) {
                return true;
            }
            let sizes = matched(self.t, masks);
            let Some(c) = (0..masks.len()).find(|&c| sizes[c] < self.k) else {
                self.best_cost = cost;
                self.best = Some(masks.clone());
                return true;
            };
            let n_qi = self.t.qis.len();
            // Every single cell that can raise class c's matched size.
            let mut moves: Vec<(usize, usize)> = Vec::new();
            for q in 0..n_qi {
                if masks[c] >> q & 1 == 0 {
                    moves.push((c, q));
                }
            }
            for d in 0..masks.len() {
                if d == c || compatible(self.t, c, masks[c], d, masks[d]) {
                    continue;
                }
                for q in 0..n_qi {
                    let free = (masks[c] | masks[d]) >> q & 1 == 0;
                    if free && self.t.codes[q][c] != self.t.codes[q][d] {
                        moves.push((d, q));
                    }
                }
            }
            for (d, q) in moves {
                let add = self.t.counts[d] * self.weights[q];
                masks[d] |= 1 << q;
                let finished = self.go(masks, cost + add);
                masks[d] &= !(1u128 << q);
                if !finished {
                    return false;
                }
            }
            true
        }
    }
    let mut s = Search {
        t,
        k,
        weights,
        best_cost: bound,
        best: None,
        seen: HashSet::new(),
        budget: EXACT_BUDGET,
    };
    let mut masks = start.to_vec();
    let finished = s.go(&mut masks, 0);
    Some((s.best, finished))
}
