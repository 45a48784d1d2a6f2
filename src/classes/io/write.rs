//! Writing a class table in the interchange format.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::classes::{ClassTable, Domain, Histograms};
use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::output::write_atomically;

use super::{Metadata, COUNT_COLUMN, METADATA_KEY, RESERVED_PREFIX, WEIGHT_COLUMN, WRITE_BATCH};

/// `Some(v)` when `text` is the canonical decimal text of an i64.
fn canonical_int(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|v| v.to_string() == text)
}

/// How a domain's values are written: Int64 when every value but `NULL` is a canonical integer
/// (so that an engine sees numbers where the data had them), the values the texts stand for
/// otherwise (strings, or binary when one is not valid UTF-8). Either way they read back as the
/// same canonical texts.
pub(super) fn value_array(domain: &Domain, codes: impl Iterator<Item = u32>) -> ArrayRef {
    let values = &domain.values;
    let ints: Option<Vec<Option<i64>>> = values
        .iter()
        .map(|v| {
            if v == NULL_TEXT {
                Some(None)
            } else {
                canonical_int(v).map(Some)
            }
        })
        .collect();
    match ints {
        Some(ints) if ints.iter().any(|v| v.is_some()) => {
            Arc::new(Int64Array::from_iter(codes.map(|c| ints[c as usize])))
        }
        _ => crate::output::table::text_array(
            values,
            codes,
            values
                .iter()
                .any(|v| crate::output::table::is_binary_text(v)),
        ),
    }
}

pub(super) fn value_type(domain: &Domain) -> DataType {
    let a = value_array(
        &Domain {
            name: String::new(),
            values: domain.values.clone(),
        },
        std::iter::empty(),
    );
    a.data_type().clone()
}

/// Writes a class table in the interchange format, atomically (a temporary file renamed into
/// place). `weight`: the name of the weight column the weight sums come from. The rows are never
/// needed: batches of classes are built from the table and written one at a time.
pub fn write_class_table(table: &ClassTable, weight: Option<&str>, out: &Path) -> Result<()> {
    check_output(
        out,
        table
            .qis
            .iter()
            .chain(table.sensitive.iter().map(|h| &h.domain)),
    )?;
    let mut fields: Vec<Field> = table
        .qis
        .iter()
        .map(|d| Field::new(d.name.as_str(), value_type(d), true))
        .collect();
    fields.push(Field::new(COUNT_COLUMN, DataType::Int64, false));
    if table.weights.is_some() {
        fields.push(Field::new(WEIGHT_COLUMN, DataType::Float64, false));
    }
    let hists: Vec<HistogramField> = table.sensitive.iter().map(HistogramField::of).collect();
    fields.extend(hists.iter().map(|h| h.field.clone()));
    let schema = Arc::new(Schema::new(fields));
    let props = properties(&Metadata::of(table, weight))?;
    let pq = parquet_error(out);
    write_atomically(out, |w| {
        let mut writer = ArrowWriter::try_new(w, schema.clone(), Some(props)).map_err(&pq)?;
        let n = table.n_classes();
        let mut start = 0;
        while start < n {
            // A batch ends after WRITE_BATCH classes, or earlier when a histogram column would
            // pass the i32 offsets of a LIST.
            let mut end = (start + WRITE_BATCH).min(n);
            for h in &table.sensitive {
                while end > start + 1 && h.offsets[end] - h.offsets[start] > i32::MAX as usize {
                    end = start + (end - start) / 2;
                }
            }
            let mut cols: Vec<ArrayRef> = table
                .qis
                .iter()
                .zip(&table.codes)
                .map(|(d, codes)| value_array(d, codes[start..end].iter().copied()))
                .collect();
            cols.push(Arc::new(Int64Array::from_iter_values(
                table.counts[start..end].iter().map(|&c| c as i64),
            )));
            if let Some(w) = &table.weights {
                cols.push(Arc::new(Float64Array::from_iter_values(
                    w[start..end].iter().copied(),
                )));
            }
            for (h, hf) in table.sensitive.iter().zip(&hists) {
                cols.push(hf.column(h, start, end));
            }
            let batch = RecordBatch::try_new(schema.clone(), cols)
                .map_err(|e| Error::Invalid(format!("building a record batch: {e}")))?;
            writer.write(&batch).map_err(&pq)?;
            start = end;
        }
        writer.close().map_err(&pq)?;
        Ok(())
    })
}

/// Refuses an output that is not `.parquet`, and column names with the reserved prefix.
pub(super) fn check_output<'a>(
    out: &Path,
    columns: impl Iterator<Item = &'a Domain>,
) -> Result<()> {
    if crate::output::output_format(out).ok() != Some(crate::input::Format::Parquet) {
        return Err(Error::Invalid(format!(
            "{}: a class table is written as Parquet: name the output .parquet",
            out.display()
        )));
    }
    for d in columns {
        let name = &d.name;
        if name.starts_with(RESERVED_PREFIX) {
            return Err(Error::Invalid(format!(
                "column {name:?}: names starting with {RESERVED_PREFIX} are reserved for the class-table format"
            )));
        }
    }
    Ok(())
}

/// The writer's properties: compression, and the metadata entry.
pub(super) fn properties(meta: &Metadata) -> Result<WriterProperties> {
    let meta = serde_json::to_string(meta)
        .map_err(|e| Error::Invalid(format!("serializing the metadata: {e}")))?;
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(vec![KeyValue::new(METADATA_KEY.to_string(), meta)]))
        .build())
}

pub(super) fn parquet_error(out: &Path) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::Invalid(format!("{}: writing Parquet: {e}", out.display()))
}

/// A histogram column's type: `LIST<STRUCT<value, count>>`.
pub(super) struct HistogramField {
    pub(super) field: Field,
    entry: Fields,
    item: Arc<Field>,
}

impl HistogramField {
    pub(super) fn of(h: &Histograms) -> Self {
        let entry = Fields::from(vec![
            Field::new("value", value_type(&h.domain), true),
            Field::new("count", DataType::Int64, false),
        ]);
        let item = Arc::new(Field::new(
            "element",
            DataType::Struct(entry.clone()),
            false,
        ));
        HistogramField {
            field: Field::new(h.domain.name.as_str(), DataType::List(item.clone()), false),
            entry,
            item,
        }
    }

    /// The histograms of classes `start..end`.
    pub(super) fn column(&self, h: &Histograms, start: usize, end: usize) -> ArrayRef {
        let (a, b) = (h.offsets[start], h.offsets[end]);
        let offsets: Vec<i32> = h.offsets[start..=end]
            .iter()
            .map(|&o| (o - a) as i32)
            .collect();
        let values = value_array(&h.domain, h.codes[a..b].iter().copied());
        let counts: ArrayRef = Arc::new(Int64Array::from_iter_values(
            h.counts[a..b].iter().map(|&c| c as i64),
        ));
        let entries = StructArray::new(self.entry.clone(), vec![values, counts], None);
        Arc::new(ListArray::new(
            self.item.clone(),
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Arc::new(entries),
            None,
        ))
    }
}
