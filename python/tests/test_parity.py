"""`.to_dict()` equals the CLI's `--json` document (analyze, combos, suda, anonymize, gate, scan);
the anonymization parity row (ARX, 5-anonymity and risk 0.2 with 5% suppression); gate's exit
statuses as booleans; errors with the CLI's message."""

import json

import pyarrow.parquet as pq
import pytest

import reident

from conftest import ADULT, QI9

PARQUET = str(ADULT / "adult.parquet")
CSV = str(ADULT / "adult.csv")
POLICY = str(ADULT / "policy.json")


def without(d, *keys):
    d = dict(d)
    for k in keys:
        d.pop(k, None)
    return d


def test_analyze_equals_cli_json(cli_json):
    args = ["--qi", ",".join(QI9), "--sampling-fraction", "0.1"]
    want = cli_json("analyze", PARQUET, *args)
    got = reident.analyze(PARQUET, qi=QI9, sampling_fraction=0.1).to_dict()
    assert got == want
    # Zayatz at f = 0.1 (../shared/datasets/README.md).
    pu = got["population_uniqueness"]["zayatz"]["share"]
    assert abs(pu - 0.3207402393466189) < 1e-9
    # With sensitive columns and targets, and from a pyarrow table (only the data's name and
    # format differ).
    args = ["--qi", "sex,age,race", "--sensitive", "occupation", "--k", "5", "--max-risk", "0.2"]
    want = cli_json("analyze", PARQUET, *args)
    got = reident.analyze(
        pq.read_table(PARQUET), qi="sex,age,race", sensitive="occupation", k=5, max_risk=0.2
    ).to_dict()
    assert got["dataset"]["format"] == "arrow"
    assert without(got, "dataset") == without(want, "dataset")


def test_combos_equals_cli_json(cli_json):
    want = cli_json("combos", PARQUET, "--qi", "sex,age,race,education", "--threshold", "1:5,2:3")
    got = reident.combos(PARQUET, qi=["sex", "age", "race", "education"], threshold="1:5,2:3")
    assert got.to_dict() == want
    assert len(got.subsets) == 15


def test_suda_equals_cli_json(cli_json):
    want = cli_json("suda", PARQUET, "--qi", "sex,age,race,education", "--top", "5")
    got = reident.suda(PARQUET, qi=["sex", "age", "race", "education"], top=5)
    assert got.to_dict() == want
    assert got.msus == want["summary"]["msus"]


def test_scan_equals_cli_json(cli_json):
    want = cli_json("scan", PARQUET)
    assert reident.scan(PARQUET).to_dict() == want
    # A table's scan samples its first rows: Adult has one row group, so the same rows.
    got = reident.scan(pq.read_table(PARQUET)).to_dict()
    assert got["columns"] == want["columns"] and got["summary"] == want["summary"]


def test_anonymize_equals_cli_json_and_the_parity_row(cli, tmp_path):
    # One CLI run (a debug build takes most of a minute): the document and the release.
    out = tmp_path / "cli.parquet"
    code, stdout, err = cli("anonymize", CSV, "--policy", POLICY, "-o", out, "--json")
    assert code == 0, err
    want = json.loads(stdout)
    mine = tmp_path / "mine.parquet"
    b = reident.anonymize(CSV, policy=POLICY, output=mine)
    # Run time and the output's name are the only differences.
    assert without(b.to_dict(), "seconds", "output") == without(want, "seconds", "output")
    assert b.to_dict()["output"] == str(mine) and want["records_written"] == 28_816
    assert pq.read_table(mine).equals(pq.read_table(out))
    # Without output=, the document is the CLI's without -o, and the table is the release.
    a = reident.anonymize(CSV, policy=POLICY)
    got = a.to_dict()
    assert got["output"] is None and got["records_written"] is None
    assert without(got, "seconds", "output", "records_written") == without(
        want, "seconds", "output", "records_written"
    )
    assert a.table.equals(pq.read_table(out)) and b.table.equals(a.table)
    assert a.table.num_rows == 30_162 - 1_346
    # The parity row: ARX's levels, 1,346 records suppressed, both targets met.
    assert list(a.transformation.values()) == [0, 3, 0, 0, 2, 1, 1, 0]
    assert a.suppressed == 1_346
    assert a.k == 5 and a.highest_risk == 0.2
    assert all(a.verdicts) and a.passed is True


def test_gate_equals_cli_json_and_exit_statuses(cli, tmp_path):
    log = tmp_path / "audit.log"
    for k, status in ((1, 0), (2, 1)):
        code, out, err = cli("gate", PARQUET, "--qi", "sex,age,race", "--k", k, "--json", "--audit-log", log)
        assert code == status, err
        want = json.loads(out)
        g = reident.gate(PARQUET, qi=["sex", "age", "race"], k=k, audit_log=log)
        assert g.passed is (status == 0) and g.exit_code == status and bool(g) is (status == 0)
        got = g.to_dict()
        # Everything but the run's time, place and command line (and so the seal), and the
        # run's place in the audit log: the line after the CLI's.
        assert without(got, "run", "integrity", "audit") == without(want, "run", "integrity", "audit")
        assert got["audit"]["log"] == want["audit"]["log"] == str(log)
        assert got["audit"]["entries_before"] == want["audit"]["entries_before"] + 1
        assert got["run"]["command_line"][0] == "reident.gate"
    # Four runs, four audit lines (two by the CLI, two by Python), one intact chain.
    assert len(log.read_text().splitlines()) == 4
    assert reident.verify(audit_log=log).passed
    # No thresholds: the CLI exits 2, Python raises with the same message.
    code, _, err = cli("gate", PARQUET, "--qi", "sex", "--audit-log", log)
    assert code == 2
    with pytest.raises(reident.ReidentError) as e:
        reident.gate(PARQUET, qi="sex", audit_log=False)
    assert err.strip() == f"reident: error: {e.value}"


