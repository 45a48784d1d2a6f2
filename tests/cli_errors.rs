//! Bad input gets one line on stderr that names the problem, and exit status 2; never a panic.

mod common;
use common::*;

fn fails_with(args: &[&str], needles: &[&str]) {
    let out = run_cli(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    assert!(err.starts_with("reident: error: "), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
    }
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{args:?}: wrote to stdout");
}

#[test]
fn unknown_column_lists_the_available_ones() {
    fails_with(
        &[
            "analyze",
            "datasets/adult/adult.parquet",
            "--qi",
            "age,zipcode",
        ],
        &["unknown column \"zipcode\"", "\"sex\"", "\"salary-class\""],
    );
}

#[test]
fn truncated_parquet() {
    fails_with(
        &[
            "analyze",
            "tests/fixtures/truncated.parquet",
            "--qi",
            "city",
        ],
        &["truncated.parquet", "Parquet"],
    );
}

#[test]
fn corrupt_parquet_pages() {
    // Overwrite bytes in the middle of the data pages: the footer still parses.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("corrupt.parquet");
    let mut bytes = std::fs::read(fixture("types_pyarrow.parquet")).unwrap();
    let n = bytes.len();
    for b in &mut bytes[200..n / 2] {
        *b = 0xAB;
    }
    std::fs::write(&p, bytes).unwrap();
    let cols = "city,name,tag,age,code,small,score,flag,birth,visit,stamp,bin";
    fails_with(
        &["analyze", p.to_str().unwrap(), "--qi", cols],
        &["corrupt.parquet"],
    );
}

#[test]
fn not_parquet_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fake.parquet");
    std::fs::write(&p, "hello;world\n1;2\n").unwrap();
    fails_with(
        &["analyze", p.to_str().unwrap(), "--qi", "hello"],
        &["fake.parquet", "PAR1"],
    );
}

#[test]
fn csv_row_with_wrong_number_of_fields() {
    fails_with(
        &["analyze", "tests/fixtures/bad_fields.csv", "--qi", "a"],
        &["bad_fields.csv", "line 4", "4 fields", "header has 3"],
    );
}

#[test]
fn empty_tables() {
    fails_with(
        &["analyze", "tests/fixtures/empty.csv", "--qi", "a"],
        &["empty.csv", "no records"],
    );
    fails_with(
        &["analyze", "tests/fixtures/empty.parquet", "--qi", "a"],
        &["empty.parquet", "no records"],
    );
}

#[test]
fn empty_file_has_no_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nothing.csv");
    std::fs::write(&p, "").unwrap();
    fails_with(
        &["analyze", p.to_str().unwrap(), "--qi", "a"],
        &["nothing.csv", "no header"],
    );
}

#[test]
fn no_quasi_identifiers() {
    fails_with(
        &["analyze", "datasets/adult/adult.parquet"],
        &["no quasi-identifiers"],
    );
}

#[test]
fn missing_file() {
    fails_with(
        &["analyze", "no/such/file.parquet", "--qi", "a"],
        &["no/such/file.parquet"],
    );
}

#[test]
fn a_column_with_two_roles() {
    fails_with(
        &[
            "analyze",
            "datasets/adult/adult.parquet",
            "--qi",
            "age,sex",
            "--sensitive",
            "sex",
        ],
        &["\"sex\"", "quasi-identifier", "sensitive"],
    );
}

#[test]
fn policy_with_unknown_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.json");
    std::fs::write(&p, r#"{"schema_version": 1, "quasi_identifers": ["age"]}"#).unwrap();
    fails_with(
        &[
            "analyze",
            "datasets/adult/adult.parquet",
            "--policy",
            p.to_str().unwrap(),
        ],
        &["policy.json", "unknown field `quasi_identifers`"],
    );
}

