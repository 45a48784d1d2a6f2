//! Row groups larger than one record batch: their batches are joined into one chunk before
//! grouping, across a change of dictionary (the writer falls back from dictionary to plain
//! encoding when a column's dictionary grows too large), and the class table must still be
//! exactly the naive grouping of the rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use reident::classes::build_class_table;
use reident::progress::Progress;
use reident::{Input, InputOptions, Policy, Roles};

#[test]
fn batches_of_a_row_group_are_joined_exactly() {
    let rows = 600_000usize; // more than two batches of 256K rows, in one row group
    let a: Vec<i64> = (0..rows).map(|i| (i * 7919 % 23) as i64).collect();
    // Many distinct strings: the writer's dictionary outgrows its page limit and it switches
    // to plain encoding part-way through the row group.
    let b: Vec<String> = (0..rows)
        .map(|i| format!("v{}", i * 104_729 % 40_009))
        .collect();
    let c: Vec<Option<&str>> = (0..rows)
        .map(|i| match i % 5 {
            0 => None,
            1 | 2 => Some("x"),
            _ => Some("y"),
        })
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Utf8, false),
        Field::new("c", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(a.clone())) as ArrayRef,
            Arc::new(StringArray::from(b.clone())) as ArrayRef,
            Arc::new(StringArray::from(c.clone())) as ArrayRef,
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_group.parquet");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows))
        .set_dictionary_page_size_limit(64 * 1024)
        .build();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let input = Input::open(&path, &InputOptions::default()).unwrap();
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let roles = Roles::resolve(
        &Policy::default().override_with(&names, &[], &[]),
        input.columns(),
    )
    .unwrap();
    let t = build_class_table(&input, &roles, &Progress::hidden()).unwrap();

    let mut naive: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for i in 0..rows {
        *naive
            .entry((
                a[i].to_string(),
                b[i].clone(),
                c[i].unwrap_or("NULL").to_string(),
            ))
            .or_default() += 1;
    }
    let mut got: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for k in 0..t.n_classes() {
        let key = t.key_text(k);
        let prev = got.insert((key[0].into(), key[1].into(), key[2].into()), t.counts[k]);
        assert!(prev.is_none(), "class {key:?} twice");
    }
    assert_eq!(t.n_records, rows as u64);
    assert_eq!(got.len(), naive.len());
    assert_eq!(got, naive);
}
