"""Behaving like a Python library: reports and verify (files and in-memory tables), a policy as
a dict, per-record risk as a table, threads, progress, the GIL released, help() and Jupyter."""

import inspect
import json
import threading
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import reident

from conftest import ADULT, QI9

PARQUET = str(ADULT / "adult.parquet")


def test_report_of_a_file_verifies(tmp_path):
    r = reident.analyze(PARQUET, qi=QI9, k=5)
    files = r.write_report(tmp_path / "rep", audit_log=tmp_path / "audit.log")
    assert [f.rsplit("/", 1)[1] for f in files] == ["report.json", "report.md", "report.html"]
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["kind"] == "analyze" and report["verdict"] == "fail"
    assert report["dataset"]["path"] == PARQUET and report["dataset"]["format"] == "parquet"
    assert report["run"]["command_line"][:2] == ["reident.analyze", f"data={PARQUET!r}"]
    v = reident.verify(tmp_path / "rep" / "report.json", PARQUET)
    assert v.passed, v.checks
    assert any(c["item"] == "figures: analysis" and c["ok"] for c in v.checks)
    assert reident.verify(audit_log=tmp_path / "audit.log").passed
    # report() is the same report, unwritten (its own run time and seal).
    again = r.report()
    assert again["figures"] == report["figures"] and again["dataset"] == report["dataset"]


def test_report_of_an_in_memory_table_records_its_content(tmp_path):
    t = pq.read_table(PARQUET)
    r = reident.analyze(t, qi=QI9)
    r.write_report(tmp_path / "rep", audit_log=False)
    assert not (tmp_path / "reports").exists()
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    ds = report["dataset"]
    assert ds["path"] == "<arrow stream>" and ds["format"] == "arrow"
    assert ds["records"] == 30_162 and len(ds["sha256"]) == 64
    # The same content as a Parquet or CSV file: verify checks the content hash, re-runs.
    for data in (PARQUET, ADULT / "adult.csv"):
        v = reident.verify(tmp_path / "rep" / "report.json", data)
        assert v.passed, v.checks
    # Another table's file: the data check fails and nothing is re-run.
    other = tmp_path / "other.parquet"
    pq.write_table(t.slice(0, 30_000), other)
    v = reident.verify(tmp_path / "rep" / "report.json", other)
    assert not v.passed and not bool(v)
    # The report's own checks pass; the data's fails, last: nothing is re-run.
    assert [c["item"] for c in v.checks if not c["ok"]] == ["data hash"]
    assert v.checks[-1]["item"] == "data hash" and "content SHA-256" in v.checks[-1]["detail"]
    # The hash is of the values: dictionary encoding and chunking do not change it.
    strings = [f.name for f in t.schema if pa.types.is_string(f.type)]
    d = pq.read_table(PARQUET, read_dictionary=strings)
    d = pa.Table.from_batches(d.to_batches(max_chunksize=1000))
    assert reident.analyze(d, qi=QI9).report()["dataset"]["sha256"] == ds["sha256"]
    # One value changed: another hash.
    ages = t.column("age").to_pylist()
    ages[7] += 1
    changed = t.set_column(1, "age", pa.array(ages))
    assert reident.analyze(changed, qi=QI9).report()["dataset"]["sha256"] != ds["sha256"]


def test_policy_as_a_dict_equals_the_file(tmp_path):
    policy = json.loads((ADULT / "policy.json").read_text())
    policy["anonymization"]["hierarchies"] = str(ADULT)
    from_dict = reident.anonymize(str(ADULT / "adult.csv"), policy=policy)
    from_file = reident.anonymize(str(ADULT / "adult.csv"), policy=ADULT / "policy.json")
    assert from_dict.transformation == from_file.transformation
    assert from_dict.suppressed == from_file.suppressed == 1_346
    # The report records the policy's content whole (from the temporary file it was given as).
    report = from_dict.report()
    assert report["policy"]["content"] == policy
    from_dict.write_report(tmp_path / "rep", audit_log=False)
    # verify reads only the files it is given: the hierarchies the report lists.
    hierarchies = sorted(ADULT.glob("hierarchy_*.csv"))
    v = reident.verify(tmp_path / "rep" / "report.json", ADULT / "adult.csv", inputs=hierarchies)
    assert v.passed, v.checks
    # A relative hierarchy folder in a dict is the current directory's.
    with pytest.raises(reident.ReidentError, match="hierarchy"):
        reident.anonymize(str(ADULT / "adult.csv"), policy=dict(policy, anonymization=dict(
            policy["anonymization"], hierarchies="no-such-folder")))


