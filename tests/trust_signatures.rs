//! Signatures (against Debian's `minisign`, which scripts/test.sh installs), the signed audit
//! log (a rewritten line, a removed line, a truncated tail, a report from another log), report
//! folders written at once (8 concurrent runs, one folder), and `--report` without a folder.

mod trust;
use trust::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// Fails (never skips) when Debian's minisign is missing: scripts/test.sh installs it.
fn minisign() -> Command {
    let found = Command::new("minisign").arg("-v").output().is_ok();
    assert!(
        found,
        "the `minisign` tool is missing: run scripts/test.sh (it installs Debian's minisign)"
    );
    let mut c = Command::new("minisign");
    c.stdin(std::process::Stdio::null());
    c
}

/// `reident keygen -o DIR --no-password`: (secret, public).
fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    let o = run_in(
        dir.parent().unwrap(),
        &["keygen", "-o", s(dir), "--no-password"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (dir.join("reident.key"), dir.join("reident.pub"))
}

/// A signed gate of the subset (2-anonymity over sex and race: it passes).
fn signed_gate(dir: &Path, data: &Path, key: &Path, out: &str, log: &Path) -> PathBuf {
    let o = run_in(
        dir,
        &[
            "gate",
            s(data),
            "--qi",
            "sex,race",
            "--k",
            "2",
            "--report",
            out,
            "--sign",
            s(key),
            "--audit-log",
            s(log),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir.join(out)
}

#[test]
fn debian_minisign_and_reident_verify_each_others_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = subset(d);
    let keys = d.join("keys");
    let (key, public) = keygen(&keys);
    let rep = signed_gate(d, &data, &key, "rep", &d.join("audit.log"));
    // minisign alone verifies each file, and shows the trusted comment reident wrote.
    for f in ["report.json", "report.md", "report.html"] {
        let o = minisign()
            .args(["-V", "-m", s(&rep.join(f)), "-p", s(&public)])
            .output()
            .unwrap();
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        let out = stdout(&o) + &stderr(&o);
        assert!(
            out.contains(&format!(
                "reident 0.1.0 gate {f} data adult_subset.csv sha256:"
            )),
            "{out}"
        );
        assert!(out.contains("verdict pass"), "{out}");
    }
    // reident verifies them, signature first, and says by which key.
    let o = run_in(
        d,
        &[
            "verify",
            s(&rep.join("report.json")),
            s(&data),
            "--public-key",
            s(&public),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("ok   signature of report.json: by key "),
        "{out}"
    );
    assert!(
        out.lines().last().unwrap().contains("signature by key"),
        "{out}"
    );
    // A key made by minisign signs with reident, and minisign -S signatures verify in reident.
    let (mkey, mpub) = (d.join("m.key"), d.join("m.pub"));
    let o = minisign()
        .args(["-G", "-W", "-p", s(&mpub), "-s", s(&mkey)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let rep2 = signed_gate(d, &data, &mkey, "rep2", &d.join("audit2.log"));
    let o = minisign()
        .args(["-V", "-m", s(&rep2.join("report.json")), "-p", s(&mpub)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["report.json", "report.md", "report.html"] {
        std::fs::remove_file(rep2.join(format!("{f}.minisig"))).unwrap();
        let o = minisign()
            .args(["-S", "-s", s(&mkey), "-m", s(&rep2.join(f))])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run_in(
        d,
        &[
            "verify",
            s(&rep2.join("report.json")),
            "--public-key",
            s(&mpub),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("ok   signature of report.json: by key"),
        "{}",
        stdout(&o)
    );
    // --trusted-keys: a folder holding both public keys.
    let trusted = d.join("trusted");
    std::fs::create_dir(&trusted).unwrap();
    std::fs::copy(&public, trusted.join("a.pub")).unwrap();
    std::fs::copy(&mpub, trusted.join("b.pub")).unwrap();
    for r in [&rep, &rep2] {
        let o = run_in(
            d,
            &[
                "verify",
                s(&r.join("report.json")),
                "--trusted-keys",
                s(&trusted),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    }
}

#[test]
fn wrong_keys_passwords_and_signatures_are_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = subset(d);
    let (key, public) = keygen(&d.join("a"));
    let (_, other_public) = keygen(&d.join("b"));
    let rep = signed_gate(d, &data, &key, "rep", &d.join("audit.log"));
    let json = rep.join("report.json");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", s(&json)];
        args.extend_from_slice(extra);
        run_in(d, &args)
    };
    // Another key: a failed check (1).
    let o = verify(&["--public-key", s(&other_public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0].contains("which is not the key given"),
        "{}",
        stdout(&o)
    );
    // A public key of another format, a missing one: errors (2), one line.
    let ssh = d.join("id_ed25519.pub");
    std::fs::write(
        &ssh,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5 me@host\n",
    )
    .unwrap();
    for (k, says) in [
        (s(&ssh), "not a minisign public key"),
        ("missing.pub", "missing.pub: No such file"),
    ] {
        let o = verify(&["--public-key", k]);
        assert_eq!(o.status.code(), Some(2), "{k}");
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert_eq!(stderr(&o).trim().lines().count(), 1);
    }
    // A malformed signature, a missing one: failed checks (1).
    let sig = rep.join("report.json.minisig");
    let good = std::fs::read(&sig).unwrap();
    std::fs::write(&sig, "untrusted comment: x\nnot a signature\n").unwrap();
    let o = verify(&["--public-key", s(&public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0].contains("malformed signature"),
        "{}",
        stdout(&o)
    );
    std::fs::remove_file(&sig).unwrap();
    let o = verify(&["--public-key", s(&public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0].contains("is missing: the file is not signed"),
        "{}",
        stdout(&o)
    );
    std::fs::write(&sig, &good).unwrap();
    // A forged verdict, sealed again: the signature no longer holds.
    forge(&rep, |v| v["thresholds"][0]["passed"] = json!(false));
    forge(&rep, |v| v["verdict"] = json!("fail"));
    let o = verify(&["--public-key", s(&public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0].contains("does not match the file"),
        "{}",
        stdout(&o)
    );
    // --require-signature without a key: an error (2).
    let o = verify(&["--require-signature"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--require-signature"), "{}", stderr(&o));
    // Signing: a missing key, a protected key without or with the wrong password (2), and
    // no report folder left behind.
    let protected = d.join("p");
    let o = run_env(
        d,
        &["keygen", "-o", s(&protected)],
        &[("REIDENT_KEY_PASSWORD", "right")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pkey = protected.join("reident.key");
    let gate = |key: &str, env: &[(&str, &str)]| {
        run_env(
            d,
            &[
                "gate",
                s(&data),
                "--qi",
                "sex",
                "--k",
                "2",
                "--report",
                "r",
                "--sign",
                key,
            ],
            env,
        )
    };
    for (k, env, says) in [
        ("missing.key", vec![], "missing.key: No such file"),
        (s(&pkey), vec![], "password-protected"),
        (
            s(&pkey),
            vec![("REIDENT_KEY_PASSWORD", "wrong")],
            "wrong password",
        ),
        (s(&public), vec![], "not a minisign secret key"),
    ] {
        let o = gate(k, &env);
        assert_eq!(o.status.code(), Some(2), "{k}");
        assert!(stderr(&o).contains(says), "{k}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
        assert!(!d.join("r").exists());
    }
    let o = gate(s(&pkey), &[("REIDENT_KEY_PASSWORD", "right")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = minisign()
        .args([
            "-V",
            "-m",
            s(&d.join("r/report.json")),
            "-p",
            s(&protected.join("reident.pub")),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    // REIDENT_SIGNING_KEY, and a policy's signing_key (relative to the policy), sign too.
    let o = run_env(
        d,
        &[
            "gate",
            s(&data),
            "--qi",
            "sex",
            "--k",
            "2",
            "--report",
            "r-env",
        ],
        &[("REIDENT_SIGNING_KEY", s(&key))],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("r-env/report.json.minisig").exists());
    std::fs::write(
        d.join("a/policy.json"),
        r#"{"schema_version": 1, "quasi_identifiers": ["sex"], "anonymization": {"k": 2}, "signing_key": "reident.key"}"#,
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "gate",
            s(&data),
            "--policy",
            s(&d.join("a/policy.json")),
            "--report",
            "r-policy",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(
        d,
        &[
            "verify",
            s(&d.join("r-policy/report.json")),
            "--public-key",
            s(&public),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_signed_audit_log_cannot_be_rewritten_removed_or_truncated_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = subset(d);
    let (key, public) = keygen(&d.join("k"));
    let log = d.join("audit.log");
    let reps: Vec<PathBuf> = (1..=3)
        .map(|i| signed_gate(d, &data, &key, &format!("r{i}"), &log))
        .collect();
    let original = std::fs::read_to_string(&log).unwrap();
    assert_eq!(original.lines().count(), 3);
    let check = |report: &Path| {
        run_in(
            d,
            &[
                "verify",
                "--audit-log",
                s(&log),
                "--public-key",
                s(&public),
                "--report",
                s(&report.join("report.json")),
            ],
        )
    };
    for (i, r) in reps.iter().enumerate() {
        let o = check(r);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        assert!(
            stdout(&o).contains(&format!(
                "ok   report in the audit log: line {} is this report's run",
                i + 1
            )),
            "{}",
            stdout(&o)
        );
    }
    // A line rewritten and every hash after it recomputed: the chain holds, the signatures not.
    rewrite_log(&log, |i, v| {
        if i == 0 {
            v["verdict"] = json!("fail");
        }
    });
    let o = run_in(d, &["verify", "--audit-log", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("chain only"), "{}", stdout(&o));
    let o = check(&reps[2]);
    assert_eq!(o.status.code(), Some(1));
    let f = failures(&o);
    assert!(
        f[0].starts_with("FAIL audit log line 1: its signature does not hold"),
        "{f:?}"
    );
    // A removed line.
    let lines: Vec<&str> = original.lines().collect();
    std::fs::write(&log, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let o = check(&reps[2]);
    assert_eq!(o.status.code(), Some(1));
    let f = failures(&o);
    assert!(
        f.iter()
            .any(|l| l.starts_with("FAIL audit log line 2: prev_sha256")),
        "{f:?}"
    );
    // The same, rehashed by the attacker: the signatures catch it.
    rewrite_log(&log, |_, _| {});
    let o = check(&reps[2]);
    assert_eq!(o.status.code(), Some(1));
    assert!(failures(&o)
        .iter()
        .any(|l| l.contains("signature does not hold")));
    // A tail truncated before the third report's run: a valid shorter chain, caught by the
    // report's record of the log's head.
    std::fs::write(&log, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
    let o = check(&reps[0]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = check(&reps[2]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        failures(&o),
        ["FAIL report in the audit log: the log has 2 entries; this report's run was entry 3: the log was truncated before it (or it is another log)"]
    );
    // A report checked against another log.
    let other = d.join("other.log");
    signed_gate(d, &data, &key, "r-other", &other);
    std::fs::write(&log, &original).unwrap();
    let o = run_in(
        d,
        &[
            "verify",
            "--audit-log",
            s(&other),
            "--public-key",
            s(&public),
            "--report",
            s(&reps[0].join("report.json")),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0]
            .starts_with("FAIL report in the audit log: no line of the log is this report's run"),
        "{}",
        stdout(&o)
    );
    // An unsigned run's line in a log checked with a key.
    let o = run_in(
        d,
        &[
            "gate",
            s(&data),
            "--qi",
            "sex",
            "--k",
            "2",
            "--audit-log",
            s(&log),
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = check(&reps[0]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        failures(&o)[0].contains("audit log line 4: the line is not signed"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn concurrent_runs_with_the_same_report_folder_never_mix_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = subset(d);
    for round in 0..4 {
        let out = d.join(format!("same-{round}"));
        let children: Vec<_> = (1..=8)
            .map(|k| {
                Command::new(env!("CARGO_BIN_EXE_reident"))
                    .args([
                        "gate",
                        s(&data),
                        "--qi",
                        "sex,race",
                        "--k",
                        &k.to_string(),
                        "--report",
                        s(&out),
                        "--audit-log",
                        s(&d.join("audit.log")),
                        "-q",
                    ])
                    .current_dir(d)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let won: Vec<_> = outputs
            .iter()
            .filter(|o| o.status.code() != Some(2))
            .collect();
        assert_eq!(won.len(), 1, "round {round}: {} winners", won.len());
        for o in outputs.iter().filter(|o| o.status.code() == Some(2)) {
            assert!(stderr(o).contains("the folder exists"), "{}", stderr(o));
            assert_eq!(stderr(o).trim().lines().count(), 1);
        }
        // The folder is one run's: its Markdown and HTML are the JSON's, and its verdict is
        // the winner's.
        let o = run_in(d, &["verify", s(&out.join("report.json")), s(&data)]);
        assert_eq!(o.status.code(), Some(0), "round {round}: {}", stdout(&o));
        let v: Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let expect = if won[0].status.code() == Some(0) {
            "pass"
        } else {
            "fail"
        };
        assert_eq!(v["verdict"], expect);
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["report.html", "report.json", "report.md"]);
    }
    // Only the winners wrote audit lines; nothing temporary is left.
    let log = std::fs::read_to_string(d.join("audit.log")).unwrap();
    assert_eq!(log.lines().count(), 4);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // --force replaces a report folder, and never a folder holding anything else.
    let out = d.join("same-0");
    let o = run_in(
        d,
        &[
            "gate",
            s(&data),
            "--qi",
            "sex",
            "--k",
            "2",
            "--report",
            s(&out),
            "--force",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["dataset"]["columns"][0]["role"], "quasi-identifier");
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = run_in(
        d,
        &[
            "gate",
            s(&data),
            "--qi",
            "sex",
            "--k",
            "2",
            "--report",
            s(&out),
            "--force",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds other files"), "{}", stderr(&o));
    assert!(out.join("notes.txt").exists());
}

#[test]
fn report_without_a_folder_works_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    subset(d);
    // As a user types it: the flag last, in the middle, and before the data.
    for args in [
        vec![
            "gate",
            "adult_subset.csv",
            "--report",
            "--k",
            "2",
            "--qi",
            "sex",
        ],
        vec![
            "analyze",
            "--report",
            "adult_subset.csv",
            "--qi",
            "sex,race",
        ],
        vec!["combos", "adult_subset.csv", "--qi", "sex,race", "--report"],
        vec!["scan", "--report", "adult_subset.csv"],
    ] {
        let o = run_in(d, &args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    }
    let folders: Vec<String> = std::fs::read_dir(d.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("adult_subset-"))
        .collect();
    assert_eq!(folders.len(), 4, "{folders:?}");
    for f in &folders {
        let rep = d.join("reports").join(f).join("report.json");
        let o = run_in(d, &["verify", s(&rep), s(&d.join("adult_subset.csv"))]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stdout(&o));
    }
    // The data missing altogether: one line, status 2.
    let o = run_in(d, &["gate", "--report", "--k", "2", "--qi", "sex"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give the data file"), "{}", stderr(&o));
}
