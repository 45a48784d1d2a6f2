//! Which combinations of quasi-identifiers single people out.
//!
//! For every subset of the QIs up to a size, the class table over that subset is rolled up from
//! an already computed table over a superset (the one with the fewest classes), never from the
//! rows: a lattice walk from the full QI set down, one level at a time, each level's subsets in
//! parallel. Figures per subset: classes, smallest class, sample uniques, distinction (classes /
//! n) and separation (the share of record pairs that the subset tells apart), and the estimated
//! population uniqueness when a population is given. Each QI's marginal contribution is how much
//! sample uniqueness drops when that QI alone is removed from the full set.

use hashbrown::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::classes::people::Counted;
use crate::classes::{ClassTable, RollupQi};
use crate::error::{Error, Result};
use crate::risk::estimators::{dankar, FreqOfFreq, SnbVariant};

/// Default largest subset size: every subset up to 12 QIs, otherwise subsets of up to 4.
pub(crate) fn default_max_size(n_qi: usize) -> usize {
    if n_qi <= 12 {
        n_qi
    } else {
        4
    }
}

/// A per-size threshold (mu-Argus style): subsets of `size` QIs whose smallest class is at most
/// `threshold` are flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub size: usize,
    pub threshold: u64,
}

/// Parses `1:20,2:10,3:5`.
pub fn parse_thresholds(text: &str) -> Result<Vec<Threshold>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (s, t) = p.split_once(':').ok_or_else(|| bad_threshold(p))?;
            Ok(Threshold {
                size: s.trim().parse().map_err(|_| bad_threshold(p))?,
                threshold: t.trim().parse().map_err(|_| bad_threshold(p))?,
            })
        })
        .collect()
}

fn bad_threshold(p: &str) -> Error {
    Error::Invalid(format!("--threshold {p:?}: expected SIZE:K, e.g. 2:10"))
}

/// The figures of one QI subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubsetFigures {
    pub qis: Vec<String>,
    pub size: usize,
    pub classes: u64,
    /// The smallest class.
    pub k: u64,
    /// Records alone in their class.
    pub sample_uniques: u64,
    pub uniqueness: f64,
    /// classes / n.
    pub distinction: f64,
    /// Share of record pairs in different classes: 1 - sum f(f-1) / (n(n-1)).
    pub separation: f64,
    /// Estimated population uniqueness (Dankar et al. rule), when a population is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population_uniqueness: Option<f64>,
    /// Set when a per-size threshold flags this subset: records in classes at or below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flagged: Option<Flag>,
    #[serde(skip)]
    pub mask: u64,
    /// Frequency of class sizes: (size, number of classes), ascending.
    #[serde(skip)]
    pub size_frequencies: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub threshold: u64,
    pub records: u64,
}

/// How much sample uniqueness drops when one QI is removed from the full set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marginal {
    pub qi: String,
    pub uniqueness_without: f64,
    pub drop: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Combos {
    pub max_size: usize,
    pub all: SubsetFigures,
    pub marginal: Vec<Marginal>,
    /// Every subset up to `max_size`, by size, then in QI order.
    pub subsets: Vec<SubsetFigures>,
    pub thresholds: Vec<Threshold>,
}

fn figures(t: &ClassTable, mask: u64, names: &[String], thresholds: &[Threshold]) -> SubsetFigures {
    let n = t.n_records as f64;
    let uniques = t.counts.iter().filter(|&&f| f == 1).count() as u64;
    let pairs: f64 = t.counts.iter().map(|&f| f as f64 * (f as f64 - 1.0)).sum();
    let size = mask.count_ones() as usize;
    let k = t.counts.iter().copied().min().unwrap_or(0);
    let flagged = thresholds.iter().find(|th| th.size == size).and_then(|th| {
        (k <= th.threshold).then(|| Flag {
            threshold: th.threshold,
            records: t.counts.iter().filter(|&&f| f <= th.threshold).sum(),
        })
    });
    SubsetFigures {
        qis: (0..names.len())
            .filter(|&q| mask >> q & 1 == 1)
            .map(|q| names[q].clone())
            .collect(),
        size,
        classes: t.n_classes() as u64,
        k,
        sample_uniques: uniques,
        uniqueness: uniques as f64 / n,
        distinction: t.n_classes() as f64 / n,
        separation: if n > 1.0 {
            1.0 - pairs / (n * (n - 1.0))
        } else {
            0.0
        },
        population_uniqueness: None,
        flagged,
        mask,
        size_frequencies: size_frequencies(&t.counts),
    }
}

/// (class size, number of classes of that size), ascending by size.
pub(crate) fn size_frequencies(counts: &[u64]) -> Vec<(u64, u64)> {
    let mut m: HashMap<u64, u64> = HashMap::new();
    for &f in counts {
        *m.entry(f).or_default() += 1;
    }
    let mut v: Vec<(u64, u64)> = m.into_iter().collect();
    v.sort_unstable();
    v
}

/// The table over `mask`, rolled up from `parent` (over `parent_mask`, a superset).
fn rollup(parent: &Counted, parent_mask: u64, mask: u64) -> Counted {
    let mut keep = Vec::new();
    let mut pos = 0;
    for q in 0..64 {
        if parent_mask >> q & 1 == 1 {
            if mask >> q & 1 == 1 {
                keep.push(RollupQi {
                    source: pos,
                    recode: None,
                });
            }
            pos += 1;
        }
    }
    parent.rollup(&keep)
}

