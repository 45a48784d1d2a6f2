//! `reident.ReidentError`: a `ValueError` whose message is the CLI's one-line message.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

create_exception!(
    _reident,
    ReidentError,
    PyValueError,
    "An error reident reports: bad input (a missing column, an unreadable or empty table, a\nhierarchy lacking a value, ...), with the one-line message the command line prints."
);

/// A library error as a `ReidentError`.
pub fn to_py(e: reident::Error) -> PyErr {
    ReidentError::new_err(e.to_string())
}

/// A `ReidentError` with this message.
pub fn invalid(message: impl Into<String>) -> PyErr {
    ReidentError::new_err(message.into())
}
