//! The test data and helpers the estimators' tests share.

use super::{Estimate, FreqOfFreq};

/// The Adult data with all nine columns as quasi-identifiers (ARX's test set).
pub(super) const ADULT: [(u64, u64); 34] = [
    (1, 15512),
    (2, 2098),
    (3, 754),
    (4, 375),
    (5, 189),
    (6, 155),
    (7, 97),
    (8, 73),
    (9, 39),
    (10, 37),
    (11, 29),
    (12, 18),
    (13, 23),
    (14, 14),
    (15, 15),
    (16, 9),
    (17, 11),
    (18, 10),
    (19, 10),
    (20, 5),
    (21, 3),
    (22, 4),
    (23, 3),
    (24, 2),
    (25, 1),
    (26, 3),
    (27, 5),
    (29, 1),
    (30, 2),
    (32, 1),
    (34, 1),
    (35, 1),
    (36, 1),
    (45, 1),
];

pub(super) fn adult() -> FreqOfFreq {
    FreqOfFreq::from_pairs(ADULT)
}

/// `N = round(n / f)`, as ARX's population model derives it.
pub(super) fn adult_population(fraction: f64) -> u64 {
    (30162.0 / fraction).round() as u64
}

pub(super) fn share(estimate: &Estimate) -> f64 {
    estimate.share.expect("a valid estimate")
}

pub(super) fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} differs from {expected} by {:e}",
        (actual - expected).abs()
    );
}
