//! People-level class files (`--entity`) written by hand: a file with hand-checked figures, and
//! malformed people files, each rejected with one line that names the problem (exit status 2);
//! the commands that cannot use a people file refuse it clearly.

mod common;
use common::*;

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, ListArray, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

fn fails_with(args: &[&str], needles: &[&str]) {
    let out = run_cli(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
    }
}

/// One signature element: a QI value (`None`: null) and its rows (`None`: null).
type Element = (Option<&'static str>, Option<i64>);

/// A signature column: per class its elements (`None`: a null list).
fn signatures(rows: &[Option<&[Element]>], rows_field: &str) -> ArrayRef {
    let fields = Fields::from(vec![
        Field::new("a", DataType::Utf8, true),
        Field::new(rows_field, DataType::Int64, true),
    ]);
    let mut offsets = vec![0i32];
    let (mut vals, mut counts) = (Vec::new(), Vec::new());
    let mut valid = Vec::new();
    for r in rows {
        for (v, c) in r.unwrap_or(&[]).iter() {
            vals.push(*v);
            counts.push(*c);
        }
        offsets.push(vals.len() as i32);
        valid.push(r.is_some());
    }
    let entries = StructArray::new(
        fields.clone(),
        vec![
            Arc::new(StringArray::from(vals)),
            Arc::new(Int64Array::from(counts)),
        ],
        None,
    );
    Arc::new(ListArray::new(
        Arc::new(Field::new("element", DataType::Struct(fields), true)),
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        Arc::new(entries),
        Some(valid.into()),
    ))
}

fn ints(v: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

/// A histogram column: per class its (value, count) pairs.
fn hist(rows: &[&[(&str, i64)]]) -> ArrayRef {
    let fields = Fields::from(vec![
        Field::new("value", DataType::Utf8, true),
        Field::new("count", DataType::Int64, true),
    ]);
    let mut offsets = vec![0i32];
    let (mut vals, mut counts) = (Vec::new(), Vec::new());
    for r in rows {
        for (v, c) in r.iter() {
            vals.push(Some(*v));
            counts.push(*c);
        }
        offsets.push(vals.len() as i32);
    }
    let entries = StructArray::new(
        fields.clone(),
        vec![
            Arc::new(StringArray::from(vals)),
            Arc::new(Int64Array::from(counts)),
        ],
        None,
    );
    Arc::new(ListArray::new(
        Arc::new(Field::new("element", DataType::Struct(fields), true)),
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        Arc::new(entries),
        None,
    ))
}

fn write_file(path: &Path, cols: Vec<(&str, ArrayRef)>, meta: Option<&str>) {
    let schema = Arc::new(Schema::new(
        cols.iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch =
        RecordBatch::try_new(schema.clone(), cols.into_iter().map(|(_, a)| a).collect()).unwrap();
    let props = WriterProperties::builder()
        .set_key_value_metadata(
            meta.map(|m| vec![KeyValue::new("reident:class_table".into(), m.to_string())]),
        )
        .build();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// Hand-checked: five rows of one QI `a`: {x:2} (1 person, 2 rows), {x:1, y:1} (2 people, 4
/// rows), {x:2} again (1 person: merges with the first), {NULL:1} (1 person) and {"NULL":1} (2
/// people: the text "NULL" is a null, so it merges with the fourth). Classes {x:2} of 2 people,
/// {x:1, y:1} of 2, {NULL:1} of 3: 7 people, 11 rows.
#[test]
fn hand_written_people_file_gives_hand_checked_figures() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.parquet");
    let x2: &[Element] = &[(Some("x"), Some(2))];
    let xy: &[Element] = &[(Some("x"), Some(1)), (Some("y"), Some(1))];
    // The text "NULL" and a null are one value: {NULL:1} and {"NULL":1} are one signature.
    let n1: &[Element] = &[(None, Some(1))];
    let n1_text: &[Element] = &[(Some("NULL"), Some(1))];
    write_file(
        &p,
        vec![
            (
                "__reident_signature",
                signatures(
                    &[Some(x2), Some(xy), Some(x2), Some(n1), Some(n1_text)],
                    "__reident_rows",
                ),
            ),
            (
                "__reident_count",
                ints(&[Some(1), Some(2), Some(1), Some(1), Some(2)]),
            ),
            (
                "__reident_row_count",
                ints(&[Some(2), Some(4), Some(2), Some(1), Some(2)]),
            ),
            (
                "s",
                hist(&[
                    &[("d1", 2)],
                    &[("d1", 3), ("d2", 1)],
                    &[("d2", 2)],
                    &[("d3", 1)],
                    &[("d3", 2)],
                ]),
            ),
        ],
        None,
    );
    let pf = p.to_str().unwrap();
    let v = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        pf,
        "--qi",
        "a",
        "--sensitive",
        "s",
        "--entity",
        "pid",
        "--json",
    ]);
    // Classes {x:2} (2 people, 4 rows), {x:1,y:1} (2, 4), {NULL:1} (3, 3).
    assert_eq!(v["people"]["people"], 7);
    assert_eq!(v["people"]["rows"], 11);
    assert_eq!(v["dataset"]["records"], 11);
    assert_eq!(v["classes"]["classes"], 3);
    assert_eq!(v["classes"]["smallest"], 2);
    assert_eq!(v["classes"]["largest"], 3);
    assert_eq!(v["sample_uniques"]["records"], 0);
    assert_eq!(v["prosecutor"]["average"], 3.0 / 7.0);
    // Histograms over the people's rows: {x:2} has d1 and d2, {NULL:1} only d3.
    assert_eq!(v["sensitive"][0]["l_diversity"]["distinct"]["l"], 1);
    // As sets: {x} (2 people) and {x, y} (2) and {NULL} (3): the same classes here; over no
    // distinction of repeats a person with {x:2} and one with {x:1} would merge (below).
    let s = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        pf,
        "--qi",
        "a",
        "--entity",
        "pid",
        "--entity-signature",
        "set",
        "--json",
    ]);
    assert_eq!(s["classes"]["classes"], 3);
    assert_eq!(s["people"]["rows"], 11);
    // A set read of {x:2} and {x:1} (row counts 2 and 1): one class of 2 people, 3 rows.
    let q = dir.path().join("q.parquet");
    let x1: &[Element] = &[(Some("x"), Some(1))];
    write_file(
        &q,
        vec![
            (
                "__reident_signature",
                signatures(&[Some(x2), Some(x1)], "__reident_rows"),
            ),
            ("__reident_count", ints(&[Some(1), Some(1)])),
            ("__reident_row_count", ints(&[Some(2), Some(1)])),
        ],
        None,
    );
    let qf = q.to_str().unwrap();
    let m = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        qf,
        "--qi",
        "a",
        "--entity",
        "pid",
        "--json",
    ]);
    assert_eq!(
        (
            m["classes"]["classes"].as_u64(),
            m["classes"]["smallest"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let s = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        qf,
        "--qi",
        "a",
        "--entity",
        "pid",
        "--entity-signature",
        "set",
        "--json",
    ]);
    assert_eq!(
        (
            s["classes"]["classes"].as_u64(),
            s["classes"]["smallest"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(s["people"]["rows"], 3);
}

#[test]
fn corrupt_people_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let x2: &[Element] = &[(Some("x"), Some(2))];
    let xy: &[Element] = &[(Some("x"), Some(1)), (Some("y"), Some(1))];
    let sig = |rows: &[Option<&[Element]>]| signatures(rows, "__reident_rows");
    let good = || sig(&[Some(x2), Some(xy)]);
    let mut n = 0;
    let mut case =
        |cols: Vec<(&str, ArrayRef)>, meta: Option<&str>, extra: &[&str], needles: &[&str]| {
            n += 1;
            let p = dir.path().join(format!("bad{n}.parquet"));
            write_file(&p, cols, meta);
            let mut args = vec![
                "analyze",
                "--classes",
                p.to_str().unwrap(),
                "--qi",
                "a",
                "--entity",
                "pid",
            ];
            args.extend(extra);
            fails_with(&args, needles);
        };
    let count = |v: &[i64]| ints(&v.iter().map(|&x| Some(x)).collect::<Vec<_>>());
    // Counts: zero, negative, missing.
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 0])),
        ],
        None,
        &[],
        &["__reident_count is 0"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[-2, 1])),
        ],
        None,
        &[],
        &["is -2"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", ints(&[Some(1), None])),
        ],
        None,
        &[],
        &["__reident_count is missing (null)"],
    );
    // Element rows: zero, missing; a null element list; an empty one; a null element.
    case(
        vec![
            ("__reident_signature", sig(&[Some(&[(Some("x"), Some(0))])])),
            ("__reident_count", count(&[1])),
        ],
        None,
        &[],
        &["__reident_rows is 0"],
    );
    case(
        vec![
            ("__reident_signature", sig(&[Some(&[(Some("x"), None)])])),
            ("__reident_count", count(&[1])),
        ],
        None,
        &[],
        &["__reident_rows is missing (null)", "entity value"],
    );
    case(
        vec![
            ("__reident_signature", sig(&[Some(x2), None])),
            ("__reident_count", count(&[1, 1])),
        ],
        None,
        &[],
        &["__reident_signature is missing (null)"],
    );
    case(
        vec![
            ("__reident_signature", sig(&[Some(x2), Some(&[])])),
            ("__reident_count", count(&[1, 1])),
        ],
        None,
        &[],
        &["empty", "at least one row"],
    );
    // Row counts: a multiset's must equal its signature's; a set's may not be fewer.
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 5])),
        ],
        None,
        &[],
        &[
            "accounts for 4 rows",
            "__reident_row_count is 5",
            "--entity-signature set",
        ],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 3])),
        ],
        None,
        &["--entity-signature", "set"],
        &["__reident_row_count is 3, fewer than the 4 rows"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", ints(&[Some(2), None])),
        ],
        None,
        &[],
        &["__reident_row_count is missing (null)"],
    );
    // A set without row counts cannot say how many rows its people have.
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
        ],
        None,
        &["--entity-signature", "set"],
        &["no __reident_row_count"],
    );
    // Without row counts and without metadata saying "multiset", a file of sets (repeats lost)
    // cannot be told from one of multisets: refused even when read as multisets.
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
        ],
        None,
        &[],
        &["no __reident_row_count", "cannot be told"],
    );
    // Histograms must add up to the rows of the class's people.
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 4])),
            ("s", hist(&[&[("d", 2)], &[("d", 3)]])),
        ],
        None,
        &["--sensitive", "s"],
        &["adds up to 3 records", "the rows of its people are 4"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 4])),
            ("s", hist(&[&[("d", 2)], &[("d", 4), ("e", 0)]])),
        ],
        None,
        &["--sensitive", "s"],
        &["count is 0"],
    );
    // The metadata: totals, the entity, the signature kind, its rows.
    let meta = |extra: &str| {
        format!(
            r#"{{"format": "reident class table", "version": 1, "quasi_identifiers": ["a"], "entity": "pid", "signature": "multiset"{extra}}}"#
        )
    };
    let base = || {
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
        ]
    };
    case(
        base(),
        Some(&meta(r#", "people": 4"#)),
        &[],
        &["says 4 people", "hold 3"],
    );
    case(
        base(),
        Some(&meta(r#", "rows": 7"#)),
        &[],
        &["says 7 rows", "hold 6"],
    );
    case(
        base(),
        Some(&meta("").replace("\"pid\"", "\"patient\"")),
        &[],
        &["identified by column \"patient\", not \"pid\""],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 4])),
        ],
        Some(&meta("").replace("multiset", "set")),
        &[],
        &["signatures are sets", "--entity-signature set"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_row_count", count(&[2, 4])),
        ],
        Some(&meta("").replace("multiset", "set")),
        &["--entity-signature", "set"],
        &["__reident_rows is 2", "sets"],
    );
    case(
        base(),
        Some(r#"{"format": "reident class table", "version": 1, "quasi_identifiers": ["a"]}"#),
        &[],
        &["\"entity\" and \"signature\" must be given"],
    );
    // The shape: a value column beside the signature, weights, a signature that is not a list
    // of structs with __reident_rows, a reserved field, row counts without signatures.
    case(
        vec![
            ("__reident_signature", good()),
            ("b", ints(&[Some(1), Some(2)])),
            ("__reident_count", count(&[1, 2])),
        ],
        None,
        &[],
        &["\"b\" is a value column beside __reident_signature"],
    );
    case(
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
            ("__reident_weight_sum", count(&[1, 2])),
        ],
        None,
        &[],
        &["__reident_weight_sum in a people-level class table"],
    );
    case(
        vec![
            ("__reident_signature", signatures(&[Some(x2)], "rows")),
            ("__reident_count", count(&[1])),
        ],
        None,
        &[],
        &["a signature must be LIST<STRUCT<qi_1, ..., qi_m, __reident_rows>>"],
    );
    case(
        vec![
            ("__reident_signature", count(&[1])),
            ("__reident_count", count(&[1])),
        ],
        None,
        &[],
        &["a signature must be LIST<STRUCT"],
    );
    case(
        vec![
            (
                "__reident_signature",
                signatures(&[Some(x2)], "__reident_rows"),
            ),
            ("__reident_count", count(&[1])),
            ("s", hist(&[&[("d", 2)]])),
        ],
        None,
        &["--qi", "s"],
        &["histogram", "not a quasi-identifier"],
    );
    case(
        vec![
            ("a", Arc::new(StringArray::from(vec!["x"]))),
            ("__reident_count", count(&[1])),
            ("__reident_row_count", count(&[1])),
        ],
        None,
        &[],
        &["__reident_row_count without __reident_signature"],
    );
    // A people file without --entity; a row-level file with it.
    let people = dir.path().join("people.parquet");
    write_file(
        &people,
        vec![
            ("__reident_signature", good()),
            ("__reident_count", count(&[1, 2])),
        ],
        Some(&meta("")),
    );
    let pf = people.to_str().unwrap();
    fails_with(
        &["analyze", "--classes", pf, "--qi", "a"],
        &["people-level classes", "--entity pid"],
    );
    fails_with(
        &["combos", "--classes", pf, "--qi", "a"],
        &["people-level classes", "--entity pid"],
    );
    let rows = dir.path().join("rows.parquet");
    write_file(
        &rows,
        vec![
            ("a", Arc::new(StringArray::from(vec!["x", "y"]))),
            ("__reident_count", count(&[1, 2])),
        ],
        None,
    );
    fails_with(
        &[
            "gate",
            "--classes",
            rows.to_str().unwrap(),
            "--qi",
            "a",
            "--entity",
            "pid",
            "--k",
            "2",
        ],
        &[
            "row-level class table",
            "cannot count people",
            "reident classes --entity pid",
        ],
    );
    // Per-record output, anonymize and the apply query are refused with people.
    let rr = dir.path().join("rr.parquet");
    fails_with(
        &[
            "analyze",
            "--classes",
            pf,
            "--qi",
            "a",
            "--entity",
            "pid",
            "--record-risk",
            rr.to_str().unwrap(),
        ],
        &["per-record output"],
    );
    assert!(!rr.exists());
    let out = dir.path().join("anon.parquet");
    fails_with(
        &[
            "anonymize",
            "--classes",
            pf,
            "--qi",
            "a",
            "--entity",
            "pid",
            "--k",
            "2",
            "-o",
            out.to_str().unwrap(),
        ],
        &["anonymize --entity", "give the data file"],
    );
    assert!(!out.exists());
    fails_with(
        &[
            "classes",
            "--classes",
            pf,
            "--qi",
            "a",
            "--entity",
            "pid",
            "--weight",
            "w",
            "-o",
            out.to_str().unwrap(),
        ],
        &["--weight with --entity"],
    );
    assert!(!out.exists());
    fails_with(
        &[
            "sql",
            "--dialect",
            "duckdb",
            "--table",
            "t",
            "--qi",
            "a",
            "--entity",
            "pid",
            "--weight",
            "w",
        ],
        &["--weight with --entity"],
    );
    fails_with(
        &[
            "sql",
            "--dialect",
            "spark",
            "--table",
            "t",
            "--qi",
            "a",
            "--entity",
            "pid",
            "--transformation",
            pf,
        ],
        &["--transformation with --entity"],
    );
    fails_with(
        &[
            "sql",
            "--dialect",
            "spark",
            "--table",
            "t",
            "--qi",
            "a,pid",
            "--entity",
            "pid",
        ],
        &["\"pid\" is named twice"],
    );
    fails_with(
        &[
            "sql",
            "--dialect",
            "ansi",
            "--table",
            "t",
            "--qi",
            "a",
            "--entity",
            "pid",
            "--copy-to",
            "x",
        ],
        &["standard SQL has no statement"],
    );
}
