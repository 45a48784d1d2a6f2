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
        scores(&found, &t.counts, 9, 9, DEFAULT_DIS),
        scores(&expected, &t.counts, 9, 9, DEFAULT_DIS)
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
    let s = scores(&found, &t.counts, 9, 9, DEFAULT_DIS);
    assert_eq!(s.summary.records_with_msu, 15_512);
    assert_eq!(s.summary.total_score, 20_402_731.0);
}

#[test]
fn cli_suda_json_and_record_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("suda.parquet");
    let v = cli_json(&[
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

/// DIS-SUDA as sdcMicro 5.8.1 computes it: `suda2(adult, <all 9 columns>, DisFraction = 0.01)`
/// (tests/fixtures/sdcmicro/, the records with a score; every other record scores 0). Per record,
/// the SUDA score equals sdcMicro's and the DIS-SUDA score is within 1e-6 of it (it comes out
/// equal to the last digit).
#[test]
fn dis_suda_reproduces_sdcmicro_on_adult() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("suda.parquet");
    let v = cli_json(&[
        "suda",
        "datasets/adult/adult.parquet",
        "--qi",
        &ADULT_QI.join(","),
        "--dis-fraction",
        "0.01",
        "--record-risk",
        out_path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        v["dis"],
        serde_json::json!({"method": "sdcmicro", "fraction": 0.01})
    );
    let rows = read_f64_columns(&out_path, &["row", "suda_score", "dis_suda_score"]);
    let expected = std::fs::read_to_string(fixture("sdcmicro/adult_dis_suda_0.01.csv")).unwrap();
    let mut reference = vec![(0.0, 0.0); rows[0].len()];
    for line in expected.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        reference[f[0] as usize] = (f[1], f[2]);
    }
    assert_eq!(reference.iter().filter(|r| r.0 > 0.0).count(), 15_512);
    let mut worst = 0.0f64;
    for ((&row, &suda), &dis_suda) in rows[0].iter().zip(&rows[1]).zip(&rows[2]) {
        let row = row as usize;
        let (score, dis) = reference[row];
        assert_eq!(suda, score, "SUDA score of row {row}");
        worst = worst.max((dis_suda - dis).abs());
    }
    assert!(worst < 1e-6, "largest DIS-SUDA difference {worst}");
    // The linear spreading stays available, and differs.
    let linear = run_cli(&[
        "suda",
        "datasets/adult/adult_subset.csv",
        "--qi",
        &ADULT_QI.join(","),
        "--dis-linear",
        "0.1",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&linear.stdout).unwrap();
    assert_eq!(v["dis"], serde_json::json!(0.1));
}

/// The named columns of a Parquet file, as numbers.
fn read_f64_columns(path: &std::path::Path, names: &[&str]) -> Vec<Vec<f64>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt64Type};
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut out = vec![Vec::new(); names.len()];
    for batch in reader {
        let batch = batch.unwrap();
        for (o, name) in out.iter_mut().zip(names) {
            let col = batch.column_by_name(name).unwrap();
            match col.data_type() {
                arrow_schema::DataType::Float64 => {
                    o.extend(col.as_primitive::<Float64Type>().values().iter().copied())
                }
                arrow_schema::DataType::UInt64 => o.extend(
                    col.as_primitive::<UInt64Type>()
                        .values()
                        .iter()
                        .map(|&x| x as f64),
                ),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    out
}
