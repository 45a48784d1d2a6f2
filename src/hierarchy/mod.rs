//! Generalization hierarchies in the ARX format.
//!
//! A hierarchy file (`hierarchy_<column>.csv`) has no header; each row holds one original value
//! (column 0) followed by its generalizations from least to most general, so column `i` is level
//! `i`. Every row has the same number of columns; the last is usually `*`. A hierarchy may list more
//! values than the data holds. The hierarchy must be a tree: a value at one level never has two
//! different parents at the next.

use std::path::{Path, PathBuf};

use hashbrown::HashMap;

use crate::classes::{Domain, Recode};
use crate::error::{Error, Result};
use crate::input::csv::detect_delimiter;
use crate::input::encode::canonical_text;
use crate::input::Input;

mod auto;
pub mod build;
mod command;
mod intervals;
mod values;

use build::Spec;
pub use command::{run, Options, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    pub path: PathBuf,
    /// `rows[r][level]`.
    pub rows: Vec<Vec<String>>,
    index: HashMap<String, usize>,
}

impl Hierarchy {
    /// Loads and checks a hierarchy file.
    pub fn load(path: &Path) -> Result<Hierarchy> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Error::Invalid(format!(
                "{}: the hierarchy is not valid UTF-8",
                path.display()
            ))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text.lines().next().unwrap_or_default();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(detect_delimiter(first.as_bytes()))
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows: Vec<Vec<String>> = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
            if rec.iter().all(|f| f.is_empty()) {
                continue;
            }
            // Cells are canonical texts, as CSV fields are (see `input::encode`).
            rows.push(rec.iter().map(|f| canonical_text(f).into_owned()).collect());
        }
        Self::from_rows(path, rows)
    }

    /// Builds a hierarchy from rows (original value first), checking its shape.
    pub fn from_rows(path: &Path, rows: Vec<Vec<String>>) -> Result<Hierarchy> {
        let bad = |msg: String| Error::Invalid(format!("{}: {msg}", path.display()));
        let depth = rows.first().map_or(0, |r| r.len());
        if depth == 0 {
            return Err(bad("the hierarchy is empty".into()));
        }
        let mut index = HashMap::with_capacity(rows.len());
        {
            // (level, value) -> parent at level + 1, and the row that gave it. Messages name
            // rows and levels, never values.
            let mut parent: HashMap<(usize, &str), (&str, usize)> = HashMap::new();
            for (r, row) in rows.iter().enumerate() {
                if row.len() != depth {
                    return Err(bad(format!(
                        "row {} has {} levels, the first row has {depth}",
                        r + 1,
                        row.len()
                    )));
                }
                if let Some(first) = index.insert(row[0].clone(), r) {
                    return Err(bad(format!(
                        "row {}: its value (level 0) is listed twice, first in row {}",
                        r + 1,
                        first + 1
                    )));
                }
                for level in 0..depth - 1 {
                    let (p, first) = *parent
                        .entry((level, &row[level]))
                        .or_insert((&row[level + 1], r));
                    if p != row[level + 1] {
                        return Err(bad(format!(
                            "rows {} and {}: the same value at level {level} has two parents (their level {} differs); a hierarchy must be a tree",
                            first + 1,
                            r + 1,
                            level + 1
                        )));
                    }
                }
            }
        }
        Ok(Hierarchy {
            path: path.to_path_buf(),
            rows,
            index,
        })
    }

    /// The hierarchy in the ARX format: `;`-separated, no header, one row per original value.
    pub(crate) fn arx_text(&self) -> Result<Vec<u8>> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_writer(Vec::new());
        for row in &self.rows {
            out.write_record(row)
                .map_err(|e| Error::Invalid(format!("{}: {e}", self.path.display())))?;
        }
        out.into_inner()
            .map_err(|e| Error::Invalid(format!("{}: {e}", self.path.display())))
    }

    /// The SHA-256 of the ARX text, as lowercase hex.
    pub(crate) fn sha256(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        Ok(Sha256::digest(self.arx_text()?)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// Writes the hierarchy in the ARX format, atomically.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let text = self.arx_text()?;
        crate::output::write_atomically(path, |w| {
            use std::io::Write;
            w.write_all(&text).map_err(|e| Error::io(path, e))
        })
    }

    /// The file name of a column's hierarchy in a hierarchy folder: `hierarchy_<column>.csv`
    /// (characters that cannot be in a file name replaced by `_`).
    pub fn file_name(column: &str) -> String {
        let safe: String = column
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | '\0') || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        format!("hierarchy_{safe}.csv")
    }

    /// Number of levels, level 0 (the original values) included.
    pub(crate) fn levels(&self) -> usize {
        self.rows[0].len()
    }

    /// The row of an original value.
    pub(crate) fn row(&self, value: &str) -> Option<&[String]> {
        self.index.get(value).map(|&r| self.rows[r].as_slice())
    }

    /// The recoding of a column's domain to one level; an error names a value the hierarchy lacks.
    pub fn recode(&self, domain: &Domain, level: usize) -> Result<Recode> {
        if level >= self.levels() {
            return Err(Error::Invalid(format!(
                "{}: level {level} requested, the hierarchy has levels 0 to {}",
                self.path.display(),
                self.levels() - 1
            )));
        }
        let mut codes: HashMap<&str, u32> = HashMap::new();
        let mut values = Vec::new();
        let mut map = Vec::with_capacity(domain.values.len());
        for v in domain.values.iter() {
            let row = self.row(v).ok_or_else(|| self.missing(domain, v))?;
            let g = row[level].as_str();
            let code = *codes.entry(g).or_insert_with(|| {
                values.push(g.to_string());
                (values.len() - 1) as u32
            });
            map.push(code);
        }
        Ok(Recode {
            map,
            values: values.into(),
        })
    }

    /// The error for data values the hierarchy lacks. No value is named (an error message may
    /// end up in a log): it says how many of the column's distinct values have no row.
    pub(crate) fn missing(&self, domain: &Domain, _value: &str) -> Error {
        let lacking = domain
            .values
            .iter()
            .filter(|v| self.row(v).is_none())
            .count();
        Error::Invalid(format!(
            "{}: the hierarchy for column {:?} has no row for {lacking} of the column's {} distinct values (level 0 must list every value of the data; values are not shown in messages)",
            self.path.display(),
            domain.name,
            domain.values.len()
        ))
    }
}

