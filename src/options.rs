//! What a command is asked to do, and the one place where a policy file and flags are merged.
//!
//! Two levels, as in ripgrep's `lowargs -> hiargs`: [`Flags`] is what the user said (command-line
//! flags, or keyword arguments of a library call), each setting optional; [`Settings`] is what
//! holds once the flags are merged with the policy file ([`Settings::resolve`], the only place
//! where that merge is written). Every command's `Options` hold resolved values only, as plain
//! serde structs: a report records them, and `verify` re-runs the command from them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classes::people::Signature;
use crate::classes::Source;
use crate::criteria::targets::TargetSpec;
use crate::error::Result;
use crate::input::arrow::{ArrowTable, ARROW_NAME};
use crate::input::InputOptions;
use crate::policy::{Missing, Policy, Roles};
use crate::risk::estimators::SnbVariant;
use crate::risk::population::PopulationSpec;

/// Where a command's table comes from: a data file, a class table given in its place, or an
/// in-memory Arrow table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableSource {
    /// The data: a Parquet file, or a CSV file with a header row.
    pub data: Option<PathBuf>,
    /// A class table (from `reident classes` or an engine's query) in place of the data.
    pub classes: Option<PathBuf>,
    /// CSV delimiter; detected from the header line when not given.
    pub delimiter: Option<u8>,
    /// Record batches in memory, read in place of `data` (the Python package's tables). Not
    /// serialized: a report records the table's content hash instead, and `verify` re-runs on a
    /// file that holds the same content.
    #[serde(skip)]
    pub arrow: Option<ArrowTable>,
}

impl TableSource {
    /// The records of `data`.
    pub fn data(path: impl Into<PathBuf>) -> TableSource {
        TableSource {
            data: Some(path.into()),
            ..TableSource::default()
        }
    }

    /// The records of an in-memory Arrow table.
    pub fn arrow(table: ArrowTable) -> TableSource {
        TableSource {
            arrow: Some(table),
            ..TableSource::default()
        }
    }

    /// The file the figures come from: the data, or the class table given in its place (what a
    /// report hashes and names); `<arrow stream>` for an in-memory table.
    pub(crate) fn path(&self) -> &Path {
        if self.arrow.is_some() {
            return Path::new(ARROW_NAME);
        }
        self.classes
            .as_deref()
            .or(self.data.as_deref())
            .unwrap_or(Path::new(""))
    }

    /// For an in-memory table, its content hash and size (what a report records in place of a
    /// file's hash and length); `None` for a file.
    pub(crate) fn content_digest(&self) -> Result<Option<(String, u64)>> {
        self.arrow
            .as_ref()
            .map(ArrowTable::content_digest)
            .transpose()
    }

    /// Points at another copy of the same source (`verify` re-runs a report on the data given).
    pub(crate) fn with_path(mut self, path: PathBuf) -> TableSource {
        self.arrow = None;
        if self.classes.is_some() {
            self.classes = Some(path);
        } else {
            self.data = Some(path);
        }
        self
    }

    pub(crate) fn input_options(&self) -> InputOptions {
        InputOptions {
            delimiter: self.delimiter,
        }
    }

    /// Opens the source and resolves the roles of `policy` against its columns. A class table
    /// lacks the data's identifying and insensitive columns and has weight sums in place of the
    /// weight column: those names are accepted as listed, never read.
    pub(crate) fn open(&self, policy: &Policy) -> Result<(Source, Roles)> {
        let listed: Vec<String> = policy
            .identifying
            .iter()
            .chain(&policy.insensitive)
            .chain(&policy.weight)
            .chain(&policy.entity)
            .cloned()
            .collect();
        if let Some(table) = &self.arrow {
            let source = Source::Records(table.input());
            let roles = Roles::resolve(policy, source.columns())?;
            return Ok((source, roles));
        }
        let source = Source::open(
            self.data.as_deref(),
            self.classes.as_deref(),
            &self.input_options(),
            &listed,
        )?;
        let roles = Roles::resolve(policy, source.columns())?;
        Ok((source, roles))
    }
}

/// The population behind the sample, and the SNB formulas, for the population-based figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationOptions {
    pub spec: PopulationSpec,
    pub snb: SnbVariant,
}