#[test]
fn policy_file_gives_roles() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.json");
    std::fs::write(
        &p,
        r#"{"schema_version": 1, "quasi_identifiers": ["sex", "age"], "sensitive": ["occupation"], "identifying": ["native-country"]}"#,
    )
    .unwrap();
    let v = cli_json(&[
        "analyze",
        "datasets/adult/adult.parquet",
        "--policy",
        p.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        v["roles"]["quasi_identifiers"],
        serde_json::json!(["sex", "age"])
    );
    assert_eq!(
        v["roles"]["identifying"],
        serde_json::json!(["native-country"])
    );
    assert_eq!(v["roles"]["sensitive"], serde_json::json!(["occupation"]));
    assert_eq!(v["roles"]["insensitive"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_delimiter_argument() {
    let out = run_cli(&[
        "analyze",
        "datasets/adult/adult.csv",
        "--qi",
        "age",
        "--delimiter",
        "ab",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parquet_crate_panics_are_corrupt_file_errors() {
    // A footer whose column chunk has a negative start: the parquet crate panics on it.
    fails_with(
        &[
            "analyze",
            "tests/fuzz_regressions/parquet/footer_negative_column_start.parquet",
            "--qi",
            "a,b,c",
        ],
        &[
            "footer_negative_column_start.parquet",
            "corrupt Parquet file",
        ],
    );
}

#[test]
fn time_limits_that_are_not_durations_are_refused() {
    for t in ["inf", "NaN", "1e300"] {
        fails_with(
            &[
                "anonymize",
                "datasets/adult/adult.csv",
                "--qi",
                "sex,age",
                "--k",
                "5",
                "--heuristic",
                "--time-limit",
                t,
            ],
            &[&format!("--time-limit {t}: "), "seconds"],
        );
    }
}

#[test]
fn nan_is_refused_by_every_risk_threshold() {
    for (flag, what) in [
        ("--max-risk", "highest risk"),
        ("--max-average-risk", "average risk"),
        ("--max-population-uniqueness", "population uniqueness"),
    ] {
        fails_with(
            &[
                "gate",
                "datasets/adult/adult.csv",
                "--qi",
                "sex,age",
                "--sampling-fraction",
                "0.1",
                flag,
                "NaN",
            ],
            &[what, "NaN"],
        );
    }
}

#[test]
fn weak_messages_name_the_likely_cause() {
    let dir = tempfile::tempdir().unwrap();
    // A ';' file read with ',' as the delimiter: one column holding the whole header.
    let semi = dir.path().join("semi.csv");
    std::fs::write(&semi, "sex;age\nm;3\nf;4\n").unwrap();
    fails_with(
        &[
            "analyze",
            semi.to_str().unwrap(),
            "--delimiter",
            ",",
            "--qi",
            "sex",
        ],
        &[
            "unknown column \"sex\"",
            "delimiter is probably ';'",
            "--delimiter",
        ],
    );
    // An empty QI name.
    fails_with(
        &["analyze", "datasets/adult/adult.csv", "--qi", ""],
        &["empty column name"],
    );
    fails_with(
        &["analyze", "datasets/adult/adult.csv", "--qi", "sex,,age"],
        &["empty column name"],
    );
    // k larger than the table.
    fails_with(
        &[
            "anonymize",
            semi.to_str().unwrap(),
            "--qi",
            "sex",
            "--suppress",
            "sex",
            "--k",
            "5",
        ],
        &["k = 5 is larger than the 2 records", "lower --k"],
    );
    // The hierarchy file looked for.
    fails_with(
        &[
            "anonymize",
            "datasets/adult/adult.csv",
            "--qi",
            "sex",
            "--hierarchies",
            dir.path().to_str().unwrap(),
        ],
        &["looked for", "hierarchy_sex.csv", "does not exist"],
    );
    // --threads capped.
    fails_with(
        &[
            "--threads",
            "100000",
            "analyze",
            "datasets/adult/adult.csv",
            "--qi",
            "sex",
        ],
        &["--threads 100000: at most"],
    );
}

#[test]
fn parquet_duplicate_column_names_are_refused_like_csv() {
    // pyarrow writes a schema with the name twice; reident used the first column.
    let p = fixture("duplicate_columns.parquet");
    fails_with(
        &["analyze", p.to_str().unwrap(), "--qi", "a"],
        &["column \"a\" appears twice"],
    );
}

#[test]
fn work_past_the_budget_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wide.csv");
    let names: Vec<String> = (0..40).map(|i| format!("q{i}")).collect();
    let mut text = names.join(";") + "\n";
    for r in 0..50 {
        let row: Vec<String> = (0..40).map(|c| ((r * 7 + c * 3) % 3).to_string()).collect();
        text.push_str(&(row.join(";") + "\n"));
    }
    std::fs::write(&p, text).unwrap();
    let all = names.join(",");
    let thirty = names[..30].join(",");
    let path = p.to_str().unwrap();
    // combos on 40 QIs up to size 40 ran until killed at 14 GB.
    fails_with(
        &["combos", path, "--qi", &all, "--max-size", "40"],
        &["estimated at", "subsets of 40", "--max-work", "--max-size"],
    );
    // suda on 30 QIs gave no result in 120 s.
    fails_with(
        &["suda", path, "--qi", &thirty],
        &["estimated at", "subsets of 30", "--max-work"],
    );
    // A budget given is used: a small one refuses even a small run, and names itself.
    fails_with(
        &["combos", path, "--qi", "q1,q2", "--max-work", "10"],
        &["past the budget of 1e1", "--max-work"],
    );
    // anonymize: each hierarchy it builds (3 values x 2 levels, 6,000 units) passes a budget of
    // 1e4, the search (16 lattice nodes x (classes + 1000)) does not.
    fails_with(
        &[
            "anonymize",
            path,
            "--qi",
            "q1,q2,q3,q4",
            "--suppress",
            "q1",
            "--suppress",
            "q2",
            "--suppress",
            "q3",
            "--suppress",
            "q4",
            "--max-work",
            "1e4",
        ],
        &["16 lattice nodes", "--max-work"],
    );
}

#[test]
fn a_long_quoted_field_in_a_one_column_file_is_read_in_linear_time() {
    // Found by the csv fuzz target: the quotes of the whole field were counted again after each
    // of its lines (quadratic: a 171 KB file took over 10 s). 200,000 lines here: a hang before,
    // a fraction of a second now; the bound only tells a hang from a result.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("quoted.csv");
    std::fs::write(&p, format!("v\n\"{}\"\nb\n", "x\n".repeat(200_000))).unwrap();
    let started = std::time::Instant::now();
    let out = run_cli(&["analyze", p.to_str().unwrap(), "--qi", "v", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["classes"]["records"], 2);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn building_a_hierarchy_past_the_budget_is_refused_before_it_starts() {
    // The interval, mask and date builders made one label per distinct value and level with no
    // estimate: 50,000 values x 2,002 levels is 10^8 strings (about 5 GB) before anything was
    // written. Each built cell counts 1,000 units against --max-work (default 1e11: 10^8 cells).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.csv");
    let mut text = String::from("v;d\n");
    for i in 0..50_000 {
        text.push_str(&format!("{i};2020-01-{:02}\n", i % 28 + 1));
    }
    std::fs::write(&p, text).unwrap();
    let path = p.to_str().unwrap();
    let out = dir.path().join("h.csv");
    let out_s = out.to_str().unwrap();
    let widths: Vec<String> = (1..=2000).map(|w| w.to_string()).collect();
    let widths = widths.join(",");
    fails_with(
        &[
            "hierarchy",
            path,
            "--column",
            "v",
            "--interval",
            &widths,
            "-o",
            out_s,
        ],
        &[
            "estimated at 1.00e11",
            "50000 distinct values x 2002 levels",
            "about 5.0 GB",
            "--max-work",
        ],
    );
    assert!(!out.exists());
    // The same refusal where anonymize builds a hierarchy from --interval.
    fails_with(
        &[
            "anonymize",
            path,
            "--qi",
            "v",
            "--interval",
            &format!("v:{widths}"),
            "-o",
            out_s,
        ],
        &["building the hierarchy of \"v\"", "--max-work"],
    );
    // A budget given is used, for every builder: 28 dates x 3 levels (84,000 units) pass a
    // budget of 1e5 and not one of 8e4.
    for (flag, spec) in [("--date", "year"), ("--mask", "1"), ("--interval", "5")] {
        fails_with(
            &[
                "hierarchy",
                path,
                "--column",
                "d",
                flag,
                spec,
                "-o",
                out_s,
                "--max-work",
                "8e4",
            ],
            &[
                "28 distinct values x 3 levels",
                "past the budget of 8e4",
                "--max-work",
            ],
        );
    }
    let ok = run_cli(&[
        "hierarchy",
        path,
        "--column",
        "d",
        "--date",
        "year",
        "-o",
        out_s,
        "--max-work",
        "1e5",
    ]);
    assert!(ok.status.success(), "{ok:?}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 28);
    assert!(
        written.lines().all(|l| l.split(';').count() == 3),
        "{written}"
    );
}