impl Spec {
    /// The specification a hierarchy over `values` is built with: the automatic choice for
    /// [`Spec::Auto`], else itself.
    pub fn resolve(&self, values: &[String]) -> Spec {
        match self {
            Spec::Auto => auto::choose(values),
            other => other.clone(),
        }
    }

    /// Builds the hierarchy of `column` over its distinct `values` (an automatic one is
    /// resolved first); returns it with the specification used. `locate` gives the rows (1 for
    /// the first data row) of example values, for error messages, when the data is at hand.
    /// The work is estimated first and refused past `max_work` (`--max-work`, see
    /// [`build::Builder::check_work`]).
    pub(crate) fn build(
        &self,
        column: &str,
        values: &[String],
        locate: &dyn Fn(&[&str]) -> Option<Vec<u64>>,
        max_work: Option<f64>,
    ) -> Result<(Hierarchy, Spec)> {
        let spec = self.resolve(values);
        let builder = spec.builder()?;
        builder.check_work(column, values.len(), max_work)?;
        let h = builder.build_locating(column, values, locate)?;
        Ok((h, spec))
    }
}

/// The row (1 for the first data row) where each of `values` first appears in `column` of
/// `input`, for messages that must point at data without showing it; `None` for a value not
/// found. Reads the one column through.
pub(crate) fn first_rows(
    input: &Input,
    column: usize,
    values: &[&str],
) -> Result<Vec<Option<u64>>> {
    let per_chunk = input.map_chunks(&[column], &crate::progress::Progress::hidden(), |chunk| {
        let col = &chunk.columns[0];
        let firsts: Vec<Option<usize>> = values
            .iter()
            .map(|v| {
                let code = col.dict.iter().position(|d| d == v)? as u32;
                col.codes.iter().position(|&c| c == code)
            })
            .collect();
        (chunk.rows, firsts)
    })?;
    let mut out = vec![None; values.len()];
    let mut offset = 0u64;
    for (rows, firsts) in per_chunk {
        for (o, f) in out.iter_mut().zip(firsts) {
            if o.is_none() {
                *o = f.map(|r| offset + r as u64 + 1);
            }
        }
        offset += rows as u64;
    }
    Ok(out)
}

/// A locator of example values' rows in one column (for [`build::Spec::build`]).
pub(crate) fn locator(input: &Input, column: usize) -> impl Fn(&[&str]) -> Option<Vec<u64>> + '_ {
    move |values| {
        first_rows(input, column, values)
            .ok()?
            .into_iter()
            .collect::<Option<Vec<u64>>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.split(';').map(String::from).collect())
            .collect()
    }

    #[test]
    fn checks_shape_and_tree() {
        let p = Path::new("h.csv");
        assert!(Hierarchy::from_rows(p, rows(&["a;x;*", "b;x;*", "c;y;*"])).is_ok());
        let e = Hierarchy::from_rows(p, rows(&["a;x;*", "b;x"])).unwrap_err();
        assert!(e.to_string().contains("row 2 has 2 levels"), "{e}");
        let e = Hierarchy::from_rows(p, rows(&["a;x;*", "b;x;+"])).unwrap_err();
        assert!(e.to_string().contains("two parents"), "{e}");
        let e = Hierarchy::from_rows(p, rows(&["a;x;*", "a;y;*"])).unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn recodes_a_domain() {
        let h =
            Hierarchy::from_rows(Path::new("h.csv"), rows(&["a;x;*", "b;x;*", "c;y;*"])).unwrap();
        let d = Domain {
            name: "col".into(),
            values: vec!["c".to_string(), "a".into(), "b".into()].into(),
        };
        let r = h.recode(&d, 1).unwrap();
        assert_eq!(r.values.to_vec(), vec!["y", "x"]);
        assert_eq!(r.map, vec![0, 1, 1]);
        let d2 = Domain {
            name: "col".into(),
            values: vec!["zzz".to_string()].into(),
        };
        // Issue 16: the message counts the missing values and never shows them (it named the
        // value before).
        let e = h.recode(&d2, 1).unwrap_err().to_string();
        assert!(!e.contains("zzz"), "{e}");
        assert!(
            e.contains("no row for 1 of the column's 1 distinct values"),
            "{e}"
        );
    }
}
