//! From a raw clinical export to a gated release (issue 14): the seven commands of the README's
//! "A HIPAA release in seven commands" on the shipped synthetic export (`datasets/clinic/`) and
//! on a second one made by the same script with another seed, other column names and the other
//! date form first (`tests/fixtures/clinic/clinic_alt.csv`): scan -> safe-harbor --pseudonymize
//! -> init -> anonymize --policy --report -> gate -> verify -> scan --fail-on-identifying.
//!
//! Checked independently of the engine: every value of the release against every raw name, SSN,
//! MRN, phone and date (read from the export with the csv crate), no cell that reads as a full
//! date, and k by people counted by brute force (each person's multiset of QI tuples).

mod common;
use common::*;

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The column names of one export.
struct Export {
    file: &'static str,
    mrn: &'static str,
    identifiers: [&'static str; 4],
    dates: [&'static str; 2],
    qis: [&'static str; 5],
}

const SHIPPED: Export = Export {
    file: "datasets/clinic/clinic.csv",
    mrn: "mrn",
    identifiers: ["patient_name", "ssn", "phone", "visit_id"],
    dates: ["dob", "admit_date"],
    qis: ["dob", "sex", "zip", "admit_date", "age"],
};

const SECOND: Export = Export {
    file: "tests/fixtures/clinic/clinic_alt.csv",
    mrn: "chart_number",
    identifiers: [
        "full_name",
        "social_security_number",
        "home_phone",
        "encounter_id",
    ],
    dates: ["birth_date", "admission_dt"],
    qis: [
        "birth_date",
        "gender",
        "postal_code",
        "admission_dt",
        "age_at_visit",
    ],
};

/// The export as the csv crate reads it: header and records.
fn raw(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn ok(out: &std::process::Output, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

fn seven_commands(e: &Export) {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let (sh, policy, release, report) = (
        p("sh.parquet"),
        p("policy.json"),
        p("release.parquet"),
        p("report"),
    );

    // 1. scan: the identifiers, and the dates of two source systems as dates (high confidence:
    // every value is a date in one form or the other).
    let out = run_cli(&["-q", "scan", e.file, "--json"]);
    ok(&out, "scan");
    let scan = json(&out);
    let identifying: Vec<&str> = scan["summary"]["identifying"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for c in e.identifiers.iter().chain([&e.mrn]) {
        assert!(identifying.contains(c), "{c} not flagged: {identifying:?}");
    }
    for d in e.dates {
        let c = scan["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == d)
            .unwrap();
        assert_eq!(c["category"], "dates", "{d}");
        assert_eq!(c["level"], "high", "{d}: {c}");
    }

    // 2. safe-harbor: identifiers dropped, the MRN pseudonymized and marked, dates to years.
    let out = run_cli(&[
        "-q",
        "safe-harbor",
        e.file,
        "--pseudonymize",
        e.mrn,
        "-o",
        &sh,
        "--reference-year",
        "2025",
        "--json",
    ]);
    ok(&out, "safe-harbor");
    let shr = json(&out);
    assert_eq!(shr["pseudonymized"], serde_json::json!([e.mrn]));
    for c in shr["columns"].as_array().unwrap() {
        let name = c["column"].as_str().unwrap();
        if e.dates.contains(&name) {
            assert_eq!(c["unrecognized"], 0, "{name}: every date read");
            assert_eq!(c["changed"], c["values"], "{name}");
        }
    }

    // 3. init: the pseudonymized MRN as the entity, the five QIs, a hierarchy each.
    let out = run_cli(&["-q", "init", &sh, "-o", &policy, "--json"]);
    ok(&out, "init");
    let pol: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&policy).unwrap()).unwrap();
    assert_eq!(pol["entity"], e.mrn);
    assert_eq!(pol["quasi_identifiers"], serde_json::json!(e.qis));
    assert_eq!(pol["anonymization"]["k"], 11);
    assert_eq!(pol["anonymization"]["suppression_limit"], 0.05);
    for q in e.qis {
        assert!(dir
            .path()
            .join(format!("hierarchies/hierarchy_{q}.csv"))
            .exists());
    }

    // 4. anonymize --policy --report.
    let out = run_cli(&[
        "-q",
        "anonymize",
        &sh,
        "--policy",
        &policy,
        "-o",
        &release,
        "--report",
        &report,
        "--json",
    ]);
    ok(&out, "anonymize");
    let an = json(&out);
    assert_eq!(an["optimal"], true);
    assert_eq!(an["people"]["entity"], e.mrn);

    // 5. gate, 6. verify, 7. scan --fail-on-identifying: all pass.
    ok(
        &run_cli(&["-q", "gate", &release, "--policy", &policy]),
        "gate",
    );
    // verify reads only the files it is given: the data and the policy's hierarchies.
    let mut verify = vec![
        "-q".to_string(),
        "verify".into(),
        format!("{report}/report.json"),
        sh.clone(),
    ];
    verify.extend(
        e.qis
            .iter()
            .map(|q| p(&format!("hierarchies/hierarchy_{q}.csv"))),
    );
    ok(
        &run_cli(&verify.iter().map(String::as_str).collect::<Vec<_>>()),
        "verify",
    );
    ok(
        &run_cli(&["-q", "scan", &release, "--fail-on-identifying"]),
        "scan --fail-on-identifying",
    );

    // The release holds no raw identifier or date, value by value.
    let (raw_header, raw_rows) = raw(&root().join(e.file));
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let mut forbidden: HashSet<&str> = HashSet::new();
    for name in e.identifiers.iter().chain([&e.mrn]).chain(&e.dates) {
        let c = col(&raw_header, name);
        forbidden.extend(raw_rows.iter().map(|r| r[c].as_str()));
    }
    let (header, rows) = read_all(Path::new(&release));
    for name in e.identifiers {
        assert!(!header.iter().any(|h| h == name), "{name} in the release");
    }
    let mut cells = 0;
    for row in &rows {
        for v in row {
            assert!(
                !forbidden.contains(v.as_str()),
                "a raw value is in the release"
            );
            assert!(
                reident::scan::dates::read(v, 2025).is_none(),
                "a date is in the release"
            );
            cells += 1;
        }
    }
    assert!(cells > 10_000);

    // k by people, brute force: each person's multiset of QI tuples, people per multiset.
    let entity = col(&header, e.mrn);
    let qi: Vec<usize> = e.qis.iter().map(|q| col(&header, q)).collect();
    let mut person: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
    for row in &rows {
        assert_eq!(row[entity].len(), 20, "a pseudonym");
        person
            .entry(row[entity].as_str())
            .or_default()
            .push(qi.iter().map(|&c| row[c].as_str()).collect());
    }
    let mut classes: HashMap<Vec<Vec<&str>>, u64> = HashMap::new();
    for (_, mut tuples) in person.clone() {
        tuples.sort();
        *classes.entry(tuples).or_default() += 1;
    }
    let smallest = classes.values().copied().min().unwrap();
    let raw_people: HashSet<&str> = raw_rows
        .iter()
        .map(|r| r[col(&raw_header, e.mrn)].as_str())
        .collect();
    println!(
        "{}: {} raw rows of {} people; release {} rows of {} people in {} classes, smallest {smallest}; loss {}",
        e.file,
        raw_rows.len(),
        raw_people.len(),
        rows.len(),
        person.len(),
        classes.len(),
        an["best"]["loss"]
    );
    assert!(smallest >= 11, "smallest class of people {smallest}");
    assert_eq!(an["best"]["smallest"], smallest);
    assert_eq!(an["best"]["classes"], classes.len() as u64);
    // Whole people suppressed, within the 5% limit.
    let suppressed = raw_people.len() - person.len();
    assert_eq!(an["best"]["suppressed"], suppressed as u64);
    assert!(suppressed as f64 <= 0.05 * raw_people.len() as f64);
}

#[test]
fn seven_commands_on_the_shipped_export() {
    seven_commands(&SHIPPED);
}

#[test]
fn seven_commands_on_a_second_export() {
    seven_commands(&SECOND);
}

/// Both exports are what the script beside the shipped one makes, byte for byte.
#[test]
fn the_exports_come_from_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let script = root().join("datasets/clinic/make_clinic.py");
    for (args, shipped) in [
        (vec![], SHIPPED.file),
        (
            vec![
                "--seed",
                "41",
                "--patients",
                "1500",
                "--names",
                "alt",
                "--us-first",
            ],
            SECOND.file,
        ),
    ] {
        let out = dir.path().join("x.csv");
        let status = std::process::Command::new("python3")
            .arg(&script)
            .args(&args)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("python3 runs the generator");
        assert!(status.status.success(), "{status:?}");
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(root().join(shipped)).unwrap(),
            "{shipped} differs from the script's output"
        );
    }
    // The second export starts with system B's dates (MM/DD/YYYY), the shipped one with ISO.
    let first = |f: &str| raw(&root().join(f)).1[0].clone();
    assert!(first(SHIPPED.file)[5].contains('-'));
    assert!(first(SECOND.file)[5].contains('/'));
}

/// `anonymize --auto-hierarchies`: every QI without a hierarchy gets one from its values (here
/// one QI has a file in the folder, the others none); the report lists the built ones and its
/// folder keeps them; verify re-runs it.
#[test]
fn automatic_hierarchies_inside_anonymize() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    ok(
        &run_cli(&[
            "-q",
            "safe-harbor",
            SHIPPED.file,
            "--pseudonymize",
            "mrn",
            "-o",
            &p("sh.parquet"),
            "--reference-year",
            "2025",
        ]),
        "safe-harbor",
    );
    std::fs::create_dir(p("h")).unwrap();
    std::fs::write(p("h/hierarchy_sex.csv"), "F;*\nM;*\n").unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec![
            "-q".to_string(),
            "anonymize".into(),
            p("sh.parquet"),
            "--qi".into(),
            SHIPPED.qis.join(","),
            "--entity".into(),
            "mrn".into(),
            "--k".into(),
            "11".into(),
            "--suppression-limit".into(),
            "0.05".into(),
            "--hierarchies".into(),
            p("h"),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    // Without --auto-hierarchies: the folder lacks a file, one error line.
    let a = args(&[]);
    let out = run_cli(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2));
    let a = args(&["--auto-hierarchies", "--report", &p("report"), "--json"]);
    let out = run_cli(&a.iter().map(String::as_str).collect::<Vec<_>>());
    ok(&out, "anonymize --auto-hierarchies");
    let v = json(&out);
    let built: Vec<&str> = v["built_hierarchies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["qi"].as_str().unwrap())
        .collect();
    assert_eq!(built, ["dob", "zip", "admit_date", "age"]);
    for b in v["built_hierarchies"].as_array().unwrap() {
        let f = dir
            .path()
            .join("report/hierarchies")
            .join(b["file"].as_str().unwrap());
        let bytes = std::fs::read(&f).unwrap();
        let sha: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect()
        };
        assert_eq!(b["sha256"], sha);
        // The folder kept is a hierarchy folder: it loads.
        reident::hierarchy::Hierarchy::load(&f).unwrap();
    }
    let report = std::fs::read_to_string(p("report/report.md")).unwrap();
    assert!(report.contains("hierarchies/hierarchy_age.csv"), "{report}");
    ok(
        &run_cli(&[
            "-q",
            "verify",
            &p("report/report.json"),
            &p("sh.parquet"),
            &p("h/hierarchy_sex.csv"),
        ]),
        "verify",
    );
}

/// The built hierarchies go into the report folder with the report, at once: an existing
/// folder is refused without --force (nothing changed), replaced with it (hierarchies and all),
/// and no temporary folder is left beside it.
#[test]
fn a_report_folder_keeps_its_built_hierarchies_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let (report, log) = (p("r/report"), p("audit.log"));
    let args = |extra: &[&str]| {
        let mut a = vec![
            "-q",
            "anonymize",
            SHIPPED.file,
            "--qi",
            "sex,age",
            "--k",
            "5",
            "--auto-hierarchies",
            "--report",
            &report,
            "--audit-log",
            &log,
        ];
        a.extend(extra);
        run_cli(&a)
    };
    ok(&args(&[]), "anonymize --report");
    let age = dir.path().join("r/report/hierarchies/hierarchy_age.csv");
    let first = std::fs::read(&age).unwrap();
    let json = std::fs::read(p("r/report/report.json")).unwrap();
    // Refused without --force: the folder as it was.
    let out = args(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(p("r/report/report.json")).unwrap(), json);
    // Replaced with --force, its hierarchies folder too.
    std::fs::write(&age, "edited;*\n").unwrap();
    ok(&args(&["--force"]), "anonymize --report --force");
    assert_eq!(std::fs::read(&age).unwrap(), first);
    assert_ne!(std::fs::read(p("r/report/report.json")).unwrap(), json);
    reident::hierarchy::Hierarchy::load(&age).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path().join("r"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report"], "nothing left beside the folder");
    ok(&run_cli(&["-q", "verify", &report, SHIPPED.file]), "verify");
}

#[test]
fn init_writes_nothing_over_a_file_and_needs_a_qi() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, "{}").unwrap();
    let out = run_cli(&["-q", "init", SHIPPED.file, "-o", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), "{}");
    assert!(!dir.path().join("hierarchies").exists());
    // A hierarchy file in the way: refused before anything is written.
    let other = dir.path().join("other.json");
    std::fs::create_dir(dir.path().join("hierarchies")).unwrap();
    std::fs::write(dir.path().join("hierarchies/hierarchy_age.csv"), "x;*\n").unwrap();
    let out = run_cli(&["-q", "init", SHIPPED.file, "-o", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!other.exists());
    // --force replaces both.
    let out = run_cli(&[
        "-q",
        "init",
        SHIPPED.file,
        "-o",
        other.to_str().unwrap(),
        "--force",
        "--k",
        "5",
    ]);
    ok(&out, "init --force");
    let pol: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&other).unwrap()).unwrap();
    assert_eq!(pol["anonymization"]["k"], 5);
    // On the raw export: the identifiers listed, the MRN (repeating) as the entity.
    assert_eq!(pol["entity"], "mrn");
    assert_eq!(
        pol["identifying"],
        serde_json::json!(["visit_id", "patient_name", "ssn", "phone"])
    );
    // No quasi-identifier: one error line.
    let bare = dir.path().join("bare.csv");
    std::fs::write(&bare, "x;y\n1;2\n3;4\n").unwrap();
    let out = run_cli(&[
        "-q",
        "init",
        bare.to_str().unwrap(),
        "-o",
        dir.path().join("p3.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no quasi-identifier"));
}
