"""People, not rows (``entity=``): a visit-level table where every patient has several rows.
The figures count people, equal a naive count in Python (a person's quasi-identifier is the
multiset, or set, of their rows' QI tuples), equal the CLI's ``--json`` with ``--entity``, and
are the same from a file and from an in-memory table."""

import random
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reident

from conftest import ROOT as ADULT_ROOT

QI = ["sex", "birth_year", "zip3"]


@pytest.fixture(scope="module")
def visits(tmp_path_factory):
    """600 patients with 2 to 4 visits each, no row alone by rows (every patient has at least
    two rows of each QI tuple they have); some patients moved (two visits in each of two
    zip3s), so people differ by the collection of their rows, and by its counts."""
    rng = random.Random(17)
    rows = {"patient_id": [], "sex": [], "birth_year": [], "zip3": [], "diagnosis": []}
    for p in range(600):
        sex = rng.choice(["F", "M"])
        year = rng.randrange(1940, 1950)
        zip3 = rng.choice(["100", "101", "102"])
        if rng.random() < 0.3:
            visits = [zip3] * 2 + [rng.choice(["103", "104"])] * 2
        else:
            visits = [zip3] * rng.randrange(2, 5)
        for z in visits:
            rows["patient_id"].append(f"P{p:04d}")
            rows["sex"].append(sex)
            rows["birth_year"].append(year)
            rows["zip3"].append(z)
            rows["diagnosis"].append(rng.choice(["a", "b", "c"]))
    table = pa.table(rows)
    path = tmp_path_factory.mktemp("people") / "visits.parquet"
    pq.write_table(table, path)
    return table, str(path)


def naive(table, as_set):
    """People per signature: (classes, smallest class, people alone)."""
    per_person = {}
    for pid, *qi in zip(*(table.column(c).to_pylist() for c in ["patient_id"] + QI)):
        per_person.setdefault(pid, []).append(tuple(qi))
    sig = Counter(
        frozenset(v) if as_set else tuple(sorted(Counter(v).items()))
        for v in per_person.values()
    )
    return len(per_person), len(sig), min(sig.values()), sum(1 for n in sig.values() if n == 1)


@pytest.mark.parametrize("signature", ["multiset", "set"])
def test_analyze_counts_people_as_a_naive_count(visits, signature):
    table, path = visits
    people, classes, k, alone = naive(table, signature == "set")
    for data in (path, table):
        r = reident.analyze(data, qi=QI, entity="patient_id", entity_signature=signature)
        assert r.people["people"] == people == 600
        assert r.people["rows"] == table.num_rows
        assert r.people["signature"] == signature
        assert (r.records, r.classes, r.k, r.sample_uniques) == (people, classes, k, alone)
    # By rows every class is larger: a different table, and a warning that rows are counted.
    with pytest.warns(reident.ReidentWarning, match="entity"):
        rows = reident.analyze(table, qi=QI)
    assert rows.people is None and rows.records == table.num_rows


def test_people_figures_equal_the_cli_json(visits, cli, cli_json):
    table, path = visits
    args = ["--qi", ",".join(QI), "--entity", "patient_id"]
    want = cli_json("analyze", path, *args, "--sampling-fraction", "0.2")
    got = reident.analyze(path, qi=QI, entity="patient_id", sampling_fraction=0.2).to_dict()
    assert got == want
    # From the in-memory table: only the data's description differs.
    got = reident.analyze(table, qi=QI, entity="patient_id", sampling_fraction=0.2).to_dict()
    assert {k: v for k, v in got.items() if k != "dataset"} == {
        k: v for k, v in want.items() if k != "dataset"
    }
    want = cli_json("combos", path, *args)
    assert reident.combos(path, qi=QI, entity="patient_id").to_dict() == want
    assert reident.combos(table, qi=QI, entity="patient_id").to_dict()["combos"] == want["combos"]


def test_gate_fails_by_people_where_it_passes_by_rows(visits, cli, tmp_path):
    table, path = visits
    _, _, k, alone = naive(table, False)
    assert k == 1 and alone > 0
    log = tmp_path / "audit.log"
    with pytest.warns(reident.ReidentWarning):
        by_rows = reident.gate(table, qi=QI, k=2, audit_log=log)
    by_people = reident.gate(table, qi=QI, k=2, entity="patient_id", audit_log=log)
    assert by_rows.passed and not by_people.passed and by_people.exit_code == 1
    code, _, err = cli("gate", path, "--qi", ",".join(QI), "--k", "2", "--entity", "patient_id",
                       "--audit-log", log)
    assert code == 1, err


