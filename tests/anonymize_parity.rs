//! Parity with ARX 3.9.2 on Adult (8 benchmark QIs, shipped hierarchies, the Loss metric): the
//! published optimal transformations, their Loss to 1e-12, suppressed records and classes; and the
//! exhaustive search finds those optima. Expected figures: tests/fixtures/loss/expected.json
//! (reproduced independently by tests/fixtures/loss/loss_reference.py).

mod common;
use common::*;
use reident::criteria::t_closeness::{Distribution, GroundDistance};
use reident::criteria::{Criterion, KAnonymity, TCloseness};
use reident::hierarchy::Hierarchy;
use reident::progress::Progress;
use reident::search::generalize::Generalizer;
use reident::search::metrics::Loss;
use reident::search::{evaluate, exhaustive, optimal, Target};

/// Dataset column order, which is also the order of the published level vectors.
const QI: [&str; 8] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "salary-class",
];

fn generalizer() -> Generalizer {
    let (table, _) = analyze(
        &adult("adult.csv"),
        &strings(&QI),
        &strings(&["occupation"]),
    );
    let hierarchies: Vec<Hierarchy> = QI
        .iter()
        .map(|q| Hierarchy::load(&adult(&format!("hierarchy_{q}.csv"))).unwrap())
        .collect();
    Generalizer::new(table, &hierarchies).unwrap()
}

fn t_closeness(g: &Generalizer, ground: GroundDistance) -> Box<dyn Criterion> {
    let h = &g.base.sensitive[0];
    let mut d = Distribution::of(h);
    if ground == GroundDistance::Hierarchical {
        d = d
            .with_hierarchy(
                h,
                &Hierarchy::load(&adult("hierarchy_occupation.csv")).unwrap(),
            )
            .unwrap();
    }
    Box::new(TCloseness {
        sensitive: 0,
        column: "occupation".into(),
        t: 0.2,
        ground,
        distribution: d,
    })
}

/// (levels, suppression limit, t-closeness ground, Loss, suppressed, classes, smallest).
type Row = ([usize; 8], f64, Option<GroundDistance>, f64, u64, u64, u64);

fn rows() -> Vec<Row> {
    vec![
        (
            [0, 4, 1, 2, 3, 2, 0, 0],
            0.0,
            None,
            0.542210825407941,
            0,
            26,
            5,
        ),
        (
            [0, 3, 0, 0, 2, 1, 1, 0],
            0.05,
            None,
            0.17012279194738156,
            1346,
            397,
            5,
        ),
        (
            [0, 4, 1, 1, 3, 2, 2, 1],
            0.0,
            Some(GroundDistance::Hierarchical),
            0.7591763053456835,
            0,
            4,
            1492,
        ),
        (
            [1, 4, 1, 1, 3, 2, 2, 1],
            0.0,
            Some(GroundDistance::Equal),
            0.9183953641009659,
            0,
            2,
            14086,
        ),
    ]
}

fn target<'a>(
    g: &Generalizer,
    limit: f64,
    t: Option<GroundDistance>,
    metric: &'a Loss,
) -> Target<'a> {
    let mut criteria: Vec<Box<dyn Criterion>> = vec![Box::new(KAnonymity(5))];
    if let Some(ground) = t {
        criteria.push(t_closeness(g, ground));
    }
    Target {
        criteria,
        table_criteria: Vec::new(),
        suppression_limit: limit,
        metric,
    }
}

#[test]
fn published_optima_have_the_published_figures() {
    let g = generalizer();
    for (levels, limit, t, loss, suppressed, classes, smallest) in rows() {
        let target = target(&g, limit, t, &Loss);
        let table = g.table(&levels, None);
        let node = evaluate(&g, &levels, &table, &target);
        assert!(node.anonymous, "{levels:?}");
        assert!(
            (node.loss.unwrap() - loss).abs() < 1e-12,
            "{levels:?}: {} vs {loss}",
            node.loss.unwrap()
        );
        assert_eq!(
            (node.suppressed, node.classes, node.smallest),
            (suppressed, classes, smallest),
            "{levels:?}"
        );
    }
}

