//! What `scan` reports: per column, the category found, its confidence, the suggested role and
//! Safe Harbor step, and the evidence (rules and shares of the sample, never a value).

use serde::{Deserialize, Serialize};

use super::terms::{Action, Level, On, Role};
use crate::input::Format;
use crate::tool::ToolInfo;

/// Version of the JSON document `scan --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LengthStats {
    pub min: u64,
    pub max: u64,
    pub mean: f64,
}

/// One rule's finding on a column. Never a value: the rule and the share of the sample.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    pub rule: String,
    pub on: On,
    /// Share of the sampled non-null values that passed the rule (value rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_share: Option<f64>,
    /// Whether the rule counted towards the confidence.
    pub fired: bool,
    /// What it added: its weight, scaled by the share for value rules (0 when it did not fire).
    pub score: f64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alternative {
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
}

/// The scan of one column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnScan {
    pub column: String,
    /// Rows sampled, non-null among them, distinct non-null values.
    pub sampled: u64,
    pub non_null: u64,
    pub distinct: u64,
    /// distinct / non_null (0 when every sampled value is null).
    pub distinct_share: f64,
    /// Value lengths in characters, over the non-null sampled values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<LengthStats>,
    /// The Safe Harbor category (`None`: nothing reached the report threshold).
    pub category: Option<String>,
    /// The letter of 164.514(b)(2)(i).
    pub hipaa: Option<String>,
    pub title: Option<String>,
    pub confidence: f64,
    pub level: Option<Level>,
    pub suggested_role: Role,
    /// The Safe Harbor step for the column (`safe-harbor` applies it).
    pub action: Option<Action>,
    /// The sampled values already have the form Safe Harbor allows (ZIP3, years, ages under 90
    /// or `90+`). The step is still applied by `safe-harbor` (it changes nothing such values).
    pub safe_harbor_form: bool,
    /// Rules behind the category (or the role hint), with what they matched.
    pub evidence: Vec<Evidence>,
    /// Other categories that reached the report threshold.
    pub alternatives: Vec<Alternative>,
    /// The column holds the pseudonyms `safe-harbor --pseudonymize` wrote (marked in the Parquet
    /// file's metadata, every sampled value a pseudonym): a re-identification code permitted by
    /// 45 CFR 164.514(c), not an identifier. The category the rules would give it is then among
    /// the alternatives.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pseudonymized: bool,
    /// Share of the sampled non-null values that are dates (other than a year alone) in some form
    /// (`safe-harbor` reduces a column of mostly dates to the year whatever its name says).
    #[serde(skip)]
    pub(crate) date_share: f64,
}

impl ColumnScan {
    /// A direct identifier flagged at this level or above.
    pub(crate) fn is_identifying(&self, at_least: Level) -> bool {
        self.suggested_role == Role::Identifying && self.level.is_some_and(|l| l >= at_least)
    }

    /// Whether the column still holds a Safe Harbor element: a direct identifier (medium or high
    /// confidence), or dates, ages or geography (at any confidence reported) whose sampled
    /// values are not all in the form Safe Harbor allows. Pseudonyms are permitted codes.
    pub(crate) fn holds_safe_harbor_element(&self) -> bool {
        if self.pseudonymized {
            return false;
        }
        if self.suggested_role == Role::Identifying {
            return self.is_identifying(Level::Medium);
        }
        self.category.is_some() && !self.safe_harbor_form
    }

    /// The strongest fired rule and its share, for one-line messages.
    pub(crate) fn main_evidence(&self) -> String {
        let best = self.evidence.iter().filter(|e| e.fired).max_by(|a, b| {
            a.score
                .partial_cmp(&b.score)
                .unwrap()
                .then((a.on == On::Values).cmp(&(b.on == On::Values)))
        });
        match best {
            Some(e) => match e.matched_share {
                Some(s) => format!(
                    "{} {:.1}% of {} sampled values",
                    e.rule,
                    100.0 * s,
                    self.non_null
                ),
                None => format!("{} (column name)", e.rule),
            },
            None => "no rule".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub format: Format,
    /// Rows in the file when its metadata says (Parquet); CSV is not read to the end.
    pub records: Option<u64>,
    pub columns: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleInfo {
    pub rows_requested: usize,
    pub rows_read: u64,
    /// How the rows were chosen.
    pub method: String,
}

/// Columns by suggested role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub identifying: Vec<String>,
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub insensitive: Vec<String>,
    /// Columns whose Safe Harbor step needs a person's decision, and low-confidence identifiers.
    pub review: Vec<String>,
    /// Columns of pseudonyms written by `safe-harbor --pseudonymize`: re-identification codes
    /// permitted by 164.514(c).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permitted_codes: Vec<String>,
}

/// Everything `scan` reports. Serialized as is for `--json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: DatasetInfo,
    pub sample: SampleInfo,
    /// `built-in` or the rules file given.
    pub rules: String,
    pub columns: Vec<ColumnScan>,
    pub summary: Summary,
}
