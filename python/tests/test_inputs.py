"""The golden Adult figures through every kind of input: Parquet and CSV paths, pyarrow tables
(plain and dictionary-encoded strings, one chunk or many), a RecordBatchReader, polars, pandas
and DuckDB (when installed)."""

import importlib.util
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reident

from conftest import ADULT, QI9

# ../shared/datasets/README.md: Adult, all 9 columns as QIs.
CLASSES = 19_502
AVERAGE_RISK = 0.6465751607983555
UNIQUES = 15_512
UNIQUENESS = 0.5142895033485844


def check_golden(r: reident.AnalyzeResult) -> None:
    assert r.records == 30_162
    assert r.classes == CLASSES
    assert r.k == 1
    assert r.highest_risk == 1.0
    assert abs(r.average_risk - AVERAGE_RISK) < 1e-12
    assert r.sample_uniques == UNIQUES
    assert abs(r.sample_uniqueness - UNIQUENESS) < 1e-12


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def adult_table(**kw) -> pa.Table:
    return pq.read_table(ADULT / "adult.parquet", **kw)


def test_parquet_and_csv_paths():
    for name in ("adult.parquet", "adult.csv"):
        check_golden(reident.analyze(str(ADULT / name), qi=QI9))
    # os.PathLike, and the QIs as one comma-separated string (as the CLI's flag).
    check_golden(reident.analyze(ADULT / "adult.parquet", qi=",".join(QI9)))


def test_pyarrow_table_plain_and_dictionary():
    plain = adult_table()
    assert pa.types.is_string(plain.schema.field("sex").type)
    r = reident.analyze(plain, qi=QI9)
    check_golden(r)
    assert r.to_dict()["dataset"] == {
        "path": "<arrow stream>",
        "format": "arrow",
        "records": 30_162,
        "columns": 9,
    }
    strings = [f.name for f in plain.schema if pa.types.is_string(f.type)]
    dictionary = adult_table(read_dictionary=strings)
    assert pa.types.is_dictionary(dictionary.schema.field("sex").type)
    check_golden(reident.analyze(dictionary, qi=QI9))


def test_many_small_chunks_and_one_big_one():
    t = adult_table()
    check_golden(reident.analyze(pa.Table.from_batches(t.to_batches(max_chunksize=777)), qi=QI9))
    check_golden(reident.analyze(t.combine_chunks(), qi=QI9))
    # A table of a table's slices (offsets into shared buffers).
    sliced = pa.concat_tables([t.slice(0, 10_000), t.slice(10_000, 5), t.slice(10_005)])
    check_golden(reident.analyze(sliced, qi=QI9))


def test_record_batch_reader():
    t = adult_table()
    reader = pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=4096))
    check_golden(reident.analyze(reader, qi=QI9))


@pytest.mark.skipif(not has("polars"), reason="polars is not installed")
def test_polars_dataframe_and_categoricals():
    import polars as pl

    df = pl.read_parquet(ADULT / "adult.parquet")
    check_golden(reident.analyze(df, qi=QI9))
    cat = df.with_columns(pl.col(pl.Utf8).cast(pl.Categorical))
    check_golden(reident.analyze(cat, qi=QI9))
    a = reident.anonymize(df, policy=ADULT / "policy.json")
    assert a.suppressed == 1_346
    out = a.to_polars()
    assert isinstance(out, pl.DataFrame) and out.height == 30_162 - 1_346


@pytest.mark.skipif(not has("pandas"), reason="pandas is not installed")
def test_pandas_dataframe():
    import pandas as pd

    df = pd.read_csv(ADULT / "adult.csv", sep=";")
    check_golden(reident.analyze(df, qi=QI9))
    # A non-default index is not a column of the data.
    check_golden(reident.analyze(df.set_index(pd.Index(range(5, 5 + len(df)))), qi=QI9))
    a = reident.anonymize(df, policy=ADULT / "policy.json")
    out = a.to_pandas()
    assert isinstance(out, pd.DataFrame) and len(out) == 30_162 - 1_346


@pytest.mark.skipif(not has("duckdb"), reason="duckdb is not installed")
def test_duckdb_relation():
    import duckdb

    con = duckdb.connect()
    rel = con.sql(f"select * from read_parquet('{ADULT / 'adult.parquet'}')")
    if not hasattr(rel, "__arrow_c_stream__"):
        pytest.skip("this duckdb's relations do not export an Arrow C stream")
    check_golden(reident.analyze(rel, qi=QI9))


def test_nulls_are_one_value_as_in_files(tmp_path):
    # A null and an empty CSV field are the same missing value (canonical text NULL).
    t = pa.table({"a": ["x", None, "x", None, "y"], "b": [1, 2, 1, 2, None]})
    pq.write_table(t, tmp_path / "t.parquet")
    from_table = reident.analyze(t, qi=["a", "b"]).to_dict()
    from_file = reident.analyze(tmp_path / "t.parquet", qi=["a", "b"]).to_dict()
    for d in (from_table, from_file):
        del d["dataset"]
    assert from_table == from_file
    assert reident.analyze(t, qi=["a", "b"]).classes == 3


def test_an_unsupported_object_is_a_type_error():
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        reident.analyze([1, 2, 3], qi=["a"])


@pytest.mark.skipif(not has("pandas"), reason="pandas is not installed")
def test_a_pandas_column_of_mixed_types_is_named_without_its_values():
    import pandas as pd

    df = pd.DataFrame({"a": ["secret-value", 7, 3.5], "b": [1, 2, 3]})
    with pytest.raises(reident.ReidentError) as e:
        reident.analyze(df, qi=["a", "b"])
    assert "'a'" in str(e.value) and "secret-value" not in str(e.value)
