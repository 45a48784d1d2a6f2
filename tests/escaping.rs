//! Strings from the user and the data cannot inject: report.md escapes column names, file names
//! and the user name (HTML tags and links render as text), terminal output shows control
//! characters escaped, and error messages name rows and columns, never data values.

mod common;
use std::path::Path;
use std::process::Command;

use common::*;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";
const LINK: &str = "[x](javascript:alert(1))";
const ANSI: &str = "\u{1b}[31mred\u{1b}[0m";

fn reident(args: &[&str], user: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .env("USER", user)
        .current_dir(root())
        .output()
        .unwrap()
}

fn hostile_csv(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("<b>data[x](javascript:1).csv");
    let header = [SCRIPT, IMG, LINK, ANSI].join(";");
    let mut text = format!("{header}\n");
    for i in 0..6 {
        text.push_str(&format!("a{};b;c{};d\n", i % 2, i % 3));
    }
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn report_markdown_renders_user_strings_inert() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_csv(dir.path());
    let report = dir.path().join("report");
    let qi = [SCRIPT, IMG, LINK, ANSI].join(",");
    let o = reident(
        &[
            "analyze",
            data.to_str().unwrap(),
            "--qi",
            &qi,
            "--k",
            "2",
            "--report",
            report.to_str().unwrap(),
            "--audit-log",
            dir.path().join("audit.log").to_str().unwrap(),
        ],
        "<img src=u onerror=alert(2)>",
    );
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{o:?}"
    );
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    for raw in ["<script", "<img", "](javascript:", "<b>", "\u{1b}"] {
        // Outside code spans (paths and the command line are code, shown as they are).
        let prose: String = md
            .lines()
            .filter(|l| !l.starts_with("* data:") && !l.starts_with("* command:"))
            .collect::<Vec<_>>()
            .join("\n");
        let unescaped = prose
            .match_indices(raw)
            .any(|(i, _)| !prose[..i].ends_with('\\'));
        assert!(!unescaped, "{raw:?} raw in report.md:\n{md}");
    }
    assert!(md.contains("\\<script>alert(1)\\</script>"), "{md}");
    assert!(md.contains("\\[x\\](javascript:alert(1))"), "{md}");
    // The user name is escaped too.
    assert!(md.contains("by \\<img src=u onerror=alert(2)>"), "{md}");
    // The data path is a code span, which renders no markup.
    let data_line = md.lines().find(|l| l.starts_with("* data:")).unwrap();
    assert!(data_line.starts_with("* data: `"), "{data_line}");
}

#[test]
fn terminal_output_shows_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_csv(dir.path());
    let o = reident(
        &[
            "analyze",
            data.to_str().unwrap(),
            "--qi",
            &format!("{ANSI},{SCRIPT}"),
            "--k",
            "2",
        ],
        "u",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!out.is_empty(), "{o:?}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(out.contains("\\u{1b}[31mred"), "{out}");
    // An unknown column named with an escape sequence: the error is escaped too.
    let o = reident(
        &["analyze", data.to_str().unwrap(), "--qi", "\u{1b}[2Jx"],
        "u",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn error_messages_name_rows_and_columns_not_values() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "Jane-Q-Secret";
    let data = dir.path().join("d.csv");
    std::fs::write(
        &data,
        format!("name;age;when\n{secret};34;2020-01-02\nbob;x{secret};{secret}\n"),
    )
    .unwrap();
    // A hierarchy without a row for a value of the data.
    let h = dir.path().join("hierarchy_name.csv");
    std::fs::write(&h, "bob;*\n").unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "anonymize".into(),
            data.to_str().unwrap().into(),
            "--qi".into(),
            "name".into(),
            "--hierarchy".into(),
            format!("name={}", h.display()),
        ],
        // The interval builder on a value that is not a number.
        vec![
            "anonymize".into(),
            data.to_str().unwrap().into(),
            "--qi".into(),
            "age".into(),
            "--interval".into(),
            "age:5,10".into(),
        ],
        vec![
            "hierarchy".into(),
            data.to_str().unwrap().into(),
            "--column".into(),
            "age".into(),
            "--interval".into(),
            "5,10".into(),
            "-o".into(),
            dir.path().join("h1.csv").to_str().unwrap().into(),
        ],
        // The date builder on a value that is not a date.
        vec![
            "hierarchy".into(),
            data.to_str().unwrap().into(),
            "--column".into(),
            "when".into(),
            "--date".into(),
            "year".into(),
            "-o".into(),
            dir.path().join("h2.csv").to_str().unwrap().into(),
        ],
        // A weight that is not a number.
        vec![
            "analyze".into(),
            data.to_str().unwrap().into(),
            "--qi".into(),
            "name".into(),
            "--weight".into(),
            "when".into(),
        ],
    ];
    for args in cases {
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let o = reident(&refs, "u");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains(secret), "{args:?}: a value in {err}");
    }
    // A hierarchy file whose rows repeat or contradict: rows are named, not values.
    for (text, needle) in [
        (format!("{secret};*\n{secret};*\n"), "first in row 1"),
        (format!("{secret};A;*\nbob;A;*\nx;A;+\n"), "rows 1 and 3"),
    ] {
        std::fs::write(&h, text).unwrap();
        let o = reident(
            &[
                "anonymize",
                data.to_str().unwrap(),
                "--qi",
                "name",
                "--hierarchy",
                &format!("name={}", h.display()),
            ],
            "u",
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(!err.contains(secret), "a value in {err}");
        assert!(err.contains(needle), "{err}");
    }
}
