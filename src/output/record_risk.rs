//! `--record-risk FILE`: one row per input record with its risk figures, for pipelines that must
//! find the records to treat. It holds row numbers and numbers only: no QI or sensitive value.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};
use crate::output::write_atomically;

/// Per-class figures to spread over the records. Row `r` of the output is input record `r`
/// (0-based, in file order).
pub(crate) struct RecordRisk<'a> {
    pub row_classes: &'a [u32],
    pub class_sizes: &'a [u64],
    /// Optional per-class columns: (name, values).
    pub per_class: Vec<(&'a str, &'a [f64])>,
}

const BATCH: usize = 1 << 20;

impl RecordRisk<'_> {
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let mut fields = vec![
            Field::new("row", DataType::UInt64, false),
            Field::new("class_size", DataType::UInt64, false),
            Field::new("prosecutor_risk", DataType::Float64, false),
        ];
        for (name, _) in &self.per_class {
            fields.push(Field::new(*name, DataType::Float64, false));
        }
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let pq = |e: parquet::errors::ParquetError| {
            Error::Invalid(format!("{}: writing Parquet: {e}", path.display()))
        };
        write_atomically(path, |w| {
            let mut writer = ArrowWriter::try_new(w, schema.clone(), Some(props)).map_err(pq)?;
            for (b, classes) in self.row_classes.chunks(BATCH).enumerate() {
                let first = (b * BATCH) as u64;
                let size = |c: &u32| self.class_sizes[*c as usize];
                let mut cols: Vec<ArrayRef> = vec![
                    Arc::new(UInt64Array::from_iter_values(
                        first..first + classes.len() as u64,
                    )),
                    Arc::new(UInt64Array::from_iter_values(classes.iter().map(size))),
                    Arc::new(Float64Array::from_iter_values(
                        classes.iter().map(|c| 1.0 / size(c) as f64),
                    )),
                ];
                for (_, values) in &self.per_class {
                    cols.push(Arc::new(Float64Array::from_iter_values(
                        classes.iter().map(|&c| values[c as usize]),
                    )));
                }
                let batch = RecordBatch::try_new(schema.clone(), cols)
                    .map_err(|e| Error::Invalid(format!("building a record batch: {e}")))?;
                writer.write(&batch).map_err(pq)?;
            }
            writer.close().map_err(pq)?;
            Ok(())
        })
    }
}
