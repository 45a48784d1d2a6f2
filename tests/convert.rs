//! `reident convert`: CSV to Parquet and back gives the same file; no half-written outputs.

mod common;
use common::*;

#[test]
fn adult_round_trips_through_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("a.parquet");
    let back = dir.path().join("a.csv");
    for (i, o) in [(adult("adult.csv"), &pq), (pq.clone(), &back)] {
        let out = run_cli(&[
            "--quiet",
            "convert",
            i.to_str().unwrap(),
            o.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let original = std::fs::read_to_string(adult("adult.csv"))
        .unwrap()
        .replace("\r\n", "\n");
    assert_eq!(std::fs::read_to_string(&back).unwrap(), original);
}

#[test]
fn types_are_inferred_only_when_the_text_survives() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "zip;n;mixed\n02134;1;5\n10001;;x\n99999;-3;7\n").unwrap();
    let pq = dir.path().join("t.parquet");
    let back = dir.path().join("t2.csv");
    assert!(run_cli(&[
        "convert",
        csv.to_str().unwrap(),
        pq.to_str().unwrap(),
        "--compression",
        "snappy"
    ])
    .status
    .success());
    let input = reident::Input::open(&pq, &Default::default()).unwrap();
    let reident::Input::Parquet(p) = &input else {
        panic!("not parquet")
    };
    let types: Vec<String> = p
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    assert!(types[0].contains("Utf8"), "zip must stay text: {types:?}");
    assert_eq!(types[1], "Int64");
    assert!(types[2].contains("Utf8"));
    assert!(
        run_cli(&["convert", pq.to_str().unwrap(), back.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&back).unwrap(),
        std::fs::read_to_string(&csv).unwrap()
    );
}

#[test]
fn a_failed_conversion_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.parquet");
    let out = run_cli(&[
        "convert",
        "tests/fixtures/bad_fields.csv",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "left a file behind"
    );
}

#[test]
fn refuses_to_overwrite_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.csv");
    std::fs::write(&p, "a;b\n1;2\n").unwrap();
    let out = run_cli(&["convert", p.to_str().unwrap(), p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "a;b\n1;2\n");
}
