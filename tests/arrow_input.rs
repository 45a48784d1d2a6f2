//! In-memory Arrow tables (`TableSource::arrow`): the same figures as the file they came from,
//! whatever the chunking and whether strings are dictionary-encoded; the content hash a report
//! records in place of a file's; and `verify` re-running such a report on a file of the same
//! content (and refusing one of different content).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int64Array, RecordBatch, RecordBatchReader, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use reident::input::arrow::{ArrowTable, ARROW_NAME};
use reident::input::{Input, InputOptions};
use reident::options::{Flags, Settings, TableSource};

const QI9: [&str; 9] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
];

fn adult(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/adult")
        .join(name)
}

fn nine_qis() -> Settings {
    Settings::resolve(&Flags {
        qi: QI9.iter().map(|s| s.to_string()).collect(),
        ..Flags::default()
    })
    .unwrap()
}

/// The Adult Parquet file as record batches of `batch_rows` rows (plain strings).
fn adult_batches(batch_rows: usize) -> (Arc<Schema>, Vec<RecordBatch>) {
    let file = std::fs::File::open(adult("adult.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .with_batch_size(batch_rows)
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
    (schema, batches)
}

/// The same batches with every string column dictionary-encoded (Int16 keys, not the Int32 keys
/// the Parquet reader makes).
fn dictionary_batches(batch_rows: usize) -> (Arc<Schema>, Vec<RecordBatch>) {
    let (schema, batches) = adult_batches(batch_rows);
    let dict_type = DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8));
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => f.as_ref().clone().with_data_type(dict_type.clone()),
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batches = batches
        .iter()
        .map(|b| {
            let cols: Vec<ArrayRef> = b
                .columns()
                .iter()
                .map(|c| match c.data_type() {
                    DataType::Utf8 => {
                        let s = c.as_any().downcast_ref::<StringArray>().unwrap();
                        let d: DictionaryArray<arrow_array::types::Int16Type> = s.iter().collect();
                        Arc::new(d) as ArrayRef
                    }
                    _ => c.clone(),
                })
                .collect();
            RecordBatch::try_new(schema.clone(), cols).unwrap()
        })
        .collect();
    (schema, batches)
}

fn analyze(table: TableSource) -> reident::analyze::Outcome {
    reident::analyze::run(&reident::analyze::Options::new(table, nine_qis())).unwrap()
}

#[test]
fn an_arrow_table_gives_the_files_figures_whatever_its_chunking() {
    let file = analyze(TableSource::data(adult("adult.parquet")));
    // One batch larger than a chunk would be cut; many small ones are joined; dictionaries stay.
    for (schema, batches) in [
        adult_batches(30_162),
        adult_batches(1_000),
        adult_batches(7),
        dictionary_batches(4_096),
    ] {
        let table = ArrowTable::new(schema, batches).unwrap();
        let got = analyze(TableSource::arrow(table));
        let r = &got.report;
        assert_eq!(r.classes.records, 30_162);
        assert_eq!(r.classes.classes, 19_502);
        assert!((r.prosecutor.average - 0.6465751607983555).abs() < 1e-12);
        assert_eq!(r.sample_uniques.records, 15_512);
        // Every figure as from the file, and the class table itself.
        assert_eq!(
            serde_json::to_value(&r.figures).unwrap(),
            serde_json::to_value(&file.report.figures).unwrap()
        );
        assert_eq!(got.classes.rows.counts, file.classes.rows.counts);
        assert_eq!(r.dataset.path, ARROW_NAME);
        assert_eq!(r.dataset.format.to_string_lossy(), "arrow");
    }
}

/// The format's JSON name.
trait JsonName {
    fn to_string_lossy(&self) -> String;
}

