//! The hierarchy of each QI: a file, one built from the QI's values, or the file named after the
//! QI in the hierarchy folder; with `auto`, one chosen from the values for every QI left
//! without one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classes::Domain;
use crate::error::{Error, Result};
use crate::hierarchy::build::Spec;
use crate::hierarchy::Hierarchy;

/// Hierarchies stated per QI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QiHierarchies {
    /// A QI's hierarchy file (ARX format).
    pub files: Vec<(String, PathBuf)>,
    /// A QI's hierarchy built from its values ([`Spec::Auto`]: chosen from them).
    pub built: Vec<(String, Spec)>,
    /// Every QI without a file, a builder or a file in the hierarchy folder gets a hierarchy
    /// chosen from its values ([`Spec::Auto`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto: bool,
}

/// A hierarchy built from a QI's values: what the report lists, and the folder keeps as a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltHierarchy {
    pub qi: String,
    /// The builder used (an automatic one: the one chosen), e.g. `{"intervals": "5,10,20"}`.
    pub builder: Spec,
    /// Levels, the original values and `*` included.
    pub levels: usize,
    /// Rows: the QI's distinct values.
    pub values: usize,
    /// The file the report folder keeps it in, under `hierarchies/` (ARX format).
    pub file: String,
    /// The SHA-256 of that file.
    pub sha256: String,
}

impl QiHierarchies {
    /// The file given for `qi`, if any.
    fn file(&self, qi: &str) -> Option<&PathBuf> {
        self.files.iter().find(|(c, _)| c == qi).map(|(_, f)| f)
    }

    /// The builder for `qi`, if one is stated (intervals before masks, dates, suppression and
    /// the automatic choice).
    fn builder(&self, qi: &str) -> Option<&Spec> {
        let of_kind = |want: fn(&Spec) -> bool| {
            self.built
                .iter()
                .find(|(c, b)| c == qi && want(b))
                .map(|(_, b)| b)
        };
        of_kind(|b| matches!(b, Spec::Intervals(_)))
            .or_else(|| of_kind(|b| matches!(b, Spec::Mask(_))))
            .or_else(|| of_kind(|b| matches!(b, Spec::Dates(_))))
            .or_else(|| of_kind(|b| matches!(b, Spec::Suppress)))
            .or_else(|| of_kind(|b| matches!(b, Spec::Auto)))
    }

    /// A QI's hierarchy: its file, else one built from its values, else its file in the folder,
    /// else (with `auto`) one chosen from its values; with what was built, if it was.
    /// `locate` gives the rows of example values for messages.
    pub(super) fn load(
        &self,
        qi: &str,
        domain: &Domain,
        dir: Option<&Path>,
        locate: &dyn Fn(&[&str]) -> Option<Vec<u64>>,
        max_work: Option<f64>,
    ) -> Result<(Hierarchy, Option<BuiltHierarchy>)> {
        if let Some(file) = self.file(qi) {
            return Ok((Hierarchy::load(file)?, None));
        }
        let in_dir = dir.map(|d| d.join(Hierarchy::file_name(qi)));
        let spec = match (self.builder(qi), &in_dir) {
            (Some(b), _) => b.clone(),
            (None, Some(f)) if !self.auto || f.exists() => {
                if !f.exists() {
                    return Err(Error::Invalid(format!(
                        "no hierarchy for quasi-identifier {qi:?}: looked for {}, which does not exist; add it, give --hierarchy {qi}=FILE, or build one with --interval/--mask/--date/--suppress/--auto",
                        f.display()
                    )));
                }
                return Ok((Hierarchy::load(f)?, None));
            }
            (None, _) if self.auto => Spec::Auto,
            (None, _) => {
                return Err(Error::Invalid(format!(
                    "no hierarchy for quasi-identifier {qi:?}: give --hierarchies DIR (or the policy's \"hierarchies\"), --hierarchy {qi}=FILE, or build one with --interval/--mask/--date/--suppress/--auto (--auto-hierarchies: for every QI without one)"
                )))
            }
        };
        let (h, used) = spec.build(qi, &domain.values, locate, max_work)?;
        let built = BuiltHierarchy {
            qi: qi.to_string(),
            builder: used,
            levels: h.levels(),
            values: h.rows.len(),
            file: Hierarchy::file_name(qi),
            sha256: h.sha256()?,
        };
        Ok((h, Some(built)))
    }

    /// The file a QI's hierarchy was read from, if it came from a file.
    pub(super) fn source_file(&self, qi: &str, dir: Option<&Path>) -> Option<PathBuf> {
        if let Some(f) = self.file(qi) {
            return Some(f.clone());
        }
        if self.builder(qi).is_some() {
            return None;
        }
        let f = dir.map(|d| d.join(Hierarchy::file_name(qi)))?;
        (!self.auto || f.exists()).then_some(f)
    }
}
