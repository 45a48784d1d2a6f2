//! Reports, gate, verify and the audit log, through the command line as a pipeline uses them.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs reident in `dir` (so that the default `reports/` folder lands there).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run reident")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn policy() -> PathBuf {
    adult("policy.json")
}

/// `analyze --report DIR` on the shipped Adult Parquet, all 9 QIs, in `dir`.
fn adult_report(dir: &Path) -> PathBuf {
    let out = dir.join("rep");
    let o = run_in(
        dir,
        &[
            "analyze",
            s(&adult("adult.parquet")),
            "--qi",
            &ADULT_QI.join(","),
            "--report",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn report_json_validates_against_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("docs/report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut reports = vec![adult_report(dir.path()).join("report.json")];
    // An anonymization report (with a policy and hierarchies) and a gate report.
    let anon = dir.path().join("anon.parquet");
    let o = run_in(
        dir.path(),
        &[
            "anonymize",
            s(&adult("adult.parquet")),
            "--policy",
            s(&policy()),
            "-o",
            s(&anon),
            "--report",
            s(&dir.path().join("a")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    reports.push(dir.path().join("a/report.json"));
    let o = run_in(
        dir.path(),
        &[
            "gate",
            s(&anon),
            "--policy",
            s(&policy()),
            "--report",
            s(&dir.path().join("g")),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    reports.push(dir.path().join("g/report.json"));
    for r in &reports {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(r).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", r.display());
    }
    // The schema is not vacuous: a report missing a figure, or with a bad hash, is rejected.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reports[0]).unwrap()).unwrap();
    v["figures"]["analysis"]["prosecutor"]
        .as_object_mut()
        .unwrap()
        .remove("highest");
    assert!(!validator.is_valid(&v));
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reports[0]).unwrap()).unwrap();
    v["integrity"]["sha256"] = "xyz".into();
    assert!(!validator.is_valid(&v));
    // The golden figures are in the report.
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reports[0]).unwrap()).unwrap();
    assert_eq!(v["figures"]["analysis"]["classes"]["classes"], 19_502);
    assert_eq!(
        v["figures"]["analysis"]["prosecutor"]["average"].as_f64(),
        Some(0.6465751607983555)
    );
    assert_eq!(v["dataset"]["records"], 30_162);
    assert_eq!(v["verdict"], "not assessed");
    // All three formats were written, the HTML self-contained.
    let html = std::fs::read_to_string(dir.path().join("rep/report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("http://") || !html.contains("src=\"http"));
    let md = std::fs::read_to_string(dir.path().join("rep/report.md")).unwrap();
    assert!(md.contains("| equivalence classes | 19502 |"), "{md}");
}

#[test]
fn verify_accepts_a_report_and_rejects_one_character_edits() {
    let dir = tempfile::tempdir().unwrap();
    let rep = adult_report(dir.path()).join("report.json");
    let data = adult("adult.parquet");
    let ok = run_in(dir.path(), &["verify", s(&rep), s(&data)]);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("figures: analysis: reproduced exactly"));
    // One character of content changed: a digit of a figure.
    let text = std::fs::read_to_string(&rep).unwrap();
    let edited = text.replacen("\"classes\": 19502", "\"classes\": 19503", 1);
    assert_ne!(edited, text);
    std::fs::write(&rep, &edited).unwrap();
    let bad = run_in(dir.path(), &["verify", s(&rep)]);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    assert!(
        stdout(&bad).contains("FAIL report integrity"),
        "{}",
        stdout(&bad)
    );
    // A letter in a non-figure field (the user) is caught too.
    let edited = text.replacen("\"user\": \"", "\"user\": \"x", 1);
    std::fs::write(&rep, &edited).unwrap();
    assert_eq!(
        run_in(dir.path(), &["verify", s(&rep)]).status.code(),
        Some(1)
    );
    // Reformatting is not an edit: the content hash is over canonical JSON.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    std::fs::write(&rep, serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(
        run_in(dir.path(), &["verify", s(&rep)]).status.code(),
        Some(0)
    );
}

#[test]
fn verify_rejects_data_changed_by_one_value() {
    let dir = tempfile::tempdir().unwrap();
    // A CSV copy of Adult, the report made from it, then one value changed.
    let csv = dir.path().join("adult.csv");
    std::fs::copy(adult("adult.csv"), &csv).unwrap();
    let out = dir.path().join("r");
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            s(&csv),
            "--qi",
            &ADULT_QI.join(","),
            "--report",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rep = out.join("report.json");
    assert_eq!(
        run_in(dir.path(), &["verify", s(&rep), s(&csv)])
            .status
            .code(),
        Some(0)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    // The first record's age, 39 -> 38.
    let first = text.lines().nth(1).unwrap().to_string();
    assert!(first.starts_with("Male;39;"), "{first}");
    let changed = text.replacen(&first, &first.replacen(";39;", ";38;", 1), 1);
    std::fs::write(&csv, changed).unwrap();
    let bad = run_in(dir.path(), &["verify", s(&rep), s(&csv)]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("FAIL data hash"), "{}", stdout(&bad));
}

#[test]
fn gate_exit_statuses_and_the_shipped_policy_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let raw = adult("adult.parquet");
    // The raw sample misses 5-anonymity and the 0.2 risk bound: 1.
    let o = run_in(dir.path(), &["gate", s(&raw), "--policy", s(&policy())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("FAIL 5-anonymity (smallest class: 1)"),
        "{out}"
    );
    assert!(out.contains("FAIL highest prosecutor risk <= 0.2"), "{out}");
    // Anonymized with the same policy, it passes: 0.
    let anon = dir.path().join("anon.parquet");
    let o = run_in(
        dir.path(),
        &[
            "anonymize",
            s(&raw),
            "--policy",
            s(&policy()),
            "-o",
            s(&anon),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(
        dir.path(),
        &["gate", s(&anon), "--policy", s(&policy()), "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["thresholds"][0]["measured"], 5.0);
    // Starred suppression passes too (the starred records form one large class).
    let star = dir.path().join("star.csv");
    let o = run_in(
        dir.path(),
        &[
            "anonymize",
            s(&raw),
            "--policy",
            s(&policy()),
            "-o",
            s(&star),
            "--suppressed",
            "star",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(dir.path(), &["gate", s(&star), "--policy", s(&policy())]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // An error is 2: a missing file, and a policy without thresholds.
    let o = run_in(
        dir.path(),
        &[
            "gate",
            s(&dir.path().join("nope.parquet")),
            "--policy",
            s(&policy()),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let bare = dir.path().join("bare.json");
    std::fs::write(
        &bare,
        r#"{"schema_version": 1, "quasi_identifiers": ["sex", "age"]}"#,
    )
    .unwrap();
    let o = run_in(dir.path(), &["gate", s(&raw), "--policy", s(&bare)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to check"), "{}", stderr(&o));
    // Flags give thresholds too.
    let o = run_in(
        dir.path(),
        &["gate", s(&raw), "--policy", s(&bare), "--k", "2"],
    );
    assert_eq!(o.status.code(), Some(1));
    // Every gate run went to the default audit log, whose chain is intact.
    let log = dir.path().join("reports/audit.log");
    let lines = std::fs::read_to_string(&log).unwrap();
    assert_eq!(lines.lines().count(), 4, "{lines}");
    let o = run_in(dir.path(), &["verify", "--audit-log", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn an_audit_log_with_a_removed_line_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let raw = adult("adult.parquet");
    for k in ["2", "3", "5"] {
        let o = run_in(
            dir.path(),
            &[
                "gate",
                s(&raw),
                "--qi",
                "sex,race",
                "--k",
                k,
                "--audit-log",
                s(&log),
            ],
        );
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    }
    assert_eq!(
        run_in(dir.path(), &["verify", "--audit-log", s(&log)])
            .status
            .code(),
        Some(0)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    std::fs::write(&log, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let o = run_in(dir.path(), &["verify", "--audit-log", s(&log)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("FAIL audit log line 2"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_report_never_holds_values_of_small_classes_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    // Data built to have small classes with values found nowhere else: 3 classes of 1 to 3
    // records with rare values, and one class of 40 with common ones. Policy: k = 5.
    let mut csv = String::from("name;zip;age;diagnosis\n");
    for i in 0..40 {
        csv.push_str(&format!("p{i};10001;40;flu\n"));
    }
    csv.push_str("p40;ZIPRAREONE;AGERAREONE;DXRAREONE\n");
    csv.push_str("p41;ZIPRARETWO;AGERARETWO;DXRARETWO\np42;ZIPRARETWO;AGERARETWO;DXRARETWO\n");
    for i in 0..3 {
        csv.push_str(&format!("p{};ZIPRARE3;AGERARE3;DXRARE3\n", 43 + i));
    }
    let data = dir.path().join("small.csv");
    std::fs::write(&data, csv).unwrap();
    let pol = dir.path().join("policy.json");
    std::fs::write(
        &pol,
        r#"{"schema_version": 1, "quasi_identifiers": ["zip", "age"], "sensitive": ["diagnosis"],
            "identifying": ["name"], "anonymization": {"k": 5}}"#,
    )
    .unwrap();
    let rare = [
        "ZIPRAREONE",
        "AGERAREONE",
        "DXRAREONE",
        "ZIPRARETWO",
        "AGERARETWO",
        "DXRARETWO",
        "ZIPRARE3",
        "AGERARE3",
        "DXRARE3",
    ];
    let read_all = |d: &Path| -> String {
        ["report.json", "report.md", "report.html"]
            .iter()
            .map(|f| std::fs::read_to_string(d.join(f)).unwrap())
            .collect()
    };
    for cmd in ["analyze", "gate"] {
        let out = dir.path().join(format!("{cmd}-plain"));
        let o = run_in(
            dir.path(),
            &[cmd, s(&data), "--policy", s(&pol), "--report", s(&out)],
        );
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        let all = read_all(&out);
        for v in rare {
            assert!(!all.contains(v), "{cmd}: {v} leaked into the report");
        }
        // The common class's values may appear; the report says what it withholds.
        assert!(all.contains("smaller than 5"), "{cmd}");
    }
    // With --show-values the small classes are listed, and every format says so first.
    let out = dir.path().join("shown");
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            s(&data),
            "--policy",
            s(&pol),
            "--report",
            s(&out),
            "--show-values",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let all = read_all(&out);
    assert!(all.contains("ZIPRAREONE"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.lines().next().unwrap().contains("WARNING"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let body = html.split("<body>").nth(1).unwrap();
    assert!(
        body.trim_start().starts_with("<p class=\"notice\">WARNING"),
        "{body}"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["shows_values"], true);
    assert_eq!(v["figures"]["small_classes"]["classes"], 3);
    // The anonymization report's example values come from classes of at least k records.
    let hier = dir.path().join("h");
    std::fs::create_dir(&hier).unwrap();
    let mut hz = String::new();
    for z in ["10001", "ZIPRAREONE", "ZIPRARETWO", "ZIPRARE3"] {
        hz.push_str(&format!("{z};*\n"));
    }
    std::fs::write(hier.join("hierarchy_zip.csv"), hz).unwrap();
    let mut ha = String::new();
    for a in ["40", "AGERAREONE", "AGERARETWO", "AGERARE3"] {
        ha.push_str(&format!("{a};*\n"));
    }
    std::fs::write(hier.join("hierarchy_age.csv"), ha).unwrap();
    let out = dir.path().join("anon");
    let o = run_in(
        dir.path(),
        &[
            "anonymize",
            s(&data),
            "--policy",
            s(&pol),
            "--hierarchies",
            s(&hier),
            "--suppression-limit",
            "0.2",
            "--report",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let all = read_all(&out);
    for v in rare {
        assert!(!all.contains(v), "anonymize: {v} leaked into the report");
    }
}

#[test]
fn scan_and_safe_harbor_reports_validate_and_hold_no_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture("scan/categories.csv");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("docs/report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // Values of the first record, which the files must not contain.
    let text = std::fs::read_to_string(&data).unwrap();
    let first: Vec<&str> = text.lines().nth(1).unwrap().split(';').collect();
    let secrets = [first[11], first[13], first[14], first[15]]; // phone, email, SSN, MRN
    assert!(secrets.iter().all(|v| v.len() > 5), "{secrets:?}");
    for (cmd, out, extra) in [
        ("scan", "s", vec![]),
        ("safe-harbor", "h", vec!["-o", "released.csv"]),
    ] {
        let mut args = vec![cmd, s(&data), "--report", out];
        args.extend(extra);
        let o = run_in(dir.path(), &args);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        let rep = dir.path().join(out);
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(rep.join("report.json")).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{cmd}: {errors:?}");
        for f in ["report.json", "report.md", "report.html"] {
            let body = std::fs::read_to_string(rep.join(f)).unwrap();
            for secret in secrets {
                assert!(!body.contains(secret), "{cmd} {f}: {secret} leaked");
            }
        }
        let o = run_in(
            dir.path(),
            &["verify", s(&rep.join("report.json")), s(&data)],
        );
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stdout(&o));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("s/report.json")).unwrap()).unwrap();
    // The scan's verdict: direct identifiers are present.
    assert_eq!(v["verdict"], "fail");
    let md = std::fs::read_to_string(dir.path().join("h/report.md")).unwrap();
    assert!(md.contains("| ssn | drop | scan |"), "{md}");
}

#[test]
fn combos_and_suda_reports_validate_and_reproduce() {
    let dir = tempfile::tempdir().unwrap();
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("docs/report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let data = adult("adult_subset.csv");
    for (cmd, out) in [("combos", "c"), ("suda", "s")] {
        let o = run_in(
            dir.path(),
            &[cmd, s(&data), "--qi", &ADULT_QI.join(","), "--report", out],
        );
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        let rep = dir.path().join(out).join("report.json");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&rep).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{cmd}: {errors:?}");
        assert_eq!(v["kind"], cmd);
        let o = run_in(dir.path(), &["verify", s(&rep), s(&data)]);
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stdout(&o));
        assert!(stdout(&o).contains("reproduced exactly"), "{}", stdout(&o));
    }
}
