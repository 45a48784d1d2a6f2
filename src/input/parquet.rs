//! Parquet input through the parquet crate's Arrow reader.
//!
//! * Only the requested columns are decoded (a projection on the root columns).
//! * Row groups are read in parallel, each by its own reader over its own file handle, and each
//!   record batch becomes one [`Chunk`].
//! * String and binary columns are asked for as Arrow dictionaries. Parquet stores them dictionary
//!   encoded in almost every file, and keeping the dictionary means that grouping works on integer
//!   keys and formats each distinct value once: materialized strings made the group-by 2.7x slower.
//!   The reader only keeps dictionaries when the full schema it is given says so, hence
//!   `dictionary_schema`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use super::encode::encode_array;
use super::Chunk;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Rows per record batch, and so per chunk: large enough that per-chunk work (dictionary
/// formatting, the merge) is small next to the rows, small enough to bound memory per thread.
/// The parquet reader grows its output buffers page by page (`reserve_exact`), so a 1M-row batch
/// spent a tenth of the run copying and faulting in fresh pages; 256K rows measured fastest on the
/// 10M-row file (64K: more chunk-local classes to merge, and more memory).
pub(crate) const BATCH_ROWS: usize = 1 << 18;

/// Rows per chunk at most: a row group's batches are joined up to this many rows.
pub(crate) const CHUNK_ROWS: usize = 1 << 20;

/// Row groups a sample is spread over ([`ParquetInput::sample`]): each costs the first page of
/// every sampled column, so a handful keeps the sample cheap while it is not all from one place.
pub(crate) const SAMPLE_ROW_GROUPS: usize = 4;

/// The key-value metadata entry in which `safe-harbor` lists the columns it pseudonymized (a
/// JSON array of column names).
pub(crate) const PSEUDONYMIZED_KEY: &str = "reident:pseudonymized";

pub struct ParquetInput {
    pub path: PathBuf,
    pub columns: Vec<String>,
    metadata: ArrowReaderMetadata,
}

impl ParquetInput {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let plain = guarded(path, || {
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
        })?
        .map_err(|e| Error::parquet(path, e))?;
        let dict_schema = Arc::new(dictionary_schema(plain.schema()));
        // Fall back to the file's own schema if the reader refuses the dictionary form.
        let metadata = guarded(path, || {
            ArrowReaderMetadata::try_new(
                plain.metadata().clone(),
                ArrowReaderOptions::new().with_schema(dict_schema),
            )
        })?
        .unwrap_or(plain);
        let columns: Vec<String> = metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        // As in CSV: a name given twice would silently mean the first column.
        let mut seen = std::collections::HashSet::with_capacity(columns.len());
        if let Some(twice) = columns.iter().find(|c| !seen.insert(c.as_str())) {
            return Err(Error::Invalid(format!(
                "{}: column {twice:?} appears twice in the schema; rename one",
                path.display()
            )));
        }
        Ok(ParquetInput {
            path: path.to_path_buf(),
            columns,
            metadata,
        })
    }

    /// The rows the reader reads: the sum over the row groups (the footer's own total is not
    /// trusted: a file may declare rows that no row group holds).
    pub(crate) fn num_rows(&self) -> u64 {
        self.metadata
            .metadata()
            .row_groups()
            .iter()
            .fold(0u64, |a, g| a.saturating_add(g.num_rows().max(0) as u64))
    }

    pub(crate) fn num_row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// The Arrow type of every column, as it will be read.
    pub fn schema(&self) -> &Arc<Schema> {
        self.metadata.schema()
    }

    /// The first rows of up to [`SAMPLE_ROW_GROUPS`] evenly spaced row groups, `rows` in all
    /// (every row when the file has no more). See [`super::Input::sample`].
    pub(crate) fn sample(&self, columns: &[usize], rows: usize) -> Result<(Vec<Chunk>, String)> {
        let schema = self.metadata.schema();
        let mut roots: Vec<usize> = columns.to_vec();
        roots.sort_unstable();
        roots.dedup();
        if let Some(&c) = roots.iter().find(|&&c| c >= schema.fields().len()) {
            return Err(Error::Invalid(format!("column index {c} out of range")));
        }
        let position: Vec<usize> = columns
            .iter()
            .map(|c| roots.binary_search(c).unwrap_or(0))
            .collect();
        let meta = self.metadata.metadata();
        let groups = self.num_row_groups();
        let total = self.num_rows() as usize;
        let picked: Vec<usize> = if total <= rows || groups == 0 {
            (0..groups).collect()
        } else {
            let k = groups.min(SAMPLE_ROW_GROUPS);
            let mut p: Vec<usize> = (0..k).map(|i| i * groups / k).collect();
            p.dedup();
            p
        };
        let mut left = rows;
        let mut chunks = Vec::new();
        let mut read = 0usize;
        for (i, &rg) in picked.iter().enumerate() {
            if left == 0 {
                break;
            }
            // An even share of what is left, so short row groups leave more to the next ones.
            let share = left.div_ceil(picked.len() - i);
            let in_group = meta.row_group(rg).num_rows().max(0) as usize;
            let limit = share.min(in_group);
            if limit == 0 {
                continue;
            }
            let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
            let mask = ProjectionMask::roots(self.metadata.parquet_schema(), roots.clone());
            let mut reader = guarded(&self.path, || {
                ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
                    .with_row_groups(vec![rg])
                    .with_projection(mask)
                    .with_limit(limit)
                    .with_batch_size(limit.min(BATCH_ROWS))
                    .build()
            })?
            .map_err(|e| Error::parquet(&self.path, e))?;
            while let Some(batch) = guarded(&self.path, || reader.next())? {
                let batch = batch.map_err(|e| Error::parquet(&self.path, e))?;
                let mut encoded = Vec::with_capacity(columns.len());
                for (&c, &p) in columns.iter().zip(&position) {
                    encoded.push(encode_array(batch.column(p).as_ref()).map_err(|t| {
                        Error::UnsupportedType {
                            path: self.path.clone(),
                            column: schema.field(c).name().clone(),
                            data_type: t,
                        }
                    })?);
                }
                read += batch.num_rows();
                left = left.saturating_sub(batch.num_rows());
                chunks.push(Chunk {
                    rows: batch.num_rows(),
                    columns: encoded,
                });
            }
        }
        let how = if read as u64 >= self.num_rows() {
            format!("all {read} rows")
        } else if picked.len() == 1 {
            format!(
                "the first {read} of {} rows (one row group)",
                self.num_rows()
            )
        } else {
            format!(
                "{read} of {} rows: the first rows of {} of {groups} row groups, spread over the file",
                self.num_rows(),
                picked.len()
            )
        };
        Ok((chunks, how))
    }

    pub(crate) fn for_each_window<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Chunk) -> T + Sync,
        sink: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let schema = self.metadata.schema();
        self.for_each_group_window(
            columns,
            progress,
            |arrays, rows| {
                let mut encoded = Vec::with_capacity(columns.len());
                for (&c, array) in columns.iter().zip(arrays) {
                    let col = encode_array(array.as_ref()).map_err(|t| Error::UnsupportedType {
                        path: self.path.clone(),
                        column: schema.field(c).name().clone(),
                        data_type: t,
                    })?;
                    encoded.push(col);
                }
                Ok(Chunk {
                    rows,
                    columns: encoded,
                })
            },
            // The batches of a row group are joined into chunks of up to CHUNK_ROWS rows before
            // they are grouped: bigger chunks group more records locally and leave fewer
            // chunk-local classes to merge (on the 10M-row file 6M instead of 8M, and a
            // merge twice as fast).
            |batches| {
                let mut chunks: Vec<Chunk> = Vec::new();
                for b in batches {
                    match chunks.last_mut() {
                        Some(last) if last.rows + b.rows <= CHUNK_ROWS => {
                            last.rows += b.rows;
                            for (col, more) in last.columns.iter_mut().zip(b.columns) {
                                col.append(more);
                            }
                        }
                        _ => chunks.push(b),
                    }
                }
                Ok(chunks.into_iter().map(&f).collect())
            },
            sink,
        )
    }

    /// The Arrow form of [`ParquetInput::for_each_window`]: `f` gets each record batch's arrays
    /// of the requested columns (in the order requested) and its row count. Readers of columns
    /// that are not plain values (the histograms of a class-table file) start here.
    pub(crate) fn for_each_batch_window<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Vec<arrow_array::ArrayRef>, usize) -> Result<T> + Sync,
        sink: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        self.for_each_group_window(columns, progress, f, Ok, sink)
    }

    /// [`ParquetInput::for_each_batch_window`] with a step per row group: `per_group` turns the
    /// results of one row group's batches (in order) into what the sink receives.
    fn for_each_group_window<T: Send, U: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Vec<arrow_array::ArrayRef>, usize) -> Result<T> + Sync,
        per_group: impl Fn(Vec<T>) -> Result<Vec<U>> + Sync,
        mut sink: impl FnMut(Vec<U>) -> Result<()>,
    ) -> Result<()> {
        // The reader returns projected columns in file order; remember where each requested one is.
        let mut roots: Vec<usize> = columns.to_vec();
        roots.sort_unstable();
        roots.dedup();
        let position: Vec<usize> = columns
            .iter()
            .map(|c| roots.binary_search(c).unwrap_or(0))
            .collect();
        let schema = self.metadata.schema();
        for &c in &roots {
            if c >= schema.fields().len() {
                return Err(Error::Invalid(format!("column index {c} out of range")));
            }
        }
        let groups: Vec<usize> = (0..self.num_row_groups()).collect();
        for window in groups.chunks(super::window_len()) {
            let results: Vec<Vec<U>> = window
                .par_iter()
                .map(|&rg| -> Result<Vec<U>> {
                    let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                    let mask = ProjectionMask::roots(self.metadata.parquet_schema(), roots.clone());
                    let mut reader = guarded(&self.path, || {
                        ParquetRecordBatchReaderBuilder::new_with_metadata(
                            file,
                            self.metadata.clone(),
                        )
                        .with_row_groups(vec![rg])
                        .with_projection(mask)
                        .with_batch_size(BATCH_ROWS)
                        .build()
                    })?
                    .map_err(|e| Error::parquet(&self.path, e))?;
                    let mut out = Vec::new();
                    while let Some(batch) = guarded(&self.path, || reader.next())? {
                        let batch = batch.map_err(|e| Error::parquet(&self.path, e))?;
                        let arrays = position.iter().map(|&p| batch.column(p).clone()).collect();
                        let rows = batch.num_rows();
                        progress.inc(rows as u64);
                        out.push(f(arrays, rows)?);
                    }
                    per_group(out)
                })
                .collect::<Result<_>>()?;
            sink(results.into_iter().flatten().collect())?;
        }
        Ok(())
    }

    /// The file's key-value metadata entry `key`, if any.
    /// The columns that `safe-harbor --pseudonymize` wrote pseudonyms into (its metadata entry
    /// [`PSEUDONYMIZED_KEY`]).
    pub(crate) fn pseudonymized(&self) -> Vec<String> {
        self.key_value(PSEUDONYMIZED_KEY)
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub(crate) fn key_value(&self, key: &str) -> Option<String> {
        self.metadata
            .metadata()
            .file_metadata()
            .key_value_metadata()?
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
    }
}

/// Runs a call into the parquet crate, which panics on some corrupt files (a footer whose column
/// chunks have negative offsets, a page whose values run past its buffer): the panic becomes the
/// error "corrupt Parquet file".
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T> {
    crate::error::catch_panics(f, |msg| {
        Error::Invalid(format!(
            "{}: corrupt Parquet file: the reader failed on it ({msg})",
            path.display()
        ))
    })
}

/// The file's schema with every top-level string or binary column turned into a dictionary of it.
pub(crate) fn dictionary_schema(schema: &Schema) -> Schema {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let value = match f.data_type() {
                DataType::Utf8 | DataType::Utf8View => Some(DataType::Utf8),
                DataType::LargeUtf8 => Some(DataType::LargeUtf8),
                DataType::Binary | DataType::BinaryView => Some(DataType::Binary),
                DataType::LargeBinary => Some(DataType::LargeBinary),
                _ => None,
            };
            match value {
                Some(v) => f
                    .as_ref()
                    .clone()
                    .with_data_type(DataType::Dictionary(Box::new(DataType::Int32), Box::new(v))),
                None => f.as_ref().clone(),
            }
        })
        .collect();
    Schema::new_with_metadata(fields, schema.metadata().clone())
}
