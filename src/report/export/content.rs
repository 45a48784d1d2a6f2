//! What the reports for people show, read from the typed figures: the rows of every table and
//! chart, and the texts that explain them. [`super::document`] lays them out.
//!
//! A figure that is not a finite number is shown as missing: the report's JSON writes NaN and
//! infinity as `null`, and the Markdown and HTML forms have always left such figures out.

use crate::analyze::Figures as Analysis;
use crate::anonymize::Figures as Anonymization;
use crate::risk::estimators::{Model, Status};
use crate::safe_harbor::{SafeHarborReport, Source, Transformation};
use crate::scan::{Role, ScanReport};
use crate::suda::Figures as Suda;

use super::Report;

/// A share as a percentage with two decimals.
pub(crate) fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// `x` if it is a finite number (see the module documentation).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A score or share in a per-column table: two decimals when it has a fraction, else as the
/// report's JSON spells it (`3.0`); empty when it is not finite (`null` in the JSON).
fn number(x: f64) -> String {
    match serde_json::Number::from_f64(x) {
        None => String::new(),
        Some(_) if x.fract() != 0.0 => format!("{x:.2}"),
        Some(n) => n.to_string(),
    }
}

/// The names the report's JSON gives these values, which its tables for people repeat.
fn model_name(m: Model) -> &'static str {
    match m {
        Model::Zayatz => "zayatz",
        Model::Snb => "snb",
        Model::Pitman => "pitman",
        Model::Dankar => "dankar",
    }
}

fn status_name(s: &Status) -> &'static str {
    match s {
        Status::Estimated => "estimated",
        Status::Exact(_) => "exact",
        Status::Fallback(_) => "fallback",
        Status::Invalid(_) => "invalid",
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Identifying => "identifying",
        Role::Qi => "qi",
        Role::Sensitive => "sensitive",
        Role::Insensitive => "insensitive",
    }
}

fn transformation_name(t: Transformation) -> &'static str {
    match t {
        Transformation::Drop => "drop",
        Transformation::Pseudonymize => "pseudonymize",
        Transformation::Year => "year",
        Transformation::BirthYear => "birth_year",
        Transformation::TopCodeAge => "top_code_age",
        Transformation::Zip3 => "zip3",
        Transformation::Keep => "keep",
    }
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Flag => "flag",
        Source::Scan => "scan",
        Source::None => "none",
    }
}

/// Records by prosecutor-risk band, from the records above each threshold: `(label, records)`,
/// highest band first.
pub(crate) fn risk_bands(analysis: Option<&Analysis>) -> Vec<(String, f64)> {
    let Some(a) = analysis else {
        return Vec::new();
    };
    let n = a.classes.records as f64;
    let mut out = Vec::new();
    let mut above_prev = 0.0;
    let mut prev_t: Option<f64> = None;
    for above in &a.prosecutor.records_above {
        let Some(t) = finite(above.threshold) else {
            continue;
        };
        let r = above.records as f64;
        let label = match prev_t {
            None => format!("risk > {t}"),
            Some(p) => format!("{t} < risk <= {p}"),
        };
        out.push((label, r - above_prev));
        above_prev = r;
        prev_t = Some(t);
    }
    if let Some(t) = prev_t {
        out.push((format!("risk <= {t}"), n - above_prev));
    }
    out
}

/// The combinations of at most this many QIs are the ones the chart ranks: larger sets single
/// out more people trivially, and an attacker is likelier to know a few attributes than many.
pub(crate) const TOP_COMBINATION_SIZE: u64 = 3;

/// Each QI's marginal contribution: (QI, drop in sample uniqueness when it is left out).
pub(crate) fn marginals(report: &Report) -> Vec<(String, f64)> {
    let Some(c) = &report.figures.combinations else {
        return Vec::new();
    };
    c.marginal
        .iter()
        .filter_map(|m| Some((m.qi.clone(), finite(m.drop)?)))
        .collect()
}

