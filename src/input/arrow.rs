//! In-memory Arrow tables: record batches a caller already holds (the Python package imports them
//! through the Arrow C stream interface), read like a file without copying the columns.
//!
//! * The batches are kept as they are: the encoder (`encode::encode_array`) reads each array in
//!   place, so a dictionary-encoded string column stays a dictionary (its values are formatted
//!   once) and plain columns are never materialized again.
//! * Chunks are planned once, from the batches alone (never from the thread count): a batch
//!   larger than a chunk (1M rows) is cut into zero-copy slices, and consecutive small batches
//!   are joined up to a chunk's rows, as the Parquet reader joins the batches of a row group.
//!   The class table does not depend on the chunking; only the speed does.
//! * A report names such a table [`ARROW_NAME`] and records its content hash
//!   ([`ArrowTable::content_digest`]) in place of a file's SHA-256: there is no file to hash.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::encode::{encode_array, LocalColumn};
use super::{Chunk, Input};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// The name an in-memory table goes by in messages and reports (where a file has its path).
pub const ARROW_NAME: &str = "<arrow stream>";

/// Rows per chunk at most (the Parquet reader's chunk size).
pub(crate) const CHUNK_ROWS: usize = super::parquet::CHUNK_ROWS;

/// What the content hash is made of, stated in the hash itself (see
/// [`ArrowTable::content_digest`]).
const CONTENT_HASH_FORMAT: &str = "reident content sha256 v1: column names, canonical texts";

/// Record batches with one schema, shared cheaply (cloning shares the batches).
#[derive(Clone)]
pub struct ArrowTable(Arc<Inner>);

struct Inner {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    rows: u64,
    /// The content hash and size, computed on first use (a report asks for it).
    digest: OnceLock<(String, u64)>,
}

impl std::fmt::Debug for ArrowTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ArrowTable({} rows, {} columns, {} batches)",
            self.0.rows,
            self.0.schema.fields().len(),
            self.0.batches.len()
        )
    }
}

/// Two handles are equal when they share the same batches (options holding one compare so).
impl PartialEq for ArrowTable {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl ArrowTable {
    /// A table of `batches`, each of `schema` (the same columns, names and types).
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<ArrowTable> {
        for (i, b) in batches.iter().enumerate() {
            if b.schema().fields() != schema.fields() {
                return Err(Error::Invalid(format!(
                    "{ARROW_NAME}: record batch {i} does not have the stream's schema"
                )));
            }
        }
        let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
        Ok(ArrowTable(Arc::new(Inner {
            schema,
            batches,
            rows,
            digest: OnceLock::new(),
        })))
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.0.schema
    }

    pub fn batches(&self) -> &[RecordBatch] {
        &self.0.batches
    }

    pub fn num_rows(&self) -> u64 {
        self.0.rows
    }

    /// The table as an input to read.
    pub fn input(&self) -> Input {
        Input::Arrow(ArrowInput::new(self.clone()))
    }

    /// The content hash (SHA-256, lowercase hex) and the size in bytes of the Arrow buffers
    /// (slices that share a buffer count it once each): what a report records of an in-memory
    /// table in place of a file's hash and length. Computed once, on first use.
    ///
    /// The hash is over the column names and every value's canonical text (the text reident
    /// groups by, `NULL` for a missing value), row by row, column by column (see
    /// [`Input::content_sha256`]). It does not depend on how the table is chunked or whether a
    /// column is dictionary-encoded, so the same data written to Parquet or CSV has the same
    /// content hash, and `verify` checks a file against it.
    pub fn content_digest(&self) -> Result<(String, u64)> {
        if let Some(d) = self.0.digest.get() {
            return Ok(d.clone());
        }
        let hash = self.input().content_sha256()?;
        let bytes = self
            .0
            .batches
            .iter()
            .map(|b| b.get_array_memory_size() as u64)
            .sum();
        Ok(self.0.digest.get_or_init(|| (hash, bytes)).clone())
    }
}

/// One piece of a chunk: rows `offset..offset + len` of batch `batch`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    batch: usize,
    offset: usize,
    len: usize,
}

/// An in-memory table opened for reading (see the module documentation).
pub struct ArrowInput {
    pub path: PathBuf,
    pub columns: Vec<String>,
    table: ArrowTable,
    /// Each chunk's pieces, in row order.
    chunks: Vec<Vec<Piece>>,
}

