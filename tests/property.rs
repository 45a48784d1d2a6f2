//! The class table against an independent, naive implementation (a `BTreeMap` over the rows'
//! value tuples) on random tables, with random chunkings; roll-ups against a fresh build; and
//! byte-identical output for 1 and 2 threads.

mod common;
use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use reident::classes::{ClassTable, Layout, LocalClasses, Merger, Recode, RollupQi};
use reident::input::encode::LocalColumn;
use reident::input::Chunk;

type Row = Vec<Option<u8>>;

/// Text of a random cell: a small number, or NULL.
fn text(v: Option<u8>) -> String {
    v.map_or("NULL".to_string(), |v| format!("v{v}"))
}

/// Encodes rows into a chunk the way a reader does (first-appearance local dictionaries).
fn chunk(rows: &[Row], n_cols: usize) -> Chunk {
    let columns = (0..n_cols)
        .map(|c| {
            let mut dict: Vec<String> = Vec::new();
            let codes = rows
                .iter()
                .map(|r| {
                    let t = text(r[c]);
                    match dict.iter().position(|d| *d == t) {
                        Some(p) => p as u32,
                        None => {
                            dict.push(t);
                            (dict.len() - 1) as u32
                        }
                    }
                })
                .collect();
            LocalColumn { dict, codes }
        })
        .collect();
    Chunk {
        rows: rows.len(),
        columns,
    }
}

fn layout(n_qi: usize, n_cols: usize) -> Layout {
    Layout {
        n_qi,
        n_sensitive: n_cols - n_qi,
        ..Default::default()
    }
}

fn build(rows: &[Row], n_qi: usize, n_cols: usize, chunk_rows: usize) -> ClassTable {
    let names: Vec<String> = (0..n_cols).map(|c| format!("c{c}")).collect();
    let locals = rows
        .chunks(chunk_rows.max(1))
        .map(|r| LocalClasses::from_chunk(chunk(r, n_cols), &layout(n_qi, n_cols)).unwrap())
        .collect();
    ClassTable::from_locals(&names, n_qi, locals)
}

/// Naive: QI text tuple -> (count, sensitive text histograms).
type Naive = BTreeMap<Vec<String>, (u64, Vec<BTreeMap<String, u64>>)>;

fn naive(rows: &[Row], n_qi: usize, n_cols: usize) -> Naive {
    let mut m: Naive = BTreeMap::new();
    for r in rows {
        let key: Vec<String> = r[..n_qi].iter().map(|&v| text(v)).collect();
        let e = m
            .entry(key)
            .or_insert_with(|| (0, vec![BTreeMap::new(); n_cols - n_qi]));
        e.0 += 1;
        for (hist, &v) in e.1.iter_mut().zip(&r[n_qi..n_cols]) {
            *hist.entry(text(v)).or_insert(0) += 1;
        }
    }
    m
}

fn as_naive(t: &ClassTable) -> Naive {
    let mut m: Naive = BTreeMap::new();
    for c in 0..t.n_classes() {
        let key: Vec<String> = t.key_text(c).iter().map(|s| s.to_string()).collect();
        let hists = t
            .sensitive
            .iter()
            .map(|h| {
                let (codes, counts) = h.of(c);
                codes
                    .iter()
                    .zip(counts)
                    .map(|(&code, &n)| (h.domain.values[code as usize].clone(), n))
                    .collect()
            })
            .collect();
        assert!(
            m.insert(key, (t.counts[c], hists)).is_none(),
            "duplicate class"
        );
    }
    m
}

