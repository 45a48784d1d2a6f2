//! Class tables as files: the interchange format between reident and SQL engines.
//!
//! Every figure reident reports, and the whole generalization search, needs only the class table.
//! The class table is one `GROUP BY` over the quasi-identifiers, which Spark, DuckDB, Trino or
//! BigQuery compute at any scale. So the format is what such an engine writes with plain SQL
//! (`reident sql` prints the query), and reident reads it in place of the data.
//!
//! # Format, version 1 (stable)
//!
//! A Parquet file (or a folder of Parquet files, as Spark writes them: every file whose name
//! does not start with `.` or `_`, in name order) with one row per equivalence class:
//!
//! * **one column per quasi-identifier**, named as in the data, holding the class's value, of any
//!   type reident reads in data files. Values are canonicalized on read exactly as data values
//!   (see [`crate::input::encode`]), so an engine can `GROUP BY` the raw columns; `NULL` is one
//!   value, as it is one group in SQL's `GROUP BY`.
//! * **`__reident_count`**: the class size, an integer column (any width), every value >= 1.
//! * **`__reident_weight_sum`** (optional): the sum of the sampling weights of the class's records,
//!   a float or integer column, every value finite and >= 0. Written when a weight column is read.
//! * **one column per sensitive attribute**, named as in the data, of type
//!   `LIST<STRUCT<value, count>>`: the class's histogram of that attribute, one element per
//!   distinct value (`value` of any readable type, `NULL` allowed; `count` an integer >= 1). The
//!   element order does not matter. DuckDB writes it with `list({'value': s, 'count': n})`,
//!   Spark with `collect_list(named_struct('value', s, 'count', n))`.
//!
//! Names starting with `__reident_` are reserved: data columns may not use them, and a reader of
//! version 1 rejects reserved names it does not know (they would come from a newer format).
//!
//! The file's key-value metadata entry `reident:class_table` holds a JSON object:
//! `{"format": "reident class table", "version": 1, "quasi_identifiers": [...],
//! "sensitive": [...], "weight": "w" | null, "records": N, "classes": C, "tool": "reident x.y"}`.
//! reident always writes it; it is optional on read, because Spark's SQL cannot write it. When
//! present, its version must be 1, its lists must match the columns, and `records` must equal the
//! sum of `__reident_count` (a check against truncated or edited files). Keys may be added to it
//! without a version change; any change a reader must understand bumps the version.
//!
//! # The people form (format version 1)
//!
//! When a person can have several rows (a visit-level table; `--entity COL`), classes count
//! people, and a person's quasi-identifier is their **signature**: the multiset of their rows'
//! QI tuples (repeats counted), or with `--entity-signature set` the set of them. A people-level
//! class table has one row per distinct signature (one people-level class):
//!
//! * **`__reident_signature`**, of type `LIST<STRUCT<qi_1, ..., qi_m, __reident_rows>>`: the
//!   signature, one element per distinct QI tuple of the class's people. The fields `qi_1` to
//!   `qi_m` are named as the QI columns of the data and hold the tuple's values (any readable
//!   type, `NULL` allowed, canonicalized on read like data values); `__reident_rows` (an
//!   integer >= 1) is the number of rows ONE person of the class has with that tuple: every
//!   person of a class has the same signature, so a multiset is stored exactly (tuple `t` with
//!   multiplicity `m` is the element `{t, m}`). In a set signature every element has
//!   `__reident_rows` = 1. The element order does not matter (the query sorts them by the QI
//!   values; reident writes them in row-class order). There are no QI columns beside it.
//! * **`__reident_count`**: the number of people in the class, an integer >= 1.
//! * **`__reident_row_count`**: the rows of all the class's people, an integer. For a multiset
//!   it must equal `__reident_count` times the sum of the elements' `__reident_rows` (a file of
//!   set signatures read as multisets fails this check unless no person has a repeated tuple, in
//!   which case the two coincide); for a set it is at least that, and it is the only record of
//!   the people's repeated rows. It may be left out only when the metadata says the signatures
//!   are multisets: without it, a file of sets could not be told from one of multisets.
//! * **one histogram column per sensitive attribute**, as in the row-level form, over all the
//!   rows of the class's people: its counts add up to the class's rows.
//! * no `__reident_weight_sum`: weights are per record, and people are counted.
//!
//! The metadata entry adds `"entity"` (the entity column's name), `"signature"` (`"multiset"`
//! or `"set"`), `"people"` and `"rows"` (the sums of `__reident_count` and of the rows), and has
//! no `"records"`. A reader checks them when present: the entity must be the one given with
//! `--entity`, a set file cannot be read as multisets (its repeats are lost), a multiset file
//! can be read as sets (each signature reduced to its set). A people-level file is read only
//! with `--entity` (the entity column is not in the file: its name is accepted as listed), and
//! a row-level file cannot count people: both mistakes are one-line errors.
//!
//! Reading builds what [`crate::classes::Source::build_people`] builds from the records, with the
//! one engine: the elements become the records of the row-level table (grouped chunk by chunk
//! and merged by the `Merger`; a tuple's class size is the rows all people have with it) and the
//! signatures, over those row classes, are grouped into the people-level table as a roll-up
//! groups them (`PeopleTable::from_signatures`). Rows whose signatures
//! are equal after canonicalization, and after dropping the QIs not read (elements that fall
//! together are merged: multiplicities added, or kept once in a set), are merged, their people,
//! rows and histograms added, so part files of disjoint sets of people read as one table. A set
//! file tells the rows of each class but not how they split between its tuples: the row-level
//! table read from it gives each tuple one row per person and the class's other rows to its
//! first tuple (no people-level figure depends on that split). Counts that are missing, zero or
//! negative, an empty or missing signature, a null element, histograms that do not add up to
//! the rows, and totals that disagree with the metadata are one-line errors.
//!
//! # Reading
//!
//! A class file is read through the same path as raw data: each record batch becomes chunk-local
//! classes over chunk-local dictionaries of canonical texts, and the `Merger` merges them into
//! global domains in natural order. The table read is therefore identical to the one built from
//! the rows (same domains, same codes), except that classes are in file order rather than in
//! the order of their first record; no figure depends on that order.
//!
//! Rows with the same QI values (after canonicalization) are **merged**, counts, histograms and
//! weights added: class tables of disjoint parts of the data add up, so the class files of several
//! partitions can be read as one, and reading fewer QIs than the file has rolls the table up.
//! Everything else is rejected with a one-line error: a count that is missing, zero or negative,
//! a histogram whose counts do not add up to the class count, a histogram element or value
//! count that is missing, a weight sum that is missing or negative, an unknown format version.
//!
//! A class file holds every combination of QI values in the data, the unique ones included: it
//! is as sensitive as the data it was computed from.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::classes::people::{PeopleTable, Signature};
use crate::classes::ClassTable;
use crate::error::{Error, Result};