impl JsonName for reident::input::Format {
    fn to_string_lossy(&self) -> String {
        serde_json::to_value(self)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[test]
fn the_content_hash_is_the_same_for_the_table_its_parquet_and_its_csv() {
    let (schema, batches) = adult_batches(1_000);
    let plain = ArrowTable::new(schema, batches).unwrap();
    let (schema, batches) = dictionary_batches(333);
    let dict = ArrowTable::new(schema, batches).unwrap();
    let (h, bytes) = plain.content_digest().unwrap();
    assert_eq!(h.len(), 64);
    assert!(bytes > 0);
    assert_eq!(dict.content_digest().unwrap().0, h);
    let parquet = Input::open(&adult("adult.parquet"), &InputOptions::default()).unwrap();
    assert_eq!(parquet.content_sha256().unwrap(), h);
    let csv = Input::open(&adult("adult.csv"), &InputOptions::default()).unwrap();
    assert_eq!(csv.content_sha256().unwrap(), h);
    // One value changed: another hash.
    let (schema, mut batches) = adult_batches(1_000);
    let b = &batches[3];
    let ages = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
    let changed: Int64Array = ages
        .iter()
        .enumerate()
        .map(|(i, v)| if i == 5 { v.map(|a| a + 1) } else { v })
        .collect();
    let mut cols = b.columns().to_vec();
    cols[1] = Arc::new(changed);
    batches[3] = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let other = ArrowTable::new(schema, batches).unwrap();
    assert_ne!(other.content_digest().unwrap().0, h);
}

#[test]
fn a_report_of_an_arrow_table_records_its_content_and_verifies_against_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (schema, batches) = adult_batches(4_096);
    let table = ArrowTable::new(schema, batches).unwrap();
    let digest = table.content_digest().unwrap();
    let outcome = analyze(TableSource::arrow(table));
    let report =
        reident::report::build::analysis(&outcome, "analyze", vec!["test".into()], false).unwrap();
    assert_eq!(report.dataset.path, ARROW_NAME);
    assert_eq!(report.dataset.format, "arrow");
    assert_eq!(report.dataset.sha256, digest.0);
    assert_eq!(report.dataset.bytes, digest.1);
    // The options it records name no file: verify re-runs them on the file it is given.
    assert!(report.run.options["table"]["data"].is_null());
    report.write_dir(dir.path()).unwrap();
    let verify = |data: PathBuf| {
        reident::verify::run(&reident::verify::Options {
            report: Some(dir.path().join("report.json")),
            data: Some(data),
            ..Default::default()
        })
        .unwrap()
    };
    for data in [adult("adult.parquet"), adult("adult.csv")] {
        let v = verify(data);
        assert!(v.ok, "{:?}", v.checks);
        assert!(v.checks.iter().any(|c| c.item == "figures: analysis"));
    }
    // A file of other content fails the data check and is not re-run.
    let v = verify(adult("adult_subset.csv"));
    assert!(!v.ok);
    let data = v.checks.iter().find(|c| c.item == "data hash").unwrap();
    assert!(!data.ok && data.detail.contains("content SHA-256"));
    assert!(!v.checks.iter().any(|c| c.item.starts_with("figures")));
}

#[test]
fn arrow_tables_are_checked_like_files() {
    let (schema, batches) = adult_batches(1_000);
    let table = ArrowTable::new(schema, batches).unwrap();
    // A column that is not there names the columns there are.
    let settings = Settings::resolve(&Flags {
        qi: vec!["zip".into()],
        ..Flags::default()
    })
    .unwrap();
    let err = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::arrow(table.clone()),
        settings,
    ))
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("unknown column \"zip\""), "{err}");
    // No rows: the empty-table error, named by the stream.
    let empty = ArrowTable::new(table.schema().clone(), Vec::new()).unwrap();
    let err = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::arrow(empty),
        nine_qis(),
    ))
    .unwrap_err()
    .to_string();
    assert_eq!(err, "<arrow stream>: the table has no records");
    // A batch of another schema is refused.
    let other = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)])),
        vec![Arc::new(Int64Array::from(vec![1i64])) as ArrayRef],
    )
    .unwrap();
    let err = ArrowTable::new(table.schema().clone(), vec![other])
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not have the stream's schema"), "{err}");
    // An unsupported type in a QI: one line naming the column and the type.
    let list =
        arrow_array::ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(vec![
            Some(vec![Some(1)]),
        ]);
    let schema = Arc::new(Schema::new(vec![Field::new(
        "l",
        list.data_type().clone(),
        true,
    )]));
    let t = ArrowTable::new(
        schema.clone(),
        vec![RecordBatch::try_new(schema, vec![Arc::new(list) as ArrayRef]).unwrap()],
    )
    .unwrap();
    let settings = Settings::resolve(&Flags {
        qi: vec!["l".into()],
        ..Flags::default()
    })
    .unwrap();
    let err = reident::analyze::run(&reident::analyze::Options::new(
        TableSource::arrow(t),
        settings,
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("<arrow stream>: column \"l\" has type List"),
        "{err}"
    );
}
