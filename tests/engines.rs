//! End to end with a real engine: the SQL of `reident sql` runs in DuckDB (through `python3` and
//! the `duckdb` package: `pip install -r tests/requirements.txt`), its class table goes to
//! `reident analyze --classes`, and every figure must equal `reident analyze` on the raw file.
//! The apply query of a transformation must give the release that `reident anonymize` writes.
//! (Spark runs the same queries in `scripts/spark_e2e.sh`: its start-up is too slow for CI.)

mod common;
use common::*;

use std::path::Path;

use serde_json::Value;

/// The report without the fields that must differ between the raw file and a class table:
/// the input's path, its column count and the class-table mark.
fn figures(mut v: Value) -> Value {
    let d = v["dataset"].as_object_mut().expect("dataset");
    d.remove("path");
    d.remove("columns");
    d.remove("class_table");
    v
}

/// Every figure equal: strings, booleans and integers exactly; other numbers to 1e-12
/// (relative), for sums whose order follows the order of the classes. Returns how many floats
/// differed at all, so that a caller can tell exact equality.
fn assert_same(a: &Value, b: &Value, at: &str) -> usize {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            assert_eq!(kx, ky, "keys differ at {at}");
            x.iter()
                .map(|(k, v)| assert_same(v, &y[k], &format!("{at}.{k}")))
                .sum()
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "lengths differ at {at}");
            x.iter()
                .zip(y)
                .enumerate()
                .map(|(i, (p, q))| assert_same(p, q, &format!("{at}[{i}]")))
                .sum()
        }
        (Value::Number(p), Value::Number(q)) if p.is_f64() || q.is_f64() => {
            let (p, q) = (p.as_f64().unwrap(), q.as_f64().unwrap());
            let tol = 1e-12 * p.abs().max(q.abs()).max(1.0);
            assert!((p - q).abs() <= tol, "{at}: {p} vs {q}");
            usize::from(p != q)
        }
        _ => {
            assert_eq!(a, b, "differ at {at}");
            0
        }
    }
}

/// `reident sql` for DuckDB, run on `data` (as view `t`), then `analyze --classes` against
/// `analyze` on the raw file, with the same extra arguments.
fn check_class_table(data: &Path, qi: &str, sensitive: Option<&str>, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("classes.parquet");
    let mut sql_args = vec!["sql", "--dialect", "duckdb", "--table", "t", "--qi", qi];
    let mut roles = vec!["--qi", qi];
    if let Some(s) = sensitive {
        sql_args.extend(["--sensitive", s]);
        roles.extend(["--sensitive", s]);
    }
    let weight: Vec<&str> = extra
        .windows(2)
        .filter(|w| w[0] == "--weight")
        .flat_map(|w| w.iter().copied())
        .collect();
    sql_args.extend(&weight);
    sql_args.extend(["--copy-to", classes.to_str().unwrap()]);
    duckdb(&cli_stdout(&sql_args), &[("t", data)]);
    let mut raw = vec!["--quiet", "analyze", data.to_str().unwrap()];
    raw.extend(&roles);
    raw.extend(extra);
    raw.push("--json");
    let mut cls = vec!["--quiet", "analyze", "--classes", classes.to_str().unwrap()];
    cls.extend(&roles);
    cls.extend(extra);
    cls.push("--json");
    let (a, b) = (cli_json(&raw), cli_json(&cls));
    assert_eq!(b["dataset"]["class_table"], Value::Bool(true));
    assert!(a["dataset"].get("class_table").is_none());
    let differing = assert_same(&figures(a), &figures(b), "report");
    eprintln!("{qi} / {sensitive:?} / {extra:?}: {differing} floats differ in the last digits");
}

const QI9: &str =
    "sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class";
const QI8: &str = "sex,age,race,marital-status,education,native-country,workclass,salary-class";

#[test]
fn duckdb_class_table_all_nine_qis() {
    check_class_table(
        &adult("adult.parquet"),
        QI9,
        None,
        &["--sampling-fraction", "0.1"],
    );
}

#[test]
fn duckdb_class_table_with_a_sensitive_column() {
    check_class_table(
        &adult("adult.parquet"),
        QI8,
        Some("occupation"),
        &["--hierarchies", "datasets/adult", "--population", "usa"],
    );
}

/// Two sensitive columns (the GROUPING SETS form), integer weights, and column names with
/// spaces, both kinds of quotes and hyphens.
#[test]
fn duckdb_grouping_sets_weights_and_awkward_names() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.parquet");
    let adult_file = adult("adult.parquet");
    duckdb(
        &format!(
            "COPY (SELECT sex AS \"se x\", age, race AS \"ra'ce\", \"marital-status\" AS \"marital \"\"status\"\"\", \
             education, occupation, \"salary-class\", (age % 5) + 1 AS w FROM a) TO '{}' (FORMAT PARQUET)",
            raw.display()
        ),
        &[("a", &adult_file)],
    );
    check_class_table(
        &raw,
        "se x,age,ra'ce,marital \"status\",education",
        Some("occupation,salary-class"),
        &["--weight", "w"],
    );
}

