//! `classes`: the class table as a file, in the interchange format of [`super::io`] (the format
//! an engine's GROUP BY writes too).
//!
//! The data is streamed a window of row groups at a time into the class table, which is then
//! written a batch of classes at a time: memory is the class table plus one window, whatever the
//! size of the file. From a class table (`--classes`) it rolls the table up to fewer QIs, or
//! merges part files into one.
//!
//! With an entity column it writes the people form (people-level classes, one row per
//! signature): from the records, or from a people-level class table (rolled up or merged).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::io::{write_class_table, write_people_table, FORMAT_VERSION};
use super::people::Signature;
use crate::error::{Error, Result};
use crate::options::{Settings, TableSource};
use crate::tool::ToolInfo;

/// What to group and where to write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub table: TableSource,
    /// The QIs, sensitive columns (a histogram column each) and weight (its sum per class).
    pub settings: Settings,
    /// The class table to write (Parquet).
    pub output: PathBuf,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub dataset: String,
    pub output: String,
    pub records: u64,
    pub classes: u64,
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub weight: Option<String>,
    /// With an entity: the people form was written; `records` are the people's rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleWritten>,
}

/// What a people-level class table holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeopleWritten {
    pub entity: String,
    pub signature: Signature,
    pub people: u64,
}

impl Outcome {
    /// The `--json` summary (keys in sorted order).
    pub fn json(&self) -> Result<String> {
        let mut doc = serde_json::json!({
            "schema_version": 1,
            "tool": ToolInfo::current(),
            "dataset": self.dataset,
            "output": self.output,
            "format_version": FORMAT_VERSION,
            "records": self.records,
            "classes": self.classes,
            "quasi_identifiers": self.quasi_identifiers,
            "sensitive": self.sensitive,
            "weight": self.weight,
        });
        if let Some(p) = &self.people {
            doc["people"] = serde_json::json!(p);
        }
        serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Invalid(format!("serializing the summary: {e}")))
    }
}

/// Builds the class table and writes it.
pub fn run(options: &Options) -> Result<Outcome> {
    crate::output::check_output(
        &options.output,
        options.force,
        options.table.data.iter().chain(&options.table.classes),
    )?;
    if options.settings.missing == crate::policy::Missing::Wildcard {
        return Err(Error::Invalid(
            "classes with --missing wildcard: a class table holds the distinct tuples with a missing value as a value of its own; leave --missing out here and give it to analyze or gate when they read the class table".into(),
        ));
    }
    let (source, roles) = options.table.open(&options.settings.roles())?;
    crate::output::refuse_overwrite(source.path(), &options.output)?;
    let progress = source.progress(!options.progress);
    if let Some(entity) = roles.entity {
        if roles.weight.is_some() {
            return Err(Error::Invalid(
                "--weight with --entity: sampling weights are given per record, and people are counted; leave the weight out".into(),
            ));
        }
        let counted = source.counted(&roles, options.settings.entity_signature, &progress)?;
        let people = counted.people.as_ref().expect("an entity counts people");
        let entity = roles.columns[entity].clone();
        write_people_table(&counted.rows, people, &entity, &options.output)?;
        return Ok(Outcome {
            dataset: source.path().display().to_string(),
            output: options.output.display().to_string(),
            records: people.rows,
            classes: people.class_count() as u64,
            quasi_identifiers: roles.names(&roles.qi),
            sensitive: roles.names(&roles.sensitive),
            weight: None,
            people: Some(PeopleWritten {
                entity,
                signature: people.signature,
                people: people.table.n_records,
            }),
        });
    }
    let table = source.class_table(&roles, &progress)?;
    let weight = roles.weight.map(|w| roles.columns[w].clone());
    write_class_table(&table, weight.as_deref(), &options.output)?;
    Ok(Outcome {
        dataset: source.path().display().to_string(),
        output: options.output.display().to_string(),
        records: table.n_records,
        classes: table.n_classes() as u64,
        quasi_identifiers: roles.names(&roles.qi),
        sensitive: roles.names(&roles.sensitive),
        weight,
        people: None,
    })
}