#[test]
fn exhaustive_search_finds_the_published_optima() {
    let g = generalizer();
    for (levels, limit, t, loss, ..) in rows() {
        let target = target(&g, limit, t, &Loss);
        // Every node evaluated, bottom-up.
        let all = exhaustive(&g, &target, 3, &Progress::hidden());
        assert_eq!(all.nodes_evaluated, 4320);
        let best = &all.solutions[0];
        assert_eq!(best.levels, levels.to_vec(), "limit {limit} {t:?}");
        assert!((best.loss.unwrap() - loss).abs() < 1e-12);
        // The optimal search (top-down tagging where anonymity is monotone) finds the same
        // three best nodes with the same figures, from fewer evaluations when it may tag.
        let tagged = optimal(&g, &target, 3);
        assert_eq!(tagged.solutions, all.solutions, "limit {limit} {t:?}");
        if target.anonymity_is_monotone() {
            assert!(tagged.nodes_evaluated < 4320, "{}", tagged.nodes_evaluated);
        } else {
            assert_eq!(tagged.nodes_evaluated, 4320);
        }
        if limit == 0.0 && t.is_none() {
            // 5-anonymity alone: only the 60 anonymous nodes and their lower border.
            assert!(tagged.nodes_evaluated <= 100, "{}", tagged.nodes_evaluated);
        }
    }
}

