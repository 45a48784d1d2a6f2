//! The report as one self-contained HTML file: inline CSS and SVG, no scripts, no network, so
//! that it opens the same in any browser, offline, years later, and can be attached to a
//! determination as is.

use std::fmt::Write;

use super::document::{Align, Chart, Document, Markup, Table, Tone, VerdictLine};
use super::svg::{self, esc, BLUE, GREEN, GREY, RED};
use super::{Exporter, Report};
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
        let mut html = Writer(String::new());
        let _ = write!(
            html.0,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>reident report: {}</title><style>{CSS}</style></head><body>\n",
            esc(&r.dataset.file_name)
        );
        Document::of(r).render(&mut html);
        html.0.push_str("</body></html>\n");
        Ok(html.0)
    }
}

/// The HTML text so far. A heading runs on into the block that follows it; every other block
/// ends its line.
struct Writer(String);

impl Writer {
    fn table(&mut self, t: &Table) {
        let s = &mut self.0;
        s.push_str("<table>");
        if !t.keyed {
            s.push_str("<tr>");
            for c in &t.columns {
                let _ = write!(s, "<th>{}</th>", esc(c.long_title.unwrap_or(c.title)));
            }
            s.push_str("</tr>");
        }
        s.push('\n');
        for row in &t.rows {
            s.push_str("<tr>");
            for (i, (c, col)) in row.iter().zip(&t.columns).enumerate() {
                let class = match (c.tone, col.align) {
                    (Tone::Good, _) => " class=\"pass\"",
                    (Tone::Bad, _) => " class=\"fail\"",
                    (_, Align::Right) => " class=\"n\"",
                    (_, Align::Left) => "",
                };
                if t.keyed && i == 0 {
                    let _ = write!(s, "<th>{}</th>", esc(&c.text));
                } else {
                    let _ = write!(s, "<td{class}>{}</td>", esc(&c.text));
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>");
    }

    /// A provenance row: its name and its HTML.
    fn fact(&mut self, name: &str, html: String) {
        let _ = writeln!(self.0, "<tr><th>{}</th><td>{html}</td></tr>", esc(name));
    }
}

impl Markup for Writer {
    fn notice(&mut self, text: &str) {
        let _ = writeln!(self.0, "<p class=\"notice\">{}</p>", esc(text));
    }

    fn title(&mut self, text: &str) {
        let _ = writeln!(self.0, "<h1>{}</h1>", esc(text));
    }

    fn verdict(&mut self, v: &VerdictLine) {
        let class = match v.verdict {
            "pass" => "pass",
            "fail" => "fail",
            _ => "none",
        };
        let _ = writeln!(
            self.0,
            "<p><span class=\"verdict {class}\">{}</span> <span class=\"small\">{} of {} thresholds met &middot; <code>reident {}</code> &middot; {} records &middot; {}</span></p>",
            esc(&v.verdict.to_uppercase()),
            v.met,
            v.thresholds,
            esc(v.kind),
            v.records,
            esc(v.started_at)
        );
    }

    fn heading(&mut self, text: &str) {
        let _ = write!(self.0, "<h2>{}</h2>", esc(text));
    }

    fn tables(&mut self, tables: &[Table]) {
        for t in tables {
            self.table(t);
        }
        self.0.push('\n');
    }

    fn charts(&mut self, charts: &[Chart]) {
        self.0.push_str("<div class=\"charts\">\n");
        for c in charts {
            let bars: Vec<svg::Bar> = c
                .bars
                .iter()
                .map(|b| svg::Bar {
                    label: b.label.clone(),
                    value: b.value,
                    text: b.text.clone(),
                    color: match b.tone {
                        Tone::Plain => BLUE,
                        Tone::Bad => RED,
                        Tone::Good => GREEN,
                        Tone::Muted => GREY,
                    },
                })
                .collect();
            self.0.push_str(&svg::bars(&c.title, &bars, c.max));
        }
        self.0.push_str("</div>\n");
    }

    fn definitions(&mut self, items: &[(String, String)]) {
        self.0.push_str("<dl>\n");
        for (k, v) in items {
            let _ = writeln!(self.0, "<dt><b>{}</b></dt><dd>{}</dd>", esc(k), esc(v));
        }
        self.0.push_str("</dl>\n");
    }

    fn provenance(&mut self, r: &Report) {
        self.0.push_str("<table>\n");
        self.fact(
            "data",
            format!(
                "<code>{}</code>, {} bytes, {} records",
                esc(&r.dataset.path),
                r.dataset.bytes,
                r.dataset.records
            ),
        );
        self.fact("data SHA-256", format!("<code>{}</code>", r.dataset.sha256));
        let roles: Vec<String> = r
            .dataset
            .columns
            .iter()
            .filter(|c| c.role != "insensitive")
            .map(|c| format!("{} ({})", esc(&c.name), esc(&c.role)))
            .collect();
        self.fact(
            "columns",
            format!(
                "{} &mdash; {} columns in all, the rest insensitive",
                roles.join(", "),
                r.dataset.columns.len()
            ),
        );
        if let Some(p) = &r.policy {
            let code = format!(
                "<code>{}</code>, SHA-256 <code>{}</code>",
                esc(&p.path),
                p.sha256
            );
            self.fact("policy", code);
            if !p.overridden.is_empty() {
                self.fact(
                    "replaced by the command line",
                    format!("{} (not the policy's)", esc(&p.overridden.join(", "))),
                );
            }
        }
        for h in &r.hierarchies {
            let code = format!(
                "<code>{}</code>, SHA-256 <code>{}</code>",
                esc(&h.path),
                h.sha256
            );
            self.fact(&format!("hierarchy of {}", h.column), code);
        }
        self.fact(
            "run",
            format!(
                "{} by {} on {}, {:.3} s",
                esc(&r.run.started_at),
                esc(&r.run.user),
                esc(&r.run.host),
                r.run.seconds
            ),
        );
        self.fact(
            "command",
            format!("<code>{}</code>", esc(&r.run.command_line.join(" "))),
        );
        self.fact(
            "tool",
            format!("{} {}", esc(&r.tool.name), esc(&r.tool.version)),
        );
        self.fact(
            "report SHA-256",
            format!(
                "<code>{}</code> (check with <code>reident verify report.json</code>)",
                r.integrity.sha256
            ),
        );
        self.0.push_str("</table>\n");
    }
}
