//! `combos`: which combinations of quasi-identifiers single people out.
//!
//! [`run`] builds the class table over every QI and rolls it up to every subset of QIs up to the
//! largest size asked for ([`crate::risk::combos`]): classes, k, sample uniques, distinction and
//! separation of each subset, the marginal contribution of each QI, and with a population the
//! estimated population uniqueness of each subset.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::analyze::PeopleInfo;
use crate::error::{Error, Result};
use crate::input::Format;
use crate::options::{PopulationOptions, Settings, TableSource};
use crate::policy::Roles;
use crate::risk::combos::{combos_of, default_max_size, parse_thresholds, Combos};
use crate::risk::population::{Population, PopulationSpec};
use crate::tool::ToolInfo;

/// What to measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub table: TableSource,
    /// The roles (only the QIs are read).
    pub settings: Settings,
    /// Largest subset size (default: all subsets up to 12 QIs, otherwise 4).
    pub max_size: Option<usize>,
    /// Per-size thresholds `SIZE:K,...`: flag subsets of that size whose smallest class is <= K.
    pub thresholds: Option<String>,
    pub population: PopulationOptions,
    /// The work budget (default [`crate::options::DEFAULT_MAX_WORK`]): a run estimated past
    /// it is refused before it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_work: Option<f64>,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl Options {
    pub fn new(table: TableSource, settings: Settings) -> Options {
        Options {
            table,
            settings,
            max_size: None,
            thresholds: None,
            population: PopulationOptions::default(),
            progress: false,
            max_work: None,
        }
    }
}

/// What the measurement computed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub options: Options,
    /// Every subset's figures: a report's `combinations` section.
    pub combos: Combos,
    pub roles: Roles,
    pub format: Format,
    /// The path of the data (or class table) read.
    pub dataset: String,
    /// The records (with an entity, the people's rows).
    pub records: u64,
    /// With an entity: the people, whom every figure counts.
    pub people: Option<PeopleInfo>,
    pub started: SystemTime,
}

/// The `--json` document's envelope and figures.
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: ToolInfo,
    dataset: DocumentDataset<'a>,
    /// With an entity: the people every figure counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    people: Option<&'a PeopleInfo>,
    combos: &'a Combos,
}

#[derive(Serialize)]
struct DocumentDataset<'a> {
    path: &'a str,
    format: Format,
    records: u64,
}

impl Outcome {
    /// The `--json` document (keys in sorted order at every depth).
    pub fn json(&self) -> Result<String> {
        let doc = Document {
            schema_version: 1,
            tool: ToolInfo::current(),
            dataset: DocumentDataset {
                path: &self.dataset,
                format: self.format,
                records: self.records,
            },
            people: self.people.as_ref(),
            combos: &self.combos,
        };
        let err = |e: serde_json::Error| Error::Invalid(format!("serializing the report: {e}"));
        serde_json::to_string_pretty(&serde_json::to_value(&doc).map_err(err)?).map_err(err)
    }
}

/// The figures of every subset of QIs up to the largest size.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    if options.settings.missing == crate::policy::Missing::Wildcard {
        return Err(crate::error::Error::Invalid(
            "combos counts a missing value as one value; --missing wildcard (or the policy's \"missing\") is for analyze, gate and anonymize: leave it out here".into(),
        ));
    }
    let (source, mut roles) = options.table.open(&options.settings.roles())?;
    roles.sensitive.clear();
    roles.weight = None;
    let thresholds = match &options.thresholds {
        Some(t) => parse_thresholds(t)?,
        None => Vec::new(),
    };
    let progress = source.progress(!options.progress);
    let counted = source.counted(&roles, options.settings.entity_signature, &progress)?;
    let table = counted.counted();
    let max_size = options
        .max_size
        .unwrap_or_else(|| default_max_size(roles.qi.len()));
    let population = match &options.population.spec {
        PopulationSpec::Sample => None,
        spec => {
            if roles.entity.is_some() && matches!(spec, PopulationSpec::Table { .. }) {
                return Err(Error::Invalid(
                    "--population-table with --entity: a population table counts QI tuples, not people's collections of them; give --population or --sampling-fraction".into(),
                ));
            }
            let p = Population::resolve(spec, table, &options.table.input_options())?;
            Some((p.size, options.population.snb))
        }
    };
    let n = roles.qi.len();
    let classes = table.counts.len() as f64;
    crate::options::check_work(
        crate::options::subsets(n, max_size) * (classes + 1000.0),
        options.max_work,
        &format!(
            "{:.3e} subsets of {n} quasi-identifiers up to size {} x ({classes} classes + 1000)",
            crate::options::subsets(n, max_size),
            max_size.min(n)
        ),
        "lower --max-size",
    )?;
    let combos = combos_of(&counted, max_size, &thresholds, population)?;
    Ok(Outcome {
        options: options.clone(),
        combos,
        format: source.format(),
        dataset: source.path().display().to_string(),
        records: counted.people.as_ref().map_or(table.n_records, |p| p.rows),
        people: counted.people.as_ref().map(|p| PeopleInfo {
            entity: roles
                .entity
                .map(|e| roles.columns[e].clone())
                .unwrap_or_default(),
            signature: p.signature,
            people: p.table.n_records,
            rows: p.rows,
        }),
        roles,
        started,
    })
}
