//! Column roles, from flags or from a JSON policy file.
//!
//! Every column has one role:
//! * **quasi-identifier** (QI): could be linked to outside knowledge (age, ZIP code, sex); the
//!   equivalence classes are formed over these;
//! * **sensitive**: what must not be learned about a person (a diagnosis); measured per class;
//! * **identifying**: a direct identifier (name, SSN); listed in reports, never read or analysed;
//! * **insensitive**: everything else, never read.
//!
//! The policy file is the durable form of these choices: an auditor reads it next to the report.
//! Later features extend it (hierarchies, thresholds); unknown keys are rejected so that a typo
//! never silently drops a requirement.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The policy file (JSON). Schema version 1:
///
/// ```json
/// {
///   "schema_version": 1,
///   "quasi_identifiers": ["age", "sex", "zip"],
///   "sensitive": ["diagnosis"],
///   "identifying": ["name"],
///   "insensitive": ["comment"]
/// }
/// ```
///
/// Every key but `schema_version` is optional; columns not named are insensitive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The version of this format; 1.
    #[serde(default = "default_version")]
    pub schema_version: u32,
    /// Quasi-identifiers, in the order reports list them.
    #[serde(default)]
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attributes.
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// Direct identifiers: reported, never analysed.
    #[serde(default)]
    pub identifying: Vec<String>,
    /// Columns explicitly marked insensitive (the default for unnamed columns).
    #[serde(default)]
    pub insensitive: Vec<String>,
    /// A sampling-weight column (each record stands for this many people in the population),
    /// for the weighted individual risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The column that identifies the person (patient id, member id, pseudonym), when a person
    /// can have several records: classes then count people, not rows. Never analysed as a QI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// How a person's rows form their quasi-identifier: `multiset` (the default: repeats count)
    /// or `set` (repeats ignored, for data where visit counts are not known to an attacker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_signature: Option<Signature>,
    /// How a missing or suppressed QI value (`NULL`, `*`) counts when classes are sized:
    /// `value` (the default: one value like any other) or `wildcard` (it matches every value,
    /// as sdcMicro and mu-Argus count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Missing>,
    /// Anonymization targets and settings (used by `anonymize`); flags override them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymization: Option<Anonymization>,
    /// The minisign secret key that signs the reports of runs under this policy (relative to
    /// the policy file), unless `--sign` or `REIDENT_SIGNING_KEY` names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
}

/// The `anonymization` section of a policy file:
///
/// ```json
/// "anonymization": {
///   "hierarchies": "hierarchies/",        // folder of hierarchy_<column>.csv, relative to the policy
///   "k": 5,
///   "suppression_limit": 0.05,
///   "metric": "loss",
///   "l_diversity": ["occupation:recursive:3:4"],
///   "t_closeness": ["occupation:hierarchical:0.2"],
///   "max_risk": 0.2,
///   "max_average_risk": 0.05,
///   "presets": ["k11-cms"]
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anonymization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchies: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_limit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub l_diversity: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub t_closeness: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_risk: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_average_risk: Option<f64>,
    /// Estimated population uniqueness (Dankar et al.'s rule) at most this; the population is
    /// given on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_population_uniqueness: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<String>,
}

fn default_version() -> u32 {
    1
}

pub(crate) const POLICY_SCHEMA_VERSION: u32 = 1;

impl Policy {
    pub(crate) fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let policy: Policy = serde_json::from_str(&text).map_err(|e| Error::Policy {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if policy.schema_version != POLICY_SCHEMA_VERSION {
            return Err(Error::Policy {
                path: path.to_path_buf(),
                message: format!(
                    "schema_version {} is not supported (this reident reads version {POLICY_SCHEMA_VERSION})",
                    policy.schema_version
                ),
            });
        }
        Ok(policy)
    }

    /// Flags given on the command line replace the policy's list for that role.
    pub fn override_with(
        mut self,
        qi: &[String],
        sensitive: &[String],
        identifying: &[String],
    ) -> Policy {
        if !qi.is_empty() {
            self.quasi_identifiers = qi.to_vec();
        }
        if !sensitive.is_empty() {
            self.sensitive = sensitive.to_vec();
        }
        if !identifying.is_empty() {
            self.identifying = identifying.to_vec();
        }
        self
    }

    /// Replaces the weight column when one is given.
    pub fn with_weight(mut self, weight: Option<&String>) -> Policy {
        if let Some(w) = weight {
            self.weight = Some(w.clone());
        }
        self
    }
}

/// How a missing or suppressed quasi-identifier value (`NULL`, `*`) counts when class sizes are
/// counted (see [`crate::classes::wildcard`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// One value like any other: records with `NULL` in age form their own age group (ARX's
    /// counting; reident's default).
    #[default]
    Value,
    /// A wildcard that matches every value: a record with `*` in age is in every age's class for
    /// the rest of its key (sdcMicro's `alpha = 1`, mu-Argus).
    Wildcard,
}

impl Missing {
    pub(crate) fn is_value(&self) -> bool {
        *self == Missing::Value
    }
}

/// Roles resolved against a table's columns: indices into the table's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    pub columns: Vec<String>,
    pub qi: Vec<usize>,
    pub sensitive: Vec<usize>,
    pub identifying: Vec<usize>,
    pub insensitive: Vec<usize>,
    /// The sampling-weight column, if any (it has no other role).
    pub weight: Option<usize>,
    /// The column that identifies the person, if any (it has no other role).
    pub entity: Option<usize>,
}

impl Roles {
    /// Checks every named column exists and has one role. At least one QI is required.
    pub fn resolve(policy: &Policy, columns: &[String]) -> Result<Roles> {
        let find = |name: &String| {
            columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| Error::UnknownColumn {
                    column: name.clone(),
                    available: columns.to_vec(),
                })
        };
        let mut role_of: Vec<Option<&'static str>> = vec![None; columns.len()];
        let mut assign = |names: &[String], role: &'static str| -> Result<Vec<usize>> {
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let i = find(name)?;
                if let Some(first) = role_of[i] {
                    return Err(Error::ConflictingRoles {
                        column: name.clone(),
                        first,
                        second: role,
                    });
                }
                role_of[i] = Some(role);
                out.push(i);
            }
            Ok(out)
        };
        let qi = assign(&policy.quasi_identifiers, "quasi-identifier")?;
        let sensitive = assign(&policy.sensitive, "sensitive")?;
        let identifying = assign(&policy.identifying, "identifying")?;
        assign(&policy.insensitive, "insensitive")?;
        let weight = match &policy.weight {
            Some(w) => Some(assign(std::slice::from_ref(w), "weight")?[0]),
            None => None,
        };
        let entity = match &policy.entity {
            Some(e) => Some(assign(std::slice::from_ref(e), "entity")?[0]),
            None => None,
        };
        if qi.is_empty() {
            return Err(Error::NoQuasiIdentifiers);
        }
        let insensitive = (0..columns.len())
            .filter(|&i| role_of[i].is_none() || role_of[i] == Some("insensitive"))
            .collect();
        Ok(Roles {
            columns: columns.to_vec(),
            qi,
            sensitive,
            identifying,
            insensitive,
            weight,
            entity,
        })
    }

    pub(crate) fn names(&self, idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| self.columns[i].clone()).collect()
    }
}

/// How a person's rows form their quasi-identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signature {
    /// The multiset of the rows' QI tuples: repeats count.
    #[default]
    Multiset,
    /// The set of the rows' QI tuples: repeats are ignored.
    Set,
}

impl Signature {
    pub fn as_str(self) -> &'static str {
        match self {
            Signature::Multiset => "multiset",
            Signature::Set => "set",
        }
    }
}
