//! Class sizes when a missing or suppressed value matches every value.
//!
//! Under `--missing wildcard` (sdcMicro's `alpha = 1`, mu-Argus's counting of suppressed
//! cells), a record whose age is `NULL` or `*` could be anyone of any age with its other values:
//! an attacker who matches on the QIs cannot tell it from them. Two QI tuples are *compatible*
//! when they agree on every QI where neither is missing; the *matched size* of a class is the
//! number of records whose tuple is compatible with its tuple (its own records included). It is
//! at least the class's own size, so wildcard counting never makes a class smaller than counting
//! `NULL` as one value does; on a table without missing values the two agree.
//!
//! The classes stay the engine's classes (the distinct tuples, missing values as codes of their
//! own); only their sizes change, and they no longer partition the records: a record with a
//! wildcard counts towards several classes' sizes. How it is computed: the classes are grouped
//! by their *pattern* (the set of QIs where they are missing). A class of pattern `P` and one of
//! pattern `Q` are compatible exactly when they agree on the QIs outside `P ∪ Q`, so for each
//! pair of patterns present the second group's classes are summed by their values on those QIs
//! (one hash map per pair) and looked up for each class of the first. Tables without missing
//! values have one pattern and cost one pass.

use hashbrown::HashMap;

use super::ClassTable;
use crate::input::encode::NULL_TEXT;

/// The text of a suppressed cell in reident's outputs.
pub const SUPPRESSED: &str = "*";

/// Whether a canonical value is missing or suppressed (a wildcard under wildcard counting).
pub fn is_missing(value: &str) -> bool {
    value == NULL_TEXT || value == SUPPRESSED
}

/// The matched size (and, with weights, the matched weight sum) of every class of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// `sizes[c]`: the records whose tuple is compatible with class `c`'s.
    pub sizes: Vec<u64>,
    /// `weights[c]`: the sum of those records' sampling weights.
    pub weights: Option<Vec<f64>>,
}

/// Each class's pattern of missing QIs, as a bit set (QI `q` is bit `q`; at most 128 QIs).
pub(crate) fn patterns(t: &ClassTable) -> Vec<u128> {
    let mut pattern = vec![0u128; t.n_classes()];
    for (q, (d, col)) in t.qis.iter().zip(&t.codes).enumerate().take(128) {
        let missing: Vec<bool> = d.values.iter().map(|v| is_missing(v)).collect();
        if !missing.iter().any(|&m| m) {
            continue;
        }
        for (p, &code) in pattern.iter_mut().zip(col) {
            if missing[code as usize] {
                *p |= 1 << q;
            }
        }
    }
    pattern
}

