//! The work budget (`--max-work`): combos, suda, the search and the hierarchy builders estimate
//! their work before they start and refuse past it. A leaf module: every room may use it.

use crate::error::Result;

/// The default work budget (`--max-work`): about 10^11 class visits (a subset's, a search
/// node's or a hierarchy cell's share of the work), minutes at most on one machine.
pub const DEFAULT_MAX_WORK: f64 = 1e11;

/// The number of subsets of `n` items of sizes 1 to `max_size`, as a float (it may be huge).
pub(crate) fn subsets(n: usize, max_size: usize) -> f64 {
    let mut c = 1.0f64;
    let mut total = 0.0;
    for s in 1..=max_size.min(n) {
        c = c * (n - s + 1) as f64 / s as f64;
        total += c;
    }
    total
}

/// Refuses work estimated past the budget `max` (default [`DEFAULT_MAX_WORK`]) before it
/// starts: `what` says what was counted (`"2^40 subsets x 19,502 classes"`), `fix` how to ask
/// for less.
pub(crate) fn check_work(estimate: f64, max: Option<f64>, what: &str, fix: &str) -> Result<()> {
    let max = max.unwrap_or(DEFAULT_MAX_WORK);
    if max.is_nan() || max <= 0.0 {
        return Err(crate::Error::Invalid(format!(
            "--max-work {max}: must be a positive number"
        )));
    }
    if estimate.is_nan() || estimate > max {
        return Err(crate::Error::Invalid(format!(
            "the work is estimated at {estimate:.2e} ({what}), past the budget of {max:.0e}: {fix}, or raise --max-work"
        )));
    }
    Ok(())
}

/// A number as a message shows it: as written for ordinary sizes, in exponent form past
/// 10^15 or below 10^-6 (`1e300`, not three hundred digits).
pub(crate) fn short(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_numbers() {
        assert_eq!(super::short(1e300), "1e300");
        assert_eq!(super::short(-2.5e-9), "-2.5e-9");
        assert_eq!(super::short(60.0), "60");
        assert_eq!(super::short(0.5), "0.5");
        assert_eq!(super::short(f64::INFINITY), "inf");
        assert_eq!(super::short(f64::NAN), "NaN");
    }
}
