//! `classes`: the class table as a file, in the interchange format of [`super::io`] (the format
//! an engine's GROUP BY writes too).
//!
//! The data is streamed a window of row groups at a time into the class table, which is then
//! written a batch of classes at a time: memory is the class table plus one window, whatever the
//! size of the file. From a class table (`--classes`) it rolls the table up to fewer QIs, or
//! merges part files into one.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::io::{write_class_table, FORMAT_VERSION};
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
}

impl Outcome {
    /// The `--json` summary (keys in sorted order).
    pub fn json(&self) -> Result<String> {
        let doc = serde_json::json!({
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
        serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Invalid(format!("serializing the summary: {e}")))
    }
}

/// Builds the class table and writes it.
pub fn run(options: &Options) -> Result<Outcome> {
    let (source, roles) = options.table.open(&options.settings.roles())?;
    crate::output::refuse_overwrite(source.path(), &options.output)?;
    let table = source.class_table(&roles, &source.progress(!options.progress))?;
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
    })
}
