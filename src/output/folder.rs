//! Writing a folder of files at once: the files go into a fresh temporary folder beside the
//! target, which is then renamed into place without replacing anything (`renameat2` with
//! `RENAME_NOREPLACE` on Linux). A reader never sees a half-written folder, and runs that race
//! for the same folder cannot mix their files: one wins, the others are refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What to do when the target folder exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Refuse (the target was named by the user).
    Refuse,
    /// Replace it, if it holds only files this writer would write (`--force`).
    Replace,
    /// Take the first free name `<target>-2`, `<target>-3`, ... (a default name).
    NextFree,
}

/// Writes `files` (name, content) as the folder `target`; returns the folder written. With
/// `private` the files are readable by their owner only (0600: they hold data values).
pub(crate) fn write_folder(
    target: &Path,
    files: &[(String, Vec<u8>)],
    existing: Existing,
    replaceable: impl Fn(&str) -> bool,
    private: bool,
) -> Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a folder name", target.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    // Removed on failure, on a panic and on SIGINT/SIGTERM; kept once renamed into place.
    let tmp =
        super::temporaries::Temporary::new(parent.join(format!(".{name}.tmp-{}", unique_suffix())));
    fill(tmp.path(), files, private)?;
    let placed = place(tmp.path(), target, &parent, &name, existing, &replaceable)?;
    tmp.keep();
    Ok(placed)
}

fn fill(tmp: &Path, files: &[(String, Vec<u8>)], private: bool) -> Result<()> {
    std::fs::create_dir(tmp).map_err(|e| Error::io(tmp, e))?;
    for (file, bytes) in files {
        let path = tmp.join(file);
        // A file in a sub-folder (`hierarchies/…`): the sub-folder first.
        if let Some(sub) = path.parent().filter(|s| *s != tmp && !s.exists()) {
            std::fs::create_dir_all(sub).map_err(|e| Error::io(sub, e))?;
        }
        let mut f = if private {
            super::create_private(&path)?
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?
        };

        f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        f.sync_all().map_err(|e| Error::io(&path, e))?;
    }
    if let Ok(d) = std::fs::File::open(tmp) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn place(
    tmp: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
    existing: Existing,
    replaceable: &impl Fn(&str) -> bool,
) -> Result<PathBuf> {
    let exists = |e: &std::io::Error| {
        e.kind() == std::io::ErrorKind::AlreadyExists || e.raw_os_error() == Some(libc_enotempty())
    };
    match rename_no_replace(tmp, target) {
        Ok(()) => return Ok(target.to_path_buf()),
        Err(e) if !exists(&e) => return Err(Error::io(target, e)),
        Err(_) => {}
    }
    match existing {
        Existing::Refuse => Err(Error::Invalid(format!(
            "{}: the folder exists; name another, or give --force to replace it",
            target.display()
        ))),
        Existing::NextFree => {
            for i in 2..1000 {
                let next = parent.join(format!("{name}-{i}"));
                match rename_no_replace(tmp, &next) {
                    Ok(()) => return Ok(next),
                    Err(e) if exists(&e) => continue,
                    Err(e) => return Err(Error::io(&next, e)),
                }
            }
            Err(Error::Invalid(format!(
                "{}: no free folder name beside it",
                target.display()
            )))
        }
        Existing::Replace => {
            let meta = std::fs::symlink_metadata(target).map_err(|e| Error::io(target, e))?;
            if !meta.is_dir() {
                return Err(Error::Invalid(format!(
                    "{}: exists and is not a folder; not replaced",
                    target.display()
                )));
            }
            for entry in std::fs::read_dir(target).map_err(|e| Error::io(target, e))? {
                let entry = entry.map_err(|e| Error::io(target, e))?;
                let n = entry.file_name().to_string_lossy().into_owned();
                if !replaceable(&n) {
                    return Err(Error::Invalid(format!(
                        "{}: holds other files than a report's ({n}); not replaced, even with --force",
                        target.display()
                    )));
                }
            }
            let old = parent.join(format!(".{name}.old-{}", unique_suffix()));
            std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
            let r = rename_no_replace(tmp, target);
            let _ = std::fs::remove_dir_all(&old);
            match r {
                Ok(()) => Ok(target.to_path_buf()),
                Err(e) if exists(&e) => Err(Error::Invalid(format!(
                    "{}: another run wrote the folder at the same time; this run's report was not written",
                    target.display()
                ))),
                Err(e) => Err(Error::io(target, e)),
            }
        }
    }
}

/// A suffix no other process or call uses: the process id and 64 random bits.
pub(crate) fn unique_suffix() -> String {
    let mut r = [0u8; 8];
    let _ = getrandom::fill(&mut r);
    format!(
        "{}-{}",
        std::process::id(),
        r.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn libc_enotempty() -> i32 {
    #[cfg(unix)]
    {
        libc::ENOTEMPTY
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// Renames `from` to `to` unless `to` exists (an `AlreadyExists` error then).
pub(crate) fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let a = std::ffi::CString::new(from.as_os_str().as_bytes())?;
        let b = std::ffi::CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: two valid NUL-terminated paths.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        // File systems without RENAME_NOREPLACE: the check below (with its small race).
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "exists",
        ));
    }
    std::fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_appears_whole_and_is_never_replaced_unasked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r");
        let files = vec![("a".to_string(), b"1".to_vec())];
        let any = |_: &str| true;
        assert_eq!(
            write_folder(&target, &files, Existing::Refuse, any, false).unwrap(),
            target
        );
        let e = write_folder(&target, &files, Existing::Refuse, any, false).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(
            write_folder(&target, &files, Existing::NextFree, any, false).unwrap(),
            dir.path().join("r-2")
        );
        let two = vec![("b".to_string(), b"2".to_vec())];
        write_folder(&target, &two, Existing::Replace, any, false).unwrap();
        assert!(!target.join("a").exists() && target.join("b").exists());
        let e = write_folder(
            &target,
            &files,
            Existing::Replace,
            |n: &str| n == "a",
            false,
        );
        assert!(e.unwrap_err().to_string().contains("other files"));
        // Nothing temporary is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    }
}