fn table_strategy() -> impl Strategy<Value = (Vec<Row>, usize, usize, usize)> {
    (1usize..5, 0usize..3, 1usize..9, 1usize..400, 1usize..120).prop_flat_map(
        |(n_qi, n_sens, card, n_rows, chunk_rows)| {
            let n_cols = n_qi + n_sens;
            // Some cells null; values from a per-table cardinality.
            let cell = prop_oneof![1 => Just(None), 6 => (0..card as u8).prop_map(Some)];
            (
                proptest::collection::vec(proptest::collection::vec(cell, n_cols), n_rows),
                Just(n_qi),
                Just(n_cols),
                Just(chunk_rows),
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn class_table_equals_naive_grouping((rows, n_qi, n_cols, chunk_rows) in table_strategy(), flush in 1usize..50) {
        let t = build(&rows, n_qi, n_cols, chunk_rows);
        prop_assert_eq!(t.n_records, rows.len() as u64);
        prop_assert_eq!(as_naive(&t), naive(&rows, n_qi, n_cols));
        // Chunking changes nothing, not even the order of classes.
        let whole = build(&rows, n_qi, n_cols, rows.len());
        prop_assert_eq!(&t, &whole);
        // Nor does merging in many small steps (bounded memory for long files).
        let names: Vec<String> = (0..n_cols).map(|c| format!("c{c}")).collect();
        let mut m = Merger::with_flush_items(&names, n_qi, flush);
        for r in rows.chunks(chunk_rows) {
            m.push(vec![LocalClasses::from_chunk(chunk(r, n_cols), &layout(n_qi, n_cols)).unwrap()]);
        }
        prop_assert_eq!(&m.finish(), &t);
    }

    #[test]
    fn rollup_equals_a_fresh_build((rows, n_qi, n_cols, chunk_rows) in table_strategy()) {
        let t = build(&rows, n_qi, n_cols, chunk_rows);
        // Drop the first QI, and recode the last one to "even"/"odd"/NULL when there are two.
        let recode = Recode {
            map: t.qis[n_qi - 1]
                .values
                .iter()
                .map(|v| match v.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) {
                    Some(n) => n % 2,
                    None => 2,
                })
                .collect(),
            values: vec!["even".to_string(), "odd".into(), "NULL".into()].into(),
        };
        let keep: Vec<RollupQi> = (1..n_qi)
            .map(|q| RollupQi { source: q, recode: if q == n_qi - 1 { Some(&recode) } else { None } })
            .collect();
        prop_assume!(!keep.is_empty());
        let rolled = t.rollup(&keep);
        // The same directly from the rows.
        let gen_rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                (1..n_qi)
                    .map(|q| {
                        if q == n_qi - 1 {
                            match r[q] { Some(v) => if v % 2 == 0 { "even".into() } else { "odd".into() }, None => "NULL".into() }
                        } else {
                            text(r[q])
                        }
                    })
                    .collect()
            })
            .collect();
        let mut direct: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for (k, r) in gen_rows.iter().zip(&rows) {
            let _ = r;
            *direct.entry(k.clone()).or_insert(0) += 1;
        }
        let got: BTreeMap<Vec<String>, u64> = (0..rolled.n_classes())
            .map(|c| (rolled.key_text(c).iter().map(|s| s.to_string()).collect(), rolled.counts[c]))
            .collect();
        prop_assert_eq!(got, direct);
        // Sensitive histograms survive the roll-up.
        for h in &rolled.sensitive {
            prop_assert_eq!(h.counts.iter().sum::<u64>(), rows.len() as u64);
        }
    }
}

fn json_with_threads(
    threads: usize,
    path: &std::path::Path,
    qi: &[String],
    s: &[String],
) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let (t, r) = analyze(path, qi, s);
        format!("{}\n{:?}", serde_json::to_string(&r).unwrap(), t)
    })
}

#[test]
fn output_is_identical_for_one_and_two_threads() {
    for (path, qi, s) in [
        (
            adult("adult.parquet"),
            strings(&ADULT_QI[..8]),
            strings(&["salary-class"]),
        ),
        (
            fixture("types_pyarrow.parquet"),
            strings(&["city", "age", "visit"]),
            strings(&["flag"]),
        ),
        (
            fixture("types_duckdb.parquet"),
            all_columns(&fixture("types_duckdb.parquet")),
            vec![],
        ),
    ] {
        let one = json_with_threads(1, &path, &qi, &s);
        let two = json_with_threads(2, &path, &qi, &s);
        assert_eq!(one, two, "{}", path.display());
    }
}

#[test]
fn cli_json_is_byte_identical_for_one_and_two_threads() {
    let args = |t: &'static str| {
        run_cli(&[
            "--threads",
            t,
            "analyze",
            "tests/fixtures/types_pyarrow.parquet",
            "--qi",
            "city,age,code,visit",
            "--sensitive",
            "flag",
            "--json",
        ])
    };
    let (a, b) = (args("1"), args("2"));
    assert!(a.status.success());
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}
