"""Result objects: typed headline figures, ``.to_dict()`` (the CLI's ``--json``), reports."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

from ._reident import Outcome

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Verdict:
    """One threshold checked: what is required, the figure it was judged on, and the result."""

    threshold: str
    """What is required, e.g. ``5-anonymity``, ``highest prosecutor risk <= 0.2``."""
    measure: str
    """What the figure is: ``smallest class``, ``highest prosecutor risk``, ..."""
    measured: Optional[float]
    """The figure on this table (the worst class's for per-class thresholds), or ``None``."""
    classes_failing: int
    records_failing: int
    passed: bool

    def __bool__(self) -> bool:
        return self.passed


class Result:
    """What one command computed. Subclasses add the command's headline figures.

    * ``to_dict()``: the document the CLI prints with ``--json`` (a fresh copy each call);
    * ``write_report(dir)``: report.json, report.md and report.html, as ``--report DIR`` writes;
    * ``report()``: the report as a dict, without writing anything;
    * in Jupyter, the result shows a summary of its figures and verdicts.
    """

    _title = "reident"

    def __init__(self, outcome: Outcome, keep: Any = None) -> None:
        self._outcome = outcome
        self._doc: Optional[Dict[str, Any]] = None
        # Whatever must outlive the call (a policy given as a dict lives in a temporary file
        # that the report reads).
        self._keep = keep

    @property
    def _d(self) -> Dict[str, Any]:
        if self._doc is None:
            self._doc = json.loads(self._outcome.json())
        return self._doc

    @property
    def command(self) -> str:
        """The command that ran (``analyze``, ``gate``, ``anonymize``, ...)."""
        return self._outcome.command

    def to_dict(self) -> Dict[str, Any]:
        """The CLI's ``--json`` document of this run, as a dict."""
        return json.loads(self._outcome.json())

    def to_json(self) -> str:
        """The CLI's ``--json`` document of this run, as text."""
        return self._outcome.json()

    @property
    def warnings(self) -> List[str]:
        """What the CLI warns about on stderr (columns that look like direct identifiers)."""
        return list(self._outcome.warnings)

    @property
    def verdicts(self) -> List[Verdict]:
        """One verdict per threshold (target) checked; empty when none was given."""
        return [Verdict(**v) for v in json.loads(self._outcome.verdicts_json())]

    def report(self, show_values: bool = False) -> Dict[str, Any]:
        """The report (the content of report.json) as a dict, sealed, without writing it.

        For an in-memory table the report records the data as ``<arrow stream>`` with the
        table's content hash (see the README); ``reident.verify`` checks it against a file.
        """
        return json.loads(self._outcome.report_json(show_values))

    def write_report(
        self,
        dir: PathLike,
        show_values: bool = False,
        audit_log: Union[PathLike, None, bool] = None,
        force: bool = False,
        sign: Optional[PathLike] = None,
    ) -> List[str]:
        """Writes report.json, report.md and report.html into ``dir``, a new folder, as the
        CLI's ``--report DIR`` does (``force=True`` replaces a folder that holds a report's
        files alone).

        As the CLI, the run is also appended to the audit log: ``audit_log`` names it (default
        ``reports/audit.log``), ``audit_log=False`` writes none. ``sign=KEY`` signs the files
        and the audit line with a minisign secret key (default: ``$REIDENT_SIGNING_KEY``, else
        the policy's ``signing_key``; a protected key's password comes from
        ``$REIDENT_KEY_PASSWORD``). ``show_values=True`` lets the report show QI values of
        small classes (it says so on its first line). Returns the paths of the files written.
        """
        audit = audit_log is not False
        log = None if audit_log is None or audit_log is False or audit_log is True else os.fspath(audit_log)
        key = None if sign is None else os.fspath(sign)
        return self._outcome.write_report(os.fspath(dir), show_values, log, audit, force, key)

    # Jupyter -------------------------------------------------------------------------------

    def _facts(self) -> List[tuple]:
        return []

    def _dataset(self) -> str:
        ds = self._d.get("dataset")
        if isinstance(ds, dict):
            return str(ds.get("path", ""))
        return str(ds or "")

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(
            f"<tr><th style='text-align:left'>{e(str(k))}</th>"
            f"<td style='text-align:right'>{e(_fmt(v))}</td></tr>"
            for k, v in self._facts()
        )
        verdicts = self.verdicts
        vrows = "".join(
            f"<tr><td>{'&#10004; pass' if v.passed else '&#10008; FAIL'}</td>"
            f"<td>{e(v.threshold)}</td><td style='text-align:right'>{e(_fmt(v.measured))}</td></tr>"
            for v in verdicts
        )
        if verdicts:
            overall = "pass" if all(v.passed for v in verdicts) else "FAIL"
            head = f"<p><b>Verdict: {overall}</b> ({sum(v.passed for v in verdicts)} of {len(verdicts)} thresholds met)</p>"
            vtable = f"<table><tr><th></th><th>threshold</th><th>measured</th></tr>{vrows}</table>"
        else:
            head, vtable = "<p>No thresholds given: not assessed.</p>", ""
        warn = "".join(f"<p>&#9888; {e(w)}</p>" for w in self.warnings)
        return (
            f"<div class='reident-result'><h4>{e(self._title)}: {e(self._dataset())}</h4>"
            f"{head}<table>{rows}</table>{vtable}{warn}</div>"
        )

    def __repr__(self) -> str:
        facts = ", ".join(f"{k}={_fmt(v)}" for k, v in self._facts()[:4])
        return f"<{type(self).__name__} {self._dataset()!r}: {facts}>"


def _fmt(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _overall(verdicts: List[Verdict]) -> Optional[bool]:
    return all(v.passed for v in verdicts) if verdicts else None


class AnalyzeResult(Result):
    """The risk profile of a table (``reident analyze``)."""

    _title = "reident analyze"

    def __init__(self, outcome: Outcome, keep: Any = None, record_risk: Any = None) -> None:
        super().__init__(outcome, keep)
        self._record_risk = record_risk

    @property
    def records(self) -> int:
        """Records read (with ``entity=``, the people: classes count people)."""
        return int(self._d["classes"]["records"])

    @property
    def people(self) -> Optional[Dict[str, Any]]:
        """With ``entity=``: the entity column, the signature (``multiset`` or ``set``), the
        people and the rows they have; ``None`` when rows were counted."""
        p = self._d.get("people")
        return None if p is None else dict(p)

    @property
    def classes(self) -> int:
        """Equivalence classes over the quasi-identifiers."""
        return int(self._d["classes"]["classes"])

    @property
    def k(self) -> int:
        """The smallest class: the table is k-anonymous for this k."""
        return int(self._d["classes"]["smallest"])

    @property
    def largest_class(self) -> int:
        return int(self._d["classes"]["largest"])

    @property
    def highest_risk(self) -> float:
        """Highest prosecutor risk (1 / the smallest class)."""
        return float(self._d["prosecutor"]["highest"])

    @property
    def average_risk(self) -> float:
        """Average prosecutor risk over the records."""
        return float(self._d["prosecutor"]["average"])

    @property
    def sample_uniques(self) -> int:
        """Records alone in their class."""
        return int(self._d["sample_uniques"]["records"])

    @property
    def sample_uniqueness(self) -> float:
        """Share of records alone in their class."""
        return float(self._d["sample_uniques"]["share"])

    @property
    def population_size(self) -> Optional[int]:
        p = self._d.get("population") or {}
        return None if p.get("size") is None else int(p["size"])

    @property
    def population_uniqueness(self) -> Optional[float]:
        """Estimated population uniqueness (Dankar et al.'s choice of model), if estimated."""
        pu = self._d.get("population_uniqueness") or {}
        est = (pu.get("dankar") or {}).get("estimate") or {}
        share = est.get("share")
        return None if share is None else float(share)

    @property
    def passed(self) -> Optional[bool]:
        """Whether every threshold given holds (``None`` when none was given)."""
        return _overall(self.verdicts)

    @property
    def record_risk(self) -> Any:
        """Per-record risk as a ``pyarrow.Table`` (row, class size, risks; no values), when
        asked for with ``record_risk=True`` (or a path); else ``None``."""
        return self._record_risk

    def _facts(self) -> List[tuple]:
        return [
            ("records", self.records),
            ("classes", self.classes),
            ("smallest class (k)", self.k),
            ("highest prosecutor risk", self.highest_risk),
            ("average prosecutor risk", self.average_risk),
            ("sample uniques", self.sample_uniques),
            ("sample uniqueness", self.sample_uniqueness),
            ("population uniqueness (estimated)", self.population_uniqueness),
        ]


class GateResult(Result):
    """A gate (``reident gate``): every threshold checked; ``passed`` is the CLI's exit status
    (``True``: 0, ``False``: 1; an error raises ``ReidentError``, the CLI's 2). Its
    ``to_dict()`` is the report, as ``gate --json`` prints it."""

    _title = "reident gate"

    @property
    def passed(self) -> bool:
        """Whether every threshold holds."""
        return bool(self._outcome.passed)

    @property
    def exit_code(self) -> int:
        """The CLI's exit status: 0 when every threshold holds, 1 otherwise."""
        return 0 if self.passed else 1

    def __bool__(self) -> bool:
        return self.passed

    def _dataset(self) -> str:
        return str(self._d["dataset"]["path"])

    def _facts(self) -> List[tuple]:
        a = self._d["figures"]["analysis"]
        return [
            ("records", a["classes"]["records"]),
            ("classes", a["classes"]["classes"]),
            ("smallest class (k)", a["classes"]["smallest"]),
            ("highest prosecutor risk", a["prosecutor"]["highest"]),
            ("average prosecutor risk", a["prosecutor"]["average"]),
        ]


class AnonymizeResult(Result):
    """The optimal generalization with suppression (``reident anonymize``), and the release."""

    _title = "reident anonymize"

    def __init__(self, outcome: Outcome, keep: Any = None, table: Any = None) -> None:
        super().__init__(outcome, keep)
        self._table = table

    @property
    def table(self) -> Any:
        """The transformed data as a ``pyarrow.Table``: what ``-o FILE.parquet`` writes."""
        if self._table is None:
            raise _error(
                "the release was written as CSV; read that file, or give output= a .parquet name"
            )
        return self._table

    def to_pandas(self) -> Any:
        """The transformed data as a pandas DataFrame (pandas must be installed)."""
        return self.table.to_pandas()

    def to_polars(self) -> Any:
        """The transformed data as a polars DataFrame (polars must be installed)."""
        import polars

        return polars.from_arrow(self.table)

    @property
    def transformation(self) -> Dict[str, int]:
        """The generalization level of each quasi-identifier."""
        return {t["qi"]: int(t["level"]) for t in self._d["transformation"]}

    @property
    def suppressed(self) -> int:
        """Records suppressed."""
        return int(self._d["best"]["suppressed"])

    @property
    def records(self) -> int:
        """Records before the transformation."""
        return int(self._d["before_records"])

    @property
    def classes(self) -> int:
        """Classes after the transformation (suppressed ones excluded)."""
        return int(self._d["after"]["classes"])

    @property
    def k(self) -> int:
        """The smallest class after the transformation."""
        return int(self._d["after"]["smallest_class"])

    @property
    def highest_risk(self) -> float:
        return float(self._d["after"]["highest_prosecutor_risk"])

    @property
    def average_risk(self) -> float:
        return float(self._d["after"]["average_prosecutor_risk"])

    @property
    def loss(self) -> float:
        """The utility metric's value of the chosen transformation."""
        return float(self._d["best"]["loss"])

    @property
    def optimal(self) -> bool:
        """Whether the search was exhaustive (proven optimal) rather than heuristic."""
        return bool(self._d["optimal"])

    @property
    def passed(self) -> Optional[bool]:
        return _overall(self.verdicts)

    def _facts(self) -> List[tuple]:
        return [
            ("transformation", ", ".join(f"{q}:{l}" for q, l in self.transformation.items())),
            ("records before", self.records),
            ("suppressed", self.suppressed),
            ("classes after", self.classes),
            ("smallest class after (k)", self.k),
            ("highest prosecutor risk after", self.highest_risk),
            ("average prosecutor risk after", self.average_risk),
            ("loss", self.loss),
            ("optimal", self.optimal),
        ]


class CombosResult(Result):
    """Which combinations of quasi-identifiers single people out (``reident combos``)."""

    _title = "reident combos"

    @property
    def subsets(self) -> List[Dict[str, Any]]:
        """Every subset measured: its QIs, classes, k, sample uniques, uniqueness, ..."""
        return list(self._d["combos"]["subsets"])

    @property
    def all(self) -> Dict[str, Any]:
        """The figures of all the QIs together."""
        return dict(self._d["combos"]["all"])

    @property
    def marginal(self) -> List[Dict[str, Any]]:
        """Each QI's contribution: the uniqueness without it."""
        return list(self._d["combos"]["marginal"])

    @property
    def records(self) -> int:
        return int(self._d["dataset"]["records"])

    def _facts(self) -> List[tuple]:
        a = self.all
        return [
            ("records", self.records),
            ("subsets", len(self.subsets)),
            ("uniqueness (all QIs)", a.get("uniqueness")),
            ("k (all QIs)", a.get("k")),
        ]


class SudaResult(Result):
    """Minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores (``reident suda``)."""

    _title = "reident suda"

    def __init__(self, outcome: Outcome, keep: Any = None, record_risk: Any = None) -> None:
        super().__init__(outcome, keep)
        self._record_risk = record_risk

    @property
    def msus(self) -> int:
        """Minimal sample uniques found."""
        return int(self._d["summary"]["msus"])

    @property
    def records_with_msu(self) -> int:
        return int(self._d["summary"]["records_with_msu"])

    @property
    def riskiest_records(self) -> List[Dict[str, Any]]:
        """The riskiest records by row number (never values)."""
        return list(self._d["riskiest_records"])

    @property
    def record_risk(self) -> Any:
        """Per-record SUDA scores as a ``pyarrow.Table``, when asked for; else ``None``."""
        return self._record_risk

    def _facts(self) -> List[tuple]:
        s = self._d["summary"]
        return [
            ("records", s["records"]),
            ("MSUs", s["msus"]),
            ("records with an MSU", s["records_with_msu"]),
            ("highest SUDA score", s["max_score"]),
        ]


class ScanResult(Result):
    """Which columns look like HIPAA Safe Harbor identifiers (``reident scan``)."""

    _title = "reident scan"

    @property
    def columns(self) -> List[Dict[str, Any]]:
        """Every column's findings (evidence, category, suggested role), never its values."""
        return list(self._d["columns"])

    @property
    def identifying(self) -> List[str]:
        """Columns flagged as direct identifiers (what ``--fail-on-identifying`` fails on)."""
        return list(self._d["summary"]["identifying"])

    @property
    def quasi_identifiers(self) -> List[str]:
        return list(self._d["summary"]["quasi_identifiers"])

    def _facts(self) -> List[tuple]:
        s = self._d["summary"]
        return [
            ("direct identifiers", ", ".join(s["identifying"]) or "none"),
            ("quasi-identifiers", ", ".join(s["quasi_identifiers"]) or "none"),
            ("sensitive", ", ".join(s["sensitive"]) or "none"),
            ("to review", ", ".join(s["review"]) or "none"),
        ]


class SafeHarborResult(Result):
    """The HIPAA Safe Harbor transformations applied (``reident safe-harbor``)."""

    _title = "reident safe-harbor"

    @property
    def output(self) -> str:
        """The file written."""
        return str(self._d["output"])

    def _dataset(self) -> str:
        return str(self._d.get("input", ""))

    def _facts(self) -> List[tuple]:
        return [("output", self._d.get("output")), ("records", self._d.get("records"))]


class VerifyResult(Result):
    """A report's checks (``reident verify``): ``passed`` is the CLI's exit status 0."""

    _title = "reident verify"

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return bool(self._outcome.passed)

    @property
    def checks(self) -> List[Dict[str, Any]]:
        """Every check: item, ok, detail."""
        return list(self._d["checks"])

    @property
    def assurance(self) -> str:
        """What the checks vouch for (re-run on the data, integrity only, signature by key
        ...): the last line of ``reident verify``."""
        return str(self._d.get("assurance", ""))

    def __bool__(self) -> bool:
        return self.passed

    def _dataset(self) -> str:
        return ""

    def _facts(self) -> List[tuple]:
        return [(c["item"], ("ok: " if c["ok"] else "FAILED: ") + c["detail"]) for c in self.checks]


def _error(message: str) -> Exception:
    from ._reident import ReidentError

    return ReidentError(message)