/// The subsets of at most [`TOP_COMBINATION_SIZE`] QIs with the most sample uniques (those with
/// any), at most `n`: (QIs joined by `+`, uniqueness, number of QIs).
pub(crate) fn top_combinations(report: &Report, n: usize) -> Vec<(String, f64, u64)> {
    let Some(c) = &report.figures.combinations else {
        return Vec::new();
    };
    let mut rows: Vec<(String, f64, u64)> = c
        .subsets
        .iter()
        .filter_map(|s| Some((s.qis.join(" + "), finite(s.uniqueness)?, s.qis.len() as u64)))
        .filter(|r| r.1 > 0.0 && r.2 <= TOP_COMBINATION_SIZE)
        .collect();
    // Most uniqueness first; among equals, fewer QIs first (the smaller set explains more).
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    rows.truncate(n);
    rows
}

/// Plain-language descriptions of what the report measured: (term, description).
pub(crate) fn methods(report: &Report) -> Vec<(String, String)> {
    let mut out = vec![
        (
            "Equivalence classes".to_string(),
            "Records that share every quasi-identifier value (the columns an attacker could know from elsewhere) form a class. A record in a class of size f is indistinguishable from f - 1 others; k-anonymity holds when every class has at least k records.".to_string(),
        ),
        (
            "Prosecutor risk".to_string(),
            "The attacker knows the person is in the data and matches on the quasi-identifiers: a record in a class of size f is re-identified with probability 1/f. The highest risk is 1/k; the average is classes / records.".to_string(),
        ),
        (
            "Sample uniques".to_string(),
            "Records alone in their class: the ones singled out by their quasi-identifiers.".to_string(),
        ),
    ];
    if let Some(a) = &report.figures.analysis {
        out.push((
            "Population".to_string(),
            format!("{}. Journalist and marketer risk and the population-uniqueness estimators (Zayatz, SNB, Pitman, and the decision rule of Dankar et al. 2012) use this population size.", a.population.description),
        ));
    }
    if let Some(m) = report
        .figures
        .analysis
        .as_ref()
        .and_then(|a| a.missing.as_ref())
    {
        out.push((
            "Missing values as wildcards".to_string(),
            format!("A missing or suppressed quasi-identifier value (NULL, *) matches every value, as sdcMicro (alpha = 1) and mu-Argus count: a record's class size is the number of records that agree with it wherever neither is missing ({} records have such a value). Class sizes then overlap, so the population-uniqueness models, which need a partition of the records, give no figure.", m.records_with_missing),
        ));
    }
    if let Some(an) = &report.figures.anonymization {
        out.push((
            "Anonymization".to_string(),
            "Full-domain generalization: every value of a quasi-identifier is replaced by its ancestor at one level of its hierarchy; records of classes that still miss the targets are suppressed, up to the suppression limit. The transformation shown is the one with the least information loss by the chosen metric.".to_string(),
        ));
        if an.local_suppression.is_some() {
            out.push((
                "Local suppression".to_string(),
                "Instead of removing the records of classes that miss k, single quasi-identifier cells are blanked: the fewest cells, each weighted by its quasi-identifier's importance, so that every record agrees with at least k records wherever neither is blank (a blank matches every value, as in sdcMicro's localSuppression). Small tables are solved exactly; larger ones by a greedy search that takes the least-matched records first and blanks each one's cheapest set of cells.".to_string(),
            ));
        }
        if let Some(m) = &an.microaggregation {
            out.push((
                "Microaggregation".to_string(),
                format!("{}. Information loss: the within-group sum of squares over the total sum of squares of the standardized columns (SSE/SST), and IL1, the mean absolute change in standard deviations over the square root of 2.", m.method),
            ));
        }
    }
    if let Some(s) = &report.figures.suda {
        out.push((
            "SUDA and DIS-SUDA".to_string(),
            format!("Minimal sample uniques (the smallest sets of a record's values that no other record shares) found by SUDA2; a record's SUDA score adds (M - s)! for each of its MSUs of size s among M attributes (Elliot et al.). DIS-SUDA: {}.", s.dis.describe()),
        ));
    }
    out.push((
        "Thresholds and their sources".to_string(),
        "k = 11 is the CMS cell-size rule; highest prosecutor risk 0.2 (sharing with trusted recipients), 0.09 (public release) and 0.05 (strictest) are the thresholds of El Emam's guide to de-identifying health data. The thresholds applied here are those of the policy or command line, listed with their verdicts.".to_string(),
    ));
    out.push((
        "What this report does not show".to_string(),
        format!("No quasi-identifier or sensitive value of a class smaller than {} appears in this report{}. Row numbers may appear; values do not.", report.disclosure_k, if report.shows_values { " except in the small-classes listing requested with --show-values" } else { "" }),
    ));
    out
}

