//! Every input that ever failed a fuzz target (or was crafted against one), replayed through the
//! same code as the fuzz targets (`fuzz/src/lib.rs`, included here): each must give a result or
//! an error, never a panic. Inputs live in `tests/fuzz_regressions/<target>/`.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

#[test]
fn every_regression_input_runs_without_a_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let tmp = tempfile::tempdir().unwrap();
    std::env::set_var("REIDENT_FUZZ_TMP", tmp.path());
    let mut n = 0;
    let mut targets: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    targets.sort();
    for dir in targets {
        let target = dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        for input in inputs {
            let bytes = std::fs::read(&input).unwrap();
            let r = std::panic::catch_unwind(|| fuzz::run(&target, &bytes));
            // A panic that reident catches at a reader boundary does not reach here.
            assert!(r.is_ok(), "{target}: {} panicked", input.display());
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} regression inputs");
}
