//! `safe-harbor`: the output re-scanned holds no direct identifier; ZIP3 and age edge values;
//! nulls, leading zeros, pseudonyms, idempotence, bad input.

mod common;
use common::*;

use std::path::Path;

use reident::progress::Progress;
use reident::safe_harbor::{
    safe_harbor, RestrictedZip3, SafeHarborOptions, SafeHarborReport, Source, Transformation,
};
use reident::scan::{scan, Role, Rules, ScanOptions};
use reident::{Input, InputOptions};

fn run(data: &Path, out: &Path, options: &SafeHarborOptions) -> reident::Result<SafeHarborReport> {
    let input = Input::open(data, &InputOptions::default())?;
    safe_harbor(&input, out, Rules::builtin(), options, &Progress::hidden())
}

fn opts() -> SafeHarborOptions {
    SafeHarborOptions {
        reference_year: 2025,
        ..Default::default()
    }
}

#[test]
fn output_rescanned_has_no_direct_identifier() {
    let dir = tempfile::tempdir().unwrap();
    for (src, ext) in [
        ("scan/categories.csv", "csv"),
        ("scan/categories.parquet", "parquet"),
    ] {
        let out = dir.path().join(format!("sh.{ext}"));
        let report = run(&fixture(src), &out, &opts()).unwrap();
        assert_eq!(report.records, 400);
        let input = Input::open(&out, &InputOptions::default()).unwrap();
        let rescan = scan(&input, Rules::builtin(), &ScanOptions::default()).unwrap();
        for c in &rescan.columns {
            assert_ne!(c.suggested_role, Role::Identifying, "{src}: {c:#?}");
            // What is left is either in Safe Harbor form or flagged for review (the city).
            if c.category.is_some() && c.column != "city" {
                assert!(c.safe_harbor_form, "{src}: {c:#?}");
            }
        }
        let kept: Vec<&str> = rescan.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(
            kept,
            [
                "city",
                "zip",
                "admission_date",
                "discharge_date",
                "visit",
                "dob",
                "event_time",
                "age"
            ]
        );
        // The city is left for the user, with a warning that names it and no value.
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("\"city\""));
        // Every column of the input is accounted for; dropped ones by the scan.
        assert_eq!(report.columns.len(), 29);
        let ssn = report.columns.iter().find(|c| c.column == "ssn").unwrap();
        assert_eq!(
            (ssn.transformation, ssn.source),
            (Transformation::Drop, Source::Scan)
        );
    }
}

#[test]
fn counts_match_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sh.csv");
    let report = run(&fixture("scan/categories.csv"), &out, &opts()).unwrap();
    let zips = column(&fixture("scan/categories.csv"), "zip");
    let restricted = [
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
        "879", "884", "890", "893",
    ];
    let expected_restricted = zips
        .iter()
        .filter(|z| restricted.iter().any(|r| z.starts_with(r)))
        .count() as u64;
    let nulls = zips.iter().filter(|z| *z == "NULL").count() as u64;
    let z = report.columns.iter().find(|c| c.column == "zip").unwrap();
    assert_eq!(z.transformation, Transformation::Zip3);
    assert_eq!(z.restricted, Some(expected_restricted));
    assert_eq!(z.nulls, nulls);
    assert_eq!(z.values + z.nulls, 400);
    assert_eq!(z.unrecognized, 0);
    assert!(expected_restricted > 20);
    // Each output ZIP is the first three digits of the input's, or 000 for the restricted ones.
    for (a, b) in zips.iter().zip(column(&out, "zip")) {
        let want = if a == "NULL" {
            "NULL".to_string()
        } else if restricted.contains(&&a[..3]) {
            "000".to_string()
        } else {
            a[..3].to_string()
        };
        assert_eq!(b, want, "{a}");
    }
    // Ages: those of 90 and over counted independently.
    let ages = column(&fixture("scan/categories.csv"), "age");
    let over = ages
        .iter()
        .filter(|a| a.parse::<u32>().is_ok_and(|v| v >= 90))
        .count() as u64;
    let a = report.columns.iter().find(|c| c.column == "age").unwrap();
    assert_eq!(a.top_coded, Some(over));
    assert_eq!(a.changed, over);
    for (x, y) in ages.iter().zip(column(&out, "age")) {
        match x.parse::<u32>() {
            Ok(v) if v >= 90 => assert_eq!(y, "90+"),
            _ => assert_eq!(&y, x),
        }
    }
    // Birth dates: born in 1935 or before (90 or more in 2025) become <=1935.
    let dob = column(&fixture("scan/categories.csv"), "dob");
    for (x, y) in dob.iter().zip(column(&out, "dob")) {
        let year: i32 = x[..4].parse().unwrap();
        let want = if year <= 1935 {
            "<=1935".to_string()
        } else {
            year.to_string()
        };
        assert_eq!(y, want);
    }
    // Dates in every format to their year.
    let us = column(&fixture("scan/categories.csv"), "discharge_date");
    for (x, y) in us.iter().zip(column(&out, "discharge_date")) {
        assert_eq!(&y, x.rsplit('/').next().unwrap());
    }
}

