//! Privacy targets as the user states them (flags or the policy's `anonymization` section), turned
//! into the criteria that the search optimizes for and that `gate` checks.
//!
//! One place builds them so that `anonymize` (which must reach the targets) and `gate` (which
//! checks that a table meets them) can never disagree on what a target means.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    preset, Criterion, KAnonymity, LDiversity, LVariant, MaxAverageRisk, MaxPopulationUniqueness,
    MaxProsecutorRisk, TCloseness, TableCriterion,
};
use crate::classes::ClassTable;
use crate::criteria::t_closeness::{Distribution, GroundDistance};
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::policy::Anonymization;
use crate::risk::estimators::SnbVariant;

/// The k used to decide which classes are too small to show in a report when the policy names
/// none: 11, the CMS cell-size rule.
pub(crate) const DEFAULT_DISCLOSURE_K: u64 = 11;

/// The targets, as text specifications (the form flags and policies use).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub k: Option<u64>,
    /// `COL:distinct|entropy|recursive:L[:C]`.
    pub l_diversity: Vec<String>,
    /// `COL:equal|ordered|hierarchical:T`.
    pub t_closeness: Vec<String>,
    /// `k11-cms`, `risk-0.2`, `risk-0.09`, `risk-0.05`.
    pub presets: Vec<String>,
    pub max_risk: Option<f64>,
    pub max_average_risk: Option<f64>,
    pub max_population_uniqueness: Option<f64>,
}

/// The per-class criteria and the whole-table ones, built from a specification.
pub(crate) type Built = (Vec<Box<dyn Criterion>>, Vec<Box<dyn TableCriterion>>);

/// What building the criteria needs besides the specification.
pub(crate) struct TargetContext<'a> {
    /// The sensitive columns of the class table, in its order.
    pub sensitive: &'a [String],
    /// Where `hierarchy_<column>.csv` files are (for hierarchical t-closeness).
    pub hierarchy_dir: Option<&'a Path>,
    /// Population size, for a population-uniqueness target.
    pub population: Option<u64>,
    pub snb: SnbVariant,
}

impl TargetSpec {
    pub(crate) fn from_policy(an: &Anonymization) -> Self {
        TargetSpec {
            k: an.k,
            l_diversity: an.l_diversity.clone(),
            t_closeness: an.t_closeness.clone(),
            presets: an.presets.clone(),
            max_risk: an.max_risk,
            max_average_risk: an.max_average_risk,
            max_population_uniqueness: an.max_population_uniqueness,
        }
    }

    /// `self` with every target that `flags` states replaced by the flag's.
    pub(crate) fn overridden_by(mut self, flags: &TargetSpec) -> Self {
        if flags.k.is_some() {
            self.k = flags.k;
        }
        if !flags.l_diversity.is_empty() {
            self.l_diversity = flags.l_diversity.clone();
        }
        if !flags.t_closeness.is_empty() {
            self.t_closeness = flags.t_closeness.clone();
        }
        if !flags.presets.is_empty() {
            self.presets = flags.presets.clone();
        }
        self.max_risk = flags.max_risk.or(self.max_risk);
        self.max_average_risk = flags.max_average_risk.or(self.max_average_risk);
        self.max_population_uniqueness = flags
            .max_population_uniqueness
            .or(self.max_population_uniqueness);
        self
    }