#[test]
fn written_output_meets_the_target_when_reanalysed() {
    let dir = tempfile::tempdir().unwrap();
    for (limit, suppressed, out_name) in
        [("0.05", "remove", "a.parquet"), ("0.05", "star", "b.csv")]
    {
        let out = dir.path().join(out_name);
        let r = run_cli(&[
            "--quiet",
            "anonymize",
            "datasets/adult/adult.parquet",
            "--qi",
            &QI.join(","),
            "--hierarchies",
            "datasets/adult",
            "--k",
            "5",
            "--suppression-limit",
            limit,
            "--suppressed",
            suppressed,
            "--identifying",
            "occupation",
            "-o",
            out.to_str().unwrap(),
            "--json",
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
        assert_eq!(v["best"]["suppressed"], 1346);
        // The identifying column is gone; every other column is there.
        let cols = all_columns(&out);
        assert!(!cols.contains(&"occupation".to_string()));
        assert_eq!(cols.len(), 8);
        let (t, rep) = analyze(&out, &strings(&QI), &[]);
        if suppressed == "remove" {
            assert_eq!(t.n_records, 30_162 - 1346);
            assert!(rep.classes.smallest >= 5, "k = {}", rep.classes.smallest);
        } else {
            // Suppressed records stay with `*` QIs: they form one class of 1346.
            assert_eq!(t.n_records, 30_162);
            let star = (0..t.n_classes())
                .find(|&c| t.key_text(c).iter().all(|v| *v == "*"))
                .unwrap();
            assert_eq!(t.counts[star], 1346);
            assert!(t.counts.iter().all(|&k| k >= 5));
        }
    }
}

#[test]
fn recursive_l_diversity_row() {
    use reident::criteria::{LDiversity, LVariant};
    let g = generalizer();
    let criteria: Vec<Box<dyn Criterion>> = vec![
        Box::new(KAnonymity(5)),
        Box::new(LDiversity {
            sensitive: 0,
            column: "occupation".into(),
            l: 3,
            variant: LVariant::Recursive(4.0),
        }),
    ];
    let target = Target {
        criteria,
        table_criteria: Vec::new(),
        suppression_limit: 0.0,
        metric: &Loss,
    };
    let best = &optimal(&g, &target, 1).solutions[0];
    assert_eq!(best.levels, vec![0, 4, 1, 2, 3, 2, 0, 0]);
    assert!((best.loss.unwrap() - 0.542210825407941).abs() < 1e-12);
    assert_eq!((best.suppressed, best.classes, best.smallest), (0, 26, 5));
}

/// All 9 columns, 2-anonymity, Loss aggregated by RANK (ARX's own test): the chosen levels, and
/// `analyze` of the output gives ARX's figures (../shared/datasets/README.md).
#[test]
fn rank_aggregation_nine_qis() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rank.parquet");
    let r = run_cli(&[
        "--quiet",
        "anonymize",
        "datasets/adult/adult.parquet",
        "--qi",
        &ADULT_QI.join(","),
        "--hierarchies",
        "datasets/adult",
        "--k",
        "2",
        "--metric",
        "loss-rank",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(
        v["best"]["levels"],
        serde_json::json!([0, 4, 1, 2, 1, 2, 2, 1, 0])
    );
    let (_, rep) = analyze(&out, &strings(&ADULT_QI), &[]);
    assert!((rep.prosecutor.average - 0.001922949406538028).abs() < 1e-15);
    assert_eq!(rep.prosecutor.highest, 0.5);
}

/// The heuristic (used for lattices over 100,000 nodes) is deterministic, meets the target, and
/// on Adult comes within reach of the optimum it cannot prove.
#[test]
fn heuristic_is_deterministic_and_valid() {
    use reident::search::heuristic::heuristic;
    let g = generalizer();
    let target = target(&g, 0.05, None, &Loss);
    let a = heuristic(&g, &target, 1, std::time::Duration::from_secs(30));
    let b = heuristic(&g, &target, 1, std::time::Duration::from_secs(30));
    assert_eq!(a.solutions[0], b.solutions[0]);
    assert!(!a.optimal);
    let best = &a.solutions[0];
    assert!(best.anonymous && best.suppressed <= 1508);
    let loss = best.loss.unwrap();
    assert!(
        loss >= 0.17012279194738156 - 1e-12,
        "better than the optimum: {loss}"
    );
    assert!(loss < 0.25, "{loss}");
}

/// The other metrics on the first row's transformation, against the reference figures.
#[test]
fn other_metrics_on_the_first_optimum() {
    use reident::search::metrics::{Aecs, Discernibility, Entropy, Metric, Precision};
    let g = generalizer();
    let levels = [0, 4, 1, 2, 3, 2, 0, 0];
    let t = g.table(&levels, None);
    let failing = vec![false; t.n_classes()];
    assert_eq!(
        Discernibility.loss(&g, &levels, &t, &failing),
        180_946_394.0
    );
    assert!((Aecs.loss(&g, &levels, &t, &failing) - 1160.076923076923).abs() < 1e-9);
    assert!((Precision.loss(&g, &levels, &t, &failing) - 0.625).abs() < 1e-15);
    let e = Entropy::per_attribute(&g, &levels, &t, &failing);
    let want = [
        0.0,
        170257.8596997991,
        23375.0352725208,
        54887.1167171445,
        87870.4227341272,
        25086.8680139638,
        0.0,
        0.0,
    ];
    for (a, b) in e.iter().zip(want) {
        assert!((a - b).abs() <= 2e-10, "{a} vs {b}");
    }
    assert!((Entropy.loss(&g, &levels, &t, &failing) - 361477.3024375554).abs() < 1e-9);
}

/// Risk targets: a preset and an average-risk threshold hold on the written output.
#[test]
fn risk_targets_hold_on_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("risk.parquet");
    let r = run_cli(&[
        "--quiet",
        "anonymize",
        "datasets/adult/adult.parquet",
        "--qi",
        &QI.join(","),
        "--hierarchies",
        "datasets/adult",
        "--preset",
        "risk-0.09",
        "--max-average-risk",
        "0.05",
        "--suppression-limit",
        "0.05",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (_, rep) = analyze(&out, &strings(&QI), &[]);
    assert!(rep.prosecutor.highest <= 0.09, "{}", rep.prosecutor.highest);
    assert!(rep.prosecutor.average <= 0.05, "{}", rep.prosecutor.average);
    let bad = run_cli(&[
        "anonymize",
        "datasets/adult/adult.parquet",
        "--qi",
        "age",
        "--hierarchies",
        "datasets/adult",
        "--preset",
        "k9",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The shipped example policy drives `anonymize` alone; the output meets it.
#[test]
fn anonymize_from_the_shipped_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.parquet");
    let r = run_cli(&[
        "--quiet",
        "anonymize",
        "datasets/adult/adult.parquet",
        "--policy",
        "datasets/adult/policy.json",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["suppression_limit"], 0.05);
    let (_, rep) = analyze(&out, &strings(&QI), &[]);
    assert!(rep.classes.smallest >= 5);
    assert!(rep.prosecutor.highest <= 0.2);
    // Without hierarchies from either place: a clear error.
    let r = run_cli(&["anonymize", "datasets/adult/adult.parquet", "--qi", "age"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("no hierarchy for quasi-identifier \"age\"")
    );
}

/// Hierarchies built on the fly; the input is never overwritten.
#[test]
fn built_hierarchies_and_no_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.csv");
    let r = run_cli(&[
        "--quiet",
        "anonymize",
        "datasets/adult/adult.parquet",
        "--qi",
        "age,sex,race",
        "--interval",
        "age:5,10,20@18..90",
        "--suppress",
        "sex",
        "--suppress",
        "race",
        "--k",
        "10",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (_, rep) = analyze(&out, &strings(&["age", "sex", "race"]), &[]);
    assert!(rep.classes.smallest >= 10);
    let copy = dir.path().join("in.csv");
    std::fs::copy(adult("adult_subset.csv"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let r = run_cli(&[
        "anonymize",
        copy.to_str().unwrap(),
        "--qi",
        "sex",
        "--suppress",
        "sex",
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}
