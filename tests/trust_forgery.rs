//! Forged reports handed to `verify`, as an attacker would make them (reident's own code edits
//! the JSON, seals it again and renders report.md and report.html from it): each forgery fails
//! `verify` with status 1 and names the check; a report that points verify at a device, a FIFO
//! or a file outside the files given is refused at once, with nothing written.

mod trust;
use trust::*;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A gate report of the Adult subset under the shipped policy (5-anonymity and highest risk
/// 0.2, occupation sensitive with its hierarchy): it fails. Returns (data, folder).
fn failing_gate(dir: &Path) -> (PathBuf, PathBuf) {
    let data = subset(dir);
    let out = dir.join("rep");
    let o = run_in(
        dir,
        &[
            "gate",
            s(&data),
            "--policy",
            s(&adult("policy.json")),
            "--report",
            s(&out),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    (data, out)
}

/// verify REPORT DATA HIERARCHY, in `dir`.
fn verify_with_data(dir: &Path, folder: &Path, data: &Path) -> std::process::Output {
    run_in(
        dir,
        &[
            "verify",
            s(&folder.join("report.json")),
            s(data),
            s(&adult("hierarchy_occupation.csv")),
        ],
    )
}

#[test]
fn the_genuine_report_verifies_with_and_without_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rep) = failing_gate(dir.path());
    let o = verify_with_data(dir.path(), &rep, &data);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for line in [
        "ok   data hash:",
        "ok   hierarchy of occupation:",
        "ok   columns and roles:",
        "ok   records: 3016 again",
        "ok   disclosure k: 5 again",
        "ok   threshold: 5-anonymity: fails again",
        "ok   verdict: fail again",
        "ok   report.md matches the JSON: rendered again: identical",
        "ok   report.html matches the JSON: rendered again: identical",
        "ok   policy: policy.json: SHA-256",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("VERIFIED (re-run on"),
        "{out}"
    );
    // Alone, it says that only its integrity was checked.
    let o = run_in(dir.path(), &["verify", s(&rep.join("report.json"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o)
            .lines()
            .last()
            .unwrap()
            .contains("integrity only"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_flipped_verdict_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rep) = failing_gate(dir.path());
    let json = rep.join("report.json");
    // The top-level verdict alone: caught without the data.
    forge(&rep, |v| v["verdict"] = json!("pass"));
    let o = run_in(dir.path(), &["verify", s(&json)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(
        failures(&o),
        ["FAIL verdict of the thresholds: the report says \"pass\", its thresholds give \"fail\""]
    );
    let o = verify_with_data(dir.path(), &rep, &data);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o).iter().any(|l| l.starts_with("FAIL verdict:")),
        "{}",
        stdout(&o)
    );
    // The verdict and every threshold flipped: self-consistent, so the re-run catches it.
    forge(&rep, |v| {
        for t in v["thresholds"].as_array_mut().unwrap() {
            t["passed"] = json!(true);
        }
    });
    let o = run_in(dir.path(), &["verify", s(&json)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("integrity only"));
    let o = verify_with_data(dir.path(), &rep, &data);
    assert_eq!(o.status.code(), Some(1));
    let f = failures(&o);
    assert!(
        f.iter()
            .any(|l| l.starts_with("FAIL threshold: 5-anonymity: recorded PASS")),
        "{f:?}"
    );
    assert!(f.iter().any(|l| l.starts_with("FAIL verdict: ")), "{f:?}");
    assert!(stdout(&o)
        .lines()
        .last()
        .unwrap()
        .starts_with("NOT VERIFIED"));
}

#[test]
fn every_field_a_reader_relies_on_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rep) = failing_gate(dir.path());
    let original = std::fs::read(rep.join("report.json")).unwrap();
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 11] = [
        ("disclosure k", |v| v["disclosure_k"] = json!(2)),
        ("records", |v| v["dataset"]["records"] = json!(30_160)),
        ("columns and roles", |v| {
            v["dataset"]["columns"][0]["role"] = json!("insensitive")
        }),
        ("data name", |v| {
            v["dataset"]["file_name"] = json!("official.csv");
            v["dataset"]["path"] = json!("official.csv");
        }),
        ("hierarchy of occupation", |v| {
            v["hierarchies"][0]["sha256"] = json!("0".repeat(64))
        }),
        ("hierarchies", |v| v["hierarchies"] = json!([])),
        ("population", |v| v["population"]["size"] = json!(1_000_000)),
        ("tool", |v| v["tool"]["version"] = json!("9.9.9")),
        ("figures: analysis", |v| {
            v["figures"]["analysis"]["classes"]["classes"] = json!(1)
        }),
        ("threshold: 5-anonymity", |v| {
            v["thresholds"][0]["measured"] = json!(5.0)
        }),
        ("data format and size", |v| v["dataset"]["bytes"] = json!(1)),
    ];
    for (item, edit) in cases {
        std::fs::write(rep.join("report.json"), &original).unwrap();
        forge(&rep, edit);
        let o = verify_with_data(dir.path(), &rep, &data);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{item}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let f = failures(&o);
        assert!(
            f.iter().any(|l| l.starts_with(&format!("FAIL {item}"))),
            "{item}: {f:?}"
        );
    }
}

#[test]
fn a_weak_policy_under_the_official_name_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    let official = adult("policy.json");
    // A weak policy (2-anonymity) kept under the same file name in another folder.
    let weak_dir = dir.path().join("weak");
    std::fs::create_dir(&weak_dir).unwrap();
    let weak = weak_dir.join("policy.json");
    std::fs::write(
        &weak,
        r#"{"schema_version": 1, "quasi_identifiers": ["sex", "race"], "anonymization": {"k": 2}}"#,
    )
    .unwrap();
    let rep = dir.path().join("rep");
    let o = run_in(
        dir.path(),
        &["gate", s(&data), "--policy", s(&weak), "--report", s(&rep)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&official).unwrap();
    let hash = sha256_hex(text.as_bytes());
    // Recorded under the official policy's path and hash, its content kept.
    forge(&rep, |v| {
        v["policy"]["path"] = json!(official.display().to_string());
        v["policy"]["sha256"] = json!(hash);
    });
    let o = run_in(
        dir.path(),
        &["verify", s(&rep.join("report.json")), s(&data)],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let f = failures(&o);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("FAIL policy: the policy text recorded hashes to"),
        "{f:?}"
    );
    // Its content replaced by the official one but its text kept: caught too.
    forge(&rep, |v| {
        v["policy"]["content"] = serde_json::from_str(&text).unwrap();
    });
    let o = run_in(dir.path(), &["verify", s(&rep.join("report.json"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAIL policy:"), "{}", stdout(&o));
    // The official policy recorded whole (text, content, hash, path) over the weak run's
    // settings: the policy checks out, but the run did not apply it.
    forge(&rep, |v| {
        v["policy"]["text"] = json!(text);
    });
    let o = run_in(dir.path(), &["verify", s(&rep.join("report.json"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(
        failures(&o),
        ["FAIL policy settings: the run's options replace the policy's [hierarchies, metric, quasi_identifiers, sensitive, suppression_limit, targets], the report says []"]
    );
    // A genuine run under the official policy with a weaker k says so, in every format.
    let rep2 = dir.path().join("rep2");
    let o = run_in(
        dir.path(),
        &[
            "gate",
            s(&data),
            "--policy",
            s(&official),
            "--k",
            "2",
            "--qi",
            "sex",
            "--report",
            s(&rep2),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = std::fs::read_to_string(rep2.join("report.md")).unwrap();
    assert!(
        md.contains(
            "* replaced by the command line (not the policy's): quasi_identifiers, targets"
        ),
        "{md}"
    );
    let o = run_in(dir.path(), &["verify", s(&rep2.join("report.json"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // ... and cannot hide it.
    forge(&rep2, |v| v["policy"]["overridden"] = json!([]));
    let o = run_in(dir.path(), &["verify", s(&rep2.join("report.json"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        failures(&o)[0].starts_with("FAIL policy settings:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn edited_markdown_or_html_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rep) = failing_gate(dir.path());
    for (file, from, to) in [
        ("report.md", "| 5-anonymity | ", "| 2-anonymity | "),
        ("report.html", "FAIL", "PASS"),
    ] {
        let path = rep.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "{file}: {from:?} not found");
        std::fs::write(&path, &edited).unwrap();
        let o = run_in(dir.path(), &["verify", s(&rep.join("report.json"))]);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        let f = failures(&o);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].starts_with(&format!("FAIL {file} matches the JSON")),
            "{f:?}"
        );
        std::fs::write(&path, &text).unwrap();
    }
}

/// A report whose recorded options point the re-run at `population_table`.
fn recording_population(rep: &Path, population_table: &str) {
    forge(rep, |v| {
        v["run"]["options"]["population"]["spec"] =
            json!({"table": {"path": population_table, "count_column": "count"}});
    });
}

#[test]
fn devices_fifos_and_files_outside_are_refused_at_once_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    let rep = dir.path().join("rep");
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            s(&data),
            "--qi",
            "sex,race",
            "--report",
            s(&rep),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = rep.join("report.json");
    let original = std::fs::read(&json).unwrap();
    let fifo = rep.join("pop.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let outside = dir.path().join("secret.csv");
    std::fs::write(&outside, "sex;race;count\n").unwrap();
    std::os::unix::fs::symlink(&outside, rep.join("link.csv")).unwrap();
    // verify's private folder goes to TMPDIR: one of this test's own, to show it is removed.
    let tmp = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", s(tmp.path()))];
    for (recorded, says) in [
        (
            "/dev/zero",
            "neither among the files given nor beside the report",
        ),
        ("pop.csv", "not a regular file (a FIFO)"),
        ("link.csv", "a symbolic link beside the report"),
        (
            "/etc/passwd",
            "neither among the files given nor beside the report",
        ),
        (
            "../secret.csv",
            "neither among the files given nor beside the report",
        ),
        (
            outside.to_str().unwrap(),
            "neither among the files given nor beside the report",
        ),
    ] {
        std::fs::write(&json, &original).unwrap();
        recording_population(&rep, recorded);
        let before = listing(dir.path());
        let clock = Instant::now();
        let o = run_env(dir.path(), &["verify", s(&json), s(&data)], &env);
        let took = clock.elapsed();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{recorded}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(took < Duration::from_secs(1), "{recorded}: {took:?}");
        let err = stderr(&o);
        assert!(err.contains(says), "{recorded}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert_eq!(
            listing(dir.path()),
            before,
            "{recorded}: a file was written"
        );
    }
    assert!(listing(tmp.path()).is_empty(), "a private folder was left");
    // The data given as a device or a FIFO, and a FIFO as the report: refused.
    std::fs::write(&json, &original).unwrap();
    for args in [
        vec!["verify", s(&json), "/dev/zero"],
        vec!["verify", s(&json), s(&fifo)],
        vec!["verify", s(&fifo)],
        vec!["verify", "/dev/zero"],
    ] {
        let clock = Instant::now();
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(clock.elapsed() < Duration::from_secs(1));
        assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    }
    // The population table given on the command line is read (its private copy).
    let table = dir.path().join("counts.csv");
    std::fs::write(
        &table,
        "sex;race;count\nMale;White;50000\nFemale;White;40000\nMale;Black;9000\nFemale;Black;9000\nMale;Asian-Pac-Islander;3000\nFemale;Asian-Pac-Islander;3000\nMale;Amer-Indian-Eskimo;900\nFemale;Amer-Indian-Eskimo;900\nMale;Other;800\nFemale;Other;800\n",
    )
    .unwrap();
    let rep2 = dir.path().join("rep2");
    let o = run_in(
        dir.path(),
        &[
            "analyze",
            s(&data),
            "--qi",
            "sex,race",
            "--population-table",
            s(&table),
            "--report",
            s(&rep2),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let elsewhere = tempfile::tempdir().unwrap();
    let o = run_in(
        elsewhere.path(),
        &["verify", s(&rep2.join("report.json")), s(&data)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("population table"), "{}", stderr(&o));
    let o = run_in(
        elsewhere.path(),
        &["verify", s(&rep2.join("report.json")), s(&data), s(&table)],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn verify_works_from_another_folder_with_relative_paths() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset(dir.path());
    std::fs::copy(
        adult("hierarchy_occupation.csv"),
        dir.path().join("hierarchy_occupation.csv"),
    )
    .unwrap();
    // The run names everything relative to its working folder.
    let o = run_in(
        dir.path(),
        &[
            "gate",
            "adult_subset.csv",
            "--qi",
            "sex,race",
            "--sensitive",
            "occupation",
            "--hierarchies",
            ".",
            "--k",
            "2",
            "--report",
            "rep",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rep/report.json")).unwrap())
            .unwrap();
    assert_eq!(v["hierarchies"][0]["path"], "./hierarchy_occupation.csv");
    let elsewhere = tempfile::tempdir().unwrap();
    let o = run_in(
        elsewhere.path(),
        &[
            "verify",
            s(&dir.path().join("rep/report.json")),
            s(&data),
            s(&dir.path().join("hierarchy_occupation.csv")),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ok   hierarchy of occupation"));
    assert!(listing(elsewhere.path()).is_empty(), "verify wrote a file");
}
