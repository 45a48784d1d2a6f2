//! `reident._reident`: the native module of the Python package. It turns keyword arguments into
//! the library's options (as `src/cli/` does with flags), runs the pipeline with the GIL
//! released, and hands back an [`outcome::Outcome`] that serializes exactly as the CLI's
//! `--json` and builds the same reports. The public API is the pure-Python layer
//! (`python/reident/__init__.py`).

mod args;
mod arrow;
mod error;
mod outcome;

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use reident::options::TableSource;

use args::Args;
use error::{invalid, to_py, ReidentError};
use outcome::{Kind, Outcome};

// The CLI's allocator, for the same speed (per-chunk buffers are freed and reallocated at high
// rates; see the README's Performance section).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (see `src/main.rs`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the kernel only after a minute unused, not at once (mimalloc's
/// default is 10 ms): a run frees and reallocates its per-chunk buffers all the time, and
/// re-faulting zeroed pages cost up to a sixth of a run on the 10M-row table. The CLI never
/// hands memory back during its short life; a Python process lives on, so memory a run no
/// longer uses is reused by the next run, or returned once a minute has passed (mimalloc
/// purges when it next runs).
const PURGE_DELAY_MS: std::ffi::c_long = 60_000;

/// The table a command reads: a path, an object with `__arrow_c_stream__`, or with `data=None`
/// the `classes` argument's class table.
fn table_source(data: Option<&Bound<'_, PyAny>>, a: &Args) -> PyResult<TableSource> {
    let classes = a.path("classes")?;
    let mut source = match data {
        None => TableSource {
            classes,
            ..TableSource::default()
        },
        Some(_) if classes.is_some() => {
            return Err(invalid(
                "give the data or a class table (classes=...), not both",
            ))
        }
        Some(d) if arrow::is_arrow(d)? => TableSource::arrow(arrow::import(d)?),
        Some(d) => TableSource::data(args::fspath(d).map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "data: expected a path (str or os.PathLike), an object with __arrow_c_stream__ (pyarrow, polars, DuckDB), or a pandas DataFrame",
            )
        })?),
    };
    source.delimiter = a.delimiter()?;
    Ok(source)
}

/// A data file (the commands that read files only).
fn data_path(data: Option<&Bound<'_, PyAny>>, command: &str) -> PyResult<PathBuf> {
    let Some(d) = data else {
        return Err(invalid(format!("{command}: give the data")));
    };
    if arrow::is_arrow(d)? {
        return Err(invalid(format!(
            "{command} reads and writes files: give the path of a Parquet or CSV file (write an in-memory table with pyarrow.parquet.write_table first)"
        )));
    }
    args::fspath(d)
}

/// Runs `f` on a pool of `threads` threads (or the global pool), with the GIL released.
fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    f: impl FnOnce() -> reident::Result<T> + Send,
) -> PyResult<T> {
    let pool = match threads {
        None => None,
        Some(0) => return Err(invalid("threads must be at least 1")),
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| invalid(format!("threads: {e}")))?,
        ),
    };
    py.detach(|| match pool {
        Some(pool) => pool.install(f),
        None => f(),
    })
    .map_err(to_py)
}

