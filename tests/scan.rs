//! `scan` on the synthetic category table (one column per HIPAA Safe Harbor category) and on the
//! decoys (Adult's columns, measurements, free-text categories): every category column flagged
//! with the right category, no decoy flagged as an identifier; precision and recall printed.
//! Fixtures: tests/fixtures/scan/make_scan_fixtures.py.

mod common;
use common::*;

use reident::scan::{scan, ColumnScan, Level, Role, Rules, ScanOptions, ScanReport};
use reident::{Input, InputOptions};

/// The category table's columns: the category each must get and the role it implies.
const EXPECTED: [(&str, &str, Role); 29] = [
    ("patient_name", "names", Role::Identifying),
    ("contact_person", "names", Role::Identifying),
    ("street_address", "geographic", Role::Identifying),
    ("city", "geographic", Role::Qi),
    ("zip", "geographic", Role::Qi),
    ("admission_date", "dates", Role::Qi),
    ("discharge_date", "dates", Role::Qi),
    ("visit", "dates", Role::Qi),
    ("dob", "dates", Role::Qi),
    ("event_time", "dates", Role::Qi),
    ("age", "ages_over_89", Role::Qi),
    ("phone", "telephone", Role::Identifying),
    ("fax", "fax", Role::Identifying),
    ("email", "email", Role::Identifying),
    ("ssn", "ssn", Role::Identifying),
    ("mrn", "medical_record", Role::Identifying),
    ("health_plan_id", "health_plan", Role::Identifying),
    ("account_number", "account", Role::Identifying),
    ("drivers_license", "license", Role::Identifying),
    ("provider_npi", "license", Role::Identifying),
    ("vin", "vehicle", Role::Identifying),
    ("device_mac", "device", Role::Identifying),
    ("homepage", "url", Role::Identifying),
    ("ip_address", "ip_address", Role::Identifying),
    ("client_ip6", "ip_address", Role::Identifying),
    ("fingerprint_hash", "biometric", Role::Identifying),
    ("photo", "photo", Role::Identifying),
    ("user_token", "other_unique", Role::Identifying),
    ("record_code", "other_unique", Role::Identifying),
];

fn scan_file(path: &std::path::Path, sample: usize) -> ScanReport {
    let input = Input::open(path, &InputOptions::default()).expect("open");
    scan(
        &input,
        Rules::builtin(),
        &ScanOptions {
            sample_rows: sample,
        },
    )
    .expect("scan")
}

