//! `reident scan`: the table of columns with the category found, the confidence, the suggested
//! role and Safe Harbor step, and the main evidence; then the columns by role.

use std::fmt::Write as _;

use super::{Column, Table};
use crate::scan::{ColumnScan, ScanReport};

/// The table printed by default.
pub fn scan(report: &ScanReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "reident {} — {}",
        report.tool.version, report.dataset.path
    );
    let _ = writeln!(
        s,
        "sample: {}; rules: {}",
        report.sample.method, report.rules
    );
    let _ = writeln!(s);
    let mut t = Table::new(vec![
        Column::left("", 0),
        Column::left("  ", 16),
        Column::left(" ", 7),
        Column::left(" ", 11),
        Column::left(" ", 16),
        Column::left(" ", 12),
        Column::left("  ", 0),
    ]);
    t.fit(0, report.columns.iter().map(|c| c.column.as_str()), 6, 40);
    t.row([
        "column",
        "category",
        "164.514",
        "confidence",
        "role",
        "action",
        "evidence",
    ]);
    for c in &report.columns {
        t.row(cells(c));
    }
    s.push_str(&t.render());
    let _ = writeln!(s);
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        s,
        "direct identifiers: {}",
        list(&report.summary.identifying)
    );
    let _ = writeln!(
        s,
        "quasi-identifiers:  {}",
        list(&report.summary.quasi_identifiers)
    );
    if !report.summary.permitted_codes.is_empty() {
        let _ = writeln!(
            s,
            "pseudonyms:         {} (re-identification codes, 164.514(c))",
            list(&report.summary.permitted_codes)
        );
    }
    if !report.summary.review.is_empty() {
        let _ = writeln!(s, "to review:          {}", list(&report.summary.review));
    }
    s
}

/// One column's row: category, letter, confidence, role, action (`(done)` when the values already
/// have the Safe Harbor form) and the main evidence (the role hint when there is no category).
fn cells(c: &ColumnScan) -> [String; 7] {
    let conf = match c.level {
        Some(l) => format!("{} {:.2}", l.as_str(), c.confidence),
        None => "-".into(),
    };
    let action = match (c.action, c.safe_harbor_form) {
        (Some(a), true) => format!("{} (done)", a.as_str()),
        (Some(a), false) => a.as_str().to_string(),
        (None, _) => "-".into(),
    };
    let evidence = if c.pseudonymized {
        "pseudonyms marked by safe-harbor (permitted code)".to_string()
    } else if c.category.is_some() {
        c.main_evidence()
    } else {
        c.evidence
            .first()
            .map(|e| format!("{} (column name)", e.rule))
            .unwrap_or_default()
    };
    [
        c.column.clone(),
        c.category.as_deref().unwrap_or("-").to_string(),
        c.hipaa
            .as_deref()
            .map(|h| format!("({h})"))
            .unwrap_or("-".into()),
        conf,
        c.suggested_role.as_str().to_string(),
        action,
        evidence,
    ]
}
