//! Population uniqueness on Adult (all 9 QIs), end to end from the shipped Parquet, against the
//! golden figures of ../shared/datasets/README.md (ARX's own tests, recomputed independently).

mod common;
use common::*;
use reident::risk::estimators::{PopulationUniqueness, SnbVariant, Status};

fn at(f: f64) -> PopulationUniqueness {
    let (table, _) = analyze(&adult("adult.parquet"), &strings(&ADULT_QI), &[]);
    let big_n = (30_162.0 / f).round() as u64;
    PopulationUniqueness::of(&table.counts, big_n, SnbVariant::Arx)
}

#[test]
fn golden_population_uniqueness() {
    let p = at(0.1);
    assert!((p.zayatz.share.unwrap() - 0.3207402393466189).abs() < 1e-9);
    assert!((p.pitman.share.unwrap() - 0.27684993883653597).abs() < 1e-9);
    // ARX reports SNB as 0.0 here; reident reports that it has no solution.
    assert!(p.snb.share.is_none());
    assert!(matches!(p.snb.status, Status::Invalid(_)));
    let p = at(0.01);
    assert!((p.pitman.share.unwrap() - 0.1446083531167384).abs() < 1e-9);
    let p = at(0.2);
    assert!((p.dankar.estimate.share.unwrap() - 0.3577099234829125).abs() < 1e-9);
}

#[test]
fn at_f_one_every_model_is_sample_uniqueness() {
    let p = at(1.0);
    let su = 0.5142895033485844;
    for e in [&p.zayatz, &p.snb, &p.pitman, &p.dankar.estimate] {
        assert!((e.share.unwrap() - su).abs() < 1e-12, "{:?}", e.model);
    }
}

#[test]
fn cli_reports_population_and_its_source() {
    let out = run_cli(&[
        "analyze",
        "datasets/adult/adult.parquet",
        "--qi",
        &ADULT_QI.join(","),
        "--population",
        "usa",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["population"]["source"], "preset");
    assert_eq!(v["population"]["size"], 317_238_626u64);
    assert_eq!(
        v["population_uniqueness"]["population_size"],
        317_238_626u64
    );
    assert_eq!(v["population_uniqueness"]["dankar"]["chosen"], "pitman");
    let out = run_cli(&[
        "analyze",
        "datasets/adult/adult.parquet",
        "--qi",
        "age",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["population"]["source"], "sample");
    assert!(v["population"]["description"]
        .as_str()
        .unwrap()
        .contains("f = 1"));
}

#[test]
fn bad_population_arguments() {
    for args in [
        vec!["--sampling-fraction", "0"],
        vec!["--sampling-fraction", "1.5"],
        vec!["--population", "atlantis"],
        vec!["--population", "100"],
    ] {
        let mut a = vec!["analyze", "datasets/adult/adult.parquet", "--qi", "age"];
        a.extend(args.iter());
        let out = run_cli(&a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr)
                .trim_end()
                .lines()
                .count(),
            1,
            "{args:?}"
        );
    }
}
