//! Building a class table: from records (streamed a window of chunks at a time, grouped in
//! parallel, merged into global domains) or from a class-table file read in their place.

use std::path::{Path, PathBuf};

use super::io::ClassFile;
use super::people::{Counted, People, Signature};
use super::{ClassTable, Histograms, Layout, LocalClasses, Merger};
use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::input::{Format, Input, InputOptions};
use crate::policy::Roles;
use crate::progress::Progress;

/// Where a class table comes from: the records of a data file, or a class table computed
/// elsewhere (`--classes`), which has classes, not records, so that anything that needs the
/// records (per-record outputs, transformed data, a sample to scan) says they are unavailable.
pub enum Source {
    Records(Input),
    /// Boxed: a class file's metadata makes it much larger than an input.
    Classes(Box<ClassFile>),
}

impl Source {
    /// Opens the data file, or with `classes` the class table given in its place. `listed`:
    /// names of data columns a class table lacks that roles may still name (identifying,
    /// insensitive, the weight): accepted as listed, never read.
    pub(crate) fn open(
        data: Option<&Path>,
        classes: Option<&Path>,
        options: &InputOptions,
        listed: &[String],
    ) -> Result<Source> {
        match (classes, data) {
            (Some(classes), _) => Ok(Source::Classes(Box::new(
                ClassFile::open(classes)?.with_listed(listed),
            ))),
            (None, Some(data)) => Ok(Source::Records(Input::open(data, options)?)),
            (None, None) => Err(Error::Invalid(
                "no input: give the data file, or a class table with --classes".into(),
            )),
        }
    }

    pub(crate) fn path(&self) -> &PathBuf {
        match self {
            Source::Records(i) => i.path(),
            Source::Classes(c) => &c.path,
        }
    }

    pub(crate) fn format(&self) -> Format {
        match self {
            Source::Records(i) => i.format(),
            Source::Classes(_) => Format::Parquet,
        }
    }

    /// Whether this is a class table rather than records.
    pub(crate) fn is_class_table(&self) -> bool {
        matches!(self, Source::Classes(_))
    }

    /// The records, when this is a data file.
    pub(crate) fn records(&self) -> Option<&Input> {
        match self {
            Source::Records(i) => Some(i),
            Source::Classes(_) => None,
        }
    }

    /// Column names in file order (with a class table's listed names after its own).
    pub fn columns(&self) -> &[String] {
        match self {
            Source::Records(i) => i.columns(),
            Source::Classes(c) => c.columns(),
        }
    }

    /// What a progress bar counts: rows for Parquet, bytes for CSV, classes for a class table.
    pub(crate) fn progress_total(&self) -> (u64, &'static str) {
        match self {
            Source::Records(i) => i.progress_total(),
            Source::Classes(c) => (c.num_rows(), "classes"),
        }
    }

    /// A progress bar for reading this source (hidden when `quiet`).
    pub(crate) fn progress(&self, quiet: bool) -> Progress {
        let (total, unit) = self.progress_total();
        Progress::new(total, unit, quiet)
    }

    /// The class table over the roles' QI, sensitive and weight columns.
    pub fn class_table(&self, roles: &Roles, progress: &Progress) -> Result<ClassTable> {
        Ok(self.build(roles, false, progress)?.0)
    }

    /// The class table, and with `row_classes` the class of every record (in file order) for
    /// per-record outputs.
    pub fn build(
        &self,
        roles: &Roles,
        row_classes: bool,
        progress: &Progress,
    ) -> Result<(ClassTable, Option<Vec<u32>>)> {
        match self {
            Source::Records(input) => build_classes(input, roles, row_classes, progress),
            Source::Classes(file) => {
                if row_classes {
                    return Err(crate::input::records_unavailable(
                        &file.path,
                        "per-record output (--record-risk, row numbers)",
                    ));
                }
                Ok((file.read(roles, progress)?, None))
            }
        }
    }
}

/// With an entity column: the row-level class table over the QIs, the people (each person's
/// rows by row class, and the histograms of their sensitive values), and each row's person.
pub struct PeopleBuild {
    pub rows: ClassTable,
    pub people: People,
    /// The person of each row, in file order.
    pub person_of_row: Vec<u32>,
    /// The entity value of each person (canonical text), by person.
    pub entities: Vec<String>,
}