    /// The sensitive columns the l-diversity and t-closeness targets name.
    pub(crate) fn sensitive_columns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.l_diversity.iter().chain(&self.t_closeness) {
            let col = s.split(':').next().unwrap_or_default().to_string();
            if !out.contains(&col) {
                out.push(col);
            }
        }
        out
    }

    /// The largest class size the targets require (k, the presets' k, 1/highest risk): classes
    /// smaller than this are the ones a report must not show values of.
    pub(crate) fn disclosure_k(&self) -> u64 {
        let mut k = self.k;
        for p in &self.presets {
            let pk = match p.as_str() {
                "k11-cms" => Some(11),
                "risk-0.2" => Some(5),
                "risk-0.09" => Some(12),
                "risk-0.05" => Some(20),
                _ => None,
            };
            k = k.max(pk);
        }
        if let Some(r) = self.max_risk.filter(|&r| r > 0.0) {
            k = k.max(Some((1.0 / r - 1e-9).ceil() as u64));
        }
        k.unwrap_or(DEFAULT_DISCLOSURE_K)
    }

    /// The criteria, in a fixed order: k, l-diversity, t-closeness, presets, highest risk; then
    /// the whole-table ones. `table` is the data the t-closeness distributions come from.
    pub(crate) fn build(&self, table: &ClassTable, cx: &TargetContext) -> Result<Built> {
        let mut criteria: Vec<Box<dyn Criterion>> = Vec::new();
        if let Some(k) = self.k {
            if k == 0 {
                return Err(Error::Invalid("k must be at least 1".into()));
            }
            criteria.push(Box::new(KAnonymity(k)));
        }
        let sensitive_index = |col: &str, what: &str, s: &str| {
            cx.sensitive.iter().position(|c| c == col).ok_or_else(|| {
                Error::Invalid(format!(
                    "{what} {s:?}: {col:?} is not a sensitive column of this table"
                ))
            })
        };
        for s in &self.l_diversity {
            let p: Vec<&str> = s.split(':').collect();
            let l: usize = p
                .get(2)
                .and_then(|x| x.parse().ok())
                .filter(|&l| l >= 1)
                .ok_or_else(|| spec_err(s, "l-diversity"))?;
            let variant = match p.get(1).copied() {
                Some("distinct") if p.len() == 3 => LVariant::Distinct,
                Some("entropy") if p.len() == 3 => LVariant::Entropy,
                Some("recursive") if p.len() == 4 => LVariant::Recursive(
                    p[3].parse()
                        .ok()
                        .filter(|c: &f64| c.is_finite() && *c > 0.0)
                        .ok_or_else(|| spec_err(s, "l-diversity"))?,
                ),
                _ => return Err(spec_err(s, "l-diversity")),
            };
            criteria.push(Box::new(LDiversity {
                sensitive: sensitive_index(p[0], "l-diversity", s)?,
                column: p[0].into(),
                l,
                variant,
            }));
        }
        for s in &self.t_closeness {
            let p: Vec<&str> = s.split(':').collect();
            if p.len() != 3 {
                return Err(spec_err(s, "t-closeness"));
            }
            let t: f64 = p[2]
                .parse()
                .ok()
                .filter(|t: &f64| (0.0..=1.0).contains(t))
                .ok_or_else(|| spec_err(s, "t-closeness"))?;
            let ground = match p[1] {
                "equal" => GroundDistance::Equal,
                "ordered" => GroundDistance::Ordered,
                "hierarchical" => GroundDistance::Hierarchical,
                _ => return Err(spec_err(s, "t-closeness")),
            };
            let idx = sensitive_index(p[0], "t-closeness", s)?;
            let h = &table.sensitive[idx];
            let mut distribution = Distribution::of(h);
            if ground == GroundDistance::Hierarchical {
                let dir = cx.hierarchy_dir.ok_or_else(|| {
                    Error::Invalid(format!(
                        "hierarchical t-closeness on {:?} needs a hierarchy folder (--hierarchies DIR or the policy's \"hierarchies\")",
                        p[0]
                    ))
                })?;
                let hier = Hierarchy::load(&dir.join(format!("hierarchy_{}.csv", p[0])))?;
                distribution = distribution.with_hierarchy(h, &hier)?;
            }
            criteria.push(Box::new(TCloseness {
                sensitive: idx,
                column: p[0].into(),
                t,
                ground,
                distribution,
            }));
        }
        for name in &self.presets {
            criteria.push(preset(name).ok_or_else(|| {
                Error::Invalid(format!(
                    "preset {name:?}: known presets are k11-cms, risk-0.2, risk-0.09, risk-0.05"
                ))
            })?);
        }
        if let Some(x) = self.max_risk {
            if !(x > 0.0 && x <= 1.0) {
                return Err(Error::Invalid(format!(
                    "highest risk target {x}: must be in (0, 1]"
                )));
            }
            criteria.push(Box::new(MaxProsecutorRisk(x)));
        }
        let mut table_criteria: Vec<Box<dyn TableCriterion>> = Vec::new();
        if let Some(x) = self.max_average_risk {
            if !(x > 0.0 && x <= 1.0) {
                return Err(Error::Invalid(format!(
                    "average risk target {x}: must be in (0, 1]"
                )));
            }
            table_criteria.push(Box::new(MaxAverageRisk(x)));
        }
        if let Some(x) = self.max_population_uniqueness {
            if !(0.0..=1.0).contains(&x) {
                return Err(Error::Invalid(format!(
                    "population uniqueness target {x}: must be in [0, 1]"
                )));
            }
            let population = cx.population.ok_or_else(|| {
                Error::Invalid(
                    "a population-uniqueness target needs the population (--sampling-fraction, --population or --population-table)".into(),
                )
            })?;
            table_criteria.push(Box::new(MaxPopulationUniqueness {
                max: x,
                population,
                snb: cx.snb,
            }));
        }
        Ok((criteria, table_criteria))
    }
}

fn spec_err(s: &str, what: &str) -> Error {
    Error::Invalid(format!(
        "{what} {s:?}: expected {}",
        if what == "l-diversity" {
            "COL:distinct:L, COL:entropy:L or COL:recursive:L:C"
        } else {
            "COL:equal|ordered|hierarchical:T with 0 <= T <= 1"
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disclosure_k_is_the_largest_required_class() {
        assert_eq!(TargetSpec::default().disclosure_k(), 11);
        let s = TargetSpec {
            k: Some(5),
            max_risk: Some(0.2),
            ..Default::default()
        };
        assert_eq!(s.disclosure_k(), 5);
        let s = TargetSpec {
            k: Some(3),
            max_risk: Some(0.09),
            ..Default::default()
        };
        // 1 / 0.09 = 11.1: classes of 12 records are needed.
        assert_eq!(s.disclosure_k(), 12);
        let s = TargetSpec {
            k: Some(3),
            presets: vec!["k11-cms".into()],
            ..Default::default()
        };
        assert_eq!(s.disclosure_k(), 11);
    }

    #[test]
    fn flags_override_the_policy() {
        let policy = TargetSpec {
            k: Some(5),
            max_risk: Some(0.2),
            l_diversity: vec!["s:distinct:2".into()],
            ..Default::default()
        };
        let flags = TargetSpec {
            k: Some(3),
            ..Default::default()
        };
        let s = policy.overridden_by(&flags);
        assert_eq!(s.k, Some(3));
        assert_eq!(s.max_risk, Some(0.2));
        assert_eq!(s.sensitive_columns(), vec!["s".to_string()]);
    }
}