def test_record_risk_as_a_table_and_as_a_file(tmp_path):
    r = reident.analyze(PARQUET, qi=["sex", "age", "race"], record_risk=True)
    rr = r.record_risk
    assert isinstance(rr, pa.Table) and rr.num_rows == 30_162
    assert rr.column_names[:3] == ["row", "class_size", "prosecutor_risk"]
    assert rr.column("row").to_pylist() == list(range(30_162))
    # The class sizes add up: every record of a class of size s reports s.
    sizes = pc.value_counts(rr.column("class_size")).to_pylist()
    assert all(v["counts"] % v["values"] == 0 for v in sizes)
    assert sum(v["counts"] // v["values"] for v in sizes) == r.classes
    # No temporary path in what the run records.
    assert r.report()["run"]["options"]["record_risk"] is None
    path = tmp_path / "rr.parquet"
    f = reident.analyze(PARQUET, qi=["sex", "age", "race"], record_risk=path)
    assert pq.read_table(path).equals(rr) and f.record_risk.equals(rr)
    s = reident.suda(PARQUET, qi=["sex", "age", "race"], record_risk=True)
    assert s.record_risk.num_rows == 30_162 and "suda_score" in s.record_risk.column_names
    assert sum(1 for x in s.record_risk.column("suda_score").to_pylist() if x > 0) == s.records_with_msu


def test_threads_do_not_change_figures():
    one = reident.analyze(PARQUET, qi=QI9, threads=1).to_dict()
    two = reident.analyze(PARQUET, qi=QI9, threads=2).to_dict()
    assert one == two
    with pytest.raises(reident.ReidentError, match="threads"):
        reident.analyze(PARQUET, qi=QI9, threads=0)


def test_no_output_on_stderr_unless_asked(capfd):
    reident.analyze(PARQUET, qi=["sex", "age"])
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_warnings_are_python_warnings(cli):
    fixture = ADULT.parents[1] / "tests" / "fixtures" / "scan" / "categories.csv"
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(
        fixture,
        parse_options=pcsv.ParseOptions(delimiter=";"),
        convert_options=pcsv.ConvertOptions(strings_can_be_null=True),
    )
    for data in (str(fixture), table):
        with pytest.warns(reident.ReidentWarning) as caught:
            r = reident.analyze(data, qi=["ssn", "age"], sensitive="email")
        # The identifier warnings, then the row-counting ones (the fixture's names repeat): what
        # the CLI prints on stderr, one Python warning each.
        assert len(caught) == 4 and len(r.warnings) == 4
        assert [str(w.message) for w in caught] == r.warnings
        assert '"ssn" is used as a quasi-identifier' in r.warnings[0]
        assert '"email" is used as a sensitive attribute' in r.warnings[1]
        assert all("give --entity" in w for w in r.warnings[2:])
    code, _, err = cli("analyze", fixture, "--qi", "ssn,age", "--sensitive", "email")
    assert code == 0
    assert [line.removeprefix("reident: warning: ") for line in err.splitlines()] == r.warnings


def test_the_gil_is_released_during_a_run():
    t = pq.read_table(PARQUET)
    big = pa.concat_tables([t] * 40)  # 1.2M rows: long enough to be seen running
    ticks = 0
    done = threading.Event()

    def work():
        reident.analyze(big, qi=QI9, no_scan=True)
        done.set()

    th = threading.Thread(target=work)
    th.start()
    start = time.perf_counter()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    th.join()
    elapsed = time.perf_counter() - start
    # Python code kept running beside the analysis (with the GIL held the loop would stall).
    assert elapsed > 0.05 and ticks > elapsed * 100, (ticks, elapsed)


def test_help_reads_well():
    doc = reident.analyze.__doc__
    assert "Args:" in doc and "qi:" in doc and "Returns:" in doc and "ReidentError" in doc
    params = inspect.signature(reident.analyze).parameters
    for flag in ("qi", "sensitive", "weight", "population", "max_risk", "record_risk", "threads"):
        assert params[flag].kind is inspect.Parameter.KEYWORD_ONLY
    for f in (reident.gate, reident.anonymize, reident.combos, reident.suda, reident.scan,
              reident.safe_harbor, reident.verify):
        assert f.__doc__ and len(f.__doc__) > 200
    assert issubclass(reident.ReidentError, ValueError)


def test_repr_html_shows_the_summary_and_no_values():
    r = reident.analyze(PARQUET, qi=QI9, k=5)
    h = r._repr_html_()
    assert "19,502" in h and "15,512" in h and "5-anonymity" in h and "FAIL" in h
    # No QI value of the data (a small class's values are what a summary must not show).
    for value in ("Male", "Female", "Bachelors", "United-States"):
        assert value not in h
    a = reident.anonymize(str(ADULT / "adult.csv"), policy=ADULT / "policy.json")
    assert "1,346" in a._repr_html_() and "pass" in a._repr_html_()
    g = reident.gate(PARQUET, qi="sex", k=2, audit_log=False)
    assert "pass" in g._repr_html_()
    assert "AnalyzeResult" in repr(r)


def test_gate_on_an_in_memory_table_writes_its_report(tmp_path):
    g = reident.gate(pq.read_table(PARQUET), qi=QI9, preset="k11-cms", report=tmp_path / "g",
                     audit_log=tmp_path / "audit.log")
    assert g.passed is False
    report = json.loads((tmp_path / "g" / "report.json").read_text())
    assert report["kind"] == "gate" and report["verdict"] == "fail"
    assert report["dataset"]["path"] == "<arrow stream>"
    assert reident.verify(tmp_path / "g" / "report.json", PARQUET).passed


def test_safe_harbor_writes_its_output(tmp_path):
    out = tmp_path / "sh.parquet"
    r = reident.safe_harbor(PARQUET, output=out, ages=["age"])
    assert r.output == str(out)
    ages = pq.read_table(out).column("age").to_pylist()
    assert "90+" in ages and all(a == "90+" or int(a) < 90 for a in ages)
    with pytest.raises(reident.ReidentError, match="reads and writes files"):
        reident.safe_harbor(pq.read_table(PARQUET), output=out)
