//! The library API alone (no CLI): analyze, anonymize, gate and verify on the shipped Adult
//! sample, checked against the golden figures of `../shared/datasets/README.md` and the ARX
//! parity row (5-anonymity, 5% suppression).

use std::path::PathBuf;

use reident::options::{Flags, Settings, TableSource};
use reident::report::{Report, ReportOptions};

const QI9: [&str; 9] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
];

fn adult(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/adult")
        .join(name)
}

fn settings(flags: Flags) -> Settings {
    Settings::resolve(&flags).expect("settings")
}

fn nine_qis() -> Settings {
    settings(Flags {
        qi: QI9.iter().map(|s| s.to_string()).collect(),
        ..Flags::default()
    })
}

fn policy() -> Settings {
    settings(Flags {
        policy: Some(adult("policy.json")),
        ..Flags::default()
    })
}

#[test]
fn analyze_gives_the_golden_figures() {
    let options =
        reident::analyze::Options::new(TableSource::data(adult("adult.parquet")), nine_qis());
    let outcome = reident::analyze::run(&options).unwrap();
    let r = &outcome.report;
    assert_eq!(r.classes.records, 30_162);
    assert_eq!(r.classes.classes, 19_502);
    assert!((r.prosecutor.average - 0.6465751607983555).abs() < 1e-12);
    assert_eq!(r.prosecutor.highest, 1.0);
    assert_eq!(r.sample_uniques.records, 15_512);
    assert!((r.sample_uniques.share - 0.5142895033485844).abs() < 1e-12);
    // No targets, no verdicts.
    assert!(outcome.verdicts.is_empty());
    // The same figures from the CSV twin.
    let csv = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::data(adult("adult.csv")),
        nine_qis(),
    ))
    .unwrap();
    assert_eq!(csv.report.classes.classes, 19_502);
    assert_eq!(csv.report.prosecutor.average, r.prosecutor.average);
}

#[test]
fn anonymize_gate_and_verify_through_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("release.csv");
    // The shipped policy: 8 QIs, k = 5, highest risk 0.2, 5% suppression, Loss.
    let mut options =
        reident::anonymize::Options::new(TableSource::data(adult("adult.csv")), policy());
    options.output = Some(release.clone());
    let outcome = reident::anonymize::run(&options).unwrap();
    let s = &outcome.summary;
    let levels: Vec<usize> = s.transformation.iter().map(|l| l.level).collect();
    assert_eq!(levels, [0, 3, 0, 0, 2, 1, 1, 0]);
    assert!((s.best.loss.unwrap() - 0.17012279194738156).abs() < 1e-12);
    assert_eq!(s.best.suppressed, 1_346);
    assert_eq!(s.best.classes, 397);
    assert_eq!(s.records_written, Some(30_162 - 1_346));
    assert!(outcome.verdicts.iter().all(|v| v.passed));

    // The gate fails on the raw data and passes on the release.
    let raw = reident::gate::run(&reident::gate::Options::new(
        TableSource::data(adult("adult.csv")),
        policy(),
    ))
    .unwrap();
    assert!(!raw.passed());
    let gated = reident::gate::run(&reident::gate::Options::new(
        TableSource::data(&release),
        policy(),
    ))
    .unwrap();
    assert!(gated.passed(), "{:?}", gated.analysis.verdicts);
    assert_eq!(gated.analysis.report.classes.smallest, 5);

    // A report of the gate, written and verified: re-run from the options it records.
    let report: Report = reident::report::build::analysis(
        &gated.analysis,
        "gate",
        vec!["library_api".into(), "gate".into()],
        false,
    )
    .unwrap();
    assert_eq!(report.verdict, "pass");
    let folder = dir.path().join("report");
    reident::report::publish(
        &report,
        &ReportOptions {
            dir: Some(folder.clone()),
            show_values: false,
            audit_log: Some(dir.path().join("audit.log")),
            ..Default::default()
        },
        true,
    )
    .unwrap();
    let verified = reident::verify::run(&reident::verify::Options {
        report: Some(folder.join("report.json")),
        data: Some(release.clone()),
        // verify reads only the files it is given (or that lie beside the report): the
        // policy's hierarchy of the sensitive column, which the run read.
        inputs: vec![adult("hierarchy_occupation.csv")],
        audit_log: Some(dir.path().join("audit.log")),
        progress: false,
        ..Default::default()
    })
    .unwrap();
    assert!(verified.ok, "{:?}", verified.checks);
    assert!(verified
        .checks
        .iter()
        .any(|c| c.item == "figures: analysis" && c.detail == "reproduced exactly"));

    // Another file under the same name fails the data hash.
    let raw_copy = dir.path().join("other.csv");
    std::fs::copy(adult("adult.csv"), &raw_copy).unwrap();
    let wrong = reident::verify::run(&reident::verify::Options {
        report: Some(folder.join("report.json")),
        data: Some(raw_copy),
        audit_log: None,
        progress: false,
        ..Default::default()
    })
    .unwrap();
    assert!(!wrong.ok);
}

/// A report that records no options (written before reports recorded them) still verifies its
/// integrity; re-running it on the data is refused with a message that says why.
#[test]
fn a_report_without_options_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::data(adult("adult.parquet")),
        nine_qis(),
    ))
    .unwrap();
    let mut report =
        reident::report::build::analysis(&outcome, "analyze", vec!["x".into(), "y".into()], false)
            .unwrap();
    report.run.options = serde_json::Value::Null;
    report.seal().unwrap();
    report.write_dir(dir.path()).unwrap();
    let path = dir.path().join("report.json");
    let alone = reident::verify::run(&reident::verify::Options {
        report: Some(path.clone()),
        ..Default::default()
    })
    .unwrap();
    assert!(alone.ok, "{:?}", alone.checks);
    let err = reident::verify::run(&reident::verify::Options {
        report: Some(path),
        data: Some(adult("adult.parquet")),
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("records no options"), "{err}");
}