mod arrays;
mod people;
mod read;
mod write;

pub use people::write_people_table;
pub(crate) use read::part_files;
pub use read::ClassFile;
pub use write::write_class_table;

/// The `tool` entry of the metadata.
pub(crate) fn tool() -> String {
    format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
}

/// The version of the format this reident reads and writes.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// The value of the metadata's `format` key.
pub(crate) const FORMAT_NAME: &str = "reident class table";
/// The key of the Parquet key-value metadata entry.
pub(crate) const METADATA_KEY: &str = "reident:class_table";
/// Column names with this prefix are reserved for the format.
pub(crate) const RESERVED_PREFIX: &str = "__reident_";
/// The class size column.
pub(crate) const COUNT_COLUMN: &str = "__reident_count";
/// The weight-sum column.
pub(crate) const WEIGHT_COLUMN: &str = "__reident_weight_sum";
/// The signature column of the people form.
pub(crate) const SIGNATURE_COLUMN: &str = "__reident_signature";
/// The rows of a class's people (people form).
pub(crate) const ROW_COUNT_COLUMN: &str = "__reident_row_count";
/// The field of a signature element that holds one person's rows with its tuple (people form).
pub(crate) const ROWS_FIELD: &str = "__reident_rows";
/// The largest count a class file may hold, and the largest number of records (or people) its
/// classes may add up to: 2^53, below which every count is exact as a floating-point number.
/// Counts are added with saturation, so a total past it is seen and refused, never wrapped.
pub(crate) const MAX_COUNT: u64 = 1 << 53;

