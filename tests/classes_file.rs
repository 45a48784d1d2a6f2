//! Class tables as files: written and read back identical, read in place of the data with the
//! same figures, and malformed class files rejected with one clear line.

mod common;
use common::*;

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use reident::analyze::AnalyzeReport;
use reident::classes::io::{write_class_table, ClassFile};
use reident::classes::{build_class_table, Source};
use reident::progress::Progress;
use reident::{ClassTable, Input, InputOptions, Policy, Roles};
use serde_json::Value;

const QI9: &str =
    "sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class";

/// The class table of a data file over `qi` (and `sensitive`, and a weight).
fn table_of(path: &Path, qi: &[&str], sensitive: &[&str], weight: Option<&str>) -> ClassTable {
    let input = Input::open(path, &InputOptions::default()).unwrap();
    let policy = Policy::default()
        .override_with(&strings(qi), &strings(sensitive), &[])
        .with_weight(weight.map(str::to_string).as_ref());
    let roles = Roles::resolve(&policy, input.columns()).unwrap();
    build_class_table(&input, &roles, &Progress::hidden()).unwrap()
}

fn read(
    path: &Path,
    qi: &[&str],
    sensitive: &[&str],
    weight: Option<&str>,
) -> reident::Result<ClassTable> {
    ClassFile::open(path)?.read_names(
        &strings(qi),
        &strings(sensitive),
        weight,
        &Progress::hidden(),
    )
}

#[test]
fn written_and_read_back_identical() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(std::path::PathBuf, Vec<String>, Vec<&str>)> = vec![
        (
            adult("adult.parquet"),
            strings(&ADULT_QI[..8]),
            vec!["salary-class"],
        ),
        (
            fixture("types_pyarrow.parquet"),
            all_columns(&fixture("types_pyarrow.parquet")),
            vec![],
        ),
        (
            fixture("types_extra.parquet"),
            all_columns(&fixture("types_extra.parquet")),
            vec![],
        ),
        (
            fixture("types_duckdb.parquet"),
            all_columns(&fixture("types_duckdb.parquet")),
            vec![],
        ),
    ];
    for (data, cols, sensitive) in cases {
        // Every column a QI except the last two, which are sensitive, so histograms of every type
        // are written too.
        let (qi, sens): (Vec<&str>, Vec<&str>) = if sensitive.is_empty() {
            let n = cols.len();
            (
                cols[..n - 2].iter().map(|s| s.as_str()).collect(),
                cols[n - 2..].iter().map(|s| s.as_str()).collect(),
            )
        } else {
            (cols.iter().map(|s| s.as_str()).collect(), sensitive)
        };
        let t = table_of(&data, &qi, &sens, None);
        let out = dir.path().join("t.parquet");
        write_class_table(&t, None, &out).unwrap();
        let back = read(&out, &qi, &sens, None).unwrap();
        assert_eq!(back, t, "{}", data.display());
        let meta = ClassFile::open(&out).unwrap().metadata.unwrap();
        assert_eq!(meta.version, 1);
        assert_eq!(meta.records, Some(t.n_records));
        assert_eq!(meta.quasi_identifiers, strings(&qi));
    }
}

#[test]
fn weights_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("w.csv");
    std::fs::write(&data, "a;b;w\nx;1;2.5\nx;1;0.25\ny;;1\ny;2;3\n").unwrap();
    let t = table_of(&data, &["a", "b"], &[], Some("w"));
    assert_eq!(t.weights, Some(vec![2.75, 1.0, 3.0]));
    let out = dir.path().join("w.parquet");
    write_class_table(&t, Some("w"), &out).unwrap();
    assert_eq!(read(&out, &["a", "b"], &[], Some("w")).unwrap(), t);
    let err = read(&out, &["a", "b"], &[], Some("other"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"w\", not \"other\""), "{err}");
}

