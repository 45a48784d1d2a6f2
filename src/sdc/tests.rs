//! Local suppression against the brute force (every record's every set of blanks).

use super::local::{default_ranks, suppress, weights};
use crate::classes::{ClassTable, Domain};

/// A class table from rows of codes, value `9` standing for a missing value.
fn table(rows: &[Vec<u32>]) -> ClassTable {
    let n_qi = rows[0].len();
    let mut classes: Vec<(Vec<u32>, u64)> = Vec::new();
    for r in rows {
        match classes.iter_mut().find(|(t, _)| t == r) {
            Some(e) => e.1 += 1,
            None => classes.push((r.clone(), 1)),
        }
    }
    ClassTable {
        n_records: rows.len() as u64,
        qis: (0..n_qi)
            .map(|q| Domain {
                name: format!("q{q}"),
                values: (0..10)
                    .map(|v| {
                        if v == 9 {
                            "NULL".to_string()
                        } else {
                            v.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .into(),
            })
            .collect(),
        codes: (0..n_qi)
            .map(|q| classes.iter().map(|(t, _)| t[q]).collect())
            .collect(),
        counts: classes.iter().map(|c| c.1).collect(),
        sensitive: Vec::new(),
        weights: None,
    }
}

/// The optimum over every record's set of blanks: its cost.
fn brute_force(rows: &[Vec<u32>], k: u64, w: &[u64]) -> u64 {
    let q = rows[0].len();
    let missing: Vec<u32> = rows
        .iter()
        .map(|r| (0..q).filter(|&i| r[i] == 9).map(|i| 1u32 << i).sum())
        .collect();
    let mut masks = missing.clone();
    let mut best = u64::MAX;
    fn rec(
        i: usize,
        rows: &[Vec<u32>],
        missing: &[u32],
        masks: &mut Vec<u32>,
        k: u64,
        w: &[u64],
        best: &mut u64,
    ) {
        let (n, q) = (rows.len(), rows[0].len());
        if i == n {
            let ok = (0..n).all(|a| {
                (0..n)
                    .filter(|&b| {
                        (0..q).all(|x| {
                            (masks[a] | masks[b]) >> x & 1 == 1 || rows[a][x] == rows[b][x]
                        })
                    })
                    .count() as u64
                    >= k
            });
            if ok {
                let cost: u64 = (0..n)
                    .map(|a| {
                        (0..q)
                            .filter(|&x| (masks[a] & !missing[a]) >> x & 1 == 1)
                            .map(|x| w[x])
                            .sum::<u64>()
                    })
                    .sum();
                *best = (*best).min(cost);
            }
            return;
        }
        for extra in 0u32..1 << q {
            if extra & missing[i] != 0 {
                continue;
            }
            masks[i] = missing[i] | extra;
            rec(i + 1, rows, missing, masks, k, w, best);
        }
        masks[i] = missing[i];
    }
    rec(0, rows, &missing, &mut masks, k, w, &mut best);
    best
}

#[test]
fn hand_checked_pair() {
    // Two records differing in q0 only: one blank makes both 2-anonymous (sdcMicro blanks both).
    let rows = vec![vec![1, 5], vec![2, 5], vec![3, 6], vec![3, 6]];
    let t = table(&rows);
    let s = suppress(&t, 2, &[1, 1]).unwrap();
    assert_eq!(s.cells(), 1);
    assert_eq!(s.per_qi, vec![1, 0]);
    assert!(s.optimal);
    assert_eq!(s.smallest, 2);
    // Importance: q0 most important (rank 1) costs 2, q1 costs 1.
    assert_eq!(weights(&[1, 2]), vec![2, 1]);
    assert_eq!(default_ranks(&[73, 2, 5, 5]), vec![4, 1, 2, 3]);
}

#[test]
fn optimum_on_small_tables() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    for case in 0..120 {
        let q = 1 + next(3) as usize;
        let n = 2 + next(5) as usize;
        let rows: Vec<Vec<u32>> = (0..n)
            .map(|_| {
                (0..q)
                    .map(|_| if next(10) == 0 { 9 } else { next(3) as u32 })
                    .collect()
            })
            .collect();
        let k = 2 + next(2);
        if (n as u64) < k {
            continue;
        }
        let w: Vec<u64> = (0..q).map(|_| 1 + next(3)).collect();
        let t = table(&rows);
        let s = suppress(&t, k, &w).unwrap();
        let best = brute_force(&rows, k, &w);
        assert!(s.smallest >= k, "case {case}: not {k}-anonymous");
        assert!(s.optimal, "case {case}: not proven optimal");
        assert_eq!(s.cost, best, "case {case}: {rows:?} k={k} w={w:?}");
    }
}
