//! Population uniqueness: how many people in the population are alone in their equivalence
//! class, estimated from the class sizes of a sample drawn from it.
//!
//! Every estimator here reads only the sample's *frequency of frequencies* ([`FreqOfFreq`]):
//! `c_i`, the number of equivalence classes of size `i`, with `u = Σ c_i` classes and
//! `n = Σ i·c_i` records, plus the population size `N ≥ n` and so the sampling fraction
//! `f = n / N`. The models and the decision rule follow ARX's implementation
//! (`org.deidentifier.arx.risk`), whose published figures are this module's golden tests:
//!
//! * [`zayatz`]: Zayatz (1991), "Estimation of the number of unique population elements using
//!   a sample", a closed form.
//! * [`pitman`]: Hoshino (2001), "Applying Pitman's sampling formula to microdata disclosure
//!   risk assessment", a maximum-likelihood fit of the Pitman sampling formula.
//! * [`snb`]: Chen & Keller-McNulty (1998), "Estimation of identification disclosure risk in
//!   microdata", the shifted negative binomial model fitted by moments.
//! * [`dankar`]: Dankar, El Emam, Neisa & Roffey (2012), "Estimating the re-identification
//!   risk of clinical data sets", which picks one of the three by the sampling fraction.
//!
//! ARX's SNB model departs from the published formulas in two places; [`SnbVariant`] chooses
//! between ARX's figures and the papers' (they differ on the Adult data, where ARX's SNB has
//! no solution and the published one has).
//!
//! The share reported with each estimate is, as in ARX, the estimated number of population
//! uniques divided by the population size `N` (not by `n`). For Zayatz both are the same,
//! because its count is `c_1·P/f`; for Pitman only `/N` reproduces ARX's figures.
//!
//! Unlike ARX, which reports a failed model as `0`, a model that cannot give an estimate says
//! so ([`Status::Invalid`], `population_uniques: None`). Every figure returned is finite and
//! within `[0, N]`. Cases that need no model are answered exactly ([`Status::Exact`]): when
//! the sample is the whole population (`N = n`) every model returns the sample uniques, and
//! when the sample has no uniques every model returns 0, as ARX does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::function::gamma::{digamma, ln_gamma};

/// Dankar et al.'s threshold: at sampling fractions up to this, Pitman's model is used.
pub const DANKAR_PITMAN_MAX_FRACTION: f64 = 0.1;

/// The frequency of frequencies of a sample's equivalence classes: for each class size, how
/// many classes have that size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreqOfFreq {
    /// `(class size, number of classes of that size)`, sizes strictly ascending, both > 0.
    pairs: Vec<(u64, u64)>,
    n: u64,
    classes: u64,
}

impl FreqOfFreq {
    /// Counts the given class sizes (one entry per equivalence class). Sizes of 0 are ignored.
    pub fn from_class_sizes(sizes: impl IntoIterator<Item = u64>) -> Self {
        // Most classes are small: count those in an array, the rare large ones in a map (a
        // map insertion per class was a tenth of the models' time on 2M classes).
        const DENSE: usize = 1 << 12;
        let mut dense = vec![0u64; DENSE];
        let mut large: BTreeMap<u64, u64> = BTreeMap::new();
        for size in sizes {
            match dense.get_mut(size as usize) {
                Some(c) => *c += 1,
                None => *large.entry(size).or_default() += 1,
            }
        }
        Self::from_pairs(
            dense
                .into_iter()
                .enumerate()
                .map(|(s, c)| (s as u64, c))
                .chain(large),
        )
    }

    /// Builds the table from `(class size, number of classes)` pairs in any order; pairs with
    /// the same size are added up and pairs with a size or count of 0 are ignored.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (u64, u64)>) -> Self {
        let mut counts = BTreeMap::new();
        for (size, count) in pairs {
            if size > 0 && count > 0 {
                let c: &mut u64 = counts.entry(size).or_default();
                *c = c.saturating_add(count);
            }
        }
        let pairs: Vec<(u64, u64)> = counts.into_iter().collect();
        let n = pairs
            .iter()
            .fold(0u64, |n, &(s, c)| n.saturating_add(s.saturating_mul(c)));
        let classes = pairs.iter().fold(0u64, |u, &(_, c)| u.saturating_add(c));
        FreqOfFreq { pairs, n, classes }
    }

    /// The `(class size, number of classes)` pairs, sizes ascending.
    pub fn pairs(&self) -> &[(u64, u64)] {
        &self.pairs
    }

    /// The sample size `n`: the number of records.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The number of equivalence classes `u`.
    pub fn classes(&self) -> u64 {
        self.classes
    }

    /// The number of classes of exactly this size.
    pub fn classes_of_size(&self, size: u64) -> u64 {
        self.pairs
            .binary_search_by_key(&size, |&(s, _)| s)
            .map_or(0, |i| self.pairs[i].1)
    }

    /// The number of sample uniques `c_1`: records alone in their class.
    pub fn sample_uniques(&self) -> u64 {
        self.classes_of_size(1)
    }
}

