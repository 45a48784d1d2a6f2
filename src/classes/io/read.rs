//! Reading a class file (or a folder of part files) into a class table, with every check of the
//! format.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_schema::DataType;

use crate::classes::group::group_tuples;
use crate::classes::{ClassTable, LocalClasses, Merger};
use crate::error::{Error, Result};
use crate::input::encode::{encode_array, LocalColumn};
use crate::input::parquet::ParquetInput;
use crate::policy::Roles;
use crate::progress::Progress;

use super::arrays::{is_integer, positive_integers, signature_fields, weight_sums};
use super::{
    Metadata, COUNT_COLUMN, FORMAT_VERSION, METADATA_KEY, RESERVED_PREFIX, ROW_COUNT_COLUMN,
    SIGNATURE_COLUMN, WEIGHT_COLUMN,
};

/// What a column of a class file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A QI column (values), or in the people form a field of the signature's elements.
    Values,
    /// A sensitive column (`LIST<STRUCT<value, count>>`).
    Histogram,
}

/// An opened class file (or folder of part files), ready to be read into a [`ClassTable`].
pub struct ClassFile {
    pub path: PathBuf,
    pub(super) parts: Vec<ParquetInput>,
    /// The metadata entry of the first part, if it has one (every part must agree).
    pub metadata: Option<Metadata>,
    /// The data columns of the file (QI and histogram columns, in file order; in the people form
    /// the signature's fields stand for the QI columns), then the names given to
    /// [`ClassFile::with_listed`].
    columns: Vec<String>,
    kinds: Vec<Kind>,
    has_weights: bool,
    /// The people form: people-level classes, a signature column.
    pub(super) people: bool,
    /// The people form's `__reident_row_count` column is there.
    pub(super) has_row_count: bool,
}

/// The columns of a part (see [`shape`]).
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    columns: Vec<String>,
    kinds: Vec<Kind>,
    has_weights: bool,
    people: bool,
    has_row_count: bool,
}

/// The part files of a folder class table (as Spark writes one), in name order: every file
/// whose name does not start with `.` or `_` (`_SUCCESS`, `.part-0.crc`). The one listing the
/// reader reads and a report's hash covers ([`crate::report::sha256_source`]).
pub(crate) fn part_files(path: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            !name.starts_with('.') && !name.starts_with('_') && e.path().is_file()
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    Ok(files)
}

