//! The report as Markdown: readable as plain text, renders on any code host.

use std::fmt::Write;

use super::{
    before_after, class_sizes, column_tables, key_figures, marginals, methods, pct, risk_bands,
    top_combinations, transformation, Exporter, Report,
};
use crate::error::Result;

pub struct Markdown;

/// Escapes the characters that would break a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Exporter for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }
    fn render(&self, r: &Report) -> Result<String> {
        let mut s = String::new();
        if let Some(n) = &r.notice {
            let _ = writeln!(s, "> **{}**\n", cell(n));
        }
        let _ = writeln!(
            s,
            "# Re-identification risk report: {}\n",
            cell(&r.dataset.file_name)
        );
        let _ = writeln!(
            s,
            "**Verdict: {}** ({} threshold{}; `reident {}`, {} {})\n",
            r.verdict.to_uppercase(),
            r.thresholds.len(),
            if r.thresholds.len() == 1 { "" } else { "s" },
            r.kind,
            r.tool.name,
            r.tool.version
        );
        if !r.thresholds.is_empty() {
            let _ = writeln!(
                s,
                "| threshold | measure | value | classes failing | records failing | verdict |"
            );
            let _ = writeln!(s, "|---|---|---|---|---|---|");
            for v in &r.thresholds {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    cell(&v.threshold),
                    cell(&v.measure),
                    v.measured_text(),
                    v.classes_failing,
                    v.records_failing,
                    if v.passed { "pass" } else { "FAIL" }
                );
            }
            s.push('\n');
        }
        let figures = key_figures(r);
        if !figures.is_empty() {
            let _ = writeln!(s, "## Figures\n\n| figure | value |\n|---|---|");
            for (k, v) in figures {
                let _ = writeln!(s, "| {} | {} |", cell(&k), cell(&v));
            }
            s.push('\n');
        }
        let sizes = class_sizes(r);
        if !sizes.is_empty() {
            let _ = writeln!(s, "### Class sizes\n\n| class size | classes | records | records % |\n|---|---|---|---|");
            for (b, c, n, share) in sizes {
                let _ = writeln!(s, "| {b} | {c} | {n} | {} |", pct(share));
            }
            s.push('\n');
        }
        let bands = risk_bands(r.figures.get("analysis"));
        if !bands.is_empty() {
            let _ = writeln!(
                s,
                "### Records by prosecutor-risk band\n\n| band | records |\n|---|---|"
            );
            for (b, n) in bands {
                let _ = writeln!(s, "| {} | {} |", cell(&b), n as u64);
            }
            s.push('\n');
        }
        let top = top_combinations(r, 10);
        if !top.is_empty() {
            let _ = writeln!(s, "### Combinations of up to 3 quasi-identifiers with the most sample uniques\n\n| combination | uniqueness |\n|---|---|");
            for (q, u, _) in top {
                let _ = writeln!(s, "| {} | {} |", cell(&q), pct(u));
            }
            s.push('\n');
        }
        let m = marginals(r);
        if !m.is_empty() {
            let _ = writeln!(s, "### Drop in sample uniqueness when one quasi-identifier is left out\n\n| quasi-identifier | drop |\n|---|---|");
            for (q, d) in m {
                let _ = writeln!(s, "| {} | {} |", cell(&q), pct(d));
            }
            s.push('\n');
        }
        let t = transformation(r);
        if !t.is_empty() {
            let _ = writeln!(
                s,
                "## Anonymization\n\n| quasi-identifier | level | example value |\n|---|---|---|"
            );
            for (q, l, e) in t {
                let _ = writeln!(s, "| {} | {} | {} |", cell(&q), l, cell(&e));
            }
            let _ = writeln!(s, "\n| figure | before | after |\n|---|---|---|");
            for (k, b, a) in before_after(r) {
                let _ = writeln!(s, "| {} | {b} | {a} |", cell(&k));
            }
            s.push('\n');
        }
        for (title, header, rows) in column_tables(r) {
            let _ = writeln!(
                s,
                "## {title}\n\n| {} |\n|{}",
                header.join(" | "),
                "---|".repeat(header.len())
            );
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                let _ = writeln!(s, "| {} |", cells.join(" | "));
            }
            s.push('\n');
        }
        let _ = writeln!(s, "## Methods and assumptions\n");
        for (k, v) in methods(r) {
            let _ = writeln!(s, "* **{k}.** {v}");
        }
        let _ = writeln!(s, "\n## Provenance\n");
        let _ = writeln!(
            s,
            "* data: `{}`, {} bytes, {} records, SHA-256 `{}`",
            cell(&r.dataset.path),
            r.dataset.bytes,
            r.dataset.records,
            r.dataset.sha256
        );
        let roles: Vec<String> = r
            .dataset
            .columns
            .iter()
            .filter(|c| c.role != "insensitive")
            .map(|c| format!("{} ({})", c.name, c.role))
            .collect();
        let _ = writeln!(
            s,
            "* columns: {} ({} in all; the rest insensitive)",
            cell(&roles.join(", ")),
            r.dataset.columns.len()
        );
        if let Some(p) = &r.policy {
            let _ = writeln!(s, "* policy: `{}`, SHA-256 `{}`", cell(&p.path), p.sha256);
        }
        for h in &r.hierarchies {
            let _ = writeln!(
                s,
                "* hierarchy of {}: `{}`, SHA-256 `{}`",
                cell(&h.column),
                cell(&h.path),
                h.sha256
            );
        }
        let _ = writeln!(
            s,
            "* run: {} by {} on {}, {:.3} s",
            r.run.started_at,
            cell(&r.run.user),
            cell(&r.run.host),
            r.run.seconds
        );
        let _ = writeln!(s, "* command: `{}`", cell(&r.run.command_line.join(" ")));
        let _ = writeln!(
            s,
            "* report SHA-256 (content, `reident verify`): `{}`",
            r.integrity.sha256
        );
        Ok(s)
    }
}
