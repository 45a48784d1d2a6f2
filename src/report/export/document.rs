//! The report for people as one sequence of blocks (notice, title, verdict, headings, tables,
//! charts, definitions, provenance), written once for every format. A [`Markup`] renders each
//! kind of block: Markdown (`markdown.rs`) and HTML (`html.rs`).

use super::content::{
    before_after, class_sizes, column_tables, key_figures, marginals, methods, pct, risk_bands,
    top_combinations, transformation, TOP_COMBINATION_SIZE,
};
use super::Report;

/// The report, block by block.
pub(crate) struct Document<'a> {
    pub blocks: Vec<Block<'a>>,
}

pub(crate) enum Block<'a> {
    /// A warning every format puts first (the `--show-values` notice).
    Notice(&'a str),
    /// The document's title.
    Title(String),
    /// The verdict and what it is about.
    Verdict(VerdictLine<'a>),
    /// A section heading.
    Heading(String),
    /// A table.
    Table(Table),
    /// Tables that go together (one after the other under one heading).
    Tables(Vec<Table>),
    /// The charts, each with the table that stands for it where no chart can be drawn.
    Charts(Vec<Chart>),
    /// Terms and their descriptions.
    Definitions(Vec<(String, String)>),
    /// Where the report comes from: data, policy, hierarchies, run, tool, integrity. Each format
    /// lays it out in its own way.
    Provenance(&'a Report),
}

/// The verdict line's facts.
pub(crate) struct VerdictLine<'a> {
    /// `pass`, `fail` or `not assessed`.
    pub verdict: &'a str,
    pub thresholds: usize,
    pub met: usize,
    /// The command that made the report.
    pub kind: &'a str,
    pub tool: &'a crate::report::Tool,
    pub records: u64,
    pub started_at: &'a str,
}

/// A table: its columns, and rows of cells, one per column.
pub(crate) struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The first column names the rows: HTML writes it as row headers and leaves out the
    /// column titles.
    pub keyed: bool,
}

pub(crate) struct Column {
    pub title: &'static str,
    /// A longer title, for HTML (Markdown keeps its plain-text tables narrow).
    pub long_title: Option<&'static str>,
    pub align: Align,
}

/// How a column's cells align (HTML right-aligns figures; Markdown aligns nothing).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A cell's text and its tone.
pub(crate) struct Cell {
    pub text: String,
    pub tone: Tone,
}

/// How a cell or a bar stands out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    /// A failure, or the riskiest records.
    Bad,
    /// A pass, the safest records, or a figure after anonymization.
    Good,
    /// A figure before anonymization.
    Muted,
}

/// A horizontal bar chart.
pub(crate) struct Chart {
    pub title: String,
    pub bars: Vec<Bar>,
    /// The value a full bar stands for (the largest value when `None`).
    pub max: Option<f64>,
    /// The chart's data as a titled table, for formats that draw no charts; `None` when the
    /// data is in a table elsewhere.
    pub table: Option<(String, Table)>,
}

/// One bar: its label, its value, the text printed after it, and its tone.
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub tone: Tone,
}

/// A format: one method per kind of block, each appending to the format's text.
pub(crate) trait Markup {
    fn notice(&mut self, text: &str);
    fn title(&mut self, text: &str);
    fn verdict(&mut self, verdict: &VerdictLine);
    fn heading(&mut self, text: &str);
    fn tables(&mut self, tables: &[Table]);
    fn charts(&mut self, charts: &[Chart]);
    fn definitions(&mut self, items: &[(String, String)]);
    fn provenance(&mut self, report: &Report);
}

impl Column {
    fn left(title: &'static str) -> Column {
        Column {
            title,
            long_title: None,
            align: Align::Left,
        }
    }

    fn right(title: &'static str) -> Column {
        Column {
            align: Align::Right,
            ..Column::left(title)
        }
    }
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
        }
    }
}

impl Table {
    fn new(columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            columns,
            rows,
            keyed: false,
        }
    }
}

/// Cells of plain text.
fn row<const N: usize>(cells: [String; N]) -> Vec<Cell> {
    cells.into_iter().map(Cell::plain).collect()
}

/// At most `n` characters, the last an ellipsis when cut.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

