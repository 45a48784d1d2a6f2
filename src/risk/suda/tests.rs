//! Tests of the SUDA2 search against the brute force, and of the scores of the MSUs found.

use proptest::prelude::*;

use super::test_support::{class_table, msu};
use super::*;

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