fn column<'a>(r: &'a ScanReport, name: &str) -> &'a ColumnScan {
    r.columns
        .iter()
        .find(|c| c.column == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Precision and recall of "flagged as a direct identifier" (suggested role identifying, at any
/// confidence) and of "flagged with the right category" over the category table and the decoys.
fn measure(cats: &ScanReport, decoys: &ScanReport) -> [(f64, f64); 2] {
    let mut id = (0u32, 0u32, 0u32); // true positives, false positives, false negatives
    let mut cat = (0u32, 0u32, 0u32);
    for (name, category, role) in EXPECTED {
        let c = column(cats, name);
        let flagged_id = c.suggested_role == Role::Identifying;
        match (role == Role::Identifying, flagged_id) {
            (true, true) => id.0 += 1,
            (false, true) => id.1 += 1,
            (true, false) => id.2 += 1,
            _ => {}
        }
        match c.category.as_deref() {
            Some(got) if got == category => cat.0 += 1,
            Some(_) => {
                cat.1 += 1;
                cat.2 += 1
            }
            None => cat.2 += 1,
        }
    }
    for c in &decoys.columns {
        if c.suggested_role == Role::Identifying {
            id.1 += 1;
        }
        // Adult's age is an age column, and Safe Harbor's rule for ages applies to it: its
        // expected category is ages_over_89 (a quasi-identifier), not "nothing".
        let expected = (c.column == "age").then_some("ages_over_89");
        match (c.category.as_deref(), expected) {
            (Some(got), Some(want)) if got == want => cat.0 += 1,
            (None, None) => {}
            (Some(_), None) => cat.1 += 1,
            (_, Some(_)) => cat.2 += 1,
        }
    }
    let pr = |(tp, fp, fn_): (u32, u32, u32)| {
        (
            tp as f64 / (tp + fp).max(1) as f64,
            tp as f64 / (tp + fn_).max(1) as f64,
        )
    };
    [pr(id), pr(cat)]
}

#[test]
fn every_category_flagged_right_and_no_decoy_identifying() {
    let decoys = scan_file(&fixture("scan/decoys.csv"), 10_000);
    for path in ["scan/categories.csv", "scan/categories.parquet"] {
        let cats = scan_file(&fixture(path), 10_000);
        assert_eq!(cats.columns.len(), EXPECTED.len());
        for (name, category, role) in EXPECTED {
            let c = column(&cats, name);
            assert_eq!(
                c.category.as_deref(),
                Some(category),
                "{path} {name}: {c:#?}"
            );
            assert_eq!(c.suggested_role, role, "{path} {name}");
            // Every category column is flagged at medium confidence or above, so safe-harbor acts.
            assert!(c.level >= Some(Level::Medium), "{path} {name}: {c:#?}");
        }
        let [(id_p, id_r), (cat_p, cat_r)] = measure(&cats, &decoys);
        println!(
            "{path}: direct identifiers precision {id_p:.3} recall {id_r:.3}; categories precision {cat_p:.3} recall {cat_r:.3} ({} category columns, {} decoys)",
            EXPECTED.len(),
            decoys.columns.len()
        );
        assert_eq!((id_p, id_r), (1.0, 1.0));
        assert_eq!((cat_p, cat_r), (1.0, 1.0));
    }
    for c in &decoys.columns {
        assert_ne!(c.suggested_role, Role::Identifying, "{c:#?}");
        if c.column != "age" {
            assert!(c.category.is_none(), "decoy {} flagged: {c:#?}", c.column);
        }
    }
    // The decoys' roles from the name hints.
    assert_eq!(column(&decoys, "sex").suggested_role, Role::Qi);
    assert_eq!(
        column(&decoys, "salary-class").suggested_role,
        Role::Sensitive
    );
    assert_eq!(column(&decoys, "comment").suggested_role, Role::Insensitive);
}

#[test]
fn hand_checked_evidence_on_the_fixture() {
    let r = scan_file(&fixture("scan/categories.csv"), 10_000);
    // 11 of 400 ages are null (every 37th row); 389 sampled non-null values.
    let age = column(&r, "age");
    assert_eq!((age.sampled, age.non_null), (400, 389));
    // The ages above 89, counted independently from the CSV.
    let text = std::fs::read_to_string(fixture("scan/categories.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let a = header.iter().position(|h| *h == "age").unwrap();
    let over = text
        .lines()
        .skip(1)
        .filter(|l| {
            l.split(';')
                .nth(a)
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v >= 90)
        })
        .count();
    let e = age
        .evidence
        .iter()
        .find(|e| e.rule == "age-over-89-values")
        .unwrap();
    assert_eq!(e.matched_share, Some(over as f64 / 389.0));
    assert!(e.fired);
    // ssn: name 0.7, dashed values 0.9 at 100%: 1 - 0.3 * 0.1.
    let ssn = column(&r, "ssn");
    assert!((ssn.confidence - 0.97).abs() < 1e-12);
    assert_eq!(ssn.distinct_share, 1.0);
    assert_eq!(ssn.length.as_ref().map(|l| (l.min, l.max)), Some((11, 11)));
}

#[test]
fn adult_has_no_direct_identifier() {
    let r = scan_file(&adult("adult.csv"), 100_000);
    assert_eq!(r.sample.rows_read, 30_162);
    assert!(r.summary.identifying.is_empty());
    // Adult holds 35 records aged 90: the age column is flagged for top-coding, as a QI.
    let age = column(&r, "age");
    assert_eq!(age.category.as_deref(), Some("ages_over_89"));
    assert_eq!(age.level, Some(Level::High));
    assert!(!age.safe_harbor_form);
    let e = age
        .evidence
        .iter()
        .find(|e| e.rule == "age-over-89-values")
        .unwrap();
    assert_eq!(e.matched_share, Some(35.0 / 30_162.0));
    for c in r.columns.iter().filter(|c| c.column != "age") {
        assert!(c.category.is_none(), "{c:#?}");
    }
}

#[test]
fn the_sample_is_bounded() {
    // categories.parquet has 4 row groups of 100 rows: 50 rows come from 4 of them.
    let r = scan_file(&fixture("scan/categories.parquet"), 50);
    assert_eq!(r.sample.rows_read, 50);
    assert!(
        r.sample.method.contains("4 of 4 row groups"),
        "{}",
        r.sample.method
    );
    assert_eq!(column(&r, "ssn").sampled, 50);
    let r = scan_file(&fixture("scan/categories.csv"), 50);
    assert_eq!(r.sample.rows_read, 50);
    assert_eq!(r.sample.method, "the first 50 rows");
    // A sample larger than the file reads it all.
    let r = scan_file(&fixture("scan/categories.parquet"), 1000);
    assert_eq!(r.sample.rows_read, 400);
    assert_eq!(r.sample.method, "all 400 rows");
}

#[test]
fn the_report_holds_no_values() {
    let out = run_cli(&["scan", "tests/fixtures/scan/categories.csv", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json = String::from_utf8(out.stdout).unwrap();
    let _: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let text = std::fs::read_to_string(fixture("scan/categories.csv")).unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1).take(50) {
        for v in line.split(';').filter(|v| v.len() >= 6) {
            assert!(!json.contains(v), "the report holds the value {v:?}");
            checked += 1;
        }
    }
    assert!(checked > 500);
    // The text report neither.
    let out = run_cli(&["scan", "tests/fixtures/scan/categories.csv"]);
    let table = String::from_utf8(out.stdout).unwrap();
    for line in text.lines().skip(1).take(50) {
        for v in line.split(';').filter(|v| v.len() >= 6) {
            assert!(!table.contains(v), "the table holds the value {v:?}");
        }
    }
}

#[test]
fn fail_on_identifying_gates_a_pipeline() {
    let flagged = run_cli(&[
        "scan",
        "tests/fixtures/scan/categories.csv",
        "--fail-on-identifying",
    ]);
    assert_eq!(flagged.status.code(), Some(1));
    let clean = run_cli(&[
        "scan",
        "tests/fixtures/scan/decoys.csv",
        "--fail-on-identifying",
    ]);
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn rules_can_be_extended_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nhs.csv");
    std::fs::write(&data, "nhs_number;x\n9434765919;1\n9434765870;2\n").unwrap();
    // Built-in: a 10-digit number column without a known name is nothing.
    let out = run_cli(&["scan", data.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["columns"][0]["category"].is_null());
    // A rules file with one more name rule.
    let mut rules: serde_json::Value = serde_json::from_str(reident::scan::BUILTIN_RULES).unwrap();
    rules["rules"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "nhs-number-column", "on": "name", "categories": ["other_unique"],
            "weight": 0.6, "pattern": "^(.*_)?nhs_(number|no)$",
            "description": "NHS number (England)"
        }));
    let file = dir.path().join("rules.json");
    std::fs::write(&file, rules.to_string()).unwrap();
    let out = run_cli(&[
        "scan",
        data.to_str().unwrap(),
        "--rules",
        file.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["columns"][0]["category"], "other_unique");
    assert_eq!(v["rules"], file.to_str().unwrap());
    // A broken rules file is one error line.
    std::fs::write(&file, "{\"schema_version\": 1}").unwrap();
    let out = run_cli(&[
        "scan",
        data.to_str().unwrap(),
        "--rules",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("reident: error: ") && err.contains("rules.json"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1);
}

#[test]
fn analyze_and_anonymize_warn_about_identifiers_they_read() {
    let out = run_cli(&[
        "analyze",
        "tests/fixtures/scan/categories.csv",
        "--qi",
        "ssn,age",
        "--sensitive",
        "email",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // The identifier warnings (the table's repeated names also draw the row-counting warning of
    // `--entity`, which tests/people.rs checks).
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("warning") && l.contains("looks like a direct identifier"))
        .collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        warnings[0].contains("\"ssn\" is used as a quasi-identifier"),
        "{err}"
    );
    assert!(warnings[0].contains("ssn, 164.514(b)(2)(i)(G)"), "{err}");
    assert!(
        warnings[1].contains("\"email\" is used as a sensitive attribute"),
        "{err}"
    );
    // No values in the warnings (the first SSN and e-mail of the file).
    assert!(!err.contains("314-27-1440") && !err.contains("@"), "{err}");
    // Age is a QI by nature: no warning. Identifying columns are not read: no warning.
    let out = run_cli(&[
        "analyze",
        "tests/fixtures/scan/categories.csv",
        "--qi",
        "age",
        "--identifying",
        "ssn",
    ]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("looks like a direct identifier"));
    let out = run_cli(&[
        "analyze",
        "tests/fixtures/scan/categories.csv",
        "--qi",
        "ssn",
        "--no-scan",
    ]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("looks like a direct identifier"));
    // anonymize copies insensitive columns to its output: those are read too.
    let dir = tempfile::tempdir().unwrap();
    let outp = dir.path().join("anon.csv");
    let out = run_cli(&[
        "anonymize",
        "tests/fixtures/scan/categories.csv",
        "--qi",
        "age",
        "--interval",
        "age:10,20",
        "--suppression-limit",
        "1",
        "--identifying",
        "patient_name",
        "-o",
        outp.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("\"ssn\" is used as an insensitive column (copied to the output)"),
        "{err}"
    );
    assert!(!err.contains("\"patient_name\""), "{err}");
}

/// The Faker table (tests/fixtures/scan/make_faker_fixture.py): identifiers from an independent
/// generator, in its own formats and column-name styles. Known miss: `isbn13` (unique product
/// codes) is flagged as "any other unique identifying number", a false positive kept visible here.
#[test]
fn faker_cross_check() {
    const EXPECTED: [(&str, &str, Role); 31] = [
        ("First Name", "names", Role::Identifying),
        ("LastName", "names", Role::Identifying),
        ("Full name", "names", Role::Identifying),
        ("Address", "geographic", Role::Identifying),
        ("City", "geographic", Role::Qi),
        ("County", "geographic", Role::Qi),
        ("ZIP", "geographic", Role::Qi),
        ("zipcode_plus4", "geographic", Role::Qi),
        ("DateOfBirth", "dates", Role::Qi),
        ("Admission Date", "dates", Role::Qi),
        ("last_seen", "dates", Role::Qi),
        ("PhoneNumber", "telephone", Role::Identifying),
        ("Fax", "fax", Role::Identifying),
        ("Email", "email", Role::Identifying),
        ("contact", "email", Role::Identifying),
        ("SSN", "ssn", Role::Identifying),
        ("credit_card_number", "account", Role::Identifying),
        ("IBAN", "account", Role::Identifying),
        ("bban_account", "account", Role::Identifying),
        ("license_plate", "vehicle", Role::Identifying),
        ("VIN", "vehicle", Role::Identifying),
        ("mac_address", "device", Role::Identifying),
        ("website", "url", Role::Identifying),
        ("uri", "url", Role::Identifying),
        ("ipv4", "ip_address", Role::Identifying),
        ("ipv6", "ip_address", Role::Identifying),
        ("uuid", "other_unique", Role::Identifying),
        ("username", "other_unique", Role::Identifying),
        // Placeholder image URLs without a file extension: a URL first of all.
        ("image_url", "url", Role::Identifying),
        ("sha256", "other_unique", Role::Identifying),
        ("passport_number", "license", Role::Identifying),
    ];
    let r = scan_file(&fixture("scan/faker.csv"), 10_000);
    let (mut id_tp, mut id_fp, mut id_fn, mut cat_tp, mut cat_fp, mut cat_fn) = (0, 0, 0, 0, 0, 0);
    let mut false_positives = Vec::new();
    for c in &r.columns {
        let expected = EXPECTED.iter().find(|(n, _, _)| *n == c.column);
        let flagged = c.suggested_role == Role::Identifying;
        match (expected.map(|e| e.2 == Role::Identifying), flagged) {
            (Some(true), true) => id_tp += 1,
            (Some(true), false) => id_fn += 1,
            (Some(false) | None, true) => {
                id_fp += 1;
                false_positives.push(c.column.as_str());
            }
            _ => {}
        }
        match (expected.map(|e| e.1), c.category.as_deref()) {
            (Some(want), Some(got)) if want == got => cat_tp += 1,
            (Some(_), Some(_)) => {
                cat_fp += 1;
                cat_fn += 1
            }
            (Some(_), None) => cat_fn += 1,
            (None, Some(_)) => cat_fp += 1,
            (None, None) => {}
        }
    }
    let p = |tp: u32, fp: u32| tp as f64 / (tp + fp) as f64;
    println!(
        "faker.csv ({} columns, {} decoys): direct identifiers precision {:.3} recall {:.3}; categories precision {:.3} recall {:.3}; false positives {false_positives:?}",
        r.columns.len(),
        r.columns.len() - EXPECTED.len(),
        p(id_tp, id_fp),
        p(id_tp, id_fn),
        p(cat_tp, cat_fp),
        p(cat_tp, cat_fn),
    );
    assert_eq!((id_tp, id_fp, id_fn), (24, 1, 0));
    assert_eq!((cat_tp, cat_fp, cat_fn), (31, 1, 0));
    assert_eq!(false_positives, ["isbn13"]);
}

#[test]
fn bad_input_is_one_line() {
    for (args, needle) in [
        (
            vec!["scan", "tests/fixtures/nosuch.parquet"],
            "nosuch.parquet",
        ),
        (vec!["scan", "tests/fixtures/empty.parquet"], "no records"),
        (vec!["scan", "tests/fixtures/truncated.parquet"], "Parquet"),
        (vec!["scan", "tests/fixtures/empty.csv"], "empty"),
        (vec!["scan", "tests/fixtures/bad_fields.csv"], "fields"),
        (
            vec![
                "scan",
                "tests/fixtures/scan/categories.csv",
                "--sample",
                "0",
            ],
            "--sample must be at least 1",
        ),
    ] {
        let out = run_cli(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("reident: error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("internal error"),
            "{err}"
        );
    }
}
