//! Zayatz (1991), "Estimation of the number of unique population elements using a sample": a
//! closed form.

use super::sample::prepare;
use super::{Estimate, FreqOfFreq, Model, Status};

/// Zayatz's (1991) estimate.
///
/// Zayatz takes the population's class-size distribution to be the sample's,
/// `P(F = i) = c_i / u`. A population class of size `i` yields exactly one record of a simple
/// random sample of `n` out of `N` with the hypergeometric probability
/// `h_i = i·C(N-i, n-1) / C(N, n)`. By Bayes, a sample unique is a population unique with
/// probability `P = (c_1/u)·h_1 / Σ_i (c_i/u)·h_i`, and each sample unique that is a
/// population unique stands for `1/f` of them, so the population has `c_1·P / f` uniques.
/// Since `h_1 = f`, that is `c_1² / Σ_i c_i·h_i`, which lies in `(0, N]`.
pub(crate) fn zayatz(freq: &FreqOfFreq, population: u64) -> Estimate {
    let s = match prepare(Model::Zayatz, freq, population) {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let expected_single_draws: f64 = freq
        .pairs()
        .iter()
        .map(|&(size, count)| count as f64 * hypergeometric_one(population, size, freq.n()))
        .sum();
    s.estimate(
        Model::Zayatz,
        s.c1 * s.c1 / expected_single_draws,
        Status::Estimated,
        None,
    )
}

/// `P(X = 1)` for `X ~ Hypergeometric(N, K, n)`: the chance that a simple random sample of `n`
/// out of `N` holds exactly one of `K` marked items.
///
/// `K·C(N-K, n-1) / C(N, n) = K·(n/N)·Π_{k=1}^{K-1} (N-n-k+1)/(N-k)`: a product of factors
/// below 1, accurate to a few ulps where binomials through `ln Γ` of numbers near `N` would
/// lose digits, and stopped once it has underflowed.
fn hypergeometric_one(population: u64, marked: u64, sample: u64) -> f64 {
    let (big_n, small_n) = (population as f64, sample as f64);
    let mut p = marked as f64 * small_n / big_n;
    for k in 1..marked {
        if p == 0.0 {
            break;
        }
        let k = k as f64;
        p *= ((big_n - small_n - k + 1.0) / (big_n - k)).max(0.0);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::estimators::test_support::{adult, adult_population, assert_close, share};

    #[test]
    fn hypergeometric_one_matches_exact_values() {
        // 3 marked among 10, sample of 4: 3·C(7,3)/C(10,4) = 105/210.
        assert_close(hypergeometric_one(10, 3, 4), 0.5, 1e-15);
        assert_close(hypergeometric_one(10, 1, 4), 0.4, 1e-15);
        // 8 marked among 10, sample of 4: at least two are always drawn.
        assert_eq!(hypergeometric_one(10, 8, 4), 0.0);
        assert_close(hypergeometric_one(10, 7, 4), 7.0 / 210.0, 1e-15);
    }

    #[test]
    fn golden_zayatz_at_a_tenth() {
        let estimate = zayatz(&adult(), adult_population(0.1));
        assert_eq!(estimate.status, Status::Estimated);
        assert_close(share(&estimate), 0.3207402393466189, 1e-12);
    }
}
