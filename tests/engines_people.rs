//! People-level class tables as files (`--entity`): the SQL of `reident sql --entity` run in
//! DuckDB (through `python3` and the `duckdb` package, as in `tests/engines.rs`), and the file
//! `reident classes --entity` writes, read with `--classes ... --entity`, must give every figure
//! of `analyze`, `combos` and `gate` on the visit-level records (hand-written and malformed
//! people files: `tests/classes_people.rs`).

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use serde_json::Value;

/// The report without what must differ between the records and a class table: the input's
/// path, format, column count and class-table mark, and the insensitive columns (a class table
/// holds only the columns it was computed over).
fn figures(mut v: Value) -> Value {
    let d = v["dataset"].as_object_mut().expect("dataset");
    for k in ["path", "format", "columns", "class_table"] {
        d.remove(k);
    }
    if let Some(r) = v.get_mut("roles").and_then(|r| r.as_object_mut()) {
        r.remove("insensitive");
    }
    v
}

/// Every figure equal: strings, booleans and integers exactly; other numbers to 1e-12
/// (relative: sums whose order follows the order of the classes).
fn assert_same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            assert_eq!(kx, ky, "keys differ at {at}");
            for (k, v) in x {
                assert_same(v, &y[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "lengths differ at {at}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                assert_same(p, q, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(p), Value::Number(q)) if p.is_f64() || q.is_f64() => {
            let (p, q) = (p.as_f64().unwrap(), q.as_f64().unwrap());
            let tol = 1e-12 * p.abs().max(q.abs()).max(1.0);
            assert!((p - q).abs() <= tol, "{at}: {p} vs {q}");
        }
        _ => assert_eq!(a, b, "differ at {at}"),
    }
}

/// A visit-level table: an entity column, QIs and one sensitive column.
struct Visits {
    entity: String,
    qi: Vec<String>,
    sensitive: String,
    path: PathBuf,
}

impl Visits {
    fn qi(&self) -> String {
        self.qi.join(",")
    }
}

