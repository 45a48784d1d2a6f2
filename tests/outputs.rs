//! Output files: an existing output is refused unless `--force`, a missing output folder is
//! found before any work, every file that holds records or classes is created readable by its
//! owner only (0600) whatever the umask, and SIGINT/SIGTERM leave no temporary file behind.

mod common;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const SUBSET: &str = "datasets/adult/adult_subset.csv";

/// Every command that writes data, with `OUT` (a file, or for `--report` a folder) in its
/// arguments.
fn commands() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "out.csv",
            vec![
                "anonymize",
                SUBSET,
                "--qi",
                "sex,age",
                "--hierarchies",
                "datasets/adult",
                "--k",
                "2",
                "-o",
                "OUT",
            ],
        ),
        ("out.parquet", vec!["convert", SUBSET, "OUT"]),
        ("out.csv", vec!["safe-harbor", SUBSET, "--output", "OUT"]),
        (
            "classes.parquet",
            vec!["classes", SUBSET, "--qi", "sex,age", "-o", "OUT"],
        ),
        (
            "rr.parquet",
            vec!["analyze", SUBSET, "--qi", "sex,age", "--record-risk", "OUT"],
        ),
        (
            "suda.parquet",
            vec!["suda", SUBSET, "--qi", "sex,age", "--record-risk", "OUT"],
        ),
        (
            "hierarchy_age.csv",
            vec![
                "hierarchy",
                SUBSET,
                "--column",
                "age",
                "--interval",
                "5,10",
                "-o",
                "OUT",
            ],
        ),
    ]
}

fn args_with(args: &[&str], out: &Path) -> Vec<String> {
    args.iter()
        .map(|a| {
            if *a == "OUT" {
                out.to_str().unwrap().to_string()
            } else {
                a.to_string()
            }
        })
        .collect()
}

/// Runs reident under a umask (through the shell).
fn run_umask(umask: &str, args: &[String]) -> Output {
    let mut script = format!("umask {umask}; exec \"$0\"");
    for i in 0..args.len() {
        script.push_str(&format!(" \"${{{}}}\"", i + 1));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn outputs_are_created_0600_whatever_the_umask() {
    for umask in ["000", "022", "077"] {
        let dir = tempfile::tempdir().unwrap();
        for (i, (name, args)) in commands().into_iter().enumerate() {
            let out = dir.path().join(format!("{i}-{name}"));
            let o = run_umask(umask, &args_with(&args, &out));
            assert!(o.status.success(), "{args:?}: {o:?}");
            assert_eq!(mode(&out), 0o600, "umask {umask}: {args:?}");
        }
        // A report that shows the values of small classes holds protected data too.
        let report = dir.path().join("report");
        let o = run_umask(
            umask,
            &args_with(
                &[
                    "analyze",
                    SUBSET,
                    "--qi",
                    "sex,age",
                    "--report",
                    "OUT",
                    "--show-values",
                    "--audit-log",
                    "OUT.log",
                ],
                &report,
            )
            .into_iter()
            .map(|a| a.replace("OUT.log", &format!("{}/audit.log", dir.path().display())))
            .collect::<Vec<_>>(),
        );
        assert!(o.status.success(), "{o:?}");
        for f in std::fs::read_dir(&report).unwrap() {
            let f = f.unwrap().path();
            assert_eq!(mode(&f), 0o600, "umask {umask}: {}", f.display());
        }
    }
}

#[test]
fn existing_outputs_are_refused_unless_force() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, args)) in commands().into_iter().enumerate() {
        let out = dir.path().join(format!("{i}-{name}"));
        std::fs::write(&out, "keep me").unwrap();
        let a = args_with(&args, &out);
        let refs: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
        let o = run_cli(&refs);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("exists") && err.contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
        let mut forced = refs.clone();
        forced.push("--force");
        let o = run_cli(&forced);
        assert!(o.status.success(), "{forced:?}: {o:?}");
        assert_ne!(std::fs::read(&out).unwrap(), b"keep me");
    }
}

#[test]
fn a_missing_output_folder_is_found_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in commands() {
        let out = dir.path().join("no-such-folder").join(name);
        let a = args_with(&args, &out);
        let refs: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
        let started = std::time::Instant::now();
        let o = run_cli(&refs);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("does not exist"), "{err}");
        assert!(err.contains("no-such-folder"), "{err}");
        assert!(!err.contains(".tmp-"), "names the temporary file: {err}");
        // Not a timing assertion on the work itself: the check comes before reading the data,
        // so nothing is read (the error comes at once even for anonymize).
        let _ = started;
    }
}

/// A CSV of `rows` rows with a long text column: big enough that writing it takes a while.
fn big_csv(dir: &Path, rows: usize) -> PathBuf {
    use std::io::Write;
    let p = dir.join("big.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    writeln!(w, "id;sex;age;note").unwrap();
    for i in 0..rows {
        writeln!(
            w,
            "{i};{};{};note number {i} {}",
            i % 2,
            i % 90,
            "x".repeat(60)
        )
        .unwrap();
    }
    p
}

#[test]
fn sigterm_and_sigint_remove_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_csv(dir.path(), 400_000);
    for sig in [libc_sigterm(), libc_sigint()] {
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("out.csv");
        let mut child = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(["convert", input.to_str().unwrap(), out.to_str().unwrap()])
            .spawn()
            .unwrap();
        // Wait for the temporary file to appear, then signal.
        let tmp_exists = || {
            std::fs::read_dir(out_dir.path())
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-"))
        };
        let started = std::time::Instant::now();
        while !tmp_exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("finished before the temporary file was seen: {status}");
            }
            assert!(started.elapsed().as_secs() < 120, "no temporary file");
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let killed = Command::new("kill")
            .args([format!("-{sig}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + sig), "{status}");
        let left: Vec<_> = std::fs::read_dir(out_dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "signal {sig} left {left:?}");
    }
}

fn libc_sigterm() -> i32 {
    15
}

fn libc_sigint() -> i32 {
    2
}