/// A population-uniqueness model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    Zayatz,
    Snb,
    Pitman,
    Dankar,
}

/// How an estimate was obtained, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum Status {
    /// The model's closed form, or its solver converged by the primary method.
    Estimated,
    /// Known without a model (the sample is the population, or it has no uniques).
    Exact(String),
    /// A valid estimate, obtained by a documented fallback after the primary method failed.
    Fallback(String),
    /// No estimate: the model does not apply to this input or has no solution.
    Invalid(String),
}

/// One model's estimate of the number of population uniques.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub model: Model,
    /// Estimated number of records that are unique in the population; `None` when invalid.
    pub population_uniques: Option<f64>,
    /// `population_uniques / N`, as ARX reports population uniqueness; `None` when invalid.
    pub share: Option<f64>,
    pub status: Status,
    /// The fitted parameters, for the models that have some.
    pub fit: Option<Fit>,
}

/// The parameters a model fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Fit {
    Pitman(PitmanFit),
    Snb(SnbFit),
}

/// Maximum-likelihood parameters of the Pitman sampling formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitmanFit {
    pub theta: f64,
    pub alpha: f64,
    pub method: PitmanMethod,
    /// Newton iterations, or outer bisection steps of the profile search.
    pub iterations: u32,
}

/// Which solver found the Pitman parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PitmanMethod {
    /// Damped two-dimensional Newton-Raphson on the likelihood (the primary method).
    Newton,
    /// Bisection on the profile likelihood in alpha (the fallback).
    ProfileLikelihood,
}

/// The shifted negative binomial fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnbFit {
    /// `K`, the estimated number of non-empty classes in the population (Shlosser).
    pub population_classes: f64,
    /// Shape `α` of the negative binomial; `None` when no fit was found.
    pub alpha: Option<f64>,
    /// Probability `β` of the negative binomial; `None` when no fit was found.
    pub beta: Option<f64>,
    /// Newton iterations of the start point that converged, or of all starts tried.
    pub iterations: u32,
}

/// Which formulas the SNB model uses.
///
/// ARX's SNB code departs from the published model in two places. `Arx` keeps them, so that
/// the SNB model and Dankar's rule reproduce ARX's figures; `Published` follows the papers.
///
/// 1. Shlosser's estimator of `K` (Haas, Naughton, Seshadri & Stokes 1995, their `D_Sh3`) has
///    `Σ_i (1-f)^i ((1+f)^i - 1) c_i` in a denominator; ARX computes
///    `Σ_i ((1-f)^i (1+f)^i c_i - 1)`, subtracting 1 per distinct class size instead of
///    `(1-f)^i c_i` per class. Its `K` comes out close to `u`, far too small when there are
///    many sample uniques, so that `c_1 / K` exceeds what any SNB population can produce and
///    the model has no solution (this is why ARX's SNB fails on the Adult data).
/// 2. The expected number of sample classes of size 2 divides by `(1 - (1-f)(1-β))^(α+2)`;
///    ARX's equation multiplies by it (its Jacobian, though, is that of the division).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnbVariant {
    Arx,
    Published,
}

/// The result of Dankar et al.'s decision rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DankarEstimate {
    /// The figure the rule settles on, as an estimate of [`Model::Dankar`].
    pub estimate: Estimate,
    /// The model whose figure was taken; `None` when no model was needed or none applied.
    pub chosen: Option<Model>,
    /// Why that model was chosen.
    pub reason: String,
    /// The estimates the rule computed, in the order it computed them.
    pub candidates: Vec<Estimate>,
}

/// The sample's figures every model starts from.
struct Sample<'a> {
    freq: &'a FreqOfFreq,
    n: f64,
    u: f64,
    c1: f64,
    population: f64,
    /// Sampling fraction `n / N`, in `(0, 1)`.
    fraction: f64,
}

