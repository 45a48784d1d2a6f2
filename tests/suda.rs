//! SUDA2 on the engine's class tables against the brute-force MSU finder (enumerate every
//! attribute subset, test uniqueness and minimality).

mod common;
use common::*;
use reident::risk::suda::{brute_force_msus, scores, suda2, DEFAULT_DIS};

fn msus_of(path: &std::path::Path) -> (reident::ClassTable, Vec<reident::risk::suda::Msu>) {
    let (t, _) = analyze(path, &strings(&ADULT_QI), &[]);
    let cards: Vec<u32> = t.qis.iter().map(|d| d.values.len() as u32).collect();
    let m = suda2(&t.codes, &cards, &t.counts, 9);
    (t, m)
}

#[test]
fn adult_subset_all_sizes_equals_brute_force() {
    let (t, found) = msus_of(&adult("adult_subset.csv"));
    let expected = brute_force_msus(&t.codes, &t.counts, 9);
    assert_eq!(found, expected);
    let mut by_size = [0usize; 9];
    for m in &found {
        by_size[m.size() - 1] += 1;
    }
    assert_eq!(by_size, [9, 1066, 5233, 4744, 1412, 213, 11, 0, 0]);
    assert_eq!(
        scores(&found, &t.counts, 9, 9, DEFAULT_DIS).unwrap(),
        scores(&expected, &t.counts, 9, 9, DEFAULT_DIS).unwrap()
    );
}

/// Full Adult: MSU counts by size (SUDA2 and the brute force agreed on every MSU when these were
/// recorded; the brute force is too slow for a debug test run).
#[test]
fn adult_msus_by_size() {
    let (t, found) = msus_of(&adult("adult.parquet"));
    let mut by_size = [0usize; 9];
    for m in &found {
        by_size[m.size() - 1] += 1;
    }
    assert_eq!(by_size, [2, 1204, 14890, 26029, 15983, 4172, 498, 31, 0]);
    let s = scores(&found, &t.counts, 9, 9, DEFAULT_DIS).unwrap();
    assert_eq!(s.summary.records_with_msu, 15_512);
    assert_eq!(s.summary.total_score, 20_402_731.0);
}

#[test]
fn cli_suda_json_and_record_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("suda.parquet");
    let out = run_cli(&[
        "suda",
        "datasets/adult/adult_subset.csv",
        "--qi",
        &ADULT_QI.join(","),
        "--max-size",
        "3",
        "--record-risk",
        out_path.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"]["msus_by_size"],
        serde_json::json!([9, 1066, 5233])
    );
    assert!(v["riskiest_records"][0]["row"].is_u64());
    let cols = all_columns(&out_path);
    assert_eq!(
        cols,
        strings(&[
            "row",
            "class_size",
            "prosecutor_risk",
            "suda_score",
            "dis_suda_score",
            "msus_size_1",
            "msus_size_2",
            "msus_size_3"
        ])
    );
}
