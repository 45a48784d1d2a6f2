//! Tests of the frequency of frequencies and of what holds for every model alike.

use super::pitman::pitman;
use super::snb::snb;
use super::test_support::{adult, adult_population, assert_close};
use super::zayatz::zayatz;
use super::*;

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
