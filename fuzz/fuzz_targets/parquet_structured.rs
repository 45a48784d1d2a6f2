#![no_main]
//! Fuzz target `parquet_structured`: Parquet files built from an arbitrary description (every
//! supported column type, nulls, dictionary or plain pages, row groups, compression, class-table
//! columns with arbitrary counts), optionally with bytes then overwritten, read by reident.
//!
//! An unaltered data file is also checked for lossless values: every column read alone has as
//! many classes as it has distinct values (null one of them, every NaN one value).

use std::collections::HashSet;
use std::sync::Arc;

use arbitrary::Arbitrary;
use arrow_array::types::*;
use arrow_array::*;
use arrow_schema::{DataType, Field, Schema};
use libfuzzer_sys::fuzz_target;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

#[derive(Arbitrary, Debug)]
enum Col {
    Utf8(Vec<Option<String>>),
    LargeUtf8(Vec<Option<String>>),
    Binary(Vec<Option<Vec<u8>>>),
    LargeBinary(Vec<Option<Vec<u8>>>),
    Fixed(Vec<Option<[u8; 3]>>),
    Dict(Vec<Option<u8>>, Vec<String>),
    Bool(Vec<Option<bool>>),
    I8(Vec<Option<i8>>),
    I16(Vec<Option<i16>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    U8(Vec<Option<u8>>),
    U16(Vec<Option<u16>>),
    U32(Vec<Option<u32>>),
    U64(Vec<Option<u64>>),
    F16(Vec<Option<u16>>),
    F32(Vec<Option<u32>>),
    F64(Vec<Option<u64>>),
    Date32(Vec<Option<i32>>),
    Date64(Vec<Option<i64>>),
    Timestamp(u8, bool, Vec<Option<i64>>),
    Decimal(u8, i8, Vec<Option<i64>>),
}

#[derive(Arbitrary, Debug)]
struct Spec {
    columns: Vec<Col>,
    row_group: u8,
    dictionary: bool,
    compression: u8,
    /// A class table: a `__reident_count` column with these counts.
    counts: Option<Vec<u64>>,
    mutations: Vec<(u16, u8)>,
}

/// The column as an Arrow array of `rows` rows (values repeated or cut), and a key per row
/// that is equal exactly when the values are (None for null).
fn array(col: &Col, rows: usize) -> (ArrayRef, Vec<Option<Vec<u8>>>) {
    fn fit<T: Clone>(v: &[Option<T>], rows: usize) -> Vec<Option<T>> {
        (0..rows).map(|i| if v.is_empty() { None } else { v[i % v.len()].clone() }).collect()
    }
    fn keys<T>(v: &[Option<T>], k: impl Fn(&T) -> Vec<u8>) -> Vec<Option<Vec<u8>>> {
        v.iter().map(|x| x.as_ref().map(&k)).collect()
    }
    macro_rules! prim {
        ($t:ty, $v:expr) => {{
            let v = fit($v, rows);
            let k = keys(&v, |x| x.to_le_bytes().to_vec());
            (Arc::new(PrimitiveArray::<$t>::from(v)) as ArrayRef, k)
        }};
    }
    match col {
        Col::Utf8(v) => {
            let v = fit(v, rows);
            (Arc::new(StringArray::from(v.clone())), keys(&v, |s| s.as_bytes().to_vec()))
        }
        Col::LargeUtf8(v) => {
            let v = fit(v, rows);
            (Arc::new(LargeStringArray::from(v.clone())), keys(&v, |s| s.as_bytes().to_vec()))
        }
        Col::Binary(v) => {
            let v = fit(v, rows);
            let a = BinaryArray::from_iter(v.iter().map(|x| x.as_deref()));
            (Arc::new(a), keys(&v, |b| b.clone()))
        }
        Col::LargeBinary(v) => {
            let v = fit(v, rows);
            let a = LargeBinaryArray::from_iter(v.iter().map(|x| x.as_deref()));
            (Arc::new(a), keys(&v, |b| b.clone()))
        }
        Col::Fixed(v) => {
            let v = fit(v, rows);
            let a = FixedSizeBinaryArray::try_from_sparse_iter_with_size(
                v.iter().map(|x| x.as_ref().map(|b| b.to_vec())),
                3,
            )
            .unwrap();
            (Arc::new(a), keys(&v, |b| b.to_vec()))
        }
        Col::Dict(k, values) => {
            let values: Vec<String> = if values.is_empty() { vec!["x".into()] } else { values.clone() };
            let k = fit(k, rows);
            let idx: Vec<Option<i32>> = k.iter().map(|x| x.map(|i| (i as usize % values.len()) as i32)).collect();
            let keys_arr = Int32Array::from(idx.clone());
            let a = DictionaryArray::<Int32Type>::try_new(keys_arr, Arc::new(StringArray::from(values.clone()))).unwrap();
            let kk = idx.iter().map(|x| x.map(|i| values[i as usize].as_bytes().to_vec())).collect();
            (Arc::new(a), kk)
        }
        Col::Bool(v) => {
            let v = fit(v, rows);
            (Arc::new(BooleanArray::from(v.clone())), keys(&v, |b| vec![*b as u8]))
        }
        Col::I8(v) => prim!(Int8Type, v),
        Col::I16(v) => prim!(Int16Type, v),
        Col::I32(v) => prim!(Int32Type, v),
        Col::I64(v) => prim!(Int64Type, v),
        Col::U8(v) => prim!(UInt8Type, v),
        Col::U16(v) => prim!(UInt16Type, v),
        Col::U32(v) => prim!(UInt32Type, v),
        Col::U64(v) => prim!(UInt64Type, v),
        Col::F16(v) => {
            let v = fit(v, rows);
            let a = Float16Array::from(v.iter().map(|x| x.map(half::f16::from_bits)).collect::<Vec<_>>());
            (Arc::new(a), keys(&v, |b| float_key(half::f16::from_bits(*b).to_f64())))
        }
        Col::F32(v) => {
            let v = fit(v, rows);
            let a = Float32Array::from(v.iter().map(|x| x.map(f32::from_bits)).collect::<Vec<_>>());
            (Arc::new(a), keys(&v, |b| float_key(f32::from_bits(*b) as f64)))
        }
        Col::F64(v) => {
            let v = fit(v, rows);
            let a = Float64Array::from(v.iter().map(|x| x.map(f64::from_bits)).collect::<Vec<_>>());
            (Arc::new(a), keys(&v, |b| float_key(f64::from_bits(*b))))
        }
        Col::Date32(v) => prim!(Date32Type, v),
        Col::Date64(v) => prim!(Date64Type, v),
        Col::Timestamp(unit, tz, v) => {
            let v = fit(v, rows);
            let k = keys(&v, |x| x.to_le_bytes().to_vec());
            let tz: Option<Arc<str>> = tz.then(|| "UTC".into());
            let a: ArrayRef = match unit % 4 {
                0 => Arc::new(TimestampSecondArray::from(v).with_timezone_opt(tz)),
                1 => Arc::new(TimestampMillisecondArray::from(v).with_timezone_opt(tz)),
                2 => Arc::new(TimestampMicrosecondArray::from(v).with_timezone_opt(tz)),
                _ => Arc::new(TimestampNanosecondArray::from(v).with_timezone_opt(tz)),
            };
            (a, k)
        }
        Col::Decimal(p, s, v) => {
            let p = 1 + p % 18;
            let s = s.rem_euclid(p as i8 + 1);
            let m = 10i64.pow(p as u32);
            let v: Vec<Option<i128>> = fit(v, rows).iter().map(|x| x.map(|x| (x % m) as i128)).collect();
            let k = keys(&v, |x| x.to_le_bytes().to_vec());
            let a = Decimal128Array::from(v).with_precision_and_scale(p, s).unwrap();
            (Arc::new(a), k)
        }
    }
}

/// Floats are one value per number: every NaN alike (reident writes them all `NaN`).
fn float_key(x: f64) -> Vec<u8> {
    if x.is_nan() { b"nan".to_vec() } else { x.to_le_bytes().to_vec() }
}

fn build(spec: &Spec) -> Option<(Vec<u8>, Vec<Vec<Option<Vec<u8>>>>)> {
    let cols: Vec<&Col> = spec.columns.iter().take(6).collect();
    let rows = cols.iter().map(|c| col_len(c)).max().unwrap_or(0).clamp(1, 300);
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    let mut keys = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        let (a, k) = array(c, rows);
        let name = if spec.counts.is_some() { ["a", "b", "c", "d", "e", "f"][i].to_string() } else { format!("c{i}") };
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
        keys.push(k);
    }
    if let Some(counts) = &spec.counts {
        let v: Vec<u64> = (0..rows).map(|i| if counts.is_empty() { 1 } else { counts[i % counts.len()] }).collect();
        fields.push(Field::new("__reident_count", DataType::UInt64, false));
        arrays.push(Arc::new(UInt64Array::from(v)));
    }
    if arrays.is_empty() {
        return None;
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).ok()?;
    let props = WriterProperties::builder()
        .set_dictionary_enabled(spec.dictionary)
        .set_max_row_group_row_count(Some(1 + spec.row_group as usize))
        .set_compression(match spec.compression % 3 {
            0 => Compression::UNCOMPRESSED,
            1 => Compression::SNAPPY,
            _ => Compression::ZSTD(Default::default()),
        })
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, schema, Some(props)).ok()?;
    w.write(&batch).ok()?;
    w.close().ok()?;
    Some((out, keys))
}

