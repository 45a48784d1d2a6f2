//! People, not rows (`--entity`): every people-level figure against a naive computation from the
//! rows (each person's signature formed directly: the multiset, or the set, of their rows' QI
//! tuples), on random visit-level tables with repeats and nulls; a hand-checked tiny case; the
//! visit example of the issue through the CLI; and the anonymization search against a brute force
//! over a small lattice.

mod common;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use proptest::prelude::*;
use reident::classes::people::Signature;
use reident::options::{Flags, Settings, TableSource};

/// A visit-level table: (person, QI values, sensitive value); QI value 0 is a null.
type Visits = Vec<(u32, Vec<u32>, u32)>;

fn write_csv(path: &Path, rows: &Visits, n_qi: usize) {
    let mut text = String::from("pid");
    for q in 0..n_qi {
        text.push_str(&format!(";q{q}"));
    }
    text.push_str(";s\n");
    for (p, qi, s) in rows {
        text.push_str(&format!("p{p}"));
        for &v in qi {
            if v == 0 {
                text.push(';');
            } else {
                text.push_str(&format!(";v{v}"));
            }
        }
        text.push_str(&format!(";s{s}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// Each person's signature over the QIs of `mask`, and the sensitive values of their rows.
fn signatures(
    rows: &Visits,
    mask: &[usize],
    set: bool,
) -> BTreeMap<u32, (Vec<Vec<u32>>, Vec<u32>)> {
    let mut by: BTreeMap<u32, (Vec<Vec<u32>>, Vec<u32>)> = BTreeMap::new();
    for (p, qi, s) in rows {
        let e = by.entry(*p).or_default();
        e.0.push(mask.iter().map(|&q| qi[q]).collect());
        e.1.push(*s);
    }
    for (sig, _) in by.values_mut() {
        sig.sort();
        if set {
            sig.dedup();
        }
    }
    by
}

/// Class sizes (people per signature), and each class's distinct sensitive values.
fn naive_classes(rows: &Visits, mask: &[usize], set: bool) -> Vec<(u64, usize)> {
    let mut classes: BTreeMap<Vec<Vec<u32>>, (u64, BTreeSet<u32>)> = BTreeMap::new();
    for (_, (sig, sens)) in signatures(rows, mask, set) {
        let c = classes.entry(sig).or_default();
        c.0 += 1;
        c.1.extend(sens);
    }
    classes.into_values().map(|(n, s)| (n, s.len())).collect()
}

fn settings(n_qi: usize, set: bool, sensitive: bool) -> Settings {
    Settings::resolve(&Flags {
        qi: (0..n_qi).map(|q| format!("q{q}")).collect(),
        sensitive: if sensitive { vec!["s".into()] } else { vec![] },
        entity: Some("pid".into()),
        entity_signature: Some(if set {
            Signature::Set
        } else {
            Signature::Multiset
        }),
        ..Flags::default()
    })
    .unwrap()
}

/// Random visit-level tables: 1-8 rows per person, values with repeats and nulls.
fn visits() -> impl Strategy<Value = (Visits, usize)> {
    (1usize..4).prop_flat_map(|n_qi| {
        (
            proptest::collection::vec(
                (
                    1usize..9,
                    proptest::collection::vec(0u32..4, n_qi),
                    proptest::collection::vec(0u32..4, n_qi),
                    0u32..3,
                ),
                1..40,
            )
            .prop_map(|people| {
                let mut rows = Vec::new();
                for (p, (visits, base, other, s)) in people.into_iter().enumerate() {
                    for v in 0..visits {
                        // Repeats of the person's usual tuple, sometimes another one.
                        let qi = if v % 3 == 2 {
                            other.clone()
                        } else {
                            base.clone()
                        };
                        rows.push((p as u32, qi, (s + v as u32) % 3));
                    }
                }
                // Visits are not grouped by person in the file.
                let n = rows.len();
                let mut shuffled = Vec::with_capacity(n);
                for i in 0..n {
                    shuffled.push(rows[(i * 7 + 3) % n].clone());
                }
                if n % 7 == 0 {
                    shuffled = rows;
                }
                shuffled
            }),
            Just(n_qi),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Every people-level figure of `analyze` (classes, k, uniques, prosecutor risk, distinct
    /// l-diversity) and of its QI combinations, multiset and set, equals the naive computation.
    #[test]
    fn people_figures_equal_a_naive_computation((rows, n_qi) in visits(), set in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("v.csv");
        write_csv(&data, &rows, n_qi);
        let options = reident::analyze::Options::new(TableSource::data(&data), settings(n_qi, set, true));
        let outcome = reident::analyze::run(&options).unwrap();
        let r = &outcome.report;
        let all: Vec<usize> = (0..n_qi).collect();
        let classes = naive_classes(&rows, &all, set);
        let people: u64 = classes.iter().map(|c| c.0).sum();
        prop_assert_eq!(r.classes.records, people);
        prop_assert_eq!(r.dataset.records, rows.len() as u64);
        prop_assert_eq!(r.classes.classes, classes.len() as u64);
        prop_assert_eq!(r.classes.smallest, classes.iter().map(|c| c.0).min().unwrap());
        prop_assert_eq!(r.sample_uniques.records, classes.iter().filter(|c| c.0 == 1).count() as u64);
        prop_assert!((r.prosecutor.average - classes.len() as f64 / people as f64).abs() < 1e-12);
        let p = r.people.as_ref().unwrap();
        prop_assert_eq!((p.people, p.rows), (people, rows.len() as u64));
        prop_assert_eq!(
            r.sensitive[0].l_diversity.distinct.l as usize,
            classes.iter().map(|c| c.1).min().unwrap()
        );
        // Every subset of QIs, through the report's combinations.
        let report = reident::report::build::analysis(&outcome, "analyze", vec!["t".into(), "t".into()], false).unwrap();
        let combos = report.figures.combinations.unwrap();
        for f in &combos.subsets {
            let mask: Vec<usize> = f.qis.iter().map(|q| q[1..].parse().unwrap()).collect();
            let c = naive_classes(&rows, &mask, set);
            prop_assert_eq!(f.classes, c.len() as u64, "{:?}", f.qis);
            prop_assert_eq!(f.sample_uniques, c.iter().filter(|c| c.0 == 1).count() as u64);
            prop_assert_eq!(f.k, c.iter().map(|c| c.0).min().unwrap());
        }
    }
}

/// One person with five identical rows is a class of size 1, not 5.
#[test]
fn five_identical_rows_are_one_person_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("v.csv");
    std::fs::write(&data, "pid;q0\nA;x\nA;x\nA;x\nA;x\nA;x\nB;y\nC;y\n").unwrap();
    let flags = |entity: bool| Flags {
        qi: vec!["q0".into()],
        entity: entity.then(|| "pid".into()),
        ..Flags::default()
    };
    let rows = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::data(&data),
        Settings::resolve(&flags(false)).unwrap(),
    ))
    .unwrap();
    assert_eq!(rows.report.classes.smallest, 2);
    let people = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::data(&data),
        Settings::resolve(&flags(true)).unwrap(),
    ))
    .unwrap();
    let c = &people.report.classes;
    assert_eq!((c.records, c.classes, c.smallest, c.largest), (3, 2, 1, 2));
    assert_eq!(people.report.sample_uniques.records, 1);
    assert_eq!(people.report.dataset.records, 7);
}

/// The visit table: 2,000 patients with 2-6 visits each (the same sex, birth year and
/// ZIP3 on every visit). By rows every class has at least 2 records; by people many patients
/// are alone: a patient's signature is their tuple with their number of visits.
fn clinic_visits(path: &Path) -> (u64, u64) {
    let mut text = String::from("patient_id;sex;birth_year;zip3;visit\n");
    let mut state: u64 = 20_261_207;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut tuples: BTreeMap<(u64, u64, u64, u64), u64> = BTreeMap::new();
    for p in 0..2000 {
        let (sex, year, zip) = (next(2), 1930 + next(70), next(40));
        let visits = 2 + next(5);
        *tuples.entry((sex, year, zip, visits)).or_default() += 1;
        for v in 0..visits {
            text.push_str(&format!(
                "P{p:05};{};{year};{:03};{v}\n",
                ["F", "M"][sex as usize],
                100 + zip
            ));
        }
    }
    std::fs::write(path, text).unwrap();
    let alone = tuples.values().filter(|&&n| n == 1).count() as u64;
    (2000, alone)
}

#[test]
fn the_visit_example_fails_by_people_and_warns_by_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("visits.csv");
    let (_, alone) = clinic_visits(&data);
    assert!(alone > 100, "{alone} patients alone");
    let d = data.to_str().unwrap();
    let log = dir.path().join("audit.log");
    let l = log.to_str().unwrap();
    let qi = "sex,birth_year,zip3";
    // By rows it passes (every patient has 2 visits or more), with the warning.
    let rows = run_cli(&["gate", d, "--qi", qi, "--k", "2", "--audit-log", l, "-q"]);
    assert_eq!(rows.status.code(), Some(0));
    let err = String::from_utf8_lossy(&rows.stderr);
    assert!(
        err.contains("rows share values of patient_id") && err.contains("--entity patient_id"),
        "{err}"
    );
    // By people it fails, and analyze counts the patients alone.
    let people = run_cli(&[
        "gate",
        d,
        "--qi",
        qi,
        "--k",
        "2",
        "--entity",
        "patient_id",
        "--audit-log",
        l,
        "-q",
    ]);
    assert_eq!(people.status.code(), Some(1));
    let json = run_cli(&[
        "analyze",
        d,
        "--qi",
        qi,
        "--entity",
        "patient_id",
        "--json",
        "-q",
    ]);
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["sample_uniques"]["records"], alone);
    assert_eq!(v["people"]["people"], 2000);
    assert_eq!(v["classes"]["records"], 2000);
}

/// A hierarchy over values 0..4 (0: null) of three levels: the value, its pair, `*`.
fn hierarchy_rows() -> Vec<Vec<String>> {
    (0..4u32)
        .map(|v| {
            let value = if v == 0 {
                "NULL".to_string()
            } else {
                format!("v{v}")
            };
            vec![value, format!("g{}", v / 2), "*".into()]
        })
        .collect()
}

/// Naive evaluation of one transformation over people: the Loss if anonymous.
fn naive_loss(
    rows: &Visits,
    n_qi: usize,
    levels: &[usize],
    k: u64,
    limit: f64,
    set: bool,
) -> Option<f64> {
    let h = hierarchy_rows();
    let general = |q: usize, v: u32| h[v as usize][levels[q]].clone();
    let mut by: BTreeMap<u32, Vec<Vec<String>>> = BTreeMap::new();
    for (p, qi, _) in rows {
        by.entry(*p)
            .or_default()
            .push((0..n_qi).map(|q| general(q, qi[q])).collect());
    }
    let mut classes: BTreeMap<Vec<Vec<String>>, u64> = BTreeMap::new();
    let mut sig_of: BTreeMap<u32, Vec<Vec<String>>> = BTreeMap::new();
    for (p, mut sig) in by {
        sig.sort();
        if set {
            sig.dedup();
        }
        *classes.entry(sig.clone()).or_default() += 1;
        sig_of.insert(p, sig);
    }
    let people: u64 = classes.values().sum();
    let suppressed: u64 = classes.values().filter(|&&n| n < k).sum();
    if suppressed > (limit * people as f64 + 1e-9).floor() as u64 || suppressed >= people {
        return None;
    }
    let gone = |p: u32| classes[&sig_of[&p]] < k;
    let n = rows.len() as f64;
    let d = h.len() as f64;
    let mut product = 1.0;
    for q in 0..n_qi {
        let mut agg = 0.0;
        for (p, qi, _) in rows {
            let value = general(q, qi[q]);
            let share = h.iter().filter(|r| r[levels[q]] == value).count() as f64 / d;
            agg += if gone(*p) { 1.0 } else { share };
        }
        let min = n / d;
        let loss = (((agg - min) / (n - min)).max(0.0) * 1e10).floor() / 1e10;
        product *= (loss + 1.0).powf(1.0 / n_qi as f64);
    }
    Some(product - 1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// `anonymize --entity` finds the brute force's optimum over a small lattice (3 levels per
    /// QI), and its release, re-analysed by people, meets k.
    #[test]
    fn people_anonymization_equals_brute_force(
        (rows, n_qi) in visits(),
        k in 2u64..4,
        limit in prop_oneof![Just(0.0), Just(0.2)],
        set in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("v.csv");
        write_csv(&data, &rows, n_qi);
        let hdir = dir.path().join("h");
        std::fs::create_dir(&hdir).unwrap();
        let text: String = hierarchy_rows().iter().map(|r| r.join(";") + "\n").collect();
        for q in 0..n_qi {
            std::fs::write(hdir.join(format!("hierarchy_q{q}.csv")), &text).unwrap();
        }
        let mut s = settings(n_qi, set, false);
        s.targets.k = Some(k);
        s.suppression_limit = Some(limit);
        s.hierarchies = Some(hdir);
        let mut options = reident::anonymize::Options::new(TableSource::data(&data), s.clone());
        let out = dir.path().join("out.csv");
        options.output = Some(out.clone());
        options.keep_entity = true;
        let mut best: Option<f64> = None;
        let mut levels = vec![0usize; n_qi];
        loop {
            if let Some(l) = naive_loss(&rows, n_qi, &levels, k, limit, set) {
                best = Some(best.map_or(l, |b: f64| b.min(l)));
            }
            let mut q = 0;
            while q < n_qi && levels[q] == 2 { levels[q] = 0; q += 1; }
            if q == n_qi { break; }
            levels[q] += 1;
        }
        match reident::anonymize::run(&options) {
            Ok(o) => {
                let found = o.summary.best.loss.unwrap();
                prop_assert!(best.is_some(), "the search found {found}, the brute force nothing");
                prop_assert!((found - best.unwrap()).abs() < 1e-9, "search {found}, brute force {best:?}");
                // The release, re-analysed by people, meets k.
                let again = reident::analyze::run(&reident::analyze::Options::new(TableSource::data(&out), s)).unwrap();
                prop_assert!(again.report.classes.smallest >= k);
            }
            Err(e) => prop_assert!(best.is_none(), "no transformation found ({e}), the brute force has {best:?}"),
        }
    }
}

/// `--record-risk` with `--entity`: each row carries its person's class size.
#[test]
fn each_row_carries_its_persons_risk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("v.csv");
    std::fs::write(&data, "pid;q0\nA;x\nB;y\nA;x\nC;y\nA;x\n").unwrap();
    let out = dir.path().join("risk.parquet");
    let run = run_cli(&[
        "analyze",
        data.to_str().unwrap(),
        "--qi",
        "q0",
        "--entity",
        "pid",
        "--record-risk",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let input = reident::Input::open(&out, &Default::default()).unwrap();
    let size = input.column_index("class_size").unwrap();
    let chunks = input
        .map_chunks(&[size], &reident::progress::Progress::hidden(), |c| c)
        .unwrap();
    let sizes: Vec<String> = chunks
        .iter()
        .flat_map(|c| {
            let col = &c.columns[0];
            col.codes
                .iter()
                .map(|&k| col.dict[k as usize].clone())
                .collect::<Vec<_>>()
        })
        .collect();
    // A's three rows: a person alone; B and C: two people with signature {y}.
    assert_eq!(sizes, ["1", "2", "1", "2", "1"]);
}

/// The pseudonyms that `safe-harbor --pseudonymize` writes are a permitted re-identification
/// code: `anonymize --entity` keeps that column by default; a plain entity column is dropped.
#[test]
fn safe_harbor_pseudonyms_stay_as_the_entity() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("visits.csv");
    clinic_visits(&data);
    let sh = dir.path().join("sh.parquet");
    let d = |p: &Path| p.to_str().unwrap().to_string();
    let run = run_cli(&[
        "safe-harbor",
        &d(&data),
        "-o",
        &d(&sh),
        "--pseudonymize",
        "patient_id",
        "--no-scan",
        "-q",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let header = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    for (input, kept) in [(sh.clone(), true), (data.clone(), false)] {
        let out = dir.path().join(format!("out-{kept}.csv"));
        let run = run_cli(&[
            "anonymize",
            &d(&input),
            "--qi",
            "sex,birth_year,zip3",
            "--entity",
            "patient_id",
            "--suppress",
            "sex",
            "--interval",
            "birth_year:10,20,40",
            "--mask",
            "zip3:1,2,3",
            "--k",
            "2",
            "--suppression-limit",
            "0.1",
            "-o",
            &d(&out),
            "-q",
        ]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            header(&out).contains("patient_id"),
            kept,
            "{}",
            header(&out)
        );
    }
}
