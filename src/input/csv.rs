//! CSV input in the ARX style: a header row, `;` by default, UTF-8.
//!
//! The delimiter is detected from the header line (the most frequent of `;`, `,` and tab, `;` on a
//! tie) unless given. LF and CRLF line endings and a UTF-8 byte-order mark are accepted, as ARX's
//! own exports and the shipped Adult file use them. An empty field and the text `NULL` are both the
//! missing value; a field starting with `hex:` is read as described in [`super::encode`]. A row
//! with a different number of fields than the header is an error, not a guess.
//!
//! Parsing is sequential (the `csv` crate); encoding and grouping of each block of rows run in
//! parallel. Parquet is the format for large data.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use hashbrown::HashMap;
use rayon::prelude::*;

use super::encode::{canonical_text, LocalColumn, NULL_TEXT};
use super::Chunk;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Rows per chunk.
pub(crate) const CHUNK_ROWS: usize = 1 << 16;

pub struct CsvInput {
    pub path: PathBuf,
    pub columns: Vec<String>,
    pub delimiter: u8,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens the file positioned after a UTF-8 byte-order mark, if there is one.
fn open_skipping_bom(path: &Path) -> Result<BufReader<File>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let buf = r.fill_buf().map_err(|e| Error::io(path, e))?;
    if buf.starts_with(BOM) {
        r.consume(BOM.len());
    }
    Ok(r)
}

/// The delimiter of a header line: the most frequent of `;`, `,`, tab; `;` on a tie or none.
pub(crate) fn detect_delimiter(header: &[u8]) -> u8 {
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    let mut best = b';';
    for d in [b',', b'\t'] {
        if count(d) > count(best) {
            best = d;
        }
    }
    best
}

