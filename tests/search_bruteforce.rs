//! The optimal search against a brute force on random small tables with small hierarchies: every
//! transformation generalized directly from the rows, grouped naively, suppressed and measured by
//! an independent implementation of ARX's Loss; the same optimum (same Loss) must come out, for
//! k-anonymity alone and with distinct l-diversity.

mod common;
use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use proptest::prelude::*;
use reident::generalize::Generalizer;
use reident::hierarchy::Hierarchy;
use reident::search::criteria::{Criterion, KAnonymity, LDiversity, LVariant};
use reident::search::metrics::Loss;
use reident::search::{optimal, Target};

/// A hierarchy over values 0..8 of `levels` levels: level i groups by 2^i (then `*`).
fn hierarchy(levels: usize) -> Vec<Vec<String>> {
    (0..8u32)
        .map(|v| {
            let mut row: Vec<String> = (0..levels - 1).map(|i| format!("g{}", v >> i)).collect();
            row[0] = format!("v{v}");
            row.push("*".into());
            row
        })
        .collect()
}

/// Naive evaluation of one transformation: (anonymous, loss).
fn naive(
    rows: &[(Vec<u32>, u32)],
    hs: &[Vec<Vec<String>>],
    levels: &[usize],
    k: usize,
    l: Option<usize>,
    limit: f64,
) -> Option<f64> {
    let n = rows.len();
    let mut classes: BTreeMap<Vec<String>, Vec<u32>> = BTreeMap::new();
    for (qi, s) in rows {
        let key = qi
            .iter()
            .enumerate()
            .map(|(j, &v)| hs[j][v as usize][levels[j]].clone())
            .collect();
        classes.entry(key).or_default().push(*s);
    }
    let bad = |members: &Vec<u32>| {
        let distinct: std::collections::BTreeSet<_> = members.iter().collect();
        members.len() < k || l.is_some_and(|l| distinct.len() < l)
    };
    let suppressed: usize = classes.values().filter(|m| bad(m)).map(|m| m.len()).sum();
    if suppressed > (limit * n as f64 + 1e-9).floor() as usize || suppressed >= n {
        return None;
    }
    let mut product = 1.0;
    for j in 0..levels.len() {
        let d = hs[j].len() as f64;
        let mut agg = 0.0;
        for (key, m) in &classes {
            let share = hs[j].iter().filter(|r| r[levels[j]] == key[j]).count() as f64 / d;
            agg += if bad(m) {
                m.len() as f64
            } else {
                m.len() as f64 * share
            };
        }
        let min = n as f64 / d;
        let loss = (((agg - min) / (n as f64 - min)).max(0.0) * 1e10).floor() / 1e10;
        product *= (loss + 1.0).powf(1.0 / levels.len() as f64);
    }
    Some(product - 1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn optimal_search_equals_brute_force(
        rows in proptest::collection::vec((proptest::collection::vec(0u32..8, 3), 0u32..3), 5..60),
        depths in proptest::collection::vec(2usize..4, 3),
        k in 2usize..4,
        with_l in any::<bool>(),
        limit in prop_oneof![Just(0.0), Just(0.1)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let mut text = String::from("a;b;c;s\n");
        for (q, s) in &rows {
            text.push_str(&format!("v{};v{};v{};s{}\n", q[0], q[1], q[2], s));
        }
        std::fs::write(&data, text).unwrap();
        let hs: Vec<Vec<Vec<String>>> = depths.iter().map(|&d| hierarchy(d)).collect();
        let l = with_l.then_some(2);
        let (table, _) = analyze(&data, &strings(&["a", "b", "c"]), &strings(&["s"]));
        let hierarchies: Vec<Hierarchy> = hs.iter().map(|h| Hierarchy::from_rows(Path::new("h"), h.clone()).unwrap()).collect();
        let g = Generalizer::new(table, &hierarchies).unwrap();
        let mut criteria: Vec<Box<dyn Criterion>> = vec![Box::new(KAnonymity(k as u64))];
        if let Some(l) = l {
            criteria.push(Box::new(LDiversity { sensitive: 0, column: "s".into(), l, variant: LVariant::Distinct }));
        }
        let target = Target { criteria, table_criteria: Vec::new(), suppression_limit: limit, metric: &Loss };
        let found = optimal(&g, &target, 1).solutions.first().map(|n| n.loss.unwrap());
        // Brute force over every level vector.
        let mut best: Option<f64> = None;
        for a in 0..depths[0] { for b in 0..depths[1] { for c in 0..depths[2] {
            if let Some(loss) = naive(&rows, &hs, &[a, b, c], k, l, limit) {
                best = Some(best.map_or(loss, |x: f64| x.min(loss)));
            }
        }}}
        match (found, best) {
            (Some(f), Some(b)) => prop_assert!((f - b).abs() < 1e-12, "{} vs {}", f, b),
            (None, None) => prop_assume!(false, "no anonymous transformation"),
            other => prop_assert!(false, "search {:?} vs brute force {:?}", other.0, other.1),
        }
    }
}