/// Reading fewer QIs than the file has merges the rows: the roll-up, with the figures of the raw
/// data over those QIs (class order aside, which no figure depends on).
#[test]
fn reading_fewer_qis_rolls_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = adult("adult.parquet");
    let qi8 = [
        "sex",
        "age",
        "race",
        "marital-status",
        "education",
        "native-country",
        "workclass",
        "salary-class",
    ];
    let full = table_of(&data, &qi8, &["occupation"], None);
    let out = dir.path().join("c.parquet");
    write_class_table(&full, None, &out).unwrap();
    let few = ["education", "sex", "race"];
    let back = read(&out, &few, &["occupation"], None).unwrap();
    let raw = table_of(&data, &few, &["occupation"], None);
    assert_eq!(back.n_classes(), raw.n_classes());
    assert_eq!(back.qis, raw.qis);
    let mut a: Vec<_> = (0..raw.n_classes())
        .map(|c| {
            (
                raw.key_text(c),
                raw.counts[c],
                raw.sensitive[0].of(c).0.to_vec(),
            )
        })
        .collect();
    let mut b: Vec<_> = (0..back.n_classes())
        .map(|c| {
            (
                back.key_text(c),
                back.counts[c],
                back.sensitive[0].of(c).0.to_vec(),
            )
        })
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let input = Source::Records(Input::open(&data, &InputOptions::default()).unwrap());
    let roles = Roles::resolve(
        &Policy::default().override_with(&strings(&few), &strings(&["occupation"]), &[]),
        input.columns(),
    )
    .unwrap();
    let r1 = serde_json::to_value(AnalyzeReport::new(&input, &roles, &raw)).unwrap();
    let r2 = serde_json::to_value(AnalyzeReport::new(&input, &roles, &back)).unwrap();
    assert_eq!(r1, r2);
}

/// A folder of part files (as Spark writes) is one table; rows of the same class in two parts
/// are merged.
#[test]
fn folder_of_parts_and_duplicate_classes_merge() {
    let dir = tempfile::tempdir().unwrap();
    let t = table_of(&adult("adult.parquet"), &ADULT_QI, &[], None);
    let parts = dir.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    let odd: Vec<bool> = (0..t.n_classes()).map(|c| c % 2 == 1).collect();
    let even: Vec<bool> = odd.iter().map(|x| !x).collect();
    write_class_table(
        &t.suppress(&odd, false),
        None,
        &parts.join("part-0.parquet"),
    )
    .unwrap();
    write_class_table(
        &t.suppress(&even, false),
        None,
        &parts.join("part-1.parquet"),
    )
    .unwrap();
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    std::fs::write(parts.join(".part-0.parquet.crc"), "x").unwrap();
    let back = read(&parts, &ADULT_QI, &[], None).unwrap();
    assert_eq!(back.n_records, t.n_records);
    assert_eq!(back.n_classes(), t.n_classes());
    assert_eq!(back.qis, t.qis);
    // The same file twice: every class twice as large.
    let twice = dir.path().join("twice");
    std::fs::create_dir(&twice).unwrap();
    write_class_table(&t, None, &twice.join("a.parquet")).unwrap();
    write_class_table(&t, None, &twice.join("b.parquet")).unwrap();
    let doubled = read(&twice, &ADULT_QI, &[], None).unwrap();
    assert_eq!(doubled.n_classes(), t.n_classes());
    assert_eq!(
        doubled.counts,
        t.counts.iter().map(|c| 2 * c).collect::<Vec<_>>()
    );
}

fn classes_file(dir: &Path, qi: &str, sensitive: Option<&str>) -> String {
    let out = dir.join("c.parquet");
    let mut args = vec![
        "--quiet",
        "classes",
        "datasets/adult/adult.parquet",
        "--qi",
        qi,
        "-o",
    ];
    args.push(out.to_str().unwrap());
    if let Some(s) = sensitive {
        args.extend(["--sensitive", s]);
    }
    let o = run_cli(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(" classes (30162 records"));
    out.display().to_string()
}

