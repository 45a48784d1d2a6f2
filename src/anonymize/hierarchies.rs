//! The hierarchy of each QI: a file, one built from the QI's values, or the file named after the
//! QI in the hierarchy folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classes::Domain;
use crate::error::{Error, Result};
use crate::hierarchy::build::{Builder, Spec};
use crate::hierarchy::Hierarchy;

/// Hierarchies stated per QI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QiHierarchies {
    /// A QI's hierarchy file (ARX format).
    pub files: Vec<(String, PathBuf)>,
    /// A QI's hierarchy built from its values.
    pub built: Vec<(String, Spec)>,
}

impl QiHierarchies {
    /// The file given for `qi`, if any.
    fn file(&self, qi: &str) -> Option<&PathBuf> {
        self.files.iter().find(|(c, _)| c == qi).map(|(_, f)| f)
    }

    /// The builder for `qi`, if one is stated (intervals before masks, dates and suppression).
    fn builder(&self, qi: &str) -> Result<Option<Builder>> {
        let of_kind = |want: fn(&Spec) -> bool| {
            self.built
                .iter()
                .find(|(c, b)| c == qi && want(b))
                .map(|(_, b)| b)
        };
        let found = of_kind(|b| matches!(b, Spec::Intervals(_)))
            .or_else(|| of_kind(|b| matches!(b, Spec::Mask(_))))
            .or_else(|| of_kind(|b| matches!(b, Spec::Dates(_))))
            .or_else(|| of_kind(|b| matches!(b, Spec::Suppress)));
        found.map(Spec::builder).transpose()
    }

    /// A QI's hierarchy: its file, else one built from its values, else `hierarchy_<QI>.csv` in
    /// the folder.
    pub(super) fn load(&self, qi: &str, domain: &Domain, dir: Option<&Path>) -> Result<Hierarchy> {
        if let Some(file) = self.file(qi) {
            return Hierarchy::load(file);
        }
        if let Some(b) = self.builder(qi)? {
            return b.build(qi, &domain.values);
        }
        match dir {
            Some(d) => {
                let path = d.join(format!("hierarchy_{qi}.csv"));
                if !path.exists() {
                    return Err(Error::Invalid(format!(
                        "no hierarchy for quasi-identifier {qi:?}: looked for {}, which does not exist; add it, give --hierarchy {qi}=FILE, or build one with --interval/--mask/--date/--suppress",
                        path.display()
                    )));
                }
                Hierarchy::load(&path)
            }
            None => Err(Error::Invalid(format!(
                "no hierarchy for quasi-identifier {qi:?}: give --hierarchies DIR (or the policy's \"hierarchies\"), --hierarchy {qi}=FILE, or build one with --interval/--mask/--date/--suppress"
            ))),
        }
    }

    /// The file a QI's hierarchy was read from, if it came from a file.
    pub(super) fn source_file(&self, qi: &str, dir: Option<&Path>) -> Option<PathBuf> {
        if let Some(f) = self.file(qi) {
            return Some(f.clone());
        }
        if self.built.iter().any(|(c, _)| c == qi) {
            return None;
        }
        dir.map(|d| d.join(format!("hierarchy_{qi}.csv")))
    }
}