/// All subsets of `n` QIs of exactly `size` members, as masks in ascending order.
fn subsets_of_size(n: usize, size: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut cur: Vec<usize> = (0..size).collect();
    if size == 0 || size > n {
        return out;
    }
    loop {
        out.push(cur.iter().fold(0u64, |m, &q| m | 1 << q));
        // Next combination in lexicographic order.
        let mut i = size;
        while i > 0 && cur[i - 1] == n - size + i - 1 {
            i -= 1;
        }
        if i == 0 {
            break;
        }
        cur[i - 1] += 1;
        for j in i..size {
            cur[j] = cur[j - 1] + 1;
        }
    }
    out
}

/// Computes every subset's figures. `table` is the class table over all QIs (sensitive
/// histograms are not needed and are best left out).
///
/// With `population` (its size N and the SNB variant), every subset also gets its estimated
/// population uniqueness by Dankar et al.'s rule.
pub fn combos(
    table: &ClassTable,
    max_size: usize,
    thresholds: &[Threshold],
    population: Option<(u64, SnbVariant)>,
) -> Result<Combos> {
    combos_of(
        &Counted::rows(ClassTable {
            sensitive: Vec::new(),
            ..table.clone()
        }),
        max_size,
        thresholds,
        population,
    )
}

/// [`combos`] of a row-level table and, with an entity, its people: every subset's figures
/// count people (each subset's people-level table is rolled up with its row table).
pub fn combos_of(
    table: &Counted,
    max_size: usize,
    thresholds: &[Threshold],
    population: Option<(u64, SnbVariant)>,
) -> Result<Combos> {
    let n = table.rows.qis.len();
    if n > 64 {
        return Err(Error::Invalid(format!(
            "{n} quasi-identifiers: combination analysis handles at most 64"
        )));
    }
    let max_size = max_size.clamp(1, n);
    let names: Vec<String> = table.rows.qis.iter().map(|d| d.name.clone()).collect();
    let full_mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let base = Counted {
        rows: ClassTable {
            sensitive: Vec::new(),
            ..table.rows.clone()
        },
        people: table.people.clone(),
    };
    let all = figures(base.counted(), full_mask, &names, thresholds);
    // Computed tables of the level above, by mask.
    let mut level: HashMap<u64, Counted> = HashMap::new();
    level.insert(full_mask, base);
    let mut results: HashMap<u64, SubsetFigures> = HashMap::new();
    results.insert(full_mask, all.clone());
    // The all-but-one sets (for marginals), then every level from max_size down to 1.
    let mut sizes: Vec<usize> = Vec::new();
    if n > 1 {
        sizes.push(n - 1);
    }
    sizes.extend((1..=max_size.min(n.saturating_sub(2))).rev());
    for size in sizes {
        let masks = subsets_of_size(n, size);
        let computed: Vec<(u64, Counted, SubsetFigures)> = masks
            .par_iter()
            .map(|&mask| {
                // The computed superset with the fewest classes.
                let (&pm, parent) = level
                    .iter()
                    .filter(|(&pm, _)| pm & mask == mask)
                    .min_by_key(|(&pm, t)| (t.rows.n_classes(), pm))
                    .expect("the full set is a superset of every subset");
                let t = rollup(parent, pm, mask);
                let f = figures(t.counted(), mask, &names, thresholds);
                (mask, t, f)
            })
            .collect();
        let mut next = HashMap::with_capacity(computed.len());
        for (mask, t, f) in computed {
            results.insert(mask, f);
            next.insert(mask, t);
        }
        // Keep the full table as a fallback parent for levels below the all-but-one sets.
        if size == n - 1 {
            next.insert(full_mask, level.remove(&full_mask).unwrap());
        }
        level = next;
    }
    let marginal = (0..n)
        .map(|q| {
            let without = results
                .get(&(full_mask & !(1 << q)))
                .map_or(0.0, |f| f.uniqueness);
            Marginal {
                qi: names[q].clone(),
                uniqueness_without: without,
                drop: all.uniqueness - without,
            }
        })
        .collect();
    let mut subsets: Vec<SubsetFigures> = results
        .into_values()
        .filter(|f| f.size <= max_size)
        .collect();
    let mut all = all;
    if let Some((big_n, variant)) = population {
        let estimate = |f: &SubsetFigures| {
            let freq = FreqOfFreq::from_pairs(f.size_frequencies.iter().copied());
            dankar(&freq, big_n, variant).estimate.share
        };
        subsets
            .par_iter_mut()
            .for_each(|f| f.population_uniqueness = estimate(f));
        all.population_uniqueness = estimate(&all);
    }
    subsets.sort_by_key(|f| (f.size, std::cmp::Reverse(f.mask.reverse_bits())));
    Ok(Combos {
        max_size,
        all,
        marginal,
        subsets,
        thresholds: thresholds.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_all_combinations() {
        assert_eq!(
            subsets_of_size(4, 2),
            vec![0b0011, 0b0101, 0b1001, 0b0110, 0b1010, 0b1100]
        );
        assert_eq!(subsets_of_size(3, 3), vec![0b111]);
        assert_eq!(subsets_of_size(5, 1).len(), 5);
        assert_eq!(subsets_of_size(24, 3).len(), 2024);
    }

    #[test]
    fn thresholds_parse() {
        let t = parse_thresholds("1:20, 2:10,3:5").unwrap();
        assert_eq!(
            t[1],
            Threshold {
                size: 2,
                threshold: 10
            }
        );
        assert!(parse_thresholds("2-10").is_err());
    }
}
