//! Reports of the statistician's toolkit (local suppression, microaggregation, DIS-SUDA as
//! sdcMicro computes it, wildcard counting of missing values): each verifies against its data,
//! and each figure a forger changes (the report sealed again and rendered from the edited JSON)
//! fails `verify` on the re-run. The new methods refuse `--entity` with a message naming why.

mod trust;
use trust::*;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const FIVE: &str = "age,sex,race,marital-status,education";

/// Runs a reporting command in `dir` (its audit log there too) and returns the report folder.
fn report(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let folder = dir.join(name);
    let log = dir.join("audit.log");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--report", s(&folder), "--audit-log", s(&log), "-q"]);
    let o = run_in(dir, &all);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{name}: {}",
        stderr(&o)
    );
    assert!(folder.join("report.json").exists(), "{name}: no report");
    folder
}

fn verify(dir: &Path, folder: &Path, data: &Path) -> std::process::Output {
    run_in(dir, &["verify", s(&folder.join("report.json")), s(data)])
}

/// The genuine report verifies against `data`; after `edit` (a forger's change of one figure,
/// sealed again) the re-run fails on the figures of `section`.
fn genuine_then_forged(
    dir: &Path,
    folder: &Path,
    data: &Path,
    section: &str,
    edit: fn(&mut Value),
) {
    let o = verify(dir, folder, data);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(&format!("ok   figures: {section}: reproduced exactly")),
        "{}",
        stdout(&o)
    );
    let files = ["report.json", "report.md", "report.html"];
    let original: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(folder.join(f)).unwrap())
        .collect();
    forge(folder, edit);
    let o = verify(dir, folder, data);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let f = failures(&o);
    assert!(
        f.iter()
            .any(|l| l.starts_with(&format!("FAIL figures: {section}"))),
        "{f:?}"
    );
    // The untouched report still verifies (the failure was the edit's).
    for (f, bytes) in files.iter().zip(original) {
        std::fs::write(folder.join(f), bytes).unwrap();
    }
}

fn anonymization(v: &mut Value) -> &mut Value {
    &mut v["figures"]["anonymization"]
}

#[test]
fn local_suppression_report_verifies_and_a_changed_count_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    let out = dir.path().join("ls.csv");
    let rep = report(
        dir.path(),
        "ls",
        &[
            "anonymize",
            s(&data),
            "--qi",
            FIVE,
            "--no-generalization",
            "--local-suppression",
            "--k",
            "3",
            "--output",
            s(&out),
        ],
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(rep.join("report.json")).unwrap()).unwrap();
    let ls = &v["figures"]["anonymization"]["local_suppression"];
    assert_eq!(ls["k"], json!(3));
    assert!(ls["smallest_matched"].as_u64().unwrap() >= 3);
    genuine_then_forged(dir.path(), &rep, &data, "anonymization", |v| {
        let ls = &mut anonymization(v)["local_suppression"];
        let n = ls["qis"][0]["cells"].as_u64().unwrap();
        ls["qis"][0]["cells"] = json!(n - 1);
        let total = ls["cells"].as_u64().unwrap();
        ls["cells"] = json!(total - 1);
    });
    // The importance is a recorded parameter: a report claiming another passes no re-run.
    genuine_then_forged(dir.path(), &rep, &data, "anonymization", |v| {
        anonymization(v)["local_suppression"]["qis"][0]["importance"] = json!(1);
    });
}

#[test]
fn microaggregation_report_verifies_and_a_changed_loss_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    let out = dir.path().join("m.csv");
    let rep = report(
        dir.path(),
        "m",
        &[
            "anonymize",
            s(&data),
            "--qi",
            "age,sex",
            "--no-generalization",
            "--microaggregate",
            "age:3",
            "--k",
            "3",
            "--output",
            s(&out),
        ],
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(rep.join("report.json")).unwrap()).unwrap();
    let m = &v["figures"]["anonymization"]["microaggregation"];
    assert_eq!(m["k"], json!(3));
    assert!(m["method"].as_str().unwrap().contains("MDAV"));
    assert!(m["smallest_group"].as_u64().unwrap() >= 3);
    assert!(m["largest_group"].as_u64().unwrap() <= 5);
    genuine_then_forged(dir.path(), &rep, &data, "anonymization", |v| {
        let m = &mut anonymization(v)["microaggregation"];
        let x = m["sse_sst"].as_f64().unwrap();
        m["sse_sst"] = json!(x / 2.0);
    });
    genuine_then_forged(dir.path(), &rep, &data, "anonymization", |v| {
        anonymization(v)["microaggregation"]["smallest_group"] = json!(5);
    });
}