impl CsvInput {
    pub(crate) fn open(path: &Path, delimiter: Option<u8>) -> Result<Self> {
        let mut r = open_skipping_bom(path)?;
        let mut first = Vec::new();
        r.read_until(b'\n', &mut first)
            .map_err(|e| Error::io(path, e))?;
        if first.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::Csv {
                path: path.to_path_buf(),
                message: "the file is empty: no header row".into(),
            });
        }
        let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&first));
        let mut reader = csv_reader(delimiter, &first[..]);
        let header = reader.byte_headers().map_err(|e| csv_error(path, e))?;
        let mut columns = Vec::with_capacity(header.len());
        for field in header.iter() {
            let name = std::str::from_utf8(field).map_err(|_| Error::Csv {
                path: path.to_path_buf(),
                message: "line 1: the header is not valid UTF-8".into(),
            })?;
            if columns.iter().any(|c: &String| c == name) {
                return Err(Error::Csv {
                    path: path.to_path_buf(),
                    message: format!("line 1: column {name:?} appears twice in the header"),
                });
            }
            columns.push(name.to_string());
        }
        Ok(CsvInput {
            path: path.to_path_buf(),
            columns,
            delimiter,
        })
    }

    pub(crate) fn file_len(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    pub(crate) fn for_each_window<T: Send>(
        &self,
        columns: &[usize],
        progress: &Progress,
        f: impl Fn(Chunk) -> T + Sync,
        mut sink: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let mut reader = Records::open(self)?;
        let window = super::window_len();
        let mut record = csv::ByteRecord::new();
        let mut last_pos = 0u64;
        loop {
            // Parse up to `window` blocks of rows, then encode and process them in parallel.
            let mut blocks: Vec<Vec<csv::ByteRecord>> = Vec::with_capacity(window);
            let mut done = false;
            while blocks.len() < window && !done {
                let mut block = Vec::with_capacity(CHUNK_ROWS);
                while block.len() < CHUNK_ROWS {
                    if !reader.read(&mut record)? {
                        done = true;
                        break;
                    }
                    block.push(kept_fields(&record, columns));
                }
                let pos = reader.byte_position();
                progress.inc(pos.saturating_sub(last_pos));
                last_pos = pos;
                if !block.is_empty() {
                    blocks.push(block);
                }
            }
            let results: Vec<T> = blocks
                .par_iter()
                .map(|b| Ok(f(self.encode(b, columns)?)))
                .collect::<Result<_>>()?;
            sink(results)?;
            if done {
                return Ok(());
            }
        }
    }

    /// The first `rows` data rows. See [`super::Input::sample`].
    pub(crate) fn sample(&self, columns: &[usize], rows: usize) -> Result<(Vec<Chunk>, String)> {
        let mut reader = Records::open(self)?;
        let mut record = csv::ByteRecord::new();
        let mut block = Vec::with_capacity(rows.min(CHUNK_ROWS));
        let mut more = false;
        while block.len() < rows {
            if !reader.read(&mut record)? {
                break;
            }
            block.push(kept_fields(&record, columns));
        }
        if block.len() == rows {
            more = reader.read(&mut record)?;
        }
        let how = if more {
            format!("the first {} rows", block.len())
        } else {
            format!("all {} rows", block.len())
        };
        Ok((vec![self.encode(&block, columns)?], how))
    }

    /// Encodes a block of records holding the fields of `columns` ([`kept_fields`]).
    fn encode(&self, block: &[csv::ByteRecord], columns: &[usize]) -> Result<Chunk> {
        let encoded = columns
            .iter()
            .enumerate()
            .map(|(j, &c)| {
                let mut map: HashMap<&[u8], u32> = HashMap::new();
                let mut dict = Vec::new();
                let mut codes = Vec::with_capacity(block.len());
                for rec in block {
                    let field = rec.get(j).unwrap_or_default();
                    let field: &[u8] = if field.is_empty() {
                        NULL_TEXT.as_bytes()
                    } else {
                        field
                    };
                    let code = match map.get(field) {
                        Some(&code) => code,
                        None => {
                            let text = std::str::from_utf8(field).map_err(|_| Error::Csv {
                                path: self.path.clone(),
                                message: format!(
                                    "line {}: column {:?} is not valid UTF-8",
                                    rec.position().map_or(0, |p| p.line()),
                                    self.columns[c]
                                ),
                            })?;
                            let code = dict.len() as u32;
                            dict.push(canonical_text(text).into_owned());
                            map.insert(field, code);
                            code
                        }
                    };
                    codes.push(code);
                }
                Ok(LocalColumn { dict, codes })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Chunk {
            rows: block.len(),
            columns: encoded,
        })
    }
}

/// A record of the fields of `columns` only, in that order, in a buffer of their exact size:
/// memory is the fields read, not the whole record (whose buffer, reused by the reader, is as
/// large as the longest record so far: cloning it cost that size for every later row).
fn kept_fields(record: &csv::ByteRecord, columns: &[usize]) -> csv::ByteRecord {
    let len: usize = columns
        .iter()
        .map(|&c| record.get(c).map_or(0, <[u8]>::len))
        .sum();
    let mut kept = csv::ByteRecord::with_capacity(len, columns.len());
    for &c in columns {
        kept.push_field(record.get(c).unwrap_or_default());
    }
    kept.set_position(record.position().cloned());
    kept
}

/// The data records after the header. A file with one column is read line by line: there an
/// empty line is a record with a missing value, which a general CSV parser would skip.
enum Records {
    Csv(csv::Reader<BufReader<File>>, PathBuf),
    Lines {
        reader: BufReader<File>,
        path: PathBuf,
        line: u64,
        pos: u64,
    },
}

impl Records {
    fn open(input: &CsvInput) -> Result<Records> {
        let mut r = open_skipping_bom(&input.path)?;
        if input.columns.len() == 1 {
            let mut header = Vec::new();
            let n = r
                .read_until(b'\n', &mut header)
                .map_err(|e| Error::io(&input.path, e))?;
            return Ok(Records::Lines {
                reader: r,
                path: input.path.clone(),
                line: 1,
                pos: n as u64,
            });
        }
        let mut reader = csv_reader(input.delimiter, r);
        reader
            .byte_headers()
            .map_err(|e| csv_error(&input.path, e))?;
        Ok(Records::Csv(reader, input.path.clone()))
    }

    fn read(&mut self, record: &mut csv::ByteRecord) -> Result<bool> {
        match self {
            Records::Csv(r, path) => r.read_byte_record(record).map_err(|e| csv_error(path, e)),
            Records::Lines {
                reader,
                path,
                line,
                pos,
            } => {
                let mut buf = Vec::new();
                let n = reader
                    .read_until(b'\n', &mut buf)
                    .map_err(|e| Error::io(&*path, e))?;
                if n == 0 {
                    return Ok(false);
                }
                let start = *line + 1;
                *line += 1;
                *pos += n as u64;
                // A quoted field may hold line breaks: read on while a quote is open (the quotes
                // counted once each, in the bytes read last: linear in the field's length).
                let quotes = |b: &[u8]| b.iter().filter(|&&c| c == b'"').count();
                let mut open = buf.first() == Some(&b'"') && quotes(&buf) % 2 == 1;
                while open {
                    let from = buf.len();
                    let n = reader
                        .read_until(b'\n', &mut buf)
                        .map_err(|e| Error::io(&*path, e))?;
                    open ^= quotes(&buf[from..]) % 2 == 1;
                    if n == 0 {
                        return Err(Error::Csv {
                            path: path.clone(),
                            message: format!("line {start}: a quoted field is not closed"),
                        });
                    }
                    *line += 1;
                    *pos += n as u64;
                }
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                record.clear();
                match buf.as_slice() {
                    [b'"', inner @ .., b'"'] => {
                        // A quoted field: `""` inside stands for one quote.
                        let mut field = Vec::with_capacity(inner.len());
                        let mut i = 0;
                        while i < inner.len() {
                            field.push(inner[i]);
                            i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
                                2
                            } else {
                                1
                            };
                        }
                        record.push_field(&field);
                    }
                    field => record.push_field(field),
                }
                let mut p = csv::Position::new();
                p.set_line(start);
                record.set_position(Some(p));
                Ok(true)
            }
        }
    }

    fn byte_position(&self) -> u64 {
        match self {
            Records::Csv(r, _) => r.position().byte(),
            Records::Lines { pos, .. } => *pos,
        }
    }
}

fn csv_reader<R: Read>(delimiter: u8, r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(r)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "line {}: {len} fields, but the header has {expected_len}",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        csv::ErrorKind::Io(err) => err.to_string(),
        _ => crate::error::one_line(&e.to_string()),
    };
    Error::Csv {
        path: path.to_path_buf(),
        message,
    }
}