#[test]
fn combos_and_suda_from_a_class_table() {
    let dir = tempfile::tempdir().unwrap();
    let c = classes_file(dir.path(), QI9, None);
    let summary = cli_json(&[
        "--quiet",
        "classes",
        "--classes",
        &c,
        "--qi",
        QI9,
        "-o",
        dir.path().join("again.parquet").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(summary["classes"], 19502);
    assert_eq!(summary["records"], 30162);
    let strip = |mut v: Value| {
        v["dataset"] = Value::Null;
        v
    };
    let a = cli_json(&[
        "--quiet",
        "combos",
        "datasets/adult/adult.parquet",
        "--qi",
        QI9,
        "--max-size",
        "3",
        "--json",
    ]);
    let b = cli_json(&[
        "--quiet",
        "combos",
        "--classes",
        &c,
        "--qi",
        QI9,
        "--max-size",
        "3",
        "--json",
    ]);
    assert_eq!(strip(a), strip(b));
    let suda = |v: Value| {
        let mut v = strip(v);
        for r in v["riskiest_records"].as_array_mut().unwrap() {
            r["row"] = Value::Null;
        }
        v
    };
    let a = cli_json(&[
        "--quiet",
        "suda",
        "datasets/adult/adult.parquet",
        "--qi",
        QI9,
        "--max-size",
        "3",
        "--json",
    ]);
    let b = cli_json(&[
        "--quiet",
        "suda",
        "--classes",
        &c,
        "--qi",
        QI9,
        "--max-size",
        "3",
        "--json",
    ]);
    assert!(b["riskiest_records"][0]["row"].is_null());
    assert!(a["riskiest_records"][0]["row"].is_u64());
    // Ties between records of equal score are listed by row number from the data and in file
    // order from the class table: compare the scores, not the order of tied records.
    let scores = |v: &Value| {
        let mut s: Vec<String> = v["riskiest_records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["suda_score"].to_string())
            .collect();
        s.sort();
        s
    };
    assert_eq!(scores(&a), scores(&b));
    let (mut a, mut b) = (suda(a), suda(b));
    a["riskiest_records"] = Value::Null;
    b["riskiest_records"] = Value::Null;
    assert_eq!(a, b);
}

/// `anonymize --classes -o` writes the generalized class table; it has the figures of
/// `anonymize`'s transformed data.
#[test]
fn anonymize_from_a_class_table_writes_the_released_classes() {
    let dir = tempfile::tempdir().unwrap();
    // Five QIs keep the search short in a debug build.
    let qi8 = "sex,age,race,education,salary-class";
    let c = classes_file(dir.path(), qi8, Some("occupation"));
    for star in [false, true] {
        let rows = dir.path().join("rows.parquet");
        let released = dir.path().join("released.parquet");
        let mut common = vec![
            "--qi",
            qi8,
            "--hierarchies",
            "datasets/adult",
            "--k",
            "5",
            "--suppression-limit",
            "0.05",
            // Always met: it makes occupation a sensitive column, so histograms are released.
            "--l-diversity",
            "occupation:distinct:1",
            "--json",
            // The second pass writes the same files again (issue 16: refused without it).
            "--force",
        ];
        if star {
            common.extend(["--suppressed", "star"]);
        }
        let mut a = vec![
            "--quiet",
            "anonymize",
            "datasets/adult/adult.parquet",
            "-o",
            rows.to_str().unwrap(),
        ];
        a.extend(&common);
        let mut b = vec![
            "--quiet",
            "anonymize",
            "--classes",
            &c,
            "-o",
            released.to_str().unwrap(),
        ];
        b.extend(&common);
        let (ra, rb) = (cli_json(&a), cli_json(&b));
        assert_eq!(ra["best"], rb["best"]);
        assert_eq!(ra["records_written"], rb["records_written"]);
        // The data's release keeps its other columns (insensitive here); the released class
        // table holds the QIs and the sensitive histograms only.
        let fig = |args: &[&str]| {
            let mut v = cli_json(args);
            v["dataset"] = Value::Null;
            v["roles"]["insensitive"] = Value::Null;
            v
        };
        let x = fig(&[
            "--quiet",
            "analyze",
            rows.to_str().unwrap(),
            "--qi",
            qi8,
            "--sensitive",
            "occupation",
            "--json",
        ]);
        let y = fig(&[
            "--quiet",
            "analyze",
            "--classes",
            released.to_str().unwrap(),
            "--qi",
            qi8,
            "--sensitive",
            "occupation",
            "--json",
        ]);
        assert_eq!(x, y, "star = {star}");
    }
}

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

#[test]
fn per_record_outputs_are_unavailable_from_a_class_table() {
    let dir = tempfile::tempdir().unwrap();
    let c = classes_file(dir.path(), QI9, None);
    let rr = dir.path().join("rr.parquet");
    fails_with(
        &[
            "analyze",
            "--classes",
            &c,
            "--qi",
            QI9,
            "--record-risk",
            rr.to_str().unwrap(),
        ],
        &["per-record output", "class table"],
    );
    fails_with(
        &[
            "suda",
            "--classes",
            &c,
            "--qi",
            QI9,
            "--record-risk",
            rr.to_str().unwrap(),
        ],
        &["per-record output", "class table"],
    );
    assert!(!rr.exists());
    fails_with(
        &["analyze", "--classes", &c, "--qi", "age,zip"],
        &["unknown column \"zip\""],
    );
    fails_with(
        &["analyze", "--classes", &c, "--qi", "age", "--weight", "w"],
        &["no __reident_weight_sum"],
    );
    fails_with(
        &["classes", "--classes", &c, "--qi", "age", "-o", &c],
        &["overwrite the input"],
    );
    fails_with(
        &["classes", "--classes", &c, "--qi", "age", "-o", "out.csv"],
        &["written as Parquet"],
    );
    // Identifying and insensitive columns the class table lacks are listed, never read.
    let v = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        &c,
        "--qi",
        "age,sex",
        "--identifying",
        "name",
        "--json",
    ]);
    assert_eq!(v["roles"]["identifying"], serde_json::json!(["name"]));
}

/// Writes a Parquet file from columns, with an optional metadata entry.
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
    let f = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(f, schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn strs(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn ints(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

/// A histogram column: one list of (value, count) per row.
fn hist(rows: &[&[(Option<&str>, i64)]]) -> ArrayRef {
    let fields = Fields::from(vec![
        Field::new("value", DataType::Utf8, true),
        Field::new("count", DataType::Int64, true),
    ]);
    let mut offsets = vec![0i32];
    let (mut vals, mut counts) = (Vec::new(), Vec::new());
    for r in rows {
        for (v, c) in r.iter() {
            vals.push(*v);
            counts.push(*c);
        }
        offsets.push(vals.len() as i32);
    }
    let entries = StructArray::new(fields.clone(), vec![strs(&vals), ints(&counts)], None);
    Arc::new(ListArray::new(
        Arc::new(Field::new("element", DataType::Struct(fields), true)),
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        Arc::new(entries),
        None,
    ))
}

#[test]
fn hand_written_class_file_gives_hand_checked_figures() {
    // Classes (x, NULL): 3 records, (y, 1): 1, and (x, NULL) again with 2 more: merged to 5.
    // The text "NULL" in a Parquet string column is the same value as a null, as in data.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.parquet");
    write_file(
        &p,
        vec![
            ("a", strs(&[Some("x"), Some("y"), Some("x")])),
            ("b", strs(&[None, Some("1"), Some("NULL")])),
            ("__reident_count", ints(&[3, 1, 2])),
            (
                "s",
                hist(&[
                    &[(Some("d1"), 2), (None, 1)],
                    &[(Some("d2"), 1)],
                    &[(Some("d1"), 2)],
                ]),
            ),
        ],
        None,
    );
    let t = read(&p, &["a", "b"], &["s"], None).unwrap();
    assert_eq!(t.counts, vec![5, 1]);
    assert_eq!(t.key_text(0), vec!["x", "NULL"]);
    assert_eq!(
        &*t.sensitive[0].domain.values,
        &["d1", "d2", "NULL"].map(String::from)
    );
    assert_eq!(t.sensitive[0].of(0), (&[0u32, 2][..], &[4u64, 1][..]));
    let v = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        p.to_str().unwrap(),
        "--qi",
        "a,b",
        "--sensitive",
        "s",
        "--json",
    ]);
    assert_eq!(v["classes"]["records"], 6);
    assert_eq!(v["classes"]["classes"], 2);
    assert_eq!(v["sample_uniques"]["records"], 1);
    assert_eq!(v["prosecutor"]["average"], 2.0 / 6.0);
    assert_eq!(v["sensitive"][0]["l_diversity"]["distinct"]["l"], 1);
}

#[test]
fn corrupt_class_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut case =
        |cols: Vec<(&str, ArrayRef)>, meta: Option<&str>, extra: &[&str], needles: &[&str]| {
            n += 1;
            let p = dir.path().join(format!("bad{n}.parquet"));
            write_file(&p, cols, meta);
            let mut args = vec!["analyze", "--classes", p.to_str().unwrap(), "--qi", "a"];
            args.extend(extra);
            fails_with(&args, needles);
        };
    let a = || strs(&[Some("x"), Some("y")]);
    case(
        vec![("a", a())],
        None,
        &[],
        &["not a class table", "__reident_count"],
    );
    case(
        vec![("a", a()), ("__reident_count", ints(&[2, 0]))],
        None,
        &[],
        &["is 0", "positive integers"],
    );
    case(
        vec![("a", a()), ("__reident_count", ints(&[-3, 1]))],
        None,
        &[],
        &["is -3"],
    );
    case(
        vec![
            ("a", a()),
            (
                "__reident_count",
                Arc::new(Int64Array::from(vec![Some(1), None])),
            ),
        ],
        None,
        &[],
        &["missing (null)"],
    );
    case(
        vec![
            ("a", a()),
            (
                "__reident_count",
                Arc::new(Float64Array::from(vec![1.0, 2.0])),
            ),
        ],
        None,
        &[],
        &["must be integers"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            ("s", hist(&[&[(Some("d"), 1)], &[(Some("d"), 1)]])),
        ],
        None,
        &["--sensitive", "s"],
        &["adds up to 1 records", "is 2"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            ("s", hist(&[&[(Some("d"), 2)], &[(Some("d"), 0)]])),
        ],
        None,
        &["--sensitive", "s"],
        &["count is 0"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            ("__reident_future", ints(&[1, 1])),
        ],
        None,
        &[],
        &["reserved prefix", "newer"],
    );
    case(
        vec![("a", a()), ("__reident_count", ints(&[2, 1]))],
        Some(r#"{"format": "reident class table", "version": 2, "quasi_identifiers": ["a"]}"#),
        &[],
        &["format version 2", "reads version 1"],
    );
    case(
        vec![("a", a()), ("__reident_count", ints(&[2, 1]))],
        Some(
            r#"{"format": "reident class table", "version": 1, "quasi_identifiers": ["a"], "records": 4}"#,
        ),
        &[],
        &["says 4 records", "hold 3"],
    );
    case(
        vec![("a", a()), ("__reident_count", ints(&[2, 1]))],
        Some(r#"{"format": "reident class table", "version": 1, "quasi_identifiers": ["a", "b"]}"#),
        &[],
        &["\"b\" is not a value column"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            ("s", hist(&[&[(Some("d"), 2)], &[(Some("d"), 1)]])),
        ],
        None,
        &["--qi", "s"],
        &["histogram", "not a quasi-identifier"],
    );
    case(
        vec![("a", a()), ("b", a()), ("__reident_count", ints(&[2, 1]))],
        None,
        &["--sensitive", "b"],
        &["not a histogram"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            (
                "__reident_weight_sum",
                Arc::new(Float64Array::from(vec![Some(1.0), None])),
            ),
        ],
        None,
        &["--weight", "w"],
        &["weight_sum is missing"],
    );
    case(
        vec![
            ("a", a()),
            ("__reident_count", ints(&[2, 1])),
            (
                "__reident_weight_sum",
                Arc::new(Float64Array::from(vec![1.0, -2.0])),
            ),
        ],
        None,
        &["--weight", "w"],
        &["-2, not a non-negative number"],
    );
    let empty = dir.path().join("empty.parquet");
    write_file(
        &empty,
        vec![("a", strs(&[])), ("__reident_count", ints(&[]))],
        None,
    );
    fails_with(
        &["analyze", "--classes", empty.to_str().unwrap(), "--qi", "a"],
        &["no records"],
    );
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "a;__reident_count\nx;1\n").unwrap();
    fails_with(
        &["analyze", "--classes", csv.to_str().unwrap(), "--qi", "a"],
        &["must be a Parquet file"],
    );
    let no_parts = dir.path().join("none");
    std::fs::create_dir(&no_parts).unwrap();
    fails_with(
        &[
            "analyze",
            "--classes",
            no_parts.to_str().unwrap(),
            "--qi",
            "a",
        ],
        &["holds no class-table file"],
    );
}

/// A report of a folder of class-table parts (as Spark writes them) hashes the parts: `gate`
/// with `--report` on such a folder works, and the report names the folder.
#[test]
fn gate_reports_on_a_folder_of_parts() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    let p1 = parts.join("part-0.parquet");
    let out = run_cli(&[
        "classes",
        adult("adult.parquet").to_str().unwrap(),
        "--qi",
        "sex,race",
        "-o",
        p1.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report = dir.path().join("rep");
    let out = run_cli(&[
        "gate",
        "--classes",
        parts.to_str().unwrap(),
        "--qi",
        "sex,race",
        "--k",
        "2",
        "--report",
        report.to_str().unwrap(),
        "--audit-log",
        dir.path().join("audit.log").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["dataset"]["file_name"], "parts");
    assert_eq!(r["dataset"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        r["dataset"]["bytes"].as_u64().unwrap(),
        std::fs::metadata(&p1).unwrap().len()
    );
    // verify re-runs it on the folder (it asked for a file): the hash over the parts, then
    // every figure again.
    let rep = report.join("report.json");
    let verify = |data: &Path| {
        run_cli(&[
            "verify",
            rep.to_str().unwrap(),
            data.to_str().unwrap(),
            "-q",
        ])
    };
    let out = verify(&parts);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("SHA-256 over its parts") && said.contains("VERIFIED (re-run on"),
        "{said}"
    );
    // A part added (the same classes twice: every class passes 2-anonymity still) or the one
    // part given alone is other data: the data hash fails and nothing is re-run.
    std::fs::copy(&p1, parts.join("part-1.parquet")).unwrap();
    for data in [parts.clone(), p1.clone()] {
        let out = verify(&data);
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(out.status.code(), Some(1), "{data:?}: {said}");
        assert!(
            said.contains("FAIL data hash") && said.contains("NOT VERIFIED"),
            "{said}"
        );
    }
}

/// Counts read from a class file are checked: a total that does not fit (it wrapped to a small
/// number, and `gate` passed) and a count that no table can hold are errors, and a u64 count
/// never becomes a class of size 0.
#[test]
fn class_file_counts_that_do_not_fit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let u64s = |v: &[u64]| -> ArrayRef { Arc::new(arrow_array::UInt64Array::from(v.to_vec())) };
    let a3 = || strs(&[Some("x"), Some("y"), Some("z")]);
    // 2^63 + 2^63 + 6 wraps to 6 records in 3 classes.
    let wrap = dir.path().join("wrap.parquet");
    write_file(
        &wrap,
        vec![
            ("a", a3()),
            ("__reident_count", u64s(&[1 << 63, 1 << 63, 6])),
        ],
        None,
    );
    let huge = dir.path().join("huge.parquet");
    write_file(
        &huge,
        vec![("a", a3()), ("__reident_count", u64s(&[u64::MAX, 3, 3]))],
        None,
    );
    // Many counts under the cap whose sum is over it.
    let many = dir.path().join("many.parquet");
    write_file(
        &many,
        vec![
            ("a", a3()),
            ("__reident_count", u64s(&[1 << 52, 1 << 52, 1 << 52])),
        ],
        None,
    );
    for p in [&wrap, &huge, &many] {
        fails_with(
            &[
                "gate",
                "--classes",
                p.to_str().unwrap(),
                "--qi",
                "a",
                "--k",
                "5",
                "--max-risk",
                "0.2",
            ],
            &["2^53"],
        );
        fails_with(
            &["suda", "--classes", p.to_str().unwrap(), "--qi", "a"],
            &["2^53"],
        );
    }
}