impl ArrowInput {
    /// The columns the table's schema metadata marks as pseudonymized by safe-harbor (the
    /// Parquet file's entry, which pyarrow carries into the schema it reads): the same mark as
    /// the file's, checked against the values as a file's is.
    pub(crate) fn pseudonymized(&self) -> Vec<String> {
        self.table
            .schema()
            .metadata()
            .get(super::parquet::PSEUDONYMIZED_KEY)
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    fn new(table: ArrowTable) -> ArrowInput {
        let columns = table
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let chunks = plan_chunks(
            &table
                .batches()
                .iter()
                .map(RecordBatch::num_rows)
                .collect::<Vec<_>>(),
            CHUNK_ROWS,
        );
        ArrowInput {
            path: PathBuf::from(ARROW_NAME),
            columns,
            table,
            chunks,
        }
    }

    pub(crate) fn num_rows(&self) -> u64 {
        self.table.num_rows()
    }

    /// The table read.
    pub fn table(&self) -> &ArrowTable {
        &self.table
    }

    /// The requested columns of one chunk, encoded.
    fn encode(&self, pieces: &[Piece], columns: &[usize]) -> Result<Chunk> {
        let batches = self.table.batches();
        let rows = pieces.iter().map(|p| p.len).sum();
        let mut encoded = Vec::with_capacity(columns.len());
        for &c in columns {
            if c >= self.columns.len() {
                return Err(Error::Invalid(format!("column index {c} out of range")));
            }
            let mut col: Option<LocalColumn> = None;
            for p in pieces {
                let array = batches[p.batch].column(c);
                let part = if p.offset == 0 && p.len == array.len() {
                    encode_array(array.as_ref())
                } else {
                    encode_array(array.slice(p.offset, p.len).as_ref())
                }
                .map_err(|t| Error::UnsupportedType {
                    path: self.path.clone(),
                    column: self.columns[c].clone(),
                    data_type: t,
                })?;
                match &mut col {
                    Some(col) => col.append(part),
                    None => col = Some(part),
                }
            }
            encoded.push(col.unwrap_or_default());
        }
        Ok(Chunk {
            rows,
            columns: encoded,
        })
    }

    /// The first `rows` rows (see [`Input::sample`]).
    pub(crate) fn sample(&self, columns: &[usize], rows: usize) -> Result<(Vec<Chunk>, String)> {
        let mut left = rows;
        let mut pieces = Vec::new();
        for p in self.chunks.iter().flatten() {
            if left == 0 {
                break;
            }
            let len = p.len.min(left);
            pieces.push(Piece { len, ..*p });
            left -= len;
        }
        let read = rows - left;
        let how = if read as u64 >= self.num_rows() {
            format!("all {read} rows")
        } else {
            format!("the first {read} of {} rows", self.num_rows())
        };
        Ok((vec![self.encode(&pieces, columns)?], how))
    }

    pub(crate) fn for_each_window<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Chunk) -> T + Sync,
        mut sink: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        for window in self.chunks.chunks(super::window_len()) {
            let results = window
                .par_iter()
                .map(|pieces| {
                    let chunk = self.encode(pieces, columns)?;
                    progress.inc(chunk.rows as u64);
                    Ok(f(chunk))
                })
                .collect::<Result<Vec<T>>>()?;
            sink(results)?;
        }
        Ok(())
    }
}

/// Chunks of at most `max` rows over batches of the given lengths: large batches cut into slices,
/// consecutive small pieces joined. Empty batches are skipped.
fn plan_chunks(batch_rows: &[usize], max: usize) -> Vec<Vec<Piece>> {
    let mut chunks: Vec<Vec<Piece>> = Vec::new();
    let mut filled = 0usize;
    for (batch, &n) in batch_rows.iter().enumerate() {
        let mut offset = 0;
        while offset < n {
            let len = (n - offset).min(max);
            let piece = Piece { batch, offset, len };
            match chunks.last_mut() {
                Some(last) if filled + len <= max => {
                    last.push(piece);
                    filled += len;
                }
                _ => {
                    chunks.push(vec![piece]);
                    filled = len;
                }
            }
            offset += len;
        }
    }
    chunks
}

impl Input {
    /// The content hash of the whole table (every column): SHA-256 over a header naming the
    /// format, the number of rows, and for each column its name and the SHA-256 of its values,
    /// each value as its canonical text preceded by its length in bytes (u64, little endian).
    /// See [`ArrowTable::content_digest`].
    pub fn content_sha256(&self) -> Result<String> {
        let columns: Vec<usize> = (0..self.columns().len()).collect();
        let mut hashers: Vec<Sha256> = columns.iter().map(|_| Sha256::new()).collect();
        let mut rows = 0u64;
        self.for_each_window(
            &columns,
            &Progress::hidden(),
            |chunk| chunk,
            |window| {
                for chunk in window {
                    rows += chunk.rows as u64;
                    hashers
                        .par_iter_mut()
                        .zip(&chunk.columns)
                        .for_each(|(h, col)| hash_texts(h, col));
                }
                Ok(())
            },
        )?;
        let mut all = Sha256::new();
        all.update(CONTENT_HASH_FORMAT.as_bytes());
        all.update(rows.to_le_bytes());
        for (name, h) in self.columns().iter().zip(hashers) {
            all.update((name.len() as u64).to_le_bytes());
            all.update(name.as_bytes());
            all.update(h.finalize());
        }
        Ok(all.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Feeds a column's values (length-prefixed canonical texts, in row order) to `h`, through a
/// buffer so that the hasher gets large blocks.
fn hash_texts(h: &mut Sha256, col: &LocalColumn) {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for &code in &col.codes {
        let text = col.dict[code as usize].as_bytes();
        buf.extend_from_slice(&(text.len() as u64).to_le_bytes());
        buf.extend_from_slice(text);
        if buf.len() >= 1 << 16 {
            h.update(&buf);
            buf.clear();
        }
    }
    h.update(&buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cut_large_batches_and_join_small_ones() {
        let lens = |c: &Vec<Vec<Piece>>| -> Vec<Vec<(usize, usize, usize)>> {
            c.iter()
                .map(|ch| ch.iter().map(|p| (p.batch, p.offset, p.len)).collect())
                .collect()
        };
        assert_eq!(
            lens(&plan_chunks(&[25, 3, 4, 0, 2], 10)),
            vec![
                vec![(0, 0, 10)],
                vec![(0, 10, 10)],
                vec![(0, 20, 5), (1, 0, 3)],
                vec![(2, 0, 4), (4, 0, 2)],
            ]
        );
        assert!(plan_chunks(&[], 10).is_empty());
        assert!(plan_chunks(&[0, 0], 10).is_empty());
    }
}
