//! Chen & Keller-McNulty (1998), "Estimation of identification disclosure risk in microdata":
//! the shifted negative binomial model fitted by moments.

use super::newton::{solve, MAX_HALVINGS};
use super::sample::{invalid, prepare, Sample};
use super::{Estimate, Fit, FreqOfFreq, Model, SnbFit, SnbVariant, Status};

/// Newton iterations allowed per SNB start point.
const SNB_MAX_NEWTON: u32 = 100;
/// SNB start points `(α, β)`, tried in turn until one converges.
const SNB_STARTS: [(f64, f64); 9] = [
    (1.0, 0.5),
    (0.1, 0.1),
    (0.1, 0.5),
    (1.0, 0.1),
    (1.0, 0.9),
    (10.0, 0.5),
    (0.1, 0.9),
    (10.0, 0.1),
    (10.0, 0.9),
];

/// Chen & Keller-McNulty's (1998) shifted negative binomial (SNB) estimate.
///
/// The model draws the population's `K` non-empty class sizes as `F = 1 + G` with
/// `G ~ NegBin(α, β)`, `P(G = m) = C(m+α-1, m) β^α (1-β)^m`, so `K·β^α` classes (and records)
/// are population-unique. Under Bernoulli sampling at rate `f`, a class shows up once or twice
/// in the sample with probability (`d = (1-f)(1-β)`)
///
/// * `p_1 = f·(β/(1-d))^α·(1 - (1-α)d)/(1-d)`
/// * `p_2 = f²/2·α·β^α·(1-β)·(2 - (1-α)d)/(1-d)^(α+2)`
///
/// and `α, β` solve the moment equations `K·p_1 = c_1`, `K·p_2 = c_2`. `K` is Shlosser's
/// estimate in the form of Haas et al. (1995, `D_Sh3`, see [`SnbVariant`]):
///
/// `K = u + c_1 · [Σ i f²(1-f²)^{i-1} c_i / Σ (1-f)^i((1+f)^i - 1) c_i] ·
///      [Σ (1-f)^i c_i / Σ i f (1-f)^{i-1} c_i]²`.
///
/// The equations are solved in `(ln α, logit β)` for the log-ratios `ln(K·p_k / c_k)`, by
/// Newton-Raphson with step halving, from a fixed list of start points until one converges
/// (ARX starts at `(1, 1)`, then at random points). The model is [`Status::Invalid`] when the
/// sample has no classes of size 2, when `K` is not a positive number, when `c_1` exceeds the
/// most sample uniques any SNB population of `K` classes can produce,
/// `K · max_F F·f·(1-f)^{F-1}` (no `α, β` can then satisfy the first equation), or when no
/// start converges.
pub(crate) fn snb(freq: &FreqOfFreq, population: u64, variant: SnbVariant) -> Estimate {
    let s = match prepare(Model::Snb, freq, population) {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let c2 = freq.classes_of_size(2) as f64;
    if c2 == 0.0 {
        return invalid(
            Model::Snb,
            "no classes of size 2: the SNB moment equations need c2 > 0".into(),
            None,
        );
    }
    let k = shlosser(&s, variant);
    let fit = |alpha: Option<f64>, beta: Option<f64>, iterations: u32| {
        Some(Fit::Snb(SnbFit {
            population_classes: k,
            alpha,
            beta,
            iterations,
        }))
    };
    if !(k.is_finite() && k > 0.0) {
        return invalid(
            Model::Snb,
            format!("Shlosser's estimate of the population's classes K = {k} is not positive"),
            fit(None, None, 0),
        );
    }
    let f = s.fraction;
    let most_uniques = k * max_single_draw(f);
    if s.c1 > most_uniques {
        return invalid(
            Model::Snb,
            format!(
                "no solution: the sample has {} uniques, but an SNB population of K = {k:.1} \
                 classes sampled at f = {f} yields at most K·max_F F·f·(1-f)^(F-1) = \
                 {most_uniques:.1} in expectation",
                s.c1
            ),
            fit(None, None, 0),
        );
    }
    let equations = SnbEquations {
        k,
        f,
        c1: s.c1,
        c2,
        variant,
    };
    let mut iterations = 0;
    for &(alpha, beta) in &SNB_STARTS {
        let (solution, used) = equations.newton(alpha, beta);
        iterations += used;
        if let Some((alpha, beta)) = solution {
            return s.estimate(
                Model::Snb,
                k * beta.powf(alpha),
                Status::Estimated,
                fit(Some(alpha), Some(beta), used),
            );
        }
    }
    invalid(
        Model::Snb,
        format!(
            "the moment equations did not converge from any of {} start points (they may have \
             no solution for this sample)",
            SNB_STARTS.len()
        ),
        fit(None, None, iterations),
    )
}

/// Shlosser's estimate of the number of non-empty classes in the population (see [`snb`]).
fn shlosser(s: &Sample<'_>, variant: SnbVariant) -> f64 {
    let f = s.fraction;
    let (q, q2) = (1.0 - f, 1.0 - f * f);
    let (mut a, mut b, mut c, mut d) = (0.0, 0.0, 0.0, 0.0);
    for (i, ci) in s.sizes() {
        a += i * f * f * q2.powf(i - 1.0) * ci;
        b += match variant {
            SnbVariant::Published => q.powf(i) * ((1.0 + f).powf(i) - 1.0) * ci,
            SnbVariant::Arx => q.powf(i) * ci * (1.0 + f).powf(i) - 1.0,
        };
        c += q.powf(i) * ci;
        d += i * f * q.powf(i - 1.0) * ci;
    }
    s.u + s.c1 * (a / b) * (c / d) * (c / d)
}

/// `max_F F·f·(1-f)^(F-1)` over class sizes `F ≥ 1`: the largest probability that a class
/// yields exactly one sampled record. The expression is log-concave in `F` with its real
/// maximum at `-1/ln(1-f)`, so one of the two integers around it attains the maximum.
fn max_single_draw(f: f64) -> f64 {
    let ln_q = (-f).ln_1p();
    let at = |size: f64| size * f * ((size - 1.0) * ln_q).exp();
    let peak = (-1.0 / ln_q).max(1.0);
    at(peak.floor()).max(at(peak.ceil()))
}

/// The SNB moment equations for one sample, as log-ratios in `x = (ln α, logit β)`.
struct SnbEquations {
    k: f64,
    f: f64,
    c1: f64,
    c2: f64,
    variant: SnbVariant,
}

impl SnbEquations {
    /// `(r, J)`: `r_k = ln(K·p_k / c_k)` and its Jacobian in `(ln α, logit β)`.
    fn eval(&self, alpha: f64, beta: f64) -> ([f64; 2], [[f64; 2]; 2]) {
        let f = self.f;
        let d = (1.0 - f) * (1.0 - beta);
        let (ln_b, ln_1d) = (beta.ln(), (-d).ln_1p());
        let e1 = 1.0 - (1.0 - alpha) * d;
        let e2 = 2.0 - (1.0 - alpha) * d;
        // ARX's second equation multiplies by (1-d)^(α+2) where the model divides.
        let sign = match self.variant {
            SnbVariant::Published => -1.0,
            SnbVariant::Arx => 1.0,
        };
        let ln_p1 = f.ln() + alpha * ln_b - (alpha + 1.0) * ln_1d + e1.ln();
        let ln_p2 = 2.0 * f.ln() - 2f64.ln()
            + alpha.ln()
            + alpha * ln_b
            + (-beta).ln_1p()
            + sign * (alpha + 2.0) * ln_1d
            + e2.ln();
        let r = [
            ln_p1 + (self.k / self.c1).ln(),
            ln_p2 + (self.k / self.c2).ln(),
        ];
        // d(d)/dβ = -(1-f).
        let q = 1.0 - f;
        let p1_alpha = ln_b - ln_1d + d / e1;
        let p1_beta = alpha / beta - (alpha + 1.0) * q / (1.0 - d) + (1.0 - alpha) * q / e1;
        let p2_alpha = 1.0 / alpha + ln_b + sign * ln_1d + d / e2;
        let p2_beta = alpha / beta - 1.0 / (1.0 - beta)
            + sign * (alpha + 2.0) * q / (1.0 - d)
            + (1.0 - alpha) * q / e2;
        // Chain rule: dα/d(ln α) = α, dβ/d(logit β) = β(1-β).
        let (sa, sb) = (alpha, beta * (1.0 - beta));
        let jacobian = [[p1_alpha * sa, p1_beta * sb], [p2_alpha * sa, p2_beta * sb]];
        (r, jacobian)
    }

    /// Newton-Raphson from `(α, β)`, halving steps that do not reduce `|r|²`. Converges when
    /// both log-ratios are below 1e-12 (the expected counts match `c_1, c_2` to 12 digits),
    /// or below 1e-9 once no step reduces them any further.
    fn newton(&self, alpha: f64, beta: f64) -> (Option<(f64, f64)>, u32) {
        let from = |x: [f64; 2]| (x[0].exp(), 1.0 / (1.0 + (-x[1]).exp()));
        let norm = |r: [f64; 2]| r[0] * r[0] + r[1] * r[1];
        let mut x = [alpha.ln(), (beta / (1.0 - beta)).ln()];
        let (a, b) = from(x);
        let (mut r, mut j) = self.eval(a, b);
        for iteration in 1..=SNB_MAX_NEWTON {
            if r[0].abs() <= 1e-12 && r[1].abs() <= 1e-12 {
                let (a, b) = from(x);
                return (Some((a, b)), iteration - 1);
            }
            let step = solve(j, r);
            if !(step[0].is_finite() && step[1].is_finite()) {
                return (None, iteration);
            }
            let mut t = 1.0;
            let mut accepted = false;
            for _ in 0..MAX_HALVINGS {
                let y = [x[0] - t * step[0], x[1] - t * step[1]];
                let (a, b) = from(y);
                if a > 0.0 && a.is_finite() && b > 0.0 && b < 1.0 {
                    let (r_new, j_new) = self.eval(a, b);
                    if r_new[0].is_finite() && r_new[1].is_finite() && norm(r_new) < norm(r) {
                        (x, r, j) = (y, r_new, j_new);
                        accepted = true;
                        break;
                    }
                }
                t *= 0.5;
            }
            if !accepted {
                // Rounding can stall the last digits: a match to 9 digits still counts.
                let close = r[0].abs() <= 1e-9 && r[1].abs() <= 1e-9;
                return (close.then(|| from(x)), iteration);
            }
        }
        (None, SNB_MAX_NEWTON)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::estimators::dankar;
    use crate::risk::estimators::test_support::{adult, adult_population, assert_close, share};

    #[test]
    fn arx_snb_has_no_solution_on_adult() {
        let f = adult();
        for fraction in [0.01, 0.1, 0.2] {
            let estimate = snb(&f, adult_population(fraction), SnbVariant::Arx);
            assert_eq!(estimate.population_uniques, None);
            match &estimate.status {
                Status::Invalid(why) => assert!(why.starts_with("no solution"), "{why}"),
                other => panic!("expected Invalid, got {other:?}"),
            }
            let Some(Fit::Snb(fit)) = &estimate.fit else {
                panic!("expected the SNB's K");
            };
            assert!(f.sample_uniques() as f64 > fit.population_classes * max_single_draw(fraction));
        }
    }

    #[test]
    fn published_snb_solves_the_moment_equations_on_adult() {
        let f = adult();
        // Shares from an independent 40-digit solution (mpmath) of the same equations.
        for (fraction, expected) in [
            (0.01, 0.2046790153026412),
            (0.1, 0.24997693756829406),
            (0.2, 0.3194593753989779),
        ] {
            let population = adult_population(fraction);
            let estimate = snb(&f, population, SnbVariant::Published);
            assert_eq!(estimate.status, Status::Estimated);
            assert_close(share(&estimate), expected, 1e-9);
            let Some(Fit::Snb(fit)) = &estimate.fit else {
                panic!("expected an SNB fit");
            };
            let equations = SnbEquations {
                k: fit.population_classes,
                f: f.n() as f64 / population as f64,
                c1: 15512.0,
                c2: 2098.0,
                variant: SnbVariant::Published,
            };
            let (r, _) = equations.eval(fit.alpha.unwrap(), fit.beta.unwrap());
            assert!(r[0].abs() < 1e-12 && r[1].abs() < 1e-12, "{r:?}");
        }
        // With the published SNB, Dankar's rule at a fifth takes SNB, the smaller figure.
        let rule = dankar(&f, adult_population(0.2), SnbVariant::Published);
        assert_eq!(rule.chosen, Some(Model::Snb));
        assert_close(share(&rule.estimate), 0.3194593753989779, 1e-9);
    }

    #[test]
    fn snb_equations_have_consistent_jacobians() {
        for variant in [SnbVariant::Arx, SnbVariant::Published] {
            let equations = SnbEquations {
                k: 50_000.0,
                f: 0.2,
                c1: 15512.0,
                c2: 2098.0,
                variant,
            };
            let (alpha, beta) = (0.7, 0.3);
            let (_, j) = equations.eval(alpha, beta);
            let h = 1e-6_f64;
            let (up, _) = equations.eval(alpha * h.exp(), beta);
            let (down, _) = equations.eval(alpha * (-h).exp(), beta);
            let logit = (beta / (1.0 - beta)).ln();
            let at = |x: f64| 1.0 / (1.0 + (-x).exp());
            let (right, _) = equations.eval(alpha, at(logit + h));
            let (left, _) = equations.eval(alpha, at(logit - h));
            for k in 0..2 {
                assert_close(j[k][0], (up[k] - down[k]) / (2.0 * h), 1e-6);
                assert_close(j[k][1], (right[k] - left[k]) / (2.0 * h), 1e-6);
            }
        }
    }
}