impl Source {
    /// The class tables of a table whose people may have several rows (`roles.entity` names the
    /// column that identifies them): the one engine, run over the QIs (each row's class kept)
    /// and over the entity column (each row's person kept, the sensitive histograms per person).
    pub fn build_people(
        &self,
        roles: &Roles,
        signature: Signature,
        progress: &Progress,
    ) -> Result<PeopleBuild> {
        let Some(entity) = roles.entity else {
            return Err(Error::Invalid("no entity column".into()));
        };
        let input = match self {
            Source::Records(i) => i,
            Source::Classes(c) => {
                return Err(Error::Invalid(format!(
                    "{}: a class table gives the people-level figures of analyze, gate and combos, but not each person's records, which anonymize --entity writes and suppresses: give the data file",
                    c.path.display()
                )))
            }
        };
        let row_roles = Roles {
            sensitive: Vec::new(),
            weight: None,
            entity: None,
            ..roles.clone()
        };
        let timing = std::env::var_os("REIDENT_TIMING").is_some();
        let clock = std::time::Instant::now();
        let (rows, row_class) = build_classes(input, &row_roles, true, progress)?;
        if timing {
            eprintln!(
                "timing: row classes {:.3} s {}",
                clock.elapsed().as_secs_f64(),
                hwm()
            );
        }
        let clock = std::time::Instant::now();
        let row_class = row_class.expect("asked for row classes");
        let (person_of_row, entities) = person_ids(input, entity, &roles.columns[entity])?;
        let sensitive = roles
            .sensitive
            .iter()
            .map(|&s| person_histograms(input, roles, s, &person_of_row, entities.len()))
            .collect::<Result<Vec<_>>>()?;
        if timing {
            eprintln!(
                "timing: people's rows {:.3} s {}",
                clock.elapsed().as_secs_f64(),
                hwm()
            );
        }
        let clock = std::time::Instant::now();
        let people = People::from_rows(
            signature,
            &row_class,
            &person_of_row,
            entities.len(),
            sensitive,
        );
        if timing {
            eprintln!(
                "timing: (person, row class) pairs {:.3} s {}",
                clock.elapsed().as_secs_f64(),
                hwm()
            );
        }
        Ok(PeopleBuild {
            rows,
            people,
            person_of_row,
            entities,
        })
    }
}

/// Each row's person (people numbered in order of their first row), and each person's entity
/// value, read a window of chunks at a time: each chunk's dictionary of entity values (as the
/// readers encode every column) is matched against the values met so far. A row without a value
/// is an error: every row needs its person.
fn person_ids(input: &Input, entity: usize, name: &str) -> Result<(Vec<u32>, Vec<String>)> {
    use std::hash::BuildHasher;
    let hasher = hashbrown::DefaultHashBuilder::default();
    // Person ids by the hash of their value; `values[id]` is the value (each stored once).
    let mut ids: hashbrown::HashTable<u32> = hashbrown::HashTable::new();
    let mut values: Vec<String> = Vec::new();
    let mut person_of_row: Vec<u32> = Vec::new();
    let mut missing = 0u64;
    input.for_each_window(
        &[entity],
        &Progress::hidden(),
        // In parallel: each chunk's dictionary hashed.
        |mut chunk| {
            let col = chunk.columns.swap_remove(0);
            let hashes: Vec<u64> = col
                .dict
                .iter()
                .map(|v| hasher.hash_one(v.as_str()))
                .collect();
            (col, hashes)
        },
        |window| {
            for (col, hashes) in window {
                let mut global = Vec::with_capacity(col.dict.len());
                for (v, h) in col.dict.into_iter().zip(hashes) {
                    if v == NULL_TEXT {
                        global.push(u32::MAX);
                        continue;
                    }
                    let found = ids.find(h, |&id| values[id as usize] == v).copied();
                    global.push(match found {
                        Some(id) => id,
                        None => {
                            let id = values.len() as u32;
                            values.push(v);
                            ids.insert_unique(h, id, |&id| {
                                hasher.hash_one(values[id as usize].as_str())
                            });
                            id
                        }
                    });
                }
                person_of_row.extend(col.codes.iter().map(|&code| {
                    let id = global[code as usize];
                    missing += (id == u32::MAX) as u64;
                    id
                }));
            }
            Ok(())
        },
    )?;
    if missing > 0 {
        return Err(Error::Invalid(format!(
            "{}: {missing} rows have no value in the entity column {name:?}: every row needs its person (fill it in, or leave those rows out)",
            input.path().display(),
        )));
    }
    Ok((person_of_row, values))
}