/// Answers the cases that need no model, or prepares the sample for one.
fn prepare<'a>(
    model: Model,
    freq: &'a FreqOfFreq,
    population: u64,
) -> Result<Sample<'a>, Estimate> {
    let answer = |uniques: Option<u64>, status: Status| Estimate {
        model,
        population_uniques: uniques.map(|u| u as f64),
        share: uniques.map(|u| u as f64 / population as f64),
        status,
        fit: None,
    };
    if freq.n() == 0 {
        return Err(answer(
            None,
            Status::Invalid("empty sample: there are no records to estimate from".into()),
        ));
    }
    if population < freq.n() {
        return Err(answer(
            None,
            Status::Invalid(format!(
                "population size {population} is smaller than the sample size {}",
                freq.n()
            )),
        ));
    }
    let c1 = freq.sample_uniques();
    if population == freq.n() {
        return Err(answer(
            Some(c1),
            Status::Exact(
                "the sample is the whole population: its uniques are the population uniques".into(),
            ),
        ));
    }
    if c1 == 0 {
        return Err(answer(
            Some(0),
            Status::Exact(
                "no sample uniques: as in ARX every model reports 0 (a record that shares its \
                 class in the sample cannot be unique in the population)"
                    .into(),
            ),
        ));
    }
    Ok(Sample {
        freq,
        n: freq.n() as f64,
        u: freq.classes() as f64,
        c1: c1 as f64,
        population: population as f64,
        fraction: freq.n() as f64 / population as f64,
    })
}

impl Sample<'_> {
    /// Classes of each size, as floating-point `(i, c_i)`.
    fn sizes(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.freq.pairs().iter().map(|&(s, c)| (s as f64, c as f64))
    }

    /// An estimate of `uniques` population uniques, or `Invalid` when the figure is not a
    /// finite number within `[0, N]`.
    fn estimate(&self, model: Model, uniques: f64, status: Status, fit: Option<Fit>) -> Estimate {
        if uniques.is_finite() && (0.0..=self.population).contains(&uniques) {
            Estimate {
                model,
                population_uniques: Some(uniques),
                share: Some(uniques / self.population),
                status,
                fit,
            }
        } else {
            invalid(
                model,
                format!(
                    "the estimate {uniques} is not within [0, N = {}]",
                    self.population
                ),
                fit,
            )
        }
    }
}

fn invalid(model: Model, reason: String, fit: Option<Fit>) -> Estimate {
    Estimate {
        model,
        population_uniques: None,
        share: None,
        status: Status::Invalid(reason),
        fit,
    }
}

// ---------------------------------------------------------------------------------------------
// Zayatz
// ---------------------------------------------------------------------------------------------

