//! Golden values for Adult with all 9 columns as QIs (ARX's unit tests, recomputed independently:
//! see ../shared/datasets/README.md), from the CSV and from the shipped Parquet.

mod common;
use common::*;

const CLASSES: u64 = 19_502;
const AVERAGE_RISK: f64 = 0.6465751607983555;
const SAMPLE_UNIQUENESS: f64 = 0.5142895033485844;

fn check(path: &std::path::Path) {
    let (table, r) = analyze(path, &strings(&ADULT_QI), &[]);
    assert_eq!(table.n_records, 30_162);
    assert_eq!(r.classes.classes, CLASSES);
    assert!(
        (r.prosecutor.average - AVERAGE_RISK).abs() < 1e-12,
        "{}",
        r.prosecutor.average
    );
    assert!((r.prosecutor.highest - 1.0).abs() < 1e-12);
    assert!(
        (r.sample_uniques.share - SAMPLE_UNIQUENESS).abs() < 1e-12,
        "{}",
        r.sample_uniques.share
    );
    assert_eq!(r.sample_uniques.records, 15_512);
    // The histogram accounts for every class and record.
    assert_eq!(
        r.classes.histogram.iter().map(|b| b.classes).sum::<u64>(),
        CLASSES
    );
    assert_eq!(
        r.classes.histogram.iter().map(|b| b.records).sum::<u64>(),
        30_162
    );
    assert_eq!(r.classes.histogram[0].classes, 15_512);
    assert!(r.k_anonymity.iter().all(|k| !k.met));
}

#[test]
fn adult_csv_matches_arx_golden_values() {
    check(&adult("adult.csv"));
}

#[test]
fn adult_parquet_matches_arx_golden_values() {
    check(&adult("adult.parquet"));
}

#[test]
fn csv_and_parquet_give_the_same_class_table() {
    let qi = strings(&ADULT_QI);
    let (a, _) = analyze(&adult("adult.csv"), &qi, &[]);
    let (b, _) = analyze(&adult("adult.parquet"), &qi, &[]);
    assert_eq!(a, b);
}

#[test]
fn cli_json_carries_full_precision() {
    let out = run_cli(&[
        "analyze",
        "datasets/adult/adult.parquet",
        "--qi",
        &ADULT_QI.join(","),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["classes"]["classes"], 19_502);
    assert_eq!(v["prosecutor"]["average"].as_f64().unwrap(), AVERAGE_RISK);
    assert_eq!(
        v["sample_uniques"]["share"].as_f64().unwrap(),
        SAMPLE_UNIQUENESS
    );
    assert_eq!(v["prosecutor"]["highest"].as_f64().unwrap(), 1.0);
}

/// A hand-checked tiny case: ARX's 7-record toy table.
#[test]
fn hand_checked_toy_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("toy.csv");
    // Classes over (age, sex): (34,m) x2, (45,f) x3, (66,m) x1, (70,f) x1.
    std::fs::write(
        &p,
        "age;sex;zip\n34;m;1\n45;f;2\n34;m;3\n66;m;4\n45;f;5\n45;f;6\n70;f;7\n",
    )
    .unwrap();
    let (t, r) = analyze(&p, &strings(&["age", "sex"]), &[]);
    assert_eq!(r.classes.classes, 4);
    assert_eq!(r.classes.smallest, 1);
    assert_eq!(r.classes.largest, 3);
    assert_eq!(r.prosecutor.average, 4.0 / 7.0);
    assert_eq!(r.sample_uniques.records, 2);
    // risk > 0.33: classes of size 1 and 2 (1/3 = 0.333.. > 0.33 too): all 7 records.
    let above = |t: f64| {
        r.prosecutor
            .records_above
            .iter()
            .find(|x| x.threshold == t)
            .unwrap()
            .records
    };
    assert_eq!(above(0.5), 2);
    assert_eq!(above(0.33), 7);
    assert_eq!(above(0.2), 7);
    let buckets: Vec<(u64, u64)> = r
        .classes
        .histogram
        .iter()
        .map(|b| (b.classes, b.records))
        .collect();
    assert_eq!(
        buckets,
        vec![(2, 2), (1, 2), (1, 3), (0, 0), (0, 0), (0, 0), (0, 0)]
    );
    // Numbers sort by value in the dictionary.
    assert_eq!(t.qis[0].values.to_vec(), strings(&["34", "45", "66", "70"]));
}