/// The error of a class file whose counts add up to more than [`MAX_COUNT`].
pub(crate) fn check_total(path: &std::path::Path, total: u64, what: &str) -> crate::Result<()> {
    if total > MAX_COUNT {
        return Err(crate::Error::Invalid(format!(
            "{}: the classes count more than 2^53 {what}: the counts are not real (a crafted or corrupt class table)",
            path.display()
        )));
    }
    Ok(())
}

/// Classes per written record batch (and row group part): bounds the writer's memory.
pub(super) const WRITE_BATCH: usize = 1 << 16;

/// The JSON object in the `reident:class_table` metadata entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub format: String,
    pub version: u32,
    pub quasi_identifiers: Vec<String>,
    #[serde(default)]
    pub sensitive: Vec<String>,
    #[serde(default)]
    pub weight: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// People form: the entity column the people were identified by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// People form: `multiset` or `set`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// People form: the number of people (the sum of `__reident_count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<u64>,
    /// People form: the rows of all the people (the sum of `__reident_row_count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

impl Metadata {
    /// The metadata of a class table as reident writes it.
    pub(crate) fn of(table: &ClassTable, weight: Option<&str>) -> Self {
        Metadata {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            quasi_identifiers: table.qis.iter().map(|d| d.name.clone()).collect(),
            sensitive: table
                .sensitive
                .iter()
                .map(|h| h.domain.name.clone())
                .collect(),
            weight: table
                .weights
                .as_ref()
                .map(|_| weight.unwrap_or("").to_string()),
            records: Some(table.n_records),
            classes: Some(table.n_classes() as u64),
            tool: Some(tool()),
            entity: None,
            signature: None,
            people: None,
            rows: None,
        }
    }

    /// The metadata of a people-level class table as reident writes it: `rows` is the row-level
    /// table (its QIs are the signatures' fields), `people` the people-level table.
    pub(crate) fn of_people(rows: &ClassTable, people: &PeopleTable, entity: &str) -> Self {
        Metadata {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            quasi_identifiers: rows.qis.iter().map(|d| d.name.clone()).collect(),
            sensitive: people
                .table
                .sensitive
                .iter()
                .map(|h| h.domain.name.clone())
                .collect(),
            weight: None,
            records: None,
            classes: Some(people.class_count() as u64),
            tool: Some(tool()),
            entity: Some(entity.to_string()),
            signature: Some(people.signature),
            people: Some(people.table.n_records),
            rows: Some(people.rows),
        }
    }

    /// Parses the metadata entry, checking the format name and version first so that a newer
    /// file gets a message about its version rather than about a missing key.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self> {
        let bad =
            |m: String| Error::Invalid(format!("{}: {METADATA_KEY} metadata: {m}", path.display()));
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(bad(format!("\"format\" is not {FORMAT_NAME:?}")));
        }
        match v.get("version").and_then(|x| x.as_u64()) {
            Some(n) if n == FORMAT_VERSION as u64 => {}
            Some(n) => {
                return Err(bad(format!(
                    "format version {n}; this reident reads version {FORMAT_VERSION}"
                )))
            }
            None => return Err(bad("no \"version\"".into())),
        }
        serde_json::from_value(v).map_err(|e| bad(e.to_string()))
    }
}
