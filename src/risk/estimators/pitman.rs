//! Hoshino (2001), "Applying Pitman's sampling formula to microdata disclosure risk
//! assessment": a maximum-likelihood fit of the Pitman sampling formula.

use statrs::function::gamma::{digamma, ln_gamma};

use super::newton::{neg, negative_definite, solve, sub, MAX_HALVINGS};
use super::sample::{invalid, prepare, Sample};
use super::{Estimate, Fit, FreqOfFreq, Model, PitmanFit, PitmanMethod, Status};

/// Newton iterations allowed to the Pitman fit before the fallback takes over.
const PITMAN_MAX_NEWTON: u32 = 100;
/// The profile search looks for alpha in `[PROFILE_ALPHA_MIN, PROFILE_ALPHA_MAX]`.
const PROFILE_ALPHA_MIN: f64 = 1e-6;
const PROFILE_ALPHA_MAX: f64 = 1.0 - 1e-9;

/// Hoshino's (2001) estimate from the Pitman sampling formula.
///
/// The Pitman (two-parameter Poisson-Dirichlet) model gives a sample with class-size counts
/// `c_j` the likelihood
///
/// `L(θ, α) = Π_{i=1}^{u-1} (θ + iα) / Π_{i=1}^{n-1} (θ + i) · Π_j [Π_{k=1}^{j-1} (k - α)]^{c_j}`
///
/// for `0 < α < 1` and `θ > -α` (ARX only requires `θ ≥ 0`). In closed form, with the digamma function `ψ`, the score is
///
/// * `∂ℓ/∂θ = [ψ(θ/α + u) - ψ(θ/α + 1)]/α - [ψ(θ + n) - ψ(θ + 1)]`
/// * `∂ℓ/∂α = [(u - 1) - θ·S]/α - Σ_j c_j [ψ(j - α) - ψ(1 - α)]`, where `S` is the first
///   bracket of `∂ℓ/∂θ` divided by `α` (`S = Σ_{i<u} 1/(θ + iα)`).
///
/// The maximum-likelihood `(θ, α)` give Hoshino's expected number of population uniques
/// `Γ(θ + 1) / Γ(θ + α) · N^α`.
///
/// The fit starts from Hoshino's moment-based guess (the start ARX uses) and runs a damped
/// Newton-Raphson ([`PitmanMethod::Newton`]). If Newton fails (it leaves no valid step, does
/// not converge in 100 iterations or ends on a point that is not a maximum), a profile search
/// takes over ([`PitmanMethod::ProfileLikelihood`], status [`Status::Fallback`]). The model is
/// [`Status::Invalid`] when every class is unique (the likelihood then only approaches its
/// supremum as `θ → ∞`, with no maximum), when the likelihood is largest at the boundary `α → 0` (Ewens' model, for which
/// the formula above does not apply), or when no maximum is found.
pub(crate) fn pitman(freq: &FreqOfFreq, population: u64) -> Estimate {
    let s = match prepare(Model::Pitman, freq, population) {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if s.u >= s.n {
        return invalid(
            Model::Pitman,
            "every class is unique: the Pitman likelihood only approaches its supremum as \
             theta grows, so there is no maximum-likelihood fit"
                .into(),
            None,
        );
    }
    let like = PitmanLikelihood::new(&s);
    let (fit, status) = match like.newton() {
        Ok(fit) => (fit, Status::Estimated),
        Err(newton_failure) => match like.profile() {
            Ok(fit) => (
                fit,
                Status::Fallback(format!(
                    "Newton-Raphson failed ({newton_failure}); the profile-likelihood search \
                     found the maximum"
                )),
            ),
            Err(profile_failure) => {
                return invalid(
                    Model::Pitman,
                    format!(
                        "no maximum-likelihood fit: Newton-Raphson failed ({newton_failure}) and \
                         so did the profile-likelihood search ({profile_failure})"
                    ),
                    None,
                )
            }
        },
    };
    let uniques = (ln_gamma(fit.theta + 1.0) - ln_gamma(fit.theta + fit.alpha)
        + fit.alpha * s.population.ln())
    .exp();
    s.estimate(Model::Pitman, uniques, status, Some(Fit::Pitman(fit)))
}

/// The Pitman log-likelihood of one sample, with its score and Hessian.
struct PitmanLikelihood {
    n: f64,
    u: f64,
    /// `(j, c_j)` for the class sizes `j ≥ 2`.
    repeated: Vec<(f64, f64)>,
    /// Hoshino's moment-based start point `(θ, α)`.
    start: (f64, f64),
}

impl PitmanLikelihood {
    fn new(s: &Sample<'_>) -> Self {
        let repeated = s.sizes().filter(|&(j, _)| j >= 2.0).collect();
        // Hoshino's start: moment estimates from c1, c2 (c2 taken as 1 when there is none).
        let (n, u, c1) = (s.n, s.u, s.c1);
        let c2 = (s.freq.classes_of_size(2) as f64).max(1.0);
        let c = c1 * (c1 - 1.0) / c2;
        let theta = (n * u * c - c1 * (n - 1.0) * (2.0 * u + c)) / (2.0 * c1 * u + c1 * c - n * c);
        let alpha = (theta * (c1 - n) + (n - 1.0) * c1) / (n * u);
        PitmanLikelihood {
            n,
            u,
            repeated,
            start: (theta, alpha),
        }
    }

    fn in_domain(theta: f64, alpha: f64) -> bool {
        alpha > 0.0 && alpha < 1.0 && theta > -alpha && theta.is_finite()
    }

    /// `ln L(θ, α)` up to a constant.
    fn log_likelihood(&self, theta: f64, alpha: f64) -> f64 {
        let a = theta / alpha;
        let classes = (self.u - 1.0) * alpha.ln() + ln_gamma(a + self.u) - ln_gamma(a + 1.0);
        let records = ln_gamma(theta + self.n) - ln_gamma(theta + 1.0);
        let sizes: f64 = self
            .repeated
            .iter()
            .map(|&(j, c)| c * (ln_gamma(j - alpha) - ln_gamma(1.0 - alpha)))
            .sum();
        classes - records + sizes
    }

    /// `∂ℓ/∂θ`, with `S = Σ_{i<u} 1/(θ + iα)` for reuse.
    fn score_theta(&self, theta: f64, alpha: f64) -> (f64, f64) {
        let a = theta / alpha;
        let sum = (digamma(a + self.u) - digamma(a + 1.0)) / alpha;
        (sum - (digamma(theta + self.n) - digamma(theta + 1.0)), sum)
    }

    /// `(∂ℓ/∂θ, ∂ℓ/∂α)`.
    fn score(&self, theta: f64, alpha: f64) -> [f64; 2] {
        let (d_theta, sum) = self.score_theta(theta, alpha);
        [d_theta, self.score_alpha(theta, alpha, sum)]
    }

    fn score_alpha(&self, theta: f64, alpha: f64, sum: f64) -> f64 {
        let psi_1 = digamma(1.0 - alpha);
        let sizes: f64 = self
            .repeated
            .iter()
            .map(|&(j, c)| c * (digamma(j - alpha) - psi_1))
            .sum();
        ((self.u - 1.0) - theta * sum) / alpha - sizes
    }

    /// The Hessian as central differences of the closed-form score (statrs has no trigamma).
    /// Its relative error of about 1e-8 only slows Newton's last step: the point Newton
    /// converges to is where the exact score vanishes.
    fn hessian(&self, theta: f64, alpha: f64) -> [[f64; 2]; 2] {
        let h_theta = 1e-4 * (theta + alpha);
        let h_alpha = 1e-4 * alpha.min(1.0 - alpha).min(theta + alpha);
        let d_theta = sub(
            self.score(theta + h_theta, alpha),
            self.score(theta - h_theta, alpha),
        );
        let d_alpha = sub(
            self.score(theta, alpha + h_alpha),
            self.score(theta, alpha - h_alpha),
        );
        let (h11, h22) = (d_theta[0] / (2.0 * h_theta), d_alpha[1] / (2.0 * h_alpha));
        let h12 = 0.5 * (d_theta[1] / (2.0 * h_theta) + d_alpha[0] / (2.0 * h_alpha));
        [[h11, h12], [h12, h22]]
    }

    /// Damped Newton-Raphson from Hoshino's start.
    ///
    /// Each iteration moves along the Newton direction when the Hessian is negative definite,
    /// and along the gradient scaled by the Hessian's diagonal otherwise, halving the step
    /// until it stays inside `0 < α < 1, θ > -α` and does not lower the likelihood (within
    /// rounding). It converges when a full Newton step changes `θ` by less than 1e-10
    /// relative to `θ + α` and `α` by less than 1e-12. It gives up when `α` falls below the
    /// profile search's lower end (1e-6), where the profile search can tell whether the
    /// maximum is at the boundary `α → 0`.
    fn newton(&self) -> Result<PitmanFit, String> {
        let (mut theta, mut alpha) = self.start;
        if !Self::in_domain(theta, alpha) {
            (theta, alpha) = (1.0, 0.5);
        }
        let mut like = self.log_likelihood(theta, alpha);
        for iteration in 1..=PITMAN_MAX_NEWTON {
            let g = self.score(theta, alpha);
            let h = self.hessian(theta, alpha);
            let newton = negative_definite(h);
            let step = if newton {
                solve(neg(h), g)
            } else {
                [g[0] / h[0][0].abs(), g[1] / h[1][1].abs()]
            };
            if !(step[0].is_finite() && step[1].is_finite()) {
                return Err(format!("no finite step at iteration {iteration}"));
            }
            if newton && step[0].abs() <= 1e-10 * (theta + alpha) && step[1].abs() <= 1e-12 {
                return self.accept(theta + step[0], alpha + step[1], iteration);
            }
            let tolerance = 1e-12 * (1.0 + like.abs());
            let mut t = 1.0;
            let mut accepted = None;
            for _ in 0..MAX_HALVINGS {
                let (th, al) = (theta + t * step[0], alpha + t * step[1]);
                if Self::in_domain(th, al) {
                    let l = self.log_likelihood(th, al);
                    if l >= like - tolerance {
                        accepted = Some((th, al, l));
                        break;
                    }
                }
                t *= 0.5;
            }
            match accepted {
                Some((_, al, _)) if al < PROFILE_ALPHA_MIN => {
                    return Err(format!(
                        "alpha fell below {PROFILE_ALPHA_MIN} at iteration {iteration}, towards \
                         the boundary alpha -> 0"
                    ))
                }
                Some((th, al, l)) if (th, al) != (theta, alpha) => {
                    (theta, alpha, like) = (th, al, l)
                }
                _ => {
                    return Err(format!(
                        "no step raised the likelihood at iteration {iteration}"
                    ))
                }
            }
        }
        Err(format!("no convergence in {PITMAN_MAX_NEWTON} iterations"))
    }

    /// Checks that Newton's end point is an interior maximum.
    fn accept(&self, theta: f64, alpha: f64, iterations: u32) -> Result<PitmanFit, String> {
        if !Self::in_domain(theta, alpha) {
            return Err(format!(
                "it converged outside the domain (theta {theta}, alpha {alpha})"
            ));
        }
        if !negative_definite(self.hessian(theta, alpha)) {
            return Err(format!(
                "it converged to a point that is not a maximum (theta {theta}, alpha {alpha})"
            ));
        }
        Ok(PitmanFit {
            theta,
            alpha,
            method: PitmanMethod::Newton,
            iterations,
        })
    }

    /// Maximises the profile likelihood `ℓ(θ̂(α), α)`.
    ///
    /// For a fixed `α`, `∂ℓ/∂θ` tends to `+∞` as `θ → -α` and is negative for large `θ`
    /// (since `u < n`), so `θ̂(α)` is found by bisection on `ln(θ + α)`. The profile's slope in
    /// `α` is `∂ℓ/∂α` at `(θ̂(α), α)`, which is `-∞` as `α → 1`; a bisection on its sign change
    /// over `[1e-6, 1 - 1e-9]` finds the maximum. When the slope is already negative at
    /// `α = 1e-6`, the likelihood is largest at the Ewens boundary `α → 0` and there is no fit.
    fn profile(&self) -> Result<PitmanFit, String> {
        let slope = |alpha: f64| -> Result<(f64, f64), String> {
            let theta = self.profile_theta(alpha)?;
            let (_, sum) = self.score_theta(theta, alpha);
            Ok((self.score_alpha(theta, alpha, sum), theta))
        };
        let (mut lo, mut hi) = (PROFILE_ALPHA_MIN, PROFILE_ALPHA_MAX);
        if slope(lo)?.0 <= 0.0 {
            return Err(
                "the likelihood is largest at alpha -> 0 (Ewens' model), outside the Pitman \
                 model's alpha > 0"
                    .into(),
            );
        }
        if slope(hi)?.0 >= 0.0 {
            return Err("the likelihood is largest at alpha -> 1".into());
        }
        let mut iterations = 0;
        while iterations < 200 {
            iterations += 1;
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if slope(mid)?.0 > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let alpha = 0.5 * (lo + hi);
        let (_, theta) = slope(alpha)?;
        Ok(PitmanFit {
            theta,
            alpha,
            method: PitmanMethod::ProfileLikelihood,
            iterations,
        })
    }

    /// The `θ` at which `∂ℓ/∂θ = 0` for this `α`, by bisection on `ln(θ + α)`.
    fn profile_theta(&self, alpha: f64) -> Result<f64, String> {
        let d_theta = |y: f64| self.score_theta(y.exp() - alpha, alpha).0;
        let mut lo = (alpha * 1e-12).ln();
        let mut hi = 0.0f64;
        while d_theta(hi) >= 0.0 {
            hi += 2.0;
            if hi > 700.0 {
                return Err(format!("no root in theta for alpha {alpha}"));
            }
        }
        if d_theta(lo) <= 0.0 {
            return Err(format!("no sign change in theta for alpha {alpha}"));
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if d_theta(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok((0.5 * (lo + hi)).exp() - alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::estimators::test_support::{adult, adult_population, assert_close, share};
    use crate::risk::estimators::{dankar, SnbVariant};

    fn pitman_fit(estimate: &Estimate) -> &PitmanFit {
        match &estimate.fit {
            Some(Fit::Pitman(fit)) => fit,
            other => panic!("expected a Pitman fit, got {other:?}"),
        }
    }

    #[test]
    fn golden_pitman_at_a_tenth() {
        let estimate = pitman(&adult(), adult_population(0.1));
        assert_eq!(estimate.status, Status::Estimated);
        assert_close(share(&estimate), 0.27684993883653597, 1e-11);
        let fit = pitman_fit(&estimate);
        assert_eq!(fit.method, PitmanMethod::Newton);
        // The maximum-likelihood point, computed to 40 digits with mpmath.
        assert_close(fit.theta, 3176.2335179029916, 1e-8);
        assert_close(fit.alpha, 0.7179489482476444, 1e-12);
    }

    #[test]
    fn golden_pitman_at_a_hundredth() {
        let estimate = pitman(&adult(), adult_population(0.01));
        assert_close(share(&estimate), 0.1446083531167384, 1e-11);
    }

    #[test]
    fn pitman_profile_search_agrees_with_newton() {
        let f = adult();
        let s = prepare(Model::Pitman, &f, adult_population(0.1))
            .ok()
            .unwrap();
        let like = PitmanLikelihood::new(&s);
        let newton = like.newton().unwrap();
        let profile = like.profile().unwrap();
        assert_eq!(profile.method, PitmanMethod::ProfileLikelihood);
        assert_close(profile.alpha, newton.alpha, 1e-12);
        assert_close(profile.theta / newton.theta, 1.0, 1e-10);
    }

    #[test]
    fn pitman_falls_back_to_the_profile_search_near_the_ewens_boundary() {
        // The maximum is at alpha = 1.344e-4, where the score is too noisy for Newton to settle.
        let f = FreqOfFreq::from_pairs([
            (1, 267),
            (2, 87),
            (5, 28),
            (7, 68),
            (8, 32),
            (10, 39),
            (12, 49),
            (15, 50),
        ]);
        let estimate = pitman(&f, 10 * f.n());
        assert!(matches!(estimate.status, Status::Fallback(_)));
        let fit = pitman_fit(&estimate);
        assert_eq!(fit.method, PitmanMethod::ProfileLikelihood);
        // The maximum-likelihood figures, computed to 50 digits with mpmath.
        assert_close(fit.theta / 235.146_250_743_134_5, 1.0, 1e-6);
        assert_close(fit.alpha / 1.344_050_411_361_68e-4, 1.0, 1e-3);
        let uniques = estimate.population_uniques.unwrap();
        assert_close(uniques / 235.300_041_078_310_7, 1.0, 1e-6);
    }

    #[test]
    fn pitman_at_the_ewens_boundary_is_invalid() {
        // One unique and ten classes of ten: the likelihood is largest at alpha -> 0.
        let f = FreqOfFreq::from_pairs([(1, 1), (10, 10)]);
        let s = prepare(Model::Pitman, &f, 1010).ok().unwrap();
        let profile = PitmanLikelihood::new(&s).profile();
        assert!(profile.unwrap_err().contains("Ewens"));
        let estimate = pitman(&f, 1010);
        assert_eq!(estimate.population_uniques, None);
        assert!(matches!(estimate.status, Status::Invalid(_)));
        // Dankar's rule then falls back to Zayatz.
        let rule = dankar(&f, 1010, SnbVariant::Arx);
        assert_eq!(rule.chosen, Some(Model::Zayatz));
        assert!(matches!(rule.estimate.status, Status::Fallback(_)));
    }
}