const EDGES: &str = "\
zip;age;visit_date;mrn;note
03601;89;2020-02-29;A1;keep me
03701;90;03/04/2019;A2;keep me
03601-1234;104;4.3.2019;A1;
94110;90+;;A3;x
3701;unknown;2019-13-45;;y
;;2021-06-01 10:00:00;A2;z
89301;0;1577836800;A4;z
";

fn edges(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("edges.csv");
    std::fs::write(&p, EDGES).unwrap();
    p
}

fn flags() -> SafeHarborOptions {
    SafeHarborOptions {
        zips: vec!["zip".into()],
        ages: vec!["age".into()],
        dates: vec!["visit_date".into()],
        pseudonymize: vec!["mrn".into()],
        use_scan: false,
        ..opts()
    }
}

#[test]
fn edge_values_from_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let csv = edges(dir.path());
    // The same table as Parquet (reident convert: zip stays text, leading zeros kept).
    let pq = dir.path().join("edges.parquet");
    let input = Input::open(&csv, &InputOptions::default()).unwrap();
    reident::convert::convert(&input, &pq, &Default::default(), &Progress::hidden()).unwrap();
    for (src, ext) in [(&csv, "csv"), (&pq, "parquet")] {
        let out = dir.path().join(format!("out-{ext}.{ext}"));
        let report = run(src, &out, &flags()).unwrap();
        assert_eq!(
            column(&out, "zip"),
            ["000", "037", "000", "941", "037", "NULL", "000"],
            "{ext}"
        );
        assert_eq!(
            column(&out, "age"),
            ["89", "90+", "90+", "90+", "unknown", "NULL", "0"],
            "{ext}"
        );
        assert_eq!(
            column(&out, "visit_date"),
            ["2020", "2019", "2019", "NULL", "2019-13-45", "2021", "2020"],
            "{ext}"
        );
        assert_eq!(
            column(&out, "note"),
            ["keep me", "keep me", "NULL", "x", "y", "z", "z"],
            "{ext}"
        );
        // Pseudonyms: one per distinct value, consistent within the run, none equal to a value.
        let mrn = column(&out, "mrn");
        assert_eq!(mrn[0], mrn[2]);
        assert_eq!(mrn[1], mrn[5]);
        assert_ne!(mrn[0], mrn[1]);
        assert_eq!(mrn[4], "NULL");
        for p in mrn.iter().filter(|p| *p != "NULL") {
            assert_eq!(p.len(), 20);
            assert!(!p.contains("A1") && !p.contains("A2"));
        }
        let zip = report.columns.iter().find(|c| c.column == "zip").unwrap();
        assert_eq!(
            (
                zip.values,
                zip.nulls,
                zip.changed,
                zip.restricted,
                zip.padded
            ),
            (6, 1, 6, Some(3), Some(1))
        );
        let age = report.columns.iter().find(|c| c.column == "age").unwrap();
        // 90 and 104 change; "90+" already is; "unknown" is left alone.
        assert_eq!(
            (age.changed, age.top_coded, age.unrecognized),
            (2, Some(2), 1)
        );
        let date = report
            .columns
            .iter()
            .find(|c| c.column == "visit_date")
            .unwrap();
        assert_eq!((date.changed, date.unrecognized, date.nulls), (5, 1, 1));
        // Unrecognized values are reported (counts, never the values).
        assert!(report
            .warnings
            .iter()
            .any(|w| w.contains("\"age\"") && w.contains("1 of 6")));
        assert!(report
            .warnings
            .iter()
            .any(|w| w.contains("\"visit_date\"") && !w.contains("2019-13-45")));
    }
    // The Parquet output keeps the ZIP3 column as text (it would otherwise be all integers).
    let out = dir.path().join("zip-only.parquet");
    let two = dir.path().join("two.csv");
    std::fs::write(&two, "zip;x\n94110;1\n10001;2\n").unwrap();
    run(
        &two,
        &out,
        &SafeHarborOptions {
            zips: vec!["zip".into()],
            use_scan: false,
            ..opts()
        },
    )
    .unwrap();
    let input = Input::open(&out, &InputOptions::default()).unwrap();
    let Input::Parquet(p) = &input else { panic!() };
    assert!(
        p.schema().field(0).data_type().to_string().contains("Utf8"),
        "{:?}",
        p.schema().field(0)
    );
}