/// Zayatz's (1991) estimate.
///
/// Zayatz takes the population's class-size distribution to be the sample's,
/// `P(F = i) = c_i / u`. A population class of size `i` yields exactly one record of a simple
/// random sample of `n` out of `N` with the hypergeometric probability
/// `h_i = i·C(N-i, n-1) / C(N, n)`. By Bayes, a sample unique is a population unique with
/// probability `P = (c_1/u)·h_1 / Σ_i (c_i/u)·h_i`, and each sample unique that is a
/// population unique stands for `1/f` of them, so the population has `c_1·P / f` uniques.
/// Since `h_1 = f`, that is `c_1² / Σ_i c_i·h_i`, which lies in `(0, N]`.
pub fn zayatz(freq: &FreqOfFreq, population: u64) -> Estimate {
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

// ---------------------------------------------------------------------------------------------
// Pitman
// ---------------------------------------------------------------------------------------------

/// Newton iterations allowed to the Pitman fit before the fallback takes over.
const PITMAN_MAX_NEWTON: u32 = 100;
/// Step halvings allowed per Newton iteration.
const MAX_HALVINGS: u32 = 60;
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
pub fn pitman(freq: &FreqOfFreq, population: u64) -> Estimate {
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

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn neg(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    [[-m[0][0], -m[0][1]], [-m[1][0], -m[1][1]]]
}

fn negative_definite(m: [[f64; 2]; 2]) -> bool {
    m[0][0] < 0.0 && m[0][0] * m[1][1] - m[0][1] * m[1][0] > 0.0
}

/// Solves `m·x = b` for a 2×2 `m` by Cramer's rule (non-finite when `m` is singular).
fn solve(m: [[f64; 2]; 2], b: [f64; 2]) -> [f64; 2] {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    [
        (b[0] * m[1][1] - m[0][1] * b[1]) / det,
        (m[0][0] * b[1] - m[1][0] * b[0]) / det,
    ]
}

// ---------------------------------------------------------------------------------------------
// SNB
// ---------------------------------------------------------------------------------------------

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
pub fn snb(freq: &FreqOfFreq, population: u64, variant: SnbVariant) -> Estimate {
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

// ---------------------------------------------------------------------------------------------
// Dankar
// ---------------------------------------------------------------------------------------------

/// Dankar et al.'s (2012) decision rule, as ARX implements it.
///
/// * Sampling fraction `f ≤ 0.1`: Pitman's estimate. If Pitman is invalid, Zayatz's
///   (ARX's default fallback).
/// * `f > 0.1`: the smaller of Zayatz's and the SNB estimate (Zayatz only when strictly
///   smaller, as in ARX). If SNB is invalid, Zayatz's.
/// * If the model settled on is itself invalid (Zayatz cannot be once there are sample
///   uniques and `N > n ≥ 1`), the rule gives no estimate.
///
/// As everywhere in this module, `N = n` and samples without uniques are answered exactly.
/// The status is [`Status::Fallback`] when the rule had to fall back to Zayatz, and otherwise
/// the chosen model's.
pub fn dankar(freq: &FreqOfFreq, population: u64, variant: SnbVariant) -> DankarEstimate {
    let s = match prepare(Model::Dankar, freq, population) {
        Ok(s) => s,
        Err(answer) => {
            let reason = match &answer.status {
                Status::Exact(why) | Status::Invalid(why) | Status::Fallback(why) => why.clone(),
                Status::Estimated => String::new(),
            };
            return DankarEstimate {
                reason,
                estimate: answer,
                chosen: None,
                candidates: Vec::new(),
            };
        }
    };
    let f = s.fraction;
    let (chosen, reason, fell_back, candidates) = if f <= DANKAR_PITMAN_MAX_FRACTION {
        let pitman = pitman(freq, population);
        if pitman.population_uniques.is_some() {
            let reason = format!("sampling fraction {f} <= 0.1: Pitman");
            (pitman.clone(), reason, false, vec![pitman])
        } else {
            let zayatz = zayatz(freq, population);
            let reason =
                format!("sampling fraction {f} <= 0.1 but Pitman is invalid: Zayatz instead");
            (zayatz.clone(), reason, true, vec![pitman, zayatz])
        }
    } else {
        let snb = snb(freq, population, variant);
        let zayatz = zayatz(freq, population);
        let (chosen, reason, fell_back) = match (snb.population_uniques, zayatz.population_uniques)
        {
            (Some(by_snb), Some(by_zayatz)) if by_zayatz < by_snb => (
                zayatz.clone(),
                format!("sampling fraction {f} > 0.1: Zayatz, the smaller of Zayatz and SNB"),
                false,
            ),
            (Some(_), _) => (
                snb.clone(),
                format!("sampling fraction {f} > 0.1: SNB, the smaller of Zayatz and SNB"),
                false,
            ),
            (None, _) => (
                zayatz.clone(),
                format!("sampling fraction {f} > 0.1 but SNB is invalid: Zayatz instead"),
                true,
            ),
        };
        (chosen, reason, fell_back, vec![snb, zayatz])
    };
    let status = match (&chosen.status, fell_back) {
        (Status::Invalid(why), _) => Status::Invalid(format!("{reason}, which is invalid: {why}")),
        (_, true) => Status::Fallback(reason.clone()),
        (status, false) => status.clone(),
    };
    DankarEstimate {
        estimate: Estimate {
            model: Model::Dankar,
            population_uniques: chosen.population_uniques,
            share: chosen.share,
            status,
            fit: chosen.fit,
        },
        chosen: chosen.population_uniques.map(|_| chosen.model),
        reason,
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Adult data with all nine columns as quasi-identifiers (ARX's test set).
    const ADULT: [(u64, u64); 34] = [
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

    fn adult() -> FreqOfFreq {
        FreqOfFreq::from_pairs(ADULT)
    }

    /// `N = round(n / f)`, as ARX's population model derives it.
    fn adult_population(fraction: f64) -> u64 {
        (30162.0 / fraction).round() as u64
    }

    fn share(estimate: &Estimate) -> f64 {
        estimate.share.expect("a valid estimate")
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} differs from {expected} by {:e}",
            (actual - expected).abs()
        );
    }

    fn pitman_fit(estimate: &Estimate) -> &PitmanFit {
        match &estimate.fit {
            Some(Fit::Pitman(fit)) => fit,
            other => panic!("expected a Pitman fit, got {other:?}"),
        }
    }

    #[test]
    fn freq_of_freq_counts_classes() {
        let f = FreqOfFreq::from_class_sizes([3, 1, 1, 0, 2, 1]);
        assert_eq!(f.pairs(), &[(1, 3), (2, 1), (3, 1)]);
        assert_eq!((f.n(), f.classes(), f.sample_uniques()), (8, 5, 3));
        assert_eq!(f.classes_of_size(2), 1);
        assert_eq!(f.classes_of_size(4), 0);
        let merged = FreqOfFreq::from_pairs([(2, 1), (1, 2), (2, 3), (5, 0), (0, 4)]);
        assert_eq!(merged.pairs(), &[(1, 2), (2, 4)]);
        let adult = adult();
        assert_eq!(
            (adult.n(), adult.classes(), adult.sample_uniques()),
            (30162, 19502, 15512)
        );
    }

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
    fn golden_dankar() {
        let f = adult();
        let at_a_tenth = dankar(&f, adult_population(0.1), SnbVariant::Arx);
        assert_eq!(at_a_tenth.chosen, Some(Model::Pitman));
        assert_close(share(&at_a_tenth.estimate), 0.27684993883653597, 1e-11);
        let at_a_hundredth = dankar(&f, adult_population(0.01), SnbVariant::Arx);
        assert_eq!(at_a_hundredth.chosen, Some(Model::Pitman));
        assert_close(share(&at_a_hundredth.estimate), 0.1446083531167384, 1e-11);
        // Above a tenth ARX's SNB has no solution, so the rule falls back to Zayatz.
        let at_a_fifth = dankar(&f, adult_population(0.2), SnbVariant::Arx);
        assert_eq!(at_a_fifth.chosen, Some(Model::Zayatz));
        assert!(matches!(at_a_fifth.estimate.status, Status::Fallback(_)));
        assert_close(share(&at_a_fifth.estimate), 0.3577099234829125, 1e-12);
        assert_eq!(at_a_fifth.candidates.len(), 2);
    }

    #[test]
    fn whole_population_returns_the_sample_uniques_for_every_model() {
        let f = adult();
        let n = f.n();
        let estimates = [
            zayatz(&f, n),
            pitman(&f, n),
            snb(&f, n, SnbVariant::Arx),
            snb(&f, n, SnbVariant::Published),
            dankar(&f, n, SnbVariant::Arx).estimate,
        ];
        for estimate in estimates {
            assert_eq!(estimate.population_uniques, Some(15512.0));
            assert_eq!(estimate.share, Some(0.5142895033485844));
            assert!(matches!(estimate.status, Status::Exact(_)));
        }
    }

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

    #[test]
    fn every_class_unique() {
        let f = FreqOfFreq::from_class_sizes([1; 5]);
        // Zayatz takes the population's classes to be as the sample's: all unique.
        let estimate = zayatz(&f, 50);
        assert_eq!(estimate.share, Some(1.0));
        assert!(matches!(pitman(&f, 50).status, Status::Invalid(_)));
        assert!(matches!(
            snb(&f, 50, SnbVariant::Published).status,
            Status::Invalid(_)
        ));
        let rule = dankar(&f, 50, SnbVariant::Arx);
        assert_eq!(rule.chosen, Some(Model::Zayatz));
        assert_eq!(rule.estimate.share, Some(1.0));
        assert!(matches!(rule.estimate.status, Status::Fallback(_)));
    }

    #[test]
    fn no_sample_uniques_means_no_population_uniques() {
        let f = FreqOfFreq::from_pairs([(2, 10), (3, 5)]);
        for estimate in [
            zayatz(&f, 1000),
            pitman(&f, 1000),
            snb(&f, 1000, SnbVariant::Arx),
            dankar(&f, 1000, SnbVariant::Published).estimate,
        ] {
            assert_eq!(estimate.population_uniques, Some(0.0));
            assert_eq!(estimate.share, Some(0.0));
            assert!(matches!(estimate.status, Status::Exact(_)));
        }
        assert_eq!(dankar(&f, 1000, SnbVariant::Arx).chosen, None);
    }

    #[test]
    fn a_single_class() {
        let one_record = FreqOfFreq::from_class_sizes([1]);
        assert_eq!(zayatz(&one_record, 10).share, Some(1.0));
        assert!(matches!(pitman(&one_record, 10).status, Status::Invalid(_)));
        assert!(matches!(
            snb(&one_record, 10, SnbVariant::Arx).status,
            Status::Invalid(_)
        ));
        let one_class = FreqOfFreq::from_class_sizes([7]);
        assert_eq!(pitman(&one_class, 70).population_uniques, Some(0.0));
        assert_eq!(zayatz(&one_class, 7).population_uniques, Some(0.0));
    }

    #[test]
    fn an_empty_sample_or_a_small_population_is_invalid() {
        let empty = FreqOfFreq::from_class_sizes([]);
        let adult = adult();
        for (f, population) in [(&empty, 100), (&empty, 0), (&adult, 30161)] {
            let rule = dankar(f, population, SnbVariant::Arx);
            assert_eq!(rule.chosen, None);
            for estimate in [
                zayatz(f, population),
                pitman(f, population),
                snb(f, population, SnbVariant::Published),
                rule.estimate,
            ] {
                assert_eq!(estimate.population_uniques, None);
                assert_eq!(estimate.share, None);
                assert!(matches!(estimate.status, Status::Invalid(_)));
            }
        }
    }

    /// Small pseudo-random tables: every estimate is either absent or a number in `[0, N]`.
    #[test]
    fn estimates_are_never_nan_or_out_of_range() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        for _ in 0..300 {
            let sizes: Vec<u64> = (0..1 + next(40)).map(|_| 1 + next(6).pow(2)).collect();
            let f = FreqOfFreq::from_class_sizes(sizes);
            for population in [f.n(), f.n() + 1, 2 * f.n(), 7 * f.n(), 1000 * f.n()] {
                let rule = dankar(&f, population, SnbVariant::Published);
                let mut all = vec![
                    zayatz(&f, population),
                    pitman(&f, population),
                    snb(&f, population, SnbVariant::Arx),
                    rule.estimate,
                ];
                all.extend(rule.candidates);
                for estimate in all {
                    match (estimate.population_uniques, estimate.share) {
                        (Some(uniques), Some(share)) => {
                            assert!((0.0..=population as f64).contains(&uniques));
                            assert_close(share, uniques / population as f64, 1e-15);
                            assert!(!matches!(estimate.status, Status::Invalid(_)));
                        }
                        (None, None) => assert!(matches!(estimate.status, Status::Invalid(_))),
                        other => panic!("inconsistent estimate {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn estimates_serialize_with_tagged_status_and_fit() {
        let estimate = pitman(&adult(), adult_population(0.1));
        let json = serde_json::to_value(&estimate).unwrap();
        assert_eq!(json["model"], "pitman");
        assert_eq!(json["status"]["kind"], "estimated");
        assert_eq!(json["fit"]["model"], "pitman");
        assert_eq!(json["fit"]["method"], "newton");
        let invalid = snb(&adult(), adult_population(0.1), SnbVariant::Arx);
        let json = serde_json::to_value(&invalid).unwrap();
        assert_eq!(json["status"]["kind"], "invalid");
        assert!(json["status"]["reason"].is_string());
        assert!(json["population_uniques"].is_null());
        let rule = serde_json::to_value(dankar(&adult(), 150810, SnbVariant::Arx)).unwrap();
        assert_eq!(rule["chosen"], "zayatz");
        assert_eq!(rule["estimate"]["model"], "dankar");
    }
}

/// Every model's estimate for one class table and population, as `analyze` reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationUniqueness {
    pub population_size: u64,
    pub sampling_fraction: f64,
    pub snb_variant: SnbVariant,
    /// Sample uniques / n, for comparison: every model equals it when the sample is the population.
    pub sample_uniqueness: f64,
    pub zayatz: Estimate,
    pub snb: Estimate,
    pub pitman: Estimate,
    pub dankar: DankarEstimate,
}

impl PopulationUniqueness {
    pub fn of(class_sizes: &[u64], population: u64, variant: SnbVariant) -> Self {
        let freq = FreqOfFreq::from_class_sizes(class_sizes.iter().copied());
        let n = freq.n();
        PopulationUniqueness {
            population_size: population,
            sampling_fraction: if population == 0 {
                0.0
            } else {
                n as f64 / population as f64
            },
            snb_variant: variant,
            sample_uniqueness: if n == 0 {
                0.0
            } else {
                freq.sample_uniques() as f64 / n as f64
            },
            zayatz: zayatz(&freq, population),
            snb: snb(&freq, population, variant),
            pitman: pitman(&freq, population),
            dankar: dankar(&freq, population, variant),
        }
    }
}
