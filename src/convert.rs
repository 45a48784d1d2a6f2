//! `convert`: CSV to Parquet and back, keeping the column order and every value's canonical text.
//!
//! A CSV column whose every value is an integer written the canonical way (no leading zeros, no
//! `+`) becomes Int64; everything else becomes a string column (dictionary-encoded by the Parquet
//! writer). A ZIP code such as `02134` therefore stays text. Missing values (empty or `NULL`) become
//! Parquet nulls, and nulls become empty CSV fields, so a round trip gives back the same file.
//!
//! The output is written to a temporary file next to it and renamed when complete: a failure never
//! leaves a half-written file under the requested name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as PqCompression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::input::{Chunk, Format, Input};
use crate::progress::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    Zstd,
    Snappy,
}

#[derive(Debug, Clone)]
pub struct ConvertOptions {
    pub compression: Compression,
    /// Delimiter of a CSV output.
    pub delimiter: u8,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            compression: Compression::Zstd,
            delimiter: b';',
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ConvertSummary {
    pub rows: u64,
    pub columns: usize,
    pub format: Format,
}

/// The output format from the file name: `.parquet`/`.pq` or `.csv`/`.tsv`/`.txt`.
pub fn output_format(path: &Path) -> Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("parquet" | "pq") => Ok(Format::Parquet),
        Some("csv" | "tsv" | "txt") => Ok(Format::Csv),
        _ => Err(Error::Invalid(format!(
            "{}: cannot tell the output format from the name; use .parquet or .csv",
            path.display()
        ))),
    }
}

/// Refuses an output that is the input: the same file (also through a link), or a file inside
/// an input folder (a class table of part files). Every command that writes data calls it.
pub fn refuse_overwrite(input: &Path, out: &Path) -> Result<()> {
    let Ok(a) = input.canonicalize() else {
        return Ok(());
    };
    // The output as it exists, else as it will be: its folder's real path and its name.
    let b = out.canonicalize().ok().or_else(|| {
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(out.file_name()?))
    });
    match b {
        Some(b) if b == a || b.starts_with(&a) => Err(Error::Invalid(format!(
            "{}: the output would overwrite the input",
            out.display()
        ))),
        _ => Ok(()),
    }
}

pub fn convert(
    input: &Input,
    out: &Path,
    options: &ConvertOptions,
    progress: &Progress,
) -> Result<ConvertSummary> {
    let format = output_format(out)?;
    refuse_overwrite(input.path(), out)?;
    let all: Vec<usize> = (0..input.columns().len()).collect();
    let chunks = input.map_chunks(&all, progress, |c| c)?;
    progress.finish();
    let rows: u64 = chunks.iter().map(|c| c.rows as u64).sum();
    write_chunks(out, input.columns(), &chunks, options)?;
    Ok(ConvertSummary {
        rows,
        columns: all.len(),
        format,
    })
}

/// Writes chunks of text columns to `out` (Parquet or CSV by its name), atomically.
pub fn write_chunks(
    out: &Path,
    names: &[String],
    chunks: &[Chunk],
    options: &ConvertOptions,
) -> Result<Format> {
    write_chunks_with_text(out, names, chunks, options, &vec![false; names.len()])
}

/// [`write_chunks`], with the columns marked in `text` written as text in Parquet even when every
/// value is an integer (ZIP3 codes such as `100`, pseudonyms that happen to be all digits), so that
/// the column's type does not depend on which values a run happened to produce.
pub fn write_chunks_with_text(
    out: &Path,
    names: &[String],
    chunks: &[Chunk],
    options: &ConvertOptions,
    text: &[bool],
) -> Result<Format> {
    let format = output_format(out)?;
    write_atomically(out, |w| match format {
        Format::Parquet => write_parquet(w, names, chunks, options.compression, text),
        Format::Csv => write_csv(w, names, chunks, options.delimiter),
    })?;
    Ok(format)
}

/// Runs `write` on a temporary file beside `out`, then renames it to `out`; removes it on failure.
pub fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", out.display())))?;
    let tmp: PathBuf = out.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w = BufWriter::new(f);
        write(&mut w)?;
        let f = w
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .zip(&is_int)
            .map(|(n, &int)| {
                Field::new(
                    n.as_str(),
                    if int { DataType::Int64 } else { DataType::Utf8 },
                    true,
                )
            })
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(match compression {
            Compression::Zstd => PqCompression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => PqCompression::SNAPPY,
        })
        .build();
    let pq = |e: parquet::errors::ParquetError| Error::Invalid(format!("writing Parquet: {e}"));
    let mut writer = ArrowWriter::try_new(w, schema.clone(), Some(props)).map_err(pq)?;
    for ch in chunks {
        let arrays: Vec<ArrayRef> = ch
            .columns
            .iter()
            .zip(&is_int)
            .map(|(col, &int)| -> ArrayRef {
                if int {
                    let vals: Vec<Option<i64>> =
                        col.dict.iter().map(|v| canonical_int(v)).collect();
                    Arc::new(Int64Array::from_iter(
                        col.codes.iter().map(|&c| vals[c as usize]),
                    ))
                } else {
                    Arc::new(StringArray::from_iter(col.codes.iter().map(|&c| {
                        let v = col.dict[c as usize].as_str();
                        (v != NULL_TEXT).then_some(v)
                    })))
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
