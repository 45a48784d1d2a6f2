"""The commands, as functions. Keyword arguments are named as the CLI's flags (``--max-risk``
is ``max_risk=``); each function returns a result object (see ``reident._results``)."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import warnings as _warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _reident
from ._results import (
    AnalyzeResult,
    AnonymizeResult,
    CombosResult,
    GateResult,
    SafeHarborResult,
    ScanResult,
    SudaResult,
    VerifyResult,
)

PathLike = Union[str, "os.PathLike[str]"]
Names = Union[str, Sequence[str]]
Pairs = Union[Mapping[str, Any], Sequence[str]]
Policy = Union[PathLike, Mapping[str, Any]]


class ReidentWarning(UserWarning):
    """A warning reident gives (the CLI prints it on stderr): a column read as a quasi-identifier
    or sensitive attribute looks like a direct identifier, and so on."""


# -- data in -------------------------------------------------------------------------------------


def _is_pandas(data: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(data, pd.DataFrame)


def _data(data: Any) -> Tuple[Any, str]:
    """What the native module reads (a path, or an object with ``__arrow_c_stream__``), and how
    the call names it."""
    if data is None:
        return None, "None"
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        return path, repr(path)
    if _is_pandas(data):
        # Through pyarrow, without the index (a RangeIndex is no column of the data).
        import pyarrow

        try:
            return pyarrow.Table.from_pandas(data, preserve_index=False), "<pandas DataFrame>"
        except (pyarrow.ArrowException, ValueError, TypeError) as e:
            # pyarrow's message may quote a value: name the column only.
            m = re.search(r"for column (.+?) with type", str(e))
            column = f" column {m.group(1)!r}" if m else " a column"
            raise _reident.ReidentError(
                f"<pandas DataFrame>:{column} cannot be converted to Arrow (mixed types in an "
                "object column?): give it one type, e.g. df[col].astype(str)"
            ) from None
    if hasattr(data, "__arrow_c_stream__"):
        return data, "<arrow stream>"
    raise TypeError(
        "data: expected a path (str or os.PathLike), an object with __arrow_c_stream__ "
        "(pyarrow Table or RecordBatchReader, polars DataFrame, DuckDB relation) or a pandas "
        f"DataFrame, got {type(data).__name__}"
        + (" (collect() a LazyFrame first)" if type(data).__name__ == "LazyFrame" else "")
    )


def _policy(policy: Optional[Policy], keep: List[Any]) -> Optional[str]:
    """A policy path; a dict is written to a temporary file that lives as long as the result
    (its report records the policy's content and hash). A relative hierarchy folder in a dict
    is taken from the current directory, as every other relative path of a call."""
    if policy is None or isinstance(policy, (str, os.PathLike)):
        return None if policy is None else os.fspath(policy)
    if not isinstance(policy, Mapping):
        raise TypeError("policy: expected a path or a dict")
    content = json.loads(json.dumps(policy))
    an = content.get("anonymization")
    if isinstance(an, dict) and isinstance(an.get("hierarchies"), str):
        an["hierarchies"] = os.path.abspath(an["hierarchies"])
    tmp = tempfile.TemporaryDirectory(prefix="reident-policy-")
    keep.append(tmp)
    path = os.path.join(tmp.name, "policy.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(content, f, indent=2)
    return path


def _call(
    command: str,
    data: Any,
    kwargs: Dict[str, Any],
    threads: Optional[int],
    keep: Optional[List[Any]] = None,
) -> Tuple[Any, List[Any]]:
    keep = [] if keep is None else keep
    native, shown = _data(data)
    if native is not None and not isinstance(native, str):
        # The imported batches refer to the producer's buffers: keep the object alive with
        # the result (pyarrow frees them when the last reference goes).
        keep.append(native)
    args = {k: v for k, v in kwargs.items() if v is not None}
    if "policy" in args:
        args["policy"] = _policy(args["policy"], keep)
    call = [f"reident.{command}", f"data={shown}"] + [
        f"{k}={_show(v)}"
        for k, v in kwargs.items()
        if v is not None and v is not False and not k.startswith("_")
    ]
    outcome = _reident.run(command, native, args, call, threads)
    for w in outcome.warnings:
        _warnings.warn(w, ReidentWarning, stacklevel=3)
    return outcome, keep


def _show(v: Any) -> str:
    if isinstance(v, os.PathLike):
        return repr(os.fspath(v))
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _read_parquet(path: str) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def _record_risk(
    record_risk: Union[bool, PathLike, None],
) -> Tuple[Optional[str], Optional[tempfile.TemporaryDirectory]]:
    """Where per-record risks go: a path as given, or with ``True`` a file in a temporary
    folder, read back into a table and removed (the outcome then records no file)."""
    if record_risk is None or record_risk is False:
        return None, None
    if record_risk is True:
        d = tempfile.TemporaryDirectory(prefix="reident-")
        return os.path.join(d.name, "record_risk.parquet"), d
    return os.fspath(record_risk), None


def _read_back(path: Optional[str], tmp: Optional[tempfile.TemporaryDirectory]) -> Any:
    """The Parquet file a run wrote, as a ``pyarrow.Table`` (in memory); a temporary folder
    is removed once read."""
    try:
        return None if path is None else _read_parquet(path)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _population_kwargs(
    sampling_fraction: Optional[float],
    population: Union[int, str, None],
    population_table: Optional[PathLike],
    population_count: Optional[str],
    snb: Optional[str],
) -> Dict[str, Any]:
    return dict(
        sampling_fraction=sampling_fraction,
        population=population,
        population_table=population_table,
        population_count=population_count,
        snb=snb,
    )


# -- the commands --------------------------------------------------------------------------------


def analyze(
    data: Any = None,
    *,
    qi: Optional[Names] = None,
    sensitive: Optional[Names] = None,
    identifying: Optional[Names] = None,
    weight: Optional[str] = None,
    entity: Optional[str] = None,
    entity_signature: Optional[str] = None,
    missing: Optional[str] = None,
    policy: Optional[Policy] = None,
    classes: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    sampling_fraction: Optional[float] = None,
    population: Union[int, str, None] = None,
    population_table: Optional[PathLike] = None,
    population_count: Optional[str] = None,
    snb: Optional[str] = None,
    k: Optional[int] = None,
    l_diversity: Optional[Names] = None,
    t_closeness: Optional[Names] = None,
    preset: Optional[Names] = None,
    max_risk: Optional[float] = None,
    max_average_risk: Optional[float] = None,
    max_population_uniqueness: Optional[float] = None,
    l: Optional[int] = None,  # noqa: E741 (the CLI's --l)
    c: Optional[float] = None,
    t: Optional[float] = None,
    sensitive_hierarchy: Optional[Pairs] = None,
    hierarchies: Optional[PathLike] = None,
    record_risk: Union[bool, PathLike, None] = None,
    no_scan: bool = False,
    threads: Optional[int] = None,
    progress: bool = False,
) -> AnalyzeResult:
    """The re-identification risk of a table over its quasi-identifiers (``reident analyze``).

    Equivalence classes, k-anonymity, prosecutor, journalist and marketer risk, sample and
    population uniqueness, l-diversity and t-closeness of the sensitive attributes, and one
    verdict per threshold given.

    Args:
        data: a Parquet or CSV file (path), an object with ``__arrow_c_stream__`` (pyarrow
            Table or RecordBatchReader, polars DataFrame, DuckDB relation: read in place, no
            copy of the columns), or a pandas DataFrame (converted through pyarrow).
        qi: the quasi-identifiers (a list, or one comma-separated str).
        sensitive: sensitive attributes (l-diversity, t-closeness).
        identifying: direct identifiers: listed, never analysed.
        weight: a sampling-weight column (the weighted individual risk).
        entity: the column that identifies the person (patient id, member id, pseudonym)
            when a person can have several rows: classes then count people, and a person's
            quasi-identifier is the collection of their rows' QI tuples (the figures give
            both people and rows).
        entity_signature: with ``entity``, a person's rows as a ``"multiset"`` (repeats
            count; the default) or a ``"set"`` (repeats ignored).
        missing: ``"value"`` (a missing or suppressed QI value is one value, the default) or
            ``"wildcard"`` (it matches every value: class sizes as matched records).
        policy: a policy file (JSON) or the same content as a dict; arguments given here
            replace its lists and thresholds.
        classes: a class table (from ``reident classes`` or an engine's query) in place of
            ``data``: the same figures, without per-record outputs.
        delimiter: the CSV delimiter (default: detected from the header line).
        sampling_fraction, population, population_table, population_count, snb: the
            population behind the sample (at most one of the first three; ``population`` is a
            number or a region name such as ``"usa"``); ``snb="published"`` for the published
            SNB formulas instead of ARX's.
        k, l_diversity, t_closeness, preset, max_risk, max_average_risk,
            max_population_uniqueness: thresholds to check (``l_diversity`` as
            ``"COLUMN:distinct:L"``, ``t_closeness`` as ``"COLUMN:equal:T"``, ``preset`` as
            ``"k11-cms"``, ``"risk-0.09"``, ...).
        l, c, t: the l, c and t the l-diversity and t-closeness figures are reported against.
        sensitive_hierarchy: hierarchies of sensitive columns, ``{column: file}``.
        hierarchies: a folder of ``hierarchy_<column>.csv`` files.
        record_risk: ``True`` for the per-record risks as a table (``result.record_risk``), or
            a path to write them to (Parquet) as ``--record-risk`` does.
        no_scan: do not check the columns read for direct identifiers.
        threads: worker threads (default: one per core); the figures do not depend on it.
        progress: show progress bars on stderr.

    Returns:
        AnalyzeResult: ``.records``, ``.classes``, ``.k``, ``.highest_risk``,
        ``.average_risk``, ``.sample_uniques``, ``.sample_uniqueness``,
        ``.population_uniqueness``, ``.verdicts``, ``.passed``, ``.record_risk``;
        ``.to_dict()`` is ``reident analyze --json``.

    Raises:
        ReidentError: bad input (a missing column, an unreadable or empty table, ...), with
            the CLI's message.
    """
    rr, tmp = _record_risk(record_risk)
    kwargs = dict(
        qi=qi, sensitive=sensitive, identifying=identifying, weight=weight, entity=entity,
        entity_signature=entity_signature, missing=missing, policy=policy, classes=classes,
        delimiter=delimiter,
        **_population_kwargs(sampling_fraction, population, population_table, population_count, snb),
        k=k, l_diversity=l_diversity, t_closeness=t_closeness, preset=preset, max_risk=max_risk,
        max_average_risk=max_average_risk, max_population_uniqueness=max_population_uniqueness,
        l=l, c=c, t=t, sensitive_hierarchy=sensitive_hierarchy, hierarchies=hierarchies,
        record_risk=rr, no_scan=no_scan, progress=progress, _hide_record_risk=tmp is not None,
    )
    try:
        outcome, keep = _call("analyze", data, kwargs, threads)
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    return AnalyzeResult(outcome, keep, _read_back(rr, tmp))


def gate(
    data: Any = None,
    *,
    qi: Optional[Names] = None,
    sensitive: Optional[Names] = None,
    identifying: Optional[Names] = None,
    weight: Optional[str] = None,
    entity: Optional[str] = None,
    entity_signature: Optional[str] = None,
    missing: Optional[str] = None,
    policy: Optional[Policy] = None,
    classes: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    sampling_fraction: Optional[float] = None,
    population: Union[int, str, None] = None,
    population_table: Optional[PathLike] = None,
    population_count: Optional[str] = None,
    snb: Optional[str] = None,
    k: Optional[int] = None,
    l_diversity: Optional[Names] = None,
    t_closeness: Optional[Names] = None,
    preset: Optional[Names] = None,
    max_risk: Optional[float] = None,
    max_average_risk: Optional[float] = None,
    max_population_uniqueness: Optional[float] = None,
    l: Optional[int] = None,  # noqa: E741
    c: Optional[float] = None,
    t: Optional[float] = None,
    sensitive_hierarchy: Optional[Pairs] = None,
    hierarchies: Optional[PathLike] = None,
    no_scan: bool = False,
    report: Optional[PathLike] = None,
    show_values: bool = False,
    audit_log: Union[PathLike, None, bool] = None,
    force: bool = False,
    sign: Optional[PathLike] = None,
    threads: Optional[int] = None,
    progress: bool = False,
) -> GateResult:
    """Checks a table against thresholds, as a pipeline step (``reident gate``).

    The data is checked as it is (no generalization, no suppression). Every threshold gets one
    verdict; ``result.passed`` is ``True`` when every one holds (the CLI's exit status 0) and
    ``False`` when one fails (status 1). When the check cannot be made (no thresholds, a
    missing column, ...) ``ReidentError`` is raised (status 2): never a pass.

    Takes the arguments of :func:`analyze` (the thresholds come from the policy or from
    ``k``, ``max_risk``, ...). Like the CLI, every gate appends a line to the audit log
    (``audit_log``, default ``reports/audit.log``; ``audit_log=False`` for none), and with
    ``report=DIR`` writes the report there (a new folder: ``force=True`` replaces one that
    holds a report's files alone). ``sign=KEY`` signs the report and its audit line with a
    minisign secret key (default: ``$REIDENT_SIGNING_KEY``, else the policy's
    ``signing_key``; a protected key's password comes from ``$REIDENT_KEY_PASSWORD``).
    ``entity=`` counts people, as in :func:`analyze`. ``result.to_dict()`` is the report, as
    ``reident gate --json`` prints it.
    """
    kwargs = dict(
        qi=qi, sensitive=sensitive, identifying=identifying, weight=weight, entity=entity,
        entity_signature=entity_signature, missing=missing, policy=policy, classes=classes,
        delimiter=delimiter,
        **_population_kwargs(sampling_fraction, population, population_table, population_count, snb),
        k=k, l_diversity=l_diversity, t_closeness=t_closeness, preset=preset, max_risk=max_risk,
        max_average_risk=max_average_risk, max_population_uniqueness=max_population_uniqueness,
        l=l, c=c, t=t, sensitive_hierarchy=sensitive_hierarchy, hierarchies=hierarchies,
        no_scan=no_scan, report=report, show_values=show_values, force=force, sign=sign,
        progress=progress,
    )
    kwargs["_audit"] = audit_log is not False
    if audit_log is not None and not isinstance(audit_log, bool):
        kwargs["audit_log"] = audit_log
    outcome, keep = _call("gate", data, kwargs, threads)
    return GateResult(outcome, keep)


def anonymize(
    data: Any = None,
    *,
    qi: Optional[Names] = None,
    sensitive: Optional[Names] = None,
    identifying: Optional[Names] = None,
    entity: Optional[str] = None,
    entity_signature: Optional[str] = None,
    keep_entity: bool = False,
    policy: Optional[Policy] = None,
    classes: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    hierarchies: Optional[PathLike] = None,
    hierarchy: Optional[Pairs] = None,
    interval: Optional[Pairs] = None,
    mask: Optional[Pairs] = None,
    date: Optional[Pairs] = None,
    suppress: Optional[Names] = None,
    auto: Optional[Names] = None,
    auto_hierarchies: bool = False,
    k: Optional[int] = None,
    l_diversity: Optional[Names] = None,
    t_closeness: Optional[Names] = None,
    preset: Optional[Names] = None,
    max_risk: Optional[float] = None,
    max_average_risk: Optional[float] = None,
    max_population_uniqueness: Optional[float] = None,
    suppression_limit: Optional[float] = None,
    heuristic: bool = False,
    time_limit: Optional[float] = None,
    sampling_fraction: Optional[float] = None,
    population: Union[int, str, None] = None,
    population_table: Optional[PathLike] = None,
    population_count: Optional[str] = None,
    snb: Optional[str] = None,
    metric: Optional[str] = None,
    top: Optional[int] = None,
    output: Optional[PathLike] = None,
    suppressed: Optional[str] = None,
    local_suppression: bool = False,
    importance: Optional[Pairs] = None,
    blank: Optional[str] = None,
    microaggregate: Optional[str] = None,
    microaggregate_measure: Optional[str] = None,
    no_generalization: bool = False,
    max_work: Optional[float] = None,
    no_scan: bool = False,
    threads: Optional[int] = None,
    progress: bool = False,
) -> AnonymizeResult:
    """The optimal generalization with suppression that meets the targets (``reident
    anonymize``), and the transformed data.

    Args:
        data, qi, sensitive, identifying, policy, classes, delimiter: as in :func:`analyze`
            (identifying columns are dropped from the output).
        entity, entity_signature: as in :func:`analyze`: the targets hold for people, the
            suppression limit is a share of people, and every record of a suppressed person
            is suppressed.
        keep_entity: write the entity column to the output (it is dropped otherwise, unless
            ``safe_harbor`` pseudonymized it).
        hierarchies: a folder of ``hierarchy_<column>.csv`` files (ARX format), one per QI.
        hierarchy: a QI's hierarchy file, ``{column: file}``.
        interval, mask, date: hierarchies built from the values, ``{column: spec}``:
            ``{"age": "5,10,20@18..90"}``, ``{"zip": "1,2,3,5"}``,
            ``{"visit": "month,year,5y"}``.
        suppress: QIs generalized only by suppression (the value, then ``*``).
        auto: QIs whose hierarchy is chosen from their values (intervals, dates, masks or
            suppression); ``auto_hierarchies=True`` for every QI left without one. The
            hierarchies built are listed in the figures with their SHA-256, and
            ``write_report`` keeps them in the report folder's ``hierarchies/``.
        k, l_diversity, t_closeness, preset, max_risk, max_average_risk,
            max_population_uniqueness: the targets (default: the policy's, else 2-anonymity).
        suppression_limit: the share of records that may be suppressed (0 to 1).
        heuristic, time_limit: use the heuristic search, and its time budget in seconds.
        sampling_fraction, population, population_table, population_count, snb: the
            population (for a population-uniqueness target).
        metric: ``"loss"`` (default), ``"loss-rank"``, ``"discernibility"``, ``"aecs"``,
            ``"precision"`` or ``"entropy"``.
        top: list the N best transformations that meet the targets.
        output: also write the transformed data to this file (``.parquet`` or ``.csv``).
        suppressed: ``"remove"`` (default) or ``"star"`` (keep the records, QIs as ``*``).
        local_suppression: keep the records of classes that fail, with the fewest QI cells
            blanked (a blank matches every value) so that every record is matched by k
            records, as sdcMicro's ``localSuppression``; ``importance`` ranks the QIs
            (``{qi: rank}``, 1 = most important, blanked last; default: more distinct values,
            less important), ``blank`` is ``"star"`` (default) or ``"null"``.
        microaggregate: ``"COL,COL,...:k"``: replace these numeric columns by MDAV group
            means (``microaggregate_measure="median"`` for medians), groups of k to 2k - 1.
        no_generalization: keep every QI as it is (no hierarchies): local suppression or
            microaggregation alone.
        max_work: the work budget (default 1e11): a run estimated past it is refused before
            it starts.
        no_scan, threads, progress: as in :func:`analyze`.

    Returns:
        AnonymizeResult: ``.table`` (a ``pyarrow.Table``: the release, as ``-o FILE.parquet``
        writes it; ``.to_pandas()``, ``.to_polars()``), ``.transformation``,
        ``.suppressed``, ``.k``, ``.highest_risk``, ``.loss``, ``.verdicts``;
        ``.to_dict()`` is ``reident anonymize --json``.
    """
    tmp: Optional[tempfile.TemporaryDirectory] = None
    out = None if output is None else os.fspath(output)
    if out is None:
        # The release goes to a temporary Parquet file, read back as the table and removed.
        tmp = tempfile.TemporaryDirectory(prefix="reident-")
        out = os.path.join(tmp.name, "release.parquet")
    kwargs = dict(
        qi=qi, sensitive=sensitive, identifying=identifying, entity=entity,
        entity_signature=entity_signature, keep_entity=keep_entity, policy=policy,
        classes=classes, delimiter=delimiter, hierarchies=hierarchies, hierarchy=hierarchy, interval=interval,
        mask=mask, date=date, suppress=suppress, auto=auto, auto_hierarchies=auto_hierarchies, k=k, l_diversity=l_diversity,
        t_closeness=t_closeness, preset=preset, max_risk=max_risk,
        max_average_risk=max_average_risk, max_population_uniqueness=max_population_uniqueness,
        suppression_limit=suppression_limit, heuristic=heuristic, time_limit=time_limit,
        **_population_kwargs(sampling_fraction, population, population_table, population_count, snb),
        metric=metric, top=top, output=out if tmp is None else None, suppressed=suppressed,
        local_suppression=local_suppression, importance=importance, blank=blank,
        microaggregate=microaggregate, microaggregate_measure=microaggregate_measure,
        no_generalization=no_generalization, max_work=max_work,
        no_scan=no_scan, progress=progress,
    )
    if tmp is not None:
        kwargs["_output"] = out
    try:
        outcome, keep = _call("anonymize", data, kwargs, threads)
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    parquet = out.lower().endswith((".parquet", ".pq"))
    return AnonymizeResult(outcome, keep, _read_back(out, tmp) if parquet else None)


def combos(
    data: Any = None,
    *,
    qi: Optional[Names] = None,
    entity: Optional[str] = None,
    entity_signature: Optional[str] = None,
    policy: Optional[Policy] = None,
    classes: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    max_size: Optional[int] = None,
    threshold: Optional[str] = None,
    max_work: Optional[float] = None,
    sampling_fraction: Optional[float] = None,
    population: Union[int, str, None] = None,
    population_table: Optional[PathLike] = None,
    population_count: Optional[str] = None,
    snb: Optional[str] = None,
    threads: Optional[int] = None,
    progress: bool = False,
) -> CombosResult:
    """Which combinations of quasi-identifiers single people out (``reident combos``): every
    subset's classes, k, sample uniques, distinction and separation, and each QI's marginal
    contribution.

    Args:
        data, qi, entity, entity_signature, policy, classes, delimiter: as in
            :func:`analyze` (with ``entity``, subsets count people).
        max_size: the largest subset (default: all subsets up to 12 QIs, otherwise 4).
        threshold: per-size thresholds ``"SIZE:K,..."``: flag subsets of that size whose
            smallest class is at most K.
        max_work: the work budget (default 1e11, subsets x classes): a run estimated past
            it is refused before it starts.
        sampling_fraction, population, population_table, population_count, snb: the
            population, for each subset's estimated population uniqueness.
        threads, progress: as in :func:`analyze`.

    Returns:
        CombosResult: ``.subsets``, ``.all``, ``.marginal``; ``.to_dict()`` is
        ``reident combos --json``.
    """
    kwargs = dict(
        qi=qi, entity=entity, entity_signature=entity_signature, policy=policy,
        classes=classes, delimiter=delimiter, max_size=max_size, threshold=threshold,
        max_work=max_work,
        **_population_kwargs(sampling_fraction, population, population_table, population_count, snb),
        progress=progress,
    )
    outcome, keep = _call("combos", data, kwargs, threads)
    return CombosResult(outcome, keep)


def suda(
    data: Any = None,
    *,
    qi: Optional[Names] = None,
    entity: Optional[str] = None,
    entity_signature: Optional[str] = None,
    policy: Optional[Policy] = None,
    classes: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    max_size: Optional[int] = None,
    max_work: Optional[float] = None,
    dis_fraction: Optional[float] = None,
    dis_linear: Optional[float] = None,
    dis: Optional[float] = None,
    top: Optional[int] = None,
    record_risk: Union[bool, PathLike, None] = None,
    threads: Optional[int] = None,
    progress: bool = False,
) -> SudaResult:
    """Minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores per record (``reident suda``).

    Args:
        data, qi, policy, classes, delimiter: as in :func:`analyze` (``entity`` is refused:
            SUDA is defined on records).
        max_size: the largest MSU searched (default: the number of QIs).
        max_work: the work budget (default 1e11): a run estimated past it is refused before
            it starts.
        dis_fraction: DIS-SUDA as sdcMicro computes it, from this sampling fraction (its
            DisFraction; the default, 0.01).
        dis_linear: DIS-SUDA as a file-level DIS probability spread linearly over the records
            with an MSU instead (``dis=`` is the same, as the CLI's ``--dis``).
        top: the riskiest records listed, by row number (default 10).
        record_risk: ``True`` for every record's scores as a table (``result.record_risk``),
            or a path to write them to (Parquet).
        threads, progress: as in :func:`analyze`.

    Returns:
        SudaResult: ``.msus``, ``.records_with_msu``, ``.riskiest_records``,
        ``.record_risk``; ``.to_dict()`` is ``reident suda --json``.
    """
    rr, tmp = _record_risk(record_risk)
    kwargs = dict(
        qi=qi, entity=entity, entity_signature=entity_signature, policy=policy,
        classes=classes, delimiter=delimiter, max_size=max_size, max_work=max_work,
        dis_fraction=dis_fraction,
        dis_linear=dis_linear, dis=dis,
        top=top, record_risk=rr, progress=progress, _hide_record_risk=tmp is not None,
    )
    try:
        outcome, keep = _call("suda", data, kwargs, threads)
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    return SudaResult(outcome, keep, _read_back(rr, tmp))


def scan(
    data: Any,
    *,
    sample: Optional[int] = None,
    rules: Optional[PathLike] = None,
    delimiter: Optional[str] = None,
    threads: Optional[int] = None,
) -> ScanResult:
    """Which columns look like HIPAA Safe Harbor identifiers (names, SSNs, dates, ZIP codes,
    ...) (``reident scan``). Reads a bounded sample, never reports a value.

    Args:
        data: a path, an object with ``__arrow_c_stream__``, or a pandas DataFrame.
        sample: rows to sample (default 10,000: a file's spread over its row groups, a
            table's first rows).
        rules: a rules file (JSON) instead of the built-in rules.
        delimiter: the CSV delimiter.

    Returns:
        ScanResult: ``.identifying`` (what ``--fail-on-identifying`` fails on),
        ``.quasi_identifiers``, ``.columns``; ``.to_dict()`` is ``reident scan --json``.
    """
    kwargs = dict(sample=sample, rules=rules, delimiter=delimiter)
    outcome, keep = _call("scan", data, kwargs, threads)
    return ScanResult(outcome, keep)


def safe_harbor(
    data: PathLike,
    *,
    output: PathLike,
    drop: Optional[Names] = None,
    pseudonymize: Optional[Names] = None,
    dates: Optional[Names] = None,
    birth_dates: Optional[Names] = None,
    ages: Optional[Names] = None,
    zips: Optional[Names] = None,
    no_scan: bool = False,
    sample: Optional[int] = None,
    rules: Optional[PathLike] = None,
    restricted_zip3: Optional[PathLike] = None,
    reference_year: Optional[int] = None,
    delimiter: Optional[str] = None,
    threads: Optional[int] = None,
    progress: bool = False,
) -> SafeHarborResult:
    """Applies the HIPAA Safe Harbor transformations to a file and writes the result to
    ``output`` (``reident safe-harbor``): drop or pseudonymize identifiers, dates to the year,
    ages of 90 and over to 90+, ZIP codes to three digits (000 for restricted areas).

    ``data`` is a Parquet or CSV file (the command reads and writes files); the other
    arguments are the CLI's flags (``drop``, ``pseudonymize``, ``dates``, ``birth_dates``,
    ``ages``, ``zips``: column lists; ``no_scan``: transform only the columns named).

    Returns:
        SafeHarborResult: ``.output``; ``.to_dict()`` is ``reident safe-harbor --json``.
    """
    kwargs = dict(
        output=output, drop=drop, pseudonymize=pseudonymize, dates=dates,
        birth_dates=birth_dates, ages=ages, zips=zips, no_scan=no_scan, sample=sample,
        rules=rules, restricted_zip3=restricted_zip3, reference_year=reference_year,
        delimiter=delimiter, progress=progress,
    )
    outcome, keep = _call("safe_harbor", data, kwargs, threads)
    return SafeHarborResult(outcome, keep)


def verify(
    report: Optional[PathLike] = None,
    data: Optional[PathLike] = None,
    *,
    inputs: Union[PathLike, Sequence[PathLike], None] = None,
    audit_log: Optional[PathLike] = None,
    public_key: Optional[PathLike] = None,
    trusted_keys: Optional[PathLike] = None,
    require_signature: bool = False,
    threads: Optional[int] = None,
    progress: bool = False,
) -> VerifyResult:
    """Checks a report: its signature (with a key), its integrity and consistency, and with the
    data its hash and every figure by re-running it (``reident verify``); or an audit log.

    Args:
        report: a report.json (or its folder).
        data: the data file it was made from. For a report of an in-memory table (data
            ``<arrow stream>``), a Parquet or CSV file of the same content: its content hash
            must equal the one recorded, then the run is repeated on it.
        inputs: the other files the run read (hierarchies, a population table, a rules file)
            when they are not beside the report; no other file is read.
        audit_log: an audit log to check (alone or with a report).
        public_key: the minisign public key the report (and the log's lines) must be signed
            by; ``trusted_keys``: a folder of ``*.pub`` keys, one of which must have signed.
        require_signature: refuse to check without a key.

    Returns:
        VerifyResult: ``.passed`` (the CLI's exit status 0), ``.checks``; ``.to_dict()`` is
        ``reident verify --json``.
    """
    kwargs = dict(
        report=report, inputs=inputs, audit_log=audit_log, public_key=public_key,
        trusted_keys=trusted_keys, require_signature=require_signature, progress=progress,
    )
    outcome, keep = _call("verify", data, kwargs, threads)
    return VerifyResult(outcome, keep)
