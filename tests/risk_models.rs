//! Journalist, marketer and weighted individual risk from the class table, against the same
//! figures computed directly from the rows of small random tables; and the per-record output.

mod common;
use std::collections::HashMap;
use std::io::Write;

use common::*;
use proptest::prelude::*;
use reident::analyze::{AnalyzeReport, ModelOptions};
use reident::classes::Source;
use reident::progress::Progress;
use reident::risk::individual::individual_risk;
use reident::risk::population::{Population, PopulationSpec};
use reident::{Input, InputOptions, Policy, Roles};

#[derive(Debug)]
struct Case {
    rows: Vec<(u8, u8, u32)>,
    /// Population count of every (a, b) combination that the table lists.
    population: HashMap<(u8, u8), u64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((0u8..4, 0u8..3, 1u32..6), 1..120),
        proptest::collection::vec(0u64..20, 12),
    )
        .prop_map(|(rows, extra)| {
            let mut f: HashMap<(u8, u8), u64> = HashMap::new();
            for &(a, b, _) in &rows {
                *f.entry((a, b)).or_default() += 1;
            }
            // Every combination in the table; sample classes get at least their sample size.
            let mut population = HashMap::new();
            for a in 0..4u8 {
                for b in 0..3u8 {
                    let base = f.get(&(a, b)).copied().unwrap_or(0);
                    population.insert((a, b), base + extra[(a * 3 + b) as usize]);
                }
            }
            population.retain(|_, v| *v > 0);
            Case { rows, population }
        })
}

fn write_case(dir: &std::path::Path, c: &Case) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = dir.join("data.csv");
    let mut f = std::fs::File::create(&data).unwrap();
    writeln!(f, "a;b;w").unwrap();
    for (a, b, w) in &c.rows {
        writeln!(f, "x{a};y{b};{w}").unwrap();
    }
    let pop = dir.join("population.csv");
    let mut f = std::fs::File::create(&pop).unwrap();
    writeln!(f, "b;a;count").unwrap();
    for ((a, b), n) in &c.population {
        writeln!(f, "y{b};x{a};{n}").unwrap();
    }
    (data, pop)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn attacker_models_equal_row_level_computation(c in case()) {
        let dir = tempfile::tempdir().unwrap();
        let (data, pop) = write_case(dir.path(), &c);
        let input = Source::Records(Input::open(&data, &InputOptions::default()).unwrap());
        let policy = Policy { quasi_identifiers: strings(&["a", "b"]), weight: Some("w".into()), ..Policy::default() };
        let roles = Roles::resolve(&policy, input.columns()).unwrap();
        let (table, rows) = input.build(&roles, true, &Progress::hidden()).unwrap();
        let rows = rows.unwrap();
        let spec = PopulationSpec::Table { path: pop, count_column: "count".into() };
        let population = Population::resolve(&spec, &table, &InputOptions::default()).unwrap();
        let r = AnalyzeReport::with_models(&input, &roles, &table, population, &ModelOptions::default()).unwrap();

        // Straight from the rows.
        let n = c.rows.len() as f64;
        let mut f: HashMap<(u8, u8), u64> = HashMap::new();
        let mut wsum: HashMap<(u8, u8), f64> = HashMap::new();
        for &(a, b, w) in &c.rows {
            *f.entry((a, b)).or_default() += 1;
            *wsum.entry((a, b)).or_default() += w as f64;
        }
        let big_f = |k: &(u8, u8)| c.population[k] as f64;
        let classes = f.len() as f64;
        let sum_big_f: f64 = f.keys().map(big_f).sum();
        let mean_inv: f64 = c.rows.iter().map(|&(a, b, _)| 1.0 / big_f(&(a, b))).sum::<f64>() / n;
        let highest = f.keys().map(|k| 1.0 / big_f(k)).fold(0.0, f64::max);
        prop_assert!((r.journalist.highest - highest).abs() < 1e-12);
        prop_assert!((r.journalist.success_rate - (classes / sum_big_f).max(mean_inv)).abs() < 1e-12);
        prop_assert!((r.marketer.success_rate - mean_inv).abs() < 1e-12);
        for above in &r.journalist.records_above {
            let want = c.rows.iter().filter(|&&(a, b, _)| 1.0 / big_f(&(a, b)) > above.threshold).count() as u64;
            prop_assert_eq!(above.records, want);
        }
        prop_assert_eq!(r.population.size, c.population.values().sum::<u64>());

        // Weighted individual risk: F = the class's weight sum.
        let risk = |a: u8, b: u8| individual_risk(f[&(a, b)], wsum[&(a, b)]);
        let global: f64 = c.rows.iter().map(|&(a, b, _)| risk(a, b)).sum();
        let ir = r.individual_risk.as_ref().unwrap();
        prop_assert!((ir.global_risk - global).abs() < 1e-9, "{} vs {}", ir.global_risk, global);
        prop_assert!((ir.global_share - global / n).abs() < 1e-12);
        let top = c.rows.iter().map(|&(a, b, _)| risk(a, b)).fold(0.0, f64::max);
        prop_assert!((ir.highest - top).abs() < 1e-12);

        // Every row's class has that row's key.
        prop_assert_eq!(rows.len(), c.rows.len());
        for (i, &(a, b, _)) in c.rows.iter().enumerate() {
            let key = table.key_text(rows[i] as usize);
            prop_assert_eq!(key, vec![format!("x{a}"), format!("y{b}")]);
        }
    }
}

#[test]
fn missing_population_class_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "a;b\n1;2\n1;3\n").unwrap();
    let pop = dir.path().join("p.csv");
    std::fs::write(&pop, "a;b;count\n1;2;10\n9;9;5\n").unwrap();
    let out = run_cli(&[
        "analyze",
        data.to_str().unwrap(),
        "--qi",
        "a,b",
        "--population-table",
        pop.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing from the population table"), "{err}");
}

#[test]
fn record_risk_file_has_one_row_per_record_and_no_values() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("risk.parquet");
    let out = run_cli(&[
        "analyze",
        "datasets/adult/adult.parquet",
        "--qi",
        "sex,age,race",
        "--sampling-fraction",
        "0.5",
        "--record-risk",
        out_path.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let input = Input::open(&out_path, &InputOptions::default()).unwrap();
    assert_eq!(
        input.columns(),
        strings(&["row", "class_size", "prosecutor_risk", "journalist_risk"]).as_slice()
    );
    // Row 0 of Adult is a 39-year-old white man: the class size must be that of its class.
    let (table, _) = analyze(
        &adult("adult.parquet"),
        &strings(&["sex", "age", "race"]),
        &[],
    );
    let cls = (0..table.n_classes())
        .find(|&c| table.key_text(c) == ["Male", "39", "White"])
        .unwrap();
    let all: Vec<usize> = (0..4).collect();
    let chunks = input.map_chunks(&all, &Progress::hidden(), |c| c).unwrap();
    let first = &chunks[0];
    let text = |col: usize, row: usize| {
        first.columns[col].dict[first.columns[col].codes[row] as usize].clone()
    };
    assert_eq!(text(0, 0), "0");
    assert_eq!(text(1, 0), table.counts[cls].to_string());
    let f = table.counts[cls] as f64;
    assert_eq!(text(2, 0).parse::<f64>().unwrap(), 1.0 / f);
    assert_eq!(text(3, 0).parse::<f64>().unwrap(), 0.5 / f);
    let rows: usize = chunks.iter().map(|c| c.rows).sum();
    assert_eq!(rows, 30_162);
}
