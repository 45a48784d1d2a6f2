//! Dankar, El Emam, Neisa & Roffey (2012), "Estimating the re-identification risk of clinical
//! data sets": the decision rule that picks one of the three models by the sampling fraction.

use super::pitman::pitman;
use super::sample::prepare;
use super::snb::snb;
use super::zayatz::zayatz;
use super::{DankarEstimate, Estimate, FreqOfFreq, Model, SnbVariant, Status};

/// Dankar et al.'s threshold: at sampling fractions up to this, Pitman's model is used.
pub(crate) const DANKAR_PITMAN_MAX_FRACTION: f64 = 0.1;

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
pub(crate) fn dankar(freq: &FreqOfFreq, population: u64, variant: SnbVariant) -> DankarEstimate {
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
    use crate::risk::estimators::test_support::{adult, adult_population, assert_close, share};

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
}
