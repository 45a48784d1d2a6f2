//! Class-table build and roll-up benchmarks.
//!
//! `cargo bench --bench class_table` times the shipped Adult sample. For the scale goals, generate
//! the scaled files first (`python3 scripts/gen_scaled.py --rows 10000000 --out
//! /tmp/adult_10M.parquet`) and point `REIDENT_BENCH_FILE` at one of them.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use reident::classes::build_class_table;
use reident::classes::RollupQi;
use reident::progress::Progress;
use reident::{Input, InputOptions, Policy, Roles};

const QI: [&str; 9] = [
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

fn roles(input: &Input) -> Roles {
    let qi: Vec<String> = QI.iter().map(|s| s.to_string()).collect();
    Roles::resolve(
        &Policy::default().override_with(&qi, &[], &[]),
        input.columns(),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        root.join("datasets/adult/adult.parquet"),
        root.join("datasets/adult/adult.csv"),
    ];
    if let Some(f) = std::env::var_os("REIDENT_BENCH_FILE") {
        files.push(PathBuf::from(f));
    }
    let mut group = c.benchmark_group("class_table");
    group.sample_size(10);
    for path in &files {
        let input = Input::open(path, &InputOptions::default()).unwrap();
        let roles = roles(&input);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        group.bench_function(format!("build/{name}"), |b| {
            b.iter(|| build_class_table(&input, &roles, &Progress::hidden()).unwrap())
        });
        let table = build_class_table(&input, &roles, &Progress::hidden()).unwrap();
        // Every QI but the first: the step a combination analysis takes 9 times per level.
        let keep: Vec<RollupQi> = (1..QI.len())
            .map(|q| RollupQi {
                source: q,
                recode: None,
            })
            .collect();
        group.bench_function(format!("rollup_drop_one/{name}"), |b| {
            b.iter(|| table.rollup(&keep))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