/// The headline figures of an analysis, as (name, value) rows.
pub(crate) fn key_figures(analysis: Option<&Analysis>) -> Vec<(String, String)> {
    let Some(a) = analysis else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut push = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            rows.push((name.to_string(), v));
        }
    };
    let risk = |x: f64| finite(x).map(|x| format!("{x:.6}"));
    push("records", Some(a.classes.records.to_string()));
    push(
        "missing values",
        a.missing.as_ref().map(|m| {
            format!(
                "wildcards: class sizes are matched sizes ({} records with a missing or suppressed value)",
                m.records_with_missing
            )
        }),
    );
    push("equivalence classes", Some(a.classes.classes.to_string()));
    push("smallest class (k)", Some(a.classes.smallest.to_string()));
    push("largest class", Some(a.classes.largest.to_string()));
    push("highest prosecutor risk", risk(a.prosecutor.highest));
    push("average prosecutor risk", risk(a.prosecutor.average));
    let su = &a.sample_uniques;
    push(
        "sample uniques",
        Some(format!(
            "{} ({})",
            su.records,
            pct(finite(su.share).unwrap_or(0.0))
        )),
    );
    let dankar = &a.population_uniqueness.dankar;
    let how = match dankar.chosen {
        Some(model) => format!("model: {}", model_name(model)),
        None => status_name(&dankar.estimate.status).to_string(),
    };
    push(
        "population uniqueness (Dankar rule)",
        Some(match dankar.estimate.share.and_then(finite) {
            Some(s) => format!("{} ({how})", pct(s)),
            None => format!("no estimate ({how})"),
        }),
    );
    let j = &a.journalist;
    push(
        "journalist risk: highest / success rate",
        finite(j.highest)
            .map(|h| format!("{h:.6} / {:.6}", finite(j.success_rate).unwrap_or(f64::NAN))),
    );
    push(
        "marketer risk (success rate)",
        risk(a.marketer.success_rate),
    );
    rows
}

/// The class-size histogram: (sizes, classes, records, records share).
pub(crate) fn class_sizes(analysis: Option<&Analysis>) -> Vec<(String, u64, u64, f64)> {
    let Some(a) = analysis else {
        return Vec::new();
    };
    let n = (a.classes.records as f64).max(1.0);
    a.classes
        .histogram
        .iter()
        .map(|b| (b.sizes.clone(), b.classes, b.records, b.records as f64 / n))
        .collect()
}

/// One figure of an anonymization, before and after.
pub(crate) struct Change {
    pub name: String,
    pub before: f64,
    pub after: f64,
    /// A risk or the information loss: a share the before-and-after chart draws.
    pub charted: bool,
}

