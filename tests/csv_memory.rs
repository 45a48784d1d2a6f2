//! Bounded memory for CSV: one long field costs its size once, not once per later row of its
//! chunk (a record was cloned per row with the reader's buffer, as large as the longest record).
//! Peak memory is measured in a child process (`getrusage` of the children), one run at a time.

mod common;
use std::io::Write;
use std::path::Path;

use common::*;

const FIELD: usize = 10 << 20;

/// 70,000 rows (more than one chunk of 65,536) whose second row holds a 10 MB comment.
fn write_csv(path: &Path) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "id;sex;age;comment").unwrap();
    for i in 0..70_000 {
        let comment = if i == 1 {
            "c".repeat(FIELD)
        } else {
            format!("c{}", i % 7)
        };
        writeln!(w, "{i};{};{};{comment}", ["m", "f"][i % 2], 20 + i % 50).unwrap();
    }
}

/// The largest peak resident set (bytes) of the children waited for so far.
fn children_peak() -> u64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) }, 0);
    u.ru_maxrss as u64 * 1024
}

#[test]
fn a_10_mb_field_costs_its_size_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.csv");
    write_csv(&p);
    let path = p.to_str().unwrap();
    // The long column not read, then read (its value held once, in its dictionary).
    for qi in ["sex,age", "sex,comment"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(["analyze", path, "--qi", qi, "--threads", "2"])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let peak = children_peak();
        eprintln!("--qi {qi}: peak RSS so far {} MB", peak >> 20);
        // Before: 65,535 rows after the long one cost 10 MB each (655 GB asked). Now the file
        // (7 MB of short rows and the field) is read with well under 200 MB.
        assert!(peak < 200 << 20, "--qi {qi}: peak RSS {} MB", peak >> 20);
    }
}
