//! One error type for the library.
//!
//! Every message names the thing that is wrong (the file, the column, the row) in one line, because
//! the CLI prints it as is and exits with status 2: a pipeline log then says exactly what to fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a readable Parquet file: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Csv { path: PathBuf, message: String },
    #[error("{path}: column {column:?} has type {data_type}, which reident cannot read")]
    UnsupportedType {
        path: PathBuf,
        column: String,
        data_type: String,
    },
    #[error("{}", unknown_column(column, available))]
    UnknownColumn {
        column: String,
        available: Vec<String>,
    },
    #[error("column {column:?} is given two roles: {first} and {second}")]
    ConflictingRoles {
        column: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("{path}: {message}")]
    Policy { path: PathBuf, message: String },
    #[error(
        "no quasi-identifiers given: name at least one column with --qi or in the policy file"
    )]
    NoQuasiIdentifiers,
    #[error("{path}: the table has no records")]
    EmptyTable { path: PathBuf },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message of an unknown column, with the likely cause when there is one: an empty name (a
/// doubled or trailing comma), or a header read as one column because the delimiter is not the
/// file's.
fn unknown_column(column: &str, available: &[String]) -> String {
    if column.is_empty() {
        return format!(
            "an empty column name (a doubled or trailing comma in a column list?); the data has: {}",
            quote_list(available)
        );
    }
    let mut m = format!(
        "unknown column {column:?}; the data has: {}",
        quote_list(available)
    );
    if let [one] = available {
        if let Some(d) = [';', ',', '\t', '|'].into_iter().find(|&d| one.contains(d)) {
            let shown = if d == '\t' {
                "tab".to_string()
            } else {
                format!("'{d}'")
            };
            m.push_str(&format!(
                " (one column whose name holds {shown}: the file's delimiter is probably {shown}; give --delimiter)"
            ));
        }
    }
    m
}

fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parquet(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Parquet {
            path: path.into(),
            message: one_line(err.to_string().trim_start_matches("Parquet error: ")),
        }
    }
}

/// Library errors (parquet's in particular) sometimes span lines; the CLI promises one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

thread_local! {
    /// Calls of [`catch_panics`] under way on this thread.
    static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether this thread is inside a call whose panics reident catches and turns into errors (a
/// library that panics on corrupt input, at a reader boundary). A panic hook that ends the
/// process on any panic must let these through: the `reident` binary's does, and so do the fuzz
/// targets'.
pub fn catching_panics() -> bool {
    CATCHING.with(|c| c.get() > 0)
}

/// Runs `f`, turning a panic inside it into the error `error(message)`: for calls into a library
/// that panics on some corrupt inputs instead of returning an error.
pub(crate) fn catch_panics<T>(
    f: impl FnOnce() -> T,
    error: impl FnOnce(String) -> Error,
) -> Result<T> {
    CATCHING.with(|c| c.set(c.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    r.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let mut msg = one_line(&msg);
        if msg.len() > 200 {
            let mut end = 200;
            while !msg.is_char_boundary(end) {
                end -= 1;
            }
            msg.truncate(end);
            msg.push_str("...");
        }
        error(msg)
    })
}
