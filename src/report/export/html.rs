//! The report as one self-contained HTML file: inline CSS and SVG, no scripts, no network, so
//! that it opens the same in any browser, offline, years later, and can be attached to a
//! determination as is.

use std::fmt::Write;

use super::svg::{bars, esc, Bar, BLUE, GREEN, GREY, RED};
use super::{
    before_after, class_sizes, column_tables, key_figures, marginals, methods, pct, risk_bands,
    top_combinations, transformation, Exporter, Report,
};
use crate::error::Result;

pub struct Html;

const CSS: &str = "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1d2330;line-height:1.45}\
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #d8dce3;padding-bottom:.2em;margin-top:1.8em}\
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #d8dce3;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f3f5f8}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.verdict{font-size:1.3em;font-weight:bold;padding:.5em .8em;border-radius:4px;display:inline-block}\
.pass{background:#e3f3e6;color:#1f6b33}.fail{background:#f8e1df;color:#8f2a22}.none{background:#eceef2;color:#444}\
.notice{background:#fff3cd;border:1px solid #e0c068;padding:.6em;font-weight:bold}code{font-size:.9em;word-break:break-all}\
.charts svg{display:block;margin:1em 0}.small{color:#5b6472;font-size:.9em}";

impl Exporter for Html {
    fn file_name(&self) -> &'static str {
        "report.html"
    }
    fn render(&self, r: &Report) -> Result<String> {
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>reident report: {}</title><style>{CSS}</style></head><body>\n",
            esc(&r.dataset.file_name)
        );
        if let Some(n) = &r.notice {
            let _ = writeln!(s, "<p class=\"notice\">{}</p>", esc(n));
        }
        let _ = writeln!(
            s,
            "<h1>Re-identification risk report: {}</h1>",
            esc(&r.dataset.file_name)
        );
        let class = match r.verdict.as_str() {
            "pass" => "pass",
            "fail" => "fail",
            _ => "none",
        };
        let failed = r.thresholds.iter().filter(|v| !v.passed).count();
        let _ = writeln!(
            s,
            "<p><span class=\"verdict {class}\">{}</span> <span class=\"small\">{} of {} thresholds met &middot; <code>reident {}</code> &middot; {} records &middot; {}</span></p>",
            esc(&r.verdict.to_uppercase()),
            r.thresholds.len() - failed,
            r.thresholds.len(),
            esc(&r.kind),
            r.dataset.records,
            esc(&r.run.started_at)
        );
        if !r.thresholds.is_empty() {
            s.push_str("<table><tr><th>threshold</th><th>measure</th><th>value</th><th>classes failing</th><th>records failing</th><th>verdict</th></tr>\n");
            for v in &r.thresholds {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td></tr>",
                    esc(&v.threshold),
                    esc(&v.measure),
                    esc(&v.measured_text()),
                    v.classes_failing,
                    v.records_failing,
                    if v.passed { "pass" } else { "fail" },
                    if v.passed { "pass" } else { "FAIL" }
                );
            }
            s.push_str("</table>\n");
        }
        let figures = key_figures(r);
        if !figures.is_empty() {
            s.push_str("<h2>Figures</h2><table>\n");
            for (k, v) in figures {
                let _ = writeln!(
                    s,
                    "<tr><th>{}</th><td class=\"n\">{}</td></tr>",
                    esc(&k),
                    esc(&v)
                );
            }
            s.push_str("</table>\n");
        }
        s.push_str("<div class=\"charts\">\n");
        let sizes = class_sizes(r);
        if !sizes.is_empty() {
            let b: Vec<Bar> = sizes
                .iter()
                .map(|(size, classes, records, share)| Bar {
                    label: format!("class size {size}"),
                    value: *share,
                    text: format!("{} ({records} records, {classes} classes)", pct(*share)),
                    color: if size == "1" { RED } else { BLUE },
                })
                .collect();
            s.push_str(&bars("Records by the size of their class", &b, Some(1.0)));
        }
        let bands = risk_bands(r.figures.get("analysis"));
        if !bands.is_empty() {
            let n: f64 = bands.iter().map(|b| b.1).sum::<f64>().max(1.0);
            let b: Vec<Bar> = bands
                .iter()
                .enumerate()
                .map(|(i, (label, records))| Bar {
                    label: label.clone(),
                    value: records / n,
                    text: format!("{} ({} records)", pct(records / n), *records as u64),
                    color: if i == 0 {
                        RED
                    } else if i + 1 == bands.len() {
                        GREEN
                    } else {
                        BLUE
                    },
                })
                .collect();
            s.push_str(&bars("Records by prosecutor-risk band", &b, Some(1.0)));
        }
        let top = top_combinations(r, 10);
        if !top.is_empty() {
            let b: Vec<Bar> = top
                .iter()
                .map(|(q, u, _)| Bar {
                    label: shorten(q, 40),
                    value: *u,
                    text: pct(*u),
                    color: BLUE,
                })
                .collect();
            s.push_str(&bars(
                "Combinations of up to 3 quasi-identifiers by sample uniqueness",
                &b,
                Some(1.0),
            ));
        }
        let m = marginals(r);
        if !m.is_empty() {
            let b: Vec<Bar> = m
                .iter()
                .map(|(q, d)| Bar {
                    label: shorten(q, 40),
                    value: *d,
                    text: format!("-{:.2} points", 100.0 * d),
                    color: BLUE,
                })
                .collect();
            s.push_str(&bars(
                "Drop in sample uniqueness when one quasi-identifier is left out",
                &b,
                None,
            ));
        }
        let ba = before_after(r);
        if !ba.is_empty() {
            let mut b = Vec::new();
            for (k, before, after) in ba
                .iter()
                .filter(|(k, ..)| k.contains("risk") || k.contains("loss"))
            {
                b.push(Bar {
                    label: format!("{k}: before"),
                    value: *before,
                    text: format!("{before:.6}"),
                    color: GREY,
                });
                b.push(Bar {
                    label: format!("{k}: after"),
                    value: *after,
                    text: format!("{after:.6}"),
                    color: GREEN,
                });
            }
            s.push_str(&bars(
                "Risk and information loss before and after anonymization",
                &b,
                Some(1.0),
            ));
        }
        s.push_str("</div>\n");
        let t = transformation(r);
        if !t.is_empty() {
            s.push_str("<h2>Anonymization</h2><table><tr><th>quasi-identifier</th><th>hierarchy level</th><th>example value</th></tr>\n");
            for (q, l, e) in t {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&q),
                    esc(&l),
                    esc(&e)
                );
            }
            s.push_str("</table><table><tr><th>figure</th><th>before</th><th>after</th></tr>\n");
            for (k, b, a) in &ba {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td class=\"n\">{b}</td><td class=\"n\">{a}</td></tr>",
                    esc(k)
                );
            }
            s.push_str("</table>\n");
        }
        for (title, header, rows) in column_tables(r) {
            let _ = write!(s, "<h2>{}</h2><table><tr>", esc(&title));
            for h in &header {
                let _ = write!(s, "<th>{}</th>", esc(h));
            }
            s.push_str("</tr>\n");
            for row in rows {
                s.push_str("<tr>");
                for c in row {
                    let _ = write!(s, "<td>{}</td>", esc(&c));
                }
                s.push_str("</tr>\n");
            }
            s.push_str("</table>\n");
        }
        s.push_str("<h2>Methods and assumptions</h2><dl>\n");
        for (k, v) in methods(r) {
            let _ = writeln!(s, "<dt><b>{}</b></dt><dd>{}</dd>", esc(&k), esc(&v));
        }
        s.push_str("</dl>\n<h2>Provenance</h2><table>\n");
        let mut row = |k: &str, v: String| {
            let _ = writeln!(s, "<tr><th>{}</th><td>{v}</td></tr>", esc(k));
        };
        row(
            "data",
            format!(
                "<code>{}</code>, {} bytes, {} records",
                esc(&r.dataset.path),
                r.dataset.bytes,
                r.dataset.records
            ),
        );
        row("data SHA-256", format!("<code>{}</code>", r.dataset.sha256));
        let roles: Vec<String> = r
            .dataset
            .columns
            .iter()
            .filter(|c| c.role != "insensitive")
            .map(|c| format!("{} ({})", esc(&c.name), esc(&c.role)))
            .collect();
        row(
            "columns",
            format!(
                "{} &mdash; {} columns in all, the rest insensitive",
                roles.join(", "),
                r.dataset.columns.len()
            ),
        );
        if let Some(p) = &r.policy {
            row(
                "policy",
                format!(
                    "<code>{}</code>, SHA-256 <code>{}</code>",
                    esc(&p.path),
                    p.sha256
                ),
            );
        }
        for h in &r.hierarchies {
            row(
                &format!("hierarchy of {}", h.column),
                format!(
                    "<code>{}</code>, SHA-256 <code>{}</code>",
                    esc(&h.path),
                    h.sha256
                ),
            );
        }
        row(
            "run",
            format!(
                "{} by {} on {}, {:.3} s",
                esc(&r.run.started_at),
                esc(&r.run.user),
                esc(&r.run.host),
                r.run.seconds
            ),
        );
        row(
            "command",
            format!("<code>{}</code>", esc(&r.run.command_line.join(" "))),
        );
        row(
            "tool",
            format!("{} {}", esc(&r.tool.name), esc(&r.tool.version)),
        );
        row(
            "report SHA-256",
            format!(
                "<code>{}</code> (check with <code>reident verify report.json</code>)",
                r.integrity.sha256
            ),
        );
        s.push_str("</table>\n</body></html>\n");
        Ok(s)
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
