//! Reading tables: Parquet, ARX-style CSV and in-memory Arrow tables, in chunks, in parallel, only
//! the columns asked for.
//!
//! Every kind produces the same thing: [`Chunk`]s, each a block of rows with every requested column
//! dictionary-encoded on its own ([`encode::LocalColumn`]). Everything after that (the class table)
//! is format-blind. Chunk boundaries depend only on the file (row groups, fixed row counts), never on
//! the number of threads, so the results are the same on any machine.

pub mod arrow;
pub mod csv;
pub mod encode;
pub mod parquet;
pub(crate) mod regular;

/// Chunks read (in parallel) before they are handed on: enough to keep every thread busy.
pub(crate) fn window_len() -> usize {
    2 * rayon::current_num_threads().max(1)
}

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::progress::Progress;
use encode::LocalColumn;

/// A block of rows: one encoded column per requested column, in the order requested.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub rows: usize,
    pub columns: Vec<LocalColumn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
    /// An in-memory Arrow table ([`arrow::ArrowTable`]).
    Arrow,
}

impl Format {
    /// The name reports use (the same as the serialized form).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Arrow => "arrow",
        }
    }
}

/// How to read an input file.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// CSV delimiter; detected from the header line when not given.
    pub delimiter: Option<u8>,
}

/// An opened input table: its format and column names, ready to be read in chunks.
pub enum Input {
    Parquet(parquet::ParquetInput),
    Csv(csv::CsvInput),
    /// Record batches in memory ([`arrow::ArrowTable::input`]).
    Arrow(arrow::ArrowInput),
}

impl Input {
    /// The columns marked as pseudonymized by safe-harbor: a Parquet file's metadata entry, or
    /// an in-memory table's schema metadata (the same entry, as pyarrow reads it); a CSV file
    /// has none. Readers check the values before trusting it.
    pub(crate) fn pseudonymized(&self) -> Vec<String> {
        match self {
            Input::Parquet(p) => p.pseudonymized(),
            Input::Csv(_) => Vec::new(),
            Input::Arrow(a) => a.pseudonymized(),
        }
    }

    /// Opens a file, telling Parquet from CSV by its first bytes (`PAR1`), not by its name.
    pub fn open(path: &Path, options: &InputOptions) -> Result<Input> {
        use std::io::Read;
        let mut magic = [0u8; 4];
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let got = f.read(&mut magic).map_err(|e| Error::io(path, e))?;
        if got == 4 && &magic == b"PAR1" {
            Ok(Input::Parquet(parquet::ParquetInput::open(path)?))
        } else if is_parquet_name(path) {
            Err(Error::parquet(path, "the file does not start with PAR1"))
        } else {
            Ok(Input::Csv(csv::CsvInput::open(path, options.delimiter)?))
        }
    }

    pub(crate) fn path(&self) -> &PathBuf {
        match self {
            Input::Parquet(p) => &p.path,
            Input::Csv(c) => &c.path,
            Input::Arrow(a) => &a.path,
        }
    }

    pub(crate) fn format(&self) -> Format {
        match self {
            Input::Parquet(_) => Format::Parquet,
            Input::Csv(_) => Format::Csv,
            Input::Arrow(_) => Format::Arrow,
        }
    }

    /// What a progress bar counts for this input: rows for Parquet and Arrow, bytes for CSV.
    pub(crate) fn progress_total(&self) -> (u64, &'static str) {
        match self {
            Input::Parquet(p) => (p.num_rows(), "rows"),
            Input::Csv(c) => (c.file_len(), "bytes"),
            Input::Arrow(a) => (a.num_rows(), "rows"),
        }
    }

    /// Column names in file order.
    pub fn columns(&self) -> &[String] {
        match self {
            Input::Parquet(p) => &p.columns,
            Input::Csv(c) => &c.columns,
            Input::Arrow(a) => &a.columns,
        }
    }

    /// The index of a column, or an error that lists the columns there are.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.columns()
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::UnknownColumn {
                column: name.to_string(),
                available: self.columns().to_vec(),
            })
    }

    /// A bounded sample of the given columns: at most `rows` rows, for checks that must stay cheap
    /// on any file size (`scan`). Parquet: the first rows of up to [`parquet::SAMPLE_ROW_GROUPS`]
    /// row groups spread evenly over the file (a file sorted by some column still shows more than
    /// its first values), read through the projection with a row limit, so only the first pages of
    /// those columns are decoded. CSV: the first `rows` data rows (a CSV file cannot be entered in
    /// the middle safely: a quoted field may hold line breaks); an Arrow table: its first rows.
    /// Returns the chunks and a one-line
    /// description of what was read, for the report.
    pub(crate) fn sample(&self, columns: &[usize], rows: usize) -> Result<(Vec<Chunk>, String)> {
        match self {
            Input::Parquet(p) => p.sample(columns, rows),
            Input::Csv(c) => c.sample(columns, rows),
            Input::Arrow(a) => a.sample(columns, rows),
        }
    }

    /// Reads the given columns chunk by chunk, applies `f` to every chunk (in parallel), and hands
    /// the results to `sink` a window at a time, in chunk order. Only one window of chunks is in
    /// memory at once, so a file larger than memory can be streamed.
    pub(crate) fn for_each_window<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Chunk) -> T + Sync,
        sink: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Input::Parquet(p) => p.for_each_window(columns, progress, f, sink),
            Input::Csv(c) => c.for_each_window(columns, progress, f, sink),
            Input::Arrow(a) => a.for_each_window(columns, progress, f, sink),
        }
    }

    /// `Input::for_each_window`, collecting every result (for whole-table operations).
    pub fn map_chunks<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Chunk) -> T + Sync,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each_window(columns, progress, f, |w| {
            out.extend(w);
            Ok(())
        })?;
        Ok(out)
    }
}

/// The error for an operation that needs the records when the input is a class table.
pub(crate) fn records_unavailable(path: &Path, what: &str) -> Error {
    Error::Invalid(format!(
        "{}: {what} needs the records, and a class table holds only classes: run it on the data",
        path.display()
    ))
}

fn is_parquet_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()),
        Some(ref e) if e == "parquet" || e == "pq"
    )
}