impl<'a> Document<'a> {
    /// The report's sections, in order.
    pub(crate) fn of(r: &'a Report) -> Document<'a> {
        let mut blocks = Vec::new();
        if let Some(n) = &r.notice {
            blocks.push(Block::Notice(n));
        }
        for w in &r.warnings {
            blocks.push(Block::Notice(w));
        }
        blocks.push(Block::Title(format!(
            "Re-identification risk report: {}",
            r.dataset.file_name
        )));
        blocks.push(Block::Verdict(VerdictLine {
            verdict: &r.verdict,
            thresholds: r.thresholds.len(),
            met: r.thresholds.iter().filter(|v| v.passed).count(),
            kind: &r.kind,
            tool: &r.tool,
            records: r.dataset.records,
            started_at: &r.run.started_at,
        }));
        if !r.thresholds.is_empty() {
            blocks.push(Block::Table(thresholds(r)));
        }
        let figures = key_figures(r.figures.analysis.as_ref());
        if !figures.is_empty() {
            blocks.push(Block::Heading("Figures".into()));
            blocks.push(Block::Table(Table {
                keyed: true,
                ..Table::new(
                    vec![Column::left("figure"), Column::right("value")],
                    figures.into_iter().map(|(k, v)| row([k, v])).collect(),
                )
            }));
        }
        blocks.push(Block::Charts(charts(r)));
        if let Some(tables) = anonymization(r) {
            blocks.push(Block::Heading("Anonymization".into()));
            blocks.push(Block::Tables(tables));
        }
        for t in column_tables(r) {
            blocks.push(Block::Heading(t.title.into()));
            blocks.push(Block::Table(Table::new(
                t.header.iter().map(|h| Column::left(h)).collect(),
                t.rows
                    .into_iter()
                    .map(|cells| cells.into_iter().map(Cell::plain).collect())
                    .collect(),
            )));
        }
        blocks.push(Block::Heading("Methods and assumptions".into()));
        blocks.push(Block::Definitions(methods(r)));
        blocks.push(Block::Heading("Provenance".into()));
        blocks.push(Block::Provenance(r));
        Document { blocks }
    }

    /// Renders every block, in order.
    pub(crate) fn render(&self, m: &mut impl Markup) {
        for b in &self.blocks {
            match b {
                Block::Notice(text) => m.notice(text),
                Block::Title(text) => m.title(text),
                Block::Verdict(v) => m.verdict(v),
                Block::Heading(text) => m.heading(text),
                Block::Table(t) => m.tables(std::slice::from_ref(t)),
                Block::Tables(ts) => m.tables(ts),
                Block::Charts(cs) => m.charts(cs),
                Block::Definitions(items) => m.definitions(items),
                Block::Provenance(r) => m.provenance(r),
            }
        }
    }
}

/// One row per threshold, with its verdict.
fn thresholds(r: &Report) -> Table {
    let rows = r
        .thresholds
        .iter()
        .map(|v| {
            let mut cells = row([
                v.threshold.clone(),
                v.measure.clone(),
                v.measured_text(),
                v.classes_failing.to_string(),
                v.records_failing.to_string(),
            ]);
            cells.push(Cell {
                text: if v.passed { "pass" } else { "FAIL" }.into(),
                tone: if v.passed { Tone::Good } else { Tone::Bad },
            });
            cells
        })
        .collect();
    Table::new(
        vec![
            Column::left("threshold"),
            Column::left("measure"),
            Column::right("value"),
            Column::right("classes failing"),
            Column::right("records failing"),
            Column::left("verdict"),
        ],
        rows,
    )
}

/// The charts of the figures the report has: class sizes, risk bands, the riskiest QI
/// combinations, each QI's marginal contribution, and risk and loss before and after.
fn charts(r: &Report) -> Vec<Chart> {
    let analysis = r.figures.analysis.as_ref();
    [
        class_size_chart(class_sizes(analysis)),
        risk_band_chart(risk_bands(analysis)),
        combination_chart(top_combinations(r, 10)),
        marginal_chart(marginals(r)),
        before_after_chart(r),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn class_size_chart(sizes: Vec<(String, u64, u64, f64)>) -> Option<Chart> {
    if sizes.is_empty() {
        return None;
    }
    let bars = sizes
        .iter()
        .map(|(size, classes, records, share)| Bar {
            label: format!("class size {size}"),
            value: *share,
            text: format!("{} ({records} records, {classes} classes)", pct(*share)),
            tone: if size == "1" { Tone::Bad } else { Tone::Plain },
        })
        .collect();
    let table = Table::new(
        vec![
            Column::left("class size"),
            Column::left("classes"),
            Column::left("records"),
            Column::left("records %"),
        ],
        sizes
            .into_iter()
            .map(|(b, c, n, share)| row([b, c.to_string(), n.to_string(), pct(share)]))
            .collect(),
    );
    Some(Chart {
        title: "Records by the size of their class".into(),
        bars,
        max: Some(1.0),
        table: Some(("Class sizes".into(), table)),
    })
}

fn risk_band_chart(bands: Vec<(String, f64)>) -> Option<Chart> {
    if bands.is_empty() {
        return None;
    }
    let title = "Records by prosecutor-risk band";
    let n: f64 = bands.iter().map(|b| b.1).sum::<f64>().max(1.0);
    let bars = bands
        .iter()
        .enumerate()
        .map(|(i, (label, records))| Bar {
            label: label.clone(),
            value: records / n,
            text: format!("{} ({} records)", pct(records / n), *records as u64),
            tone: if i == 0 {
                Tone::Bad
            } else if i + 1 == bands.len() {
                Tone::Good
            } else {
                Tone::Plain
            },
        })
        .collect();
    let table = Table::new(
        vec![Column::left("band"), Column::left("records")],
        bands
            .into_iter()
            .map(|(b, n)| row([b, (n as u64).to_string()]))
            .collect(),
    );
    Some(Chart {
        title: title.into(),
        bars,
        max: Some(1.0),
        table: Some((title.into(), table)),
    })
}

fn combination_chart(top: Vec<(String, f64, u64)>) -> Option<Chart> {
    if top.is_empty() {
        return None;
    }
    let bars = top
        .iter()
        .map(|(q, u, _)| Bar {
            label: shorten(q, 40),
            value: *u,
            text: pct(*u),
            tone: Tone::Plain,
        })
        .collect();
    let table = Table::new(
        vec![Column::left("combination"), Column::left("uniqueness")],
        top.into_iter().map(|(q, u, _)| row([q, pct(u)])).collect(),
    );
    let up_to = format!("Combinations of up to {TOP_COMBINATION_SIZE} quasi-identifiers");
    Some(Chart {
        title: format!("{up_to} by sample uniqueness"),
        bars,
        max: Some(1.0),
        table: Some((format!("{up_to} with the most sample uniques"), table)),
    })
}

fn marginal_chart(m: Vec<(String, f64)>) -> Option<Chart> {
    if m.is_empty() {
        return None;
    }
    let title = "Drop in sample uniqueness when one quasi-identifier is left out";
    let bars = m
        .iter()
        .map(|(q, d)| Bar {
            label: shorten(q, 40),
            value: *d,
            text: format!("-{:.2} points", 100.0 * d),
            tone: Tone::Plain,
        })
        .collect();
    let table = Table::new(
        vec![Column::left("quasi-identifier"), Column::left("drop")],
        m.into_iter().map(|(q, d)| row([q, pct(d)])).collect(),
    );
    Some(Chart {
        title: title.into(),
        bars,
        max: None,
        table: Some((title.into(), table)),
    })
}

/// Risk and information loss before (muted) and after; the figures are in the anonymization
/// section's table.
fn before_after_chart(r: &Report) -> Option<Chart> {
    let changes = before_after(r.figures.anonymization.as_ref());
    if changes.is_empty() {
        return None;
    }
    let mut bars = Vec::new();
    for c in changes.iter().filter(|c| c.charted) {
        bars.push(Bar {
            label: format!("{}: before", c.name),
            value: c.before,
            text: format!("{:.6}", c.before),
            tone: Tone::Muted,
        });
        bars.push(Bar {
            label: format!("{}: after", c.name),
            value: c.after,
            text: format!("{:.6}", c.after),
            tone: Tone::Good,
        });
    }
    Some(Chart {
        title: "Risk and information loss before and after anonymization".into(),
        bars,
        max: Some(1.0),
        table: None,
    })
}

/// The chosen transformation and the figures before and after, when the report has one.
fn anonymization(r: &Report) -> Option<Vec<Table>> {
    let an = r.figures.anonymization.as_ref();
    let levels = transformation(an);
    if levels.is_empty() {
        return None;
    }
    let level = Column {
        long_title: Some("hierarchy level"),
        ..Column::left("level")
    };
    let levels = Table::new(
        vec![
            Column::left("quasi-identifier"),
            level,
            Column::left("example value"),
        ],
        levels.into_iter().map(|(q, l, e)| row([q, l, e])).collect(),
    );
    let changes = Table::new(
        vec![
            Column::left("figure"),
            Column::right("before"),
            Column::right("after"),
        ],
        before_after(an)
            .into_iter()
            .map(|c| row([c.name, c.before.to_string(), c.after.to_string()]))
            .collect(),
    );
    let mut tables = vec![levels, changes];
    let built = an
        .map(|a| a.built_hierarchies.as_slice())
        .unwrap_or_default();
    if !built.is_empty() {
        tables.push(Table::new(
            vec![
                Column::left("hierarchy built from the values"),
                Column::left("builder"),
                Column::right("levels"),
                Column::left("file (in the report folder), SHA-256"),
            ],
            built
                .iter()
                .map(|b| {
                    row([
                        b.qi.clone(),
                        b.builder.describe(),
                        b.levels.to_string(),
                        format!("hierarchies/{} {}", b.file, b.sha256),
                    ])
                })
                .collect(),
        ));
    }
    Some(tables)
}

#[cfg(test)]
mod tests {
    use super::super::{Exporter, Html, Markdown};
    use crate::criteria::verdict::Verdict;
    use crate::report::*;

    fn report() -> Report {
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            kind: "gate".into(),
            shows_values: false,
            notice: Some("a | notice".into()),
            warnings: Vec::new(),
            tool: Tool {
                name: "reident".into(),
                version: "0".into(),
            },
            run: Run {
                started_at: "2025-01-01T00:00:00.000Z".into(),
                seconds: 0.5,
                command_line: vec!["reident".into(), "gate".into()],
                options: serde_json::Value::Null,
                working_directory: "/".into(),
                user: "u".into(),
                host: "h".into(),
            },
            dataset: Dataset {
                file_name: "a<b>.csv".into(),
                path: "a<b>.csv".into(),
                sha256: "00".into(),
                bytes: 1,
                format: "csv".into(),
                records: 7,
                columns: vec![],
            },
            policy: None,
            hierarchies: vec![],
            population: None,
            disclosure_k: 11,
            figures: Figures::default(),
            thresholds: vec![Verdict {
                threshold: "5-anonymity".into(),
                measure: "smallest | class".into(),
                measured: Some(2.0),
                classes_failing: 3,
                records_failing: 4,
                passed: false,
            }],
            verdict: "fail".into(),
            audit: None,
            integrity: Integrity {
                algorithm: "sha256".into(),
                canonicalization: String::new(),
                sha256: "ff".into(),
            },
        }
    }

    #[test]
    fn both_formats_render_every_block_of_the_same_document() {
        let r = report();
        let md = Markdown.render(&r).unwrap();
        // Issue 16: the file name is escaped in Markdown too (it was written raw, `a<b>.csv`).
        assert!(md.starts_with("> **a \\| notice**\n\n# Re-identification risk report: a\\<b>.csv\n\n**Verdict: FAIL** (1 threshold;"), "{md}");
        assert!(md.contains("\n| 5-anonymity | smallest \\| class | 2 | 3 | 4 | FAIL |\n\n## Methods and assumptions\n\n* **Equivalence classes.**"), "{md}");
        assert!(md.ends_with("(content, `reident verify`): `ff`\n"), "{md}");
        let html = Html.render(&r).unwrap();
        assert!(html.contains("<body>\n<p class=\"notice\">a | notice</p>\n<h1>Re-identification risk report: a&lt;b&gt;.csv</h1>\n<p><span class=\"verdict fail\">FAIL</span> <span class=\"small\">0 of 1 thresholds met"), "{html}");
        assert!(html.contains("<tr><td>5-anonymity</td><td>smallest | class</td><td class=\"n\">2</td><td class=\"n\">3</td><td class=\"n\">4</td><td class=\"fail\">FAIL</td></tr>\n</table>\n<div class=\"charts\">\n</div>\n<h2>Methods and assumptions</h2><dl>\n"), "{html}");
        assert!(html.ends_with("</table>\n</body></html>\n"), "{html}");
    }
}