/// The ANSI dialect's histograms (ROW cast to a named row type, values as text) read the same.
#[test]
fn ansi_dialect_runs_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("ansi.parquet");
    let q = cli_stdout(&[
        "sql",
        "--dialect",
        "ansi",
        "--table",
        "t",
        "--qi",
        QI8,
        "--sensitive",
        "occupation",
    ]);
    let data = adult("adult.parquet");
    duckdb(
        &format!("COPY ({q}) TO '{}' (FORMAT PARQUET)", classes.display()),
        &[("t", &data)],
    );
    let a = cli_json(&[
        "--quiet",
        "analyze",
        data.to_str().unwrap(),
        "--qi",
        QI8,
        "--sensitive",
        "occupation",
        "--json",
    ]);
    let b = cli_json(&[
        "--quiet",
        "analyze",
        "--classes",
        classes.to_str().unwrap(),
        "--qi",
        QI8,
        "--sensitive",
        "occupation",
        "--json",
    ]);
    assert_same(&figures(a), &figures(b), "report");
}

/// The apply query of `anonymize`'s choice gives the same release: the same records in the same
/// classes (every figure of `analyze` on the two outputs equal).
fn check_apply(qi: &str, extra: &[&str], star: bool) {
    let dir = tempfile::tempdir().unwrap();
    let data = adult("adult.parquet");
    let ours = dir.path().join("anon.parquet");
    let theirs = dir.path().join("anon_sql.parquet");
    let report = dir.path().join("anon.json");
    let mut args = vec![
        "--quiet",
        "anonymize",
        data.to_str().unwrap(),
        "--qi",
        qi,
        "--hierarchies",
        "datasets/adult",
        "-o",
        ours.to_str().unwrap(),
        "--json",
    ];
    args.extend(extra);
    if star {
        args.extend(["--suppressed", "star"]);
    }
    let text = cli_stdout(&args);
    std::fs::write(&report, &text).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    assert!(
        r["best"]["suppressed"].as_u64().unwrap() > 0,
        "the case should suppress records"
    );
    let q = cli_stdout(&[
        "sql",
        "--dialect",
        "duckdb",
        "--table",
        "adult",
        "--transformation",
        report.to_str().unwrap(),
        "--hierarchies",
        "datasets/adult",
        "--copy-to",
        theirs.to_str().unwrap(),
    ]);
    duckdb(&q, &[("adult", &data)]);
    let analyze = |p: &Path| {
        figures(cli_json(&[
            "--quiet",
            "analyze",
            p.to_str().unwrap(),
            "--qi",
            qi,
            "--sensitive",
            "occupation",
            "--json",
        ]))
    };
    let (a, b) = (analyze(&ours), analyze(&theirs));
    assert_eq!(
        a["dataset"]["records"], r["records_written"],
        "anonymize's output and its report disagree"
    );
    assert_same(&a, &b, "release");
}

#[test]
fn apply_query_matches_anonymize_with_removal() {
    // Five QIs keep the search (distinct l-diversity with suppression) short in a debug build.
    check_apply(
        "sex,age,race,education,salary-class",
        &[
            "--k",
            "5",
            "--suppression-limit",
            "0.05",
            "--l-diversity",
            "occupation:distinct:4",
        ],
        false,
    );
}

#[test]
fn apply_query_matches_anonymize_with_stars() {
    check_apply(
        QI8,
        &[
            "--k",
            "10",
            "--suppression-limit",
            "0.1",
            "--preset",
            "risk-0.09",
        ],
        true,
    );
}

#[test]
fn apply_query_refuses_criteria_without_sql() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("anon.json");
    let text = cli_stdout(&[
        "--quiet",
        "anonymize",
        "datasets/adult/adult.parquet",
        "--qi",
        QI8,
        "--hierarchies",
        "datasets/adult",
        "--k",
        "2",
        "--t-closeness",
        "occupation:equal:0.5",
        "--json",
    ]);
    std::fs::write(&report, text).unwrap();
    let out = run_cli(&[
        "sql",
        "--dialect",
        "spark",
        "--table",
        "adult",
        "--transformation",
        report.to_str().unwrap(),
        "--hierarchies",
        "datasets/adult",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("0.5-closeness") && err.contains("no SQL form"),
        "{err}"
    );
}
