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
pub mod temporaries;

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

/// Refuses an output that is one of the `inputs` (even with `force`), an output file that exists
/// (unless `force`) and an output whose folder does not exist or is not a folder: checked before
/// any work, so that a long run does not end on it.
pub(crate) fn check_output<'a>(
    out: &Path,
    force: bool,
    inputs: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<()> {
    for input in inputs {
        refuse_overwrite(input, out)?;
    }
    if out.file_name().is_none() {
        return Err(Error::Invalid(format!(
            "{}: not a file name",
            out.display()
        )));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: the output folder {} does not exist; create it first",
            out.display(),
            dir.display()
        )));
    }
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => Err(Error::Invalid(format!(
            "{}: is a folder; name a file",
            out.display()
        ))),
        Ok(_) if !force => Err(Error::Invalid(format!(
            "{}: exists; name another file, or give --force to replace it",
            out.display()
        ))),
        _ => Ok(()),
    }
}

/// Creates a file that only its owner can read and write (0600 whatever the umask): every file
/// reident writes may hold records or classes until a release passes.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        o.mode(0o600);
        let f = o.open(path).map_err(|e| Error::io(path, e))?;
        // The umask only removes bits; set the mode exactly all the same.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
        Ok(f)
    }
    #[cfg(not(unix))]
    o.open(path).map_err(|e| Error::io(path, e))
}

/// Runs `write` on a temporary file beside `out` (mode 0600), then renames it to `out`; removes
/// it on failure, on a panic, and on SIGINT/SIGTERM (see [`temporaries`]). An error names `out`,
/// never the temporary file.
pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", out.display())))?;
    let tmp = temporaries::Temporary::new(out.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    )));
    let _ = std::fs::remove_file(tmp.path());
    let io = |e: std::io::Error| Error::io(out, e);
    let f = create_private(tmp.path()).map_err(|e| match (e, out.parent()) {
        (Error::Io { source, .. }, Some(dir))
            if source.kind() == std::io::ErrorKind::NotFound && !dir.as_os_str().is_empty() =>
        {
            Error::Invalid(format!(
                "{}: the folder {} does not exist; create it first",
                out.display(),
                dir.display()
            ))
        }
        (Error::Io { source, .. }, _) => io(source),
        (e, _) => e,
    })?;
    let mut w = BufWriter::new(f);
    write(&mut w)?;
    let f = w.into_inner().map_err(|e| io(e.into_error()))?;
    f.sync_all().map_err(io)?;
    std::fs::rename(tmp.path(), out).map_err(io)?;
    tmp.keep();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_writing_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        let r = std::panic::catch_unwind(|| {
            let _ = write_atomically(&out, |w| {
                use std::io::Write;
                w.write_all(b"secret;values\n").unwrap();
                w.flush().unwrap();
                panic!("in the middle of the write");
            });
        });
        assert!(r.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn existing_outputs_and_missing_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        check_output(&out, false, []).unwrap();
        std::fs::write(&out, "x").unwrap();
        let e = check_output(&out, false, []).unwrap_err().to_string();
        assert!(e.contains("exists") && e.contains("--force"), "{e}");
        check_output(&out, true, []).unwrap();
        let e = check_output(&dir.path().join("no/such/out.csv"), true, [])
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
        assert!(check_output(dir.path(), true, []).is_err());
    }

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
