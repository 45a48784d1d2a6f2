//! Report exporters: one trait, one small module per format (JSON for machines, Markdown and
//! HTML for people). Each renders the whole report to a string; [`super::Report::write_dir`]
//! writes them.

mod html;
mod json;
mod markdown;
mod svg;

use serde_json::Value;

use super::Report;
use crate::error::Result;

pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;

pub trait Exporter {
    /// The file this format is written to in a report folder.
    fn file_name(&self) -> &'static str;
    fn render(&self, report: &Report) -> Result<String>;
}

/// Every format, in the order they are written.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(Json), Box::new(Markdown), Box::new(Html)]
}

/// A number at `pointer` in a figures section.
fn num(v: Option<&Value>, pointer: &str) -> Option<f64> {
    v.and_then(|v| v.pointer(pointer)).and_then(Value::as_f64)
}

/// A share as a percentage with two decimals.
fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// Records by prosecutor-risk band, from the `records_above` list (records whose risk is above
/// each threshold): `(label, records)`, highest band first.
fn risk_bands(analysis: Option<&Value>) -> Vec<(String, f64)> {
    let Some(list) = analysis
        .and_then(|a| a.pointer("/prosecutor/records_above"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let n = num(analysis, "/classes/records").unwrap_or(0.0);
    let pts: Vec<(f64, f64)> = list
        .iter()
        .filter_map(|x| Some((x.get("threshold")?.as_f64()?, x.get("records")?.as_f64()?)))
        .collect();
    let mut out = Vec::new();
    let mut above_prev = 0.0;
    let mut prev_t: Option<f64> = None;
    for &(t, r) in &pts {
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
const TOP_COMBINATION_SIZE: u64 = 3;

/// Each QI's marginal contribution: (QI, drop in sample uniqueness when it is left out).
fn marginals(report: &Report) -> Vec<(String, f64)> {
    report
        .figures
        .get("combinations")
        .and_then(|c| c.get("marginal"))
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|x| {
                    Some((x.get("qi")?.as_str()?.to_string(), x.get("drop")?.as_f64()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The subsets of at most [`TOP_COMBINATION_SIZE`] QIs with the most sample uniques (those with
/// any), at most `n`.
fn top_combinations(report: &Report, n: usize) -> Vec<(String, f64, u64)> {
    let Some(subsets) = report
        .figures
        .get("combinations")
        .and_then(|c| c.get("subsets"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut rows: Vec<(String, f64, u64)> = subsets
        .iter()
        .filter_map(|s| {
            let qis: Vec<&str> = s
                .get("qis")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Some((
                qis.join(" + "),
                s.get("uniqueness")?.as_f64()?,
                qis.len() as u64,
            ))
        })
        .filter(|r| r.1 > 0.0 && r.2 <= TOP_COMBINATION_SIZE)
        .collect();
    // Most uniqueness first; among equals, fewer QIs first (the smaller set explains more).
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    rows.truncate(n);
    rows
}

/// Plain-language descriptions of what the report measured, for the HTML and Markdown forms.
fn methods(report: &Report) -> Vec<(String, String)> {
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
    if let Some(a) = report.figures.get("analysis") {
        if let Some(desc) = a.pointer("/population/description").and_then(Value::as_str) {
            out.push((
                "Population".to_string(),
                format!("{desc}. Journalist and marketer risk and the population-uniqueness estimators (Zayatz, SNB, Pitman, and the decision rule of Dankar et al. 2012) use this population size."),
            ));
        }
    }
    if report.figures.contains_key("anonymization") {
        out.push((
            "Anonymization".to_string(),
            "Full-domain generalization: every value of a quasi-identifier is replaced by its ancestor at one level of its hierarchy; records of classes that still miss the targets are suppressed, up to the suppression limit. The transformation shown is the one with the least information loss by the chosen metric.".to_string(),
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

/// The headline figures, as (name, value) rows.
fn key_figures(report: &Report) -> Vec<(String, String)> {
    let a = report.figures.get("analysis");
    let mut rows = Vec::new();
    let int = |p: &str| num(a, p).map(|x| format!("{}", x as u64));
    let mut push = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            rows.push((name.to_string(), v));
        }
    };
    push("records", int("/classes/records"));
    push("equivalence classes", int("/classes/classes"));
    push("smallest class (k)", int("/classes/smallest"));
    push("largest class", int("/classes/largest"));
    push(
        "highest prosecutor risk",
        num(a, "/prosecutor/highest").map(|x| format!("{x:.6}")),
    );
    push(
        "average prosecutor risk",
        num(a, "/prosecutor/average").map(|x| format!("{x:.6}")),
    );
    push(
        "sample uniques",
        num(a, "/sample_uniques/records").map(|r| {
            format!(
                "{} ({})",
                r as u64,
                pct(num(a, "/sample_uniques/share").unwrap_or(0.0))
            )
        }),
    );
    if let Some(pu) = a.and_then(|a| a.pointer("/population_uniqueness/dankar")) {
        let share = pu.pointer("/estimate/share").and_then(Value::as_f64);
        let how = match pu.get("chosen").and_then(Value::as_str) {
            Some(model) => format!("model: {model}"),
            None => pu
                .pointer("/estimate/status/kind")
                .and_then(Value::as_str)
                .unwrap_or("no model")
                .to_string(),
        };
        push(
            "population uniqueness (Dankar rule)",
            Some(match share {
                Some(s) => format!("{} ({how})", pct(s)),
                None => format!("no estimate ({how})"),
            }),
        );
    }
    push(
        "journalist risk: highest / success rate",
        num(a, "/journalist/highest").map(|h| {
            format!(
                "{h:.6} / {:.6}",
                num(a, "/journalist/success_rate").unwrap_or(f64::NAN)
            )
        }),
    );
    push(
        "marketer risk (success rate)",
        num(a, "/marketer/success_rate").map(|x| format!("{x:.6}")),
    );
    rows
}

/// The class-size histogram: (sizes, classes, records, records share).
fn class_sizes(report: &Report) -> Vec<(String, u64, u64, f64)> {
    let a = report.figures.get("analysis");
    let n = num(a, "/classes/records").unwrap_or(0.0).max(1.0);
    a.and_then(|a| a.pointer("/classes/histogram"))
        .and_then(Value::as_array)
        .map(|h| {
            h.iter()
                .filter_map(|b| {
                    let r = b.get("records")?.as_u64()?;
                    Some((
                        b.get("sizes")?.as_str()?.to_string(),
                        b.get("classes")?.as_u64()?,
                        r,
                        r as f64 / n,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Anonymization before/after rows: (figure, before, after).
fn before_after(report: &Report) -> Vec<(String, f64, f64)> {
    let Some(an) = report.figures.get("anonymization") else {
        return Vec::new();
    };
    let g = |p: &str| an.pointer(p).and_then(Value::as_f64);
    let mut rows = Vec::new();
    if let (Some(n), Some(sup)) = (g("/before_records"), g("/best/suppressed")) {
        rows.push((
            "records (after: kept, not suppressed)".to_string(),
            n,
            n - sup,
        ));
    }
    for (name, b, a) in [
        (
            "highest prosecutor risk",
            "/before/highest_prosecutor_risk",
            "/after/highest_prosecutor_risk",
        ),
        (
            "average prosecutor risk",
            "/before/average_prosecutor_risk",
            "/after/average_prosecutor_risk",
        ),
        ("classes", "/before/classes", "/after/classes"),
        (
            "smallest class",
            "/before/smallest_class",
            "/after/smallest_class",
        ),
    ] {
        if let (Some(b), Some(a)) = (g(b), g(a)) {
            rows.push((name.to_string(), b, a));
        }
    }
    if let (Some(b), Some(a)) = (g("/utility_before"), g("/best/loss")) {
        let metric = an.get("metric").and_then(Value::as_str).unwrap_or("loss");
        rows.push((format!("information loss ({metric})"), b, a));
    }
    rows
}

/// The chosen transformation: (QI, "level l of h", example).
fn transformation(report: &Report) -> Vec<(String, String, String)> {
    report
        .figures
        .get("anonymization")
        .and_then(|a| a.get("transformation"))
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(|l| {
                    Some((
                        l.get("qi")?.as_str()?.to_string(),
                        format!(
                            "{} of {}",
                            l.get("level")?.as_u64()?,
                            l.get("levels")?.as_u64()?.saturating_sub(1)
                        ),
                        l.get("example")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A table for a figures section that is a list of per-column records: (title, header, rows).
/// Used for the scan's findings and the Safe Harbor transformations.
fn column_tables(report: &Report) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.fract() != 0.0 => format!("{x:.2}"),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    };
    let mut out = Vec::new();
    if let Some(cols) = report
        .figures
        .get("scan")
        .and_then(|s| s.get("columns"))
        .and_then(Value::as_array)
    {
        let fields = [
            "column",
            "category",
            "hipaa",
            "confidence",
            "level",
            "suggested_role",
        ];
        let rows = cols
            .iter()
            .map(|c| fields.iter().map(|f| text(c.get(*f))).collect())
            .collect();
        out.push((
            "Identifier scan (HIPAA Safe Harbor categories)".to_string(),
            fields.iter().map(|f| f.replace('_', " ")).collect(),
            rows,
        ));
    }
    if let Some(cols) = report
        .figures
        .get("safe_harbor")
        .and_then(|s| s.get("columns"))
        .and_then(Value::as_array)
    {
        let fields = [
            "column",
            "transformation",
            "source",
            "values",
            "changed",
            "unrecognized",
        ];
        let rows = cols
            .iter()
            .map(|c| fields.iter().map(|f| text(c.get(*f))).collect())
            .collect();
        out.push((
            "Safe Harbor transformations".to_string(),
            fields.iter().map(|f| f.replace('_', " ")).collect(),
            rows,
        ));
    }
    if let Some(suda) = report.figures.get("suda") {
        for (title, list, fields) in [
            (
                "SUDA: each attribute's share of the total score",
                "attribute_contributions",
                &["attribute", "percent"][..],
            ),
            (
                "SUDA: the riskiest records (row numbers, never values)",
                "riskiest_records",
                &["row", "suda_score", "dis_suda_score"][..],
            ),
        ] {
            if let Some(items) = suda.get(list).and_then(Value::as_array) {
                out.push((
                    title.to_string(),
                    fields.iter().map(|f| f.replace('_', " ")).collect(),
                    items
                        .iter()
                        .map(|c| fields.iter().map(|f| text(c.get(*f))).collect())
                        .collect(),
                ));
            }
        }
    }
    if let Some(w) = report
        .figures
        .get("safe_harbor")
        .and_then(|s| s.get("warnings"))
        .and_then(Value::as_array)
        .filter(|w| !w.is_empty())
    {
        out.push((
            "Left for the user to decide".to_string(),
            vec!["warning".to_string()],
            w.iter().map(|x| vec![text(Some(x))]).collect(),
        ));
    }
    out
}
