//! Checking a table against thresholds: the verdicts behind `reident gate` and every report.
//!
//! A gate checks the data *as it is*: no generalization and no suppression (a release that
//! relied on suppression has already removed or starred those records). Each threshold gets one
//! verdict with the figure it was judged on, so a pipeline log and an auditor see why.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;
use crate::criteria::{Criterion, TableCriterion};

/// The outcome of one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// What is required, e.g. `5-anonymity`, `highest prosecutor risk <= 0.2`.
    pub threshold: String,
    /// What the figure is: `smallest class`, `highest prosecutor risk`, ...
    pub measure: String,
    /// The figure on this table (the worst class's, for per-class thresholds); `null` when it
    /// has none (an empty table, an estimator that failed, no c for recursive l-diversity).
    pub measured: Option<f64>,
    /// Classes and records that miss a per-class threshold (0 for whole-table thresholds).
    pub classes_failing: u64,
    pub records_failing: u64,
    pub passed: bool,
}

impl Verdict {
    /// The figure as text: whole numbers without decimals, others to 6 places, `none` without.
    pub(crate) fn measured_text(&self) -> String {
        match self.measured {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            Some(x) => format!("{x:.6}"),
            None => "none".into(),
        }
    }

    /// One line for people and CI logs: `PASS 5-anonymity (smallest class: 5)`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} {} ({}: {})",
            if self.passed { "PASS" } else { "FAIL" },
            self.threshold,
            self.measure,
            self.measured_text()
        );
        if !self.passed && self.records_failing > 0 {
            s.push_str(&format!(
                "; {} classes, {} records fail",
                self.classes_failing, self.records_failing
            ));
        }
        s
    }
}

/// One verdict per criterion, in the order given.
pub(crate) fn check(
    table: &ClassTable,
    criteria: &[Box<dyn Criterion + '_>],
    table_criteria: &[Box<dyn TableCriterion + '_>],
) -> Vec<Verdict> {
    let mut out = Vec::with_capacity(criteria.len() + table_criteria.len());
    for cr in criteria {
        let (measure, lowest_is_worst) = cr.measure();
        let mut classes_failing = 0u64;
        let mut records_failing = 0u64;
        // `None` (no figure) is the worst a class can be.
        let mut worst: Option<Option<f64>> = None;
        for c in 0..table.n_classes() {
            if !cr.class_ok(table, c) {
                classes_failing += 1;
                records_failing += table.counts[c];
            }
            let m = cr.class_measure(table, c);
            worst = Some(match (worst, m) {
                (None, m) => m,
                (Some(None), _) | (Some(_), None) => None,
                (Some(Some(a)), Some(b)) => Some(if lowest_is_worst { a.min(b) } else { a.max(b) }),
            });
        }
        out.push(Verdict {
            threshold: cr.describe(),
            measure: measure.to_string(),
            measured: worst.flatten(),
            classes_failing,
            records_failing,
            passed: classes_failing == 0 && table.n_classes() > 0,
        });
    }
    for tc in table_criteria {
        out.push(Verdict {
            threshold: tc.describe(),
            measure: tc.describe(),
            measured: tc.measure(&table.counts),
            classes_failing: 0,
            records_failing: 0,
            passed: tc.table_ok(&table.counts),
        });
    }
    out
}

/// One verdict per criterion when missing values are wildcards: each criterion must be a
/// minimum class size (k-anonymity, a highest-risk bound, their presets), checked against each
/// class's matched size (`sizes`, [`crate::classes::wildcard`]). `None` when one is not.
pub(crate) fn check_matched(
    table: &ClassTable,
    sizes: &[u64],
    criteria: &[Box<dyn Criterion + '_>],
) -> Option<Vec<Verdict>> {
    criteria
        .iter()
        .map(|cr| {
            let Some(super::ClassRule::MinSize(min)) = cr.class_rule() else {
                return None;
            };
            // The minimum-size criteria measure the size itself (k-anonymity: the lowest is the
            // worst) or the risk 1/size (the highest is the worst).
            let (measure, size_itself) = cr.measure();
            let failing: Vec<usize> = (0..table.n_classes()).filter(|&c| sizes[c] < min).collect();
            let smallest = sizes.iter().copied().min();
            let measured = smallest.map(|k| {
                if size_itself {
                    k as f64
                } else {
                    1.0 / k as f64
                }
            });
            Some(Verdict {
                threshold: cr.describe(),
                measure: measure.to_string(),
                measured,
                classes_failing: failing.len() as u64,
                records_failing: failing.iter().map(|&c| table.counts[c]).sum(),
                passed: failing.is_empty() && table.n_classes() > 0,
            })
        })
        .collect()
}

/// `pass` when every verdict passed, `fail` when one did not, `not assessed` without any.
pub(crate) fn overall(verdicts: &[Verdict]) -> &'static str {
    if verdicts.is_empty() {
        "not assessed"
    } else if verdicts.iter().all(|v| v.passed) {
        "pass"
    } else {
        "fail"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classes::Domain;
    use crate::criteria::{KAnonymity, MaxAverageRisk, MaxProsecutorRisk};

    fn table(counts: &[u64]) -> ClassTable {
        ClassTable {
            n_records: counts.iter().sum(),
            qis: vec![Domain {
                name: "q".into(),
                values: (0..counts.len()).map(|i| i.to_string()).collect(),
            }],
            codes: vec![(0..counts.len() as u32).collect()],
            counts: counts.to_vec(),
            sensitive: vec![],
            weights: None,
        }
    }

    #[test]
    fn verdicts_carry_the_worst_class_and_the_failures() {
        let t = table(&[7, 2, 5, 1]);
        let criteria: Vec<Box<dyn Criterion>> =
            vec![Box::new(KAnonymity(5)), Box::new(MaxProsecutorRisk(0.5))];
        let tables: Vec<Box<dyn TableCriterion>> = vec![Box::new(MaxAverageRisk(0.3))];
        let v = check(&t, &criteria, &tables);
        assert_eq!(v[0].measured, Some(1.0));
        assert_eq!((v[0].classes_failing, v[0].records_failing), (2, 3));
        assert!(!v[0].passed);
        // Risk 1/1 = 1 > 0.5 fails; 1/2 = 0.5 passes.
        assert_eq!(v[1].measured, Some(1.0));
        assert_eq!((v[1].classes_failing, v[1].records_failing), (1, 1));
        // 4 classes over 15 records.
        assert_eq!(v[2].measured, Some(4.0 / 15.0));
        assert!(v[2].passed);
        assert_eq!(overall(&v), "fail");
        assert_eq!(overall(&v[2..]), "pass");
        assert_eq!(overall(&[]), "not assessed");
    }
}