@pytest.mark.parametrize(
    "cli_args, call",
    [
        (["analyze", PARQUET, "--qi", "zip"], lambda: reident.analyze(PARQUET, qi=["zip"])),
        (["analyze", "nowhere.parquet", "--qi", "a"], lambda: reident.analyze("nowhere.parquet", qi="a")),
        (["analyze", PARQUET], lambda: reident.analyze(PARQUET)),
        (
            ["analyze", PARQUET, "--qi", "age", "--sampling-fraction", "2"],
            lambda: reident.analyze(PARQUET, qi="age", sampling_fraction=2.0),
        ),
        (
            ["anonymize", CSV, "--qi", "age", "--suppression-limit", "3"],
            lambda: reident.anonymize(CSV, qi="age", suppression_limit=3.0),
        ),
        (["suda", PARQUET, "--qi", "sex", "--dis", "7"], lambda: reident.suda(PARQUET, qi="sex", dis=7.0)),
    ],
)
def test_errors_raise_with_the_cli_message(cli, cli_args, call):
    code, out, err = cli(*cli_args)
    assert code == 2 and out == ""
    with pytest.raises(reident.ReidentError) as e:
        call()
    assert isinstance(e.value, ValueError)
    assert err.strip() == f"reident: error: {e.value}"
    assert "\n" not in str(e.value)


def test_anonymize_with_automatic_hierarchies_equals_the_cli(cli, tmp_path):
    qi = ["sex", "age", "race"]
    code, stdout, err = cli("anonymize", PARQUET, "--qi", ",".join(qi), "--k", "5",
                            "--auto-hierarchies", "--json")
    assert code == 0, err
    want = json.loads(stdout)
    got = reident.anonymize(PARQUET, qi=qi, k=5, auto_hierarchies=True)
    assert without(got.to_dict(), "seconds") == without(want, "seconds")
    built = got.to_dict()["built_hierarchies"]
    assert sorted(h["qi"] for h in built) == sorted(qi)
    # The report folder keeps the hierarchies built, as the CLI's --report does.
    files = got.write_report(tmp_path / "rep", audit_log=False)
    assert len(files) == 3
    kept = sorted(p.name for p in (tmp_path / "rep" / "hierarchies").iterdir())
    assert kept == sorted(f"hierarchy_{q}.csv" for q in qi)
    # One QI's hierarchy chosen from its values, the others' from files.
    one = reident.anonymize(PARQUET, qi=qi, k=5, auto="age",
                            hierarchy={q: str(ADULT / f"hierarchy_{q}.csv") for q in ("sex", "race")})
    assert [h["qi"] for h in one.to_dict()["built_hierarchies"]] == ["age"]


def test_local_suppression_and_microaggregation_equal_the_cli(cli, tmp_path):
    qi = ["sex", "race", "marital-status"]
    out = tmp_path / "cli.parquet"
    code, stdout, err = cli(
        "anonymize", CSV, "--qi", ",".join(qi), "--k", "3", "--no-generalization",
        "--local-suppression", "--importance", "sex=1,race=2,marital-status=3", "--blank", "null",
        "--microaggregate", "age:3", "--microaggregate-measure", "median", "-o", out, "--json",
    )
    assert code == 0, err
    want = json.loads(stdout)
    got = reident.anonymize(
        CSV, qi=qi, k=3, no_generalization=True, local_suppression=True,
        importance={"sex": 1, "race": 2, "marital-status": 3}, blank="null",
        microaggregate="age:3", microaggregate_measure="median",
    )
    d = got.to_dict()
    assert without(d, "seconds", "output", "records_written") == without(
        want, "seconds", "output", "records_written"
    )
    assert got.table.equals(pq.read_table(out))
    local, micro = d["local_suppression"], d["microaggregation"]
    assert local["blank"] == "null" and local["smallest_matched"] >= 3 and local["cells"] > 0
    assert [q["importance"] for q in local["qis"]] == [1, 2, 3]
    assert micro["columns"] == ["age"] and micro["measure"] == "median" and micro["smallest_group"] >= 3
    # Every record is kept: cells are blanked, not records removed.
    assert got.table.num_rows == 30_162
    assert got.table.column("marital-status").null_count == local["qis"][2]["cells"]


def test_sdc_arguments_are_checked():
    with pytest.raises(reident.ReidentError, match="add local_suppression=True"):
        reident.anonymize(CSV, qi="sex,race", importance={"sex": 1, "race": 2})
    with pytest.raises(reident.ReidentError, match=r"expected COL,COL,...:k"):
        reident.anonymize(CSV, qi="sex,race", no_generalization=True, microaggregate="age")
    with pytest.raises(reident.ReidentError, match='blank "zero"'):
        reident.anonymize(CSV, qi="sex,race", local_suppression=True, blank="zero")
    with pytest.raises(reident.ReidentError, match="past the budget of 1e1.*--max-work"):
        reident.anonymize(CSV, qi="sex,race", suppress="sex,race", max_work=10)
    with pytest.raises(reident.ReidentError, match="--max-work"):
        reident.combos(CSV, qi="sex,race,age", max_work=10)
    with pytest.raises(reident.ReidentError, match="--max-work"):
        reident.suda(CSV, qi="sex,race,age", max_work=10)
