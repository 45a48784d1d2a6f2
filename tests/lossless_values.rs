//! Distinct values never merge: for every Parquet type reident reads, a column of random values
//! (nulls, duplicates, invalid UTF-8, empty strings, texts starting with `hex:`) has exactly as
//! many classes as it has distinct values (the string `NULL` being the missing value, by design), and so has the file `convert` writes from it (to
//! Parquet, and to CSV and back to Parquet). Binary values round-trip byte for byte.

mod common;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_schema::{DataType, Field, Schema};
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use proptest::prelude::*;

/// One equality key per row (None for null): equal exactly when the values are.
type Keys = Vec<Option<Vec<u8>>>;

fn write(path: &Path, name: &str, array: ArrayRef) {
    let schema = Arc::new(Schema::new(vec![Field::new(
        name,
        array.data_type().clone(),
        true,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![array]).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn classes(path: &Path) -> u64 {
    let (_, report) = analyze(path, &strings(&["v"]), &[]);
    report.classes.classes
}

fn convert(from: &Path, to: &Path) {
    let o = reident::convert::Options {
        input: from.to_path_buf(),
        delimiter: None,
        output: to.to_path_buf(),
        write: Default::default(),
        progress: false,
        force: true,
    };
    reident::convert::run(&o).expect("convert");
}

/// The column alone, then converted to Parquet and through CSV back to Parquet, has as many
/// classes as distinct keys.
fn check(array: ArrayRef, keys: &Keys) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.parquet");
    write(&p, "v", array.clone());
    let want = keys.iter().collect::<HashSet<_>>().len() as u64;
    assert_eq!(classes(&p), want, "{:?}: read", array.data_type());
    let p2 = dir.path().join("out.parquet");
    convert(&p, &p2);
    assert_eq!(classes(&p2), want, "{:?}: convert", array.data_type());
    let c = dir.path().join("out.csv");
    convert(&p, &c);
    assert_eq!(classes(&c), want, "{:?}: as CSV", array.data_type());
    let p3 = dir.path().join("back.parquet");
    convert(&c, &p3);
    assert_eq!(classes(&p3), want, "{:?}: CSV back", array.data_type());
}

fn keys<T>(v: &[Option<T>], k: impl Fn(&T) -> Vec<u8>) -> Keys {
    v.iter().map(|x| x.as_ref().map(&k)).collect()
}

/// Keys of strings and byte strings: the string `NULL` is the missing value (as in CSV).
fn text_keys<T>(v: &[Option<T>], k: impl Fn(&T) -> Vec<u8>) -> Keys {
    keys(v, k)
        .into_iter()
        .map(|x| x.filter(|b| b != b"NULL"))
        .collect()
}

/// Up to 40 rows drawn from a pool of up to 8 values (so that values repeat).
fn rows<T: Clone + std::fmt::Debug>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<Option<T>>> {
    (
        prop::collection::vec(prop::option::weighted(0.85, value), 1..8),
        prop::collection::vec(any::<usize>(), 1..40),
    )
        .prop_map(|(pool, idx)| idx.iter().map(|i| pool[i % pool.len()].clone()).collect())
}

/// Byte strings that stress the canonical text: invalid UTF-8, `NULL`, `hex:` prefixes.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4),
        Just(b"NULL".to_vec()),
        Just(b"hex:".to_vec()),
        Just(b"hex:41".to_vec()),
        Just(b"hex:4e554c4c".to_vec()),
        Just(b"A".to_vec()),
        Just(b"\xff".to_vec()),
        Just(b"hex:ff".to_vec()),
        Just(b"hex:6865783a3431".to_vec()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-cN\\-:x0-9]{0,4}",
        Just("NULL".to_string()),
        Just("hex:41".to_string()),
        Just("hex:4e554c4c".to_string()),
        Just("A".to_string()),
        Just("hex:6865783a3431".to_string()),
        Just(" a".to_string()),
        Just("é".to_string()),
    ]
}

fn le<T: Copy, const N: usize>(f: impl Fn(T) -> [u8; N]) -> impl Fn(&T) -> Vec<u8> {
    move |x| f(*x).to_vec()
}

/// Every NaN is one value (reident writes them all `NaN`).
fn float_key(x: f64) -> Vec<u8> {
    if x.is_nan() {
        b"nan".to_vec()
    } else {
        x.to_le_bytes().to_vec()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn texts(v in rows(text())) {
        let k = text_keys(&v, |s| s.as_bytes().to_vec());
        check(Arc::new(StringArray::from(v.clone())), &k);
        check(Arc::new(LargeStringArray::from(v)), &k);
    }

    #[test]
    fn binary(v in rows(bytes())) {
        let k = text_keys(&v, |b| b.clone());
        check(Arc::new(BinaryArray::from_iter(v.iter().map(|x| x.as_deref()))), &k);
        check(Arc::new(LargeBinaryArray::from_iter(v.iter().map(|x| x.as_deref()))), &k);
    }

    #[test]
    fn fixed_binary(v in rows(prop::collection::vec(any::<u8>(), 2..=2))) {
        let k = text_keys(&v, |b| b.clone());
        let a = FixedSizeBinaryArray::try_from_sparse_iter_with_size(v.into_iter(), 2).unwrap();
        check(Arc::new(a), &k);
    }

    #[test]
    fn dictionary(v in rows(0u8..6), values in prop::collection::vec(text(), 6..=6)) {
        let k = text_keys(&v, |i| values[*i as usize].as_bytes().to_vec());
        let idx = Int32Array::from(v.iter().map(|x| x.map(|i| i as i32)).collect::<Vec<_>>());
        let a = DictionaryArray::<Int32Type>::try_new(idx, Arc::new(StringArray::from(values.clone()))).unwrap();
        check(Arc::new(a), &k);
    }

    #[test]
    fn booleans(v in rows(any::<bool>())) {
        check(Arc::new(BooleanArray::from(v.clone())), &keys(&v, |b| vec![*b as u8]));
    }

    #[test]
    fn integers(a in rows(any::<i8>()), b in rows(any::<i16>()), c in rows(any::<i32>()),
                d in rows(any::<i64>()), e in rows(any::<u8>()), f in rows(any::<u16>()),
                g in rows(any::<u32>()), h in rows(any::<u64>())) {
        check(Arc::new(Int8Array::from(a.clone())), &keys(&a, le(i8::to_le_bytes)));
        check(Arc::new(Int16Array::from(b.clone())), &keys(&b, le(i16::to_le_bytes)));
        check(Arc::new(Int32Array::from(c.clone())), &keys(&c, le(i32::to_le_bytes)));
        check(Arc::new(Int64Array::from(d.clone())), &keys(&d, le(i64::to_le_bytes)));
        check(Arc::new(UInt8Array::from(e.clone())), &keys(&e, le(u8::to_le_bytes)));
        check(Arc::new(UInt16Array::from(f.clone())), &keys(&f, le(u16::to_le_bytes)));
        check(Arc::new(UInt32Array::from(g.clone())), &keys(&g, le(u32::to_le_bytes)));
        check(Arc::new(UInt64Array::from(h.clone())), &keys(&h, le(u64::to_le_bytes)));
    }

    #[test]
    fn floats(a in rows(any::<u16>()), b in rows(any::<u32>()), c in rows(any::<u64>())) {
        let a16: Vec<Option<<Float16Type as ArrowPrimitiveType>::Native>> = a.iter().map(|x| x.map(<Float16Type as ArrowPrimitiveType>::Native::from_bits)).collect();
        check(Arc::new(Float16Array::from(a16.clone())), &keys(&a16, |x| float_key(x.to_f64())));
        let b32: Vec<Option<f32>> = b.iter().map(|x| x.map(f32::from_bits)).collect();
        check(Arc::new(Float32Array::from(b32.clone())), &keys(&b32, |x| float_key(*x as f64)));
        let c64: Vec<Option<f64>> = c.iter().map(|x| x.map(f64::from_bits)).collect();
        check(Arc::new(Float64Array::from(c64.clone())), &keys(&c64, |x| float_key(*x)));
    }

    #[test]
    fn dates_and_times(a in rows(any::<i32>()), b in rows(-(1i64 << 50)..(1i64 << 50)),
                       c in rows(-(1i64 << 40)..(1i64 << 40)), unit in 0u8..4, tz in any::<bool>()) {
        check(Arc::new(Date32Array::from(a.clone())), &keys(&a, le(i32::to_le_bytes)));
        check(Arc::new(Date64Array::from(b.clone())), &keys(&b, le(i64::to_le_bytes)));
        let tz: Option<Arc<str>> = tz.then(|| "UTC".into());
        let t: ArrayRef = match unit {
            0 => Arc::new(TimestampSecondArray::from(c.clone()).with_timezone_opt(tz)),
            1 => Arc::new(TimestampMillisecondArray::from(c.clone()).with_timezone_opt(tz)),
            2 => Arc::new(TimestampMicrosecondArray::from(c.clone()).with_timezone_opt(tz)),
            _ => Arc::new(TimestampNanosecondArray::from(c.clone()).with_timezone_opt(tz)),
        };
        check(t, &keys(&c, le(i64::to_le_bytes)));
    }

    #[test]
    fn decimals(v in rows(-999_999i64..999_999), scale in 0i8..6) {
        let d: Vec<Option<i128>> = v.iter().map(|x| x.map(|x| x as i128)).collect();
        let a = Decimal128Array::from(d).with_precision_and_scale(10, scale).unwrap();
        check(Arc::new(a), &keys(&v, le(i64::to_le_bytes)));
    }
}

/// The case: 128 distinct binary ids that are not UTF-8 were one class of 128 (each
/// became U+FFFD), and `gate --qi id --k 100` passed.
#[test]
fn distinct_binary_ids_stay_distinct_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ids.parquet");
    let ids: Vec<Vec<u8>> = (0..128u8).map(|i| vec![0x80 | i, 0xff]).collect();
    write(
        &p,
        "id",
        Arc::new(BinaryArray::from_iter_values(
            ids.iter().map(|v| v.as_slice()),
        )),
    );
    let (_, report) = analyze(&p, &strings(&["id"]), &[]);
    assert_eq!(report.classes.classes, 128);
    let out = run_cli(&["gate", p.to_str().unwrap(), "--qi", "id", "--k", "100"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // convert writes the bytes back (a binary column), through CSV as well.
    let c = dir.path().join("ids.csv");
    convert(&p, &c);
    let csv = std::fs::read_to_string(&c).unwrap();
    assert!(csv.contains("hex:80ff"), "{csv}");
    for (i, out) in ["a.parquet", "b.parquet"].iter().enumerate() {
        let out = dir.path().join(out);
        convert(if i == 0 { &p } else { &c }, &out);
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut got: Vec<Vec<u8>> = Vec::new();
        for b in reader {
            let b = b.unwrap();
            assert_eq!(b.column(0).data_type(), &DataType::Binary);
            got.extend(
                b.column(0)
                    .as_binary::<i32>()
                    .iter()
                    .map(|v| v.unwrap().to_vec()),
            );
        }
        assert_eq!(got, ids);
    }
}
