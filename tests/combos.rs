//! Combination analysis: every subset's figures, computed by the lattice of roll-ups, against a
//! direct computation from the rows.

mod common;
use std::collections::HashMap;

use common::*;
use reident::risk::combos::{combos, parse_thresholds};

/// Rows of Adult as text, from the CSV (independent of the engine's readers).
fn adult_rows() -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(adult("adult.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(';').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(';').map(String::from).collect())
        .collect();
    (header, rows)
}

/// classes, uniques, distinction, separation of the projection on `cols`, from the rows.
fn direct(rows: &[Vec<String>], cols: &[usize]) -> (u64, u64, f64, f64) {
    let m = project(rows, cols);
    let n = rows.len() as f64;
    // Separation: pairs of records told apart, counted pair by pair over classes.
    let same: f64 = m.values().map(|&f| (f * (f - 1) / 2) as f64).sum();
    let pairs = n * (n - 1.0) / 2.0;
    (
        m.len() as u64,
        m.values().filter(|&&f| f == 1).count() as u64,
        m.len() as f64 / n,
        (pairs - same) / pairs,
    )
}

/// Record counts per distinct projection. Values are numbered per column once, and a projection
/// is packed into a u64 (Adult's cardinalities are below 128), to keep debug builds fast.
fn project(rows: &[Vec<String>], cols: &[usize]) -> HashMap<u64, u64> {
    thread_local! {
        static CODES: std::cell::RefCell<Option<Vec<Vec<u64>>>> = const { std::cell::RefCell::new(None) };
    }
    CODES.with(|cell| {
        let mut cell = cell.borrow_mut();
        let codes = cell.get_or_insert_with(|| {
            let mut dicts: Vec<HashMap<&str, u64>> = vec![HashMap::new(); rows[0].len()];
            rows.iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .map(|(c, v)| {
                            let next = dicts[c].len() as u64;
                            *dicts[c].entry(v.as_str()).or_insert(next)
                        })
                        .collect()
                })
                .collect()
        });
        let mut m: HashMap<u64, u64> = HashMap::with_capacity(rows.len());
        for r in codes.iter() {
            let key = cols.iter().fold(0u64, |k, &c| k * 128 + r[c]);
            *m.entry(key).or_default() += 1;
        }
        m
    })
}

#[test]
fn adult_all_511_subsets_match_direct_computation() {
    let (header, rows) = adult_rows();
    let (table, _) = analyze(&adult("adult.parquet"), &header, &[]);
    let c = combos(&table, 9, &[], None).unwrap();
    assert_eq!(c.subsets.len(), 511);
    for f in &c.subsets {
        let cols: Vec<usize> = f
            .qis
            .iter()
            .map(|q| header.iter().position(|h| h == q).unwrap())
            .collect();
        let (classes, uniques, distinction, separation) = direct(&rows, &cols);
        assert_eq!(f.classes, classes, "{:?}", f.qis);
        assert_eq!(f.sample_uniques, uniques, "{:?}", f.qis);
        assert!((f.distinction - distinction).abs() < 1e-12, "{:?}", f.qis);
        assert!(
            (f.separation - separation).abs() < 1e-12,
            "{:?}: {} vs {separation}",
            f.qis,
            f.separation
        );
    }
    // The full set: the golden figures.
    assert_eq!(c.all.classes, 19_502);
    assert_eq!(c.all.sample_uniques, 15_512);
    // Marginals: uniqueness without age is the 8-QI subset's.
    let age = c.marginal.iter().find(|m| m.qi == "age").unwrap();
    let cols: Vec<usize> = (0..9).filter(|&i| header[i] != "age").collect();
    let (_, uniques, _, _) = direct(&rows, &cols);
    assert!((age.uniqueness_without - uniques as f64 / 30_162.0).abs() < 1e-12);
    assert!((age.drop - (15_512.0 - uniques as f64) / 30_162.0).abs() < 1e-12);
}

#[test]
fn limited_size_and_thresholds() {
    let (header, rows) = adult_rows();
    let (table, _) = analyze(&adult("adult.parquet"), &header, &[]);
    let th = parse_thresholds("1:20,2:10").unwrap();
    let c = combos(&table, 2, &th, None).unwrap();
    assert_eq!(c.subsets.len(), 9 + 36);
    for f in &c.subsets {
        let cols: Vec<usize> = f
            .qis
            .iter()
            .map(|q| header.iter().position(|h| h == q).unwrap())
            .collect();
        let m = project(&rows, &cols);
        let k = *m.values().min().unwrap();
        let limit = if f.size == 1 { 20 } else { 10 };
        match &f.flagged {
            Some(fl) => {
                assert!(k <= limit);
                assert_eq!(fl.records, m.values().filter(|&&v| v <= limit).sum::<u64>());
            }
            None => assert!(k > limit, "{:?} k={k}", f.qis),
        }
    }
}
