//! Tables of text columns written as Parquet or CSV, keeping the column order and every value's
//! canonical text.
//!
//! A column whose every value is an integer written the canonical way (no leading zeros, no `+`)
//! becomes Int64 in Parquet; everything else becomes a string column (dictionary-encoded by the
//! Parquet writer). A ZIP code such as `02134` therefore stays text. Missing values (`NULL`)
//! become Parquet nulls and empty CSV fields. A `hex:` text (the canonical text of a value that
//! is not plain text, see [`crate::input::encode`]) is written to Parquet as the value it stands
//! for: the string, or the bytes in a binary column when one of the column's values is not valid
//! UTF-8. CSV holds the canonical texts as they are, which read back as the same values.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as PqCompression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{output_format, write_atomically};
use crate::error::{Error, Result};
use crate::input::encode::{text_bytes, HEX_PREFIX, NULL_TEXT};
use crate::input::{Chunk, Format};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    Zstd,
    Snappy,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WriteOptions {
    pub compression: Compression,
    /// Delimiter of a CSV output.
    pub delimiter: u8,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            compression: Compression::Zstd,
            delimiter: b';',
        }
    }
}

/// Writes chunks of text columns to `out` (Parquet or CSV by its name), atomically.
pub(crate) fn write_chunks(
    out: &Path,
    names: &[String],
    chunks: &[Chunk],
    options: &WriteOptions,
) -> Result<Format> {
    write_chunks_with_text(out, names, chunks, options, &vec![false; names.len()], &[])
}

/// [`write_chunks`], with the columns marked in `text` written as text in Parquet even when every
/// value is an integer (ZIP3 codes such as `100`, pseudonyms that happen to be all digits), so that
/// the column's type does not depend on which values a run happened to produce.
pub(crate) fn write_chunks_with_text(
    out: &Path,
    names: &[String],
    chunks: &[Chunk],
    options: &WriteOptions,
    text: &[bool],
    metadata: &[(String, String)],
) -> Result<Format> {
    let format = output_format(out)?;
    write_atomically(out, |w| match format {
        Format::Parquet => write_parquet(w, names, chunks, options.compression, text, metadata),
        Format::Csv => write_csv(w, names, chunks, options.delimiter),
        Format::Arrow => Err(Error::Invalid(format!(
            "{}: an Arrow table is written as .parquet or .csv",
            out.display()
        ))),
    })?;
    Ok(format)
}

/// Whether a canonical text stands for bytes that are not valid UTF-8 (its column is then written
/// as binary).
pub(crate) fn is_binary_text(text: &str) -> bool {
    text.starts_with(HEX_PREFIX) && std::str::from_utf8(&text_bytes(text)).is_err()
}

/// A column of canonical texts (`dict[code]`, `NULL` a null) as the values they stand for: a
/// string column, or with `binary` a binary column.
pub(crate) fn text_array(
    dict: &[String],
    codes: impl Iterator<Item = u32>,
    binary: bool,
) -> ArrayRef {
    let values: Vec<Option<std::borrow::Cow<'_, [u8]>>> = dict
        .iter()
        .map(|v| (v != NULL_TEXT).then(|| text_bytes(v)))
        .collect();
    if binary {
        Arc::new(BinaryArray::from_iter(
            codes.map(|c| values[c as usize].as_deref()),
        ))
    } else {
        Arc::new(StringArray::from_iter(codes.map(|c| {
            values[c as usize]
                .as_deref()
                .map(|b| std::str::from_utf8(b).unwrap_or_default())
        })))
    }
}

/// `Some(v)` when `text` is the canonical decimal text of an i64.
fn canonical_int(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|v| v.to_string() == text)
}

fn write_parquet<W: Write + Send>(
    w: W,
    names: &[String],
    chunks: &[Chunk],
    compression: Compression,
    text: &[bool],
    metadata: &[(String, String)],
) -> Result<()> {
    let is_int: Vec<bool> = (0..names.len())
        .map(|c| {
            if text.get(c).copied().unwrap_or(false) {
                return false;
            }
            let mut any = false;
            let all = chunks.iter().all(|ch| {
                ch.columns[c].dict.iter().all(|v| {
                    v == NULL_TEXT || {
                        any = true;
                        canonical_int(v).is_some()
                    }
                })
            });
            all && any
        })
        .collect();
    let is_binary: Vec<bool> = (0..names.len())
        .map(|c| {
            chunks
                .iter()
                .any(|ch| ch.columns[c].dict.iter().any(|v| is_binary_text(v)))
        })
        .collect();
    let schema = Arc::new(
        Schema::new(
            names
                .iter()
                .enumerate()
                .map(|(c, n)| {
                    let t = if is_int[c] {
                        DataType::Int64
                    } else if is_binary[c] {
                        DataType::Binary
                    } else {
                        DataType::Utf8
                    };
                    Field::new(n.as_str(), t, true)
                })
                .collect::<Vec<_>>(),
        )
        // In the Arrow schema stored in the file too: pyarrow reads a file's metadata from it (and
        // so an in-memory table read from the file keeps the marks).
        .with_metadata(
            metadata
                .iter()
                .cloned()
                .collect::<std::collections::HashMap<String, String>>(),
        ),
    );
    let props = WriterProperties::builder()
        .set_compression(match compression {
            Compression::Zstd => PqCompression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => PqCompression::SNAPPY,
        })
        .set_key_value_metadata((!metadata.is_empty()).then(|| {
            metadata
                .iter()
                .map(|(k, v)| parquet::file::metadata::KeyValue::new(k.clone(), v.clone()))
                .collect()
        }))
        .build();
    let pq = |e: parquet::errors::ParquetError| Error::Invalid(format!("writing Parquet: {e}"));
    let mut writer = ArrowWriter::try_new(w, schema.clone(), Some(props)).map_err(pq)?;
    for ch in chunks {
        let arrays: Vec<ArrayRef> = ch
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| -> ArrayRef {
                if is_int[c] {
                    let vals: Vec<Option<i64>> =
                        col.dict.iter().map(|v| canonical_int(v)).collect();
                    Arc::new(Int64Array::from_iter(
                        col.codes.iter().map(|&c| vals[c as usize]),
                    ))
                } else {
                    text_array(&col.dict, col.codes.iter().copied(), is_binary[c])
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::Invalid(format!("building a record batch: {e}")))?;
        writer.write(&batch).map_err(pq)?;
    }
    writer.close().map_err(pq)?;
    Ok(())
}

fn write_csv<W: Write>(w: W, names: &[String], chunks: &[Chunk], delimiter: u8) -> Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    let err = |e: csv::Error| Error::Invalid(format!("writing CSV: {e}"));
    writer.write_record(names).map_err(err)?;
    let mut record: Vec<&str> = Vec::with_capacity(names.len());
    for ch in chunks {
        for row in 0..ch.rows {
            record.clear();
            for col in &ch.columns {
                let v = col.dict[col.codes[row] as usize].as_str();
                record.push(if v == NULL_TEXT { "" } else { v });
            }
            writer.write_record(&record).map_err(err)?;
        }
    }
    writer
        .flush()
        .map_err(|e| Error::Invalid(format!("writing CSV: {e}")))?;
    Ok(())
}
