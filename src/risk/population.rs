//! The population behind the sample: the assumption every population-based risk figure rests on.
//!
//! A statistician states it in one of three ways: the sampling fraction (`f = n / N`), the
//! population size `N` (a number, or a named region), or a population frequency table (the QI
//! columns and a count per combination, e.g. from a census). Without any of them the sample is
//! taken to be the whole population (`f = 1`), and every output says so: population-based figures
//! then equal the sample-based ones.

use std::path::{Path, PathBuf};

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::classes::build_classes;
use crate::classes::ClassTable;
use crate::error::{Error, Result};
use crate::input::{Input, InputOptions};
use crate::policy::{Policy, Roles};
use crate::progress::Progress;

/// Named population sizes, as ARX offers them (ARXPopulationModel.Region: national and regional
/// estimates of the mid-2010s that ARX ships). Figures are people.
pub(crate) const PRESETS: [(&str, &str, u64); 15] = [
    ("africa", "Africa", 1_100_000_000),
    ("australia", "Australia", 23_130_900),
    ("europe", "Europe", 740_000_000),
    ("north-america", "North America", 565_265_000),
    ("south-america", "South America", 385_742_554),
    ("eu", "European Union", 507_420_000),
    ("brazil", "Brazil", 202_656_788),
    ("canada", "Canada", 34_834_841),
    ("china", "China (PRC)", 1_366_040_000),
    ("france", "France", 65_820_916),
    ("germany", "Germany", 80_767_000),
    ("india", "India", 1_210_569_573),
    ("uk", "United Kingdom", 63_705_000),
    ("usa", "USA", 317_238_626),
    ("us", "USA", 317_238_626),
];

/// How the population was stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationSpec {
    /// The sample is the population.
    Sample,
    SamplingFraction(f64),
    /// A number, or a preset name from `PRESETS`.
    Size(String),
    /// A frequency table: the QI columns and a count column.
    Table {
        path: PathBuf,
        count_column: String,
    },
}

/// The population as resolved against a sample of `n` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Population {
    /// `sample`, `sampling_fraction`, `population_size`, `preset` or `table`.
    pub source: String,
    /// The assumption in words, for reports.
    pub description: String,
    /// Population size N.
    pub size: u64,
    /// n / N.
    pub sampling_fraction: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Population size of every sample class (from the table), aligned with the class table.
    #[serde(skip)]
    pub class_sizes: Option<Vec<f64>>,
}

impl Population {
    /// Resolves the spec for a sample class table. A table is read here; every sample class must
    /// appear in it (classes the sample lacks are ignored).
    pub fn resolve(
        spec: &PopulationSpec,
        sample: &ClassTable,
        options: &InputOptions,
    ) -> Result<Self> {
        let n = sample.n_records;
        let pop = |source: &str, description: String, size: u64| -> Result<Population> {
            if size < n {
                return Err(Error::Invalid(format!(
                    "the population ({size}) is smaller than the sample ({n} records)"
                )));
            }
            Ok(Population {
                source: source.to_string(),
                description,
                size,
                sampling_fraction: n as f64 / size as f64,
                table: None,
                class_sizes: None,
            })
        };
        match spec {
            PopulationSpec::Sample => pop(
                "sample",
                "no population given: the sample is taken to be the whole population (f = 1)"
                    .into(),
                n,
            ),
            PopulationSpec::SamplingFraction(f) => {
                if !(*f > 0.0 && *f <= 1.0) {
                    return Err(Error::Invalid(format!(
                        "--sampling-fraction {f}: must be in (0, 1]"
                    )));
                }
                let size = (n as f64 / f).round() as u64;
                pop(
                    "sampling_fraction",
                    format!("sampling fraction {f}: population N = round(n / f) = {size}"),
                    size,
                )
            }
            PopulationSpec::Size(text) => {
                let key = text.to_ascii_lowercase();
                if let Some(&(_, name, size)) = PRESETS.iter().find(|p| p.0 == key) {
                    return pop(
                        "preset",
                        format!("population of {name}: {size} (ARX region preset)"),
                        size,
                    );
                }
                let size: u64 = text.replace('_', "").parse().map_err(|_| {
                    Error::Invalid(format!(
                        "--population {text:?}: not a number or a known region ({})",
                        PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                    ))
                })?;
                pop(
                    "population_size",
                    format!("population size N = {size}"),
                    size,
                )
            }
            PopulationSpec::Table { path, count_column } => {
                let (size, class_sizes) = read_table(path, count_column, sample, options)?;
                let mut p = pop(
                    "table",
                    format!("population frequency table {}: N = {size}", path.display()),
                    size,
                )?;
                p.table = Some(path.display().to_string());
                p.class_sizes = Some(class_sizes);
                Ok(p)
            }
        }
    }
}

/// Reads a population frequency table and looks up every sample class in it.
fn read_table(
    path: &Path,
    count_column: &str,
    sample: &ClassTable,
    options: &InputOptions,
) -> Result<(u64, Vec<f64>)> {
    let input = Input::open(path, options)?;
    let qi: Vec<String> = sample.qis.iter().map(|d| d.name.clone()).collect();
    let policy = Policy {
        quasi_identifiers: qi,
        weight: Some(count_column.to_string()),
        ..Policy::default()
    };
    let roles = Roles::resolve(&policy, input.columns())?;
    // The count column is read as a weight: each table row stands for `count` people.
    let (table, _) = build_classes(&input, &roles, false, &Progress::hidden())?;
    let weights = table.weights.as_deref().unwrap_or(&[]);
    let total: f64 = weights.iter().sum();
    let index: HashMap<Vec<&str>, f64> = (0..table.n_classes())
        .map(|c| (table.key_text(c), weights[c]))
        .collect();
    let mut sizes = Vec::with_capacity(sample.n_classes());
    for c in 0..sample.n_classes() {
        let key = sample.key_text(c);
        let f = sample.counts[c] as f64;
        match index.get(&key) {
            Some(&big_f) if big_f >= f => sizes.push(big_f),
            Some(&big_f) => {
                return Err(Error::Invalid(format!(
                    "{}: the population table counts {big_f} people in a class where the sample has {f} records",
                    path.display()
                )))
            }
            None => {
                return Err(Error::Invalid(format!(
                    "{}: a class of the sample is missing from the population table ({} sample classes, {} table classes)",
                    path.display(),
                    sample.n_classes(),
                    table.n_classes()
                )))
            }
        }
    }
    Ok((total.round() as u64, sizes))
}