/// The matched sizes of the classes of `t` (see the module documentation).
pub fn matched_sizes(t: &ClassTable) -> Matched {
    let n_qi = t.qis.len();
    assert!(n_qi <= 128, "wildcard counting takes at most 128 QIs");
    let pattern = patterns(t);
    let mut groups: HashMap<u128, Vec<usize>> = HashMap::new();
    for (c, &p) in pattern.iter().enumerate() {
        groups.entry(p).or_default().push(c);
    }
    let mut keys: Vec<u128> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut sizes = vec![0u64; t.n_classes()];
    let mut weights = t.weights.as_ref().map(|_| vec![0.0f64; t.n_classes()]);
    let all: u128 = if n_qi == 128 {
        u128::MAX
    } else {
        (1u128 << n_qi) - 1
    };
    for &p in &keys {
        for &q in &keys {
            let agree = all & !(p | q);
            let cols: Vec<usize> = (0..n_qi).filter(|&i| agree >> i & 1 == 1).collect();
            let key = |c: usize| -> Vec<u32> { cols.iter().map(|&i| t.codes[i][c]).collect() };
            let mut sums: HashMap<Vec<u32>, (u64, f64)> = HashMap::new();
            for &d in &groups[&q] {
                let e = sums.entry(key(d)).or_default();
                e.0 += t.counts[d];
                if let Some(w) = &t.weights {
                    e.1 += w[d];
                }
            }
            for &c in &groups[&p] {
                if let Some(&(n, w)) = sums.get(&key(c)) {
                    sizes[c] += n;
                    if let Some(ws) = weights.as_mut() {
                        ws[c] += w;
                    }
                }
            }
        }
    }
    Matched { sizes, weights }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classes::Domain;

    fn table(rows: &[(&[&str], u64)]) -> ClassTable {
        let n_qi = rows[0].0.len();
        let mut values: Vec<Vec<String>> = vec![Vec::new(); n_qi];
        let mut codes = vec![Vec::new(); n_qi];
        for (tuple, _) in rows {
            for (q, v) in tuple.iter().enumerate() {
                let code = match values[q].iter().position(|x| x == v) {
                    Some(i) => i,
                    None => {
                        values[q].push(v.to_string());
                        values[q].len() - 1
                    }
                };
                codes[q].push(code as u32);
            }
        }
        ClassTable {
            n_records: rows.iter().map(|r| r.1).sum(),
            qis: values
                .into_iter()
                .enumerate()
                .map(|(q, v)| Domain {
                    name: format!("q{q}"),
                    values: v.into(),
                })
                .collect(),
            codes,
            counts: rows.iter().map(|r| r.1).collect(),
            sensitive: Vec::new(),
            weights: None,
        }
    }

    /// Brute force: every pair of classes compared value by value.
    fn brute(t: &ClassTable) -> Vec<u64> {
        (0..t.n_classes())
            .map(|c| {
                (0..t.n_classes())
                    .filter(|&d| {
                        (0..t.qis.len()).all(|q| {
                            let (a, b) = (
                                &t.qis[q].values[t.codes[q][c] as usize],
                                &t.qis[q].values[t.codes[q][d] as usize],
                            );
                            a == b || is_missing(a) || is_missing(b)
                        })
                    })
                    .map(|d| t.counts[d])
                    .sum()
            })
            .collect()
    }

    #[test]
    fn hand_checked_wildcards() {
        // (30, m, A) x2; (30, f, A); (*, m, A); (NULL, f, *); (40, m, B).
        let t = table(&[
            (&["30", "m", "A"], 2),
            (&["30", "f", "A"], 1),
            (&["*", "m", "A"], 1),
            (&["NULL", "f", "*"], 1),
            (&["40", "m", "B"], 1),
        ]);
        // (30,m,A) matches itself (2) and (*,m,A): 3. (30,f,A) matches itself and (NULL,f,*): 2.
        // (*,m,A) matches (30,m,A) x2 and itself: 3 (not (40,m,B): B differs).
        // (NULL,f,*) matches (30,f,A) and itself: 2. (40,m,B): itself only: 1.
        let m = matched_sizes(&t);
        assert_eq!(m.sizes, vec![3, 2, 3, 2, 1]);
        assert_eq!(m.sizes, brute(&t));
        assert!(m.weights.is_none());
    }

    #[test]
    fn without_missing_values_the_sizes_are_the_counts() {
        let t = table(&[(&["a", "x"], 4), (&["b", "x"], 1), (&["a", "y"], 2)]);
        assert_eq!(matched_sizes(&t).sizes, t.counts);
    }

    #[test]
    fn random_tables_match_the_brute_force() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |k: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % k
        };
        for _ in 0..50 {
            let n_qi = 1 + next(4) as usize;
            let n = 1 + next(30) as usize;
            let rows: Vec<Vec<String>> = (0..n)
                .map(|_| {
                    (0..n_qi)
                        .map(|_| match next(6) {
                            0 => "*".to_string(),
                            1 => "NULL".to_string(),
                            v => v.to_string(),
                        })
                        .collect()
                })
                .collect();
            let mut distinct: Vec<(Vec<String>, u64)> = Vec::new();
            for r in rows {
                match distinct.iter_mut().find(|(t, _)| *t == r) {
                    Some(e) => e.1 += 1,
                    None => distinct.push((r, 1)),
                }
            }
            let refs: Vec<Vec<&str>> = distinct
                .iter()
                .map(|(t, _)| t.iter().map(String::as_str).collect())
                .collect();
            let spec: Vec<(&[&str], u64)> = refs
                .iter()
                .zip(&distinct)
                .map(|(r, (_, n))| (r.as_slice(), *n))
                .collect();
            let t = table(&spec);
            assert_eq!(matched_sizes(&t).sizes, brute(&t));
        }
    }
}
