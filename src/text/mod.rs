//! Terminal text: what each command prints by default, rendered from its typed outcome.
//!
//! Every table goes through one helper, `Table`: columns with a separator before them, a width
//! (fixed, or fitted to the cells within bounds) and an alignment. The `--json` documents are the
//! machine-readable form; this text is for people and may change between versions.

pub mod analyze;
pub mod anonymize;
pub mod combos;
pub mod init;
pub mod safe_harbor;
pub mod scan;
pub mod suda;
pub mod verify;

/// A column of a [`Table`].
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Printed before the cell (`""` for the first column).
    pub gap: &'static str,
    /// The cell is padded to this many characters (0: not padded).
    pub width: usize,
    /// Right-aligned (numbers) rather than left-aligned.
    pub right: bool,
}

impl Column {
    pub(crate) fn left(gap: &'static str, width: usize) -> Column {
        Column {
            gap,
            width,
            right: false,
        }
    }

    pub(crate) fn right(gap: &'static str, width: usize) -> Column {
        Column {
            gap,
            width,
            right: true,
        }
    }
}

/// Rows of cells printed under aligned columns.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(columns: Vec<Column>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row (the header is a row like any other).
    pub(crate) fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Sets column `i`'s width to the widest of the given cells, within `min..=max`.
    pub(crate) fn fit<'a>(
        &mut self,
        i: usize,
        cells: impl IntoIterator<Item = &'a str>,
        min: usize,
        max: usize,
    ) {
        self.columns[i].width = cells
            .into_iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(min)
            .clamp(min, max);
    }

    /// The table, one line per row.
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        for row in &self.rows {
            for (cell, col) in row.iter().zip(&self.columns) {
                s.push_str(col.gap);
                let w = col.width;
                if col.right {
                    s.push_str(&format!("{cell:>w$}"));
                } else {
                    s.push_str(&format!("{cell:<w$}"));
                }
            }
            s.push('\n');
        }
        s
    }
}

/// The lines `gate` prints: one per threshold, then the verdict and the data.
pub fn gate(report: &crate::report::Report) -> String {
    let mut s = String::new();
    for v in &report.thresholds {
        s.push_str(&v.line());
        s.push('\n');
    }
    s.push_str(&format!(
        "{}: {}\n",
        report.verdict.to_uppercase(),
        report.dataset.path
    ));
    if report
        .warnings
        .iter()
        .any(|w| w.starts_with("rows share values"))
    {
        s.push_str("note: this verdict counts rows, not people (see the warning)\n");
    }
    s
}

/// The line `classes` prints.
pub fn classes(o: &crate::classes::Outcome) -> String {
    let (kind, people) = match &o.people {
        Some(p) => (
            "people-level ",
            format!(
                "{} people by {} ({} signatures), ",
                p.people,
                p.entity,
                p.signature.as_str()
            ),
        ),
        None => ("", String::new()),
    };
    format!(
        "wrote {} {kind}classes ({people}{} records, {} quasi-identifiers{}) to {}\n",
        o.classes,
        o.records,
        o.quasi_identifiers.len(),
        if o.sensitive.is_empty() {
            String::new()
        } else {
            format!(", {} sensitive", o.sensitive.len())
        },
        o.output
    )
}

/// The lines `keygen` prints.
pub fn keygen(k: &crate::keygen::Outcome) -> String {
    format!(
        "key id {}\nsecret key: {}{}\npublic key: {} (give it to whoever verifies: reident verify --public-key, or minisign -V -p)\n",
        k.key_id,
        k.secret.display(),
        if k.encrypted {
            " (password-protected)"
        } else {
            " (no password: keep it where only the signer can read it)"
        },
        k.public.display()
    )
}

/// A share as a percentage with two decimals (`51.43%`).
pub(crate) fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_by_characters_with_their_gaps() {
        let mut t = Table::new(vec![
            Column::left("", 0),
            Column::right(" ", 5),
            Column::left("  ", 0),
        ]);
        t.row(["name", "n", "note"]);
        t.row(["é", "12", "x"]);
        t.fit(0, ["name", "é"], 6, 40);
        assert_eq!(t.render(), "name       n  note\né         12  x\n");
    }
}

/// Text for a terminal: every control character but the line break (an ANSI escape in a column
/// name, a carriage return, a bell) and every bidirectional override is shown escaped (`\u{1b}`),
/// so that names and values from the data cannot move the cursor, recolour or rewrite what the
/// terminal shows. The CLI passes all its text output through it.
pub fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod terminal_tests {
    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(super::terminal("age\nsex"), "age\nsex");
        assert_eq!(
            super::terminal("\u{1b}[31mred\r\u{202e}"),
            "\\u{1b}[31mred\\u{d}\\u{202e}"
        );
    }
}