/// Anonymization figures before and after.
pub(crate) fn before_after(anonymization: Option<&Anonymization>) -> Vec<Change> {
    let Some(an) = anonymization else {
        return Vec::new();
    };
    let change = |name: &str, before: Option<f64>, after: Option<f64>, charted: bool| {
        Some(Change {
            name: name.to_string(),
            before: before?,
            after: after?,
            charted,
        })
    };
    let n = an.before_records as f64;
    let (b, a) = (&an.before, &an.after);
    let count = |x: u64| Some(x as f64);
    [
        change(
            "records (after: kept, not suppressed)",
            Some(n),
            Some(n - an.best.suppressed as f64),
            false,
        ),
        change(
            "highest prosecutor risk",
            finite(b.highest_prosecutor_risk),
            finite(a.highest_prosecutor_risk),
            true,
        ),
        change(
            "average prosecutor risk",
            finite(b.average_prosecutor_risk),
            finite(a.average_prosecutor_risk),
            true,
        ),
        change("classes", count(b.classes), count(a.classes), false),
        change(
            "smallest class",
            count(b.smallest_class),
            count(a.smallest_class),
            false,
        ),
        change(
            &format!("information loss ({})", an.metric),
            finite(an.utility_before),
            an.best.loss.and_then(finite),
            true,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The chosen transformation: (QI, "level l of h", example).
pub(crate) fn transformation(
    anonymization: Option<&Anonymization>,
) -> Vec<(String, String, String)> {
    let Some(an) = anonymization else {
        return Vec::new();
    };
    an.transformation
        .iter()
        .map(|l| {
            (
                l.qi.clone(),
                format!("{} of {}", l.level, l.levels.saturating_sub(1)),
                l.example.clone(),
            )
        })
        .collect()
}

/// A table of per-column (or per-record) findings: the scan's, the Safe Harbor run's, SUDA's.
pub(crate) struct ColumnTable {
    pub title: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// The tables of the scan's findings, the Safe Harbor transformations and warnings, and SUDA's
/// contributions and riskiest records, those the report has.
pub(crate) fn column_tables(report: &Report) -> Vec<ColumnTable> {
    let f = &report.figures;
    let mut out: Vec<ColumnTable> = f.scan.iter().map(scan_table).collect();
    out.extend(f.safe_harbor.iter().map(safe_harbor_table));
    out.extend(f.suda.iter().flat_map(suda_tables));
    if let Some(an) = &f.anonymization {
        out.extend(an.local_suppression.iter().map(local_table));
        out.extend(an.microaggregation.iter().map(micro_table));
    }
    if let Some(sh) = f.safe_harbor.as_ref().filter(|s| !s.warnings.is_empty()) {
        out.push(ColumnTable {
            title: "Left for the user to decide",
            header: &["warning"],
            rows: sh.warnings.iter().map(|w| vec![w.clone()]).collect(),
        });
    }
    out
}

fn scan_table(scan: &ScanReport) -> ColumnTable {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    ColumnTable {
        title: "Identifier scan (HIPAA Safe Harbor categories)",
        header: &[
            "column",
            "category",
            "hipaa",
            "confidence",
            "level",
            "suggested role",
        ],
        rows: scan
            .columns
            .iter()
            .map(|c| {
                vec![
                    c.column.clone(),
                    text(&c.category),
                    text(&c.hipaa),
                    number(c.confidence),
                    c.level.map(|l| l.as_str().to_string()).unwrap_or_default(),
                    role_name(c.suggested_role).to_string(),
                ]
            })
            .collect(),
    }
}

fn safe_harbor_table(sh: &SafeHarborReport) -> ColumnTable {
    ColumnTable {
        title: "Safe Harbor transformations",
        header: &[
            "column",
            "transformation",
            "source",
            "values",
            "changed",
            "unrecognized",
        ],
        rows: sh
            .columns
            .iter()
            .map(|c| {
                vec![
                    c.column.clone(),
                    transformation_name(c.transformation).to_string(),
                    source_name(c.source).to_string(),
                    c.values.to_string(),
                    c.changed.to_string(),
                    c.unrecognized.to_string(),
                ]
            })
            .collect(),
    }
}

fn local_table(l: &crate::sdc::LocalFigures) -> ColumnTable {
    let mut rows: Vec<Vec<String>> = l
        .qis
        .iter()
        .map(|q| {
            vec![
                q.qi.clone(),
                q.importance.to_string(),
                q.weight.to_string(),
                q.cells.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        format!(
            "all ({} records touched; {}; smallest matched class {})",
            l.records,
            if l.optimal {
                "proven optimal"
            } else {
                "greedy, not proven optimal"
            },
            l.smallest_matched
        ),
        String::new(),
        format!("cost {}", l.cost),
        l.cells.to_string(),
    ]);
    ColumnTable {
        title: "Local suppression: cells blanked per quasi-identifier",
        header: &[
            "quasi-identifier",
            "importance (1 = kept longest)",
            "weight",
            "cells",
        ],
        rows,
    }
}

fn micro_table(m: &crate::sdc::MicroFigures) -> ColumnTable {
    let row = |a: &str, b: String| vec![a.to_string(), b];
    ColumnTable {
        title: "Microaggregation (MDAV)",
        header: &["figure", "value"],
        rows: vec![
            row("columns", m.columns.join(", ")),
            row("method", m.method.clone()),
            row("records", m.records.to_string()),
            row(
                "groups (smallest, largest)",
                format!("{} ({}, {})", m.groups, m.smallest_group, m.largest_group),
            ),
            row("distinct released tuples", m.distinct.to_string()),
            row("SSE / SST (standardized)", format!("{:.6}", m.sse_sst)),
            row("SSE (original scale)", number(m.sse)),
            row("IL1", format!("{:.6}", m.il1)),
        ],
    }
}

fn suda_tables(suda: &Suda) -> [ColumnTable; 3] {
    [
        ColumnTable {
            title: "SUDA: the DIS-SUDA method",
            header: &["method"],
            rows: vec![vec![suda.dis.describe()]],
        },
        ColumnTable {
            title: "SUDA: each attribute's share of the total score",
            header: &["attribute", "percent"],
            rows: suda
                .attribute_contributions
                .iter()
                .map(|c| vec![c.attribute.clone(), number(c.percent)])
                .collect(),
        },
        ColumnTable {
            title: "SUDA: the riskiest records (row numbers, never values)",
            header: &["row", "suda score", "dis suda score"],
            rows: suda
                .riskiest_records
                .iter()
                .map(|r| {
                    vec![
                        r.row.map(|x| x.to_string()).unwrap_or_default(),
                        number(r.suda_score),
                        number(r.dis_suda_score),
                    ]
                })
                .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Level;

    /// The tables name values as the report's JSON does.
    #[test]
    fn names_are_the_json_names() {
        fn json<T: serde::Serialize>(v: T) -> String {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        }
        for m in [Model::Zayatz, Model::Snb, Model::Pitman, Model::Dankar] {
            assert_eq!(model_name(m), json(m));
        }
        for s in [
            Status::Estimated,
            Status::Exact(String::new()),
            Status::Fallback(String::new()),
            Status::Invalid(String::new()),
        ] {
            let v = serde_json::to_value(&s).unwrap();
            assert_eq!(status_name(&s), v["kind"].as_str().unwrap());
        }
        for r in [
            Role::Identifying,
            Role::Qi,
            Role::Sensitive,
            Role::Insensitive,
        ] {
            assert_eq!(role_name(r), json(r));
        }
        use Transformation as T;
        for t in [
            T::Drop,
            T::Pseudonymize,
            T::Year,
            T::BirthYear,
            T::TopCodeAge,
            T::Zip3,
            T::Keep,
        ] {
            assert_eq!(transformation_name(t), json(t));
        }
        for s in [Source::Flag, Source::Scan, Source::None] {
            assert_eq!(source_name(s), json(s));
        }
        for l in [Level::Low, Level::Medium, Level::High] {
            assert_eq!(l.as_str(), json(l));
        }
    }

    #[test]
    fn numbers_have_two_decimals_or_their_json_spelling() {
        assert_eq!(number(3.0), "3.0");
        assert_eq!(number(0.0), "0.0");
        assert_eq!(number(0.5), "0.50");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(f64::NAN), "");
        assert_eq!(number(f64::INFINITY), "");
        assert_eq!(finite(f64::NAN), None);
        assert_eq!(pct(0.1234), "12.34%");
    }
}