/// Each person's histogram of sensitive column `s` over their rows: the column's values per row
/// from the one engine (a class table over that column alone, each row's class kept), counted
/// by person.
fn person_histograms(
    input: &Input,
    roles: &Roles,
    s: usize,
    person_of_row: &[u32],
    people: usize,
) -> Result<Histograms> {
    let one = Roles {
        qi: vec![s],
        sensitive: Vec::new(),
        weight: None,
        entity: None,
        ..roles.clone()
    };
    let (values, row_class) = build_classes(input, &one, true, &Progress::hidden())?;
    let row_class = row_class.expect("asked for row classes");
    let code_of_class = &values.codes[0];
    let triples: Vec<(u32, u32, u64)> = person_of_row
        .iter()
        .zip(&row_class)
        .map(|(&p, &c)| (p, code_of_class[c as usize], 1))
        .collect();
    Ok(Histograms::from_triples(
        values.qis[0].clone(),
        people,
        &triples,
    ))
}

impl Source {
    /// The row-level class table and, with an entity, the people-level one: from the records,
    /// or from a class table (a people-level one with an entity).
    pub fn counted(
        &self,
        roles: &Roles,
        signature: Signature,
        progress: &Progress,
    ) -> Result<Counted> {
        match (self, roles.entity) {
            (_, None) => Ok(Counted::rows(self.class_table(roles, progress)?)),
            (Source::Classes(file), Some(_)) => file.read_people(roles, signature, progress),
            (Source::Records(_), Some(_)) => {
                let built = self.build_people(roles, signature, progress)?;
                Ok(Counted {
                    people: Some(built.people.table()),
                    rows: built.rows,
                })
            }
        }
    }
}

/// Reads the QI and sensitive columns of `input` and builds its class table.
pub fn build_class_table(input: &Input, roles: &Roles, progress: &Progress) -> Result<ClassTable> {
    Ok(build_classes(input, roles, false, progress)?.0)
}

/// Reads the QI, sensitive and weight columns of `input` and builds its class table, and with
/// `row_classes` the class of every record (in file order) for per-record outputs.
pub fn build_classes(
    input: &Input,
    roles: &Roles,
    row_classes: bool,
    progress: &Progress,
) -> Result<(ClassTable, Option<Vec<u32>>)> {
    let columns: Vec<usize> = roles
        .qi
        .iter()
        .chain(&roles.sensitive)
        .chain(&roles.weight)
        .copied()
        .collect();
    let names = roles.names(
        &roles
            .qi
            .iter()
            .chain(&roles.sensitive)
            .copied()
            .collect::<Vec<_>>(),
    );
    let layout = Layout {
        n_qi: roles.qi.len(),
        n_sensitive: roles.sensitive.len(),
        weight: roles.weight.is_some(),
        row_classes,
    };
    let mut merger = Merger::new(&names, layout.n_qi);
    input.for_each_window(
        &columns,
        progress,
        |chunk| LocalClasses::from_chunk(chunk, &layout),
        |locals| {
            let locals = locals
                .into_iter()
                .collect::<std::result::Result<Vec<_>, String>>()
                .map_err(|_value| {
                    Error::Invalid(format!(
                    "{}: weight column {:?} holds a value that is not a non-negative number (values are not shown in messages)",
                    input.path().display(),
                    roles.weight.map(|w| roles.columns[w].as_str()).unwrap_or_default()
                ))
                })?;
            merger.push(locals);
            Ok(())
        },
    )?;
    progress.finish();
    if merger.records() == 0 {
        return Err(Error::EmptyTable {
            path: input.path().clone(),
        });
    }
    let t = std::time::Instant::now();
    let out = merger.finish_with_rows();
    if std::env::var_os("REIDENT_TIMING").is_some() {
        eprintln!("timing: final merge {:.3} s", t.elapsed().as_secs_f64());
    }
    Ok(out)
}

/// The peak resident memory so far (Linux), for `REIDENT_TIMING`.
pub(crate) fn hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .map(|m| format!("(peak {m})"))
        .unwrap_or_default()
}