impl ClassFile {
    /// Opens a class file, or a folder of class files with the same columns, and checks its shape.
    pub fn open(path: &Path) -> Result<Self> {
        let files = if path.is_dir() {
            let files = part_files(path)?;
            if files.is_empty() {
                return Err(Error::Invalid(format!(
                    "{}: the folder holds no class-table file",
                    path.display()
                )));
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        let mut parts = Vec::with_capacity(files.len());
        for f in &files {
            use std::io::Read;
            let mut magic = [0u8; 4];
            let mut h = std::fs::File::open(f).map_err(|e| Error::io(f, e))?;
            let got = h.read(&mut magic).map_err(|e| Error::io(f, e))?;
            if got != 4 || &magic != b"PAR1" {
                return Err(Error::parquet(
                    f,
                    "a class table must be a Parquet file (it does not start with PAR1)",
                ));
            }
            parts.push(ParquetInput::open(f)?);
        }
        let first = shape(&parts[0])?;
        for p in &parts[1..] {
            if shape(p)? != first {
                return Err(Error::Invalid(format!(
                    "{}: its columns differ from those of {}",
                    p.path.display(),
                    parts[0].path.display()
                )));
            }
        }
        let metadata = match parts[0].key_value(METADATA_KEY) {
            Some(text) => Some(Metadata::parse(&parts[0].path, &text)?),
            None => None,
        };
        if let Some(m) = &metadata {
            check_metadata(&parts[0].path, m, &first)?;
        }
        for p in &parts[1..] {
            let other = match p.key_value(METADATA_KEY) {
                Some(text) => Some(Metadata::parse(&p.path, &text)?),
                None => None,
            };
            type Same<'a> = (&'a Vec<String>, &'a Vec<String>, &'a Option<String>);
            fn same(m: &Option<Metadata>) -> Option<(Same<'_>, &Option<String>)> {
                m.as_ref()
                    .map(|m| ((&m.quasi_identifiers, &m.sensitive, &m.weight), &m.entity))
            }
            if same(&other) != same(&metadata) {
                return Err(Error::Invalid(format!(
                    "{}: its {METADATA_KEY} metadata differs from that of {}",
                    p.path.display(),
                    parts[0].path.display()
                )));
            }
        }
        let Shape {
            columns,
            kinds,
            has_weights,
            people,
            has_row_count,
        } = first;
        Ok(ClassFile {
            path: path.to_path_buf(),
            parts,
            metadata,
            columns,
            kinds,
            has_weights,
            people,
            has_row_count,
        })
    }

    /// Adds column names the file does not hold, so that roles can name them: identifying and
    /// insensitive columns of the data (listed in reports, never read) and the weight column
    /// (whose sums are in `__reident_weight_sum`).
    pub(crate) fn with_listed(mut self, names: &[String]) -> Self {
        for n in names {
            if !self.columns.contains(n) {
                self.columns.push(n.clone());
            }
        }
        self
    }

    /// The data columns, then the listed names.
    pub(crate) fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of classes (rows) in the file or files.
    pub(crate) fn num_rows(&self) -> u64 {
        self.parts.iter().map(|p| p.num_rows()).sum()
    }

    /// Reads the class table over the roles' QIs, sensitive columns and weight.
    pub(crate) fn read(&self, roles: &Roles, progress: &Progress) -> Result<ClassTable> {
        let qi = roles.names(&roles.qi);
        let sensitive = roles.names(&roles.sensitive);
        let weight = roles.weight.map(|w| roles.columns[w].clone());
        self.read_names(&qi, &sensitive, weight.as_deref(), progress)
    }

    /// Checks that the QIs are value columns (in the people form, fields of the signature) and
    /// the sensitive columns histograms.
    pub(super) fn check_names(&self, qi: &[String], sensitive: &[String]) -> Result<()> {
        let here = |m: String| Error::Invalid(format!("{}: {m}", self.path.display()));
        let kind_of = |name: &str| {
            self.columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| self.kinds.get(i).copied())
        };
        for q in qi {
            match kind_of(q) {
                Some(Kind::Values) => {}
                Some(Kind::Histogram) => {
                    return Err(here(format!(
                        "column {q:?} is a histogram (a sensitive column) of the class table, not a quasi-identifier"
                    )))
                }
                None => {
                    return Err(here(format!(
                        "the class table has no quasi-identifier column {q:?}"
                    )))
                }
            }
        }
        for s in sensitive {
            match kind_of(s) {
                Some(Kind::Histogram) => {}
                Some(Kind::Values) => {
                    return Err(here(format!(
                        "column {s:?} of the class table is not a histogram: a sensitive column must be LIST<STRUCT<value, count>>"
                    )))
                }
                None => {
                    return Err(here(format!(
                        "the class table has no histogram of sensitive column {s:?}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// `ClassFile::read` by column names.
    pub fn read_names(
        &self,
        qi: &[String],
        sensitive: &[String],
        weight: Option<&str>,
        progress: &Progress,
    ) -> Result<ClassTable> {
        let here = |m: String| Error::Invalid(format!("{}: {m}", self.path.display()));
        if self.people {
            let entity = self
                .metadata
                .as_ref()
                .and_then(|m| m.entity.clone())
                .unwrap_or_else(|| "COLUMN".into());
            return Err(here(format!(
                "it holds people-level classes (one row per signature, {SIGNATURE_COLUMN}), which count people: read it with --entity {entity}"
            )));
        }
        self.check_names(qi, sensitive)?;
        if let Some(w) = weight {
            if !self.has_weights {
                return Err(here(format!(
                    "the class table has no {WEIGHT_COLUMN} column, so weight {w:?} cannot be used: compute it with the weight"
                )));
            }
            if let Some(Some(mw)) = self.metadata.as_ref().map(|m| &m.weight) {
                if !mw.is_empty() && mw != w {
                    return Err(here(format!(
                        "its weight sums are of column {mw:?}, not {w:?}"
                    )));
                }
            }
        }
        let names: Vec<String> = qi.iter().chain(sensitive).cloned().collect();
        let mut merger = Merger::new(&names, qi.len());
        let layout = (qi.len(), sensitive.len(), weight.is_some());
        for part in &self.parts {
            let index = |name: &str| {
                part.columns
                    .iter()
                    .position(|c| c == name)
                    .expect("every part has the same columns")
            };
            let mut cols: Vec<usize> = names.iter().map(|n| index(n)).collect();
            cols.push(index(COUNT_COLUMN));
            if weight.is_some() {
                cols.push(index(WEIGHT_COLUMN));
            }
            let before = merger.records();
            part.for_each_batch_window(
                &cols,
                progress,
                |arrays, _rows| {
                    local_from_batch(&arrays, layout)
                        .map_err(|m| Error::Invalid(format!("{}: {m}", part.path.display())))
                },
                |locals| {
                    merger.push(locals);
                    Ok(())
                },
            )?;
            let got = merger.records() - before;
            let expected = part
                .key_value(METADATA_KEY)
                .and_then(|t| Metadata::parse(&part.path, &t).ok())
                .and_then(|m| m.records);
            if let Some(n) = expected {
                if n != got {
                    return Err(Error::Invalid(format!(
                        "{}: the metadata says {n} records, the classes hold {got}: the file is incomplete or was altered",
                        part.path.display()
                    )));
                }
            }
        }
        progress.finish();
        super::check_total(&self.path, merger.records(), "records")?;
        if merger.records() == 0 {
            return Err(Error::EmptyTable {
                path: self.path.clone(),
            });
        }
        Ok(merger.finish())
    }
}

/// The data columns of a part (QI and histogram columns, reserved ones left out; in the people
/// form the signature's fields in place of QI columns), their kinds, and which reserved columns
/// it has. Checks the reserved columns.
fn shape(p: &ParquetInput) -> Result<Shape> {
    let bad = |m: String| Error::Invalid(format!("{}: {m}", p.path.display()));
    let schema = p.schema();
    let mut out = Shape {
        columns: Vec::new(),
        kinds: Vec::new(),
        has_weights: false,
        people: false,
        has_row_count: false,
    };
    let mut has_count = false;
    let mut value_columns = Vec::new();
    for f in schema.fields() {
        let name = f.name();
        if name == COUNT_COLUMN || name == ROW_COUNT_COLUMN {
            if !is_integer(f.data_type()) {
                return Err(bad(format!(
                    "column {name} has type {}; class sizes must be integers (CAST(... AS BIGINT))",
                    f.data_type()
                )));
            }
            has_count |= name == COUNT_COLUMN;
            out.has_row_count |= name == ROW_COUNT_COLUMN;
        } else if name == WEIGHT_COLUMN {
            if !(is_integer(f.data_type())
                || matches!(f.data_type(), DataType::Float32 | DataType::Float64))
            {
                return Err(bad(format!(
                    "column {WEIGHT_COLUMN} has type {}; weight sums must be numbers",
                    f.data_type()
                )));
            }
            out.has_weights = true;
        } else if name == SIGNATURE_COLUMN {
            out.people = true;
            for field in signature_fields(f.data_type()).map_err(bad)? {
                out.columns.push(field);
                out.kinds.push(Kind::Values);
            }
        } else if name.starts_with(RESERVED_PREFIX) {
            return Err(bad(format!(
                "column {name:?} uses the reserved prefix {RESERVED_PREFIX} but is not part of class-table format {FORMAT_VERSION} (written by a newer reident?)"
            )));
        } else {
            let kind = match f.data_type() {
                DataType::List(item) | DataType::LargeList(item) => {
                    match item.data_type() {
                        DataType::Struct(fields)
                            if fields.len() == 2
                                && fields.find("value").is_some()
                                && fields
                                    .find("count")
                                    .is_some_and(|(_, c)| is_integer(c.data_type())) =>
                        {
                            Kind::Histogram
                        }
                        other => {
                            return Err(bad(format!(
                                "column {name:?} is a list of {other}; a histogram must be LIST<STRUCT<value, count>> with an integer count"
                            )))
                        }
                    }
                }
                _ => {
                    value_columns.push(name.clone());
                    Kind::Values
                }
            };
            out.columns.push(name.clone());
            out.kinds.push(kind);
        }
    }
    if !has_count {
        return Err(bad(format!(
            "not a class table: it has no {COUNT_COLUMN} column (a class table has the QI columns, {COUNT_COLUMN}, and a LIST<STRUCT<value, count>> per sensitive column; `reident sql` prints the query that makes one)"
        )));
    }
    if out.people {
        if let Some(v) = value_columns.first() {
            return Err(bad(format!(
                "column {v:?} is a value column beside {SIGNATURE_COLUMN}: in the people form the quasi-identifiers are the fields of the signature's elements"
            )));
        }
        if out.has_weights {
            return Err(bad(format!(
                "{WEIGHT_COLUMN} in a people-level class table: weights are per record, and people are counted; compute it without the weight"
            )));
        }
    } else if out.has_row_count {
        return Err(bad(format!(
            "{ROW_COUNT_COLUMN} without {SIGNATURE_COLUMN}: a people-level class table needs its signature column"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = out.columns.iter().find(|c| !seen.insert(*c)) {
        return Err(bad(format!("column {dup:?} appears twice")));
    }
    Ok(out)
}

fn check_metadata(path: &Path, m: &Metadata, shape: &Shape) -> Result<()> {
    let bad = |msg: String| {
        Error::Invalid(format!(
            "{}: {METADATA_KEY} metadata: {msg}",
            path.display()
        ))
    };
    let kind = |n: &String| {
        shape
            .columns
            .iter()
            .position(|c| c == n)
            .map(|i| shape.kinds[i])
    };
    for q in &m.quasi_identifiers {
        if kind(q) != Some(Kind::Values) {
            return Err(bad(format!(
                "quasi-identifier {q:?} is not a value column of the file"
            )));
        }
    }
    for s in &m.sensitive {
        if kind(s) != Some(Kind::Histogram) {
            return Err(bad(format!(
                "sensitive column {s:?} is not a histogram column of the file"
            )));
        }
    }
    if m.weight.is_some() != shape.has_weights {
        return Err(bad(format!(
            "\"weight\" and the presence of {WEIGHT_COLUMN} disagree"
        )));
    }
    if shape.people != (m.entity.is_some() && m.signature.is_some()) {
        return Err(bad(format!(
            "\"entity\" and \"signature\" must be given exactly when the file has {SIGNATURE_COLUMN} (the people form)"
        )));
    }
    Ok(())
}

/// One record batch of a class file as chunk-local classes: the QI columns encoded like data
/// columns, rows with the same QI values grouped (the engine's one group-by), counts, weight
/// sums and histogram entries added up per group. `layout`: (QIs, sensitive columns, weights);
/// `arrays`: the QI columns, the histogram columns, the count, then the weight sums.
fn local_from_batch(
    arrays: &[ArrayRef],
    (n_qi, n_s, weighted): (usize, usize, bool),
) -> std::result::Result<LocalClasses, String> {
    let encode = |a: &ArrayRef, what: &str| {
        encode_array(a.as_ref())
            .map_err(|t| format!("{what} has type {t}, which reident cannot read"))
    };
    let qi_cols: Vec<LocalColumn> = arrays[..n_qi]
        .iter()
        .enumerate()
        .map(|(q, a)| encode(a, &format!("quasi-identifier column {q}")))
        .collect::<std::result::Result<_, _>>()?;
    let counts = positive_integers(
        arrays[n_qi + n_s].as_ref(),
        &format!("a class's {COUNT_COLUMN}"),
    )?;
    let rows = counts.len();
    let weights = if weighted {
        Some(weight_sums(arrays[n_qi + n_s + 1].as_ref())?)
    } else {
        None
    };
    let cards: Vec<u64> = qi_cols.iter().map(|c| c.dict.len() as u64).collect();
    let g = group_tuples(rows, &cards, |c, i| qi_cols[c].codes[i]);
    let keys = qi_cols
        .iter()
        .map(|col| {
            g.first_item
                .iter()
                .map(|&r| col.codes[r as usize])
                .collect()
        })
        .collect();
    let class_counts = g.sum_per_group(|i| counts[i]);
    let weight_sums = weights.map(|w| {
        let mut sums = vec![0.0f64; g.len()];
        for (&grp, &x) in g.group_of.iter().zip(&w) {
            sums[grp as usize] += x;
        }
        sums
    });
    let mut dicts: Vec<Vec<String>> = qi_cols.into_iter().map(|c| c.dict).collect();
    let mut sensitive = Vec::with_capacity(n_s);
    for s in 0..n_s {
        let (dict, triples) = histogram_triples(
            &arrays[n_qi + s],
            &counts,
            &g.group_of,
            &format!("its {COUNT_COLUMN} is"),
        )?;
        dicts.push(dict);
        sensitive.push(triples);
    }
    let mut local = LocalClasses {
        rows: counts.iter().fold(0u64, |a, &c| a.saturating_add(c)) as usize,
        dicts,
        keys,
        counts: class_counts,
        sensitive,
        weights: weight_sums,
        row_classes: None,
    };
    local.drop_unused_values(n_qi);
    Ok(local)
}

/// A histogram column's dictionary (canonical texts) and its (group, code, count) triples.
pub(super) type Triples = (Vec<String>, Vec<(u32, u32, u64)>);

/// A histogram column's dictionary (canonical texts) and its (group, code, count) triples,
/// checking that every row's histogram adds up to its class count (`counts`, named `total`).
pub(super) fn histogram_triples(
    array: &ArrayRef,
    counts: &[u64],
    group_of: &[u32],
    total: &str,
) -> std::result::Result<Triples, String> {
    let (offsets, values): (Vec<usize>, &StructArray) = match array.data_type() {
        DataType::List(_) => {
            let l = array.as_list::<i32>();
            (
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().as_struct(),
            )
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            (
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().as_struct(),
            )
        }
        other => return Err(format!("a histogram column has type {other}")),
    };
    if values.null_count() > 0 {
        return Err("a histogram element is null (each must be a {value, count} struct)".into());
    }
    let value = values
        .column_by_name("value")
        .ok_or("a histogram has no value field")?;
    let count = values
        .column_by_name("count")
        .ok_or("a histogram has no count field")?;
    let col = encode_array(value.as_ref())
        .map_err(|t| format!("a histogram's values have type {t}, which reident cannot read"))?;
    let n = positive_integers(count.as_ref(), "a histogram entry's count")?;
    let mut triples = Vec::with_capacity(offsets.last().copied().unwrap_or(0));
    for (row, &expected) in counts.iter().enumerate() {
        let (a, b) = (offsets[row], offsets[row + 1]);
        let sum: u64 = n[a..b].iter().fold(0u64, |s, &c| s.saturating_add(c));
        if sum != expected {
            return Err(format!(
                "a class's histogram adds up to {sum} records, {total} {expected}"
            ));
        }
        let grp = group_of[row];
        triples.extend((a..b).map(|i| (grp, col.codes[i], n[i])));
    }
    Ok((col.dict, triples))
}
