//! Parquet files from independent writers (pyarrow, DuckDB; see tests/fixtures/make_fixtures.py)
//! give the same figures, and the same class table, as the same data in CSV. The expected figures
//! were computed by the fixture script in Python from the CSV twins (tests/fixtures/EXPECTED.md).

mod common;
use common::*;

/// (stem, rows, classes, k, uniques)
const EXPECTED: [(&str, u64, u64, u64, u64); 5] = [
    ("types_pyarrow", 1000, 432, 1, 332),
    ("types_extra", 400, 156, 1, 115),
    ("types_duckdb", 1000, 426, 1, 325),
    ("all_null_chunk", 400, 71, 1, 2),
    ("one_column", 300, 10, 1, 3),
];

#[test]
fn parquet_fixtures_match_their_csv_twins() {
    for (stem, rows, classes, k, uniques) in EXPECTED {
        let pq = fixture(&format!("{stem}.parquet"));
        let csv = fixture(&format!("{stem}.csv"));
        let qi = all_columns(&pq);
        assert_eq!(qi, all_columns(&csv), "{stem}: column names");
        let (tp, rp) = analyze(&pq, &qi, &[]);
        let (tc, rc) = analyze(&csv, &qi, &[]);
        for (what, r) in [("parquet", &rp), ("csv", &rc)] {
            assert_eq!(r.classes.records, rows, "{stem} {what}");
            assert_eq!(r.classes.classes, classes, "{stem} {what}");
            assert_eq!(r.classes.smallest, k, "{stem} {what}");
            assert_eq!(r.sample_uniques.records, uniques, "{stem} {what}");
        }
        assert_eq!(rp.classes, rc.classes, "{stem}");
        assert_eq!(rp.prosecutor, rc.prosecutor, "{stem}");
        // Same canonical text, same natural order, same first-appearance order: same table.
        assert_eq!(tp, tc, "{stem}: class tables differ");
    }
}

/// Each column alone, so that a formatting difference in one type cannot hide behind others.
#[test]
fn every_column_type_has_the_csv_text() {
    for stem in ["types_pyarrow", "types_extra", "types_duckdb"] {
        let pq = fixture(&format!("{stem}.parquet"));
        let csv = fixture(&format!("{stem}.csv"));
        for col in all_columns(&pq) {
            let qi = vec![col.clone()];
            let (tp, _) = analyze(&pq, &qi, &[]);
            let (tc, _) = analyze(&csv, &qi, &[]);
            assert_eq!(tp.qis[0].values, tc.qis[0].values, "{stem}.{col}");
            assert_eq!(tp.counts, tc.counts, "{stem}.{col}");
        }
    }
}

#[test]
fn nulls_are_one_value_written_null() {
    let (t, _) = analyze(&fixture("all_null_chunk.parquet"), &strings(&["note"]), &[]);
    assert!(t.qis[0].values.iter().any(|v| v == "NULL"));
    assert_eq!(t.qis[0].values.last().unwrap(), "NULL", "NULL sorts last");
}

#[test]
fn sensitive_histograms_agree_between_formats() {
    let pq = fixture("types_pyarrow.parquet");
    let csv = fixture("types_pyarrow.csv");
    let qi = strings(&["city", "age"]);
    let s = strings(&["flag", "score"]);
    let (tp, _) = analyze(&pq, &qi, &s);
    let (tc, _) = analyze(&csv, &qi, &s);
    assert_eq!(tp, tc);
    for h in &tp.sensitive {
        let total: u64 = h.counts.iter().sum();
        assert_eq!(total, tp.n_records, "{}", h.domain.name);
    }
}

#[test]
fn delimiters_bom_and_crlf_are_handled() {
    let cols = all_columns(&fixture("crlf_bom.csv"));
    assert_eq!(all_columns(&fixture("comma.csv")), cols);
    assert_eq!(all_columns(&fixture("tab.csv")), cols);
    let (a, _) = analyze(&fixture("crlf_bom.csv"), &cols, &[]);
    let (b, _) = analyze(&fixture("comma.csv"), &cols, &[]);
    let (c, _) = analyze(&fixture("tab.csv"), &cols, &[]);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!((a.n_records, a.n_classes()), (10, 6));
    assert!(
        !cols[0].starts_with('\u{feff}'),
        "BOM kept in the first column name"
    );
}

#[test]
fn column_names_with_spaces_and_punctuation() {
    let cols = all_columns(&fixture("spaces.csv"));
    assert!(cols.iter().any(|c| c.contains(' ')));
    assert!(cols.iter().any(|c| c.contains('\'')));
    let (t, _) = analyze(&fixture("spaces.csv"), &cols, &[]);
    assert_eq!((t.n_records, t.n_classes()), (60, 56));
}
