//! `reident safe-harbor`: the table of columns with the transformation applied, where it came
//! from and what it changed; then the warnings.

use std::fmt::Write as _;

use super::{Column, Table};
use crate::safe_harbor::{ColumnReport, SafeHarborReport, Source, Transformation};

/// The short table printed by default.
pub fn safe_harbor(report: &SafeHarborReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "reident {} — {} -> {}",
        report.tool.version, report.input, report.output
    );
    let _ = writeln!(
        s,
        "{} records, {} of {} columns written; restricted ZIP3 list: {} ({} codes); reference year {}",
        report.records,
        report.columns_written,
        report.columns.len(),
        report.restricted_zip3.source,
        report.restricted_zip3.codes.len(),
        report.reference_year
    );
    let _ = writeln!(s);
    let mut t = Table::new(vec![
        Column::left("", 0),
        Column::left("  ", 13),
        Column::left(" ", 5),
        Column::right(" ", 10),
        Column::right(" ", 10),
        Column::right(" ", 8),
        Column::left("  ", 0),
    ]);
    t.fit(0, report.columns.iter().map(|c| c.column.as_str()), 6, 40);
    t.row([
        "column", "step", "from", "values", "changed", "nulls", "details",
    ]);
    for c in &report.columns {
        let from = match c.source {
            Source::Flag => "flag",
            Source::Scan => "scan",
            Source::None => "-",
        };
        let (values, changed, nulls) = if c.transformation == Transformation::Drop {
            ("-".to_string(), "-".to_string(), "-".to_string())
        } else {
            (
                c.values.to_string(),
                c.changed.to_string(),
                c.nulls.to_string(),
            )
        };
        t.row([
            c.column.clone(),
            c.transformation.as_str().to_string(),
            from.to_string(),
            values,
            changed,
            nulls,
            details(c),
        ]);
    }
    s.push_str(&t.render());
    if !report.pseudonymized.is_empty() {
        let _ = writeln!(
            s,
            "pseudonyms (re-identification codes, 164.514(c)): {}{}",
            report.pseudonymized.join(", "),
            if report.format == crate::input::Format::Parquet {
                "; marked in the file's metadata"
            } else {
                ""
            }
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(s, "warning: {warning}");
    }
    s
}

/// The scan finding and the counts worth a mention, `; `-separated.
fn details(c: &ColumnReport) -> String {
    let mut details = Vec::new();
    if let Some(f) = &c.scan {
        details.push(format!(
            "{} ({}) {} {:.2}",
            f.category,
            f.hipaa,
            f.level.as_str(),
            f.confidence
        ));
    }
    if let Some(r) = c.restricted.filter(|&r| r > 0) {
        details.push(format!("{r} restricted -> 000"));
    }
    if let Some(p) = c.padded.filter(|&p| p > 0) {
        details.push(format!("{p} four-digit ZIPs padded"));
    }
    if let Some(t) = c.top_coded.filter(|&t| t > 0) {
        details.push(format!("{t} top-coded"));
    }
    if c.unrecognized > 0 {
        details.push(format!("{} unrecognized, left unchanged", c.unrecognized));
    }
    details.join("; ")
}
