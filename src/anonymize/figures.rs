//! What an anonymization reports: the transformation, the search, the risk before and after.

use serde::{Deserialize, Serialize};

use crate::classes::ClassTable;
use crate::criteria::ClassRule;
use crate::search::Node;
use crate::tool::ToolInfo;

/// A QI's level in the chosen transformation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub qi: String,
    pub level: usize,
    pub levels: usize,
    /// The QI's most frequent value in the output, shown only if at least the disclosure k
    /// records have it.
    pub example: String,
}

/// The figures of an anonymization with their envelope: the `--json` document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: String,
    #[serde(flatten)]
    pub figures: Figures,
}

impl std::ops::Deref for Summary {
    type Target = Figures;
    fn deref(&self) -> &Figures {
        &self.figures
    }
}

/// The figures of an anonymization: a report's `anonymization` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub targets: Vec<String>,
    pub suppression_limit: f64,
    pub metric: String,
    pub transformation: Vec<Level>,
    pub best: Node,
    pub top: Vec<Node>,
    pub before: Risk,
    pub after: Risk,
    /// Records in the input.
    pub before_records: u64,
    /// The metric on the untransformed data (every QI at level 0, nothing suppressed).
    pub utility_before: f64,
    pub nodes_in_lattice: u64,
    pub nodes_evaluated: u64,
    pub optimal: bool,
    pub seconds: f64,
    pub output: Option<String>,
    pub records_written: Option<u64>,
    /// The columns of the output, in order (identifying columns dropped).
    pub output_columns: Vec<String>,
    /// How the records of failing classes are suppressed, in terms `reident sql
    /// --transformation` turns into the SQL that produces the same release in an engine.
    pub suppression: Suppression,
    /// With an entity: classes, suppression and the limit count these people, not rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<crate::analyze::PeopleInfo>,
    /// Local suppression after the transformation: cells blanked per QI (the records of failing
    /// classes are kept; classes are then matched with blanks as wildcards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_suppression: Option<crate::sdc::LocalFigures>,
    /// Microaggregation of numeric columns: the groups and the information loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microaggregation: Option<crate::sdc::MicroFigures>,
    /// The hierarchies built from the QIs' values (stated builders and automatic ones), each
    /// with its builder and the SHA-256 of the file a report folder keeps it in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_hierarchies: Vec<super::BuiltHierarchy>,
}

/// How failing classes are suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// `remove` or `star`.
    pub suppressed: String,
    /// A class is kept when it meets every rule.
    pub rules: Vec<ClassRule>,
    /// Criteria that decide suppression but have no SQL rule (entropy and recursive
    /// l-diversity, t-closeness): the SQL cannot reproduce this release.
    pub without_sql_rule: Vec<String>,
}

/// Prosecutor risk of the classes kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub classes: u64,
    pub smallest_class: u64,
    pub highest_prosecutor_risk: f64,
    pub average_prosecutor_risk: f64,
}

impl Risk {
    /// The classes of `t` that `failing` does not suppress.
    pub(super) fn of(t: &ClassTable, failing: Option<&[bool]>) -> Risk {
        let kept: Vec<u64> = t
            .counts
            .iter()
            .enumerate()
            .filter(|(c, _)| failing.is_none_or(|f| !f[*c]))
            .map(|(_, &k)| k)
            .collect();
        let n: u64 = kept.iter().sum();
        let k = kept.iter().copied().min().unwrap_or(0);
        Risk {
            classes: kept.len() as u64,
            smallest_class: k,
            highest_prosecutor_risk: if k == 0 { 0.0 } else { 1.0 / k as f64 },
            average_prosecutor_risk: if n == 0 {
                0.0
            } else {
                kept.len() as f64 / n as f64
            },
        }
    }
}
