//! The files a re-run reads, found without trusting the report: only files given on verify's
//! command line or beside the report, each a regular file, copied into a private temporary
//! folder that the re-run reads (and that is removed afterwards). A path the report records is
//! never opened: only its file name (or, if relative, the same path under the report's folder)
//! is looked for among those files.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::regular::{is_regular, open_regular};
use crate::output::folder::unique_suffix;
use crate::report::sha256_file;

/// A folder only this process can read, removed when dropped.
pub(crate) struct PrivateDir {
    pub path: PathBuf,
}

impl PrivateDir {
    pub(crate) fn new() -> Result<PrivateDir> {
        let path = std::env::temp_dir().join(format!("reident-verify-{}", unique_suffix()));
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(PrivateDir { path })
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where the files of a re-run come from, and their private copies.
pub(crate) struct Inputs<'a> {
    report_dir: PathBuf,
    given: &'a [PathBuf],
    pub dir: PrivateDir,
    copies: usize,
    /// Each private copy, and the path the report records for it: the re-run's text names the
    /// copy where the report names the original.
    pub renamed: Vec<(String, String)>,
}

/// A recorded hierarchy column can name a file only if it is a plain name.
fn plain_name(s: &str) -> bool {
    !s.is_empty() && !s.contains(['/', '\\', '\0']) && s != "." && s != ".."
}

impl<'a> Inputs<'a> {
    pub(crate) fn new(report: &Path, given: &'a [PathBuf]) -> Result<Inputs<'a>> {
        let report_dir = match report.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = PrivateDir::new()?;
        let h = dir.path.join("hierarchies");
        std::fs::create_dir(&h).map_err(|e| Error::io(&h, e))?;
        Ok(Inputs {
            report_dir,
            given,
            dir,
            copies: 0,
            renamed: Vec::new(),
        })
    }

    /// The private hierarchy folder (`hierarchy_<column>.csv` files).
    pub(crate) fn hierarchy_dir(&self) -> PathBuf {
        self.dir.path.join("hierarchies")
    }

    /// The file to read for the recorded path `recorded`: a given file of the same name (of hash
    /// `sha256` if several), else the same relative path or the same name beside the report.
    pub(crate) fn locate(
        &self,
        recorded: &str,
        what: &str,
        sha256: Option<&str>,
    ) -> Result<PathBuf> {
        let missing = || {
            Error::Invalid(format!(
                "the report's {what} {recorded:?} is neither among the files given nor beside the report; verify reads no other file: give it after the data (reident verify REPORT DATA FILE...)"
            ))
        };
        let rec = Path::new(recorded);
        let name = rec.file_name().ok_or_else(missing)?;
        let named: Vec<&PathBuf> = self
            .given
            .iter()
            .filter(|g| g.file_name() == Some(name))
            .collect();
        if named.len() > 1 {
            if let Some(want) = sha256 {
                for g in &named {
                    if sha256_file(g).ok().as_deref() == Some(want) {
                        return Ok((*g).clone());
                    }
                }
            }
        }
        if let Some(g) = named.first() {
            return Ok((*g).clone());
        }
        let relative_inside =
            rec.is_relative() && rec.components().all(|c| matches!(c, Component::Normal(_)));
        let mut beside = vec![self.report_dir.join(name)];
        if relative_inside {
            beside.insert(0, self.report_dir.join(rec));
        }
        for p in beside {
            if let Ok(m) = std::fs::symlink_metadata(&p) {
                // A link beside the report could lead anywhere: only the report's own files.
                if m.file_type().is_symlink() {
                    return Err(Error::Invalid(format!(
                        "{}: a symbolic link beside the report; verify reads only the files there, or those given after the data",
                        p.display()
                    )));
                }
                return Ok(p);
            }
        }
        Err(missing())
    }

    /// A private copy of `from` (a regular file), named `name` in `folder` (a fresh one if
    /// `None`).
    fn copy(&mut self, from: &Path, folder: Option<&Path>, name: &str) -> Result<PathBuf> {
        let dir = match folder {
            Some(f) => f.to_path_buf(),
            None => {
                self.copies += 1;
                let d = self.dir.path.join(format!("file-{}", self.copies));
                std::fs::create_dir(&d).map_err(|e| Error::io(&d, e))?;
                d
            }
        };
        let to = dir.join(name);
        let mut src = open_regular(from)?;
        let mut dst = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&to)
            .map_err(|e| Error::io(&to, e))?;
        std::io::copy(&mut src, &mut dst).map_err(|e| Error::io(from, e))?;
        Ok(to)
    }

    /// A private copy of the file the report records at `recorded`.
    pub(crate) fn fetch(&mut self, recorded: &Path, what: &str) -> Result<PathBuf> {
        let rec = recorded.display().to_string();
        let from = self.locate(&rec, what, None)?;
        let name = recorded
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let copy = self.copy(&from, None, &name)?;
        self.renamed.push((copy.display().to_string(), rec));
        Ok(copy)
    }

    /// Copies the hierarchy of `column` (recorded at `recorded` with hash `sha256`) into the
    /// private hierarchy folder as `hierarchy_<column>.csv`; returns the copy and its hash.
    pub(crate) fn hierarchy(
        &mut self,
        column: &str,
        recorded: &str,
        sha256: &str,
    ) -> Result<(PathBuf, String)> {
        if !plain_name(column) {
            return Err(Error::Invalid(format!(
                "the report records a hierarchy for a column named {column:?}, which cannot name a file: it cannot be re-run"
            )));
        }
        let from = self.locate(recorded, "hierarchy", Some(sha256))?;
        let dir = self.hierarchy_dir();
        let to = dir.join(format!("hierarchy_{column}.csv"));
        if to.exists() {
            return Err(Error::Invalid(format!(
                "the report records two hierarchies for column {column:?}"
            )));
        }
        let copy = self.copy(&from, Some(&dir), &format!("hierarchy_{column}.csv"))?;
        self.renamed
            .push((copy.display().to_string(), recorded.to_string()));
        let hash = sha256_file(&copy)?;
        Ok((copy, hash))
    }

    /// Adds the `hierarchy_<column>.csv` files given on the command line or beside the report
    /// that the report does not list (a hierarchy the run read without recording it) to the
    /// private hierarchy folder.
    pub(crate) fn other_hierarchies(&mut self) -> Result<()> {
        let beside: Vec<PathBuf> = std::fs::read_dir(&self.report_dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        let candidates: Vec<PathBuf> = self.given.iter().cloned().chain(beside).collect();
        let dir = self.hierarchy_dir();
        for p in candidates {
            let Some(name) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let is_hierarchy = name.starts_with("hierarchy_") && name.ends_with(".csv");
            let given = self.given.contains(&p);
            let plain =
                given || std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_file());
            if is_hierarchy && plain && !dir.join(&name).exists() && is_regular(&p) {
                self.copy(&p, Some(&dir), &name)?;
            }
        }
        Ok(())
    }
}