fn col_len(c: &Col) -> usize {
    match c {
        Col::Utf8(v) | Col::LargeUtf8(v) => v.len(),
        Col::Binary(v) | Col::LargeBinary(v) => v.len(),
        Col::Fixed(v) => v.len(),
        Col::Dict(v, _) => v.len(),
        Col::Bool(v) => v.len(),
        Col::I8(v) => v.len(),
        Col::I16(v) => v.len(),
        Col::F16(v) => v.len(),
        Col::I32(v) | Col::Date32(v) => v.len(),
        Col::I64(v) | Col::Date64(v) | Col::Timestamp(_, _, v) | Col::Decimal(_, _, v) => v.len(),
        Col::U8(v) => v.len(),
        Col::U16(v) => v.len(),
        Col::U32(v) | Col::F32(v) => v.len(),
        Col::U64(v) | Col::F64(v) => v.len(),
    }
}

fuzz_target!(
    init: reident_fuzz::init(),
    |spec: Spec| {
        let Some((mut bytes, keys)) = build(&spec) else { return };
        if let Ok(dir) = std::env::var("REIDENT_FUZZ_SAVE") {
            let _ = std::fs::write(std::path::Path::new(&dir).join("last.parquet"), &bytes);
        }
        let n = bytes.len();
        for &(at, b) in spec.mutations.iter().take(8) {
            let i = at as usize % n;
            bytes[i] = b;
        }
        if spec.counts.is_some() {
            reident_fuzz::class_table(&bytes);
        } else if spec.mutations.is_empty() {
            let distinct: Vec<usize> = keys
                .iter()
                .zip(&spec.columns)
                .map(|(k, c)| {
                    // The string NULL is the missing value, by design (as in CSV).
                    let text = matches!(
                        c,
                        Col::Utf8(_)
                            | Col::LargeUtf8(_)
                            | Col::Binary(_)
                            | Col::LargeBinary(_)
                            | Col::Fixed(_)
                            | Col::Dict(..)
                    );
                    k.iter()
                        .map(|x| x.as_ref().filter(|b| !(text && b.as_slice() == b"NULL")))
                        .collect::<HashSet<_>>()
                        .len()
                })
                .collect();
            reident_fuzz::lossless(&bytes, &distinct);
        } else {
            reident_fuzz::parquet(&bytes);
        }
    }
);
