//! A report's figures: one typed section per kind of measurement. Exporters read these types,
//! never JSON by path, so a renamed field is a compile error, not an empty chart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;
use crate::risk::combos::Combos;
use crate::safe_harbor::SafeHarborReport;
use crate::scan::ScanReport;

/// The sections of a report's figures, each present when the command measured it.
///
/// In the JSON form the keys are sorted at every depth (the form every report has had), so the
/// fields are declared in alphabetical order and the sections are written through a
/// `serde_json::Value`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    /// `analyze` and `gate`: every risk and privacy model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<crate::analyze::Figures>,
    /// `anonymize`: the transformation, before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymization: Option<crate::anonymize::Figures>,
    /// `combos` (and the QI combinations of an analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combinations: Option<Combos>,
    /// `safe-harbor`: every transformation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_harbor: Option<SafeHarborReport>,
    /// `scan`: the findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanReport>,
    /// With `--show-values` only: the classes below the disclosure k, with their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_classes: Option<SmallClasses>,
    /// `suda`: minimal sample uniques and scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suda: Option<crate::suda::Figures>,
}

impl Figures {
    /// The sections as JSON with sorted keys, by name.
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }
}

/// Serializes the figures through a `serde_json::Value`, whose maps sort their keys.
pub(crate) fn serialize_sorted<S: serde::Serializer>(f: &Figures, s: S) -> Result<S::Ok, S::Error> {
    let v = serde_json::to_value(f).map_err(serde::ser::Error::custom)?;
    v.serialize(s)
}

/// The classes smaller than the disclosure k, with their QI values (only with `--show-values`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmallClasses {
    pub below_k: u64,
    /// Classes below k in all.
    pub classes: u64,
    /// The smallest first, at most the listing limit.
    pub listed: Vec<SmallClass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmallClass {
    pub size: u64,
    /// QI name -> value.
    pub values: BTreeMap<String, String>,
}

impl SmallClasses {
    /// The classes of `table` smaller than `k`, smallest first, at most `limit` of them.
    pub fn of(table: &ClassTable, k: u64, limit: usize) -> SmallClasses {
        let mut small: Vec<usize> = (0..table.n_classes())
            .filter(|&c| table.counts[c] < k)
            .collect();
        small.sort_by_key(|&c| (table.counts[c], c));
        let total = small.len() as u64;
        let listed = small
            .into_iter()
            .take(limit)
            .map(|c| SmallClass {
                size: table.counts[c],
                values: table
                    .qis
                    .iter()
                    .zip(table.key_text(c))
                    .map(|(d, v)| (d.name.clone(), v.to_string()))
                    .collect(),
            })
            .collect();
        SmallClasses {
            below_k: k,
            classes: total,
            listed,
        }
    }
}
