//! Writing files: every file reident writes goes through `write_atomically` (a temporary file
//! beside the target, renamed when complete, so that a failure never leaves a half-written file
//! under the requested name), and every output that holds data is checked by `refuse_overwrite`
//! first.
//!
//! * [`table`]: tables of text columns as Parquet or CSV (converted files, transformed data,
//!   Safe Harbor outputs);
//! * [`record_risk`]: one row per record with its class size and risks.

pub(crate) mod folder;
pub mod record_risk;
pub mod table;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::Format;

/// The output format from the file name: `.parquet`/`.pq` or `.csv`/`.tsv`/`.txt`.
pub(crate) fn output_format(path: &Path) -> Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("parquet" | "pq") => Ok(Format::Parquet),
        Some("csv" | "tsv" | "txt") => Ok(Format::Csv),
        _ => Err(Error::Invalid(format!(
            "{}: cannot tell the output format from the name; use .parquet or .csv",
            path.display()
        ))),
    }
}

/// Refuses an output that is the input: the same file (also through a link), or a file inside
/// an input folder (a class table of part files). Every command that writes data calls it.
pub(crate) fn refuse_overwrite(input: &Path, out: &Path) -> Result<()> {
    let Ok(a) = input.canonicalize() else {
        return Ok(());
    };
    // The output as it exists, else as it will be: its folder's real path and its name.
    let b = out.canonicalize().ok().or_else(|| {
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(out.file_name()?))
    });
    match b {
        Some(b) if b == a || b.starts_with(&a) => Err(Error::Invalid(format!(
            "{}: the output would overwrite the input",
            out.display()
        ))),
        _ => Ok(()),
    }
}

/// Runs `write` on a temporary file beside `out`, then renames it to `out`; removes it on failure.
pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", out.display())))?;
    let tmp: PathBuf = out.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let f = File::create(&tmp).map_err(|e| match out.parent() {
            Some(dir)
                if e.kind() == std::io::ErrorKind::NotFound && !dir.as_os_str().is_empty() =>
            {
                Error::Invalid(format!(
                    "{}: the folder {} does not exist; create it first",
                    out.display(),
                    dir.display()
                ))
            }
            _ => Error::io(&tmp, e),
        })?;
        let mut w = BufWriter::new(f);
        write(&mut w)?;
        let f = w
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("missing/out.csv");
        let err = write_atomically(&out, |_| Ok(())).unwrap_err().to_string();
        assert!(err.ends_with("does not exist; create it first"), "{err}");
        assert!(!err.contains(".tmp-"), "{err}");
        assert!(!dir.path().join("missing").exists());
    }
}