/// A deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Writes a Parquet file of string and integer columns (`None`: null).
fn write_parquet(
    path: &Path,
    strings: &[(&str, Vec<Option<String>>)],
    ints: &[(&str, Vec<Option<i64>>)],
) {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, v) in strings {
        fields.push(Field::new(*name, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(v.clone())));
    }
    for (name, v) in ints {
        fields.push(Field::new(*name, DataType::Int64, true));
        arrays.push(Arc::new(Int64Array::from(v.clone())));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// One row of a random visit table: person, sex, birth year, ZIP3, diagnosis.
type Visit = (
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// Random visit-level table: `people` people with 1-8 rows each (mostly repeats of their usual
/// tuple, sometimes another), nulls in every QI and in the sensitive column, rows not grouped by
/// person. QIs: `sex` (text), `birth_year` (integer), `zip3` (text).
fn random_visits(dir: &Path, seed: u64, people: u64) -> Visits {
    let mut rng = Lcg(seed);
    let mut rows: Vec<Visit> = Vec::new();
    let value = |rng: &mut Lcg| {
        let sex = match rng.below(7) {
            0 => None,
            x => Some(["F", "M"][(x % 2) as usize].to_string()),
        };
        let year = match rng.below(9) {
            0 => None,
            x => Some(1950 + (x as i64 % 2) * 10),
        };
        let zip = match rng.below(11) {
            0 => None,
            x => Some(format!("{:03}", 100 + x % 2)),
        };
        (sex, year, zip)
    };
    for p in 0..people {
        let usual = value(&mut rng);
        let other = value(&mut rng);
        let visits = 1 + rng.below(8);
        for _ in 0..visits {
            let (sex, year, zip) = if rng.below(6) == 0 {
                other.clone()
            } else {
                usual.clone()
            };
            let s = match rng.below(5) {
                0 => None,
                x => Some(format!("d{x}")),
            };
            rows.push((1000 + p as i64 * 7, sex, year, zip, s));
        }
    }
    // Not grouped by person: a fixed shuffle.
    for i in (1..rows.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        rows.swap(i, j);
    }
    let path = dir.join(format!("visits{seed}.parquet"));
    write_parquet(
        &path,
        &[
            ("sex", rows.iter().map(|r| r.1.clone()).collect()),
            ("zip3", rows.iter().map(|r| r.3.clone()).collect()),
            ("diagnosis", rows.iter().map(|r| r.4.clone()).collect()),
        ],
        &[
            ("member_id", rows.iter().map(|r| Some(r.0)).collect()),
            ("birth_year", rows.iter().map(|r| r.2).collect()),
        ],
    );
    Visits {
        entity: "member_id".into(),
        qi: strings(&["sex", "birth_year", "zip3"]),
        sensitive: "diagnosis".into(),
        path,
    }
}

/// The visit table, as `tests/people.rs` builds it (the same generator and seed): 2,000
/// patients with 2-6 visits each, the same sex, birth year and ZIP3 on every visit. Returns the
/// number of patients alone in their class (by signature: tuple and number of visits).
fn clinic_visits(dir: &Path) -> (Visits, u64) {
    let mut state: u64 = 20_261_207;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut tuples: std::collections::BTreeMap<(u64, u64, u64, u64), u64> = Default::default();
    let (mut id, mut sex, mut year, mut zip, mut visit) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in 0..2000 {
        let (s, y, z) = (next(2), 1930 + next(70), next(40));
        let visits = 2 + next(5);
        *tuples.entry((s, y, z, visits)).or_default() += 1;
        for v in 0..visits {
            id.push(Some(format!("P{p:05}")));
            sex.push(Some(["F", "M"][s as usize].to_string()));
            year.push(Some(y as i64));
            zip.push(Some(format!("{:03}", 100 + z)));
            visit.push(Some(v as i64));
        }
    }
    let path = dir.join("clinic_visits.parquet");
    write_parquet(
        &path,
        &[("patient_id", id), ("sex", sex), ("zip3", zip)],
        &[("birth_year", year), ("visit", visit)],
    );
    let alone = tuples.values().filter(|&&n| n == 1).count() as u64;
    (
        Visits {
            entity: "patient_id".into(),
            qi: strings(&["sex", "birth_year", "zip3"]),
            sensitive: "visit".into(),
            path,
        },
        alone,
    )
}

/// The people-level class table of `v` computed by DuckDB with `reident sql --entity`.
fn duckdb_people(v: &Visits, dialect: &str, extra: &[&str], out: &Path) {
    duckdb_people_in_groups(v, dialect, extra, out, None)
}

/// [`duckdb_people`], with row groups of about `row_group` classes (several record batches).
fn duckdb_people_in_groups(
    v: &Visits,
    dialect: &str,
    extra: &[&str],
    out: &Path,
    row_group: Option<usize>,
) {
    let qi = v.qi();
    let mut args = vec![
        "sql",
        "--dialect",
        dialect,
        "--table",
        "t",
        "--entity",
        &v.entity,
        "--qi",
        &qi,
    ];
    args.extend(extra);
    let out_s = out.to_str().unwrap();
    if dialect == "duckdb" {
        args.extend(["--copy-to", out_s]);
        let mut q = cli_stdout(&args);
        if let Some(n) = row_group {
            q = q.replace(
                "(FORMAT PARQUET",
                &format!("(FORMAT PARQUET, ROW_GROUP_SIZE {n}"),
            );
        }
        duckdb(&q, &[("t", &v.path)]);
    } else {
        let q = cli_stdout(&args);
        duckdb(
            &format!("COPY ({q}) TO '{out_s}' (FORMAT PARQUET)"),
            &[("t", &v.path)],
        );
    }
}

/// `analyze`, `combos` and `gate` on the records and on the class table, with `extra` flags
/// (`--sensitive`, `--entity-signature`, population flags; `combos` gets all but
/// `--sensitive`): every figure equal. Returns the analysis of the records.
fn check_same_figures(v: &Visits, classes: &Path, extra: &[&str]) -> Value {
    let qi = v.qi();
    let data = v.path.to_str().unwrap().to_string();
    let cls = classes.to_str().unwrap().to_string();
    let log = classes.with_extension("audit.log");
    let run = |command: &str, source: &[&str], more: &[&str]| -> Vec<String> {
        let mut args = vec!["--quiet", command];
        args.extend(source);
        args.extend(["--qi", &qi, "--entity", &v.entity]);
        let mut i = 0;
        while i < extra.len() {
            if command == "combos" && extra[i] == "--sensitive" {
                i += 2;
                continue;
            }
            args.push(extra[i]);
            i += 1;
        }
        args.extend(more);
        args.into_iter().map(String::from).collect()
    };
    let call = |args: Vec<String>| cli_json(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    let a = call(run("analyze", &[&data], &["--json"]));
    let b = call(run("analyze", &["--classes", &cls], &["--json"]));
    assert_eq!(b["dataset"]["class_table"], Value::Bool(true));
    assert_eq!(a["people"]["entity"], Value::from(v.entity.as_str()));
    assert_same(&figures(a.clone()), &figures(b), "analyze");
    // combos counts people too.
    let ca = call(run("combos", &[&data], &["--json"]));
    let cb = call(run("combos", &["--classes", &cls], &["--json"]));
    assert_eq!(ca["people"], a["people"]);
    assert_same(&ca["combos"], &cb["combos"], "combos");
    assert_same(&ca["people"], &cb["people"], "combos.people");
    // gate: the same verdict (k = the smallest class: passes; one more: fails). Not on a
    // folder of parts: the audit line hashes the input, and gate cannot hash a folder yet.
    let k = a["classes"]["smallest"].as_u64().unwrap();
    let sources = if classes.is_file() {
        vec![vec![data.as_str()], vec!["--classes", &cls]]
    } else {
        vec![vec![data.as_str()]]
    };
    for (k, code) in [(k, 0), (k + 1, 1)] {
        let ks = k.to_string();
        for source in &sources {
            let args = run(
                "gate",
                source,
                &["--k", &ks, "--audit-log", log.to_str().unwrap()],
            );
            let out = run_cli(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>());
            assert_eq!(
                out.status.code(),
                Some(code),
                "gate --k {k} {source:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    a
}

#[test]
fn duckdb_people_sql_gives_the_figures_of_the_records() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [1, 2, 3] {
        let v = random_visits(dir.path(), seed, 150 + 50 * seed);
        for set in [false, true] {
            for sensitive in [false, true] {
                let mut extra: Vec<&str> = Vec::new();
                if set {
                    extra.extend(["--entity-signature", "set"]);
                }
                if sensitive {
                    extra.extend(["--sensitive", &v.sensitive]);
                }
                let out = dir.path().join(format!("p{seed}{set}{sensitive}.parquet"));
                duckdb_people(&v, "duckdb", &extra, &out);
                extra.extend(["--sampling-fraction", "0.2"]);
                let a = check_same_figures(&v, &out, &extra);
                // Repeats and nulls made the people-level table differ from the rows'.
                assert!(a["people"]["rows"].as_u64() > a["people"]["people"].as_u64());
                eprintln!(
                    "seed {seed}, set {set}, sensitive {sensitive}: {} people, {} rows, {} classes, {} alone",
                    a["people"]["people"], a["people"]["rows"], a["classes"]["classes"], a["sample_uniques"]["records"]
                );
            }
        }
    }
}

/// The ANSI dialect (ROW types, values as text) run in DuckDB: the same figures (the QIs here
/// are text and integers, whose text is reident's canonical text).
#[test]
fn ansi_people_sql_runs_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let v = random_visits(dir.path(), 7, 200);
    for set in [false, true] {
        let mut extra = vec!["--sensitive", "diagnosis"];
        if set {
            extra.extend(["--entity-signature", "set"]);
        }
        let out = dir.path().join(format!("ansi{set}.parquet"));
        duckdb_people(&v, "ansi", &extra, &out);
        check_same_figures(&v, &out, &extra);
    }
}

#[test]
fn duckdb_people_sql_on_the_visit_example() {
    let dir = tempfile::tempdir().unwrap();
    let (v, alone) = clinic_visits(dir.path());
    let out = dir.path().join("clinic.parquet");
    // Small row groups: the classes arrive in several record batches.
    duckdb_people_in_groups(&v, "duckdb", &["--sensitive", "visit"], &out, Some(256));
    let groups = parquet::file::reader::FileReader::metadata(
        &parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&out).unwrap())
            .unwrap(),
    )
    .num_row_groups();
    assert!(groups > 1, "{groups} row group");
    let extra = ["--sensitive", "visit", "--population", "usa"];
    let a = check_same_figures(&v, &out, &extra);
    assert_eq!(a["sample_uniques"]["records"], alone);
    assert_eq!(a["people"]["people"], 2000);
    let cls = out.to_str().unwrap();
    // k = 2 fails by people from the class table, as on the records.
    let gate = run_cli(&[
        "--quiet",
        "gate",
        "--classes",
        cls,
        "--qi",
        "sex,birth_year,zip3",
        "--entity",
        "patient_id",
        "--k",
        "2",
        "--audit-log",
        dir.path().join("audit.log").to_str().unwrap(),
    ]);
    assert_eq!(gate.status.code(), Some(1));
    // The file as a set: a patient's visits collapse to one tuple.
    let set = dir.path().join("clinic_set.parquet");
    duckdb_people(&v, "duckdb", &["--entity-signature", "set"], &set);
    check_same_figures(&v, &set, &["--entity-signature", "set"]);
}

/// `reident classes --entity` written and read back: the same figures as the records; the
/// rewritten file (`classes --classes ... --entity`) byte-for-byte the same table.
#[test]
fn classes_entity_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let v = random_visits(dir.path(), 11, 250);
    let qi = v.qi();
    let data = v.path.to_str().unwrap();
    for set in [false, true] {
        let mut extra = vec!["--sensitive", "diagnosis"];
        if set {
            extra.extend(["--entity-signature", "set"]);
        }
        let out = dir.path().join(format!("c{set}.parquet"));
        let o = out.to_str().unwrap();
        let mut args = vec![
            "--quiet",
            "classes",
            data,
            "--qi",
            &qi,
            "--entity",
            "member_id",
        ];
        args.extend(&extra);
        args.extend(["-o", o, "--json"]);
        let summary = cli_json(&args);
        let a = check_same_figures(&v, &out, &extra);
        assert_eq!(summary["people"]["people"], a["people"]["people"]);
        assert_eq!(summary["records"], a["people"]["rows"]);
        assert_eq!(summary["classes"], a["classes"]["classes"]);
        // Rewritten from itself: the same table.
        let again = dir.path().join(format!("again{set}.parquet"));
        let mut args = vec![
            "--quiet",
            "classes",
            "--classes",
            o,
            "--qi",
            &qi,
            "--entity",
            "member_id",
        ];
        args.extend(&extra);
        args.extend(["-o", again.to_str().unwrap()]);
        cli_stdout(&args);
        check_same_figures(&v, &again, &extra);
        // DuckDB's file for the same table gives the same figures as reident's.
        let duck = dir.path().join(format!("duck{set}.parquet"));
        duckdb_people(&v, "duckdb", &extra, &duck);
        let read = |p: &Path| {
            let mut args = vec![
                "--quiet",
                "analyze",
                "--classes",
                p.to_str().unwrap(),
                "--qi",
                &qi,
                "--entity",
                "member_id",
            ];
            args.extend(&extra);
            args.push("--json");
            figures(cli_json(&args))
        };
        assert_same(&read(&out), &read(&duck), "reident vs duckdb");
    }
}

/// A multiset file read as a set gives the set figures of the records; fewer QIs roll the
/// signatures up; a folder of part files (people split between them) reads as one table.
#[test]
fn people_files_roll_up_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let v = random_visits(dir.path(), 5, 300);
    let multiset = dir.path().join("m.parquet");
    duckdb_people(&v, "duckdb", &["--sensitive", "diagnosis"], &multiset);
    check_same_figures(
        &v,
        &multiset,
        &["--sensitive", "diagnosis", "--entity-signature", "set"],
    );
    // Two QIs of the three.
    let two = Visits {
        qi: strings(&["sex", "zip3"]),
        entity: v.entity.clone(),
        sensitive: v.sensitive.clone(),
        path: v.path.clone(),
    };
    for set in [&[][..], &["--entity-signature", "set"][..]] {
        let mut extra = vec!["--sensitive", "diagnosis"];
        extra.extend(set);
        check_same_figures(&two, &multiset, &extra);
    }
    // Parts: people with even and odd ids computed apart; the signatures they share merge.
    let parts = dir.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    for (i, cond) in ["member_id % 2 = 0", "member_id % 2 = 1"]
        .iter()
        .enumerate()
    {
        let q = cli_stdout(&[
            "sql",
            "--dialect",
            "duckdb",
            "--from",
            &format!("(SELECT * FROM t WHERE {cond})"),
            "--entity",
            "member_id",
            "--qi",
            &v.qi(),
            "--sensitive",
            "diagnosis",
            "--copy-to",
            parts.join(format!("part-{i}.parquet")).to_str().unwrap(),
        ]);
        duckdb(&q, &[("t", &v.path)]);
    }
    check_same_figures(&v, &parts, &["--sensitive", "diagnosis"]);
}

/// A row without an entity value fails DuckDB's query with a message that names the column.
#[test]
fn duckdb_people_sql_fails_on_rows_without_an_entity() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("n.parquet");
    write_parquet(
        &data,
        &[
            ("pid", vec![Some("A".into()), None]),
            ("a", vec![Some("x".into()), Some("x".into())]),
        ],
        &[],
    );
    let q = cli_stdout(&[
        "sql",
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--qi",
        "a",
        "--entity",
        "pid",
    ]);
    let file = dir.path().join("q.sql");
    std::fs::write(&file, format!("SELECT * FROM ({q})")).unwrap();
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/duckdb_sql.py"))
        .arg("--file")
        .arg(&file)
        .arg("--view")
        .arg(format!("t={}", data.display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no value in the entity column \"pid\""),
        "{err}"
    );
}
