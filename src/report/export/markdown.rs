//! The report as Markdown: readable as plain text, renders on any code host. Charts are shown
//! as the tables of their data.

use std::fmt::Write;

use super::document::{Chart, Document, Markup, Table, VerdictLine};
use super::{Exporter, Report};
use crate::error::Result;

pub struct Markdown;

impl Exporter for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }
    fn render(&self, r: &Report) -> Result<String> {
        let mut md = Writer(String::new());
        Document::of(r).render(&mut md);
        Ok(md.0)
    }
}

/// Inline text, user-supplied strings included (column and file names, the user name): every
/// character that could make Markdown produce HTML, a link, an image or code is
/// backslash-escaped, so that `<script>`, `<img onerror=...>` or `[x](javascript:...)` render as
/// the text they are: `\`, `` ` ``, `[`, `]` and `|` always; `<` when it could open a tag or an
/// autolink (before a letter, `/`, `!` or `?`) and `&` when it could open an entity (before a
/// letter, a digit or `#`), so that `risk <= 0.2` stays as it is. Line breaks and other control
/// characters become spaces. Emphasis characters (`*`, `_`) are left alone: names such as
/// `quasi_identifiers` stay readable, and emphasis injects nothing.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        let escape = match c {
            '\\' | '`' | '[' | ']' | '|' => true,
            '<' => next.is_ascii_alphabetic() || matches!(next, '/' | '!' | '?'),
            '&' => next.is_ascii_alphanumeric() || next == '#',
            _ => false,
        };
        if escape {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// A code span holding `s` as it is (no escape applies inside one): delimited by a run of
/// backticks longer than any in `s`, with control characters as spaces.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{s}{fence}")
    } else {
        format!("{fence} {s} {fence}")
    }
}

/// The Markdown text so far. Every block but the provenance ends with a blank line.
struct Writer(String);

impl Writer {
    fn table(&mut self, t: &Table) {
        let s = &mut self.0;
        let titles: Vec<String> = t.columns.iter().map(|c| cell(c.title)).collect();
        let _ = writeln!(
            s,
            "| {} |\n|{}",
            titles.join(" | "),
            "---|".repeat(t.columns.len())
        );
        for row in &t.rows {
            let cells: Vec<String> = row.iter().map(|c| cell(&c.text)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s.push('\n');
    }
}

impl Markup for Writer {
    fn notice(&mut self, text: &str) {
        let _ = writeln!(self.0, "> **{}**\n", cell(text));
    }

    fn title(&mut self, text: &str) {
        let _ = writeln!(self.0, "# {}\n", cell(text));
    }

    fn verdict(&mut self, v: &VerdictLine) {
        let _ = writeln!(
            self.0,
            "**Verdict: {}** ({} threshold{}; `reident {}`, {} {})\n",
            v.verdict.to_uppercase(),
            v.thresholds,
            if v.thresholds == 1 { "" } else { "s" },
            v.kind,
            v.tool.name,
            v.tool.version
        );
    }

    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.0, "## {}\n", cell(text));
    }

    fn tables(&mut self, tables: &[Table]) {
        for t in tables {
            self.table(t);
        }
    }

    fn charts(&mut self, charts: &[Chart]) {
        for (title, table) in charts.iter().filter_map(|c| c.table.as_ref()) {
            let _ = writeln!(self.0, "### {}\n", cell(title));
            self.table(table);
        }
    }

    fn definitions(&mut self, items: &[(String, String)]) {
        for (k, v) in items {
            let _ = writeln!(self.0, "* **{}.** {}", cell(k), cell(v));
        }
        self.0.push('\n');
    }

    fn provenance(&mut self, r: &Report) {
        let s = &mut self.0;
        let _ = writeln!(
            s,
            "* data: {}, {} bytes, {} records, SHA-256 `{}`",
            code(&r.dataset.path),
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
            let _ = writeln!(s, "* policy: {}, SHA-256 `{}`", code(&p.path), p.sha256);
            if !p.overridden.is_empty() {
                let _ = writeln!(
                    s,
                    "* replaced by the command line (not the policy's): {}",
                    cell(&p.overridden.join(", "))
                );
            }
        }
        for h in &r.hierarchies {
            let _ = writeln!(
                s,
                "* hierarchy of {}: {}, SHA-256 `{}`",
                cell(&h.column),
                code(&h.path),
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
        let _ = writeln!(s, "* command: {}", code(&r.run.command_line.join(" ")));
        let _ = writeln!(
            s,
            "* report SHA-256 (content, `reident verify`): `{}`",
            r.integrity.sha256
        );
    }
}