#[test]
fn pseudonyms_change_between_runs_and_runs_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let csv = edges(dir.path());
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    run(&csv, &a, &flags()).unwrap();
    run(&csv, &b, &flags()).unwrap();
    assert_ne!(column(&a, "mrn")[0], column(&b, "mrn")[0]);
    // Running again on the output changes nothing but the pseudonyms (re-keyed).
    let c = dir.path().join("c.csv");
    let again = SafeHarborOptions {
        pseudonymize: vec![],
        ..flags()
    };
    let report = run(&a, &c, &again).unwrap();
    for col in &report.columns {
        assert_eq!(col.changed, 0, "{col:?}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
}

#[test]
fn restricted_list_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = edges(dir.path());
    let list = dir.path().join("zip3.csv");
    std::fs::write(&list, "zip3;population\n941;12000\n").unwrap();
    let out = dir.path().join("o.csv");
    let options = SafeHarborOptions {
        restricted_zip3: RestrictedZip3::load(&list).unwrap(),
        ..flags()
    };
    run(&csv, &out, &options).unwrap();
    assert_eq!(
        column(&out, "zip"),
        ["036", "037", "036", "000", "037", "NULL", "893"]
    );
}

#[test]
fn bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let csv = edges(dir.path());
    let out = dir.path().join("o.csv");
    let err = run(
        &csv,
        &out,
        &SafeHarborOptions {
            drop: vec!["nosuch".into()],
            ..opts()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown column \"nosuch\""), "{err}");
    let err = run(&csv, &csv, &opts()).unwrap_err().to_string();
    assert!(err.contains("overwrite the input"), "{err}");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), EDGES);
    let err = run(
        &csv,
        &out,
        &SafeHarborOptions {
            drop: vec!["zip".into()],
            zips: vec!["zip".into()],
            ..opts()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("both --drop and --zips"), "{err}");
    assert!(!out.exists());
    // From the command line: one line, status 2, no output file.
    for (args, needle) in [
        (
            vec![
                "safe-harbor",
                csv.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--ages",
                "agee",
            ],
            "unknown column \"agee\"",
        ),
        (
            vec![
                "safe-harbor",
                csv.to_str().unwrap(),
                "-o",
                csv.to_str().unwrap(),
            ],
            "overwrite the input",
        ),
        (
            vec!["safe-harbor", csv.to_str().unwrap(), "-o", "out.xlsx"],
            "output format",
        ),
        (
            vec![
                "safe-harbor",
                "tests/fixtures/empty.csv",
                "-o",
                out.to_str().unwrap(),
            ],
            "empty",
        ),
    ] {
        let o = run_cli(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!out.exists());
    }
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), EDGES);
}

#[test]
fn cli_json_report_lists_every_transformation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.parquet");
    let o = run_cli(&[
        "safe-harbor",
        "tests/fixtures/scan/categories.csv",
        "-o",
        out.to_str().unwrap(),
        "--pseudonymize",
        "mrn",
        "--reference-year",
        "2025",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cols = v["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 29);
    let mrn = cols.iter().find(|c| c["column"] == "mrn").unwrap();
    assert_eq!(mrn["transformation"], "pseudonymize");
    assert_eq!(mrn["source"], "flag");
    // With a flag, the scan still handles the other columns.
    let ssn = cols.iter().find(|c| c["column"] == "ssn").unwrap();
    assert_eq!(ssn["transformation"], "drop");
    assert_eq!(ssn["source"], "scan");
    assert_eq!(v["reference_year"], 2025);
    assert_eq!(v["restricted_zip3"]["codes"].as_array().unwrap().len(), 17);
    assert_eq!(v["columns_written"], 9);
    // The key is never in the report.
    assert!(!String::from_utf8_lossy(&o.stdout)
        .to_lowercase()
        .contains("key\":"));
}