#[test]
fn dis_suda_report_names_its_method_and_a_changed_score_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    let rep = report(
        dir.path(),
        "s",
        &["suda", s(&data), "--qi", FIVE, "--dis-fraction", "0.05"],
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(rep.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        v["figures"]["suda"]["dis"],
        json!({"fraction": 0.05, "method": "sdcmicro"})
    );
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(md.contains("0.05"), "{md}");
    genuine_then_forged(dir.path(), &rep, &data, "suda", |v| {
        let r = &mut v["figures"]["suda"]["riskiest_records"][0];
        let x = r["dis_suda_score"].as_f64().unwrap();
        r["dis_suda_score"] = json!(x * 0.5);
    });
    // Another sampling fraction claimed, the scores kept: the re-run differs.
    genuine_then_forged(dir.path(), &rep, &data, "suda", |v| {
        v["figures"]["suda"]["dis"] = json!({"fraction": 0.01, "method": "sdcmicro"});
    });
}

#[test]
fn wildcard_analysis_and_gate_reports_verify_and_a_changed_count_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("blanks.csv");
    // Three records with a blank age: each matches every age of its other values.
    let mut text = String::from("age;sex;zip\n");
    for (age, sex, zip) in [
        ("30", "F", "1"),
        ("30", "F", "1"),
        ("*", "F", "1"),
        ("40", "M", "2"),
        ("*", "M", "2"),
        ("41", "M", "2"),
        ("*", "M", "2"),
        ("50", "F", "3"),
    ] {
        text.push_str(&format!("{age};{sex};{zip}\n"));
    }
    std::fs::write(&data, text).unwrap();
    let rep = report(
        dir.path(),
        "a",
        &[
            "analyze",
            s(&data),
            "--qi",
            "age,sex,zip",
            "--missing",
            "wildcard",
        ],
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(rep.join("report.json")).unwrap()).unwrap();
    let a = &v["figures"]["analysis"];
    assert_eq!(
        a["missing"],
        json!({"counting": "wildcard", "records_with_missing": 3})
    );
    // Hand count: 50/F/3 alone; 40/M/2 matches the two blanks (3); 30/F/1 and the blank (3).
    assert_eq!(a["classes"]["smallest"], json!(1));
    genuine_then_forged(dir.path(), &rep, &data, "analysis", |v| {
        v["figures"]["analysis"]["missing"]["records_with_missing"] = json!(0);
    });
    let g = report(
        dir.path(),
        "g",
        &[
            "gate",
            s(&data),
            "--qi",
            "age,sex,zip",
            "--missing",
            "wildcard",
            "--k",
            "2",
        ],
    );
    let v: Value = serde_json::from_slice(&std::fs::read(g.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["verdict"], json!("fail"));
    let o = verify(dir.path(), &g, &data);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The recorded counting changed to "one value": the re-run measures another table.
    forge(&g, |v| {
        v["run"]["options"]["settings"]["missing"] = json!("value");
    });
    let o = verify(dir.path(), &g, &data);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn the_new_methods_refuse_entity_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("v.csv");
    std::fs::write(&data, "pid;age;sex\nA;30;F\nA;31;F\nB;30;M\nC;*;F\n").unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["analyze", "--qi", "age,sex", "--missing", "wildcard"],
            "--missing wildcard with --entity",
        ),
        (
            &[
                "gate",
                "--qi",
                "age,sex",
                "--missing",
                "wildcard",
                "--k",
                "2",
            ],
            "--missing wildcard with --entity",
        ),
        (
            &[
                "anonymize",
                "--qi",
                "age,sex",
                "--no-generalization",
                "--local-suppression",
                "--k",
                "2",
            ],
            "--local-suppression and --microaggregate with --entity",
        ),
        (
            &[
                "anonymize",
                "--qi",
                "age,sex",
                "--no-generalization",
                "--microaggregate",
                "age:2",
                "--k",
                "2",
            ],
            "--local-suppression and --microaggregate with --entity",
        ),
        (
            &["suda", "--qi", "age,sex", "--dis-fraction", "0.1"],
            "suda with --entity",
        ),
    ];
    for (args, message) in cases {
        let mut all = args.to_vec();
        all.extend([s(&data), "--entity", "pid", "-q"]);
        let out = dir.path().join("out.csv");
        if args[0] == "anonymize" {
            all.extend(["--output", s(&out)]);
        }
        let o = run_in(dir.path(), &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        assert!(!out.exists(), "{args:?} wrote its output");
    }
}

/// A class table holds a missing value as a value of its own: `classes` refuses wildcard
/// counting rather than ignore it, and writes nothing.
#[test]
fn classes_refuses_wildcard_counting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("t.csv");
    std::fs::write(&data, "a;b\n1;x\n*;y\n").unwrap();
    let out = dir.path().join("c.parquet");
    let o = run_in(
        dir.path(),
        &[
            "classes",
            s(&data),
            "--qi",
            "a,b",
            "--missing",
            "wildcard",
            "-o",
            s(&out),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("classes with --missing wildcard"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}