def test_anonymize_with_entity_equals_the_cli(visits, cli, tmp_path):
    table, path = visits
    out = tmp_path / "cli.parquet"
    args = ["--qi", ",".join(QI), "--entity", "patient_id", "--k", "5", "--suppression-limit",
            "0.05", "--suppress", "sex", "--suppress", "zip3", "--interval", "birth_year:5,10"]
    code, stdout, err = cli("anonymize", path, *args, "-o", out, "--json")
    assert code == 0, err
    import json

    want = json.loads(stdout)
    got = reident.anonymize(path, qi=QI, entity="patient_id", k=5, suppression_limit=0.05,
                            suppress=["sex", "zip3"], interval={"birth_year": "5,10"})
    drop = ("seconds", "output", "records_written")
    assert {k: v for k, v in got.to_dict().items() if k not in drop} == {
        k: v for k, v in want.items() if k not in drop
    }
    # The entity column is dropped from the release unless kept, as the CLI's.
    assert got.table.equals(pq.read_table(out))
    assert "patient_id" not in got.table.column_names
    kept = reident.anonymize(path, qi=QI, entity="patient_id", k=5, suppression_limit=0.05,
                             suppress=["sex", "zip3"], interval={"birth_year": "5,10"}, keep_entity=True)
    assert "patient_id" in kept.table.column_names
    # The targets hold for people in the release.
    _, _, k, _ = naive(kept.table.select(["patient_id"] + QI), False)
    assert k >= 5


def test_suda_refuses_entity_with_the_cli_message(visits, cli):
    _, path = visits
    code, _, err = cli("suda", path, "--qi", ",".join(QI), "--entity", "patient_id")
    assert code == 2
    with pytest.raises(reident.ReidentError) as e:
        reident.suda(path, qi=QI, entity="patient_id")
    assert err.strip() == f"reident: error: {e.value}"
    with pytest.raises(reident.ReidentError, match="entity_signature"):
        reident.analyze(path, qi=QI, entity="patient_id", entity_signature="bag")


def test_a_pseudonym_mark_survives_pyarrow_and_is_checked(tmp_path):
    """safe-harbor marks the columns it pseudonymized; pyarrow keeps the mark in the table it
    reads, so the table scans as the file does (the pseudonyms a permitted code), and a mark
    over values that are not pseudonyms is ignored."""
    clinic = ADULT_ROOT / "datasets" / "clinic" / "clinic.csv"
    out = tmp_path / "deid.parquet"
    reident.safe_harbor(clinic, output=out, pseudonymize="mrn", reference_year=2025)
    table = pq.read_table(out)
    assert table.schema.metadata[b"reident:pseudonymized"] == b'["mrn"]'
    by_file, by_table = reident.scan(out), reident.scan(table)
    assert "mrn" not in by_file.identifying and "mrn" not in by_table.identifying
    assert by_table.to_dict()["columns"] == by_file.to_dict()["columns"]
    # The same mark forged over a column of plain values: ignored, the column is identifying.
    raw = pa.table({"mrn": [f"{i:08d}" for i in range(200)], "age": list(range(200))})
    forged = raw.replace_schema_metadata({"reident:pseudonymized": '["mrn"]'})
    assert reident.scan(forged).identifying == reident.scan(raw).identifying == ["mrn"]
    # anonymize keeps a marked entity column, from the file and from the table alike.
    kw = dict(qi=["sex", "zip"], entity="mrn", k=2, suppress=["sex", "zip"],
              suppression_limit=0.1)
    assert "mrn" in reident.anonymize(out, **kw).table.column_names
    assert "mrn" in reident.anonymize(table, **kw).table.column_names
    # A forged mark over plain identifiers does not carry them into a release: anonymize
    # refuses (naming the column, no value) unless keep_entity says to keep it anyway.
    raw_visits = pa.table({
        "mrn": [f"{i // 2:08d}" for i in range(400)],
        "sex": ["F", "M"] * 200,
        "zip": [f"{100 + (i // 8) % 5}" for i in range(400)],
    })
    forged = raw_visits.replace_schema_metadata({"reident:pseudonymized": '["mrn"]'})
    with pytest.raises(reident.ReidentError, match="not all of its values are pseudonyms") as e:
        reident.anonymize(forged, **kw)
    assert "00000001" not in str(e.value)
    assert "mrn" not in reident.anonymize(raw_visits, **kw).table.column_names
    assert "mrn" in reident.anonymize(forged, keep_entity=True, **kw).table.column_names