impl Default for PopulationOptions {
    fn default() -> Self {
        PopulationOptions {
            spec: PopulationSpec::Sample,
            snb: SnbVariant::Arx,
        }
    }
}

/// What the user said: flags or keyword arguments, each optional. A stated value replaces the
/// policy's; see [`Settings::resolve`].
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// The policy file (JSON).
    pub policy: Option<PathBuf>,
    pub qi: Vec<String>,
    pub sensitive: Vec<String>,
    pub identifying: Vec<String>,
    pub weight: Option<String>,
    /// The column that identifies the person (classes then count people).
    pub entity: Option<String>,
    pub entity_signature: Option<Signature>,
    /// How missing and suppressed QI values count (`--missing`).
    pub missing: Option<Missing>,
    pub targets: TargetSpec,
    /// The hierarchy folder.
    pub hierarchies: Option<PathBuf>,
    pub suppression_limit: Option<f64>,
    pub metric: Option<String>,
}

/// The settings a command runs with: the policy file merged with the flags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The policy file they came from, if any (a report records its content and hash).
    pub policy: Option<PathBuf>,
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub identifying: Vec<String>,
    pub insensitive: Vec<String>,
    pub weight: Option<String>,
    /// The column that identifies the person: classes count people, not rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// How a person's rows form their quasi-identifier (with an entity).
    #[serde(default)]
    pub entity_signature: Signature,
    /// How a missing or suppressed QI value counts when classes are sized.
    #[serde(default, skip_serializing_if = "Missing::is_value")]
    pub missing: Missing,
    pub targets: TargetSpec,
    /// The folder of `hierarchy_<column>.csv` files (a policy's is relative to the policy file).
    pub hierarchies: Option<PathBuf>,
    pub suppression_limit: Option<f64>,
    pub metric: Option<String>,
}

impl Settings {
    /// Merges the policy file (if any) with the flags: a role list, target, folder or setting
    /// that a flag states replaces the policy's; the policy's hierarchy folder is relative to
    /// the policy file.
    pub fn resolve(flags: &Flags) -> Result<Settings> {
        let policy = match &flags.policy {
            Some(p) => Policy::load(p)?,
            None => Policy::default(),
        }
        .override_with(&flags.qi, &flags.sensitive, &flags.identifying)
        .with_weight(flags.weight.as_ref());
        let an = policy.anonymization.clone().unwrap_or_default();
        let policy_dir = flags
            .policy
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Settings {
            policy: flags.policy.clone(),
            quasi_identifiers: policy.quasi_identifiers,
            sensitive: policy.sensitive,
            identifying: policy.identifying,
            insensitive: policy.insensitive,
            weight: policy.weight,
            entity: flags.entity.clone().or(policy.entity),
            entity_signature: flags
                .entity_signature
                .or(policy.entity_signature)
                .unwrap_or_default(),
            missing: flags.missing.or(policy.missing).unwrap_or_default(),
            targets: TargetSpec::from_policy(&an).overridden_by(&flags.targets),
            hierarchies: flags
                .hierarchies
                .clone()
                .or_else(|| an.hierarchies.as_ref().map(|h| policy_dir.join(h))),
            suppression_limit: flags.suppression_limit.or(an.suppression_limit),
            metric: flags.metric.clone().or(an.metric),
        })
    }

    /// The column roles, as a policy for [`Roles::resolve`].
    pub(crate) fn roles(&self) -> Policy {
        Policy {
            quasi_identifiers: self.quasi_identifiers.clone(),
            sensitive: self.sensitive.clone(),
            identifying: self.identifying.clone(),
            insensitive: self.insensitive.clone(),
            weight: self.weight.clone(),
            entity: self.entity.clone(),
            ..Policy::default()
        }
    }

    /// The sensitive columns, with those that the l-diversity and t-closeness targets name
    /// added (they must be read to be measured).
    pub(crate) fn with_target_columns(mut self) -> Settings {
        for col in self.targets.sensitive_columns() {
            if !self.sensitive.contains(&col) {
                self.sensitive.push(col);
            }
        }
        self
    }
}

pub use crate::work::DEFAULT_MAX_WORK;
pub(crate) use crate::work::{check_work, subsets};
