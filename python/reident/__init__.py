"""reident: re-identification risk analysis for microdata, from Python.

The commands of the ``reident`` command line as functions, on the same Rust engine:

* :func:`analyze`: the risk profile (classes, k-anonymity, prosecutor / journalist / marketer
  risk, sample and population uniqueness, l-diversity, t-closeness) and verdicts;
* :func:`gate`: thresholds checked, ``result.passed`` (a pipeline step);
* :func:`anonymize`: the optimal generalization with suppression, and the release as a
  ``pyarrow.Table``;
* :func:`combos` and :func:`suda`: which combinations of QIs single people out;
* :func:`scan` and :func:`safe_harbor`: HIPAA Safe Harbor identifiers found and removed;
* :func:`verify`: a report's integrity, and its figures re-run from the data.

Data is a Parquet or CSV path, any object that exports an Arrow C stream
(``__arrow_c_stream__``: a pyarrow Table or RecordBatchReader, a polars DataFrame, a DuckDB
relation), read in place without copying its columns, or a pandas DataFrame (through pyarrow).
Keyword arguments are named as the CLI's flags (``--max-risk`` is ``max_risk=``); results have
typed headline figures, ``.to_dict()`` (the CLI's ``--json`` document) and
``.write_report(dir)``. Errors raise :class:`ReidentError` (a ``ValueError``) with the CLI's
one-line message.

Example::

    import reident
    r = reident.analyze("adult.parquet", qi=["sex", "age", "race"])
    r.k, r.average_risk, r.sample_uniques
"""

from ._reident import ReidentError, __version__
from ._api import (
    ReidentWarning,
    analyze,
    anonymize,
    combos,
    gate,
    safe_harbor,
    scan,
    suda,
    verify,
)
from ._results import (
    AnalyzeResult,
    AnonymizeResult,
    CombosResult,
    GateResult,
    Result,
    SafeHarborResult,
    ScanResult,
    SudaResult,
    Verdict,
    VerifyResult,
)

__all__ = [
    "ReidentError",
    "ReidentWarning",
    "__version__",
    "analyze",
    "anonymize",
    "combos",
    "gate",
    "safe_harbor",
    "scan",
    "suda",
    "verify",
    "Result",
    "AnalyzeResult",
    "AnonymizeResult",
    "CombosResult",
    "GateResult",
    "SafeHarborResult",
    "ScanResult",
    "SudaResult",
    "Verdict",
    "VerifyResult",
]