/// Runs one command. `args` holds its keyword arguments (named as the CLI's flags, without the
/// dashes); `command_line` is what reports and the audit log record as the call.
#[pyfunction]
#[pyo3(signature = (command, data, args, command_line, threads=None))]
fn run(
    py: Python<'_>,
    command: &str,
    data: Option<Bound<'_, PyAny>>,
    args: Bound<'_, PyDict>,
    command_line: Vec<String>,
    threads: Option<usize>,
) -> PyResult<Outcome> {
    let a = Args::new(args);
    let progress = a.flag("progress")?;
    let data = data.as_ref();
    let kind = match command {
        "analyze" | "gate" => {
            let mut o = reident::analyze::Options::new(table_source(data, &a)?, a.settings()?);
            o.population = a.population()?;
            o.l = a.get("l")?.unwrap_or(o.l);
            o.c = a.get("c")?.unwrap_or(o.c);
            o.t = a.get("t")?.unwrap_or(o.t);
            o.sensitive_hierarchies = a.files("sensitive_hierarchy")?;
            o.record_risk = a.path("record_risk")?;
            o.scan = !a.flag("no_scan")?;
            o.progress = progress;
            let hide = a.flag("_hide_record_risk")?;
            if command == "gate" {
                return gate(py, o, &a, command_line, threads);
            }
            let mut outcome = detached(py, threads, || reident::analyze::run(&o))?;
            if hide {
                outcome.options.record_risk = None;
            }
            Kind::Analyze(Box::new(outcome))
        }
        "anonymize" => {
            let mut o = reident::anonymize::Options::new(table_source(data, &a)?, a.settings()?);
            o.hierarchies = a.qi_hierarchies()?;
            o.heuristic = a.flag("heuristic")?;
            o.time_limit = a.get("time_limit")?.unwrap_or(o.time_limit);
            o.population = a.population()?;
            o.top = a.get("top")?.unwrap_or(o.top);
            // `_output`: a temporary file the Python layer reads back as the table.
            let hide = a.path("_output")?.is_some();
            o.output = a.path("output")?.or(a.path("_output")?);
            o.suppressed = a.suppressed()?;
            o.keep_entity = a.flag("keep_entity")?;
            o.scan = !a.flag("no_scan")?;
            o.local_suppression = a.local_suppression()?;
            o.microaggregation = a.microaggregation()?;
            o.no_generalization = a.flag("no_generalization")?;
            o.max_work = a.get("max_work")?;
            o.progress = progress;
            let mut outcome = detached(py, threads, || reident::anonymize::run(&o))?;
            if hide {
                // The release went to a temporary file that the Python layer reads back: the
                // outcome says what a run without an output file says.
                outcome.options.output = None;
                outcome.summary.figures.output = None;
                outcome.summary.figures.records_written = None;
            }
            Kind::Anonymize(Box::new(outcome))
        }
        "combos" => {
            let mut o = reident::combos::Options::new(table_source(data, &a)?, a.settings()?);
            o.max_size = a.get("max_size")?;
            o.thresholds = a.get("threshold")?;
            o.max_work = a.get("max_work")?;
            o.population = a.population()?;
            o.progress = progress;
            Kind::Combos(Box::new(detached(py, threads, || {
                reident::combos::run(&o)
            })?))
        }
        "suda" => {
            let mut o = reident::suda::Options::new(table_source(data, &a)?, a.settings()?);
            o.max_size = a.get("max_size")?;
            o.dis = a.dis()?;
            o.max_work = a.get("max_work")?;
            o.top = a.get("top")?.unwrap_or(o.top);
            o.record_risk = a.path("record_risk")?;
            o.progress = progress;
            let hide = a.flag("_hide_record_risk")?;
            let mut outcome = detached(py, threads, || reident::suda::run(&o))?;
            if hide {
                outcome.options.record_risk = None;
            }
            Kind::Suda(Box::new(outcome))
        }
        "scan" => {
            let mut o = match data {
                Some(d) if arrow::is_arrow(d)? => reident::scan::Options::arrow(arrow::import(d)?),
                _ => reident::scan::Options::new(data_path(data, command)?),
            };
            o.delimiter = a.delimiter()?;
            o.sample = a.get("sample")?.unwrap_or(o.sample);
            o.rules = a.path("rules")?;
            Kind::Scan(Box::new(detached(py, threads, || reident::scan::run(&o))?))
        }
        "safe_harbor" => {
            let output = a
                .path("output")?
                .ok_or_else(|| invalid("safe_harbor: give output=, the file to write"))?;
            let mut o = reident::safe_harbor::Options::new(data_path(data, command)?, output);
            o.delimiter = a.delimiter()?;
            o.drop = a.strings("drop")?;
            o.pseudonymize = a.strings("pseudonymize")?;
            o.dates = a.strings("dates")?;
            o.birth_dates = a.strings("birth_dates")?;
            o.ages = a.strings("ages")?;
            o.zips = a.strings("zips")?;
            o.use_scan = !a.flag("no_scan")?;
            o.sample = a.get("sample")?.unwrap_or(o.sample);
            o.rules = a.path("rules")?;
            o.restricted_zip3 = a.path("restricted_zip3")?;
            o.reference_year = a.get("reference_year")?;
            o.progress = progress;
            Kind::SafeHarbor(Box::new(detached(py, threads, || {
                reident::safe_harbor::run(&o)
            })?))
        }
        "verify" => {
            let o = reident::verify::Options {
                report: a.path("report")?,
                data: match data {
                    None => None,
                    Some(_) => Some(data_path(data, command)?),
                },
                inputs: a.paths("inputs")?,
                audit_log: a.path("audit_log")?,
                public_key: a.path("public_key")?,
                trusted_keys: a.path("trusted_keys")?,
                require_signature: a.flag("require_signature")?,
                progress,
            };
            Kind::Verify(Box::new(detached(py, threads, || {
                reident::verify::run(&o)
            })?))
        }
        other => return Err(invalid(format!("unknown command {other:?}"))),
    };
    Ok(Outcome::new(kind, command_line))
}

/// A gate: the analysis, then its report built at once (its `--json` document is the report)
/// and, like the CLI, an audit line for every run unless `audit=False`.
fn gate(
    py: Python<'_>,
    options: reident::analyze::Options,
    a: &Args,
    command_line: Vec<String>,
    threads: Option<usize>,
) -> PyResult<Outcome> {
    let hide = a.flag("_hide_record_risk")?;
    let show_values = a.flag("show_values")?;
    // As the CLI: the folder is checked and the key loaded before the command runs.
    let (report_options, audit) = outcome::ReportRequest {
        dir: a.path("report")?,
        show_values,
        audit_log: a.path("audit_log")?,
        audit: a.get::<bool>("_audit")?.unwrap_or(true),
        force: a.flag("force")?,
        sign: a.path("sign")?,
    }
    .prepare(options.settings.policy.as_deref())
    .map_err(to_py)?;
    let cl = command_line.clone();
    let (outcome, report) = detached(py, threads, || {
        let mut outcome = reident::gate::run(&options)?;
        if hide {
            outcome.analysis.options.record_risk = None;
        }
        let report = reident::report::build::analysis(&outcome.analysis, "gate", cl, show_values)?;
        let report = outcome::publish(&report, &report_options, audit, &[])?;
        Ok((outcome, report))
    })?;
    Ok(Outcome::new(
        Kind::Gate(Box::new(outcome), Box::new(report)),
        command_line,
    ))
}

#[pymodule]
fn _reident(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: sets one of mimalloc's documented options, before this module allocates.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    m.add("ReidentError", m.py().get_type::<ReidentError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_class::<Outcome>()?;
    Ok(())
}
